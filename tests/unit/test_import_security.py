"""Issue 17, imports: a manager stays inside their team, remembered mappings are per user, no NUL in a cell.

The attacks are posted over HTTP as a browser (or a script) would post them on /import, on the shared demo
database: previews are dry runs and refused imports write nothing, so the numbers other tests read stay as
they are. What must really be written goes into a fresh database through ``run_import``.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from data_access import demo
from data_access.db import session_factory
from data_access.importer.engine import run_import
from data_access.importer.reader import Issue
from data_access.models import Account, ImportMapping, ImportRun, Opportunity, Rep
from data_access.scope import Scope
from tests.conftest import AS_OF, url_of
from tests.dash_http import _spec_id, call_callback, confirm_import, find, text_of
from tests.unit.test_cli import run_cli
from tests.unit.test_demo import _digest

REPS = "rep_code,name,team,region,role,manager_code,email,hire_date\n"
OPPS = (
    "opp_code,account_code,owner_rep_code,name,amount,level,status,created_date,expected_close_date,"
    "product_line,gross_margin,closed_date,loss_reason,win_reason,competitor\n"
)
VISITS = "rep_code,account_code,visit_date,kind,status,opp_code\n"
# an open deal of team 1 (华北大客户部, manager M001) exactly as the demo data holds it
OP36 = "OP0000036,A00120,R0002,北京天成证券信息安全项目,350100,3,open,2026-08-17,2027-01-06,信息安全,92739.23,,,,\n"


def _as_stored(engine: Any, code: str) -> str:
    """The opportunity's CSV line as the shared demo database holds it now (another test, a browser test's
    weekly import, may have moved it): importing it changes nothing, whatever ran before."""
    from data_access.importer.export import rows
    from data_access.importer.schema import BY_NAME

    with session_factory(engine)() as s:
        row = next(r for r in rows(s, BY_NAME["opportunities"]) if r[0] == code)
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(
        ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row]
    )
    return line.getvalue()


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


def _map_col_state(client: Any) -> str:
    """The key ``call_callback`` reads the mapping form's pattern-matching state by."""
    deps = client.get("/_dash-dependencies").get_json()
    spec = next(d for d in deps if "import-store.data" in d["output"])
    return next(str(_spec_id(s["id"])) for s in spec["state"] if "import-map-col" in s["id"])


def _apply(client: Any, store: dict[str, Any], columns: dict[tuple[str, str], str], remember: Any) -> dict[str, Any]:
    """Post the mapping form as the browser does: one dropdown per (tab, header), the remember control."""
    ids = [{"header": header, "tab": tab, "type": "import-map-col"} for tab, header in columns]
    values = [{"id": i, "property": "value", "value": field} for i, field in zip(ids, columns.values(), strict=True)]
    id_values = [{"id": i, "property": "id", "value": i} for i in ids]
    response = call_callback(
        client,
        "import-store.data",
        {
            ("import-apply-mapping", "n_clicks"): 1,
            ("import-store", "data"): store,
            ("import-as-of", "date"): "2026-11-27",
            (_map_col_state(client), "value"): values,
            (_map_col_state(client), "id"): id_values,
            ("import-remember", "value"): remember,
        },
        changed=["import-apply-mapping.n_clicks"],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body: dict[str, Any] = response.get_json()["response"]
    return body


def _preview_text(body: dict[str, Any]) -> str:
    return text_of(body["import-preview"]["children"])


# --------------------------------------------------------------------------------------------------
# finding 1: a manager's import stays inside their team


def test_isec001_manager_cannot_move_themselves_into_another_team(manager, demo_session):
    row = "M001,彭鹏英,华东大客户部,华东,manager,D001,m001@hualuo.example,2021-01-30\n"
    body = _upload(manager, {"reps.csv": REPS + row})
    assert body["import-confirm"]["disabled"] is True
    assert "outside your team: only a director moves a rep to another team (M001 is in 华北大客户部)" in _preview_text(
        body
    )
    # confirming anyway (the callback is a public endpoint): validated again, refused, nothing written
    result = confirm_import(manager, body["import-store"]["data"])
    assert "1 problem(s): nothing will be written" in text_of(result["import-result"]["children"])
    team = demo_session.execute(
        text("SELECT t.name FROM reps r JOIN teams t ON t.id = r.team_id WHERE r.rep_code = 'M001'")
    ).scalar_one()
    assert team == "华北大客户部"
    assert manager.get("/api/v1/funnel?team=2").status_code == 403
    assert manager.get("/api/v1/funnel?team=1").status_code == 200


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "M001,彭鹏英,华北大客户部,华北,director,D001,m001@hualuo.example,2021-01-30\n",
            "not yours to change: only a director changes a role (M001 is manager)",
        ),
        (
            "R0001,高建,华北大客户部,华北,rep,M002,r0001@hualuo.example,2019-10-28\n",
            "not yours to change: only a director changes who manages R0001 (M001)",
        ),
        # isec003: the reps a manager adds join the manager's team, as reps
        (
            "R9001,新人甲,华东大客户部,华东,rep,M001,r9001@x.example,2026-11-01\n",
            "outside your team: a rep you add joins your team (华北大客户部)",
        ),
        (
            "R9002,新人乙,华北大客户部,华北,director,,r9002@x.example,2026-11-01\n",
            "not yours to change: a manager adds people with the role rep",
        ),
        (
            "R9003,新人丙,华北大客户部,华北,rep,M002,r9003@x.example,2026-11-01\n",
            "outside your team: a rep you add is managed by someone of your team",
        ),
    ],
)
def test_isec002_manager_cannot_change_a_role_or_a_manager_and_adds_reps_to_the_team_only(manager, row, message):
    _refused(manager, {"reps.csv": REPS + row}, message)


