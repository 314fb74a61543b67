"""The risk flags' own queries (``data_access.queries.risk``) on a hand-built database, every expected row written
below (issue 23: a wrong number, a dropped filter or a forgotten scope must fail a test).

Team North: reps R1 (owner of NA1, NA2, NA3) and R2 (owner of NB1), manager M1; team South: rep S1 (owner of
SA1). The period is 2026-Q2 (2026-04-01 .. 2026-06-30), the floor default 15%. The price list: P1 "Cable" (list
100, cost 60, no floor of its own), P2 "Switch" (list 250, cost 100, its own floor 50%), P3 "Licence" (list 50,
cost 0, no floor).

Quotes of the period on R1's open deal N-DEAL (at NA1), lines as (product, quantity, unit price, approver):
  Q-N1 04-01 (the first day)  P2 2 x 190 (47% < its own 50%: below) and P1 3 x 72 (16.7%: above 15%, below 20%)
  Q-N2 05-20                  P2 1 x 150 and P1 2 x 95, both approved by R1, the deal's owner: self-approved
  Q-N3 05-10                  P1 4 x 0 (given away at a cost: below) and P2 1 x 120 approved by M1 (not flagged)
  Q-N5 06-30                  P1 1 x 80 (25%), P2 1 x 200 (exactly its 50%), P3 5 x 0 (free, costs nothing)
  Q-N6 06-30 (the last day)   P1 1 x 60 (0%: below)
  Q-N0 03-31 and Q-N9 07-01   P1 1 x 10 each (below, but the day before and the day after the period)
R2's deal R2-DEAL (at NB1): Q-R2 05-10 P1 1 x 50 (below); Q-R2S 05-11 P1 1 x 90 approved by R2 (self) and
P2 1 x 240 approved by R1 (not the owner: not flagged).
South's canaries, on the period's own days: S-AT-NA1 (S1's deal at R1's account NA1) Q-S1 04-01 P1 7 x 7 (below)
and Q-S2 06-30 P2 7 x 177 approved by S1 (self); S-DEAL (at SA1) Q-S3 05-10 P1 77 x 7 (below).

Contracts (the deals' quotes are all dated in Q1, so they are none of the lines above):
  HT-N1 1,899 signed 04-01 on R1's won N-W1 (NA1): current quote Q-W1-B (03-05, 2,000) over Q-W1-A (02-01)
  HT-N2 1,900 signed 05-15 on R1's won N-W2 (NA2): quote 2,000, exactly 5% below: not flagged at 5%
  HT-N3   900 signed 06-30 on R1's won N-W3 (NA1): Q-W3-A and Q-W3-B both 03-10 (B, the greater code, is
          current: 1,000), Q-W3-C older (02-01) with the greatest code
  HT-N4   500 signed 03-31 and HT-N5 500 signed 07-01 on R1's won deals (quotes of 1,000): outside the period
  HT-N6   100 signed 05-01 on R1's open deal N-OPEN (quote 1,000): not a won deal
  HT-R2   800 signed 05-01 on R2's won R2-W (NB1, quote 1,000)
  HT-S1   777 signed 04-01 on S1's won S-W at NA1 (quote 7,700); HT-S2 77,777 signed 02-01 at SA1 (no quote)
  HT-A3 5,555 signed 2025-06-01 on R1's won deal at NA3 (2025's bookings only)

Events (cost; attended accounts; invited but absent):
  E0 2025-12-31 5,000 (NA1, NA2); E9 2027-01-01 9,000 (NA1)
  E1 2026-01-01 "New year dinner" 1,000 (NA2, SA1; NA1 absent); E-B 06-15 "Summit B" 600 (NA2)
  E-A 06-15 "Summit A" 300 (NA3, NB1); E-S 06-15 "South gala" 7,777 (SA1; NA1 absent); E2 12-31 "Year end" 3,000
  (NA3)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Account, Event, EventAttendee, Opportunity, Product, QuoteLine, Rep, Team
from data_access.queries import risk as q
from data_access.scope import ProductLine, RadClass, Scope
from metrics.support import ContractRow, EventCost, LineRow, Quote, QuoteOwner, RepDiscount
from tests.builders import Seed

START, END = date(2026, 4, 1), date(2026, 6, 30)
FLOOR = 0.15


def _product(session: Session, code: str, name: str, list_price: float, cost: float, floor: float | None) -> Product:
    p = Product(
        product_code=code, product_line="网络", name=name, list_price=list_price, unit_cost=cost, floor_margin=floor
    )
    session.add(p)
    session.flush()
    return p


def _quote(
    session: Session,
    code: str,
    opp: Opportunity,
    day: date,
    *lines: tuple[Product, float, float, Rep | None, str | None],
) -> None:
    for product, quantity, price, approver, note in lines:
        session.add(
            QuoteLine(
                quote_code=code,
                opportunity_id=opp.id,
                quoted_date=day,
                product_id=product.id,
                quantity=quantity,
                unit_price=price,
                approved_by_rep_id=approver.id if approver else None,
                approval_note=note,
            )
        )
        session.flush()


def _event(session: Session, code: str, name: str, day: date, cost: float, organiser: Rep, **accounts: Any) -> None:
    """``accounts``: account -> attended (True) or invited and absent (False), by the account's variable."""
    event = Event(event_code=code, name=name, kind="seminar", event_date=day, organiser_rep_id=organiser.id, cost=cost)
    session.add(event)
    session.flush()
    for account, attended in accounts.values():
        session.add(EventAttendee(event_id=event.id, account_id=account.id, attended=attended))
    session.flush()


