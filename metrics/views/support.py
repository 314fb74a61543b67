"""The loaders of sales support: bids and technical support (``/support``), price calculation (``/pricing``), a
deal's quote versions, the risk flags (``/risk``) and their JSON answers. Each parses its address, narrows the
viewer's scope and reads through ``data_access.queries``.

Addresses: ``year`` (default this year), ``team`` (a director's team); ``/support``: ``tab`` (``bids`` or
``tech``); ``/risk``: ``kind`` (one flag's list). ``/risk`` and its API answer nothing to a rep.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics import params
from metrics.settings import BusinessSettings
from metrics.staff import monday_of
from metrics.support import (
    RISK_KINDS,
    BidRow,
    BidSummary,
    Flag,
    LineRow,
    Quote,
    RepDiscount,
    RequestRow,
    Turnaround,
    WinSplit,
    bid_summary,
    contract_below_quote,
    discount_outliers,
    event_cost_high,
    flag_counts,
    quote_of,
    self_approved,
    team_discounts,
    unapproved_below_floor,
)
from metrics.views import reads
from metrics.views.filters import Problem
from metrics.views.staff import _narrowed, _year

#: the bid calendar's weeks from this one, and the engineers' load weeks back to this one
CALENDAR_WEEKS = 6
#: the calendar's soonest deadlines drawn (a director's whole company has thousands in six weeks)
CALENDAR_ROWS = 60
LOAD_WEEKS = 8
#: the most bids a list shows (the figures count them all)
BID_ROWS = 200
TABS = ("bids", "tech")
#: the calculator's lines at most
CALC_LINES = 20
NO_BIDS = BidSummary(0, 0, 0, 0.0, 0.0, 0, 0, (), {})
NO_REQUESTS = Turnaround(0, 0, None, 0.0)


def _team_scope(
    session: Session, viewer: Viewer, query: dict[str, str], problems: list[str]
) -> tuple[Scope, int | None]:
    scope, team_id, _rep = _narrowed(session, viewer, {"team": query.get("team", "")}, problems)
    return scope, team_id


# --- /support -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportData:
    year: int
    today: date
    role: str
    tab: str
    problems: tuple[str, ...] = ()
    team_id: int | None = None
    teams: list[tuple[int, str]] = field(default_factory=list)
    bids: list[BidRow] = field(default_factory=list)
    summary: BidSummary | None = None
    by_team: list[tuple[str, BidSummary]] = field(default_factory=list)
    by_line: list[tuple[str, BidSummary]] = field(default_factory=list)
    #: the bids whose deadline is in this and the next weeks (any year)
    calendar: list[BidRow] = field(default_factory=list)
    requests: Turnaround | None = None
    by_kind: list[tuple[str, Turnaround]] = field(default_factory=list)
    by_engineer: list[tuple[str, Turnaround]] = field(default_factory=list)
    mondays: list[date] = field(default_factory=list)
    load: dict[str, list[int]] = field(default_factory=dict)
    supported: WinSplit = field(default_factory=WinSplit)
    unsupported: WinSplit = field(default_factory=WinSplit)
    open_requests: list[RequestRow] = field(default_factory=list)
    #: the years that hold data (the year links)
    years: list[int] = field(default_factory=list)


@kept
def load_support(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> SupportData:
    """``/support``: the year's bids (by deadline) with their summary, per team and product line, the calendar of
    the coming weeks; or (``tab=tech``) the year's support requests with turnaround per kind and engineer, the
    engineers' load per week and the win rate of supported against unsupported deals."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    tab = params.one_of(query.get("tab"), TABS) or "bids"
    scope, team_id = _team_scope(session, viewer, query, problems)
    teams = queries.teams(session, viewer.scope) if viewer.role == "director" else []
    start, end = date(year, 1, 1), date(year, 12, 31)
    base = SupportData(year, today, viewer.role, tab, tuple(problems), team_id, teams, years=reads.data_years(session))
    if tab == "bids":
        this_monday = monday_of(today)
        totals = queries.bid_totals(session, scope, start, end, today)
        return replace(
            base,
            bids=queries.bids_between(session, scope, start, end, latest_first=BID_ROWS),
            summary=totals[0][1] if totals else NO_BIDS,
            by_team=queries.bid_totals(session, scope, start, end, today, by="team"),
            by_line=queries.bid_totals(session, scope, start, end, today, by="line"),
            calendar=queries.bids_between(
                session,
                scope,
                this_monday,
                this_monday + timedelta(weeks=CALENDAR_WEEKS, days=-1),
                soonest=CALENDAR_ROWS + 1,  # one more than drawn: the page can say there are more
            ),
        )
    mondays = [monday_of(min(today, end)) - timedelta(weeks=k) for k in range(LOAD_WEEKS - 1, -1, -1)]
    requested = queries.request_totals(session, scope, start, end, today)
    supported, unsupported = queries.supported_outcomes(session, scope, start, end)
    return replace(
        base,
        requests=requested[0][1] if requested else NO_REQUESTS,
        by_kind=queries.request_totals(session, scope, start, end, today, by="kind"),
        by_engineer=queries.request_totals(session, scope, start, end, today, by="engineer"),
        mondays=mondays,
        load=queries.engineer_weeks(session, scope, mondays, today),
        supported=supported,
        unsupported=unsupported,
        open_requests=queries.open_requests(session, scope, start, end, BID_ROWS),
    )


