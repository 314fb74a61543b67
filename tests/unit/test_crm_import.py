"""Imports from a CRM's own export (issue 22): the sample exports under tests/data/crm, written from each CRM's
documented column names (no real data), imported end to end through the real importer on both databases.

Every expected value is read off the sample files by eye (they are short) or computed by pandas from the file
itself, never by the converter.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from data_access.importer.crm import DEFAULT_STAGES, CrmSource, parse_stage_map, save_stage_map, stage_map
from data_access.importer.engine import run_import
from data_access.scope import Scope
from data_access.users import create_user
from tests.builders import Seed
from tests.conftest import url_of

DATA = Path(__file__).resolve().parents[1] / "data" / "crm"
AS_OF = date(2018, 1, 15)


def _import(engine: Engine, name: str, source: str, *, stages: dict[str, str] | None = None, **kw):
    crm = CrmSource(source, stages if stages is not None else DEFAULT_STAGES[source])
    return run_import(engine, DATA / name, as_of=kw.pop("as_of", AS_OF), username="test", crm=crm, **kw)


def _cell(value: object) -> object:
    """SQLite answers a raw select's dates as text: both databases as dates here."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value)
    return value


def _rows(engine: Engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(_cell(v) for v in r) for r in conn.execute(text(sql), params)]


def test_crm001_salesforce_report_export(engine: Engine):
    report = _import(engine, "salesforce-opportunities.csv", "salesforce")
    assert report.ok, report.issues
    assert {s: c.created for s, c in report.counts.items()} == {
        "reps": 3,
        "accounts": 4,
        "opportunities": 8,
        "stage_history": 8,
        "contracts": 2,
    }
    assert report.derived is not None and report.derived["contracts"] == 2 and report.derived["reps"] == 3
    # the two Closed Won rows: a contract at the amount, signed on the close date, margin unknown, marked derived
    assert _rows(
        engine,
        "SELECT o.opp_code, c.amount, c.signed_date, c.gross_margin, c.origin, o.level, o.status, o.closed_date "
        "FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id ORDER BY o.opp_code",
    ) == [
        ("SF-0065g00000AbCdE001", 1_200_000, date(2017, 3, 15), None, "crm_export", 5, "won", date(2017, 3, 15)),
        ("SF-0065g00000AbCdE006", 800_000, date(2017, 8, 31), None, "crm_export", 5, "won", date(2017, 8, 31)),
    ]
    # the won step on the close date is its stage history (the level it had before is unknown)
    assert _rows(
        engine,
        "SELECT h.level, h.entered_date FROM stage_history h JOIN opportunities o ON o.id = h.opportunity_id "
        "WHERE o.opp_code = 'SF-0065g00000AbCdE001'",
    ) == [(5, date(2017, 3, 15))]
    # open deals: the stage's level, the close date as the expected close, created by its row
    assert _rows(
        engine,
        "SELECT level, status, amount, expected_close_date, created_date, closed_date FROM opportunities "
        "WHERE opp_code IN ('SF-0065g00000AbCdE003', 'SF-0065g00000AbCdE005', 'SF-0065g00000AbCdE008') "
        "ORDER BY opp_code",
    ) == [
        (4, "open", 2_500_000, date(2017, 12, 20), date(2017, 6, 2), None),
        (1, "open", 180_000, date(2018, 2, 28), date(2017, 9, 1), None),
        (1, "lost", 950_000, date(2017, 6, 30), date(2017, 1, 3), date(2017, 6, 30)),
    ]
    # reps and accounts from the names, what the export cannot know is unknown, never made up
    assert _rows(engine, "SELECT name, region, role FROM reps ORDER BY name") == [
        ("Li Lei", "unknown", "rep"),
        ("Wang Fang", "unknown", "rep"),
        ("Zhao Min", "unknown", "rep"),
    ]
    assert _rows(engine, "SELECT DISTINCT t.name FROM teams t JOIN reps r ON r.team_id = t.id") == [("Salesforce",)]
    assert _rows(engine, "SELECT count(*) FROM accounts WHERE industry = 'unknown' AND region = 'unknown'") == [(4,)]
    assert _rows(engine, "SELECT count(*) FROM buying_power UNION ALL SELECT count(*) FROM payments") == [(0,), (0,)]
    # the accounts' owner: the rep of their first deal in the file
    assert _rows(
        engine,
        "SELECT a.name, r.name FROM accounts a JOIN reps r ON r.id = a.owner_rep_id ORDER BY a.name",
    ) == [
        ("Beihai Power Grid", "Li Lei"),
        ("Donghai Bank", "Wang Fang"),
        ("Huaxin Logistics", "Wang Fang"),
        ("Qingshan University", "Zhao Min"),
    ]


