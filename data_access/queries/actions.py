"""Next best actions in SQL (``metrics.actions``; data dictionary, "Next best actions"), for a scope, as of a day.

Each rule is one select of (rep_id, account_id, opportunity_id, day, amount, n) over the rows in scope: an account's
rules by the account's owner, a deal's by the deal's owner, ``plan_next_week`` by the rep. ``action_rows`` reads a
rule's lines with their names, ``action_counts`` counts them per team (or per rep) without reading them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Date, Float, Integer, String, cast, exists, func, literal, null, or_, select
from sqlalchemy.orm import Session

from data_access.models import (
    Account,
    AccountYear,
    BuyingPower,
    Contract,
    DealLevel,
    Event,
    EventAttendee,
    Opportunity,
    Payment,
    Rep,
    Visit,
)
from data_access.queries.shared import _frame, latest_entry
from data_access.rad import class_accounts
from data_access.scope import Scope
from data_access.summaries import owed_of
from metrics.actions import EXEC_EVENT_KINDS, EXEC_VISIT_KINDS, KINDS, TOP_D, Windows

ROW_COLUMNS = [
    "kind",
    "rep_code",
    "rep_name",
    "team_id",
    "account_code",
    "account_name",
    "opp_code",
    "opp_name",
    "day",
    "amount",
    "n",
]


def _of_class(scope: Scope, year: int, rad_class: str) -> ColumnElement[bool]:
    """The account is of ``rad_class`` this year (``data_access.rad``'s rule: the summary's class of the year, or the
    account's override). A part of the company asks each of its accounts (a key lookup and its own column); the
    whole company lists the class through the summary's (year, class) index."""
    if scope.restrictions:
        classed = exists().where(
            AccountYear.account_id == Account.id, AccountYear.year == year, AccountYear.rad_class == rad_class
        )
        return or_(classed, Account.rad_override == rad_class)
    return Account.id.in_(class_accounts(year, rad_class))


def _done_visit(*conditions: Any) -> Any:
    return exists().where(Visit.account_id == Account.id, Visit.status == "done", *conditions)


def _none(kind: Any) -> Any:
    """A NULL of a column's type (PostgreSQL takes an untyped NULL for text, then cannot join it to an id)."""
    return cast(null(), kind)


def _account_rule(scope: Scope, *conditions: Any, day: Any = None, amount: Any = None, n: Any = None) -> Any:
    return select(
        Account.owner_rep_id.label("rep_id"),
        Account.id.label("account_id"),
        _none(Integer).label("opportunity_id"),
        (_none(Date) if day is None else day).label("day"),
        (_none(Float) if amount is None else amount).label("amount"),
        (_none(Integer) if n is None else n).label("n"),
    ).where(scope.condition(Account.owner_rep_id), *conditions)


def visit_d(scope: Scope, w: Windows) -> Any:
    """A class-D account with no done visit (anyone's) from ``visited_since`` to today; day: its last done visit."""
    last = (
        select(func.max(Visit.visit_date))
        .where(Visit.account_id == Account.id, Visit.status == "done", Visit.visit_date <= w.today)
        .correlate(Account)
        .scalar_subquery()
    )
    return _account_rule(
        scope,
        _of_class(scope, w.today.year, "D"),
        ~_done_visit(Visit.visit_date.between(w.visited_since, w.today)),
        day=last,
    )


def learn_bp(scope: Scope, w: Windows) -> Any:
    """An account with no BP row for this year; n: the latest year it has one."""
    latest = (
        select(func.max(BuyingPower.year))
        .where(BuyingPower.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )
    this_year = exists().where(BuyingPower.account_id == Account.id, BuyingPower.year == w.today.year)
    return _account_rule(scope, ~this_year, n=latest)


def exec_touch_r(scope: Scope, w: Windows) -> Any:
    """A class-R account with, in the current quarter, no done visit of an executive kind and no attended event of
    an executive kind."""
    q = w.quarter
    event = (
        select(EventAttendee.id)
        .join(Event, Event.id == EventAttendee.event_id)
        .where(
            EventAttendee.account_id == Account.id,
            EventAttendee.attended.is_(True),
            Event.kind.in_(EXEC_EVENT_KINDS),
            Event.event_date.between(q.start, q.end),
        )
    )
    return _account_rule(
        scope,
        _of_class(scope, w.today.year, "R"),
        ~_done_visit(Visit.kind.in_(EXEC_VISIT_KINDS), Visit.visit_date.between(q.start, q.end)),
        ~exists(event),
    )


def director_top10_d(scope: Scope, w: Windows) -> Any:
    """One of the company's ``TOP_D`` class-D accounts by white space (BP - bookings this year; ties by account id)
    with no done visit by a director in the current quarter; amount: the white space, n: the rank."""
    q = w.quarter
    space = AccountYear.bp - AccountYear.bookings
    top = (
        select(
            AccountYear.account_id.label("account_id"),
            space.label("space"),
            func.row_number().over(order_by=(space.desc(), AccountYear.account_id)).label("rank"),
        )
        .where(AccountYear.year == w.today.year, AccountYear.rad_class == "D", AccountYear.bp.is_not(None))
        .order_by(space.desc(), AccountYear.account_id)
        .limit(TOP_D)
        .subquery()
    )
    director = select(Rep.id).where(Rep.role == "director")
    return _account_rule(
        scope,
        ~_done_visit(Visit.rep_id.in_(director), Visit.visit_date.between(q.start, q.end)),
        amount=top.c.space,
        n=top.c.rank,
    ).join(top, top.c.account_id == Account.id)


def stalled_deal(scope: Scope, w: Windows) -> Any:
    """An open deal whose last stage entry is before ``stalled_before``; day: that entry, n: the deal's level there
    (the ``deal_levels`` summary's latest entry, as the funnel's stalled list reads it)."""
    return select(
        DealLevel.owner_rep_id.label("rep_id"),
        DealLevel.account_id.label("account_id"),
        DealLevel.opportunity_id.label("opportunity_id"),
        DealLevel.last_entered.label("day"),
        _none(Float).label("amount"),
        DealLevel.level.label("n"),
    ).where(DealLevel.status == "open", latest_entry(scope) < w.stalled_before, scope.deal_levels())


def collect_overdue(scope: Scope, w: Windows) -> Any:
    """A contract with overdue payments (due before today, paid less than due): one action per contract; day: the
    oldest due date, amount: what is still owed of them, n: how many."""
    owed = owed_of()
    stmt = (
        select(
            Opportunity.owner_rep_id.label("rep_id"),
            Opportunity.account_id.label("account_id"),
            Opportunity.id.label("opportunity_id"),
            func.min(Payment.due_date).label("day"),
            func.sum(owed).label("amount"),
            func.count().label("n"),
        )
        .join(Contract, Contract.id == Payment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(
            Payment.due_date < w.today, func.coalesce(Payment.paid_amount, 0) < Payment.amount, scope.opportunities()
        )
        .group_by(Contract.id, Opportunity.owner_rep_id, Opportunity.account_id, Opportunity.id)
    )
    return stmt


def plan_next_week(scope: Scope, w: Windows) -> Any:
    """A rep (role ``rep``) with no planned visit in the next ISO week; day: its Monday."""
    monday, sunday = w.next_week
    planned = exists().where(
        Visit.rep_id == Rep.id, Visit.status == "planned", Visit.visit_date.between(monday, sunday)
    )
    return select(
        Rep.id.label("rep_id"),
        _none(Integer).label("account_id"),
        _none(Integer).label("opportunity_id"),
        literal(monday, Date).label("day"),
        _none(Float).label("amount"),
        _none(Integer).label("n"),
    ).where(Rep.role == "rep", scope.condition(Rep.id), ~planned)


#: the rules whose lines are deals (the others are accounts, and ``plan_next_week`` a rep)
DEAL_KINDS = ("stalled_deal", "collect_overdue")

RULES: dict[str, Callable[[Scope, Windows], Any]] = {
    "visit_d": visit_d,
    "learn_bp": learn_bp,
    "exec_touch_r": exec_touch_r,
    "director_top10_d": director_top10_d,
    "stalled_deal": stalled_deal,
    "collect_overdue": collect_overdue,
    "plan_next_week": plan_next_week,
}
assert set(RULES) == set(KINDS)


def action_rows(session: Session, scope: Scope, w: Windows, kind: str, limit: int | None = None) -> pd.DataFrame:
    """The lines of rule ``kind`` (ROW_COLUMNS), at most ``limit``: the TOP D by rank, overdue collections by amount,
    the others by their day (oldest first, never visited first), then by code."""
    rule = RULES[kind](scope, w).subquery()
    orders: dict[str, list[Any]] = {
        "director_top10_d": [rule.c.n],
        "collect_overdue": [rule.c.amount.desc()],
        "plan_next_week": [],
    }
    order = orders.get(kind, [rule.c.day.is_not(None), rule.c.day])
    # a rule without accounts or deals joins neither (a join on a NULL key: PostgreSQL read every account for it)
    account = kind != "plan_next_week"
    deal = kind in DEAL_KINDS
    stmt = (
        select(
            literal(kind),
            Rep.rep_code,
            Rep.name,
            Rep.team_id,
            (Account.account_code if account else _none(String)).label("account_code"),
            (Account.name if account else _none(String)).label("account_name"),
            (Opportunity.opp_code if deal else _none(String)).label("opp_code"),
            (Opportunity.name if deal else _none(String)).label("opp_name"),
            rule.c.day,
            func.coalesce(rule.c.amount, Opportunity.amount) if deal else rule.c.amount,
            rule.c.n,
        )
        .select_from(rule)
        .join(Rep, Rep.id == rule.c.rep_id)
    )
    if account:
        stmt = stmt.outerjoin(Account, Account.id == rule.c.account_id)
    if deal:
        stmt = stmt.outerjoin(Opportunity, Opportunity.id == rule.c.opportunity_id)
    stmt = stmt.order_by(
        *order,
        Rep.rep_code,
        *([Account.account_code] if account else []),
        *([Opportunity.opp_code] if deal else []),
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    df = _frame(session, stmt, ROW_COLUMNS)
    return df.astype(object).where(df.notna(), None)


def action_counts(session: Session, scope: Scope, w: Windows, kind: str, by: str = "team") -> dict[int | None, int]:
    """How many lines rule ``kind`` has per team (``by="team"``: the owner's team id) or per rep (``by="rep"``: the
    owner's rep id), counted in SQL."""
    rule = RULES[kind](scope, w).subquery()
    if by == "rep":
        stmt = select(rule.c.rep_id, func.count()).group_by(rule.c.rep_id)
    else:
        stmt = (
            select(Rep.team_id, func.count()).select_from(rule).join(Rep, Rep.id == rule.c.rep_id).group_by(Rep.team_id)
        )
    return {None if k is None else int(k): int(n) for k, n in session.execute(stmt)}
