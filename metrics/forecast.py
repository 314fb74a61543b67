"""What will land (商机管理: from coverage to a forecast): a seeded simulation of the open deals due in a period, its
P10 / P50 / P90 of bookings, the probability of making the quota, the deals that matter most, and the track record
of the same forecast made at the start of past quarters. Pure functions (numpy); the reads are
``data_access.queries.forecast``, the loader ``metrics.views.forecast``.

The method (issue 21, and docs/api.md "Forecast"):

- a deal due in the period (open, expected close on or before the period's end: the V value's pipeline) lands when it
  is won *and* closes inside the period; the two are drawn as one Bernoulli trial with p = p_win x p_close;
- p_win of its level: of the deals that entered the level and closed (won or lost) in the last 12 months, the share
  won; p_close: the share of them that closed on or before their expected date;
- with fewer than ``MIN_CLOSED`` (30) such deals, each rate is shrunk: (hits + (30 - n) x prior) / 30, the observed
  deals weigh as many as they are and the prior the rest. The prior of p_win is the configured p(level); that of
  p_close is the share over all levels (1 when nothing closed: every due deal is then assumed to close in time, as
  the V value assumes);
- ``RUNS`` runs with a fixed seed (the same data give the same answer); the ``EXACT_DEALS`` largest deals are drawn one
  by one, the rest (a big company's many small deals) as one normal draw per run with their summed mean and variance
  (the central limit theorem: a sum of many small independent trials);
- bookings = already booked in the period + the simulated deals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from metrics.frames import records
from metrics.funnel import LEVELS, MIN_HISTORY
from metrics.period import Period

RUNS = 10_000
#: the seed of every simulation (1 + the deck's year): a forecast is reproducible
SEED = 2012
#: deals drawn one by one; beyond these, the smaller deals' sum is one normal draw per run
EXACT_DEALS = 1_000
#: fewer closed deals than this behind a level: its rates are shrunk toward the prior
MIN_CLOSED = MIN_HISTORY
#: the window of history the rates are observed over
HISTORY_DAYS = 365
#: how many past quarters the track record replays
BACKTEST_QUARTERS = 8
#: how many deals the page lists as the ones that matter most
DRIVERS = 10
#: amounts or probabilities, one per deal
Numbers = Sequence[float] | np.ndarray
#: runs per block of the exact draws (bounds the memory of one block to 1,000 x EXACT_DEALS values)
_BLOCK = 1_000


def shrink(hits: int, n: int, prior: float, weight: int = MIN_CLOSED) -> float:
    """The observed rate hits / n when ``n >= weight``; else (hits + (weight - n) x prior) / weight."""
    if n >= weight:
        return hits / n
    return (hits + (weight - n) * prior) / weight


@dataclass(frozen=True)
class LevelRate:
    """One level's rates: of the ``closed`` deals that entered it and closed in the window, ``won`` were won and
    ``on_time`` closed on or before their expected close date."""

    level: int
    closed: int
    won: int
    on_time: int
    #: the configured p(level), the prior of ``p_win``
    configured: float
    #: the share closed in time over all levels, the prior of ``p_close``
    pooled_on_time: float

    @property
    def shrunk(self) -> bool:
        """True when fewer than ``MIN_CLOSED`` deals are behind the rates (the page says so)."""
        return self.closed < MIN_CLOSED

    @property
    def p_win(self) -> float:
        return shrink(self.won, self.closed, self.configured)

    @property
    def p_close(self) -> float:
        return shrink(self.on_time, self.closed, self.pooled_on_time)

    @property
    def p_land(self) -> float:
        """Won and closed inside the period: p_win x p_close."""
        return self.p_win * self.p_close


def level_rates(counts: pd.DataFrame, probabilities: Mapping[int, float]) -> dict[int, LevelRate]:
    """``counts`` (level, closed, won, on_time: ``queries.forecast.level_outcomes``) as the rates of levels 1-5
    (a level without a row has no history: its rates are the priors)."""
    by_level = {int(r["level"]): r for r in records(counts)}
    closed = sum(int(r["closed"]) for r in by_level.values())
    pooled = sum(int(r["on_time"]) for r in by_level.values()) / closed if closed else 1.0
    out = {}
    for level in LEVELS:
        r = by_level.get(level, {"closed": 0, "won": 0, "on_time": 0})
        n, won, on_time = int(r["closed"]), int(r["won"]), int(r["on_time"])
        out[level] = LevelRate(level, n, won, on_time, float(probabilities.get(level, 0.0)), pooled)
    return out


@dataclass(frozen=True)
class Rest:
    """The deals not drawn one by one, as the moments of their landed sum: count, mean, variance."""

    count: int = 0
    mean: float = 0.0
    variance: float = 0.0


def rest_of(sums: pd.DataFrame, drawn: pd.DataFrame, rates: Mapping[int, LevelRate]) -> Rest:
    """The moments of the due deals that are not in ``drawn``: ``sums`` (level, count, amount, amount2: every due
    deal's count, sum of amounts and of squared amounts per level) less ``drawn``'s (level, amount). A deal of
    amount a landing with p adds a x p to the mean and a^2 x p x (1 - p) to the variance."""
    count, mean, variance = 0, 0.0, 0.0
    drawn_levels = drawn["level"].astype(int).to_numpy()
    drawn_amounts = drawn["amount"].astype(float).to_numpy()
    for r in records(sums):
        level = int(r["level"])
        mine = drawn_amounts[drawn_levels == level]
        p = rates[level].p_land if level in rates else 0.0
        amount = float(r["amount"]) - float(mine.sum())
        amount2 = float(r["amount2"]) - float((mine**2).sum())
        count += int(r["count"]) - len(mine)
        mean += amount * p
        variance += max(amount2, 0.0) * p * (1 - p)
    return Rest(int(count), mean, variance)


@dataclass(frozen=True)
class Forecast:
    """P10 / P50 / P90 of the period's bookings (already booked + the simulated deals due in it)."""

    booked: float
    p10: float
    p50: float
    p90: float
    mean: float
    quota: float | None
    #: the share of runs reaching the quota (1 when already booked; None without a quota)
    probability_of_quota: float | None
    runs: int
    #: the deals due in the period, and how many of them were drawn one by one
    deals: int
    drawn: int


def simulate(
    amounts: Numbers,
    p_land: Numbers,
    booked: float,
    quota: float | None,
    rest: Rest = Rest(),
    *,
    runs: int = RUNS,
    seed: int = SEED,
) -> Forecast:
    """``runs`` simulated periods: each deal lands (adds its amount) with its p_land, independently; ``rest`` adds
    one normal draw per run (clipped at 0). Percentiles are of the runs' totals (the nearest run at or above the
    rank: ``inverted_cdf``, so a small exact case gives values that can occur)."""
    a = np.asarray(amounts, dtype=float)
    p = np.clip(np.asarray(p_land, dtype=float), 0.0, 1.0)
    rng = np.random.default_rng(seed)
    totals = np.empty(runs, dtype=float)
    for start in range(0, runs, _BLOCK):
        size = min(_BLOCK, runs - start)
        landed = rng.random((size, len(a))) < p
        # a float matrix: numpy multiplies a boolean one without BLAS (8x slower at 1,000 deals)
        totals[start : start + size] = landed.astype(np.float64) @ a if len(a) else 0.0
    if rest.count and rest.variance > 0:
        totals += np.clip(rng.normal(rest.mean, np.sqrt(rest.variance), runs), 0.0, None)
    elif rest.count:
        totals += rest.mean
    totals += booked
    p10, p50, p90 = (float(v) for v in np.percentile(totals, [10, 50, 90], method="inverted_cdf"))
    reached = None if quota is None else (1.0 if booked >= quota else float(np.mean(totals >= quota)))
    return Forecast(booked, p10, p50, p90, float(totals.mean()), quota, reached, runs, len(a) + rest.count, len(a))


def spread_shares(amounts: Numbers, p_land: Numbers, rest: Rest) -> np.ndarray:
    """Each drawn deal's share of the variance of the simulated bookings: a^2 x p x (1 - p) / the total variance
    (the deals that matter most have the largest; independent trials' variances add up)."""
    a = np.asarray(amounts, dtype=float)
    p = np.asarray(p_land, dtype=float)
    own = a**2 * p * (1 - p)
    total = float(own.sum()) + rest.variance
    return own / total if total > 0 else np.zeros_like(own)


def last_quarters(today: date, n: int = BACKTEST_QUARTERS) -> list[Period]:
    """The ``n`` whole quarters before the one holding ``today``, oldest first."""
    current = Period.current_quarter(today)
    out = []
    day = current.start
    for _ in range(n):
        day = day - timedelta(days=1)
        quarter = Period.current_quarter(day)
        out.append(quarter)
        day = quarter.start
    return out[::-1]


def history_window(as_of: date) -> tuple[date, date]:
    """The closed deals a forecast made on ``as_of`` learns from: closed in the ``HISTORY_DAYS`` before it,
    ``as_of`` itself included for today's forecast (a past quarter's forecast passes its start's day before)."""
    return as_of - timedelta(days=HISTORY_DAYS - 1), as_of


@dataclass(frozen=True)
class Replay:
    """One past quarter: the forecast made at its start from the history as it was then, the weighted pipeline of
    the same deals (amount x configured p(level)), and what was actually booked in the quarter."""

    quarter: Period
    p10: float
    p50: float
    p90: float
    weighted: float
    actual: float
    deals: int

    @property
    def inside(self) -> bool:
        """The actual landed between P10 and P90 (inclusive)."""
        return self.p10 <= self.actual <= self.p90

    @property
    def empty(self) -> bool:
        """Nothing was due and nothing was booked: a quarter that tests no forecast (left out of the coverage)."""
        return self.deals == 0 and self.actual == 0

    @property
    def p50_error(self) -> float | None:
        """(P50 - actual) / actual: positive when the forecast was too high; None when nothing was booked."""
        return (self.p50 - self.actual) / self.actual if self.actual else None

    @property
    def weighted_error(self) -> float | None:
        return (self.weighted - self.actual) / self.actual if self.actual else None


@dataclass(frozen=True)
class TrackRecord:
    replays: list[Replay]

    @property
    def coverage(self) -> float | None:
        """The share of quarters whose actual landed between P10 and P90 (about 80% when the ranges are honest);
        quarters with nothing due and nothing booked are left out."""
        tested = [r for r in self.replays if not r.empty]
        return sum(r.inside for r in tested) / len(tested) if tested else None

    @property
    def p50_mean_error(self) -> float | None:
        """The mean absolute error of P50, as a share of the actual (quarters with bookings)."""
        return _mean_abs([r.p50_error for r in self.replays])

    @property
    def weighted_mean_error(self) -> float | None:
        """The same of the weighted pipeline."""
        return _mean_abs([r.weighted_error for r in self.replays])


def _mean_abs(values: list[float | None]) -> float | None:
    known = [abs(v) for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _rest_note(forecast: Forecast) -> str:
    rest = forecast.deals - forecast.drawn
    return f", {rest} smaller ones as one normal sum" if rest else ""


def method_text(rates: Mapping[int, LevelRate], forecast: Forecast) -> str:
    """The API's ``method``: how the numbers came about, in one line (which levels were shrunk, what was drawn)."""
    shrunk = [str(r.level) for r in rates.values() if r.shrunk]
    parts = [
        f"monte_carlo: {forecast.runs} runs, seed {SEED}",
        f"{forecast.deals} deals due ({forecast.drawn} drawn one by one"
        + (
            f", {forecast.deals - forecast.drawn} smaller ones as one normal sum)"
            if forecast.deals > forecast.drawn
            else ")"
        ),
        "p = p_win(level) x p_close(level) from deals closed in the last 12 months",
        f"shrunk toward p(level) where fewer than {MIN_CLOSED} closed: levels {', '.join(shrunk)}"
        if shrunk
        else f"every level has {MIN_CLOSED}+ closed deals",
    ]
    return "; ".join(parts)
