"""Import and export: round trip, idempotence, snapshots, every kind of bad input, crashes, encodings."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from data_access import demo
from data_access.db import session_factory
from data_access.importer.engine import run_import, save_mapping
from data_access.importer.export import export, template
from data_access.importer.jobs import INTERRUPTED, reap_interrupted
from data_access.models import Account, ImportRun, Opportunity, OpportunityChange, Rep, StageHistory
from tests.conftest import AS_OF
from tests.unit.test_cli import run_cli
from tests.unit.test_demo import _digest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = date(2026, 12, 4)


def _export(engine: Engine, path: Path) -> dict[str, int]:
    with session_factory(engine)() as session:
        return export(session, path)


def _read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


@pytest.fixture(scope="module")
def small(tmp_path_factory, databases) -> Path:
    """A small consistent company exported as a folder of CSV files."""
    engine = databases.new_engine()
    demo.generate(engine, opportunities=120, as_of=AS_OF)
    folder = tmp_path_factory.mktemp("small") / "csv"
    _export(engine, folder)
    return folder


@pytest.fixture()
def files(small, tmp_path) -> Path:
    """A private copy of the small export, to edit."""
    return Path(shutil.copytree(small, tmp_path / "csv"))


def test_imp001_round_trip_demo_export_import_export_is_identical(demo_engine, new_engine, tmp_path):
    for suffix in (".xlsx", ".zip"):
        first = tmp_path / f"first{suffix}"
        counts = _export(demo_engine, first)
        target = new_engine()
        report = run_import(target, first, as_of=AS_OF, username="test")
        assert report.ok, report.issues[:5]
        assert {s: c.created for s, c in report.counts.items()} == counts
        again = tmp_path / f"again-{suffix[1:]}"
        _export(demo_engine, tmp_path / f"orig-{suffix[1:]}")
        _export(target, again)
        for name in sorted(os.listdir(again)):
            assert (again / name).read_bytes() == (tmp_path / f"orig-{suffix[1:]}" / name).read_bytes(), name


def test_imp002_same_file_twice_changes_nothing(files, engine):
    assert run_import(engine, files, as_of=AS_OF, username="t").ok
    before = _digest(engine)
    second = run_import(engine, files, as_of=AS_OF, username="t")
    assert second.ok
    assert all(c.created == c.updated == 0 for c in second.counts.values())
    assert _digest(engine) == before


def test_imp003_weekly_snapshot_updates_and_grows_stage_history(files, engine):
    assert run_import(engine, files, as_of=AS_OF, username="t").ok
    rows = _read_csv(files / "opportunities.csv")
    header = rows[0]
    i_level, i_status, i_amount = header.index("level"), header.index("status"), header.index("amount")
    target = next(r for r in rows[1:] if r[i_status] == "open" and r[i_level] in ("1", "2", "3"))
    target[i_level] = str(int(target[i_level]) + 1)
    old_amount = target[i_amount]
    target[i_amount] = "123456.78"
    _write_csv(files / "opportunities.csv", rows)
    (files / "stage_history.csv").unlink()  # a weekly snapshot carries no history of its own
    report = run_import(engine, files, as_of=SNAPSHOT, username="t")
    assert report.ok, report.issues
    assert report.counts["opportunities"].updated == 1
    assert report.counts["stage_history"].created == 1
    with session_factory(engine)() as s:
        opp = s.scalars(select(Opportunity).where(Opportunity.opp_code == target[0])).one()
        assert opp.amount == 123456.78 and opp.level == int(target[i_level])
        last = s.scalars(
            select(StageHistory).where(StageHistory.opportunity_id == opp.id).order_by(StageHistory.entered_date.desc())
        ).first()
        assert last is not None
        assert (last.level, last.entered_date) == (opp.level, SNAPSHOT)
        changes = {
            (c.field, c.old_value, c.new_value, c.changed_on)
            for c in s.scalars(select(OpportunityChange).where(OpportunityChange.opportunity_id == opp.id))
        }
        assert ("amount", f"{float(old_amount):.2f}", "123456.78", SNAPSHOT) in changes
        assert ("level", str(int(target[i_level]) - 1), target[i_level], SNAPSHOT) in changes
        runs = s.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [r.status for r in runs] == ["done", "done"] and runs[-1].as_of == SNAPSHOT
        counts = runs[-1].counts
        assert isinstance(counts, dict) and counts["opportunities"]["updated"] == 1


def test_imp004_dry_run_counts_but_writes_nothing(files, engine):
    before = _digest(engine)
    report = run_import(engine, files, as_of=AS_OF, username="t", dry_run=True)
    assert report.ok and report.counts["opportunities"].created == 120
    assert _digest(engine) == before
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(ImportRun)) == 0


def _edit(files: Path, sheet: str, column: str, value: str, row: int = 1) -> None:
    rows = _read_csv(files / f"{sheet}.csv")
    rows[row][rows[0].index(column)] = value
    _write_csv(files / f"{sheet}.csv", rows)


def _edits(*changes: tuple[str, str, str]) -> Any:
    """Several cells of row 1 changed (sheet, column, value each)."""

    def apply(files: Path) -> None:
        for sheet, column, value in changes:
            _edit(files, sheet, column, value)

    return apply


def _first_row(files: Path, sheet: str, **where: str) -> int:
    rows = _read_csv(files / f"{sheet}.csv")
    header = rows[0]
    return next(i for i, r in enumerate(rows) if i and all(r[header.index(k)] == v for k, v in where.items()))


BAD = [
    (
        "wrong type: amount",
        lambda f: _edit(f, "opportunities", "amount", "lots"),
        ("opportunities", 2, "amount", "amount is not an amount (a number like 1234.50)"),
    ),
    (
        "wrong type: date",
        lambda f: _edit(f, "opportunities", "created_date", "27/11/2026"),
        ("opportunities", 2, "created_date", "created_date is not a date (YYYY-MM-DD)"),
    ),
    (
        "wrong enum",
        lambda f: _edit(f, "opportunities", "status", "maybe"),
        ("opportunities", 2, "status", "status must be one of open, won, lost"),
    ),
    (
        "level out of range",
        lambda f: _edit(f, "opportunities", "level", "7"),
        ("opportunities", 2, "level", "level must be between 1 and 6"),
    ),
    (
        "negative amount",
        lambda f: _edit(f, "opportunities", "amount", "-5"),
        ("opportunities", 2, "amount", "amount must not be negative"),
    ),
    ("required missing", lambda f: _edit(f, "accounts", "name", ""), ("accounts", 2, "name", "name is required")),
    (
        "unknown rep",
        lambda f: _edit(f, "accounts", "owner_rep_code", "R9999"),
        ("accounts", 2, "owner_rep_code", "unknown rep code 'R9999'"),
    ),
    (
        "duplicate code",
        lambda f: _edit(f, "accounts", "account_code", "A00002", row=1),
        ("accounts", 3, "account_code", "duplicate of row 2: the same account_code twice"),
    ),
    (
        "huge cell",
        lambda f: _edit(f, "opportunities", "name", "项" * 5000),
        ("opportunities", 2, "name", "name too long (5,000 characters, at most 200)"),
    ),
    # the sheets of staff management (issue 19)
    (
        "event kind",
        lambda f: _edit(f, "events", "kind", "party"),
        (
            "events",
            2,
            "kind",
            "kind must be one of dinner_6a2r, vip_event, exec_roundtable, seminar, service_month, partner_event",
        ),
    ),
    ("event cost", lambda f: _edit(f, "events", "cost", "-1"), ("events", 2, "cost", "cost must not be negative")),
    (
        "event organiser",
        lambda f: _edit(f, "events", "organiser_rep_code", "R9999"),
        ("events", 2, "organiser_rep_code", "unknown rep code 'R9999'"),
    ),
    (
        "attendee of no event",
        lambda f: _edit(f, "event_attendees", "event_code", "EV999999"),
        ("event_attendees", 2, "event_code", "unknown event code 'EV999999'"),
    ),
    (
        "attended neither yes nor no",
        lambda f: _edit(f, "event_attendees", "attended", "maybe"),
        ("event_attendees", 2, "attended", "attended must be yes or no"),
    ),
    (
        "training hours",
        lambda f: _edit(f, "training", "hours", "1001"),
        ("training", 2, "hours", "hours must be at most 1000 hours"),
    ),
    (
        "training score",
        lambda f: _edit(f, "training", "score", "101"),
        ("training", 2, "score", "score must be between 0 and 100"),
    ),
    (
        "training of nobody",
        lambda f: _edit(f, "training", "rep_code", "R9999"),
        ("training", 2, "rep_code", "unknown rep code 'R9999'"),
    ),
    (
        "bid status",
        lambda f: _edit(f, "bids", "status", "maybe"),
        ("bids", 2, "status", "status must be one of preparing, submitted, won, lost, withdrawn, no_bid"),
    ),
    (
        "bid of no deal",
        lambda f: _edit(f, "bids", "opp_code", "OP9999999"),
        ("bids", 2, "opp_code", "unknown opp code 'OP9999999'"),
    ),
    (
        "bid deadline before publication",
        _edits(("bids", "published_date", "2026-03-10"), ("bids", "deadline", "2026-03-01")),
        ("bids", 2, "deadline", "deadline 2026-03-01 is before published_date 2026-03-10"),
    ),
    (
        "support kind",
        lambda f: _edit(f, "support_requests", "kind", "lunch"),
        (
            "support_requests",
            2,
            "kind",
            "kind must be one of demo, solution_design, poc, site_survey, consulting",
        ),
    ),
    (
        "support requested by nobody",
        lambda f: _edit(f, "support_requests", "requested_by", "R9999"),
        ("support_requests", 2, "requested_by", "unknown rep code 'R9999'"),
    ),
    (
        "support resolved before requested",
        _edits(
            ("support_requests", "requested_date", "2026-03-10"),
            ("support_requests", "resolved_date", "2026-03-01"),
        ),
        ("support_requests", 2, "resolved_date", "resolved_date 2026-03-01 is before requested_date 2026-03-10"),
    ),
    (
        "margin floor over 100%",
        lambda f: _edit(f, "price_list", "floor_margin", "150%"),
        ("price_list", 2, "floor_margin", "floor_margin must be between 0 and 1 (or 0% and 100%)"),
    ),
    (
        "margin floor not a share",
        lambda f: _edit(f, "price_list", "floor_margin", "a lot"),
        ("price_list", 2, "floor_margin", "floor_margin is not a share (0.15 or 15%)"),
    ),
    (
        "negative list price",
        lambda f: _edit(f, "price_list", "list_price", "-1"),
        ("price_list", 2, "list_price", "list_price must not be negative"),
    ),
    (
        "quantity zero",
        lambda f: _edit(f, "quote_lines", "quantity", "0"),
        ("quote_lines", 2, "quantity", "quantity must be more than 0"),
    ),
    (
        "quantity huge",
        lambda f: _edit(f, "quote_lines", "quantity", "1e9"),
        ("quote_lines", 2, "quantity", "quantity must be at most 1000000"),
    ),
    (
        "quote of no product",
        lambda f: _edit(f, "quote_lines", "product_code", "P9999"),
        ("quote_lines", 2, "product_code", "unknown product code 'P9999'"),
    ),
    (
        "quote approved by nobody",
        lambda f: _edit(f, "quote_lines", "approved_by", "R9999"),
        ("quote_lines", 2, "approved_by", "unknown rep code 'R9999'"),
    ),
]


@pytest.mark.parametrize(("label", "breaks", "expected"), BAD, ids=[b[0] for b in BAD])
def test_imp005_bad_rows_get_their_exact_error_and_change_nothing(files, engine, label, breaks, expected):
    assert run_import(engine, files, as_of=AS_OF, username="t").ok
    before = _digest(engine)
    breaks(files)
    report = run_import(engine, files, as_of=SNAPSHOT, username="t")
    assert not report.ok
    found = [(i.sheet, i.row, i.column, i.message) for i in report.issues]
    assert expected in found, found[:5]
    assert _digest(engine) == before


def test_imp006_broken_rules(files, engine):
    # won without a contract; level 6 not fully paid; stage history going back in time
    opp_rows = _read_csv(files / "opportunities.csv")
    h = opp_rows[0]
    won = next(r for r in opp_rows[1:] if r[h.index("status")] == "won" and r[h.index("level")] == "5")
    contracts = _read_csv(files / "contracts.csv")
    _write_csv(files / "contracts.csv", [c for c in contracts if c[1] != won[0]])
    payments = [
        p
        for p in _read_csv(files / "payments.csv")
        if p[0] in {c[0] for c in contracts if c[1] != won[0]} or p[0] == "contract_code"
    ]
    _write_csv(files / "payments.csv", payments)
    paid6 = next(r for r in opp_rows[1:] if r[h.index("level")] == "6")
    history = _read_csv(files / "stage_history.csv")
    mine = [r for r in history[1:] if r[0] == paid6[0]]
    top = max(mine, key=lambda r: int(r[1]))
    top[2] = "2000-01-01"
    _write_csv(files / "stage_history.csv", history)
    open_row = next(r for r in opp_rows[1:] if r[h.index("status")] == "open")
    open_row[h.index("level")] = "6"
    _write_csv(files / "opportunities.csv", opp_rows)
    report = run_import(engine, files, as_of=AS_OF, username="t")
    messages = [(i.sheet, i.column, i.message) for i in report.issues]
    assert ("opportunities", "status", "a won opportunity needs a contract (contracts sheet)") in messages
    assert ("opportunities", "level", "level 6 (cash collected) must be won") in messages
    assert any(
        m[0] == "stage_history" and f"{paid6[0]}: level 6 entered on 2000-01-01 before level" in m[2] for m in messages
    )
    assert _digest(engine) == _digest(engine)  # engine still answers
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Opportunity)) == 0
        assert s.scalar(select(ImportRun.status)) == "rejected"


def test_imp007_level6_needs_full_payment(files, engine):
    opp_rows = _read_csv(files / "opportunities.csv")
    h = opp_rows[0]
    paid6 = next(r for r in opp_rows[1:] if r[h.index("level")] == "6")
    contract = next(c for c in _read_csv(files / "contracts.csv")[1:] if c[1] == paid6[0])
    pays = _read_csv(files / "payments.csv")
    row = next(i for i, p in enumerate(pays) if p[0] == contract[0])
    pays[row][pays[0].index("paid_amount")] = "0"
    _write_csv(files / "payments.csv", pays)
    report = run_import(engine, files, as_of=AS_OF, username="t")
    assert any(
        i.message.startswith("level 6 needs the contract fully paid") and i.row and i.sheet == "opportunities"
        for i in report.issues
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "the file is empty"),
        ("fake.xlsx", b"this is not a workbook, only renamed", "not an Excel .xlsx workbook (BadZipFile)"),
        ("notes.txt", b"hello", "expected an .xlsx workbook, a .zip or folder of .csv files, or a .csv file"),
        ("fake.zip", b"PK\x03\x04broken", "not a readable .zip file"),
        ("latin.csv", b"\xff\xfe\x00\x00\x81\x30", "not readable as UTF-8 or GB18030 text"),
    ],
)
def test_imp008_unreadable_files(engine, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = _digest(engine)
    report = run_import(engine, path, as_of=AS_OF, username="t")
    assert [i.message for i in report.issues] == [message]
    assert _digest(engine) == before


def test_imp009_missing_and_unknown_sheets_and_columns(engine, tmp_path, files):
    folder = tmp_path / "odd"
    folder.mkdir()
    _write_csv(folder / "deals.csv", [["a", "b"], ["1", "2"]])
    report = run_import(engine, folder, as_of=AS_OF, username="t")
    assert [i.message for i in report.issues] == [
        "unknown sheet 'deals': expected one of reps, accounts, buying_power, contacts, opportunities, "
        "stage_history, quotas, contracts, payments, visits, events, event_attendees, training, bids, "
        "support_requests, price_list, quote_lines (or map it)"
    ]
    rows = _read_csv(files / "accounts.csv")
    i = rows[0].index("industry")
    _write_csv(
        files / "accounts.csv",
        [r[:i] + r[i + 1 :] + ["x"] for r in rows[:1]] + [r[:i] + r[i + 1 :] + ["x"] for r in rows[1:]],
    )
    rows = _read_csv(files / "accounts.csv")
    rows[0][-1] = "mystery"
    _write_csv(files / "accounts.csv", rows)
    report = run_import(engine, files, as_of=AS_OF, username="t")
    messages = [i.message for i in report.issues]
    assert "missing required column industry (行业)" in messages
    assert "unknown column 'mystery' (map it to a field)" in messages
    # a sheet referring to codes whose sheet is missing: unknown codes
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(files / "opportunities.csv", only / "opportunities.csv")
    report = run_import(engine, only, as_of=AS_OF, username="t")
    assert any(i.message.startswith("unknown account code") for i in report.issues)


def test_imp010_chinese_headers_and_gb18030(files, engine, tmp_path):
    from data_access.importer.schema import BY_NAME

    for sheet in BY_NAME.values():
        rows = _read_csv(files / f"{sheet.name}.csv")
        rows[0] = [sheet.column(h).zh for h in rows[0]]
        (files / f"{sheet.name}.csv").unlink()
        _write_csv(files / f"{sheet.zh}.csv", rows, encoding="gb18030")
    report = run_import(engine, files, as_of=AS_OF, username="t")
    assert report.ok, report.issues[:3]
    assert report.counts["opportunities"].created == 120


def test_imp011_column_mapping_by_file_and_remembered(files, engine, tmp_path):
    rows = _read_csv(files / "opportunities.csv")
    rows[0] = ["Deal ID" if h == "opp_code" else "Value" if h == "amount" else h for h in rows[0]]
    _write_csv(files / "deals.csv", rows)
    (files / "opportunities.csv").unlink()
    unmapped = run_import(engine, files, as_of=AS_OF, username="t")
    assert not unmapped.ok
    mapping = {"deals": {"sheet": "opportunities", "columns": {"Deal ID": "opp_code", "Value": "amount"}}}
    assert run_import(engine, files, as_of=AS_OF, username="t", mapping=mapping).ok
    with session_factory(engine)() as s:
        save_mapping(s, "opportunities", {"Deal ID": "opp_code", "Value": "amount"}, user_id=None)
        s.commit()
    remembered = run_import(engine, files, as_of=AS_OF, username="t", mapping={"deals": {"sheet": "opportunities"}})
    assert remembered.ok and remembered.counts["opportunities"].unchanged == 120


def test_imp012_template_imports_cleanly(engine, tmp_path):
    path = tmp_path / "template.xlsx"
    template(path)
    report = run_import(engine, path, as_of=AS_OF, username="t")
    assert report.ok, report.issues
    assert report.counts["opportunities"].created == 1
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book["opportunities"]
    assert ws["A1"].value == "opp_code (商机编号)"
    assert any('"open,won,lost"' in str(dv.formula1) for dv in ws.data_validations.dataValidation)


def test_imp013_cli_import_errors_exit_nonzero_with_report(files, databases, tmp_path):
    url = databases.new_url()
    _edit(files, "opportunities", "amount", "lots")
    env = {"DATABASE_URL": url}
    report = tmp_path / "errors.csv"
    result = run_cli("import", str(files), "--report", str(report), env=env)
    assert result.returncode == 1
    assert "opportunities:2:amount [lots]: amount is not an amount" in result.stderr
    assert "nothing written" in result.stderr
    assert _read_csv(report)[1] == [
        "opportunities",
        "2",
        "amount",
        "lots",
        "amount is not an amount (a number like 1234.50)",
    ]
    mapping = tmp_path / "m.json"
    mapping.write_text("[1, 2]")
    bad = run_cli("import", str(files), "--mapping", str(mapping), env=env)
    assert bad.returncode == 2 and "must be a JSON object" in bad.stderr


KILL_SCRIPT = """
import sys, time
from pathlib import Path
from datetime import date
from data_access.db import make_engine
from data_access.importer import engine as eng
def slow(msg, frac):
    print(msg, flush=True)
    if msg.startswith("writing visits"):
        time.sleep(60)  # the parent kills us here, mid-transaction
