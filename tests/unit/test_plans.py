"""A part of the company is read through an index, never by scanning the whole company (issue 16).

Every statement a page's loader runs for a team's, a rep's or a region's view is explained on the database
(``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (FORMAT JSON)`` on PostgreSQL), and none may scan
``opportunities``, ``accounts`` or ``visits`` whole. A read "through an index" is a seek whose index
condition names a narrowing column (the owner, the account, a region: ``NARROWING``); a scan of a table or of a
whole index, or a seek on status alone, reads the company. The test database is small, where a planner
rightly prefers other plans; what is asked is the plan at a million deals: SQLite plans here with the
statistics of the 1M demo (``STATS_1M``); PostgreSQL's cannot be given, so it plans a demo of 100,000 deals,
with ``enable_seqscan = off`` (a sequential scan is then chosen only when no index can serve the statement).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from data_access import demo
from data_access.models import Account, Rep, User
from data_access.users import Viewer, viewer_for
from metrics.views import actions, forecast, funnel, overview, rad, scorecards, support, winloss
from tests.conftest import AS_OF

BIG = ("opportunities", "accounts", "visits", "deal_levels", "stage_history", "bids", "support_requests", "quote_lines")
Loader = Callable[[Session, Viewer, dict[str, str], date], Any]
PAGES: dict[str, Loader] = {
    "/": overview.load,
    "/funnel": funnel.load,
    "/rad": rad.load,
    "/scorecards": scorecards.load,
    "/winloss": winloss.load,
    "/support": support.load_support,
    "/support?tab=tech": lambda s, v, q, d: support.load_support(s, v, {**q, "tab": "tech"}, d),
    "/pricing": support.load_pricing,
    "/risk": support.load_risk,
    # issue 21: the next best actions, and the forecast's three panels (filled by callbacks on /funnel)
    "/actions": actions.load_actions,
    "forecast": forecast.load_forecast,
    "forecast:classes": forecast.load_class_v,
    "forecast:track": forecast.load_track_record,
}
#: "is there any row at all" (``queries.has_any_data``): one row of a table, whatever its size
ANY_ROW = re.compile(r"^SELECT \w+\.id\s+FROM \w+\s+LIMIT", re.IGNORECASE)


#: ``sqlite_stat1`` of the 1M demo (``salesradar demo --opportunities 1000000``, analysed): the planner is given
#: these in place of the small test database's own, so it plans each statement as it would at a million deals
STATS_1M = {
    ("bids", "ix_bids_deadline"): "106920 104 1",
    ("bids", "ix_bids_opportunity_id"): "106920 1",
    ("bids", "sqlite_autoindex_bids_1"): "106920 1",
    ("products", "sqlite_autoindex_products_1"): "33 1",
    ("quote_lines", "ix_quote_lines_approved_by_rep_id"): "586431 281",
    ("quote_lines", "ix_quote_lines_date"): "586431 573 3",
    ("quote_lines", "ix_quote_lines_opp"): "586431 4 3",
    ("quote_lines", "ix_quote_lines_price"): "586431 17771 2 1",
    ("quote_lines", "sqlite_autoindex_quote_lines_1"): "586431 3 1",
    ("support_requests", "ix_support_requests_cover"): "266102 253 1 1 1 1 1",
    ("support_requests", "ix_support_requests_opportunity_id"): "266102 2",
    ("support_requests", "ix_support_requests_requested_by_rep_id"): "266102 36",
    ("support_requests", "sqlite_autoindex_support_requests_1"): "266102 1",
    ("accounts", "ix_accounts_industry"): "75000 9375",
    ("accounts", "ix_accounts_override"): "1495 499",
    ("accounts", "ix_accounts_owner_rep_id"): "75000 10",
    ("accounts", "ix_accounts_region"): "75000 18750",
    ("accounts", "sqlite_autoindex_accounts_1"): "75000 1",
    ("buying_power", "ix_buying_power_year"): "215931 71977",
    ("buying_power", "sqlite_autoindex_buying_power_1"): "215931 3 1",
    ("contracts", "ix_contracts_opportunity_id"): "182269 1",
    ("contracts", "ix_contracts_signed_cover"): "182269 190 1 1 1",
    ("contracts", "ix_contracts_signed_date"): "182269 190",
    ("contracts", "sqlite_autoindex_contracts_1"): "182269 1",
    ("opportunities", "ix_opportunities_created_date"): "1000000 943",
    ("opportunities", "ix_opportunities_level"): "1000000 166667",
    ("opportunities", "ix_opportunities_owner_rep_id"): "1000000 134",
    ("deal_levels", "ix_deal_levels_account"): "2464531 34 8 1 1 1 1 1 1 1 1 1",
    ("deal_levels", "ix_deal_levels_owner"): "2464531 329 56 1 1 1 1 1 1 1 1 1",
    ("deal_levels", "ix_deal_levels_product"): "2464531 410756 68460 73 38 18 18 2 2 2",
    ("deal_levels", "sqlite_autoindex_deal_levels_1"): "2464531 3 1",
    ("deal_levels", "ix_deal_levels_closed"): "2464531 2348 438 238 121 2 1",
    ("deal_levels", "ix_deal_levels_stalled"): "2464531 821511 1174 3 3 2 2 1",
    ("opportunities", "ix_opps_account_cover"): "1000000 14 7 2 1 1 1 1 1 1 1 1",
    ("opportunities", "ix_opps_closed"): "1000000 953 498",
    ("opportunities", "ix_opps_open_cover"): "1000000 333334 83334 12 4 2 1 1 1",
    ("opportunities", "ix_opps_outcome_cover"): "1000000 333334 498 2 2 1 1 1 1 1 1",
    ("opportunities", "ix_opps_owner_cover"): "1000000 134 45 1 1 1 1 1 1 1 1 1",
    ("opportunities", "ix_opps_product_line"): "1000000 166667",
    ("opportunities", "ix_opps_status_close"): "1000000 333334 361",
    ("opportunities", "ix_opps_status_owner"): "1000000 333334 45",
    ("opportunities", "sqlite_autoindex_opportunities_1"): "1000000 1",
    ("payments", "ix_payments_due_cover"): "729076 557 1 1 1",
    ("payments", "ix_payments_due_date"): "729076 557",
    ("payments", "sqlite_autoindex_payments_1"): "729076 4 1",
    ("quotas", "ix_quotas_rep_id"): "112500 15",
    ("quotas", "ix_quotas_year_quarter"): "112500 37500 7500",
    ("quotas", "sqlite_autoindex_quotas_1"): "112500 15 5 1",
    ("reps", "ix_reps_manager_id"): "8501 9",
    ("reps", "ix_reps_team_id"): "8501 9",
    ("reps", "sqlite_autoindex_reps_1"): "8501 1",
    ("stage_history", "ix_stage_history_entered_date"): "2464531 2321",
    ("stage_history", "ix_stage_history_opp_level"): "2464531 3 1",
    ("teams", "sqlite_autoindex_teams_1"): "1001 1",
    ("visits", "ix_visits_account_cover"): "2478114 34 17 1 1",
    ("visits", "ix_visits_account_date"): "2478114 34 1",
    ("visits", "ix_visits_opportunity_id"): "2478114 7",
    ("visits", "ix_visits_rep_date"): "2478114 331 2",
}


@pytest.fixture(scope="module")
def planned(databases) -> Iterator[Engine]:
    """The demo's database, planned as at a million deals (see the module's docstring)."""
    engine = databases.new_engine()
    # PostgreSQL's statistics cannot be given: it plans on a database big enough to plan as at scale (10 s)
    demo.generate(engine, as_of=AS_OF, opportunities=100_000 if engine.dialect.name == "postgresql" else 4000)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM sqlite_stat1")
            for (table, index), stat in STATS_1M.items():
                conn.exec_driver_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", (table, index, stat))
        engine.dispose()  # new connections read the schema with these statistics
    yield engine
    engine.dispose()


@contextmanager
def _captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not ANY_ROW.match(statement.strip()):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


#: Columns that narrow a read to a part of the company (an owner, an account, a region, a product line, picked
#: codes): an index condition on one of them reads that part only
NARROWING = {
    "id",
    "rowid",
    "owner_rep_id",
    "account_id",
    "rep_id",
    "opportunity_id",
    "region",
    "industry",
    "product_line",
    "opp_code",
    "account_code",
}
#: A date a seek may start from with no end: what changed since then (the funnel's week), not a period's range
SINCE = re.compile(r"^(\w+_date|changed_on)>\?$")


def _narrow(condition: str) -> bool:
    """Whether a seek's index condition (``status=? AND closed_date>? AND ...``) reads a part of the company."""
    terms = [t.strip() for t in condition.split(" AND ") if t.strip()]
    columns = {re.split(r"[=<>!]|IS |\bANY\b", t)[0].strip() for t in terms}
    return bool(columns & NARROWING) or (len(terms) == 1 and bool(SINCE.match(terms[0].replace(" ", ""))))


