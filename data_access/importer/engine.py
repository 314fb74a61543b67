"""The import engine: validate everything, then upsert everything in one transaction.

Pass 1 (``validate``, a manager's team in ``team_rules``) reads nothing but codes from the database and checks
every row: types (convert), duplicate keys, unknown codes, and the data dictionary's rules (won needs a contract,
level 6 is won and fully paid, stage history rises, no negative amounts). Any issue: nothing is written. Pass 2
(``writer``) upserts by business key in dependency order inside one transaction, counting created / updated /
unchanged per sheet; a level change appends a stage-history row dated the import's as-of date. Here: reading a
file (``parse``, with the remembered ``mappings``), the import log, the lock, and ``run_import`` tying it all up.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from config import Limits
from data_access.importer.common import Counts, ImportReport, Rows
from data_access.importer.convert import CONTROL, typed_rows
from data_access.importer.crm import CrmSource, Derived, convert
from data_access.importer.mappings import save_mapping, saved_mappings
from data_access.importer.reader import (
    DEFAULT_LIMITS,
    Applied,
    ImportRejected,
    Issue,
    Mapping_,
    TooLarge,
    map_tables,
    read_source,
)
from data_access.importer.validate import validate
from data_access.importer.writer import _Writer
from data_access.models import ImportLock, ImportRun
from data_access.scope import Scope
from data_access.settings import bump_data_version
from data_access.stats import analyze, tables_of
from data_access.users import utcnow

#: what other modules import from here (the report and the mappings live beside it)
__all__ = [
    "BUSY",
    "Counts",
    "CrmSource",
    "ImportBusy",
    "ImportReport",
    "Parsed",
    "issues_csv",
    "parse",
    "run_import",
    "save_mapping",
    "saved_mappings",
    "validate",
]

Progress = Callable[[str, float], None]


log = logging.getLogger("salesradar")


@dataclass
class Parsed:
    typed: dict[str, Rows]
    issues: list[Issue]
    applied: list[Applied]
    #: a limit refused the file (``issues`` holds the one sentence)
    too_large: bool = False
    #: what was derived from a CRM export (``crm.convert``); None for the import format
    derived: Derived | None = None


def parse(
    session: Session,
    path: Path,
    data: bytes | None = None,
    mapping: Mapping_ | None = None,
    *,
    user_id: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    crm: CrmSource | None = None,
    scope: Scope | None = None,
) -> Parsed:
    """Read, map and type a file: the typed rows per sheet, every issue found so far, the mappings applied. A CRM
    export (``crm``) is first converted to the import format's sheets (``crm.convert``, a manager's new reps in
    their ``scope``'s team)."""
    try:
        tables = read_source(path, data, limits)
    except TooLarge as exc:
        return Parsed({}, exc.issues, [], too_large=True)
    except ImportRejected as exc:
        return Parsed({}, exc.issues, [])
    derived: Derived | None = None
    problems: list[Issue] = []
    if crm is not None:
        tables, problems, derived = convert(session, tables, crm, scope)
        if not tables:  # nothing could be read as deals: the conversion's problems say why
            return Parsed({}, problems, [], derived=derived)
    mapped, issues = map_tables(tables, mapping, saved_mappings(session, user_id) if crm is None else {})
    issues = problems + issues
    typed: dict[str, Rows] = {}
    applied: list[Applied] = []
    for table in mapped:
        rows, problems = typed_rows(table)
        typed[table.sheet.name] = rows
        issues.extend(problems)
        applied.extend(table.applied)
    return Parsed(typed, issues, applied, derived=derived)


class ImportBusy(Exception):
    """Another import holds the lock and did not let go within the database's wait."""


BUSY = "another import is running, try again in a minute"


def _log_name(name: str) -> str:
    """A file name as the import log keeps it: no control characters, at most 300 characters."""
    clean = CONTROL.sub("", name)
    return clean if len(clean) <= 300 else clean[:297] + "..."


def _begin_run(engine: Engine, username: str, file_name: str, as_of: date, started: datetime) -> int:
    """The log's ``running`` row, committed on its own: an import that dies leaves it, to be reaped."""
    with Session(engine) as session:
        run = ImportRun(
            username=username[:100],
            started_at=started,
            file_name=_log_name(file_name),
            as_of=as_of,
            status="running",
            counts={},
            issue_count=0,
            host=socket.gethostname()[:200],
            pid=os.getpid(),
        )
        session.add(run)
        session.commit()
        return int(run.id)


