"""The import page's server side: uploads, previews, remembered mappings, the job and its progress, the log.

``pages/data_import.py`` wires the page and ``components/import_view.py`` draws it; everything that touches an
upload, the importer or the database for them is here, for the signed-in viewer of the request (directors
and managers; a manager's rows must stay inside their team, checked by the importer whatever is posted).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from typing import Any

from components.import_view import REMEMBER_MINE, REMEMBER_SHARED, MappingChoice
from data_access import queries
from data_access.importer import jobs
from data_access.importer.crm import (
    SOURCES,
    CrmSource,
    format_stage_map,
    parse_stage_map,
    save_stage_map,
    stage_map,
)
from data_access.importer.engine import ImportReport, issues_csv, save_mapping, saved_mappings
from data_access.importer.reader import ImportRejected, read_source, size_text
from data_access.importer.schema import BY_NAME, sheet_for
from data_access.importer.suggest import TabPlan, plan, suggest_sheet
from data_access.runtime import read_session, runtime, today
from data_access.users import Viewer

IMPORTERS = ("director", "manager")
#: sheet name -> its Chinese name, and sheet name -> its (field, Chinese name) columns: what the page labels
SHEET_NAMES = {s.name: s.zh for s in BY_NAME.values()}
SHEET_FIELDS = {s.name: [(c.name, c.zh) for c in s.columns] for s in BY_NAME.values()}


class Refused(ValueError):
    """An upload the page cannot take; ``str()`` says why in one sentence."""


class TooLarge(Refused):
    """An upload over the size limit: the file's name and the limit, for the page's own sentence."""

    def __init__(self, file: str, size: str) -> None:
        super().__init__(f"{file} is larger than {size}")
        self.file, self.size = file, size


@dataclass(frozen=True)
class Preview:
    store: dict[str, Any]
    file_name: str
    ok: bool
    failed: str | None
    counts: dict[str, dict[str, int]]
    applied: list[dict[str, str]]
    issues: list[dict[str, Any]]
    choices: list[MappingChoice]
    #: what a CRM export's conversion derived (``crm.Derived.as_dict``); None for the import format
    derived: dict[str, Any] | None = None


def max_upload_bytes() -> int:
    return runtime().config.limits.max_upload_bytes


def as_of(raw: Any) -> date:
    """The import's as-of date from the picker; anything else is today."""
    if not isinstance(raw, str) or not raw:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return today()


def history(viewer: Viewer) -> list[dict[str, Any]] | None:
    """The import log, newest first (directors only; None for anyone else)."""
    if viewer.role != "director":
        return None
    with read_session() as session:
        return queries.recent_imports(session)


def _token(store: Any) -> str:
    """The upload token the page's store names (the client's copy: anything but a dict of text is none)."""
    token = store.get("token") if isinstance(store, dict) else None
    return token if isinstance(token, str) else ""


def stored_mapping(store: Any) -> dict[str, Any]:
    """The mapping the page's store carries (the client's copy: read as names, like the form's)."""
    mapping = store.get("mapping") if isinstance(store, dict) else None
    return mapping if isinstance(mapping, dict) else {}


def own_upload(viewer: Viewer, store: Any) -> jobs.Upload | None:
    """The upload the page's store names, if it is this viewer's; None for anything else."""
    try:
        return jobs.find_upload(runtime().config.instance_path, viewer.user_id, _token(store))
    except jobs.UploadError:
        return None


def save(viewer: Viewer, contents: Any, filename: Any) -> jobs.Upload:
    """Keep an upload (a data URL from the browser) for its uploader; ``Refused`` over the size limit or
    when it is no file we read."""
    if not isinstance(contents, str) or "," not in contents:
        raise Refused("no file")
    limits = runtime().config.limits
    name = str(filename or "upload.xlsx")
    encoded = contents.split(",", 1)[1]
    too_large = TooLarge(jobs.clean_name(name), size_text(limits.max_upload_bytes))
    if len(encoded) // 4 * 3 > limits.max_upload_bytes + 3:  # refused before it is even decoded
        raise too_large
    try:
        data = base64.b64decode(encoded, validate=True)
        if len(data) > limits.max_upload_bytes:
            raise too_large
        return jobs.save_upload(
            runtime().config.instance_path, viewer.user_id, name, data, max_bytes=limits.max_upload_bytes
        )
    except (binascii.Error, jobs.UploadError) as exc:
        raise Refused(str(exc)) from exc


def remember(viewer: Viewer, mapping: dict[str, dict[str, Any]], choice: Any) -> None:
    """Save the form's column mappings as the viewer asked: their own, or (a director only) shared, in a
    write session. ``choice`` is what the client posted: anything but the known values saves nothing, and
    "shared" from anyone but a director is kept as their own."""
    if choice is True:  # the former checkbox
        choice = REMEMBER_MINE
    if choice not in (REMEMBER_MINE, REMEMBER_SHARED):
        return
    shared = choice == REMEMBER_SHARED and viewer.role == "director"
    with runtime().sessions() as session:
        for tab, spec in mapping.items():
            known = sheet_for(tab)
            target = spec.get("sheet") or (known.name if known else None)
            if target and spec.get("columns"):
                save_mapping(session, str(target), spec["columns"], user_id=None if shared else viewer.user_id)
        session.commit()