@pytest.fixture()
def world(session: Session) -> dict[str, Any]:
    seed = Seed(session)
    north, south = seed.team("North"), seed.team("South")
    r1 = seed.rep("R1", north, name="North Rep")
    r2 = seed.rep("R2", north, name="North Second")
    m1 = seed.rep("M1", north, role="manager", name="North Manager")
    s1 = seed.rep("S1", south, name="South Rep")
    na1 = seed.account("NA1", r1, name="North One")
    na2 = seed.account("NA2", r1, name="North Two")
    na3 = seed.account("NA3", r1, name="North Three")
    nb1 = seed.account("NB1", r2, name="North B")
    sa1 = seed.account("SA1", s1, name="South One")
    p1 = _product(session, "P1", "Cable", 100, 60, None)
    p2 = _product(session, "P2", "Switch", 250, 100, 0.5)
    p3 = _product(session, "P3", "Licence", 50, 0, None)

    # the period's quotes (the module docstring lists them); within a quote P2 is written before P1
    deal = seed.opp(na1, 10_000, 3, code="N-DEAL")
    _quote(session, "Q-N1", deal, START, (p2, 2, 190, None, None), (p1, 3, 72, None, None))
    _quote(session, "Q-N3", deal, date(2026, 5, 10), (p1, 4, 0, None, None), (p2, 1, 120, m1, "manager ok"))
    _quote(session, "Q-N2", deal, date(2026, 5, 20), (p2, 1, 150, r1, "self"), (p1, 2, 95, r1, "self"))
    _quote(session, "Q-N5", deal, END, (p1, 1, 80, None, None), (p2, 1, 200, None, None), (p3, 5, 0, None, None))
    _quote(session, "Q-N6", deal, END, (p1, 1, 60, None, None))
    _quote(session, "Q-N0", deal, date(2026, 3, 31), (p1, 1, 10, None, None))
    _quote(session, "Q-N9", deal, date(2026, 7, 1), (p1, 1, 10, None, None))
    r2_deal = seed.opp(nb1, 5_000, 3, code="R2-DEAL")
    _quote(session, "Q-R2", r2_deal, date(2026, 5, 10), (p1, 1, 50, None, None))
    _quote(session, "Q-R2S", r2_deal, date(2026, 5, 11), (p1, 1, 90, r2, None), (p2, 1, 240, r1, "peer"))
    s_at_na1 = seed.opp(na1, 7_777, 3, code="S-AT-NA1", owner=s1, name="South at North")
    _quote(session, "Q-S1", s_at_na1, START, (p1, 7, 7, None, None))
    _quote(session, "Q-S2", s_at_na1, END, (p2, 7, 177, s1, "South self"))
    s_deal = seed.opp(sa1, 77_777, 3, code="S-DEAL")
    _quote(session, "Q-S3", s_deal, date(2026, 5, 10), (p1, 77, 7, None, None))

    # contracts and their deals' quotes (Q1); HT-N3 written before HT-N1
    w3 = seed.opp(na1, 1_000, 5, "won", closed=END, code="N-W3")
    _quote(session, "Q-W3-A", w3, date(2026, 3, 10), (p1, 5, 100, None, None))
    _quote(session, "Q-W3-B", w3, date(2026, 3, 10), (p1, 10, 100, None, None))
    _quote(session, "Q-W3-C", w3, date(2026, 2, 1), (p1, 5, 100, None, None))
    seed.contract(w3, 900, END, code="HT-N3")
    w1 = seed.opp(na1, 2_000, 5, "won", closed=START, code="N-W1")
    _quote(session, "Q-W1-A", w1, date(2026, 2, 1), (p1, 10, 100, None, None))
    _quote(session, "Q-W1-B", w1, date(2026, 3, 5), (p2, 5, 220, None, None), (p1, 10, 90, None, None))
    seed.contract(w1, 1_899, START, code="HT-N1")
    w2 = seed.opp(na2, 2_000, 5, "won", closed=date(2026, 5, 15), code="N-W2")
    _quote(session, "Q-W2", w2, date(2026, 3, 1), (p1, 20, 100, None, None))
    seed.contract(w2, 1_900, date(2026, 5, 15), code="HT-N2")
    for code, signed in (("N-W4", date(2026, 3, 31)), ("N-W5", date(2026, 7, 1))):
        early_late = seed.opp(na1, 1_000, 5, "won", closed=signed, code=code)
        _quote(session, f"Q-{code}", early_late, date(2026, 3, 1), (p1, 10, 100, None, None))
        seed.contract(early_late, 500, signed, code=f"HT-{code[-2:]}")
    still_open = seed.opp(na1, 1_000, 4, code="N-OPEN")
    _quote(session, "Q-OPEN", still_open, date(2026, 3, 1), (p1, 10, 100, None, None))
    seed.contract(still_open, 100, date(2026, 5, 1), code="HT-N6")
    r2_won = seed.opp(nb1, 1_000, 5, "won", closed=date(2026, 5, 1), code="R2-W")
    _quote(session, "Q-R2W", r2_won, date(2026, 3, 1), (p1, 10, 100, None, None))
    seed.contract(r2_won, 800, date(2026, 5, 1), code="HT-R2")
    s_won = seed.opp(na1, 7_700, 5, "won", owner=s1, closed=START, code="S-W")
    _quote(session, "Q-SW", s_won, date(2026, 3, 1), (p1, 77, 100, None, None))
    seed.contract(s_won, 777, START, code="HT-S1")
    s_big = seed.opp(sa1, 77_777, 5, "won", closed=date(2026, 2, 1), code="S-BIG")
    seed.contract(s_big, 77_777, date(2026, 2, 1), code="HT-S2")
    old = seed.opp(na3, 5_555, 5, "won", closed=date(2025, 6, 1), code="N-OLD")
    seed.contract(old, 5_555, date(2025, 6, 1), code="HT-A3")

    # events; E-B written before E-A (same day), and its attendee NA2 sorts before E-A's NA3
    _event(session, "E0", "Old dinner", date(2025, 12, 31), 5_000, r1, a=(na1, True), b=(na2, True))
    _event(session, "E9", "Next year", date(2027, 1, 1), 9_000, r1, a=(na1, True))
    _event(session, "E1", "New year dinner", date(2026, 1, 1), 1_000, r1, a=(sa1, True), b=(na2, True), c=(na1, False))
    _event(session, "E-B", "Summit B", date(2026, 6, 15), 600, r1, a=(na2, True))
    _event(session, "E-A", "Summit A", date(2026, 6, 15), 300, r2, a=(nb1, True), b=(na3, True))
    _event(session, "E-S", "South gala", date(2026, 6, 15), 7_777, s1, a=(sa1, True), b=(na1, False))
    _event(session, "E2", "Year end", date(2026, 12, 31), 3_000, r1, a=(na3, True))
    session.commit()
    return {"r1": r1.id, "r2": r2.id, "north": north.id, "south": south.id}


def _line(
    product: str, qty: float, price: float, quote: str, opp: str, day: date, approver: str | None = None, **kw: Any
) -> LineRow:
    """A flagged line as the query returns it: the product's list, cost, floor and name from the price list."""
    listed, cost, floor, name = {"P1": (100.0, 60.0, None, "Cable"), "P2": (250.0, 100.0, 0.5, "Switch")}[product]
    return LineRow(
        product,
        float(qty),
        float(price),
        listed,
        cost,
        kw.get("floor", FLOOR) if floor is None else floor,
        quote,
        opp,
        day,
        name,
        approver,
        kw.get("note"),
    )


