"""The summaries (account_years, deal_levels, quote_totals, unpaid_payments) equal what their rows say, after any
sequence of writes (issue 16).

Random sequences of what an import or the UI writes (buying power set and removed, deals moved between
accounts, contracts signed, changed and removed, overrides set and cleared, thresholds saved) go through the
ORM as the importer writes them; after each, the summary and the RAD-class filter's accounts must equal what
the test computes itself from the rows it wrote (``metrics.rad``'s formulas, not the SQL under test). The
demo's bulk load, an import of a workbook, ``salesradar db rebuild-summaries`` and start-up are checked too.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data_access.db import session_factory
from data_access.importer.engine import run_import
from data_access.models import (
    Account,
    AccountYear,
    BuyingPower,
    Contract,
    DealLevel,
    Opportunity,
    Payment,
    Product,
    QuoteLine,
    QuoteTotal,
    Rep,
    StageHistory,
    UnpaidPayment,
)
from data_access.rad import UNKNOWN, class_accounts, in_class
from data_access.settings import load_settings, save_setting
from data_access.summaries import TABLE, ensure_summaries, rebuild
from metrics.rad import rad_class, share_of_wallet
from tests.builders import Seed

YEARS = (2025, 2026)
WEEK = Path("week.zip")
ACCOUNTS = 4

Op = tuple
ops = st.lists(
    st.one_of(
        st.tuples(st.just("bp"), st.integers(0, ACCOUNTS - 1), st.sampled_from(YEARS), st.none() | st.integers(0, 900)),
        st.tuples(st.just("deal"), st.integers(0, ACCOUNTS - 1)),
        st.tuples(st.just("contract"), st.integers(0, 9), st.integers(1, 500), st.sampled_from(YEARS)),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, ACCOUNTS - 1)),
        st.tuples(st.just("amount"), st.integers(0, 9), st.integers(1, 500)),
        st.tuples(st.just("drop"), st.integers(0, 9)),
        st.tuples(st.just("override"), st.integers(0, ACCOUNTS - 1), st.sampled_from([None, "R", "A", "D"])),
        st.tuples(st.just("thresholds"), st.sampled_from([0.3, 0.5, 0.7]), st.sampled_from([0.05, 0.1, 0.2])),
    ),
    min_size=1,
    max_size=14,
)


def _expected(seed_state: dict) -> dict[tuple[int, int], tuple[float | None, float, str]]:
    """(account, year) -> (bp, bookings, class), from the rows the test wrote."""
    r_min, a_max = seed_state["thresholds"]
    keys = set(seed_state["bp"])
    booked: dict[tuple[int, int], float] = {}
    for deal, amount, signed in seed_state["contracts"].values():
        key = (seed_state["deals"][deal], signed.year)
        booked[key] = booked.get(key, 0.0) + amount
        keys.add(key)
    out = {}
    for key in keys:
        bp = seed_state["bp"].get(key)
        bookings = booked.get(key, 0.0)
        override = seed_state["overrides"].get(key[0])
        computed = rad_class(share_of_wallet(bookings, bp), r_min, a_max) or UNKNOWN
        out[key] = (bp, bookings, override or computed)
    return out


def _class_expected(seed_state: dict, accounts: list[int], year: int, cls: str) -> set[int]:
    summary = _expected(seed_state)
    found = set()
    for account in accounts:
        override = seed_state["overrides"].get(account)
        shown = override or (summary[account, year][2] if (account, year) in summary else UNKNOWN)
        if shown == cls:
            found.add(account)
    return found


def _check(session: Session, seed_state: dict, accounts: list[int]) -> None:
    rows = {
        (r.account_id, r.year): (None if r.bp is None else float(r.bp), float(r.bookings), r.rad_class)
        for r in session.scalars(select(AccountYear))
    }
    assert rows == _expected(seed_state)
    for year in (2024, *YEARS):
        for cls in ("R", "A", "D", UNKNOWN):
            got = set(session.scalars(class_accounts(year, cls)))
            assert got & set(accounts) == _class_expected(seed_state, accounts, year, cls), (year, cls)
            # the same rule asked of each account (a team's or a rep's view: data_access.rad.in_class)
            asked = set(session.scalars(select(Account.id).where(in_class(Account.id, year, cls))))
            assert asked & set(accounts) == _class_expected(seed_state, accounts, year, cls), (year, cls, "asked")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_sum001_the_summary_follows_every_write(engine, steps):
    with session_factory(engine)() as session:
        for model in (AccountYear, Contract, Opportunity, BuyingPower):
            session.execute(delete(model))
        session.commit()
        seed = Seed(session)
        team = seed.team(f"T{id(steps)}")
        rep = seed.rep(f"R{id(steps)}", team)
        accounts = [seed.account(f"A{id(steps)}-{i}", rep) for i in range(ACCOUNTS)]
        s = load_settings(session)
        state: dict = {
            "thresholds": (s.rad_r_min, s.rad_a_max),
            "bp": {},
            "deals": {},
            "contracts": {},
            "overrides": {},
        }
        deals: list[Opportunity] = []
        contracts: list[Contract] = []
        for step in steps:
            kind = step[0]
            if kind == "bp":
                _, a, year, value = step
                row = session.scalar(
                    select(BuyingPower).where(BuyingPower.account_id == accounts[a].id, BuyingPower.year == year)
                )
                if value is None:
                    if row is not None:
                        session.delete(row)
                    state["bp"].pop((accounts[a].id, year), None)
                elif row is None:
                    seed.bp(accounts[a], year, float(value))
                    state["bp"][(accounts[a].id, year)] = float(value)
                else:
                    row.bp = float(value)
                    state["bp"][(accounts[a].id, year)] = float(value)
            elif kind == "deal":
                deal = seed.opp(accounts[step[1]], 1000, 5, "won", closed=date(2026, 1, 5))
                deals.append(deal)
                state["deals"][deal.id] = accounts[step[1]].id
            elif kind == "contract" and deals:
                _, d, amount, year = step
                deal = deals[d % len(deals)]
                contract = seed.contract(deal, float(amount), date(year, 6, 1))
                contracts.append(contract)
                state["contracts"][contract.id] = (deal.id, float(amount), date(year, 6, 1))
            elif kind == "move" and deals:
                deal = deals[step[1] % len(deals)]
                deal.account_id = accounts[step[2]].id
                state["deals"][deal.id] = accounts[step[2]].id
            elif kind == "amount" and contracts:
                contract = contracts[step[1] % len(contracts)]
                contract.amount = float(step[2])
                d, _amount, signed = state["contracts"][contract.id]
                state["contracts"][contract.id] = (d, float(step[2]), signed)
            elif kind == "drop" and contracts:
                contract = contracts.pop(step[1] % len(contracts))
                session.delete(contract)
                state["contracts"].pop(contract.id)
            elif kind == "override":
                accounts[step[1]].rad_override = step[2]
                state["overrides"][accounts[step[1]].id] = step[2]
            elif kind == "thresholds":
                save_setting(session, "rad_thresholds", {"r_min": step[1], "a_max": step[2]})
                state["thresholds"] = (step[1], step[2])
            session.flush()
            _check(session, state, [a.id for a in accounts])
        session.rollback()


def _summary(session: Session) -> set[tuple]:
    return {
        (r.account_id, r.year, r.bp, r.bookings, r.gm_booked, r.rad_class) for r in session.scalars(select(AccountYear))
    }


def test_sum002_the_demo_and_a_rebuild_agree(demo_engine):
    """The demo's bulk load sums the summary once; summed again from the rows it is the same."""
    with demo_engine.connect() as conn:
        with Session(conn) as session:
            kept = _summary(session)
            assert len(kept) > 100
        trans = conn.begin()
        try:
            rebuild(conn)
            with Session(conn) as session:
                assert _summary(session) == kept
        finally:
            trans.rollback()


