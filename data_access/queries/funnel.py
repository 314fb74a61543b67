"""The funnel page's queries (and the opportunity page's): the six levels to cash and the deals behind each,
pipeline movement between two dates, and the funnel's health (conversion, calibration, days per level, stalled
deals) summed in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, exists, func, literal, or_, select, union
from sqlalchemy.orm import Session

from data_access.models import Account, DealLevel, Opportunity, OpportunityChange, Rep, StageHistory
from data_access.queries.shared import (
    DEAL_LIST_COLUMNS,
    OPEN_DEAL_COLUMNS,
    OPEN_DEAL_FIELDS,
    _days_between,
    _frame,
    _frame_of_ids,
    class_list_probed,
    deal_list,
    latest_entry,
    open_pipeline_due,
)
from data_access.scope import Scope


def _touched_since(scope: Scope, start: date) -> Any:
    """Deals created, closed, moved a level or changed after ``start``. A team's or a rep's few deals are each
    asked (two index probes a deal); for the whole company or a product line, the week's touched deals of the
    company are read once (60-70 ms at a million deals) and the scope's kept from them."""
    if scope.restrictions:
        return or_(
            Opportunity.created_date > start,
            Opportunity.closed_date > start,
            exists().where(OpportunityChange.opportunity_id == Opportunity.id, OpportunityChange.changed_on > start),
            exists().where(StageHistory.opportunity_id == Opportunity.id, StageHistory.entered_date > start),
        )
    touched = union(
        select(OpportunityChange.opportunity_id).where(OpportunityChange.changed_on > start),
        select(StageHistory.opportunity_id).where(StageHistory.entered_date > start),
        select(Opportunity.id).where(Opportunity.created_date > start),
        select(Opportunity.id).where(Opportunity.closed_date > start),
    )
    return Opportunity.id.in_(touched)


def movement_rows(
    session: Session, scope: Scope, start: date, end: date, period_end: date, pipeline_due: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float]:
    """The inputs of ``metrics.movement`` for the window (start, end] and the period ending ``period_end``:
    the opportunities in scope touched since ``start`` (created, closed, moved a level or changed a field
    after it), their logged changes, their stage history, and ``steady``: the amount of every other deal in
    the period's pipeline (open, expected close by ``period_end``), the same at both dates.

    A deal untouched since ``start`` is in the same state at ``start`` and ``end``: it adds the same amount
    to both ends and nothing to any step or list, so it is summed in SQL (the period's open pipeline less
    the touched deals' share of it) instead of being read: at a million deals, a week touches a few
    thousand. ``pipeline_due``: that open pipeline when the caller has summed it already (the KPI set's V
    value: the funnel's loaders), so it is not summed twice (60 ms for a product line's class at 1M)."""
    relevant = sorted(
        session.scalars(select(Opportunity.id).where(_touched_since(scope, start), scope.opportunities()))
    )
    opps = _frame_of_ids(
        session,
        relevant,
        lambda ids: select(
            Opportunity.id,
            Opportunity.opp_code,
            Opportunity.status,
            Opportunity.closed_date,
            Opportunity.amount,
            Opportunity.expected_close_date,
            Opportunity.created_date,
        ).where(Opportunity.id.in_(ids)),
        ["id", "opp_code", "status", "closed_date", "amount", "expected_close_date", "created_date"],
    )
    changes = _frame_of_ids(
        session,
        relevant,
        lambda ids: select(
            OpportunityChange.opportunity_id,
            OpportunityChange.changed_on,
            OpportunityChange.field,
            OpportunityChange.old_value,
        ).where(OpportunityChange.opportunity_id.in_(ids), OpportunityChange.changed_on > start),
        ["opportunity_id", "changed_on", "field", "old_value"],
    )
    history = _frame_of_ids(
        session,
        relevant,
        lambda ids: select(StageHistory.opportunity_id, StageHistory.level, StageHistory.entered_date).where(
            StageHistory.opportunity_id.in_(ids), StageHistory.entered_date <= end
        ),
        ["opportunity_id", "level", "entered_date"],
    )
    due = pd.to_datetime(opps["expected_close_date"]).dt.date <= period_end
    touched_share = float(opps["amount"].astype(float)[(opps["status"] == "open") & due].sum())
    due_total = open_pipeline_due(session, scope, period_end) if pipeline_due is None else pipeline_due
    steady = due_total - touched_share
    return opps.set_index("id"), changes, history, steady


