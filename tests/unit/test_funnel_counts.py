"""The funnel's conversion, calibration and days at a level from the per-level counts SQL hands over (what the
page shows), on literal rows (issue 23: mutation testing found no test reaching these outside the pages)."""

from __future__ import annotations

import pandas as pd

from metrics.funnel import Calibration, LevelConversion, calibration_from_counts, conversion_from_counts, days_at_levels

P = {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9}


def test_fnc001_conversion_per_level_and_the_levels_nobody_entered():
    # level_health's frame: "won" is the calibration's (closed deals over all history), not the window's
    counts = pd.DataFrame(
        {"level": [1, 3, 5], "entered": [10, 4, 2], "advanced": [6, 3, 0], "entered_won": [2, 2, 1], "won": [7, 9, 9]}
    )
    out = conversion_from_counts(counts)
    assert out == [
        LevelConversion(1, 10, 6, 2),
        LevelConversion(2, 0, 0, 0),
        LevelConversion(3, 4, 3, 2),
        LevelConversion(4, 0, 0, 0),
        LevelConversion(5, 2, 0, 1),
    ]
    assert [(c.to_next, c.to_won) for c in out] == [(0.6, 0.2), (None, None), (0.75, 0.5), (None, None), (0.0, 0.5)]


def test_fnc002_calibration_against_the_configured_probabilities():
    counts = pd.DataFrame({"level": [2, 4], "closed": [40, 5], "won": [10, 4]})
    out = calibration_from_counts(counts, {**P, 4: 0.8})
    assert out == [
        Calibration(1, 0.1, 0, 0),
        Calibration(2, 0.25, 40, 10),
        Calibration(3, 0.5, 0, 0),
        Calibration(4, 0.8, 5, 4),
        Calibration(5, 0.9, 0, 0),
    ]
    assert [c.observed for c in out] == [None, 0.25, None, 0.8, None]
    assert [c.too_little_history for c in out] == [True, False, True, True, True]
    assert calibration_from_counts(counts, {})[1].configured == 0.0  # a level without a probability: 0


def test_fnc003_days_at_a_level_are_the_stays_average():
    stays = pd.DataFrame({"level": [1, 2, 4], "stays": [4, 0, 3], "days": [40.0, 0.0, 10.0]})
    assert days_at_levels(stays) == {1: 10.0, 2: None, 3: None, 4: 10 / 3, 5: None}
