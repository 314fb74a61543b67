"""Deals named by code or id (a drill's list, the what-if's picks) read in scope: ``Scope.named_opportunities``
keeps exactly the deals ``Scope.opportunities`` keeps, for owners, product lines and RAD classes alike (issue 16
moved them onto columns no index is taken for, so a read starts from the names; issue 23: a scope that loses a
part of itself must fail here).

Team North: rep R1 with accounts NA1 (class A by override) and NA2 (class R); team South: rep S1 with SA1 (class
A). Product lines 云 and 网. S1 also owns a deal at R1's account NA1 (S-AT-NA1), which only the owner tells apart.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from data_access.queries import funnel, scorecards
from data_access.scope import ProductLine, RadClass, Scope
from tests.builders import Seed

CLOUD, NET = "云", "网"


@pytest.fixture()
def world(session: Session) -> dict[str, Any]:
    seed = Seed(session)
    north, south = seed.team("North"), seed.team("South")
    r1, s1 = seed.rep("R1", north), seed.rep("S1", south)
    na1 = seed.account("NA1", r1, rad_override="A")
    na2 = seed.account("NA2", r1, rad_override="R")
    sa1 = seed.account("SA1", s1, rad_override="A")
    ids = {}
    for code, account, line, status, owner in [
        ("N1", na1, CLOUD, "open", None),
        ("N2", na1, NET, "open", None),
        ("N3", na2, CLOUD, "open", None),
        ("N4", na1, CLOUD, "won", None),
        ("S1", sa1, CLOUD, "open", None),
        ("S-AT-NA1", na1, CLOUD, "open", s1),
    ]:
        closed = date(2026, 6, 1) if status == "won" else None
        deal = seed.opp(account, 1000, 3, status, code=code, product_line=line, owner=owner, closed=closed)
        ids[code] = deal.id
    session.commit()
    return {"ids": ids, "r1": r1.id, "s1": s1.id, "north": north.id}


def _class(cls: str) -> RadClass:
    return RadClass(2026, cls, 0.5, 0.2)


#: scope -> the deals it keeps of the six above (labels in ASCII: mutmut hands the test ids back to pytest)
CASES = [
    ("everyone", None, (), {"N1", "N2", "N3", "N4", "S1", "S-AT-NA1"}),
    ("team North", "north", (), {"N1", "N2", "N3", "N4"}),
    ("rep S1", "s1", (), {"S1", "S-AT-NA1"}),
    ("line cloud", None, (ProductLine(CLOUD),), {"N1", "N3", "N4", "S1", "S-AT-NA1"}),
    ("class A", None, (_class("A"),), {"N1", "N2", "N4", "S1", "S-AT-NA1"}),
    ("line cloud, class A", None, (ProductLine(CLOUD), _class("A")), {"N1", "N4", "S1", "S-AT-NA1"}),
    ("North, line cloud, class A", "north", (ProductLine(CLOUD), _class("A")), {"N1", "N4"}),
    ("rep R1, class R", "r1", (_class("R"),), {"N3"}),
    ("rep S1, class R", "s1", (_class("R"),), set()),
]

IDS = [c[0].replace(", ", "+").replace(" ", "-") for c in CASES]


def _scope(world: dict[str, Any], who: str | None, deals: tuple[Any, ...]) -> Scope:
    base = {None: Scope.everything(), "north": Scope.team(world["north"])}.get(who) or Scope.rep(world[who or ""])
    return base.narrow(deals=deals)


@pytest.mark.parametrize(("label", "who", "deals", "kept"), CASES, ids=IDS)
def test_nmd001_named_deals_are_the_scopes_by_code_and_by_id(session, world, label, who, deals, kept):
    scope = _scope(world, who, deals)
    every = list(world["ids"])
    assert set(funnel.opportunity_rows(session, scope, codes=every)["opp_code"]) == kept, label
    by_id = funnel.opportunity_rows(session, scope, ids=list(world["ids"].values()))
    assert set(by_id["opp_code"]) == kept, label


@pytest.mark.parametrize(("label", "who", "deals", "kept"), CASES, ids=IDS)
def test_nmd002_the_what_ifs_open_amounts_are_the_scopes(session, world, label, who, deals, kept):
    scope = _scope(world, who, deals)
    got = scorecards.open_amounts(session, scope, list(world["ids"]))
    assert got == {code: 1000.0 for code in kept - {"N4"}}, label  # N4 is won: not a what-if's pick


def test_nmd003_a_named_read_holds_its_columns_and_stops_at_1000_names(session, world):
    everyone = Scope.everything()
    empty = funnel.opportunity_rows(session, everyone)
    assert empty.empty and list(empty.columns) == [
        "opp_code", "name", "account", "owner", "level", "amount", "expected_close_date", "created_date", "id",
        "loss_reason",
    ]  # fmt: skip
    row = funnel.opportunity_rows(session, everyone, codes=["N1"]).iloc[0]
    assert (row["created_date"], row["id"], row["amount"]) == (date(2026, 1, 10), world["ids"]["N1"], 1000)
    # the 1,001st name is not read, by code or by id
    fillers = [f"NONE-{i}" for i in range(1000)]
    assert funnel.opportunity_rows(session, everyone, codes=[*fillers, "N1"]).empty
    assert list(funnel.opportunity_rows(session, everyone, codes=[*fillers[1:], "N1"])["opp_code"]) == ["N1"]
    far = [10**9 + i for i in range(1000)]
    assert funnel.opportunity_rows(session, everyone, ids=[*far, world["ids"]["N2"]]).empty
    assert list(funnel.opportunity_rows(session, everyone, ids=[*far[1:], world["ids"]["N2"]])["opp_code"]) == ["N2"]