def _refused(client, files: dict[str, str], message: str) -> None:
    """The preview refuses the upload (nothing can be confirmed) and names why."""
    body = _upload(client, files)
    assert body["import-confirm"]["disabled"] is True
    assert message in _preview_text(body), _preview_text(body)[:400]


def test_isec004_deals_and_visits_must_be_on_the_teams_accounts(manager):
    # R0002 is of team 1; A00001 is an account of team 2 (owner R0009); OP0000001 a deal of team 2
    deal = "OPX000001,A00001,R0002,借道项目,1000,1,open,2026-11-01,2027-03-01,,,,,,\n"
    body = _upload(manager, {"opportunities.csv": OPPS + deal})
    assert body["import-confirm"]["disabled"] is True
    assert "outside your team: A00001 is an account of another team" in _preview_text(body)
    visit = _upload(manager, {"visits.csv": VISITS + "R0002,A00001,2026-11-20,visit,done,\n"})
    assert "outside your team: A00001 is an account of another team" in _preview_text(visit)
    on_their_deal = _upload(manager, {"visits.csv": VISITS + "R0002,A00120,2026-11-20,visit,done,OP0000001\n"})
    assert on_their_deal["import-confirm"]["disabled"] is True
    assert "outside your team: OP0000001 is a deal of another team" in _preview_text(on_their_deal)


def test_isec007_support_sheets_stay_inside_the_team(manager, demo_session):
    # M001 manages team 1; OP0000001 is a deal of team 2; OP0000036 is team 1's (R0002)
    bids = "bid_code,opp_code,tender_name,published_date,deadline,status\n"
    _refused(
        manager,
        {"bids.csv": bids + "BDX1,OP0000001,借道标案,2026-11-01,2026-12-01,preparing\n"},
        "outside your team: OP0000001 is a deal of another team",
    )
    theirs = demo_session.execute(
        text(
            "SELECT b.bid_code FROM bids b JOIN opportunities o ON o.id = b.opportunity_id "
            "JOIN reps r ON r.id = o.owner_rep_id WHERE r.team_id <> 1 ORDER BY b.bid_code LIMIT 1"
        )
    ).scalar_one()
    _refused(  # another team's stored bid moved onto a deal of the team
        manager,
        {"bids.csv": bids + f"{theirs},OP0000036,改挂标案,2026-11-01,2026-12-01,preparing\n"},
        f"outside your team: {theirs} belongs to a deal of another team",
    )
    requests = "request_code,opp_code,requested_by,kind,requested_date\n"
    _refused(
        manager,
        {"support_requests.csv": requests + "SRX1,OP0000036,R0009,demo,2026-11-20\n"},
        "outside your team: not yours to change",
    )
    _refused(
        manager,
        {"price_list.csv": "product_code,product_line,name,list_price,unit_cost\nPX1,数据中心,改价,1,1\n"},
        "not yours to change: only a director changes the price list",
    )
    quotes = "quote_code,opp_code,quoted_date,product_code,quantity,unit_price\n"
    product = demo_session.execute(text("SELECT product_code FROM products ORDER BY product_code LIMIT 1")).scalar_one()
    _refused(
        manager,
        {"quote_lines.csv": quotes + f"QX1,OP0000001,2026-11-20,{product},1,1\n"},
        "outside your team: OP0000001 is a deal of another team",
    )


