"""Issue 17, finding 3: what an import reads is bounded (rows, inflated bytes, file size), on both doors.

A 65 KB zip holding a header and 64 MiB of newlines took a worker to 5.9 GB and 75 s, and the CLI died
with a MemoryError traceback. Each test builds its hostile file itself and asserts the refusal sentence
and that nothing was written (never a wall time).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from config import Limits
from data_access.db import session_factory
from data_access.importer.engine import run_import
from data_access.importer.reader import Issue
from data_access.models import Account, ImportRun
from tests.conftest import AS_OF, url_of
from tests.dash_http import call_callback, find, render_page, text_of
from tests.unit.test_cli import run_cli
from tests.unit.test_demo import _digest

ACCOUNTS = b"account_code,name,industry,region,owner_rep_code\n"
KIB = 1024
MIB = 1024 * 1024


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buf.getvalue()


@pytest.fixture(scope="module")
def newlines_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reported file: accounts.csv, a header and 64 MiB of newlines (about 65 KB zipped)."""
    path = tmp_path_factory.mktemp("hostile") / "newlines.zip"
    path.write_bytes(_zip({"accounts.csv": ACCOUNTS + b"\n" * (64 * MIB)}))
    assert path.stat().st_size < 100 * KIB
    return path


def _nothing_written(engine: Engine) -> None:
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
        assert s.scalars(select(ImportRun.status)).all() == ["rejected"]


def test_ilim001_the_reported_zip_of_newlines_is_refused_by_the_row_limit(engine, newlines_zip):
    before = _digest(engine)
    report = run_import(engine, newlines_zip, as_of=AS_OF, username="t")  # the default limits: 2,000,000 rows
    assert report.too_large
    assert report.issues == [Issue("accounts", None, None, None, "more than 2,000,000 rows (the limit of one sheet)")]
    assert _digest(engine) == before
    _nothing_written(engine)


def test_ilim002_the_cli_refuses_it_in_one_line_with_exit_code_2(databases, newlines_zip, tmp_path):
    env = {
        "DATABASE_URL": databases.new_url(),
        "SALESRADAR_MAX_IMPORT_ROWS": "1000",
        "SALESRADAR_INSTANCE": str(tmp_path),
    }
    result = run_cli("import", str(newlines_zip), env=env)
    assert result.returncode == 2
    assert (
        "salesradar import: accounts: refused, nothing written: more than 1,000 rows (the limit of one sheet)"
        in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout and "MemoryError" not in result.stderr
    from data_access.db import make_engine

    engine = make_engine(env["DATABASE_URL"])
    _nothing_written(engine)
    engine.dispose()


def test_ilim003_a_zip_bomb_of_one_member_is_refused_by_the_inflated_limit(engine, tmp_path):
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip({"accounts.csv": ACCOUNTS + b"A" * (3 * MIB)}))
    assert bomb.stat().st_size < 20 * KIB
    report = run_import(engine, bomb, as_of=AS_OF, username="t", limits=Limits(max_inflated_bytes=MIB))
    assert report.issues == [Issue("bomb.zip", None, None, None, "unpacks to more than 1 MB (the limit of an archive)")]
    _nothing_written(engine)
    cli = run_cli(
        "import",
        str(bomb),
        env={"DATABASE_URL": url_of(engine), "SALESRADAR_MAX_INFLATED_MB": "1", "SALESRADAR_INSTANCE": str(tmp_path)},
    )
    assert cli.returncode == 2
    assert "bomb.zip: refused, nothing written: unpacks to more than 1 MB (the limit of an archive)" in cli.stderr
    assert "Traceback" not in cli.stderr


def test_ilim004_members_together_may_not_pass_the_inflated_limit(engine, tmp_path):
    reps = b"rep_code,name,team,region,role\n" + b"R1,a,t,r,rep\n" * 45_000  # 585 KB each, 1.14 MB together
    path = tmp_path / "two.zip"
    path.write_bytes(_zip({"reps.csv": reps, "accounts.csv": ACCOUNTS + b"," * len(reps)}))
    report = run_import(engine, path, as_of=AS_OF, username="t", limits=Limits(max_inflated_bytes=MIB))
    assert [i.message for i in report.issues] == ["unpacks to more than 1 MB (the limit of an archive)"]
    _nothing_written(engine)


def test_ilim005_rows_over_the_limit_are_refused_in_csv_and_xlsx(engine, tmp_path):
    from openpyxl import Workbook

    small = Limits(max_rows_per_sheet=10)
    blank = tmp_path / "accounts.csv"
    blank.write_bytes(ACCOUNTS + b"\n" * 11)  # empty lines count: they are rows the reader had to read
    report = run_import(engine, blank, as_of=AS_OF, username="t", limits=small)
    assert report.issues == [Issue("accounts", None, None, None, "more than 10 rows (the limit of one sheet)")]
    ten = tmp_path / "ten" / "accounts.csv"
    ten.parent.mkdir()
    ten.write_bytes(ACCOUNTS + b"\n" * 10)
    assert run_import(engine, ten, as_of=AS_OF, username="t", limits=small, dry_run=True).issues == []
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "accounts"
    sheet.append(["account_code", "name", "industry", "region", "owner_rep_code"])
    sheet.cell(row=12, column=1, value="A1")  # rows 2-11 are missing from the file: counted all the same
    path = tmp_path / "accounts.xlsx"
    book.save(path)
    report = run_import(engine, path, as_of=AS_OF, username="t", limits=small)
    assert report.issues == [Issue("accounts", None, None, None, "more than 10 rows (the limit of one sheet)")]
    with session_factory(engine)() as s:
        assert s.scalars(select(ImportRun.status)).all() == ["rejected", "rejected"]


