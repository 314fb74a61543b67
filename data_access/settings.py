"""Read and write the ``settings`` table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Setting
from metrics.settings import BusinessSettings, default_setting_rows


def load_settings(session: Session) -> BusinessSettings:
    rows = {key: value for key, value in session.execute(select(Setting.key, Setting.value))}
    return BusinessSettings.from_rows(rows)


def ensure_default_settings(session: Session) -> None:
    """Insert any default setting that is missing (keeps values a director changed)."""
    present = set(session.scalars(select(Setting.key)))
    for key, value in default_setting_rows().items():
        if key not in present:
            session.add(Setting(key=key, value=value))


def save_setting(session: Session, key: str, value: Any) -> None:
    if key not in default_setting_rows():
        raise KeyError(f"unknown setting {key!r}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    bump_data_version(session)


#: The ``settings`` row counting changes to the data: imports, settings, demo runs (for caches).
DATA_VERSION = "data_version"


def data_version(session: Session) -> int:
    """How many times the data has changed (0 on a database that never recorded a change)."""
    row = session.get(Setting, DATA_VERSION)
    return int(row.value) if row is not None and isinstance(row.value, int | float) else 0


def bump_data_version(session: Session) -> None:
    """Record a change to the data, in the caller's transaction: caches of pages drawn before it expire."""
    row = session.get(Setting, DATA_VERSION)
    if row is None:
        session.add(Setting(key=DATA_VERSION, value=1))
    else:
        row.value = data_version(session) + 1
