"""The scorecard's own queries (``data_access.queries.scorecards``) on a hand-built database, every expected row
written below (issue 23: the survivors of the first mutation run over the query modules, among them three queries
whose scope could be dropped unseen: a task book, a week's visits, the target accounts' visits).

Team North: rep R1 (owner of NA1 and NA2), manager M1; team South: rep S1 (owner of SA1). The period is 2026-Q4
(2026-10-01 .. 2026-12-31), today 2026-11-27. S1's rows are canaries: amounts of 7s, names with "South"; several sit
at R1's own account NA1, where only a query that forgets the scope would count them.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access.queries import scorecards as q
from data_access.scope import Scope
from tests.builders import Seed

START, END, TODAY = date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 27)


@pytest.fixture()
def world(session: Session) -> dict[str, Any]:
    seed = Seed(session)
    north, south = seed.team("North", region="华北"), seed.team("South", region="华南")
    r1 = seed.rep("R1", north, name="North Rep")
    seed.rep("M1", north, role="manager", name="North Manager")
    s1 = seed.rep("S1", south, name="South Rep")
    na1 = seed.account("NA1", r1, name="North One")
    na2 = seed.account("NA2", r1, name="North Two")
    sa1 = seed.account("SA1", s1, name="South One")
    seed.account("NA3", r1, name="North Three")  # a target account with nothing yet: no visit, deal or BP
    # visits: NA1 done on the period's first day and on today (2), planned (no), done the day before the period
    # (no), done after today inside the period (no: the period is counted up to today); NA2 done once (1)
    seed.visit(r1, na1, START)
    seed.visit(r1, na1, TODAY)
    seed.visit(r1, na1, date(2026, 11, 10), status="planned")
    seed.visit(r1, na1, date(2026, 9, 30))
    seed.visit(r1, na1, date(2026, 12, 15))
    seed.visit(r1, na2, date(2026, 11, 3))
    seed.visit(s1, na1, date(2026, 11, 4))  # South's rep at North's account: not R1's visit
    seed.visit(s1, sa1, date(2026, 11, 4))
    # open pipeline: NA1 10,000 + 5,000, NA2 3,000; a won deal and South's open deal at NA1 do not count
    seed.opp(na1, 10_000, 3, code="N-OPEN-1", expected=date(2026, 12, 31), name="Open one")
    seed.opp(na1, 5_000, 2, code="N-OPEN-2", expected=date(2027, 1, 1), name="Open two")
    seed.opp(na2, 3_000, 4, code="N-OPEN-3", expected=date(2026, 11, 30), name="Open three")
    seed.opp(na1, 7_777, 3, code="S-AT-NA1", owner=s1, expected=date(2026, 12, 1), name="South at North")
    seed.opp(sa1, 77_777, 4, code="S-OPEN", expected=date(2026, 12, 1), name="South open")
    # booked in the period: NA1 30,000 (signed on the period's last day), NA2 2,000; not: signed the day before
    # the period, signed after it, South's contract at NA1
    won = seed.opp(na1, 30_000, 5, "won", closed=END, code="N-WON-1")
    seed.contract(won, 30_000, END)
    early = seed.opp(na1, 1_000, 5, "won", closed=date(2026, 9, 30), code="N-WON-2")
    seed.contract(early, 1_000, date(2026, 9, 30))
    late = seed.opp(na1, 4_000, 5, "won", closed=date(2027, 1, 1), code="N-WON-3")
    seed.contract(late, 4_000, date(2027, 1, 1))
    small = seed.opp(na2, 2_000, 5, "won", closed=date(2026, 10, 2), code="N-WON-4")
    seed.contract(small, 2_000, date(2026, 10, 2))
    south_won = seed.opp(na1, 777, 5, "won", owner=s1, closed=date(2026, 11, 1), code="S-WON")
    seed.contract(south_won, 777, date(2026, 11, 1))
    seed.bp(na1, 2026, 200_000)
    seed.bp(na1, 2025, 99)
    seed.bp(sa1, 2026, 777_777)
    # task books: R1's 2026 whole year and Q1 (written Q1 first, so the order is the query's), R1's 2025; S1's
    seed.quota(r1, 2026, 400_000, 80_000, quarter=1)
    seed.quota(r1, 2026, 1_000_000, 200_000)
    seed.quota(r1, 2025, 5, 1)
    seed.quota(s1, 2026, 777_777, 77_777)
    session.commit()
    return {"r1": r1.id, "s1": s1.id, "north": north.id}


def test_scq001_target_accounts_count_only_the_viewers_rows_in_the_period(session, world):
    codes = ["NA3", "NA2", "SA1", "NA1", "ZZ"]
    got = q.account_coverage(session, Scope.rep(world["r1"]), codes, START, END, TODAY)
    expected = pd.DataFrame(
        {
            "account_code": ["NA1", "NA2", "NA3"],
            "name": ["North One", "North Two", "North Three"],
            "visited": [2, 1, 0],
            "open_pipeline": [15_000.0, 3_000.0, 0.0],
            "booked": [30_000.0, 2_000.0, 0.0],
            "bp": [200_000.0, float("nan"), float("nan")],
        }
    )
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def test_scq002_target_accounts_are_read_up_to_the_500th_code(session, world):
    scope = Scope.rep(world["r1"])
    fillers = [f"X{i:03d}" for i in range(499)]
    assert list(q.account_coverage(session, scope, [*fillers, "NA1"], START, END, TODAY)["account_code"]) == ["NA1"]
    assert q.account_coverage(session, scope, [*fillers, "ZZ", "NA1"], START, END, TODAY).empty
    empty = q.account_coverage(session, scope, [], START, END, TODAY)
    assert empty.empty and list(empty.columns) == ["account_code", "name", "visited", "open_pipeline", "booked", "bp"]


def test_scq003_a_task_book_is_the_reps_year_in_quarter_order_and_only_in_scope(session, world):
    got = q.task_book(session, Scope.rep(world["r1"]), world["r1"], 2026)
    # by quarter: the whole year (NULL) sorts first on SQLite and last on PostgreSQL; Q1 was written first
    whole_first = session.get_bind().dialect.name == "sqlite"
    expected = [(None, 1_000_000.0), (1, 400_000.0)] if whole_first else [(1, 400_000.0), (None, 1_000_000.0)]
    assert [
        (None if pd.isna(x) else int(x), float(t)) for x, t in zip(got["quarter"], got["revenue_target"], strict=True)
    ] == (expected)
    assert q.task_book(session, Scope.rep(world["r1"]), world["s1"], 2026).empty  # S1's book, asked by R1
    assert q.task_book(session, Scope.team(world["north"]), world["s1"], 2026).empty  # and by North's manager
    assert list(q.task_book(session, Scope.rep(world["r1"]), world["r1"], 2025)["revenue_target"]) == [5]


def test_scq004_a_weeks_visits_are_the_viewers_in_date_then_account_order(session, world):
    got = q.week_visits(session, Scope.rep(world["r1"]), date(2026, 11, 3), date(2026, 11, 10))
    assert list(got.columns) == ["visit_date", "account_code", "account", "kind", "status", "purpose"]
    rows = [(str(r.visit_date)[:10], r.account_code, r.account, r.kind, r.status) for r in got.itertuples()]
    assert rows == [
        ("2026-11-03", "NA2", "North Two", "visit", "done"),
        ("2026-11-10", "NA1", "North One", "visit", "planned"),
    ]


def test_scq005_a_weeks_visits_keep_their_purpose_and_order_accounts_within_a_day(session, world):
    seed = Seed(session)
    from data_access.models import Account, Rep

    r1 = session.get(Rep, world["r1"])
    na1, na2 = (session.query(Account).filter_by(account_code=c).one() for c in ("NA1", "NA2"))
    assert r1 is not None
    later = seed.visit(r1, na2, date(2026, 11, 20))
    later.purpose = "方案交流"
    seed.visit(r1, na1, date(2026, 11, 20))
    session.commit()
    got = q.week_visits(session, Scope.team(world["north"]), date(2026, 11, 20), date(2026, 11, 20))
    assert list(got["account_code"]) == ["NA1", "NA2"]
    assert got["purpose"].iloc[1] == "方案交流"


def test_scq006_open_deals_due_by_the_end_largest_first(session, world):
    from data_access.models import Account

    na2 = session.query(Account).filter_by(account_code="NA2").one()
    Seed(session).opp(na2, 1_000, 1, code="N-OPEN-0", expected=date(2026, 12, 1), name="Open zero")  # first by code
    session.commit()
    got = q.open_deals_due(session, Scope.rep(world["r1"]), date(2026, 12, 31))
    assert list(got.columns) == ["opp_code", "name", "account", "level", "amount", "expected_close_date"]
    assert [(r.opp_code, r.account, r.amount) for r in got.itertuples()] == [
        ("N-OPEN-1", "North One", 10_000.0),  # due on the end day itself
        ("N-OPEN-3", "North Two", 3_000.0),
        ("N-OPEN-0", "North Two", 1_000.0),
    ]  # N-OPEN-2 is due the day after; the won deals and South's are not open deals of R1
    assert list(q.open_deals_due(session, Scope.rep(world["r1"]), date(2026, 12, 31), limit=1)["opp_code"]) == [
        "N-OPEN-1"
    ]


def test_scq007_open_deals_due_break_ties_by_code_and_stop_at_30(session, world):
    from data_access.models import Account

    seed = Seed(session)
    na2 = session.query(Account).filter_by(account_code="NA2").one()
    for i in range(31):
        seed.opp(na2, 500, 1, code=f"T{30 - i:02d}", expected=date(2026, 10, 5))
    session.commit()
    got = q.open_deals_due(session, Scope.rep(world["r1"]), date(2026, 10, 31))
    assert list(got["opp_code"]) == [f"T{i:02d}" for i in range(30)]


def test_scq008_open_amounts_of_the_viewers_open_deals_among_200_codes(session, world):
    scope = Scope.rep(world["r1"])
    got = q.open_amounts(session, scope, ["N-OPEN-1", "N-WON-1", "S-OPEN", "S-AT-NA1", "N-OPEN-3"])
    assert got == {"N-OPEN-1": 10_000.0, "N-OPEN-3": 3_000.0}
    fillers = [f"X{i:03d}" for i in range(199)]
    assert q.open_amounts(session, scope, [*fillers, "N-OPEN-1"]) == {"N-OPEN-1": 10_000.0}
    assert q.open_amounts(session, scope, [*fillers, "ZZ", "N-OPEN-1"]) == {}


def _by_class(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    return {str(r["rad_class"]): (int(r["visits"]), int(r["accounts"])) for r in frame.to_dict("records")}


def test_scq010_done_visits_by_the_visited_accounts_class(session, world):
    """2026's classes: NA1 booked 31,777 (30,000 + 1,000 + South's 777 at it) of a BP of 200,000, SOW 15.9%: D at
    the default thresholds, R at an R threshold of 15%, A at an A threshold of 20%; NA2 has no BP ("none"); SA1
    booked nothing of 777,777: A. R1's done visits in the period: NA1 three times (its first day, today and
    12-15: not capped at today), NA2 once."""
    r1 = Scope.rep(world["r1"])
    assert _by_class(q.visits_by_class(session, r1, START, END, 2026, 0.5, 0.1)) == {"D": (3, 1), "none": (1, 1)}
    assert _by_class(q.visits_by_class(session, r1, START, END, 2026, 0.15, 0.1)) == {"R": (3, 1), "none": (1, 1)}
    assert _by_class(q.visits_by_class(session, r1, START, END, 2026, 0.5, 0.2)) == {"A": (3, 1), "none": (1, 1)}
    assert _by_class(q.visits_by_class(session, Scope.rep(world["s1"]), START, END, 2026, 0.5, 0.1)) == {
        "A": (1, 1),
        "D": (1, 1),
    }
    assert _by_class(q.visits_by_class(session, r1, date(2026, 11, 1), TODAY, 2026, 0.5, 0.1)) == {
        "D": (1, 1),
        "none": (1, 1),
    }


P = {1: 0.10, 2: 0.25, 3: 0.50, 4: 0.75, 5: 0.90}


def _rollup_rows(session: Session, world: dict[str, Any]) -> None:
    """R1's period also has: a won deal signed 11-15 (10,000, GM 2,500), a lost deal closed 11-01 (9,000), and
    payments: of its 12-31 contract 5,000 due 11-01 of which 1,000 paid (4,000 overdue), 2,000 due today (not yet
    overdue), 3,000 due 10-15 paid in full (nothing owed); of the 10-02 contract 1,500 due 10-20 with nothing paid
    yet (no paid amount: 1,500 overdue) and 100.50 due 10-25 of which 100 paid (0.50 overdue); of the 11-15
    contract 1,000 due 10-26 paid 1,200 (overpaid: owes nothing, takes nothing off the others). A second North
    rep, R2 (account NB1), has one of each: an open level-1 deal of 1,000 due 11-30, a won deal closed and signed
    11-20 (500) whose 200 due 11-01 is unpaid, a lost deal of 300 closed 11-21, a done visit (11-05) and a planned
    one (11-06)."""
    from data_access.models import Account, Contract, Team

    seed = Seed(session)
    na1, na2 = (session.query(Account).filter_by(account_code=c).one() for c in ("NA1", "NA2"))
    gm_deal = seed.opp(na2, 10_000, 5, "won", closed=date(2026, 11, 15), code="N-WON-5")
    gm_contract = seed.contract(gm_deal, 10_000, date(2026, 11, 15), gm=2_500)
    seed.opp(na1, 9_000, 3, "lost", closed=date(2026, 11, 1), code="N-LOST")
    big = session.query(Contract).filter_by(amount=30_000).one()
    seed.payment(big, "advance", date(2026, 11, 1), 5_000, paid=1_000, paid_date=date(2026, 11, 2))
    seed.payment(big, "progress", TODAY, 2_000)
    seed.payment(big, "acceptance", date(2026, 10, 15), 3_000, paid=3_000, paid_date=date(2026, 10, 15))
    small = session.query(Contract).filter_by(amount=2_000).one()
    seed.payment(small, "advance", date(2026, 10, 20), 1_500)
    seed.payment(small, "progress", date(2026, 10, 25), 100.50, paid=100, paid_date=date(2026, 10, 25))
    seed.payment(gm_contract, "advance", date(2026, 10, 26), 1_000, paid=1_200, paid_date=date(2026, 10, 26))
    north = session.get(Team, world["north"])
    r2 = seed.rep("R2", north, name="Second Rep")
    nb1 = seed.account("NB1", r2, name="North B")
    seed.opp(nb1, 1_000, 1, code="R2-OPEN", expected=date(2026, 11, 30))
    r2_won = seed.opp(nb1, 500, 5, "won", closed=date(2026, 11, 20), code="R2-WON")
    seed.payment(seed.contract(r2_won, 500, date(2026, 11, 20)), "advance", date(2026, 11, 1), 200)
    seed.opp(nb1, 300, 2, "lost", closed=date(2026, 11, 21), code="R2-LOST")
    seed.visit(r2, nb1, date(2026, 11, 5))
    seed.visit(r2, nb1, date(2026, 11, 6), status="planned")
    session.commit()


def test_scq011_the_rep_rollup_sums_each_measure_of_the_period(session, world):
    _rollup_rows(session, world)
    got = q.rep_rollup(session, Scope.team(world["north"]), START, END, TODAY, P, roles=("rep", "manager"))
    assert list(got["rep_code"]) == ["M1", "R1", "R2"]
    assert list(got["name"]) == ["North Manager", "North Rep", "Second Rep"]
    assert list(got["team"]) == ["North", "North", "North"]
    r1: dict[Hashable, Any] = got.set_index("rep_code").loc["R1"].to_dict()
    assert int(r1["team_id"]) == world["north"]
    expected = {
        "bookings": 42_000.0,  # 30,000 (12-31) + 2,000 (10-02) + 10,000 (11-15)
        "gm_booked": 2_500.0,
        "pipeline_due": 13_000.0,  # 10,000 due 12-31 + 3,000 due 11-30; 5,000 due 2027-01-01 is not
        "weighted_due": 7_250.0,  # 10,000 x .50 + 3,000 x .75
        "open_pipeline": 18_000.0,
        "weighted_pipeline": 8_500.0,  # 7,250 + 5,000 x .25
        "won_count": 3.0,
        "lost_count": 1.0,
        "won_amount": 42_000.0,
        "lost_amount": 9_000.0,
        # days from creation (01-10) to close of the won deals closed in the period: 12-31, 10-02 and 11-15
        # (355 + 265 + 309); not 09-30's, 2027-01-01's, the lost deal's or South's
        "cycle_days_sum": 929.0,
        "overdue": 5_500.5,  # 4,000 + 1,500 + 0.50
        "visits_done": 4.0,  # NA1 on 10-01, today and 12-15, NA2 on 11-03
        "visits_planned": 1.0,
    }
    assert {k: float(r1[k]) for k in expected} == expected
    m1: dict[Hashable, Any] = got.set_index("rep_code").loc["M1"].to_dict()
    assert {k: float(m1[k]) for k in expected} == dict.fromkeys(expected, 0.0)
    r2: dict[Hashable, Any] = got.set_index("rep_code").loc["R2"].to_dict()
    assert {k: float(r2[k]) for k in expected} == {
        "bookings": 500.0,
        "gm_booked": 0.0,
        "pipeline_due": 1_000.0,
        "weighted_due": 100.0,
        "open_pipeline": 1_000.0,
        "weighted_pipeline": 100.0,
        "won_count": 1.0,
        "lost_count": 1.0,
        "won_amount": 500.0,
        "lost_amount": 300.0,
        "cycle_days_sum": 314.0,  # R2-WON: 01-10 -> 11-20
        "overdue": 200.0,
        "visits_done": 1.0,
        "visits_planned": 1.0,
    }
    reps_only = q.rep_rollup(session, Scope.team(world["north"]), START, END, TODAY, P)
    assert list(reps_only["rep_code"]) == ["R1", "R2"]


def test_scq012_a_level_without_a_probability_weighs_nothing(session, world):
    """Only level 3 has a probability: N-OPEN-1 (level 3, 10,000) weighs 5,000, the level 2 and 4 deals 0; no
    probabilities at all: nothing weighs."""
    r1 = Scope.rep(world["r1"])
    some = q.rep_rollup(session, r1, START, END, TODAY, {3: 0.5}).iloc[0]
    assert (float(some["weighted_pipeline"]), float(some["weighted_due"])) == (5_000.0, 5_000.0)
    none = q.rep_rollup(session, r1, START, END, TODAY, {}).iloc[0]
    assert (float(none["weighted_pipeline"]), float(none["weighted_due"]), float(none["open_pipeline"])) == (
        0.0,
        0.0,
        18_000.0,
    )


def test_scq013_the_rollup_names_a_rep_without_a_team_with_none(session, world):
    from data_access.models import Rep

    Seed(session).rep("R0", None, name="Lone Rep")
    session.commit()
    lone = session.query(Rep).filter_by(rep_code="R0").one()
    got = q.rep_rollup(session, Scope.rep(lone.id), START, END, TODAY, P)
    assert list(got["rep_code"]) == ["R0"] and list(got["name"]) == ["Lone Rep"]
    assert got["team"].isna().all() and got["team_id"].isna().all()


def test_scq014_overdue_per_rep_of_a_product_line_and_a_rad_class(session):
    """The overdue column of a narrowed scope, from the unpaid payments' summary. Rep RL's account AR (BP 1,000,
    booked 600 in 2026: SOW 60%, class R at the default thresholds) has a 云服务 deal whose contract owes 250 of 300
    due 11-01 and 100 due 11-20, and 500 due 12-15 (not yet due); account AN (no BP: class "none") has a 运维服务
    deal owing 70 of 80 due 10-10. Rep RM (another team) owes 40 due 11-02 on AR's 运维服务 deal."""
    from data_access.scope import ProductLine, RadClass

    seed = Seed(session)
    north, south = seed.team("North-L"), seed.team("South-L")
    rl, rm = seed.rep("RL", north), seed.rep("RM", south)
    ar, an = seed.account("AR", rl), seed.account("AN", rl)
    seed.bp(ar, 2026, 1_000)
    cloud = seed.opp(ar, 600, 5, "won", closed=date(2026, 3, 1), product_line="云服务")
    c1 = seed.contract(cloud, 600, date(2026, 3, 1))
    seed.payment(c1, "advance", date(2026, 11, 1), 300, paid=50, paid_date=date(2026, 11, 3))
    seed.payment(c1, "progress", date(2026, 11, 20), 100)
    seed.payment(c1, "acceptance", date(2026, 12, 15), 500)
    ops = seed.opp(an, 80, 5, "won", closed=date(2026, 3, 1), product_line="运维服务")
    seed.payment(seed.contract(ops, 0, date(2025, 3, 1)), "advance", date(2026, 10, 10), 80, paid=10)
    theirs = seed.opp(ar, 40, 5, "won", closed=date(2026, 3, 1), product_line="运维服务", owner=rm)
    seed.payment(seed.contract(theirs, 0, date(2025, 3, 1)), "advance", date(2026, 11, 2), 40)
    session.commit()

    def overdue(scope: Scope) -> dict[str, float]:
        got = q.rep_rollup(session, scope, START, END, TODAY, P)
        return {code: float(v) for code, v in zip(got["rep_code"], got["overdue"], strict=True)}

    line = (ProductLine("云服务"),)
    cls_r, cls_none = (RadClass(2026, "R", 0.5, 0.1),), (RadClass(2026, "none", 0.5, 0.1),)
    assert overdue(Scope.everything()) == {"RL": 420.0, "RM": 40.0}
    assert overdue(Scope.everything().narrow(deals=line)) == {"RL": 350.0, "RM": 0.0}
    assert overdue(Scope.everything().narrow(deals=cls_r)) == {"RL": 350.0, "RM": 40.0}
    assert overdue(Scope.everything().narrow(deals=cls_none)) == {"RL": 70.0, "RM": 0.0}
    assert overdue(Scope.team(north.id).narrow(deals=cls_r)) == {"RL": 350.0}
    assert overdue(Scope.team(south.id).narrow(deals=cls_r)) == {"RM": 40.0}
    assert overdue(Scope.rep(rl.id).narrow(deals=(ProductLine("运维服务"),))) == {"RL": 70.0}
    assert overdue(Scope.nothing()) == {}