def test_isec008_another_teams_stored_contract_is_not_moved_onto_the_teams_deal(manager, demo_session):
    """Found with issue 20: the stored deal a contract hangs on was only checked when the file named it too, so a
    manager could move another team's contract (its bookings) onto a deal of their own."""
    theirs = demo_session.execute(
        text(
            "SELECT c.contract_code FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id "
            "JOIN reps r ON r.id = o.owner_rep_id WHERE r.team_id <> 1 ORDER BY c.contract_code LIMIT 1"
        )
    ).scalar_one()
    _refused(
        manager,
        {
            "contracts.csv": "contract_code,opp_code,signed_date,amount,gross_margin\n"
            f"{theirs},OP0000036,2026-11-01,1,1\n"
        },
        f"outside your team: {theirs} is a contract of another team",
    )


def test_isec005_a_managers_import_inside_the_team_still_works(manager, new_engine, tmp_path):
    files = {
        "reps.csv": REPS + "R9101,新人丁,华北大客户部,华北,rep,M001,r9101@x.example,2026-11-01\n",
        "accounts.csv": "account_code,name,industry,region,owner_rep_code\nA99101,新客户,制造,华北,R9101\n",
        "opportunities.csv": OPPS + "OPX009101,A99101,R9101,新项目,1000,1,open,2026-11-01,2027-03-01,,,,,,\n",
        "visits.csv": VISITS + "R9101,A99101,2026-11-20,visit,done,OPX009101\n",
    }
    body = _upload(manager, files)  # the preview on the demo data: a dry run
    assert body["import-confirm"]["disabled"] is False, _preview_text(body)[:400]
    # and for real, on a fresh company, with the manager's scope (team 1)
    engine = new_engine()
    demo.generate(engine, opportunities=60, as_of=AS_OF)
    folder = _folder(files, tmp_path)
    report = run_import(engine, folder, as_of=AS_OF, username="manager", scope=Scope.team(1), user_id=2)
    assert report.ok, report.issues
    assert {s: c.created for s, c in report.counts.items()} == {
        "reps": 1,
        "accounts": 1,
        "opportunities": 1,
        "stage_history": 1,
        "visits": 1,
    }


def _folder(files: dict[str, str], tmp: Path) -> Path:
    folder = tmp / "week"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def test_isec006_refused_rows_write_nothing(new_engine, tmp_path):
    engine = new_engine()
    demo.generate(engine, opportunities=60, as_of=AS_OF)
    before = _digest(engine)
    with session_factory(engine)() as s:
        their_account = s.scalar(
            select(Account.account_code).join(Rep, Rep.id == Account.owner_rep_id).where(Rep.team_id == 2).limit(1)
        )
    files = {
        "reps.csv": REPS + "M001,x,别的团队,华东,manager,,,\n",
        "opportunities.csv": OPPS
        + f"OPX000002,{their_account},R0002,借道项目,1000,1,open,2026-11-01,2027-03-01,,,,,,\n",
    }
    report = run_import(engine, _folder(files, tmp_path), as_of=AS_OF, username="manager", scope=Scope.team(1))
    assert [(i.sheet, i.row, i.column) for i in report.issues] == [
        ("reps", 2, "team"),
        ("reps", 2, "manager_code"),
        ("opportunities", 2, "account_code"),
    ]
    assert _digest(engine) == before
    with session_factory(engine)() as s:
        assert s.scalars(select(ImportRun.status)).all() == ["rejected"]
        assert s.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.opp_code == "OPX000002")) == 0


# --------------------------------------------------------------------------------------------------
# finding 2: remembered mappings belong to their saver; standard headers are always read as themselves


