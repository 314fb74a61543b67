"""The writes of "My week" and of the events page: plan a visit, record one, reorder or remove the plan, edit a
record, create an event and tick its attendees.

Each write checks the viewer's rights here, whatever the form sent: a rep writes only for themselves and their
own accounts, a manager for the reps and accounts of their team, a director for anyone. A row entered in the
app is stamped with its author and time and may be changed or removed by its author for 7 days; imported rows
are not changed here. Every change is one row of ``change_log`` (before and after), and the data version
moves, so kept pages are drawn again. A refusal raises ``Refused`` with a message key (``components.i18n``)
and writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.models import (
    EVENT_KINDS,
    VISIT_KINDS,
    Account,
    ChangeLog,
    Contact,
    Event,
    EventAttendee,
    Opportunity,
    Rep,
    Visit,
)
from data_access.settings import bump_data_version
from data_access.users import Viewer, utcnow

#: control characters but tab and line breaks
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: how long the author may change a row entered in the app
EDIT_DAYS = 7
#: how far back a visit may be recorded, and how far ahead planned
RECORD_DAYS_BACK = 7
PLAN_WEEKS_AHEAD = 4
TEXT_MAX = 2000
NAME_MAX = 200
#: the most rows one plan week may hold for one rep (a form posted in a loop stops here)
PLAN_MAX = 60
#: the most accounts one event may hold
EVENT_ACCOUNTS_MAX = 200


class Refused(ValueError):
    """A write refused: ``key`` is the message's i18n key, ``detail`` what it names."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key, self.detail = key, detail


@dataclass(frozen=True)
class VisitInput:
    """What a visit form sends (all of it untrusted)."""

    account_id: object
    visit_date: object
    kind: object
    purpose: object = None
    outcome: object = None
    contact_name: object = None
    next_step: object = None
    next_step_date: object = None
    opp_code: object = None
    rep_id: object = None


