"""The staff loaders of ``metrics.views.staff`` called on a hand-built database, every expected row and field written
below from the world's literal rows (never from the loaders or the queries they call): "My week" (``_own``: this
week's rows and plan-done marks, next week's order, the counts, accounts, training hours and actions), the team's
week per rep and a director's per team (``_lines``), the record form's visit and choices, an event organiser's team
accounts, and the year's events with the per-kind table (``year_events``, ``by_kind``).

Teams are written South, North, East; reps S1 (South, written first: rep id 1), R2, R1, R3 (North), manager M1
(North), E1 (East), F1 (no team). Today is Wednesday 2026-12-02, in 2026-W49 (11-30 .. 12-06); W50 is 12-07 .. 12-13.

Accounts (NA1 written first: account id 1): R1 owns NA1 "North One" (BP 2026, nothing booked: class A), NA2 "North
Two" (no BP ever), NA3 "North Three" (a BP of 2025 only); R2 owns NB1 "North B" (no row), AA1..AA6 "Alpha 1".."Alpha
6" (class A in 2026), NR1, NR2 "Ref 1", "Ref 2" (class R in 2026: 60 of a BP of 100 booked); R3 owns NC1 "North C";
S1 SA1 "South One"; E1 EA1 "East One"; F1 FA1 "Free One".

Visits (R1's planned Monday written first: visit id 1). R1 in W49: planned NA1 Mon, NA2 Tue, NA1 Sun; done NA3 Thu
(purpose only), NA1 Sun (complete): planned 3, plan done 2 (the NA1 plans), unplanned 1 (NA3), records 2, complete 1.
R1 in W50: planned NA2 Mon (no position), done NA2 Mon, planned NA1 Tue (position 61), NA3 Wed (position 1,000,000);
planned NA1 on W51's Monday. R2 in W49: planned NB1 Tue, done NB1 Wed (complete); done NB1 on W50's Monday. R3, E1:
none. S1 (canaries at R1's accounts and days): planned NA1 Mon, SA1 Tue, done NA1 Sun (complete), planned NA1 W50's
Tue. F1: done FA1 Wed.

Events: E-OCT (R1, seminar, 2025-10-03, the 90th day before 2026: NA1), E-JAN (R1, seminar, 2026-01-01: NA1),
E-SEM2 (R2, seminar, 03-03: NB1), E-DIN1 (R2, 6A+2R dinner, 05-01: AA1..AA6, NR1, NR2), E-DIN2 (R1, 6A+2R dinner,
06-01: NA1, NR1; NA2 invited, did not come), E-VIP (R1, vip_event, 09-01: NA2), E-DEC (R1, exec_roundtable,
12-31, nobody). Canaries: E-S (S1, 6A+2R dinner, 05-01, the same accounts as E-DIN1 and NA1), E-E (E1, seminar,
2026-01-01: NA1). Deals after them: OPP-J (won, NA1, 2026-01-01: E-OCT's, the earliest event claiming it), OPP-D
(won, AA1, 05-20: E-DIN1's), OPP-D2 (won, NA1, 06-15: E-DIN2's), OPP-DL (lost, NA1, 06-20: none), OPP-S9 (S1's,
AA1, 05-20: out of North's scope).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access.models import Account, Contact, Rep, Visit
from data_access.scope import Scope
from metrics.actions import Action
from metrics.staff import EventRow, EventSummary, RepTraining, RepWeek
from metrics.views import staff as view
from metrics.views.actions import ActionList
from tests.builders import Seed, add_event, attend, book, make_viewer

TODAY = date(2026, 12, 2)
W49 = "2026-W49"
MONDAY = date(2026, 11, 30)
NO_ACTIONS = dict.fromkeys(
    ("director_top10_d", "exec_touch_r", "visit_d", "learn_bp", "stalled_deal", "collect_overdue", "plan_next_week"),
    0,
)


@pytest.fixture()
def world(session: Session) -> dict[str, Any]:
    seed = Seed(session)
    south, north, east = seed.team("South", region="华南"), seed.team("North", region="华北"), seed.team("East")
    s1 = seed.rep("S1", south, name="South Rep")
    r2 = seed.rep("R2", north, name="North Rep Two")
    r1 = seed.rep("R1", north, name="North Rep One")
    r3 = seed.rep("R3", north, name="North Rep Three")
    m1 = seed.rep("M1", north, role="manager", name="North Manager")
    e1 = seed.rep("E1", east, name="East Rep")
    f1 = seed.rep("F1", None, name="Free Rep")
    acc = {
        code: seed.account(code, owner, name=name)
        for code, owner, name in [
            ("NA1", r1, "North One"),
            ("NA2", r1, "North Two"),
            ("NA3", r1, "North Three"),
            ("NB1", r2, "North B"),
            *[(f"AA{i}", r2, f"Alpha {i}") for i in range(1, 7)],
            ("NR1", r2, "Ref 1"),
            ("NR2", r2, "Ref 2"),
            ("NC1", r3, "North C"),
            ("SA1", s1, "South One"),
            ("EA1", e1, "East One"),
            ("FA1", f1, "Free One"),
        ]
    }
    book(seed, acc["NA1"], 2026, 1_000, None)
    book(seed, acc["NA3"], 2025, 500, None)
    for i in range(1, 7):
        book(seed, acc[f"AA{i}"], 2026, 1_000, None)
    book(seed, acc["NR1"], 2026, 100, 60)
    book(seed, acc["NR2"], 2026, 100, 60)
    seed.contact(acc["NA1"], "Bo Wang", "influencer")
    seed.contact(acc["NA1"], "Ann Li", "decision_maker")
    seed.contact(acc["SA1"], "Sam Zhao", "decision_maker")

    visits: dict[str, Visit] = {}

    def visit(key: str, rep: Rep, code: str, day: date, status: str, purpose=None, outcome=None, position=None):
        v = seed.visit(rep, acc[code], day, status)
        v.purpose, v.outcome, v.position = purpose, outcome, position
        session.flush()
        visits[key] = v

    visit("r1_mon", r1, "NA1", date(2026, 11, 30), "planned")
    visit("r1_tue", r1, "NA2", date(2026, 12, 1), "planned")
    visit("r1_thu", r1, "NA3", date(2026, 12, 3), "done", "报价")
    visit("r1_sun_plan", r1, "NA1", date(2026, 12, 6), "planned")
    visit("r1_sun_done", r1, "NA1", date(2026, 12, 6), "done", "需求", "确认")
    visit("r1_y", r1, "NA2", date(2026, 12, 7), "planned")
    visit("r1_next_done", r1, "NA2", date(2026, 12, 7), "done", "p", "o")
    visit("r1_x", r1, "NA1", date(2026, 12, 8), "planned", position=61)
    visit("r1_z", r1, "NA3", date(2026, 12, 9), "planned", position=1_000_000)
    visit("r1_w51", r1, "NA1", date(2026, 12, 14), "planned")
    visit("r2_tue", r2, "NB1", date(2026, 12, 1), "planned")
    visit("r2_wed", r2, "NB1", date(2026, 12, 2), "done", "q", "r")
    visit("r2_next", r2, "NB1", date(2026, 12, 7), "done", "q2", "r2")
    visit("s1_mon", s1, "NA1", date(2026, 11, 30), "planned")
    visit("s1_tue", s1, "SA1", date(2026, 12, 1), "planned")
    visit("s1_sun", s1, "NA1", date(2026, 12, 6), "done", "s", "t")
    visit("s1_next", s1, "NA1", date(2026, 12, 8), "planned", position=1)
    visit("f1_wed", f1, "FA1", date(2026, 12, 2), "done")

    recent = [(date(2026, 11, 25), 3)]  # a stage entered a week ago: no stalled deal
    opps = {}
    for code, account, status, created, amount, owner in [
        ("OPP-N1", "NA1", "open", date(2026, 11, 20), 1_000, r1),
        ("OPP-N2", "NA1", "open", date(2026, 11, 25), 2_000, r1),
        ("OPP-J", "NA1", "won", date(2026, 1, 1), 1_000, r1),
        ("OPP-D", "AA1", "won", date(2026, 5, 20), 5_000, r2),
        ("OPP-D2", "NA1", "won", date(2026, 6, 15), 700, r1),
        ("OPP-DL", "NA1", "lost", date(2026, 6, 20), 50, r1),
        ("OPP-S9", "AA1", "open", date(2026, 5, 20), 88_888, s1),
        ("OPP-S", "NA1", "open", date(2026, 11, 28), 9_999, s1),
    ]:
        opps[code] = seed.opp(
            acc[account],
            amount,
            3,
            status,
            created=created,
            owner=owner,
            code=code,
            name=f"{code} deal",
            stages=recent if status == "open" else None,
        )

    events = {}
    for code, organiser, kind, day, cost, attendees in [
        ("E-OCT", r1, "seminar", date(2025, 10, 3), 40, ["NA1"]),
        ("E-JAN", r1, "seminar", date(2026, 1, 1), 300, ["NA1"]),
        ("E-SEM2", r2, "seminar", date(2026, 3, 3), 150, ["NB1"]),
        ("E-DIN1", r2, "dinner_6a2r", date(2026, 5, 1), 8_000, [f"AA{i}" for i in range(1, 7)] + ["NR1", "NR2"]),
        ("E-DIN2", r1, "dinner_6a2r", date(2026, 6, 1), 2_000, ["NA1", "NR1"]),
        ("E-VIP", r1, "vip_event", date(2026, 9, 1), 500, ["NA2"]),
        ("E-DEC", r1, "exec_roundtable", date(2026, 12, 31), 0, []),
        ("E-S", s1, "dinner_6a2r", date(2026, 5, 1), 9_999, [f"AA{i}" for i in range(1, 7)] + ["NR1", "NR2", "NA1"]),
        ("E-E", e1, "seminar", date(2026, 1, 1), 77, ["NA1"]),
    ]:
        events[code] = add_event(session, code, organiser, kind, day, cost)
        for a in attendees:
            attend(session, events[code], acc[a])
    attend(session, events["E-DIN2"], acc["NA2"], attended=False)

    for rep, day, hours in [
        (r1, date(2026, 3, 1), 1.5),
        (r1, date(2026, 12, 31), 1.0),
        (r1, date(2025, 12, 31), 8),
        (r2, date(2026, 6, 1), 3),
        (m1, date(2026, 5, 5), 4),
        (s1, date(2026, 6, 1), 7),
    ]:
        seed.training(rep, day, hours)
    session.commit()
    return {
        "teams": {"south": south.id, "north": north.id, "east": east.id},
        "reps": {r.rep_code: r for r in (s1, r2, r1, r3, m1, e1, f1)},
        "acc": acc,
        "visits": visits,
        "events": {c: e.id for c, e in events.items()},
        "rep": make_viewer(1, "rep", r1),
        "manager": make_viewer(2, "manager", m1),
        "director": make_viewer(3, "director"),
    }


def _row(w: dict[str, Any], key: str, rep: str, code: str, day: date, status: str, **kw: Any) -> dict[str, Any]:
    """A visit as ``queries.visit_rows`` hands it over: the literal fields given, the rest of the seed's defaults."""
    r, a = w["reps"][rep], w["acc"][code]
    return {
        "id": w["visits"][key].id,
        "rep_id": r.id,
        "rep_code": rep,
        "rep_name": r.name,
        "account_id": a.id,
        "account_code": code,
        "account": a.name,
        "visit_date": day,
        "kind": "visit",
        "status": status,
        "contact_name": None,
        "purpose": kw.pop("purpose", None),
        "outcome": kw.pop("outcome", None),
        "next_step": None,
        "next_step_date": None,
        "opp_code": None,
        "position": kw.pop("position", None),
        "created_by": None,
        "created_at": None,
        "rad_class": kw.pop("rad", "none"),
        **kw,
    }


