"""Edges of the forecast's pure functions, of ``Period`` and of the client-input parser (issue 23: tests that catch
a wrong number).

metrics.forecast: the seeded stream behind ``simulate`` (runs x deals uniforms, then one normal per run for the
rest), its inverted-CDF percentiles, the rest's clipping and its zero-count / tiny-variance cases, ``spread_shares``
on a small total and on whole-number amounts, ``shrink`` at exactly ``MIN_CLOSED`` deals, the ``method`` line.
metrics.period: the year range's ends, the period's first and last days, ``parse``'s messages.
metrics.params: ``number``'s bounds and non-text input, ``texts``' and ``query``'s length limits.

Every expected value is a literal, or a few lines of plain Python / numpy over the same literal inputs; the function
under test never computes its own expectation.
"""

from __future__ import annotations

import math
import re
from datetime import date

import numpy as np
import pytest

from metrics import params
from metrics.forecast import (
    Forecast,
    LevelRate,
    Rest,
    _rest_note,
    method_text,
    shrink,
    simulate,
    spread_shares,
)
from metrics.period import Period

# --- shrink -----------------------------------------------------------------------------------------------------


def test_fce001_shrink_at_exactly_the_weight_ignores_the_prior() -> None:
    # 30 closed deals, 15 won: the observed 15 / 30; the prior is not used at all, not even weighted by 0
    assert shrink(15, 30, float("nan")) == 0.5
    assert shrink(3, 4, float("nan"), weight=4) == 0.75


# --- simulate: the seeded stream --------------------------------------------------------------------------------


def _inverted_cdf(totals: list[float], q: int) -> float:
    """The ``inverted_cdf`` percentile: the smallest total whose rank reaches q% of the runs."""
    ordered = sorted(totals)
    return ordered[math.ceil(q * len(ordered) / 100) - 1]


def test_fce002_simulate_is_the_seeded_stream_with_a_rest() -> None:
    # 10 runs of three deals (1, 2, 4 landing with p .5) + a rest (mean 3, sd 2, clipped at 0) + 100 booked: the
    # runs are rng.random((10, 3)) row by row, then rng.normal(3, 2, 10), from default_rng(11)
    amounts, p, runs, seed = [1.0, 2.0, 4.0], [0.5, 0.5, 0.5], 10, 11
    rng = np.random.default_rng(seed)
    uniforms = rng.random((runs, 3))
    normals = rng.normal(3.0, 2.0, runs)
    totals = [
        sum(a for a, u, pl in zip(amounts, row, p, strict=True) if u < pl) + max(float(z), 0.0) + 100.0
        for row, z in zip(uniforms, normals, strict=True)
    ]
    assert len(set(totals)) == runs  # every run differs: each percentile picks one run
    f = simulate(amounts, p, 100.0, None, Rest(count=5, mean=3.0, variance=4.0), runs=runs, seed=seed)
    # P10 = the 1st of 10 sorted totals, P50 the 5th, P90 the 9th (not interpolated, not the 2nd / 6th / 10th)
    assert f.p10 == pytest.approx(_inverted_cdf(totals, 10), rel=1e-12)
    assert f.p50 == pytest.approx(_inverted_cdf(totals, 50), rel=1e-12)
    assert f.p90 == pytest.approx(_inverted_cdf(totals, 90), rel=1e-12)
    assert f.p10 == pytest.approx(sorted(totals)[0], rel=1e-12)
    assert f.p50 == pytest.approx(sorted(totals)[4], rel=1e-12)
    assert f.p90 == pytest.approx(sorted(totals)[8], rel=1e-12)
    assert f.mean == pytest.approx(sum(totals) / runs, rel=1e-12)
    assert (f.booked, f.quota, f.probability_of_quota, f.runs, f.deals, f.drawn) == (100.0, None, None, 10, 8, 3)


def test_fce003_simulate_stream_across_blocks() -> None:
    # 1,500 runs: a block of 1,000 and one of 500; the uniforms are the same stream as one (1500, 2) draw
    amounts, p, runs, seed = [10.0, 20.0], [0.3, 0.6], 1_500, 5
    uniforms = np.random.default_rng(seed).random((runs, 2))
    totals = [sum(a for a, u, pl in zip(amounts, row, p, strict=True) if u < pl) for row in uniforms]
    f = simulate(amounts, p, 0.0, 20.0, runs=runs, seed=seed)
    assert f.mean == pytest.approx(sum(totals) / runs, rel=1e-12)
    assert f.probability_of_quota == pytest.approx(sum(t >= 20.0 for t in totals) / runs, rel=1e-12)
    assert (f.p10, f.p50, f.p90) == (
        _inverted_cdf(totals, 10),
        _inverted_cdf(totals, 50),
        _inverted_cdf(totals, 90),
    )


