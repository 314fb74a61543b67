"""Next best actions on a real database (issue 21; data dictionary, "Next best actions"): each of the seven rules
of ``data_access.queries.actions`` with a case in and one just outside each of its thresholds, the scope of a rep
and of a team, the counts per team and per rep, actions that disappear when the data says they are done, and the
loaders. Every expected line is written out as (kind, rep_code, account_code or opp_code).

Today is Wednesday 2026-12-02 (2026-W49, 2026Q4 = 2026-10-01..2026-12-31): a D account's visit window is
2026-11-02..2026-12-02, a deal is stalled when its last stage entry is before 2026-11-02, and next ISO week is
2026-12-07..2026-12-13."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from data_access.models import (
    Account,
    AccountYear,
    Event,
    EventAttendee,
    Opportunity,
    Payment,
    Rep,
    StageHistory,
    Team,
)
from data_access.queries.actions import RULES, action_counts, action_rows
from data_access.scope import Scope
from data_access.users import Viewer
from metrics.actions import KINDS, TOP_D, Windows
from metrics.views.actions import action_list, load_actions, load_actions_api
from tests.builders import Seed

TODAY = date(2026, 12, 2)
W = Windows(TODAY)
EVERYTHING = Scope.everything()

#: what a RAD class is made of this year: (BP, bookings); SOW 60% is R, 30% is D, 0% is A
CLASS_MONEY = {"R": (100_000.0, 60_000.0), "D": (100_000.0, 30_000.0), "A": (100_000.0, 0.0)}


def _keys(session, scope: Scope, kind: str) -> set[tuple[str, str, str | None]]:
    """The lines of rule ``kind`` as (kind, rep_code, the deal's code, else the account's, else None)."""
    df = action_rows(session, scope, W, kind)
    return {(r["kind"], r["rep_code"], r["opp_code"] or r["account_code"]) for r in df.to_dict("records")}


def _records(session, scope: Scope, kind: str) -> list[dict]:
    return action_rows(session, scope, W, kind).to_dict("records")


def _booked(seed: Seed, account: Account, amount: float, year: int, owner: Rep | None = None) -> Opportunity:
    """A won deal at ``account`` with its contract of ``amount`` signed on March 1 of ``year`` (bookings)."""
    opp = seed.opp(
        account,
        amount,
        5,
        "won",
        created=date(year, 1, 10),
        expected=date(year, 3, 1),
        closed=date(year, 3, 1),
        owner=owner,
        code=f"WON-{account.account_code}-{year}",
    )
    seed.contract(opp, amount, date(year, 3, 1))
    return opp


def _classed(seed: Seed, code: str, owner: Rep, rad_class: str, year: int = 2026, **kw) -> Account:
    """An account whose SOW makes it ``rad_class`` in ``year`` (BP and a signed contract that year)."""
    acc = seed.account(code, owner, **kw)
    bp, booked = CLASS_MONEY[rad_class]
    seed.bp(acc, year, bp)
    if booked:
        _booked(seed, acc, booked, year)
    return acc


def _event(session, code: str, kind: str, day: date, organiser: Rep, *attendees: tuple[Account, bool]) -> Event:
    ev = Event(event_code=code, name=code, kind=kind, event_date=day, organiser_rep_id=organiser.id, cost=1000.0)
    session.add(ev)
    session.flush()
    for acc, attended in attendees:
        session.add(EventAttendee(event_id=ev.id, account_id=acc.id, attended=attended))
    session.flush()
    return ev


def _stage(session, opp: Opportunity, level: int, day: date) -> None:
    session.add(StageHistory(opportunity_id=opp.id, level=level, entered_date=day))
    opp.level = level
    session.flush()


def _class_of(session, account: Account, year: int = 2026) -> str | None:
    return session.scalar(
        select(AccountYear.rad_class).where(AccountYear.account_id == account.id, AccountYear.year == year)
    )


@pytest.fixture()
def seed(session) -> Seed:
    return Seed(session)


@pytest.fixture()
def people(seed):
    """East: manager ME, reps A1 and A2; West: rep B1; the director DIR (no team)."""
    east, west = seed.team("East"), seed.team("West", "华北")
    return {
        "east": east,
        "west": west,
        "me": seed.rep("ME", east, role="manager"),
        "a1": seed.rep("A1", east),
        "a2": seed.rep("A2", east),
        "b1": seed.rep("B1", west),
        "dir": seed.rep("DIR", None, role="director"),
    }


# --- the windows ------------------------------------------------------------------------------------------------


def test_act001_windows_of_a_wednesday_in_q4():
    assert W.visited_since == date(2026, 11, 2)
    assert W.stalled_before == date(2026, 11, 2)
    assert (W.quarter.start, W.quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert W.next_week == (date(2026, 12, 7), date(2026, 12, 13))
    # a Sunday's next week starts the next day, a Monday's a week later
    assert Windows(date(2026, 12, 6)).next_week == (date(2026, 12, 7), date(2026, 12, 13))
    assert Windows(date(2026, 12, 7)).next_week == (date(2026, 12, 14), date(2026, 12, 20))
    assert TOP_D == 10
    assert set(RULES) == set(KINDS) and len(KINDS) == 7


def test_act002_the_seeded_classes_are_what_the_tests_assume(session, seed, people):
    a1 = people["a1"]
    r, d, a = _classed(seed, "R", a1, "R"), _classed(seed, "D", a1, "D"), _classed(seed, "A", a1, "A")
    session.flush()
    assert [_class_of(session, x) for x in (r, d, a)] == ["R", "D", "A"]


# --- visit_d ----------------------------------------------------------------------------------------------------


@pytest.fixture()
def visit_world(session, seed, people):
    a1, b1 = people["a1"], people["b1"]
    accounts = {code: _classed(seed, code, a1, "D") for code in ("D-30", "D-31", "D-NONE", "D-PLAN", "D-OTHER")}
    accounts["D-TODAY"] = _classed(seed, "D-TODAY", a1, "D")
    seed.visit(a1, accounts["D-30"], date(2026, 11, 2))  # exactly 30 days ago: still inside
    seed.visit(a1, accounts["D-31"], date(2026, 11, 1))  # 31 days ago: outside
    seed.visit(a1, accounts["D-31"], date(2026, 12, 1), status="planned")
    seed.visit(a1, accounts["D-PLAN"], date(2026, 12, 1), status="planned")  # planned yesterday, never done
    seed.visit(b1, accounts["D-OTHER"], date(2026, 11, 20))  # another team's rep did visit
    seed.visit(a1, accounts["D-TODAY"], TODAY, kind="call")
    _classed(seed, "R-NONE", a1, "R")  # R, A: never a visit_d
    _classed(seed, "A-NONE", a1, "A")
    _classed(seed, "R-OVR-D", a1, "R", rad_override="D")  # the override wins: D
    _classed(seed, "D-OVR-R", a1, "D", rad_override="R")  # ... and here R
    seed.account("D-OVR-NOBP", a1, rad_override="D")  # manual D without any BP row
    _classed(seed, "D-2025", a1, "D", year=2025)  # D last year, nothing known this year
    _classed(seed, "D-B1", b1, "D")
    session.flush()
    return accounts


def test_act010_visit_d_thresholds(session, people, visit_world):
    assert _keys(session, EVERYTHING, "visit_d") == {
        ("visit_d", "A1", "D-31"),
        ("visit_d", "A1", "D-NONE"),
        ("visit_d", "A1", "D-PLAN"),
        ("visit_d", "A1", "R-OVR-D"),
        ("visit_d", "A1", "D-OVR-NOBP"),
        ("visit_d", "B1", "D-B1"),
    }


def test_act011_visit_d_day_is_the_last_done_visit_and_never_visited_come_first(session, people, visit_world):
    rows = _records(session, Scope.rep(people["a1"].id), "visit_d")
    assert [(r["account_code"], r["day"]) for r in rows] == [
        ("D-NONE", None),
        ("D-OVR-NOBP", None),
        ("D-PLAN", None),
        ("R-OVR-D", None),
        ("D-31", date(2026, 11, 1)),
    ]
    assert {r["rep_name"] for r in rows} == {"A1"}
    assert {r["team_id"] for r in rows} == {people["east"].id}


def test_act012_visit_d_a_done_visit_takes_it_off(session, seed, people, visit_world):
    seed.visit(people["a2"], visit_world["D-31"], date(2026, 11, 2))  # anyone's done visit, 30 days ago
    seed.visit(people["a1"], visit_world["D-NONE"], TODAY)
    session.flush()
    assert _keys(session, Scope.rep(people["a1"].id), "visit_d") == {
        ("visit_d", "A1", "D-PLAN"),
        ("visit_d", "A1", "R-OVR-D"),
        ("visit_d", "A1", "D-OVR-NOBP"),
    }


# --- learn_bp ---------------------------------------------------------------------------------------------------


def test_act020_learn_bp_is_this_years_bp_row(session, seed, people):
    a1, b1 = people["a1"], people["b1"]
    bp2025, bp2026, none = seed.account("BP-2025", a1), seed.account("BP-2026", a1), seed.account("BP-NONE", a1)
    bp2027, zero, both = seed.account("BP-2027", a1), seed.account("BP-ZERO", a1), seed.account("BP-BOTH", a1)
    other = seed.account("BP-B1", b1)
    seed.bp(bp2025, 2025, 500_000)
    seed.bp(bp2026, 2026, 500_000)
    seed.bp(bp2027, 2027, 500_000)
    seed.bp(zero, 2026, 0)  # a row, even of 0, is a BP learned
    seed.bp(both, 2025, 300_000)
    seed.bp(both, 2026, 400_000)
    seed.bp(other, 2024, 100_000)
    _booked(seed, none, 10_000, 2026)  # bookings this year are no BP
    session.flush()
    assert _keys(session, EVERYTHING, "learn_bp") == {
        ("learn_bp", "A1", "BP-2025"),
        ("learn_bp", "A1", "BP-NONE"),
        ("learn_bp", "A1", "BP-2027"),
        ("learn_bp", "B1", "BP-B1"),
    }
    rows = {r["account_code"]: r["n"] for r in _records(session, EVERYTHING, "learn_bp")}
    assert rows == {"BP-2025": 2025, "BP-NONE": None, "BP-2027": 2027, "BP-B1": 2024}
    seed.bp(bp2025, 2026, 450_000)  # learned by phone
    session.flush()
    assert _keys(session, Scope.rep(a1.id), "learn_bp") == {
        ("learn_bp", "A1", "BP-NONE"),
        ("learn_bp", "A1", "BP-2027"),
    }


# --- exec_touch_r -----------------------------------------------------------------------------------------------


@pytest.fixture()
def r_world(session, seed, people):
    a1, b1 = people["a1"], people["b1"]
    codes = (
        "R-Q1ST",
        "R-BEFORE",
        "R-DINNER",
        "R-VIPVISIT",
        "R-PLANNED",
        "R-EVENT",
        "R-ROUND",
        "R-INVITED",
        "R-SEMINAR",
        "R-EVOLD",
        "R-OTHERREP",
        "R-NONE",
    )
    acc = {code: _classed(seed, code, a1, "R") for code in codes}
    seed.visit(a1, acc["R-Q1ST"], date(2026, 10, 1), kind="exec_visit")  # the quarter's first day
    seed.visit(a1, acc["R-BEFORE"], date(2026, 9, 30), kind="exec_visit")  # the day before the quarter
    seed.visit(a1, acc["R-DINNER"], date(2026, 11, 15), kind="dinner")  # not an executive kind
    seed.visit(a1, acc["R-VIPVISIT"], date(2026, 11, 15), kind="vip_event")
    seed.visit(a1, acc["R-PLANNED"], date(2026, 11, 15), status="planned", kind="exec_visit")
    seed.visit(b1, acc["R-OTHERREP"], date(2026, 11, 3), kind="exec_visit")  # anyone's done visit
    _event(session, "EV-VIP", "vip_event", date(2026, 11, 10), a1, (acc["R-EVENT"], True), (acc["R-INVITED"], False))
    _event(session, "EV-RT", "exec_roundtable", date(2026, 10, 20), a1, (acc["R-ROUND"], True))
    _event(session, "EV-SEM", "seminar", date(2026, 11, 10), a1, (acc["R-SEMINAR"], True))
    _event(session, "EV-OLD", "vip_event", date(2026, 9, 30), a1, (acc["R-EVOLD"], True))
    d = _classed(seed, "D-NONE", a1, "D")  # not R: never an exec_touch_r
    seed.visit(a1, d, date(2026, 6, 1), kind="dinner")
    _classed(seed, "D-OVR-R", a1, "D", rad_override="R")  # manual R
    _classed(seed, "R-2025", a1, "R", year=2025)  # R last year only
    _classed(seed, "R-B1", b1, "R")
    session.flush()
    return acc


def test_act030_exec_touch_r_thresholds(session, people, r_world):
    assert _keys(session, EVERYTHING, "exec_touch_r") == {
        ("exec_touch_r", "A1", "R-BEFORE"),
        ("exec_touch_r", "A1", "R-DINNER"),
        ("exec_touch_r", "A1", "R-PLANNED"),
        ("exec_touch_r", "A1", "R-INVITED"),
        ("exec_touch_r", "A1", "R-SEMINAR"),
        ("exec_touch_r", "A1", "R-EVOLD"),
        ("exec_touch_r", "A1", "R-NONE"),
        ("exec_touch_r", "A1", "D-OVR-R"),
        ("exec_touch_r", "B1", "R-B1"),
    }


def test_act031_exec_touch_r_the_same_lines_in_a_reps_scope(session, people, r_world):
    assert _keys(session, Scope.rep(people["a1"].id), "exec_touch_r") == {
        ("exec_touch_r", "A1", "R-BEFORE"),
        ("exec_touch_r", "A1", "R-DINNER"),
        ("exec_touch_r", "A1", "R-PLANNED"),
        ("exec_touch_r", "A1", "R-INVITED"),
        ("exec_touch_r", "A1", "R-SEMINAR"),
        ("exec_touch_r", "A1", "R-EVOLD"),
        ("exec_touch_r", "A1", "R-NONE"),
        ("exec_touch_r", "A1", "D-OVR-R"),
    }


def test_act032_exec_touch_r_an_event_or_an_exec_visit_takes_it_off(session, seed, people, r_world):
    a1 = people["a1"]
    seed.visit(a1, r_world["R-BEFORE"], date(2026, 12, 1), kind="exec_visit")
    _event(session, "EV-DEC", "exec_roundtable", date(2026, 12, 1), a1, (r_world["R-DINNER"], True))
    session.flush()
    assert _keys(session, Scope.team(people["east"].id), "exec_touch_r") == {
        ("exec_touch_r", "A1", "R-PLANNED"),
        ("exec_touch_r", "A1", "R-INVITED"),
        ("exec_touch_r", "A1", "R-SEMINAR"),
        ("exec_touch_r", "A1", "R-EVOLD"),
        ("exec_touch_r", "A1", "R-NONE"),
        ("exec_touch_r", "A1", "D-OVR-R"),
    }


# --- director_top10_d -------------------------------------------------------------------------------------------


@pytest.fixture()
def top_world(session, seed, people):
    """Twelve D accounts TD01..TD12 (BP k x 100,000, bookings 30% of it: white space k x 70,000), odd ones A1's,
    even ones B1's: TD12 is #1, TD03 #10, TD02 the 11th, TD01 the 12th. Bigger white spaces that are not D."""
    a1, b1 = people["a1"], people["b1"]
    acc = {}
    for k in range(1, 13):
        code = f"TD{k:02d}"
        acc[code] = seed.account(code, a1 if k % 2 else b1)
        seed.bp(acc[code], 2026, k * 100_000)
        _booked(seed, acc[code], k * 30_000, 2026)
    r = _classed(seed, "TOP-R", a1, "R")  # R, white space 40,000
    seed.bp(r, 2027, 1)  # another year's BP changes nothing
    big_r = seed.account("BIG-R", a1)
    seed.bp(big_r, 2026, 10_000_000)
    _booked(seed, big_r, 6_000_000, 2026)  # R, white space 4,000,000
    big_a = seed.account("BIG-A", b1)
    seed.bp(big_a, 2026, 9_000_000)  # A, white space 9,000,000
    manual_r = seed.account("BIG-D-OVR-R", a1, rad_override="R")
    seed.bp(manual_r, 2026, 8_000_000)
    _booked(seed, manual_r, 2_400_000, 2026)  # D by SOW, R by hand
    old_d = seed.account("OLD-D", a1)
    seed.bp(old_d, 2025, 5_000_000)
    _booked(seed, old_d, 1_500_000, 2025)  # D last year, no BP this year
    session.flush()
    assert {_class_of(session, acc[c]) for c in acc} == {"D"}
    return acc


