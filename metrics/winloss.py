"""Win/loss analysis (赢输分析; domain brief, "Sales support" 4): why deals are won and lost. Pure functions.

Win rate (data dictionary, "Definitions") = won / (won + lost) among the opportunities closed in the period,
by count and by amount (``metrics.sales.win_rate``): a rate, not a won:lost ratio.

Inputs:
- ``deals``: closed deals, one row per opportunity, as ``data_access.queries.closed_deals`` returns them:
  status (won / lost), amount, level (the level at close), created_date, closed_date, loss_reason,
  win_reason, and what deals are cut by: rad_class, industry, region, team, rep_code (with owner, the rep's
  name), product_line, competitor.
- tallies: one row per group with won and lost (counts) and won_amount and lost_amount, from ``tally``
  or from an SQL aggregate of the same shape (``queries.competitor_outcomes``); ``Outcomes`` per quarter.

A missing value (no loss reason, no competitor named, no product line, no known SOW) is a group of its
own, keyed ``MISSING``, never dropped: a gap in the data stays in sight.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from metrics.period import Period
from metrics.sales import Outcomes, win_rate

#: Fewer closed deals than this behind a rate: shown, but marked as a small sample.
MIN_SAMPLE = 10
#: The key of a missing value (the same word as the RAD class of an account whose SOW is unknown).
MISSING = "none"
OUTCOMES = ("won", "lost")
#: What a win rate can be cut by, and the column of ``deals`` holding it (size_band is computed from amount).
SEGMENT_COLUMNS: Mapping[str, str] = {
    "rad_class": "rad_class",
    "industry": "industry",
    "region": "region",
    "team": "team",
    "rep": "rep_code",
    "product_line": "product_line",
    "competitor": "competitor",
    "size_band": "amount",
}
SEGMENTS = tuple(SEGMENT_COLUMNS)
#: Deal-size bands in CNY: (key, lower bound included, upper bound excluded); every amount >= 0 has one.
SIZE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("<100k", 0.0, 100_000.0),
    ("100k-500k", 100_000.0, 500_000.0),
    ("500k-1M", 500_000.0, 1_000_000.0),
    ("1M-5M", 1_000_000.0, 5_000_000.0),
    (">=5M", 5_000_000.0, math.inf),
)
#: Segments shown in a fixed order (the others: most deals first).
FIXED_ORDER: Mapping[str, tuple[str, ...]] = {
    "rad_class": ("R", "A", "D", MISSING),
    "size_band": tuple(key for key, _lo, _hi in SIZE_BANDS),
}
#: The win-rate trend covers this many calendar quarters, ending with the one holding the period's end.
TREND_QUARTERS = 8
TALLY = ["won", "lost", "won_amount", "lost_amount"]


def key(value: Any) -> str:
    """A group key: the value as text, or ``MISSING`` for None, NaN and blank text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    text = str(value).strip()
    return text or MISSING


def size_band(amount: float) -> str:
    """The key of the band of ``SIZE_BANDS`` holding ``amount`` (lower bound <= amount < upper bound)."""
    for band, low, high in SIZE_BANDS:
        if low <= amount < high:
            return band
    return SIZE_BANDS[0][0]  # a negative amount (the importer refuses them): the smallest band


def segment_keys(deals: pd.DataFrame, segment: str) -> list[str]:
    """Each deal's key in ``segment`` (one of ``SEGMENTS``)."""
    column = deals[SEGMENT_COLUMNS[segment]]
    if segment == "size_band":
        return [size_band(float(a)) for a in column]
    return [key(v) for v in column]


def regroup(groups: pd.DataFrame, segment: str) -> pd.DataFrame:
    """Tallies per value of ``segment`` (a column named ``segment`` and ``TALLY``; e.g. SQL groups, where a
    missing value is None) summed per key of the value (``key``): a column named ``segment`` holds the key."""
    frame = groups.assign(**{segment: [key(v) for v in groups[segment]]})
    return frame.groupby(segment, sort=False, as_index=False)[TALLY].sum()


def tally(deals: pd.DataFrame, segment: str) -> pd.DataFrame:
    """Per key of ``segment``: won, lost (counts), won_amount, lost_amount (a column named ``segment`` holds
    the key)."""
    won = (deals["status"] == "won").to_numpy()
    lost = (deals["status"] == "lost").to_numpy()
    amount = deals["amount"].astype(float).to_numpy()
    frame = pd.DataFrame(
        {
            segment: segment_keys(deals, segment),
            "won": won.astype(int),
            "lost": lost.astype(int),
            "won_amount": amount * won,
            "lost_amount": amount * lost,
        }
    )
    return regroup(frame, segment)


