"""Scorecard, commission and frame edges that must give the exact number (issue 23: tests that catch a wrong number).

Hand-computed rows: a whole scorecard line (every key, so a renamed or dropped field fails), a line before its
period starts and one whose quota is met, the leaderboard and the team rollup
(a rep without a team, a rep without a won deal, no task book at all), the what-if on both paths, the
cumulative target line cut at today's month, and the commission payout tier by tier.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from metrics.commission import Payout, Tier, TierPay, commission_payout
from metrics.period import Period
from metrics.sales import Targets
from metrics.scorecard import (
    SUMS,
    WhatIf,
    coverage,
    cumulative_target,
    leaderboard,
    rolled_up,
    score,
    what_if,
)
from tests.builders import rollup_frame

TIERS: tuple[Tier, ...] = ((0.0, 1.0, 1.0), (1.0, 1.5, 1.5), (1.5, None, 2.0))
Q3 = Period(2026, 3)  # 2026-07-01 .. 2026-09-30: 92 days
JULY_23 = date(2026, 7, 23)  # 23 of Q3's 92 days: elapsed share exactly 0.25


def _sums(**kw: float) -> dict[str, float]:
    return {**dict.fromkeys(SUMS, 0.0), **kw}


#: every key of a scorecard line, in ``score``'s order
LINE_KEYS = [
    "bookings",
    "revenue_target",
    "attainment",
    "gm_booked",
    "gm_target",
    "gm_attainment",
    "elapsed",
    "pace",
    "pace_status",
    "forecast",
    "forecast_attainment",
    "remaining",
    "v",
    "quota_met",
    "v_status",
    "pipeline_due",
    "open_pipeline",
    "weighted_pipeline",
    "win_rate",
    "win_rate_amount",
    "won_count",
    "lost_count",
    "avg_deal",
    "cycle_days",
    "overdue",
    "visits_done",
    "visits_planned",
    "visits_per_week",
    "target_commission",
]


def test_sce001_commission_payout_whole_breakdown() -> None:
    # 125%: 100 points x1.0, 25 points x1.5, nothing above 150%
    assert commission_payout(100.0, 1.25, TIERS) == Payout(
        100.0,
        1.25,
        (
            TierPay(0.0, 1.0, 1.0, 1.0, 100.0),
            TierPay(1.0, 1.5, 1.5, 0.25, 37.5),
            TierPay(1.5, None, 2.0, 0.0, 0.0),
        ),
    )
    # a negative attainment pays as 0%
    assert commission_payout(80.0, -0.5, TIERS) == Payout(
        80.0,
        0.0,
        (
            TierPay(0.0, 1.0, 1.0, 0.0, 0.0),
            TierPay(1.0, 1.5, 1.5, 0.0, 0.0),
            TierPay(1.5, None, 2.0, 0.0, 0.0),
        ),
    )


def test_sce004_a_whole_scorecard_line() -> None:
    sums = _sums(
        bookings=200.0,
        gm_booked=40.0,
        pipeline_due=1600.0,
        weighted_due=300.0,
        open_pipeline=2500.0,
        weighted_pipeline=900.0,
        won_count=2.0,
        lost_count=2.0,
        won_amount=300.0,
        lost_amount=100.0,
        overdue=70.0,
        visits_done=23.0,
        visits_planned=5.0,
        cycle_days_sum=60.0,
    )
    line = score(sums, Targets(1000.0, 200.0, 50.0), Q3, JULY_23)
    assert list(line) == LINE_KEYS
    assert line == {
        "bookings": 200.0,
        "revenue_target": 1000.0,
        "attainment": 0.2,
        "gm_booked": 40.0,
        "gm_target": 200.0,
        "gm_attainment": 0.2,
        "elapsed": 0.25,
        "pace": 0.8,  # 0.2 / 0.25
        "pace_status": "behind",  # below 0.9
        "forecast": 500.0,  # 200 + 300
        "forecast_attainment": 0.5,
        "remaining": 800.0,
        "v": 2.0,  # 1600 / 800
        "quota_met": False,
        "v_status": "ahead",  # required V = 1 / 0.5 = 2.0
        "pipeline_due": 1600.0,
        "open_pipeline": 2500.0,
        "weighted_pipeline": 900.0,
        "win_rate": 0.5,
        "win_rate_amount": 0.75,
        "won_count": 2,
        "lost_count": 2,
        "avg_deal": 150.0,
        "cycle_days": 30.0,
        "overdue": 70.0,
        "visits_done": 23,
        "visits_planned": 5,
        "visits_per_week": 23 / (23 / 7),  # 23 visits over 23 days
        "target_commission": 50.0,
    }


def test_sce005_quota_met_line_is_ahead_without_a_v() -> None:
    line = score(
        _sums(bookings=1200.0, pipeline_due=10.0, won_count=1.0, lost_count=3.0), Targets(1000.0, 0.0), Q3, JULY_23
    )
    assert line == {
        "bookings": 1200.0,
        "revenue_target": 1000.0,
        "attainment": 1.2,
        "gm_booked": 0.0,
        "gm_target": 0.0,
        "gm_attainment": None,  # no positive GM target
        "elapsed": 0.25,
        "pace": 1.2 / 0.25,
        "pace_status": "ahead",
        "forecast": 1200.0,
        "forecast_attainment": 1.2,
        "remaining": 0.0,
        "v": None,
        "quota_met": True,
        "v_status": "ahead",  # quota met: ahead whatever the V
        "pipeline_due": 10.0,
        "open_pipeline": 0.0,
        "weighted_pipeline": 0.0,
        "win_rate": 0.25,
        "win_rate_amount": None,
        "won_count": 1,
        "lost_count": 3,
        "avg_deal": 0.0,
        "cycle_days": 0.0,
        "overdue": 0.0,
        "visits_done": 0,
        "visits_planned": 0,
        "visits_per_week": 0.0,
        "target_commission": None,
    }


def test_sce006_line_before_the_period_starts() -> None:
    before = score(_sums(visits_planned=4.0), None, Q3, date(2026, 6, 30))
    assert before == {
        "bookings": 0.0,
        "revenue_target": None,
        "attainment": None,
        "gm_booked": 0.0,
        "gm_target": None,
        "gm_attainment": None,
        "elapsed": 0.0,
        "pace": None,
        "pace_status": None,
        "forecast": 0.0,
        "forecast_attainment": None,
        "remaining": None,
        "v": None,
        "quota_met": False,
        "v_status": None,
        "pipeline_due": 0.0,
        "open_pipeline": 0.0,
        "weighted_pipeline": 0.0,
        "win_rate": None,
        "win_rate_amount": None,
        "won_count": 0,
        "lost_count": 0,
        "avg_deal": None,
        "cycle_days": None,
        "overdue": 0.0,
        "visits_done": 0,
        "visits_planned": 4,
        "visits_per_week": None,  # no week of the period has passed
        "target_commission": None,
    }
    # the period's first day is one day: 1/7 of a week
    assert score(_sums(visits_done=2.0), None, Q3, date(2026, 7, 1))["visits_per_week"] == 2 / (1 / 7)


def _rollup() -> pd.DataFrame:
    rows: list[tuple[Any, ...]] = [
        # rep_id, rep_code, name, team_id, team, bookings, won_count, lost_count, cycle_days_sum
        (1, "R1", "a", 10, "T1", 300.0, 1.0, 1.0, 10.0),  # won 07-01 -> 07-11: 10 days
        (2, "R2", "b", 10, "T1", 100.0, 0.0, 1.0, 0.0),  # no deal won: no cycle
        (3, "R3", "c", None, None, 50.0, 1.0, 0.0, 20.0),  # no team; won 06-21 -> 07-11: 20 days
    ]
    columns = ["rep_id", "rep_code", "name", "team_id", "team", "bookings", "won_count", "lost_count"]
    return rollup_frame(rows, [*columns, "cycle_days_sum"])


QUOTAS = pd.DataFrame(
    [
        (1, None, 1200.0, 240.0, 40.0),  # R1: the year; Q3 is a quarter of it: 300, 60, commission 10
        (3, 3, 100.0, 20.0, None),  # R3: its own Q3 row, no target commission
    ],
    columns=["rep_id", "quarter", "revenue_target", "gm_target", "target_commission"],
)


def test_sce007_leaderboard_columns_and_targets() -> None:
    board = leaderboard(_rollup(), QUOTAS, Q3, JULY_23)
    assert list(board.columns) == ["rep_id", "rep_code", "name", "team_id", "team", *LINE_KEYS]
    assert board["rep_id"].tolist() == [1, 2, 3]
    assert board["rep_code"].tolist() == ["R1", "R2", "R3"]
    assert board["revenue_target"].tolist()[0::2] == [300.0, 100.0] and pd.isna(board["revenue_target"][1])
    assert board["target_commission"].tolist()[0] == 10.0  # a quarter of the year's 40
    assert board["target_commission"][1:].isna().tolist() == [True, True]
    assert board["attainment"].tolist()[0::2] == [1.0, 0.5]
    assert board["cycle_days"].tolist()[0::2] == [10.0, 20.0] and pd.isna(board["cycle_days"][1])


def test_sce008_leaderboard_without_any_task_book() -> None:
    board = leaderboard(_rollup(), pd.DataFrame(), Q3, JULY_23)
    assert board["rep_code"].tolist() == ["R1", "R2", "R3"]
    assert board["revenue_target"].isna().all() and board["attainment"].isna().all()
    assert board["target_commission"].isna().all()
    assert board["bookings"].tolist() == [300.0, 100.0, 50.0]


def test_sce009_rollup_keeps_reps_without_a_team_and_sums_cycles() -> None:
    teams = rolled_up(_rollup(), QUOTAS, Q3, JULY_23)
    assert list(teams.columns) == ["team_id", "team", "reps", *LINE_KEYS]
    assert len(teams) == 3  # T1, the reps without a team, everyone
    assert teams["team_id"].tolist()[0] == 10 and teams["team_id"][1:].isna().all()
    # no team: a missing name (the grid says "No team"), never the text "nan"
    assert [None if pd.isna(name) else name for name in teams["team"]] == ["T1", None, "*"]
    assert teams["reps"].tolist() == [2, 1, 3]
    assert teams["bookings"].tolist() == [400.0, 50.0, 450.0]
    assert teams["revenue_target"].tolist() == [300.0, 100.0, 400.0]
    assert teams["attainment"].tolist() == [400 / 300, 0.5, 450 / 400]
    assert teams["won_count"].tolist() == [1, 1, 2]
    # a rep without a won deal adds 0 days: T1 10 / 1, no team 20 / 1, everyone (10 + 0 + 20) / 2
    assert teams["cycle_days"].tolist() == [10.0, 20.0, 15.0]
    assert teams["target_commission"].tolist()[0::2] == [10.0, 10.0] and pd.isna(teams["target_commission"][1])


def test_sce010_what_if_without_payout_keeps_the_figures() -> None:
    assert what_if(500.0, None, 100.0, [100.0, 50.0], TIERS) == WhatIf(150.0, 650.0, None, None, None)
    assert what_if(500.0, 1000.0, None, [100.0, 50.0], TIERS) == WhatIf(150.0, 650.0, 0.65, None, None)
    assert what_if(500.0, 1000.0, None, [], TIERS).extra_pay is None


def test_sce011_what_if_with_payout_whole_answer() -> None:
    w = what_if(500.0, 1000.0, 100.0, [500.0, 250.0], TIERS)
    assert w == WhatIf(
        750.0,
        1250.0,
        1.25,
        Payout(
            100.0,
            1.25,
            (
                TierPay(0.0, 1.0, 1.0, 1.0, 100.0),
                TierPay(1.0, 1.5, 1.5, 0.25, 37.5),
                TierPay(1.5, None, 2.0, 0.0, 0.0),
            ),
        ),
        Payout(
            100.0,
            0.5,
            (
                TierPay(0.0, 1.0, 1.0, 0.5, 50.0),
                TierPay(1.0, 1.5, 1.5, 0.0, 0.0),
                TierPay(1.5, None, 2.0, 0.0, 0.0),
            ),
        ),
    )
    assert w.extra_pay == 87.5  # 137.5 - 50


def test_sce012_cumulative_target_stops_after_todays_month() -> None:
    monthly = pd.DataFrame({"month": [4, 4, 5, 6], "bookings": [30.0, 20.0, 40.0, 0.0]})
    line = cumulative_target(monthly, 300.0, Period(2026, 2), date(2026, 5, 10))
    expected = pd.DataFrame(
        {
            "month": [4, 5, 6],
            "bookings": [50.0, 40.0, None],  # May is today's month: shown; June is later: none yet
            "cumulative": [50.0, 90.0, None],
            "target": [100.0, 200.0, 300.0],
        }
    )
    pd.testing.assert_frame_equal(line, expected)
    # on the period's last month everything is shown
    june = cumulative_target(monthly, None, Period(2026, 2), date(2026, 6, 1))
    assert june["bookings"].tolist() == [50.0, 40.0, 0.0] and june["cumulative"].tolist() == [50.0, 90.0, 90.0]


def test_sce013_coverage_counts_a_single_booking() -> None:
    accounts = pd.DataFrame(
        {"account_code": ["A", "B"], "visited": [1, 0], "open_pipeline": [1.0, 0.0], "booked": [1.0, 0.0]}
    )
    assert coverage(accounts, ["A", "B"]) == {"targets": 2, "visited": 1, "with_pipeline": 1, "booked": 1}


@pytest.mark.parametrize(
    ("attainment", "total"),
    [(0.5, 50.0), (1.0, 100.0), (1.5, 175.0), (1.75, 225.0)],
)
def test_sce014_payout_total_at_the_tier_bounds(attainment: float, total: float) -> None:
    assert commission_payout(100.0, attainment, TIERS).total == total
