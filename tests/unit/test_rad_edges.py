"""RAD's per-account and per-class figures at their edges, on literal rows (issue 23: tests that catch a wrong
number): a BP below 1, an unknown BP among known ones, a frame whose index is not 0..n, the class table's SOW of
known BPs only, the order of class moves and of the TOP lists."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.rad import (
    BP_TOO_LOW,
    NO_BP,
    class_moves,
    class_summary,
    classify,
    moved_accounts,
    share_of_wallet,
    top_accounts,
    top_d_accounts,
    with_white_space,
)


def test_rde001_a_bp_below_one_is_still_a_bp():
    assert share_of_wallet(100.0, 0.5) == 200.0
    assert share_of_wallet(100.0, 0.0) is None
    assert share_of_wallet(100.0, math.nan) is None
    assert share_of_wallet(100.0, None) is None


def _rows() -> pd.DataFrame:
    # as a query hands them over: BP an object column with None, an index that is not 0..n
    return pd.DataFrame(
        {
            "account_code": ["X", "Y", "Z", "W"],
            "bookings": [30.0, 50.0, 200.0, 100.0],
            "bp": pd.Series([100.0, None, 100.0, 100.0], index=[5, 7, 9, 11], dtype=object),
            "rad_override": ["", None, "A", None],
        },
        index=[5, 7, 9, 11],
    )


def test_rde002_classify_keeps_the_rows_index_and_reads_an_unknown_bp():
    out = classify(_rows(), 0.5, 0.1)
    assert out.index.tolist() == [5, 7, 9, 11]
    assert out["sow"].tolist() == [0.3, None, 2.0, 1.0]
    assert out["rad_class"].tolist() == ["D", None, "A", "R"]
    assert out["manual"].tolist() == [False, False, True, False]
    assert out["flags"].tolist() == [[], [NO_BP], [BP_TOO_LOW], []]
    spaced = with_white_space(out)
    assert spaced.index.tolist() == [5, 7, 9, 11]
    assert spaced["white_space"].tolist() == [70.0, None, 0.0, 0.0]
    assert spaced["rad_class"].tolist() == ["D", "none", "A", "R"]


def _classed() -> pd.DataFrame:
    nan = math.nan
    return pd.DataFrame(
        {
            "rad_class": ["R", "R", "A", "A", "D", "none"],
            "bp": [100.0, nan, 0.0, 200.0, 0.5, nan],
            "bookings": [60.0, 50.0, 5.0, 10.0, 0.1, 0.0],
            "open_pipeline": [1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
            "white_space": pd.Series([40.0, None, 0.0, 190.0, 0.4, None], dtype=object),
        }
    )


def test_rde003_a_class_sow_counts_the_bookings_of_accounts_with_a_bp_above_zero_only():
    table = class_summary(_classed())
    rows = {r["rad_class"]: r for r in table.to_dict("records")}
    assert list(rows) == ["R", "A", "D", "none"]
    assert rows["R"] == {
        "rad_class": "R",
        "accounts": 2,
        "bp": 100.0,
        "bookings": 110.0,
        "sow": 0.6,
        "open_pipeline": 3.0,
        "white_space": 40.0,
    }
    assert rows["A"]["bp"] == 200.0 and rows["A"]["sow"] == pytest.approx(0.05) and rows["A"]["bookings"] == 15.0
    assert rows["A"]["white_space"] == 190.0 and rows["A"]["open_pipeline"] == 12.0
    assert rows["D"]["bp"] == 0.5 and rows["D"]["sow"] == pytest.approx(0.2) and rows["D"]["white_space"] == 0.4
    assert rows["none"] == {
        "rad_class": "none",
        "accounts": 1,
        "bp": None,
        "bookings": 0.0,
        "sow": None,
        "open_pipeline": 32.0,
        "white_space": None,
    }
    without = class_summary(_classed().drop(columns=["open_pipeline"]))
    assert without["open_pipeline"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_rde004_class_moves_most_first_then_by_class_names():
    before = pd.DataFrame(
        {"account_code": ["a1", "a2", "d1", "d2", "r1", "x"], "rad_class": ["A", "A", "D", "D", "R", "R"]},
        index=[10, 11, 12, 13, 14, 15],
    )
    after = pd.DataFrame(
        {"account_code": ["d2", "d1", "a2", "a1", "r1", "y"], "rad_class": ["R", "R", "D", "R", "R", "A"]},
        index=[20, 21, 22, 23, 24, 25],
    )
    moves = class_moves(before, after)
    assert moves.to_dict("list") == {"from_class": ["D", "A", "A"], "to_class": ["R", "D", "R"], "accounts": [2, 1, 1]}
    assert moves.index.tolist() == [0, 1, 2]
    none = class_moves(before, before)
    assert none.empty and list(none.columns) == ["from_class", "to_class", "accounts"]


def test_rde005_the_accounts_behind_a_move_largest_bp_first_unknown_last():
    before = pd.DataFrame({"account_code": ["p", "q", "r", "s"], "rad_class": ["D"] * 4})
    after = pd.DataFrame(
        {"account_code": ["p", "q", "r", "s"], "rad_class": ["R"] * 4, "bp": [math.nan, 50.0, 100.0, 50.0]},
        index=[7, 8, 9, 10],
    )
    moved = moved_accounts(before, after, ("D", "R"))
    assert moved["account_code"].tolist() == ["r", "q", "s", "p"]
    assert moved.index.tolist() == [0, 1, 2, 3]


def test_rde006_top_twenty_by_default_key_accounts_first_unknown_bp_last():
    codes = [f"K{i:02d}" for i in range(22)]
    bps: list[float] = [float(1_000 - i) for i in range(20)] + [0.5, math.nan]
    accounts = pd.DataFrame({"account_code": codes, "bp": bps, "key_account": [False] * 21 + [True]})
    top = top_accounts(accounts)
    assert top["account_code"].tolist() == ["K21"] + [f"K{i:02d}" for i in range(19)]
    small = top_accounts(
        accounts.iloc[19:21].assign(key_account=False).pipe(lambda f: pd.concat([f, accounts.iloc[[21]]]))
    )
    assert small["account_code"].tolist() == ["K21", "K19", "K20"]
    unflagged = top_accounts(accounts.assign(key_account=False), n=22)
    assert unflagged["account_code"].tolist()[-3:] == ["K19", "K20", "K21"]


def test_rde007_top_ten_d_accounts_by_white_space_unknown_last():
    codes = [f"D{i:02d}" for i in range(12)]
    spaces: list[float | None] = [float(100 - i) for i in range(10)]
    spaces += [0.5, None]
    accounts = pd.DataFrame(
        {"account_code": codes, "rad_class": ["D"] * 12, "white_space": pd.Series(spaces, dtype=object)}
    )
    accounts = pd.concat([accounts, pd.DataFrame({"account_code": ["R1"], "rad_class": ["R"], "white_space": [999.0]})])
    assert top_d_accounts(accounts)["account_code"].tolist() == codes[:10]
    assert top_d_accounts(accounts, n=12)["account_code"].tolist() == codes
