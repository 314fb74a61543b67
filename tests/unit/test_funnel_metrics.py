"""Conversion, time in level, stalled deals and calibration on hand-built histories."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.funnel import MIN_HISTORY, calibration, conversion, days_in_level, stalled

TODAY = date(2026, 6, 30)
P = {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9}


def _history(rows):
    return pd.DataFrame(rows, columns=["opportunity_id", "level", "entered_date"])


def _opps(rows):
    return pd.DataFrame(rows, columns=["id", "status", "closed_date"]).set_index("id")


# 1: 1 -> 2 -> 3 -> won          2: 1 -> lost at 1          3: 2 (skipped 1) -> 4, open
# 4: 1 -> 3 -> moved back to 2, open (stalled)              5: 1 -> 2 -> 5 -> won
HISTORY = _history(
    [
        (1, 1, date(2026, 1, 1)),
        (1, 2, date(2026, 1, 11)),
        (1, 3, date(2026, 2, 1)),
        (2, 1, date(2026, 1, 5)),
        (3, 2, date(2026, 2, 1)),
        (3, 4, date(2026, 6, 20)),
        (4, 1, date(2026, 1, 1)),
        (4, 3, date(2026, 1, 31)),
        (4, 2, date(2026, 2, 10)),
        (5, 1, date(2026, 3, 1)),
        (5, 2, date(2026, 3, 3)),
        (5, 5, date(2026, 3, 13)),
    ]
)
OPPS = _opps(
    [
        (1, "won", date(2026, 3, 1)),
        (2, "lost", date(2026, 1, 20)),
        (3, "open", None),
        (4, "open", None),
        (5, "won", date(2026, 3, 23)),
    ]
)


def test_fun001_conversion_counts_first_entries_and_skips():
    conv = {c.level: c for c in conversion(HISTORY, OPPS, date(2026, 1, 1), date(2026, 12, 31))}
    # level 1: deals 1, 2, 4, 5 entered; 1, 4, 5 went higher; 1 and 5 won
    assert (conv[1].entered, conv[1].advanced, conv[1].won) == (4, 3, 2)
    assert conv[1].to_next == 0.75 and conv[1].to_won == 0.5
    # level 2: deals 1, 3, 4 (re-entered after moving back, counted once), 5
    assert (conv[2].entered, conv[2].advanced, conv[2].won) == (4, 4, 2)
    assert (conv[3].entered, conv[3].advanced) == (2, 0)
    assert conv[4].entered == 1 and conv[5].entered == 1 and conv[5].to_won == 1.0


def test_fun002_cohort_window():
    conv = {c.level: c for c in conversion(HISTORY, OPPS, date(2026, 3, 1), date(2026, 3, 31))}
    assert conv[1].entered == 1 and conv[1].won == 1  # only deal 5 entered level 1 in March
    assert conversion(HISTORY.iloc[0:0], OPPS, date(2026, 1, 1), TODAY)[0].to_next is None


def test_fun003_days_in_level():
    days = days_in_level(HISTORY, OPPS, TODAY)
    # level 1: 10 (deal 1), 15 (deal 2, to its close), 30 (deal 4), 2 (deal 5) -> 57 / 4
    assert days[1] == pytest.approx(57 / 4)
    # level 2: 21 (1), 139 (3), 140 (4, moved back, still there), 10 (5) -> 310 / 4
    assert days[2] == pytest.approx(310 / 4)
    assert days[5] == 10  # deal 5: entered 5 on 03-13, won on 03-23


def test_fun004_stalled_open_deals():
    s = stalled(HISTORY, OPPS, TODAY, 30)
    assert s["opportunity_id"].tolist() == [4]  # deal 3 moved on 06-20; closed deals never stall
    assert s.loc[0, "idle_days"] == (TODAY - date(2026, 2, 10)).days and s.loc[0, "level"] == 2
    assert stalled(HISTORY, OPPS, TODAY, 200).empty


def test_fun005_calibration_and_the_too_little_history_flag():
    cal = {c.level: c for c in calibration(HISTORY, OPPS, P)}
    assert (cal[1].closed, cal[1].won, cal[1].observed) == (3, 2, pytest.approx(2 / 3))
    assert cal[1].configured == 0.1 and cal[1].too_little_history
    assert cal[4].closed == 0 and cal[4].observed is None
    many = _history([(i, 3, date(2026, 1, 1)) for i in range(MIN_HISTORY)])
    outcomes = _opps([(i, "won" if i % 3 == 0 else "lost", date(2026, 2, 1)) for i in range(MIN_HISTORY)])
    three = {c.level: c for c in calibration(many, outcomes, P)}[3]
    assert not three.too_little_history and three.observed == pytest.approx(10 / 30)


def test_fun006_a_reopened_deal_counts_by_what_it_is_now():
    # 10: 1 -> 2, lost on 02-01, reopened, 3 on 03-01, open now
    # 11: 1, lost on 01-20, reopened, 2 on 03-01, won on 04-01
    history = _history(
        [
            (10, 1, date(2026, 1, 1)),
            (10, 2, date(2026, 1, 10)),
            (10, 3, date(2026, 3, 1)),
            (11, 1, date(2026, 1, 1)),
            (11, 2, date(2026, 3, 1)),
        ]
    )
    opps = _opps([(10, "open", None), (11, "won", date(2026, 4, 1))])
    conv = {c.level: c for c in conversion(history, opps, date(2026, 1, 1), date(2026, 12, 31))}
    assert (conv[1].entered, conv[1].advanced, conv[1].won) == (2, 2, 1)
    assert (conv[2].entered, conv[2].advanced, conv[2].won) == (2, 1, 1)
    # the lost spell is not an outcome any more: only deal 11 (won) is closed
    cal = {c.level: c for c in calibration(history, opps, P)}
    assert (cal[1].closed, cal[1].won) == (1, 1) and (cal[3].closed, cal[3].observed) == (0, None)
    # time at a level runs on through the lost spell (no level change was recorded)
    days = days_in_level(history, opps, TODAY)
    assert days[1] == pytest.approx((9 + 59) / 2)
    assert days[2] == pytest.approx((50 + 31) / 2)
    assert days[3] == (TODAY - date(2026, 3, 1)).days
    assert stalled(history, opps, TODAY, 30)["opportunity_id"].tolist() == [10]
