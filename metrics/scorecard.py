"""Rep scorecards (销售人员管理): attainment, pace, forecast, V, win rate, deal size and cycle, visits,
collections — per rep and rolled up per team and company — and the commission what-if. Pure functions.

A rep's numbers come from sums (``SUMS``) and their task book's targets; a team's or the company's are
the same formulas on the summed sums and summed targets, so every level is computed one way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import pandas as pd

from metrics.commission import Payout, Tier, commission_payout
from metrics.period import Period
from metrics.sales import (
    Targets,
    as_targets,
    attainment,
    remaining_quota,
    rep_targets,
    summed_targets,
    targets_of,
    v_value,
    win_rate,
)

#: The additive measures behind a scorecard line (``queries.rep_rollup``'s columns).
SUMS = (
    "bookings",
    "gm_booked",
    "pipeline_due",
    "weighted_due",
    "open_pipeline",
    "weighted_pipeline",
    "won_count",
    "lost_count",
    "won_amount",
    "lost_amount",
    "overdue",
    "visits_done",
    "visits_planned",
    "cycle_days_sum",
)


def pace(attained: float | None, elapsed: float) -> float | None:
    """Pace = attainment / share of the period elapsed: 1.0 is on pace, below 1 behind. None before the
    period starts or without attainment."""
    if attained is None or elapsed <= 0:
        return None
    return attained / elapsed


#: Pace within this band around 1.0 is "on pace"; below it "behind", above it "ahead"
PACE_BAND = 0.1


def pace_status(value: float | None) -> str | None:
    """``behind`` / ``on`` / ``ahead`` of a pace (1.0 on pace, ``PACE_BAND`` either side); None without one."""
    if value is None:
        return None
    if value < 1 - PACE_BAND:
        return "behind"
    return "ahead" if value > 1 + PACE_BAND else "on"


def v_status(v: float | None, rate: float | None, quota_met: bool) -> str | None:
    """Whether the pipeline covers what is left of the quota at the historical win rate: ``ahead`` when the V
    value is at least the required V (1 / win rate) or the quota is met, ``behind`` below it; None when either
    is unknown (no V, or no closed deal to give a win rate)."""
    if quota_met:
        return "ahead"
    if v is None or not rate:
        return None
    return "ahead" if v >= 1 / rate else "behind"


def forecast(bookings: float, weighted_due: float) -> float:
    """Forecast = bookings so far + weighted pipeline expected to close by the period's end (amount x p(level))."""
    return bookings + weighted_due


def average(total: float, n: float) -> float | None:
    """A mean that is unknown (None) over nothing."""
    return total / n if n else None


def clock(period: Period, today: date) -> tuple[float, float]:
    """The share of ``period`` elapsed by ``today`` and its weeks so far (``today`` clipped to the period, never
    below 0): the same for every line of a board, so the board works them out once and hands them to ``score``
    (asked per line they were 40% of scoring the whole company's 8,500 reps)."""
    weeks = max((min(today, period.end) - period.start).days + 1, 0) / 7
    return period.elapsed_share(today), weeks


