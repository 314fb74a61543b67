"""What a page's address asks for: the URL query checked against what the viewer may pick, as typed filters,
the viewer's choices and the viewer's scope narrowed by them (one query path for every view, download and API).

Filters live in the URL's query string so every view can be bookmarked. Anything a client sends is checked
here (values through ``metrics.params``): unknown keys are dropped, bad values ignored with a visible notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from data_access import queries
from data_access.importer.crm import UNKNOWN_TEXT
from data_access.rad import UNKNOWN
from data_access.scope import DealFilter, ProductLine, RadClass, Scope
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics import params
from metrics.period import Period
from metrics.views import reads

FULL_YEAR = "all"
#: a region or industry a CRM export did not hold (the pages say it in their language)
UNKNOWN_FIELD = UNKNOWN_TEXT
#: The RAD classes a deal filter may pick: the account's class in the period's year (``none``: SOW unknown).
RAD_CHOICES = ("R", "A", "D", UNKNOWN)
#: The URL parameters the filter bar owns.
PARAMS = ("period", "team", "rep", "product", "rad")
#: The years an address may ask for, on every page and in the API (the year picker offers ``year_choices``).
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: What the API answers for a value the filters refused (``Problem.status``)
BAD, FORBIDDEN = 400, 403


class Problem(str):
    """A notice about a value of the address that was ignored (the page shows it), with the status the API
    answers for it instead: 400 a value of the wrong kind, 403 one outside what the viewer may pick."""

    status: int

    def __new__(cls, text: str, status: int = BAD) -> Problem:
        made = super().__new__(cls, text)
        made.status = status
        return made


@dataclass(frozen=True)
class Filters:
    period: Period
    team_id: int | None = None
    problems: tuple[str, ...] = field(default=())
    rep_code: str | None = None
    product_line: str | None = None
    rad_class: str | None = None

    @property
    def deal_filtered(self) -> bool:
        """True when a product line or RAD class narrows the deals (quotas stay whole: see overview_kpis)."""
        return self.product_line is not None or self.rad_class is not None

    def with_problems(self, *more: str) -> Filters:
        return replace(self, problems=(*self.problems, *more))


@dataclass(frozen=True)
class Choices:
    """What the viewer may pick: teams (id, name), reps (id, code, name), product lines, and the years that hold
    data (newest first, ``queries.data_years``)."""

    teams: list[tuple[int, str]] = field(default_factory=list)
    reps: list[tuple[int, str, str]] = field(default_factory=list)
    product_lines: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def default_year(years: list[int], today: date) -> int:
    """The year a view without a period shows: today's when it holds data (or when none does), else the latest
    year that does (a company that imported its 2017 history opens on 2017)."""
    if not years or today.year in years:
        return today.year
    return max(years)


def year_choices(years: list[int], today: date, chosen: int | None = None) -> list[int]:
    """The year picker's years, newest first: those that hold data, the default year, and the address's own year
    when it asks for another (any year from ``FIRST_YEAR`` to ``LAST_YEAR`` is a view, as in the API)."""
    offered = {*years, default_year(years, today)}
    if chosen is not None:
        offered.add(chosen)
    return sorted(offered, reverse=True)


def page_period(raw: str) -> Period:
    """The period of an address's ``period``; ValueError when it does not parse or its year is outside
    ``FIRST_YEAR``-``LAST_YEAR`` (the pages then show the default year)."""
    period = Period.parse(raw)
    if not FIRST_YEAR <= period.year <= LAST_YEAR:
        raise ValueError(f"year {period.year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return period


def parse_filters(
    query: dict[str, str],
    today: date,
    team_ids: set[int],
    rep_codes: set[str] | None = None,
    product_lines: set[str] | None = None,
    years: list[int] | None = None,
) -> Filters:
    """Typed filters from a URL query; ``team_ids``, ``rep_codes`` and ``product_lines`` are what the viewer
    may pick (a value outside them is dropped with a notice, never trusted); ``years`` those that hold data
    (no period: ``default_year`` of them)."""
    problems: list[str] = []
    shown = period = Period(default_year(years or [], today))
    raw_period = query.get("period")
    if raw_period:
        try:
            period = page_period(raw_period)
        except ValueError as exc:
            problems.append(Problem(str(exc)))
            period = shown
    team_id: int | None = None
    raw_team = query.get("team")
    if raw_team:
        team_id = params.whole(raw_team, 1, 2**31 - 1)
        if team_id is None:
            problems.append(Problem(f"team {raw_team[:40]!r} is not a team id"))
        elif team_id not in team_ids:
            problems.append(Problem(f"team {team_id} is not one of yours", FORBIDDEN))
            team_id = None
    rep_code = _one_of(query.get("rep"), rep_codes or set(), "rep", problems)
    product_line = _one_of(query.get("product"), product_lines or set(), "product line", problems)
    rad_class = _one_of(query.get("rad"), set(RAD_CHOICES), "RAD class", problems)
    return Filters(period, team_id, tuple(problems), rep_code, product_line, rad_class)


def _one_of(raw: str | None, allowed: set[str], what: str, problems: list[str]) -> str | None:
    if not raw:
        return None
    if raw not in allowed:
        problems.append(Problem(f"{what} {raw[:40]!r} is not one you can pick", FORBIDDEN))
        return None
    return raw


def resolve_filters(
    session: Session, scope: Scope, query: dict[str, str], today: date
) -> tuple[Filters, Choices, Scope]:
    """A URL query checked against what the viewer may pick: the filters, the viewer's choices, and the
    viewer's scope narrowed by them (the one query path of every view and download of a filtered page)."""
    teams = queries.teams(session, scope)
    team_ids = {tid for tid, _ in teams}
    picked_team = params.whole(query.get("team"), 1, 2**31 - 1)
    team_scope = scope.narrow(team_id=picked_team) if picked_team in team_ids else scope
    reps = reads.reps_in_scope(session, team_scope)
    lines = reads.product_lines(session, scope)
    addressed = rep_named(session, team_scope, query.get("rep"), reps)
    if addressed is not None and addressed not in reps:  # a manager's own row: the picker shows it too
        reps = [*reps, addressed]
    rep_codes = {code for _i, code, _n in reps}
    years = reads.data_years(session)
    chosen = parse_filters(query, today, team_ids, rep_codes, set(lines), years)
    rep_id = addressed[0] if addressed and addressed[1] == chosen.rep_code else None
    deals: list[DealFilter] = []
    if chosen.product_line is not None:
        deals.append(ProductLine(chosen.product_line))
    if chosen.rad_class is not None:
        settings = load_settings(session)
        deals.append(RadClass(chosen.period.year, chosen.rad_class, settings.rad_r_min, settings.rad_a_max))
    narrowed = scope.narrow(team_id=chosen.team_id, rep_id=rep_id, deals=tuple(deals))
    return chosen, Choices(teams, reps, lines, years), narrowed


