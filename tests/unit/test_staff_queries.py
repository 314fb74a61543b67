"""Staff management's own queries (``data_access.queries.staff``) on a hand-built database, every expected row
written below: a week's plan counts, the visits' list and detail, the visit forms' choices, the events of a period
with their attendance, the deals after them, their team totals, training hours and the reps' teams.

Team North: reps R1 (owner of NA1 "North One", NA2 "North Two", NA3 "North Three") and R2 (owner of NB1 "North B"),
manager M1; team South: rep S1 (owner of SA1 "South One"); rep F1 has no team. South is written before North and R2
before R1, so the ids follow neither the names nor the codes. Classes (``account_years``, kept by the flush from BPs
and contracts at the default thresholds: R from 50% SOW, A below 10%): NA1 is R in 2025 and A in 2026, NA2 R in
2026, NA3 "none" (a contract, no BP) in 2026, SA1 D in 2026; NB1 has no row. S1's rows are canaries: they sit at
R1's accounts and dates, where only a query that forgets the scope would read them.

Visits: week 2026-W49 (11-30 .. 12-06) holds the plan counts, week 2026-W51 (12-14 .. 12-20) the list's order.
Events from 2025-12-01 to 2026-12-31: EV-A (R1, 6A+2R dinner, 2025-12-01), EV-C (R1, 2026-06-10), EV-B (R2, the same
day, written after EV-C), EV-D (R1, 2026-12-31, nobody invited), EV-F (F1, 2026-03-03), EV-S (S1, 2026-06-10);
EV-OUT1 (R1, 2025-11-30) and EV-OUT2 (R1, 2027-01-01) fall outside.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from data_access.queries import staff as q
from data_access.scope import Scope
from metrics.staff import Attendance, EventRow, NewDeal, RepWeek
from tests.builders import Seed, add_event, attend, book

W49 = (date(2026, 11, 30), date(2026, 12, 6))
W51 = (date(2026, 12, 14), date(2026, 12, 20))
EV_START, EV_END = date(2025, 12, 1), date(2026, 12, 31)


@pytest.fixture()
def world(session: Session) -> dict[str, Any]:
    seed = Seed(session)
    south, north = seed.team("South", region="华南"), seed.team("North", region="华北")
    r2 = seed.rep("R2", north, name="North Rep Two")
    r1 = seed.rep("R1", north, name="North Rep One")
    m1 = seed.rep("M1", north, role="manager", name="North Manager")
    s1 = seed.rep("S1", south, name="South Rep")
    f1 = seed.rep("F1", None, name="Free Rep")
    na1 = seed.account("NA1", r1, name="North One")
    na2 = seed.account("NA2", r1, name="North Two")
    na3 = seed.account("NA3", r1, name="North Three")
    nb1 = seed.account("NB1", r2, name="North B")
    sa1 = seed.account("SA1", s1, name="South One")
    book(seed, na1, 2025, 100, 100)  # R: booked all of its BP
    book(seed, na1, 2026, 1_000, None)  # A: booked nothing
    book(seed, na2, 2026, 100, 60)  # R
    book(seed, na3, 2026, None, 5)  # a contract, no BP: "none"
    book(seed, sa1, 2026, 1_000, 300)  # D

    # -- week W49: R1 plans NA1 twice (both done in the week), NA2 three times (never done by R1 in the week: done
    # the days before and after it, and by R2 inside it), visits NA3 unplanned four times (S1 planned NA3, and R1
    # plans it the days before and after the week); complete records: "A"/"B", "c"/"d", " 拜访\u3000"/"好"
    def visit(rep: Any, acc: Any, when: date, status: str, purpose: str | None = None, outcome: str | None = None):
        v = seed.visit(rep, acc, when, status=status)
        v.purpose, v.outcome = purpose, outcome
        return v

    visit(r1, na1, date(2026, 11, 30), "planned")
    visit(r1, na1, date(2026, 12, 2), "done", "A", "B")
    visit(r1, na1, date(2026, 12, 4), "planned")
    visit(r1, na1, date(2026, 12, 6), "done", "c", "d")
    visit(r1, na2, date(2026, 12, 1), "planned")
    visit(r1, na2, date(2026, 12, 3), "planned")
    visit(r1, na2, date(2026, 12, 6), "planned")
    visit(r1, na3, date(2026, 12, 3), "done", " 拜访\u3000", "好")
    visit(r1, na3, date(2026, 12, 4), "done", None, "y")
    visit(r1, na3, date(2026, 12, 5), "done", "p", "\u3000 \t")
    visit(r1, na3, date(2026, 12, 5), "done", "\u00a0", "z")
    visit(r1, na2, date(2026, 11, 29), "done", "e", "f")
    visit(r1, na2, date(2026, 12, 7), "done", "e", "f")
    visit(r1, na3, date(2026, 11, 29), "planned")
    visit(r1, na3, date(2026, 12, 7), "planned")
    visit(r2, nb1, date(2026, 12, 3), "done", "q", "r")
    visit(r2, na2, date(2026, 12, 3), "done")
    visit(s1, sa1, date(2026, 12, 1), "done", "s", "t")
    visit(s1, na3, date(2026, 12, 2), "planned")
    visit(s1, na1, date(2026, 11, 30), "planned")

    # -- deals: R1's open deals at NA1 (two created the same day, OPP-3 written first), won and lost ones, South's
    opps = {}
    for code, acc, status, created, amount, owner in [
        ("OPP-1", na1, "open", date(2026, 3, 1), 1_000, r1),
        ("OPP-3", na1, "open", date(2026, 2, 1), 3_000, r1),
        ("OPP-2", na1, "open", date(2026, 2, 1), 2_000, r1),
        ("OPP-0", na1, "open", date(2025, 11, 30), 10, r1),
        ("OPP-W", na1, "won", date(2027, 3, 31), 500, r1),
        ("OPP-L", na1, "lost", date(2026, 4, 1), 50, r1),
        ("OPP-S", na1, "open", date(2026, 5, 1), 7_777, s1),
        ("OPP-4", na2, "open", date(2025, 12, 1), 400, r1),
        ("OPP-5", na2, "won", date(2027, 4, 1), 450, r1),
        ("OPP-6", na3, "open", date(2026, 7, 1), 600, r1),
        ("OPP-7", nb1, "open", date(2026, 7, 1), 700, r1),
        ("OPP-8", sa1, "open", date(2026, 8, 1), 800, r1),
        ("OPP-9", sa1, "open", date(2026, 8, 1), 77_777, s1),
    ]:
        opps[code] = seed.opp(acc, amount, 3, status, created=created, owner=owner, code=code, name=f"{code} deal")

    # -- events and their attendees
    ev_a = add_event(session, "EV-A", r1, "dinner_6a2r", EV_START, 500)
    attend(session, ev_a, na2)
    attend(session, ev_a, na1, contact="Ann")
    ev_c = add_event(session, "EV-C", r1, "vip_event", date(2026, 6, 10), 1234.5)
    attend(session, ev_c, sa1, contact="Sam")
    attend(session, ev_c, na3)
    attend(session, ev_c, nb1, attended=False, contact="Ben")
    attend(session, ev_c, na1, contact="Ann")
    ev_b = add_event(session, "EV-B", r2, "seminar", date(2026, 6, 10), 300)
    attend(session, ev_b, nb1)
    attend(session, ev_b, na2, attended=False)
    ev_d = add_event(session, "EV-D", r1, "exec_roundtable", EV_END, 0)
    ev_f = add_event(session, "EV-F", f1, "partner_event", date(2026, 3, 3), 50)
    attend(session, ev_f, sa1)
    ev_s = add_event(session, "EV-S", s1, "dinner_6a2r", date(2026, 6, 10), 777)
    attend(session, ev_s, na1)
    attend(session, ev_s, sa1)
    attend(session, ev_s, na3)
    out1 = add_event(session, "EV-OUT1", r1, "seminar", date(2025, 11, 30), 11)
    attend(session, out1, na2)
    attend(session, out1, nb1)  # NB1 came to none of R1's events in the range
    out2 = add_event(session, "EV-OUT2", r1, "seminar", date(2027, 1, 1), 22)
    attend(session, out2, na3)

    # -- training: R1 on the year's first and last days (3.75 h), the days around the year; R2, M1, S1
    for rep, when, hours in [
        (r1, date(2026, 1, 1), 1.5),
        (r1, date(2026, 12, 31), 2.25),
        (r1, date(2025, 12, 31), 8),
        (r1, date(2027, 1, 1), 16),
        (r2, date(2026, 6, 1), 3),
        (m1, date(2026, 5, 5), 4),
        (s1, date(2026, 6, 1), 7),
    ]:
        seed.training(rep, when, hours)
    session.commit()
    return {
        "north": north.id,
        "south": south.id,
        "r1": r1,
        "r2": r2,
        "m1": m1,
        "s1": s1,
        "f1": f1,
        "na1": na1,
        "na2": na2,
        "na3": na3,
        "nb1": nb1,
        "sa1": sa1,
        "opps": {c: o.id for c, o in opps.items()},
        "events": {e.event_code: e.id for e in (ev_a, ev_b, ev_c, ev_d, ev_f, ev_s, out1, out2)},
    }


def test_stq001_week_counts_are_the_plan_and_records_of_each_rep_in_scope(session, world):
    r1, r2, s1 = world["r1"].id, world["r2"].id, world["s1"].id
    r1_week = RepWeek(planned=5, planned_done=2, unplanned=4, records=6, records_complete=3)
    r2_week = RepWeek(planned=0, planned_done=0, unplanned=2, records=2, records_complete=1)
    s1_week = RepWeek(planned=2, planned_done=0, unplanned=1, records=1, records_complete=1)
    assert q.week_counts(session, Scope.rep(r1), *W49) == {r1: r1_week}
    assert q.week_counts(session, Scope.team(world["north"]), *W49) == {r1: r1_week, r2: r2_week}
    assert q.week_counts(session, Scope.everything(), *W49) == {r1: r1_week, r2: r2_week, s1: s1_week}
    assert q.week_counts(session, Scope.rep(s1), *W49) == {s1: s1_week}
    assert q.week_counts(session, Scope.nothing(), *W49) == {}


def test_stq002_week_counts_read_only_the_days_of_the_range(session, world):
    """From 12-01 to 12-05: R1's plans are NA1 12-04 (done 12-02), NA2 12-01 and 12-03; NA1 done 12-02 (planned),
    NA3 done four times (12-03 complete); the NA1 plan of 11-30 and the record of 12-06 fall outside."""
    r1 = world["r1"].id
    got = q.week_counts(session, Scope.rep(r1), date(2026, 12, 1), date(2026, 12, 5))
    assert got == {r1: RepWeek(planned=3, planned_done=1, unplanned=4, records=5, records_complete=2)}
    # the days around the week alone: NA2 done 11-29 and 12-07, NA3 planned both days
    around = q.week_counts(session, Scope.rep(r1), date(2026, 11, 29), date(2026, 11, 29))
    assert around == {r1: RepWeek(planned=1, planned_done=0, unplanned=1, records=1, records_complete=1)}


def _w51(session: Session, world: dict[str, Any]) -> dict[str, int]:
    """W51: R1 on 12-15 at positions 1.5M, none, 100, none, 1 (written in that order), on 12-16 at 0, on the week's
    first day at 5 and last day in full; R2 on 12-14 (sorts after R1); the days around the week; S1 at NA1."""
    seed = Seed(session)
    r1, r2, s1 = world["r1"], world["r2"], world["s1"]
    na1, na2, na3, nb1 = world["na1"], world["na2"], world["na3"], world["nb1"]
    ids = {}
    for label, rep, acc, day, position in [
        ("big", r1, na1, date(2026, 12, 15), 1_500_000),
        ("none-a", r1, na2, date(2026, 12, 15), None),
        ("hundred", r1, na1, date(2026, 12, 15), 100),
        ("none-b", r1, na3, date(2026, 12, 15), None),
        ("one", r1, na2, date(2026, 12, 15), 1),
        ("next-day", r1, na3, date(2026, 12, 16), 0),
        ("first-day", r1, na1, date(2026, 12, 14), 5),
        ("r2", r2, nb1, date(2026, 12, 14), None),
        ("before", r1, na1, date(2026, 12, 13), 1),
        ("after", r1, na1, date(2026, 12, 21), 1),
        ("south", s1, na1, date(2026, 12, 15), 2),
    ]:
        v = seed.visit(rep, acc, day, status="planned")
        v.position = position
        ids[label] = v.id
    full = seed.visit(r1, na1, date(2026, 12, 20), status="done", kind="call")
    full.contact_name, full.purpose, full.outcome = "Ann", "demo", "liked it"
    full.next_step, full.next_step_date, full.position = "quote", date(2027, 1, 5), 3
    full.opportunity_id, full.created_by, full.created_at = world["opps"]["OPP-1"], 42, datetime(2026, 12, 1, 9, 30)
    ids["full"] = full.id
    session.commit()
    return ids


def _full_row(world: dict[str, Any], visit_id: int, rad_class: str) -> dict[str, Any]:
    return {
        "id": visit_id,
        "rep_id": world["r1"].id,
        "rep_code": "R1",
        "rep_name": "North Rep One",
        "account_id": world["na1"].id,
        "account_code": "NA1",
        "account": "North One",
        "visit_date": date(2026, 12, 20),
        "kind": "call",
        "status": "done",
        "contact_name": "Ann",
        "purpose": "demo",
        "outcome": "liked it",
        "next_step": "quote",
        "next_step_date": date(2027, 1, 5),
        "opp_code": "OPP-1",
        "position": 3,
        "created_by": 42,
        "created_at": datetime(2026, 12, 1, 9, 30),
        "rad_class": rad_class,
    }


def test_stq003_visit_rows_are_the_scopes_visits_by_rep_day_position_and_entry(session, world):
    ids = _w51(session, world)
    label = {v: k for k, v in ids.items()}
    order = ["first-day", "one", "hundred", "none-a", "none-b", "big", "next-day", "full"]
    rows = q.visit_rows(session, Scope.rep(world["r1"].id), *W51)
    assert [label[r["id"]] for r in rows] == order
    assert list(rows[-1]) == q.VISIT_COLUMNS
    assert rows[-1] == _full_row(world, ids["full"], "A")  # NA1's class in 2026, the range's year
    assert rows[3] == {
        "id": ids["none-a"],
        "rep_id": world["r1"].id,
        "rep_code": "R1",
        "rep_name": "North Rep One",
        "account_id": world["na2"].id,
        "account_code": "NA2",
        "account": "North Two",
        "visit_date": date(2026, 12, 15),
        "kind": "visit",
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
        "rad_class": "R",
    }
    assert [(r["account_code"], r["rad_class"]) for r in rows] == [
        ("NA1", "A"),
        ("NA2", "R"),
        ("NA1", "A"),
        ("NA2", "R"),
        ("NA3", "none"),
        ("NA1", "A"),
        ("NA3", "none"),
        ("NA1", "A"),
    ]
    team = q.visit_rows(session, Scope.team(world["north"]), *W51)
    assert [label[r["id"]] for r in team] == [*order, "r2"]
    assert (team[-1]["rep_code"], team[-1]["rep_name"], team[-1]["rad_class"]) == ("R2", "North Rep Two", "none")
    everyone = q.visit_rows(session, Scope.everything(), *W51)
    assert [label[r["id"]] for r in everyone] == [*order, "r2", "south"]
    assert [label[r["id"]] for r in q.visit_rows(session, Scope.rep(world["s1"].id), *W51)] == ["south"]


def test_stq004_visit_rows_stop_at_the_limit(session, world):
    ids = _w51(session, world)
    scope = Scope.team(world["north"])
    assert [r["id"] for r in q.visit_rows(session, scope, *W51, limit=2)] == [ids["first-day"], ids["one"]]
    assert len(q.visit_rows(session, scope, *W51, limit=None)) == 9
    assert q.visit_rows(session, Scope.nothing(), *W51) == []


def test_stq005_visit_by_id_is_one_visit_in_scope_with_its_class_in_the_year_asked(session, world):
    ids = _w51(session, world)
    r1 = Scope.rep(world["r1"].id)
    assert q.visit_by_id(session, r1, ids["full"], 2026) == _full_row(world, ids["full"], "A")
    assert q.visit_by_id(session, r1, ids["full"], 2025) == _full_row(world, ids["full"], "R")
    assert q.visit_by_id(session, r1, ids["full"], 2024) == _full_row(world, ids["full"], "none")
    assert q.visit_by_id(session, Scope.team(world["north"]), ids["full"], 2026) == _full_row(world, ids["full"], "A")
    assert q.visit_by_id(session, Scope.rep(world["s1"].id), ids["full"], 2026) is None
    assert q.visit_by_id(session, Scope.team(world["south"]), ids["full"], 2026) is None
    assert q.visit_by_id(session, r1, ids["south"], 2026) is None  # S1's visit at R1's own account
    assert q.visit_by_id(session, r1, ids["full"] + 1000, 2026) is None
    got = q.visit_by_id(session, Scope.team(world["north"]), ids["r2"], 2026)
    assert got is not None and (got["id"], got["rep_code"], got["account_code"]) == (ids["r2"], "R2", "NB1")


def test_stq006_own_accounts_are_those_owned_in_scope_by_name(session, world):
    na1, na2, na3, nb1 = (world[k].id for k in ("na1", "na2", "na3", "nb1"))
    r1, r2 = world["r1"].id, world["r2"].id
    mine = [(na1, "NA1", "North One"), (na3, "NA3", "North Three"), (na2, "NA2", "North Two")]
    assert q.own_accounts(session, Scope.rep(r1)) == mine
    assert q.own_accounts(session, Scope.team(world["north"])) == [(nb1, "NB1", "North B"), *mine]
    assert q.own_accounts(session, Scope.team(world["north"]), r2) == [(nb1, "NB1", "North B")]
    assert q.own_accounts(session, Scope.team(world["north"]), world["s1"].id) == []
    assert q.own_accounts(session, Scope.rep(r1), r2) == []
    assert q.own_accounts(session, Scope.everything(), world["s1"].id) == [(world["sa1"].id, "SA1", "South One")]


def test_stq007_contact_names_are_those_of_an_account_in_scope_by_name(session, world):
    seed = Seed(session)
    for acc, name in [("na1", "Chen"), ("na1", "Adams"), ("sa1", "Zhou"), ("na1", "Brown"), ("na2", "Dunn")]:
        seed.contact(world[acc], name, "influencer")
    session.commit()
    r1 = Scope.rep(world["r1"].id)
    assert q.contact_names(session, r1, world["na1"].id) == ["Adams", "Brown", "Chen"]
    assert q.contact_names(session, r1, world["na2"].id) == ["Dunn"]
    assert q.contact_names(session, r1, world["sa1"].id) == []
    assert q.contact_names(session, Scope.team(world["north"]), world["sa1"].id) == []
    assert q.contact_names(session, Scope.rep(world["s1"].id), world["na1"].id) == []
    assert q.contact_names(session, Scope.everything(), world["sa1"].id) == ["Zhou"]


def test_stq008_account_deals_are_the_open_deals_in_scope_newest_first(session, world):
    r1 = Scope.rep(world["r1"].id)
    names = {c: f"{c} deal" for c in world["opps"]}
    assert q.account_deals(session, r1, world["na1"].id) == [
        (c, names[c]) for c in ("OPP-1", "OPP-2", "OPP-3", "OPP-0")
    ]
    assert q.account_deals(session, Scope.everything(), world["na1"].id) == [
        (c, names[c]) for c in ("OPP-S", "OPP-1", "OPP-2", "OPP-3", "OPP-0")
    ]
    assert q.account_deals(session, r1, world["sa1"].id) == [("OPP-8", "OPP-8 deal")]  # not S1's OPP-9
    assert q.account_deals(session, Scope.rep(world["s1"].id), world["na1"].id) == [("OPP-S", "OPP-S deal")]
    assert q.account_deals(session, Scope.team(world["north"]), world["nb1"].id) == [("OPP-7", "OPP-7 deal")]
    assert q.account_deals(session, r1, world["na2"].id) == [("OPP-4", "OPP-4 deal")]  # OPP-5 is won


def test_stq009_account_deals_stop_at_200(session, world):
    acc = Seed(session).account("NA9", world["r1"], name="North Nine")
    Seed(session).many_opps(
        acc, 201, "M{i:03d}", name="many {i}", amount=1, level=1, created=date(2026, 1, 1), expected=date(2026, 12, 1)
    )
    session.commit()
    got = q.account_deals(session, Scope.rep(world["r1"].id), acc.id)
    assert got == [(f"M{i:03d}", f"many {i}") for i in range(200)]


def _row(world: dict[str, Any], code: str, kind: str, when: date, organiser: str, cost: float) -> EventRow:
    rep = world[organiser.lower()]
    return EventRow(world["events"][code], code, f"{code} name", kind, when, rep.name, cost, rep.id)


def test_stq010_events_between_are_the_scopes_events_by_day_and_code(session, world):
    a = _row(world, "EV-A", "dinner_6a2r", EV_START, "R1", 500.0)
    b = _row(world, "EV-B", "seminar", date(2026, 6, 10), "R2", 300.0)
    c = _row(world, "EV-C", "vip_event", date(2026, 6, 10), "R1", 1234.5)
    d = _row(world, "EV-D", "exec_roundtable", EV_END, "R1", 0.0)
    f = _row(world, "EV-F", "partner_event", date(2026, 3, 3), "F1", 50.0)
    s = _row(world, "EV-S", "dinner_6a2r", date(2026, 6, 10), "S1", 777.0)
    assert q.events_between(session, Scope.rep(world["r1"].id), EV_START, EV_END) == [a, c, d]
    assert q.events_between(session, Scope.team(world["north"]), EV_START, EV_END) == [a, b, c, d]
    assert q.events_between(session, Scope.everything(), EV_START, EV_END) == [a, f, b, c, s, d]
    assert q.events_between(session, Scope.team(world["south"]), EV_START, EV_END) == [s]
    got = q.events_between(session, Scope.rep(world["r1"].id), date(2026, 6, 10), date(2026, 6, 10))
    assert got == [c] and isinstance(got[0].cost, float)


def _attendance(rows: list[Attendance]) -> list[Attendance]:
    return sorted(rows, key=lambda a: (a.event_id, a.account_id))


def test_stq011_attendance_is_every_invited_row_of_the_scopes_events_with_the_class_of_the_events_year(session, world):
    ev, acc = world["events"], {k: world[k].id for k in ("na1", "na2", "na3", "nb1", "sa1")}
    r1_rows = [
        Attendance(ev["EV-A"], acc["na1"], True, "R"),  # 2025's class
        Attendance(ev["EV-A"], acc["na2"], True, None),  # no 2025 row
        Attendance(ev["EV-C"], acc["na1"], True, "A"),
        Attendance(ev["EV-C"], acc["na3"], True, None),  # SOW unknown
        Attendance(ev["EV-C"], acc["nb1"], False, None),
        Attendance(ev["EV-C"], acc["sa1"], True, "D"),
    ]
    assert _attendance(q.attendance(session, Scope.rep(world["r1"].id), EV_START, EV_END)) == _attendance(r1_rows)
    team = [*r1_rows, Attendance(ev["EV-B"], acc["nb1"], True, None), Attendance(ev["EV-B"], acc["na2"], False, "R")]
    assert _attendance(q.attendance(session, Scope.team(world["north"]), EV_START, EV_END)) == _attendance(team)
    south = [
        Attendance(ev["EV-S"], acc["na1"], True, "A"),
        Attendance(ev["EV-S"], acc["sa1"], True, "D"),
        Attendance(ev["EV-S"], acc["na3"], True, None),
    ]
    assert _attendance(q.attendance(session, Scope.team(world["south"]), EV_START, EV_END)) == _attendance(south)
    everyone = [*team, *south, Attendance(ev["EV-F"], acc["sa1"], True, "D")]
    assert _attendance(q.attendance(session, Scope.everything(), EV_START, EV_END)) == _attendance(everyone)
    # the days around the range: EV-OUT1 (2025-11-30) alone, EV-OUT2 (2027-01-01) alone
    day_before = q.attendance(session, Scope.rep(world["r1"].id), date(2025, 11, 30), date(2025, 11, 30))
    assert _attendance(day_before) == _attendance(
        [Attendance(ev["EV-OUT1"], acc["na2"], True, None), Attendance(ev["EV-OUT1"], acc["nb1"], True, None)]
    )
    day_after = q.attendance(session, Scope.rep(world["r1"].id), date(2027, 1, 1), date(2027, 1, 1))
    assert day_after == [Attendance(ev["EV-OUT2"], acc["na3"], True, None)]


def test_stq012_deals_after_are_the_scopes_open_or_won_deals_at_attended_accounts_in_the_window(session, world):
    """R1's events in the range were attended by NA1, NA2 (EV-A), NA1, NA3, SA1 (EV-C; NB1 invited, did not come).
    R1's open or won deals there created from 2025-12-01 to 2027-03-31 (90 days after 2026-12-31): OPP-1, OPP-2,
    OPP-3 (NA1), OPP-W (NA1, won on the window's last day), OPP-4 (NA2, created on the first day), OPP-6 (NA3),
    OPP-8 (SA1). Not: OPP-0 (the day before), OPP-5 (the day after the window), OPP-L (lost), OPP-S and OPP-9
    (S1's), OPP-7 (NB1 came to R2's EV-B and to R1's EV-OUT1, the day before the range)."""
    opp, acc = world["opps"], {k: world[k].id for k in ("na1", "na2", "na3", "nb1", "sa1")}

    def deal(code: str, account: str, created: date, amount: float, status: str = "open") -> NewDeal:
        return NewDeal(opp[code], acc[account], created, amount, status)

    r1_deals = [
        deal("OPP-1", "na1", date(2026, 3, 1), 1_000.0),
        deal("OPP-3", "na1", date(2026, 2, 1), 3_000.0),
        deal("OPP-2", "na1", date(2026, 2, 1), 2_000.0),
        deal("OPP-W", "na1", date(2027, 3, 31), 500.0, "won"),
        deal("OPP-4", "na2", date(2025, 12, 1), 400.0),
        deal("OPP-6", "na3", date(2026, 7, 1), 600.0),
        deal("OPP-8", "sa1", date(2026, 8, 1), 800.0),
    ]

    def by_id(rows: list[NewDeal]) -> list[NewDeal]:
        return sorted(rows, key=lambda d: d.opp_id)

    got = q.deals_after(session, Scope.rep(world["r1"].id), EV_START, EV_END)
    assert by_id(got) == by_id(r1_deals)
    assert all(isinstance(d.amount, float) for d in got)
    team = [*r1_deals, deal("OPP-7", "nb1", date(2026, 7, 1), 700.0)]  # NB1 came to R2's EV-B
    assert by_id(q.deals_after(session, Scope.team(world["north"]), EV_START, EV_END)) == by_id(team)
    # South's EV-S was attended by NA1, SA1 and NA3: S1's own deals there
    south = [deal("OPP-S", "na1", date(2026, 5, 1), 7_777.0), deal("OPP-9", "sa1", date(2026, 8, 1), 77_777.0)]
    assert by_id(q.deals_after(session, Scope.rep(world["s1"].id), EV_START, EV_END)) == by_id(south)
    assert by_id(q.deals_after(session, Scope.everything(), EV_START, EV_END)) == by_id([*team, *south])
    # EV-C's day alone: NA1, NA3, SA1 attended; from 2026-06-10 to 2026-09-08
    assert by_id(q.deals_after(session, Scope.rep(world["r1"].id), date(2026, 6, 10), date(2026, 6, 10))) == by_id(
        [deal("OPP-6", "na3", date(2026, 7, 1), 600.0), deal("OPP-8", "sa1", date(2026, 8, 1), 800.0)]
    )


def test_stq013_event_accounts_are_the_invited_accounts_of_an_event_in_scope_by_name(session, world):
    ev = world["events"]

    def row(key: str, code: str, name: str, contact: str | None, came: bool, cls: str) -> dict[str, Any]:
        return {
            "account_id": world[key].id,
            "account_code": code,
            "account": name,
            "contact_name": contact,
            "attended": came,
            "rad_class": cls,
        }

    r1 = Scope.rep(world["r1"].id)
    assert q.event_accounts(session, r1, ev["EV-C"]) == [
        row("nb1", "NB1", "North B", "Ben", False, "none"),
        row("na1", "NA1", "North One", "Ann", True, "A"),
        row("na3", "NA3", "North Three", None, True, "none"),
        row("sa1", "SA1", "South One", "Sam", True, "D"),
    ]
    assert q.event_accounts(session, r1, ev["EV-A"]) == [  # 2025's classes
        row("na1", "NA1", "North One", "Ann", True, "R"),
        row("na2", "NA2", "North Two", None, True, "none"),
    ]
    assert q.event_accounts(session, r1, ev["EV-D"]) == []
    assert q.event_accounts(session, r1, ev["EV-S"]) == []  # S1's event, at R1's accounts
    assert q.event_accounts(session, r1, ev["EV-B"]) == []  # R2's
    assert q.event_accounts(session, r1, max(ev.values()) + 1) == []
    assert q.event_accounts(session, Scope.team(world["north"]), ev["EV-B"]) == [
        row("nb1", "NB1", "North B", None, True, "none"),
        row("na2", "NA2", "North Two", None, False, "R"),
    ]
    assert q.event_accounts(session, Scope.everything(), ev["EV-S"]) == [
        row("na1", "NA1", "North One", None, True, "A"),
        row("na3", "NA3", "North Three", None, True, "none"),
        row("sa1", "SA1", "South One", None, True, "D"),
    ]


def test_stq014_training_hours_sum_the_year_of_each_rep_in_scope(session, world):
    r1, r2, m1, s1 = (world[k].id for k in ("r1", "r2", "m1", "s1"))
    got = q.training_hours(session, Scope.rep(r1), 2026)
    assert got == {r1: 3.75} and isinstance(got[r1], float)
    assert q.training_hours(session, Scope.team(world["north"]), 2026) == {r1: 3.75, r2: 3.0, m1: 4.0}
    assert q.training_hours(session, Scope.everything(), 2026) == {r1: 3.75, r2: 3.0, m1: 4.0, s1: 7.0}
    assert q.training_hours(session, Scope.rep(r1), 2025) == {r1: 8.0}
    assert q.training_hours(session, Scope.rep(r1), 2027) == {r1: 16.0}
    assert q.training_hours(session, Scope.team(world["south"]), 2025) == {}


def test_stq015_team_of_reps_maps_the_sales_reps_in_scope(session, world):
    r1, r2, s1, f1 = (world[k].id for k in ("r1", "r2", "s1", "f1"))
    north, south = world["north"], world["south"]
    assert q.team_of_reps(session, Scope.rep(r1)) == {r1: (north, "North")}
    assert q.team_of_reps(session, Scope.team(north)) == {r1: (north, "North"), r2: (north, "North")}  # not M1
    assert q.team_of_reps(session, Scope.everything()) == {
        r1: (north, "North"),
        r2: (north, "North"),
        s1: (south, "South"),
        f1: (None, ""),
    }
    assert q.team_of_reps(session, Scope.rep(world["m1"].id)) == {}


def _totals(team_id: int | None, team: str | None, *values: float) -> dict[str, Any]:
    return dict(zip(q.TEAM_EVENT_COLUMNS, (team_id, team, *values), strict=True))


def test_stq016_event_team_totals_sum_the_scopes_events_per_organisers_team(session, world):
    """North for R1: EV-A (500; NA1 R in 2025, NA2 unknown), EV-C (1,234.5; NA1 A, NA3 unknown, SA1 D; NB1 did not
    come), EV-D (0, nobody); R2 adds EV-B (300; NB1 unknown; NA2 did not come). South: EV-S (777; NA1 A, SA1 D,
    NA3 unknown). No team: EV-F (50; SA1 D)."""
    r1 = q.event_team_totals(session, Scope.rep(world["r1"].id), EV_START, EV_END)
    assert r1 == [_totals(world["north"], "North", 3, 1734.5, 5, 1, 1, 1, 2, 1, 0)]
    assert isinstance(r1[0]["cost"], float) and isinstance(r1[0]["events"], int)
    north = _totals(world["north"], "North", 4, 2034.5, 6, 1, 1, 1, 3, 1, 0)
    assert q.event_team_totals(session, Scope.team(world["north"]), EV_START, EV_END) == [north]
    south = _totals(world["south"], "South", 1, 777.0, 3, 0, 1, 1, 1, 1, 0)
    assert q.event_team_totals(session, Scope.rep(world["s1"].id), EV_START, EV_END) == [south]
    nobody = _totals(None, None, 1, 50.0, 1, 0, 0, 1, 0, 0, 0)  # no team: no id (it read 0, a team that is none)
    everyone = q.event_team_totals(session, Scope.everything(), EV_START, EV_END)
    assert everyone == [north, south, nobody]  # by team name, the organisers without a team last on both databases
    # the range's edges alone: EV-A on its first day, EV-D on its last
    edges = q.event_team_totals(session, Scope.rep(world["r1"].id), EV_START, EV_START)
    assert edges == [_totals(world["north"], "North", 1, 500.0, 2, 1, 0, 0, 1, 1, 0)]
    last = q.event_team_totals(session, Scope.rep(world["r1"].id), EV_END, EV_END)
    assert last == [_totals(world["north"], "North", 1, 0.0, 0, 0, 0, 0, 0, 0, 0)]
    assert q.event_team_totals(session, Scope.nothing(), EV_START, EV_END) == []


def test_stq017_a_dinner_holds_its_mix_with_six_a_and_two_r_accounts_that_came(session, world):
    """R2's dinners of 2026-09: HELD with exactly 6 A and 2 R that came; SHORT-R with 6 A, 1 R (the other R invited,
    did not come); SHORT-A with 5 A (the sixth did not come) and 2 R, at SHORT-R's cost (each event is its own row);
    and a VIP event with 6 A and 2 R (not a dinner: never held). R2's EV-B (seminar, NB1 unknown) is in the range
    too."""
    seed, r2 = Seed(session), world["r2"]
    a_accs = [seed.account(f"DA{i}", r2, name=f"Dinner A{i}") for i in range(6)]
    r_accs = [seed.account(f"DR{i}", r2, name=f"Dinner R{i}") for i in range(2)]
    for acc in a_accs:
        book(seed, acc, 2026, 1_000, 50)
    for acc in r_accs:
        book(seed, acc, 2026, 1_000, 500)
    held = add_event(session, "HELD", r2, "dinner_6a2r", date(2026, 9, 1), 100)
    short_r = add_event(session, "SHORT-R", r2, "dinner_6a2r", date(2026, 9, 2), 10)
    short_a = add_event(session, "SHORT-A", r2, "dinner_6a2r", date(2026, 9, 3), 10)  # as SHORT-R: one per event
    vip = add_event(session, "VIP", r2, "vip_event", date(2026, 9, 4), 2)
    for acc in [*a_accs, *r_accs]:
        attend(session, held, acc)
        attend(session, vip, acc)
        attend(session, short_r, acc, attended=acc is not r_accs[1])
        attend(session, short_a, acc, attended=acc is not a_accs[5])
    session.commit()
    got = q.event_team_totals(session, Scope.rep(r2.id), EV_START, EV_END)
    # events: EV-B + 4; cost 300 + 122; accounts 1 + 8 + 7 + 7 + 8; R 2 + 1 + 2 + 2; A 6 + 6 + 5 + 6; unknown: NB1
    assert got == [_totals(world["north"], "North", 5, 422.0, 31, 7, 23, 0, 1, 3, 1)]
    only = q.event_team_totals(session, Scope.rep(r2.id), date(2026, 9, 2), date(2026, 9, 3))
    assert only == [_totals(world["north"], "North", 2, 20.0, 14, 3, 11, 0, 0, 2, 0)]


def test_stq018_event_team_is_the_organisers_team_of_an_event_in_scope(session, world):
    north, south = world["north"], world["south"]
    r1 = Scope.rep(world["r1"].id)
    assert q.event_team(session, r1, "EV-C") == north
    assert q.event_team(session, r1, "EV-OUT2") == north  # any date
    assert q.event_team(session, r1, "EV-S") is None  # S1's
    assert q.event_team(session, r1, "EV-B") is None  # R2's
    assert q.event_team(session, Scope.team(north), "EV-B") == north
    assert q.event_team(session, Scope.everything(), "EV-S") == south
    assert q.event_team(session, Scope.everything(), "EV-F") is None  # F1 has no team
    assert q.event_team(session, Scope.everything(), "NOPE") is None


def test_stq019_a_plan_with_its_purpose_and_outcome_written_is_not_a_complete_record(session):
    """Rep RX's week: a plan at AX with a purpose and an outcome already written (a plan, not a record), a record at
    AY with both (complete), a record at AZ without an outcome (incomplete), and a plan at AY (planned and done)."""
    seed = Seed(session)
    rx = seed.rep("RX", seed.team("X-Team"))
    ax, ay, az = seed.account("AX", rx), seed.account("AY", rx), seed.account("AZ", rx)
    plan = seed.visit(rx, ax, date(2026, 12, 1), status="planned")
    plan.purpose, plan.outcome = "demo", "liked it"
    record = seed.visit(rx, ay, date(2026, 12, 2))
    record.purpose, record.outcome = "quote", "asked for a discount"
    bare = seed.visit(rx, az, date(2026, 12, 3))
    bare.purpose = "intro"
    seed.visit(rx, ay, date(2026, 12, 4), status="planned")
    session.flush()
    got = q.week_counts(session, Scope.rep(rx.id), *W49)
    assert got == {rx.id: RepWeek(planned=2, planned_done=1, unplanned=1, records=2, records_complete=1)}