def _terms_postgresql(condition: str) -> str:
    """PostgreSQL's ``Index Cond`` in SQLite's form: ``((o.status)::text = 'open'::text) AND (o.owner_rep_id =
    ANY ($1))`` -> ``status=? AND owner_rep_id=?``."""
    text = re.sub(r"'[^']*'(::[\w ]+)?|\$\d+|\b\d+\b|ANY \([^)]*\)", "?", condition)
    text = re.sub(r"\b\w+\.(\w+)", r"\1", text)  # table.column -> column
    text = re.sub(r"::[\w ]+", "", text).replace("(", "").replace(")", "")
    return " AND ".join(re.sub(r"\s*([=<>]+)\s*", r"\1", t.strip()) for t in text.split(" AND "))


#: A statement asking for the first row in one column's order (the years that hold data: the first date from a
#: year on): served in index order without a sort, it reads one row, whatever the company's size
FIRST_ROW = re.compile(r"ORDER BY [\w.]+ LIMIT (\?|%\(\w+\)s(::\w+)?)( OFFSET (\?|%\(\w+\)s(::\w+)?))?\s*$")


def _scans_sqlite(conn: Connection, statement: str, parameters: Any) -> set[str]:
    """The tables of ``BIG`` the plan reads whole: a SCAN (of the table or of a whole index), or a SEARCH whose
    index condition names no narrowing column (``status=?`` reads every open deal of the company); a first-row
    seek (``FIRST_ROW``, no sort in its plan) reads none."""
    found: set[str] = set()
    plan = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()]
    if FIRST_ROW.search(" ".join(statement.split())) and not any("TEMP B-TREE" in d for d in plan):
        return found
    for detail in plan:
        scan = re.match(r"SCAN (\w+)\b", detail)
        if scan and scan.group(1) in BIG:
            found.add(scan.group(1))
        search = re.match(r"SEARCH (\w+)\b.*?\((.*)\)\s*$", detail)
        if search and search.group(1) in BIG and not _narrow(search.group(2)):
            found.add(search.group(1))
    return found


