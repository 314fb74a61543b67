"""Shared fixtures: real databases (SQLite files, or PostgreSQL when SALESRADAR_TEST_PG_URL is set).

The whole suite runs once per backend: ``SALESRADAR_TEST_BACKEND=sqlite`` (default) or ``postgresql``.
Each database is new and migrated with Alembic; data goes in through the models or the demo generator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from data_access import demo
from data_access.db import make_engine, session_factory
from data_access.migrate import upgrade

AS_OF = date(2026, 11, 27)
BACKEND = os.environ.get("SALESRADAR_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get("SALESRADAR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/postgres")


def pytest_report_header() -> str:
    return f"salesradar test backend: {BACKEND}"


class Databases:
    """Creates fresh, empty databases on the backend under test and drops them at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []
        self.engines: list[Engine] = []
        self.admin: Engine | None = None
        if BACKEND == "postgresql":
            self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def new_url(self) -> str:
        name = f"sr_test_{uuid.uuid4().hex[:12]}"
        if self.admin is None:
            return f"sqlite:///{self.tmp / (name + '.sqlite3')}"
        with self.admin.connect() as conn:
            conn.execute(text("CREATE DATABASE " + conn.dialect.identifier_preparer.quote(name)))
        self.created.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def new_engine(self, *, migrate: bool = True) -> Engine:
        engine = make_engine(self.new_url())
        if migrate:
            upgrade(engine)
        self.engines.append(engine)
        return engine

    def demo_copy(self, kept: Path) -> Engine:
        """A copy of the demo database kept at ``kept`` (SQLite), built there first when it is not."""
        if not kept.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            built = make_engine(f"sqlite:///{kept}.{os.getpid()}")
            upgrade(built)
            demo.generate(built, as_of=AS_OF)
            built.dispose()
            os.replace(f"{kept}.{os.getpid()}", kept)
        url = self.new_url()
        shutil.copyfile(kept, make_url(url).database or "")
        engine = make_engine(url)
        self.engines.append(engine)
        return engine

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.admin is not None:
            with self.admin.connect() as conn:
                for name in self.created:
                    conn.execute(
                        text(
                            "DROP DATABASE IF EXISTS " + conn.dialect.identifier_preparer.quote(name) + " WITH (FORCE)"
                        )
                    )
            self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture()
def engine(databases: Databases) -> Iterator[Engine]:
    """A fresh, migrated, empty database (settings seeded by the migration); its pooled connections are
    closed after the test (PostgreSQL refuses clients beyond max_connections: a suite of 350 tests, each
    keeping an engine's pool open until the end, ran out)."""
    fresh = databases.new_engine()
    yield fresh
    fresh.dispose()


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as s:
        yield s


@pytest.fixture(scope="session")
def demo_engine(databases: Databases) -> Engine:
    """One database with the default demo data as of AS_OF, shared read-only by the session.

    With ``SALESRADAR_TEST_DEMO_CACHE`` set to a folder (``scripts/mutation`` sets it: mutmut starts a test
    session per mutant) the SQLite file is built once there and copied for every later session."""
    kept = os.environ.get("SALESRADAR_TEST_DEMO_CACHE")
    if kept and BACKEND == "sqlite":
        return databases.demo_copy(Path(kept) / f"demo-{AS_OF}.sqlite3")
    engine = databases.new_engine()
    demo.generate(engine, as_of=AS_OF)
    return engine


@pytest.fixture()
def demo_session(demo_engine: Engine) -> Iterator[Session]:
    with session_factory(demo_engine)() as s:
        yield s


@pytest.fixture()
def new_engine(databases: Databases) -> Callable[..., Engine]:
    return databases.new_engine


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


START_APP = """
import sys
from pathlib import Path
from app import create_app
from config import Config
create_app(Config(database_url=sys.argv[1], instance_path=Path(sys.argv[2]), default_database=False))
"""


def start_app(engine: Engine, instance: Path) -> subprocess.CompletedProcess[str]:
    """``create_app`` on ``engine``'s database in a fresh process (what a server's start does to the database:
    migrate, reap dead imports, analyse), and what it printed."""
    return subprocess.run(
        [sys.executable, "-c", START_APP, url_of(engine), str(instance)],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def dash_app(demo_engine: Engine, tmp_path_factory: pytest.TempPathFactory):
    """The real app on the demo database, as of AS_OF (one per test process: Dash pages are global)."""
    from app import create_app
    from config import Config

    return create_app(
        Config(
            database_url=url_of(demo_engine),
            instance_path=tmp_path_factory.mktemp("instance"),
            default_database=False,
            as_of=AS_OF,
            default_lang="en",
        )
    )


@pytest.fixture()
def client(dash_app):
    return dash_app.server.test_client()


def login(client, username: str, password: str):
    """Sign in through the real login form (CSRF token included); returns the POST's response."""
    import re

    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page[:300]
    return client.post("/login", data={"username": username, "password": password, "csrf": match.group(1), "next": "/"})


def _signed_in(dash_app, role: str):
    from data_access.demo import DEMO_USERS

    username, _role, _rep, password = next(u for u in DEMO_USERS if u[1] == role)
    c = dash_app.server.test_client()
    response = login(c, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return c


@pytest.fixture()
def director(dash_app):
    return _signed_in(dash_app, "director")


@pytest.fixture()
def manager(dash_app):
    return _signed_in(dash_app, "manager")


@pytest.fixture()
def rep(dash_app):
    return _signed_in(dash_app, "rep")
