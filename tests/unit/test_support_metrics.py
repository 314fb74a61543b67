"""Sales support's definitions (data dictionary, "Definitions added for staff management and sales support") on
literal rows: bids, support requests, quotes and the five risk flags; every expected figure counted by hand."""

from __future__ import annotations

from datetime import date

import pytest

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
    bid_groups,
    bid_summary,
    contract_below_quote,
    discount_outliers,
    due_soon,
    engineer_load,
    event_cost_high,
    flag_counts,
    mark_current,
    on_time,
    quote_of,
    quotes_of,
    self_approved,
    supported_split,
    turnaround,
    turnaround_by,
    turnaround_of,
    unapproved_below_floor,
)

TODAY = date(2026, 3, 18)  # a Wednesday


def bid(
    code: str,
    status: str,
    deadline: date,
    submitted: date | None = None,
    amount: float | None = None,
    team: str = "",
    product_line: str | None = None,
) -> BidRow:
    return BidRow(
        code, "O" + code, status, date(2026, 1, 5), deadline, submitted, amount, team=team, product_line=product_line
    )


def request(
    code: str, requested: date, resolved: date | None = None, engineer: str | None = None, hours: float | None = None
) -> RequestRow:
    return RequestRow(code, "O" + code, "demo", requested, engineer, resolved, hours)


def line(
    quote: str,
    product: str,
    quantity: float,
    price: float,
    cost: float,
    *,
    list_price: float = 0.0,
    floor: float = 0.15,
    opp: str = "O1",
    day: date = date(2026, 3, 1),
    approved_by: str | None = None,
    note: str | None = None,
) -> LineRow:
    return LineRow(
        product, quantity, price, list_price or price, cost, floor, quote, opp, day, "产品" + product, approved_by, note
    )


def shown(evidence: tuple[Evidence, ...]) -> list[tuple[object, ...]]:
    """The evidence rows without their float share (checked apart with approx)."""
    return [(e.what, e.code, e.name, e.day, e.amount, e.who, e.note) for e in evidence]


def ids(flag: Flag) -> tuple[str, str | None, str | None, str | None, str | None]:
    return (flag.kind, flag.rep_code, flag.opp_code, flag.quote_code, flag.account_code)


# --- bids --------------------------------------------------------------------------------------------------------


def test_sup001_on_time() -> None:
    deadline = date(2026, 3, 10)
    assert on_time(bid("B1", "submitted", deadline, date(2026, 3, 10))) is True  # on the deadline
    assert on_time(bid("B2", "submitted", deadline, date(2026, 3, 9))) is True
    assert on_time(bid("B3", "won", deadline, date(2026, 3, 11))) is False  # a day late
    assert on_time(bid("B4", "preparing", deadline)) is None  # not submitted


@pytest.mark.parametrize(
    ("status", "deadline", "expected"),
    [
        ("preparing", date(2026, 3, 18), True),  # today
        ("preparing", date(2026, 4, 1), True),  # today + 14
        ("preparing", date(2026, 4, 2), False),  # today + 15
        ("preparing", date(2026, 3, 17), False),  # yesterday
        ("submitted", date(2026, 3, 20), False),  # no longer preparing
        ("won", date(2026, 3, 20), False),
    ],
)
def test_sup002_due_soon(status: str, deadline: date, expected: bool) -> None:
    assert due_soon(bid("B1", status, deadline), TODAY) is expected