def test_crm002_hubspot_export_with_datetimes_and_ids(engine: Engine):
    report = _import(engine, "hubspot-deals.csv", "hubspot")
    assert report.ok, report.issues
    assert _rows(
        engine,
        "SELECT opp_code, level, status, amount, created_date, expected_close_date FROM opportunities "
        "ORDER BY opp_code",
    ) == [
        ("HS-9001", 5, "won", 420_000, date(2017, 2, 1), date(2017, 5, 18)),
        ("HS-9002", 5, "open", 260_000, date(2017, 8, 21), date(2017, 12, 15)),  # Contract Sent: level 5, open
        ("HS-9003", 2, "open", 3_100_000, date(2017, 10, 2), date(2018, 3, 31)),
        ("HS-9004", 1, "lost", 540_000, date(2017, 3, 11), date(2017, 7, 7)),
        ("HS-9005", 1, "open", 150_000, date(2017, 11, 20), date(2018, 1, 31)),
        ("HS-9006", 5, "won", 780_000, date(2017, 4, 4), date(2017, 9, 29)),
    ]
    assert _rows(engine, "SELECT sum(amount), count(*) FROM contracts WHERE origin = 'crm_export'") == [(1_200_000, 2)]


def test_crm003_odoo_export_lost_deals_are_archived_in_their_stage(engine: Engine):
    report = _import(engine, "odoo-crm-leads.csv", "odoo")
    assert report.ok, report.issues
    rows = _rows(
        engine,
        "SELECT o.name, o.level, o.status, o.closed_date, o.expected_close_date, o.loss_reason, t.name "
        "FROM opportunities o JOIN reps r ON r.id = o.owner_rep_id JOIN teams t ON t.id = r.team_id ORDER BY o.name",
    )
    assert rows == [
        # Active False in the stage Proposition (level 4): lost there, on its Closed Date, with its Lost Reason
        ("Billing system", 4, "lost", date(2017, 7, 28), date(2017, 8, 31), "Too expensive", "East China"),
        ("Call recording", 1, "open", None, date(2018, 1, 15), None, "East China"),
        ("Campus network", 5, "won", date(2017, 4, 21), date(2017, 4, 30), None, "East China"),
        ("Plant automation", 4, "open", None, date(2017, 12, 31), None, "East China"),
        ("Remote sites", 3, "open", None, date(2018, 2, 28), None, "East China"),
    ]


def test_crm004_generic_deals_file_in_one_step(engine: Engine):
    report = _import(engine, "generic-deals-2017.csv", "generic")
    assert report.ok, report.issues[:5]
    raw = pd.read_csv(DATA / "generic-deals-2017.csv", dtype=str, keep_default_na=False)
    assert report.counts["opportunities"].created == len(raw)
    open_without_close = raw[raw["deal_stage"].isin(["Engaging", "Prospecting"]) & (raw["close_date"] == "")]
    assert report.derived is not None
    assert report.derived["close_dates"] == len(open_without_close)
    assert report.derived["no_amount"] == int((raw["close_value"] == "").sum())
    assert report.derived["no_account"] == int((raw["account"] == "").sum())
    assert report.derived["reps"] == raw["sales_agent"].nunique()


