"""Schema migrations with Alembic, run from code (``salesradar db upgrade`` and on ``run``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction (``_migrating``)."""
    _migrating(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` in one transaction (``_migrating``)."""
    _migrating(engine, lambda cfg: command.downgrade(cfg, revision))


def _migrating(engine: Engine, step: Callable[[AlembicConfig], None]) -> None:
    """Run an Alembic ``step`` on one connection, in one transaction.

    On SQLite the transaction is begun explicitly (the driver would run each DDL statement on its own, and a failed
    migration would leave its first steps behind), the foreign keys are off meanwhile (a batch migration rebuilds a
    table: dropping the old one would orphan its children's rows for a moment, which SQLite refuses), checked whole
    before the commit, and on again for the pooled connection."""
    cfg = alembic_config()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
            conn.commit()
        try:
            with conn.begin():
                if sqlite:
                    conn.exec_driver_sql("BEGIN")
                cfg.attributes["connection"] = conn
                step(cfg)
                if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").first()) is not None:
                    raise RuntimeError(f"the migration left a row without its parent: {tuple(broken)}")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