R1_LINES = [
    _line("P2", 2, 190, "Q-N1", "N-DEAL", START),
    _line("P1", 2, 95, "Q-N2", "N-DEAL", date(2026, 5, 20), "R1", note="self"),
    _line("P2", 1, 150, "Q-N2", "N-DEAL", date(2026, 5, 20), "R1", note="self"),
    _line("P1", 4, 0, "Q-N3", "N-DEAL", date(2026, 5, 10)),
    _line("P1", 1, 60, "Q-N6", "N-DEAL", END),
]
R2_LINES = [
    _line("P1", 1, 50, "Q-R2", "R2-DEAL", date(2026, 5, 10)),
    _line("P1", 1, 90, "Q-R2S", "R2-DEAL", date(2026, 5, 11), "R2"),
]
SOUTH_LINES = [
    _line("P1", 7, 7, "Q-S1", "S-AT-NA1", START),
    _line("P2", 7, 177, "Q-S2", "S-AT-NA1", END, "S1", note="South self"),
    _line("P1", 77, 7, "Q-S3", "S-DEAL", date(2026, 5, 10)),
]


def test_rkq001_flagged_lines_are_the_viewers_below_floor_unapproved_and_self_approved_lines(session, world):
    assert q.flagged_lines(session, Scope.rep(world["r1"]), START, END, FLOOR) == R1_LINES


def test_rkq002_flagged_lines_of_a_team_and_of_the_whole_company(session, world):
    team = sorted(R1_LINES + R2_LINES, key=lambda line: (line.quote_code, line.product_code))
    assert q.flagged_lines(session, Scope.team(world["north"]), START, END, FLOOR) == team
    assert q.flagged_lines(session, Scope.rep(world["r2"]), START, END, FLOOR) == R2_LINES
    everyone = sorted(team + SOUTH_LINES, key=lambda line: (line.quote_code, line.product_code))
    assert q.flagged_lines(session, Scope.everything(), START, END, FLOOR) == everyone
    assert q.flagged_lines(session, Scope.team(world["south"]), START, END, FLOOR) == SOUTH_LINES


def test_rkq003_flagged_lines_period_edges_are_inclusive(session, world):
    r1 = Scope.rep(world["r1"])
    day_before, day_after = date(2026, 3, 31), date(2026, 7, 1)
    assert [line.quote_code for line in q.flagged_lines(session, r1, START, START, FLOOR)] == ["Q-N1"]
    assert [line.quote_code for line in q.flagged_lines(session, r1, END, END, FLOOR)] == ["Q-N6"]
    assert [line.quote_code for line in q.flagged_lines(session, r1, day_before, day_before, FLOOR)] == ["Q-N0"]
    assert [line.quote_code for line in q.flagged_lines(session, r1, day_after, day_after, FLOOR)] == ["Q-N9"]
    assert [line.quote_code for line in q.flagged_lines(session, r1, date(2026, 4, 2), date(2026, 6, 29), FLOOR)] == [
        "Q-N2",
        "Q-N2",
        "Q-N3",
    ]


def test_rkq004_the_floor_default_applies_only_to_products_without_their_own_floor(session, world):
    """At 20% Q-N1's P1 line (72: 16.7%) is below too; at 25% Q-N5's P1 line (80: exactly 25%) is still not, and
    P2's lines keep their own 50% (Q-N5's 200 is exactly on it; Q-N1's 190 is below it at any default)."""
    r1 = Scope.rep(world["r1"])
    at_20 = q.flagged_lines(session, r1, START, END, 0.20)
    assert at_20 == [
        _line("P1", 3, 72, "Q-N1", "N-DEAL", START, floor=0.20),
        _line("P2", 2, 190, "Q-N1", "N-DEAL", START),
        _line("P1", 2, 95, "Q-N2", "N-DEAL", date(2026, 5, 20), "R1", note="self", floor=0.20),
        _line("P2", 1, 150, "Q-N2", "N-DEAL", date(2026, 5, 20), "R1", note="self"),
        _line("P1", 4, 0, "Q-N3", "N-DEAL", date(2026, 5, 10), floor=0.20),
        _line("P1", 1, 60, "Q-N6", "N-DEAL", END, floor=0.20),
    ]
    at_25 = q.flagged_lines(session, r1, START, END, 0.25)
    assert [(line.quote_code, line.product_code, line.floor) for line in at_25] == [
        ("Q-N1", "P1", 0.25),
        ("Q-N1", "P2", 0.5),
        ("Q-N2", "P1", 0.25),
        ("Q-N2", "P2", 0.5),
        ("Q-N3", "P1", 0.25),
        ("Q-N6", "P1", 0.25),
    ]
    # no default floor at all: only a line below its own floor, a line given away at a cost and the self-approved
    assert [(line.quote_code, line.product_code) for line in q.flagged_lines(session, r1, START, END, 0.0)] == [
        ("Q-N1", "P2"),
        ("Q-N2", "P1"),
        ("Q-N2", "P2"),
        ("Q-N3", "P1"),
    ]


def test_rkq005_deal_owners_of_the_deals_in_scope(session, world):
    codes = {"N-DEAL", "R2-DEAL", "S-AT-NA1", "S-DEAL", "ZZ"}
    assert q.deal_owners(session, Scope.rep(world["r1"]), codes) == {"N-DEAL": QuoteOwner("R1", "NA1")}
    assert q.deal_owners(session, Scope.team(world["north"]), codes) == {
        "N-DEAL": QuoteOwner("R1", "NA1"),
        "R2-DEAL": QuoteOwner("R2", "NB1"),
    }
    assert q.deal_owners(session, Scope.everything(), codes) == {
        "N-DEAL": QuoteOwner("R1", "NA1"),
        "R2-DEAL": QuoteOwner("R2", "NB1"),
        "S-AT-NA1": QuoteOwner("S1", "NA1"),
        "S-DEAL": QuoteOwner("S1", "SA1"),
    }
    assert q.deal_owners(session, Scope.rep(world["r1"]), set()) == {}


def test_rkq006_deal_owners_read_past_the_500th_code(session, world):
    fillers = {f"A{i:03d}" for i in range(500)}  # sort before every deal code: N-DEAL is the 501st
    assert q.deal_owners(session, Scope.rep(world["r1"]), fillers | {"N-DEAL"}) == {"N-DEAL": QuoteOwner("R1", "NA1")}
    assert q.deal_owners(session, Scope.everything(), fillers | {"N-DEAL", "S-DEAL", "ZZ"}) == {
        "N-DEAL": QuoteOwner("R1", "NA1"),
        "S-DEAL": QuoteOwner("S1", "SA1"),
    }


W1 = Quote("Q-W1-B", "N-W1", date(2026, 3, 5), 2_000.0, 1_100.0, 2_250.0, 0, current=True)  # 10x90 + 5x220
W3 = Quote("Q-W3-B", "N-W3", date(2026, 3, 10), 1_000.0, 600.0, 1_000.0, 0, current=True)
HT_N1 = ContractRow("HT-N1", "N-W1", START, 1_899.0, "R1", "NA1")
HT_N3 = ContractRow("HT-N3", "N-W3", END, 900.0, "R1", "NA1")