def _r1_own(w: dict[str, Any]) -> view.OwnWeek:
    """R1's W49 as "My week" shows it, from the literal rows of the module's docstring."""
    north, acc = w["teams"]["north"], w["acc"]
    this_week = [
        _row(w, "r1_mon", "R1", "NA1", date(2026, 11, 30), "planned", rad="A", plan_met=True),
        _row(w, "r1_tue", "R1", "NA2", date(2026, 12, 1), "planned", plan_met=False),
        _row(w, "r1_thu", "R1", "NA3", date(2026, 12, 3), "done", purpose="报价", plan_met=False),
        _row(w, "r1_sun_plan", "R1", "NA1", date(2026, 12, 6), "planned", rad="A", plan_met=True),
        _row(
            w,
            "r1_sun_done",
            "R1",
            "NA1",
            date(2026, 12, 6),
            "done",
            purpose="需求",
            outcome="确认",
            rad="A",
            plan_met=False,
        ),
    ]
    next_week = [  # position 61 first, then the unpositioned Monday before position 1,000,000's Wednesday (by day)
        _row(w, "r1_x", "R1", "NA1", date(2026, 12, 8), "planned", rad="A", position=61),
        _row(w, "r1_y", "R1", "NA2", date(2026, 12, 7), "planned"),
        _row(w, "r1_z", "R1", "NA3", date(2026, 12, 9), "planned", position=1_000_000),
    ]
    learn = [
        Action("learn_bp", "R1", "North Rep One", north, "NA2", "North Two"),
        Action("learn_bp", "R1", "North Rep One", north, "NA3", "North Three", n=2025),
    ]
    return view.OwnWeek(
        rep_id=w["reps"]["R1"].id,
        rep_code="R1",
        name="North Rep One",
        this_week=this_week,
        next_week=next_week,
        counts=RepWeek(planned=3, planned_done=2, unplanned=1, records=2, records_complete=1),
        accounts=[(acc[c].id, c, acc[c].name) for c in ("NA1", "NA3", "NA2")],  # by name: One, Three, Two
        training_hours=2.5,
        actions=ActionList(learn, NO_ACTIONS | {"learn_bp": 2}),
    )


