"""The loaders of sales staff management: "My week" and the team's week (``/visits``), the events (``/events``),
training. Each parses its address, narrows the viewer's scope and reads through ``data_access.queries``.

``/visits`` address: ``week`` (ISO week ``2026-W49``, default the week holding today), ``team`` (a director's
team), ``rep`` (a rep of the scope: their own week), ``list`` (``incomplete``: the records missing purpose or
outcome). ``/events``: ``year``, ``event`` (an event code: its accounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics import params
from metrics.staff import (
    PIPELINE_WINDOW_DAYS,
    EventSummary,
    RepTraining,
    RepWeek,
    WeekVisit,
    complete,
    event_summaries,
    monday_of,
    parse_week,
    rep_weeks,
    total,
    training_table,
    week_key,
)
from metrics.views import reads
from metrics.views.actions import ActionList, action_list
from metrics.views.filters import FIRST_YEAR, FORBIDDEN, LAST_YEAR, Problem, default_year, rep_named

#: the records a drill list shows at most
LIST_ROWS = 200
LISTS = ("incomplete",)


@dataclass(frozen=True)
class Line:
    """One row of the team's week: a rep (key their code) or, for a director, a team (key its id)."""

    key: str
    name: str
    team: str
    week: RepWeek


@dataclass(frozen=True)
class OwnWeek:
    """One rep's week: this week's plan and records, next week's plan, the rep's accounts for the forms."""

    rep_id: int
    rep_code: str
    name: str
    this_week: list[dict[str, Any]]
    next_week: list[dict[str, Any]]
    counts: RepWeek
    accounts: list[tuple[int, str, str]]
    training_hours: float
    #: the rep's next best actions (``metrics.views.actions``)
    actions: ActionList = field(default_factory=ActionList)


@dataclass(frozen=True)
class WeekData:
    monday: date
    today: date
    role: str
    problems: tuple[str, ...] = ()
    team_id: int | None = None
    rep_code: str | None = None
    listing: str | None = None
    own: OwnWeek | None = None
    #: per rep (a manager, or a director's chosen team) or per team (a director); None for a rep
    lines: list[Line] | None = None
    by: str = "rep"
    totals: RepWeek = field(default_factory=RepWeek)
    by_class: pd.DataFrame | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    training: list[RepTraining] = field(default_factory=list)
    required_hours: float = 40.0

    @property
    def week(self) -> str:
        return week_key(self.monday)


def _week(query: dict[str, str], today: date, problems: list[str]) -> date:
    raw = query.get("week")
    if raw:
        try:
            monday = parse_week(raw)
            if not FIRST_YEAR <= monday.year <= LAST_YEAR:
                raise ValueError(f"week {raw[:20]!r} is outside {FIRST_YEAR}-{LAST_YEAR}")
            return monday
        except ValueError as exc:
            problems.append(Problem(str(exc)))
    return monday_of(today)


def _own(session: Session, scope: Scope, rep: tuple[int, str, str], monday: date, today: date) -> OwnWeek:
    rep_id, code, name = rep
    mine = scope.narrow(rep_id=rep_id)
    rows = queries.visit_rows(session, mine, monday, monday + timedelta(days=13))
    this_end = monday + timedelta(days=6)
    this_week = [r for r in rows if r["visit_date"] <= this_end]
    visited = {r["account_id"] for r in this_week if r["status"] == "done"}
    for r in this_week:  # a planned visit with a record at its account this week is done (plan done)
        r["plan_met"] = r["status"] == "planned" and r["account_id"] in visited
    next_week = [r for r in rows if r["visit_date"] > this_end and r["status"] == "planned"]
    next_week.sort(key=lambda r: (r["position"] if r["position"] is not None else 10**6, r["visit_date"], r["id"]))
    counts = rep_weeks(
        WeekVisit(r["rep_id"], r["account_id"], r["status"], r["purpose"], r["outcome"]) for r in this_week
    ).get(rep_id, RepWeek())
    hours = queries.training_hours(session, mine, monday.year).get(rep_id, 0.0)
    return OwnWeek(
        rep_id,
        code,
        name,
        this_week,
        next_week,
        counts,
        queries.own_accounts(session, mine, rep_id),
        hours,
        action_list(session, mine, today),
    )