def rates(tallies: pd.DataFrame) -> pd.DataFrame:
    """Add to each tally row: n = won + lost, win_rate = won / (won + lost) by count, win_rate_amount =
    won_amount / (won_amount + lost_amount), small = n < MIN_SAMPLE. A rate is None (NaN) when nothing closed."""
    out = tallies.copy()
    out["n"] = out["won"].astype(int) + out["lost"].astype(int)
    out["win_rate"] = [win_rate(w, lo) for w, lo in zip(out["won"], out["lost"], strict=True)]
    out["win_rate_amount"] = [
        win_rate(float(w), float(lo)) for w, lo in zip(out["won_amount"], out["lost_amount"], strict=True)
    ]
    out["small"] = out["n"] < MIN_SAMPLE
    return out


def outcomes(deals: pd.DataFrame) -> Outcomes:
    """How many deals and how much were won and lost (win rate = ``win_rate`` of these, by count or amount).
    ``deals`` has status and amount, and count when its rows are groups (``queries.closed_shape``)."""
    won = deals[deals["status"] == "won"]
    lost = deals[deals["status"] == "lost"]
    return Outcomes(
        int(_counts(won).sum()), int(_counts(lost).sum()), float(won["amount"].sum()), float(lost["amount"].sum())
    )


def rep_labels(deals: pd.DataFrame) -> dict[str, str]:
    """Each rep code's label among ``deals``: "name (code)"."""
    return {key(c): f"{n} ({c})" for c, n in zip(deals["rep_code"], deals["owner"], strict=True)}


def segment_rates(deals: pd.DataFrame, segment: str) -> pd.DataFrame:
    """Win rate by count and by amount per key of ``segment`` among ``deals`` (``ranked_rates``)."""
    return ranked_rates(tally(deals, segment), segment, rep_labels(deals) if segment == "rep" else {})


def ranked_rates(tallies: pd.DataFrame, segment: str, labels: Mapping[str, str]) -> pd.DataFrame:
    """Win rate by count and by amount per key of ``segment`` (key, label, won, lost, won_amount,
    lost_amount, n, win_rate, win_rate_amount, small) from its tallies (``tally``, ``regroup``): RAD class in
    R, A, D, none order, size bands smallest first, the others with the most deals first. ``label`` is the
    key's entry in ``labels`` (for a rep "name (code)"), else the key."""
    out = rates(tallies).rename(columns={segment: "key"})
    if segment in FIXED_ORDER:
        rank = {k: i for i, k in enumerate(FIXED_ORDER[segment])}
        out = out.assign(_rank=[rank.get(k, len(rank)) for k in out["key"]])
        out = out.sort_values(["_rank", "key"], ignore_index=True).drop(columns="_rank")
    else:
        out = out.sort_values(["n", "key"], ascending=[False, True], ignore_index=True)
    out.insert(1, "label", [labels.get(k, k) for k in out["key"]])
    return out


def loss_pareto(lost: pd.DataFrame) -> pd.DataFrame:
    """Loss reasons as a Pareto: the most frequent first, each with its share of the lost deals and the
    cumulative share, by count and by amount (share = count / all lost deals; the cumulative shares follow
    the count order).

    ``lost`` has reason and amount, and count when its rows are groups (``queries.loss_reasons``); without a
    count column each row is one deal. Deals lost without a reason are one row keyed ``MISSING``, last:
    they complete the 100%, never a silent gap. Columns: reason, count, amount, share, cumulative,
    amount_share, cumulative_amount, missing.
    """
    counts = lost["count"].astype(int) if "count" in lost else pd.Series(1, index=lost.index)
    frame = pd.DataFrame(
        {
            "reason": [key(r) for r in lost["reason"]],
            "count": counts.to_numpy(),
            "amount": lost["amount"].astype(float).to_numpy(),
        }
    )
    out = frame.groupby("reason", as_index=False)[["count", "amount"]].sum()
    out["missing"] = out["reason"] == MISSING
    out = out.sort_values(["missing", "count", "amount", "reason"], ascending=[True, False, False, True])
    out = out.reset_index(drop=True)
    total, total_amount = int(out["count"].sum()), float(out["amount"].sum())
    out["share"] = out["count"] / total if total else 0.0
    out["cumulative"] = out["count"].cumsum() / total if total else 0.0
    out["amount_share"] = out["amount"] / total_amount if total_amount else 0.0
    out["cumulative_amount"] = out["amount"].cumsum() / total_amount if total_amount else 0.0
    return out[["reason", "count", "amount", "share", "cumulative", "amount_share", "cumulative_amount", "missing"]]