def test_rkq007_contracts_below_their_current_quote_are_the_viewers_won_deals(session, world):
    contracts, quotes = q.contracts_below_quotes(session, Scope.rep(world["r1"]), START, END, 0.05)
    assert contracts == [HT_N1, HT_N3]
    assert quotes == {"N-W1": W1, "N-W3": W3}


def test_rkq008_contracts_below_quotes_of_a_team_and_of_the_whole_company(session, world):
    r2 = ContractRow("HT-R2", "R2-W", date(2026, 5, 1), 800.0, "R2", "NB1")
    r2_quote = Quote("Q-R2W", "R2-W", date(2026, 3, 1), 1_000.0, 600.0, 1_000.0, 0, current=True)
    contracts, quotes = q.contracts_below_quotes(session, Scope.team(world["north"]), START, END, 0.05)
    assert contracts == [HT_N1, HT_N3, r2]
    assert quotes == {"N-W1": W1, "N-W3": W3, "R2-W": r2_quote}
    south = ContractRow("HT-S1", "S-W", START, 777.0, "S1", "NA1")
    south_quote = Quote("Q-SW", "S-W", date(2026, 3, 1), 7_700.0, 4_620.0, 7_700.0, 0, current=True)
    contracts, quotes = q.contracts_below_quotes(session, Scope.everything(), START, END, 0.05)
    assert contracts == [HT_N1, HT_N3, r2, south]
    assert quotes == {"N-W1": W1, "N-W3": W3, "R2-W": r2_quote, "S-W": south_quote}


def test_rkq009_contracts_below_quotes_threshold_and_period_edges(session, world):
    r1 = Scope.rep(world["r1"])

    def codes(start: date, end: date, threshold: float) -> list[str]:
        return [c.contract_code for c in q.contracts_below_quotes(session, r1, start, end, threshold)[0]]

    # 4%: HT-N2's 1,900 is now below 2,000 x 0.96; 8%: HT-N1's 1,899 is not below 1,840, HT-N3's 900 is below 920
    assert codes(START, END, 0.04) == ["HT-N1", "HT-N2", "HT-N3"]
    assert codes(START, END, 0.08) == ["HT-N3"]
    assert codes(START, START, 0.05) == ["HT-N1"]
    assert codes(END, END, 0.05) == ["HT-N3"]
    assert codes(date(2026, 3, 31), date(2026, 3, 31), 0.05) == ["HT-W4"]
    assert codes(date(2026, 7, 1), date(2026, 7, 1), 0.05) == ["HT-W5"]
    assert codes(date(2026, 4, 2), date(2026, 6, 29), 0.04) == ["HT-N2"]


def test_rkq010_rep_discounts_sum_every_quote_of_the_period_per_rep_in_scope(session, world):
    """R1: Q-N1 380 + 216 (list 500 + 300), Q-N2 150 + 190 (250 + 200), Q-N3 0 + 120 (400 + 250), Q-N5 80 + 200 +
    0 (100 + 250 + 250), Q-N6 60 (100): 1,396 of 2,600 in 5 quotes. R2: 50 + 90 + 240 of 100 + 100 + 250 in 2.
    S1: 49 + 1,239 + 539 of 700 + 1,750 + 7,700 in 3."""
    r1 = RepDiscount("R1", "North", 1_396.0, 2_600.0, 5, "North Rep")
    r2 = RepDiscount("R2", "North", 380.0, 450.0, 2, "North Second")
    s1 = RepDiscount("S1", "South", 1_827.0, 10_150.0, 3, "South Rep")
    assert q.rep_discounts(session, Scope.rep(world["r1"]), START, END) == [r1]
    assert sorted(q.rep_discounts(session, Scope.team(world["north"]), START, END), key=lambda r: r.rep_code) == [
        r1,
        r2,
    ]
    everyone = sorted(q.rep_discounts(session, Scope.everything(), START, END), key=lambda r: r.rep_code)
    assert everyone == [r1, r2, s1]
    # the edges: Q-N1 on the first day, Q-N5 and Q-N6 on the last; Q-N0 the day before, Q-N9 the day after
    assert q.rep_discounts(session, Scope.rep(world["r1"]), START, START) == [
        RepDiscount("R1", "North", 596.0, 800.0, 1, "North Rep")
    ]
    assert q.rep_discounts(session, Scope.rep(world["r1"]), END, END) == [
        RepDiscount("R1", "North", 340.0, 700.0, 2, "North Rep")
    ]
    assert q.rep_discounts(session, Scope.rep(world["r1"]), date(2026, 3, 31), date(2026, 3, 31)) == [
        RepDiscount("R1", "North", 10.0, 100.0, 1, "North Rep")
    ]
    assert q.rep_discounts(session, Scope.rep(world["r1"]), date(2026, 7, 1), date(2026, 7, 1)) == [
        RepDiscount("R1", "North", 10.0, 100.0, 1, "North Rep")
    ]
    assert q.rep_discounts(session, Scope.rep(world["r1"]), date(2026, 7, 2), date(2026, 7, 9)) == []


def test_rkq011_a_rep_without_a_team_has_an_empty_team_name(session, world):
    seed = Seed(session)
    lone = seed.rep("R0", None, name="Lone Rep")
    account = seed.account("LA1", lone)
    deal = seed.opp(account, 1_000, 2, code="L-DEAL")
    cable = session.query(Product).filter_by(product_code="P1").one()
    _quote(session, "Q-L", deal, date(2026, 5, 5), (cable, 3, 80, None, None))
    session.commit()
    assert q.rep_discounts(session, Scope.rep(lone.id), START, END) == [
        RepDiscount("R0", "", 240.0, 300.0, 1, "Lone Rep")
    ]


def _event_of(code: str, *accounts: str) -> EventCost:
    """A 2026 event of the world (the module docstring) as the query returns it: the accounts named are those asked
    about; its seats are every account that attended it."""
    name, day, cost, seats = {
        "E1": ("New year dinner", date(2026, 1, 1), 1_000.0, 2),
        "E-A": ("Summit A", date(2026, 6, 15), 300.0, 2),
        "E-B": ("Summit B", date(2026, 6, 15), 600.0, 1),
        "E-S": ("South gala", date(2026, 6, 15), 7_777.0, 1),
        "E2": ("Year end", date(2026, 12, 31), 3_000.0, 1),
    }[code]
    return EventCost(code, name, day, cost, accounts, seats)


#: 2026's split: E1 1,000 over NA2 and SA1 (NA1 invited, absent: no seat), E-B 600 NA2, E-A 300 over NA3 and
#: NB1, E-S 7,777 SA1, E2 3,000 NA3. Spent: NA2 1,100 of 1,900 booked (57.9%), NB1 150 of 800 (18.75%), SA1
#: 8,277 of 77,777 (10.64%), NA3 3,150 with nothing booked in 2026 (never flagged: acquisition).


