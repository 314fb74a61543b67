"""The Overview's KPI set as pure formulas over its inputs (the sums a loader read, ``metrics.views.kpis``).

No session and no SQL here: ``kpis_of`` turns ``OverviewInputs`` (plain numbers and small frames) into
``OverviewKPIs`` by the data dictionary's definitions, and is tested on literal inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

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


@dataclass(frozen=True)
class OverviewInputs:
    """What the KPI set is computed from, as read for one scope, period and day (``metrics.views.kpis``)."""

    period: Period
    today: date
    bookings: float
    gm_booked: float
    #: the task book's rows of the period's year (``metrics.sales.period_targets``)
    quota_rows: pd.DataFrame
    #: open pipeline per level: level, count, amount
    pipeline: pd.DataFrame
    #: open pipeline whose expected close is on or before the period's end
    pipeline_due: float
    won_count: int
    lost_count: int
    won_amount: float
    lost_amount: float
    #: won and lost amounts closed in the 365 days up to today (the historical win rate of required V)
    history_won_amount: float
    history_lost_amount: float
    #: payments due before today and not fully paid: due_date, amount, paid_amount
    unpaid: pd.DataFrame
    level_probabilities: Mapping[int, float]


def kpis_of(inputs: OverviewInputs) -> OverviewKPIs:
    """Bookings vs quota, open and weighted pipeline, V value and required V, win rate, overdue.

    Formulas: data dictionary "Definitions" (bookings, attainment, remaining quota, V value, required V,
    weighted pipeline, win rate, overdue). Win rate is of opportunities closed in the period.

    A task book is per rep, not per product line or account class: bookings, attainment and the remaining
    quota count all deals of the reps in scope; the deal filters of the scope (product line, RAD class)
    narrow the pipeline, win rate and overdue, so the V value reads "how much of the remaining quota this
    class's pipeline covers" (pipeline coverage per class).
    """
    i = inputs
    targets = period_targets(i.quota_rows, i.period.quarter)
    revenue_target, gm_target = (targets.revenue, targets.gm) if targets else (None, None)
    return OverviewKPIs(
        period=i.period,
        today=i.today,
        bookings=i.bookings,
        gm_booked=i.gm_booked,
        revenue_target=revenue_target,
        gm_target=gm_target,
        target_commission=targets.target_commission if targets else None,
        attainment=attainment(i.bookings, revenue_target),
        gm_attainment=attainment(i.gm_booked, gm_target),
        elapsed_share=i.period.elapsed_share(i.today),
        open_count=int(i.pipeline["count"].sum()),
        open_amount=float(i.pipeline["amount"].sum()),
        weighted_amount=weighted_pipeline(i.pipeline, i.level_probabilities),
        v=v_value(i.pipeline_due, remaining_quota(revenue_target, i.bookings)),
        required_v=required_v(win_rate(i.history_won_amount, i.history_lost_amount)),
        win_rate=win_rate(i.won_count, i.lost_count),
        win_rate_amount=win_rate(i.won_amount, i.lost_amount),
        won_count=i.won_count,
        lost_count=i.lost_count,
        overdue=overdue(i.unpaid, i.today),
    )


def aging_frame(k: OverviewKPIs) -> pd.DataFrame:
    """The overdue aging buckets as a table: bucket (days past due), overdue amount (CNY)."""
    return pd.DataFrame({"days_overdue": list(k.overdue.buckets), "amount_cny": list(k.overdue.buckets.values())})
