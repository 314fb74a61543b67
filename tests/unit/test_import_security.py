"""Issue 17, imports: no NUL (or other control character) in a cell.

The attacks are posted over HTTP as a browser (or a script) would post them on /import, on the shared demo
database: previews are dry runs and refused imports write nothing, so the numbers other tests read stay as
they are. What must really be written goes into a fresh database through ``run_import``.
"""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

from sqlalchemy import func, select

from data_access.db import session_factory
from data_access.importer.engine import run_import
from data_access.importer.reader import Issue
from data_access.models import Account, ImportRun
from tests.conftest import AS_OF
from tests.dash_http import call_callback, text_of
from tests.unit.test_demo import _digest

REPS = "rep_code,name,team,region,role,manager_code,email,hire_date\n"


def _zip(files: dict[str, str]) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8-sig"))
    return "data:application/zip;base64," + base64.b64encode(buf.getvalue()).decode()


def _upload(client: Any, files: dict[str, str], name: str = "week.zip") -> dict[str, Any]:
    response = call_callback(
        client,
        "import-store.data",
        {
            ("import-upload", "contents"): _zip(files),
            ("import-upload", "filename"): name,
            ("import-as-of", "date"): "2026-11-27",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body: dict[str, Any] = response.get_json()["response"]
    return body


def _preview_text(body: dict[str, Any]) -> str:
    return text_of(body["import-preview"]["children"])


# --------------------------------------------------------------------------------------------------
# finding 4: control characters in a cell


def test_isec020_a_nul_in_a_text_cell_is_refused_on_every_database(engine, tmp_path):
    folder = tmp_path / "week"
    folder.mkdir()
    (folder / "reps.csv").write_text(REPS + "R0001,王\x1b一,一部,华北,rep,,,\n", encoding="utf-8")
    (folder / "accounts.csv").write_text(
        "account_code,name,industry,region,owner_rep_code,city\nA1,Acme\x00Corp,IT,华北,R0001,北京\tnorth\n",
        encoding="utf-8",
    )
    before = _digest(engine)
    report = run_import(engine, folder, as_of=AS_OF, username="t")
    assert report.issues == [
        Issue(
            "accounts", 2, "name", "Acme\\x00Corp", "name holds the control character U+0000, which no cell may hold"
        ),
        Issue("reps", 2, "name", "王\\x1b一", "name holds the control character U+001B, which no cell may hold"),
    ]
    assert _digest(engine) == before
    with session_factory(engine)() as s:
        assert s.scalars(select(ImportRun.status)).all() == ["rejected"]
        assert s.scalar(select(func.count()).select_from(Account)) == 0


def test_isec021_a_nul_posted_to_the_page_is_a_problem_not_a_500(director):
    body = _upload(director, {"buying_power.csv": "account_code,year,bp,source\nA00001,2027,5000000,phone\x00survey\n"})
    assert body["import-confirm"]["disabled"] is True
    assert "source holds the control character U+0000, which no cell may hold" in _preview_text(body)