def test_sum003_start_up_and_the_command_fill_an_empty_summary(new_engine, tmp_path):
    import subprocess
    import sys

    from data_access import demo
    from tests.conftest import url_of

    engine = new_engine()
    demo.generate(engine, as_of=date(2026, 11, 27), opportunities=300)
    with session_factory(engine)() as session:
        full, levels = _summary(session), _levels_found(session)
        session.execute(delete(TABLE))
        session.commit()
    assert ensure_summaries(engine) == ["account_years"] and ensure_summaries(engine) == []
    with session_factory(engine)() as session:
        assert _summary(session) == full
        session.execute(delete(DealLevel))  # the level summary alone empty (a database migrated to 0011)
        session.commit()
    assert ensure_summaries(engine) == ["deal_levels"] and ensure_summaries(engine) == []
    with session_factory(engine)() as session:
        assert _levels_found(session) == levels and len(levels) > 300
        quotes = _quotes_found(session)
        session.execute(delete(QuoteTotal))  # the quote summary alone empty (a database migrated to 0017)
        session.commit()
    assert ensure_summaries(engine) == ["quote_totals"] and ensure_summaries(engine) == []
    with session_factory(engine)() as session:
        assert _quotes_found(session) == quotes and len(quotes) > 10
        unpaid = _unpaid_found(session)
        session.execute(delete(UnpaidPayment))  # the unpaid payments alone empty (a database migrated to 0019)
        session.commit()
    assert ensure_summaries(engine) == ["unpaid_payments"] and ensure_summaries(engine) == []
    with session_factory(engine)() as session:
        assert _unpaid_found(session) == unpaid and len(unpaid) > 10
        session.execute(delete(TABLE))
        session.execute(delete(DealLevel))
        session.execute(delete(QuoteTotal))
        session.execute(delete(UnpaidPayment))
        session.commit()
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "cli", "db", "rebuild-summaries"],
        cwd=root,
        env={"DATABASE_URL": url_of(engine), "PATH": "/usr/bin:/bin", "SALESRADAR_INSTANCE": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"account_years: {len(full):,} rows" in done.stdout
    assert f"deal_levels: {len(levels):,} rows" in done.stdout
    assert f"quote_totals: {len(quotes):,} rows" in done.stdout
    assert f"unpaid_payments: {len(unpaid):,} rows" in done.stdout
    with session_factory(engine)() as session:
        assert _summary(session) == full and _levels_found(session) == levels and _quotes_found(session) == quotes
        assert _unpaid_found(session) == unpaid


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


def test_sum004_an_import_keeps_the_summary_in_its_transaction(new_engine):
    """A workbook that adds a BP, moves a deal to another account and signs a contract: the summary holds the
    new figures at once, and a dry run leaves it as it was."""
    engine = new_engine()
    files = {
        "reps.csv": "rep_code,name,team,region,role,manager_code,email,hire_date\n"
        "R1,甲,华东一部,华东,rep,,r1@x.example,2024-01-01\n",
        "accounts.csv": "account_code,name,industry,region,owner_rep_code,city,key_account,rad_override\n"
        "A1,甲客户,金融,华东,R1,上海,false,\nA2,乙客户,金融,华东,R1,上海,false,\n",
        "buying_power.csv": "account_code,year,bp,source\nA1,2026,1000,\nA2,2026,400,\n",
        "opportunities.csv": "opp_code,account_code,owner_rep_code,name,amount,level,status,created_date,"
        "expected_close_date,product_line,gross_margin,closed_date,loss_reason,win_reason,competitor\n"
        "O1,A1,R1,项目,600,5,won,2026-01-05,2026-03-01,,,2026-03-01,,,\n",
        "contracts.csv": "contract_code,opp_code,signed_date,amount,gross_margin\nC1,O1,2026-03-01,600,100\n",
    }
    first = run_import(engine, WEEK, data=_zip(files), as_of=date(2026, 11, 27), username="test")
    assert first.ok, [i.as_dict() for i in first.issues]
    with session_factory(engine)() as session:
        got = {(r.year, r.bp, r.bookings, r.rad_class) for r in session.scalars(select(AccountYear))}
    assert got == {(2026, 1000.0, 600.0, "R"), (2026, 400.0, 0.0, "A")}
    moved = dict(files, **{"opportunities.csv": files["opportunities.csv"].replace("O1,A1,", "O1,A2,")})
    dry = run_import(engine, WEEK, data=_zip(moved), as_of=date(2026, 11, 27), username="test", dry_run=True)
    assert dry.ok
    with session_factory(engine)() as session:
        assert {(r.bookings, r.rad_class) for r in session.scalars(select(AccountYear))} == {(600.0, "R"), (0.0, "A")}
    real = run_import(engine, WEEK, data=_zip(moved), as_of=date(2026, 11, 27), username="test")
    assert real.ok
    with session_factory(engine)() as session:
        rows = {r.bp: (r.bookings, r.rad_class) for r in session.scalars(select(AccountYear))}
    assert rows == {1000.0: (0.0, "A"), 400.0: (600.0, "R")}  # the contract's bookings followed its deal


@pytest.mark.parametrize("cls", ["R", "A", "D", UNKNOWN])
def test_sum005_the_class_filter_equals_the_classes_of_every_account(demo_session, cls):
    """``class_accounts`` (the summary's index) names the accounts ``metrics.rad`` classes so."""
    from data_access import queries
    from data_access.scope import Scope
    from metrics.rad import classify

    s = load_settings(demo_session)
    year = 2026
    frame = classify(queries.account_year(demo_session, Scope.everything(), year), s.rad_r_min, s.rad_a_max)
    codes = {str(c) for c, k in zip(frame["account_code"], frame["rad_class"], strict=True) if (k or UNKNOWN) == cls}
    from data_access.models import Account

    got = set(demo_session.scalars(select(Account.account_code).where(Account.id.in_(class_accounts(year, cls)))))
    assert got == codes and (codes or cls == "D")


def test_sum006_a_save_of_the_thresholds_classes_every_row_again(session):
    """SOW 40%: D by the default thresholds (R from 50%, A below 10%), R once R starts at 30%, in the same
    transaction as the save."""
    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T"))
    account = seed.account("A1", rep)
    seed.bp(account, 2026, 1000.0)
    seed.contract(seed.opp(account, 400, 5, "won", closed=date(2026, 2, 1)), 400.0, date(2026, 2, 1))
    assert session.scalar(select(AccountYear.rad_class)) == "D"
    assert set(session.scalars(class_accounts(2026, "D"))) == {account.id}
    save_setting(session, "rad_thresholds", {"r_min": 0.3, "a_max": 0.1})
    session.flush()
    assert session.scalar(select(AccountYear.rad_class)) == "R"
    assert set(session.scalars(class_accounts(2026, "R"))) == {account.id}
    assert set(session.scalars(class_accounts(2026, "D"))) == set()


# ---------------------------------------------------------------- deal_levels: each deal's stays at each level
DAYS = [date(2026, 1, 1) + timedelta(days=d) for d in (0, 3, 3, 10, 40)]
#: a deal handed to another rep, product line or account (``_handed_over`` writes them): both summaries follow them
HAND_OVERS = (
    st.tuples(st.just("owner"), st.integers(0, 9), st.integers(0, 1)),
    st.tuples(st.just("line"), st.integers(0, 9), st.sampled_from([None, "云服务", "运维服务"])),
    st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 2)),
)
level_ops = st.lists(
    st.one_of(
        st.tuples(st.just("deal"), st.integers(0, 2), st.integers(1, 6), st.sampled_from(DAYS)),
        st.tuples(st.just("stage"), st.integers(0, 9), st.integers(1, 6), st.sampled_from(DAYS)),
        st.tuples(st.just("unstage"), st.integers(0, 19)),
        st.tuples(st.just("close"), st.integers(0, 9), st.sampled_from(["won", "lost", "open"]), st.sampled_from(DAYS)),
        *HAND_OVERS,
        st.tuples(st.just("remove"), st.integers(0, 9)),
    ),
    min_size=1,
    max_size=16,
)


