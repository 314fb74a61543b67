"""The real app over HTTP (Flask test client): pages, callbacks as posted by a browser, no CDN."""

from __future__ import annotations

import re

import pytest

from components.formatting import cny, pct, times
from data_access.scope import Scope
from metrics.period import Period
from metrics.views.filters import canonical_query, filters_from_controls
from metrics.views.kpis import overview_kpis
from tests import truth
from tests.conftest import AS_OF
from tests.dash_http import find, render_page, text_of, walk


def test_app001_index_serves_everything_itself(director):
    html = director.get("/").get_data(as_text=True)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs, "no scripts or stylesheets at all?"
    assert [r for r in refs if r.startswith(("http:", "https:", "//"))] == []
    assert any("bootstrap.min.css" in r for r in refs)
    for ref in refs:
        if ref.startswith("/"):
            assert director.get(ref).status_code in (200, 304), ref


def test_app002_overview_tiles_equal_the_metrics(director, demo_session):
    tree = render_page(director, "/", "")
    year = Period(AS_OF.year)
    # the figures by the test's own SQL (tests/truth.py), not by the loader's functions
    open_amount, weighted = truth.open_pipeline(demo_session)
    assert text_of(find(tree, "kpi-bookings-value")) == cny(truth.bookings(demo_session, year.start, year.end), "en")
    assert text_of(find(tree, "kpi-open-pipeline-value")) == cny(open_amount, "en")
    assert text_of(find(tree, "kpi-weighted-pipeline-value")) == cny(weighted, "en")
    assert text_of(find(tree, "kpi-overdue-value")) == cny(truth.overdue(demo_session, AS_OF), "en")
    won, lost = truth.closed(demo_session, year.start, year.end)
    assert text_of(find(tree, "kpi-win-rate-value")) == pct(won / (won + lost), "en")
    k = overview_kpis(demo_session, Scope.everything(), Period(AS_OF.year), AS_OF)
    assert text_of(find(tree, "kpi-bookings-value")) == cny(k.bookings, "en")
    assert text_of(find(tree, "kpi-attainment-value")) == pct(k.attainment, "en")
    assert text_of(find(tree, "kpi-open-pipeline-value")) == cny(k.open_amount, "en")
    assert text_of(find(tree, "kpi-weighted-pipeline-value")) == cny(k.weighted_amount, "en")
    assert text_of(find(tree, "kpi-v-value-value")) == times(k.v.value, "en")
    assert text_of(find(tree, "kpi-win-rate-value")) == pct(k.win_rate, "en")
    assert text_of(find(tree, "kpi-overdue-value")) == cny(k.overdue.amount, "en")
    assert k.bookings > 0 and k.open_amount > 0 and k.overdue.amount > 0


def test_app003_filters_from_the_url_reach_the_numbers(director, demo_session):
    from data_access import queries

    team_id, _ = queries.teams(demo_session, Scope.everything())[0]
    tree = render_page(director, "/", f"?period={AS_OF.year - 1}Q2&team={team_id}")
    q2 = Period(AS_OF.year - 1, 2)
    assert text_of(find(tree, "kpi-bookings-value")) == cny(
        truth.bookings(demo_session, q2.start, q2.end, team_id), "en"
    )
    assert find(tree, "filter-team")["props"]["value"] == team_id
    assert find(tree, "filter-quarter")["props"]["value"] == "2"


@pytest.mark.parametrize("search", ["?period=1999", "?period=abc", "?team=xyz", "?team=999999", "?period=2026Q9"])
def test_app004_bad_filters_are_ignored_with_a_notice(director, demo_session, search):
    tree = render_page(director, "/", search)
    year = Period(AS_OF.year)
    assert text_of(find(tree, "kpi-bookings-value")) == cny(truth.bookings(demo_session, year.start, year.end), "en")
    assert "Ignored an invalid filter" in text_of(tree)


