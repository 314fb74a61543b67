"""Scorecard metrics on hand-computed cases: attainment, pace, forecast, commission what-if, rollups."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.period import Period
from metrics.scorecard import (
    SUMS,
    coverage,
    cumulative_target,
    leaderboard,
    pace,
    pace_status,
    rolled_up,
    score,
    v_status,
    what_if,
)
from metrics.settings import BusinessSettings
from tests.builders import rollup_frame

TIERS = BusinessSettings().commission_tiers  # 0-100% x1.0, 100-150% x1.5, above x2.0
TODAY = date(2026, 7, 1)


def _sums(**kw: float) -> dict[str, float]:
    return {**dict.fromkeys(SUMS, 0.0), **kw}


@pytest.mark.parametrize(
    ("added", "attainment", "payout"),
    [
        ([], 0.8, 80.0),  # below the first threshold: 0.8 x 100
        ([200.0], 1.0, 100.0),  # exactly 100%
        ([400.0], 1.2, 130.0),  # 1.0 + 0.2 x 1.5 (the data dictionary's example)
        ([300.0, 500.0], 1.6, 195.0),  # 1.0 + 0.5 x 1.5 + 0.1 x 2.0
    ],
)
def test_sc001_what_if_pays_by_tier(added, attainment, payout):
    w = what_if(800.0, 1000.0, 100.0, added, TIERS)
    assert w.attainment == pytest.approx(attainment)
    assert w.payout is not None and w.payout.total == pytest.approx(payout)
    assert w.extra_pay == pytest.approx(payout - 80.0)
    assert w.bookings == pytest.approx(800.0 + sum(added))


def test_sc002_no_quota_no_payout():
    assert what_if(500.0, 0.0, 100.0, [100.0], TIERS).payout is None  # zero quota: attainment unknown
    assert what_if(500.0, None, 100.0, [], TIERS).attainment is None
    assert what_if(500.0, 1000.0, None, [100.0], TIERS).payout is None  # no target commission


def test_sc003_pace_and_forecast():
    assert pace(0.5, 0.5) == 1.0 and pace(0.25, 0.5) == 0.5
    assert pace(None, 0.5) is None and pace(0.3, 0.0) is None
    year = Period(2026)
    line = score(_sums(bookings=400.0, weighted_due=300.0, pipeline_due=900.0), None, year, TODAY)
    assert line["forecast"] == 700.0 and line["attainment"] is None and line["v"] is None


def test_sc003b_pace_and_v_status_for_the_colours():
    """The leaderboard colours pace (within 10% of 1.0 on pace) and V (against the required V = 1 / win rate)."""
    from metrics.sales import Targets

    assert [pace_status(p) for p in (None, 0.5, 0.899, 0.9, 1.0, 1.1, 1.101, 3.0)] == [
        None,
        "behind",
        "behind",
        "on",
        "on",
        "on",
        "ahead",
        "ahead",
    ]
    assert v_status(2.0, 0.5, False) == "ahead" and v_status(1.99, 0.5, False) == "behind"  # required V 2.0
    assert v_status(None, 0.5, True) == "ahead"  # quota met
    assert (
        v_status(None, 0.5, False) is None and v_status(3.0, None, False) is None and v_status(3.0, 0.0, False) is None
    )
    year = Period(2026)
    line = score(_sums(won_count=1, lost_count=3, pipeline_due=900.0), Targets(1000.0, 0.0), year, TODAY)
    assert line["v"] == pytest.approx(0.9) and line["v_status"] == "behind"  # 0.9x against a required 4x


def test_sc004_a_line_from_sums_and_targets():
    from metrics.sales import Targets

    q3 = Period(2026, 3)
    sums = _sums(
        bookings=250.0,
        gm_booked=50.0,
        pipeline_due=600.0,
        weighted_due=200.0,
        won_count=2.0,
        lost_count=6.0,
        won_amount=300.0,
        lost_amount=100.0,
        cycle_days_sum=90.0,
        visits_done=13.0,
    )
    line = score(sums, Targets(1000.0, 200.0, 50.0), q3, date(2026, 8, 15))
    assert line["attainment"] == 0.25 and line["gm_attainment"] == 0.25
    assert line["remaining"] == 750.0 and line["v"] == pytest.approx(600 / 750)
    assert line["forecast_attainment"] == pytest.approx(0.45)
    elapsed = (date(2026, 8, 15) - date(2026, 7, 1)).days + 1
    assert line["elapsed"] == pytest.approx(elapsed / 92)
    assert line["pace"] == pytest.approx(0.25 / (elapsed / 92))
    assert line["win_rate"] == 0.25 and line["win_rate_amount"] == 0.75
    assert line["avg_deal"] == 150.0 and line["cycle_days"] == 45.0
    assert line["visits_per_week"] == pytest.approx(13 / (elapsed / 7))
    met = score(_sums(bookings=1200.0, pipeline_due=5.0), Targets(1000.0, 0.0), q3, TODAY)
    assert met["quota_met"] and met["v"] is None and met["remaining"] == 0.0 and met["attainment"] == 1.2


def _rollup():
    rows = [
        (1, "R1", "a", 10, "T1", 300.0, 60.0, 1.0, 1.0, 70.0),  # R1 won one deal in 70 days (05-01 to 07-10)
        (2, "R2", "b", 10, "T1", 100.0, 20.0, 0.0, 3.0, 0.0),
        (3, "R3", "c", 20, "T2", 0.0, 0.0, 0.0, 0.0, 0.0),
    ]
    columns = ["rep_id", "rep_code", "name", "team_id", "team", "bookings", "gm_booked", "won_count", "lost_count"]
    return rollup_frame(rows, [*columns, "cycle_days_sum"])


QUOTAS = pd.DataFrame(
    [
        (1, None, 1200.0, 240.0, 40.0),  # R1: a whole year's task book
        (2, 3, 200.0, 40.0, None),  # R2: Q3 only
    ],
    columns=["rep_id", "quarter", "revenue_target", "gm_target", "target_commission"],
)


def test_sc005_leaderboard_quarter_against_year():
    q3 = Period(2026, 3)
    board = leaderboard(_rollup(), QUOTAS, q3, TODAY).set_index("rep_code")
    assert board.loc["R1", "revenue_target"] == 300.0  # a quarter of the year's row
    assert board.loc["R1", "attainment"] == 1.0 and board.loc["R1", "quota_met"]
    assert board.loc["R2", "attainment"] == 0.5  # its own Q3 row
    assert board["attainment"].isna().to_dict() == {"R1": False, "R2": False, "R3": True}  # no task book: unknown
    assert board.loc["R1", "cycle_days"] == 70.0 and board.loc["R1", "win_rate"] == 0.5
    year = leaderboard(_rollup(), QUOTAS, Period(2026), TODAY).set_index("rep_code")
    assert year.loc["R1", "attainment"] == 0.25 and year.loc["R2", "attainment"] == 0.5  # R2's quarters summed


def test_sc006_teams_and_everyone_roll_up_the_sums():
    q3 = Period(2026, 3)
    teams = rolled_up(_rollup(), QUOTAS, q3, TODAY).set_index("team")
    assert teams.loc["T1", "reps"] == 2 and teams.loc["T1", "bookings"] == 400.0
    assert teams.loc["T1", "attainment"] == pytest.approx(400 / 500)  # sums over sums, not a mean of rates
    assert teams.loc["T1", "win_rate"] == pytest.approx(1 / 5)
    assert teams.loc["*", "reps"] == 3 and teams.loc["*", "attainment"] == pytest.approx(400 / 500)
    assert teams["attainment"].isna().to_dict() == {"T1": False, "T2": True, "*": False}


def test_sc007_cumulative_target_coverage_and_cycle():
    months = pd.DataFrame({"month": [4, 6], "bookings": [50.0, 100.0]})
    line = cumulative_target(months, 300.0, Period(2026, 2))
    assert line["month"].tolist() == [4, 5, 6]
    assert line["cumulative"].tolist() == [50.0, 50.0, 150.0] and line["target"].tolist() == [100.0, 200.0, 300.0]
    assert cumulative_target(months, None, Period(2026, 2))["target"].isna().all()
    accounts = pd.DataFrame(
        {"account_code": ["A", "B", "C"], "visited": [2, 0, 1], "open_pipeline": [0.0, 5.0, 1.0], "booked": [0, 0, 9]}
    )
    assert coverage(accounts, ["A", "B", "C", "GONE"]) == {"targets": 4, "visited": 2, "with_pipeline": 2, "booked": 1}
