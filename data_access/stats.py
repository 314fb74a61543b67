"""Planner statistics: the database's own picture of its tables, without which it picks slow plans.

Neither SQLite nor PostgreSQL gathers them on a bulk load in time: a database built by ``salesradar demo`` or
``salesradar import`` had no ``sqlite_stat1`` at all, and with none SQLite's planner chose plans 5-100x slower
(issue 16). So the demo and every import that changes rows analyse what they wrote, and the app analyses a
database that holds data but no statistics when it starts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, inspect, text

from data_access.models import Base

#: Tables an import sheet writes, beyond its own: a deal's level change adds stage history and a change row.
ALSO_WRITTEN = {
    "reps": ("teams",),
    "accounts": ("account_years",),
    "buying_power": ("account_years",),
    "opportunities": (
        "stage_history",
        "opportunity_changes",
        "account_years",
        "deal_levels",
        "quote_totals",
        "unpaid_payments",
    ),
    "stage_history": ("deal_levels",),
    "contracts": ("account_years", "unpaid_payments"),
    "payments": ("unpaid_payments",),
    "products": ("quote_totals",),
    "quote_lines": ("quote_totals",),
}
KNOWN = {table.name for table in Base.metadata.sorted_tables}


def tables_of(sheets: Iterable[str]) -> list[str]:
    """The tables written by an import of ``sheets`` (the sheets are named as their tables)."""
    wanted: set[str] = set()
    for sheet in sheets:
        wanted.add(sheet)
        wanted.update(ALSO_WRITTEN.get(sheet, ()))
    return sorted(wanted & KNOWN)


def analyze(engine: Engine, tables: Iterable[str] | None = None) -> None:
    """``ANALYZE`` ``tables`` (names of this schema only), or every table; outside any open transaction."""
    names = sorted(KNOWN) if tables is None else [t for t in tables if t in KNOWN]
    if not names:
        return
    preparer = engine.dialect.identifier_preparer
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "sqlite":
            for name in names:  # one statement per table: SQLite's ANALYZE takes one name
                conn.execute(text("ANALYZE " + preparer.quote(name)))
        else:
            conn.execute(text("ANALYZE " + ", ".join(preparer.quote(n) for n in names)))


def has_statistics(engine: Engine) -> bool:
    """True when the planner has statistics of the opportunities (or there is nothing to have them of)."""
    with engine.connect() as conn:
        if not conn.execute(text("SELECT EXISTS (SELECT 1 FROM opportunities)")).scalar():
            return True
        if engine.dialect.name == "sqlite":
            if not inspect(conn).has_table("sqlite_stat1"):
                return False
            return bool(conn.execute(text("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'opportunities'")).scalar())
        return bool(
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'opportunities'"
                )
            ).scalar()
        )


def ensure_statistics(engine: Engine) -> bool:
    """Analyse every table when the database holds data but the planner has no statistics; whether it did."""
    if has_statistics(engine):
        return False
    analyze(engine)
    return True