def test_app005_filter_callback_over_http(director):
    assert filters_from_controls(2025, "3", 2) == "?period=2025Q3&team=2"
    assert filters_from_controls(2026, "all", None) == "?period=2026"
    assert filters_from_controls(None, None, None) == ""
    payload = {
        "output": "url.search",
        "outputs": {"id": "url", "property": "search"},
        "inputs": [
            {"id": "filter-year", "property": "value", "value": 2025},
            {"id": "filter-quarter", "property": "value", "value": "all"},
            {"id": "filter-team", "property": "value", "value": None},
            {"id": "filter-rep", "property": "value", "value": None},
            {"id": "filter-product", "property": "value", "value": None},
            {"id": "filter-rad", "property": "value", "value": None},
        ],
        "changedPropIds": ["filter-year.value"],
        "state": [{"id": "url", "property": "search", "value": ""}],
    }
    response = director.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    assert response.get_json()["response"]["url"]["search"] == "?period=2025"
    # controls drawn showing the view the address already shows: no navigation (else every load renders twice)
    for search in ("?period=2025", "?period=2025&team=abc", "?team=&period=2025"):
        same = {**payload, "state": [{"id": "url", "property": "search", "value": search}]}
        assert director.post("/_dash-update-component", json=same).status_code == 204, search
    assert canonical_query("", AS_OF) == f"?period={AS_OF.year}"
    assert canonical_query("?period=bad&team=3", AS_OF) == f"?period={AS_OF.year}&team=3"
    # the deal filters travel too, and a page's own parameters stay
    inputs = [
        {"id": "filter-year", "property": "value", "value": 2025},
        {"id": "filter-quarter", "property": "value", "value": "all"},
        {"id": "filter-team", "property": "value", "value": None},
        {"id": "filter-rep", "property": "value", "value": "R0001"},
        {"id": "filter-product", "property": "value", "value": "Cloud"},
        {"id": "filter-rad", "property": "value", "value": "D"},
    ]
    chosen = {**payload, "inputs": inputs, "state": [{"id": "url", "property": "search", "value": "?since=2026-11-01"}]}
    answer = director.post("/_dash-update-component", json=chosen).get_json()["response"]["url"]["search"]
    assert answer == "?since=2026-11-01&period=2025&rep=R0001&product=Cloud&rad=D"
    settled = {**chosen, "state": [{"id": "url", "property": "search", "value": answer}]}
    assert director.post("/_dash-update-component", json=settled).status_code == 204


