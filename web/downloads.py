"""File downloads: the import template (directors, managers) and the full export (directors)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, send_file
from werkzeug.wrappers import Response as WerkzeugResponse

from data_access.importer.export import export, template
from data_access.runtime import read_session
from web.auth import current_viewer

bp = Blueprint("downloads", __name__, url_prefix="/download")


@bp.get("/template.xlsx")
def template_xlsx() -> Response | WerkzeugResponse:
    viewer = current_viewer()
    if viewer is None or viewer.role not in ("director", "manager"):
        abort(403)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "salesradar-template.xlsx"
        template(path)
        data = path.read_bytes()
    return _xlsx(data, "salesradar-template.xlsx")


@bp.get("/export.xlsx")
def export_xlsx() -> Response | WerkzeugResponse:
    viewer = current_viewer()
    if viewer is None or viewer.role != "director":  # the whole database: directors only
        abort(403)
    with tempfile.TemporaryDirectory() as tmp, read_session() as session:
        path = Path(tmp) / "salesradar-export.xlsx"
        export(session, path)
        data = path.read_bytes()
    return _xlsx(data, "salesradar-export.xlsx")


def _xlsx(data: bytes, name: str) -> Response:
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