def head_to_head(competitors: pd.DataFrame) -> pd.DataFrame:
    """Per named competitor (a tally with a ``competitor`` column; ``MISSING`` rows, no competitor named,
    are left out): deals met = won + lost, won, lost, amount met, win rate by count and by amount, small
    sample; the competitors met most first."""
    named = competitors[competitors["competitor"].map(key).ne(MISSING)]
    out = rates(named).rename(columns={"n": "met"})
    out["amount"] = out["won_amount"].astype(float) + out["lost_amount"].astype(float)
    out = out.sort_values(["met", "competitor"], ascending=[False, True], ignore_index=True)
    columns = ["competitor", "met", "won", "lost", "amount", "won_amount", "lost_amount"]
    return out[[*columns, "win_rate", "win_rate_amount", "small"]]


def _counts(rows: pd.DataFrame) -> pd.Series:
    """How many deals each row stands for: its ``count`` when the rows are groups, else 1."""
    return rows["count"].astype(int) if "count" in rows else pd.Series(1, index=rows.index, dtype=int)


def lost_by_level(deals: pd.DataFrame) -> pd.DataFrame:
    """Where lost deals were lost: per level at close (1-5, and any other level a lost deal holds), the
    lost deals' count, amount and share of the lost count. ``deals`` has status, level and amount, and
    count when its rows are groups (``queries.closed_shape``)."""
    lost = deals[deals["status"] == "lost"]
    levels = sorted({1, 2, 3, 4, 5} | {int(v) for v in lost["level"]})
    grouped = lost.assign(level=lost["level"].astype(int), n=_counts(lost)).groupby("level")
    count = grouped["n"].sum().reindex(levels, fill_value=0)
    amount = grouped["amount"].sum().reindex(levels, fill_value=0.0)
    total = int(count.sum())
    return pd.DataFrame(
        {
            "level": levels,
            "count": count.astype(int).to_numpy(),
            "amount": amount.astype(float).to_numpy(),
            "share": (count / total).to_numpy() if total else [0.0] * len(levels),
        }
    )


def cycle_days(deals: pd.DataFrame) -> list[int]:
    """Sales cycle of each deal: closed_date - created_date, in days."""
    return [(c - s).days for s, c in zip(deals["created_date"], deals["closed_date"], strict=True)]


def cycle_lengths(deals: pd.DataFrame) -> pd.DataFrame:
    """Sales cycle (closed_date - created_date, days) of won against lost deals: outcome, count,
    median_days, mean_days (None without deals). Rows: won, lost. ``deals`` has status and the dates, or
    status, days and count when its rows are groups (``queries.closed_shape``)."""
    rows = []
    for outcome in OUTCOMES:
        these = deals[deals["status"] == outcome]
        each = these["days"].astype(int).tolist() if "days" in these else cycle_days(these)
        days = pd.Series(np.repeat(np.asarray(each, dtype=float), _counts(these).to_numpy()), dtype=float)
        rows.append(
            {
                "outcome": outcome,
                "count": len(days),
                "median_days": float(days.median()) if len(days) else None,
                "mean_days": float(days.mean()) if len(days) else None,
            }
        )
    return pd.DataFrame(rows)