def test_app006_languages(director):
    zh = render_page(director, "/", "", lang="zh")
    en = render_page(director, "/", "", lang="en")
    assert "签约额" in text_of(zh) and "Bookings" in text_of(en)
    browser_zh = render_page(director, "/", "", lang=None, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "签约额" in text_of(browser_zh)


def test_app007_language_switch_sets_cookie_and_returns_same_site_only(client):
    r = client.get("/lang/en", headers={"Referer": "http://localhost/funnel?x=1"})
    assert r.status_code == 302 and r.headers["Location"] == "/funnel?x=1"
    assert "lang=en" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    evil = client.get("/lang/zh", headers={"Referer": "https://evil.example/phish"})
    assert evil.headers["Location"] == "/"
    junk = client.get("/lang/fr")
    assert junk.status_code == 302 and "Set-Cookie" not in junk.headers


@pytest.mark.parametrize("path", ["/", "/rad", "/funnel", "/scorecards", "/winloss"])
def test_app008_every_nav_page_renders(director, path):
    tree = render_page(director, path, "")
    titles = [n for n in walk(tree) if n["props"].get("className") == "page-title"]
    assert titles and "being built" not in text_of(tree)  # every page draws its own header; none is a placeholder


def test_app009_unknown_path_is_the_404_page(director):
    tree = render_page(director, "/no/such/page", "")
    assert "Page not found" in text_of(tree)
    find(tree, "not-found-back")


def test_app010_healthz(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok"


WORKER_SCRIPT = """
import sys
from pathlib import Path
from app import create_app
from config import Config
app = create_app(Config(database_url=sys.argv[1], instance_path=Path(sys.argv[3]), default_database=False))
from concurrent.futures import ThreadPoolExecutor
import re
signer = app.server.test_client()  # a session cookie: tokens count under /api/v1/ only
csrf = re.search(r'name="csrf" value="([^"]+)"', signer.get("/login").get_data(as_text=True)).group(1)
signed = signer.post("/login", data={"username": "director", "password": sys.argv[2], "csrf": csrf, "next": "/"})
assert signed.status_code == 302, signed.get_data()[:300]
headers = {"Cookie": "salesradar_session=" + signer.get_cookie("salesradar_session").value}
def get(path):
    response = app.server.test_client(use_cookies=False).get(path, headers=headers)
    return response.status_code if response.status_code == 200 else (response.status_code, response.get_data()[:200])
with ThreadPoolExecutor(16) as pool:  # a threaded worker's first requests arrive together
    codes = list(pool.map(get, sys.argv[4:] * 4))
print(codes)
sys.exit(0 if set(codes) == {200} else 1)
"""


def test_app011_a_fresh_worker_serves_scripts_before_any_index(director, demo_engine, tmp_path):
    """A threaded worker whose first requests arrive together (scripts, index elsewhere) serves them all."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import url_of

    html = director.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="(/_dash-component-suites/[^"]+)"', html)
    assert scripts
    result = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT, url_of(demo_engine), "demo-director", str(tmp_path), *scripts],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def test_app012_start_up_marks_imports_of_dead_processes_failed(new_engine, tmp_path):
    """An import killed mid-write (SIGKILL, a crash) stays 'running' in the log until the next start."""
    import socket
    from datetime import UTC, datetime

    from data_access.db import session_factory
    from data_access.models import ImportRun
    from tests.conftest import start_app

    engine = new_engine()
    now = datetime.now(UTC).replace(tzinfo=None)
    with session_factory(engine)() as session:
        for pid in (2**22 + 12345, None):  # a process that is gone; a run without a pid is left alone
            session.add(
                ImportRun(
                    username="x",
                    started_at=now,
                    file_name="w.xlsx",
                    as_of=now.date(),
                    status="running",
                    counts={},
                    issue_count=0,
                    host=socket.gethostname(),
                    pid=pid,
                )
            )
        session.commit()
    result = start_app(engine, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    with session_factory(engine)() as session:
        statuses = [(r.pid, r.status) for r in session.query(ImportRun).order_by(ImportRun.id)]
        message = session.query(ImportRun.message).filter(ImportRun.status == "failed").scalar()
    assert statuses == [(2**22 + 12345, "failed"), (None, "running")]
    assert message is not None and "interrupted" in message


TWO_APPS_SCRIPT = """
import json
import re
import sys
from pathlib import Path
from app import create_app
from config import Config
from tests.dash_http import download
apps = [
    create_app(Config(database_url=sys.argv[1], instance_path=Path(sys.argv[3]) / str(n), default_database=False))
    for n in (1, 2)
]
def signed_in(app):
    client = app.server.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "director", "password": sys.argv[2], "csrf": csrf, "next": "/"})
    return client
first, second = (signed_in(app) for app in apps)
outputs = [sorted(d["output"] for d in c.get("/_dash-dependencies").get_json()) for c in (first, second)]
answer = download(second, "overview_aging", "csv")
print(json.dumps({"first": outputs[0], "second": outputs[1], "download": answer.status_code}))
"""


def test_app013_a_second_app_in_one_process_answers_every_callback(demo_engine, tmp_path):
    """Two apps built in one process (the test runs of `scripts/mutation`, a WSGI dispatcher) both know every
    callback: the filter bar's, the navbar toggler's, the table download's and the forecast panels' too, which
    are no page's own (Dash hands those registered at import to the first app only)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import url_of

    result = subprocess.run(
        [sys.executable, "-c", TWO_APPS_SCRIPT, url_of(demo_engine), "demo-director", str(tmp_path)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    shared = {"url.search", "table-download-target.data", "forecast-body.children", "nav-collapse.is_open"}
    assert shared <= set(seen["first"]), seen["first"]
    assert seen["second"] == seen["first"]
    assert seen["download"] == 200