def test_stl001_a_reps_own_week_is_every_row_and_count_of_their_week(session, world):
    got = view.load_week(session, world["rep"], {"week": W49}, TODAY)
    assert got == view.WeekData(MONDAY, TODAY, "rep", (), own=_r1_own(world), required_hours=40.0)


def test_stl002_a_managers_pick_of_a_rep_is_that_reps_week_alone(session, world):
    """The manager's scope holds R2's rows of the same days too; the chosen rep's week is R1's alone."""
    got = view.load_week(session, world["manager"], {"week": W49, "rep": "R1"}, TODAY)
    assert got == view.WeekData(MONDAY, TODAY, "manager", (), rep_code="R1", own=_r1_own(world), required_hours=40.0)


def test_stl003_a_rep_without_visits_or_training_has_an_empty_week(session, world):
    north, r3 = world["teams"]["north"], world["reps"]["R3"]
    got = view.load_week(session, world["manager"], {"week": W49, "rep": "R3"}, TODAY)
    actions = [
        Action("learn_bp", "R3", "North Rep Three", north, "NC1", "North C"),
        Action("plan_next_week", "R3", "North Rep Three", north, day=date(2026, 12, 7)),
    ]
    own = view.OwnWeek(
        rep_id=r3.id,
        rep_code="R3",
        name="North Rep Three",
        this_week=[],
        next_week=[],
        counts=RepWeek(),
        accounts=[(world["acc"]["NC1"].id, "NC1", "North C")],
        training_hours=0.0,
        actions=ActionList(actions, NO_ACTIONS | {"learn_bp": 1, "plan_next_week": 1}),
    )
    assert got == view.WeekData(MONDAY, TODAY, "manager", (), rep_code="R3", own=own, required_hours=40.0)


