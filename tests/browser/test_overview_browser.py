"""The Overview in headless Chromium: tiles show the metrics, filters live in the URL, no errors."""

from __future__ import annotations

import re

import pytest

from components.formatting import cny, pct, times
from data_access.scope import Scope
from metrics.period import Period
from metrics.views.kpis import overview_kpis
from tests.conftest import AS_OF

pytestmark = pytest.mark.browser


def _tile(page, name: str) -> str:
    return page.locator(f"#kpi-{name}-value").inner_text().strip()


def test_brw001_overview_tiles_show_the_metrics(watched, live_server, demo_session, tmp_path):
    page = watched.page
    watched.sign_in(live_server)
    page.wait_for_load_state("networkidle")
    k = overview_kpis(demo_session, Scope.everything(), Period(AS_OF.year), AS_OF)
    assert _tile(page, "bookings") == cny(k.bookings, "en")
    assert _tile(page, "attainment") == pct(k.attainment, "en")
    assert _tile(page, "open-pipeline") == cny(k.open_amount, "en")
    assert _tile(page, "weighted-pipeline") == cny(k.weighted_amount, "en")
    assert _tile(page, "v-value") == times(k.v.value, "en")
    assert _tile(page, "win-rate") == pct(k.win_rate, "en")
    assert _tile(page, "overdue") == cny(k.overdue.amount, "en")
    assert page.locator("#overview-pipeline-chart .bars path").count() >= 5  # the chart drew its bars
    box = page.locator("#overview-pipeline-chart").bounding_box()
    svg = page.locator("#overview-pipeline-chart .main-svg").first.bounding_box()
    assert box and svg and box["height"] >= svg["height"] - 1  # the chart is not clipped by its container
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    watched.assert_clean()


def test_brw002_changing_the_year_updates_url_and_tiles(watched, live_server, demo_session):
    page = watched.page
    watched.sign_in(live_server)
    page.locator("#filter-year").click()
    page.get_by_role("option", name=str(AS_OF.year - 1), exact=True).click()
    page.wait_for_url(re.compile(rf"period={AS_OF.year - 1}"))
    k = overview_kpis(demo_session, Scope.everything(), Period(AS_OF.year - 1), AS_OF)
    page.wait_for_function(
        "([id, want]) => document.getElementById(id)?.innerText.trim() === want",
        arg=["kpi-bookings-value", cny(k.bookings, "en")],
    )
    # the bookmarked address opens the same view, in a new tab (leaving this one alone)
    bookmark = page.context.new_page()
    bookmark.goto(page.url)
    bookmark.wait_for_selector("#kpi-bookings-value")
    assert _tile(bookmark, "bookings") == cny(k.bookings, "en")
    bookmark.wait_for_load_state("networkidle")
    watched.assert_clean()


def test_brw003_language_switch_and_navigation(watched, live_server):
    page = watched.page
    watched.sign_in(live_server)
    page.wait_for_load_state("networkidle")
    page.locator("#lang-switch").click()
    page.wait_for_selector("text=签约额")
    page.locator("#nav-funnel").click()
    page.wait_for_url(re.compile(r"/funnel$"))
    page.wait_for_selector("text=商机漏斗")
    # leave only once every request has finished: after the chart is drawn (while plotly.js is parsed, a
    # busy machine can look network-idle before the page's own callbacks are sent)
    page.wait_for_selector("#funnel-levels-chart .main-svg")
    page.wait_for_function("() => !document.querySelector('._dash-loading-callback')")
    page.wait_for_load_state("networkidle")
    # what the user sees: the funnel's title and its switch in Chinese, the open levels' bars drawn
    assert page.locator(".page-title").inner_text() == "商机漏斗"
    assert page.locator("#lang-switch").inner_text() == "English"
    assert page.locator("#funnel-levels-chart .main-svg .trace").count() >= 1
    assert "active" in (page.locator("#nav-funnel").get_attribute("class") or "")
    page.goto(live_server + "/nowhere")
    page.wait_for_selector("#not-found")
    assert page.locator("#not-found .page-title").inner_text() == "页面不存在"  # the choice of language stays
    watched.assert_clean()


def test_brw004_signed_out_the_login_page_then_a_rep_sees_their_own(watched, live_server, demo_session):
    from data_access.models import Rep

    page = watched.page
    page.goto(live_server + "/funnel")
    page.wait_for_url(re.compile(r"/login\?next=%2Ffunnel"))
    page.fill("#username", "rep")
    page.fill("#password", "wrong-password")
    page.click("#login-submit")
    page.wait_for_selector("#login-error")
    # the wrong password's 401 is the expected answer, and the only one
    assert watched.console_errors == [
        "Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)"
    ]
    assert len(watched.failed_requests) == 1 and watched.failed_requests[0].endswith("/login 401")
    watched.console_errors.clear()
    watched.failed_requests.clear()
    watched.sign_in(live_server, "rep")  # a rep lands on their scorecard (issue 18)
    assert page.url.endswith("/scorecards")
    page.goto(live_server + "/")  # a new document: its callbacks settle before the sign-out below navigates
    page.wait_for_selector("#kpi-bookings-value")
    page.wait_for_load_state("networkidle")
    rep_id = demo_session.query(Rep.id).filter(Rep.rep_code == "R0001").scalar()
    k = overview_kpis(demo_session, Scope.rep(rep_id), Period(AS_OF.year), AS_OF)
    assert _tile(page, "bookings") == cny(k.bookings, "en")
    assert "rep" in page.locator("#nav-user").inner_text()
    page.wait_for_load_state("networkidle")
    with page.expect_navigation(url=re.compile(r"/login$")):
        page.click("#logout")
    page.wait_for_load_state("networkidle")  # the login page's stylesheet, else the next goto aborts it
    page.goto(live_server + "/")
    page.wait_for_url(re.compile(r"/login\?next=%2F$"))
    watched.assert_clean()