DEAL_COLUMNS = [*DEAL_LIST_COLUMNS, "created_date", "id"]


def _deals(
    session: Session, scope: Scope, condition: Any, limit: int, *extra: tuple[Any, str], named: bool = False
) -> pd.DataFrame:
    """A list of deals (the columns of DEAL_COLUMNS, then ``extra``: (column, name)), in scope, largest first;
    ``named``: deals named by code or id, kept in scope by ``Scope.named_opportunities``."""
    fields = [Opportunity.created_date, Opportunity.id, *(column for column, _name in extra)]
    in_scope = scope.named_opportunities() if named else class_list_probed(session, scope)
    stmt = deal_list(*fields).where(condition, in_scope).limit(limit)
    return _frame(session, stmt, [*DEAL_COLUMNS, *(name for _column, name in extra)])


def opportunity_rows(
    session: Session, scope: Scope, codes: list[str] | None = None, ids: list[int] | None = None
) -> pd.DataFrame:
    """Opportunities by code or id (at most 1000), in scope, largest first (DEAL_COLUMNS and loss_reason)."""
    if not codes and not ids:
        return pd.DataFrame(columns=[*DEAL_COLUMNS, "loss_reason"])
    wanted = Opportunity.opp_code.in_(codes[:1000]) if codes else Opportunity.id.in_([int(i) for i in ids or []][:1000])
    return _deals(session, scope, wanted, 1000, (Opportunity.loss_reason, "loss_reason"), named=True)


