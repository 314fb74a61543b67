"""Bookings against target per team or rep (the Overview's grid, ``metrics.overview.group_track``) on literal rows
(issue 23: mutation testing found no test reaching it outside the pages)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from metrics.overview import group_track

QUOTAS = pd.DataFrame(
    {
        "rep_id": [1, 2, 3, 1],
        "quarter": [None, None, None, 4.0],
        "revenue_target": [1_000.0, 400.0, 600.0, 300.0],
        "gm_target": [100.0, 40.0, 60.0, 30.0],
    }
)
TEAMS = {1: 10, 2: 10, 3: 20}


def _num(value: Any) -> float | None:
    number = float(value)
    return None if number != number else number  # NaN: none


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        (r["key"], r["bookings"], _num(r["target"]), _num(r["attainment"]), _num(r["gap"]))
        for r in frame.to_dict("records")
    ]


def test_grp001_per_team_largest_gap_first():
    booked = pd.DataFrame({"key": [10, 20, 30], "bookings": [700.0, 900.0, 50.0]})
    out = group_track(booked, QUOTAS, TEAMS, None)
    # team 10: targets 1,000 + 400 = 1,400, booked 700 (gap 700); team 20: 600, booked 900 (no gap, 150%);
    # team 30 booked 50 without any target (last: no attainment, no gap)
    assert _rows(out) == [(10, 700.0, 1_400.0, 0.5, 700.0), (20, 900.0, 600.0, 1.5, 0.0), (30, 50.0, None, None, None)]


def test_grp002_per_rep_in_a_quarter_and_a_group_without_bookings():
    booked = pd.DataFrame({"key": [2], "bookings": [100.0]})
    out = group_track(booked, QUOTAS, None, 4)
    # Q4: rep 1's own quarter row (300), reps 2 and 3 a quarter of their year (100 and 150)
    assert _rows(out) == [(1, 0.0, 300.0, 0.0, 300.0), (3, 0.0, 150.0, 0.0, 150.0), (2, 100.0, 100.0, 1.0, 0.0)]


def test_grp003_no_quotas_and_no_bookings():
    out = group_track(pd.DataFrame({"key": [], "bookings": []}), QUOTAS.iloc[0:0], TEAMS, None)
    assert out.empty and list(out.columns) == ["key", "bookings", "target", "attainment", "gap"]
    only_booked = group_track(pd.DataFrame({"key": [7], "bookings": [5.0]}), QUOTAS.iloc[0:0], None, None)
    assert _rows(only_booked) == [(7, 5.0, None, None, None)]


def test_grp004_reps_without_a_team_are_a_line_and_ties_go_by_attainment():
    quotas = pd.DataFrame(
        {
            "rep_id": [1, 2, 3, 4],
            "quarter": [None, None, None, None],
            "revenue_target": [100.0, 100.0, 200.0, 50.0],
            "gm_target": [10.0, 10.0, 20.0, 5.0],
        }
    )
    teams = {1: 10, 2: 20, 3: None, 4: None}  # reps 3 and 4 have no team: one line, keyed None
    booked = pd.DataFrame({"key": [10, 20, None], "bookings": [150.0, 120.0, 100.0]})
    out = group_track(booked, quotas, teams, None)
    # no team: 250 target, 100 booked (gap 150) first; then teams 20 (120%) and 10 (150%), both without a gap,
    # the lower attainment first
    assert _rows(out) == [(None, 100.0, 250.0, 0.4, 150.0), (20, 120.0, 100.0, 1.2, 0.0), (10, 150.0, 100.0, 1.5, 0.0)]