TOP10 = {
    ("director_top10_d", "B1", "TD12"),
    ("director_top10_d", "A1", "TD11"),
    ("director_top10_d", "B1", "TD10"),
    ("director_top10_d", "A1", "TD09"),
    ("director_top10_d", "B1", "TD08"),
    ("director_top10_d", "A1", "TD07"),
    ("director_top10_d", "B1", "TD06"),
    ("director_top10_d", "A1", "TD05"),
    ("director_top10_d", "B1", "TD04"),
    ("director_top10_d", "A1", "TD03"),
}


def test_act040_top10_d_by_white_space(session, people, top_world):
    assert _keys(session, EVERYTHING, "director_top10_d") == TOP10
    rows = _records(session, EVERYTHING, "director_top10_d")
    assert [(r["account_code"], r["n"], float(r["amount"])) for r in rows] == [
        ("TD12", 1, 840_000.0),
        ("TD11", 2, 770_000.0),
        ("TD10", 3, 700_000.0),
        ("TD09", 4, 630_000.0),
        ("TD08", 5, 560_000.0),
        ("TD07", 6, 490_000.0),
        ("TD06", 7, 420_000.0),
        ("TD05", 8, 350_000.0),
        ("TD04", 9, 280_000.0),
        ("TD03", 10, 210_000.0),
    ]


