"""The forecast's reads (``metrics.forecast``): the levels' outcomes of the deals closed in a window, the deals due in
a period (today's, or as they stood at a past day for the track record), and the V value's parts per RAD class.

A past day's deals are read from the history as it was then: created before it, not closed before it, at the level
of their latest stage entry before it; nothing dated on or after that day is read (a contract, a stage entry, a
deal created later). A deal's amount and expected close date are its stored ones (the import keeps no older
values of them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from data_access.models import Account, AccountYear, Contract, DealLevel, Opportunity, Rep, StageHistory
from data_access.queries.shared import _frame, scoped_day
from data_access.rad import UNKNOWN, overridden
from data_access.scope import Scope

SUM_COLUMNS = ["level", "count", "amount", "amount2"]
DEAL_COLUMNS = ["opp_code", "name", "account", "owner", "level", "amount", "expected_close_date"]


def level_outcomes(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Per level 1-5, the deals in scope that entered it and closed (won or lost) in [start, end]: level, closed,
    won, on_time (closed on or before their expected close date), from the ``deal_levels`` summary (its close-date
    index for the whole company, the owner's for a part of it)."""
    stmt = (
        select(
            DealLevel.level,
            func.count(),
            func.sum(case((DealLevel.status == "won", 1), else_=0)),
            func.sum(case((DealLevel.on_time.is_(True), 1), else_=0)),
        )
        .where(
            scoped_day(session, DealLevel.closed_date, scope).between(start, end),
            DealLevel.status.in_(("won", "lost")),
            DealLevel.level.between(1, 5),
            scope.deal_levels(),
        )
        .group_by(DealLevel.level)
        .order_by(DealLevel.level)
    )
    return _frame(session, stmt, ["level", "closed", "won", "on_time"]).astype(int)


def _level_at(day: date) -> Any:
    """A deal's level on ``day``: that of its latest stage entry before it (the higher of one day's entries), 1 when
    it has none."""
    latest = (
        select(StageHistory.level)
        .where(StageHistory.opportunity_id == Opportunity.id, StageHistory.entered_date < day)
        .order_by(StageHistory.entered_date.desc(), StageHistory.level.desc())
        .limit(1)
        .correlate(Opportunity)
        .scalar_subquery()
    )
    return func.coalesce(latest, 1)


def _due(session: Session, scope: Scope, period_end: date, as_of: date | None) -> tuple[Any, Any]:
    """(the level column, the condition) of the deals due by ``period_end``: open today (``as_of`` None), or open
    on ``as_of`` (created before it and not closed before it)."""
    due = and_(scoped_day(session, Opportunity.expected_close_date, scope) <= period_end, scope.opportunities())
    if as_of is None:
        return Opportunity.level, and_(Opportunity.status == "open", due)
    was_open = and_(
        scoped_day(session, Opportunity.created_date, scope) < as_of,
        or_(Opportunity.closed_date.is_(None), Opportunity.closed_date >= as_of),
    )
    return _level_at(as_of), and_(was_open, due)


def due_sums(session: Session, scope: Scope, period_end: date, as_of: date | None = None) -> pd.DataFrame:
    """Per level, the deals due by ``period_end`` (``_due``): level, count, amount, amount2 (the sum of squared
    amounts: the variance of the deals not drawn one by one)."""
    level, condition = _due(session, scope, period_end, as_of)
    inner = select(level.label("lvl"), Opportunity.amount.label("a")).where(condition).subquery()
    stmt = (
        select(inner.c.lvl, func.count(), func.sum(inner.c.a), func.sum(inner.c.a * inner.c.a))
        .group_by(inner.c.lvl)
        .order_by(inner.c.lvl)
    )
    df = _frame(session, stmt, SUM_COLUMNS)
    return df.astype({"level": int, "count": int, "amount": float, "amount2": float})


