"""Scope by construction (issue 23): every public function of the query modules (``data_access/queries/``) is found
by reading the package, not by a list someone keeps, and called for team North's rep and for North's manager in two
databases: one with North alone, one with North and team South. North's rows are the same in both (built first,
the same ids and codes); South's are everywhere a query could reach (deals at every level, won and lost, contracts
and overdue payments, visits, events, training, bids, support requests, quotes, BP, contacts, quotas, and a South
rep's visit to a North account). A query that keeps to its scope answers the same in both; one that forgets it
answers with South's rows in the second. A new query is in this test the moment it exists: if its parameters are
new, the test says which to add to ``ARGUMENTS``.

A function without a ``scope`` parameter must be one of ``UNSCOPED`` (with why): a new one that reads business
rows without a scope fails here too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, is_dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import data_access.queries as query_package
from data_access.db import session_factory
from data_access.models import Account, Event, EventAttendee, OpportunityChange, Training
from data_access.models_support import Bid, Product, QuoteLine, SupportRequest
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.actions import KINDS, Windows
from metrics.winloss import Drill
from tests.builders import Seed

TODAY = date(2026, 11, 27)

#: Public query functions that take no scope, and why that is right
UNSCOPED = {
    "data_years": "the years that hold data: years, no rows (the same for every viewer)",
    "deal_list": "builds a select for its callers, reads nothing",
    "has_any_data": "whether the database is empty: no rows",
    "recent_imports": "the import log (file names, counts): the Import page shows it to directors only",
    "price_list": "the company's price list: every viewer prices from it",
    "products_by_code": "the company's price list: every viewer prices from it",
}
#: Public functions that build an expression from the scope they are given, reading no rows
EXPRESSIONS = {
    "scoped_day": "a date column as a period's condition reads it",
    "class_list_probed": "a scope's deal condition as a query builds it in (test_fsql004 reads through it)",
}
#: Functions whose answer for a part of the company depends on the rest of it by the method itself
COMPANY_WIDE = {
    # the director's TOP 10 D accounts are ranked over the company's class-D accounts (docs/api.md)
    ("action_rows", "kind='director_top10_d'"): "the company's TOP 10 D, listed on their owners' lists",
    ("action_counts", "kind='director_top10_d'"): "the company's TOP 10 D, listed on their owners' lists",
}


def _modules() -> Iterator[Any]:
    for info in pkgutil.iter_modules(query_package.__path__):
        yield importlib.import_module(f"{query_package.__name__}.{info.name}")


def _functions() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for module in _modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            # "__mutmut_": the mutated copies scripts/mutation writes beside each function (their names only)
            if fn.__module__ == module.__name__ and not name.startswith("_") and "__mutmut_" not in name:
                found.append((name, fn))
    return sorted(found, key=lambda pair: pair[0])


FUNCTIONS = _functions()
#: the functions that read (a session); the others build a select for them from the scope they are given
READERS = [
    f
    for f in FUNCTIONS
    if "session" in inspect.signature(f[1]).parameters and f[0] not in UNSCOPED and f[0] not in EXPRESSIONS
]


def _build(session: Session, *, south: bool) -> None:
    """North's rows, then (``south``) South's: North's ids and codes are the same either way."""
    seed = Seed(session)
    north = seed.team("North", region="华北")
    r1 = seed.rep("R1", north, name="North Rep", region="华北")
    m1 = seed.rep("M1", north, role="manager", name="North Manager", region="华北")
    d1 = seed.rep("D1", None, role="director", name="The Director", region="华北")
    session.add_all(
        [
            Product(product_code="P1", product_line="Network", name="Router", list_price=1000, unit_cost=600),
            Product(product_code="P2", product_line="Cloud", name="Storage", list_price=500, unit_cost=200),
        ]
    )
    session.flush()
    _team_rows(session, seed, r1, m1, "N", 1, approver=d1)
    if south:
        team = seed.team("South", region="华南")
        s1 = seed.rep("S1", team, name="South Rep", region="华南")
        s2 = seed.rep("S2", team, role="manager", name="South Manager", region="华南")
        _team_rows(session, seed, s1, s2, "S", 7, approver=d1)
        # South's rep at North's account
        north_account = session.execute(select(Account).where(Account.account_code == "N-A1")).scalar_one()
        seed.visit(s1, north_account, TODAY - timedelta(days=3))
    session.commit()


