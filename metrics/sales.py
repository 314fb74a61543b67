"""Quota, pipeline and win-rate arithmetic (data dictionary, "Definitions"). Pure functions.

Money is CNY as float. ``None`` means "unknown / not defined" and is shown as such, never as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd


def attainment(booked: float, target: float | None) -> float | None:
    """Attainment (完成率) = bookings in the period / revenue_target. None without a positive target."""
    if target is None or target <= 0:
        return None
    return booked / target


def remaining_quota(target: float | None, booked: float) -> float | None:
    """Remaining quota (剩余任务) = max(revenue_target - bookings in the period, 0). None without a target."""
    if target is None:
        return None
    return max(target - booked, 0.0)


@dataclass(frozen=True)
class VValue:
    """V value (V值) = open pipeline due by period end / remaining quota.

    ``quota_met`` is True when the remaining quota is 0 ("quota met", never a division error);
    ``value`` is None then, and also when there is no quota at all (``no_quota``).
    """

    value: float | None
    pipeline_due: float
    remaining: float | None
    quota_met: bool = False
    no_quota: bool = False


def v_value(pipeline_due: float, remaining: float | None) -> VValue:
    """V value = open pipeline whose expected_close_date <= period end, divided by the remaining quota."""
    if remaining is None:
        return VValue(None, pipeline_due, None, no_quota=True)
    if remaining <= 0:
        return VValue(None, pipeline_due, 0.0, quota_met=True)
    return VValue(pipeline_due / remaining, pipeline_due, remaining)


def required_v(win_rate_value: float | None) -> float | None:
    """Required V = 1 / win rate: the coverage needed to make the quota at the historical win rate.

    None when the win rate is unknown or zero (no coverage is enough at a 0% win rate).
    """
    if win_rate_value is None or win_rate_value <= 0:
        return None
    return 1.0 / win_rate_value


@dataclass(frozen=True)
class Outcomes:
    """Opportunities closed in a period: how many and how much were won and lost."""

    won_count: int = 0
    lost_count: int = 0
    won_amount: float = 0.0
    lost_amount: float = 0.0


def win_rate(won: float, lost: float) -> float | None:
    """Win rate (赢率) = won / (won + lost), by count or by amount. None when nothing closed.

    A rate, not a won:lost ratio.
    """
    total = won + lost
    if total <= 0:
        return None
    return won / total


def weighted_pipeline(by_level: pd.DataFrame, probabilities: Mapping[int, float]) -> float:
    """Weighted pipeline = sum over open opportunities of amount x p(level).

    ``by_level`` has columns ``level`` and ``amount`` (one row per opportunity, or per level with the
    level's summed amount: the sum is linear, so both give the same result).
    """
    if by_level.empty:
        return 0.0
    p = by_level["level"].astype(int).map(lambda lv: probabilities.get(int(lv), 0.0))
    return float((by_level["amount"].astype(float) * p).sum())


@dataclass(frozen=True)
class Targets:
    revenue: float
    gm: float
    #: None when no task book in scope states a target commission
    target_commission: float | None = None


def period_targets(quotas: pd.DataFrame, quarter: int | None) -> Targets | None:
    """Revenue, GM and commission targets of a period from the task books (销售任务书) of the reps in scope.

    ``quotas`` holds one year's rows: ``rep_id``, ``quarter`` (None/NaN = whole year), ``revenue_target``,
    ``gm_target`` and optionally ``target_commission``. Per rep: for the year, the whole-year row, else
    the sum of its quarter rows; for a quarter, that quarter's row, else a quarter of the whole-year row.
    A quarter row without a target commission takes a quarter of the year's. None when no rep has a quota.
    """
    if quotas.empty:
        return None
    q = quotas.assign(
        tc=pd.to_numeric(quotas["target_commission"], errors="coerce")
        if "target_commission" in quotas
        else float("nan"),
        revenue_target=quotas["revenue_target"].astype(float),
        gm_target=quotas["gm_target"].astype(float),
    )
    annual, quarterly = q[q["quarter"].isna()], q[q["quarter"].notna()]
    if quarter is None:  # the whole-year rows, else the sum of the quarter rows
        src = pd.concat([annual, quarterly[~quarterly["rep_id"].isin(annual["rep_id"])]])
        if src.empty:
            return None
        tc = src["tc"]
        commission = float(tc.sum()) if tc.notna().any() else None
        return Targets(float(src["revenue_target"].sum()), float(src["gm_target"].sum()), commission)
    own = quarterly[quarterly["quarter"].astype(int) == quarter]
    fallback = annual[~annual["rep_id"].isin(own["rep_id"])]  # a quarter of the year's row
    if own.empty and fallback.empty:
        return None
    revenue = float(own["revenue_target"].sum()) + 0.25 * float(fallback["revenue_target"].sum())
    gm = float(own["gm_target"].sum()) + 0.25 * float(fallback["gm_target"].sum())
    # commission: the quarter's rows; a rep whose quarter rows name none takes a quarter of the year's
    own_tc = own.groupby("rep_id")["tc"].sum(min_count=1)
    missing = own_tc[own_tc.isna()].index
    year_tc = annual.groupby("rep_id")["tc"].sum(min_count=1)
    parts = [
        own_tc.dropna(),
        0.25 * year_tc.reindex(missing).dropna(),
        0.25 * year_tc.reindex(fallback["rep_id"].unique()).dropna(),
    ]
    named = pd.concat(parts)
    return Targets(revenue, gm, float(named.sum()) if not named.empty else None)