def _levels_expected(deals: dict[int, dict]) -> dict[tuple[int, int], tuple]:
    """(deal, level) -> (entered, top, entries, closed_days, open_since, last_entered, status, owner, line,
    account), from the deals the test wrote: a stay ends at the deal's next entry (by date, then level), else at
    its close; the last entry's date is on its level's row."""
    out = {}
    for deal_id, d in deals.items():
        rows = sorted(d["stages"], key=lambda r: (r[1], r[0]))
        if not rows:
            continue
        top = max(level for level, _when in rows)
        for level in {level for level, _when in rows}:
            closed_days, open_since, entries = 0, None, 0
            for i, (lv, when) in enumerate(rows):
                if lv != level:
                    continue
                entries += 1
                end = rows[i + 1][1] if i + 1 < len(rows) else d["closed"]
                if end is None:
                    open_since = when
                else:
                    closed_days += (end - when).days
            entered = min(when for lv, when in rows if lv == level)
            out[deal_id, level] = (
                entered,
                top,
                entries,
                closed_days,
                open_since,
                rows[-1][1] if rows[-1][0] == level else None,
                d["status"],
                d["owner"],
                d["line"],
                d["account"],
            )
    return out


def _levels_found(session: Session) -> dict[tuple[int, int], tuple]:
    return {
        (r.opportunity_id, r.level): (
            r.entered,
            r.top,
            r.entries,
            r.closed_days,
            r.open_since,
            r.last_entered,
            r.status,
            r.owner_rep_id,
            r.product_line,
            r.account_id,
        )
        for r in session.scalars(select(DealLevel))
    }