def rep_named(
    session: Session, scope: Scope, code: str | None, reps: list[tuple[int, str, str]] | None = None
) -> tuple[int, str, str] | None:
    """(id, code, name) of the rep an address names (``?rep=CODE``) when ``scope`` holds them, else None.

    The one rule of pages and API: any rep row counts (a manager's or a director's own figures too), while the
    pickers list sales reps only (``reps``, when the caller has them already, spares the lookup)."""
    if not code or params.text(code, 50) is None:
        return None
    found = next((r for r in reps or [] if r[1] == code), None)
    return found if found is not None else queries.rep_named(session, scope, code)


def filters_from_controls(
    year: int | str | None,
    quarter: str | None,
    team: int | str | None,
    keep: dict[str, str] | None = None,
    *,
    rep: str | None = None,
    product: str | None = None,
    rad: str | None = None,
) -> str:
    """The query string for the filter bar's current values (inverse of ``parse_filters``); ``keep``
    holds a page's own parameters (e.g. the funnel's ``since``), carried over unchanged."""
    out: dict[str, str] = {k: v for k, v in (keep or {}).items() if k not in PARAMS}
    picked_year = params.whole(year, FIRST_YEAR, LAST_YEAR)
    picked_quarter = params.whole(quarter, 1, 4)
    if picked_year is not None:
        out["period"] = f"{picked_year}" if picked_quarter is None else f"{picked_year}Q{picked_quarter}"
    picked_team = params.whole(team, 1, 2**31 - 1)
    if picked_team is not None:
        out["team"] = str(picked_team)
    for key, value in (("rep", rep), ("product", product), ("rad", rad)):
        if params.text(value) is not None:
            out[key] = str(value)
    return "?" + urlencode(out) if out else ""


def query_of(search: object) -> dict[str, str]:
    """An address's query string (``?a=1&b=2``) as a dict, the first value of each parameter (``params.query``:
    anything but a string is {}, values with control characters are dropped)."""
    return params.query(search)


def canonical_query(search: str | None, today: date, years: list[int] | None = None) -> str:
    """The query string of the view an address shows, in ``filters_from_controls``'s form.

    An address without a period shows the default year (``default_year`` of ``years``, those that hold data);
    values that do not parse are dropped (the page ignores them too). Comparing this with the controls tells a
    person's change from a redraw.
    """
    query = query_of(search)
    shown = Period(default_year(years or [], today))
    try:  # a period the page refuses shows the default year, as in parse_filters
        period = page_period(query["period"]) if query.get("period") else shown
    except ValueError:
        period = shown
    return filters_from_controls(
        period.year,
        str(period.quarter or FULL_YEAR),
        query.get("team"),
        rep=query.get("rep"),
        product=query.get("product"),
        rad=query.get("rad"),
    )


def choices_of(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> Choices:
    """What the viewer may pick on the address's view (a picker's search asks it as one types)."""
    return resolve_filters(session, viewer.scope, query, today)[1]


def years_of(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> list[int]:
    """The years that hold data (the filter bar's and the API's default year follows them)."""
    return reads.data_years(session)
