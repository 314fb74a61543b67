"""Alembic migrations match the models, seed the default settings, and go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from data_access.migrate import current_revision, head_revision, upgrade
from data_access.models import Base, Setting
from metrics.settings import default_setting_rows


def test_mig001_schema_matches_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_mig002_settings_seeded_with_dictionary_defaults(session):
    rows = {key: value for key, value in session.execute(select(Setting.key, Setting.value))}
    assert rows == default_setting_rows()


def test_mig003_indexes_for_the_obvious_filters(engine):
    insp = inspect(engine)
    indexes = [tuple(ix["column_names"]) for ix in insp.get_indexes("opportunities")]
    # an index serves a filter when it leads with the filter's columns (the account's deals: the account-first
    # covering index of migration 0010)
    indexed = {ix[:n] for ix in indexes for n in range(1, len(ix) + 1)}
    for cols in [
        ("owner_rep_id",),
        ("account_id",),
        ("level",),
        ("created_date",),
        ("status", "owner_rep_id"),
        ("status", "expected_close_date"),
        ("closed_date", "status"),
    ]:
        assert cols in indexed, cols
    assert ("signed_date",) in {tuple(ix["column_names"]) for ix in insp.get_indexes("contracts")}
    assert ("rep_id", "visit_date") in {tuple(ix["column_names"]) for ix in insp.get_indexes("visits")}


def test_mig004_downgrade_and_upgrade_again(engine):
    upgrade(engine, "head")  # idempotent
    from alembic import command

    from data_access.migrate import alembic_config

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert "opportunities" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "opportunities" in inspect(engine).get_table_names()


def test_mig005_a_table_rebuild_keeps_its_rows_and_their_children(engine, session):
    """Migration 0016 rebuilds contracts on SQLite (a column made nullable): the contracts and the payments hanging
    on them survive down to 0015 and up again, the foreign keys are on again afterwards, and 0016's columns work."""
    from datetime import date

    from sqlalchemy import text

    from data_access.migrate import downgrade
    from tests.builders import Seed

    seed = Seed(session)
    rep = seed.rep("R1", seed.team("T"))
    deal = seed.opp(seed.account("A1", rep), 1000, 5, "won", created=date(2026, 1, 5), closed=date(2026, 2, 1))
    contract = seed.contract(deal, 1000, date(2026, 2, 1), gm=250)
    seed.payment(contract, "advance", date(2026, 3, 1), 400, paid=400, paid_date=date(2026, 3, 2))
    session.commit()
    downgrade(engine, "0015")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT contract_code, amount, gross_margin, origin FROM contracts")).all() == [
            (contract.contract_code, 1000, 250, None)
        ]
        linked = "SELECT count(*) FROM payments p JOIN contracts c ON c.id = p.contract_id"
        assert conn.execute(text(linked)).scalar() == 1
        conn.execute(text("UPDATE contracts SET gross_margin = NULL, origin = 'crm_export'"))
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert (
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name LIKE '_alembic_tmp%'").scalar() == 0
            )
