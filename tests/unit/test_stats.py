"""Planner statistics are always there (issue 16): after the demo, after an import that changes rows, and at
start-up for a database that holds data without them (SQLite kept none after a bulk load)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from data_access.db import session_factory
from data_access.importer.engine import run_import
from data_access.stats import has_statistics, tables_of
from tests.builders import Seed
from tests.conftest import AS_OF, BACKEND, start_app

ROOT = Path(__file__).resolve().parents[2]


def _seeded(engine):
    """A few rows through the models: data, and (SQLite) no statistics, (PostgreSQL) too few rows for the
    autovacuum daemon to analyse by itself."""
    with session_factory(engine)() as session:
        seed = Seed(session)
        rep = seed.rep("R1", seed.team("T1"))
        account = seed.account("A1", rep)
        for amount in (100_000.0, 200_000.0, 300_000.0):
            seed.opp(account, amount, 2)
        session.commit()
    return engine


def _opportunity_stats(engine) -> int:
    with engine.connect() as conn:
        if BACKEND == "sqlite":
            if not conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar():
                return 0
            return int(conn.execute(text("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'opportunities'")).scalar())
        return int(
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'opportunities'"
                )
            ).scalar()
        )


def test_sta001_tables_an_import_writes():
    assert tables_of(["opportunities"]) == [
        "account_years",
        "deal_levels",
        "opportunities",
        "opportunity_changes",
        "quote_totals",
        "stage_history",
        "unpaid_payments",
    ]
    assert tables_of(["payments"]) == ["payments", "unpaid_payments"]
    assert tables_of(["contracts"]) == ["account_years", "contracts", "unpaid_payments"]
    assert tables_of(["stage_history"]) == ["deal_levels", "stage_history"]
    assert tables_of(["quote_lines"]) == ["quote_lines", "quote_totals"]
    assert tables_of(["products"]) == ["products", "quote_totals"]
    assert tables_of(["reps", "visits", "no_such_sheet"]) == ["reps", "teams", "visits"]


def test_sta002_the_demo_leaves_statistics(demo_engine):
    assert has_statistics(demo_engine) and _opportunity_stats(demo_engine) > 0


def test_sta003_an_import_that_changes_rows_leaves_statistics(new_engine, tmp_path):
    engine = _seeded(new_engine())
    assert not has_statistics(engine) and _opportunity_stats(engine) == 0
    (tmp_path / "opportunities.csv").write_text(
        "opp_code,account_code,owner_rep_code,name,amount,level,status,created_date,expected_close_date\n"
        "OPS0001,A1,R1,new deal,50000,1,open,2026-11-01,2027-03-01\n",
        encoding="utf-8",
    )
    report = run_import(engine, tmp_path / "opportunities.csv", as_of=AS_OF, username="test")
    assert report.ok, report.issues
    assert has_statistics(engine) and _opportunity_stats(engine) > 0


def test_sta004_a_dry_run_or_an_import_that_changes_nothing_analyses_nothing(new_engine, tmp_path):
    engine = _seeded(new_engine())
    (tmp_path / "opportunities.csv").write_text(
        "opp_code,account_code,owner_rep_code,name,amount,level,status,created_date,expected_close_date\n"
        "OPS0002,A1,R1,new deal,50000,1,open,2026-11-01,2027-03-01\n",
        encoding="utf-8",
    )
    run_import(engine, tmp_path / "opportunities.csv", as_of=AS_OF, username="test", dry_run=True)
    assert not has_statistics(engine)


def test_sta005_start_up_analyses_a_database_without_statistics(new_engine, tmp_path):
    engine = _seeded(new_engine())
    assert not has_statistics(engine)
    result = start_app(engine, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no planner statistics: analysed" in result.stderr
    assert has_statistics(engine) and _opportunity_stats(engine) > 0


def test_sta006_an_empty_database_needs_none(engine):
    assert has_statistics(engine)  # nothing to have statistics of: start-up leaves it alone