def _team_rows(session: Session, seed: Seed, rep: Any, manager: Any, p: str, unit: int, approver: Any) -> None:
    """One team's business rows; amounts are ``unit`` x round numbers (North 1, South 7)."""
    a1 = seed.account(f"{p}-A1", rep, name=f"{p} Account One", region="华北" if p == "N" else "华南")
    a2 = seed.account(f"{p}-A2", rep, name=f"{p} Account Two", industry="制造", rad_override="D" if p == "N" else None)
    seed.bp(a1, 2026, unit * 1_000_000)
    seed.bp(a2, 2026, unit * 5_000_000)
    seed.bp(a1, 2025, unit * 900_000)
    seed.contact(a1, f"{p} Contact", "decision_maker")
    seed.quota(rep, 2026, unit * 2_000_000, unit * 500_000)
    seed.quota(rep, 2026, unit * 500_000, unit * 100_000, quarter=4)
    deals = []
    for level in range(1, 6):
        deals.append(
            seed.opp(
                a1 if level % 2 else a2,
                unit * 10_000 * level,
                level,
                code=f"{p}-O{level}",
                created=date(2026, 2, level),
                expected=date(2026, 12, 31) if level < 4 else date(2027, 1, 15),
                product_line="Network" if level % 2 else "Cloud",
                owner=rep,
            )
        )
    won = seed.opp(
        a1, unit * 300_000, 5, "won", code=f"{p}-W1", created=date(2025, 12, 1), closed=date(2026, 3, 1), owner=rep
    )
    won2 = seed.opp(
        a2, unit * 200_000, 5, "won", code=f"{p}-W2", created=date(2025, 6, 1), closed=date(2025, 11, 1), owner=rep
    )
    seed.opp(
        a2,
        unit * 150_000,
        3,
        "lost",
        code=f"{p}-L1",
        created=date(2026, 1, 1),
        closed=date(2026, 6, 1),
        owner=rep,
        loss_reason="price",
        competitor="Rival",
    )
    c1 = seed.contract(won, unit * 300_000, date(2026, 3, 1), gm=unit * 60_000, code=f"{p}-C1")
    c2 = seed.contract(won2, unit * 200_000, date(2025, 11, 1), gm=unit * 40_000, code=f"{p}-C2")
    seed.payment(c1, "advance", date(2026, 3, 15), unit * 90_000, paid=unit * 90_000, paid_date=date(2026, 3, 20))
    seed.payment(c1, "progress", TODAY - timedelta(days=45), unit * 120_000)
    seed.payment(c1, "acceptance", TODAY + timedelta(days=20), unit * 90_000)
    seed.payment(c2, "advance", TODAY - timedelta(days=120), unit * 200_000, paid=unit * 50_000)
    seed.visit(rep, a1, TODAY - timedelta(days=10))
    seed.visit(rep, a2, TODAY + timedelta(days=4), status="planned")
    seed.visit(manager, a2, TODAY - timedelta(days=40), kind="exec_visit")
    session.add(
        OpportunityChange(
            opportunity_id=deals[2].id,
            changed_on=TODAY - timedelta(days=5),
            field="amount",
            old_value="1",
            new_value="2",
        )
    )
    event = Event(
        event_code=f"{p}-E1",
        name=f"{p} dinner",
        kind="dinner_6a2r",
        event_date=TODAY - timedelta(days=20),
        organiser_rep_id=rep.id,
        cost=unit * 8_000,
    )
    session.add(event)
    session.flush()
    session.add_all(
        [
            EventAttendee(event_id=event.id, account_id=a1.id, contact_name=f"{p} Contact", attended=True),
            Training(rep_id=rep.id, course=f"{p} course", kind="product", training_date=date(2026, 5, 5), hours=8),
            Bid(
                bid_code=f"{p}-B1",
                opportunity_id=deals[3].id,
                tender_name=f"{p} tender",
                published_date=date(2026, 10, 1),
                deadline=TODAY + timedelta(days=5),
                status="preparing",
            ),
            Bid(
                bid_code=f"{p}-B2",
                opportunity_id=won.id,
                tender_name=f"{p} tender won",
                published_date=date(2026, 1, 10),
                deadline=date(2026, 2, 10),
                status="won",
                submitted_date=date(2026, 2, 9),
                bid_amount=unit * 300_000,
            ),
            SupportRequest(
                request_code=f"{p}-S1",
                opportunity_id=deals[2].id,
                requested_by_rep_id=rep.id,
                kind="demo",
                requested_date=date(2026, 9, 1),
                engineer=f"{p} Engineer",
                resolved_date=date(2026, 9, 5),
                hours=6,
            ),
            SupportRequest(
                request_code=f"{p}-S2",
                opportunity_id=won.id,
                requested_by_rep_id=rep.id,
                kind="poc",
                requested_date=TODAY - timedelta(days=9),
                engineer=f"{p} Engineer",
            ),
        ]
    )
    products = {str(code): int(pid) for code, pid in session.execute(select(Product.product_code, Product.id))}
    versions = ((f"{p}-Q1", date(2026, 2, 1), 500, None), (f"{p}-Q2", date(2026, 2, 20), 480, approver.id))
    for quote, day, price, approved in versions:
        session.add(
            QuoteLine(
                quote_code=quote,
                opportunity_id=won.id,
                quoted_date=day,
                product_id=products["P1"],
                quantity=unit * 10,
                unit_price=price,
                approved_by_rep_id=approved,
            )
        )
    session.flush()


