"""The forecast's loaders (``metrics.forecast``): what will land in a period for a scope (``/funnel`` and the
scorecard, the API's ``/forecast``), its track record over the last eight quarters, and the V value per RAD class
(the funnel page and the API's ``/funnel``).

Address: the filter bar's (``period``, ``team``, ``rep``, ``product``, ``rad``), read by ``resolve_filters``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from data_access import queries
from data_access.queries import forecast as reads
from data_access.result_cache import kept
from data_access.scope import Scope
from data_access.settings import load_settings
from data_access.users import Viewer
from metrics.forecast import (
    DRIVERS,
    EXACT_DEALS,
    Forecast,
    LevelRate,
    Replay,
    Rest,
    TrackRecord,
    history_window,
    last_quarters,
    level_rates,
    method_text,
    rest_of,
    simulate,
    spread_shares,
)
from metrics.frames import records
from metrics.period import Period
from metrics.sales import ClassV, period_targets, remaining_quota, v_by_class, weighted_pipeline
from metrics.views.filters import Filters, resolve_filters


@dataclass(frozen=True)
class ForecastData:
    filters: Filters
    period: Period
    forecast: Forecast
    rates: dict[int, LevelRate]
    #: the deals that matter most: the drawn deals with the largest share of the spread (``metrics.forecast``)
    drivers: list[dict[str, Any]]
    method: str
    #: True when the period has ended: what was booked is what landed (nothing simulated)
    closed_period: bool = False


@dataclass(frozen=True)
class Simulated:
    """A simulation and what it drew: the forecast, the due deals' sums per level, the deals drawn one by one with
    their p_land, and the moments of the rest."""

    forecast: Forecast
    sums: pd.DataFrame
    drawn: pd.DataFrame
    p: np.ndarray
    rest: Rest


def _simulated(
    session: Session,
    scope: Scope,
    period: Period,
    rates: Mapping[int, LevelRate],
    booked: float,
    quota: float | None,
    as_of: date | None = None,
) -> Simulated:
    """The simulation of the deals due by the period's end (open today, or on ``as_of``)."""
    sums = reads.due_sums(session, scope, period.end, as_of)
    drawn = reads.due_largest(session, scope, period.end, EXACT_DEALS, as_of)
    p = np.array([rates[int(lv)].p_land if int(lv) in rates else 0.0 for lv in drawn["level"]], dtype=float)
    rest = rest_of(sums, drawn, rates)
    return Simulated(simulate(drawn["amount"].to_numpy(dtype=float), p, booked, quota, rest), sums, drawn, p, rest)


def _drivers(sim: Simulated) -> list[dict[str, Any]]:
    drawn, p, rest = sim.drawn, sim.p, sim.rest
    if drawn.empty:
        return []
    shares = spread_shares(drawn["amount"].to_numpy(dtype=float), p, rest)
    rows = records(drawn)
    for row, pl, share in zip(rows, p, shares, strict=True):
        row["p_land"], row["share"] = float(pl), float(share)
    return sorted(rows, key=lambda r: (-r["share"], r["opp_code"]))[:DRIVERS]


def _rates(session: Session, scope: Scope, as_of: date) -> dict[int, LevelRate]:
    start, end = history_window(as_of)
    return level_rates(reads.level_outcomes(session, scope, start, end), load_settings(session).level_probabilities)


def _quota(session: Session, scope: Scope, period: Period) -> float | None:
    """The revenue target of the period from the task books of the reps in scope (per rep: no deal filter)."""
    targets = period_targets(queries.quota_rows(session, scope.owners(), period.year), period.quarter)
    return targets.revenue if targets else None


def class_v(session: Session, scope: Scope, period: Period, today: date) -> list[ClassV]:
    """The V value per class of the accounts in the period's year (``metrics.sales.v_by_class``): the open pipeline
    due by the period's end, the remaining quota shared by last year's bookings, each class's win rate of the last
    365 days. A class filter of the address does not apply here (every class is a line)."""
    scope = scope.without_classes()
    year = period.year
    booked, _gm = queries.bookings(session, scope.owners(), period.start, period.end)
    remaining = remaining_quota(_quota(session, scope, period), booked)
    pipe = reads.pipeline_due_by_class(session, scope, period.end, year)
    last = reads.bookings_by_class(session, scope, date(year - 1, 1, 1), date(year - 1, 12, 31), year)
    outcomes = reads.outcomes_by_class(session, scope, today - timedelta(days=364), today, year)
    return v_by_class(
        {str(r["rad_class"]): float(r["amount"]) for r in records(pipe)},
        {str(r["rad_class"]): float(r["amount"]) for r in records(last)},
        {str(r["rad_class"]): (float(r["won_amount"]), float(r["lost_amount"])) for r in records(outcomes)},
        remaining,
    )


@kept
def load_forecast(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> ForecastData:
    """The forecast of the address's period and scope: already booked (contracts signed in the period, of the deals
    in scope) + the simulated deals due in it; the quota is the task books' (per rep: no deal filter). A period
    that has ended simulates nothing."""
    chosen, _choices, scope = resolve_filters(session, viewer.scope, query, today)
    period = chosen.period
    rates = _rates(session, scope, today)
    booked, _gm = queries.bookings(session, scope, period.start, period.end)
    quota = _quota(session, scope, period)
    if period.end < today:
        forecast = simulate([], [], booked, quota)
        return ForecastData(chosen, period, forecast, rates, [], method_text(rates, forecast), closed_period=True)
    sim = _simulated(session, scope, period, rates, booked, quota)
    return ForecastData(chosen, period, sim.forecast, rates, _drivers(sim), method_text(rates, sim.forecast))


@dataclass(frozen=True)
class ClassVData:
    period: Period
    classes: list[ClassV]


@kept
def load_class_v(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> ClassVData:
    """The address's V value per RAD class (``class_v``)."""
    chosen, _choices, scope = resolve_filters(session, viewer.scope, query, today)
    return ClassVData(chosen.period, class_v(session, scope, chosen.period, today))


def replay(session: Session, scope: Scope, quarter: Period) -> Replay:
    """The forecast made at the start of ``quarter`` from the history before it (rates of the deals closed in the
    12 months before, the deals open that day at their level then), the weighted pipeline of the same deals, and
    the bookings of the deals in scope signed in the quarter."""
    start = quarter.start
    rates = _rates(session, scope, start - timedelta(days=1))
    sim = _simulated(session, scope, quarter, rates, 0.0, None, as_of=start)
    weighted = weighted_pipeline(sim.sums, load_settings(session).level_probabilities)
    actual, _gm = queries.bookings(session, scope, quarter.start, quarter.end)
    f = sim.forecast
    return Replay(quarter, f.p10, f.p50, f.p90, weighted, actual, f.deals)


@kept
def load_track_record(session: Session, viewer: Viewer, query: dict[str, str], today: date) -> TrackRecord:
    """The address's scope replayed at the start of each of the last eight whole quarters (``replay``)."""
    _chosen, _choices, scope = resolve_filters(session, viewer.scope, query, today)
    return TrackRecord([replay(session, scope, q) for q in last_quarters(today)])
