"""Funnel health from stage history (商机管理: V值及转化率): conversion, time in level, stalled deals,
and whether the configured level probabilities are honest (calibration). Pure functions.

Inputs: ``history`` (opportunity_id, level, entered_date) and ``opps`` (indexed by id: status,
closed_date). Only the first entry into a level counts as "entered" (a deal that moved back and
forward again entered it once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.sales import weighted_amounts

LEVELS = (1, 2, 3, 4, 5)
#: fewer closed deals than this behind a level: its observed win rate is not evidence yet
MIN_HISTORY = 30


def _first_entries(history: pd.DataFrame) -> pd.DataFrame:
    return history.sort_values("entered_date").drop_duplicates(["opportunity_id", "level"])


@dataclass(frozen=True)
class LevelConversion:
    level: int
    entered: int
    advanced: int
    won: int

    @property
    def to_next(self) -> float | None:
        """Conversion level k -> k+1: the share of deals that entered k and later entered any level above k."""
        return self.advanced / self.entered if self.entered else None

    @property
    def to_won(self) -> float | None:
        """Conversion level k -> won: the share of deals that entered k and were won."""
        return self.won / self.entered if self.entered else None


def conversion(history: pd.DataFrame, opps: pd.DataFrame, start: date, end: date) -> list[LevelConversion]:
    """Per level 1-5, over the cohort of deals that entered it in [start, end] (data dictionary, "Conversion")."""
    first = _first_entries(history)
    top = first.groupby("opportunity_id")["level"].max()
    out = []
    for level in LEVELS:
        cohort = first[(first["level"] == level) & (first["entered_date"] >= start) & (first["entered_date"] <= end)]
        ids = cohort["opportunity_id"]
        advanced = int((top.reindex(ids) > level).sum())
        won = int((opps["status"].reindex(ids) == "won").sum())
        out.append(LevelConversion(level, len(ids), advanced, won))
    return out


def days_in_level(history: pd.DataFrame, opps: pd.DataFrame, today: date) -> dict[int, float | None]:
    """Average days a deal spent at each level 1-5: from entering it to the next entry (a higher or lower
    level), or to the close, or to today while it is still there."""
    if history.empty:
        return dict.fromkeys(LEVELS)
    h = history.sort_values(["opportunity_id", "entered_date", "level"]).copy()
    h["next"] = h.groupby("opportunity_id")["entered_date"].shift(-1)
    closed = opps["closed_date"].reindex(h["opportunity_id"]).tolist()
    ends = [
        n if isinstance(n, date) else (c if isinstance(c, date) else today)
        for n, c in zip(h["next"], closed, strict=True)
    ]
    h["days"] = [(e - s).days for s, e in zip(h["entered_date"], ends, strict=True)]
    means = h[h["level"].isin(LEVELS)].groupby("level")["days"].mean()
    return {lv: (float(means[lv]) if lv in means.index else None) for lv in LEVELS}


def stalled(history: pd.DataFrame, opps: pd.DataFrame, today: date, days: int) -> pd.DataFrame:
    """Open deals whose level has not changed for more than ``days`` days: opportunity_id, level, since, idle."""
    if history.empty:
        return pd.DataFrame(columns=["opportunity_id", "level", "since", "idle_days"])
    last = history.sort_values(["opportunity_id", "entered_date", "level"]).drop_duplicates(
        "opportunity_id", keep="last"
    )
    open_ids = set(opps.index[opps["status"] == "open"])
    last = last[last["opportunity_id"].isin(open_ids)].copy()
    last["idle_days"] = [(today - d).days for d in last["entered_date"]]
    out = last[last["idle_days"] > days].rename(columns={"entered_date": "since"})
    return out.sort_values("idle_days", ascending=False, ignore_index=True)[
        ["opportunity_id", "level", "since", "idle_days"]
    ]


@dataclass(frozen=True)
class Calibration:
    level: int
    configured: float
    closed: int
    won: int

    @property
    def observed(self) -> float | None:
        """The share of closed deals that entered this level and went on to win."""
        return self.won / self.closed if self.closed else None

    @property
    def too_little_history(self) -> bool:
        return self.closed < MIN_HISTORY


def calibration(history: pd.DataFrame, opps: pd.DataFrame, probabilities: Mapping[int, float]) -> list[Calibration]:
    """Per level 1-5: the configured p(level) against what actually happened to the closed deals that
    entered it — no CRM shows whether its own ladder is honest."""
    first = _first_entries(history)
    closed = opps[opps["status"].isin(("won", "lost"))]
    out = []
    for level in LEVELS:
        ids = first.loc[first["level"] == level, "opportunity_id"]
        status = closed["status"].reindex(ids).dropna()
        out.append(Calibration(level, probabilities.get(level, 0.0), len(status), int((status == "won").sum())))
    return out


def stage_values(stages: pd.DataFrame, probabilities: Mapping[int, float]) -> pd.DataFrame:
    """Add ``weighted`` = amount x p(level) to funnel stages ("5w" counts as level 5, "6" as level 6)."""
    out = stages.copy()
    levels = out["stage"].map(lambda s: 5 if s == "5w" else int(s))
    out["weighted"] = weighted_amounts(levels, out["amount"], probabilities)
    return out


def _counts(counts: pd.DataFrame, columns: tuple[str, ...]) -> dict[int, tuple[int, ...]]:
    return {int(r["level"]): tuple(int(r[c]) for c in columns) for r in counts.to_dict("records")}


def conversion_from_counts(counts: pd.DataFrame) -> list[LevelConversion]:
    """``conversion``'s answer from per-level counts (level, entered, advanced, entered_won: of the deals that
    entered the level in the window, how many later reached a higher level and how many were won), e.g. counted
    in SQL (``data_access.queries.level_health``)."""
    found = _counts(counts, ("entered", "advanced", "entered_won"))
    return [LevelConversion(level, *found.get(level, (0, 0, 0))) for level in LEVELS]


def days_at_levels(stays: pd.DataFrame) -> dict[int, float | None]:
    """``days_in_level``'s answer from per-level sums (level, stays, days: the stays at the level and their days
    together, e.g. summed in SQL); None for a level nobody stayed at."""
    found = {
        int(level): float(days) / int(n)
        for level, n, days in zip(stays["level"], stays["stays"], stays["days"], strict=True)
        if n
    }
    return {level: found.get(level) for level in LEVELS}


def calibration_from_counts(counts: pd.DataFrame, probabilities: Mapping[int, float]) -> list[Calibration]:
    """``calibration``'s answer from per-level counts (level, closed, won), e.g. counted in SQL."""
    found = _counts(counts, ("closed", "won"))
    return [Calibration(level, probabilities.get(level, 0.0), *found.get(level, (0, 0))) for level in LEVELS]
