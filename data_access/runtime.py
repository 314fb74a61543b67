"""What one running app holds: its config and session factory, kept on the Flask app (no globals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Config
from data_access.scope import Scope

EXTENSION = "salesradar"


@dataclass(frozen=True)
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]


def install(server: Flask, runtime: Runtime) -> None:
    server.extensions[EXTENSION] = runtime


def runtime() -> Runtime:
    rt = current_app.extensions[EXTENSION]
    assert isinstance(rt, Runtime)
    return rt


@contextmanager
def read_session() -> Iterator[Session]:
    """A fresh session for one callback or page render; read-only use, always closed."""
    session = runtime().sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def today() -> date:
    return runtime().config.today()


def viewer_scope() -> Scope:
    """The scope of the signed-in viewer of this request (set by the sign-in guard); nothing without one."""
    viewer = g.get("viewer")
    return viewer.scope if viewer is not None else Scope.nothing()