# --- simulate: the rest -----------------------------------------------------------------------------------------


def test_fce004_rest_of_no_deals_adds_nothing() -> None:
    # a rest of 0 deals adds nothing, whatever moments it carries
    f = simulate([], [], 250.0, 300.0, Rest(count=0, mean=100.0, variance=400.0))
    assert (f.p10, f.p50, f.p90, f.mean) == (250.0, 250.0, 250.0, 250.0)
    assert f.probability_of_quota == 0.0
    assert (f.deals, f.drawn) == (0, 0)


def test_fce005_rest_with_a_small_variance_is_still_drawn() -> None:
    # variance .5 (sd .707): P10 ~ 100 - 1.2816 x .707 = 99.094, P90 ~ 100.906 (the quantiles' sd at 10,000 runs is
    # ~ .012); not the constant 100
    f = simulate([], [], 0.0, None, Rest(count=3, mean=100.0, variance=0.5))
    sd = math.sqrt(0.5)
    assert f.p10 == pytest.approx(100.0 - 1.2816 * sd, abs=0.06)
    assert f.p50 == pytest.approx(100.0, abs=0.06)
    assert f.p90 == pytest.approx(100.0 + 1.2816 * sd, abs=0.06)
    assert f.mean == pytest.approx(100.0, abs=0.03)
    assert f.deals == 3


def test_fce006_rest_draws_are_clipped_at_zero() -> None:
    # mean 0, sd 100: half the draws are negative and count 0. P10 is exactly 0 (not -128, not 1);
    # mean = sd / sqrt(2 pi) = 39.89 (sd of the estimate ~ .6); P90 = 128.2 (its sd ~ 1.8)
    f = simulate([], [], 0.0, None, Rest(count=10, mean=0.0, variance=10_000.0))
    assert f.p10 == 0.0
    assert f.mean == pytest.approx(100.0 / math.sqrt(2 * math.pi), abs=3.0)
    assert f.p90 == pytest.approx(128.16, abs=8.0)
    # with 50 booked: P10 = exactly 50
    assert simulate([], [], 50.0, None, Rest(count=10, mean=0.0, variance=10_000.0)).p10 == 50.0


def test_fce007_rest_with_zero_variance_adds_its_mean() -> None:
    f = simulate([], [], 10.0, 40.0, Rest(count=4, mean=30.0, variance=0.0))
    assert (f.p10, f.p50, f.p90, f.mean) == (40.0, 40.0, 40.0, 40.0)
    assert f.probability_of_quota == 1.0
    assert (f.deals, f.drawn) == (4, 0)


# --- spread_shares ----------------------------------------------------------------------------------------------


def test_fce008_spread_shares_of_a_total_below_one() -> None:
    # one deal of 1 with p .5: own = 1 x .5 x .5 = .25 = the whole variance -> share 1
    assert spread_shares([1.0], [0.5], Rest()).tolist() == [1.0]
    # .25 and 1^2 x .2 x .8 = .16, + a rest of .09: total .5 -> .5, .32
    got = spread_shares([1.0, 1.0], [0.5, 0.2], Rest(count=1, mean=0.1, variance=0.09))
    assert got.tolist() == pytest.approx([0.5, 0.32])


def test_fce009_spread_shares_of_whole_number_amounts() -> None:
    # amounts as Python ints of 4 and 1 billion (their squares exceed int64): 16e18 x .25 and 1e18 x .25 -> 16/17, 1/17
    got = spread_shares([4_000_000_000, 1_000_000_000], [0.5, 0.5], Rest())
    assert got.tolist() == pytest.approx([16 / 17, 1 / 17])
    # nothing uncertain: zeros
    assert spread_shares([5, 7], [1.0, 0.0], Rest()).tolist() == [0.0, 0.0]


# --- the method line --------------------------------------------------------------------------------------------


def _forecast(deals: int, drawn: int) -> Forecast:
    return Forecast(0.0, 0.0, 0.0, 0.0, 0.0, None, None, 10_000, deals, drawn)


def _rates(closed: dict[int, int]) -> dict[int, LevelRate]:
    return {lv: LevelRate(lv, n, 0, 0, 0.5, 1.0) for lv, n in closed.items()}


def test_fce010_rest_note() -> None:
    assert _rest_note(_forecast(1_200, 1_000)) == ", 200 smaller ones as one normal sum"
    assert _rest_note(_forecast(7, 7)) == ""