def _scans_postgresql(conn: Connection, statement: str, parameters: Any) -> set[str]:
    """The same on PostgreSQL's plan: a sequential scan, or an index scan whose condition names no narrowing
    column (or has none: a whole index), of a table of ``BIG``."""
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    (plan,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = set()

    def walk(node: dict[str, Any]) -> None:
        table = node.get("Relation Name")
        if table in BIG:
            condition = str(node.get("Index Cond") or node.get("Recheck Cond") or "")
            if node.get("Node Type") == "Seq Scan" or not _narrow(_terms_postgresql(condition)):
                found.add(str(table))
        for child in node.get("Plans", []):
            walk(child)

    top = plan[0]["Plan"]
    nodes = json.dumps(plan)
    sorted_ = '"Node Type": "Sort"' in nodes or '"Node Type": "Incremental Sort"' in nodes
    if FIRST_ROW.search(" ".join(statement.split())) and top.get("Node Type") == "Limit" and not sorted_:
        return found
    walk(top)
    return found


def full_scans(engine: Engine, viewer: Viewer, page: str, search: dict[str, str]) -> dict[str, set[str]]:
    """Each statement of the view that scans one of ``BIG`` whole: its first line -> the tables."""
    with _captured(engine) as statements, Session(engine) as session:
        PAGES[page](session, viewer, search, AS_OF)
    assert statements, page
    explain = _scans_sqlite if engine.dialect.name == "sqlite" else _scans_postgresql
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for statement, parameters in statements:
            with conn.begin():
                scans = explain(conn, statement, parameters)
            if scans:
                out[" ".join(statement.split())[:160]] = scans
    return out


def _viewer(engine: Engine, username: str) -> Viewer:
    with Session(engine) as session:
        return viewer_for(session, session.scalars(select(User).where(User.username == username)).one())


#: Plans PostgreSQL still reads whole at 100,000 deals (issue 16 goes on): strict, so a fix shows as a failure
PG_NOT_YET = {
    ("pln001", "/rad"): "a team's accounts: a merge join along every account's key, filtered by owner after",
    ("pln003", "/rad"): "a region's accounts: a hash join over every account and open deal",
    # issue 20: PostgreSQL reads the period's range of the date index for the whole company, then keeps the
    # team's deals (SQLite, given coalesce on the date, starts from the team's deals)
    ("pln001", "/support"): "a team's bids: the year's deadline range of every team (ordered by deadline)",
    ("pln002", "/support"): "a rep's bids: the year's deadline range of every team (ordered by deadline)",
    ("pln001", "/support?tab=tech"): "a team's requests and closed deals: the year's date range of every team",
    ("pln001", "/risk"): "a team's quote lines and contracts: the year's date range of every team",
    # issue 21: a team's hundreds of lines (stalled deals, overdue contracts) join their accounts by hash over
    # every account; its deals per account meet their classes the same way; its closed deals' levels are read
    # through the close-date index of the whole company (SQLite: the owner's index, through coalesce)
    ("pln001", "/actions"): "a team's deal actions: a hash join over every account for their names",
    ("pln001", "forecast:classes"): "a team's deals per account: a hash join over every account for the class",
    ("pln001", "forecast:track"): "a team's closed deals by level: the window's close-date range of every team",
}


def _not_yet(request: pytest.FixtureRequest, planned: Engine, test: str, page: str) -> None:
    reason = PG_NOT_YET.get((test, page))
    if reason and planned.dialect.name == "postgresql":
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"PostgreSQL: {reason}"))


