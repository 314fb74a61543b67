"""What the steps of an import share: the typed rows, the report they fill in (counts per sheet, issues, the
log's run), and reads of ids by business code, in chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.chunks import rows_in_chunks
from data_access.importer.reader import Applied, Issue

Record = dict[str, Any]


Rows = list[tuple[int, Record]]


CHUNK = 500


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportReport:
    file_name: str
    as_of: date
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    #: the column mappings that decided how the file was read (explicit, yours, shared)
    applied: list[Applied] = field(default_factory=list)
    #: the import log's row of a real run
    run_id: int | None = None
    #: a limit refused the file (its one issue says which)
    too_large: bool = False
    #: the short sentence of a run that failed (an error id; the details are in the server log only)
    failed: str | None = None
    #: what a CRM export's conversion derived (``crm.Derived.as_dict``); None for the import format
    derived: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.issues and self.failed is None

    def counts_dict(self) -> dict[str, dict[str, int]]:
        return {sheet: c.as_dict() for sheet, c in self.counts.items()}


def _in_chunks(session: Session, stmt_for: Callable[[Sequence[Any]], Any], values: Iterable[Any]) -> list[Any]:
    """The rows of ``stmt_for`` over the distinct non-null ``values``, ``CHUNK`` of them a statement."""
    return rows_in_chunks(session, stmt_for, list(dict.fromkeys(v for v in values if v is not None)), CHUNK)


def _codes(session: Session, column: Any, id_column: Any, codes: Iterable[str]) -> dict[str, int]:
    rows = _in_chunks(session, lambda chunk: select(column, id_column).where(column.in_(chunk)), codes)
    return {str(code): int(i) for code, i in rows}