def test_brw005_import_page_preview_confirm_done(watched, live_server, demo_engine, tmp_path):
    from data_access.db import session_factory
    from data_access.importer.export import export

    workbook = tmp_path / "last-week.xlsx"
    with session_factory(demo_engine)() as session:
        export(session, workbook)
    page = watched.page
    watched.sign_in(live_server)
    page.click("#nav-data_import")
    page.wait_for_selector("#import-upload")
    page.set_input_files("#import-upload input[type=file]", str(workbook))
    page.wait_for_selector("#import-counts")
    assert "opportunities" in page.locator("#import-counts").inner_text()
    page.click("#import-confirm")
    page.wait_for_selector("#import-done", timeout=60_000)
    assert page.locator("#import-progress .progress-bar").get_attribute("aria-valuenow") == "100"
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
    watched.assert_clean()


def test_brw006_manager_imports_last_week_and_the_funnel_shows_the_movement(
    watched, live_server, demo_engine, tmp_path
):
    """Issue 4's done-when: drop the workbook, see what changes, confirm, see this week against last."""
    from datetime import timedelta

    from openpyxl import Workbook
    from sqlalchemy import text

    from data_access.db import session_factory
    from data_access.importer.export import rows
    from data_access.importer.schema import BY_NAME

    sheet = BY_NAME["opportunities"]
    with session_factory(demo_engine)() as session:
        team1 = {c for (c,) in session.execute(text("SELECT rep_code FROM reps WHERE team_id = 1"))}
        mine = [r for r in rows(session, sheet) if r[2] in team1 and r[6] == "open" and r[5] <= 3][:5]
    assert len(mine) == 5
    book = Workbook()
    ws = book.active
    ws.title = "商机"
    ws.append([c.zh for c in sheet.columns])  # the team's own spreadsheet, Chinese headers
    for r in mine:
        r[4] = round(float(r[4]) * 1.1, 2)  # amount
        r[5] = int(r[5]) + 1  # level
        ws.append(r)
    workbook = tmp_path / "上周商机.xlsx"
    book.save(workbook)

    page = watched.page
    watched.sign_in(live_server, "manager")
    page.click("#nav-data_import")
    page.set_input_files("#import-upload input[type=file]", str(workbook))
    page.wait_for_selector("#import-counts")
    counts = page.locator("#import-counts").inner_text()
    assert "opportunities" in counts and "5" in counts
    page.click("#import-confirm")
    page.wait_for_selector("#import-done", timeout=60_000)
    page.wait_for_load_state("networkidle")
    since = (AS_OF - timedelta(days=7)).isoformat()
    page.goto(f"{live_server}/funnel?since={since}")
    page.wait_for_selector("#funnel-movement-chart .main-svg")
    page.get_by_role("button", name=re.compile(r"^Advanced a level \(\d+\)")).click()
    advanced = page.locator("#funnel-list-advanced").inner_text()
    assert all(r[0] in advanced for r in mine)
    page.wait_for_load_state("networkidle")
    watched.assert_clean()


def test_brw007_click_a_level_and_see_exactly_its_deals(watched, live_server, demo_session):
    from data_access import queries

    page = watched.page
    watched.sign_in(live_server)
    page.goto(live_server + "/funnel")
    page.wait_for_selector("#funnel-levels-chart .funnellayer .point")
    page.click("#stage-link-3")
    page.wait_for_url(re.compile(r"level=3"))
    page.wait_for_selector("#funnel-stage-table .ag-row")
    period = Period(AS_OF.year)
    want = queries.stage_opportunities(demo_session, Scope.everything(), "3", period.start, period.end)
    assert f"({len(want):,})" in page.locator("#funnel-stage-table .panel-title").inner_text()
    first = page.locator("#funnel-stage-table .ag-row[row-index='0'] a").first.inner_text()
    assert first == want.iloc[0]["opp_code"]
    page.wait_for_load_state("networkidle")
    watched.assert_clean()


def test_brw008_review_mode_fits_a_projector_and_steps_with_the_arrow_keys(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_cookies([{"name": "lang", "value": "zh", "url": live_server}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/login")
    page.fill("#username", "manager")
    page.fill("#password", "demo-manager")
    page.click("#login-submit")
    page.wait_for_selector("#kpi-bookings-value")
    page.goto(live_server + "/funnel?review=1")
    page.wait_for_selector("#review-mode .main-svg")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "review.png"))
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920 and size[1] <= 1080, size  # nothing overflows the projector's screen
    assert not page.locator(".sr-navbar").is_visible()  # no chrome
    title = page.locator(".review-title").inner_text()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("t => document.querySelector('.review-title')?.innerText !== t", arg=title)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("t => document.querySelector('.review-title')?.innerText === t", arg=title)
    page.wait_for_load_state("networkidle")
    assert errors == []
    context.close()