eng.run_import(make_engine(sys.argv[1]), Path(sys.argv[2]), as_of=date(2026, 11, 27), username="t", progress=slow)
"""


def test_imp014_an_import_killed_midway_leaves_the_database_as_it_was(small, databases):
    url = databases.new_url()
    from data_access.db import make_engine
    from data_access.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    before = _digest(engine)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, url, str(small)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        if line.startswith("writing visits") or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    engine.dispose()
    assert _digest(make_engine(url)) == before
    # its log row says running until someone sees its process is gone
    with session_factory(make_engine(url))() as s:
        assert s.scalars(select(ImportRun.status)).all() == ["running"]
    assert reap_interrupted(make_engine(url)) == 1
    with session_factory(make_engine(url))() as s:
        assert s.execute(select(ImportRun.status, ImportRun.message)).all() == [("failed", INTERRUPTED)]
    assert run_import(make_engine(url), small, as_of=AS_OF, username="t").ok  # and it is not left locked


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["opportunities", "accounts", "payments", "stage_history", "contracts", "quotas"]),
        st.integers(1, 12),
        st.integers(0, 14),
        st.one_of(
            st.text(max_size=8),
            st.sampled_from(["", "-1", "6", "won", "2026-02-30", "1e400", "NaN", "R0001", "A00001", "0"]),
        ),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_imp015_random_edits_never_crash_and_never_half_write(small, databases, tmp_path_factory, edits):
    folder = Path(shutil.copytree(small, tmp_path_factory.mktemp("fuzz") / "csv"))
    for sheet, row, col, value in edits:
        rows = _read_csv(folder / f"{sheet}.csv")
        if row < len(rows) and col < len(rows[0]):
            rows[row][col] = value
            _write_csv(folder / f"{sheet}.csv", rows)
    engine = databases.new_engine()
    assert run_import(engine, small, as_of=AS_OF, username="t").ok
    before = _digest(engine)
    report = run_import(engine, folder, as_of=SNAPSHOT, username="t")
    if report.ok:
        again = run_import(engine, folder, as_of=SNAPSHOT, username="t")
        assert again.ok and all(c.created == c.updated == 0 for c in again.counts.values())
    else:
        assert _digest(engine) == before
    engine.dispose()


def test_imp016_json_mapping_file_via_cli(files, databases, tmp_path):
    rows = _read_csv(files / "reps.csv")
    rows[0] = ["工号" if h == "rep_code" else h for h in rows[0]]
    _write_csv(files / "reps.csv", rows)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"reps": {"columns": {"工号": "rep_code"}}}), encoding="utf-8")
    env = {"DATABASE_URL": databases.new_url()}
    result = run_cli("import", str(files), "--mapping", str(mapping), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "imported: csv" in result.stdout


def test_imp020_an_import_that_changes_something_expires_cached_pages(files, engine):
    from data_access.settings import data_version

    def version() -> int:
        with session_factory(engine)() as session:
            return data_version(session)

    start = version()
    assert run_import(engine, files, as_of=AS_OF, username="t").ok
    assert version() == start + 1
    assert run_import(engine, files, as_of=AS_OF, username="t").ok  # nothing changed: nothing expires
    assert version() == start + 1


OPPS = "opp_code,account_code,owner_rep_code,name,amount,level,status,created_date,expected_close_date\n"


def test_imp021_two_imports_of_the_same_new_deal_at_once_run_one_after_the_other(new_engine, tmp_path):
    engine = new_engine()
    demo.generate(engine, opportunities=60, as_of=AS_OF)
    with session_factory(engine)() as s:
        account, owner = s.execute(
            select(Account.account_code, Rep.rep_code).join(Rep, Rep.id == Account.owner_rep_id).limit(1)
        ).one()
    paths = []
    for i, amount in enumerate(("1000", "2000")):
        path = tmp_path / f"week{i}" / "opportunities.csv"
        path.parent.mkdir()
        path.write_text(OPPS + f"OPX000021,{account},{owner},同一个新项目,{amount},1,open,2026-11-01,2027-03-01\n")
        paths.append(path)
    start = threading.Barrier(2)
    reports: dict[int, Any] = {}

    def work(i: int) -> None:
        start.wait()
        reports[i] = run_import(engine, paths[i], as_of=AS_OF, username=f"t{i}")

    threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(reports) == [0, 1]
    outcomes = []
    for report in reports.values():
        said = " ".join([report.failed or ""] + [i.message for i in report.issues])
        assert "IntegrityError" not in said and "INSERT" not in said and "UNIQUE" not in said.upper(), said
        assert report.failed is None or report.failed == "another import is running, try again in a minute"
        outcomes.append("done" if report.ok else "refused")
        if report.ok:
            counts = report.counts["opportunities"]
            outcomes[-1] += f" created {counts.created} updated {counts.updated}"
    outcomes.remove("done created 1 updated 0")  # one created it; the other waited, then updated it
    assert outcomes[0] in ("done created 0 updated 1", "refused")
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.opp_code == "OPX000021")) == 1
        runs = s.execute(select(ImportRun.username, ImportRun.status).order_by(ImportRun.username)).all()
    assert [r[0] for r in runs] == ["t0", "t1"]  # both are in the import log, neither left running
    assert {r[1] for r in runs} <= {"done", "rejected", "failed"}


def test_imp022_an_unexpected_error_is_logged_with_an_id_and_shown_without_details(files, engine, caplog):
    before = _digest(engine)

    def breaks(message: str, _fraction: float) -> None:
        if message.startswith("writing visits"):
            raise RuntimeError("INSERT INTO visits (rep_id) VALUES (?) [parameters: (42,)]")

    with caplog.at_level(logging.ERROR, logger="salesradar"):
        report = run_import(engine, files, as_of=AS_OF, username="t", progress=breaks)
    assert report.failed is not None and not report.ok
    match = re.fullmatch(r"an unexpected error \(error id ([0-9a-f]{8})\)", report.failed)
    assert match, report.failed
    assert _digest(engine) == before  # rolled back
    with session_factory(engine)() as s:
        assert s.execute(select(ImportRun.status, ImportRun.message)).all() == [("failed", report.failed)]
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "INSERT INTO visits" in str(logged[0].exc_info[1])  # the details: in the server log only


def test_imp023_reap_marks_running_rows_of_dead_processes_failed(engine):
    host = socket.gethostname()
    dead = 2**22 + 12345  # above Linux's largest pid: no process has it

    def run(name: str, on: str, pid: int) -> ImportRun:
        return ImportRun(
            username=name,
            started_at=datetime(2026, 11, 27, 9, 0),
            file_name="week.xlsx",
            as_of=AS_OF,
            status="running",
            counts={},
            issue_count=0,
            host=on,
            pid=pid,
        )

    with session_factory(engine)() as s:
        s.add_all([run("killed", host, dead), run("alive", host, os.getpid()), run("elsewhere", "other-host", dead)])
        s.commit()
    assert reap_interrupted(engine) == 1
    with session_factory(engine)() as s:
        rows = s.execute(select(ImportRun.username, ImportRun.status, ImportRun.message).order_by(ImportRun.id)).all()
    assert [tuple(r) for r in rows] == [
        ("killed", "failed", "interrupted (the server stopped while importing)"),
        ("alive", "running", None),
        ("elsewhere", "running", None),
    ]
    assert reap_interrupted(engine) == 0