def test_sup003_bid_summary_rates() -> None:
    rows = [
        bid("B1", "won", date(2026, 3, 1), date(2026, 3, 1), 100.0),  # on time
        bid("B2", "won", date(2026, 3, 1), date(2026, 3, 2), 300.0),  # late
        bid("B3", "lost", date(2026, 3, 1), date(2026, 2, 20), 600.0),  # on time
        bid("B4", "submitted", date(2026, 3, 30), date(2026, 3, 5), 50.0),  # on time, undecided
        bid("B5", "preparing", date(2026, 3, 25)),  # due soon
        bid("B6", "preparing", date(2026, 3, 20)),  # due soon, earlier
        bid("B7", "preparing", date(2026, 4, 20)),  # not yet
        bid("B8", "withdrawn", date(2026, 3, 19)),
        bid("B9", "lost", date(2026, 3, 1), None, None),  # lost without a submitted date or an amount
    ]
    s = bid_summary(rows, TODAY)
    assert (s.bids, s.won, s.lost, s.submitted, s.on_time) == (9, 2, 2, 4, 3)
    assert s.won_amount == pytest.approx(100 + 300)
    assert s.lost_amount == pytest.approx(600)
    assert s.win_rate == pytest.approx(2 / 4)
    assert s.win_rate_amount == pytest.approx((100 + 300) / (100 + 300 + 600))  # by bid_amount, not by count
    assert s.on_time_rate == pytest.approx(3 / 4)  # among the 4 with a submitted_date only
    assert s.due_soon == ("B6", "B5")  # by deadline
    assert s.by_status == {"won": 2, "lost": 2, "submitted": 1, "preparing": 3, "withdrawn": 1}


def test_sup004_bid_rates_unknown_without_decided_or_submitted() -> None:
    s = bid_summary([bid("B1", "preparing", date(2026, 5, 1)), bid("B2", "no_bid", date(2026, 3, 1))], TODAY)
    assert (s.bids, s.won, s.lost, s.submitted) == (2, 0, 0, 0)
    assert s.win_rate is None
    assert s.win_rate_amount is None
    assert s.on_time_rate is None
    assert s.due_soon == ()
    empty = bid_summary([], TODAY)
    assert (empty.bids, empty.win_rate, empty.win_rate_amount, empty.on_time_rate) == (0, None, None, None)


def test_sup005_bid_funnel_counts_won_and_lost_as_submitted() -> None:
    """The funnel's docstring: "submitted (a submitted_date, or won/lost)"."""
    rows = [
        bid("B1", "won", date(2026, 3, 1), None, 100.0),  # won without a submitted date: it was submitted
        bid("B2", "lost", date(2026, 3, 1), date(2026, 3, 1), 200.0),
        bid("B3", "submitted", date(2026, 3, 30), date(2026, 3, 5)),
        bid("B4", "preparing", date(2026, 4, 30)),
        bid("B5", "withdrawn", date(2026, 4, 30)),
    ]
    s = bid_summary(rows, TODAY)
    assert s.on_time_rate == pytest.approx(2 / 2)  # on time among the bids with a submitted_date
    assert s.funnel == {"all": 5, "submitted": 3, "decided": 2, "won": 1}


def test_sup006_bid_groups_largest_first() -> None:
    rows = [
        bid("B1", "won", date(2026, 3, 1), date(2026, 3, 1), 10.0, team="East", product_line="PL1"),
        bid("B2", "lost", date(2026, 3, 1), date(2026, 3, 1), 30.0, team="West", product_line=None),
        bid("B3", "lost", date(2026, 3, 1), date(2026, 3, 1), 30.0, team="West", product_line="PL1"),
        bid("B4", "preparing", date(2026, 3, 20), team="North", product_line=None),
    ]
    by_team = bid_groups(rows, lambda b: b.team, TODAY)
    assert [(name, s.bids) for name, s in by_team] == [("West", 2), ("East", 1), ("North", 1)]
    assert by_team[0][1].win_rate == pytest.approx(0 / 2)
    assert by_team[1][1].win_rate == pytest.approx(1 / 1)
    assert by_team[2][1].due_soon == ("B4",)
    by_line = bid_groups(rows, lambda b: b.product_line, TODAY)
    assert [(name, s.bids) for name, s in by_line] == [("", 2), ("PL1", 2)]  # no product line under ""


# --- support requests --------------------------------------------------------------------------------------------


def test_sup007_turnaround_resolved_and_open() -> None:
    assert turnaround(request("S1", date(2026, 3, 1), date(2026, 3, 4)), TODAY) == 3
    assert turnaround(request("S2", date(2026, 3, 1), date(2026, 3, 1)), TODAY) == 0  # same day
    assert turnaround(request("S3", date(2026, 3, 10)), TODAY) == 8  # open: age to today (18 - 10)


