"""metrics/winloss.py at its edges, on literal rows (issue 23: tests that catch a wrong number).

What the first win/loss tests left open and mutation testing found: the row order and the index of every
table (ties, first-seen order, a filtered frame's index), the column types (counts stay integers), rows that
stand for several deals (``count``, ``days``), totals of zero, the trend's quarters for every month, the
reason shown beside each deal, and the exact limits of a drill from a URL. Every expected value is worked out
by hand from the rows written here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
    key,
    loss_pareto,
    lost_by_level,
    outcomes,
    rates,
    regroup,
    segment_rates,
    size_band,
    tally,
    trend_quarters,
    win_rate_trend,
)
from tests.builders import closed_deal_row

RATE_COLUMNS = ["won", "lost", "won_amount", "lost_amount", "n", "win_rate", "win_rate_amount", "small"]
START = date(2026, 1, 1)


def deal(code: str, status: str, amount: float, **kw: Any) -> dict[str, Any]:
    """One closed deal (the columns of ``queries.closed_deals``) created on START; ``kw`` overrides a default."""
    return closed_deal_row(status, amount, code=code, created=START, **kw)


def rated(keys: list[str], labels: list[str], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The expected ``ranked_rates`` table: key, label and one tuple per key in ``RATE_COLUMNS`` order."""
    columns = {name: [r[i] for r in rows] for i, name in enumerate(RATE_COLUMNS)}
    return pd.DataFrame({"key": keys, "label": labels, **columns})


def test_wle001_group_keys_of_numbers_missing_values_and_blank_text() -> None:
    assert key(5) == "5"  # a number is a value of its own, not a missing one
    assert key(2.5) == "2.5"
    assert key(" 华东 ") == "华东"
    assert [key(None), key(float("nan")), key(pd.NA), key(""), key("   ")] == [MISSING] * 5


def test_wle002_a_negative_amount_falls_in_the_smallest_band() -> None:
    assert size_band(-1.0) == "<100k"
    assert size_band(-250_000.0) == "<100k"


