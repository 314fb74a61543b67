"""The Import page's callbacks over HTTP: who may use them, uploads tied to their owner, a full run."""

from __future__ import annotations

import base64
import io
import socket
import zipfile

from tests.dash_http import call_callback, confirm_import, render_page, text_of


def _csv_zip(files: dict[str, str]) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8-sig"))
    return "data:application/zip;base64," + base64.b64encode(buf.getvalue()).decode()


TEAMLESS = _csv_zip({"buying_power.csv": "account_code,year,bp\nA00001,2027,5000000\n"})


def test_ipg001_page_is_for_directors_and_managers(rep, manager, director):
    assert "Only directors and managers import data." in text_of(render_page(rep, "/import"))
    for client in (manager, director):
        assert "Drop an .xlsx" in text_of(render_page(client, "/import"))
    nav = text_of(rep.get("/_dash-layout").get_json())
    assert "Import" not in nav
    assert "Import" in text_of(director.get("/_dash-layout").get_json())


def test_ipg002_a_rep_posting_the_callbacks_gets_nothing(rep):
    upload = call_callback(
        rep, "import-store.data", {("import-upload", "contents"): TEAMLESS, ("import-upload", "filename"): "x.zip"}
    )
    assert upload.status_code == 204
    confirm = call_callback(
        rep, "import-poll.disabled", {("import-confirm", "n_clicks"): 1, ("import-store", "data"): {"token": "abc"}}
    )
    assert confirm.status_code == 204


def test_ipg003_preview_then_confirm_as_director(dash_app, director, demo_session):
    response = call_callback(
        director,
        "import-store.data",
        {
            ("import-upload", "contents"): TEAMLESS,
            ("import-upload", "filename"): "bp.zip",
            ("import-as-of", "date"): "2026-11-27",
        },
    )
    assert response.status_code == 200
    body = response.get_json()["response"]
    store = body["import-store"]["data"]
    assert body["import-confirm"]["disabled"] is False
    assert "buying_power" in text_of(body["import-preview"]["children"])
    result = confirm_import(director, store)
    assert "Imported" in text_of(result["import-result"]["children"])
    # the job is over: the upload is deleted, only its small progress file stays, and the poll still answers
    from data_access.runtime import EXTENSION

    uploads = dash_app.server.extensions[EXTENSION].config.instance_path / "uploads"
    assert sorted(p.name for p in uploads.glob(f"*-{store['token']}.*")) == [f"1-{store['token']}.progress.json"]
    again = call_callback(
        director, "import-progress.value", {("import-poll", "n_intervals"): 2, ("import-store", "data"): store}
    )
    assert "Imported" in text_of(again.get_json()["response"]["import-result"]["children"])
    from sqlalchemy import text

    assert (
        demo_session.execute(
            text(
                "SELECT COUNT(*) FROM buying_power bp JOIN accounts a ON a.id = bp.account_id "
                "WHERE a.account_code = 'A00001' AND bp.year = 2027"
            )
        ).scalar_one()
        == 1
    )


def test_ipg004_uploads_belong_to_their_uploader(director, manager):
    response = call_callback(
        director,
        "import-store.data",
        {("import-upload", "contents"): TEAMLESS, ("import-upload", "filename"): "bp.zip"},
    )
    store = response.get_json()["response"]["import-store"]["data"]
    stolen = call_callback(
        manager, "import-poll.disabled", {("import-confirm", "n_clicks"): 1, ("import-store", "data"): store}
    )
    assert stolen.status_code == 204
    forged = call_callback(
        director,
        "import-poll.disabled",
        {("import-confirm", "n_clicks"): 1, ("import-store", "data"): {"token": "../../etc"}},
    )
    assert forged.status_code == 204


def test_ipg005_manager_rows_outside_the_team_are_refused(manager):
    other = _csv_zip({"buying_power.csv": "account_code,year,bp\nA00002,2027,5000000\n"})
    response = call_callback(
        manager, "import-store.data", {("import-upload", "contents"): other, ("import-upload", "filename"): "bp.zip"}
    )
    body = response.get_json()["response"]
    assert body["import-confirm"]["disabled"] is True
    assert "outside your team" in text_of(body["import-preview"]["children"])


def test_ipg006_bad_upload_is_explained(director):
    response = call_callback(
        director,
        "import-store.data",
        {("import-upload", "contents"): "data:x;base64,@@@", ("import-upload", "filename"): "a.xlsx"},
    )
    assert "Could not take this file" in text_of(response.get_json()["response"]["import-preview"]["children"])
    pdf = call_callback(
        director, "import-store.data", {("import-upload", "contents"): TEAMLESS, ("import-upload", "filename"): "a.pdf"}
    )
    assert "expected an .xlsx workbook" in text_of(pdf.get_json()["response"]["import-preview"]["children"])


