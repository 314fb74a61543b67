"""The demo generator: deterministic, realistic, and every rule of the data dictionary holds."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text
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
    assert _one(engine, "SELECT COUNT(*) FROM settings WHERE key NOT IN ('data_version', 'demo_sign_ins')") == 6
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