def _lines(session: Session, scope: Scope, reps: list[tuple[int, str, str]], monday: date, by_team: bool) -> list[Line]:
    weeks = queries.week_counts(session, scope, monday, monday + timedelta(days=6))
    team_of = queries.team_of_reps(session, scope)
    if not by_team:
        lines = [Line(code, name, team_of.get(i, (None, ""))[1], weeks.get(i, RepWeek())) for i, code, name in reps]
        return sorted(lines, key=lambda line: (line.week.plan_done_rate or 0.0, line.key))
    per_team: dict[int, list[RepWeek]] = {}
    names: dict[int, str] = {}
    for i, _code, _name in reps:
        team_id, team_name = team_of.get(i, (None, ""))
        if team_id is None:
            continue
        per_team.setdefault(team_id, []).append(weeks.get(i, RepWeek()))
        names[team_id] = team_name
    lines = [Line(str(tid), names[tid], names[tid], total(ws)) for tid, ws in per_team.items()]
    return sorted(lines, key=lambda line: (line.week.plan_done_rate or 0.0, line.name))


@kept
def load_week(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> WeekData:
    """``/visits``: a rep's own week, or the team's week per rep (a director's per team) with a drill to a rep."""
    problems: list[str] = []
    monday = _week(query, today, problems)
    scope = viewer.scope
    settings = load_settings(session)
    listing = params.one_of(query.get("list"), LISTS)
    if viewer.role == "rep":
        reps = queries.reps_in_scope(session, scope)
        own = _own(session, scope, reps[0], monday, today) if reps else None
        return WeekData(
            monday, today, viewer.role, tuple(problems), own=own, required_hours=settings.training_required_hours
        )
    narrowed, team_id, chosen = _narrowed(session, viewer, query, problems)
    if chosen:  # one rep's week: the page shows only it (the team's lines are one click back)
        return WeekData(
            monday,
            today,
            viewer.role,
            tuple(problems),
            team_id=team_id,
            rep_code=chosen[1],
            own=_own(session, narrowed, chosen, monday, today),
            required_hours=settings.training_required_hours,
        )
    by_team = viewer.role == "director" and team_id is None
    sunday = monday + timedelta(days=6)
    reps = queries.reps_in_scope(session, narrowed)
    lines = _lines(session, narrowed, reps, monday, by_team)
    records: list[dict[str, Any]] = []
    if listing == "incomplete":
        rows = queries.visit_rows(session, narrowed, monday, sunday)
        records = [r for r in rows if r["status"] == "done" and not complete(r["purpose"], r["outcome"])][:LIST_ROWS]
    hours = queries.training_hours(session, narrowed, monday.year)
    return WeekData(
        monday,
        today,
        viewer.role,
        tuple(problems),
        team_id=team_id,
        listing=listing,
        lines=lines,
        by="team" if by_team else "rep",
        totals=total(line.week for line in lines),
        by_class=queries.visits_by_class(
            session, narrowed, monday, sunday, monday.year, settings.rad_r_min, settings.rad_a_max
        ),
        records=records,
        training=training_table(reps, hours, settings.training_required_hours),
        required_hours=settings.training_required_hours,
    )


@dataclass(frozen=True)
class VisitsAnswer:
    """The API's week: per rep of the scope (``rep``/``team`` narrow it), what the plan and records count."""

    week: str
    reps: list[tuple[str, RepWeek]]
    problems: tuple[str, ...] = ()


def _narrowed(
    session: Session, viewer: Viewer, query: dict[str, str], problems: list[str]
) -> tuple[Scope, int | None, tuple[int, str, str] | None]:
    """The viewer's scope narrowed by the address's ``team`` (a team of theirs), the team's id, and the rep
    ``rep`` names in it (not narrowed to: the caller decides); a value outside the scope is a problem."""
    scope = viewer.scope
    team_id = params.whole(query.get("team"), 1, 2**31 - 1)
    if query.get("team") and team_id not in {t for t, _ in queries.teams(session, scope)}:
        problems.append(Problem(f"team {query['team'][:40]!r} is not one of yours", FORBIDDEN))
        team_id = None
    scope = scope.narrow(team_id=team_id)
    chosen = rep_named(session, scope, query.get("rep")) if query.get("rep") else None
    if query.get("rep") and chosen is None:
        problems.append(Problem(f"rep {query['rep'][:40]!r} is not one you can pick", FORBIDDEN))
    return scope, team_id, chosen


@kept
def load_visits_api(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> VisitsAnswer:
    """``GET /api/v1/visits``: the week's counts per sales rep in scope (the chosen rep alone with ``rep``)."""
    problems: list[str] = []
    monday = _week(query, today, problems)
    scope, _team, chosen = _narrowed(session, viewer, query, problems)
    reps = [chosen] if chosen else queries.reps_in_scope(session, scope)
    if chosen:
        scope = scope.narrow(rep_id=chosen[0])
    weeks = queries.week_counts(session, scope, monday, monday + timedelta(days=6))
    rows = sorted((code, weeks.get(i, RepWeek())) for i, code, _name in reps)
    return VisitsAnswer(week_key(monday), rows, tuple(problems))


def load_visit(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> dict[str, Any] | None:
    """One visit of the viewer's scope (``query["visit"]``, its id) for the record form; None for any other. Its
    account's RAD class is of the year of its week's Monday, as the week's list that opened it shows it (a visit of
    2 January in a week that began in December is classed by December's year there, so here too)."""
    visit_id = params.whole(query.get("visit"), 1, 2**31 - 1)
    if visit_id is None:
        return None
    row = queries.visit_by_id(session, viewer.scope, visit_id, today.year)
    year = monday_of(row["visit_date"]).year if row else today.year
    return row if year == today.year else queries.visit_by_id(session, viewer.scope, visit_id, year)


@dataclass(frozen=True)
class AccountChoices:
    contacts: list[str]
    deals: list[tuple[str, str]]


def load_account_choices(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> AccountChoices:
    """The record form's choices for one account of the viewer's scope (``query["account"]``, its id): its
    contacts and open deals; nothing for an account outside the scope."""
    account_id = params.whole(query.get("account"), 1, 2**31 - 1)
    if account_id is None:
        return AccountChoices([], [])
    scope = viewer.scope
    return AccountChoices(
        queries.contact_names(session, scope, account_id), queries.account_deals(session, scope, account_id)
    )


# --- events ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventsData:
    year: int
    today: date
    role: str
    events: list[EventSummary]
    problems: tuple[str, ...] = ()
    #: per kind: events, cost, accounts, pipeline after (amount), 6A+2R held / checked
    by_kind: pd.DataFrame | None = None
    chosen: EventSummary | None = None
    chosen_accounts: list[dict[str, Any]] = field(default_factory=list)
    organisers: list[tuple[int, str, str]] = field(default_factory=list)
    #: the accounts of the chosen event's organiser's team a manager may add as attending
    team_accounts: list[tuple[int, str, str]] = field(default_factory=list)
    team_id: int | None = None
    #: a director's whole company: a line per team (``queries.TEAM_EVENT_COLUMNS``); None in a team's view
    team_totals: list[dict[str, Any]] | None = None
    #: the years that hold data (the year links)
    years: list[int] = field(default_factory=list)

    @property
    def reach(self) -> dict[str, int]:
        out = dict.fromkeys(("R", "A", "D", "unknown"), 0)
        if self.team_totals is not None:
            return {c: sum(int(t[c]) for t in self.team_totals) for c in out}
        for e in self.events:
            for c, n in e.by_class.items():
                out[c] += n
        return out


def _year(session: Session, query: dict[str, str], today: date, problems: list[str]) -> int:
    """The address's ``year``; none (or a wrong one, with a notice): the filter bar's default year (today's when
    it holds data, else the latest that does)."""
    raw = query.get("year")
    year = params.whole(raw, FIRST_YEAR, LAST_YEAR) if raw else None
    if raw and year is None:
        problems.append(Problem(f"year {raw[:20]!r} is not a year from {FIRST_YEAR} to {LAST_YEAR}"))
    return year if year is not None else default_year(reads.data_years(session), today)


def year_events(session: Session, scope: Scope, year: int) -> list[EventSummary]:
    """The year's events in scope, each with its reach, 6A+2R check, cost per account and pipeline after it (the
    events of the 90 days before the year read too, so a deal they claim is not given to a later one)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    first = start - timedelta(days=PIPELINE_WINDOW_DAYS)
    events = queries.events_between(session, scope, first, end)
    attended = queries.attendance(session, scope, first, end)
    deals = queries.deals_after(session, scope, first, end)
    return [s for s in event_summaries(events, attended, deals) if s.event.event_date.year == year]


def by_kind(events: list[EventSummary]) -> pd.DataFrame:
    rows = [
        {
            "kind": e.event.kind,
            "events": 1,
            "cost": e.event.cost,
            "accounts": e.accounts,
            "pipeline": e.pipeline_after_amount,
            "deals": e.pipeline_after_count,
            "held": 1 if e.check_6a2r else 0,
            "checked": 0 if e.check_6a2r is None else 1,
        }
        for e in events
    ]
    columns = ["kind", "events", "cost", "accounts", "pipeline", "deals", "held", "checked"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.groupby("kind", as_index=False).sum().sort_values("cost", ascending=False, ignore_index=True)


@kept
def load_events(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> EventsData:
    """``/events``: the year's events in scope with their checks, per kind; ``event=CODE`` opens one, ``team=ID``
    narrows a director's view to a team. A director's whole company is a line per team (``event_team_totals``,
    summed in SQL: at a million deals 11,000 events a year, whose pipeline-after alone reads 1.8 s), each opening
    the team's events."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, team_id, _rep = _narrowed(session, viewer, {"team": query.get("team", "")}, problems)
    code = params.text(query.get("event"), 50)
    if viewer.role == "director" and team_id is None and code:
        team_id = queries.event_team(session, scope, code)  # an event's address opens its team's view
        scope = scope.narrow(team_id=team_id) if team_id is not None else scope
    if viewer.role == "director" and team_id is None:
        totals = queries.event_team_totals(session, scope, date(year, 1, 1), date(year, 12, 31))
        if code:
            problems.append(Problem(f"event {code[:40]!r} is not one of this year's you can see", FORBIDDEN))
        return EventsData(
            year, today, viewer.role, [], tuple(problems), team_totals=totals, years=reads.data_years(session)
        )
    events = year_events(session, scope, year)
    chosen = next((e for e in events if e.event.event_code == code), None)
    if query.get("event") and chosen is None:
        problems.append(Problem(f"event {query['event'][:40]!r} is not one of this year's you can see", FORBIDDEN))
    organisers = queries.reps_in_scope(session, scope) if viewer.role != "rep" else []
    team_accounts: list[tuple[int, str, str]] = []
    if chosen is not None and chosen.event.organiser_id is not None and viewer.role != "rep":
        team_accounts = load_team_accounts(session, viewer, {"organiser": str(chosen.event.organiser_id)}, today)
    return EventsData(
        year,
        today,
        viewer.role,
        events,
        tuple(problems),
        by_kind(events),
        chosen,
        queries.event_accounts(session, scope, chosen.event.event_id) if chosen else [],
        organisers,
        team_accounts,
        team_id=team_id,
        years=reads.data_years(session),
    )


@dataclass(frozen=True)
class EventsAnswer:
    year: int
    events: list[EventSummary]
    problems: tuple[str, ...] = ()


@kept
def load_events_api(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> EventsAnswer:
    """``GET /api/v1/events?year=Y[&team=ID]``: every event of the year in the viewer's scope (the team's), each
    with its checks."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    scope, _team_id, _rep = _narrowed(session, viewer, {"team": query.get("team", "")}, problems)
    return EventsAnswer(year, year_events(session, scope, year), tuple(problems))


def load_team_accounts(
    session: Session, viewer: Viewer, query: dict[str, str], today: date
) -> list[tuple[int, str, str]]:
    """The accounts an event organised by ``query["organiser"]`` (a rep id of the scope) may tick: those of the
    organiser's team inside the viewer's scope."""
    rep_id = params.whole(query.get("organiser"), 1, 2**31 - 1)
    if rep_id is None or viewer.role == "rep":
        return []
    team = queries.team_of_reps(session, viewer.scope.narrow(rep_id=rep_id)).get(rep_id)
    if team is None or team[0] is None:
        return []
    return queries.own_accounts(session, viewer.scope.narrow(team_id=team[0]))


# --- training -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingData:
    year: int
    required_hours: float
    reps: list[RepTraining]
    problems: tuple[str, ...] = ()


@kept
def load_training(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> TrainingData:
    """Training hours of the year per sales rep in scope against the requirement, fewest first."""
    problems: list[str] = []
    year = _year(session, query, today, problems)
    settings = load_settings(session)
    scope = viewer.scope
    reps = queries.reps_in_scope(session, scope)
    hours = queries.training_hours(session, scope, year)
    return TrainingData(
        year,
        settings.training_required_hours,
        training_table(reps, hours, settings.training_required_hours),
        tuple(problems),
    )