def test_stl004_a_managers_team_week_is_a_line_per_rep_fewest_plans_done_first(session, world):
    got = view.load_week(session, world["manager"], {"week": W49}, TODAY)
    r1_week = RepWeek(planned=3, planned_done=2, unplanned=1, records=2, records_complete=1)
    r2_week = RepWeek(planned=1, planned_done=1, unplanned=0, records=1, records_complete=1)
    assert got.lines == [  # plan done: R3 none (as 0), R1 2/3, R2 1/1; R2's W50 Monday is next week's
        view.Line("R3", "North Rep Three", "North", RepWeek()),
        view.Line("R1", "North Rep One", "North", r1_week),
        view.Line("R2", "North Rep Two", "North", r2_week),
    ]
    assert (got.monday, got.today, got.role, got.problems, got.team_id, got.rep_code) == (
        MONDAY,
        TODAY,
        "manager",
        (),
        None,
        None,
    )
    assert (got.listing, got.own, got.by, got.records, got.required_hours) == (None, None, "rep", [], 40.0)
    assert got.totals == RepWeek(planned=4, planned_done=3, unplanned=1, records=3, records_complete=2)
    r = world["reps"]
    assert got.training == [
        RepTraining(r["R3"].id, "R3", "North Rep Three", 0.0, 40.0),
        RepTraining(r["R1"].id, "R1", "North Rep One", 2.5, 40.0),
        RepTraining(r["R2"].id, "R2", "North Rep Two", 3.0, 40.0),
    ]
    assert got.by_class is not None
    by_class = got.by_class.sort_values("rad_class", ignore_index=True)
    expected = pd.DataFrame({"rad_class": ["A", "none"], "visits": [1, 2], "accounts": [1, 2]})  # NA1; NA3, NB1
    pd.testing.assert_frame_equal(by_class, expected, check_dtype=False)