@pytest.fixture(scope="module")
def worlds(databases) -> Iterator[dict[str, Engine]]:
    """Two databases: North alone, North and South."""
    engines = {}
    for name, south in (("north", False), ("both", True)):
        engine = databases.new_engine()
        with session_factory(engine)() as session:
            _build(session, south=south)
        engines[name] = engine
    yield engines
    for engine in engines.values():
        engine.dispose()


def _ids(session: Session) -> dict[str, Any]:
    one = lambda sql: session.execute(text(sql)).scalar()  # noqa: E731
    return {
        "R1": one("SELECT id FROM reps WHERE rep_code = 'R1'"),
        "M1": one("SELECT id FROM reps WHERE rep_code = 'M1'"),
        "north": one("SELECT id FROM teams WHERE name = 'North'"),
        "N-A1": one("SELECT id FROM accounts WHERE account_code = 'N-A1'"),
        "visit": one("SELECT min(v.id) FROM visits v JOIN reps r ON r.id = v.rep_id WHERE r.rep_code = 'R1'"),
        "event": one("SELECT id FROM events WHERE event_code = 'N-E1'"),
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _arguments(session: Session, ids: dict[str, Any]) -> dict[str, Any]:
    """A value for every parameter name a query function takes (North's, and codes of both teams where a function
    takes several: a scoped one keeps South's out)."""
    settings = load_settings(session)
    return {
        "start": date(2025, 1, 1),
        "end": date(2026, 12, 31),
        "today": TODAY,
        "as_of": TODAY,
        "period_end": date(2026, 12, 31),
        "due_by": date(2026, 12, 31),
        "windows": [(date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))],
        "year": 2026,
        "w": Windows(TODAY),
        "limit": 100,
        "probabilities": settings.level_probabilities,
        "floor_default": settings.floor_margin,
        "threshold": 0.05,
        "r_min": settings.rad_r_min,
        "a_max": settings.rad_a_max,
        "account_id": ids["N-A1"],
        "account_code": "N-A1",
        "codes": ["N-A1", "N-A2", "S-A1", "S-A2"],
        "account_codes": {"N-A1", "S-A1"},
        "rep_codes": {"R1", "S1"},
        "opp_codes": {"N-W1", "S-W1"},
        "rep_id": ids["R1"],
        "rep_code": "R1",
        "opp_code": "N-W1",
        "event_code": "N-E1",
        "event_id": ids["event"],
        "visit_id": ids["visit"],
        "first_day": 1,
        "last_day": None,
        "days": 30,
        "level": 3,
        "stage": "3",
        "segment": "rad_class",
        "drill": Drill("outcome", "won"),
        "mondays": [_monday(TODAY) - timedelta(weeks=k) for k in range(3)],
        "kind": "stalled_deal",
    }