def test_ilim006_files_over_the_upload_limit_are_refused_before_reading(engine, tmp_path):
    small = Limits(max_upload_bytes=2 * KIB, max_inflated_bytes=4 * KIB)
    csv_file = tmp_path / "accounts.csv"
    csv_file.write_bytes(ACCOUNTS + b"A1,x,y,z,R1\n" * 300)
    report = run_import(engine, csv_file, as_of=AS_OF, username="t", limits=small)
    assert report.issues == [
        Issue("accounts.csv", None, None, None, "larger than 2 KB (the largest file this server takes)")
    ]
    data = run_import(engine, Path("upload.csv"), data=csv_file.read_bytes(), as_of=AS_OF, username="t", limits=small)
    assert data.issues[0].message == "larger than 2 KB (the largest file this server takes)"
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("accounts.csv", "reps.csv"):
        (folder / name).write_bytes(b"x\n" * 1500)
    together = run_import(engine, folder, as_of=AS_OF, username="t", limits=small)
    assert together.issues[0].message == "its .csv files hold more than 4 KB together"
    big = tmp_path / "big" / "accounts.csv"
    big.parent.mkdir()
    big.write_bytes(ACCOUNTS + b"A1,x,y,z,R1\n" * 100_000)  # 1.2 MB
    cli = run_cli(
        "import",
        str(big),
        env={"DATABASE_URL": url_of(engine), "SALESRADAR_MAX_UPLOAD_MB": "1", "SALESRADAR_INSTANCE": str(tmp_path)},
    )
    assert cli.returncode == 2
    assert (
        "salesradar import: accounts.csv: refused, nothing written: larger than 1 MB "
        "(the largest file this server takes)" in cli.stderr
    )
    assert "Traceback" not in cli.stderr


def test_ilim007_an_xlsx_whose_members_would_inflate_too_much_is_refused(engine, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "accounts"
    sheet.append(["account_code", "name", "industry", "region", "owner_rep_code"])
    for i in range(2000):
        sheet.append([f"A{i:05d}", "x" * 100, "y", "z", "R1"])
    path = tmp_path / "big.xlsx"
    book.save(path)
    report = run_import(engine, path, as_of=AS_OF, username="t", limits=Limits(max_inflated_bytes=64 * KIB))
    assert report.issues == [
        Issue("big.xlsx", None, None, None, "unpacks to more than 64 KB (the limit of an archive)")
    ]
    _nothing_written(engine)


def _with_limits(dash_app: Any, limits: Limits) -> Any:
    """The running app's runtime with other limits (a frozen dataclass: replaced, then put back)."""
    from data_access.runtime import EXTENSION

    rt = dash_app.server.extensions[EXTENSION]
    dash_app.server.extensions[EXTENSION] = dataclasses.replace(
        rt, config=dataclasses.replace(rt.config, limits=limits)
    )
    return rt


def test_ilim008_the_page_refuses_an_upload_over_the_limit(dash_app, director):
    from data_access.runtime import EXTENSION

    saved = _with_limits(dash_app, Limits(max_upload_bytes=4 * KIB))
    try:
        upload = find(render_page(director, "/import"), "import-upload")
        assert upload["props"]["max_size"] == 4 * KIB
        content = "data:text/csv;base64," + base64.b64encode(ACCOUNTS + b"A1,x,y,z,R1\n" * 600).decode()
        response = call_callback(
            director,
            "import-store.data",
            {("import-upload", "contents"): content, ("import-upload", "filename"): "accounts.csv"},
        )
        body = response.get_json()["response"]
        assert body["import-store"]["data"] is None and body["import-confirm"]["disabled"] is True
        assert (
            "Could not take this file: accounts.csv is larger than 4 KB, the largest file this server takes"
            in text_of(body["import-preview"]["children"])
        )
    finally:
        dash_app.server.extensions[EXTENSION] = saved


class _Member(io.BytesIO):
    """An archive member as ``archive.open()`` hands it over; remembers how much was read of it."""

    handed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.handed += len(data)
        return data


def test_ilim009_an_archive_member_is_counted_as_it_inflates_and_stopped_at_the_limit():
    from data_access.importer import reader

    member = _Member(ACCOUNTS + b"," * (3 * MIB))
    budget = reader._Budget("week.zip", Limits(max_inflated_bytes=MIB))
    with pytest.raises(reader.TooLarge) as refused:
        reader._csv_table("accounts", lambda: member, Limits(max_inflated_bytes=MIB), budget)
    assert refused.value.issues == [
        Issue("week.zip", None, None, None, "unpacks to more than 1 MB (the limit of an archive)")
    ]
    assert member.handed <= MIB + reader.READ_CHUNK  # refused at the chunk that passed the limit: the rest unread