def open_deals_by_level(session: Session, scope: Scope, limit: int) -> pd.DataFrame:
    """The open deals in scope, highest level first, then largest: opp_code, name, account, level, amount,
    expected_close_date, since (the day the deal last changed level: its ``deal_levels`` latest entry)."""
    stmt = (
        select(*OPEN_DEAL_FIELDS, DealLevel.last_entered)
        .join(Account, Account.id == Opportunity.account_id)
        .outerjoin(DealLevel, and_(DealLevel.opportunity_id == Opportunity.id, DealLevel.last_entered.is_not(None)))
        .where(Opportunity.status == "open", scope.opportunities())
        .order_by(Opportunity.level.desc(), Opportunity.amount.desc(), Opportunity.opp_code)
        .limit(limit)
    )
    return _frame(session, stmt, [*OPEN_DEAL_COLUMNS, "since"])


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
    funnel in the same period). One statement per stage, each a seek of the status and level indexes; for the
    whole company's deals of a RAD class (``Scope.reads_class_list``) one grouped statement, since each stage's
    would read the class's deals again (7 x 60 ms for a product line's class A at 1M, against 90 ms)."""
    if scope.reads_class_list:
        rows = session.execute(
            select(Opportunity.status, Opportunity.level, func.count(), func.coalesce(func.sum(Opportunity.amount), 0))
            .where(or_(*(_stage_condition(stage, start, end) for stage in STAGES)), scope.opportunities())
            .group_by(Opportunity.status, Opportunity.level)
        ).all()
        found = {_stage_of(status, level): (int(n), float(amount)) for status, level, n, amount in rows}
        out = [(stage, *found.get(stage, (0, 0.0))) for stage in STAGES]
        return pd.DataFrame(out, columns=["stage", "count", "amount"])
    out = []
    for stage in STAGES:
        n, amount = session.execute(
            select(func.count(), func.coalesce(func.sum(Opportunity.amount), 0)).where(
                _stage_condition(stage, start, end), scope.opportunities()
            )
        ).one()
        out.append((stage, int(n), float(amount)))
    return pd.DataFrame(out, columns=["stage", "count", "amount"])


def _stage_of(status: str, level: int) -> str:
    """The stage key of a deal's status and level among ``_stage_condition``'s rows."""
    return str(level) if status == "open" else ("5w" if level == 5 else "6")


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


# ---- funnel health in SQL: the same rules as metrics.funnel (which stays the reference, tested equal), read from
# the ``deal_levels`` summary (one row per deal and level: data_access.summaries), never the stage history


#: The window of the funnel's conversion: the deals that first entered a level in the last 365 days
CONVERSION_DAYS = 365
HEALTH_COLUMNS = ["level", "closed", "won", "stays", "days", "entered", "advanced", "entered_won"]


def level_health(session: Session, scope: Scope, today: date) -> pd.DataFrame:
    """Per level 1-5, in one read of the ``deal_levels`` summary (level, then HEALTH_COLUMNS' sums):

    - over all history, the closed deals that ever entered the level and how many were won
      (``metrics.funnel.calibration``: ``calibration_from_counts``), and the stays at it with their days, a stay
      without a next entry or a close lasting until today (``metrics.funnel.days_in_level``: ``days_at_levels``);
    - the deals that first entered it in the ``CONVERSION_DAYS`` up to today, how many of them later reached a
      higher level and how many were won (``metrics.funnel.conversion``: ``conversion_from_counts``).

    The sums are grouped by product line and level, then added up per level: the product index holds its rows in
    that order, so SQLite sums the whole company's 2.4 million rows (at 1M deals) as it reads them, where grouping
    by level alone sorted them all first (1.1 s of a 1.7 s read). The conversion was a second read of the same rows
    (1.2 s)."""
    open_days = _days_between(session, DealLevel.open_since, literal(today))
    recent = DealLevel.entered.between(date.fromordinal(today.toordinal() - CONVERSION_DAYS), today)
    stmt = (
        select(
            DealLevel.product_line,
            DealLevel.level,
            func.sum(case((DealLevel.status.in_(("won", "lost")), 1), else_=0)),
            func.sum(case((DealLevel.status == "won", 1), else_=0)),
            func.sum(DealLevel.entries),
            func.sum(DealLevel.closed_days) + func.coalesce(func.sum(open_days), 0),
            func.sum(case((recent, 1), else_=0)),
            func.sum(case((and_(recent, DealLevel.top > DealLevel.level), 1), else_=0)),
            func.sum(case((and_(recent, DealLevel.status == "won"), 1), else_=0)),
        )
        .where(DealLevel.level.between(1, 5), scope.deal_levels())
        .group_by(DealLevel.product_line, DealLevel.level)
    )
    df = _frame(session, stmt, ["product_line", *HEALTH_COLUMNS]).drop(columns="product_line")
    df = df.groupby("level", as_index=False).sum().sort_values("level", ignore_index=True)
    return df.astype({c: float if c == "days" else int for c in HEALTH_COLUMNS})


def stalled_deals(session: Session, scope: Scope, today: date, days: int, limit: int = 50) -> tuple[pd.DataFrame, int]:
    """Open deals whose last level change is more than ``days`` days ago, longest idle first (at most
    ``limit``): opportunity_id, level, since, idle_days; and how many there are (``metrics.funnel.stalled``).
    The latest entry of each deal is its ``deal_levels`` row with a ``last_entered``."""
    entered = latest_entry(scope)
    in_scope = class_list_probed(session, scope, DealLevel)
    idle = and_(entered < date.fromordinal(today.toordinal() - days), DealLevel.status == "open", in_scope)
    stmt = (
        select(DealLevel.opportunity_id, DealLevel.level, DealLevel.last_entered)
        .where(idle)
        .order_by(entered, DealLevel.opportunity_id)
        .limit(limit)
    )
    if scope.reads_class_list and limit > 0:
        # one read of the class's stalled deals, counted as they are sorted, where a count and a page each read
        # them (140 + 170 ms for a product line's class A at 1M). Elsewhere the index of the latest entries gives
        # the page in order and stops, and counts the rest without a sort (the whole company: 3 ms, against 30).
        rows = session.execute(stmt.add_columns(func.count().over())).all()
        total = int(rows[0][3]) if rows else 0
        df = pd.DataFrame([tuple(r)[:3] for r in rows], columns=["opportunity_id", "level", "since"])
    else:
        total = int(session.execute(select(func.count()).where(idle)).scalar_one())
        df = _frame(session, stmt, ["opportunity_id", "level", "since"])
    df["idle_days"] = [(today - d).days for d in df["since"]]
    return df.astype({"opportunity_id": int, "level": int, "idle_days": int}), total