def test_fce011_method_text_with_a_rest_and_shrunk_levels() -> None:
    rates = _rates({1: 30, 2: 29, 3: 100, 4: 0, 5: 30})
    assert method_text(rates, _forecast(1_200, 1_000)) == (
        "monte_carlo: 10000 runs, seed 2012; "
        "1200 deals due (1000 drawn one by one, 200 smaller ones as one normal sum); "
        "p = p_win(level) x p_close(level) from deals closed in the last 12 months; "
        "shrunk toward p(level) where fewer than 30 closed: levels 2, 4"
    )


def test_fce012_method_text_everything_drawn_nothing_shrunk() -> None:
    rates = _rates({1: 30, 2: 31, 3: 100, 4: 45, 5: 30})
    assert method_text(rates, _forecast(2, 2)) == (
        "monte_carlo: 10000 runs, seed 2012; "
        "2 deals due (2 drawn one by one); "
        "p = p_win(level) x p_close(level) from deals closed in the last 12 months; "
        "every level has 30+ closed deals"
    )
    assert method_text(_rates({3: 5}), _forecast(0, 0)) == (
        "monte_carlo: 10000 runs, seed 2012; "
        "0 deals due (0 drawn one by one); "
        "p = p_win(level) x p_close(level) from deals closed in the last 12 months; "
        "shrunk toward p(level) where fewer than 30 closed: levels 3"
    )


# --- Period -----------------------------------------------------------------------------------------------------


def test_fce013_period_year_range_ends() -> None:
    assert (Period(1900).start, Period(2999, 4).end) == (date(1900, 1, 1), date(2999, 12, 31))
    with pytest.raises(ValueError, match=r"^year 1899 is out of range$"):
        Period(1899)
    with pytest.raises(ValueError, match=r"^year 3000 is out of range$"):
        Period(3000)
    with pytest.raises(ValueError, match=r"^quarter 5 must be 1-4$"):
        Period(2026, 5)
    with pytest.raises(ValueError, match=r"^quarter 0 must be 1-4$"):
        Period(2026, 0)


def test_fce014_period_contains_its_first_and_last_day() -> None:
    q = Period(2026, 2)
    assert [q.contains(d) for d in (date(2026, 3, 31), date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 1))] == [
        False,
        True,
        True,
        False,
    ]
    y = Period(2025)
    assert (y.contains(date(2025, 1, 1)), y.contains(date(2025, 12, 31))) == (True, True)


def test_fce015_period_parse_messages() -> None:
    cases = {
        "2026Q3Q": "'2026Q3Q' is not a period (expected YYYY or YYYYQn): invalid literal for int() with base 10: '3Q'",
        "1899": "'1899' is not a period (expected YYYY or YYYYQn): year 1899 is out of range",
        "2026q5": "'2026q5' is not a period (expected YYYY or YYYYQn): quarter 5 must be 1-4",
    }
    for raw, message in cases.items():
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            Period.parse(raw)


def test_fce016_current_year() -> None:
    assert Period.current_year(date(2025, 6, 1)) == Period(2025)
    assert Period.current_year(date(2025, 6, 1)).quarter is None


# --- params -----------------------------------------------------------------------------------------------------


def test_fce017_number_bounds_are_inclusive() -> None:
    assert params.number(0, 0.0, 10.0) == 0.0
    assert params.number("10", 0.0, 10.0) == 10.0
    assert params.number(10.5, 0.0, 10.0) is None
    assert params.number(-0.5, 0.0, 10.0) is None


def test_fce018_number_of_anything_else_is_none() -> None:
    assert params.number(None, 0.0, 1e9) is None
    assert params.number([1], 0.0, 1e9) is None
    assert params.number("1e3", 0.0, 1e9) is None
    assert params.number("inf", 0.0, math.inf) is None
    assert params.number("abc", 0.0, 1e9) is None


def test_fce019_texts_default_length_is_50() -> None:
    assert params.texts(["a" * 50, "b" * 51, "c"], 5) == ["a" * 50, "c"]
    assert params.texts(["a" * 60], 5, max_length=60) == ["a" * 60]


def test_fce020_query_length_limits() -> None:
    # the whole query: 8,192 characters accepted, 8,193 refused
    at_limit = "?a=" + "b" * 8189
    assert len(at_limit) == 8192
    assert params.query(at_limit) == {"a": "b" * 8189}
    assert params.query(at_limit + "b") == {}
    # a key of 40 characters kept, of 41 dropped; a value of 300 kept
    assert params.query("?" + "k" * 40 + "=1&" + "j" * 41 + "=2&v=" + "x" * 300) == {"k" * 40: "1", "v": "x" * 300}


def test_fce021_query_strips_only_the_question_mark() -> None:
    assert params.query("?Xa=1&XX=2") == {"Xa": "1", "XX": "2"}
