"""The funnel page's queries (and the opportunity page's): the six levels to cash and the deals behind each,
pipeline movement between two dates, and the funnel's health (conversion, calibration, days per level, stalled
deals) summed in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, literal, select, true, union
from sqlalchemy.orm import Session

from data_access.models import Account, Opportunity, OpportunityChange, Rep, StageHistory
from data_access.queries.shared import _days_between, _frame, open_pipeline_due
from data_access.scope import Scope


def movement_rows(
    session: Session, scope: Scope, start: date, end: date, period_end: date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float]:
    """The inputs of ``metrics.movement`` for the window (start, end] and the period ending ``period_end``:
    the opportunities in scope touched since ``start`` (created, closed, moved a level or changed a field
    after it), their logged changes, their stage history, and ``steady``: the amount of every other deal in
    the period's pipeline (open, expected close by ``period_end``), the same at both dates.

    A deal untouched since ``start`` is in the same state at ``start`` and ``end``: it adds the same amount
    to both ends and nothing to any step or list, so it is summed in SQL (the period's open pipeline less
    the touched deals' share of it) instead of being read: at a million deals, a week touches a few
    thousand."""
    touched = union(
        select(OpportunityChange.opportunity_id).where(OpportunityChange.changed_on > start),
        select(StageHistory.opportunity_id).where(StageHistory.entered_date > start),
        select(Opportunity.id).where(Opportunity.created_date > start),
        select(Opportunity.id).where(Opportunity.closed_date > start),
    )
    relevant = select(Opportunity.id).where(Opportunity.id.in_(touched), scope.opportunities())
    opps = _frame(
        session,
        select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.status,
            Opportunity.closed_date,
            Opportunity.amount,
            Opportunity.expected_close_date,
            Opportunity.created_date,
        ).where(Opportunity.id.in_(relevant)),
        ["id", "opp_code", "status", "closed_date", "amount", "expected_close_date", "created_date"],
    )
    changes = _frame(
        session,
        select(
            OpportunityChange.opportunity_id,
            OpportunityChange.changed_on,
            OpportunityChange.field,
            OpportunityChange.old_value,
        ).where(OpportunityChange.opportunity_id.in_(relevant), OpportunityChange.changed_on > start),
        ["opportunity_id", "changed_on", "field", "old_value"],
    )
    history = _frame(
        session,
        select(StageHistory.opportunity_id, StageHistory.level, StageHistory.entered_date).where(
            StageHistory.opportunity_id.in_(relevant), StageHistory.entered_date <= end
        ),
        ["opportunity_id", "level", "entered_date"],
    )
    due = pd.to_datetime(opps["expected_close_date"]).dt.date <= period_end
    touched_share = float(opps["amount"].astype(float)[(opps["status"] == "open") & due].sum())
    steady = open_pipeline_due(session, scope, period_end) - touched_share
    return opps.set_index("id"), changes, history, steady


DEAL_COLUMNS = ["id", "opp_code", "name", "account", "owner", "level", "amount", "expected_close_date", "created_date"]


def _deals(session: Session, scope: Scope, condition: Any, limit: int) -> pd.DataFrame:
    """A list of deals (the columns of DEAL_COLUMNS), in scope, largest first."""
    stmt = (
        select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.name,
            Account.name,
            Rep.name,
            Opportunity.level,
            Opportunity.amount,
            Opportunity.expected_close_date,
            Opportunity.created_date,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(condition, scope.opportunities())
        .order_by(Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(limit)
    )
    return _frame(session, stmt, DEAL_COLUMNS)


def opportunity_rows(
    session: Session, scope: Scope, codes: list[str] | None = None, ids: list[int] | None = None
) -> pd.DataFrame:
    """Opportunities by code or id (at most 1000), in scope, largest first (DEAL_COLUMNS)."""
    if not codes and not ids:
        return pd.DataFrame(columns=DEAL_COLUMNS)
    wanted = Opportunity.opp_code.in_(codes[:1000]) if codes else Opportunity.id.in_([int(i) for i in ids or []][:1000])
    return _deals(session, scope, wanted, 1000)


def funnel_history(session: Session, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage history (opportunity_id, level, entered_date) and outcomes (by id: status, closed_date) of the
    opportunities in scope."""
    owned = select(Opportunity.id).where(scope.opportunities())
    history = _frame(
        session,
        select(StageHistory.opportunity_id, StageHistory.level, StageHistory.entered_date).where(
            StageHistory.opportunity_id.in_(owned)
        ),
        ["opportunity_id", "level", "entered_date"],
    )
    opps = _frame(
        session,
        select(Opportunity.id, Opportunity.status, Opportunity.closed_date).where(scope.opportunities()),
        ["id", "status", "closed_date"],
    )
    return history, opps.set_index("id")


def _stage_condition(stage: str, start: date, end: date) -> Any:
    """Rows of one funnel stage: an open level "1".."5", won deals still collecting "5w", or cash in "6"
    (won deals of the period, by closed date)."""
    if stage in ("1", "2", "3", "4", "5"):
        return and_(Opportunity.status == "open", Opportunity.level == int(stage))
    level = 5 if stage == "5w" else 6
    return and_(Opportunity.status == "won", Opportunity.level == level, Opportunity.closed_date.between(start, end))


STAGES = ("1", "2", "3", "4", "5", "5w", "6")


def funnel_stages(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """The six levels to cash: open deals at levels 1-5, then the period's won deals still collecting (5w)
    and fully collected (6): stage, count, amount (kept: 0.3 s at a million deals, for every view of the
    funnel in the same period)."""
    out = []
    for stage in STAGES:
        n, amount = session.execute(
            select(func.count(), func.coalesce(func.sum(Opportunity.amount), 0)).where(
                _stage_condition(stage, start, end), scope.opportunities()
            )
        ).one()
        out.append((stage, int(n), float(amount)))
    return pd.DataFrame(out, columns=["stage", "count", "amount"])


def stage_opportunities(
    session: Session, scope: Scope, stage: str, start: date, end: date, limit: int = 2000
) -> pd.DataFrame:
    """The deals behind one funnel stage, largest first (DEAL_COLUMNS)."""
    return _deals(session, scope, _stage_condition(stage, start, end), limit)


def opportunity_detail(session: Session, scope: Scope, opp_code: str) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """One opportunity in scope (None if unknown or outside the scope, alike) and its stage history."""
    row = session.execute(
        select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.name,
            Account.account_code,
            Account.name,
            Rep.rep_code,
            Rep.name,
            Opportunity.amount,
            Opportunity.level,
            Opportunity.status,
            Opportunity.created_date,
            Opportunity.expected_close_date,
            Opportunity.closed_date,
            Opportunity.product_line,
            Opportunity.loss_reason,
            Opportunity.win_reason,
            Opportunity.competitor,
        )
        .join(Account, Account.id == Opportunity.account_id)
        .join(Rep, Rep.id == Opportunity.owner_rep_id)
        .where(Opportunity.opp_code == opp_code, scope.opportunities())
    ).first()
    if row is None:
        return None
    keys = [
        "id",
        "opp_code",
        "name",
        "account_code",
        "account",
        "rep_code",
        "owner",
        "amount",
        "level",
        "status",
        "created_date",
        "expected_close_date",
        "closed_date",
        "product_line",
        "loss_reason",
        "win_reason",
        "competitor",
    ]
    detail = dict(zip(keys, row, strict=True))
    history = _frame(
        session,
        select(StageHistory.level, StageHistory.entered_date)
        .where(StageHistory.opportunity_id == detail["id"])
        .order_by(StageHistory.entered_date, StageHistory.level),
        ["level", "entered_date"],
    )
    return detail, history


# ---- funnel health in SQL: the same rules as metrics.funnel (which stays the reference, tested equal), without
# reading a stage history that grows with every deal ever made.


def _owned_history(scope: Scope, opportunity_id: Any) -> Any:
    """Stage-history rows of deals in scope; no condition at all when the scope holds every deal (a director
    without filters), so the database aggregates the table instead of probing it deal by deal."""
    if not scope.narrows_deals:
        return true()
    return opportunity_id.in_(select(Opportunity.id).where(scope.opportunities()))


def _history_in_scope(scope: Scope) -> tuple[Any, Any]:
    """First entry of each (deal, level) and the highest level each deal reached, for deals in scope."""
    owned = _owned_history(scope, StageHistory.opportunity_id)
    first = (
        select(
            StageHistory.opportunity_id.label("oid"),
            StageHistory.level.label("level"),
            func.min(StageHistory.entered_date).label("entered"),
        )
        .where(owned)
        .group_by(StageHistory.opportunity_id, StageHistory.level)
        .subquery()
    )
    top = (
        select(StageHistory.opportunity_id.label("oid"), func.max(StageHistory.level).label("top"))
        .where(owned)
        .group_by(StageHistory.opportunity_id)
        .subquery()
    )
    return first, top


def level_conversion(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Per level 1-5, the deals that first entered it in [start, end]: level, entered, advanced (later reached
    a higher level), won (``metrics.funnel.conversion``)."""
    first, top = _history_in_scope(scope)
    stmt = (
        select(
            first.c.level,
            func.count(),
            func.sum(case((top.c.top > first.c.level, 1), else_=0)),
            func.sum(case((Opportunity.status == "won", 1), else_=0)),
        )
        .join(top, top.c.oid == first.c.oid)
        .join(Opportunity, Opportunity.id == first.c.oid)
        .where(first.c.entered.between(start, end), first.c.level.between(1, 5))
        .group_by(first.c.level)
        .order_by(first.c.level)
    )
    return _frame(session, stmt, ["level", "entered", "advanced", "won"]).astype(int)


def level_calibration(session: Session, scope: Scope) -> pd.DataFrame:
    """Per level 1-5, the closed deals that ever entered it and how many of them were won: level, closed, won
    (``metrics.funnel.calibration``)."""
    first, _top = _history_in_scope(scope)
    closed = Opportunity.status.in_(("won", "lost"))
    stmt = (
        select(
            first.c.level,
            func.sum(case((closed, 1), else_=0)),
            func.sum(case((Opportunity.status == "won", 1), else_=0)),
        )
        .join(Opportunity, Opportunity.id == first.c.oid)
        .where(first.c.level.between(1, 5))
        .group_by(first.c.level)
        .order_by(first.c.level)
    )
    return _frame(session, stmt, ["level", "closed", "won"]).astype(int)


def level_days(session: Session, scope: Scope, today: date) -> dict[int, float | None]:
    """Average days at each level 1-5: from entering it to the deal's next entry, else its close, else today
    (``metrics.funnel.days_in_level``)."""
    following = func.lead(StageHistory.entered_date).over(
        partition_by=StageHistory.opportunity_id, order_by=(StageHistory.entered_date, StageHistory.level)
    )
    rows = (
        select(
            StageHistory.opportunity_id.label("oid"),
            StageHistory.level.label("level"),
            StageHistory.entered_date.label("entered"),
            following.label("next"),
        )
        .where(_owned_history(scope, StageHistory.opportunity_id))
        .subquery()
    )
    until = func.coalesce(rows.c.next, Opportunity.closed_date, literal(today))
    stmt = (
        select(rows.c.level, func.avg(_days_between(session, rows.c.entered, until)))
        .join(Opportunity, Opportunity.id == rows.c.oid)
        .where(rows.c.level.between(1, 5))
        .group_by(rows.c.level)
    )
    found = {int(level): float(days) for level, days in session.execute(stmt) if days is not None}
    return {level: found.get(level) for level in range(1, 6)}


def stalled_deals(session: Session, scope: Scope, today: date, days: int, limit: int = 50) -> tuple[pd.DataFrame, int]:
    """Open deals whose last level change is more than ``days`` days ago, longest idle first (at most
    ``limit``): opportunity_id, level, since, idle_days; and how many there are (``metrics.funnel.stalled``)."""
    last = (
        select(StageHistory.opportunity_id.label("oid"), func.max(StageHistory.entered_date).label("since"))
        .join(Opportunity, Opportunity.id == StageHistory.opportunity_id)
        .where(Opportunity.status == "open", scope.opportunities())
        .group_by(StageHistory.opportunity_id)
        .subquery()
    )
    idle = last.c.since < date.fromordinal(today.toordinal() - days)
    total = int(session.execute(select(func.count()).select_from(last).where(idle)).scalar_one())
    stmt = (
        select(last.c.oid, func.max(StageHistory.level), last.c.since)
        .join(StageHistory, and_(StageHistory.opportunity_id == last.c.oid, StageHistory.entered_date == last.c.since))
        .where(idle)
        .group_by(last.c.oid, last.c.since)
        .order_by(last.c.since, last.c.oid)
        .limit(limit)
    )
    df = _frame(session, stmt, ["opportunity_id", "level", "since"])
    df["idle_days"] = [(today - d).days for d in df["since"]]
    return df.astype({"opportunity_id": int, "level": int, "idle_days": int}), total