def test_ipg007_downloads(director, manager, rep):
    assert director.get("/download/template.xlsx").status_code == 200
    assert manager.get("/download/template.xlsx").status_code == 200
    assert rep.get("/download/template.xlsx").status_code == 403
    assert manager.get("/download/export.xlsx").status_code == 403
    export = director.get("/download/export.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_ipg008_a_page_watching_a_killed_import_shows_it_failed(dash_app, director, demo_engine):
    from datetime import datetime

    from data_access.db import session_factory
    from data_access.importer import jobs
    from data_access.models import ImportRun
    from data_access.runtime import EXTENSION
    from tests.conftest import AS_OF

    with session_factory(demo_engine)() as s:  # what a SIGKILL while writing leaves behind
        run = ImportRun(
            username="director",
            started_at=datetime(2026, 11, 27, 9, 0),
            file_name="week.xlsx",
            as_of=AS_OF,
            status="running",
            counts={},
            issue_count=0,
            host=socket.gethostname(),
            pid=2**22 + 12345,  # no process has it
        )
        s.add(run)
        s.commit()
        run_id = run.id
    instance = dash_app.server.extensions[EXTENSION].config.instance_path
    token = "killed-import-ipg008"
    jobs.write_progress(
        jobs.progress_file(instance, 1, token),
        {"state": "running", "message": "writing visits", "fraction": 0.3, "run_id": run_id},
    )
    polled = call_callback(
        director,
        "import-progress.value",
        {("import-poll", "n_intervals"): 1, ("import-store", "data"): {"token": token}},
    )
    body = polled.get_json()["response"]
    assert text_of(body["import-result"]["children"]) == (
        "The import failed and wrote nothing: interrupted (the server stopped while importing)"
    )
    assert body["import-poll"]["disabled"] is True
    with session_factory(demo_engine)() as s:
        assert s.get(ImportRun, run_id).status == "failed"  # type: ignore[union-attr]
    # another user's poll of that token reads their own (absent) progress file: nothing
    assert jobs.read_progress(jobs.progress_file(instance, 2, token)) is None


def test_ipg009_a_failure_shows_its_error_id_only(dash_app, director):
    from data_access.importer import jobs
    from data_access.runtime import EXTENSION

    instance = dash_app.server.extensions[EXTENSION].config.instance_path
    token = "failed-import-ipg009"
    jobs.write_progress(
        jobs.progress_file(instance, 1, token),
        {"state": "failed", "fraction": 1.0, "message": "an unexpected error (error id 0a1b2c3d)"},
    )
    polled = call_callback(
        director,
        "import-progress.value",
        {("import-poll", "n_intervals"): 1, ("import-store", "data"): {"token": token}},
    )
    assert text_of(polled.get_json()["response"]["import-result"]["children"]) == (
        "The import failed and wrote nothing: an unexpected error (error id 0a1b2c3d)"
    )


def test_ipg010_old_uploads_of_anyone_are_removed_by_the_next_upload(dash_app, director):
    import os
    import time as clock

    from data_access.runtime import EXTENSION

    uploads = dash_app.server.extensions[EXTENSION].config.instance_path / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    stale = [uploads / "2-oldtoken.zip", uploads / "2-oldtoken.name", uploads / "2-oldtoken.progress.json"]
    fresh = uploads / "2-newtoken.zip"
    for path in [*stale, fresh]:
        path.write_bytes(b"x")
    day_ago = clock.time() - 25 * 3600
    for path in stale:
        os.utime(path, (day_ago, day_ago))
    response = call_callback(
        director,
        "import-store.data",
        {("import-upload", "contents"): TEAMLESS, ("import-upload", "filename"): "bp.zip"},
    )
    assert response.status_code == 200
    assert [p.exists() for p in stale] == [False, False, False]
    assert fresh.exists()


def test_ipg011_the_import_log_reads_in_the_viewers_language(director, demo_engine):
    """Each run's status by its name (raw codes were English in the Chinese page); the newest first."""
    from datetime import UTC, datetime

    from data_access.db import session_factory
    from data_access.models import ImportRun
    from tests.dash_http import find, render_page, text_of, walk

    now = datetime.now(UTC).replace(tzinfo=None)
    with session_factory(demo_engine)() as s:
        for status in ("failed", "rejected", "done", "running"):
            s.add(
                ImportRun(
                    username="ipg011",
                    started_at=now,
                    file_name=f"{status}.xlsx",
                    as_of=now.date(),
                    status=status,
                    counts={},
                    issue_count=0,
                )
            )
        s.commit()
    for lang, names in (
        ("zh", ["进行中", "已导入", "已拒绝", "失败"]),
        ("en", ["running", "imported", "rejected", "failed"]),
    ):
        table = find(render_page(director, "/import", lang=lang), "import-history")
        rows = [
            [text_of(cell) for cell in row["props"]["children"]]
            for row in walk(table)
            if row.get("type") == "Tr" and "ipg011" in text_of(row)
        ]
        assert [r[3] for r in rows[:4]] == names


# --- a CRM's own export (issue 22) --------------------------------------------------------------------------------

HUBSPOT = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Associated Company\n"
    "77001,Branch routers,Closed Won,120000,2017-05-18 10:00,2017-02-01 09:12,Qian Li,Yunhe Foods\n"
    "77002,Wi-Fi refresh,Contract Sent,80000,2017-12-15 00:00,2017-08-21 15:40,Qian Li,Yunhe Foods\n"
)