def test_stl005_a_directors_week_is_a_line_per_team_fewest_plans_done_first(session, world):
    """E1 (East) has no visits: East's plan done is none (as 0); South's S1 planned 2, did 1; North 3 of 4. F1, of no
    team, is on no line (the teamless rep comes between E1 and the North reps in code order)."""
    got = view.load_week(session, world["director"], {"week": W49}, TODAY)
    t = world["teams"]
    south = RepWeek(planned=2, planned_done=1, unplanned=0, records=1, records_complete=1)
    north = RepWeek(planned=4, planned_done=3, unplanned=1, records=3, records_complete=2)
    assert got.lines == [
        view.Line(str(t["east"]), "East", "East", RepWeek()),
        view.Line(str(t["south"]), "South", "South", south),
        view.Line(str(t["north"]), "North", "North", north),
    ]
    assert (got.by, got.team_id, got.own) == ("team", None, None)
    assert got.totals == RepWeek(planned=6, planned_done=4, unplanned=1, records=4, records_complete=3)


def test_stl006_the_record_form_reads_one_visit_of_the_viewers_scope(session, world):
    first = world["visits"]["r1_mon"]
    assert first.id == 1  # the lowest id the address accepts
    expected = _row(world, "r1_mon", "R1", "NA1", date(2026, 11, 30), "planned", rad="A")  # NA1: class A in 2026
    assert view.load_visit(session, world["rep"], {"visit": "1"}, TODAY) == expected
    assert view.load_visit(session, world["manager"], {"visit": " 1 "}, TODAY) == expected
    canary = str(world["visits"]["s1_mon"].id)
    for viewer, query in [
        (world["rep"], {"visit": canary}),  # S1's visit at R1's account
        (world["manager"], {"visit": canary}),
        (world["rep"], {"visit": "0"}),
        (world["rep"], {"visit": "x1"}),
        (world["rep"], {"VISIT": "1"}),
        (world["rep"], {}),
    ]:
        assert view.load_visit(session, viewer, query, TODAY) is None, query


