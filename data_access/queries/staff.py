"""Staff management's reads: a week's visits, the choices of the visit forms, the events of a period with their
attendance and the deals created after them, training hours. Every function takes the viewer's ``Scope``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import Session, aliased

from data_access.models import (
    Account,
    AccountYear,
    Contact,
    Event,
    EventAttendee,
    Opportunity,
    Rep,
    Team,
    Training,
    Visit,
)
from data_access.queries.shared import _year_of
from data_access.rad import UNKNOWN
from data_access.scope import Scope
from metrics.staff import BLANKS, MIX_6A2R, PIPELINE_WINDOW_DAYS, Attendance, EventRow, NewDeal, RepWeek

#: a visit as "My week" and the team's drill list show it
VISIT_COLUMNS = [
    "id",
    "rep_id",
    "rep_code",
    "rep_name",
    "account_id",
    "account_code",
    "account",
    "visit_date",
    "kind",
    "status",
    "contact_name",
    "purpose",
    "outcome",
    "next_step",
    "next_step_date",
    "opp_code",
    "position",
    "created_by",
    "created_at",
    "rad_class",
]


def _class_of(year: int) -> Any:
    """The account's RAD class in ``year`` (the ``account_years`` summary), None when it has no row."""
    return aliased(AccountYear, name=f"ay{year}")


def _filled(session: Session, column: Any) -> Any:
    """SQL of ``metrics.staff.filled``: the text holds more than the blanks ``BLANKS`` strips."""
    trim = func.trim if session.get_bind().dialect.name == "sqlite" else func.btrim
    return func.length(trim(func.coalesce(column, ""), BLANKS)) > 0


def week_counts(session: Session, scope: Scope, start: date, end: date) -> dict[int, RepWeek]:
    """``metrics.staff.rep_weeks`` of the visits from ``start`` to ``end`` summed in SQL, one row per rep: what a
    team's or the company's week reads (60,000 visits a week at a million deals; a test holds the two equal).

    Whether the rep also planned (visited) the account that week is a property of the (rep, account) pair, so the
    week's visits are counted per pair first and the pairs summed per rep: one read of the week, on both databases.
    Before, SQLite probed the rep's week twice per visit and PostgreSQL hash-joined the pairs back to the visits
    (0.33-0.43 s). The whole company's week at 1M on SQLite, the statement in-process on a quiet machine: 227-309 ms
    before, 148-190 ms now (PostgreSQL at 1M not measured)."""
    in_week = and_(Visit.visit_date.between(start, end), scope.condition(Visit.rep_id))
    planned, done = Visit.status == "planned", Visit.status == "done"

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    complete = and_(done, _filled(session, Visit.purpose), _filled(session, Visit.outcome))
    pairs = (
        select(
            Visit.rep_id.label("rep_id"),
            count(planned).label("plans"),
            count(done).label("dones"),
            count(complete).label("complete"),
        )
        .where(in_week)
        .group_by(Visit.rep_id, Visit.account_id)
        .subquery()
    )
    stmt = select(
        pairs.c.rep_id,
        func.sum(pairs.c.plans),
        func.sum(case((pairs.c.dones > 0, pairs.c.plans), else_=0)),
        func.sum(case((pairs.c.plans == 0, pairs.c.dones), else_=0)),
        func.sum(pairs.c.dones),
        func.sum(pairs.c.complete),
    ).group_by(pairs.c.rep_id)
    return {
        int(rep): RepWeek(int(p or 0), int(pd or 0), int(u or 0), int(r or 0), int(c or 0))
        for rep, p, pd, u, r, c in session.execute(stmt)
    }


def _visit_select(year: int) -> Any:
    """A select of VISIT_COLUMNS: the visit, its rep, account, deal and the account's class in ``year``."""
    ay = _class_of(year)
    return (
        select(
            Visit.id,
            Visit.rep_id,
            Rep.rep_code,
            Rep.name,
            Visit.account_id,
            Account.account_code,
            Account.name,
            Visit.visit_date,
            Visit.kind,
            Visit.status,
            Visit.contact_name,
            Visit.purpose,
            Visit.outcome,
            Visit.next_step,
            Visit.next_step_date,
            Opportunity.opp_code,
            Visit.position,
            Visit.created_by,
            Visit.created_at,
            func.coalesce(ay.rad_class, UNKNOWN),
        )
        .join(Rep, Rep.id == Visit.rep_id)
        .join(Account, Account.id == Visit.account_id)
        .outerjoin(Opportunity, Opportunity.id == Visit.opportunity_id)
        .outerjoin(ay, and_(ay.account_id == Visit.account_id, ay.year == year))
    )