def _upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def _preview(client, text: str, source, stages, remember=None):
    values = {
        ("import-upload", "contents"): _upload(text),
        ("import-upload", "filename"): "deals.csv",
        ("import-as-of", "date"): "2018-01-15",
        ("import-source", "value"): source,
        ("import-stages", "value"): stages,
        ("import-stages-remember", "value"): remember if remember is not None else [],
    }
    response = call_callback(client, "import-store.data", values)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def _stages_of(client, source) -> tuple[str, dict]:
    response = call_callback(client, "import-stages.value", {("import-source", "value"): source})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()["response"]
    return body["import-stages"]["value"], body["import-stages-box"]["style"]


def test_ipg020_a_hubspot_export_previews_what_it_derives(director):
    stages, style = _stages_of(director, "hubspot")
    assert style == {} and "Contract Sent = 5" in stages and "Closed Won = won" in stages
    body = _preview(director, HUBSPOT, "hubspot", stages)
    said = text_of(body["import-preview"]["children"])
    assert body["import-confirm"]["disabled"] is False
    assert "2 deals read" in said and "1 new reps from the owner names" in said
    assert "1 contracts derived from won deals" in said and "gross margin unknown" in said
    assert "buying power, quotas, payments, gross margin" in said
    store = body["import-store"]["data"]
    assert store["crm"]["source"] == "hubspot"


def test_ipg021_a_stage_the_map_lacks_is_named_and_nothing_is_written(director, demo_session):
    from sqlalchemy import text as sql

    stages, _style = _stages_of(director, "hubspot")
    without = "\n".join(line for line in stages.splitlines() if not line.startswith("Contract Sent"))
    body = _preview(director, HUBSPOT, "hubspot", without)
    said = text_of(body["import-preview"]["children"])
    assert body["import-confirm"]["disabled"] is True
    assert "Contract Sent" in said and "not in the stage map" in said
    assert demo_session.execute(sql("SELECT count(*) FROM opportunities WHERE opp_code LIKE 'HS-%'")).scalar() == 0


def test_ipg022_hostile_source_and_stage_posts(director, manager, rep):
    for source in (["hubspot"], {"a": 1}, "../../etc/passwd", None, 5, "HUBSPOT"):
        value, style = _stages_of(director, source)
        assert (value, style) == ("", {"display": "none"})
    assert call_callback(rep, "import-stages.value", {("import-source", "value"): "hubspot"}).status_code == 204
    # an unknown source is the import format: the CSV is no sheet of it
    body = _preview(director, HUBSPOT, "evil", "Closed Won = won")
    assert "crm" not in (body["import-store"]["data"] or {})
    # a stage map that is no stage map is said, not read
    for junk in ("Closed Won = 7", "= won", "x\x00y = 1", ["Closed Won = won"]):
        body = _preview(director, HUBSPOT, "hubspot", junk)
        said = text_of(body["import-preview"]["children"])
        assert isinstance(junk, list) or "Stage map" in said, said
    # a manager's remembered stage map is the manager's alone
    stages, _style = _stages_of(manager, "hubspot")
    _preview(manager, HUBSPOT, "hubspot", stages + "\nMy Own Stage = 2", remember=["mine"])
    assert "My Own Stage = 2" in _stages_of(manager, "hubspot")[0]
    assert "My Own Stage" not in _stages_of(director, "hubspot")[0]