def test_wle003_tally_keeps_first_seen_order_and_integer_counts() -> None:
    deals = pd.DataFrame(
        [
            deal("OP1", "won", 100, industry="政府"),
            deal("OP2", "lost", 200, industry="金融"),
            deal("OP3", "lost", 50, industry="政府"),
            deal("OP4", "won", 300, industry="金融"),
            deal("OP5", "won", 10, industry="制造"),
        ]
    )
    expected = pd.DataFrame(
        {
            "industry": ["政府", "金融", "制造"],  # as first met, not sorted (制造 < 政府 < 金融)
            "won": [1, 1, 1],
            "lost": [1, 1, 0],
            "won_amount": [100.0, 300.0, 10.0],
            "lost_amount": [50.0, 200.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(tally(deals, "industry"), expected)


def test_wle004_regroup_merges_sql_groups_by_key_in_first_seen_order() -> None:
    groups = pd.DataFrame(
        {
            "team": ["B", None, "A", "", " B "],
            "won": [1, 2, 3, 4, 5],
            "lost": [10, 20, 30, 40, 50],
            "won_amount": [1.0, 2.0, 3.0, 4.0, 5.0],
            "lost_amount": [0.5, 0.5, 0.5, 0.5, 0.5],
        }
    )
    expected = pd.DataFrame(
        {
            "team": ["B", MISSING, "A"],
            "won": [6, 6, 3],
            "lost": [60, 60, 30],
            "won_amount": [6.0, 6.0, 3.0],
            "lost_amount": [1.0, 1.0, 0.5],
        }
    )
    pd.testing.assert_frame_equal(regroup(groups, "team"), expected)


def test_wle005_rates_keep_n_an_integer_and_leave_an_empty_row_without_a_rate() -> None:
    tallies = pd.DataFrame(
        {"team": ["A", "B"], "won": [3, 0], "lost": [1, 0], "won_amount": [300.0, 0.0], "lost_amount": [100.0, 0.0]}
    )
    out = rates(tallies)
    assert out["n"].dtype == "int64"
    assert out["n"].tolist() == [4, 0]
    assert out["win_rate"].tolist()[0] == 0.75 and pd.isna(out["win_rate"].tolist()[1])
    assert out["win_rate_amount"].tolist()[0] == 0.75 and pd.isna(out["win_rate_amount"].tolist()[1])
    assert out["small"].tolist() == [True, True]


def test_wle006_segment_rates_most_deals_first_ties_by_key_label_is_key() -> None:
    deals = pd.DataFrame(
        [
            deal("OP1", "won", 100, industry="金融"),
            deal("OP2", "lost", 300, industry="金融"),
            deal("OP3", "won", 50, industry="政府"),
            deal("OP4", "won", 70, industry="政府"),
            deal("OP5", "lost", 10, industry="制造"),
            deal("OP6", "won", 20, industry="制造"),
            deal("OP7", "won", 30, industry="制造"),
        ]
    )
    expected = rated(
        ["制造", "政府", "金融"],  # 3 deals first; 政府 and 金融 (2 each) by key, 政 < 金
        ["制造", "政府", "金融"],
        [
            (2, 1, 50.0, 10.0, 3, 2 / 3, 50 / 60, True),
            (2, 0, 120.0, 0.0, 2, 1.0, 1.0, True),
            (1, 1, 100.0, 300.0, 2, 0.5, 0.25, True),
        ],
    )
    pd.testing.assert_frame_equal(segment_rates(deals, "industry"), expected)


def test_wle007_rad_classes_in_fixed_order_with_a_fresh_index() -> None:
    deals = pd.DataFrame(
        [
            deal("OP1", "won", 10, rad="D"),
            deal("OP2", "lost", 20, rad=None),
            deal("OP3", "won", 30, rad="R"),
            deal("OP4", "lost", 40, rad="A"),
            deal("OP5", "won", 50, rad="R"),
        ]
    )
    expected = rated(
        ["R", "A", "D", MISSING],
        ["R", "A", "D", MISSING],
        [
            (2, 0, 80.0, 0.0, 2, 1.0, 1.0, True),
            (0, 1, 0.0, 40.0, 1, 0.0, 0.0, True),
            (1, 0, 10.0, 0.0, 1, 1.0, 1.0, True),
            (0, 1, 0.0, 20.0, 1, 0.0, 0.0, True),
        ],
    )
    pd.testing.assert_frame_equal(segment_rates(deals, "rad_class"), expected)


def test_wle008_only_the_rep_segment_is_labelled_with_rep_names() -> None:
    # a rep coded "A" does not rename RAD class A
    deals = pd.DataFrame(
        [
            deal("OP1", "won", 10, rad="A", rep="A", owner="李娜"),
            deal("OP2", "lost", 20, rad="R", rep="R", owner="王伟"),
        ]
    )
    by_class = segment_rates(deals, "rad_class")
    assert by_class["key"].tolist() == ["R", "A"] and by_class["label"].tolist() == ["R", "A"]
    by_rep = segment_rates(deals, "rep")
    assert by_rep["key"].tolist() == ["A", "R"] and by_rep["label"].tolist() == ["李娜 (A)", "王伟 (R)"]
    assert list(by_rep.columns) == ["key", "label", *RATE_COLUMNS]


def test_wle009_pareto_ties_by_amount_then_reason() -> None:
    lost = pd.DataFrame(
        {
            "reason": ["price", "budget", "timing", "price", "scope", None, "budget"],
            "amount": [40.0, 100.0, 50.0, 60.0, 50.0, 10.0, 200.0],
        }
    )
    expected = pd.DataFrame(
        {
            # budget and price: 2 deals each, the larger amount first; scope and timing: 1 deal and 50 each
            "reason": ["budget", "price", "scope", "timing", MISSING],
            "count": [2, 2, 1, 1, 1],
            "amount": [300.0, 100.0, 50.0, 50.0, 10.0],
            "share": [2 / 7, 2 / 7, 1 / 7, 1 / 7, 1 / 7],
            "cumulative": [2 / 7, 4 / 7, 5 / 7, 6 / 7, 7 / 7],
            "amount_share": [300 / 510, 100 / 510, 50 / 510, 50 / 510, 10 / 510],
            "cumulative_amount": [300 / 510, 400 / 510, 450 / 510, 500 / 510, 510 / 510],
            "missing": [False, False, False, False, True],
        }
    )
    pd.testing.assert_frame_equal(loss_pareto(lost), expected)


def test_wle010_pareto_shares_are_zero_when_the_totals_are_zero() -> None:
    # groups that hold no deal (count 0, amount 0): shares 0, never 0/0
    groups = pd.DataFrame({"reason": ["price", None], "count": [0, 0], "amount": [0.0, 0.0]})
    out = loss_pareto(groups)
    assert out["reason"].tolist() == ["price", MISSING]
    for column in ("share", "cumulative", "amount_share", "cumulative_amount"):
        assert out[column].tolist() == [0.0, 0.0], column
    # deals lost at amount 0: shares by count as usual, by amount 0
    free = loss_pareto(pd.DataFrame({"reason": ["price", "price", "scope"], "amount": [0.0, 0.0, 0.0]}))
    assert free["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert free["cumulative"].tolist() == pytest.approx([2 / 3, 1.0])
    assert free["amount_share"].tolist() == [0.0, 0.0]
    assert free["cumulative_amount"].tolist() == [0.0, 0.0]


def test_wle011_head_to_head_ties_by_name_with_a_fresh_index() -> None:
    tallies = pd.DataFrame(
        {
            "competitor": ["SAP", "Oracle", None, "IBM"],
            "won": [1, 2, 5, 6],
            "lost": [1, 0, 5, 6],
            "won_amount": [10.0, 20.0, 1.0, 30.0],
            "lost_amount": [30.0, 0.0, 1.0, 30.0],
        }
    )
    expected = pd.DataFrame(
        {
            "competitor": ["IBM", "Oracle", "SAP"],  # IBM met 12; Oracle and SAP 2 each, by name
            "met": [12, 2, 2],
            "won": [6, 2, 1],
            "lost": [6, 0, 1],
            "amount": [60.0, 20.0, 40.0],
            "won_amount": [30.0, 20.0, 10.0],
            "lost_amount": [30.0, 0.0, 30.0],
            "win_rate": [0.5, 1.0, 0.5],
            "win_rate_amount": [0.5, 1.0, 0.25],
            "small": [False, True, True],
        }
    )
    pd.testing.assert_frame_equal(head_to_head(tallies), expected)


def test_wle012_outcomes_of_rows_that_stand_for_several_deals() -> None:
    groups = pd.DataFrame(
        {"status": ["won", "lost", "won", "lost"], "amount": [100.0, 200.0, 50.0, 25.0], "count": [2, 4, 3, 1]}
    )
    assert outcomes(groups) == Outcomes(won_count=5, lost_count=5, won_amount=150.0, lost_amount=225.0)


def test_wle013_cycle_lengths_of_grouped_days() -> None:
    groups = pd.DataFrame(
        {
            "status": ["won", "lost", "won", "lost"],
            "days": [10, 6, 40, 30],
            "count": [3, 2, 1, 1],
        }
    )
    # won: 10, 10, 10, 40; lost: 6, 6, 30
    expected = pd.DataFrame(
        {"outcome": ["won", "lost"], "count": [4, 3], "median_days": [10.0, 6.0], "mean_days": [17.5, 14.0]}
    )
    pd.testing.assert_frame_equal(cycle_lengths(groups), expected)


def test_wle014_cycle_lengths_without_deals_have_no_median_or_mean() -> None:
    none_closed = pd.DataFrame({"status": pd.Series([], dtype=str), "days": [], "count": []})
    out = cycle_lengths(none_closed)
    assert out["count"].tolist() == [0, 0]
    assert out["median_days"].tolist() == [None, None]  # None, not NaN
    assert out["mean_days"].tolist() == [None, None]


def test_wle015_lost_by_level_with_text_levels_grouped_rows_and_level_six() -> None:
    deals = pd.DataFrame(
        {
            "status": ["lost", "lost", "lost", "won", "lost"],
            "level": ["3", "3", "1", "2", "6"],  # levels as text, as a text column returns them
            "amount": [200.0, 100.0, 50.0, 999.0, 10.0],
            "count": [2, 1, 4, 7, 1],
        }
    )
    expected = pd.DataFrame(
        {
            "level": [1, 2, 3, 4, 5, 6],
            "count": [4, 0, 3, 0, 0, 1],
            "amount": [50.0, 0.0, 300.0, 0.0, 0.0, 10.0],
            "share": [4 / 8, 0.0, 3 / 8, 0.0, 0.0, 1 / 8],
        }
    )
    pd.testing.assert_frame_equal(lost_by_level(deals), expected)


def test_wle016_lost_by_level_without_lost_deals_has_zero_shares() -> None:
    deals = pd.DataFrame([deal("OP1", "won", 100, level=5), deal("OP2", "won", 200, level=4)])
    expected = pd.DataFrame(
        {"level": [1, 2, 3, 4, 5], "count": [0, 0, 0, 0, 0], "amount": [0.0] * 5, "share": [0.0] * 5}
    )
    pd.testing.assert_frame_equal(lost_by_level(deals), expected)


@pytest.mark.parametrize(
    ("end", "quarters", "keys"),
    [
        (date(2026, 1, 1), 2, ["2025Q4", "2026Q1"]),
        (date(2026, 2, 28), 1, ["2026Q1"]),
        (date(2026, 4, 1), 2, ["2026Q1", "2026Q2"]),
        (date(2026, 5, 15), 1, ["2026Q2"]),
        (date(2026, 7, 1), 1, ["2026Q3"]),
        (date(2026, 8, 31), 1, ["2026Q3"]),
        (date(2026, 10, 1), 1, ["2026Q4"]),
        (date(2026, 11, 30), 1, ["2026Q4"]),
    ],
)
def test_wle017_trend_quarter_of_every_month(end: date, quarters: int, keys: list[str]) -> None:
    assert [q.key for q in trend_quarters(end, quarters)] == keys


def test_wle018_trend_default_eight_quarters_from_january() -> None:
    assert [q.key for q in trend_quarters(date(2026, 1, 31))] == [
        "2024Q2",
        "2024Q3",
        "2024Q4",
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
    ]


def test_wle019_win_rate_trend_whole_table_oldest_first() -> None:
    trend = win_rate_trend({Period(2026, 2): Outcomes(1, 1, 100.0, 300.0), Period(2026, 1): Outcomes(0, 0, 0.0, 0.0)})
    assert list(trend.columns) == ["quarter", "start", *RATE_COLUMNS]
    assert trend["quarter"].tolist() == ["2026Q1", "2026Q2"]
    assert trend["start"].tolist() == [date(2026, 1, 1), date(2026, 4, 1)]
    assert trend["won"].tolist() == [0, 1] and trend["lost"].tolist() == [0, 1] and trend["n"].tolist() == [0, 2]
    assert trend["won_amount"].tolist() == [0.0, 100.0] and trend["lost_amount"].tolist() == [0.0, 300.0]
    assert trend["win_rate"].isna().tolist() == [True, False] and trend["win_rate"].tolist()[1] == 0.5
    assert trend["win_rate_amount"].isna().tolist() == [True, False] and trend["win_rate_amount"].tolist()[1] == 0.25
    assert trend["small"].tolist() == [True, True]


def test_wle020_drill_limits() -> None:
    assert Drill.make("reason", "x" * 200) == Drill("reason", "x" * 200)  # the longest value taken
    assert Drill.make("reason", "x" * 201) is None
    assert [Drill.make("lost_level", str(lv)) for lv in range(1, 7)] == [
        Drill("lost_level", str(lv)) for lv in range(1, 7)
    ]
    assert Drill.make("lost_level", 3) == Drill("lost_level", "3")  # a number, as a JSON body may send it
    assert Drill.make("lost_level", "0") is None and Drill.make("lost_level", "7") is None
    assert Drill.make("lost_level", True) is None
    assert Drill.make("outcome", "lost") == Drill("outcome", "lost")
    assert Drill.make("rep", "R1") == Drill("rep", "R1")
    assert Drill.make("owner", "R1") is None  # not a segment: no drill
    assert Drill.make("level", "3") is None


def test_wle021_chosen_segment_default_and_the_exact_problem() -> None:
    assert chosen_segment({}) == ("rad_class", None)
    assert chosen_segment({"segment": ""}) == ("rad_class", None)
    assert chosen_segment({"segment": "size_band"}) == ("size_band", None)
    raw = "abcdefghij" * 5
    assert chosen_segment({"segment": raw}) == (
        "rad_class",
        "segment 'abcdefghijabcdefghijabcdefghijabcdefghij' is not one of "
        "rad_class, industry, region, team, rep, product_line, competitor, size_band",
    )


def _east() -> pd.DataFrame:
    """The deals of one region, cut from a larger frame: its index is 0, 2, 3, 4, 5 (not 0..n-1)."""
    every = pd.DataFrame(
        [
            deal("OP3", "won", 500, win_reason="关系", days=10),
            deal("OP9", "lost", 100, region="华北", reason="价格"),
            deal("OP2", "lost", 500, reason="价格", days=20),
            deal("OP1", "won", 500, win_reason="方案", days=30),
            deal("OP4", "lost", 200, industry="政府", reason="价格", days=40),
            deal("OP5", "lost", 300, days=50),
        ]
    )
    return every[every["region"] == "华东"]


def test_wle022_deals_behind_a_segment_of_a_filtered_frame() -> None:
    out = deals_behind(_east(), Drill("industry", "金融"))
    assert out.index.tolist() == [0, 1, 2, 3]
    assert out["opp_code"].tolist() == ["OP1", "OP2", "OP3", "OP5"]  # 500 three times: by code
    assert out["amount"].tolist() == [500, 500, 500, 300]
    assert out["cycle_days"].tolist() == [30, 20, 10, 50]
    # a won deal shows its win reason, a lost one its loss reason
    assert out["reason"].tolist()[:3] == ["方案", "价格", "关系"]
    assert out["reason"].isna().tolist() == [False, False, False, True]


def test_wle023_deals_behind_a_loss_reason_of_a_filtered_frame() -> None:
    out = deals_behind(_east(), Drill("reason", "价格"))
    assert out.index.tolist() == [0, 1]
    assert out["opp_code"].tolist() == ["OP2", "OP4"]
    assert out["reason"].tolist() == ["价格", "价格"]
    missing = deals_behind(_east(), Drill("reason", MISSING))
    assert missing["opp_code"].tolist() == ["OP5"]


def test_wle024_deals_behind_an_outcome_show_the_win_reasons() -> None:
    out = deals_behind(_east(), Drill("outcome", "won"))
    assert out.index.tolist() == [0, 1]
    assert out["opp_code"].tolist() == ["OP1", "OP3"]
    assert out["reason"].tolist() == ["方案", "关系"]