def test_act041_top10_d_a_directors_done_visit_this_quarter_takes_one_off_and_the_11th_stays_out(
    session, seed, people, top_world
):
    director, a1, me = people["dir"], people["a1"], people["me"]
    seed.visit(director, top_world["TD12"], date(2026, 10, 1))  # the quarter's first day: off
    seed.visit(director, top_world["TD07"], TODAY, kind="dinner")  # any kind of done visit: off
    seed.visit(director, top_world["TD11"], date(2026, 9, 30))  # last quarter: stays
    seed.visit(director, top_world["TD10"], date(2026, 11, 20), status="planned")  # planned: stays
    seed.visit(a1, top_world["TD09"], date(2026, 11, 20), kind="exec_visit")  # a rep's: stays
    seed.visit(me, top_world["TD08"], date(2026, 11, 20))  # a manager's: stays
    session.flush()
    assert _keys(session, EVERYTHING, "director_top10_d") == TOP10 - {
        ("director_top10_d", "B1", "TD12"),
        ("director_top10_d", "A1", "TD07"),
    }
    # the ranks are the company's, before the visits
    rows = _records(session, EVERYTHING, "director_top10_d")
    assert [(r["account_code"], r["n"]) for r in rows] == [
        ("TD11", 2),
        ("TD10", 3),
        ("TD09", 4),
        ("TD08", 5),
        ("TD06", 7),
        ("TD05", 8),
        ("TD04", 9),
        ("TD03", 10),
    ]