def test_sup008_turnaround_average_over_resolved_only() -> None:
    rows = [
        request("S1", date(2026, 3, 1), date(2026, 3, 4), "Ann", 2.5),  # 3 days
        request("S2", date(2026, 3, 2), date(2026, 3, 9), "Ann", 4.0),  # 7 days
        request("S3", date(2026, 1, 1), None, "Bob", 1.0),  # open, 76 days old: not in the average
        request("S4", date(2026, 3, 5), date(2026, 3, 7), None, None),  # 2 days, no hours
    ]
    t = turnaround_of(rows, TODAY)
    assert (t.requests, t.open, t.resolved) == (4, 1, 3)
    assert t.avg_days == pytest.approx((3 + 7 + 2) / 3)
    assert t.hours == pytest.approx(2.5 + 4.0 + 1.0)
    only_open = turnaround_of([request("S5", date(2026, 3, 1))], TODAY)
    assert (only_open.requests, only_open.open, only_open.avg_days) == (1, 1, None)


def test_sup009_turnaround_by_engineer() -> None:
    rows = [
        request("S1", date(2026, 3, 1), date(2026, 3, 4), "Bob"),  # 3
        request("S2", date(2026, 3, 1), date(2026, 3, 2), "Ann"),  # 1
        request("S3", date(2026, 3, 1), date(2026, 3, 6), "Ann"),  # 5
        request("S4", date(2026, 3, 1), None, None),
    ]
    groups = turnaround_by(rows, lambda r: r.engineer, TODAY)
    assert [(name, t.requests, t.open) for name, t in groups] == [("Ann", 2, 0), ("", 1, 1), ("Bob", 1, 0)]
    assert groups[0][1].avg_days == pytest.approx((1 + 5) / 2)
    assert groups[1][1].avg_days is None
    assert groups[2][1].avg_days == pytest.approx(3)


def test_sup010_engineer_load_per_week() -> None:
    mondays = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]  # today is in the third
    rows = [
        # Ann: requested Sunday of week 1, resolved Monday of week 2: in hand both weeks
        request("S1", date(2026, 3, 8), date(2026, 3, 9), "Ann"),
        request("S2", date(2026, 3, 9), date(2026, 3, 13), "Ann"),  # week 2 only
        request("S3", date(2026, 2, 20), date(2026, 3, 1), "Ann"),  # resolved the Sunday before week 1: none
        # Bob: open since Tuesday of week 2: weeks 2 and 3, not week 4 (after today)
        request("S4", date(2026, 3, 10), None, "Bob"),
        request("S5", date(2026, 3, 16), None, "Bob"),  # open since Monday of week 3
        # Cy: requested and resolved on the Sunday of week 2
        request("S6", date(2026, 3, 15), date(2026, 3, 15), "Cy"),
        request("S7", date(2026, 3, 10), None, None),  # no engineer: nobody's load
        request("S8", date(2026, 3, 10), None, ""),
    ]
    load = engineer_load(rows, mondays, TODAY)
    assert load == {"Ann": [1, 2, 0, 0], "Bob": [0, 1, 2, 0], "Cy": [0, 1, 0, 0]}
    assert list(load) == ["Ann", "Bob", "Cy"]  # most requests in hand first, ties by name
    assert engineer_load([], mondays, TODAY) == {}


def test_sup011_supported_vs_unsupported_win_rate() -> None:
    deals = [
        ClosedDeal("D1", "won", 100.0),  # supported
        ClosedDeal("D2", "lost", 50.0),  # supported
        ClosedDeal("D3", "won", 200.0),  # supported
        ClosedDeal("D4", "lost", 300.0),
        ClosedDeal("D5", "open", 999.0),  # supported, not closed: out
        ClosedDeal("D6", "lost", 10.0),
    ]
    supported, unsupported = supported_split(deals, {"D1", "D2", "D3", "D5", "D9"})
    assert (supported.won, supported.lost, supported.n) == (2, 1, 3)
    assert supported.won_amount == pytest.approx(100 + 200)
    assert supported.lost_amount == pytest.approx(50)
    assert supported.win_rate == pytest.approx(2 / 3)
    assert (unsupported.won, unsupported.lost, unsupported.n) == (0, 2, 2)
    assert unsupported.lost_amount == pytest.approx(300 + 10)
    assert unsupported.win_rate == pytest.approx(0.0)
    none_closed, _ = supported_split([ClosedDeal("D5", "open", 1.0)], {"D5"})
    assert none_closed.win_rate is None