def test_isec010_a_managers_remembered_swap_changes_nobody_elses_import(manager, director, demo_engine, tmp_path):
    op36 = _as_stored(demo_engine, "OP0000036")
    body = _upload(manager, {"opportunities.csv": OPPS + op36})
    assert "opportunities · 商机001" in text_of(find(body["import-preview"]["children"], "import-counts"))
    swapped = _apply(
        manager,
        body["import-store"]["data"],
        {("opportunities", "amount"): "gross_margin", ("opportunities", "gross_margin"): "amount"},
        "shared",
    )
    assert (
        "'amount' is the standard column amount of opportunities: it is always read as amount, "
        "it cannot be mapped to gross_margin" in _preview_text(swapped)
    )
    with session_factory(demo_engine)() as s:
        assert (
            s.scalars(select(ImportMapping.header).where(ImportMapping.header.in_(["amount", "grossmargin"]))).all()
            == []
        )
    # the director's preview of the same standard file: nothing would change (amounts read as they are)
    theirs = _upload(director, {"opportunities.csv": OPPS + op36})
    assert "opportunities · 商机001" in text_of(find(theirs["import-preview"]["children"], "import-counts"))
    # and the CLI's
    path = tmp_path / "opportunities.csv"
    path.write_text(OPPS + op36, encoding="utf-8")
    cli = run_cli(
        "import",
        str(path),
        "--dry-run",
        env={"DATABASE_URL": url_of(demo_engine), "SALESRADAR_INSTANCE": str(tmp_path)},
    )
    assert cli.returncode == 0, cli.stderr[-1000:]
    assert "opportunities  created       0  updated       0  unchanged       1" in cli.stdout


def test_isec011_a_managers_share_is_kept_as_their_own(manager, director, demo_engine):
    header = "Deal value (isec011)"
    body = _upload(manager, {"opportunities.csv": OPPS.replace("amount", header) + OP36})
    assert body["import-confirm"]["disabled"] is True
    mapped = _apply(manager, body["import-store"]["data"], {("opportunities", header): "amount"}, "shared")
    assert mapped["import-confirm"]["disabled"] is False
    assert f"opportunities · {header} → amount (this form)" in text_of(
        find(mapped["import-preview"]["children"], "import-applied")
    )
    with session_factory(demo_engine)() as s:
        saved = s.execute(
            select(ImportMapping.user_id, ImportMapping.sheet, ImportMapping.field).where(
                ImportMapping.header == "dealvalueisec011"
            )
        ).all()
    assert [tuple(r) for r in saved] == [(2, "opportunities", "amount")]  # user 2: the demo manager
    again = _upload(manager, {"opportunities.csv": OPPS.replace("amount", header) + OP36})
    assert again["import-confirm"]["disabled"] is False
    assert f"opportunities · {header} → amount (yours)" in text_of(
        find(again["import-preview"]["children"], "import-applied")
    )
    not_theirs = _upload(director, {"opportunities.csv": OPPS.replace("amount", header) + OP36})
    assert f"unknown column '{header}' (map it to a field)" in _preview_text(not_theirs)


def test_isec012_a_directors_shared_mapping_applies_to_a_managers_import(manager, director, demo_engine):
    header = "Contract value (isec012)"
    op36 = _as_stored(demo_engine, "OP0000036")
    body = _upload(director, {"opportunities.csv": OPPS.replace("amount", header) + op36})
    shared = _apply(director, body["import-store"]["data"], {("opportunities", header): "amount"}, "shared")
    assert shared["import-confirm"]["disabled"] is False
    with session_factory(demo_engine)() as s:
        saved = s.execute(
            select(ImportMapping.user_id, ImportMapping.field).where(ImportMapping.header == "contractvalueisec012")
        ).all()
    assert [tuple(r) for r in saved] == [(None, "amount")]
    theirs = _upload(manager, {"opportunities.csv": OPPS.replace("amount", header) + op36})
    assert theirs["import-confirm"]["disabled"] is False
    preview = theirs["import-preview"]["children"]
    assert f"opportunities · {header} → amount (shared)" in text_of(find(preview, "import-applied"))
    assert "opportunities · 商机001" in text_of(find(preview, "import-counts"))


def test_isec013_only_a_director_is_offered_to_share(manager, director):
    from tests.dash_http import render_page

    def options(client: Any) -> list[str]:
        return [o["value"] for o in find(render_page(client, "/import"), "import-remember")["props"]["options"]]

    assert options(manager) == ["no", "mine"]
    assert options(director) == ["no", "mine", "shared"]


def _new_company(new_engine: Any) -> Engine:
    engine: Engine = new_engine()
    demo.generate(engine, opportunities=60, as_of=AS_OF)
    return engine


