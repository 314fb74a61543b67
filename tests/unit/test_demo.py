"""The demo generator: deterministic, realistic, and every rule of the data dictionary holds."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session

from data_access import demo
from data_access.models import Account, Base, Opportunity, Rep, Team
from data_access.settings import data_version
from tests.conftest import AS_OF


def _one(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one() or 0)


def test_dem001_won_has_contract(demo_engine):
    assert (
        _one(
            demo_engine,
            """
        SELECT COUNT(*) FROM opportunities o WHERE o.status = 'won'
        AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.opportunity_id = o.id)""",
        )
        == 0
    )
    assert (
        _one(
            demo_engine,
            """
        SELECT COUNT(*) FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id
        WHERE o.status <> 'won'""",
        )
        == 0
    )


def test_dem002_level6_iff_won_and_fully_paid(demo_engine):
    with demo_engine.connect() as conn:
        opps = pd.read_sql(text("SELECT id, status, level FROM opportunities"), conn)
        unpaid = pd.read_sql(
            text("""
            SELECT c.opportunity_id AS id, COUNT(*) AS unpaid FROM contracts c JOIN payments p ON p.contract_id = c.id
            WHERE COALESCE(p.paid_amount, 0) < p.amount GROUP BY c.opportunity_id"""),
            conn,
        )
    df = opps.merge(unpaid, how="left").fillna({"unpaid": 0})
    level6 = df[df["level"] == 6]
    assert len(level6) > 0
    assert (level6["status"] == "won").all() and (level6["unpaid"] == 0).all()
    won = df[df["status"] == "won"]
    assert ((won["level"] == 6) == (won["unpaid"] == 0)).all()


def test_dem003_stage_history_rises_with_time(demo_engine):
    assert (
        _one(
            demo_engine,
            """
        SELECT COUNT(*) FROM stage_history hi JOIN stage_history lo
          ON hi.opportunity_id = lo.opportunity_id AND hi.level > lo.level AND hi.entered_date < lo.entered_date""",
        )
        == 0
    )
    # the opportunity's level is the highest it entered; every opportunity has a history
    assert (
        _one(
            demo_engine,
            """
        SELECT COUNT(*) FROM opportunities o
        WHERE o.level <> (SELECT MAX(h.level) FROM stage_history h WHERE h.opportunity_id = o.id)""",
        )
        == 0
    )


def test_dem004_amounts_and_payment_plans(demo_engine):
    for table, col in (
        ("opportunities", "amount"),
        ("contracts", "amount"),
        ("payments", "amount"),
        ("buying_power", "bp"),
        ("quotas", "revenue_target"),
    ):
        assert _one(demo_engine, f"SELECT COUNT(*) FROM {table} WHERE {col} < 0") == 0, table  # noqa: S608
    # payments add up to their contract, to the cent
    assert (
        _one(
            demo_engine,
            """
        SELECT COUNT(*) FROM contracts c
        WHERE ABS(c.amount - (SELECT SUM(p.amount) FROM payments p WHERE p.contract_id = c.id)) > 0.005""",
        )
        == 0
    )


def test_dem005_dates_are_consistent_with_as_of(demo_engine):
    with demo_engine.connect() as conn:
        for sql in (
            "SELECT COUNT(*) FROM stage_history WHERE entered_date > :d",
            "SELECT COUNT(*) FROM opportunities WHERE closed_date > :d OR created_date > :d",
            "SELECT COUNT(*) FROM payments WHERE paid_date > :d",
        ):
            assert conn.execute(text(sql), {"d": AS_OF}).scalar_one() == 0, sql
    assert (
        _one(demo_engine, "SELECT COUNT(*) FROM opportunities WHERE status = 'open' AND closed_date IS NOT NULL") == 0
    )
    assert _one(demo_engine, "SELECT COUNT(*) FROM opportunities WHERE status <> 'open' AND closed_date IS NULL") == 0
    assert (
        _one(
            demo_engine,
            "SELECT COUNT(*) FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id "
            "WHERE c.signed_date <> o.closed_date",
        )
        == 0
    )


def test_dem006_shape_of_the_company(demo_engine):
    with demo_engine.connect() as conn:
        roles = dict(conn.execute(select(Rep.role, func.count()).group_by(Rep.role)).all())
        assert roles["director"] == 1 and roles["manager"] == 4
        assert 25 <= roles["rep"] <= 35
        assert conn.execute(select(func.count()).select_from(Team)).scalar_one() == 5  # 4 regions + HQ
        assert conn.execute(select(func.count()).select_from(Account)).scalar_one() == 300
        assert conn.execute(select(func.count()).select_from(Opportunity)).scalar_one() == demo.DEFAULT_OPPORTUNITIES
        statuses = dict(conn.execute(select(Opportunity.status, func.count()).group_by(Opportunity.status)).all())
        assert set(statuses) == {"open", "won", "lost"} and statuses["open"] > 300
        years = {r[0] for r in conn.execute(text("SELECT DISTINCT year FROM quotas"))}
        assert years == {2024, 2025, 2026}


def test_dem007_rad_classes_and_data_quality_cases_all_appear(demo_engine):
    with demo_engine.connect() as conn:
        booked = pd.read_sql(
            text("""
            SELECT o.account_id, SUM(c.amount) AS bookings FROM contracts c
            JOIN opportunities o ON o.id = c.opportunity_id
            WHERE c.signed_date BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY o.account_id"""),
            conn,
        )
        bp = pd.read_sql(text("SELECT account_id, bp FROM buying_power WHERE year = 2025"), conn)
        accounts = pd.read_sql(text("SELECT id AS account_id FROM accounts"), conn)
        df = accounts.merge(bp, how="left").merge(booked, how="left").fillna({"bookings": 0.0})
        sow = df["bookings"] / df["bp"]
        classes = pd.Series(["R" if s >= 0.5 else "A" if s < 0.1 else "D" for s in sow.dropna()])
        counts = classes.value_counts()
        assert min(counts.get("R", 0), counts.get("A", 0), counts.get("D", 0)) >= 20, counts.to_dict()
        assert df["bp"].isna().sum() > 0  # some accounts' BP unknown
        assert (sow > 1).sum() > 0  # some BP estimates too low
        overdue = conn.execute(
            text("SELECT COUNT(*) FROM payments WHERE due_date < :d AND COALESCE(paid_amount, 0) < amount"),
            {"d": AS_OF},
        ).scalar_one()
        assert overdue > 0
        assert (
            conn.execute(
                text("SELECT COUNT(*) FROM opportunities WHERE status = 'lost' AND loss_reason IS NULL")
            ).scalar_one()
            > 0
        )
        assert conn.execute(text("SELECT COUNT(DISTINCT competitor) FROM opportunities")).scalar_one() >= 5
        visit_status = {r[0] for r in conn.execute(text("SELECT DISTINCT status FROM visits"))}
        assert visit_status == {"planned", "done"}
        assert conn.execute(text("SELECT COUNT(*) FROM accounts WHERE key_account")).scalar_one() >= 20


def _digest(engine: Engine) -> str:
    h = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in ("users", "api_tokens", "imports"):  # salted hashes, timestamps, the import log
                continue
            for row in conn.execute(table.select().order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_dem008_deterministic_for_seed_and_as_of(new_engine):
    first, second, other = new_engine(), new_engine(), new_engine()
    for engine in (first, second):
        demo.generate(engine, opportunities=600, as_of=date(2025, 5, 5), seed=7)
    demo.generate(other, opportunities=600, as_of=date(2025, 5, 5), seed=8)
    assert _digest(first) == _digest(second)
    assert _digest(first) != _digest(other)


def test_dem009_refuses_a_database_with_data_unless_replace(new_engine):
    engine = new_engine()
    demo.generate(engine, opportunities=50, as_of=AS_OF)
    with pytest.raises(demo.DatabaseNotEmpty):
        demo.generate(engine, opportunities=50, as_of=AS_OF)
    summary = demo.generate(engine, opportunities=80, as_of=AS_OF, replace=True)
    assert summary.opportunities == 80
    assert _one(engine, "SELECT COUNT(*) FROM opportunities") == 80
    # the business settings stay; the data version and the demo's users (the sign-in page lists them) are rows too
    # (migration 0014 added two: floor_margin and risk_thresholds)
    assert _one(engine, "SELECT COUNT(*) FROM settings WHERE key NOT IN ('data_version', 'demo_sign_ins')") == 8
    with Session(engine) as session:
        assert data_version(session) == 2  # each run tells caches the data changed


def test_dem010_scales_accounts_and_reps_with_opportunities(new_engine):
    engine = new_engine()
    summary = demo.generate(engine, opportunities=demo.DEFAULT_OPPORTUNITIES * 3, as_of=AS_OF)
    assert summary.accounts == 900
    assert summary.teams == 13
    assert summary.opportunities == demo.DEFAULT_OPPORTUNITIES * 3
    # new rows after the bulk load get fresh ids (PostgreSQL sequences were moved past the loaded ids)
    with engine.begin() as conn:
        conn.execute(Team.__table__.insert().values(name="新团队"))  # type: ignore[attr-defined]


def test_dem011_one_demo_user_per_role(demo_session):
    from data_access.users import authenticate

    for username, role, rep_code, password in demo.DEMO_USERS:
        user = authenticate(demo_session, username, password).user
        assert user is not None and user.role == role
        assert demo_session.get(Rep, user.rep_id).rep_code == rep_code
    demo_session.rollback()


def _frame(conn: Connection, sql: str) -> pd.DataFrame:
    """A query's rows with dates as timestamps and numbers as floats, the same on either backend (PostgreSQL
    gives dates and Decimals, SQLite strings and floats)."""
    df = pd.read_sql(text(sql), conn)
    for col in df.columns:
        if col.endswith(("_date", "deadline", "created", "closed")):
            df[col] = pd.to_datetime(df[col])
        elif any(isinstance(v, Decimal) for v in df[col].dropna().head(5)):
            df[col] = df[col].astype(float)
    return df


def test_dem012_sales_support_is_believable(new_engine):
    """On a demo of its own: the shared one is changed by other tests (a weekly import moves deal amounts)."""
    demo_engine = new_engine()
    demo.generate(demo_engine, as_of=AS_OF)
    as_of = pd.Timestamp(AS_OF)
    with demo_engine.connect() as conn:
        opps = _frame(
            conn,
            "SELECT o.id AS opportunity_id, o.owner_rep_id, o.level, o.status, o.amount, o.product_line,"
            " o.created_date AS created, o.closed_date AS closed, r.team_id, r.manager_id"
            " FROM opportunities o JOIN reps r ON r.id = o.owner_rep_id",
        )
        products = _frame(
            conn, "SELECT id AS product_id, product_line, list_price, unit_cost, floor_margin FROM products"
        )
        lines = _frame(conn, "SELECT * FROM quote_lines").merge(products).merge(opps)
        bids = _frame(conn, "SELECT * FROM bids").merge(opps, on="opportunity_id")  # status_x: the bid's
        requests = _frame(conn, "SELECT * FROM support_requests").merge(opps)
        contracts = _frame(conn, "SELECT opportunity_id, amount AS contract FROM contracts")
    assert len(products) >= 4 * opps["product_line"].nunique() and len(lines) > 1000
    assert len(bids) > 200 and len(requests) > 500

    # the price list: every product line the deals use, 4-6 products each; cost 55-80% of list; floors mostly unset
    per_line = products.groupby("product_line").size()
    assert set(per_line.index) == set(opps["product_line"]) and per_line.between(4, 6).all()
    assert (products["unit_cost"] / products["list_price"]).between(0.55, 0.80).all()
    floors = products["floor_margin"].dropna()
    assert 0 < len(floors) < len(products) / 2 and floors.between(0.10, 0.25).all()

    # quotes: deals at level 3 and up, one deal and one day per quote, dated within the deal's life
    assert (lines["level"] >= 3).all()
    assert (lines.groupby("quote_code")[["opportunity_id", "quoted_date"]].nunique() == 1).all().all()
    versions = lines.drop_duplicates("quote_code")
    assert not versions.duplicated(["opportunity_id", "quoted_date"]).any()  # versions on distinct days
    assert (versions["quoted_date"] >= versions["created"]).all()
    assert (versions["quoted_date"] <= versions["closed"].fillna(as_of)).all()
    # below-floor lines: a few; most approved by the owner's manager, some by nobody, a very few by the owner
    floor = lines["floor_margin"].fillna(0.15)
    below = lines[(lines["unit_price"] - lines["unit_cost"]) / lines["unit_price"] < floor - 1e-12]
    assert 0 < len(below) < 0.06 * len(lines)
    approver = below["approved_by_rep_id"]
    by_manager, by_owner = approver == below["manager_id"], approver == below["owner_rep_id"]
    assert approver.isna().sum() > 0 and by_manager.sum() > 0 and by_owner.sum() > 0
    assert by_owner.sum() < by_manager.sum() and (approver.isna() | by_manager | by_owner).all()
    assert lines.drop(below.index)["approved_by_rep_id"].isna().all()  # approvals only where a line needs one
    # the current (latest) quote of a won deal meets its contract within 5%, but for a few signed well below it
    lines["revenue"] = lines["quantity"] * lines["unit_price"]
    lines["listed"] = lines["quantity"] * lines["list_price"]
    quotes = lines.groupby(["opportunity_id", "quoted_date", "quote_code"], as_index=False)[["revenue"]].sum()
    current = quotes.sort_values(["quoted_date", "quote_code"]).groupby("opportunity_id").tail(1).merge(contracts)
    under = current["contract"] < current["revenue"] * 0.95
    assert 0 < under.sum() < 0.1 * len(current)
    assert ((current["revenue"] / current["contract"] - 1).abs()[~under] <= 0.05).all()
    # a discount outlier: a rep more than 10 points above the team (of 3 or more quoting reps) this year
    year = lines[lines["quoted_date"].dt.year == AS_OF.year]
    rep = year.groupby(["team_id", "owner_rep_id"])[["revenue", "listed"]].sum().reset_index()
    team = rep.groupby("team_id").agg(
        revenue=("revenue", "sum"), listed=("listed", "sum"), reps=("owner_rep_id", "size")
    )
    rep = rep.merge(team, left_on="team_id", right_index=True, suffixes=("", "_team"))
    gap = (1 - rep["revenue"] / rep["listed"]) - (1 - rep["revenue_team"] / rep["listed_team"])
    assert ((gap > 0.10) & (rep["reps"] >= 3)).sum() >= 1
    assert (1 - rep["revenue"] / rep["listed"]).median() < 0.2

    # bids: deals at level 3 and up; status as the deal went; dates in order and none after today but deadlines
    assert (bids["level"] >= 3).all()
    allowed = {"won": {"won"}, "lost": {"lost", "withdrawn", "no_bid"}, "open": {"submitted", "preparing"}}
    assert bids.apply(lambda b: b["status_x"] in allowed[b["status_y"]], axis=1).all()
    assert (bids["published_date"] > bids["created"]).all() and (bids["published_date"] <= as_of).all()
    window = (bids["deadline"] - bids["published_date"]).dt.days
    assert window.between(7, 42).all() and window.between(14, 42).mean() > 0.95
    preparing = bids["status_x"] == "preparing"
    assert (bids.loc[preparing, "deadline"] >= as_of).all()
    assert (bids.loc[bids["status_x"] == "submitted", "deadline"] < as_of).all()
    submitted = bids.dropna(subset=["submitted_date"])
    assert set(submitted["status_x"]) == {"submitted", "won", "lost"}
    assert len(submitted) == bids["status_x"].isin(["submitted", "won", "lost"]).sum()
    assert (submitted["submitted_date"] >= submitted["published_date"]).all()
    assert (submitted["submitted_date"] <= as_of).all()
    late = submitted["submitted_date"] > submitted["deadline"]
    assert 0.03 < late.mean() < 0.2  # some a few days late
    decided = bids[bids["status_x"].isin(["won", "lost"])]
    assert decided["result_date"].notna().all() and bids.drop(decided.index)["result_date"].isna().all()
    assert (decided["result_date"] > decided["deadline"]).all() and (decided["result_date"] <= as_of).all()
    due_soon = preparing & (bids["deadline"] <= as_of + pd.Timedelta(days=14))
    assert 0 < due_soon.sum() < preparing.sum()
    assert ((bids["bid_amount"] / bids["amount"] - 1).abs().dropna() < 0.05).all()

    # support requests: deals at level 2 and up, asked by the owner; open ones recent; supported deals win more
    assert (requests["level"] >= 2).all() and (requests["requested_by_rep_id"] == requests["owner_rep_id"]).all()
    assert (requests["requested_date"] >= requests["created"]).all() and (requests["requested_date"] <= as_of).all()
    resolved = requests.dropna(subset=["resolved_date"])
    took = (resolved["resolved_date"] - resolved["requested_date"]).dt.days
    assert took.between(1, 25).all() and took.median() < 10 and (resolved["resolved_date"] <= as_of).all()
    still_open = requests[requests["resolved_date"].isna()]
    assert (
        0 < len(still_open) < 0.1 * len(requests)
        and (still_open["requested_date"] > as_of - pd.Timedelta(days=60)).all()
    )
    assert requests["hours"].between(2, 80).all()
    assert requests.groupby("team_id")["engineer"].nunique().between(6, 12).all()
    closed = opps[opps["status"] != "open"].assign(
        supported=lambda d: d["opportunity_id"].isin(requests["opportunity_id"])
    )
    win_rate = closed.groupby("supported")["status"].apply(lambda s: (s == "won").mean())
    assert win_rate[True] > win_rate[False] + 0.1