# --- quotes ------------------------------------------------------------------------------------------------------


def test_sup012_quote_revenue_cost_gm_discount() -> None:
    rows = [
        line("Q1", "P1", 2, 100.0, 60.0, list_price=125.0),  # margin 0.4
        line("Q1", "P2", 3, 50.0, 45.0, list_price=50.0),  # margin 0.1 < 0.15: below floor
    ]
    q = quote_of(rows)
    assert (q.quote_code, q.opp_code, q.quoted_date) == ("Q1", "O1", date(2026, 3, 1))
    assert q.revenue == pytest.approx(2 * 100 + 3 * 50)
    assert q.cost == pytest.approx(2 * 60 + 3 * 45)
    assert q.list_amount == pytest.approx(2 * 125 + 3 * 50)
    assert q.gm == pytest.approx((350 - 255) / 350)
    assert q.discount == pytest.approx(1 - 350 / 400)
    assert q.below_floor_lines == 1
    assert rows[0].discount == pytest.approx(1 - 100 / 125)
    assert rows[1].margin == pytest.approx((50 - 45) / 50)
    free = quote_of([line("Q2", "P9", 1, 0.0, 0.0, list_price=0.0)], "Q2", "O2")  # list 0 and revenue 0
    assert (free.quote_code, free.opp_code, free.revenue) == ("Q2", "O2", 0)
    assert free.gm is None
    assert free.discount is None


def test_sup013_below_floor() -> None:
    assert line("Q1", "P1", 1, 100.0, 85.0, floor=0.15).below_floor is False  # exactly at its floor margin
    assert line("Q1", "P1", 1, 120.0, 102.0, floor=0.15).below_floor is False  # 18 / 120 = 15%
    assert line("Q1", "P1", 1, 100.0, 85.01, floor=0.15).below_floor is True  # 14.99%
    assert line("Q1", "P1", 1, 100.0, 85.0, floor=0.20).below_floor is True  # the product's own floor
    assert line("Q1", "P1", 1, 100.0, 85.0, floor=0.10).below_floor is False
    given_away = line("Q1", "P1", 1, 0.0, 30.0, list_price=50.0)  # unit_price 0 at a cost
    assert given_away.margin is None
    assert given_away.below_floor is True
    assert line("Q1", "P1", 1, 0.0, 0.0, list_price=50.0).below_floor is False  # free and costless


def test_sup014_current_quote_per_deal() -> None:
    rows = [
        line("Q1", "P1", 1, 100.0, 50.0, opp="O1", day=date(2026, 3, 1)),
        line("Q2", "P1", 1, 90.0, 50.0, opp="O1", day=date(2026, 3, 5)),
        line("Q3", "P1", 1, 95.0, 50.0, opp="O1", day=date(2026, 3, 5)),  # same day as Q2: the greater code
        line("Q3", "P2", 2, 10.0, 5.0, opp="O1", day=date(2026, 3, 5)),
        line("Q4", "P1", 1, 80.0, 50.0, opp="O2", day=date(2026, 3, 10)),
        line("Q5", "P1", 1, 85.0, 50.0, opp="O2", day=date(2026, 2, 1)),  # older, though a greater code
        line("Q6", "P1", 1, 70.0, 50.0, opp="O3", day=date(2026, 1, 1)),  # a deal's only quote
    ]
    quotes = quotes_of(rows)
    assert {q.quote_code: q.current for q in quotes} == {
        "Q1": False,
        "Q2": False,
        "Q3": True,
        "Q4": True,
        "Q5": False,
        "Q6": True,
    }
    assert {q.quote_code: q.revenue for q in quotes}["Q3"] == pytest.approx(95 + 2 * 10)
    assert [q.quote_code for q in quotes if q.opp_code == "O1"] == ["Q3", "Q2", "Q1"]  # newest first
    assert [q.quote_code for q in quotes if q.opp_code == "O2"] == ["Q4", "Q5"]


