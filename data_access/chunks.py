"""Long lists of values bound in chunks: one statement binds at most ``SIZE`` of them (SQLite allows 32,766
bound parameters), so a read or a write of many ids runs as several statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

T = TypeVar("T")

#: Values one statement binds
SIZE = 5000


def chunked(values: Sequence[T], size: int = SIZE) -> Iterator[Sequence[T]]:
    """``values`` in slices of at most ``size``."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def rows_in_chunks(
    db: Session | Connection, stmt_for: Callable[[Sequence[Any]], Any], values: Sequence[Any], size: int = SIZE
) -> list[Any]:
    """Every row of ``stmt_for(chunk)`` for each chunk of ``values``, in order."""
    out: list[Any] = []
    for chunk in chunked(values, size):
        out.extend(db.execute(stmt_for(chunk)).all())
    return out
