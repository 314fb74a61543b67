"""/winloss in headless Chromium: a loss reason's link lists exactly its deals; the segment picker moves the URL.

Plotly's hover and click events do not fire in this headless Chromium, so the tests click the links that
stand beside every chart (the chart's clickData callback is tested over HTTP in test_winloss_page.py).
"""

from __future__ import annotations

import re

import pytest

from data_access import queries
from data_access.scope import Scope
from metrics.period import Period
from metrics.winloss import Drill, deals_behind, loss_pareto, segment_rates
from tests.conftest import AS_OF

pytestmark = pytest.mark.browser
YEAR = Period(AS_OF.year)


def test_wl050_click_the_top_loss_reason_and_see_exactly_its_deals(watched, live_server, demo_session, tmp_path):
    page = watched.page
    watched.sign_in(live_server)
    page.goto(live_server + "/winloss")
    page.wait_for_selector("#wl-pareto-chart .bars path")
    pareto = loss_pareto(queries.loss_reasons(demo_session, Scope.everything(), YEAR.start, YEAR.end))
    top = str(pareto.iloc[0]["reason"])
    link = page.locator("#wl-reason-link-0")
    assert link.inner_text() == top
    link.click()
    page.wait_for_url(re.compile(r"\?reason="))
    page.wait_for_selector("#wl-deals .ag-row")
    closed = queries.closed_deals(demo_session, Scope.everything(), YEAR.start, YEAR.end)
    want = deals_behind(closed, Drill("reason", top))["opp_code"].tolist()
    assert len(want) == int(pareto.iloc[0]["count"]) > 20
    assert f"· {len(want):,} deals" in page.locator("#wl-deals .panel-title").inner_text()
    assert page.locator("#wl-deals .ag-paging-row-summary-panel").inner_text().endswith(f"of {len(want)}")
    shown = [
        page.locator(f"#wl-deals .ag-center-cols-container .ag-row[row-index='{i}'] a").first.inner_text()
        for i in range(20)
    ]
    assert shown == want[:20]  # the first page, largest first, exactly the metric's deals
    assert page.locator("#wl-reason-link-0").get_attribute("class") == "fw-bold"  # the chosen reason stands out
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "winloss.png"), full_page=True)
    # a deal's link opens its opportunity page
    page.locator("#wl-deals .ag-row[row-index='0'] a").first.click()
    page.wait_for_url(re.compile(rf"/opportunities/{want[0]}$"))
    page.wait_for_selector("#opp-conditions")
    page.wait_for_load_state("networkidle")
    watched.assert_clean()


def test_wl051_the_segment_picker_and_the_reason_missing_prompt(watched, live_server, demo_session):
    page = watched.page
    watched.sign_in(live_server)
    page.goto(live_server + "/winloss")
    page.wait_for_selector("#wl-segment-chart .bars path")
    page.get_by_label("Industry", exact=True).check()
    page.wait_for_url(re.compile(r"segment=industry"))
    closed = queries.closed_deals(demo_session, Scope.everything(), YEAR.start, YEAR.end)
    first = segment_rates(closed, "industry").iloc[0]
    page.wait_for_function(
        "want => document.getElementById('wl-segment-link-0')?.innerText === want", arg=str(first["key"])
    )
    page.click("#wl-missing-link")
    page.wait_for_url(re.compile(r"segment=industry&reason=none$"))
    page.wait_for_selector("#wl-deals .ag-row")
    missing = deals_behind(closed, Drill("reason", "none"))
    assert page.locator("#wl-deals .ag-paging-row-summary-panel").inner_text().endswith(f"of {len(missing)}")
    assert page.locator("#wl-segment input:checked").get_attribute("value") == "industry"  # the cut stays
    page.wait_for_load_state("networkidle")
    watched.assert_clean()