def test_sup015_mark_current_on_quotes() -> None:
    def q(code: str, opp: str, day: date) -> Quote:
        return Quote(code, opp, day, 100.0, 60.0, 120.0, 0)

    marked = mark_current(
        [q("QB", "O1", date(2026, 2, 1)), q("QA", "O1", date(2026, 2, 1)), q("QC", "O2", date(2025, 12, 31))]
    )
    assert {m.quote_code: m.current for m in marked} == {"QA": False, "QB": True, "QC": True}


# --- risk flags --------------------------------------------------------------------------------------------------

OWNERS = {"O1": QuoteOwner("R01", "A01"), "O2": QuoteOwner("R02", "A02")}


def test_sup016_flag_unapproved_below_floor() -> None:
    day = date(2026, 3, 1)
    rows = [
        line("Q1", "P1", 2, 100.0, 90.0, opp="O1", day=day),  # margin 0.10, no approver: flagged
        line("Q1", "P2", 1, 80.0, 76.0, opp="O1", day=day),  # margin 0.05, no approver: flagged, the worst
        line("Q1", "P3", 1, 100.0, 70.0, opp="O1", day=day),  # margin 0.30: fine
        line("Q2", "P1", 1, 100.0, 85.0, opp="O2", day=day),  # exactly at the 15% floor: not below
        line("Q3", "P1", 1, 100.0, 90.0, opp="O2", day=day, approved_by="R09", note="战略客户"),  # approved
        line("Q4", "P4", 3, 0.0, 30.0, list_price=50.0, opp="O1", day=day),  # given away at a cost
    ]
    flags = unapproved_below_floor(rows, OWNERS)
    assert [ids(f) for f in flags] == [
        ("unapproved_below_floor", "R01", "O1", "Q1", "A01"),
        ("unapproved_below_floor", "R01", "O1", "Q4", "A01"),
    ]
    q1, q4 = flags
    assert q1.value == pytest.approx((80 - 76) / 80)
    assert shown(q1.evidence) == [
        ("line", "P1", "产品P1", day, 2 * 100, None, None),
        ("line", "P2", "产品P2", day, 1 * 80, None, None),
    ]
    assert [e.share for e in q1.evidence] == [pytest.approx(0.10), pytest.approx(0.05)]
    assert q4.value is None  # no line with a margin: only a given-away line
    assert shown(q4.evidence) == [("line", "P4", "产品P4", day, 0, None, None)]
    assert q4.evidence[0].share is None
    # just inside: at the floor, or below it with an approver
    assert unapproved_below_floor(rows[2:5], OWNERS) == []


def test_sup017_flag_self_approved() -> None:
    day = date(2026, 3, 2)
    rows = [
        line("Q1", "P1", 1, 100.0, 90.0, opp="O1", day=day, approved_by="R01", note="急单"),  # owner R01: flagged
        line("Q1", "P2", 1, 100.0, 80.0, opp="O1", day=day, approved_by="R01"),  # margin 0.20, flagged too
        line("Q1", "P3", 1, 100.0, 95.0, opp="O1", day=day, approved_by="M01"),  # a manager: fine
        line("Q2", "P1", 1, 100.0, 90.0, opp="O2", day=day, approved_by="R01"),  # O2 is R02's: fine
        line("Q3", "P1", 1, 100.0, 90.0, opp="O2", day=day),  # no approver
        line("Q4", "P1", 1, 100.0, 90.0, opp="O9", day=day, approved_by="R01"),  # unknown deal: no owner
    ]
    flags = self_approved(rows, OWNERS)
    assert [ids(f) for f in flags] == [("self_approved", "R01", "O1", "Q1", "A01")]
    assert flags[0].value == pytest.approx((100 - 90) / 100)
    assert shown(flags[0].evidence) == [
        ("line", "P1", "产品P1", day, 100, "R01", "急单"),
        ("line", "P2", "产品P2", day, 100, "R01", None),
    ]
    assert [e.share for e in flags[0].evidence] == [pytest.approx(0.10), pytest.approx(0.20)]
    assert self_approved(rows[2:], OWNERS) == []