def _close_run(session: Session, run_id: int, status: str, report: ImportReport, message: str | None = None) -> None:
    """Set the run's outcome inside ``session``'s transaction (the caller commits it with the data)."""
    session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(
            status=status,
            finished_at=utcnow(),
            counts=report.counts_dict() if status == "done" else {},
            issue_count=len(report.issues),
            message=message,
        )
    )


def _fail_run(engine: Engine, run_id: int, report: ImportReport, message: str) -> None:
    """Log a failed run in its own transaction (on SQLite it may first wait for another import's commit)."""
    for attempt in range(3):
        try:
            with Session(engine) as session:
                _close_run(session, run_id, "failed", report, message)
                session.commit()
            return
        except Exception:
            if attempt == 2:
                log.exception("import run %s could not be marked failed (%s)", run_id, message)


def _is_busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked" (its busy wait ran out), PostgreSQL's lock_not_available."""
    return "database is locked" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "55P03"


def _take_lock(session: Session, run_id: int, username: str) -> None:
    """Update the one ``import_lock`` row inside the import's transaction: PostgreSQL holds the row lock,
    SQLite its write lock, until this import commits or rolls back; a second import waits here."""
    values = {"holder": f"run {run_id}: {username[:60]} on {socket.gethostname()[:60]} pid {os.getpid()}"}
    try:
        done = session.execute(update(ImportLock).where(ImportLock.id == 1).values(acquired_at=utcnow(), **values))
        if not done.rowcount:  # type: ignore[attr-defined]  # the migration made it; someone deleted it
            session.add(ImportLock(id=1, acquired_at=utcnow(), **values))
            session.flush()
    except OperationalError as exc:
        if _is_busy(exc):
            raise ImportBusy from exc
        raise


def _release_lock(session: Session) -> None:
    """Empty the lock row again before the commit that releases it: what is committed is always the row as
    the migration made it (an unchanged database stays byte for byte unchanged; the log says who ran)."""
    session.execute(update(ImportLock).where(ImportLock.id == 1).values(holder=None, acquired_at=None))


def run_import(
    engine: Engine,
    path: Path,
    *,
    as_of: date,
    username: str,
    data: bytes | None = None,
    mapping: Mapping_ | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    scope: Scope | None = None,
    user_id: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    on_run: Callable[[int], None] | None = None,
    crm: CrmSource | None = None,
) -> ImportReport:
    """Import a file in one transaction; a dry run reports the same counts and writes nothing.

    A real run is logged first as ``running`` (host and pid, committed at once; ``on_run`` hears its id),
    then takes the import lock inside its transaction, validates, writes, and sets the log to ``done`` or
    ``rejected`` in that same transaction: one import at a time per database, and the log never disagrees
    with the data. A file with any issue writes nothing but its log entry. Anything unexpected rolls
    back and is logged as ``failed`` with an error id (the details go to the ``salesradar`` logger only);
    ``report.failed`` then holds the short sentence a person may see. ``user_id``: whose remembered
    mappings apply (None: the shared ones only). ``limits`` bounds what is read.
    """
    say = progress or (lambda _msg, _frac: None)
    report = ImportReport(file_name=path.name, as_of=as_of, dry_run=dry_run)
    try:
        if not dry_run:
            report.run_id = _begin_run(engine, username, path.name, as_of, utcnow())
            if on_run is not None:
                on_run(report.run_id)
        _run(engine, path, report, say, username, data, mapping, scope, user_id, limits, crm)
        changed = [sheet for sheet, c in report.counts.items() if c.created or c.updated]
        if report.run_id is not None and report.ok and changed:
            say("analyzing", 0.99)
            analyze(engine, tables_of(changed))  # the planner's statistics follow the rows (issue 16)
    except Exception as exc:  # MemoryError too: one sentence for the person, the traceback for the log
        if isinstance(exc, ImportBusy) or (isinstance(exc, OperationalError) and _is_busy(exc)):
            report.failed = BUSY  # (on SQLite even the log's first row may wait its 30 s behind an import)
            log.warning("import run %s of %s by %s: %s", report.run_id, path.name, username, BUSY)
        else:
            error_id = secrets.token_hex(4)
            report.failed = f"an unexpected error (error id {error_id})"
            log.error(
                "import run %s of %s by %s failed (error id %s)",
                report.run_id,
                path.name,
                username,
                error_id,
                exc_info=exc,
            )
    if report.failed is not None and report.run_id is not None:
        _fail_run(engine, report.run_id, report, report.failed)
    say("done", 1.0)
    return report