def _handed_over(step: tuple, deals: list[Opportunity], reps: list, accounts: list, state: dict[int, dict]) -> bool:
    """The deal changes both the level and the quote summaries' tests make: ``owner`` (to ``reps[i]``), ``line`` (a
    product line), ``move`` (to ``accounts[i]``), written on the deal and in the test's own state; whether ``step``
    was one of them."""
    kind = step[0]
    if kind not in ("owner", "line", "move"):
        return False
    deal = deals[step[1] % len(deals)]
    if kind == "owner":
        deal.owner_rep_id = reps[step[2]].id
        state[deal.id]["owner"] = reps[step[2]].id
    elif kind == "move":
        deal.account_id = accounts[step[2]].id
        state[deal.id]["account"] = accounts[step[2]].id
    else:
        deal.product_line = step[2]
        state[deal.id]["line"] = step[2]
    return True


def _world(session: Session, tag: int, cleared: tuple) -> tuple[Seed, list, list]:
    """The rows of ``cleared`` deleted, then a team of two reps and three accounts of the first: what the summaries'
    random writes hand deals between (``_handed_over``)."""
    for model in cleared:
        session.execute(delete(model))
    session.commit()
    seed = Seed(session)
    team = seed.team(f"T{tag}")
    reps = [seed.rep(f"R{tag}-{i}", team) for i in range(2)]
    return seed, reps, [seed.account(f"A{tag}-{i}", reps[0]) for i in range(3)]


def _removed(session: Session, deal: Opportunity, state: dict[int, dict]) -> None:
    """A deal deleted after its stage history, as the importer removes one (what hangs on it went first)."""
    session.flush()
    for row in list(deal.history):
        session.delete(row)
    session.flush()
    session.delete(deal)
    del state[deal.id]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=level_ops)
def test_sum007_deal_levels_follow_every_write(engine, steps):
    """Deals opened, staged and unstaged, closed and reopened, handed to another rep, moved to another line or
    account and removed, in random order: after each flush the summary equals the test's own sums."""
    with session_factory(engine)() as session:
        seed, reps, accounts = _world(session, id(steps), (DealLevel, StageHistory, Contract, Opportunity))
        deals: list[Opportunity] = []
        stages: list[StageHistory] = []
        state: dict[int, dict] = {}
        for step in steps:
            kind = step[0]
            if kind == "deal":
                _, a, level, when = step
                deal = seed.opp(accounts[a], 1000, level, created=when)
                session.flush()
                deals.append(deal)
                stages.extend(deal.history)
                state[deal.id] = {
                    "stages": [(level, when)],
                    "status": "open",
                    "closed": None,
                    "owner": accounts[a].owner_rep_id,
                    "line": None,
                    "account": accounts[a].id,
                }
            elif not deals:
                continue
            elif kind == "stage":
                deal = deals[step[1] % len(deals)]
                row = StageHistory(opportunity_id=deal.id, level=step[2], entered_date=step[3])
                session.add(row)
                stages.append(row)
                state[deal.id]["stages"].append((step[2], step[3]))
            elif kind == "unstage" and stages:
                row = stages.pop(step[1] % len(stages))
                session.delete(row)
                state[row.opportunity_id]["stages"].remove((row.level, row.entered_date))
            elif kind == "close":
                deal = deals[step[1] % len(deals)]
                closed = None if step[2] == "open" else step[3]
                deal.status, deal.closed_date = step[2], closed
                state[deal.id].update(status=step[2], closed=closed)
            elif _handed_over(step, deals, reps, accounts, state):
                pass
            elif kind == "remove":
                deal = deals.pop(step[1] % len(deals))
                for row in [r for r in stages if r.opportunity_id == deal.id]:
                    stages.remove(row)
                    session.delete(row)
                session.flush()
                session.delete(deal)
                del state[deal.id]
            session.flush()
            assert _levels_found(session) == _levels_expected(state)
        session.rollback()