def test_sup018_flag_contract_below_quote() -> None:
    quoted = date(2026, 2, 1)
    current = {
        "O1": Quote("Q1", "O1", quoted, 1000.0, 700.0, 1200.0, 0, current=True),
        "O2": Quote("Q2", "O2", quoted, 1000.0, 700.0, 1200.0, 0, current=True),
        "O3": Quote("Q3", "O3", quoted, 0.0, 0.0, 0.0, 0, current=True),
        "O5": Quote("Q5", "O5", quoted, 1000.0, 600.0, 1000.0, 0, current=True),
    }
    signed = date(2026, 3, 1)
    contracts = [
        ContractRow("C1", "O1", signed, 950.0, "R01", "A01"),  # exactly 5% below: not flagged
        ContractRow("C2", "O2", signed, 949.9, "R02", "A02"),  # 5.01% below: flagged
        ContractRow("C3", "O3", signed, 100.0, "R03", "A03"),  # quote of no revenue: nothing to compare
        ContractRow("C4", "O4", signed, 100.0, "R04", "A04"),  # no quote
        ContractRow("C5", "O5", signed, 800.0, "R05", "A05"),  # 20% below
        ContractRow("C6", "O5", signed, 1100.0, "R05", "A05"),  # above the quote
    ]
    flags = contract_below_quote(contracts, current, 0.05)
    assert [ids(f) for f in flags] == [
        ("contract_below_quote", "R05", "O5", "Q5", "A05"),  # the larger shortfall first
        ("contract_below_quote", "R02", "O2", "Q2", "A02"),
    ]
    assert flags[0].value == pytest.approx(1 - 800 / 1000)
    assert flags[1].value == pytest.approx(0.0501)
    assert shown(flags[1].evidence) == [
        ("quote", "Q2", "", quoted, 1000, None, None),
        ("contract", "C2", "", signed, 949.9, None, None),
    ]
    assert flags[1].evidence[0].share == pytest.approx((1000 - 700) / 1000)  # the quote's GM%
    assert flags[1].evidence[1].share is None  # the shortfall is the flag's value, not the contract's
    assert contract_below_quote(contracts[:1], current, 0.05) == []


def test_sup019_flag_discount_outlier() -> None:
    reps = [
        RepDiscount("R01", "East", 749.0, 1000.0, 4, "张三"),  # discount 25.1%
        RepDiscount("R02", "East", 900.0, 1000.0, 2, "李四"),  # 10%
        RepDiscount("R03", "East", 900.0, 1000.0, 1, "王五"),  # 10%
        RepDiscount("R04", "East", 0.0, 0.0, 0, "赵六"),  # not quoting: not in the team's discount
    ]
    flags = discount_outliers(reps, 0.10, 3)
    team = 1 - (749 + 900 + 900) / 3000  # 15.0333%
    assert [(f.kind, f.rep_code, f.opp_code, f.quote_code, f.account_code) for f in flags] == [
        ("discount_outlier", "R01", None, None, None)
    ]
    assert flags[0].value == pytest.approx((1 - 749 / 1000) - team)
    assert shown(flags[0].evidence) == [
        ("rep", "R01", "张三", None, 749, None, "4"),
        ("team", "East", "East", None, 749 + 900 + 900, None, None),
    ]
    assert [e.share for e in flags[0].evidence] == [pytest.approx(1 - 749 / 1000), pytest.approx(team)]
    # exactly 10 points above the team (25% against 15%): not flagged
    exact = [RepDiscount("R01", "East", 750.0, 1000.0), *reps[1:]]
    assert discount_outliers(exact, 0.10, 3) == []


