"""The overview queries' whole answers on small hand-built databases: every row and column, the range's first and
last day beside a day outside, the status filters, scope, ordering of ties and the lists' limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access.queries import overview as q
from data_access.scope import ProductLine, Scope
from tests.builders import Seed
from tests.conftest import BACKEND

TODAY = date(2026, 6, 30)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _records(df: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The frame's rows as plain tuples (NaN/None as None, floats rounded to the fen)."""
    out = []
    for row in df.itertuples(index=False):
        out.append(
            tuple(
                None if (not isinstance(v, str) and pd.isna(v)) else (round(float(v), 2) if isinstance(v, float) else v)
                for v in row
            )
        )
    return out


@pytest.fixture()
def world(session: Session) -> dict[str, Any]:
    """Teams East and West; reps A1 and A2 (East), B1 (West), N1 (no team). Account Acme is A1's, but deal d1 on
    it is A2's (a deal's owner is not its account's owner). Contracts and payments below, by hand."""
    seed = Seed(session)
    east, west = seed.team("East"), seed.team("West")
    a1 = seed.rep("A1", east, name="Alice")
    a2 = seed.rep("A2", east, name="Amy")
    b1 = seed.rep("B1", west, name="Bob")
    n1 = seed.rep("N1", None, name="Nobody")
    acme, beta = seed.account("ACC-A", a1, name="Acme"), seed.account("ACC-B", b1, name="Beta")
    nil = seed.account("ACC-N", n1, name="Nil")
    won = date(2026, 1, 15)  # the deals behind the contracts, won long before
    d1 = seed.opp(acme, 500, 5, "won", owner=a2, code="OP-1", product_line="Cloud", closed=won)
    d2 = seed.opp(acme, 300, 5, "won", code="OP-2", product_line="Soft", closed=won)
    d3 = seed.opp(beta, 500, 5, "won", code="OP-3", product_line="Cloud", closed=won)
    d4 = seed.opp(acme, 100, 5, "won", code="OP-4", product_line="Soft", closed=won)
    d5 = seed.opp(beta, 1700, 5, "won", code="OP-5", product_line="Soft", closed=won)
    d6 = seed.opp(nil, 70, 5, "won", code="OP-6", product_line="Soft", closed=won)
    # inserted before HT-B, which it ties at 500: only the ORDER BY's second key puts HT-B first
    c_c = seed.contract(d1, 500, date(2026, 3, 1), gm=100, code="HT-C")  # the range's first day
    c_a = seed.contract(d2, 300, date(2026, 3, 31), gm=30, code="HT-A")  # its last day
    c_b = seed.contract(d3, 500, date(2026, 3, 15), gm=50, code="HT-B")
    c_0 = seed.contract(d4, 100, date(2026, 3, 10), gm=10, code="HT-0")  # first by code, last by amount
    seed.contract(d5, 900, date(2026, 2, 28), gm=90, code="HT-D")  # a day before
    seed.contract(d5, 800, date(2026, 4, 1), gm=80, code="HT-E")  # a day after (April)
    seed.contract(d6, 70, date(2026, 4, 30), gm=7, code="HT-F")  # April, a rep without a team
    # payments (TODAY 2026-06-30); HT-C's is inserted before HT-A's of the same due date
    seed.payment(c_c, "progress", date(2026, 5, 1), 200, paid=50, paid_date=date(2026, 5, 2))  # owes 150
    seed.payment(c_a, "advance", date(2026, 5, 1), 80)  # owes 80 (nothing paid)
    seed.payment(c_b, "acceptance", date(2026, 4, 1), 60, paid=0)  # owes 60, the oldest
    seed.payment(c_0, "retention", date(2026, 6, 29), 40)  # a day before today
    seed.payment(c_0, "acceptance", date(2026, 6, 30), 45)  # due today
    seed.payment(c_a, "progress", date(2026, 3, 1), 100, paid=100, paid_date=date(2026, 3, 1))  # fully paid
    session.commit()
    return {"east": east, "west": west, "a1": a1, "a2": a2, "b1": b1, "n1": n1}