def test_rkq012_event_costs_of_a_reps_accounts_that_may_pass_the_share(session, world):
    """At 10%, R1's NA2 (E1 with South's SA1, whose seat counts in the split, and E-B); NA3 booked nothing, though
    a BP of 2026 gives it a year's row (bookings 0)."""
    Seed(session).bp(_one(session, Account, account_code="NA3"), 2026, 50_000)
    session.commit()
    assert q.event_costs(session, Scope.rep(world["r1"]), 2026, 0.10) == (
        [_event_of("E1", "NA2"), _event_of("E-B", "NA2")],
        {"NA2": 1_900.0},
        {"NA2": "R1"},
    )


def test_rkq013_event_costs_of_a_team_another_rep_and_the_whole_company(session, world):
    north, everyone = Scope.team(world["north"]), Scope.everything()
    assert q.event_costs(session, north, 2026, 0.10) == (
        [_event_of("E1", "NA2"), _event_of("E-A", "NB1"), _event_of("E-B", "NA2")],
        {"NA2": 1_900.0, "NB1": 800.0},
        {"NA2": "R1", "NB1": "R2"},
    )
    assert q.event_costs(session, Scope.rep(world["r2"]), 2026, 0.10) == (
        [_event_of("E-A", "NB1")],
        {"NB1": 800.0},
        {"NB1": "R2"},
    )
    assert q.event_costs(session, everyone, 2026, 0.10) == (
        [_event_of("E1", "NA2", "SA1"), _event_of("E-A", "NB1"), _event_of("E-B", "NA2"), _event_of("E-S", "SA1")],
        {"NA2": 1_900.0, "NB1": 800.0, "SA1": 77_777.0},
        {"NA2": "R1", "NB1": "R2", "SA1": "S1"},
    )
    assert q.event_costs(session, Scope.team(world["south"]), 2026, 0.10) == (
        [_event_of("E1", "SA1"), _event_of("E-S", "SA1")],
        {"SA1": 77_777.0},
        {"SA1": "S1"},
    )
    # the share's edges: SA1 (10.64%) is gone at 11%; NB1 exactly at 18.75% is still read (the flag decides), gone
    # above it; NA2 alone from 20% to 57%; nobody at 58%
    assert q.event_costs(session, everyone, 2026, 0.11)[1] == {"NA2": 1_900.0, "NB1": 800.0}
    assert q.event_costs(session, everyone, 2026, 0.1875)[1] == {"NA2": 1_900.0, "NB1": 800.0}
    assert q.event_costs(session, everyone, 2026, 0.1876)[1] == {"NA2": 1_900.0}
    assert q.event_costs(session, everyone, 2026, 0.57) == (
        [_event_of("E1", "NA2"), _event_of("E-B", "NA2")],
        {"NA2": 1_900.0},
        {"NA2": "R1"},
    )
    assert q.event_costs(session, everyone, 2026, 0.58) == ([], {}, {})


def test_rkq014_event_costs_read_only_the_asked_year(session, world):
    """2025: E0 (NA1, NA2: 2,500 each), neither booked anything in 2025; 2027: E9 (NA1), nothing booked; 2024: no
    event."""
    r1 = Scope.rep(world["r1"])
    for year in (2024, 2025, 2027):
        assert q.event_costs(session, r1, year, 0.0) == ([], {}, {}), year


def test_rkq015_event_bookings_are_the_years(session, world):
    """NA3 booked 5,555 in 2025 and attended E-OLD3 (2025-03-01, 10, alone): 0.18% of its 2025 bookings, read at
    0.1% and not at 0.2%; E0 of 2025, which NA3 did not attend, is not its. In 2026 NA3 booked nothing."""
    na3 = session.query(Account).filter_by(account_code="NA3").one()
    r1 = session.get(Rep, world["r1"])
    assert r1 is not None
    _event(session, "E-OLD3", "NA3 in 2025", date(2025, 3, 1), 10, r1, a=(na3, True))
    session.commit()
    old3 = EventCost("E-OLD3", "NA3 in 2025", date(2025, 3, 1), 10.0, ("NA3",), 1)
    assert q.event_costs(session, Scope.rep(world["r1"]), 2025, 0.001) == ([old3], {"NA3": 5_555.0}, {"NA3": "R1"})
    assert q.event_costs(session, Scope.rep(world["r1"]), 2025, 0.002) == ([], {}, {})
    assert q.event_costs(session, Scope.rep(world["r1"]), 2026, 0.0)[1] == {"NA2": 1_900.0}


def test_rkq016_names_of_the_reps_and_accounts_in_scope(session, world):
    reps, accounts = {"R1", "R2", "M1", "S1", "ZZ"}, {"NA1", "NB1", "SA1", "ZZ"}
    assert q.names_of(session, Scope.rep(world["r1"]), reps, accounts) == {"R1": "North Rep", "NA1": "North One"}
    assert q.names_of(session, Scope.team(world["north"]), reps, accounts) == {
        "R1": "North Rep",
        "R2": "North Second",
        "M1": "North Manager",
        "NA1": "North One",
        "NB1": "North B",
    }
    assert q.names_of(session, Scope.everything(), reps, accounts) == {
        "R1": "North Rep",
        "R2": "North Second",
        "M1": "North Manager",
        "S1": "South Rep",
        "NA1": "North One",
        "NB1": "North B",
        "SA1": "South One",
    }
    assert q.names_of(session, Scope.rep(world["r1"]), set(), set()) == {}
    assert q.names_of(session, Scope.rep(world["r1"]), {"NA1"}, {"R1"}) == {}  # a code asked as the other kind


def test_rkq017_names_are_read_past_the_500th_code(session, world):
    fillers = {f"A{i:03d}" for i in range(500)}
    got = q.names_of(session, Scope.everything(), fillers | {"R1", "S1"}, fillers | {"NA1", "SA1"})
    assert got == {"R1": "North Rep", "S1": "South Rep", "NA1": "North One", "SA1": "South One"}
    assert q.names_of(session, Scope.rep(world["r1"]), fillers | {"R1"}, fillers | {"NA1"}) == {
        "R1": "North Rep",
        "NA1": "North One",
    }


# ---- the survivors of the first mutation run of this module (docs/testing.md): each test below adds its own rows
# to the world, written out in its docstring


def _one(session: Session, model: Any, **by: Any) -> Any:
    """The world's row of ``model`` with these column values (a test's lookup of what the fixture wrote)."""
    return session.execute(select(model).filter_by(**by)).scalar_one()


def _fillers(n: int) -> set[str]:
    """``n`` codes that name nothing and sort before every code of the world (A0000, A0001, ...)."""
    return {f"A{i:04d}" for i in range(n)}