def trend_quarters(end: date, quarters: int = TREND_QUARTERS) -> list[Period]:
    """The ``quarters`` calendar quarters ending with the one holding ``end``, oldest first (for a year
    period, its four quarters and the four before)."""
    index = end.year * 4 + (end.month - 1) // 3
    return [Period(i // 4, i % 4 + 1) for i in range(index - quarters + 1, index + 1)]


def outcomes_in(by_day: pd.DataFrame, period: Period) -> Outcomes:
    """The won and lost deals of ``by_day`` (status, closed_date, count, amount: ``queries.closed_by_day``)
    closed inside ``period``."""
    inside = by_day[(by_day["closed_date"] >= period.start) & (by_day["closed_date"] <= period.end)]
    won, lost = inside[inside["status"] == "won"], inside[inside["status"] == "lost"]
    return Outcomes(
        won_count=int(won["count"].sum()),
        lost_count=int(lost["count"].sum()),
        won_amount=float(won["amount"].sum()),
        lost_amount=float(lost["amount"].sum()),
    )


def win_rate_trend(by_quarter: Mapping[Period, Outcomes]) -> pd.DataFrame:
    """Win rate by count and by amount per quarter, oldest first (quarter as ``2026Q3``, start, then as
    ``rates``); a quarter without closed deals has no rate."""
    ordered = sorted(by_quarter.items())
    frame = pd.DataFrame(
        {
            "quarter": [q.key for q, _o in ordered],
            "start": [q.start for q, _o in ordered],
            "won": [o.won_count for _q, o in ordered],
            "lost": [o.lost_count for _q, o in ordered],
            "won_amount": [o.won_amount for _q, o in ordered],
            "lost_amount": [o.lost_amount for _q, o in ordered],
        }
    )
    return rates(frame)


#: The URL parameters that name the deals behind a click (one at a time); ``segment`` picks the chart's cut.
DRILL_PARAMS = ("reason", "value", "lost_level", "outcome")
DEFAULT_SEGMENT = "rad_class"
MAX_VALUE = 200


@dataclass(frozen=True)
class Drill:
    """Which closed deals a click asks for: ``dimension`` is a segment of ``SEGMENTS`` (deals with that
    key), ``reason`` (lost deals with that loss reason; ``MISSING``: none given), ``lost_level`` (lost
    deals at that level at close) or ``outcome`` (won or lost deals)."""

    dimension: str
    value: str

    @classmethod
    def make(cls, dimension: str, value: Any) -> Drill | None:
        """A drill from untrusted input, or None when the dimension or the value is not one there can be."""
        if not isinstance(value, str | int) or isinstance(value, bool):
            return None
        text = str(value)
        if not 0 < len(text) <= MAX_VALUE:
            return None
        if dimension == "lost_level":
            return cls(dimension, text) if text in ("1", "2", "3", "4", "5", "6") else None
        if dimension == "outcome":
            return cls(dimension, text) if text in OUTCOMES else None
        return cls(dimension, text) if dimension in (*SEGMENTS, "reason") else None

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Drill | None:
        """The drill a URL query names: ``reason=``, else ``value=`` of the chosen ``segment=``, else
        ``lost_level=``, else ``outcome=``; anything else is no drill."""
        for param in DRILL_PARAMS:
            if query.get(param) is not None:
                dimension = chosen_segment(query)[0] if param == "value" else param
                return cls.make(dimension, query[param])
        return None

    def params(self) -> dict[str, str]:
        """The URL parameters naming this drill."""
        if self.dimension in SEGMENTS:
            return {"segment": self.dimension, "value": self.value}
        return {self.dimension: self.value}

    def applied_to(self, query: Mapping[str, str]) -> dict[str, str]:
        """``query`` with this drill instead of any other (the filters and the chosen segment stay)."""
        return {**without_drill(query), **self.params()}


def without_drill(query: Mapping[str, str]) -> dict[str, str]:
    """``query`` without the parameters naming a drill."""
    return {k: v for k, v in query.items() if k not in DRILL_PARAMS}


def chosen_segment(query: Mapping[str, Any]) -> tuple[str, str | None]:
    """The segment a URL query picks for the win-rate chart (default RAD class) and a problem to show when
    its ``segment=`` is not one of ``SEGMENTS``."""
    raw = query.get("segment")
    if raw is None or raw == "":
        return DEFAULT_SEGMENT, None
    if raw in SEGMENTS:
        return str(raw), None
    return DEFAULT_SEGMENT, f"segment {str(raw)[:40]!r} is not one of {', '.join(SEGMENTS)}"


def deals_behind(deals: pd.DataFrame, drill: Drill) -> pd.DataFrame:
    """The closed deals behind one bar or row, largest first, with cycle_days (closed - created) and reason
    (a lost deal's loss reason, a won deal's win reason)."""
    lost = deals["status"] == "lost"
    if drill.dimension in SEGMENTS:
        mask = pd.Series(segment_keys(deals, drill.dimension), index=deals.index) == drill.value
    elif drill.dimension == "reason":
        mask = lost & (pd.Series([key(r) for r in deals["loss_reason"]], index=deals.index) == drill.value)
    elif drill.dimension == "lost_level":
        mask = lost & (deals["level"].astype(int) == int(drill.value))
    else:
        mask = deals["status"] == drill.value
    out = deals[mask].copy()
    out["cycle_days"] = cycle_days(out)
    out["reason"] = out["loss_reason"].where(out["status"] == "lost", out["win_reason"])
    return out.sort_values(["amount", "opp_code"], ascending=[False, True], ignore_index=True)
