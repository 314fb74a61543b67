"""The forecast's pure functions (issue 21), V by RAD class and the next best actions' windows, on hand-built inputs.

Every expected number is worked out by hand in the test (closed forms over literal inputs), never by calling the
function under test.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from metrics.actions import KINDS, Action, Windows, by_kind, reason
from metrics.forecast import (
    MIN_CLOSED,
    LevelRate,
    Replay,
    Rest,
    TrackRecord,
    history_window,
    last_quarters,
    level_rates,
    rest_of,
    shrink,
    simulate,
    spread_shares,
)
from metrics.period import Period
from metrics.sales import v_by_class

P = {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9}

# The tiny exact case: deal A = 100 lands with p .7, deal B = 200 with p .4, 1000 already booked.
#   neither: .3 x .6 = .18 -> 1000      A only: .7 x .6 = .42 -> 1100
#   B only:  .3 x .4 = .12 -> 1200      both:   .7 x .4 = .28 -> 1300
# CDF: 1000 -> .18, 1100 -> .60, 1200 -> .72, 1300 -> 1.00
#   P10: .10 < .18                 -> 1000 (8 points of margin; the empirical CDF's sd at 10,000 runs is ~.004)
#   P50: .18 < .50 < .60           -> 1100 (8-10 points of margin)
#   P90: .72 < .90 < 1.00          -> 1300 (18 points of margin)
# P(total >= 1150) = .12 + .28 = .40; mean = 1000 + 100 x .7 + 200 x .4 = 1150.
TINY_AMOUNTS = [100.0, 200.0]
TINY_P = [0.7, 0.4]
TINY_BOOKED = 1000.0


# --- simulate: the exact two-deal case --------------------------------------------------------------------------


def test_fcm001_tiny_case_percentiles_are_the_exact_distributions():
    f = simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1150.0)
    assert (f.p10, f.p50, f.p90) == (1000.0, 1100.0, 1300.0)
    assert f.booked == 1000.0
    assert f.quota == 1150.0
    assert f.runs == 10_000
    assert (f.deals, f.drawn) == (2, 2)


def test_fcm002_tiny_case_probability_of_quota_and_mean():
    f = simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1150.0)
    assert f.probability_of_quota == pytest.approx(0.40, abs=0.02)
    # sd of one run = sqrt(100^2 x .7 x .3 + 200^2 x .4 x .6) = sqrt(11700) ~ 108; of the mean of 10,000 runs ~ 1.1
    assert f.mean == pytest.approx(1150.0, abs=5.0)


def test_fcm003_tiny_case_quota_on_an_attainable_total():
    # P(total >= 1100) = .42 + .12 + .28 = .82; P(total >= 1300) = .28
    assert simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1100.0).probability_of_quota == pytest.approx(0.82, abs=0.02)
    assert simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1300.0).probability_of_quota == pytest.approx(0.28, abs=0.02)


def test_fcm004_same_seed_same_result_other_seed_same_percentiles():
    a = simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1150.0, seed=7)
    b = simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1150.0, seed=7)
    assert a == b
    c = simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1150.0, seed=8)
    assert (c.p10, c.p50, c.p90) == (1000.0, 1100.0, 1300.0)
    assert c.probability_of_quota == pytest.approx(0.40, abs=0.02)


def test_fcm005_default_seed_is_fixed():
    assert simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1150.0) == simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, 1150.0)


def test_fcm006_runs_not_a_multiple_of_the_block():
    # 2,500 runs: two whole blocks and a half one; the percentiles are still far from the CDF's steps
    f = simulate(TINY_AMOUNTS, TINY_P, TINY_BOOKED, None, runs=2_500)
    assert f.runs == 2_500
    assert (f.p10, f.p50, f.p90) == (1000.0, 1100.0, 1300.0)


def test_fcm007_certain_deals_are_deterministic():
    # p = 1 always lands, p = 0 never: every run is 500 + 50
    f = simulate([50.0, 70.0], [1.0, 0.0], 500.0, 560.0)
    assert (f.p10, f.p50, f.p90, f.mean) == (550.0, 550.0, 550.0, 550.0)
    assert f.probability_of_quota == 0.0


# --- simulate: the quota's edge cases ---------------------------------------------------------------------------


def test_fcm008_quota_already_met_by_booked_is_certain():
    assert simulate(TINY_AMOUNTS, TINY_P, 1000.0, 900.0).probability_of_quota == 1.0
    assert simulate(TINY_AMOUNTS, TINY_P, 1000.0, 1000.0).probability_of_quota == 1.0
    # no open deal at all, quota met: still 1.0
    assert simulate([], [], 1000.0, 1000.0).probability_of_quota == 1.0


def test_fcm009_no_quota_no_probability():
    f = simulate(TINY_AMOUNTS, TINY_P, 1000.0, None)
    assert f.quota is None
    assert f.probability_of_quota is None


def test_fcm010_no_deals_gives_the_booked_amount():
    f = simulate([], [], 321.0, 400.0)
    assert (f.p10, f.p50, f.p90, f.mean) == (321.0, 321.0, 321.0, 321.0)
    assert f.probability_of_quota == 0.0
    assert (f.deals, f.drawn) == (0, 0)


# --- shrink -----------------------------------------------------------------------------------------------------


def test_fcm011_shrink_enough_history_is_the_observed_rate():
    assert MIN_CLOSED == 30
    assert shrink(15, 30, 0.9) == 0.5
    assert shrink(10, 40, 0.9) == 0.25


def test_fcm012_shrink_no_history_is_the_prior():
    assert shrink(0, 0, 0.25) == 0.25
    assert shrink(0, 0, 0.75) == 0.75


def test_fcm013_shrink_partial_history():
    # 10 observed deals weigh 10, the prior the other 20: (5 + 20 x .25) / 30 = 10 / 30
    assert shrink(5, 10, 0.25) == (5 + 20 * 0.25) / 30
    assert shrink(5, 10, 0.25) == pytest.approx(1 / 3)


def test_fcm014_shrink_boundary_29_vs_30():
    # n = 29: (29 + 1 x 0) / 30 = 29/30, not 29/29 = 1
    assert shrink(29, 29, 0.0) == pytest.approx(29 / 30)
    # n = 29, nothing won, prior 1: (0 + 1 x 1) / 30
    assert shrink(0, 29, 1.0) == pytest.approx(1 / 30)
    # n = 30: the observed rate, the prior ignored
    assert shrink(30, 30, 0.0) == 1.0
    assert shrink(0, 30, 1.0) == 0.0


# --- level_rates ------------------------------------------------------------------------------------------------


def _counts(rows):
    return pd.DataFrame(rows, columns=["level", "closed", "won", "on_time"])


# level 1: 40 closed (8 won, 30 on time); level 3: 10 closed (6 won, 4 on time); level 5: 30 closed (27 won,
# 20 on time); levels 2 and 4 have no row. Pooled on-time share = (30 + 4 + 20) / (40 + 10 + 30) = 54 / 80 = .675
COUNTS = _counts([(1, 40, 8, 30), (3, 10, 6, 4), (5, 30, 27, 20)])
POOLED = 54 / 80


def test_fcm015_level_rates_covers_levels_1_to_5():
    rates = level_rates(COUNTS, P)
    assert sorted(rates) == [1, 2, 3, 4, 5]
    assert all(rates[lv].level == lv for lv in rates)
    assert all(rates[lv].pooled_on_time == pytest.approx(POOLED) for lv in rates)
    assert all(rates[lv].configured == P[lv] for lv in rates)


def test_fcm016_level_rates_enough_history():
    rates = level_rates(COUNTS, P)
    one = rates[1]
    assert (one.closed, one.won, one.on_time) == (40, 8, 30)
    assert not one.shrunk
    assert one.p_win == pytest.approx(8 / 40)
    assert one.p_close == pytest.approx(30 / 40)
    assert one.p_land == pytest.approx(0.2 * 0.75)
    # exactly 30: not shrunk
    five = rates[5]
    assert not five.shrunk
    assert five.p_win == pytest.approx(27 / 30)
    assert five.p_close == pytest.approx(20 / 30)
    assert five.p_land == pytest.approx(0.9 * 2 / 3)


def test_fcm017_level_rates_shrunk_level():
    three = level_rates(COUNTS, P)[3]
    assert three.shrunk
    # p_win = (6 + 20 x .5) / 30 = 16/30; p_close = (4 + 20 x .675) / 30 = 17.5/30
    assert three.p_win == pytest.approx(16 / 30)
    assert three.p_close == pytest.approx(17.5 / 30)
    assert three.p_land == pytest.approx((16 / 30) * (17.5 / 30))


def test_fcm018_level_rates_missing_level_gets_the_priors():
    rates = level_rates(COUNTS, P)
    for lv in (2, 4):
        r = rates[lv]
        assert (r.closed, r.won, r.on_time) == (0, 0, 0)
        assert r.shrunk
        assert r.p_win == pytest.approx(P[lv])
        assert r.p_close == pytest.approx(0.675)
        assert r.p_land == pytest.approx(P[lv] * 0.675)


def test_fcm019_level_rates_nothing_closed():
    rates = level_rates(_counts([]), P)
    for lv in (1, 2, 3, 4, 5):
        r = rates[lv]
        assert r.shrunk
        assert r.pooled_on_time == 1.0
        assert r.p_close == pytest.approx(1.0)
        assert r.p_win == pytest.approx(P[lv])
        assert r.p_land == pytest.approx(P[lv])


def test_fcm020_level_rates_level_without_configured_probability():
    # no configured p(level) for level 4: its prior is 0; 10 closed, 5 won -> (5 + 20 x 0) / 30
    rates = level_rates(_counts([(4, 10, 5, 10)]), {1: 0.1, 2: 0.25, 3: 0.5, 5: 0.9})
    assert rates[4].configured == 0.0
    assert rates[4].p_win == pytest.approx(5 / 30)
    # pooled on time = 10 / 10 = 1 -> p_close = (10 + 20 x 1) / 30 = 1
    assert rates[4].p_close == pytest.approx(1.0)


def test_fcm021_level_rates_pooled_share_counts_every_row():
    # pooled over both rows = (10 + 0) / (20 + 20) = .25
    # level 1: 20 closed, 10 on time -> p_close = (10 + 10 x .25) / 30 = 12.5 / 30
    # level 2: 20 closed, 0 on time  -> p_close = (0 + 10 x .25) / 30 = 2.5 / 30
    # level 3: no row                -> p_close = the pooled .25
    rates = level_rates(_counts([(1, 20, 5, 10), (2, 20, 5, 0)]), P)
    assert rates[1].pooled_on_time == pytest.approx(0.25)
    assert rates[1].p_close == pytest.approx(12.5 / 30)
    assert rates[2].p_close == pytest.approx(2.5 / 30)
    assert rates[3].p_close == pytest.approx(0.25)


# --- rest_of ----------------------------------------------------------------------------------------------------


def _rate(level, p_win, p_close):
    # with 100 closed deals nothing is shrunk: p_win = won / 100, p_close = on_time / 100
    return LevelRate(level, 100, round(p_win * 100), round(p_close * 100), 0.0, 1.0)


def test_fcm022_rest_of_subtracts_the_drawn_deals():
    rates = {1: _rate(1, 0.5, 1.0), 2: _rate(2, 0.2, 0.5)}  # p_land: level 1 .5, level 2 .1
    assert rates[1].p_land == pytest.approx(0.5)
    assert rates[2].p_land == pytest.approx(0.1)
    # level 1 deals: 10, 20, 30, 100 -> count 4, sum 160, sum of squares 100 + 400 + 900 + 10000 = 11400
    # level 2 deals: 50, 60, 200     -> count 3, sum 310, sum of squares 2500 + 3600 + 40000 = 46100
    # level 4 deals: 20, 20          -> count 2, sum 40, sum of squares 800 (no rate: p = 0)
    sums = pd.DataFrame(
        [(1, 4, 160.0, 11400.0), (2, 3, 310.0, 46100.0), (4, 2, 40.0, 800.0)],
        columns=["level", "count", "amount", "amount2"],
    )
    drawn = pd.DataFrame([(1, 100.0), (2, 200.0)], columns=["level", "amount"])
    rest = rest_of(sums, drawn, rates)
    # left: level 1: 10, 20, 30 (sum 60, squares 1400); level 2: 50, 60 (sum 110, squares 6100); level 4: 20, 20
    assert rest.count == 3 + 2 + 2
    # mean = 60 x .5 + 110 x .1 + 40 x 0 = 30 + 11 = 41
    assert rest.mean == pytest.approx(41.0)
    # variance = 1400 x .5 x .5 + 6100 x .1 x .9 + 0 = 350 + 549 = 899
    assert rest.variance == pytest.approx(899.0)


def test_fcm023_rest_of_everything_drawn_is_empty():
    rates = {1: _rate(1, 0.5, 1.0)}
    sums = pd.DataFrame([(1, 2, 30.0, 500.0)], columns=["level", "count", "amount", "amount2"])
    drawn = pd.DataFrame([(1, 10.0), (1, 20.0)], columns=["level", "amount"])
    rest = rest_of(sums, drawn, rates)
    assert rest.count == 0
    assert rest.mean == pytest.approx(0.0, abs=1e-9)
    assert rest.variance == pytest.approx(0.0, abs=1e-9)


def test_fcm024_rest_of_nothing_drawn():
    rates = {3: _rate(3, 0.4, 0.5)}  # p_land .2
    # deals 10, 20, 30 at level 3: sum 60, squares 1400
    sums = pd.DataFrame([(3, 3, 60.0, 1400.0)], columns=["level", "count", "amount", "amount2"])
    drawn = pd.DataFrame({"level": pd.Series([], dtype=int), "amount": pd.Series([], dtype=float)})
    rest = rest_of(sums, drawn, rates)
    assert rest.count == 3
    assert rest.mean == pytest.approx(60 * 0.2)  # 12
    assert rest.variance == pytest.approx(1400 * 0.2 * 0.8)  # 224


# --- simulate with a rest ---------------------------------------------------------------------------------------


def test_fcm025_simulate_with_a_rest_of_many_small_deals():
    # 500 small deals of 20 landing with p .5: mean 5000, variance 500 x 20^2 x .5 x .5 = 50000
    rest = Rest(count=500, mean=500 * 20 * 0.5, variance=500 * 20**2 * 0.25)
    f = simulate([1000.0, 500.0], [0.5, 0.3], 2000.0, 7000.0, rest)
    # mean = 2000 + 1000 x .5 + 500 x .3 + 5000 = 7650; sd of a run = sqrt(250000 + 52500 + 50000) ~ 594,
    # of the mean of 10,000 runs ~ 6
    assert f.mean == pytest.approx(7650.0, abs=30.0)
    assert f.p10 < f.p50 < f.p90
    assert (f.deals, f.drawn) == (502, 2)
    assert 0.0 < (f.probability_of_quota or 0.0) < 1.0


def test_fcm026_simulate_with_a_rest_without_variance_adds_its_mean():
    # every small deal certain (p = 1): variance 0, the rest adds exactly its mean to every run
    f = simulate([], [], 100.0, None, Rest(count=3, mean=60.0, variance=0.0))
    assert (f.p10, f.p50, f.p90, f.mean) == (160.0, 160.0, 160.0, 160.0)
    assert (f.deals, f.drawn) == (3, 0)


# --- spread_shares ----------------------------------------------------------------------------------------------


def test_fcm027_spread_shares_two_deals():
    # own variances: 100^2 x .7 x .3 = 2100, 200^2 x .4 x .6 = 9600; total 11700
    shares = spread_shares(TINY_AMOUNTS, TINY_P, Rest())
    assert shares == pytest.approx([2100 / 11700, 9600 / 11700])
    assert float(shares.sum()) == pytest.approx(1.0)


def test_fcm028_spread_shares_with_a_rest():
    # the rest's variance 300 joins the total: 2100 + 9600 + 300 = 12000 -> .175 and .8
    shares = spread_shares(TINY_AMOUNTS, TINY_P, Rest(count=10, mean=50.0, variance=300.0))
    assert shares == pytest.approx([0.175, 0.8])
    assert float(shares.sum()) == pytest.approx(0.975)


def test_fcm029_spread_shares_certain_deals_weigh_nothing():
    # 500 with p 1 and 700 with p 0 have no variance; 100 with p .5 has it all
    shares = spread_shares([500.0, 700.0, 100.0], [1.0, 0.0, 0.5], Rest())
    assert shares == pytest.approx([0.0, 0.0, 1.0])


def test_fcm030_spread_shares_no_variance_at_all():
    shares = spread_shares([500.0, 700.0], [1.0, 0.0], Rest())
    assert isinstance(shares, np.ndarray)
    assert shares.tolist() == [0.0, 0.0]
    assert spread_shares([], [], Rest()).tolist() == []


# --- last_quarters, history_window ------------------------------------------------------------------------------


def test_fcm031_last_quarters_oldest_first():
    quarters = last_quarters(date(2026, 12, 6))
    assert [q.key for q in quarters] == [
        "2024Q4",
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
        "2026Q3",
    ]
    assert quarters[0].start == date(2024, 10, 1)
    assert quarters[-1].end == date(2026, 9, 30)


def test_fcm032_last_quarters_on_a_quarter_first_day():
    # 2026-10-01 is in 2026Q4: that quarter has just begun and is not a whole past quarter
    quarters = last_quarters(date(2026, 10, 1))
    assert quarters[-1] == Period(2026, 3)
    assert quarters[0] == Period(2024, 4)
    assert len(quarters) == 8


def test_fcm033_last_quarters_across_a_year_and_n():
    assert last_quarters(date(2026, 1, 1), n=1) == [Period(2025, 4)]
    assert [q.key for q in last_quarters(date(2026, 3, 31), n=3)] == ["2025Q2", "2025Q3", "2025Q4"]


def test_fcm034_history_window_is_365_days_ending_that_day():
    start, end = history_window(date(2026, 11, 27))
    assert end == date(2026, 11, 27)
    assert start == date(2025, 11, 28)
    assert (end - start).days + 1 == 365


# --- TrackRecord ------------------------------------------------------------------------------------------------


def _replay(q, p10, p50, p90, weighted, actual):
    return Replay(Period(2025, q), p10, p50, p90, weighted, actual, deals=5)


def test_fcm035_track_record_coverage_and_errors():
    replays = [
        _replay(1, 80, 100, 120, 150, 110),  # inside; P50 -10/110, weighted +40/110
        _replay(2, 80, 100, 120, 90, 120),  # inside (upper bound); P50 -20/120, weighted -30/120
        _replay(3, 80, 100, 120, 60, 80),  # inside (lower bound); P50 +20/80, weighted -20/80
        _replay(4, 80, 100, 120, 50, 0),  # outside; nothing booked: no error
    ]
    replays.append(Replay(Period(2024, 4), 80, 100, 120, 100, 200, deals=5))  # outside; P50 -.5, weighted -.5
    t = TrackRecord(replays)
    assert [r.inside for r in replays] == [True, True, True, False, False]
    assert t.coverage == pytest.approx(3 / 5)
    assert t.p50_mean_error == pytest.approx((10 / 110 + 20 / 120 + 20 / 80 + 100 / 200) / 4)
    assert t.weighted_mean_error == pytest.approx((40 / 110 + 30 / 120 + 20 / 80 + 100 / 200) / 4)


def test_fcm036_replay_errors_signed_and_zero_actual():
    r = _replay(1, 80, 100, 120, 150, 110)
    assert r.p50_error == pytest.approx(-10 / 110)
    assert r.weighted_error == pytest.approx(40 / 110)
    z = _replay(2, 0, 0, 0, 10, 0)
    assert z.inside  # 0 <= 0 <= 0
    assert z.p50_error is None
    assert z.weighted_error is None


def test_fcm037_track_record_empty_and_without_bookings():
    empty = TrackRecord([])
    assert (empty.coverage, empty.p50_mean_error, empty.weighted_mean_error) == (None, None, None)
    t = TrackRecord([_replay(1, 10, 20, 30, 25, 0)])
    assert t.coverage == 0.0
    assert t.p50_mean_error is None
    assert t.weighted_mean_error is None


def test_fcm038_replay_bounds_are_inclusive_and_outside_just_beyond():
    assert _replay(1, 80, 100, 120, 0, 80).inside
    assert _replay(1, 80, 100, 120, 0, 120).inside
    assert not _replay(1, 80, 100, 120, 0, 79.99).inside
    assert not _replay(1, 80, 100, 120, 0, 120.01).inside


# --- v_by_class -------------------------------------------------------------------------------------------------

# last year's bookings: R 600, A 300, D 100 (total 1000) -> shares .6, .3, .1, none 0
# remaining quota 1000 -> R 600, A 300, D 100; pipeline due R 300, A 100, D 50 -> V .5, 1/3, .5
# outcomes (won, lost): R (80, 20) -> .8, required 1.25; A (25, 75) -> .25, required 4; D nothing -> None;
# none (10, 30) -> .25, required 4 (no pipeline, no share: its line is there for its win rate, V unknown)
PIPE = {"R": 300.0, "A": 100.0, "D": 50.0, "none": 0.0}
LAST_YEAR = {"R": 600.0, "A": 300.0, "D": 100.0}
OUTCOMES = {"R": (80.0, 20.0), "A": (25.0, 75.0), "none": (10.0, 30.0)}


def test_fcm039_v_by_class_shares_and_values():
    rows = {c.rad_class: c for c in v_by_class(PIPE, LAST_YEAR, OUTCOMES, 1000.0)}
    assert rows["R"].share == pytest.approx(0.6)
    assert rows["A"].share == pytest.approx(0.3)
    assert rows["D"].share == pytest.approx(0.1)
    assert rows["R"].v.remaining == pytest.approx(600.0)
    assert rows["A"].v.remaining == pytest.approx(300.0)
    assert rows["D"].v.remaining == pytest.approx(100.0)
    assert rows["R"].v.value == pytest.approx(300 / 600)
    assert rows["A"].v.value == pytest.approx(100 / 300)
    assert rows["D"].v.value == pytest.approx(50 / 100)
    assert rows["R"].pipeline_due == 300.0
    assert not rows["R"].v.quota_met
    assert not rows["R"].v.no_quota


def test_fcm040_v_by_class_required_v_is_one_over_the_class_win_rate():
    rows = {c.rad_class: c for c in v_by_class(PIPE, LAST_YEAR, OUTCOMES, 1000.0)}
    assert rows["R"].win_rate == pytest.approx(80 / (80 + 20))
    assert rows["R"].required_v == pytest.approx(1 / 0.8)
    assert rows["A"].win_rate == pytest.approx(0.25)
    assert rows["A"].required_v == pytest.approx(4.0)
    assert rows["D"].win_rate is None
    assert rows["D"].required_v is None


def test_fcm041_v_by_class_zero_share_is_unknown():
    rows = {c.rad_class: c for c in v_by_class(PIPE, LAST_YEAR, OUTCOMES, 1000.0)}
    none = rows["none"]
    assert none.share == 0.0
    assert none.v.value is None
    assert none.v.no_quota
    assert not none.v.quota_met
    assert none.required_v == pytest.approx(4.0)
    # a class with pipeline but no bookings last year: V unknown too
    rows2 = {c.rad_class: c for c in v_by_class({"A": 500.0}, {"R": 100.0}, {}, 1000.0)}
    assert rows2["A"].share == 0.0
    assert rows2["A"].v.value is None
    assert rows2["A"].v.no_quota
    assert rows2["A"].v.pipeline_due == 500.0


def test_fcm042_v_by_class_order():
    assert [c.rad_class for c in v_by_class(PIPE, LAST_YEAR, OUTCOMES, 1000.0)] == ["R", "A", "D", "none"]
    # the input order does not matter
    pipe = {"none": 5.0, "D": 1.0, "A": 2.0, "R": 3.0}
    assert [c.rad_class for c in v_by_class(pipe, {}, {}, 10.0)] == ["R", "A", "D", "none"]


def test_fcm043_v_by_class_quota_met_for_every_class():
    rows = v_by_class(PIPE, LAST_YEAR, OUTCOMES, 0.0)
    assert [c.rad_class for c in rows] == ["R", "A", "D", "none"]
    assert all(c.v.quota_met for c in rows)
    assert all(c.v.value is None for c in rows)


def test_fcm044_v_by_class_no_quota():
    rows = v_by_class(PIPE, LAST_YEAR, OUTCOMES, None)
    assert [c.rad_class for c in rows] == ["R", "A", "D", "none"]
    assert all(c.v.no_quota for c in rows)
    assert all(c.v.value is None for c in rows)
    # required V does not need a quota
    assert rows[0].required_v == pytest.approx(1.25)


def test_fcm045_v_by_class_empty_class_left_out():
    # D: no pipeline, no bookings last year, nothing closed -> no line; none: absent everywhere
    rows = v_by_class({"R": 100.0, "A": 50.0}, {"R": 400.0, "A": 100.0}, {"R": (1.0, 1.0)}, 200.0)
    assert [c.rad_class for c in rows] == ["R", "A"]
    # shares .8 and .2 of 200 -> 160 and 40; V = 100 / 160, 50 / 40
    assert rows[0].v.value == pytest.approx(100 / 160)
    assert rows[1].v.value == pytest.approx(50 / 40)
    assert rows[1].win_rate is None


def test_fcm046_v_by_class_nothing_booked_last_year():
    # no bookings last year: no share (None) and so no share of the quota
    rows = v_by_class({"R": 100.0}, {}, {}, 500.0)
    assert [c.rad_class for c in rows] == ["R"]
    assert rows[0].share is None
    assert rows[0].v.value is None
    assert rows[0].v.no_quota


# --- next best actions: Windows, reason, by_kind ----------------------------------------------------------------


def test_fcm047_windows_on_a_wednesday():
    w = Windows(date(2026, 12, 2))  # a Wednesday
    assert w.visited_since == date(2026, 11, 2)
    assert w.stalled_before == date(2026, 11, 2)
    assert w.quarter == Period(2026, 4)
    assert w.quarter.key == "2026Q4"
    assert w.next_week == (date(2026, 12, 7), date(2026, 12, 13))


def test_fcm048_windows_on_a_sunday_and_a_monday():
    # Sunday 2026-12-06 is still in the week of Monday 2026-11-30: next week starts 2026-12-07
    assert Windows(date(2026, 12, 6)).next_week == (date(2026, 12, 7), date(2026, 12, 13))
    # Monday 2026-12-07 is in that week: next week is the one after
    assert Windows(date(2026, 12, 7)).next_week == (date(2026, 12, 14), date(2026, 12, 20))
    # the year's turn: Wednesday 2026-12-30 -> Monday 2027-01-04
    assert Windows(date(2026, 12, 30)).next_week == (date(2027, 1, 4), date(2027, 1, 10))


def _action(kind, **kw):
    return Action(kind=kind, rep_code="R01", rep_name="Li Lei", team_id=1, **kw)


TODAY = date(2026, 12, 2)
FACTS: dict[str, dict[str, Any]] = {
    "director_top10_d": {"account_code": "A1", "amount": 1234567.5, "n": 3},
    "exec_touch_r": {"account_code": "A2"},
    "visit_d": {"account_code": "A3", "day": date(2026, 11, 1)},
    "learn_bp": {"account_code": "A4", "n": 2025},
    "stalled_deal": {"opp_code": "O1", "day": date(2026, 10, 1), "n": 3, "amount": 500.0},
    "collect_overdue": {"account_code": "A5", "day": date(2026, 11, 22), "amount": 1234.5, "n": 2},
    "plan_next_week": {"day": date(2026, 12, 7)},
}


def test_fcm049_reason_for_every_kind_is_an_english_line():
    assert set(FACTS) == set(KINDS)
    for kind in KINDS:
        text = reason(_action(kind, **FACTS[kind]), TODAY)
        assert text.strip(), kind
        assert "\n" not in text, kind
        assert text.isascii(), kind


def test_fcm050_reason_states_the_facts():
    # visit_d: 2026-11-01 is 31 days before 2026-12-02
    assert "31 days ago" in reason(_action("visit_d", **FACTS["visit_d"]), TODAY)
    assert "no done visit" in reason(_action("visit_d", account_code="A3"), TODAY)
    assert "2026Q4" in reason(_action("exec_touch_r", **FACTS["exec_touch_r"]), TODAY)
    top = reason(_action("director_top10_d", **FACTS["director_top10_d"]), TODAY)
    assert "#3" in top
    assert "CNY 1,234,567.50" in top
    assert "2026Q4" in top
    # stalled since 2026-10-01: 31 days of October + 30 of November + 1 = 62 days before 2026-12-02
    assert "62 days" in reason(_action("stalled_deal", **FACTS["stalled_deal"]), TODAY)
    overdue = reason(_action("collect_overdue", **FACTS["collect_overdue"]), TODAY)
    assert "CNY 1,234.50" in overdue
    assert "10 days late" in overdue
    # next ISO week of 2026-12-02: Monday 2026-12-07 is in 2026-W50
    assert "2026-W50" in reason(_action("plan_next_week", **FACTS["plan_next_week"]), TODAY)
    assert str(TODAY.year) in reason(_action("learn_bp", **FACTS["learn_bp"]), TODAY)


def test_fcm051_reason_unknown_kind_raises():
    with pytest.raises(ValueError):
        reason(_action("call_mom"), TODAY)


def test_fcm052_by_kind_keeps_kinds_order_and_drops_empty_kinds():
    a1 = _action("plan_next_week")
    a2 = _action("visit_d", account_code="A1")
    a3 = _action("director_top10_d", account_code="A2", n=1)
    a4 = _action("visit_d", account_code="A3")
    grouped = by_kind([a1, a2, a3, a4])
    assert list(grouped) == ["director_top10_d", "visit_d", "plan_next_week"]
    assert grouped["visit_d"] == [a2, a4]
    assert grouped["director_top10_d"] == [a3]
    assert grouped["plan_next_week"] == [a1]
    assert by_kind([]) == {}


def test_fcm053_a_quarter_with_nothing_due_and_nothing_booked_tests_no_forecast():
    from metrics.forecast import Replay, TrackRecord
    from metrics.period import Period

    empty = Replay(Period(2026, 1), 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    missed = Replay(Period(2026, 2), 10.0, 20.0, 30.0, 25.0, 50.0, 3)
    hit = Replay(Period(2026, 3), 10.0, 20.0, 30.0, 25.0, 30.0, 3)
    assert empty.empty and empty.inside and not missed.empty
    assert TrackRecord([empty, missed, hit]).coverage == 0.5  # 1 of the 2 quarters that had something
    assert TrackRecord([empty]).coverage is None