def test_rkq018_deal_owners_and_names_read_past_the_1000th_code(session, world):
    """1,000 fillers first: N-DEAL, S-DEAL, R1 and NA1 sort 1,001st and after, in the third batch of 500."""
    fillers = _fillers(1_000)
    assert q.deal_owners(session, Scope.everything(), fillers | {"N-DEAL", "S-DEAL"}) == {
        "N-DEAL": QuoteOwner("R1", "NA1"),
        "S-DEAL": QuoteOwner("S1", "SA1"),
    }
    assert q.names_of(session, Scope.team(world["north"]), fillers | {"R1", "S1"}, fillers | {"NA1", "SA1"}) == {
        "R1": "North Rep",
        "NA1": "North One",
    }


def test_rkq019_the_current_quote_of_one_days_two_quotes_is_the_greater_code_whatever_was_written_first(session, world):
    """R1's won N-TIE (NA2): Q-T-B (03-10, P1 10 x 100: 1,000) written before Q-T-A (03-10, P1 10 x 50: 500);
    HT-T 900 signed 05-05. The current quote is Q-T-B: 900 < 1,000 x 0.95 (against Q-T-A it would not be)."""
    na2, cable = _one(session, Account, account_code="NA2"), _one(session, Product, product_code="P1")
    deal = Seed(session).opp(na2, 1_000, 5, "won", closed=date(2026, 5, 5), code="N-TIE")
    _quote(session, "Q-T-B", deal, date(2026, 3, 10), (cable, 10, 100, None, None))
    _quote(session, "Q-T-A", deal, date(2026, 3, 10), (cable, 10, 50, None, None))
    Seed(session).contract(deal, 900, date(2026, 5, 5), code="HT-T")
    session.commit()
    day = date(2026, 5, 5)
    contracts, quotes = q.contracts_below_quotes(session, Scope.rep(world["r1"]), day, day, 0.05)
    assert contracts == [ContractRow("HT-T", "N-TIE", day, 900.0, "R1", "NA2")]
    assert quotes == {"N-TIE": Quote("Q-T-B", "N-TIE", date(2026, 3, 10), 1_000.0, 600.0, 1_000.0, 0, current=True)}


def test_rkq020_two_contracts_of_one_deal_signed_the_same_day_for_the_same_amount_are_two_rows(session, world):
    """R1's won N-TWICE (NA2), quote Q-TW (03-01, P1 10 x 100: 1,000); HT-TW2 and HT-TW1, 400 each, signed 05-05
    (HT-TW2 written first): each is below 950 against the one quote, which is summed once for each."""
    na2, cable = _one(session, Account, account_code="NA2"), _one(session, Product, product_code="P1")
    deal = Seed(session).opp(na2, 800, 5, "won", closed=date(2026, 5, 5), code="N-TWICE")
    _quote(session, "Q-TW", deal, date(2026, 3, 1), (cable, 10, 100, None, None))
    for code in ("HT-TW2", "HT-TW1"):
        Seed(session).contract(deal, 400, date(2026, 5, 5), code=code)
    session.commit()
    day = date(2026, 5, 5)
    contracts, quotes = q.contracts_below_quotes(session, Scope.rep(world["r1"]), day, day, 0.05)
    assert contracts == [
        ContractRow("HT-TW1", "N-TWICE", day, 400.0, "R1", "NA2"),
        ContractRow("HT-TW2", "N-TWICE", day, 400.0, "R1", "NA2"),
    ]
    assert quotes == {"N-TWICE": Quote("Q-TW", "N-TWICE", date(2026, 3, 1), 1_000.0, 600.0, 1_000.0, 0, current=True)}


def test_rkq021_a_quote_code_used_again_on_another_deal_adds_nothing_to_the_contracts_quote(session, world):
    """South's open S-REUSE (SA1) has a quote of its own also coded Q-W1-B (04-01, P3 5 x 40: 200, list 250): N-W1's
    current quote stays its own Q-W1-B lines (2,000), for R1 and for the whole company."""
    sa1, licence = _one(session, Account, account_code="SA1"), _one(session, Product, product_code="P3")
    reuse = Seed(session).opp(sa1, 200, 3, code="S-REUSE")
    _quote(session, "Q-W1-B", reuse, START, (licence, 5, 40, None, None))
    session.commit()
    contracts, quotes = q.contracts_below_quotes(session, Scope.rep(world["r1"]), START, END, 0.05)
    assert (contracts, quotes) == ([HT_N1, HT_N3], {"N-W1": W1, "N-W3": W3})
    contracts, quotes = q.contracts_below_quotes(session, Scope.everything(), START, START, 0.05)
    assert contracts == [HT_N1, ContractRow("HT-S1", "S-W", START, 777.0, "S1", "NA1")]
    assert quotes["N-W1"] == W1


def test_rkq022_two_reps_of_one_name_in_one_team_are_two_rows(session, world):
    """R3, North's second "North Rep" (as R1), owns NA9; its deal N-R3 is quoted Q-R3 05-05 P1 2 x 80 (160, list
    200). R1's and R2's rows as in rkq010."""
    north = _one(session, Team, name="North")
    r3 = Seed(session).rep("R3", north, name="North Rep")
    deal = Seed(session).opp(Seed(session).account("NA9", r3), 1_000, 2, code="N-R3")
    _quote(session, "Q-R3", deal, date(2026, 5, 5), (_one(session, Product, product_code="P1"), 2, 80, None, None))
    session.commit()
    got = sorted(q.rep_discounts(session, Scope.team(world["north"]), START, END), key=lambda r: r.rep_code)
    assert got == [
        RepDiscount("R1", "North", 1_396.0, 2_600.0, 5, "North Rep"),
        RepDiscount("R2", "North", 380.0, 450.0, 2, "North Second"),
        RepDiscount("R3", "North", 160.0, 200.0, 1, "North Rep"),
    ]