def test_act042_top10_d_is_the_companys_top_in_any_scope(session, people, top_world):
    """A rep sees their own accounts of the company's TOP 10, with the company's ranks: not a TOP 10 of their own
    (TD01, A1's fifth-biggest D, is not on it)."""
    rows = _records(session, Scope.rep(people["a1"].id), "director_top10_d")
    assert [(r["kind"], r["rep_code"], r["account_code"], r["n"]) for r in rows] == [
        ("director_top10_d", "A1", "TD11", 2),
        ("director_top10_d", "A1", "TD09", 4),
        ("director_top10_d", "A1", "TD07", 6),
        ("director_top10_d", "A1", "TD05", 8),
        ("director_top10_d", "A1", "TD03", 10),
    ]
    assert _keys(session, Scope.team(people["west"].id), "director_top10_d") == {
        ("director_top10_d", "B1", "TD12"),
        ("director_top10_d", "B1", "TD10"),
        ("director_top10_d", "B1", "TD08"),
        ("director_top10_d", "B1", "TD06"),
        ("director_top10_d", "B1", "TD04"),
    }


def test_act043_top10_d_more_bookings_move_an_account_down_and_another_in(session, seed, people, top_world):
    """TD12 books 600,000 more (SOW 80%: R now): it leaves the D accounts and TD02 becomes #10."""
    opp = seed.opp(top_world["TD12"], 600_000, 5, "won", closed=date(2026, 6, 1), code="TD12-MORE")
    seed.contract(opp, 600_000, date(2026, 6, 1))
    session.flush()
    assert _class_of(session, top_world["TD12"]) == "R"
    assert _keys(session, EVERYTHING, "director_top10_d") == (TOP10 - {("director_top10_d", "B1", "TD12")}) | {
        ("director_top10_d", "B1", "TD02")
    }


# --- stalled_deal -----------------------------------------------------------------------------------------------


