"""The RAD page's lists and checks on literal rows (issue 23: mutation testing found them unreached or unchecked):
a class change named in an address and the accounts behind it, the TOP key accounts, the TOP D accounts, the
thresholds a preview may use."""

from __future__ import annotations

import math

import pandas as pd

from metrics.rad import move_of, moved_accounts, threshold_problem, top_accounts, top_d_accounts


def test_rdl001_a_move_in_an_address():
    assert move_of("R-A") == ("R", "A") and move_of("none-D") == ("none", "D")
    for bad in ("R-R", "R-A-D", "RA", "X-A", "R-", "-A", None, 5, ["R-A"], "r-a"):
        assert move_of(bad) is None, bad


def test_rdl002_the_accounts_behind_a_move_by_bp():
    before = pd.DataFrame({"account_code": ["A1", "A2", "A3", "A4"], "rad_class": ["R", "R", "D", "R"]})
    after = pd.DataFrame(
        {
            "account_code": ["A1", "A2", "A3", "A4", "A5"],
            "rad_class": ["A", "A", "A", "R", "A"],
            "bp": [100.0, None, 300.0, 50.0, 900.0],
        }
    )
    out = moved_accounts(before, after, ("R", "A"))
    # A1 and A2 were R and are A now (A3 was D, A4 stayed R, A5 is new); the BP unknown last
    assert out["account_code"].tolist() == ["A1", "A2"] and out.index.tolist() == [0, 1]
    tie = after.assign(bp=[100.0, 100.0, 0.0, 0.0, 0.0])
    assert moved_accounts(before, tie, ("R", "A"))["account_code"].tolist() == ["A1", "A2"]  # a tie by code


def test_rdl003_top_key_accounts_and_top_d_accounts():
    accounts = pd.DataFrame(
        {
            "account_code": ["K1", "K2", "N1", "N2", "N3"],
            "key_account": [True, True, False, False, False],
            "bp": [10.0, None, 999.0, 500.0, 500.0],
            "rad_class": ["D", "D", "D", "R", "D"],
            "white_space": [5.0, None, 800.0, 0.0, 800.0],
        }
    )
    # key accounts first (by BP, the unknown one last of them), then the others by BP, a tie by code
    assert top_accounts(accounts)["account_code"].tolist() == ["K1", "K2", "N1", "N2", "N3"]
    assert top_accounts(accounts, n=3)["account_code"].tolist() == ["K1", "K2", "N1"]
    assert list(top_accounts(accounts).columns) == list(accounts.columns)
    # class D by white space, a tie by code, the unknown white space last
    assert top_d_accounts(accounts)["account_code"].tolist() == ["N1", "N3", "K1", "K2"]
    assert top_d_accounts(accounts, n=1)["account_code"].tolist() == ["N1"]
    assert list(top_d_accounts(accounts).columns) == list(accounts.columns)


def test_rdl004_thresholds_a_preview_may_use():
    assert threshold_problem(0.5, 0.1) is None
    assert threshold_problem(1.0, 0.99) is None  # R up to 100%
    assert threshold_problem(1.01, 0.1) == "need 0% < A (10%) < R (101%) <= 100%"
    assert threshold_problem(0.5, 0.5) == "need 0% < A (50%) < R (50%) <= 100%"
    assert threshold_problem(0.5, 0.0) == "need 0% < A (0%) < R (50%) <= 100%"
    assert threshold_problem(math.nan, 0.1) == "thresholds must be numbers"
    assert threshold_problem(0.5, math.inf) == "thresholds must be numbers"