def test_stl007_the_record_forms_choices_are_the_accounts_contacts_and_open_deals_in_scope(session, world):
    na1 = world["acc"]["NA1"]
    assert na1.id == 1
    # S1's open OPP-S at NA1 is out of R1's scope; OPP-J, OPP-D2 are won, OPP-DL lost
    expected = view.AccountChoices(["Ann Li", "Bo Wang"], [("OPP-N2", "OPP-N2 deal"), ("OPP-N1", "OPP-N1 deal")])
    assert view.load_account_choices(session, world["rep"], {"account": "1"}, TODAY) == expected
    nothing = view.AccountChoices([], [])
    for query in [{"account": str(world["acc"]["SA1"].id)}, {"account": "0"}, {"account": "1x"}, {}]:
        assert view.load_account_choices(session, world["rep"], query, TODAY) == nothing, query


def test_stl008_an_organisers_team_accounts_are_those_of_the_team_in_the_viewers_scope(session, world):
    acc, reps = world["acc"], world["reps"]
    assert reps["S1"].id == 1
    north = ["AA1", "AA2", "AA3", "AA4", "AA5", "AA6", "NB1", "NC1", "NA1", "NA3", "NA2", "NR1", "NR2"]  # by name
    want_north = [(acc[c].id, c, acc[c].name) for c in north]
    cases = [
        (world["director"], str(reps["S1"].id), [(acc["SA1"].id, "SA1", "South One")]),
        (world["director"], str(reps["R3"].id), want_north),
        (world["manager"], str(reps["R1"].id), want_north),
        (world["director"], str(reps["F1"].id), []),  # no team: nothing to tick
        (world["manager"], str(reps["S1"].id), []),  # another team's rep
        (world["rep"], str(reps["R1"].id), []),  # a rep ticks nothing
        (world["director"], "0", []),
        (world["director"], "R1", []),
    ]
    for viewer, organiser, expected in cases:
        assert view.load_team_accounts(session, viewer, {"organiser": organiser}, TODAY) == expected, organiser


def _summaries(world: dict[str, Any]) -> list[EventSummary]:
    """North's events of 2026 (docstring): reach by class in 2026, pipeline after them."""
    ids, r = world["events"], world["reps"]

    def row(code: str, kind: str, day: date, organiser: str, cost: float) -> EventRow:
        return EventRow(ids[code], code, f"{code} name", kind, day, r[organiser].name, cost, r[organiser].id)

    def by(r_: int = 0, a: int = 0, d: int = 0, unknown: int = 0) -> dict[str, int]:
        return {"R": r_, "A": a, "D": d, "unknown": unknown}

    return [
        # OPP-J (NA1, 01-01) is E-OCT's: E-OCT (2025-10-03) is read, 90 days before, and earlier than E-JAN
        EventSummary(row("E-JAN", "seminar", date(2026, 1, 1), "R1", 300.0), 1, by(a=1)),
        EventSummary(row("E-SEM2", "seminar", date(2026, 3, 3), "R2", 150.0), 1, by(unknown=1)),
        EventSummary(row("E-DIN1", "dinner_6a2r", date(2026, 5, 1), "R2", 8_000.0), 8, by(r_=2, a=6), 5_000.0, 1),
        EventSummary(row("E-DIN2", "dinner_6a2r", date(2026, 6, 1), "R1", 2_000.0), 2, by(r_=1, a=1), 700.0, 1),
        EventSummary(row("E-VIP", "vip_event", date(2026, 9, 1), "R1", 500.0), 1, by(unknown=1)),
        EventSummary(row("E-DEC", "exec_roundtable", date(2026, 12, 31), "R1", 0.0), 0, by()),
    ]


