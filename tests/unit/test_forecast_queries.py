"""The forecast's own queries (``data_access.queries.forecast``) on a hand-built database, every expected row written
below (issue 23: tests that catch a wrong number or a forgotten scope).

Team North: reps R1 ("North Rep": owner of NA1, NA2, NO1 and NC1) and R2 ("Second Rep": owner of NB1), manager M1;
team South: rep S1 ("South Rep", owner of SA1). NO1 has a manual class A and no BP or contract (no ``account_years``
row); NC1 has neither (class "none"). The period is 2026-Q4 (2026-10-01 .. 2026-12-31); the track record's past day
is its first day, 2026-10-01. S1's rows are canaries: amounts of 7s, names with "South"; most sit at R1's own
account NA1 on North's own dates, where only a query that forgets the scope would read them.

Each group of functions adds its own deals (``_deal``: a deal with the stage history given, not the builder's one
entry at creation), written out in its fixture's docstring.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access.models import Account, Opportunity, Rep
from data_access.queries import forecast as q
from data_access.scope import Scope
from tests.builders import Seed

START, END, AS_OF = date(2026, 10, 1), date(2026, 12, 31), date(2026, 10, 1)
BEFORE, AFTER = date(2026, 9, 30), date(2027, 1, 1)


@pytest.fixture()
def world(session: Session) -> dict[str, Any]:
    seed = Seed(session)
    north, south = seed.team("North", region="华北"), seed.team("South", region="华南")
    r1 = seed.rep("R1", north, name="North Rep")
    r2 = seed.rep("R2", north, name="Second Rep")
    seed.rep("M1", north, role="manager", name="North Manager")
    s1 = seed.rep("S1", south, name="South Rep")
    accounts = {
        "NA1": seed.account("NA1", r1, name="North One"),
        "NA2": seed.account("NA2", r1, name="North Two"),
        "NO1": seed.account("NO1", r1, name="North Override", rad_override="A"),
        "NC1": seed.account("NC1", r1, name="North Unclassed"),
        "NB1": seed.account("NB1", r2, name="North B"),
        "SA1": seed.account("SA1", s1, name="South One"),
    }
    session.commit()
    return {"r1": r1, "r2": r2, "s1": s1, "north": north.id, "south": south.id, **accounts}


def _deal(
    session: Session,
    account: Account,
    amount: float,
    level: int,
    status: str = "open",
    *,
    code: str,
    owner: Rep | None = None,
    name: str = "deal",
    created: date = date(2026, 1, 10),
    expected: date = date(2026, 12, 1),
    closed: date | None = None,
    stages: list[tuple[date, int]] | None = None,
) -> Opportunity:
    """``Seed.opp`` with the code required: a deal and its stage entries (``stages`` as (day, level))."""
    return Seed(session).opp(
        account,
        amount,
        level,
        status,
        code=code,
        owner=owner,
        name=name,
        created=created,
        expected=expected,
        closed=closed,
        stages=stages,
    )


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in frame.to_dict("records")]


def _day(value: Any) -> str:
    return str(value)[:10]


# ---- level_outcomes


@pytest.fixture()
def outcomes(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Deals closed around 2026-Q4 (levels entered, from ``deal_levels``):
    A  R1 NA1 won  10-01 (the first day), due 10-15 (on time), levels 1, 3, 5
    B  R1 NA2 lost 12-31 (the last day), due 12-01 (late), levels 1, 2
    C  R1 NA1 won  11-10, due 11-10 (on time), levels 2, 3 and 6 (6 is no level of the rates)
    D  R1 NA1 won  09-30 (the day before), E R1 NA1 lost 2027-01-01 (the day after), F R1 NA2 open: not closed
    G  R1 NA1 open with a close date of 11-01 (reopened): not closed
    R2 NB1 lost 10-15, due 10-20 (on time), level 1 (North's, not R1's)
    S1 at NA1 won 11-01 due 11-15, levels 1, 2, 3; S1 at SA1 lost 11-01 due 10-01 (late), level 4: canaries."""
    na1, na2 = world["NA1"], world["NA2"]
    feb = date(2026, 2, 1)
    _deal(
        session,
        na1,
        1_000,
        5,
        "won",
        code="A",
        closed=START,
        expected=date(2026, 10, 15),
        stages=[(feb, 1), (date(2026, 5, 1), 3), (date(2026, 9, 1), 5)],
    )
    _deal(session, na2, 1_000, 2, "lost", code="B", closed=END, stages=[(feb, 1), (date(2026, 4, 1), 2)])
    _deal(
        session,
        na1,
        1_000,
        6,
        "won",
        code="C",
        closed=date(2026, 11, 10),
        expected=date(2026, 11, 10),
        stages=[(feb, 2), (date(2026, 6, 1), 3), (date(2026, 11, 1), 6)],
    )
    _deal(session, na1, 1_000, 1, "won", code="D", closed=BEFORE, stages=[(feb, 1)])
    _deal(session, na1, 1_000, 1, "lost", code="E", closed=AFTER, stages=[(feb, 1)])
    _deal(session, na2, 1_000, 1, code="F", stages=[(feb, 1)])
    _deal(session, na1, 1_000, 1, code="G", closed=date(2026, 11, 1), stages=[(feb, 1)])
    _deal(
        session,
        world["NB1"],
        1_000,
        1,
        "lost",
        code="R2-LOST",
        closed=date(2026, 10, 15),
        expected=date(2026, 10, 20),
        stages=[(feb, 1)],
    )
    _deal(
        session,
        na1,
        7_777,
        3,
        "won",
        code="S-AT-NA1",
        owner=world["s1"],
        closed=date(2026, 11, 1),
        expected=date(2026, 11, 15),
        stages=[(feb, 1), (date(2026, 3, 1), 2), (date(2026, 4, 1), 3)],
    )
    _deal(
        session,
        world["SA1"],
        77_777,
        4,
        "lost",
        code="S-LOST",
        closed=date(2026, 11, 1),
        expected=date(2026, 10, 1),
        stages=[(feb, 4)],
    )
    session.commit()
    return world


