"""Scorecards in headless Chromium: a rep opens their scorecard and sees the attainment of the metric."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from components.formatting import pct
from data_access.models import Rep
from data_access.scope import Scope
from metrics.period import Period
from metrics.views.kpis import overview_kpis
from tests.conftest import AS_OF

pytestmark = pytest.mark.browser


def test_brw201_a_rep_sees_their_attainment_and_a_what_if(watched, live_server, demo_session):
    page = watched.page
    watched.sign_in(live_server, role="rep")
    page.click("a[href='/scorecards']")
    page.wait_for_selector("#sc-attainment-value")
    rep_id = demo_session.scalar(select(Rep.id).where(Rep.rep_code == "R0001"))
    k = overview_kpis(demo_session, Scope.rep(rep_id), Period(AS_OF.year), AS_OF)
    assert page.locator("#sc-attainment-value").inner_text() == pct(k.attainment, "en")
    assert page.locator("#sc-gauge-revenue .indicatorlayer").count() == 1  # the gauge drew
    page.locator("#sc-whatif-pick input").first.check()
    page.wait_for_selector("#sc-whatif-attainment")
    assert re.search(r"1 deals add .*: attainment \d", page.locator("#sc-whatif-attainment").inner_text())
    page.wait_for_load_state("networkidle")
    watched.assert_clean()


def test_brw202_a_director_opens_a_scorecard_from_the_leaderboard(watched, live_server):
    page = watched.page
    watched.sign_in(live_server)
    page.goto(live_server + "/scorecards")
    page.wait_for_selector("#sc-leaderboard .ag-row")
    link = page.locator("#sc-leaderboard .ag-row[row-index='2'] a").first
    clicked = link.inner_text().strip()
    row = page.locator("#sc-leaderboard .ag-row[row-index='2']").first.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"rep=R\d+"))
    page.wait_for_selector("#sc-attainment-value")
    page.wait_for_load_state("networkidle")
    code = re.search(r"rep=(R\d+)", page.url)
    assert code is not None
    title = page.locator(".page-title").inner_text()
    # the scorecard of the rep whose row was clicked: their name and code in the title, the code in the row
    assert clicked in title and code.group(1) in title and code.group(1) in row, (clicked, title, row)
    assert page.locator("#sc-attainment-value").inner_text().endswith("%")
    watched.assert_clean()


def test_brw204_a_manager_opens_their_own_scorecard_by_address_and_stays_on_it(watched, live_server):
    """One rule for reps (issue 15): ``?rep=`` may name a manager's own row, as in the API; the rep picker shows
    it, so the filter bar does not "correct" the address back to the leaderboard."""
    page = watched.page
    watched.sign_in(live_server, role="manager")
    page.goto(live_server + "/scorecards?rep=M001")
    page.wait_for_selector("#sc-attainment-value")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # what a filter-bar callback would do to the address, it has done now
    assert "rep=M001" in page.url
    assert page.locator("#sc-attainment-value").count() == 1 and page.locator("#sc-board").count() == 0
    assert "M001" in page.locator(".page-title").inner_text()
    watched.assert_clean()


def test_brw205_the_leaderboard_writes_money_as_the_tiles_do_in_chinese(watched, live_server):
    """Issue 18: the grids wrote raw yuan ("37,994,700.00") and AG Grid's English paging bar inside the Chinese
    UI. Now a money cell reads 万/亿 with the full amount in its tooltip, and the grid's own words are Chinese."""
    page = watched.page
    page.context.add_cookies([{"name": "lang", "value": "zh", "url": live_server}])
    watched.sign_in(live_server)
    page.goto(live_server + "/scorecards")
    page.wait_for_selector("#sc-leaderboard .ag-row")
    cells = page.locator("#sc-leaderboard .ag-center-cols-container [col-id='open_pipeline']")
    texts = [cells.nth(i).inner_text() for i in range(min(cells.count(), 10))]
    assert texts and all(re.fullmatch(r"¥[\d,]+(\.\d+)?(万|亿)?|—", s) for s in texts), texts
    assert any(s.endswith(("万", "亿")) for s in texts), texts
    assert not any(re.search(r"\d{5,}|\d{1,3}(,\d{3}){2,}", s) for s in texts), texts  # no raw yuan
    panel = page.locator("#sc-rollup .ag-paging-panel").inner_text()
    assert "每页行数" in panel and "Page" not in panel and " of " not in panel, panel
    # every rep in one grid, ranked by attainment, pace and V coloured behind / on / ahead
    assert not page.locator("#sc-leaderboard .ag-paging-panel").is_visible()
    shown = page.locator("#sc-leaderboard .ag-center-cols-container [col-id='attainment']")
    ranked = [float(shown.nth(i).inner_text().rstrip("%")) for i in range(min(shown.count(), 10))]
    assert ranked == sorted(ranked, reverse=True) and len(ranked) >= 5, ranked
    coloured = page.locator("#sc-leaderboard [col-id='v'].cell-behind, #sc-leaderboard [col-id='v'].cell-ahead")
    assert coloured.count() > 0
    cells.first.hover()
    page.wait_for_selector(".ag-tooltip")
    full = page.locator(".ag-tooltip").inner_text().strip()
    assert re.fullmatch(r"¥\d{1,3}(,\d{3})*\.\d{2}", full), full
    watched.assert_clean()


def test_brw206_a_rep_on_a_phone(browser, live_server):
    """Issue 18, a rep on a 390x844 phone: the navbar folds behind its button, sign-in lands on their own
    scorecard, the team and rep pickers (nothing to pick) are not shown, and nothing scrolls sideways."""
    from tests.browser.conftest import Watched

    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    context.add_cookies([{"name": "lang", "value": "zh", "url": live_server}])
    watched = Watched(context.new_page())
    context.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
    page = watched.page
    try:
        watched.sign_in(live_server, role="rep")
        assert page.url.endswith("/scorecards")
        assert page.locator("#sc-attainment-value").is_visible()
        assert not page.locator("#nav-funnel").is_visible() and page.locator("#nav-toggler").is_visible()
        page.click("#nav-toggler")
        page.wait_for_selector("#nav-funnel", state="visible")
        assert page.locator("#filter-team").count() == 1 and not page.locator("#filter-team").is_visible()
        assert not page.locator("#filter-rep").is_visible()
        for path in ("/scorecards", "/funnel", "/"):
            page.goto(live_server + path)
            page.wait_for_selector(".page-title")
            page.wait_for_load_state("networkidle")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 390, (path, wide)
        watched.assert_clean()
    finally:
        context.close()
