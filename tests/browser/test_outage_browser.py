"""The database stops under an open page (issue 17, item 11), in Chromium: the next callback gets a 503, the
page shows the notice in the viewer's language, and once the database is back it reloads by itself."""

from __future__ import annotations

import pytest

from tests.conftest import BACKEND
from tests.unit.test_outage import outage_server  # noqa: F401  (a throw-away PostgreSQL under the real server)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(BACKEND != "postgresql", reason="runs in the PostgreSQL pass of scripts/test"),
]


def test_out101_the_page_says_the_database_is_away_and_comes_back_by_itself(browser, outage_server):  # noqa: F811
    base, pg, _log = outage_server
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "lang", "value": "zh", "url": base}])
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", "boss")
    page.fill("#password", "boss-password")
    page.click("#login-submit")
    page.wait_for_url(base + "/")
    page.wait_for_selector(".page-title")
    page.wait_for_load_state("networkidle")
    pg.stop()
    page.click("#nav-funnel")  # a navigation inside the app: the router's callback meets the outage
    notice = page.locator("#outage-notice")
    notice.wait_for(timeout=15_000)
    assert notice.inner_text() == "数据库暂时无法连接，正在自动重试…"
    pg.start()
    page.wait_for_selector("#outage-notice", state="detached", timeout=30_000)  # the page reloaded itself
    page.wait_for_selector(".page-title")
    assert page.url == base + "/funnel"
    context.close()
