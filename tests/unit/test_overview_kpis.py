"""The Overview's KPI set as pure formulas (metrics.overview.kpis_of) on literal inputs, figures by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.overview import OverviewInputs, kpis_of
from metrics.period import Period

PROBABILITIES = {1: 0.10, 2: 0.25, 3: 0.50, 4: 0.75, 5: 0.90, 6: 1.0}


def _inputs(**changes: object) -> OverviewInputs:
    base = {
        "period": Period(2026),
        "today": date(2026, 7, 2),
        "bookings": 600_000.0,
        "gm_booked": 150_000.0,
        "quota_rows": pd.DataFrame(
            [
                {
                    "rep_id": 1,
                    "quarter": None,
                    "revenue_target": 1_000_000.0,
                    "gm_target": 250_000.0,
                    "target_commission": 100_000.0,
                }
            ]
        ),
        "pipeline": pd.DataFrame({"level": [1, 3, 5], "count": [2, 1, 1], "amount": [100_000.0, 200_000.0, 400_000.0]}),
        "pipeline_due": 300_000.0,
        "won_count": 3,
        "lost_count": 1,
        "won_amount": 600_000.0,
        "lost_amount": 200_000.0,
        "history_won_amount": 300_000.0,
        "history_lost_amount": 700_000.0,
        "unpaid": pd.DataFrame(
            {
                "due_date": [date(2026, 6, 1), date(2026, 7, 2), date(2026, 4, 2)],
                "amount": [50_000.0, 5_000.0, 8_000.0],
                "paid_amount": [10_000.0, None, None],
            }
        ),
        "level_probabilities": PROBABILITIES,
    }
    base.update(changes)
    return OverviewInputs(**base)  # type: ignore[arg-type]


def test_okp001_every_figure_by_hand():
    k = kpis_of(_inputs())
    assert (k.revenue_target, k.gm_target, k.target_commission) == (1_000_000.0, 250_000.0, 100_000.0)
    assert k.attainment == pytest.approx(0.6) and k.gm_attainment == pytest.approx(0.6)
    assert k.elapsed_share == pytest.approx(183 / 365)  # 1 Jan to 2 Jul inclusive
    assert (k.open_count, k.open_amount) == (4, 700_000.0)
    assert k.weighted_amount == pytest.approx(100_000 * 0.1 + 200_000 * 0.5 + 400_000 * 0.9)  # 470,000
    assert k.v.remaining == 400_000.0 and k.v.value == pytest.approx(0.75)  # 300,000 due / 400,000 left
    assert k.win_rate == pytest.approx(0.75) and k.win_rate_amount == pytest.approx(0.75)
    assert k.required_v == pytest.approx(1 / 0.3)  # 300,000 won of 1,000,000 closed in the last 365 days
    # 40,000 owed 31 days late; due today is not overdue; 8,000 owed 91 days late
    assert k.overdue.amount == 48_000.0 and k.overdue.count == 2
    assert k.overdue.buckets == {"1-30": 0.0, "31-60": 40_000.0, "61-90": 0.0, ">90": 8_000.0}
    assert sum(k.overdue.buckets.values()) == k.overdue.amount


def test_okp002_quota_met_and_no_quota():
    met = kpis_of(_inputs(bookings=1_200_000.0))
    assert met.v.quota_met and met.v.value is None and met.attainment == pytest.approx(1.2)
    none = kpis_of(
        _inputs(
            quota_rows=pd.DataFrame(columns=["rep_id", "quarter", "revenue_target", "gm_target", "target_commission"])
        )
    )
    assert none.revenue_target is None and none.attainment is None and none.v.value is None


def test_okp003_a_quarter_takes_its_quarter_row_else_a_quarter_of_the_year():
    q3 = kpis_of(_inputs(period=Period(2026, 3), today=date(2026, 8, 15)))
    assert q3.revenue_target == pytest.approx(250_000.0)  # no Q3 row: a quarter of the year row
    rows = pd.DataFrame(
        [
            {
                "rep_id": 1,
                "quarter": None,
                "revenue_target": 1_000_000.0,
                "gm_target": 250_000.0,
                "target_commission": 100_000.0,
            },
            {
                "rep_id": 1,
                "quarter": 3,
                "revenue_target": 400_000.0,
                "gm_target": 90_000.0,
                "target_commission": 40_000.0,
            },
        ]
    )
    own = kpis_of(_inputs(period=Period(2026, 3), today=date(2026, 8, 15), quota_rows=rows))
    assert own.revenue_target == 400_000.0


def test_okp004_no_closed_deals_is_no_win_rate_not_zero():
    k = kpis_of(
        _inputs(
            won_count=0, lost_count=0, won_amount=0.0, lost_amount=0.0, history_won_amount=0.0, history_lost_amount=0.0
        )
    )
    assert k.win_rate is None and k.win_rate_amount is None and k.required_v is None


def test_okp005_one_weighted_formula_for_the_total_the_stages_and_the_api():
    from metrics.funnel import stage_values
    from metrics.sales import weighted_amounts, weighted_pipeline

    levels, amounts = pd.Series([1, 3, 5, 9]), pd.Series([100.0, 200.0, 400.0, 50.0])
    assert weighted_amounts(levels, amounts, PROBABILITIES).tolist() == pytest.approx([10.0, 100.0, 360.0, 0.0])
    frame = pd.DataFrame({"level": levels, "amount": amounts})
    assert weighted_pipeline(frame, PROBABILITIES) == pytest.approx(470.0)
    stages = pd.DataFrame({"stage": ["1", "5w", "6"], "count": [1, 1, 1], "amount": [100.0, 400.0, 50.0]})
    assert stage_values(stages, PROBABILITIES)["weighted"].tolist() == pytest.approx([10.0, 360.0, 50.0])