@pytest.fixture()
def deal_world(session, seed, people):
    a1, b1 = people["a1"], people["b1"]
    acc = _classed(seed, "ACC-DEALS", a1, "A")
    deals = {}
    for code, last in (("S-30", date(2026, 11, 2)), ("S-31", date(2026, 11, 1)), ("S-TODAY", TODAY)):
        deals[code] = seed.opp(acc, 100_000, 1, created=date(2026, 9, 1), code=code)
        session.flush()
        _stage(session, deals[code], 2, last)
    deals["S-OLD"] = seed.opp(acc, 50_000, 3, created=date(2026, 6, 1), code="S-OLD")  # its only entry
    deals["S-SAMEDAY"] = seed.opp(acc, 70_000, 1, created=date(2026, 10, 1), code="S-SAMEDAY")
    session.flush()
    _stage(session, deals["S-SAMEDAY"], 2, date(2026, 10, 1))  # two levels the same old day
    deals["S-WON"] = seed.opp(acc, 80_000, 5, "won", created=date(2026, 6, 1), closed=date(2026, 7, 1), code="S-WON")
    deals["S-LOST"] = seed.opp(acc, 80_000, 2, "lost", created=date(2026, 6, 1), closed=date(2026, 7, 1), code="S-LOST")
    deals["S-B1"] = seed.opp(acc, 90_000, 2, created=date(2026, 9, 1), owner=b1, code="S-B1")  # A1's account
    session.flush()
    return deals


def test_act050_stalled_deal_thresholds(session, people, deal_world):
    assert _keys(session, EVERYTHING, "stalled_deal") == {
        ("stalled_deal", "A1", "S-31"),
        ("stalled_deal", "A1", "S-OLD"),
        ("stalled_deal", "A1", "S-SAMEDAY"),
        ("stalled_deal", "B1", "S-B1"),
    }
    rows = {
        r["opp_code"]: (r["day"], r["n"], float(r["amount"])) for r in _records(session, EVERYTHING, "stalled_deal")
    }
    assert rows == {
        "S-31": (date(2026, 11, 1), 2, 100_000.0),
        "S-OLD": (date(2026, 6, 1), 3, 50_000.0),
        "S-SAMEDAY": (date(2026, 10, 1), 2, 70_000.0),
        "S-B1": (date(2026, 9, 1), 2, 90_000.0),
    }


def test_act051_stalled_deal_is_in_the_deal_owners_scope(session, people, deal_world):
    assert _keys(session, Scope.rep(people["a1"].id), "stalled_deal") == {
        ("stalled_deal", "A1", "S-31"),
        ("stalled_deal", "A1", "S-OLD"),
        ("stalled_deal", "A1", "S-SAMEDAY"),
    }
    assert _keys(session, Scope.team(people["west"].id), "stalled_deal") == {("stalled_deal", "B1", "S-B1")}
    rows = _records(session, Scope.rep(people["b1"].id), "stalled_deal")
    assert [(r["rep_code"], r["account_code"], r["opp_code"]) for r in rows] == [("B1", "ACC-DEALS", "S-B1")]


def test_act052_stalled_deal_a_stage_entry_or_a_close_takes_it_off(session, people, deal_world):
    _stage(session, deal_world["S-31"], 3, date(2026, 11, 30))
    deal_world["S-OLD"].status = "lost"
    deal_world["S-OLD"].closed_date = date(2026, 12, 1)
    session.flush()
    assert _keys(session, EVERYTHING, "stalled_deal") == {
        ("stalled_deal", "A1", "S-SAMEDAY"),
        ("stalled_deal", "B1", "S-B1"),
    }


# --- collect_overdue --------------------------------------------------------------------------------------------


@pytest.fixture()
def cash_world(session, seed, people):
    a1, b1 = people["a1"], people["b1"]
    acc = _classed(seed, "ACC-CASH", a1, "A")

    def won(code: str, owner: Rep | None = None) -> Opportunity:
        return seed.opp(
            acc, 200_000, 5, "won", created=date(2025, 3, 1), closed=date(2025, 6, 1), owner=owner, code=code
        )

    two = seed.contract(won("OD-TWO"), 200_000, date(2025, 6, 1))
    seed.payment(two, "advance", date(2026, 10, 1), 100_000)  # unpaid
    seed.payment(two, "progress", date(2026, 11, 15), 50_000, paid=20_000, paid_date=date(2026, 11, 20))
    seed.payment(two, "acceptance", date(2027, 1, 31), 40_000)  # not due yet
    seed.payment(two, "retention", date(2026, 9, 1), 10_000, paid=10_000, paid_date=date(2026, 9, 1))
    today = seed.contract(won("OD-TODAY"), 10_000, date(2025, 6, 1))
    seed.payment(today, "advance", TODAY, 10_000)  # due today: not overdue yet
    paid = seed.contract(won("OD-PAID"), 10_000, date(2025, 6, 1))
    seed.payment(paid, "advance", date(2026, 11, 1), 10_000, paid=10_000, paid_date=date(2026, 11, 5))
    over = seed.contract(won("OD-OVERPAID"), 10_000, date(2025, 6, 1))
    seed.payment(over, "advance", date(2026, 11, 1), 10_000, paid=12_000, paid_date=date(2026, 11, 5))
    yest = seed.contract(won("OD-YEST"), 5_000, date(2025, 6, 1))
    seed.payment(yest, "advance", date(2026, 12, 1), 5_000, paid=0)  # due yesterday, 0 paid
    twice = won("OD-2C")
    c1, c2 = seed.contract(twice, 30_000, date(2025, 6, 1)), seed.contract(twice, 20_000, date(2025, 7, 1))
    seed.payment(c1, "advance", date(2026, 8, 1), 30_000)
    seed.payment(c2, "advance", date(2026, 9, 1), 20_000, paid=5_000, paid_date=date(2026, 9, 2))
    b1s = seed.contract(won("OD-B1", owner=b1), 8_000, date(2025, 6, 1))  # A1's account, B1's deal
    seed.payment(b1s, "retention", date(2026, 7, 1), 8_000)
    session.flush()
    return {"two": two}