def _text(value: object, limit: int = TEXT_MAX) -> str | None:
    """Free text of a form: a string of at most ``limit`` characters, lines allowed, no other control character
    (PostgreSQL refuses NUL); empty: None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > limit or CONTROL.search(value):
        raise Refused("write.bad_text", str(limit))
    return value.strip()


def _day(value: object) -> date:
    """A day as a form sends it: ``YYYY-MM-DD`` (the date input's value, a time after it ignored)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise Refused("write.bad_date", str(value)[:20])


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Refused("write.bad_id")
    try:
        number = int(value)
    except ValueError as exc:
        raise Refused("write.bad_id") from exc
    if not 1 <= number <= 2**31 - 1:
        raise Refused("write.bad_id")
    return number


def _rep_for(session: Session, viewer: Viewer, rep_id: object) -> Rep:
    """The rep a write is for: a rep always themselves; a manager a rep of their team; a director anyone."""
    if viewer.role == "rep" or rep_id in (None, ""):
        if viewer.rep_id is None:
            raise Refused("write.no_rep")
        rep = session.get(Rep, viewer.rep_id)
    else:
        rep = session.execute(select(Rep).where(Rep.id == _int(rep_id), viewer.scope.condition(Rep.id))).scalar()
    if rep is None:
        raise Refused("write.not_yours")
    return rep


def _account_for(session: Session, viewer: Viewer, rep: Rep, account_id: object) -> Account:
    """An account the rep owns (a manager's or director's write for a rep: still the rep's own account)."""
    account = session.execute(
        select(Account).where(
            Account.id == _int(account_id),
            Account.owner_rep_id == rep.id,
            viewer.scope.condition(Account.owner_rep_id),
        )
    ).scalar()
    if account is None:
        raise Refused("write.not_your_account")
    return account


def _visit_snapshot(v: Visit) -> dict[str, Any]:
    return {
        "rep_id": v.rep_id,
        "account_id": v.account_id,
        "visit_date": v.visit_date.isoformat(),
        "kind": v.kind,
        "status": v.status,
        "contact_name": v.contact_name,
        "purpose": v.purpose,
        "outcome": v.outcome,
        "next_step": v.next_step,
        "next_step_date": v.next_step_date.isoformat() if v.next_step_date else None,
        "opportunity_id": v.opportunity_id,
        "position": v.position,
    }


def _log(session: Session, viewer: Viewer, entity: str, entity_id: int, action: str, before: Any, after: Any) -> None:
    session.add(
        ChangeLog(
            entity=entity,
            entity_id=entity_id,
            action=action,
            user_id=viewer.user_id,
            changed_at=utcnow(),
            before=before,
            after=after,
        )
    )
    bump_data_version(session)


def _kind(value: object, kinds: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in kinds:
        raise Refused("write.bad_kind", str(value)[:30])
    return value


def _same_key_taken(session: Session, rep_id: int, account_id: int, day: date, kind: str, status: str) -> bool:
    """The visits sheet's key (rep, account, date, kind, status) is one row: a second would merge on import."""
    return (
        session.execute(
            select(Visit.id).where(
                Visit.rep_id == rep_id,
                Visit.account_id == account_id,
                Visit.visit_date == day,
                Visit.kind == kind,
                Visit.status == status,
            )
        ).first()
        is not None
    )


def plan_visit(session: Session, viewer: Viewer, form: VisitInput, today: date) -> Visit:
    """Add a planned visit to a rep's plan: an own account, a day from today to ``PLAN_WEEKS_AHEAD`` weeks
    ahead, a kind, a purpose; it goes to the end of its week's order."""
    rep = _rep_for(session, viewer, form.rep_id)
    account = _account_for(session, viewer, rep, form.account_id)
    day = _day(form.visit_date)
    if not today <= day <= today + timedelta(weeks=PLAN_WEEKS_AHEAD):
        raise Refused("write.plan_date", day.isoformat())
    kind = _kind(form.kind, VISIT_KINDS)
    if _same_key_taken(session, rep.id, account.id, day, kind, "planned"):
        raise Refused("write.duplicate")
    monday = day - timedelta(days=day.weekday())
    week = select(func.count(), func.max(Visit.position)).where(
        Visit.rep_id == rep.id, Visit.status == "planned", Visit.visit_date.between(monday, monday + timedelta(days=6))
    )
    count, last = session.execute(week).one()
    if int(count) >= PLAN_MAX:
        raise Refused("write.plan_full", str(PLAN_MAX))
    return _new_visit(
        session,
        viewer,
        rep_id=rep.id,
        account_id=account.id,
        visit_date=day,
        kind=kind,
        status="planned",
        purpose=_text(form.purpose),
        position=int(last or 0) + 1,
    )


def _new_visit(session: Session, viewer: Viewer, **fields: Any) -> Visit:
    """A visit entered in the app: stamped with its author and time, logged."""
    now = utcnow()
    visit = Visit(created_by=viewer.user_id, created_at=now, updated_at=now, **fields)
    session.add(visit)
    session.flush()
    _log(session, viewer, "visit", visit.id, "create", None, _visit_snapshot(visit))
    return visit


def _record_fields(
    session: Session, viewer: Viewer, rep: Rep, account: Account, form: VisitInput, today: date
) -> dict[str, Any]:
    day = _day(form.visit_date)
    if not today - timedelta(days=RECORD_DAYS_BACK) <= day <= today:
        raise Refused("write.record_date", day.isoformat())
    contact = _text(form.contact_name, 100)
    if contact is not None:
        known = session.scalar(select(Contact.id).where(Contact.account_id == account.id, Contact.name == contact))
        if known is None:
            raise Refused("write.unknown_contact", contact)
    opp_id = None
    opp_code = _text(form.opp_code, 50)
    if opp_code is not None:
        opp_id = session.scalar(
            select(Opportunity.id).where(
                Opportunity.opp_code == opp_code,
                Opportunity.account_id == account.id,
                viewer.scope.condition(Opportunity.owner_rep_id),
            )
        )
        if opp_id is None:
            raise Refused("write.unknown_deal", opp_code)
    next_date = None if form.next_step_date in (None, "") else _day(form.next_step_date)
    if next_date is not None and next_date < day:
        raise Refused("write.next_before_visit", next_date.isoformat())
    return {
        "visit_date": day,
        "kind": _kind(form.kind, VISIT_KINDS),
        "contact_name": contact,
        "purpose": _text(form.purpose),
        "outcome": _text(form.outcome),
        "next_step": _text(form.next_step),
        "next_step_date": next_date,
        "opportunity_id": opp_id,
    }


def record_visit(session: Session, viewer: Viewer, form: VisitInput, today: date) -> Visit:
    """Record a done visit (拜访客户详细资料表): a planned one done, or one that was not planned. The day is today
    or up to ``RECORD_DAYS_BACK`` days before; the contact one of the account's, the deal one of its deals."""
    rep = _rep_for(session, viewer, form.rep_id)
    account = _account_for(session, viewer, rep, form.account_id)
    fields = _record_fields(session, viewer, rep, account, form, today)
    if _same_key_taken(session, rep.id, account.id, fields["visit_date"], fields["kind"], "done"):
        raise Refused("write.duplicate")
    return _new_visit(session, viewer, rep_id=rep.id, account_id=account.id, status="done", **fields)


def _own_recent(session: Session, viewer: Viewer, visit_id: object, now: datetime) -> Visit:
    """A visit the viewer entered in the app in the last ``EDIT_DAYS`` days (and still may see)."""
    visit = session.execute(
        select(Visit).where(Visit.id == _int(visit_id), viewer.scope.condition(Visit.rep_id))
    ).scalar()
    if visit is None or visit.created_by != viewer.user_id:
        raise Refused("write.not_author")
    if visit.created_at is None or now - visit.created_at > timedelta(days=EDIT_DAYS):
        raise Refused("write.too_old", str(EDIT_DAYS))
    return visit


def edit_record(session: Session, viewer: Viewer, visit_id: object, form: VisitInput, today: date) -> Visit:
    """Change a done visit its author recorded in the app (same rules as recording it)."""
    visit = _own_recent(session, viewer, visit_id, utcnow())
    if visit.status != "done":
        raise Refused("write.not_a_record")
    rep = session.get(Rep, visit.rep_id)
    account = session.get(Account, visit.account_id)
    assert rep is not None and account is not None
    fields = _record_fields(session, viewer, rep, account, form, today)
    before = _visit_snapshot(visit)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.updated_at = utcnow()
    session.flush()
    _log(session, viewer, "visit", visit.id, "update", before, _visit_snapshot(visit))
    return visit


def remove_visit(session: Session, viewer: Viewer, visit_id: object) -> None:
    """Take a visit its author entered in the app off the plan or the records."""
    visit = _own_recent(session, viewer, visit_id, utcnow())
    before = _visit_snapshot(visit)
    session.delete(visit)
    session.flush()
    _log(session, viewer, "visit", int(visit.id), "delete", before, None)


def move_visit(session: Session, viewer: Viewer, visit_id: object, step: object) -> None:
    """Move a planned visit one place up (``step`` -1) or down (+1) in its week's order. Any planned visit of
    a plan the viewer may write (their own, their team's) may be reordered; the order is the plan's, not a
    record."""
    if step not in (-1, 1):
        raise Refused("write.bad_id")
    visit = session.execute(
        select(Visit).where(Visit.id == _int(visit_id), Visit.status == "planned", viewer.scope.condition(Visit.rep_id))
    ).scalar()
    if visit is None:
        raise Refused("write.not_yours")
    _rep_for(session, viewer, visit.rep_id)  # a rep only their own plan (their scope is themselves anyway)
    monday = visit.visit_date - timedelta(days=visit.visit_date.weekday())
    week = list(
        session.scalars(
            select(Visit)
            .where(
                Visit.rep_id == visit.rep_id,
                Visit.status == "planned",
                Visit.visit_date.between(monday, monday + timedelta(days=6)),
            )
            .order_by(func.coalesce(Visit.position, 10**6), Visit.visit_date, Visit.id)
        )
    )
    i = next(n for n, v in enumerate(week) if v.id == visit.id)
    j = i + (1 if step == 1 else -1)
    if not 0 <= j < len(week):
        return
    week[i], week[j] = week[j], week[i]
    before = {v.id: v.position for v in week}
    for n, v in enumerate(week, start=1):
        v.position = n
    session.flush()
    _log(session, viewer, "visit", visit.id, "reorder", before, {v.id: v.position for v in week})


# --- events ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    name: object
    kind: object
    event_date: object
    cost: object
    account_ids: object = ()
    organiser_rep_id: object = None
    partner: object = None


def _money(value: object) -> float:
    try:
        number = float(str(value).replace(",", "").strip()) if value not in (None, "") else -1.0
    except ValueError:
        number = -1.0
    if not 0 <= number < 1e10 or number != number:
        raise Refused("write.bad_amount", str(value)[:20])
    return round(number, 2)


def _next_event_code(session: Session) -> str:
    last = session.scalar(select(func.max(Event.id))) or 0
    code = f"EVA{int(last) + 1:06d}"
    while session.scalar(select(Event.id).where(Event.event_code == code)) is not None:
        last += 1
        code = f"EVA{int(last) + 1:06d}"
    return code


def create_event(session: Session, viewer: Viewer, form: EventInput, today: date) -> Event:
    """A manager (or director) creates an event organised by someone of the scope, with the accounts ticked as
    attended (each an account of the scope)."""
    if viewer.role == "rep":
        raise Refused("write.managers_only")
    organiser = _rep_for(session, viewer, form.organiser_rep_id)
    name = _text(form.name, NAME_MAX)
    if name is None:
        raise Refused("write.name_required")
    day = _day(form.event_date)
    if not date(today.year - 5, 1, 1) <= day <= today + timedelta(days=366):
        raise Refused("write.event_date", day.isoformat())
    ids = form.account_ids if isinstance(form.account_ids, list | tuple) else []
    account_ids = sorted({_int(a) for a in ids})
    if len(account_ids) > EVENT_ACCOUNTS_MAX:
        raise Refused("write.too_many_accounts", str(EVENT_ACCOUNTS_MAX))
    allowed = set(
        session.scalars(
            select(Account.id).where(Account.id.in_(account_ids), viewer.scope.condition(Account.owner_rep_id))
        )
    )
    if set(account_ids) - allowed:
        raise Refused("write.not_your_account")
    event = Event(
        event_code=_next_event_code(session),
        name=name,
        kind=_kind(form.kind, EVENT_KINDS),
        event_date=day,
        organiser_rep_id=organiser.id,
        cost=_money(form.cost),
        partner=_text(form.partner, NAME_MAX),
        created_by=viewer.user_id,
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    for account_id in account_ids:
        session.add(EventAttendee(event_id=event.id, account_id=account_id, attended=True))
    session.flush()
    _log(
        session,
        viewer,
        "event",
        event.id,
        "create",
        None,
        {"event_code": event.event_code, "name": name, "kind": event.kind, "accounts": account_ids},
    )
    return event


def set_attendance(session: Session, viewer: Viewer, event_code: object, attended: object, added: object = ()) -> str:
    """Tick who attended an event of the viewer's scope (a manager's or a director's): every invited account in
    ``attended`` is marked attended, the others invited and absent; ``added`` accounts (of the scope) join as
    attended. Returns the event's code."""
    if viewer.role == "rep":
        raise Refused("write.managers_only")
    code = _text(event_code, 50)
    event = session.execute(
        select(Event).where(Event.event_code == (code or ""), viewer.scope.condition(Event.organiser_rep_id))
    ).scalar()
    if event is None:
        raise Refused("write.not_yours")
    ticked = {_int(a) for a in (attended if isinstance(attended, list | tuple) else [])}
    new = {_int(a) for a in (added if isinstance(added, list | tuple) else [])}
    rows = {a.account_id: a for a in session.scalars(select(EventAttendee).where(EventAttendee.event_id == event.id))}
    new -= set(rows)
    if len(rows) + len(new) > EVENT_ACCOUNTS_MAX:
        raise Refused("write.too_many_accounts", str(EVENT_ACCOUNTS_MAX))
    allowed = set(
        session.scalars(
            select(Account.id).where(Account.id.in_(sorted(new)), viewer.scope.condition(Account.owner_rep_id))
        )
    )
    if new - allowed or ticked - set(rows) - new:
        raise Refused("write.not_your_account")
    before = {a: r.attended for a, r in rows.items()}
    for account_id, row in rows.items():
        row.attended = account_id in ticked
    for account_id in sorted(new):
        session.add(EventAttendee(event_id=event.id, account_id=account_id, attended=True))
    session.flush()
    after = {a: r.attended for a, r in rows.items()} | dict.fromkeys(sorted(new), True)
    _log(
        session,
        viewer,
        "event",
        event.id,
        "attendance",
        {str(k): v for k, v in before.items()},
        {str(k): v for k, v in after.items()},
    )
    return event.event_code