def test_scq015_the_closed_deals_bookings_and_pipeline_of_a_product_line_and_a_rad_class(session):
    """The sums of a narrowed scope. Rep RC's account AR (BP 1,000, 800 booked in 2026: class R) has, closed in the
    period: a 云服务 deal won (created 10-01, closed 10-11: 10 days; its contract 600 signed 10-11), a 运维服务 deal
    won (09-01 -> 11-30: 90 days; 200 signed 11-30) and a 云服务 deal lost (300); and an open 运维服务 deal of 1,000
    at level 3 due 12-01. Account AN (no BP: class "none") has a 运维服务 deal won (11-01 -> 11-05: 4 days, 50, no
    contract) and an open 云服务 deal of 400 at level 2 due 2027-02-01 (after the period)."""
    from data_access.scope import ProductLine, RadClass

    seed = Seed(session)
    team = seed.team("Closed-L")
    rc = seed.rep("RC", team)
    ar, an = seed.account("AR", rc), seed.account("AN", rc)
    seed.bp(ar, 2026, 1_000)
    cloud = seed.opp(ar, 600, 5, "won", created=date(2026, 10, 1), closed=date(2026, 10, 11), product_line="云服务")
    seed.contract(cloud, 600, date(2026, 10, 11))
    ops = seed.opp(ar, 200, 5, "won", created=date(2026, 9, 1), closed=date(2026, 11, 30), product_line="运维服务")
    seed.contract(ops, 200, date(2026, 11, 30))
    seed.opp(ar, 300, 3, "lost", created=date(2026, 9, 1), closed=date(2026, 11, 2), product_line="云服务")
    seed.opp(an, 50, 5, "won", created=date(2026, 11, 1), closed=date(2026, 11, 5), product_line="运维服务")
    seed.opp(ar, 1_000, 3, expected=date(2026, 12, 1), product_line="运维服务")
    seed.opp(an, 400, 2, expected=date(2027, 2, 1), product_line="云服务")
    session.commit()
    columns = [
        *("won_count", "lost_count", "won_amount", "lost_amount", "cycle_days_sum"),
        *("bookings", "open_pipeline", "pipeline_due", "weighted_due", "weighted_pipeline"),
    ]

    def sums(*deals: Any) -> list[float]:
        got = q.rep_rollup(session, Scope.everything().narrow(deals=deals), START, END, TODAY, P)
        return [float(got.iloc[0][c]) for c in columns]

    # weights: level 3 x 0.50, level 2 x 0.25
    assert sums() == [3.0, 1.0, 850.0, 300.0, 104.0, 800.0, 1_400.0, 1_000.0, 500.0, 600.0]
    assert sums(ProductLine("云服务")) == [1.0, 1.0, 600.0, 300.0, 10.0, 600.0, 400.0, 0.0, 0.0, 100.0]
    assert sums(ProductLine("运维服务")) == [2.0, 0.0, 250.0, 0.0, 94.0, 200.0, 1_000.0, 1_000.0, 500.0, 500.0]
    assert sums(RadClass(2026, "R", 0.5, 0.1)) == [2.0, 1.0, 800.0, 300.0, 100.0, 800.0, 1_000.0, 1_000.0, 500.0, 500.0]
    assert sums(RadClass(2026, "none", 0.5, 0.1)) == [1.0, 0.0, 50.0, 0.0, 4.0, 0.0, 400.0, 0.0, 0.0, 100.0]
    r_ops = sums(ProductLine("运维服务"), RadClass(2026, "R", 0.5, 0.1))
    assert r_ops == [1.0, 0.0, 200.0, 0.0, 90.0, 200.0, 1_000.0, 1_000.0, 500.0, 500.0]