def test_act060_collect_overdue_thresholds(session, people, cash_world):
    assert _keys(session, EVERYTHING, "collect_overdue") == {
        ("collect_overdue", "A1", "OD-TWO"),
        ("collect_overdue", "A1", "OD-YEST"),
        ("collect_overdue", "A1", "OD-2C"),
        ("collect_overdue", "B1", "OD-B1"),
    }
    rows = _records(session, EVERYTHING, "collect_overdue")
    # one line per contract (OD-2C's two contracts are two lines), the biggest sum owed first
    assert [(r["rep_code"], r["account_code"], r["opp_code"], r["day"], float(r["amount"]), r["n"]) for r in rows] == [
        ("A1", "ACC-CASH", "OD-TWO", date(2026, 10, 1), 130_000.0, 2),
        ("A1", "ACC-CASH", "OD-2C", date(2026, 8, 1), 30_000.0, 1),
        ("A1", "ACC-CASH", "OD-2C", date(2026, 9, 1), 15_000.0, 1),
        ("B1", "ACC-CASH", "OD-B1", date(2026, 7, 1), 8_000.0, 1),
        ("A1", "ACC-CASH", "OD-YEST", date(2026, 12, 1), 5_000.0, 1),
    ]


def test_act061_collect_overdue_is_in_the_deal_owners_scope(session, people, cash_world):
    assert _keys(session, Scope.rep(people["a1"].id), "collect_overdue") == {
        ("collect_overdue", "A1", "OD-TWO"),
        ("collect_overdue", "A1", "OD-YEST"),
        ("collect_overdue", "A1", "OD-2C"),
    }
    assert _keys(session, Scope.team(people["west"].id), "collect_overdue") == {("collect_overdue", "B1", "OD-B1")}


def test_act062_collect_overdue_goes_when_paid(session, people, cash_world):
    first = session.scalar(
        select(Payment).where(Payment.contract_id == cash_world["two"].id, Payment.milestone == "advance")
    )
    first.paid_amount, first.paid_date = first.amount, TODAY
    session.flush()
    rows = [r for r in _records(session, EVERYTHING, "collect_overdue") if r["opp_code"] == "OD-TWO"]
    assert [(float(r["amount"]), r["n"], r["day"]) for r in rows] == [(30_000.0, 1, date(2026, 11, 15))]
    second = session.scalar(
        select(Payment).where(Payment.contract_id == cash_world["two"].id, Payment.milestone == "progress")
    )
    second.paid_amount = second.amount
    session.flush()
    assert ("collect_overdue", "A1", "OD-TWO") not in _keys(session, EVERYTHING, "collect_overdue")


# --- plan_next_week ---------------------------------------------------------------------------------------------


def test_act070_plan_next_week_thresholds(session, seed, people):
    a1, a2, b1, me, director = people["a1"], people["a2"], people["b1"], people["me"], people["dir"]
    a3, a4, a5 = seed.rep("A3", people["east"]), seed.rep("A4", people["east"]), seed.rep("A5", people["east"])
    a6 = seed.rep("A6", people["west"])
    acc = seed.account("ACC-P", a1)
    seed.visit(a1, acc, date(2026, 12, 13), status="planned")  # next week's Sunday
    seed.visit(a2, acc, date(2026, 12, 14), status="planned")  # the week after
    seed.visit(a3, acc, date(2026, 12, 7), status="planned")  # next week's Monday
    seed.visit(a4, acc, date(2026, 12, 6), status="planned")  # this week's Sunday
    seed.visit(a5, acc, TODAY, status="done")
    seed.visit(a6, acc, date(2026, 12, 8), status="done")  # next week, but not a plan
    seed.visit(b1, acc, date(2026, 11, 30), status="planned")
    seed.visit(me, acc, date(2026, 12, 1))  # the manager and the director plan nothing: never listed
    session.flush()
    assert _keys(session, EVERYTHING, "plan_next_week") == {
        ("plan_next_week", "A2", None),
        ("plan_next_week", "A4", None),
        ("plan_next_week", "A5", None),
        ("plan_next_week", "A6", None),
        ("plan_next_week", "B1", None),
    }
    rows = _records(session, EVERYTHING, "plan_next_week")
    assert {(r["rep_code"], r["day"], r["account_code"], r["opp_code"]) for r in rows} == {
        ("A2", date(2026, 12, 7), None, None),
        ("A4", date(2026, 12, 7), None, None),
        ("A5", date(2026, 12, 7), None, None),
        ("A6", date(2026, 12, 7), None, None),
        ("B1", date(2026, 12, 7), None, None),
    }
    assert {"ME", "DIR", "A1", "A3"}.isdisjoint({r["rep_code"] for r in rows})
    assert _keys(session, Scope.rep(director.id), "plan_next_week") == set()
    assert _keys(session, Scope.rep(a2.id), "plan_next_week") == {("plan_next_week", "A2", None)}
    assert _keys(session, Scope.rep(me.id), "plan_next_week") == set()
    assert _keys(session, Scope.team(people["west"].id), "plan_next_week") == {
        ("plan_next_week", "B1", None),
        ("plan_next_week", "A6", None),
    }
    seed.visit(a2, acc, date(2026, 12, 9), status="planned")
    session.flush()
    assert ("plan_next_week", "A2", None) not in _keys(session, EVERYTHING, "plan_next_week")


