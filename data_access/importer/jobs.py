"""Uploads and import jobs for the Import page.

An upload is saved under ``<instance>/uploads/`` with a random token; the token file is tied to the
uploader's user id, so nobody else can preview or import it. A confirmed import runs in a thread of
the serving process and writes its progress next to the upload, where the page polls it.
"""

from __future__ import annotations

import json
import secrets
import threading
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from config import Limits
from data_access.importer.convert import CONTROL
from data_access.importer.engine import ImportReport, run_import
from data_access.importer.reader import DEFAULT_LIMITS, Mapping_, size_text
from data_access.scope import Scope

ALLOWED = (".xlsx", ".xlsm", ".zip", ".csv")


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
    token = secrets.token_urlsafe(16)
    path = _folder(instance) / f"{user_id}-{token}{suffix}"
    path.write_bytes(data)
    path.with_suffix(".name").write_text(name, encoding="utf-8")
    return Upload(token, user_id, name, path)


def too_large(name: str, max_bytes: int) -> str:
    return f"{name} is larger than {size_text(max_bytes)}, the largest file this server takes"


def find_upload(instance: Path, user_id: int, token: str) -> Upload:
    """The viewer's own upload for ``token``; anything else (another user's, forged) is an UploadError."""
    if not token or not all(ch.isalnum() or ch in "-_" for ch in token):
        raise UploadError("unknown upload")
    for path in _folder(instance).glob(f"{user_id}-{token}.*"):
        if path.suffix.lower() in ALLOWED:
            name_file = path.with_suffix(".name")
            name = name_file.read_text(encoding="utf-8") if name_file.exists() else path.name
            return Upload(token, user_id, name, path)
    raise UploadError("unknown upload")


def _run(
    engine: Engine, upload: Upload, as_of: date, username: str, mapping: Mapping_ | None, scope: Scope, **options: Any
) -> ImportReport:
    """``run_import`` on an upload: its own file name (for the log and the type), its saved bytes."""
    return run_import(
        engine,
        upload.path.with_name(upload.file_name),
        data=upload.path.read_bytes(),
        as_of=as_of,
        username=username,
        mapping=mapping,
        scope=scope,
        user_id=upload.user_id,
        **options,
    )


def preview(
    engine: Engine,
    upload: Upload,
    as_of: date,
    username: str,
    mapping: Mapping_ | None,
    scope: Scope,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportReport:
    """The dry run: what the upload would create, update and leave unchanged, or its problems."""
    return _run(engine, upload, as_of, username, mapping, scope, dry_run=True, limits=limits)


def write_progress(upload: Upload, state: dict[str, Any]) -> None:
    tmp = upload.progress_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    tmp.replace(upload.progress_path)


def read_progress(upload: Upload) -> dict[str, Any] | None:
    try:
        state = json.loads(upload.progress_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def start_import(
    engine: Engine,
    upload: Upload,
    as_of: date,
    username: str,
    mapping: Mapping_ | None,
    scope: Scope,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Run the import in a thread; its progress, then its result, go to the progress file."""
    write_progress(upload, {"state": "running", "message": "starting", "fraction": 0.0})

    def work() -> None:
        try:

            def progress(msg: str, frac: float) -> None:
                write_progress(upload, {"state": "running", "message": msg, "fraction": frac})

            report = _run(engine, upload, as_of, username, mapping, scope, progress=progress, limits=limits)
            write_progress(
                upload,
                {
                    "state": "done" if report.ok else "rejected",
                    "fraction": 1.0,
                    "counts": report.counts_dict(),
                    "issues": [i.as_dict() for i in report.issues],
                },
            )
        except Exception as exc:  # the page must learn of any failure; the transaction rolled back
            traceback.print_exc()
            write_progress(upload, {"state": "failed", "fraction": 1.0, "message": f"{type(exc).__name__}: {exc}"})

    threading.Thread(target=work, name=f"import-{upload.token}", daemon=True).start()