def test_stl009_the_years_events_read_the_90_days_before_it_for_the_deals_they_claim(session, world):
    got = view.year_events(session, Scope.team(world["teams"]["north"]), 2026)
    assert got == _summaries(world)
    assert [(e.check_6a2r, e.missing) for e in got] == [
        (None, {}),
        (None, {}),
        (True, {}),
        (False, {"A": 5, "R": 1}),
        (None, {}),
        (None, {}),
    ]


BY_KIND_COLUMNS = ["kind", "events", "cost", "accounts", "pipeline", "deals", "held", "checked"]


def test_stl010_the_events_page_sums_each_kind_most_costly_first(session, world):
    got = view.load_events(session, world["manager"], {"year": "2026"}, TODAY)
    assert got.events == _summaries(world)
    expected = pd.DataFrame(
        [
            ("dinner_6a2r", 2, 10_000.0, 10, 5_700.0, 2, 1, 2),
            ("vip_event", 1, 500.0, 1, 0.0, 0, 0, 0),
            ("seminar", 2, 450.0, 2, 0.0, 0, 0, 0),
            ("exec_roundtable", 1, 0.0, 0, 0.0, 0, 0, 0),
        ],
        columns=BY_KIND_COLUMNS,
    )
    assert got.by_kind is not None
    pd.testing.assert_frame_equal(got.by_kind, expected)
    r = world["reps"]
    assert (got.year, got.today, got.role, got.problems, got.chosen, got.chosen_accounts) == (
        2026,
        TODAY,
        "manager",
        (),
        None,
        [],
    )
    assert got.organisers == [(r[c].id, c, r[c].name) for c in ("R1", "R2", "R3")]
    assert (got.team_accounts, got.team_id, got.team_totals, got.years) == ([], None, None, [2026, 2025])


def test_stl011_a_year_without_events_has_an_empty_table_of_kinds(session, world):
    got = view.load_events(session, world["manager"], {"year": "2024"}, TODAY)
    assert got.events == [] and got.by_kind is not None
    assert list(got.by_kind.columns) == BY_KIND_COLUMNS and len(got.by_kind) == 0
    assert list(view.by_kind([]).columns) == BY_KIND_COLUMNS


# -- the ids at the ends of what an address names: 1 is above; the highest is 999,999,999, the largest number of 9
# digits (``params.whole`` reads at most 9 from a text, and every caller passes the address's text) -----------------


def _at(session: Session, ident: int, north_id: int, south_id: int) -> dict[str, Any]:
    """A North rep, their account (a contact, an open deal) and a planned visit, each stored at id ``ident``, and a
    South canary rep with an account of the same name."""
    seed = Seed(session)
    rep = Rep(id=ident, rep_code="RX", name="Edge Rep", team_id=north_id, role="rep")
    session.add(rep)
    session.flush()
    account = Account(id=ident, account_code="AX", name="Edge One", industry="金融", region="华北", owner_rep_id=ident)
    session.add(account)
    session.flush()
    session.add(Contact(account_id=ident, name="Eve", decision_role="end_user"))
    seed.opp(account, 10, 2, code="OPP-X", name="edge deal", stages=[(date(2026, 11, 30), 2)])
    session.add(
        Visit(id=ident, rep_id=ident, account_id=ident, visit_date=date(2026, 12, 3), kind="call", status="planned")
    )
    canary = seed.rep("SX", None, name="South Canary")
    canary.team_id = south_id
    seed.account("SX1", canary, name="Edge One")
    session.commit()
    return {"rep": rep, "account": account}


def _edge_world(session: Session) -> tuple[int, int]:
    seed = Seed(session)
    north, south = seed.team("North"), seed.team("South")
    session.commit()
    return north.id, south.id