def test_crm005_importing_the_same_export_again_changes_nothing_and_a_later_one_moves_deals(engine: Engine, tmp_path):
    assert _import(engine, "salesforce-opportunities.csv", "salesforce").ok
    again = _import(engine, "salesforce-opportunities.csv", "salesforce")
    assert again.ok and all(c.created == 0 and c.updated == 0 for c in again.counts.values()), again.counts
    # next month's export: deal 003 is won on 12/20/2017 (it was Negotiation/Review, level 4, created 6/2)
    later = (
        (DATA / "salesforce-opportunities.csv")
        .read_text()
        .replace(
            "Data centre cooling,Beihai Power Grid,Li Lei,Negotiation/Review",
            "Data centre cooling,Beihai Power Grid,Li Lei,Closed Won",
        )
    )
    path = tmp_path / "salesforce-opportunities.csv"
    path.write_text(later)
    report = run_import(
        engine,
        path,
        as_of=date(2018, 1, 31),
        username="test",
        crm=CrmSource("salesforce", DEFAULT_STAGES["salesforce"]),
    )
    assert report.ok, report.issues
    assert report.counts["reps"].created == 0 if "reps" in report.counts else True  # no sheet: nothing new
    assert _rows(
        engine,
        "SELECT h.level, h.entered_date FROM stage_history h JOIN opportunities o ON o.id = h.opportunity_id "
        "WHERE o.opp_code = 'SF-0065g00000AbCdE003' ORDER BY h.level",
    ) == [(4, date(2017, 6, 2)), (5, date(2017, 12, 20))]
    assert _rows(engine, "SELECT count(*), sum(amount) FROM contracts") == [(3, 4_500_000)]


def test_crm006_a_stage_not_in_the_map_is_a_problem_and_a_users_map_fixes_it(engine: Engine, session: Session):
    stages = {k: v for k, v in DEFAULT_STAGES["salesforce"].items() if k != "Perception Analysis"}
    stages.pop("Value Proposition")
    report = _import(engine, "salesforce-opportunities.csv", "salesforce", stages=stages)
    assert not report.ok
    assert [(i.row, i.column, i.value) for i in report.issues] == [(8, "stage", "Value Proposition")]
    assert _rows(engine, "SELECT count(*) FROM opportunities") == [(0,)]
    user = create_user(session, "mgr", "long-enough-password", "director")
    session.commit()
    save_stage_map(session, "salesforce", {"value proposition": "2"}, user.id)
    session.commit()
    mine = stage_map(session, "salesforce", user.id)
    assert mine["value proposition"] == "2" and "Value Proposition" not in mine
    assert stage_map(session, "salesforce", None) == DEFAULT_STAGES["salesforce"]  # nobody else's changes
    assert _import(engine, "salesforce-opportunities.csv", "salesforce", stages=mine).ok
    assert _rows(engine, "SELECT level FROM opportunities WHERE opp_code = 'SF-0065g00000AbCdE007'") == [(2,)]


def test_crm007_a_managers_export_stays_inside_the_team(engine: Engine, session: Session):
    seed = Seed(session)
    east, west = seed.team("East China"), seed.team("West")
    manager = seed.rep("M001", east, role="manager")
    seed.rep("W001", west, name="Wang Fang")
    session.commit()
    report = _import(engine, "odoo-crm-leads.csv", "odoo", scope=Scope.team(east.id))
    assert report.ok, report.issues
    assert _rows(
        engine, "SELECT DISTINCT t.name FROM reps r JOIN teams t ON t.id = r.team_id WHERE r.rep_code LIKE 'ODOO-%'"
    ) == [("East China",)]
    # a Salesforce export of another team's stored deal owner: the deal is the manager's team's only if its rep is
    seed.rep("SF-R-7EECAC4FAA", west, name="Wang Fang")  # the code the converter gives "Wang Fang"
    session.commit()
    refused = _import(engine, "salesforce-opportunities.csv", "salesforce", scope=Scope.team(east.id))
    assert not refused.ok
    assert any("another team" in i.message or "outside your team" in i.message for i in refused.issues), refused.issues
    assert _rows(engine, "SELECT count(*) FROM opportunities WHERE opp_code LIKE 'SF-%'") == [(0,)]
    assert manager.id


