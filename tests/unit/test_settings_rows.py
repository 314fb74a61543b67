"""The settings rows read as typed settings, every key by hand (issue 23: mutation testing found them unread by any
test), and the overdue aging at each edge, on literal rows."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.collections import overdue
from metrics.settings import BusinessSettings, default_setting_rows


def test_set001_every_key_of_the_settings_rows_is_read():
    rows = {
        "level_probabilities": {"1": 0.05, "2": 0.2, "3": 0.4, "4": 0.7, "5": 0.85, "6": 1},
        "rad_thresholds": {"r_min": 0.6, "a_max": 0.05},
        "commission_tiers": [
            {"from": 0, "upto": 0.8, "multiplier": 0.5},
            {"from": 0.8, "upto": None, "multiplier": 2.5},
        ],
        "base_share": 0.4,
        "company_name": "北方电信" * 30,
        "training_required_hours": 24,
        "floor_margin": 0.2,
        "risk_thresholds": {
            "contract_below_quote": 0.07,
            "discount_gap": 0.12,
            "min_team_reps": 4,
            "event_cost_share": 0.15,
        },
    }
    s = BusinessSettings.from_rows(rows)
    assert s.level_probabilities == {1: 0.05, 2: 0.2, 3: 0.4, 4: 0.7, 5: 0.85, 6: 1.0}
    assert (s.rad_r_min, s.rad_a_max) == (0.6, 0.05)
    assert s.commission_tiers == ((0.0, 0.8, 0.5), (0.8, None, 2.5))
    assert s.base_share == 0.4 and s.training_required_hours == 24.0 and s.floor_margin == 0.2
    assert s.company_name == ("北方电信" * 30)[:100] and len(s.company_name) == 100
    assert (s.risk_contract_below_quote, s.risk_discount_gap, s.risk_min_team_reps, s.risk_event_cost_share) == (
        0.07,
        0.12,
        4,
        0.15,
    )
    assert isinstance(s.risk_min_team_reps, int) and isinstance(s.training_required_hours, float)


def test_set002_missing_keys_keep_the_defaults_which_the_fresh_rows_hold():
    assert BusinessSettings.from_rows({}) == BusinessSettings()
    assert BusinessSettings.from_rows(default_setting_rows()) == BusinessSettings()
    defaults = BusinessSettings()
    # the data dictionary's defaults: p(level), R >= 50%, A < 10%, tiers 1.0 / 1.5 / 2.0, 5:5 pay
    assert defaults.level_probabilities == {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9, 6: 1.0}
    assert (defaults.rad_r_min, defaults.rad_a_max) == (0.5, 0.1)
    assert defaults.commission_tiers == ((0.0, 1.0, 1.0), (1.0, 1.5, 1.5), (1.5, None, 2.0))
    assert defaults.base_share == 0.5 and defaults.company_name == "" and defaults.floor_margin == 0.15
    rows = default_setting_rows()
    assert set(rows) == {
        "level_probabilities",
        "rad_thresholds",
        "commission_tiers",
        "base_share",
        "company_name",
        "training_required_hours",
        "floor_margin",
        "risk_thresholds",
    }
    assert rows["base_share"] == 0.5 and rows["training_required_hours"] == defaults.training_required_hours
    assert rows["floor_margin"] == 0.15 and rows["risk_thresholds"]["min_team_reps"] == defaults.risk_min_team_reps
    assert rows["company_name"] == "" and rows["level_probabilities"]["3"] == 0.5
    assert rows["rad_thresholds"] == {"r_min": 0.5, "a_max": 0.1}
    assert rows["commission_tiers"][-1]["upto"] is None
    partial = BusinessSettings.from_rows({"rad_thresholds": {"r_min": 0.7}, "risk_thresholds": {"discount_gap": 0.2}})
    assert (partial.rad_r_min, partial.rad_a_max) == (0.7, 0.1)
    assert (partial.risk_discount_gap, partial.risk_min_team_reps) == (0.2, defaults.risk_min_team_reps)


TODAY = date(2026, 11, 27)


def _due(days_ago: int) -> date:
    return date.fromordinal(TODAY.toordinal() - days_ago)


def test_set003_aging_at_every_edge():
    assert overdue(pd.DataFrame(columns=["due_date", "amount", "paid_amount"]), TODAY) == overdue(
        pd.DataFrame({"due_date": [], "amount": [], "paid_amount": []}), TODAY
    )
    empty = overdue(pd.DataFrame(columns=["due_date", "amount", "paid_amount"]), TODAY)
    assert (empty.amount, empty.count, empty.buckets) == (0.0, 0, {"1-30": 0.0, "31-60": 0.0, "61-90": 0.0, ">90": 0.0})
    rows = pd.DataFrame(
        {
            "due_date": [_due(d) for d in (0, 1, 30, 31, 60, 61, 90, 91, 400, 10, 12)],
            "amount": [100.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 500.0, 0.005],
            "paid_amount": [None, None, None, None, None, None, None, None, None, 499.995, None],
        }
    )
    o = overdue(rows, TODAY)
    # due today is not late; 499.995 of 500 paid, or 0.005 unpaid, leaves half a fen, which is no debt
    assert o.buckets == {"1-30": 3.0, "31-60": 12.0, "61-90": 48.0, ">90": 192.0}
    assert (o.amount, o.count) == (255.0, 8)
    grouped = rows.assign(n=[5, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4])  # each row stands for n payments summed
    assert overdue(grouped, TODAY).count == 9
    paid: list[float | None] = [*([None] * 9), 400.0, None]
    assert overdue(rows.assign(paid_amount=pd.Series(paid, dtype=object)), TODAY).buckets["1-30"] == pytest.approx(
        103.0
    )
