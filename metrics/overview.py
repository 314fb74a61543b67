"""The Overview page's KPI set: queries (data_access) in, pure formulas (metrics) applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.collections import Overdue, overdue
from metrics.period import Period
from metrics.sales import (
    VValue,
    attainment,
    period_targets,
    remaining_quota,
    required_v,
    v_value,
    weighted_pipeline,
    win_rate,
)


@dataclass(frozen=True)
class OverviewKPIs:
    period: Period
    today: date
    bookings: float
    gm_booked: float
    revenue_target: float | None
    gm_target: float | None
    target_commission: float | None
    attainment: float | None
    gm_attainment: float | None
    elapsed_share: float
    open_count: int
    open_amount: float
    weighted_amount: float
    v: VValue
    #: Required V = 1 / win rate by amount over the 365 days up to today (the "historical win rate").
    required_v: float | None
    win_rate: float | None
    win_rate_amount: float | None
    won_count: int
    lost_count: int
    overdue: Overdue


@kept
def overview_kpis(session: Session, scope: Scope, period: Period, today: date) -> OverviewKPIs:
    """Bookings vs quota, open and weighted pipeline, V value and required V, win rate, overdue (kept until
    the data changes: the Overview, the funnel and the scorecards of one view read the same figures).

    Formulas: data dictionary "Definitions" (bookings, attainment, remaining quota, V value, required V,
    weighted pipeline, win rate, overdue). Win rate is of opportunities closed in ``period``.

    A task book is per rep, not per product line or account class: bookings, attainment and the remaining
    quota count all deals of the reps in scope; the deal filters of ``scope`` (product line, RAD class)
    narrow the pipeline, win rate and overdue, so the V value reads "how much of the remaining quota this
    class's pipeline covers" (pipeline coverage per class).
    """
    settings = load_settings(session)
    booked, gm_booked = queries.bookings(session, scope.owners(), period.start, period.end)
    targets = period_targets(queries.quota_rows(session, scope, period.year), period.quarter)
    revenue_target, gm_target = (targets.revenue, targets.gm) if targets else (None, None)
    target_commission = targets.target_commission if targets else None

    pipe = queries.open_pipeline_by_level(session, scope)
    due = queries.open_pipeline_due(session, scope, period.end)

    closed = queries.closed_outcomes(session, scope, period.start, period.end)
    history = queries.closed_outcomes(session, scope, today - timedelta(days=364), today)

    return OverviewKPIs(
        period=period,
        today=today,
        bookings=booked,
        gm_booked=gm_booked,
        revenue_target=revenue_target,
        gm_target=gm_target,
        target_commission=target_commission,
        attainment=attainment(booked, revenue_target),
        gm_attainment=attainment(gm_booked, gm_target),
        elapsed_share=period.elapsed_share(today),
        open_count=int(pipe["count"].sum()),
        open_amount=float(pipe["amount"].sum()),
        weighted_amount=weighted_pipeline(pipe, settings.level_probabilities),
        v=v_value(due, remaining_quota(revenue_target, booked)),
        required_v=required_v(win_rate(history.won_amount, history.lost_amount)),
        win_rate=win_rate(closed.won_count, closed.lost_count),
        win_rate_amount=win_rate(closed.won_amount, closed.lost_amount),
        won_count=closed.won_count,
        lost_count=closed.lost_count,
        overdue=overdue(queries.unpaid_payments_due_before(session, scope, today), today),
    )


def aging_frame(k: OverviewKPIs) -> pd.DataFrame:
    """The overdue aging buckets as a table: bucket (days past due), overdue amount (CNY)."""
    return pd.DataFrame({"days_overdue": list(k.overdue.buckets), "amount_cny": list(k.overdue.buckets.values())})