def test_crm008_hostile_and_broken_exports(engine: Engine, tmp_path):
    crm = CrmSource("hubspot", DEFAULT_STAGES["hubspot"])

    def run(name: str, content: bytes) -> list[str]:
        path = tmp_path / name
        path.write_bytes(content)
        report = run_import(engine, path, as_of=AS_OF, username="test", crm=crm)
        assert not report.ok
        return [i.message for i in report.issues]

    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a.csv", (DATA / "hubspot-deals.csv").read_text())
        z.writestr("b.csv", (DATA / "hubspot-deals.csv").read_text())
    assert run("two.zip", two.getvalue()) == ["a CRM export is one table (one CSV file or one sheet)"]
    assert "missing column(s) of a hubspot export: stage" in run("x.csv", b"Deal Name,Create Date\nA,2017-01-01\n")[0]
    bad = (
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Associated Company\n"
        "1,\x00evil,Closed Won,100,,2017-01-01,A,B\n"  # a control character, a won deal without its close date
        "2,ok,Closed Won,-5,2017-02-01,2017-01-01,A,B\n"  # a negative amount
        "3,ok,Appointment Scheduled,1e999,2017-12-01,yesterday,A,B\n"  # no amount, no date
    )
    messages = run("bad.csv", bad.encode())
    assert any("control character" in m for m in messages), messages
    assert any("a won deal needs its close date" in m for m in messages), messages
    assert any("negative" in m for m in messages), messages
    assert any("date" in m for m in messages), messages
    assert _rows(engine, "SELECT count(*) FROM opportunities UNION ALL SELECT count(*) FROM reps") == [(0,), (0,)]


def test_crm009_stage_map_lines():
    stages, problems = parse_stage_map("Prospecting = 1\nClosed Won = won\n\nNegotiation/Review=5\nbad line\nX = 6\n")
    assert stages == {"Prospecting": "1", "Closed Won": "won", "Negotiation/Review": "5"}
    assert problems == [
        "line 5: 'bad line' is not 'stage = 1-5, won or lost'",
        "line 6: 'X = 6' is not 'stage = 1-5, won or lost'",
    ]
    assert parse_stage_map("a\x00b = 1")[0] == {}
    assert len(parse_stage_map("\n".join(f"s{i} = 1" for i in range(5_000)))[0]) == 500  # a huge box: 500 lines read


def test_crm010_a_native_contract_still_needs_its_margin(engine: Engine, tmp_path):
    folder = tmp_path / "native"
    folder.mkdir()
    (folder / "contracts.csv").write_text("contract_code,opp_code,signed_date,amount\nC1,O1,2017-01-01,100\n")
    report = run_import(engine, folder, as_of=AS_OF, username="test")
    assert any(
        i.column == "gross_margin" and "only a contract derived from a CRM export" in i.message for i in report.issues
    )


# --- done when: 2017 in the pages and the API equals pandas over the same file -----------------------------------

WORKER = """
import json, re, sys
from datetime import date
from pathlib import Path
from typing import Any
from sqlalchemy.orm import Session
from app import create_app
from config import Config
from data_access.db import make_engine
from data_access.users import create_user
from tests.dash_http import find, render_page, text_of, walk

url, instance, queries = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
engine = make_engine(url)
with Session(engine) as s:
    create_user(s, "boss", "a-long-password-1", "director")
    s.commit()
app = create_app(Config(database_url=url, instance_path=instance, default_database=False, as_of=date(2018, 1, 15),
                        default_lang="en"))
c = app.server.test_client()
csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
form = {"username": "boss", "password": "a-long-password-1", "csrf": csrf, "next": "/"}
assert c.post("/login", data=form).status_code == 302
out = {"api": {}, "pages": {}}
for q in queries["api"]:
    r = c.get(q)
    out["api"][q] = [r.status_code, r.get_json()]
for path, search in queries["pages"]:
    tree = render_page(c, path, search)
    texts = {}
    for node in walk(tree):
        cid = node.get("props", {}).get("id")
        if isinstance(cid, str) and cid in queries["ids"]:
            texts[cid] = text_of(node)
        if isinstance(cid, str) and cid == "filter-year":
            texts["years"] = [o["value"] for o in node["props"].get("options", [])]
            texts["year"] = node["props"].get("value")
    out["pages"][path + search] = texts
print(json.dumps(out))
"""