def test_rkq023_an_events_accounts_come_in_code_order_and_only_the_attended_ones(session, world):
    """R1's NA0, added last (the greatest id, the least code), booked 1,000 in 2026 (a won deal, signed 05-01).
    E-C (2026-08-01, 600) attended by NB1, written first, then NA0 and NA3: 200 a seat; E-D (2026-09-01, 100)
    attended by NB1, NA2 invited and absent. North's accounts that may pass 10%: NA0 (20%), NA2, NB1 (450 of 800);
    E-C names NA0, NB1 in code order (NA3 booked nothing), E-D names NB1 only, with one seat."""
    seed, r1 = Seed(session), _one(session, Rep, rep_code="R1")
    na0 = seed.account("NA0", r1, name="North Zero")
    seed.contract(seed.opp(na0, 1_000, 5, "won", closed=date(2026, 5, 1), code="N-NA0"), 1_000, date(2026, 5, 1))
    na2, na3, nb1 = (_one(session, Account, account_code=code) for code in ("NA2", "NA3", "NB1"))
    _event(session, "E-C", "Club", date(2026, 8, 1), 600, r1, a=(nb1, True), b=(na0, True), c=(na3, True))
    _event(session, "E-D", "Golf", date(2026, 9, 1), 100, r1, a=(nb1, True), b=(na2, False))
    session.commit()
    events, bookings, _ = q.event_costs(session, Scope.team(world["north"]), 2026, 0.10)
    e_c = EventCost("E-C", "Club", date(2026, 8, 1), 600.0, ("NA0", "NB1"), 3)
    e_d = EventCost("E-D", "Golf", date(2026, 9, 1), 100.0, ("NB1",), 1)
    assert events == [_event_of("E1", "NA2"), _event_of("E-A", "NB1"), _event_of("E-B", "NA2"), e_c, e_d]
    assert bookings == {"NA0": 1_000.0, "NA2": 1_900.0, "NB1": 800.0}


def test_rkq024_a_rep_whose_id_is_0_is_neither_unapproved_nor_self_approved_by_mistake(session, world):
    """R0, North's rep stored with id 0 (the database allows it), owns NA8 and its deal N-R0 with two lines of
    2026-05-05: Q-R0A P1 1 x 65 with no approver (margin 5/65 = 7.7%, below the 15% floor: flagged) and Q-R0B
    P1 1 x 66 approved by M1 (below, approved by a manager, not its owner: not flagged). And Q-R0C P1 1 x 66
    approved by R0 on R2's deal R2-DEAL: below the floor but approved, and not by that deal's owner: not flagged.
    Only Q-R0A is flagged, once; with "no approver" read as approver 0, Q-R0A would be R0's own approval too (a
    second row) and Q-R0C a line without an approver."""
    north = _one(session, Team, name="North")
    r0 = Rep(id=0, rep_code="R0", name="North Zero", team_id=north.id, role="rep")
    session.add(r0)
    session.flush()
    m1, p1 = _one(session, Rep, rep_code="M1"), _one(session, Product, product_code="P1")
    deal = Seed(session).opp(Seed(session).account("NA8", r0), 1_000, 2, code="N-R0")
    day = date(2026, 5, 5)
    _quote(session, "Q-R0A", deal, day, (p1, 1, 65, None, None))
    _quote(session, "Q-R0B", deal, day, (p1, 1, 66, m1, "ok"))
    _quote(session, "Q-R0C", _one(session, Opportunity, opp_code="R2-DEAL"), day, (p1, 1, 66, r0, None))
    session.commit()
    assert q.flagged_lines(session, Scope.rep(0), START, END, FLOOR) == [_line("P1", 1, 65, "Q-R0A", "N-R0", day)]
    assert q.flagged_lines(session, Scope.rep(world["r2"]), START, END, FLOOR) == R2_LINES


def test_rkq025_the_whole_companys_self_approved_lines_include_reps_of_id_0_and_below(session, world):
    """The director's self-approved lines start from the approver's index, asked (on SQLite) as a range from the
    lowest id: a rep stored with id 0 and one with id -7 (the database allows both) who each approve a line of
    their own deal are flagged for the whole company, as a line approved by someone else and a line approved
    outside the period are not. Written: Z0 (id 0) owns Z-DEAL, Q-Z0 P1 1 x 99 approved by Z0 on 2026-05-01
    (self); ZN (id -7) owns ZN-DEAL, Q-ZN P1 1 x 98 approved by ZN on 2026-05-02 (self) and Q-ZM P1 1 x 97
    approved by M1 (not self); Q-ZO P1 1 x 96 approved by ZN on 2026-07-01 (after END)."""
    north = _one(session, Team, name="North")
    z0 = Rep(id=0, rep_code="Z0", name="Zero", team_id=north.id, role="rep")
    zn = Rep(id=-7, rep_code="ZN", name="Minus Seven", team_id=north.id, role="rep")
    session.add_all([z0, zn])
    session.flush()
    m1, p1 = _one(session, Rep, rep_code="M1"), _one(session, Product, product_code="P1")
    seed = Seed(session)
    own0 = seed.opp(seed.account("ZA0", z0), 1_000, 2, code="Z-DEAL")
    own7 = seed.opp(seed.account("ZA7", zn), 1_000, 2, code="ZN-DEAL")
    _quote(session, "Q-Z0", own0, date(2026, 5, 1), (p1, 1, 99, z0, None))
    _quote(session, "Q-ZN", own7, date(2026, 5, 2), (p1, 1, 98, zn, None))
    _quote(session, "Q-ZM", own7, date(2026, 5, 3), (p1, 1, 97, m1, None))
    _quote(session, "Q-ZO", own7, date(2026, 7, 1), (p1, 1, 96, zn, None))
    expected = [
        _line("P1", 1, 99, "Q-Z0", "Z-DEAL", date(2026, 5, 1), "Z0"),
        _line("P1", 1, 98, "Q-ZN", "ZN-DEAL", date(2026, 5, 2), "ZN"),
    ]
    if session.get_bind().dialect.name == "sqlite":  # the lowest id SQLite stores (PostgreSQL's ids are 32-bit)
        zl = Rep(id=-(2**63), rep_code="ZL", name="Lowest", team_id=north.id, role="rep")
        session.add(zl)
        session.flush()
        lowest = seed.opp(seed.account("ZAL", zl), 1_000, 2, code="ZL-DEAL")
        _quote(session, "Q-ZL", lowest, date(2026, 5, 4), (p1, 1, 95, zl, None))
        expected.append(_line("P1", 1, 95, "Q-ZL", "ZL-DEAL", date(2026, 5, 4), "ZL"))
    session.commit()
    everyone = q.flagged_lines(session, Scope.everything(), START, END, FLOOR)
    assert [line for line in everyone if line.quote_code.startswith("Q-Z")] == sorted(
        expected, key=lambda line: line.quote_code
    )