def test_oqm001_booked_contracts_whole_rows_largest_first_ties_by_code(session: Session, world: dict[str, Any]) -> None:
    """March's four contracts (first and last day in, 02-28 and 04-01 out), largest first, the tie at 500 by
    contract code; every column (deal owner A2 is not the account's owner A1); limit 3 keeps the count and sum."""
    got = q.booked_contracts(session, Scope.everything(), *MARCH, limit=3)
    assert _records(got.rows) == [
        ("HT-B", "OP-3", "Beta", "Bob", date(2026, 3, 15), 500.0, 50.0),
        ("HT-C", "OP-1", "Acme", "Amy", date(2026, 3, 1), 500.0, 100.0),
        ("HT-A", "OP-2", "Acme", "Alice", date(2026, 3, 31), 300.0, 30.0),
    ]
    assert list(got.rows.columns) == q.BOOKED_COLUMNS
    assert (got.n, got.amount) == (4, 1400.0)


def test_oqm002_booked_contracts_scoped(session: Session, world: dict[str, Any]) -> None:
    """A rep's scope keeps the deals the rep owns (HT-A, HT-0: A1's, not A2's HT-C on A1's account); a team's
    its reps'."""
    rep = q.booked_contracts(session, Scope.rep(world["a1"].id), *MARCH, limit=10)
    assert _records(rep.rows) == [
        ("HT-A", "OP-2", "Acme", "Alice", date(2026, 3, 31), 300.0, 30.0),
        ("HT-0", "OP-4", "Acme", "Alice", date(2026, 3, 10), 100.0, 10.0),
    ]
    assert (rep.n, rep.amount) == (2, 400.0)
    team = q.booked_contracts(session, Scope.team(world["east"].id), *MARCH, limit=10)
    assert [r[0] for r in _records(team.rows)] == ["HT-C", "HT-A", "HT-0"]
    assert (team.n, team.amount) == (3, 900.0)


def test_oqm003_overdue_list_whole_rows_oldest_first_ties_by_code(session: Session, world: dict[str, Any]) -> None:
    """Payments at least a day late on 2026-06-30 and owing more than half a fen: oldest first, the two due
    05-01 by contract code; the one due today and the fully paid one left out; owed = amount less paid."""
    got = q.overdue_list(session, Scope.everything(), TODAY, 1, None, limit=10)
    assert _records(got.rows) == [
        ("HT-B", "OP-3", "Beta", "Bob", "acceptance", date(2026, 4, 1), 60.0),
        ("HT-A", "OP-2", "Acme", "Alice", "advance", date(2026, 5, 1), 80.0),
        ("HT-C", "OP-1", "Acme", "Amy", "progress", date(2026, 5, 1), 150.0),
        ("HT-0", "OP-4", "Acme", "Alice", "retention", date(2026, 6, 29), 40.0),
    ]
    assert list(got.rows.columns) == q.OVERDUE_COLUMNS
    assert (got.n, got.amount) == (4, 330.0)


def test_oqm004_overdue_list_bounds_limit_and_today(session: Session, world: dict[str, Any]) -> None:
    """last_day 60 keeps due 05-01 (60 days) and drops 04-01; first_day 0 adds the payment due today; limit 2
    keeps the count and sum of all."""
    got = q.overdue_list(session, Scope.everything(), TODAY, 1, 60, limit=10)
    assert [(r[0], r[5]) for r in _records(got.rows)] == [
        ("HT-A", date(2026, 5, 1)),
        ("HT-C", date(2026, 5, 1)),
        ("HT-0", date(2026, 6, 29)),
    ]
    assert (got.n, got.amount) == (3, 270.0)
    today = q.overdue_list(session, Scope.everything(), TODAY, 0, 0, limit=10)
    assert _records(today.rows) == [("HT-0", "OP-4", "Acme", "Alice", "acceptance", date(2026, 6, 30), 45.0)]
    assert (today.n, today.amount) == (1, 45.0)
    first = q.overdue_list(session, Scope.everything(), TODAY, 1, None, limit=2)
    assert [r[0] for r in _records(first.rows)] == ["HT-B", "HT-A"]
    assert (first.n, first.amount) == (4, 330.0)


