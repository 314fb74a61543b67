"""metrics/winloss.py on hand-built closed deals; every expected number is worked out by hand here."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest

from metrics.period import Period
from metrics.sales import Outcomes
from metrics.winloss import (
    MISSING,
    Drill,
    chosen_segment,
    cycle_lengths,
    deals_behind,
    head_to_head,
    loss_pareto,
    lost_by_level,
    outcomes,
    outcomes_in,
    segment_rates,
    size_band,
    tally,
    trend_quarters,
    win_rate_trend,
)
from tests.builders import closed_deal_row as deal


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def row(df: pd.DataFrame, column: str, value) -> dict:
    found = df[df[column] == value]
    assert len(found) == 1, (column, value, df)
    return found.iloc[0].to_dict()


def test_wl001_win_rate_by_count_and_by_amount_overall():
    deals = frame(deal("won", 100), deal("won", 200), deal("won", 300), deal("lost", 400))
    o = outcomes(deals)
    assert o == Outcomes(won_count=3, lost_count=1, won_amount=600.0, lost_amount=400.0)
    rates = segment_rates(deals, "industry")
    only = row(rates, "key", "金融")
    assert only["win_rate"] == pytest.approx(3 / 4)  # a rate: 3 of 4, not 3:1
    assert only["win_rate_amount"] == pytest.approx(600 / 1000)
    assert (only["n"], only["won"], only["lost"]) == (4, 3, 1)


def test_wl002_no_lost_deals():
    deals = frame(deal("won", 100, days=10), deal("won", 300, days=20))
    assert row(segment_rates(deals, "region"), "key", "华东")["win_rate"] == 1.0
    pareto = loss_pareto(deals[deals["status"] == "lost"].rename(columns={"loss_reason": "reason"}))
    assert pareto.empty
    levels = lost_by_level(deals)
    assert levels["level"].tolist() == [1, 2, 3, 4, 5] and levels["count"].sum() == 0
    cycle = cycle_lengths(deals).set_index("outcome")
    assert cycle.loc["won", "median_days"] == 15.0 and cycle.loc["won", "count"] == 2
    assert cycle.loc["lost", "count"] == 0 and cycle["median_days"].isna().tolist() == [False, True]


def test_wl003_no_won_deals():
    deals = frame(deal("lost", 100, competitor="华为"), deal("lost", 50, competitor="华为"))
    assert row(segment_rates(deals, "team"), "key", "华东一部")["win_rate"] == 0.0
    h2h = head_to_head(tally(deals, "competitor"))
    huawei = row(h2h, "competitor", "华为")
    assert (huawei["met"], huawei["won"], huawei["lost"], huawei["amount"]) == (2, 0, 2, 150.0)
    assert huawei["win_rate"] == 0.0 and huawei["win_rate_amount"] == 0.0
    assert outcomes(deals).won_count == 0


def test_wl004_missing_reasons_are_one_group_and_complete_the_pareto():
    lost = [
        deal("lost", 100, reason="价格偏高"),
        deal("lost", 300, reason="价格偏高"),
        deal("lost", 200, reason=" 价格偏高 "),  # the same reason, typed with spaces
        deal("lost", 500, reason="预算取消"),
        deal("lost", 50, reason=None),
        deal("lost", 60, reason=""),
        deal("lost", 70, reason="   "),
        deal("lost", 80, reason=None),
    ]
    won = deal("won", 1000, win_reason="价格优势")
    deals = frame(*lost, won)
    rows = deals[deals["status"] == "lost"].rename(columns={"loss_reason": "reason"})
    pareto = loss_pareto(rows)
    # four deals without a reason outnumber every reason, yet the data-quality row comes last
    assert pareto["reason"].tolist() == ["价格偏高", "预算取消", MISSING]
    assert pareto["count"].tolist() == [3, 1, 4]
    assert pareto["amount"].tolist() == [600.0, 500.0, 260.0]
    assert pareto["missing"].tolist() == [False, False, True]
    assert pareto["share"].tolist() == pytest.approx([3 / 8, 1 / 8, 4 / 8])
    assert pareto["cumulative"].tolist() == pytest.approx([3 / 8, 4 / 8, 1.0])
    assert pareto["amount_share"].tolist() == pytest.approx([600 / 1360, 500 / 1360, 260 / 1360])
    assert pareto["cumulative_amount"].tolist() == pytest.approx([600 / 1360, 1100 / 1360, 1.0])
    # the same reasons already counted by SQL (reason, count, amount; NULL and '' apart) give the same Pareto
    grouped = pd.DataFrame(
        {
            "reason": ["价格偏高", " 价格偏高 ", "预算取消", None, ""],
            "count": [2, 1, 1, 3, 1],
            "amount": [400, 200, 500, 200, 60],
        }
    )
    assert loss_pareto(grouped).equals(pareto)
    # and the list behind "reason missing" holds exactly those four deals
    behind = deals_behind(deals, Drill("reason", MISSING))
    assert sorted(behind["amount"]) == [50, 60, 70, 80]
    assert behind["reason"].isna().sum() + (behind["reason"].str.strip() == "").sum() == 4
    assert deals_behind(deals, Drill("reason", "价格偏高"))["amount"].tolist() == [300, 200, 100]


def test_wl005_a_single_segment_is_the_whole():
    deals = frame(deal("won", 100, rad="D"), deal("lost", 300, rad="D"), deal("won", 50, rad="D"))
    rates = segment_rates(deals, "rad_class")
    assert rates["key"].tolist() == ["D"]
    o = outcomes(deals)
    assert rates.loc[0, "win_rate"] == pytest.approx(o.won_count / (o.won_count + o.lost_count)) == pytest.approx(2 / 3)
    assert rates.loc[0, "win_rate_amount"] == pytest.approx(150 / 450)


def test_wl006_samples_under_ten_deals_are_marked_small():
    nine = [deal("won" if i % 3 else "lost", 10, product="网络设备") for i in range(9)]
    ten = [deal("won" if i % 2 else "lost", 10, product="云服务") for i in range(10)]
    rates = segment_rates(frame(*nine, *ten), "product_line")
    assert rates["key"].tolist() == ["云服务", "网络设备"]  # most deals first
    assert row(rates, "key", "网络设备")["small"] and row(rates, "key", "网络设备")["n"] == 9
    assert not row(rates, "key", "云服务")["small"]
    assert row(rates, "key", "网络设备")["win_rate"] == pytest.approx(6 / 9)  # i = 0, 3, 6 lost


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        (0, "<100k"),
        (99_999.99, "<100k"),
        (100_000, "100k-500k"),
        (499_999.99, "100k-500k"),
        (500_000, "500k-1M"),
        (999_999.99, "500k-1M"),
        (1_000_000, "1M-5M"),
        (4_999_999.99, "1M-5M"),
        (5_000_000, ">=5M"),
        (20_000_000, ">=5M"),
    ],
)
def test_wl007_deal_size_bands_in_cny(amount, band):
    assert size_band(amount) == band


def test_wl008_size_bands_in_band_order_and_their_deals():
    deals = frame(
        deal("won", 6_000_000),
        deal("lost", 50_000),
        deal("won", 80_000),
        deal("lost", 2_000_000),
        deal("won", 2_500_000),
    )
    rates = segment_rates(deals, "size_band")
    assert rates["key"].tolist() == ["<100k", "1M-5M", ">=5M"]  # only bands with deals, smallest first
    assert row(rates, "key", "<100k")["win_rate"] == 0.5
    assert row(rates, "key", "<100k")["win_rate_amount"] == pytest.approx(80_000 / 130_000)
    assert row(rates, "key", "1M-5M")["win_rate_amount"] == pytest.approx(2_500_000 / 4_500_000)
    assert deals_behind(deals, Drill("size_band", "1M-5M"))["amount"].tolist() == [2_500_000, 2_000_000]


def test_wl009_cycle_length_of_won_against_lost():
    start = date(2026, 1, 1)
    deals = frame(
        deal("won", 1, created=start, closed=start + timedelta(days=10)),
        deal("won", 1, created=start, closed=start + timedelta(days=20)),
        deal("won", 1, created=start, closed=start + timedelta(days=60)),
        deal("lost", 1, created=start, closed=start + timedelta(days=5)),
        deal("lost", 1, created=date(2025, 12, 31), closed=start + timedelta(days=6)),  # 7 days, over new year
    )
    cycle = cycle_lengths(deals).set_index("outcome")
    assert cycle.loc["won"].to_dict() == {"count": 3, "median_days": 20.0, "mean_days": 30.0}
    assert cycle.loc["lost"].to_dict() == {"count": 2, "median_days": 6.0, "mean_days": 6.0}
    assert sorted(deals_behind(deals, Drill("outcome", "lost"))["cycle_days"]) == [5, 7]


def test_wl010_trend_over_the_eight_quarters_to_the_period_end():
    assert [q.key for q in trend_quarters(date(2026, 12, 31))] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
        "2026Q3",
        "2026Q4",
    ]
    assert [q.key for q in trend_quarters(date(2026, 3, 31), 3)] == ["2025Q3", "2025Q4", "2026Q1"]
    deals = frame(
        deal("won", 100, closed=date(2026, 1, 5)),
        deal("lost", 300, closed=date(2026, 3, 31)),
        deal("won", 200, closed=date(2026, 4, 1)),
        deal("won", 400, closed=date(2026, 6, 30)),
    )
    quarters = trend_quarters(date(2026, 6, 30), 3)

    def closed_in(q: Period) -> pd.DataFrame:
        return deals[[q.start <= d <= q.end for d in deals["closed_date"]]]

    trend = win_rate_trend({q: outcomes(closed_in(q)) for q in quarters})
    assert trend["quarter"].tolist() == ["2025Q4", "2026Q1", "2026Q2"]
    assert trend["n"].tolist() == [0, 2, 2]
    assert trend["win_rate"].isna().tolist() == [True, False, False]  # nothing closed: no rate, not 0%
    assert trend.loc[1, "win_rate"] == 0.5 and trend.loc[1, "win_rate_amount"] == pytest.approx(100 / 400)
    assert trend.loc[2, "win_rate"] == 1.0 and trend["small"].all()
    # the page reads the deals once per status and day (queries.closed_by_day) and cuts the quarters from it
    by_day = pd.DataFrame(
        {
            "status": ["won", "lost", "won", "won", "lost"],
            "closed_date": [date(2026, 1, 5), date(2026, 3, 31), date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 1)],
            "count": [1, 2, 1, 3, 1],
            "amount": [100.0, 300.0, 200.0, 400.0, 50.0],
        }
    )
    assert outcomes_in(by_day, Period(2026, 1)) == Outcomes(won_count=1, lost_count=2, won_amount=100, lost_amount=300)
    assert outcomes_in(by_day, Period(2026, 2)) == Outcomes(won_count=4, lost_count=0, won_amount=600, lost_amount=0)
    assert outcomes_in(by_day, Period(2025, 4)) == Outcomes()
    assert outcomes_in(by_day.iloc[0:0], Period(2026)) == Outcomes()


def test_wl011_competitor_head_to_head():
    deals = frame(
        deal("won", 100, competitor="华为"),
        deal("lost", 300, competitor="华为"),
        deal("lost", 200, competitor="华为"),
        deal("won", 500, competitor="思科"),
        deal("lost", 900),  # no competitor named: not in the head-to-head
    )
    h2h = head_to_head(tally(deals, "competitor"))
    assert h2h["competitor"].tolist() == ["华为", "思科"]
    huawei = row(h2h, "competitor", "华为")
    assert (huawei["met"], huawei["won"], huawei["lost"], huawei["amount"]) == (3, 1, 2, 600.0)
    assert huawei["win_rate"] == pytest.approx(1 / 3) and huawei["win_rate_amount"] == pytest.approx(100 / 600)
    assert huawei["small"]
    # as a segment, "no competitor named" is a group of its own
    assert row(segment_rates(deals, "competitor"), "key", MISSING)["n"] == 1


def test_wl012_where_lost_deals_were_lost():
    deals = frame(
        deal("lost", 100, level=1),
        deal("lost", 200, level=3),
        deal("lost", 300, level=3),
        deal("lost", 400, level=5),
        deal("won", 999, level=6),
    )
    levels = lost_by_level(deals)
    assert levels["level"].tolist() == [1, 2, 3, 4, 5]
    assert levels["count"].tolist() == [1, 0, 2, 0, 1]
    assert levels["amount"].tolist() == [100, 0, 500, 0, 400]
    assert levels["share"].tolist() == pytest.approx([0.25, 0, 0.5, 0, 0.25])
    assert deals_behind(deals, Drill("lost_level", "3"))["amount"].tolist() == [300, 200]


def test_wl013_rad_classes_in_order_and_reps_by_name():
    deals = frame(
        deal("won", 1, rad=None, rep="R2", owner="李娜"),
        deal("won", 1, rad="D", rep="R2", owner="李娜"),
        deal("lost", 1, rad="R", rep="R1"),
        deal("lost", 1, rad="A", rep="R2", owner="李娜"),
    )
    assert segment_rates(deals, "rad_class")["key"].tolist() == ["R", "A", "D", MISSING]
    reps = segment_rates(deals, "rep")
    assert reps["key"].tolist() == ["R2", "R1"] and reps["label"].tolist() == ["李娜 (R2)", "王伟 (R1)"]
    assert reps.loc[0, "win_rate"] == pytest.approx(2 / 3)


def test_wl014_drills_from_untrusted_urls():
    assert Drill.from_query({"reason": "价格偏高", "segment": "team"}) == Drill("reason", "价格偏高")
    assert Drill.from_query({"segment": "industry", "value": "金融"}) == Drill("industry", "金融")
    assert Drill.from_query({"value": "R"}) == Drill("rad_class", "R")  # the default segment
    assert Drill.from_query({"lost_level": "3"}) == Drill("lost_level", "3")
    assert Drill.from_query({"outcome": "won"}) == Drill("outcome", "won")
    for bad in (
        {"lost_level": "9"},
        {"lost_level": "1 OR 1=1"},
        {"outcome": "open"},
        {"reason": ["a", "b"]},  # a repeated parameter arrives as a list
        {"reason": "x" * 201},
        {"reason": ""},
        {},
    ):
        assert Drill.from_query(bad) is None, bad
    assert chosen_segment({"segment": "nope"})[0] == "rad_class" and "not one of" in str(
        chosen_segment({"segment": "x"})[1]
    )
    assert chosen_segment({"segment": "rep"}) == ("rep", None)
    drill = Drill("competitor", "华为")
    assert drill.applied_to({"period": "2026", "reason": "价格", "segment": "rep"}) == {
        "period": "2026",
        "segment": "competitor",
        "value": "华为",
    }
    assert Drill("reason", "价格").applied_to({"segment": "rep", "value": "R1"}) == {"segment": "rep", "reason": "价格"}


def test_wl015_segment_rates_add_up_to_the_whole():
    deals = frame(
        *[deal("won" if i % 3 else "lost", 1000 * i, industry=("金融", "政府", "制造")[i % 3]) for i in range(30)]
    )
    o = outcomes(deals)
    for segment in ("industry", "size_band", "competitor", "rep"):
        rates = segment_rates(deals, segment)
        assert rates["won"].sum() == o.won_count and rates["lost"].sum() == o.lost_count
        assert math.isclose(rates["won_amount"].sum(), o.won_amount)


def test_wl016_nothing_closed():
    deals = pd.DataFrame(columns=[*deal("won", 1).keys()])
    assert outcomes(deals) == Outcomes()
    for segment in ("rad_class", "rep", "size_band"):
        assert segment_rates(deals, segment).empty
    assert head_to_head(tally(deals, "competitor")).empty
    assert head_to_head(pd.DataFrame(columns=["competitor", "won", "lost", "won_amount", "lost_amount"])).empty
    assert loss_pareto(pd.DataFrame(columns=["reason", "count", "amount"])).empty
    assert lost_by_level(deals)["count"].tolist() == [0, 0, 0, 0, 0]
    assert cycle_lengths(deals)["count"].tolist() == [0, 0]
    assert deals_behind(deals, Drill("outcome", "won")).empty