def score(
    sums: Mapping[str, float],
    targets: Targets | None,
    period: Period,
    today: date,
    clocked: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """One scorecard line from its sums and targets (data dictionary: attainment, remaining quota, V value,
    win rate; this module: pace, forecast, average deal size, cycle length, visits per week). ``clocked``:
    ``clock(period, today)``, when the caller scores many lines."""
    revenue, gm = (targets.revenue, targets.gm) if targets else (None, None)
    booked = float(sums["bookings"])
    att = attainment(booked, revenue)
    elapsed, weeks = clocked or clock(period, today)
    fc = forecast(booked, float(sums["weighted_due"]))
    on_pace = pace(att, elapsed)
    rate = win_rate(float(sums["won_count"]), float(sums["lost_count"]))
    remaining = remaining_quota(revenue, booked)
    v = v_value(float(sums["pipeline_due"]), remaining)
    return {
        "bookings": booked,
        "revenue_target": revenue,
        "attainment": att,
        "gm_booked": float(sums["gm_booked"]),
        "gm_target": gm,
        "gm_attainment": attainment(float(sums["gm_booked"]), gm),
        "elapsed": elapsed,
        "pace": on_pace,
        "pace_status": pace_status(on_pace),
        "forecast": fc,
        "forecast_attainment": attainment(fc, revenue),
        "remaining": remaining,
        "v": v.value,
        "quota_met": v.quota_met,
        "v_status": v_status(v.value, rate, v.quota_met),
        "pipeline_due": float(sums["pipeline_due"]),
        "open_pipeline": float(sums["open_pipeline"]),
        "weighted_pipeline": float(sums["weighted_pipeline"]),
        "win_rate": rate,
        "win_rate_amount": win_rate(float(sums["won_amount"]), float(sums["lost_amount"])),
        "won_count": int(sums["won_count"]),
        "lost_count": int(sums["lost_count"]),
        "avg_deal": average(float(sums["won_amount"]), float(sums["won_count"])),
        "cycle_days": average(float(sums["cycle_days_sum"]), float(sums["won_count"])),
        "overdue": float(sums["overdue"]),
        "visits_done": int(sums["visits_done"]),
        "visits_planned": int(sums["visits_planned"]),
        "visits_per_week": average(float(sums["visits_done"]), weeks),
        "target_commission": targets.target_commission if targets else None,
    }


def _rep_targets(quotas: pd.DataFrame, period: Period) -> pd.DataFrame:
    return rep_targets(quotas, period.quarter) if not quotas.empty else pd.DataFrame(columns=["revenue", "gm", "tc"])


def leaderboard(sums: pd.DataFrame, quotas: pd.DataFrame, period: Period, today: date) -> pd.DataFrame:
    """One line per rep (``sums``: ``queries.rep_rollup``, the ``SUMS`` by rep; ``quotas``: the year's task-book
    rows): rep_id, rep_code, name, team_id, team and ``score``'s columns."""
    targets = {  # every rep's in one pass
        rep_id: as_targets(revenue, gm, tc)
        for rep_id, revenue, gm, tc in _rep_targets(quotas, period)[["revenue", "gm", "tc"]].itertuples()
    }
    meta = sums[["rep_code", "name", "team_id", "team"]].to_dict("records")
    measures = cast(list[dict[str, float]], sums[list(SUMS)].astype(float).to_dict("records"))
    now = clock(period, today)
    lines = [
        {"rep_id": rep_id, **info, **score(values, targets.get(rep_id), period, today, now)}
        for rep_id, info, values in zip(sums.index, meta, measures, strict=True)
    ]
    return pd.DataFrame(lines)


def _name(value: Any) -> str | None:
    """A team's name as a line shows it; None for the reps without a team (NaN from the outer join)."""
    return None if value is None or pd.isna(value) else str(value)


def rolled_up(sums: pd.DataFrame, quotas: pd.DataFrame, period: Period, today: date) -> pd.DataFrame:
    """One line per team and one for everyone in scope (team None, ``name`` "*") of ``sums`` (``queries.rep_rollup``):
    the sums of its reps and the sums of their targets, through ``score``. Reps without a team make one line of
    team None, named None."""
    targets = _rep_targets(quotas, period)
    mine = targets[targets.index.isin(sums.index)].join(sums["team_id"])
    by_team = sums.groupby("team_id", dropna=False)
    totals = by_team[list(SUMS)].sum().astype(float)
    names, sizes = by_team["team"].first(), by_team.size()
    books = summed_targets(mine, "team_id").reindex(totals.index)[["revenue", "gm", "tc"]]  # NaN: no targets
    now = clock(period, today)
    lines = [
        {"team_id": team_id, "team": _name(names.loc[team_id]), "reps": int(sizes.loc[team_id])}
        | score(values, as_targets(*book), period, today, now)
        for team_id, values, book in zip(
            totals.index,
            cast(list[dict[str, float]], totals.to_dict("records")),
            books.itertuples(index=False),
            strict=True,
        )
    ]
    everyone = {k: float(sums[k].sum()) for k in SUMS}
    everyone_line = score(everyone, targets_of(mine), period, today, now)
    lines.append({"team_id": None, "team": "*", "reps": len(sums), **everyone_line})
    return pd.DataFrame(lines)


@dataclass(frozen=True)
class WhatIf:
    """ "If these open deals close": the bookings, attainment and payout they would bring."""

    added: float
    bookings: float
    attainment: float | None
    payout: Payout | None
    payout_now: Payout | None

    @property
    def extra_pay(self) -> float | None:
        if self.payout is None or self.payout_now is None:
            return None
        return self.payout.total - self.payout_now.total


def what_if(
    bookings: float,
    revenue_target: float | None,
    target_commission: float | None,
    amounts: Sequence[float],
    tiers: Sequence[Tier],
) -> WhatIf:
    """New bookings = bookings + the picked deals' amounts; attainment and payout (commission tiers) now and
    then. No payout without a target commission or a revenue target."""
    added = float(sum(amounts))
    new = bookings + added
    att_now, att_new = attainment(bookings, revenue_target), attainment(new, revenue_target)
    if target_commission is None or att_now is None or att_new is None:
        return WhatIf(added, new, att_new, None, None)
    return WhatIf(
        added,
        new,
        att_new,
        commission_payout(target_commission, att_new, tiers),
        commission_payout(target_commission, att_now, tiers),
    )


def cumulative_target(
    monthly: pd.DataFrame, target: float | None, period: Period, today: date | None = None
) -> pd.DataFrame:
    """Per month of the period: bookings, cumulative bookings, and the cumulative target line (the target
    spread evenly over the period's months; None without a target). ``monthly`` has month and bookings, a
    month on several lines (one per rep or team) summed. Months after ``today``'s have no bookings and no
    cumulative line yet (None), so the line stops where the data does."""
    months = list(range(period.start.month, period.end.month + 1))
    per_month = monthly.groupby("month")["bookings"].sum()
    booked = per_month.reindex(months, fill_value=0.0).astype(float)
    line = [None if target is None else target * (i + 1) / len(months) for i in range(len(months))]
    future = [today is not None and (period.year, m) > (today.year, today.month) for m in months]
    so_far = [None if later else float(v) for v, later in zip(booked.cumsum(), future, strict=True)]
    shown = [None if later else float(v) for v, later in zip(booked, future, strict=True)]
    return pd.DataFrame({"month": months, "bookings": shown, "cumulative": so_far, "target": line})


def coverage(accounts: pd.DataFrame, wanted: Sequence[str]) -> dict[str, int]:
    """Task-book target accounts: how many there are, and how many were visited, have open pipeline, booked."""
    seen = accounts[accounts["account_code"].isin(wanted)]
    return {
        "targets": len(set(wanted)),
        "visited": int((seen["visited"] > 0).sum()),
        "with_pipeline": int((seen["open_pipeline"] > 0).sum()),
        "booked": int((seen["booked"] > 0).sum()),
    }