def test_oqm005_overdue_and_unpaid_under_a_product_line(session: Session, world: dict[str, Any]) -> None:
    """The whole company's Cloud deals (d1, d3; on SQLite read through the unindexed account id): HT-B's and
    HT-C's payments only, in the list and in the per-due-date sums; a rep's scope with it too."""
    cloud = Scope.everything().narrow(deals=(ProductLine("Cloud"),))
    got = q.overdue_list(session, cloud, TODAY, 1, None, limit=10)
    assert [(r[0], r[6]) for r in _records(got.rows)] == [("HT-B", 60.0), ("HT-C", 150.0)]
    assert (got.n, got.amount) == (2, 210.0)
    unpaid = q.unpaid_payments_due_before(session, cloud, TODAY)
    assert _records(unpaid) == [(date(2026, 4, 1), 60.0, 0.0, 1), (date(2026, 5, 1), 200.0, 50.0, 1)]
    every = q.unpaid_payments_due_before(session, Scope.everything(), TODAY)
    assert _records(every) == [
        (date(2026, 4, 1), 60.0, 0.0, 1),
        (date(2026, 5, 1), 280.0, 50.0, 2),
        (date(2026, 6, 29), 40.0, 0.0, 1),
    ]
    a2_cloud = Scope.rep(world["a2"].id).narrow(deals=(ProductLine("Cloud"),))
    mine = q.overdue_list(session, a2_cloud, TODAY, 1, None, limit=10)
    assert [r[0] for r in _records(mine.rows)] == ["HT-C"]
    assert _records(q.unpaid_payments_due_before(session, a2_cloud, TODAY)) == [(date(2026, 5, 1), 200.0, 50.0, 1)]


def test_oqm006_bookings_by_month_per_team_and_rep(session: Session, world: dict[str, Any]) -> None:
    """March and April: per team (East's three March contracts in one row, the teamless rep's under None) and
    per rep (two reps' March rows kept apart); month an int, bookings a float."""
    start, end = date(2026, 3, 1), date(2026, 4, 30)
    ids = {k: world[k].id for k in ("east", "west", "a1", "a2", "b1", "n1")}
    by_team = q.bookings_by_month(session, Scope.everything(), start, end, "team")
    assert str(by_team["month"].dtype) == "int64" and str(by_team["bookings"].dtype) == "float64"
    rows = sorted(_records(by_team), key=lambda r: (r[0], -1 if r[1] is None else r[1]))
    expected = [(3, ids["east"], 900.0), (3, ids["west"], 500.0), (4, None, 70.0), (4, ids["west"], 800.0)]
    assert rows == sorted(expected, key=lambda r: (r[0], -1 if r[1] is None else r[1]))
    by_rep = q.bookings_by_month(session, Scope.everything(), start, end, "rep")
    assert str(by_rep["month"].dtype) == "int64" and str(by_rep["bookings"].dtype) == "float64"
    assert sorted(_records(by_rep)) == sorted(
        [
            (3, ids["a1"], 400.0),
            (3, ids["a2"], 500.0),
            (3, ids["b1"], 500.0),
            (4, ids["b1"], 800.0),
            (4, ids["n1"], 70.0),
        ]
    )
    east = q.bookings_by_month(session, Scope.team(ids["east"]), start, end, "rep")
    assert sorted(_records(east)) == sorted([(3, ids["a1"], 400.0), (3, ids["a2"], 500.0)])


def test_oqm007_rep_teams_with_a_teamless_rep(session: Session, world: dict[str, Any]) -> None:
    """Every rep's team, None for N1 (no team); a team's scope its own reps."""
    ids = {k: world[k].id for k in ("east", "west", "a1", "a2", "b1", "n1")}
    assert q.rep_teams(session, Scope.everything()) == {
        ids["a1"]: ids["east"],
        ids["a2"]: ids["east"],
        ids["b1"]: ids["west"],
        ids["n1"]: None,
    }
    assert q.rep_teams(session, Scope.team(ids["east"])) == {ids["a1"]: ids["east"], ids["a2"]: ids["east"]}