def test_fqq001_level_outcomes_count_the_reps_closed_deals_per_level(session, outcomes):
    got = q.level_outcomes(session, Scope.rep(outcomes["r1"].id), START, END)
    assert list(got.columns) == ["level", "closed", "won", "on_time"]
    # level 1: A (won, on time), B (lost, late); 2: B, C (won, on time); 3: A, C; 5: A; not C's level 6, D, E, F,
    # G, R2's or South's
    assert _rows(got) == [(1, 2, 1, 1), (2, 2, 1, 1), (3, 2, 2, 2), (5, 1, 1, 1)]


def test_fqq002_level_outcomes_of_a_team_and_of_the_company(session, outcomes):
    team = q.level_outcomes(session, Scope.team(outcomes["north"]), START, END)
    assert _rows(team) == [(1, 3, 1, 2), (2, 2, 1, 1), (3, 2, 2, 2), (5, 1, 1, 1)]  # + R2's lost level 1, on time
    south = q.level_outcomes(session, Scope.team(outcomes["south"]), START, END)
    assert _rows(south) == [(1, 1, 1, 1), (2, 1, 1, 1), (3, 1, 1, 1), (4, 1, 0, 0)]
    everything = q.level_outcomes(session, Scope.everything(), START, END)
    assert _rows(everything) == [(1, 4, 2, 3), (2, 3, 2, 2), (3, 3, 3, 3), (4, 1, 0, 0), (5, 1, 1, 1)]


def test_fqq003_level_outcomes_read_the_window_inclusively(session, outcomes):
    r1 = Scope.rep(outcomes["r1"].id)
    # a day in from each end: neither A (10-01) nor B (12-31), only C
    assert _rows(q.level_outcomes(session, r1, date(2026, 10, 2), date(2026, 12, 30))) == [(2, 1, 1, 1), (3, 1, 1, 1)]
    # a window of one day: 09-30 holds D alone (won, due 12-01: on time), 2027-01-01 E alone (lost, late)
    assert _rows(q.level_outcomes(session, r1, BEFORE, BEFORE)) == [(1, 1, 1, 1)]
    assert _rows(q.level_outcomes(session, r1, AFTER, AFTER)) == [(1, 1, 0, 0)]
    none = q.level_outcomes(session, Scope.nothing(), START, END)
    assert none.empty and list(none.columns) == ["level", "closed", "won", "on_time"]


# ---- due_sums, due_largest


