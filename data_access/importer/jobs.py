"""Uploads and import jobs for the Import page.

An upload is saved under ``<instance>/uploads/`` with a random token; the token file is tied to the
uploader's user id, so nobody else can preview or import it. A confirmed import runs in a thread of
the serving process and writes its progress (with the id of its row in the import log) next to the
upload, where the page polls it. When the job ends (done, rejected or failed) the upload is deleted and
only the small progress file stays, so the page can still show the result; every new upload also
deletes what any user left in the folder more than 24 hours ago.

An import the process could not finish (killed, server stopped) leaves its log row ``running``:
``reap_interrupted`` marks such rows of this host whose process is gone as ``failed``. The page's poll
calls it while a progress file still says running; app start-up may call it too.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from config import Limits
from data_access.importer.convert import CONTROL
from data_access.importer.crm import CrmSource
from data_access.importer.engine import ImportReport, run_import
from data_access.importer.reader import DEFAULT_LIMITS, Mapping_, size_text
from data_access.models import ImportRun
from data_access.scope import Scope
from data_access.users import utcnow

ALLOWED = (".xlsx", ".xlsm", ".zip", ".csv")
#: what the folder keeps of anyone's upload or finished job
KEEP_SECONDS = 24 * 3600
INTERRUPTED = "interrupted (the server stopped while importing)"
log = logging.getLogger("salesradar")


class UploadError(ValueError):
    pass


@dataclass(frozen=True)
class Upload:
    token: str
    user_id: int
    file_name: str
    path: Path

    @property
    def progress_path(self) -> Path:
        return self.path.with_suffix(".progress.json")


def _folder(instance: Path) -> Path:
    folder = instance / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path, now: float) -> None:
    """Delete every upload, name and progress file of any user older than KEEP_SECONDS."""
    for path in folder.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except OSError:
            continue  # another worker got there first


def clean_name(file_name: str) -> str:
    """The upload's own name as the page and the log show it: no folders, no control characters, <= 200."""
    name = CONTROL.sub("", Path(file_name or "upload").name).strip() or "upload"
    if len(name) > 200:
        suffix = Path(name).suffix[:10]
        name = name[: 200 - len(suffix)] + suffix
    return name


def save_upload(instance: Path, user_id: int, file_name: str, data: bytes, *, max_bytes: int) -> Upload:
    """Keep an upload for its uploader; refused: another type, or more than ``max_bytes``."""
    name = clean_name(file_name)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadError(f"{name}: expected an .xlsx workbook, a .zip of CSV files or a .csv file")
    if len(data) > max_bytes:
        raise UploadError(too_large(name, max_bytes))
    folder = _folder(instance)
    _sweep(folder, time.time())
    token = secrets.token_urlsafe(16)
    path = folder / f"{user_id}-{token}{suffix}"
    path.write_bytes(data)
    path.with_suffix(".name").write_text(name, encoding="utf-8")
    return Upload(token, user_id, name, path)


def too_large(name: str, max_bytes: int) -> str:
    return f"{name} is larger than {size_text(max_bytes)}, the largest file this server takes"


def _valid_token(token: str) -> bool:
    return bool(token) and len(token) <= 64 and all(ch.isalnum() or ch in "-_" for ch in token)


def find_upload(instance: Path, user_id: int, token: str) -> Upload:
    """The viewer's own upload for ``token``; anything else (another user's, forged) is an UploadError."""
    if not _valid_token(token):
        raise UploadError("unknown upload")
    for path in _folder(instance).glob(f"{user_id}-{token}.*"):
        if path.suffix.lower() in ALLOWED:
            name_file = path.with_suffix(".name")
            name = name_file.read_text(encoding="utf-8") if name_file.exists() else path.name
            return Upload(token, user_id, name, path)
    raise UploadError("unknown upload")


def progress_file(instance: Path, user_id: int, token: str) -> Path:
    """Where the viewer's job for ``token`` writes its progress (it outlives the upload itself)."""
    if not _valid_token(token):
        raise UploadError("unknown upload")
    return _folder(instance) / f"{user_id}-{token}.progress.json"


@dataclass(frozen=True)
class Job:
    """An import asked for on the Import page: the upload, the day it is as of, who asks (their name for the
    log, their scope for the team rules), the column mapping, the limits of the reader, and the CRM whose export
    it is."""

    engine: Engine
    upload: Upload
    as_of: date
    username: str
    mapping: Mapping_ | None
    scope: Scope
    limits: Limits = DEFAULT_LIMITS
    #: a CRM export and its stage map (None: the import format)
    crm: CrmSource | None = None

    def run(self, **options: Any) -> ImportReport:
        """``run_import`` on the upload: its own file name (for the log and the type), its saved bytes."""
        return run_import(
            self.engine,
            self.upload.path.with_name(self.upload.file_name),
            data=self.upload.path.read_bytes(),
            as_of=self.as_of,
            username=self.username,
            mapping=self.mapping,
            scope=self.scope,
            user_id=self.upload.user_id,
            limits=self.limits,
            crm=self.crm,
            **options,
        )