@pytest.fixture()
def closed(session: Session) -> dict[str, Any]:
    """Deals closed around March 2026 by A1 (East) and B1 (West); an open deal carrying a close date in March."""
    seed = Seed(session)
    east, west = seed.team("East"), seed.team("West")
    a1, b1 = seed.rep("A1", east, name="Alice"), seed.rep("B1", west, name="Bob")
    acc_a, acc_b = seed.account("ACC-A", a1, name="Acme"), seed.account("ACC-B", b1, name="Beta")
    seed.opp(acc_a, 100, 5, "won", closed=date(2026, 3, 1), code="W-1", expected=date(2026, 3, 5))  # first day
    seed.opp(acc_b, 250, 5, "won", closed=date(2026, 3, 1), code="W-2", expected=date(2026, 3, 6))  # same day
    seed.opp(acc_a, 40, 3, "lost", closed=date(2026, 3, 31), code="L-1", expected=date(2026, 3, 7))  # last day
    seed.opp(acc_a, 30, 2, "lost", closed=date(2026, 3, 31), code="L-2", expected=date(2026, 3, 8))
    seed.opp(acc_a, 70, 5, "won", closed=date(2026, 2, 28), code="W-0")  # a day before
    seed.opp(acc_b, 60, 4, "lost", closed=date(2026, 4, 1), code="L-9")  # a day after
    seed.opp(acc_a, 1000, 4, "open", closed=date(2026, 3, 15), code="O-1")  # open: never a won or lost
    session.commit()
    return {"a1": a1, "b1": b1}


def test_oqm008_closed_by_day_whole_frame(session: Session, closed: dict[str, Any]) -> None:
    """Per status and close date: two won on 03-01 summed, two lost on 03-31 summed; 02-28, 04-01 and the open
    deal left out; a rep's scope its own."""
    got = q.closed_by_day(session, Scope.everything(), *MARCH)
    assert str(got["count"].dtype) == "int64" and str(got["amount"].dtype) == "float64"
    assert sorted(_records(got)) == [("lost", date(2026, 3, 31), 2, 70.0), ("won", date(2026, 3, 1), 2, 350.0)]
    rep = q.closed_by_day(session, Scope.rep(closed["b1"].id), *MARCH)
    assert _records(rep) == [("won", date(2026, 3, 1), 1, 250.0)]


def test_oqm009_listed_deals_won_lost_whole_rows(session: Session, closed: dict[str, Any]) -> None:
    """The won and lost lists of March, every column with the close date; an unknown kind is refused by name."""
    won = q.listed_deals(session, Scope.everything(), "won", *MARCH, None, limit=10)
    assert list(won.rows.columns) == q.LISTED_DEAL_COLUMNS
    assert _records(won.rows) == [
        ("W-2", "deal", "Beta", "Bob", 5, 250.0, date(2026, 3, 6), date(2026, 3, 1)),
        ("W-1", "deal", "Acme", "Alice", 5, 100.0, date(2026, 3, 5), date(2026, 3, 1)),
    ]
    assert (won.n, won.amount) == (2, 350.0)
    lost = q.listed_deals(session, Scope.everything(), "lost", *MARCH, None, limit=1)
    assert _records(lost.rows) == [("L-1", "deal", "Acme", "Alice", 3, 40.0, date(2026, 3, 7), date(2026, 3, 31))]
    assert (lost.n, lost.amount) == (2, 70.0)
    with pytest.raises(ValueError, match=r"^no deal list 'stalled'$"):
        q.listed_deals(session, Scope.everything(), "stalled", *MARCH, None, limit=10)


def test_oqm010_half_a_fen_owed_is_paid(session: Session) -> None:
    """A payment of exactly half a fen (0.005), nothing paid: not unpaid (more than half a fen must be owed).
    PostgreSQL keeps money to the fen (0.01, owed, listed); SQLite keeps 0.005 as written."""
    seed = Seed(session)
    a1 = seed.rep("A1", seed.team("East"), name="Alice")
    deal = seed.opp(seed.account("ACC-A", a1, name="Acme"), 1, 5, "won", closed=date(2026, 1, 1), code="OP-1")
    c = seed.contract(deal, 1, date(2026, 1, 2), code="HT-1")
    seed.payment(c, "advance", date(2026, 2, 1), 0.005)
    session.commit()
    got = q.overdue_list(session, Scope.everything(), TODAY, 1, None, limit=10)
    if BACKEND == "sqlite":
        assert (got.n, _records(got.rows)) == (0, [])
    else:
        assert _records(got.rows) == [("HT-1", "OP-1", "Acme", "Alice", "advance", date(2026, 2, 1), 0.01)]
