"""The RAD matrix in headless Chromium: a click on a marker opens its account, a lasso lists accounts,
a region filter changes the markers."""

from __future__ import annotations

import re

import pytest

from components.formatting import count
from data_access import queries
from data_access.scope import Scope
from data_access.settings import load_settings
from metrics.rad import account_table
from tests.conftest import AS_OF

pytestmark = pytest.mark.browser


def _table(session, **kw):
    s = load_settings(session)
    rows = queries.rad_accounts(session, Scope.everything(), AS_OF.year, s.level_probabilities, AS_OF, **kw)
    return account_table(rows, s.rad_r_min, s.rad_a_max)


def test_brw101_click_a_marker_then_lasso_then_filter_a_region(watched, live_server, demo_session):
    page = watched.page
    watched.sign_in(live_server)
    page.goto(live_server + "/rad")
    page.wait_for_selector("#rad-scatter .scatterlayer .point")
    t = _table(demo_session)
    plotted = t[t["sow"].notna()]
    assert page.locator("#rad-count").inner_text() == f"{count(len(plotted), 'en')} accounts on the chart"

    # a click on a marker (a real mouse: hover, then press) opens that account's panel
    # the marker farthest from any other (markers at SOW 0% overlap: a press there may hit a neighbour)
    x, y = page.evaluate(
        """() => {
            const c = [...document.querySelectorAll('#rad-scatter .scatterlayer .point')].map(p => {
                const b = p.getBoundingClientRect();
                return [b.x + b.width / 2, b.y + b.height / 2, b.width];
            });
            let best = null, far = -1;
            for (const [x, y] of c) {
                let near = Infinity;
                for (const [u, v, w] of c) {
                    const d = Math.hypot(x - u, y - v) - w / 2;
                    if ((u !== x || v !== y) && d < near) near = d;
                }
                if (near > far) { far = near; best = [x, y]; }
            }
            return best;
        }"""
    )
    page.mouse.move(x - 15, y - 15)
    page.mouse.move(x, y, steps=5)
    page.wait_for_selector("#rad-scatter .hoverlayer .hovertext")
    page.mouse.down()
    page.mouse.up()
    page.wait_for_selector("#rad-account-name")
    # the label under the pointer when it pressed (neighbouring markers may overlap: read it after the press)
    hover = page.locator("#rad-scatter .hoverlayer .hovertext").text_content() or ""
    name = page.locator("#rad-account-name").inner_text()
    found = re.search(r"\((\w+)\)", hover)
    assert found, hover
    code = found.group(1)
    assert name == plotted.set_index("account_code").loc[code, "name"]
    assert page.locator("#rad-account-panel a[href='/accounts/" + code + "']").count() == 1
    page.wait_for_selector("#rad-selection-count")  # the click also selected its marker: a list of one
    assert page.locator("#rad-selection-count").inner_text() == "Selected accounts (1)"

    # a lasso around the whole plot lists every plotted account (it starts inside the plot, where a press
    # begins a lasso, and goes round just outside the plot's edges)
    area = page.locator("#rad-scatter .nsewdrag").bounding_box()
    left, top = area["x"], area["y"]
    right, bottom = left + area["width"], top + area["height"]
    start = (left + 5, top + 60)
    page.mouse.move(*start)
    page.mouse.down()
    for px, py in ((left - 8, top - 8), (right + 8, top - 8), (right + 8, bottom + 8), (left - 8, bottom + 8), start):
        page.mouse.move(px, py, steps=10)
    page.mouse.up()
    want = f"Selected accounts ({count(len(plotted), 'en')})"
    page.wait_for_function("w => document.getElementById('rad-selection-count')?.innerText === w", arg=want)
    assert page.locator("#rad-selection-grid .ag-row").count() > 0

    # a region: the address changes and so do the markers
    region = queries.account_regions_industries(demo_session, Scope.everything())[0][0]
    page.locator("#rad-region").click()
    page.get_by_role("option", name=region, exact=True).click()
    page.wait_for_url(re.compile("region="))
    in_region = _table(demo_session, region=region)
    want = f"{count(int(in_region['sow'].notna().sum()), 'en')} accounts on the chart"
    page.wait_for_function("w => document.getElementById('rad-count')?.innerText === w", arg=want)
    assert int(in_region["sow"].notna().sum()) < len(plotted)
    page.wait_for_load_state("networkidle")
    watched.assert_clean()
