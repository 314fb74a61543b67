"""How the demo's rows reach the database fast: buffered per table and flushed parents first, with executemany in
chunks, on PostgreSQL with COPY."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from psycopg import sql
from sqlalchemy import Connection, Table

from data_access.models import Base

CHUNK = 20_000


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


class _Writer:
    """Buffers rows per table and flushes them: with executemany in chunks, on PostgreSQL with COPY (a
    million deals and their history are several million rows; row-by-row INSERTs took minutes)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.buffers: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        # parents before children, so foreign keys hold at every flush
        self.order = [t for t in Base.metadata.sorted_tables]

    def add(self, model: type[Base], row: dict[str, Any]) -> None:
        table: Table = model.__table__  # type: ignore[assignment]
        self.buffers[table].append(row)
        self.counts[table.name] += 1

    def maybe_flush(self) -> None:
        """Flush when a buffer is full; call only where every buffered child has its parent buffered."""
        if any(len(rows) >= CHUNK for rows in self.buffers.values()):
            self.flush()

    def flush(self) -> None:
        for table in self.order:
            rows = self.buffers.get(table)
            if rows:
                if self.conn.dialect.name == "postgresql":
                    self._copy(table, rows)
                else:
                    for chunk in _chunks(rows):
                        self.conn.execute(table.insert(), chunk)
                self.buffers[table] = []

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """COPY the rows in through the connection's own psycopg cursor (same transaction); a column a
        row leaves out gets its default, as an INSERT would give it."""
        columns = list(dict.fromkeys(key for row in rows for key in row))
        defaults = {
            c.name: getattr(c.default, "arg", None) for c in table.columns if getattr(c.default, "is_scalar", False)
        }
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        raw: Any = self.conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] if c in row else defaults.get(c) for c in columns])