def _run(
    engine: Engine,
    path: Path,
    report: ImportReport,
    say: Progress,
    username: str,
    data: bytes | None,
    mapping: Mapping_ | None,
    scope: Scope | None,
    user_id: int | None,
    limits: Limits,
    crm: CrmSource | None = None,
) -> None:
    with Session(engine) as session:
        say("reading", 0.05)
        parsed = parse(session, path, data, mapping, user_id=user_id, limits=limits, crm=crm, scope=scope)
        report.applied, report.too_large, issues = parsed.applied, parsed.too_large, parsed.issues
        report.derived = parsed.derived.as_dict() if parsed.derived is not None else None
        typed = parsed.typed
        session.rollback()  # the reads of parsing end here: the import's own transaction starts with its lock
        if report.run_id is not None:
            say("waiting for any other import to finish", 0.1)
            _take_lock(session, report.run_id, username)
        if not issues:
            say("validating", 0.2)
            issues = validate(session, typed, scope)
        report.issues = issues
        if issues:
            if report.run_id is None:  # a dry run
                session.rollback()
                return
            _close_run(session, report.run_id, "rejected", report)  # validation only read: the lock is still held
            _release_lock(session)
            session.commit()
            return
        writer = _Writer(session, report.as_of, report)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("reps", lambda: writer.reps_sheet(typed["reps"])),
            ("accounts", lambda: writer.accounts_sheet(typed["accounts"])),
            ("buying_power", lambda: writer.buying_power_sheet(typed["buying_power"])),
            ("contacts", lambda: writer.contacts_sheet(typed["contacts"])),
            (
                "opportunities",
                lambda: writer.opportunities_sheet(typed["opportunities"], typed.get("stage_history", [])),
            ),
            ("stage_history", lambda: writer.stage_history_sheet(typed["stage_history"])),
            ("quotas", lambda: writer.quotas_sheet(typed["quotas"])),
            ("contracts", lambda: writer.contracts_sheet(typed["contracts"])),
            ("payments", lambda: writer.payments_sheet(typed["payments"])),
            ("visits", lambda: writer.visits_sheet(typed["visits"])),
            ("events", lambda: writer.events_sheet(typed["events"])),
            ("event_attendees", lambda: writer.event_attendees_sheet(typed["event_attendees"])),
            ("training", lambda: writer.training_sheet(typed["training"])),
            ("bids", lambda: writer.bids_sheet(typed["bids"])),
            ("support_requests", lambda: writer.support_requests_sheet(typed["support_requests"])),
            ("price_list", lambda: writer.price_list_sheet(typed["price_list"])),
            ("quote_lines", lambda: writer.quote_lines_sheet(typed["quote_lines"])),
        ]
        present = [(name, step) for name, step in steps if name in typed]
        for i, (name, step) in enumerate(present):
            say(f"writing {name}", 0.3 + 0.65 * i / max(len(present), 1))
            step()
            session.flush()
        if report.run_id is None:  # a dry run
            session.rollback()
            return
        _close_run(session, report.run_id, "done", report)
        _release_lock(session)
        if any(c.created or c.updated for c in report.counts.values()):
            bump_data_version(session)  # pages cached before this import expire with it
        say("committing", 0.97)
        session.commit()


def issues_csv(issues: list[Issue]) -> bytes:
    """The downloadable error report: one line per problem (UTF-8 with BOM, so Excel shows Chinese)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["sheet", "row", "column", "value", "problem"])
    for i in issues:
        writer.writerow([i.sheet, "" if i.row is None else i.row, i.column or "", i.value or "", i.message])
    return buf.getvalue().encode("utf-8-sig")
