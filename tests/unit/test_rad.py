"""RAD analysis: metrics on hand-computed accounts, the per-account query on a seeded database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access import queries
from data_access.scope import Scope
from metrics.rad import (
    account_table,
    class_moves,
    class_summary,
    threshold_problem,
    top_accounts,
    top_d_accounts,
    white_space,
)
from tests.builders import Seed

Y = 2026
TODAY = date(2026, 11, 27)
P = {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9}


def _rows(rows):
    cols = ["account_code", "bp", "bookings", "rad_override", "open_pipeline", "key_account"]
    return pd.DataFrame(rows, columns=cols)


# code, bp, bookings, override, pipeline, key
ACCOUNTS = _rows(
    [
        ("R1", 1000.0, 600.0, None, 100.0, False),  # SOW 60%: R, white space 400
        ("R2", 100.0, 150.0, None, 0.0, True),  # SOW 150%: R, flagged, white space 0 (never below)
        ("D1", 2000.0, 400.0, None, 50.0, False),  # SOW 20%: D, white space 1600
        ("D2", 500.0, 100.0, None, 0.0, True),  # SOW 20%: D, white space 400
        ("A1", 3000.0, 0.0, None, 300.0, False),  # zero bookings: A, white space 3000
        ("AM", 1000.0, 900.0, "A", 0.0, False),  # override A over R: manual; white space 100
        ("NB", None, 70.0, None, 20.0, False),  # no BP: unknown
    ]
)


def test_rad001_classes_white_space_and_flags():
    t = account_table(ACCOUNTS, 0.5, 0.1).set_index("account_code")
    assert t["rad_class"].to_dict() == {"R1": "R", "R2": "R", "D1": "D", "D2": "D", "A1": "A", "AM": "A", "NB": "none"}
    assert t.loc["AM", "manual"] and not t.loc["R1", "manual"]
    assert t.loc["R2", "flags"] == ["bp_too_low"] and t.loc["NB", "flags"] == ["no_bp"]
    assert t["white_space"].to_dict() == {"R1": 400, "R2": 0, "D1": 1600, "D2": 400, "A1": 3000, "AM": 100, "NB": None}
    assert white_space(None, 5.0) is None and white_space(10.0, 25.0) == 0.0


def test_rad002_summary_per_class():
    s = class_summary(account_table(ACCOUNTS, 0.5, 0.1)).set_index("rad_class")
    assert s["accounts"].to_dict() == {"R": 2, "A": 2, "D": 2, "none": 1}
    assert s.loc["R", "bp"] == 1100 and s.loc["R", "bookings"] == 750
    assert s.loc["R", "sow"] == pytest.approx(750 / 1100)
    assert s.loc["D", "sow"] == pytest.approx(500 / 2500) and s.loc["D", "white_space"] == 2000
    assert s.loc["A", "white_space"] == 3100 and s.loc["A", "open_pipeline"] == 300
    # unknown BP: bookings and pipeline count, BP, SOW and white space are unknown (never 0)
    assert s.loc["none", "bookings"] == 70 and s.loc["none", "open_pipeline"] == 20
    assert s.loc["none", "bp"] is None and s.loc["none", "sow"] is None and s.loc["none", "white_space"] is None


def test_rad003_moves_between_years():
    before = pd.DataFrame(
        {"account_code": ["a", "b", "c", "d", "e", "f"], "rad_class": ["D", "D", "A", "R", "none", "A"]}
    )
    after = pd.DataFrame({"account_code": ["a", "b", "c", "d", "e", "g"], "rad_class": ["R", "R", "D", "R", "A", "R"]})
    moves = class_moves(before, after)
    assert moves.values.tolist() == [["D", "R", 2], ["A", "D", 1], ["none", "A", 1]]
    assert class_moves(before, before).empty


def test_rad004_top_lists():
    t = account_table(ACCOUNTS, 0.5, 0.1)
    assert top_accounts(t, 3)["account_code"].tolist() == ["D2", "R2", "A1"]  # key accounts first, then by BP
    assert top_accounts(t)["account_code"].tolist()[-1] == "NB"  # unknown BP last
    assert top_d_accounts(t)["account_code"].tolist() == ["D1", "D2"]  # by white space


def test_rad005_threshold_checks():
    assert threshold_problem(0.5, 0.1) is None
    assert threshold_problem(0.1, 0.5) and threshold_problem(0.5, 0.5) and threshold_problem(1.2, 0.1)
    assert threshold_problem(0.5, 0.0) and threshold_problem(float("nan"), 0.1)


def test_rad006_account_query_on_a_seeded_database(session):
    seed = Seed(session)
    team = seed.team("T1", region="华东")
    me, other = seed.rep("R1", team), seed.rep("R2", seed.team("T2"))
    mine = seed.account("AC1", me, region="华东", industry="金融")
    theirs = seed.account("AC2", other, region="华北", industry="制造")
    seed.bp(mine, Y, 1000.0)
    seed.bp(mine, Y - 1, 9999.0)
    # bookings: mine 300 (this year) + 200 by the other rep on my account (SOW is the account's) + 50 last year
    seed.contract(seed.opp(mine, 300, 5, "won", closed=date(Y, 2, 1)), 300, date(Y, 2, 1))
    seed.contract(seed.opp(mine, 200, 5, "won", closed=date(Y, 3, 1), owner=other), 200, date(Y, 3, 1))
    seed.contract(seed.opp(mine, 50, 5, "won", closed=date(Y - 1, 3, 1)), 50, date(Y - 1, 3, 1))
    seed.opp(mine, 1000, 2)  # open: 1000, weighted 250
    seed.opp(mine, 400, 4)  # open: 400, weighted 300
    seed.opp(mine, 999, 3, owner=other)  # the other rep's open deal on my account: not in my pipeline
    seed.opp(mine, 500, 1, "lost", closed=date(Y, 5, 1))
    seed.visit(me, mine, date(2026, 11, 1))
    seed.visit(me, mine, date(2026, 6, 1))  # older than 90 days
    seed.visit(me, mine, date(2026, 12, 1), status="planned")  # not done, not counted
    seed.visit(other, mine, date(2026, 11, 20))  # another rep's visit: outside my scope
    seed.opp(theirs, 10, 1)
    session.commit()

    rows = queries.rad_accounts(session, Scope.rep(me.id), Y, P, TODAY).set_index("account_code")
    assert rows.index.tolist() == ["AC1"]
    r = rows.loc["AC1"]
    assert (r["bp"], r["bookings"]) == (1000, 500)
    assert (r["open_count"], r["open_pipeline"], r["weighted_pipeline"]) == (2, 1400, pytest.approx(550))
    assert (r["visits_90d"], r["last_visit"]) == (1, date(2026, 11, 1))
    assert r["owner_code"] == "R1" and r["team"] == "T1"

    everything = queries.rad_accounts(session, Scope.everything(), Y, P, TODAY)
    assert everything["account_code"].tolist() == ["AC1", "AC2"]
    assert everything.set_index("account_code").loc["AC1", "open_pipeline"] == 2399
    assert everything.set_index("account_code")["bp"].isna().to_dict() == {"AC1": False, "AC2": True}
    assert queries.rad_accounts(session, Scope.everything(), Y, P, TODAY, region="华北")["account_code"].tolist() == [
        "AC2"
    ]
    assert queries.rad_accounts(session, Scope.everything(), Y, P, TODAY, industry="金融")["account_code"].tolist() == [
        "AC1"
    ]
    assert queries.rad_accounts(session, Scope.everything(), Y, P, TODAY, codes=["AC2"])["account_code"].tolist() == [
        "AC2"
    ]
    assert queries.rad_accounts(session, Scope.rep(me.id), Y, P, TODAY, codes=["AC2"]).empty
    last = queries.rad_accounts(session, Scope.everything(), Y - 1, P, TODAY).set_index("account_code")
    assert (last.loc["AC1", "bp"], last.loc["AC1", "bookings"]) == (9999, 50)