def test_stl012_the_highest_id_an_address_names_is_999_999_999(session):
    north, south = _edge_world(session)
    ident = 999_999_999
    _at(session, ident, north, south)
    director = make_viewer(1, "director")
    assert view.load_team_accounts(session, director, {"organiser": str(ident)}, TODAY) == [(ident, "AX", "Edge One")]
    assert view.load_account_choices(session, director, {"account": str(ident)}, TODAY) == view.AccountChoices(
        ["Eve"], [("OPP-X", "edge deal")]
    )
    got = view.load_visit(session, director, {"visit": str(ident)}, TODAY)
    assert got == {
        "id": ident,
        "rep_id": ident,
        "rep_code": "RX",
        "rep_name": "Edge Rep",
        "account_id": ident,
        "account_code": "AX",
        "account": "Edge One",
        "visit_date": date(2026, 12, 3),
        "kind": "call",
        "status": "planned",
        "contact_name": None,
        "purpose": None,
        "outcome": None,
        "next_step": None,
        "next_step_date": None,
        "opp_code": None,
        "position": None,
        "created_by": None,
        "created_at": None,
        "rad_class": "none",
    }


def test_stl013_an_id_of_ten_digits_is_refused_even_where_a_row_holds_it(session):
    north, south = _edge_world(session)
    ident = 1_000_000_000
    _at(session, ident, north, south)
    director = make_viewer(1, "director")
    assert session.get(Visit, ident) is not None
    assert view.load_team_accounts(session, director, {"organiser": str(ident)}, TODAY) == []
    assert view.load_account_choices(session, director, {"account": str(ident)}, TODAY) == view.AccountChoices([], [])
    assert view.load_visit(session, director, {"visit": str(ident)}, TODAY) is None


def test_stl014_a_week_of_last_year_counts_that_years_training_in_the_own_and_the_team_view_alike(session, world):
    """The week of Monday 2025-12-29 (ISO 2026-W01), opened on 2026-12-02: R1 trained 8 hours on 2025-12-31 and 2.5
    in 2026. Both the rep's own week and the manager's team week of that week say 8 (the week's year), not 2.5."""
    got = view.load_week(session, world["rep"], {"week": "2026-W01"}, TODAY)
    assert got.monday == date(2025, 12, 29)
    assert got.own is not None and got.own.training_hours == 8.0
    team = view.load_week(session, world["manager"], {"week": "2026-W01"}, TODAY)
    # fewest hours first, then by code
    assert [(t.rep_code, t.hours) for t in team.training] == [("R2", 0.0), ("R3", 0.0), ("R1", 8.0)]


def test_stl015_the_record_form_classes_a_visit_by_its_weeks_year_as_the_week_list_does(session, world):
    """NA3 is booked in 2025 only (class A in 2025, none in 2026). A visit of Friday 2 January 2026 is in the week of
    Monday 29 December 2025 (2026-W01): R1's own week lists it with 2025's class, and the record form it opens shows
    the same A (it showed 2026's none, the class of the day the form was opened)."""
    seed = Seed(session)
    v = seed.visit(world["reps"]["R1"], world["acc"]["NA3"], date(2026, 1, 2), "planned")
    session.commit()
    week = view.load_week(session, world["rep"], {"week": "2026-W01"}, TODAY)
    assert week.own is not None
    assert [(r["id"], r["rad_class"]) for r in week.own.this_week] == [(v.id, "A")]
    form = view.load_visit(session, world["rep"], {"visit": str(v.id)}, TODAY)
    assert form is not None and (form["visit_date"], form["rad_class"]) == (date(2026, 1, 2), "A")
    # a visit of last June: classed by last year's bookings (A), not this year's (none)
    june = seed.visit(world["reps"]["R1"], world["acc"]["NA3"], date(2025, 6, 10), "done")
    session.commit()
    opened = view.load_visit(session, world["rep"], {"visit": str(june.id)}, TODAY)
    assert opened is not None and opened["rad_class"] == "A"
    # a visit of a week inside this year keeps this year's class: NA1 is A in 2026 (booked then)
    this_year = view.load_visit(session, world["rep"], {"visit": str(world["visits"]["r1_mon"].id)}, TODAY)
    assert this_year is not None and this_year["rad_class"] == "A"