def test_sum008_the_demo_and_a_rebuild_agree_on_deal_levels(demo_engine):
    """The demo's bulk load sums every deal's levels once; summed again from the stage history they are the
    same, and every deal with a stage has its rows."""
    with demo_engine.connect() as conn:
        with Session(conn) as session:
            kept = _levels_found(session)
            staged = set(session.scalars(select(StageHistory.opportunity_id).distinct()))
            assert {deal for deal, _level in kept} == staged and len(kept) > 1000
        trans = conn.begin()
        try:
            conn.execute(delete(DealLevel))
            rebuild(conn)
            with Session(conn) as session:
                assert _levels_found(session) == kept
        finally:
            trans.rollback()


# ---------------------------------------------------------------- quote_totals: each quote's sums and currency
QUOTE_DAYS = [date(2026, 3, 1), date(2026, 3, 1), date(2026, 5, 2), date(2026, 9, 30)]
quote_ops = st.lists(
    st.one_of(
        st.tuples(st.just("deal"), st.integers(0, 2)),
        st.tuples(
            st.just("qline"),
            st.integers(0, 9),
            st.integers(0, 2),
            st.integers(0, 1),
            st.integers(1, 5),
            st.integers(0, 300),
            st.sampled_from(QUOTE_DAYS),
        ),
        st.tuples(st.just("unline"), st.integers(0, 19)),
        st.tuples(st.just("requote"), st.integers(0, 19), st.integers(0, 9)),
        st.tuples(st.just("reprice"), st.integers(0, 19), st.integers(1, 5), st.integers(0, 300)),
        st.tuples(st.just("price_list"), st.integers(0, 1), st.integers(0, 200), st.integers(0, 400)),
        st.tuples(st.just("close"), st.integers(0, 9), st.sampled_from(["won", "lost", "open"])),
        *HAND_OVERS,
        st.tuples(st.just("remove"), st.integers(0, 9)),
    ),
    min_size=1,
    max_size=16,
)


def _quotes_expected(deals: dict[int, dict], lines: dict[tuple[str, int], dict], prices: dict[int, tuple]) -> set:
    """{(deal, quote, date, revenue, cost, list amount, lines, current, status, owner, line, account)} from the rows
    the test wrote: a quote's lines summed at the price list's current prices; the deal's current quote is its
    latest by date, then by the greater code."""
    by_quote: dict[tuple[int, str], list[dict]] = {}
    for (code, _product), line in lines.items():
        by_quote.setdefault((line["deal"], code), []).append(line)
    current: dict[int, tuple[date, str]] = {}
    for deal, code in by_quote:
        key = (by_quote[deal, code][0]["day"], code)
        current[deal] = max(current.get(deal, key), key)
    out = set()
    for (deal, code), rows in by_quote.items():
        d = deals[deal]
        day = rows[0]["day"]
        revenue = sum(r["qty"] * r["price"] for r in rows)
        cost = sum(r["qty"] * prices[r["product"]][0] for r in rows)
        listed = sum(r["qty"] * prices[r["product"]][1] for r in rows)
        is_current = current[deal] == (day, code)
        out.add(
            (
                deal,
                code,
                day,
                revenue,
                cost,
                listed,
                len(rows),
                is_current,
                d["status"],
                d["owner"],
                d["line"],
                d["account"],
            )
        )
    return out