def preview(job: Job) -> ImportReport:
    """The dry run: what the upload would create, update and leave unchanged, or its problems."""
    return job.run(dry_run=True)


def write_progress(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_progress(path: Path) -> dict[str, Any] | None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("state"), str) else None


def _remove_upload(upload: Upload) -> None:
    for path in (upload.path, upload.path.with_suffix(".name")):
        path.unlink(missing_ok=True)


def start_import(job: Job) -> None:
    """Run the import in a thread; its progress, then its result, go to the progress file; then the upload
    itself is deleted (the progress file, with the run id, stays for the page)."""
    upload = job.upload
    where = upload.progress_path
    process: dict[str, Any] = {"host": socket.gethostname(), "pid": os.getpid()}
    write_progress(where, {"state": "running", "message": "starting", "fraction": 0.0, **process})

    def work() -> None:
        try:

            def on_run(run_id: int) -> None:
                process["run_id"] = run_id
                write_progress(where, {"state": "running", "message": "starting", "fraction": 0.0, **process})

            def progress(msg: str, frac: float) -> None:
                write_progress(where, {"state": "running", "message": msg, "fraction": frac, **process})

            report = job.run(progress=progress, on_run=on_run)
            if report.failed is not None:
                final: dict[str, Any] = {"state": "failed", "message": report.failed}
            else:
                final = {
                    "state": "done" if report.ok else "rejected",
                    "counts": report.counts_dict(),
                    "issues": [i.as_dict() for i in report.issues],
                    "applied": [a.as_dict() for a in report.applied],
                }
            write_progress(where, {**final, "fraction": 1.0, **process})
        except Exception:  # run_import logs its own failures; this is reading the upload or writing progress
            error_id = secrets.token_hex(4)
            log.exception("import job %s failed (error id %s)", upload.token, error_id)
            message = f"an unexpected error (error id {error_id})"
            write_progress(where, {"state": "failed", "fraction": 1.0, "message": message, **process})
        finally:
            _remove_upload(upload)

    threading.Thread(target=work, name=f"import-{upload.token}", daemon=True).start()


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (one of another user counts: it exists)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, OSError):
        return False
    return True


def reap_interrupted(engine: Engine) -> int:
    """Mark ``failed`` the import log's ``running`` rows of this host whose process is gone; how many."""
    host = socket.gethostname()[:200]
    with Session(engine) as session:
        rows = session.execute(
            select(ImportRun.id, ImportRun.pid).where(ImportRun.status == "running", ImportRun.host == host)
        ).all()
        dead = [run_id for run_id, pid in rows if pid is not None and not _alive(int(pid))]
        if not dead:
            return 0
        done = session.execute(
            update(ImportRun)
            .where(ImportRun.id.in_(dead), ImportRun.status == "running")
            .values(status="failed", finished_at=utcnow(), message=INTERRUPTED)
        )
        session.commit()
        return int(done.rowcount)  # type: ignore[attr-defined]


def job_state(engine: Engine, path: Path) -> dict[str, Any] | None:
    """The progress file's state; a job that says ``running`` but whose process is gone is ``failed``
    (its log row reaped), so a page watching a killed import does not show it running forever."""
    state = read_progress(path)
    if state is None or state["state"] != "running":
        return state
    reap_interrupted(engine)
    message = None
    run_id = state.get("run_id")
    if isinstance(run_id, int):
        with Session(engine) as session:
            run = session.get(ImportRun, run_id)
        if run is not None and run.status == "done":  # committed; its thread is about to say so
            return {**state, "state": "done", "fraction": 1.0, "counts": run.counts, "issues": []}
        if run is not None and run.status == "failed":
            message = run.message or INTERRUPTED
    elif state.get("host") == socket.gethostname() and isinstance(state.get("pid"), int) and not _alive(state["pid"]):
        message = INTERRUPTED  # killed before its log row was written
    if message is None:
        return state
    failed = {**state, "state": "failed", "fraction": 1.0, "message": message}
    write_progress(path, failed)
    return failed


__all__ = [
    "ALLOWED",
    "INTERRUPTED",
    "Upload",
    "UploadError",
    "clean_name",
    "find_upload",
    "job_state",
    "preview",
    "progress_file",
    "read_progress",
    "reap_interrupted",
    "save_upload",
    "start_import",
    "write_progress",
]
