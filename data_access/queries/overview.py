"""The overview page's queries: bookings against quota, the open pipeline by level, the period's won and lost
deals, payments past due, and the lists behind each of those numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from data_access.models import Account, Contract, Opportunity, Payment, Quota, Rep, UnpaidPayment
from data_access.queries.shared import DEAL_LIST_COLUMNS, _frame, _month_of, class_list_probed, deal_list
from data_access.scope import ProductLine, Scope
from data_access.summaries import owed_of
from metrics.sales import Outcomes


def bookings(session: Session, scope: Scope, start: date, end: date) -> tuple[float, float]:
    """Sum of contracts.amount and contracts.gross_margin signed in [start, end], owner in scope (a margin a CRM
    export left unknown counts as none: the known margins' sum)."""
    stmt = select(
        func.coalesce(func.sum(Contract.amount), 0), func.coalesce(func.sum(func.coalesce(Contract.gross_margin, 0)), 0)
    ).where(Contract.signed_date.between(start, end))
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


def open_pipeline_by_level(session: Session, scope: Scope, due_by: date | None = None) -> pd.DataFrame:
    """Open opportunities by level: level, count, amount; with ``due_by``, also ``due``: the amount of those
    expected to close by that day (the V value's pipeline), in the same read (the whole company: 26 ms, against
    21 + 59 ms as two statements at 1M, the open-deals index covering both)."""
    columns: list[Any] = [Opportunity.level, func.count(), func.coalesce(func.sum(Opportunity.amount), 0)]
    if due_by is not None:
        due = case((Opportunity.expected_close_date <= due_by, Opportunity.amount), else_=0)
        columns.append(func.coalesce(func.sum(due), 0))
    stmt = (
        select(*columns)
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(Opportunity.level)
        .order_by(Opportunity.level)
    )
    df = _frame(session, stmt, ["level", "count", "amount", *(["due"] if due_by is not None else [])])
    return df.astype({"level": int, "count": int, "amount": float, **({"due": float} if due_by is not None else {})})


def closed_outcomes(session: Session, scope: Scope, start: date, end: date) -> Outcomes:
    """Count and amount of won and lost opportunities closed in [start, end]."""
    return closed_outcomes_of(session, scope, [(start, end)])[0]


def closed_outcomes_of(session: Session, scope: Scope, windows: Sequence[tuple[date, date]]) -> list[Outcomes]:
    """``closed_outcomes`` of each window [start, end]: a statement each, a range of the close-date indexes; for
    the whole company's deals of a RAD class (``Scope.reads_class_list``), which each statement reads whole, one
    statement over the windows' span with a sum per window (a product line's class A at 1M: 120 ms, against
    2 x 120)."""
    if not scope.reads_class_list:
        return [_outcomes(session, scope, start, end) for start, end in windows]
    columns: list[Any] = [Opportunity.status]
    for start, end in windows:
        inside = Opportunity.closed_date.between(start, end)
        columns += [func.sum(case((inside, 1), else_=0)), func.sum(case((inside, Opportunity.amount), else_=0))]
    stmt = (
        select(*columns)
        .where(
            Opportunity.status.in_(("won", "lost")),
            Opportunity.closed_date.between(min(s for s, _ in windows), max(e for _, e in windows)),
            scope.opportunities(),
        )
        .group_by(Opportunity.status)
    )
    found = {row[0]: row[1:] for row in session.execute(stmt)}
    out = []
    for i in range(len(windows)):
        won, lost = (found.get(status, (0, 0.0) * len(windows))[2 * i : 2 * i + 2] for status in ("won", "lost"))
        out.append(
            Outcomes(
                won_count=int(won[0] or 0),
                lost_count=int(lost[0] or 0),
                won_amount=float(won[1] or 0),
                lost_amount=float(lost[1] or 0),
            )
        )
    return out


def _outcomes(session: Session, scope: Scope, start: date, end: date) -> Outcomes:
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


#: A payment is unpaid while more than half a fen of it is owed (the tile, its aging buckets and its lists alike)
UNPAID_FROM = 0.005


def _payments_deals(session: Session, scope: Scope) -> Any:
    """``scope.opportunities()`` for a read that starts from the unpaid payments: the whole company's deals of a RAD
    class on SQLite (``class_list_probed``) start from the 89,000 unpaid payments (the due-date index) and ask each
    its deal, instead of walking the class's 250,000 deals to their contracts and payments: 0.71 -> 0.32 s for
    class R at a million deals (issue 16). A product line with the class narrows the deals enough to start from
    them (class A of one line: 0.48 -> 0.25 s)."""
    if any(isinstance(f, ProductLine) for f in scope.deals):
        return scope.opportunities()
    return class_list_probed(session, scope)


def unpaid_payments_due_before(session: Session, scope: Scope, today: date) -> pd.DataFrame:
    """Payments due before ``today`` and not fully paid (more than half a fen owed), summed per due date:
    due_date, amount, paid_amount (sums; nothing paid counts 0), n (payments). Read from the ``unpaid_payments``
    summary: no payment is asked its contract and deal (class A of the whole company: 436 -> 75 ms at a million
    deals)."""
    unpaid = UnpaidPayment  # the unpaid payments' summary, which carries each deal's owner, line and account
    stmt = (
        select(unpaid.due_date, func.sum(unpaid.amount), func.sum(unpaid.paid), func.count())
        .where(
            unpaid.due_date < today,
            unpaid.owed > UNPAID_FROM,
            scope.deals_on(unpaid.owner_rep_id, unpaid.product_line, unpaid.account_id),
        )
        .group_by(unpaid.due_date)
        .order_by(unpaid.due_date)
    )
    return _frame(session, stmt, ["due_date", "amount", "paid_amount", "n"])


def bookings_by_month(session: Session, scope: Scope, start: date, end: date, by: str) -> pd.DataFrame:
    """Bookings of [start, end] per calendar month and per owner's team (``by="team"``; a rep without a team
    under None) or per owner (``by="rep"``), owners in ``scope``: month (1-12), key, bookings (the Overview's
    chart and per-team grid, the scorecard's chart, the review's ranking)."""
    key = Rep.team_id if by == "team" else Opportunity.owner_rep_id
    month = _month_of(session, Contract.signed_date)
    stmt = (
        select(month, key, func.sum(Contract.amount))
        .select_from(Contract)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(Contract.signed_date.between(start, end), scope.opportunities())
        .group_by(month, key)
    )
    if by == "team":
        stmt = stmt.join(Rep, Rep.id == Opportunity.owner_rep_id)
    return _frame(session, stmt, ["month", "key", "bookings"]).astype({"month": int, "bookings": float})


def rep_teams(session: Session, scope: Scope) -> dict[int, int | None]:
    """The team of every rep in scope (rep id -> team id; None: no team)."""
    stmt = select(Rep.id, Rep.team_id).where(scope.condition(Rep.id))
    return {int(r): (int(t) if t is not None else None) for r, t in session.execute(stmt)}


class Listed(NamedTuple):
    """A list behind a number: its first rows (largest or oldest first), how many it has in all and their sum
    (the number it stands behind)."""

    rows: pd.DataFrame
    n: int
    amount: float


def _listed(session: Session, rows: Any, sums: Any, where: list[Any], columns: list[str], limit: int) -> Listed:
    """``rows`` (a select with its joins and order) and ``sums`` (count and sum over the joins ``where``
    needs), both under ``where``."""
    n, total = session.execute(sums.where(*where)).one()
    return Listed(_frame(session, rows.where(*where).limit(limit), columns), int(n), float(total))


def _count_and_sum(measure: Any) -> Any:
    return select(func.count(), func.coalesce(func.sum(measure), 0))


def _with_deal(contract_rows: Any) -> Any:
    """A select from contracts joined to each contract's deal, its account and its owner."""
    return (
        contract_rows.join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
    )


BOOKED_COLUMNS = ["contract_code", "opp_code", "account", "owner", "signed_date", "amount", "gross_margin"]


def booked_contracts(session: Session, scope: Scope, start: date, end: date, limit: int) -> Listed:
    """The contracts signed in [start, end] by the owners in ``scope`` (the bookings tile's sum), largest first:
    BOOKED_COLUMNS."""
    rows = select(
        Contract.contract_code,
        Opportunity.opp_code,
        Account.name,
        Rep.name,
        Contract.signed_date,
        Contract.amount,
        Contract.gross_margin,
    )
    rows = _with_deal(rows.select_from(Contract)).order_by(Contract.amount.desc(), Contract.contract_code)
    sums = (
        _count_and_sum(Contract.amount)
        .select_from(Contract)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
    )
    where = [Contract.signed_date.between(start, end), scope.opportunities()]
    return _listed(session, rows, sums, where, BOOKED_COLUMNS, limit)


LISTED_DEAL_COLUMNS = [*DEAL_LIST_COLUMNS, "closed_date"]


def listed_deals(
    session: Session, scope: Scope, kind: str, start: date, end: date, level: int | None, limit: int
) -> Listed:
    """Deals behind a tile or bar, largest first (LISTED_DEAL_COLUMNS): ``open`` (at ``level`` when given),
    ``due`` (open, expected to close by ``end``: the V value's pipeline), ``won`` or ``lost`` in [start, end]
    by close date."""
    if kind in ("open", "due"):
        where = [Opportunity.status == "open"]
        if level is not None:
            where.append(Opportunity.level == level)
        if kind == "due":
            where.append(Opportunity.expected_close_date <= end)
    elif kind in ("won", "lost"):
        where = [Opportunity.status == kind, Opportunity.closed_date.between(start, end)]
    else:
        raise ValueError(f"no deal list {kind!r}")
    rows = deal_list(Opportunity.closed_date)
    sums = _count_and_sum(Opportunity.amount)
    return _listed(session, rows, sums, [*where, scope.opportunities()], LISTED_DEAL_COLUMNS, limit)


OVERDUE_COLUMNS = ["contract_code", "opp_code", "account", "owner", "milestone", "due_date", "owed"]


def overdue_list(
    session: Session, scope: Scope, today: date, first_day: int, last_day: int | None, limit: int
) -> Listed:
    """Payments ``first_day``..``last_day`` days past due (None: no end) and not fully paid (more than half a
    fen owed, as the tile counts), oldest first: OVERDUE_COLUMNS (``owed`` = amount less what was paid)."""
    owed = owed_of()
    where = [Payment.due_date <= today - timedelta(days=first_day), owed > UNPAID_FROM, _payments_deals(session, scope)]
    if last_day is not None:
        where.append(Payment.due_date >= today - timedelta(days=last_day))
    rows = select(
        Contract.contract_code,
        Opportunity.opp_code,
        Account.name,
        Rep.name,
        Payment.milestone,
        Payment.due_date,
        owed,
    )
    rows = _with_deal(rows.select_from(Payment).join(Contract, Contract.id == Payment.contract_id)).order_by(
        Payment.due_date, Contract.contract_code
    )
    sums = (
        _count_and_sum(owed)
        .select_from(Payment)
        .join(Contract, Contract.id == Payment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
    )
    return _listed(session, rows, sums, where, OVERDUE_COLUMNS, limit)