def visit_rows(
    session: Session, scope: Scope, start: date, end: date, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """The visits from ``start`` to ``end`` of the reps in scope with their account, rep and deal, in the order of
    the plan (day, position, entry)."""
    stmt = (
        _visit_select(start.year)
        .where(Visit.visit_date.between(start, end), scope.condition(Visit.rep_id))
        .order_by(Rep.rep_code, Visit.visit_date, func.coalesce(Visit.position, 10**6), Visit.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(zip(VISIT_COLUMNS, row, strict=True)) for row in session.execute(stmt)]


def visit_by_id(session: Session, scope: Scope, visit_id: int, year: int) -> dict[str, Any] | None:
    """One visit of a rep in scope (None for any other id)."""
    row = session.execute(_visit_select(year).where(Visit.id == visit_id, scope.condition(Visit.rep_id))).first()
    return dict(zip(VISIT_COLUMNS, row, strict=True)) if row else None


def own_accounts(session: Session, scope: Scope, rep_id: int | None = None) -> list[tuple[int, str, str]]:
    """(id, code, name) of the accounts whose owner is in scope (and is ``rep_id`` when given), by name."""
    stmt = select(Account.id, Account.account_code, Account.name).where(scope.condition(Account.owner_rep_id))
    if rep_id is not None:
        stmt = stmt.where(Account.owner_rep_id == rep_id)
    return [(int(i), str(c), str(n)) for i, c, n in session.execute(stmt.order_by(Account.name, Account.id))]


def contact_names(session: Session, scope: Scope, account_id: int) -> list[str]:
    """The contact names of an account in scope (none for an account outside it)."""
    stmt = (
        select(Contact.name)
        .join(Account, Account.id == Contact.account_id)
        .where(Contact.account_id == account_id, scope.condition(Account.owner_rep_id))
        .order_by(Contact.name)
    )
    return [str(n) for n in session.scalars(stmt)]


def account_deals(session: Session, scope: Scope, account_id: int) -> list[tuple[str, str]]:
    """(opp_code, name) of the open deals in scope at an account, newest first: what a visit may have served."""
    stmt = (
        select(Opportunity.opp_code, Opportunity.name)
        .where(
            Opportunity.account_id == account_id,
            Opportunity.status == "open",
            scope.condition(Opportunity.owner_rep_id),
        )
        .order_by(Opportunity.created_date.desc(), Opportunity.opp_code)
        .limit(200)
    )
    return [(str(c), str(n)) for c, n in session.execute(stmt)]


def events_between(session: Session, scope: Scope, start: date, end: date) -> list[EventRow]:
    """The events from ``start`` to ``end`` organised by a rep in scope."""
    stmt = (
        select(Event.id, Event.event_code, Event.name, Event.kind, Event.event_date, Rep.name, Event.cost, Rep.id)
        .join(Rep, Rep.id == Event.organiser_rep_id)
        .where(Event.event_date.between(start, end), scope.condition(Event.organiser_rep_id))
        .order_by(Event.event_date, Event.event_code)
    )
    return [
        EventRow(int(i), str(c), str(n), str(k), d, str(o), float(cost), int(rep))
        for i, c, n, k, d, o, cost, rep in session.execute(stmt)
    ]


def attendance(session: Session, scope: Scope, start: date, end: date) -> list[Attendance]:
    """The attendee rows of the events from ``start`` to ``end`` organised in scope, each account with its class in
    its event's year: one statement (the events' range, then each event's attendees and each account's year)."""
    ay = aliased(AccountYear)
    stmt = (
        select(EventAttendee.event_id, EventAttendee.account_id, EventAttendee.attended, ay.rad_class)
        .join(Event, Event.id == EventAttendee.event_id)
        .outerjoin(ay, and_(ay.account_id == EventAttendee.account_id, ay.year == _year_of(session, Event.event_date)))
        .where(Event.event_date.between(start, end), scope.condition(Event.organiser_rep_id))
    )
    return [
        Attendance(int(e), int(a), bool(t), None if c in (None, UNKNOWN) else str(c))
        for e, a, t, c in session.execute(stmt)
    ]


def deals_after(session: Session, scope: Scope, start: date, end: date) -> list[NewDeal]:
    """Open or won deals in scope created from ``start`` to 90 days after ``end`` at an account that attended an event
    of that range organised in scope: one statement, the attended accounts a semi-join."""
    attended = (
        select(EventAttendee.account_id)
        .join(Event, Event.id == EventAttendee.event_id)
        .where(
            Event.event_date.between(start, end),
            EventAttendee.attended.is_(True),
            scope.condition(Event.organiser_rep_id),
        )
    )
    stmt = select(
        Opportunity.id, Opportunity.account_id, Opportunity.created_date, Opportunity.amount, Opportunity.status
    ).where(
        Opportunity.account_id.in_(attended),
        Opportunity.created_date.between(start, end + timedelta(days=PIPELINE_WINDOW_DAYS)),
        Opportunity.status.in_(("open", "won")),
        scope.condition(Opportunity.owner_rep_id),
    )
    return [NewDeal(int(o), int(a), c, float(amt), str(st)) for o, a, c, amt, st in session.execute(stmt)]


def event_accounts(session: Session, scope: Scope, event_id: int) -> list[dict[str, Any]]:
    """The accounts of one event in scope (organised by someone in scope), with their class in its year."""
    event = session.execute(
        select(Event.event_date).where(Event.id == event_id, scope.condition(Event.organiser_rep_id))
    ).first()
    if event is None:
        return []
    year = event[0].year
    ay = _class_of(year)
    stmt = (
        select(
            Account.id,
            Account.account_code,
            Account.name,
            EventAttendee.contact_name,
            EventAttendee.attended,
            func.coalesce(ay.rad_class, UNKNOWN),
        )
        .join(Account, Account.id == EventAttendee.account_id)
        .outerjoin(ay, and_(ay.account_id == Account.id, ay.year == year))
        .where(EventAttendee.event_id == event_id)
        .order_by(Account.name)
    )
    cols = ["account_id", "account_code", "account", "contact_name", "attended", "rad_class"]
    return [dict(zip(cols, r, strict=True)) for r in session.execute(stmt)]


def training_hours(session: Session, scope: Scope, year: int) -> dict[int, float]:
    """Per rep in scope, the hours of training dated in ``year``."""
    stmt = (
        select(Training.rep_id, func.sum(Training.hours))
        .where(Training.training_date.between(date(year, 1, 1), date(year, 12, 31)), scope.condition(Training.rep_id))
        .group_by(Training.rep_id)
    )
    return {int(r): float(h or 0) for r, h in session.execute(stmt)}


def team_of_reps(session: Session, scope: Scope) -> dict[int, tuple[int | None, str]]:
    """rep id -> (team id, team name) of the sales reps in scope."""
    stmt = (
        select(Rep.id, Rep.team_id, Team.name)
        .outerjoin(Team, Team.id == Rep.team_id)
        .where(Rep.role == "rep", scope.condition(Rep.id))
    )
    return {int(r): (t, str(n or "")) for r, t, n in session.execute(stmt)}


#: the columns of ``event_team_totals``
TEAM_EVENT_COLUMNS = [
    "team_id",
    "team",
    "events",
    "cost",
    "accounts",
    "R",
    "A",
    "D",
    "unknown",
    "dinners",
    "dinners_held",
]


def event_team_totals(session: Session, scope: Scope, start: date, end: date) -> list[dict[str, Any]]:
    """Per team (of the organiser), the events from ``start`` to ``end`` organised in scope: how many, their cost,
    the accounts that attended by RAD class in the event's year, and the 6A+2R dinners and how many held their mix
    (``metrics.staff.MIX_6A2R``), summed in SQL: a director's year of the whole company, without reading every
    attendee into Python."""
    ay = aliased(AccountYear)
    cls = func.coalesce(ay.rad_class, UNKNOWN)
    came = EventAttendee.attended.is_(True)

    def of(condition: Any) -> Any:
        return func.sum(case((and_(came, condition), 1), else_=0))

    per_event = (
        select(
            Event.id.label("event_id"),
            Event.kind.label("kind"),
            Event.cost.label("cost"),
            Rep.team_id.label("team_id"),
            of(true()).label("accounts"),
            of(cls == "R").label("r"),
            of(cls == "A").label("a"),
            of(cls == "D").label("d"),
            of(cls == UNKNOWN).label("unknown"),
        )
        .join(Rep, Rep.id == Event.organiser_rep_id)
        .outerjoin(EventAttendee, EventAttendee.event_id == Event.id)
        .outerjoin(ay, and_(ay.account_id == EventAttendee.account_id, ay.year == _year_of(session, Event.event_date)))
        .where(Event.event_date.between(start, end), scope.condition(Event.organiser_rep_id))
        .group_by(Event.id, Event.kind, Event.cost, Rep.team_id)
        .subquery()
    )
    e = per_event.c
    dinner = e.kind == "dinner_6a2r"
    held = and_(dinner, func.coalesce(e.a, 0) >= MIX_6A2R["A"], func.coalesce(e.r, 0) >= MIX_6A2R["R"])
    stmt = (
        select(
            e.team_id,
            Team.name,
            func.count(),
            func.sum(e.cost),
            func.sum(func.coalesce(e.accounts, 0)),
            func.sum(func.coalesce(e.r, 0)),
            func.sum(func.coalesce(e.a, 0)),
            func.sum(func.coalesce(e.d, 0)),
            func.sum(func.coalesce(e.unknown, 0)),
            func.sum(case((dinner, 1), else_=0)),
            func.sum(case((held, 1), else_=0)),
        )
        .outerjoin(Team, Team.id == e.team_id)
        .group_by(e.team_id, Team.name)
        .order_by(Team.name.asc().nulls_last())
    )
    out = []
    for row in session.execute(stmt):
        values = dict(zip(TEAM_EVENT_COLUMNS, row, strict=True))
        team_id = values.pop("team_id")
        out.append(
            {
                "team_id": None if team_id is None else int(team_id),  # None: organisers without a team
                **{k: (v if k == "team" else float(v or 0) if k == "cost" else int(v or 0)) for k, v in values.items()},
            }
        )
    return out


def event_team(session: Session, scope: Scope, event_code: str) -> int | None:
    """The team of the organiser of an event in scope (None for a code outside it)."""
    stmt = (
        select(Rep.team_id)
        .join(Event, Event.organiser_rep_id == Rep.id)
        .where(Event.event_code == event_code, scope.condition(Event.organiser_rep_id))
    )
    found = session.scalar(stmt)
    return int(found) if found is not None else None
