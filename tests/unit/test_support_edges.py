"""Edges of sales support, the sales arithmetic and staff management (issue 23: tests that catch a wrong number).

The definitions' own tests (test_support_metrics, test_metrics, test_forecast_metrics, test_staff_metrics) check
the usual cases; these check what they leave open: empty inputs, amounts of 1 CNY or less, a value exactly at a
flag's threshold plus its tolerance, sort orders that are neither the input's nor the alphabet's, a deal without an
owner, and whole outputs (every field) where that is cheap. Literal rows, every expected figure counted by hand.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.sales import ClassV, VValue, attainment, rep_targets, summed_targets, v_by_class, v_value
from metrics.staff import RepTraining, RepWeek, WeekVisit, parse_week, rep_weeks, total, training_table
from metrics.support import (
    BidRow,
    ClosedDeal,
    ContractRow,
    EventCost,
    Evidence,
    Flag,
    LineRow,
    Quote,
    QuoteOwner,
    RepDiscount,
    RequestRow,
    WinSplit,
    bid_summary,
    contract_below_quote,
    discount_outliers,
    engineer_load,
    event_cost_high,
    quote_of,
    self_approved,
    supported_split,
    team_discounts,
    unapproved_below_floor,
    weighted_discount,
)

TODAY = date(2026, 3, 18)  # a Wednesday
#: the risk flags' tolerance: a value flags when it exceeds threshold + TOL
TOL = 1e-12
OWNERS = {"O1": QuoteOwner("R01", "A01"), "O2": QuoteOwner("R02", "A02")}


def line(
    quote: str,
    product: str,
    quantity: float,
    price: float,
    cost: float,
    *,
    list_price: float = 0.0,
    opp: str = "O1",
    day: date = date(2026, 3, 1),
    approved_by: str | None = None,
) -> LineRow:
    return LineRow(
        product, quantity, price, list_price or price, cost, 0.15, quote, opp, day, "产品" + product, approved_by
    )


# --- bids and support requests -----------------------------------------------------------------------------------


def test_spe001_won_bid_without_amount_adds_nothing() -> None:
    deadline = date(2026, 3, 1)
    rows = [
        BidRow("B1", "O1", "won", date(2026, 1, 5), deadline, deadline, None),  # won, no amount: 0
        BidRow("B2", "O2", "won", date(2026, 1, 5), deadline, deadline, 100.0),
        BidRow("B3", "O3", "lost", date(2026, 1, 5), deadline, deadline, None),
        BidRow("B4", "O4", "lost", date(2026, 1, 5), deadline, deadline, 40.0),
    ]
    s = bid_summary(rows, TODAY)
    assert (s.won, s.lost, s.won_amount, s.lost_amount) == (2, 2, 100.0, 40.0)
    assert s.win_rate_amount == pytest.approx(100 / 140)


def test_spe002_engineer_load_skips_unassigned_and_puts_the_busiest_first() -> None:
    mondays = [date(2026, 3, 9), date(2026, 3, 16)]
    rows = [
        RequestRow("S0", "O0", "demo", date(2026, 3, 10)),  # no engineer, first: skipped, not the end
        RequestRow("S1", "O1", "demo", date(2026, 3, 10), "Ann", date(2026, 3, 11)),  # week 1 only
        RequestRow("S2", "O2", "demo", date(2026, 3, 10), "Bob"),  # open to today: weeks 1 and 2
        RequestRow("S3", "O3", "demo", date(2026, 3, 10), ""),  # a blank engineer: skipped
    ]
    load = engineer_load(rows, mondays, TODAY)
    assert list(load.items()) == [("Bob", [1, 1]), ("Ann", [1, 0])]  # 2 in hand before 1, not by name


def test_spe003_supported_split_whole_tallies() -> None:
    deals = [
        ClosedDeal("D1", "won", 100.0),  # supported
        ClosedDeal("D2", "lost", 50.0),  # supported
        ClosedDeal("D3", "won", 40.0),
        ClosedDeal("D4", "lost", 70.0),
        ClosedDeal("D5", "lost", 30.0),
    ]
    assert supported_split(deals, {"D1", "D2"}) == (WinSplit(1, 1, 100.0, 50.0), WinSplit(1, 2, 40.0, 100.0))
    # nothing won on either side: the won amounts stay 0
    assert supported_split([ClosedDeal("D1", "lost", 5.0)], set()) == (WinSplit(), WinSplit(0, 1, 0.0, 5.0))


# --- quotes ------------------------------------------------------------------------------------------------------


def test_spe004_quote_of_no_lines_is_an_empty_quote() -> None:
    assert quote_of([]) == Quote("", "", None, 0.0, 0.0, 0.0, 0, ())
    assert quote_of([], "Q9", "O9") == Quote("Q9", "O9", None, 0.0, 0.0, 0.0, 0, ())


def test_spe005_quote_of_keeps_its_lines() -> None:
    rows = [
        line("Q1", "P1", 2, 100.0, 60.0, list_price=125.0),  # margin 0.4
        line("Q1", "P2", 3, 50.0, 45.0),  # margin 0.1: below the 0.15 floor
    ]
    q = quote_of(rows)
    assert q == Quote("Q1", "O1", date(2026, 3, 1), 350.0, 255.0, 400.0, 1, (rows[0], rows[1]))
    assert q.lines == tuple(rows)


def test_spe006_weighted_discount_of_nothing_listed_is_unknown() -> None:
    assert weighted_discount(0.0, 0.0) is None
    assert weighted_discount(900.0, 1000.0) == pytest.approx(0.1)
    assert RepDiscount("R01", "East", 0.0, 0.0).discount is None


# --- risk flags --------------------------------------------------------------------------------------------------


def test_spe007_flag_on_a_deal_without_an_owner() -> None:
    day = date(2026, 3, 1)
    rows = [line("Q9", "P1", 1, 100.0, 90.0, opp="O9", day=day)]  # margin 0.1 < 0.15, O9 has no owner
    assert unapproved_below_floor(rows, OWNERS) == [
        Flag(
            "unapproved_below_floor",
            None,
            0.1,
            opp_code="O9",
            quote_code="Q9",
            account_code=None,
            evidence=(Evidence("line", "P1", "产品P1", day, 100.0, 0.1),),
        )
    ]
    assert self_approved([line("Q9", "P1", 1, 100.0, 90.0, opp="O9", approved_by="R01")], OWNERS) == []


def test_spe008_contract_below_a_quote_of_one_yuan() -> None:
    quoted, signed = date(2026, 2, 1), date(2026, 3, 1)
    current = {"O1": Quote("Q1", "O1", quoted, 1.0, 0.5, 1.0, 0, current=True)}  # revenue 1 CNY, GM 50%
    flags = contract_below_quote([ContractRow("C1", "O1", signed, 0.5, "R01", "A01")], current, 0.05)
    assert flags == [
        Flag(
            "contract_below_quote",
            "R01",
            0.5,  # 1 - 0.5 / 1
            opp_code="O1",
            quote_code="Q1",
            account_code="A01",
            evidence=(
                Evidence("quote", "Q1", "", quoted, 1.0, 0.5),
                Evidence("contract", "C1", "", signed, 0.5),
            ),
        )
    ]


def test_spe009_contract_shortfall_at_threshold_plus_tolerance_is_not_flagged() -> None:
    threshold = 0.5 - TOL
    assert threshold + TOL == 0.5  # the boundary is exactly the shortfall 1 - 50 / 100
    current = {"O1": Quote("Q1", "O1", date(2026, 2, 1), 100.0, 60.0, 100.0, 0, current=True)}
    signed = date(2026, 3, 1)
    assert contract_below_quote([ContractRow("C1", "O1", signed, 50.0, "R01", "A01")], current, threshold) == []
    flags = contract_below_quote([ContractRow("C2", "O1", signed, 49.0, "R01", "A01")], current, threshold)
    assert [f.value for f in flags] == [pytest.approx(0.51)]


def test_spe010_team_discounts_whole_and_ordered() -> None:
    reps = [
        RepDiscount("R1", "East", 800.0, 1000.0, 2, "张三"),
        RepDiscount("R2", "East", 700.0, 1000.0, 1, "李四"),  # East: 1 - 1500 / 2000 = 25%
        RepDiscount("R3", "West", 900.0, 1000.0, 4),  # West: 10%
        RepDiscount("R4", "North", 0.0, 0.0, 0),  # North: nothing listed, discount unknown: last
        RepDiscount("R5", "South", 450.0, 500.0, 1),  # South: 10%, ties with West: by name
    ]
    teams = team_discounts(reps)
    assert teams == [
        RepDiscount("East", "East", 1500.0, 2000.0, 3),
        RepDiscount("South", "South", 450.0, 500.0, 1),
        RepDiscount("West", "West", 900.0, 1000.0, 4),
        RepDiscount("North", "North", 0.0, 0.0, 0),
    ]
    assert [t.discount for t in teams] == [pytest.approx(0.25), pytest.approx(0.1), pytest.approx(0.1), None]
    assert team_discounts([]) == []


def test_spe011_discount_outlier_on_one_yuan_list_amounts() -> None:
    reps = [
        RepDiscount("R01", "East", 0.5, 1.0, 1),  # 50% off a 1 CNY list: still a quoting rep
        RepDiscount("R02", "East", 1.0, 1.0, 1),
        RepDiscount("R03", "East", 1.0, 1.0, 1),
    ]
    flags = discount_outliers(reps, 0.10, 3)
    team = 1 - 2.5 / 3
    assert [(f.kind, f.rep_code) for f in flags] == [("discount_outlier", "R01")]
    assert flags[0].value == pytest.approx(0.5 - team)


def test_spe012_discount_outliers_past_a_small_team_largest_gap_first() -> None:
    reps = [
        RepDiscount("R01", "Small", 100.0, 1000.0),  # a team of 2 quoting reps, listed first: skipped
        RepDiscount("R02", "Small", 900.0, 1000.0),
        RepDiscount("R03", "Big", 700.0, 1000.0),  # 30% against the team's 20%: 10 points
        RepDiscount("R04", "Big", 500.0, 1000.0),  # 50%: 30 points
        RepDiscount("R05", "Big", 1000.0, 1000.0),
        RepDiscount("R06", "Big", 1000.0, 1000.0),
    ]
    flags = discount_outliers(reps, 0.05, 3)
    assert [f.rep_code for f in flags] == ["R04", "R03"]
    assert [f.value for f in flags] == [pytest.approx(0.5 - 0.2), pytest.approx(0.3 - 0.2)]


def test_spe013_discount_gap_at_threshold_plus_tolerance_is_not_flagged() -> None:
    gap = 0.25 - TOL
    assert gap + TOL == 0.25
    reps = [
        RepDiscount("R01", "East", 500.0, 1000.0),  # 50% against the team's 1 - 3000 / 4000 = 25%
        RepDiscount("R02", "East", 1250.0, 1500.0),
        RepDiscount("R03", "East", 1250.0, 1500.0),
    ]
    assert discount_outliers(reps, gap, 3) == []
    assert [f.rep_code for f in discount_outliers(reps, 0.24, 3)] == ["R01"]


def test_spe014_event_cost_high_whole_flags_ordered_by_share() -> None:
    d1, d2 = date(2026, 3, 1), date(2026, 4, 1)
    events = [
        EventCost("E0", "无人参加", d1, 100.0, (), 0),  # nobody attended, listed first: skipped, not the end
        EventCost("E1", "客户答谢会", d1, 200.0, ("A1",), 1),  # A1: 200 / 1000 = 20%
        EventCost("E2", "高层拜访", d2, 0.5, ("A2",), 1),  # A2: 0.5 / 1 = 50%, booked only 1 CNY
    ]
    bookings = {"A1": 1000.0, "A2": 1.0}
    owners = {"A1": "R01", "A2": "R02"}
    assert event_cost_high(events, bookings, owners, 0.10) == [
        Flag(
            "event_cost_high",
            "R02",
            0.5,
            account_code="A2",
            evidence=(Evidence("event", "E2", "高层拜访", d2, 0.5), Evidence("bookings", "A2", "", None, 1.0, 0.5)),
        ),
        Flag(
            "event_cost_high",
            "R01",
            0.2,
            account_code="A1",
            evidence=(
                Evidence("event", "E1", "客户答谢会", d1, 200.0),
                Evidence("bookings", "A1", "", None, 1000.0, 0.2),
            ),
        ),
    ]


def test_spe015_event_cost_share_at_threshold_plus_tolerance_is_not_flagged() -> None:
    threshold = 0.25 - TOL
    assert threshold + TOL == 0.25
    events = [EventCost("E1", "x", date(2026, 3, 1), 250.0, ("A1",), 1)]  # 250 / 1000 = 25%
    assert event_cost_high(events, {"A1": 1000.0}, {"A1": "R01"}, threshold) == []
    assert [f.account_code for f in event_cost_high(events, {"A1": 999.0}, {"A1": "R01"}, threshold)] == ["A1"]


# --- quota arithmetic (metrics.sales) ----------------------------------------------------------------------------


def test_spe016_attainment_of_targets_of_one_yuan_or_less() -> None:
    assert attainment(0.25, 0.5) == 0.5
    assert attainment(1.0, 1.0) == 1.0
    assert attainment(1.0, 0.0) is None


def test_spe017_v_value_whole() -> None:
    assert v_value(10.0, 4.0) == VValue(2.5, 10.0, 4.0)
    assert v_value(2.0, 0.5) == VValue(4.0, 2.0, 0.5)  # a remaining quota under 1 CNY is still a quota
    assert v_value(5.0, 0.0) == VValue(None, 5.0, 0.0, quota_met=True)
    assert v_value(5.0, -3.0) == VValue(None, 5.0, 0.0, quota_met=True)  # overachieved: the remaining is 0
    assert v_value(5.0, None) == VValue(None, 5.0, None, no_quota=True)


def test_spe018_rep_targets_unreadable_commission_and_quarter_are_none() -> None:
    quotas = pd.DataFrame(
        {
            "rep_id": [1, 2, 1],
            "quarter": [None, None, "n/a"],  # rep 1's third row names no readable quarter
            "revenue_target": [400.0, 800.0, 999.0],
            "gm_target": [40.0, 80.0, 99.0],
            "target_commission": ["n/a", 20.0, 9.0],  # "n/a" names no target commission
        }
    )
    year = rep_targets(quotas, None)
    assert list(year.index) == [1, 2]
    assert list(year["revenue"]) == [400.0, 800.0]
    assert list(year["gm"]) == [40.0, 80.0]
    assert year["tc"].isna().tolist() == [True, False] and year["tc"].tolist()[1] == 20.0
    q1 = rep_targets(quotas, 1)  # no row of quarter 1: a quarter of each year's row
    q1 = q1.sort_index()
    assert list(q1.index) == [1, 2]
    assert q1["revenue"].tolist() == [100.0, 200.0] and q1["gm"].tolist() == [10.0, 20.0]
    assert q1["tc"].isna().tolist() == [True, False] and q1["tc"].tolist()[1] == 5.0


def test_spe019_summed_targets_keep_a_missing_key_as_a_group() -> None:
    lines = pd.DataFrame(
        {
            "team": ["East", None, "East"],
            "revenue": [100.0, 200.0, 300.0],
            "gm": [10.0, 20.0, 30.0],
            "tc": [float("nan"), float("nan"), 5.0],
        }
    )
    got = summed_targets(lines, "team")
    assert len(got) == 2
    assert got[got.index == "East"].to_numpy().tolist() == [[400.0, 40.0, 5.0]]
    missing = got[got.index.isna()]
    assert missing["revenue"].tolist() == [200.0] and missing["gm"].tolist() == [20.0]
    assert missing["tc"].isna().tolist() == [True]


def test_spe020_v_by_class_on_last_year_bookings_of_one_yuan() -> None:
    rows = v_by_class({"R": 50.0}, {"R": 0.25, "A": 0.75}, {}, 100.0)  # total booked 1 CNY
    assert rows == [
        ClassV("R", 50.0, 0.25, VValue(2.0, 50.0, 25.0), None, None),  # 50 / (100 x 25%)
        ClassV("A", 0.0, 0.75, VValue(0.0, 0.0, 75.0), None, None),
    ]


def test_spe021_v_by_class_remaining_under_one_yuan_is_not_met() -> None:
    rows = v_by_class({"R": 1.0}, {"R": 100.0}, {}, 0.5)
    assert rows == [ClassV("R", 1.0, 1.0, VValue(2.0, 1.0, 0.5), None, None)]


def test_spe022_v_by_class_skips_an_empty_class_in_the_middle() -> None:
    rows = v_by_class({"R": 10.0, "D": 20.0}, {}, {}, 100.0)  # A is empty; nothing booked last year
    assert rows == [
        ClassV("R", 10.0, None, VValue(None, 10.0, None, no_quota=True), None, None),
        ClassV("D", 20.0, None, VValue(None, 20.0, None, no_quota=True), None, None),
    ]


# --- staff management (metrics.staff) ---------------------------------------------------------------------------


def test_spe023_parse_week_refuses_what_is_no_text() -> None:
    with pytest.raises(ValueError) as refused:
        parse_week(None)  # type: ignore[arg-type]
    assert str(refused.value) == "week 'None' is not an ISO week like 2026-W49"
    with pytest.raises(ValueError) as number:
        parse_week(202649)  # type: ignore[arg-type]
    assert str(number.value) == "week '202649' is not an ISO week like 2026-W49"


def test_spe024_parse_week_message_shows_the_first_20_characters() -> None:
    with pytest.raises(ValueError) as refused:
        parse_week("abcdefghijklmnopqrstuvwxyz")
    assert str(refused.value) == "week 'abcdefghijklmnopqrst' is not an ISO week like 2026-W49"


def test_spe025_parse_week_names_the_missing_week() -> None:
    with pytest.raises(ValueError) as refused:
        parse_week("2025-W53")
    assert str(refused.value) == "2025 has no week 53"


def test_spe026_rep_weeks_counts_every_unplanned_visit() -> None:
    rows = [
        WeekVisit(1, 10, "done", "需求沟通", "确认方案"),  # unplanned
        WeekVisit(1, 11, "done", "回访", "无新需求"),  # unplanned
        WeekVisit(1, 12, "planned"),  # planned, not done
    ]
    assert rep_weeks(rows) == {1: RepWeek(planned=1, planned_done=0, unplanned=2, records=2, records_complete=2)}


def test_spe027_total_sums_every_count() -> None:
    weeks = [RepWeek(4, 3, 1, 3, 2), RepWeek(1, 0, 2, 2, 1)]
    assert total(weeks) == RepWeek(5, 3, 3, 5, 3)


def test_spe028_training_table_whole_rows() -> None:
    rows = training_table([(1, "R1", "甲"), (2, "R2", "乙")], {1: 40.0}, 40.0)
    assert rows == [RepTraining(2, "R2", "乙", 0.0, 40.0), RepTraining(1, "R1", "甲", 40.0, 40.0)]


def test_spe029_text_of_pasted_blanks_is_not_filled() -> None:
    from metrics.staff import filled

    for blank in ("\u00a0", "\u200b", "\u2003", "\u2002", "\u2009", "\x0b", "\x0c", " \u3000\t\r\n"):
        assert not filled(blank), repr(blank)
    assert filled("\u00a0到访\u200b")