def _quotes_found(session: Session) -> set:
    return {
        (
            r.opportunity_id,
            r.quote_code,
            r.quoted_date,
            round(r.revenue, 4),
            round(r.cost, 4),
            round(r.list_amount, 4),
            r.lines,
            bool(r.is_current),
            r.status,
            r.owner_rep_id,
            r.product_line,
            r.account_id,
        )
        for r in session.scalars(select(QuoteTotal))
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=quote_ops)
def test_sum009_quote_totals_follow_every_write(engine, steps):
    """Quote lines added, repriced and removed, the price list's costs and list prices changed, deals closed,
    handed over, moved to another line or account and removed, in random order: after each flush the quote
    summary equals the test's own sums, and each deal's current quote is its latest."""
    with session_factory(engine)() as session:
        tag = id(steps)
        cleared = (QuoteTotal, QuoteLine, Product, DealLevel, StageHistory, Contract, Opportunity)
        seed, reps, accounts = _world(session, tag, cleared)
        products = []
        for i in range(2):
            product = Product(
                product_code=f"P{tag}-{i}", product_line="云服务", name=f"P{i}", list_price=100 + i, unit_cost=60 + i
            )
            session.add(product)
            products.append(product)
        session.flush()
        prices = {p.id: (p.unit_cost, p.list_price) for p in products}
        deals: list[Opportunity] = []
        state: dict[int, dict] = {}
        lines: dict[tuple[str, int], dict] = {}
        rows: dict[tuple[str, int], QuoteLine] = {}
        quote_days: dict[str, date] = {}  # one quote, one date (the importer's rule)
        first = [("deal", 0), ("deal", 1), ("qline", 0, 0, 0, 2, 100, QUOTE_DAYS[0])]
        first.append(("qline", 1, 1, 1, 3, 50, QUOTE_DAYS[2]))
        for step in [*first, *steps]:  # two quoted deals first: every step has something to change
            kind = step[0]
            if kind == "deal":
                deal = seed.opp(accounts[step[1]], 1000, 3)
                session.flush()
                deals.append(deal)
                state[deal.id] = {
                    "status": "open",
                    "owner": deal.owner_rep_id,
                    "line": None,
                    "account": deal.account_id,
                }
            elif kind == "price_list":
                product = products[step[1]]
                product.unit_cost, product.list_price = step[2], step[3]
                prices[product.id] = (step[2], step[3])
            elif not deals:
                continue
            elif kind == "qline":
                _, d, q, p, qty, price, day = step
                deal = deals[d % len(deals)]
                code = f"Q{deal.id}-{q}"
                day = quote_days.setdefault(code, day)
                key = (code, products[p].id)
                if key in rows:
                    rows[key].quantity, rows[key].unit_price = qty, price
                else:
                    rows[key] = QuoteLine(
                        quote_code=code,
                        opportunity_id=deal.id,
                        quoted_date=day,
                        product_id=products[p].id,
                        quantity=qty,
                        unit_price=price,
                    )
                    session.add(rows[key])
                owner_deal = rows[key].opportunity_id  # a requoted quote's line stays with its new deal
                lines[key] = {"deal": owner_deal, "day": day, "product": products[p].id, "qty": qty, "price": price}
            elif kind in ("unline", "reprice", "requote") and rows:
                key = sorted(rows)[step[1] % len(rows)]
                if kind == "requote":  # the whole quote handed to another deal (its lines move together)
                    deal = deals[step[2] % len(deals)]
                    for k in [k for k in rows if k[0] == key[0]]:
                        rows[k].opportunity_id = deal.id
                        lines[k]["deal"] = deal.id
                elif kind == "unline":
                    session.delete(rows.pop(key))
                    del lines[key]
                else:
                    rows[key].quantity, rows[key].unit_price = step[2], step[3]
                    lines[key].update(qty=step[2], price=step[3])
            elif kind == "close":
                deal = deals[step[1] % len(deals)]
                deal.status = step[2]
                deal.closed_date = None if step[2] == "open" else date(2026, 10, 1)
                state[deal.id]["status"] = step[2]
            elif _handed_over(step, deals, reps, accounts, state):
                pass
            elif kind == "remove":
                deal = deals.pop(step[1] % len(deals))
                for key in [k for k, line in lines.items() if line["deal"] == deal.id]:
                    session.delete(rows.pop(key))
                    del lines[key]
                _removed(session, deal, state)
            session.flush()
            assert _quotes_found(session) == _quotes_expected(state, lines, prices)
        session.rollback()


def test_sum010_the_demo_and_a_rebuild_agree_on_quote_totals(demo_engine):
    """The demo's bulk load sums every quote once; summed again from the quote lines they are the same, every
    quoted deal has exactly one current quote, and the lines counted are the lines written."""
    with demo_engine.connect() as conn:
        with Session(conn) as session:
            kept = _quotes_found(session)
            assert len(kept) > 100
            current = [row[0] for row in kept if row[7]]
            assert sorted(current) == sorted(set(current)) == sorted({row[0] for row in kept})
            assert sum(row[6] for row in kept) == session.scalar(select(func.count()).select_from(QuoteLine))
        trans = conn.begin()
        try:
            conn.execute(delete(QuoteTotal))
            rebuild(conn, ["quote_totals"])
            with Session(conn) as session:
                assert _quotes_found(session) == kept
        finally:
            trans.rollback()


# ---------------------------------------------------------------- unpaid_payments: what each payment still owes
MILESTONES = ("advance", "progress", "acceptance", "retention")
DUE = [date(2026, 2, 1), date(2026, 6, 30), date(2026, 11, 30)]
unpaid_ops = st.lists(
    st.one_of(
        st.tuples(st.just("deal"), st.integers(0, 2)),
        st.tuples(st.just("contract"), st.integers(0, 9)),
        st.tuples(
            st.just("pay"),
            st.integers(0, 9),
            st.integers(0, 3),
            st.sampled_from(DUE),
            st.integers(0, 500),
            st.none() | st.integers(0, 600),
        ),
        st.tuples(st.just("settle"), st.integers(0, 19), st.none() | st.integers(0, 600)),
        st.tuples(st.just("shift"), st.integers(0, 19), st.integers(0, 9)),
        st.tuples(st.just("repoint"), st.integers(0, 9), st.integers(0, 9)),
        st.tuples(st.just("unpay"), st.integers(0, 19)),
        st.tuples(st.just("uncontract"), st.integers(0, 9)),
        *HAND_OVERS,
        st.tuples(st.just("remove"), st.integers(0, 9)),
    ),
    min_size=1,
    max_size=16,
)


