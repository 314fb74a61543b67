"""The Overview's KPI set as pure formulas over its inputs (the sums a loader read, ``metrics.views.kpis``).

No session and no SQL here: ``kpis_of`` turns ``OverviewInputs`` (plain numbers and small frames) into
``OverviewKPIs`` by the data dictionary's definitions, and is tested on literal inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.collections import AGING_BUCKETS, Overdue, overdue
from metrics.period import Period
from metrics.sales import (
    VValue,
    attainment,
    period_targets,
    remaining_quota,
    rep_targets,
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


#: The lists behind the Overview's numbers (``?list=``): contracts booked in the period (bookings and
#: attainment), the open pipeline (open and weighted pipeline; ``open-N`` a level's bar), the open deals
#: due by the period's end (the V value's pipeline), the period's won and lost deals (win rate), and the
#: payments past due (``overdue-<bucket>`` an aging bucket's).
DRILL_KINDS = ("bookings", "open", "due", "won", "lost", "overdue")
OPEN_LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Drill:
    """One list behind a number: ``kind`` of DRILL_KINDS, with a ``level`` (open deals at one level) or an
    aging ``bucket`` (payments of that age, a name of ``metrics.collections.AGING_BUCKETS``)."""

    kind: str
    level: int | None = None
    bucket: str | None = None

    @property
    def key(self) -> str:
        """The drill as the ``list=`` of an address: ``open-3``, ``overdue-31-60``, ``won``..."""
        if self.level is not None:
            return f"{self.kind}-{self.level}"
        if self.bucket is not None:
            return f"{self.kind}-{self.bucket}"
        return self.kind


def drills() -> dict[str, Drill]:
    """Every list there can be, by its key (anything else in ``list=`` is no list)."""
    out = [Drill(kind) for kind in DRILL_KINDS]
    out += [Drill("open", level=lv) for lv in OPEN_LEVELS]
    out += [Drill("overdue", bucket=name) for name, _, _ in AGING_BUCKETS]
    return {d.key: d for d in out}


_DRILLS = drills()


def drill_of(query: Mapping[str, object]) -> Drill | None:
    """The list an address names (``?list=``), None for none or one there cannot be."""
    key = query.get("list")
    return _DRILLS.get(key) if isinstance(key, str) else None


def bucket_days(bucket: str) -> tuple[int, int | None]:
    """The days past due of an aging bucket: (first, last), last None for open-ended."""
    return next((low, high) for name, low, high in AGING_BUCKETS if name == bucket)


def group_track(
    booked: pd.DataFrame, quotas: pd.DataFrame, group_of: Mapping[int, int | None] | None, quarter: int | None
) -> pd.DataFrame:
    """Bookings against target per group: ``booked`` has key (a rep id, or a team id when ``group_of`` maps
    reps to teams) and bookings; the targets are the period's (``rep_targets``) summed per group. One row per
    group with bookings or a target: key, bookings, target (NaN: none), attainment (NaN without a target),
    gap (target less bookings, at least 0). Largest gap first, then lowest attainment."""
    lines = rep_targets(quotas, quarter) if not quotas.empty else pd.DataFrame(columns=["revenue"])
    target: dict[int | None, float] = {}
    for rep, revenue in zip(lines.index, lines["revenue"].astype(float), strict=True):
        key = group_of.get(int(rep)) if group_of is not None else int(rep)
        target[key] = target.get(key, 0.0) + float(revenue)
    booked_sum: dict[int | None, float] = {}
    for raw, amount in zip(booked["key"], booked["bookings"], strict=True):
        key = None if raw is None or pd.isna(raw) else int(raw)  # no team: one line, whatever the column's dtype
        booked_sum[key] = booked_sum.get(key, 0.0) + float(amount)
    keys_all = list(dict.fromkeys([*target, *booked_sum]))
    out = pd.DataFrame(
        {
            "key": pd.Series(keys_all, dtype=object),
            "bookings": [booked_sum.get(k, 0.0) for k in keys_all],
            "target": [target.get(k, float("nan")) for k in keys_all],
        }
    )
    shares = [attainment(b, None if pd.isna(t) else t) for b, t in zip(out["bookings"], out["target"], strict=True)]
    out["attainment"] = [float("nan") if a is None else a for a in shares]
    out["gap"] = (out["target"] - out["bookings"]).clip(lower=0)
    return out.sort_values(["gap", "attainment"], ascending=[False, True], na_position="last").reset_index(drop=True)