def test_isec014_saved_or_explicit_mappings_never_redirect_a_standard_header(new_engine, tmp_path):
    engine = _new_company(new_engine)
    with session_factory(engine)() as s:  # as a manager's form saved them before this fix: for everyone
        s.add(ImportMapping(user_id=None, sheet="opportunities", header="amount", field="gross_margin"))
        s.add(ImportMapping(user_id=None, sheet="opportunities", header="grossmargin", field="amount"))
        s.add(ImportMapping(user_id=2, sheet="opportunities", header="amount", field="gross_margin"))
        s.commit()
        account, owner = s.execute(
            select(Account.account_code, Rep.rep_code).join(Rep, Rep.id == Account.owner_rep_id).limit(1)
        ).one()
    path = tmp_path / "opportunities.csv"
    path.write_text(OPPS + f"OPX000014,{account},{owner},新项目,1000,1,open,2026-11-01,2027-03-01,,200,,,,\n")
    as_director = run_import(engine, path, as_of=AS_OF, username="director", user_id=1)
    assert as_director.ok and as_director.applied == []
    explicit = run_import(
        engine, path, as_of=AS_OF, username="t", mapping={"opportunities": {"columns": {"amount": "gross_margin"}}}
    )
    assert (
        Issue(
            "opportunities",
            1,
            "amount",
            "gross_margin",
            "'amount' is the standard column amount of opportunities: it is always read as amount, "
            "it cannot be mapped to gross_margin",
        )
        in explicit.issues
    )
    cli_path = tmp_path / "cli" / "opportunities.csv"
    cli_path.parent.mkdir()
    cli_path.write_text(OPPS + f"OPX000015,{account},{owner},新项目,3000,1,open,2026-11-01,2027-03-01,,700,,,,\n")
    cli = run_cli("import", str(cli_path), env={"DATABASE_URL": url_of(engine), "SALESRADAR_INSTANCE": str(tmp_path)})
    assert cli.returncode == 0, cli.stderr[-1000:]
    with session_factory(engine)() as s:
        stored = s.execute(
            select(Opportunity.opp_code, Opportunity.amount, Opportunity.gross_margin)
            .where(Opportunity.opp_code.in_(["OPX000014", "OPX000015"]))
            .order_by(Opportunity.opp_code)
        ).all()
    assert [tuple(r) for r in stored] == [("OPX000014", 1000.0, 200.0), ("OPX000015", 3000.0, 700.0)]


def test_isec015_the_cli_reads_shared_mappings_only_and_says_so(new_engine, tmp_path):
    engine = _new_company(new_engine)
    with session_factory(engine)() as s:
        s.add(ImportMapping(user_id=None, sheet="opportunities", header="dealno", field="opp_code"))
        s.add(ImportMapping(user_id=2, sheet="opportunities", header="value", field="amount"))  # the manager's
        s.commit()
        account, owner = s.execute(
            select(Account.account_code, Rep.rep_code).join(Rep, Rep.id == Account.owner_rep_id).limit(1)
        ).one()
    path = tmp_path / "opportunities.csv"
    header = OPPS.replace("opp_code", "Deal No").replace("amount", "Value")
    path.write_text(header + f"OPX000016,{account},{owner},新项目,3000,1,open,2026-11-01,2027-03-01,,,,,,\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"opportunities": {"columns": {"Value": "amount"}}}))
    without = run_cli("import", str(path), env={"DATABASE_URL": url_of(engine), "SALESRADAR_INSTANCE": str(tmp_path)})
    assert without.returncode == 1 and "unknown column 'Value' (map it to a field)" in without.stderr
    with_file = run_cli(
        "import",
        str(path),
        "--mapping",
        str(mapping),
        env={"DATABASE_URL": url_of(engine), "SALESRADAR_INSTANCE": str(tmp_path)},
    )
    assert with_file.returncode == 0, with_file.stderr[-1000:]
    assert "mapped: opportunities: 'Deal No' -> opp_code (shared)" in with_file.stderr
    assert "mapped: opportunities: 'Value' -> amount (--mapping)" in with_file.stderr


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
    assert report.failed is None
    assert _digest(engine) == before
    with session_factory(engine)() as s:
        assert s.scalars(select(ImportRun.status)).all() == ["rejected"]
        assert s.scalar(select(func.count()).select_from(Account)) == 0


def test_isec021_a_nul_posted_to_the_page_is_a_problem_not_a_500(director):
    body = _upload(director, {"buying_power.csv": "account_code,year,bp,source\nA00001,2027,5000000,phone\x00survey\n"})
    assert body["import-confirm"]["disabled"] is True
    assert "source holds the control character U+0000, which no cell may hold" in _preview_text(body)
