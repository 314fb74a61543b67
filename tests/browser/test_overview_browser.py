"""The Overview in headless Chromium: tiles show the metrics, filters live in the URL, no errors."""

from __future__ import annotations

import re

import pytest

from components.formatting import cny, pct, times
from data_access.scope import Scope
from metrics.overview import overview_kpis
from metrics.period import Period
from tests.conftest import AS_OF

pytestmark = pytest.mark.browser


def _tile(page, name: str) -> str:
    return page.locator(f"#kpi-{name}-value").inner_text().strip()


def test_brw001_overview_tiles_show_the_metrics(watched, live_server, demo_session, tmp_path):
    page = watched.page
    page.goto(live_server + "/")
    page.wait_for_selector("#kpi-bookings-value")
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
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    watched.assert_clean()


def test_brw002_changing_the_year_updates_url_and_tiles(watched, live_server, demo_session):
    page = watched.page
    page.goto(live_server + "/")
    page.wait_for_selector("#kpi-bookings-value")
    page.locator("#filter-year").click()
    page.get_by_role("option", name=str(AS_OF.year - 1), exact=True).click()
    page.wait_for_url(re.compile(rf"period={AS_OF.year - 1}"))
    k = overview_kpis(demo_session, Scope.everything(), Period(AS_OF.year - 1), AS_OF)
    page.wait_for_function(
        "([id, want]) => document.getElementById(id)?.innerText.trim() === want",
        arg=["kpi-bookings-value", cny(k.bookings, "en")],
    )
    # the bookmarked address opens the same view
    page.wait_for_load_state("networkidle")
    page.goto(page.url)
    page.wait_for_selector("#kpi-bookings-value")
    assert _tile(page, "bookings") == cny(k.bookings, "en")
    watched.assert_clean()


def test_brw003_language_switch_and_navigation(watched, live_server):
    page = watched.page
    page.goto(live_server + "/")
    page.wait_for_selector("#kpi-bookings-value")
    page.wait_for_load_state("networkidle")
    page.locator("#lang-switch").click()
    page.wait_for_selector("text=签约额")
    page.locator("#nav-funnel").click()
    page.wait_for_url(re.compile(r"/funnel$"))
    page.wait_for_selector("text=商机漏斗")
    page.wait_for_load_state("networkidle")  # leave only once every request has finished
    page.goto(live_server + "/nowhere")
    page.wait_for_selector("#not-found")
    watched.assert_clean()