def due_largest(
    session: Session, scope: Scope, period_end: date, limit: int, as_of: date | None = None
) -> pd.DataFrame:
    """The ``limit`` largest deals due by ``period_end`` (``_due``), largest first: DEAL_COLUMNS, the level as it
    was on ``as_of``."""
    level, condition = _due(session, scope, period_end, as_of)
    stmt = (
        select(
            Opportunity.opp_code,
            Opportunity.name,
            Account.name,
            Rep.name,
            level,
            Opportunity.amount,
            Opportunity.expected_close_date,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(condition)
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(limit)
    )
    df = _frame(session, stmt, DEAL_COLUMNS)
    return df.astype({"level": int, "amount": float})


# ---- the V value per RAD class: each account's class in a year from the ``account_years`` summary (the override
# of an account without a row there), else unknown


def _class_in(year: int) -> tuple[Any, Any]:
    """(the class column, the join condition of ``AccountYear``) of an account in ``year``."""
    cls = case(
        (AccountYear.rad_class.is_not(None), AccountYear.rad_class),
        (overridden(Account), Account.rad_override),
        else_=literal(UNKNOWN),
    )
    return cls, and_(AccountYear.account_id == Account.id, AccountYear.year == year)


def _by_class(inner: Any, year: int, *sums: Any) -> Any:
    """``inner`` (account_id, then sums per account) summed again per class of the account in ``year``: each
    account's class is looked up once, not once per deal."""
    cls, joined = _class_in(year)
    return (
        select(cls, *(func.sum(s) for s in sums))
        .select_from(inner)
        .join(Account, Account.id == inner.c.account_id)
        .outerjoin(AccountYear, joined)
        .group_by(cls)
    )


def pipeline_due_by_class(session: Session, scope: Scope, period_end: date, year: int) -> pd.DataFrame:
    """The open pipeline due by ``period_end`` (the V value's) per class of its account in ``year``: rad_class,
    amount."""
    inner = (
        select(Opportunity.account_id.label("account_id"), func.sum(Opportunity.amount).label("a"))
        .where(Opportunity.status == "open", Opportunity.expected_close_date <= period_end, scope.opportunities())
        .group_by(Opportunity.account_id)
        .subquery()
    )
    stmt = _by_class(inner, year, inner.c.a)
    return _frame(session, stmt, ["rad_class", "amount"]).astype({"amount": float})


def bookings_by_class(session: Session, scope: Scope, start: date, end: date, year: int) -> pd.DataFrame:
    """Contracts signed in [start, end] of the deals in scope, per class of their account in ``year``: rad_class,
    amount."""
    inner = (
        select(Opportunity.account_id.label("account_id"), func.sum(Contract.amount).label("a"))
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(scoped_day(session, Contract.signed_date, scope).between(start, end), scope.opportunities())
        .group_by(Opportunity.account_id)
        .subquery()
    )
    stmt = _by_class(inner, year, inner.c.a)
    return _frame(session, stmt, ["rad_class", "amount"]).astype({"amount": float})


def outcomes_by_class(session: Session, scope: Scope, start: date, end: date, year: int) -> pd.DataFrame:
    """The deals in scope closed in [start, end], per class of their account in ``year``: rad_class, won_amount,
    lost_amount (the class's own win rate by amount, the required V's)."""
    inner = (
        select(
            Opportunity.account_id.label("account_id"),
            func.sum(case((Opportunity.status == "won", Opportunity.amount), else_=0)).label("won"),
            func.sum(case((Opportunity.status == "lost", Opportunity.amount), else_=0)).label("lost"),
        )
        .where(
            scoped_day(session, Opportunity.closed_date, scope).between(start, end),
            Opportunity.status.in_(("won", "lost")),
            scope.opportunities(),
        )
        .group_by(Opportunity.account_id)
        .subquery()
    )
    stmt = _by_class(inner, year, inner.c.won, inner.c.lost)
    return _frame(session, stmt, ["rad_class", "won_amount", "lost_amount"]).astype(
        {"won_amount": float, "lost_amount": float}
    )