def _unpaid_expected(deals: dict[int, dict], contracts: dict[int, int], payments: dict[int, dict]) -> set:
    """{(payment, deal, due date, amount, paid, owed, owner, line, account)} of every payment the test wrote that
    still owes something: its amount less what was paid (nothing paid counts 0), above 0."""
    out = set()
    for pid, p in payments.items():
        owed = p["amount"] - (p["paid"] or 0)
        if owed > 0:
            deal = contracts[p["contract"]]
            d = deals[deal]
            paid = float(p["paid"] or 0)
            out.add((pid, deal, p["due"], float(p["amount"]), paid, float(owed), d["owner"], d["line"], d["account"]))
    return out


def _unpaid_found(session: Session) -> set:
    return {
        (
            r.payment_id,
            r.opportunity_id,
            r.due_date,
            round(r.amount, 2),
            round(r.paid, 2),
            round(r.owed, 2),
            r.owner_rep_id,
            r.product_line,
            r.account_id,
        )
        for r in session.scalars(select(UnpaidPayment))
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=unpaid_ops)
@example(steps=[("deal", 1), ("repoint", 0, 1), ("owner", 1, 1), ("shift", 0, 0), ("repoint", 0, 0)])
def test_sum011_unpaid_payments_follow_every_write(engine, steps):
    """Payments added, paid in part, in full or beyond, moved to another contract and deleted; contracts moved to
    another deal and deleted with their payments; deals handed to another rep, line or account and removed, in
    random order: after each flush the unpaid payments' summary equals what the test's own rows still owe."""
    with session_factory(engine)() as session:
        cleared = (UnpaidPayment, Payment, Contract, DealLevel, StageHistory, Opportunity)
        seed, reps, accounts = _world(session, id(steps), cleared)
        deals: list[Opportunity] = []
        state: dict[int, dict] = {}
        contracts: list[Contract] = []
        deal_of: dict[int, int] = {}  # contract -> deal
        rows: dict[int, Payment] = {}
        payments: dict[int, dict] = {}  # payment -> contract, due, amount, paid
        first = [("deal", 0), ("contract", 0), ("pay", 0, 0, DUE[0], 300, None), ("pay", 0, 1, DUE[2], 200, 50)]
        for step in [*first, *steps]:  # a deal with a contract and two unpaid payments first
            kind = step[0]
            if kind == "deal":
                deal = seed.opp(accounts[step[1]], 1000, 5, "won", closed=date(2026, 1, 20))
                deals.append(deal)
                state[deal.id] = {"owner": deal.owner_rep_id, "line": None, "account": deal.account_id}
            elif not deals:
                continue
            elif kind == "contract":
                contract = seed.contract(deals[step[1] % len(deals)], 1000, date(2026, 1, 20))
                contracts.append(contract)
                deal_of[contract.id] = contract.opportunity_id
            elif kind == "repoint" and contracts:
                contract = contracts[step[1] % len(contracts)]
                contract.opportunity_id = deals[step[2] % len(deals)].id
                deal_of[contract.id] = contract.opportunity_id
            elif kind == "pay" and contracts:
                _, c, m, due, amount, paid = step
                contract = contracts[c % len(contracts)]
                same = [p for p in rows.values() if p.contract_id == contract.id and p.milestone == MILESTONES[m]]
                if same:  # the importer's rule: a contract's milestone is one payment, written again
                    payment = same[0]
                    payment.due_date, payment.amount, payment.paid_amount = due, amount, paid
                else:
                    payment = Payment(
                        contract_id=contract.id, milestone=MILESTONES[m], due_date=due, amount=amount, paid_amount=paid
                    )
                    session.add(payment)
                    session.flush()
                    rows[payment.id] = payment
                payments[payment.id] = {"contract": contract.id, "due": due, "amount": amount, "paid": paid}
            elif kind in ("settle", "shift", "unpay") and rows:
                pid = sorted(rows)[step[1] % len(rows)]
                payment = rows[pid]
                if kind == "settle":
                    payment.paid_amount = step[2]
                    payments[pid]["paid"] = step[2]
                elif kind == "unpay":
                    session.delete(rows.pop(pid))
                    del payments[pid]
                elif contracts:
                    to = contracts[step[2] % len(contracts)]
                    if not any(p.contract_id == to.id and p.milestone == payment.milestone for p in rows.values()):
                        payment.contract_id = to.id
                        payments[pid]["contract"] = to.id
            elif kind == "uncontract" and contracts:
                contract = contracts.pop(step[1] % len(contracts))
                for pid in [pid for pid, p in payments.items() if p["contract"] == contract.id]:
                    session.delete(rows.pop(pid))
                    del payments[pid]
                session.flush()
                session.delete(contract)
                del deal_of[contract.id]
            elif _handed_over(step, deals, reps, accounts, state):
                pass
            elif kind == "remove":
                deal = deals.pop(step[1] % len(deals))
                for contract in [c for c in contracts if deal_of[c.id] == deal.id]:
                    for pid in [pid for pid, p in payments.items() if p["contract"] == contract.id]:
                        session.delete(rows.pop(pid))
                        del payments[pid]
                    session.flush()
                    contracts.remove(contract)
                    del deal_of[contract.id]
                    session.delete(contract)
                _removed(session, deal, state)
            session.flush()
            assert _unpaid_found(session) == _unpaid_expected(state, deal_of, payments)
        session.rollback()


