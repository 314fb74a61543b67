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


def weighted_amounts(levels: pd.Series, amounts: pd.Series, probabilities: Mapping[int, float]) -> pd.Series:
    """Each amount weighted by its level's win probability: amount x p(level) (data dictionary, "Weighted
    pipeline"; a level without a probability weighs 0). The one definition: the pipeline's total, a funnel
    stage's and the API's per level all take it from here (the SQL sums beside queries are tested equal)."""
    p = levels.astype(int).map(lambda lv: probabilities.get(int(lv), 0.0))
    return amounts.astype(float) * p


def weighted_pipeline(by_level: pd.DataFrame, probabilities: Mapping[int, float]) -> float:
    """Weighted pipeline = sum over open opportunities of amount x p(level).

    ``by_level`` has columns ``level`` and ``amount`` (one row per opportunity, or per level with the
    level's summed amount: the sum is linear, so both give the same result).
    """
    if by_level.empty:
        return 0.0
    return float(weighted_amounts(by_level["level"], by_level["amount"], probabilities).sum())


@dataclass(frozen=True)
class Targets:
    revenue: float
    gm: float
    #: None when no task book in scope states a target commission
    target_commission: float | None = None


def rep_targets(quotas: pd.DataFrame, quarter: int | None) -> pd.DataFrame:
    """Each rep's revenue, GM and commission targets of a period from their task book (销售任务书): a frame
    indexed by ``rep_id`` with ``revenue``, ``gm`` and ``tc`` (NaN: the rep's task book names no target
    commission); a rep without a target for the period has no line.

    ``quotas`` holds one year's rows: ``rep_id``, ``quarter`` (None/NaN = whole year), ``revenue_target``,
    ``gm_target`` and optionally ``target_commission``. For the year, the whole-year row, else the sum of
    the rep's quarter rows; for a quarter, that quarter's row, else a quarter of the whole-year row. A
    quarter row without a target commission takes a quarter of the year's. One pass for every rep.
    """
    q = pd.DataFrame(
        {
            "rep_id": quotas["rep_id"],
            "revenue": quotas["revenue_target"].astype(float),
            "gm": quotas["gm_target"].astype(float),
            "tc": pd.to_numeric(quotas["target_commission"], errors="coerce")
            if "target_commission" in quotas
            else float("nan"),
        }
    )
    yearly = quotas["quarter"].isna()

    def per_rep(rows: pd.DataFrame) -> pd.DataFrame:
        return summed_targets(rows, "rep_id")

    annual = per_rep(q[yearly])
    if quarter is None:  # the whole-year row, else the sum of the quarter rows
        quarters = per_rep(q[~yearly])
        return pd.concat([annual, quarters[~quarters.index.isin(annual.index)]])
    own = per_rep(q[~yearly & (pd.to_numeric(quotas["quarter"], errors="coerce") == quarter)])
    own["tc"] = own["tc"].fillna(0.25 * annual["tc"].reindex(own.index))
    fallback = 0.25 * annual[~annual.index.isin(own.index)]  # a quarter of the year's row
    return pd.concat([own, fallback])


def summed_targets(lines: pd.DataFrame, by: str) -> pd.DataFrame:
    """``rep_targets``-shaped lines (revenue, gm, tc) summed per value of column ``by`` (a rep, a team; a
    missing value is a group of its own); tc stays NaN where no line of the group names one."""
    grouped = lines.groupby(by, dropna=False)
    return pd.DataFrame(
        {"revenue": grouped["revenue"].sum(), "gm": grouped["gm"].sum(), "tc": grouped["tc"].sum(min_count=1)}
    )


def as_targets(revenue: float, gm: float, tc: float) -> Targets | None:
    """One line of summed targets as ``Targets``; None for a line with none (revenue NaN: a group no
    target line fell into)."""
    if pd.isna(revenue):
        return None
    return Targets(float(revenue), float(gm), None if pd.isna(tc) else float(tc))


def targets_of(lines: pd.DataFrame) -> Targets | None:
    """The summed targets of ``rep_targets`` lines; None when there are none."""
    if lines.empty:
        return None
    return as_targets(lines["revenue"].sum(), lines["gm"].sum(), lines["tc"].sum(min_count=1))


def period_targets(quotas: pd.DataFrame, quarter: int | None) -> Targets | None:
    """Revenue, GM and commission targets of a period from the task books of the reps in scope: the sum
    of each rep's (``rep_targets``). None when no rep has a quota for the period."""
    if quotas.empty:
        return None
    return targets_of(rep_targets(quotas, quarter))


#: the RAD classes a per-class table lists, the unknown class ("none": no BP, no override) last
CLASS_ORDER = ("R", "A", "D", "none")


@dataclass(frozen=True)
class ClassV:
    """The V value of one RAD class (V值, per 客户分类): its open pipeline due by the period's end against its share
    of the remaining quota, and the coverage its own win rate requires."""

    rad_class: str
    pipeline_due: float
    #: the class's share of last year's bookings (None when nothing was booked last year)
    share: float | None
    v: VValue
    #: the class's win rate by amount over the last 365 days, and the required V = 1 / it
    win_rate: float | None
    required_v: float | None


def v_by_class(
    pipeline_due: Mapping[str, float],
    last_year: Mapping[str, float],
    outcomes: Mapping[str, tuple[float, float]],
    remaining: float | None,
) -> list[ClassV]:
    """Per class (``CLASS_ORDER``): V = pipeline due / (remaining quota x the class's share of last year's bookings).

    The remaining quota is the scope's (``remaining_quota``); a class with no share of last year's bookings has no
    share of the quota either (its V is unknown, ``no_quota``); a met quota is met for every class. ``outcomes``
    holds each class's (won amount, lost amount) of the last 365 days."""
    total = sum(last_year.values())
    out = []
    for cls in CLASS_ORDER:
        share = last_year.get(cls, 0.0) / total if total > 0 else None
        if remaining is not None and remaining <= 0:
            part: float | None = 0.0
        elif remaining is None or not share:
            part = None
        else:
            part = remaining * share
        won, lost = outcomes.get(cls, (0.0, 0.0))
        rate = win_rate(won, lost)
        pipe = float(pipeline_due.get(cls, 0.0))
        if pipe == 0 and not share and rate is None:
            continue  # a class with nothing in it: no line
        out.append(ClassV(cls, pipe, share, v_value(pipe, part), rate, required_v(rate)))
    return out
