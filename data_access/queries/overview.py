"""The overview page's queries: bookings against quota, the open pipeline by level, the period's won and lost
deals, payments past due."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.models import Contract, Opportunity, Payment, Quota
from data_access.queries.shared import _frame
from data_access.scope import Scope
from metrics.sales import Outcomes


def bookings(session: Session, scope: Scope, start: date, end: date) -> tuple[float, float]:
    """Sum of contracts.amount and contracts.gross_margin signed in [start, end], owner in scope."""
    stmt = select(func.coalesce(func.sum(Contract.amount), 0), func.coalesce(func.sum(Contract.gross_margin), 0)).where(
        Contract.signed_date.between(start, end)
    )
    if scope.narrows_deals:
        stmt = stmt.join(Opportunity, Opportunity.id == Contract.opportunity_id).where(scope.opportunities())
    amount, gm = session.execute(stmt).one()
    return float(amount), float(gm)


def quota_rows(session: Session, scope: Scope, year: int) -> pd.DataFrame:
    """One year's task-book rows of the reps in scope: rep_id, quarter, revenue_target, gm_target,
    target_commission."""
    stmt = select(Quota.rep_id, Quota.quarter, Quota.revenue_target, Quota.gm_target, Quota.target_commission).where(
        Quota.year == year, scope.condition(Quota.rep_id)
    )
    return _frame(session, stmt, ["rep_id", "quarter", "revenue_target", "gm_target", "target_commission"])


def open_pipeline_by_level(session: Session, scope: Scope) -> pd.DataFrame:
    """Open opportunities by level: level, count, amount."""
    stmt = (
        select(Opportunity.level, func.count(), func.coalesce(func.sum(Opportunity.amount), 0))
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(Opportunity.level)
        .order_by(Opportunity.level)
    )
    df = _frame(session, stmt, ["level", "count", "amount"])
    return df.astype({"level": int, "count": int, "amount": float})


def closed_outcomes(session: Session, scope: Scope, start: date, end: date) -> Outcomes:
    """Count and amount of won and lost opportunities closed in [start, end]."""
    stmt = (
        select(Opportunity.status, func.count(), func.coalesce(func.sum(Opportunity.amount), 0))
        .where(
            Opportunity.status.in_(("won", "lost")),
            Opportunity.closed_date.between(start, end),
            scope.opportunities(),
        )
        .group_by(Opportunity.status)
    )
    found = {status: (int(n), float(amount)) for status, n, amount in session.execute(stmt)}
    won, lost = found.get("won", (0, 0.0)), found.get("lost", (0, 0.0))
    return Outcomes(won_count=won[0], lost_count=lost[0], won_amount=won[1], lost_amount=lost[1])


def closed_by_day(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Won and lost opportunities closed in [start, end], per status and close date: status, closed_date, count,
    amount (one read for several periods: the win/loss trend's quarters)."""
    stmt = (
        select(
            Opportunity.status, Opportunity.closed_date, func.count(), func.coalesce(func.sum(Opportunity.amount), 0)
        )
        .where(
            Opportunity.status.in_(("won", "lost")),
            Opportunity.closed_date.between(start, end),
            scope.opportunities(),
        )
        .group_by(Opportunity.status, Opportunity.closed_date)
    )
    df = _frame(session, stmt, ["status", "closed_date", "count", "amount"])
    return df.astype({"count": int, "amount": float})


def unpaid_payments_due_before(session: Session, scope: Scope, today: date) -> pd.DataFrame:
    """Payments due before ``today`` and not fully paid (more than half a fen owed), summed per due date:
    due_date, amount, paid_amount (sums; nothing paid counts 0), n (payments)."""
    paid = func.coalesce(Payment.paid_amount, 0)
    stmt = select(Payment.due_date, func.sum(Payment.amount), func.sum(paid), func.count()).where(
        Payment.due_date < today, Payment.amount - paid > 0.005
    )
    if scope.narrows_deals:
        stmt = (
            stmt.join(Contract, Contract.id == Payment.contract_id)
            .join(Opportunity, Opportunity.id == Contract.opportunity_id)
            .where(scope.opportunities())
        )
    stmt = stmt.group_by(Payment.due_date).order_by(Payment.due_date)
    return _frame(session, stmt, ["due_date", "amount", "paid_amount", "n"])