def _plain(value: Any) -> Any:
    """An answer as plain data, comparable across the two databases."""
    if isinstance(value, pd.DataFrame):
        return [tuple(_plain(v) for v in row) for row in value.astype(object).itertuples(index=False)]
    if isinstance(value, pd.Series):
        return [_plain(v) for v in value.tolist()]
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return sorted(((repr(k), _plain(v)) for k, v in value.items()), key=repr)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:
        return "nan"
    return value


#: Parameters whose values change what a function reads: each value is one call
VARIANTS: dict[str, dict[str, list[Any]]] = {
    "bookings_by_month": {"by": ["team", "rep"]},
    "action_counts": {"by": ["team", "rep"]},
    "bid_totals": {"by": [None, "team", "line"]},
    "request_totals": {"by": [None, "kind", "engineer"]},
    "listed_deals": {"kind": ["open", "due", "won", "lost"], "level": [None, 3]},
}


def _calls(name: str, fn: Callable[..., Any], values: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The calls to make of ``fn``: its required parameters filled from ``values``; an optional one ``values``
    holds is called both ways (its default, and the value); a rule's ``kind``: each rule; ``VARIANTS``: each."""
    params = inspect.signature(fn).parameters
    own = VARIANTS.get(name, {})
    missing = [
        p
        for p, spec in params.items()
        if p not in ("session", "scope")
        and p not in values
        and p not in own
        and spec.default is inspect.Parameter.empty
    ]
    assert not missing, f"{name}: add a value for {missing} to _arguments (and canaries of team South if it matters)"
    calls: list[tuple[str, dict[str, Any]]] = [("", {})]
    for p, spec in params.items():
        if p in ("session", "scope"):
            continue
        if p in own:
            options = own[p]
        elif p == "kind" and fn.__module__.endswith(".actions"):
            options = list(KINDS)
        elif p not in values:
            continue
        elif spec.default is inspect.Parameter.empty:
            options = [values[p]]
        else:
            options = [spec.default, values[p]]
        calls = [
            (f"{label}|{p}={o!r}" if len(options) > 1 else label, {**kw, p: o}) for label, kw in calls for o in options
        ]
    return [(label.lstrip("|"), kw) for label, kw in calls]


def test_sco001_every_query_function_takes_a_scope_or_says_why_not():
    unscoped = sorted(name for name, fn in FUNCTIONS if "scope" not in inspect.signature(fn).parameters)
    assert unscoped == sorted(UNSCOPED), "a query reading business rows takes the viewer's Scope"
    assert len(FUNCTIONS) > 80  # the package was read (95 functions when this test was written)


@pytest.mark.parametrize("who", ["rep", "manager"])
@pytest.mark.parametrize(("name", "fn"), READERS, ids=lambda v: str(v) if isinstance(v, str) else "")
def test_sco002_a_query_answers_north_the_same_with_or_without_south(worlds, who, name, fn):
    answers = {}
    for world, engine in worlds.items():
        with session_factory(engine)() as session:
            ids = _ids(session)
            scope = Scope.rep(ids["R1"]) if who == "rep" else Scope.team(ids["north"])
            out = {}
            for label, kwargs in _calls(name, fn, _arguments(session, ids)):
                if any((name, f"kind={kind!r}") in COMPANY_WIDE for kind in KINDS if f"kind={kind!r}" in label):
                    continue
                out[label] = _plain(fn(session, scope, **kwargs))
            answers[world] = out
    assert answers["both"] == answers["north"], f"{name} answers {who} North with South's rows"