@dataclass(frozen=True)
class BidsAnswer:
    year: int
    bids: list[BidRow]
    summary: BidSummary
    problems: tuple[str, ...] = ()


@kept
def load_bids_api(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> BidsAnswer:
    """``GET /api/v1/bids?year=Y[&team=ID]``: the bids whose deadline is in Y, in the viewer's scope."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, _team_id = _team_scope(session, viewer, query, problems)
    bids = queries.bids_between(session, scope, date(year, 1, 1), date(year, 12, 31))
    return BidsAnswer(year, bids, bid_summary(bids, today), tuple(problems))


@dataclass(frozen=True)
class SupportAnswer:
    year: int
    requests: Turnaround
    supported: WinSplit
    unsupported: WinSplit
    problems: tuple[str, ...] = ()


@kept
def load_support_api(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> SupportAnswer:
    """``GET /api/v1/support?year=Y[&team=ID]``: the requests requested in Y and the deals closed in Y, in scope."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, _team_id = _team_scope(session, viewer, query, problems)
    start, end = date(year, 1, 1), date(year, 12, 31)
    totals = queries.request_totals(session, scope, start, end, today)
    supported, unsupported = queries.supported_outcomes(session, scope, start, end)
    return SupportAnswer(year, totals[0][1] if totals else NO_REQUESTS, supported, unsupported, tuple(problems))


# --- /pricing and quotes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricingData:
    year: int
    role: str
    products: list[dict[str, Any]]
    floor_default: float
    reps: list[RepDiscount]
    teams: list[RepDiscount]
    problems: tuple[str, ...] = ()
    team_id: int | None = None
    choices: list[tuple[int, str]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


@kept
def load_pricing(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> PricingData:
    """``/pricing``: the price list for the calculator, and the year's discounts per rep and team of the scope
    (amount-weighted over every quote version quoted in the year)."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, team_id = _team_scope(session, viewer, query, problems)
    settings = load_settings(session)
    reps = queries.rep_discounts(session, scope, date(year, 1, 1), date(year, 12, 31))
    reps.sort(key=lambda r: (-(r.discount or 0), r.rep_code))
    return PricingData(
        year,
        viewer.role,
        queries.price_list(session),
        settings.floor_margin,
        reps,
        team_discounts(reps),
        tuple(problems),
        team_id,
        queries.teams(session, viewer.scope) if viewer.role == "director" else [],
        reads.data_years(session),
    )


@kept
def load_products(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> list[dict[str, Any]]:
    """The price list (the company's, the same for every viewer)."""
    return queries.price_list(session)


def load_calculation(
    session: Session, viewer: Viewer, picked: list[tuple[object, object, object]]
) -> tuple[Quote, list[str]]:
    """The calculator (read-only arithmetic; nothing is stored): (product code, quantity, unit price) as a client
    sent them, priced from the stored price list (never from the client); a blank unit price is the list price.
    Unknown products and bad numbers are named in the problems and left out."""
    floor_default = load_settings(session).floor_margin
    problems: list[str] = []
    wanted = [(sent, params.text(sent, 50), quantity, price) for sent, quantity, price in picked[:CALC_LINES]]
    products = queries.products_by_code(session, sorted({c for _, c, _, _ in wanted if c}))
    lines = []
    for sent, code, quantity, price in wanted:
        if sent is None or sent == "":  # an empty row of the form
            continue
        product = products.get(code) if code else None  # a code no product can have (too long, control characters)
        if code is None or product is None:
            problems.append(Problem(f"product {str(sent)[:40]!r} is not on the price list"))
            continue
        qty = params.number(quantity, 0.01, 1_000_000)
        if qty is None:
            problems.append(Problem(f"{code}: quantity {str(quantity)[:20]!r} is not a number from 0.01 to 1000000"))
            continue
        unit = float(product["list_price"]) if price in (None, "") else params.number(price, 0, 1e10)
        if unit is None:
            problems.append(Problem(f"{code}: unit price {str(price)[:20]!r} is not an amount"))
            continue
        floor = product["floor_margin"]
        lines.append(
            LineRow(
                code,
                qty,
                unit,
                float(product["list_price"]),
                float(product["unit_cost"]),
                float(floor_default if floor is None else floor),
                product_name=str(product["name"]),
            )
        )
    return quote_of(lines, "calculator"), problems


@dataclass(frozen=True)
class QuotesAnswer:
    quotes: list[Quote]
    problems: tuple[str, ...] = ()


@kept
def load_quotes_api(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> QuotesAnswer:
    """``GET /api/v1/quotes?year=Y[&opp=CODE][&team=ID]``: the quotes quoted in Y in scope (one deal's with ``opp``)."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, _team_id = _team_scope(session, viewer, query, problems)
    opp = params.text(query.get("opp"), 50) if query.get("opp") else None
    settings = load_settings(session)
    quotes = queries.quote_totals(
        session, scope, date(year, 1, 1), date(year, 12, 31), settings.floor_margin, opp_code=opp
    )
    return QuotesAnswer(quotes, tuple(problems))


# --- /risk ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskData:
    year: int
    role: str
    flags: list[Flag]
    counts: dict[str, int]
    settings: BusinessSettings
    problems: tuple[str, ...] = ()
    team_id: int | None = None
    teams: list[tuple[int, str]] = field(default_factory=list)
    kind: str | None = None
    allowed: bool = True
    years: list[int] = field(default_factory=list)
    #: the names of the reps and accounts the flags name, by code
    names: dict[str, str] = field(default_factory=dict)


def risk_flags(session: Session, scope: Scope, year: int, settings: BusinessSettings) -> list[Flag]:
    """The five flags of the year in scope (控制腐败), each with the rows behind it."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    lines = queries.flagged_lines(session, scope, start, end, settings.floor_margin)
    owners = queries.deal_owners(session, scope, {line.opp_code for line in lines})
    contracts, current = queries.contracts_below_quotes(session, scope, start, end, settings.risk_contract_below_quote)
    events, bookings, account_owners = queries.event_costs(session, scope, year, settings.risk_event_cost_share)
    return [
        *unapproved_below_floor(lines, owners),
        *self_approved(lines, owners),
        *contract_below_quote(contracts, current, settings.risk_contract_below_quote),
        *discount_outliers(
            queries.rep_discounts(session, scope, start, end), settings.risk_discount_gap, settings.risk_min_team_reps
        ),
        *event_cost_high(events, bookings, account_owners, settings.risk_event_cost_share),
    ]


#: the flags of each kind the page names (the first of each kind; ``?kind=`` names up to 200)
FLAGS_NAMED = 20


def _firsts(flags: list[Flag], per_kind: int) -> list[Flag]:
    seen: dict[str, int] = {}
    out = []
    for f in flags:
        seen[f.kind] = seen.get(f.kind, 0) + 1
        if seen[f.kind] <= per_kind:
            out.append(f)
    return out


def forbidden(viewer: Viewer) -> bool:
    """The risk flags are for directors and managers only."""
    return viewer.role not in ("director", "manager")


@kept
def load_risk(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> RiskData:
    """``/risk``: the year's flags in scope, per kind, each with its evidence; nothing for a rep."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    settings = load_settings(session)
    if forbidden(viewer):
        return RiskData(year, viewer.role, [], flag_counts([]), settings, tuple(problems), allowed=False)
    scope, team_id = _team_scope(session, viewer, query, problems)
    kind = params.one_of(query.get("kind"), RISK_KINDS)
    flags = risk_flags(session, scope, year, settings)
    teams = queries.teams(session, viewer.scope) if viewer.role == "director" else []
    shown = [f for f in flags if f.kind == kind] if kind else _firsts(flags, FLAGS_NAMED)
    names = queries.names_of(
        session, scope, {f.rep_code for f in shown if f.rep_code}, {f.account_code for f in shown if f.account_code}
    )
    return RiskData(
        year,
        viewer.role,
        flags,
        flag_counts(flags),
        settings,
        tuple(problems),
        team_id,
        teams,
        kind,
        names=names,
        years=reads.data_years(session),
    )


@dataclass(frozen=True)
class RiskAnswer:
    year: int
    flags: list[Flag]
    problems: tuple[str, ...] = ()


@kept
def load_risk_api(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> RiskAnswer | None:
    """``GET /api/v1/risk?year=Y[&team=ID]``: every flag of Y in scope; None for a rep (the route answers 403)."""
    if forbidden(viewer):
        return None
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, _team_id = _team_scope(session, viewer, query, problems)
    return RiskAnswer(year, risk_flags(session, scope, year, load_settings(session)), tuple(problems))


@dataclass(frozen=True)
class RiskCounts:
    year: int
    team_id: int | None
    counts: dict[str, int]


@kept
def load_risk_counts(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> RiskCounts | None:
    """The Overview's count per flag of ``year`` for a director (``team`` narrows it); None for anyone else."""
    if viewer.role != "director":
        return None
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, team_id = _team_scope(session, viewer, query, problems)
    return RiskCounts(year, team_id, flag_counts(risk_flags(session, scope, year, load_settings(session))))