def test_rkq026_deal_filters_narrow_the_contracts_below_quotes_and_the_discounts(session, world):
    """A scope's deal filters reach the quote summary's readers. N-DEAL (R1's five quotes of the period) and N-W1
    (HT-N1, below its current quote) moved to the line 网络, and a new R1 deal N-NET on 网络 quoted as Q-N6 again
    (P2 1 x 100, list 250, on END: a code N-DEAL's Q-N6 already has, which the importer would refuse but the
    database holds). On 网络: the one contract HT-N1; R1's discount 1,396 + 100 of 2,600 + 250 in 5 distinct quote
    codes. On 云服务 (N-W3 alone; the other deals have no line): HT-N3, and no quote of the period. A RAD class
    nobody is in (R: no account has a BP) reads nothing."""
    for code in ("N-DEAL", "N-W1"):
        _one(session, Opportunity, opp_code=code).product_line = "网络"
    _one(session, Opportunity, opp_code="N-W3").product_line = "云服务"
    r1 = _one(session, Rep, rep_code="R1")
    net = Seed(session).opp(_one(session, Account, account_code="NA2"), 1_000, 3, code="N-NET", product_line="网络")
    _quote(session, "Q-N6", net, END, (_one(session, Product, product_code="P2"), 1, 100, None, None))
    session.commit()
    on_net = Scope.everything().narrow(deals=(ProductLine("网络"),))
    contracts, quotes = q.contracts_below_quotes(session, on_net, START, END, 0.05)
    assert contracts == [HT_N1] and quotes == {"N-W1": W1}
    assert q.rep_discounts(session, on_net, START, END) == [RepDiscount("R1", "North", 1_496.0, 2_850.0, 5, r1.name)]
    on_cloud = Scope.everything().narrow(deals=(ProductLine("云服务"),))
    assert q.rep_discounts(session, on_cloud, START, END) == []  # N-W3's quotes are of Q1
    assert q.contracts_below_quotes(session, on_cloud, START, END, 0.05) == ([HT_N3], {"N-W3": W3})
    nobody = Scope.everything().narrow(deals=(RadClass(2026, "R", 0.7, 0.2),))
    assert q.contracts_below_quotes(session, nobody, START, END, 0.05) == ([], {})
    assert q.rep_discounts(session, nobody, START, END) == []


def test_rkq027_the_whole_companys_lines_below_floor_at_every_floor_and_on_its_edges(session, world):
    """The whole company's unapproved lines below floor are read from the price index under ``cost / (1 - floor)``
    (a team's from its own deals): the same lines as the definition, price - cost < floor x price or a line given
    away at a cost, on the floor's edges. Added: P4 "Appliance" (list 500, cost 300, its own floor 100%: every line
    with a price is below, as is one given away) and P5 "Guide" (list 20, cost 9.90, its own floor 1%), quoted on
    R1's N-DEAL on 2026-05-05 as Q-E1 P4 1 x 999,999 and P5 1 x 10.00, Q-E2 P4 1 x 0 and P5 1 x 9.95. P5 at 10.00
    is exactly on its floor: PostgreSQL computes in decimal (not below), SQLite in binary floating point, where
    10 - 9.9 < 0.01 x 10 (below) while 9.9 / 0.99 is exactly 10: the bound must not drop what the comparison keeps.
    Expected by hand at the 15% default; at other defaults against the definition in plain Python, in the
    database's arithmetic, over every line written."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    p4 = _product(session, "P4", "Appliance", 500, 300, 1.0)
    p5 = _product(session, "P5", "Guide", 20, 9.90, 0.01)
    deal = _one(session, Opportunity, opp_code="N-DEAL")
    day = date(2026, 5, 5)
    _quote(session, "Q-E1", deal, day, (p4, 1, 999_999, None, None), (p5, 1, 10.00, None, None))
    _quote(session, "Q-E2", deal, day, (p4, 1, 0, None, None), (p5, 1, 9.95, None, None))
    session.commit()

    def row(product: Product, price: float, quote: str) -> LineRow:
        listed, cost, floor = float(product.list_price), float(product.unit_cost), float(product.floor_margin or 0)
        return LineRow(product.product_code, 1.0, price, listed, cost, floor, quote, "N-DEAL", day, product.name)

    new = [row(p4, 999_999, "Q-E1"), row(p4, 0, "Q-E2"), row(p5, 9.95, "Q-E2")] + (
        [row(p5, 10.0, "Q-E1")] if sqlite else []
    )
    everyone = q.flagged_lines(session, Scope.everything(), START, END, FLOOR)
    assert everyone == sorted(
        R1_LINES + R2_LINES + SOUTH_LINES + new, key=lambda line: (line.quote_code, line.product_code)
    )
    assert q.flagged_lines(session, Scope.team(world["north"]), START, END, FLOOR) == [
        line for line in everyone if line.opp_code not in ("S-AT-NA1", "S-DEAL")
    ]

    number: Callable[[str], Any] = float if sqlite else Decimal  # the database's arithmetic
    written = [
        (quote, product, number(str(price)), number(str(cost)), own, approver, quoted)
        for quote, product, price, cost, own, approver, quoted in session.execute(
            select(
                QuoteLine.quote_code,
                Product.product_code,
                QuoteLine.unit_price,
                Product.unit_cost,
                Product.floor_margin,
                QuoteLine.approved_by_rep_id,
                QuoteLine.quoted_date,
            ).join(Product, Product.id == QuoteLine.product_id)
        )
    ]
    for default in (0.0, 0.2, 0.25, 0.4, 0.9):
        expected = []
        for quote, product, price, cost, own, approver, quoted in written:
            floor = number(str(default if own is None else own))
            below = (price > 0 and price - cost < floor * price) or (price == 0 and cost > 0)
            if approver is None and START <= quoted <= END and below:
                expected.append((quote, product))
        found = q.flagged_lines(session, Scope.everything(), START, END, default)
        assert sorted((line.quote_code, line.product_code) for line in found if line.approved_by is None) == sorted(
            expected
        ), default


def test_rkq028_the_least_booking_and_a_free_event_at_a_share_of_0(session, world):
    """R1's NA7 booked 1.00 CNY in 2026 (a won deal, signed 03-01) and alone attended E-T (2026-03-03, 10): read at
    a share of 0; NA8 booked 500 and alone attended the free E-F (2026-03-04, 0): nothing spent is no share, not
    read even at 0."""
    seed, r1 = Seed(session), _one(session, Rep, rep_code="R1")
    na7, na8 = seed.account("NA7", r1), seed.account("NA8", r1)
    for account, amount, code in ((na7, 1.0, "N-NA7"), (na8, 500.0, "N-NA8")):
        won = seed.opp(account, amount, 5, "won", closed=date(2026, 3, 1), code=code)
        seed.contract(won, amount, date(2026, 3, 1))
    _event(session, "E-T", "Tea", date(2026, 3, 3), 10, r1, a=(na7, True))
    _event(session, "E-F", "Free talk", date(2026, 3, 4), 0, r1, a=(na8, True))
    session.commit()
    events, bookings, owners = q.event_costs(session, Scope.rep(world["r1"]), 2026, 0.0)
    assert bookings == {"NA2": 1_900.0, "NA7": 1.0}
    assert owners == {"NA2": "R1", "NA7": "R1"}
    tea = EventCost("E-T", "Tea", date(2026, 3, 3), 10.0, ("NA7",), 1)
    assert events == [_event_of("E1", "NA2"), tea, _event_of("E-B", "NA2")]
