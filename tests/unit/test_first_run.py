"""Demo data is seeded on first start into the embedded default database only."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app import seed_demo_if_first_run
from config import Config
from data_access import demo
from data_access.db import session_factory
from data_access.models import Opportunity
from data_access.runtime import Runtime
from tests.conftest import AS_OF, url_of


def _runtime(engine, *, default: bool) -> Runtime:
    cfg = Config(
        database_url=url_of(engine), instance_path=Path("/nonexistent-instance"), default_database=default, as_of=AS_OF
    )
    return Runtime(config=cfg, engine=engine, sessions=session_factory(engine))


def _opps(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Opportunity)).scalar_one())


def test_run001_seeds_the_empty_default_database(engine):
    assert seed_demo_if_first_run(_runtime(engine, default=True)) is True
    assert _opps(engine) == demo.DEFAULT_OPPORTUNITIES
    # second start: data is there, nothing happens
    assert seed_demo_if_first_run(_runtime(engine, default=True)) is False
    assert _opps(engine) == demo.DEFAULT_OPPORTUNITIES


def test_run002_never_seeds_a_database_named_by_database_url(engine):
    assert seed_demo_if_first_run(_runtime(engine, default=False)) is False
    assert _opps(engine) == 0


def test_run003_config_defaults(tmp_path):
    cfg = Config.from_env({"SALESRADAR_INSTANCE": str(tmp_path)})
    assert cfg.default_database and cfg.database_url == f"sqlite:///{tmp_path / 'salesradar.sqlite3'}"
    named = Config.from_env({"DATABASE_URL": "postgresql+psycopg://x@h/db", "SALESRADAR_AS_OF": "2026-01-02"})
    assert not named.default_database and named.today().isoformat() == "2026-01-02"
