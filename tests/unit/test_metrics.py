"""Pure metric functions on small hand-computed data (data dictionary, "Definitions")."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.collections import overdue
from metrics.commission import commission_payout, on_target_split
from metrics.period import Period
from metrics.rad import classify, rad_class, share_of_wallet
from metrics.sales import (
    Targets,
    attainment,
    period_targets,
    remaining_quota,
    required_v,
    v_value,
    weighted_pipeline,
    win_rate,
)
from metrics.settings import DEFAULT_LEVEL_PROBABILITIES, BusinessSettings, default_setting_rows


def test_met001_period_bounds_and_parse():
    assert (Period(2026).start, Period(2026).end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (Period(2026, 1).start, Period(2026, 1).end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (Period(2024, 1).end, Period(2026, 2).end) == (date(2024, 3, 31), date(2026, 6, 30))
    assert Period(2026, 4).end == date(2026, 12, 31)
    assert Period.parse("2026q3") == Period(2026, 3)
    assert Period.parse(Period(2025).key) == Period(2025)
    for bad in ("20x6", "2026Q5", "Q1", "", "1800"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_met002_elapsed_share():
    q = Period(2026, 1)  # 90 days
    assert q.elapsed_share(date(2025, 12, 31)) == 0.0
    assert q.elapsed_share(date(2026, 1, 1)) == pytest.approx(1 / 90)
    assert q.elapsed_share(date(2026, 3, 31)) == 1.0
    assert q.elapsed_share(date(2027, 1, 1)) == 1.0


def test_met003_attainment_and_remaining_quota():
    assert attainment(1_200_000, 1_000_000) == pytest.approx(1.2)
    assert attainment(0, 1_000_000) == 0.0
    assert attainment(500, 0) is None  # zero quota: undefined, not infinite
    assert attainment(500, None) is None
    assert remaining_quota(1_000_000, 400_000) == 600_000
    assert remaining_quota(1_000_000, 1_300_000) == 0.0  # never negative
    assert remaining_quota(None, 5) is None


def test_met004_v_value_cases():
    v = v_value(3_000_000, 1_000_000)
    assert (v.value, v.quota_met, v.no_quota) == (3.0, False, False)
    met = v_value(3_000_000, 0.0)  # remaining quota 0: "quota met", no division error
    assert (met.value, met.quota_met) == (None, True)
    none = v_value(3_000_000, None)
    assert (none.value, none.no_quota) == (None, True)
    assert v_value(0, 500).value == 0.0


def test_met005_win_rate_and_required_v():
    assert win_rate(3, 1) == 0.75
    assert win_rate(0, 0) is None
    assert win_rate(0, 4) == 0.0
    assert required_v(0.25) == 4.0
    assert required_v(0.0) is None and required_v(None) is None


def test_met006_weighted_pipeline_uses_level_probabilities():
    df = pd.DataFrame({"level": [1, 3, 5, 5], "amount": [100_000.0, 200_000.0, 50_000.0, 50_000.0]})
    # 100k x 10% + 200k x 50% + 100k x 90% = 10k + 100k + 90k
    assert weighted_pipeline(df, DEFAULT_LEVEL_PROBABILITIES) == pytest.approx(200_000)
    assert weighted_pipeline(df.iloc[0:0], DEFAULT_LEVEL_PROBABILITIES) == 0.0
    assert weighted_pipeline(df, {1: 1.0, 3: 0.0, 5: 0.0}) == pytest.approx(100_000)


def test_met007_overdue_and_aging():
    today = date(2026, 6, 30)
    df = pd.DataFrame(
        {
            "due_date": [
                date(2026, 6, 29),
                date(2026, 5, 1),
                date(2026, 4, 15),
                date(2026, 1, 1),
                date(2026, 6, 30),
                date(2026, 3, 1),
            ],
            "amount": [100.0, 200.0, 300.0, 400.0, 999.0, 50.0],
            "paid_amount": [None, 50.0, None, None, None, 50.0],
        }
    )
    o = overdue(df, today)
    # due today is not overdue; fully paid is not overdue; partly paid owes the rest
    assert o.count == 4
    assert o.amount == pytest.approx(100 + 150 + 300 + 400)
    assert o.buckets == {"1-30": 100.0, "31-60": 150.0, "61-90": 300.0, ">90": 400.0}
    assert overdue(df.iloc[0:0], today).amount == 0.0


def test_met008_period_targets_year_and_quarter():
    rows = pd.DataFrame(
        {
            "rep_id": [1, 1, 1, 2],
            "quarter": [None, 1, 2, None],
            "revenue_target": [1000.0, 200.0, 300.0, 400.0],
            "gm_target": [100.0, 20.0, 30.0, 40.0],
        }
    )
    # year: the whole-year rows (1000 + 400)
    assert period_targets(rows, None) == Targets(1400.0, 140.0, None)
    # Q1: rep 1 has a Q1 row (200), rep 2 only a year row (400 / 4)
    assert period_targets(rows, 1) == Targets(300.0, 30.0, None)
    # Q3: neither has a Q3 row: a quarter of each year row
    assert period_targets(rows, 3) == Targets(350.0, 35.0, None)
    only_quarters = pd.DataFrame(
        {"rep_id": [7, 7], "quarter": [1, 2], "revenue_target": [10.0, 20.0], "gm_target": [1.0, 2.0]}
    )
    assert period_targets(only_quarters, None) == Targets(30.0, 3.0, None)
    assert period_targets(rows.iloc[0:0], None) is None


def test_met010_target_commission_of_a_period():
    rows = pd.DataFrame(
        {
            "rep_id": [1, 1, 2],
            "quarter": [None, 2, None],
            "revenue_target": [1000.0, 300.0, 400.0],
            "gm_target": [100.0, 30.0, 40.0],
            "target_commission": [200_000.0, None, 120_000.0],
        }
    )
    assert period_targets(rows, None) == Targets(1400.0, 140.0, 320_000.0)
    # Q2: rep 1's quarter row has no commission: a quarter of its year's; rep 2: a quarter of the year row
    assert period_targets(rows, 2) == Targets(400.0, 40.0, 50_000.0 + 30_000.0)


@pytest.mark.parametrize(
    ("attainment", "multiplier"),
    [(0.0, 0.0), (0.8, 0.8), (1.0, 1.0), (1.2, 1.3), (1.5, 1.75), (1.6, 1.95), (-0.1, 0.0)],
)
def test_met011_commission_accelerator_tiers(attainment, multiplier):
    tiers = BusinessSettings().commission_tiers
    payout = commission_payout(100_000, attainment, tiers)
    assert payout.multiplier == pytest.approx(multiplier)
    assert payout.total == pytest.approx(100_000 * multiplier)


def test_met012_commission_breakdown_and_split():
    payout = commission_payout(100_000, 1.6, BusinessSettings().commission_tiers)
    # 1.0 x 1.0 + 0.5 x 1.5 + 0.1 x 2.0
    assert [round(t.inside, 6) for t in payout.tiers] == [1.0, 0.5, 0.1]
    assert [round(t.amount, 2) for t in payout.tiers] == [100_000.0, 75_000.0, 20_000.0]
    assert on_target_split(300_000) == (150_000, 150_000)
    assert on_target_split(300_000, 0.6) == pytest.approx((180_000, 120_000))


def test_met013_sow_and_rad_class():
    assert share_of_wallet(50, 100) == 0.5
    assert share_of_wallet(50, None) is None and share_of_wallet(0, 0) is None
    assert rad_class(0.5, 0.5, 0.1) == "R"
    assert rad_class(0.4999, 0.5, 0.1) == "D"
    assert rad_class(0.1, 0.5, 0.1) == "D"
    assert rad_class(0.0999, 0.5, 0.1) == "A"
    assert rad_class(None, 0.5, 0.1) is None
    df = pd.DataFrame(
        {
            "bp": [1000.0, None, 100.0, 1000.0, 1000.0],
            "bookings": [600.0, 50.0, 150.0, 0.0, 50.0],
            "rad_override": [None, None, None, "R", None],
        }
    )
    out = classify(df, 0.5, 0.1)
    assert out["rad_class"].tolist() == ["R", None, "R", "R", "A"]
    assert out["manual"].tolist() == [False, False, False, True, False]
    assert out["flags"].tolist() == [[], ["no_bp"], ["bp_too_low"], [], []]
    assert out["sow"].tolist() == [0.6, None, 1.5, 0.0, 0.05]


def test_met009_settings_defaults_round_trip():
    s = BusinessSettings.from_rows(default_setting_rows())
    assert s == BusinessSettings()
    assert s.level_probabilities == {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9, 6: 1.0}
    assert (s.rad_r_min, s.rad_a_max) == (0.5, 0.1)
    assert s.commission_tiers == ((0.0, 1.0, 1.0), (1.0, 1.5, 1.5), (1.5, None, 2.0))
    tuned = BusinessSettings.from_rows({"rad_thresholds": {"r_min": 0.6}})
    assert (tuned.rad_r_min, tuned.rad_a_max) == (0.6, 0.1)


def _reference_targets(quotas: pd.DataFrame, quarter: int | None) -> Targets | None:
    """The per-rep reading of the task-book rule (the loop ``period_targets`` replaced with whole-column
    sums): per rep the year's row, else its quarter rows; a quarter without its own row takes a quarter of
    the year's."""
    if quotas.empty:
        return None
    if "target_commission" not in quotas:
        quotas = quotas.assign(target_commission=None)
    revenue = gm = 0.0
    commission: float | None = None
    found = False
    for _, rows in quotas.groupby("rep_id"):
        annual = rows[rows["quarter"].isna()]
        quarterly = rows[rows["quarter"].notna()]
        if quarter is None:
            src, share = (annual if not annual.empty else quarterly), 1.0
        else:
            src, share = quarterly[quarterly["quarter"].astype(int) == quarter], 1.0
            if src.empty:
                src, share = annual, 0.25
        if src.empty:
            continue
        found = True
        revenue += float(src["revenue_target"].astype(float).sum()) * share
        gm += float(src["gm_target"].astype(float).sum()) * share
        tc = pd.to_numeric(src["target_commission"], errors="coerce")
        if tc.isna().all() and quarter is not None and share == 1.0 and not annual.empty:
            tc, share = pd.to_numeric(annual["target_commission"], errors="coerce"), 0.25
        if not tc.isna().all():
            commission = (commission or 0.0) + float(tc.sum()) * share
    return Targets(revenue, gm, commission) if found else None


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 4),
            st.sampled_from([None, 1, 2, 3, 4]),
            st.integers(0, 1000),
            st.one_of(st.none(), st.integers(0, 500)),
        ),
        max_size=12,
        unique_by=lambda r: (r[0], r[1]),
    ),
    quarter=st.sampled_from([None, 1, 2, 3, 4]),
)
def test_met014_period_targets_equal_the_per_rep_rule(rows, quarter):
    df = pd.DataFrame(rows, columns=["rep_id", "quarter", "revenue_target", "target_commission"]).astype(
        {"revenue_target": float}
    )
    df = df.assign(gm_target=df["revenue_target"] / 10)
    got, want = period_targets(df, quarter), _reference_targets(df, quarter)
    if want is None:
        assert got is None
    else:
        assert got is not None
        assert got.revenue == pytest.approx(want.revenue) and got.gm == pytest.approx(want.gm)
        assert (got.target_commission is None) == (want.target_commission is None)
        assert got.target_commission == pytest.approx(want.target_commission)
