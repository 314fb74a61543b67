"""The funnel's pandas path at its edges, on literal rows (issue 23: tests that catch a wrong number): a deal that
re-enters a level, a cohort's last day, a deal idle exactly the threshold, no history at all, a level without a
configured probability."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.funnel import Calibration, LevelConversion, calibration, conversion, days_in_level, stalled

TODAY = date(2026, 11, 27)


def _history(rows: list[tuple[int, int, date]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["opportunity_id", "level", "entered_date"])


def _opps(rows: list[tuple[int, str, date | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "status", "closed_date"]).set_index("id")


EMPTY = _history([])


def test_fne001_a_deal_counts_once_per_level_from_its_first_entry_and_a_cohort_holds_its_last_day():
    history = _history(
        [
            (1, 1, date(2026, 9, 1)),
            (1, 2, date(2026, 9, 10)),
            (1, 1, date(2026, 9, 20)),  # back to 1: not a second entry
            (1, 2, date(2026, 10, 5)),  # and up again: not a second entry either
            (2, 1, date(2026, 9, 30)),  # the cohort's last day
            (3, 1, date(2026, 10, 1)),  # the day after
        ]
    )
    opps = _opps([(1, "won", date(2026, 10, 20)), (2, "open", None), (3, "open", None)])
    levels = conversion(history, opps, date(2026, 7, 1), date(2026, 9, 30))
    assert levels == [
        LevelConversion(1, 2, 1, 1),
        LevelConversion(2, 1, 0, 1),
        LevelConversion(3, 0, 0, 0),
        LevelConversion(4, 0, 0, 0),
        LevelConversion(5, 0, 0, 0),
    ]


def test_fne002_without_history_every_level_is_unknown_or_empty():
    assert days_in_level(EMPTY, _opps([]), TODAY) == {1: None, 2: None, 3: None, 4: None, 5: None}
    none = stalled(EMPTY, _opps([]), TODAY, 30)
    assert none.empty and list(none.columns) == ["opportunity_id", "level", "since", "idle_days"]


def test_fne003_stalled_is_idle_more_than_the_threshold_longest_first():
    history = _history(
        [
            (1, 2, date(2026, 10, 28)),  # 30 days: exactly the threshold, not stalled
            (2, 3, date(2026, 10, 27)),  # 31 days
            (3, 1, date(2026, 8, 1)),  # 118 days
            (4, 4, date(2026, 9, 1)),  # 87 days
            (5, 2, date(2026, 1, 1)),  # lost: not open
        ]
    )
    opps = _opps([(1, "open", None), (2, "open", None), (3, "open", None), (4, "open", None), (5, "lost", TODAY)])
    out = stalled(history, opps, TODAY, 30)
    assert out.to_dict("list") == {
        "opportunity_id": [3, 4, 2],
        "level": [1, 4, 3],
        "since": [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 27)],
        "idle_days": [118, 87, 31],
    }


def test_fne004_a_level_without_a_configured_probability_is_configured_at_zero():
    history = _history([(1, 1, date(2026, 1, 5)), (1, 2, date(2026, 2, 1)), (2, 1, date(2026, 3, 1))])
    opps = _opps([(1, "won", date(2026, 4, 1)), (2, "lost", date(2026, 5, 1))])
    out = calibration(history, opps, {1: 0.1})
    assert out == [
        Calibration(1, 0.1, 2, 1),
        Calibration(2, 0.0, 1, 1),
        Calibration(3, 0.0, 0, 0),
        Calibration(4, 0.0, 0, 0),
        Calibration(5, 0.0, 0, 0),
    ]