def test_sup020_flag_discount_outlier_needs_three_quoting_reps() -> None:
    reps = [
        RepDiscount("R01", "West", 100.0, 1000.0),  # 90% off against a 50% team: 40 points
        RepDiscount("R02", "West", 900.0, 1000.0),
        RepDiscount("R03", "West", 0.0, 0.0),  # no quotes: the team has 2 quoting reps
    ]
    assert discount_outliers(reps, 0.10, 3) == []
    third = [*reps, RepDiscount("R04", "West", 900.0, 1000.0)]  # team 1 - 1900 / 3000
    flags = discount_outliers(third, 0.10, 3)
    assert [f.rep_code for f in flags] == ["R01"]
    assert flags[0].value == pytest.approx(0.9 - (1 - 1900 / 3000))


def test_sup021_flag_event_cost_high() -> None:
    d1, d2, d3 = date(2026, 3, 1), date(2026, 5, 1), date(2026, 6, 1)
    events = [
        EventCost("E1", "客户答谢会", d1, 1000.0, ("A1", "A2"), 2),  # 500 each
        EventCost("E2", "高层拜访", d2, 300.0, ("A1",), 1),  # A1: 500 + 300
        EventCost("E3", "技术研讨会", d3, 600.0, ("A3", "A4", "A5"), 3),  # 200 each
        EventCost("E4", "无人参加", d3, 100.0, (), 0),  # no attended account: nobody's cost
    ]
    bookings = {"A1": 5000.0, "A2": 5000.0, "A4": 0.0, "A5": 1999.0}  # A3: no bookings
    owners = {"A1": "R01", "A2": "R02", "A3": "R03", "A4": "R04", "A5": "R05"}
    flags = event_cost_high(events, bookings, owners, 0.10)
    assert [ids(f) for f in flags] == [
        ("event_cost_high", "R01", None, None, "A1"),  # 16%
        ("event_cost_high", "R05", None, None, "A5"),  # 200 / 1999, a bit above 10%
    ]  # A2: exactly 10%; A3, A4: no bookings (acquisition)
    assert flags[0].value == pytest.approx((500 + 300) / 5000)
    assert flags[1].value == pytest.approx(200 / 1999)
    assert shown(flags[0].evidence) == [
        ("event", "E1", "客户答谢会", d1, 500, None, None),
        ("event", "E2", "高层拜访", d2, 300, None, None),
        ("bookings", "A1", "", None, 5000, None, None),
    ]
    assert flags[0].evidence[2].share == pytest.approx(0.16)
    assert shown(flags[1].evidence) == [
        ("event", "E3", "技术研讨会", d3, 200, None, None),
        ("bookings", "A5", "", None, 1999, None, None),
    ]
    # an account without bookings is never flagged, however much is spent on it
    assert event_cost_high([EventCost("E9", "x", d1, 1e6, ("A3", "A4"), 2)], bookings, owners, 0.10) == []
    # the cost is split over every seat, not over the accounts named: A2, named alone at E5's 8 seats, gets 4,000 / 8
    alone = event_cost_high([EventCost("E5", "渠道大会", d3, 4000.0, ("A2",), 8)], bookings, owners, 0.09)
    assert [(f.account_code, f.value) for f in alone] == [("A2", pytest.approx(0.1))]
    assert shown(alone[0].evidence)[0] == ("event", "E5", "渠道大会", d3, 500, None, None)


def test_sup022_flag_counts_name_every_kind() -> None:
    flags = [
        Flag("self_approved", "R01", 0.1),
        Flag("self_approved", "R02", 0.2),
        Flag("event_cost_high", "R01", 0.3),
    ]
    assert flag_counts(flags) == {
        "unapproved_below_floor": 0,
        "self_approved": 2,
        "contract_below_quote": 0,
        "discount_outlier": 0,
        "event_cost_high": 1,
    }
    assert flag_counts([]) == {
        "unapproved_below_floor": 0,
        "self_approved": 0,
        "contract_below_quote": 0,
        "discount_outlier": 0,
        "event_cost_high": 0,
    }