@pytest.mark.parametrize("page", list(PAGES))
def test_pln001_a_teams_view_reads_through_indexes(request, planned, page):
    _not_yet(request, planned, "pln001", page)
    with Session(planned) as session:
        team = session.scalar(select(Rep.team_id).where(Rep.rep_code == "R0001"))
    scans = full_scans(planned, _viewer(planned, "director"), page, {"team": str(team)})
    assert scans == {}, json.dumps({k: sorted(v) for k, v in scans.items()}, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("page", list(PAGES))
def test_pln002_a_reps_view_reads_through_indexes(request, planned, page):
    _not_yet(request, planned, "pln002", page)
    scans = full_scans(planned, _viewer(planned, "rep"), page, {})
    assert scans == {}, json.dumps({k: sorted(v) for k, v in scans.items()}, ensure_ascii=False, indent=1)


def test_pln003_a_regions_rad_view_reads_through_indexes(request, planned):
    _not_yet(request, planned, "pln003", "/rad")
    with Session(planned) as session:
        region = session.scalar(select(Account.region).order_by(Account.region).limit(1))
    for search in ({"region": str(region)}, {"region": str(region), "rad": "R"}):
        scans = full_scans(planned, _viewer(planned, "director"), "/rad", search)
        assert scans == {}, json.dumps({k: sorted(v) for k, v in scans.items()}, ensure_ascii=False, indent=1)


def test_pln004_the_check_sees_a_scan_when_there_is_one(planned):
    """The test above can fail: a statement with no usable index is reported."""
    with planned.connect() as conn, conn.begin():
        statement = "SELECT sum(amount) FROM opportunities WHERE length(name) > 3"
        explain = _scans_sqlite if planned.dialect.name == "sqlite" else _scans_postgresql
        assert explain(conn, statement, {} if planned.dialect.name != "sqlite" else ()) == {"opportunities"}