# --- scope and counts: two teams, every kind ---------------------------------------------------------------------


@pytest.fixture()
def two_teams(session, seed, people):
    """A1 (East) and B1 (West) each have one action of every kind; A2 (East) only plan_next_week."""
    made = {}
    for rep, tag, bp in ((people["a1"], "A", 1_000_000), (people["b1"], "B", 900_000)):
        d = seed.account(f"{tag}-D", rep)
        seed.bp(d, 2026, bp)
        _booked(seed, d, bp * 0.3, 2026)  # D, white space 700,000 (#1) and 630,000 (#2), never visited
        r = _classed(seed, f"{tag}-R", rep, "R")
        nobp = seed.account(f"{tag}-NOBP", rep)
        deals = _classed(seed, f"{tag}-DEALS", rep, "A")
        stalled = seed.opp(deals, 40_000, 2, created=date(2026, 9, 1), code=f"{tag}-STALLED")
        sold = seed.opp(
            deals, 60_000, 5, "won", created=date(2025, 1, 5), closed=date(2025, 3, 1), code=f"{tag}-OVERDUE"
        )
        contract = seed.contract(sold, 60_000, date(2025, 3, 1))
        pay = seed.payment(contract, "acceptance", date(2026, 11, 1), 60_000)
        made[tag] = {"d": d, "r": r, "nobp": nobp, "stalled": stalled, "pay": pay, "rep": rep}
    session.flush()
    return made


A1_ACTIONS: dict[str, set[tuple[str, str, str | None]]] = {
    "director_top10_d": {("director_top10_d", "A1", "A-D")},
    "exec_touch_r": {("exec_touch_r", "A1", "A-R")},
    "visit_d": {("visit_d", "A1", "A-D")},
    "learn_bp": {("learn_bp", "A1", "A-NOBP")},
    "stalled_deal": {("stalled_deal", "A1", "A-STALLED")},
    "collect_overdue": {("collect_overdue", "A1", "A-OVERDUE")},
    "plan_next_week": {("plan_next_week", "A1", None)},
}
B1_ACTIONS: dict[str, set[tuple[str, str, str | None]]] = {
    "director_top10_d": {("director_top10_d", "B1", "B-D")},
    "exec_touch_r": {("exec_touch_r", "B1", "B-R")},
    "visit_d": {("visit_d", "B1", "B-D")},
    "learn_bp": {("learn_bp", "B1", "B-NOBP")},
    "stalled_deal": {("stalled_deal", "B1", "B-STALLED")},
    "collect_overdue": {("collect_overdue", "B1", "B-OVERDUE")},
    "plan_next_week": {("plan_next_week", "B1", None)},
}


@pytest.mark.parametrize("kind", KINDS)
def test_act080_scope_of_a_rep_and_of_a_team(session, people, two_teams, kind):
    a1, east, west = people["a1"], people["east"], people["west"]
    a2_plan = {("plan_next_week", "A2", None)} if kind == "plan_next_week" else set()
    assert _keys(session, EVERYTHING, kind) == A1_ACTIONS[kind] | B1_ACTIONS[kind] | a2_plan
    assert _keys(session, Scope.rep(a1.id), kind) == A1_ACTIONS[kind]
    assert _keys(session, Scope.team(east.id), kind) == A1_ACTIONS[kind] | a2_plan
    assert _keys(session, Scope.team(west.id), kind) == B1_ACTIONS[kind]
    assert _keys(session, Scope.team(east.id).narrow(rep_id=people["b1"].id), kind) == set()
    assert _keys(session, Scope.nothing(), kind) == set()
    for scope in (Scope.rep(a1.id), Scope.team(east.id)):
        rows = _records(session, scope, kind)
        assert {r["team_id"] for r in rows} == {east.id}
        assert "B1" not in {r["rep_code"] for r in rows}


@pytest.mark.parametrize("kind", KINDS)
def test_act081_counts_per_team_and_per_rep_match_the_lines(session, people, two_teams, kind):
    east, west, a1, a2, b1 = people["east"], people["west"], people["a1"], people["a2"], people["b1"]
    plans = kind == "plan_next_week"
    everyone = action_counts(session, EVERYTHING, W, kind, by="team")
    assert everyone == {east.id: 2 if plans else 1, west.id: 1}
    assert sum(everyone.values()) == len(action_rows(session, EVERYTHING, W, kind))
    by_rep = action_counts(session, EVERYTHING, W, kind, by="rep")
    assert by_rep == ({a1.id: 1, a2.id: 1, b1.id: 1} if plans else {a1.id: 1, b1.id: 1})
    for scope in (Scope.rep(a1.id), Scope.team(east.id), Scope.team(west.id)):
        counts = action_counts(session, scope, W, kind)
        assert sum(counts.values()) == len(action_rows(session, scope, W, kind))
    assert action_counts(session, Scope.team(west.id), W, kind) == {west.id: 1}
    assert action_counts(session, Scope.rep(a1.id), W, kind, by="rep") == {a1.id: 1}