def stages_for(viewer: Viewer, source: Any) -> str:
    """The stage map the viewer's import of a ``source`` export starts from, as the form's lines: the CRM's
    default overlaid with their remembered one ("" for anything but a known source)."""
    if source not in SOURCES:
        return ""
    with read_session() as session:
        return format_stage_map(stage_map(session, str(source), viewer.user_id))


def crm_of(source: Any, stages_text: Any) -> tuple[CrmSource | None, list[str]]:
    """The CRM export a form or store names (None: the import format) and the stage map's bad lines. Only a
    known source and ``stage = value`` lines of known values are taken, whatever is posted."""
    if source not in SOURCES:
        return None, []
    stages, problems = parse_stage_map(stages_text if isinstance(stages_text, str) else "")
    return CrmSource(str(source), stages), problems


def remember_stages(viewer: Viewer, crm: CrmSource | None, choice: Any) -> None:
    """Save the form's stage map as the viewer's own (a stage map is never shared) when the form's "remember"
    box is ticked (``choice`` as posted: a list holding ``REMEMBER_MINE``)."""
    if crm is None or not isinstance(choice, list) or REMEMBER_MINE not in choice:
        return
    with runtime().sessions() as session:
        save_stage_map(session, crm.source, crm.stages, viewer.user_id)
        session.commit()


def _stored_crm(store: Any) -> CrmSource | None:
    crm = store.get("crm") if isinstance(store, dict) else None
    if not isinstance(crm, dict):
        return None
    return crm_of(crm.get("source"), crm.get("stages"))[0]


def _job(
    viewer: Viewer, upload: jobs.Upload, raw_as_of: Any, mapping: dict[str, Any], crm: CrmSource | None = None
) -> jobs.Job:
    """The viewer's import of ``upload``, as of the page's day, with their mapping and scope (a CRM export's
    source and stage map: ``crm``)."""
    limits = runtime().config.limits
    return jobs.Job(runtime().engine, upload, as_of(raw_as_of), viewer.username, mapping, viewer.scope, limits, crm)


def _report(
    viewer: Viewer, upload: jobs.Upload, raw_as_of: Any, mapping: dict[str, Any], crm: CrmSource | None = None
) -> ImportReport:
    return jobs.preview(_job(viewer, upload, raw_as_of, mapping, crm))


def _choices(plans: list[TabPlan]) -> list[MappingChoice]:
    return [
        MappingChoice(p.tab, None, suggest_sheet(p.tab))
        if p.sheet is None
        else MappingChoice(p.tab, p.sheet, None, [(c.header, c.suggestion) for c in p.columns])
        for p in plans
    ]


def preview(
    viewer: Viewer, upload: jobs.Upload, raw_as_of: Any, mapping: dict[str, Any], crm: CrmSource | None = None
) -> Preview:
    """The dry run of an upload: what it would create, update and leave unchanged, or its problems and what
    the mapping form should ask (a CRM export: what was derived; its columns are the CRM's, never mapped)."""
    report = _report(viewer, upload, raw_as_of, mapping, crm)
    store: dict[str, Any] = {"token": upload.token, "name": upload.file_name, "mapping": mapping}
    if crm is not None:
        store["crm"] = {"source": crm.source, "stages": format_stage_map(crm.stages)}
    plans: list[TabPlan] = []
    if not report.ok and report.failed is None and not report.too_large and crm is None:
        try:
            with read_session() as session:
                tables = read_source(
                    upload.path.with_name(upload.file_name), upload.path.read_bytes(), runtime().config.limits
                )
                plans = plan(tables, mapping, saved_mappings(session, viewer.user_id))
        except ImportRejected:
            plans = []
    return Preview(
        store=store,
        file_name=upload.file_name,
        ok=report.ok,
        failed=report.failed,
        counts=report.counts_dict(),
        applied=[a.as_dict() for a in report.applied],
        issues=[i.as_dict() for i in report.issues],
        choices=_choices(plans),
        derived=report.derived,
    )


def errors_csv(viewer: Viewer, store: Any, raw_as_of: Any) -> tuple[bytes, str] | None:
    """The full error report of the previewed file (CSV) and its name; None without an own upload."""
    upload = own_upload(viewer, store)
    if upload is None:
        return None
    report = _report(viewer, upload, raw_as_of, stored_mapping(store), _stored_crm(store))
    return issues_csv(report.issues), f"{upload.file_name}-errors.csv"


def start(viewer: Viewer, store: Any, raw_as_of: Any) -> bool:
    """Start the import of the viewer's upload (validated again inside: the database may have changed since
    the preview); False when there is no such upload or its job already runs."""
    upload = own_upload(viewer, store)
    if upload is None:
        return False
    state = jobs.read_progress(upload.progress_path)
    if state is not None and state["state"] == "running":  # a second click while it runs starts nothing
        return False
    jobs.start_import(_job(viewer, upload, raw_as_of, stored_mapping(store), _stored_crm(store)))
    return True


def progress(viewer: Viewer, store: Any) -> dict[str, Any] | None:
    """The job's state from its progress file (the upload is gone by then); a job whose process is gone is
    failed ("interrupted"), not running forever. None without an own job."""
    try:
        where = jobs.progress_file(runtime().config.instance_path, viewer.user_id, _token(store))
    except jobs.UploadError:
        return None
    return jobs.job_state(runtime().engine, where)