@pytest.fixture()
def due(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Deals around 2026-Q4 (stage entries as (day, level); created 2026-01-10 unless said):
    N-BIG   R1 NA1 open 10,000 L3, due 12-31 (the last day); entries 01-10 L1, 06-01 L2, 10-01 L3 (on the past day:
            not read then: L2 on 10-01)
    N-LATE  R1 NA1 open 5,000 L2, due 2027-01-01: never due in Q4
    N-TIE-B R1 NA2 open 3,000 L4, due 12-30; entries 01-10 L1, 09-30 L4 (the day before: L4 on 10-01)
    N-TIE-A R1 NA2 open 3,000 L3, due 11-01; two entries on 03-01, L2 then L3 (the higher: L3 on 10-01); written
            after N-TIE-B, first by code
    N-FRESH R1 NA1 open 4,000 L4, created 09-30, due 12-15; its only entry 10-01 (none before: L1 on 10-01)
    N-NEW   R1 NA1 open 6,000 L2, created 10-01 (on the past day: not open then), due 11-15
    N-WON   R1 NA2 won 8,000 L5, closed 10-01 (open on that day), due 10-15; entries 01-10 L3, 10-01 L5 (L3 then)
    N-LOST  R1 NA2 lost 9,000 L4, closed 09-30 (closed before the past day), due 10-20
    R2-OPEN R2 at R1's NA1, open 2,000 L1, due 12-01 (North's, not R1's)
    S-AT-NA1 S1 at NA1 open 7,777 L3, due 12-31; S-WON S1 at NA1 won 777 L5, closed 10-01, due 10-15; S-OPEN S1
            SA1 open 77,777 L4, due 12-01: canaries."""
    na1, na2, s1 = world["NA1"], world["NA2"], world["s1"]
    jan = date(2026, 1, 10)
    _deal(
        session,
        na1,
        10_000,
        3,
        code="N-BIG",
        name="Big one",
        expected=END,
        stages=[(jan, 1), (date(2026, 6, 1), 2), (AS_OF, 3)],
    )
    _deal(session, na1, 5_000, 2, code="N-LATE", name="Late one", expected=AFTER)
    _deal(
        session,
        na2,
        3_000,
        4,
        code="N-TIE-B",
        name="Tie B",
        expected=date(2026, 12, 30),
        stages=[(jan, 1), (BEFORE, 4)],
    )
    _deal(
        session,
        na2,
        3_000,
        3,
        code="N-TIE-A",
        name="Tie A",
        expected=date(2026, 11, 1),
        stages=[(date(2026, 3, 1), 2), (date(2026, 3, 1), 3)],
    )
    _deal(
        session,
        na1,
        4_000,
        4,
        code="N-FRESH",
        name="Fresh one",
        created=BEFORE,
        expected=date(2026, 12, 15),
        stages=[(AS_OF, 4)],
    )
    _deal(session, na1, 6_000, 2, code="N-NEW", name="New one", created=AS_OF, expected=date(2026, 11, 15))
    _deal(
        session,
        na2,
        8_000,
        5,
        "won",
        code="N-WON",
        name="Won one",
        closed=AS_OF,
        expected=date(2026, 10, 15),
        stages=[(jan, 3), (AS_OF, 5)],
    )
    _deal(session, na2, 9_000, 4, "lost", code="N-LOST", name="Lost one", closed=BEFORE, expected=date(2026, 10, 20))
    _deal(session, na1, 2_000, 1, code="R2-OPEN", name="Second's", owner=world["r2"])
    _deal(session, na1, 7_777, 3, code="S-AT-NA1", name="South at North", owner=s1, expected=END)
    _deal(
        session, na1, 777, 5, "won", code="S-WON", name="South won", owner=s1, closed=AS_OF, expected=date(2026, 10, 15)
    )
    _deal(session, world["SA1"], 77_777, 4, code="S-OPEN", name="South open", expected=date(2026, 12, 1))
    session.commit()
    return world


SUMS = ["level", "count", "amount", "amount2"]
DEALS = ["opp_code", "name", "account", "owner", "level", "amount", "expected_close_date"]


def _sums(frame: pd.DataFrame) -> list[tuple[int, int, float, float]]:
    assert list(frame.columns) == SUMS
    return [(int(r["level"]), int(r["count"]), r["amount"], r["amount2"]) for r in frame.to_dict("records")]


def _deals(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    assert list(frame.columns) == DEALS
    return [
        (
            r["opp_code"],
            r["name"],
            r["account"],
            r["owner"],
            int(r["level"]),
            r["amount"],
            _day(r["expected_close_date"]),
        )
        for r in frame.to_dict("records")
    ]


def test_fqq004_due_sums_today_are_the_reps_open_deals_due_by_the_end(session, due):
    got = q.due_sums(session, Scope.rep(due["r1"].id), END)
    # L2: N-NEW; L3: N-BIG (due on the last day) + N-TIE-A; L4: N-TIE-B + N-FRESH; not N-LATE, the closed ones,
    # R2's or South's
    assert _sums(got) == [
        (2, 1, 6_000.0, 36_000_000.0),
        (3, 2, 13_000.0, 109_000_000.0),
        (4, 2, 7_000.0, 25_000_000.0),
    ]
    day_before = q.due_sums(session, Scope.rep(due["r1"].id), date(2026, 12, 30))  # N-BIG no longer due
    assert _sums(day_before) == [(2, 1, 6_000.0, 36_000_000.0), (3, 1, 3_000.0, 9_000_000.0), (4, 2, 7_000.0, 25e6)]


def test_fqq005_due_sums_of_a_team_and_of_the_company(session, due):
    team = q.due_sums(session, Scope.team(due["north"]), END)
    assert _sums(team) == [
        (1, 1, 2_000.0, 4_000_000.0),  # R2's
        (2, 1, 6_000.0, 36_000_000.0),
        (3, 2, 13_000.0, 109_000_000.0),
        (4, 2, 7_000.0, 25_000_000.0),
    ]
    everything = q.due_sums(session, Scope.everything(), END)
    assert _sums(everything) == [
        (1, 1, 2_000.0, 4_000_000.0),
        (2, 1, 6_000.0, 36_000_000.0),
        (3, 3, 20_777.0, 109_000_000.0 + 7_777.0**2),
        (4, 3, 84_777.0, 25_000_000.0 + 77_777.0**2),
    ]
    assert q.due_sums(session, Scope.nothing(), END).columns.tolist() == SUMS


def test_fqq006_due_sums_on_a_past_day_read_the_deals_open_then_at_their_level_then(session, due):
    got = q.due_sums(session, Scope.rep(due["r1"].id), END, as_of=AS_OF)
    # L1: N-FRESH (no entry before 10-01); L2: N-BIG (its 10-01 entry not read); L3: N-TIE-A (the higher of one
    # day's entries) + N-WON (closed on 10-01); L4: N-TIE-B (entered the day before); not N-NEW (created on 10-01),
    # N-LOST (closed the day before), N-LATE, R2's or South's
    assert _sums(got) == [
        (1, 1, 4_000.0, 16_000_000.0),
        (2, 1, 10_000.0, 100_000_000.0),
        (3, 2, 11_000.0, 73_000_000.0),
        (4, 1, 3_000.0, 9_000_000.0),
    ]
    team = q.due_sums(session, Scope.team(due["north"]), END, as_of=AS_OF)
    assert _sums(team)[0] == (1, 2, 6_000.0, 20_000_000.0)  # + R2-OPEN, at L1 since 01-10
    assert _sums(team)[1:] == _sums(got)[1:]
    everything = q.due_sums(session, Scope.everything(), END, as_of=AS_OF)
    assert _sums(everything)[2:] == [
        (3, 3, 18_777.0, 73_000_000.0 + 7_777.0**2),
        (4, 2, 80_777.0, 9_000_000.0 + 77_777.0**2),
        (5, 1, 777.0, 777.0**2),  # S-WON, closed on the day, entered L5 on 01-10
    ]
    # the day after: N-NEW is open then (created before), N-WON is not (closed before); N-BIG's and N-FRESH's
    # 10-01 entries are read
    after = q.due_sums(session, Scope.rep(due["r1"].id), END, as_of=date(2026, 10, 2))
    assert _sums(after) == [
        (2, 1, 6_000.0, 36_000_000.0),
        (3, 2, 13_000.0, 109_000_000.0),
        (4, 2, 7_000.0, 25_000_000.0),
    ]


def test_fqq007_due_largest_today_are_the_largest_first_ties_by_code(session, due):
    got = q.due_largest(session, Scope.rep(due["r1"].id), END, 10)
    assert _deals(got) == [
        ("N-BIG", "Big one", "North One", "North Rep", 3, 10_000.0, "2026-12-31"),
        ("N-NEW", "New one", "North One", "North Rep", 2, 6_000.0, "2026-11-15"),
        ("N-FRESH", "Fresh one", "North One", "North Rep", 4, 4_000.0, "2026-12-15"),
        ("N-TIE-A", "Tie A", "North Two", "North Rep", 3, 3_000.0, "2026-11-01"),
        ("N-TIE-B", "Tie B", "North Two", "North Rep", 4, 3_000.0, "2026-12-30"),
    ]
    four = q.due_largest(session, Scope.rep(due["r1"].id), END, 4)
    assert [r[0] for r in _deals(four)] == ["N-BIG", "N-NEW", "N-FRESH", "N-TIE-A"]
    assert [r[0] for r in _deals(q.due_largest(session, Scope.rep(due["r1"].id), date(2026, 12, 30), 10))] == [
        "N-NEW",
        "N-FRESH",
        "N-TIE-A",
        "N-TIE-B",
    ]
    team = q.due_largest(session, Scope.team(due["north"]), END, 10)
    assert _deals(team)[-1] == ("R2-OPEN", "Second's", "North One", "Second Rep", 1, 2_000.0, "2026-12-01")
    assert len(team) == 6
    everything = q.due_largest(session, Scope.everything(), END, 2)
    assert _deals(everything) == [
        ("S-OPEN", "South open", "South One", "South Rep", 4, 77_777.0, "2026-12-01"),
        ("N-BIG", "Big one", "North One", "North Rep", 3, 10_000.0, "2026-12-31"),
    ]


def test_fqq008_due_largest_on_a_past_day_show_the_level_then(session, due):
    got = q.due_largest(session, Scope.rep(due["r1"].id), END, 10, as_of=AS_OF)
    assert _deals(got) == [
        ("N-BIG", "Big one", "North One", "North Rep", 2, 10_000.0, "2026-12-31"),
        ("N-WON", "Won one", "North Two", "North Rep", 3, 8_000.0, "2026-10-15"),
        ("N-FRESH", "Fresh one", "North One", "North Rep", 1, 4_000.0, "2026-12-15"),
        ("N-TIE-A", "Tie A", "North Two", "North Rep", 3, 3_000.0, "2026-11-01"),
        ("N-TIE-B", "Tie B", "North Two", "North Rep", 4, 3_000.0, "2026-12-30"),
    ]
    assert [r[0] for r in _deals(q.due_largest(session, Scope.rep(due["r1"].id), END, 1, as_of=AS_OF))] == ["N-BIG"]
    team = q.due_largest(session, Scope.team(due["north"]), END, 10, as_of=AS_OF)
    assert [r[0] for r in _deals(team)] == ["N-BIG", "N-WON", "N-FRESH", "N-TIE-A", "N-TIE-B", "R2-OPEN"]
    none = q.due_largest(session, Scope.nothing(), END, 10, as_of=AS_OF)
    assert none.empty and list(none.columns) == DEALS


# ---- pipeline_due_by_class, bookings_by_class, outcomes_by_class


@pytest.fixture()
def classes(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """The accounts' classes (data dictionary: R if SOW >= 50%, A if < 10%, D otherwise), from their BPs and the
    contracts signed in the year (whoever's deal), each contract of a won deal closed on its signing day:
    NA1 2026: BP 100,000, booked 40,000 (01-01, the first day) + 15,000 (12-31, the last) + South's 777: 55.8%, R;
        2025: BP 100,000, booked 1,000 (2025-12-31): 1%, A; a contract of 2,000 on 2027-01-01 (no BP: unknown)
    NA2 2026: BP 100,000, booked 20,000 (07-01): 20%, D; 2025: BP 10,000, booked 6,000 (05-01): 60%, R
    NB1 (R2) 2026: BP 100,000, booked 5,000 (03-01): 5%, A
    NO1: manual A, no row in either year; NC1: none in either year; SA1 2026: BP 777,777, booked 7,777 (05-01): A.
    Open deals (R1's unless said): NA1 10,000 due 12-31 and 1,500 due 11-01 (R), 5,000 due 2027-01-01 (not due);
    NA2 3,000 due 12-30 (D); NO1 4,000 (A); NC1 2,500 (none); R2's NB1 6,000 (A); South's at NA1 7,777 and at SA1
    77,777.
    Closed in Q4 (besides the 12-31 contract's deal, won 15,000 at NA1): NA1 lost 4,000 on 10-01; NA2 won 3,000 on
    10-20, lost 2,000 on 11-15; NO1 won 1,200 on 11-01; NC1 lost 800 on 12-01; NA1 lost 900 on 09-30 (before);
    NA1 reopened 3,333 (open, closed 08-15, due 2027-02-01); R2's NB1 lost 600 on 10-10; South's at NA1 lost 7,777
    on 11-01, at SA1 won 77,777 on 11-01."""
    seed = Seed(session)
    na1, na2, nb1, no1, nc1, sa1 = (world[c] for c in ("NA1", "NA2", "NB1", "NO1", "NC1", "SA1"))
    r2, s1 = world["r2"], world["s1"]
    seed.bp(na1, 2026, 100_000)
    seed.bp(na1, 2025, 100_000)
    seed.bp(na2, 2026, 100_000)
    seed.bp(na2, 2025, 10_000)
    seed.bp(nb1, 2026, 100_000)
    seed.bp(sa1, 2026, 777_777)
    old = date(2025, 1, 10)
    for acc, amount, day, owner, code in [
        (na1, 40_000, date(2026, 1, 1), None, "C1"),
        (na1, 15_000, END, None, "C2"),
        (na1, 777, date(2026, 6, 1), s1, "S-C3"),
        (na1, 1_000, date(2025, 12, 31), None, "C4"),
        (na1, 2_000, AFTER, None, "C5"),
        (na2, 20_000, date(2026, 7, 1), None, "C6"),
        (na2, 6_000, date(2025, 5, 1), None, "C7"),
        (nb1, 5_000, date(2026, 3, 1), r2, "C8"),
        (sa1, 7_777, date(2026, 5, 1), s1, "S-C9"),
    ]:
        opp = _deal(session, acc, amount, 5, "won", code=code, owner=owner, created=old, closed=day)
        seed.contract(opp, amount, day)
    for acc, amount, expected, owner, code in [
        (na1, 10_000, END, None, "P1"),
        (na1, 1_500, date(2026, 11, 1), None, "P2"),
        (na1, 5_000, AFTER, None, "P3"),
        (na2, 3_000, date(2026, 12, 30), None, "P4"),
        (no1, 4_000, date(2026, 12, 1), None, "P5"),
        (nc1, 2_500, date(2026, 12, 1), None, "P6"),
        (nb1, 6_000, date(2026, 12, 1), r2, "P7"),
        (na1, 7_777, date(2026, 12, 1), s1, "S-P8"),
        (sa1, 77_777, date(2026, 12, 1), s1, "S-P9"),
    ]:
        _deal(session, acc, amount, 3, code=code, owner=owner, expected=expected)
    for acc, amount, status, closed, owner, code in [
        (na1, 4_000, "lost", START, None, "O1"),
        (na2, 3_000, "won", date(2026, 10, 20), None, "O2"),
        (na2, 2_000, "lost", date(2026, 11, 15), None, "O3"),
        (no1, 1_200, "won", date(2026, 11, 1), None, "O4"),
        (nc1, 800, "lost", date(2026, 12, 1), None, "O5"),
        (na1, 900, "lost", BEFORE, None, "O6"),
        (na1, 3_333, "open", date(2026, 8, 15), None, "O7"),
        (nb1, 600, "lost", date(2026, 10, 10), r2, "O8"),
        (na1, 7_777, "lost", date(2026, 11, 1), s1, "S-O9"),
        (sa1, 77_777, "won", date(2026, 11, 1), s1, "S-O10"),
    ]:
        expected = date(2027, 2, 1) if status == "open" else date(2026, 12, 1)
        _deal(session, acc, amount, 4, status, code=code, owner=owner, closed=closed, expected=expected)
    session.commit()
    return world


def _per_class(frame: pd.DataFrame, *columns: str) -> dict[str, tuple[float, ...]]:
    assert list(frame.columns) == ["rad_class", *columns]
    got = {str(r["rad_class"]): tuple(float(r[c]) for c in columns) for r in frame.to_dict("records")}
    assert len(got) == len(frame)  # one row per class
    return got


def test_fqq009_pipeline_due_by_class_of_the_accounts_in_the_year(session, classes):
    r1 = Scope.rep(classes["r1"].id)
    got = q.pipeline_due_by_class(session, r1, END, 2026)
    # NA1 10,000 (due on the last day) + 1,500; NA2; NO1 by its override (no row); NC1 unknown
    assert _per_class(got, "amount") == {"R": (11_500.0,), "D": (3_000.0,), "A": (4_000.0,), "none": (2_500.0,)}
    assert _per_class(q.pipeline_due_by_class(session, r1, date(2026, 12, 30), 2026), "amount") == {
        "R": (1_500.0,),
        "D": (3_000.0,),
        "A": (4_000.0,),
        "none": (2_500.0,),
    }
    # 2025's classes: NA1 A, NA2 R, NO1 A (override), NC1 none
    assert _per_class(q.pipeline_due_by_class(session, r1, END, 2025), "amount") == {
        "A": (15_500.0,),
        "R": (3_000.0,),
        "none": (2_500.0,),
    }
    team = q.pipeline_due_by_class(session, Scope.team(classes["north"]), END, 2026)
    assert _per_class(team, "amount") == {"R": (11_500.0,), "D": (3_000.0,), "A": (10_000.0,), "none": (2_500.0,)}
    everything = q.pipeline_due_by_class(session, Scope.everything(), END, 2026)
    assert _per_class(everything, "amount") == {
        "R": (19_277.0,),
        "D": (3_000.0,),
        "A": (87_777.0,),
        "none": (2_500.0,),
    }
    assert _per_class(q.pipeline_due_by_class(session, Scope.nothing(), END, 2026), "amount") == {}


def test_fqq010_bookings_by_class_are_the_scopes_contracts_signed_in_the_window(session, classes):
    r1 = Scope.rep(classes["r1"].id)
    year = q.bookings_by_class(session, r1, date(2026, 1, 1), END, 2026)
    # 40,000 on the first day + 15,000 on the last (not South's 777, not 2025-12-31's or 2027-01-01's); NA2's
    assert _per_class(year, "amount") == {"R": (55_000.0,), "D": (20_000.0,)}
    inner = q.bookings_by_class(session, r1, date(2026, 1, 2), date(2026, 12, 30), 2026)
    assert _per_class(inner, "amount") == {"D": (20_000.0,)}
    # last year's bookings (the loader's) by this year's classes, and by last year's
    assert _per_class(q.bookings_by_class(session, r1, date(2025, 1, 1), date(2025, 12, 31), 2026), "amount") == {
        "R": (1_000.0,),
        "D": (6_000.0,),
    }
    assert _per_class(q.bookings_by_class(session, r1, date(2025, 1, 1), date(2025, 12, 31), 2025), "amount") == {
        "A": (1_000.0,),
        "R": (6_000.0,),
    }
    team = q.bookings_by_class(session, Scope.team(classes["north"]), date(2026, 1, 1), END, 2026)
    assert _per_class(team, "amount") == {"R": (55_000.0,), "D": (20_000.0,), "A": (5_000.0,)}
    everything = q.bookings_by_class(session, Scope.everything(), date(2026, 1, 1), END, 2026)
    assert _per_class(everything, "amount") == {"R": (55_777.0,), "D": (20_000.0,), "A": (12_777.0,)}


def test_fqq011_outcomes_by_class_split_won_and_lost_amounts(session, classes):
    r1 = Scope.rep(classes["r1"].id)
    got = q.outcomes_by_class(session, r1, START, END, 2026)
    assert _per_class(got, "won_amount", "lost_amount") == {
        "R": (15_000.0, 4_000.0),  # NA1: won on the last day, lost on the first; not 09-30's, nor South's 7,777
        "D": (3_000.0, 2_000.0),
        "A": (1_200.0, 0.0),  # NO1, by its override
        "none": (0.0, 800.0),
    }
    inner = q.outcomes_by_class(session, r1, date(2026, 10, 2), date(2026, 12, 30), 2026)
    assert _per_class(inner, "won_amount", "lost_amount") == {
        "D": (3_000.0, 2_000.0),
        "A": (1_200.0, 0.0),
        "none": (0.0, 800.0),
    }
    last_years = q.outcomes_by_class(session, r1, START, END, 2025)
    assert _per_class(last_years, "won_amount", "lost_amount") == {
        "A": (16_200.0, 4_000.0),
        "R": (3_000.0, 2_000.0),
        "none": (0.0, 800.0),
    }
    team = q.outcomes_by_class(session, Scope.team(classes["north"]), START, END, 2026)
    assert _per_class(team, "won_amount", "lost_amount")["A"] == (1_200.0, 600.0)
    everything = q.outcomes_by_class(session, Scope.everything(), START, END, 2026)
    assert _per_class(everything, "won_amount", "lost_amount") == {
        "R": (15_000.0, 11_777.0),
        "D": (3_000.0, 2_000.0),
        "A": (78_977.0, 600.0),
        "none": (0.0, 800.0),
    }


def test_fqq012_outcomes_by_class_skip_a_reopened_deal_and_the_day_before(session, classes):
    r1 = Scope.rep(classes["r1"].id)
    # 08-15: only the reopened deal (open, with a close date) is dated then
    assert (
        _per_class(
            q.outcomes_by_class(session, r1, date(2026, 8, 1), date(2026, 8, 31), 2026), "won_amount", "lost_amount"
        )
        == {}
    )
    assert _per_class(q.outcomes_by_class(session, r1, BEFORE, BEFORE, 2026), "won_amount", "lost_amount") == {
        "R": (0.0, 900.0)
    }


# ---- the survivors of the first mutation run of this module (docs/testing.md)


def test_fqq013_the_counts_and_levels_are_integers_the_amounts_floats_even_with_no_row(session, outcomes):
    """Counts and levels are integers, amounts floats, with rows (the deals of ``outcomes``) and without any (nothing
    in scope): a frame of no row has the same dtypes (``astype(None)`` would make every column float)."""
    ints = {"level": "int64", "closed": "int64", "won": "int64", "on_time": "int64"}
    for scope in (Scope.rep(outcomes["r1"].id), Scope.nothing()):
        got = q.level_outcomes(session, scope, START, END)
        assert got.dtypes.astype(str).to_dict() == ints
    sums = {"level": "int64", "count": "int64", "amount": "float64", "amount2": "float64"}
    for scope in (Scope.rep(outcomes["r1"].id), Scope.nothing()):
        for as_of in (None, AS_OF):
            got = q.due_sums(session, scope, END, as_of=as_of)
            assert got.dtypes.astype(str).to_dict() == sums
    # with rows, each deal 1,000 due by 12-01: today F and G (open, at L1); on 10-01 also the deals closed on or
    # after it, at their level then: A (L5 since 09-01), B (L2 since 04-01), C (L3 since 06-01), E (L1)
    r1 = Scope.rep(outcomes["r1"].id)
    assert _sums(q.due_sums(session, r1, END)) == [(1, 2, 2_000.0, 2_000_000.0)]
    assert _sums(q.due_sums(session, r1, END, as_of=AS_OF)) == [
        (1, 3, 3_000.0, 3_000_000.0),
        (2, 1, 1_000.0, 1_000_000.0),
        (3, 1, 1_000.0, 1_000_000.0),
        (5, 1, 1_000.0, 1_000_000.0),
    ]


def test_fqq014_a_deal_moved_back_down_is_at_its_latest_entrys_level_not_its_highest(session, world):
    """N-BACK, R1 at NA1, open 5,000 L2 due 12-01: entered L4 on 02-01 and went back to L2 on 06-01 (an import
    appends the new level whatever its direction), then L5 on 10-01 (the past day itself: not read then). On 10-01
    it stood at L2; on 10-02 at L5."""
    _deal(
        session,
        world["NA1"],
        5_000,
        2,
        code="N-BACK",
        name="Back one",
        stages=[(date(2026, 2, 1), 4), (date(2026, 6, 1), 2), (AS_OF, 5)],
    )
    session.commit()
    r1 = Scope.rep(world["r1"].id)
    assert _sums(q.due_sums(session, r1, END, as_of=AS_OF)) == [(2, 1, 5_000.0, 25_000_000.0)]
    assert _deals(q.due_largest(session, r1, END, 10, as_of=AS_OF)) == [
        ("N-BACK", "Back one", "North One", "North Rep", 2, 5_000.0, "2026-12-01")
    ]
    assert _sums(q.due_sums(session, r1, END, as_of=date(2026, 10, 2))) == [(5, 1, 5_000.0, 25_000_000.0)]