def test_act082_limit_keeps_the_first_lines(session, people, two_teams):
    assert len(action_rows(session, EVERYTHING, W, "plan_next_week", limit=2)) == 2
    rows = action_rows(session, EVERYTHING, W, "director_top10_d", limit=1).to_dict("records")
    assert [(r["account_code"], r["n"]) for r in rows] == [("A-D", 1)]


# --- done actions disappear --------------------------------------------------------------------------------------


def test_act090_done_actions_disappear_when_the_data_says_so(session, seed, people, two_teams):
    a = two_teams["A"]
    a1, director = people["a1"], people["dir"]
    mine = Scope.rep(a1.id)

    def a1_keys(kind: str) -> set:
        return _keys(session, mine, kind)

    assert {kind: a1_keys(kind) for kind in KINDS} == A1_ACTIONS

    seed.visit(a1, a["d"], TODAY)  # a D account visited: visit_d done, the director's visit still due
    session.flush()
    assert a1_keys("visit_d") == set()
    assert a1_keys("director_top10_d") == {("director_top10_d", "A1", "A-D")}

    seed.visit(director, a["d"], TODAY)
    seed.bp(a["nobp"], 2026, 250_000)
    seed.visit(a1, a["r"], date(2026, 11, 30), kind="exec_visit")
    _stage(session, a["stalled"], 3, date(2026, 11, 30))
    a["pay"].paid_amount, a["pay"].paid_date = 60_000, date(2026, 12, 1)
    seed.visit(a1, a["d"], date(2026, 12, 8), status="planned")
    session.flush()
    assert {kind: a1_keys(kind) for kind in KINDS} == {kind: set() for kind in KINDS}
    # B1's are all still there
    assert {kind: _keys(session, Scope.rep(people["b1"].id), kind) for kind in KINDS} == B1_ACTIONS


# --- the loaders -------------------------------------------------------------------------------------------------


def _viewer(role: str, rep: Rep | None = None, team: Team | None = None) -> Viewer:
    return Viewer(
        user_id=1,
        username=role,
        role=role,
        rep_id=rep.id if rep else None,
        rep_code=rep.rep_code if rep else None,
        team_id=team.id if team else (rep.team_id if rep else None),
    )


def test_act100_action_list_counts_every_kind_and_lists_them_in_order(session, people, two_teams):
    listed = action_list(session, Scope.rep(people["a1"].id), TODAY)
    assert listed.totals == {kind: 1 for kind in KINDS}
    assert listed.total == 7
    assert [(x.kind, x.rep_code, x.opp_code or x.account_code) for x in listed.actions] == [
        ("director_top10_d", "A1", "A-D"),
        ("exec_touch_r", "A1", "A-R"),
        ("visit_d", "A1", "A-D"),
        ("learn_bp", "A1", "A-NOBP"),
        ("stalled_deal", "A1", "A-STALLED"),
        ("collect_overdue", "A1", "A-OVERDUE"),
        ("plan_next_week", "A1", None),
    ]
    team = action_list(session, Scope.team(people["east"].id), TODAY, ("plan_next_week", "learn_bp"))
    assert team.totals == {"plan_next_week": 2, "learn_bp": 1}
    assert [(x.kind, x.rep_code) for x in team.actions] == [
        ("plan_next_week", "A1"),
        ("plan_next_week", "A2"),
        ("learn_bp", "A1"),
    ]


def test_act101_api_answer_is_the_viewers_scope_and_a_foreign_rep_widens_nothing(session, people, two_teams):
    rep = _viewer("rep", people["a1"])
    answer = load_actions_api(session, rep, {}, TODAY)
    assert answer.as_of == TODAY and answer.problems == ()
    assert {(x.kind, x.rep_code, x.opp_code or x.account_code) for x in answer.actions} == set().union(
        *A1_ACTIONS.values()
    )
    forged = load_actions_api(session, rep, {"rep": "B1"}, TODAY)
    assert forged.problems
    assert {x.rep_code for x in forged.actions} == {"A1"}
    manager = _viewer("manager", people["me"])
    answer = load_actions_api(session, manager, {"rep": "A2"}, TODAY)
    assert answer.problems == ()
    assert [(x.kind, x.rep_code) for x in answer.actions] == [("plan_next_week", "A2")]
    director = load_actions_api(session, _viewer("director"), {}, TODAY)
    assert len(director.actions) == 15


def test_act102_actions_page_per_team_for_a_director_per_rep_for_a_manager(session, people, two_teams):
    east, west = people["east"], people["west"]
    data = load_actions(session, _viewer("director"), {}, TODAY)
    assert data.by == "team"
    assert {line.key: line.counts for line in data.lines} == {
        str(east.id): {kind: 2 if kind == "plan_next_week" else 1 for kind in KINDS},
        str(west.id): {kind: 1 for kind in KINDS},
    }
    assert data.own is not None
    assert [(x.kind, x.rep_code, x.account_code) for x in data.own.actions] == [
        ("director_top10_d", "A1", "A-D"),
        ("director_top10_d", "B1", "B-D"),
    ]
    data = load_actions(session, _viewer("manager", people["me"]), {}, TODAY)
    assert data.own is None
    assert {line.key: line.total for line in data.lines} == {"A1": 7, "A2": 1}
    assert {x.rep_code for x in data.listed.actions} == {"A1", "A2"}
    data = load_actions(session, _viewer("rep", people["b1"]), {"rep": "A1"}, TODAY)
    assert data.rep == ("B1", "B1")
    assert {x.rep_code for x in data.listed.actions} == {"B1"}
    assert data.listed.total == 7