def test_sum012_the_demo_and_a_rebuild_agree_on_unpaid_payments(demo_engine):
    """The demo's bulk load sums every unpaid payment once; summed again from the payments they are the same, and
    the sum of what is owed is the payments' own (the sum over every payment of what it owes, where above 0)."""
    with demo_engine.connect() as conn:
        with Session(conn) as session:
            kept = _unpaid_found(session)
            assert len(kept) > 100
            owed = [float(a) - float(p or 0) for a, p in session.execute(select(Payment.amount, Payment.paid_amount))]
            assert sum(row[5] for row in kept) == pytest.approx(sum(o for o in owed if o > 0))
            assert len(kept) == sum(1 for o in owed if o > 0)
        trans = conn.begin()
        try:
            conn.execute(delete(UnpaidPayment))
            rebuild(conn, ["unpaid_payments"])
            with Session(conn) as session:
                assert _unpaid_found(session) == kept
        finally:
            trans.rollback()


def test_sum013_every_payment_paid_leaves_the_summary_empty_and_not_missing(session, engine):
    """A database whose payments are all paid (or paid beyond their amount) has no unpaid row, and start-up does not
    take the empty summary for one migrated from before it; one payment left owing is summed at once."""
    for model in (UnpaidPayment, Payment, Contract, DealLevel, StageHistory, Opportunity):
        session.execute(delete(model))
    seed = Seed(session)
    rep = seed.rep("R-paid", seed.team("T-paid"))
    deal = seed.opp(seed.account("A-paid", rep), 1000, 5, "won", closed=date(2026, 1, 20))
    contract = seed.contract(deal, 1000, date(2026, 1, 20))
    seed.payment(contract, "advance", date(2026, 2, 1), 300, 300)
    late = seed.payment(contract, "progress", date(2026, 3, 1), 200, 250)
    session.commit()
    assert _unpaid_found(session) == set()
    assert ensure_summaries(engine) == []
    late.paid_amount = 120.5
    session.commit()
    assert _unpaid_found(session) == {
        (late.id, deal.id, date(2026, 3, 1), 200.0, 120.5, 79.5, rep.id, None, deal.account_id)
    }


def test_sum014_an_import_keeps_the_unpaid_payments_in_its_transaction(new_engine):
    """A workbook with a contract's two payments, one paid in part: the summary holds what each owes at once; the
    next week's workbook pays one in full and hands the deal to another rep, and a dry run of it changes nothing."""
    engine = new_engine()
    files = {
        "reps.csv": "rep_code,name,team,region,role,manager_code,email,hire_date\n"
        "R1,甲,华东一部,华东,rep,,r1@x.example,2024-01-01\nR2,乙,华东一部,华东,rep,,r2@x.example,2024-01-01\n",
        "accounts.csv": "account_code,name,industry,region,owner_rep_code,city,key_account,rad_override\n"
        "A1,甲客户,金融,华东,R1,上海,false,\n",
        "opportunities.csv": "opp_code,account_code,owner_rep_code,name,amount,level,status,created_date,"
        "expected_close_date,product_line,gross_margin,closed_date,loss_reason,win_reason,competitor\n"
        "O1,A1,R1,项目,600,5,won,2026-01-05,2026-03-01,云服务,,2026-03-01,,,\n",
        "contracts.csv": "contract_code,opp_code,signed_date,amount,gross_margin\nC1,O1,2026-03-01,600,100\n",
        "payments.csv": "contract_code,milestone,due_date,amount,paid_date,paid_amount\n"
        "C1,advance,2026-03-15,200,2026-03-20,50.25\nC1,acceptance,2026-09-30,400,,\n",
    }
    first = run_import(engine, WEEK, data=_zip(files), as_of=date(2026, 11, 27), username="test")
    assert first.ok, [i.as_dict() for i in first.issues]

    def owed() -> set:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(UnpaidPayment.due_date, UnpaidPayment.owed, Rep.rep_code, UnpaidPayment.product_line).join(
                    Rep, Rep.id == UnpaidPayment.owner_rep_id
                )
            )
            return {(day, round(o, 2), code, line) for day, o, code, line in rows}

    assert owed() == {(date(2026, 3, 15), 149.75, "R1", "云服务"), (date(2026, 9, 30), 400.0, "R1", "云服务")}
    week = dict(
        files,
        **{
            "opportunities.csv": files["opportunities.csv"].replace("O1,A1,R1,", "O1,A1,R2,"),
            "payments.csv": files["payments.csv"].replace("2026-03-20,50.25", "2026-03-20,200"),
        },
    )
    dry = run_import(engine, WEEK, data=_zip(week), as_of=date(2026, 11, 27), username="test", dry_run=True)
    assert dry.ok
    assert owed() == {(date(2026, 3, 15), 149.75, "R1", "云服务"), (date(2026, 9, 30), 400.0, "R1", "云服务")}
    real = run_import(engine, WEEK, data=_zip(week), as_of=date(2026, 11, 27), username="test")
    assert real.ok, [i.as_dict() for i in real.issues]
    assert owed() == {(date(2026, 9, 30), 400.0, "R2", "云服务")}