def _cny(amount: float) -> str:
    """An amount as the English pages write it, short (the page's own formatter is not asked)."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= limit:
            return f"¥{amount / limit:,.2f}{suffix}"
    return f"¥{amount:,.0f}"


@pytest.fixture(scope="module")
def history_2017(databases, tmp_path_factory):
    """The generic 2017 export imported in one step by the CLI into a fresh database, then the pages and the
    API asked for 2017 as a director, in a process of its own (the app is one per process)."""
    engine = databases.new_engine()
    instance = tmp_path_factory.mktemp("crm-instance")
    env = {"DATABASE_URL": url_of(engine), "SALESRADAR_INSTANCE": str(instance), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "import",
            str(DATA / "generic-deals-2017.csv"),
            "--from",
            "generic",
            "--as-of",
            "2018-01-15",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    raw = pd.read_csv(DATA / "generic-deals-2017.csv", dtype=str, keep_default_na=False)
    products = sorted(raw["product"].unique())
    api = [
        "/api/v1/winloss?year=2017",
        "/api/v1/winloss?year=2017&quarter=2",
        *[f"/api/v1/winloss?year=2017&product={p.replace(' ', '%20')}" for p in products],
        "/api/v1/winloss?year=2017&rad=none&segment=product_line",
        "/api/v1/winloss?year=2017&rad=R",
        "/api/v1/funnel?year=2017",
        f"/api/v1/funnel?year=2017&product={products[0].replace(' ', '%20')}",
        "/api/v1/funnel?year=2017&rad=none",
        "/api/v1/winloss",
    ]
    pages = [
        ["/winloss", "?period=2017"],
        ["/funnel", "?period=2017"],
        ["/winloss", ""],
        ["/winloss", f"?period=2017&product={products[1].replace(' ', '+')}"],
    ]
    ids = [
        "kpi-wl-win-rate-value",
        "kpi-wl-win-rate-sub",
        "kpi-open-pipeline-value",
        "kpi-weighted-pipeline-value",
        "kpi-win-rate-value",
    ]
    payload = json.dumps({"api": api, "pages": pages, "ids": ids})
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, url_of(engine), str(instance), payload],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=600,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    engine.dispose()
    return raw, products, json.loads(worker.stdout.strip().splitlines()[-1])


def _closed_2017(raw: pd.DataFrame, quarter: int | None = None, product: str | None = None) -> pd.DataFrame:
    closed = raw[raw["deal_stage"].isin(["Won", "Lost"])].copy()
    closed["close"] = pd.to_datetime(closed["close_date"])
    closed = closed[closed["close"].dt.year == 2017]
    if quarter:
        closed = closed[closed["close"].dt.quarter == quarter]
    if product:
        closed = closed[closed["product"] == product]
    closed["value"] = pd.to_numeric(closed["close_value"])
    return closed


def _winloss_of(closed: pd.DataFrame) -> dict[str, Any]:
    won, lost = closed[closed["deal_stage"] == "Won"], closed[closed["deal_stage"] == "Lost"]
    n = len(won) + len(lost)
    value = won["value"].sum() + lost["value"].sum()
    return {
        "won": len(won),
        "lost": len(lost),
        "win_rate": round(len(won) / n, 6) if n else None,
        "win_rate_amount": round(won["value"].sum() / value, 6) if value else None,
    }


def test_crm101_winloss_api_for_2017_equals_pandas(history_2017):
    raw, products, out = history_2017
    for q, quarter, product in [
        ("/api/v1/winloss?year=2017", None, None),
        ("/api/v1/winloss?year=2017&quarter=2", 2, None),
        *[(f"/api/v1/winloss?year=2017&product={p.replace(' ', '%20')}", None, p) for p in products],
    ]:
        status, body = out["api"][q]
        assert status == 200, body
        want = _winloss_of(_closed_2017(raw, quarter, product))
        got = {k: body[k] for k in ("won", "lost", "win_rate", "win_rate_amount")}
        assert got == pytest.approx(want, abs=1e-6), q
    # no account of a CRM export has a BP: every deal is of the class "unknown", none is R
    status, unknown = out["api"]["/api/v1/winloss?year=2017&rad=none&segment=product_line"]
    assert status == 200 and (unknown["won"], unknown["lost"]) == (
        _winloss_of(_closed_2017(raw))["won"],
        _winloss_of(_closed_2017(raw))["lost"],
    )
    by_product = {r["key"]: (r["won"], r["lost"]) for r in unknown["by_segment"]}
    closed = _closed_2017(raw)
    assert by_product == {
        p: (
            int(((closed["product"] == p) & (closed["deal_stage"] == "Won")).sum()),
            int(((closed["product"] == p) & (closed["deal_stage"] == "Lost")).sum()),
        )
        for p in closed["product"].unique()
    }
    status, r_class = out["api"]["/api/v1/winloss?year=2017&rad=R"]
    assert status == 200 and (r_class["won"], r_class["lost"]) == (0, 0)
    # without a year the API answers the default year: 2018 holds open deals due (the as-of year), so 2018
    status, default = out["api"]["/api/v1/winloss"]
    assert status == 200 and default["year"] == 2018


def test_crm102_funnel_api_for_2017_equals_pandas(history_2017):
    raw, products, out = history_2017
    p_level = {1: 0.10, 2: 0.25}
    for q, product in [
        ("/api/v1/funnel?year=2017", None),
        (f"/api/v1/funnel?year=2017&product={products[0].replace(' ', '%20')}", products[0]),
        ("/api/v1/funnel?year=2017&rad=none", None),
    ]:
        status, body = out["api"][q]
        assert status == 200, body
        deals = raw[raw["deal_stage"].isin(["Prospecting", "Engaging"])].copy()
        if product:
            deals = deals[deals["product"] == product]
        deals["level"] = deals["deal_stage"].map({"Prospecting": 1, "Engaging": 2})
        deals["value"] = pd.to_numeric(deals["close_value"].replace("", "0"))
        levels = {
            int(lv): (len(g), float(g["value"].sum()), float(g["value"].sum() * p_level[int(lv)]))
            for lv, g in deals.groupby("level")
        }
        got = {r["level"]: (r["count"], r["amount"], r["weighted"]) for r in body["levels"] if r["count"]}
        assert sorted(got) == sorted(levels), q
        for level, (n, amount, weighted) in levels.items():
            assert got[level][0] == n and got[level][1:] == pytest.approx((amount, weighted)), (q, level)
        assert body["open_amount"] == pytest.approx(deals["value"].sum())
        # every account's class is unknown (no BP): the class rows' pipeline due is all in "unknown"
        due = deals[pd.to_datetime(deals["engage_date"]) + pd.Timedelta(days=90) <= "2017-12-31"]
        by_class = {c["rad_class"]: c["pipeline_due"] for c in body["by_class"]}
        assert by_class.get(None, 0) == pytest.approx(float(due["value"].sum()))
        assert all(v == 0 for k, v in by_class.items() if k is not None)


def test_crm103_the_pages_show_2017_and_its_numbers(history_2017):
    raw, products, out = history_2017
    closed = _winloss_of(_closed_2017(raw))
    page = out["pages"]["/winloss?period=2017"]
    assert page["year"] == 2017
    assert page["years"] == [2018, 2017, 2016]  # the years that hold data, newest first (2018: open deals due)
    assert page["kpi-wl-win-rate-value"] == f"{closed['win_rate'] * 100:.1f}%"
    assert page["kpi-wl-win-rate-sub"] == f"{closed['won']} won / {closed['lost']} lost"
    funnel = out["pages"]["/funnel?period=2017"]
    deals = raw[raw["deal_stage"].isin(["Prospecting", "Engaging"])]
    amounts = pd.to_numeric(deals["close_value"].replace("", "0"))
    weights = deals["deal_stage"].map({"Prospecting": 0.10, "Engaging": 0.25})
    assert funnel["kpi-open-pipeline-value"] == _cny(float(amounts.sum()))
    assert funnel["kpi-weighted-pipeline-value"] == _cny(float((amounts * weights).sum()))
    assert funnel["kpi-win-rate-value"] == f"{closed['win_rate'] * 100:.1f}%"
    one = _winloss_of(_closed_2017(raw, product=products[1]))
    filtered = out["pages"][f"/winloss?period=2017&product={products[1].replace(' ', '+')}"]
    assert filtered["kpi-wl-win-rate-sub"] == f"{one['won']} won / {one['lost']} lost"
    # no period: the default year (the as-of year 2018 holds data: open deals due in it)
    assert out["pages"]["/winloss"]["year"] == 2018


def test_crm011_a_huge_export_is_refused_by_the_same_limits(engine: Engine, tmp_path):
    from config import Limits

    rows = "\n".join(f"{i},Deal {i},Closed Won,100,2017-05-18,2017-02-01,Owner,Company" for i in range(12))
    path = tmp_path / "big.csv"
    header = "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Associated Company\n"
    path.write_text(header + rows)
    report = run_import(
        engine,
        path,
        as_of=AS_OF,
        username="test",
        crm=CrmSource("hubspot", DEFAULT_STAGES["hubspot"]),
        limits=Limits(max_rows_per_sheet=10),
    )
    assert report.too_large and "more than 10 rows" in report.issues[0].message
    assert _rows(engine, "SELECT count(*) FROM opportunities") == [(0,)]


def test_crm012_a_deal_won_before_a_stage_stored_since_is_won_as_of_the_import(engine: Engine, tmp_path):
    """Deal 9002 was at Qualified To Buy (2) in the export imported as of 2017-12-01 and at Presentation Scheduled
    (3) in the one as of 2017-12-20; this week's says Closed Won on 2017-12-15 (the CRM was updated late). The won
    step cannot go before the stored 2017-12-20 entry: it is dated by this import's as-of day, nothing is refused,
    and the contract is still signed on the close date."""
    first = (DATA / "hubspot-deals.csv").read_text()
    path = tmp_path / "hubspot-deals.csv"
    crm = CrmSource("hubspot", DEFAULT_STAGES["hubspot"])
    for stage, as_of in (("Qualified To Buy", date(2017, 12, 1)), ("Presentation Scheduled", date(2017, 12, 20))):
        path.write_text(first.replace("9002,Managed firewall,Contract Sent", f"9002,Managed firewall,{stage}"))
        assert run_import(engine, path, as_of=as_of, username="t", crm=crm).ok
    path.write_text(first.replace("9002,Managed firewall,Contract Sent", "9002,Managed firewall,Closed Won"))
    report = run_import(engine, path, as_of=date(2017, 12, 27), username="t", crm=crm)
    assert report.ok, report.issues
    assert report.derived is not None and report.derived["won_as_of"] == 1
    assert _rows(
        engine,
        "SELECT h.level, h.entered_date FROM stage_history h JOIN opportunities o ON o.id = h.opportunity_id "
        "WHERE o.opp_code = 'HS-9002' ORDER BY h.level",
    ) == [(2, date(2017, 8, 21)), (3, date(2017, 12, 20)), (5, date(2017, 12, 27))]
    assert _rows(
        engine,
        "SELECT c.signed_date, o.closed_date, o.status FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id"
        " WHERE o.opp_code = 'HS-9002'",
    ) == [(date(2017, 12, 15), date(2017, 12, 15), "won")]
