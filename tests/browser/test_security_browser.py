"""Hostile data and addresses in Chromium (issue 17, items 7 and 8), on a database of its own.

- An opportunity code ``OPZ1](https://evil.example/phish) x`` and a rep name written as a Markdown link were
  clickable off-site links in the grids: now they show as text, and every link stays on this server.
- Opening ``//evil.example/x`` on the server (its 404 page) and switching the language landed on evil.example.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, unquote, urlparse

import pytest

from data_access.db import session_factory
from data_access.users import create_user
from tests.browser.conftest import serving
from tests.builders import Seed
from tests.conftest import url_of

pytestmark = pytest.mark.browser
EVIL_CODE = "OPZ1](https://evil.example/phish) x"
EVIL_NAME = "[Click me](https://evil.example/phish)"


@pytest.fixture(scope="module")
def hostile_server(databases, tmp_path_factory) -> Iterator[str]:
    engine = databases.new_engine()
    with session_factory(engine)() as session:
        seed = Seed(session)
        team = seed.team("T1")
        boss = seed.rep("D1", team, role="director", name="Boss")
        rep = seed.rep("R1", team, name=EVIL_NAME)
        account = seed.account("A1", rep, name='=HYPERLINK("https://evil.example","x")')
        seed.opp(account, 100_000, 3, code=EVIL_CODE)
        create_user(session, "boss", "boss-password", "director", boss.rep_code)
        session.commit()
    try:
        with serving(url_of(engine), tmp_path_factory.mktemp("hostile"), workers=1) as base:
            yield base
    finally:
        engine.dispose()


def _sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", "boss")
    page.fill("#password", "boss-password")
    page.click("#login-submit")
    page.wait_for_url(base + "/")


def _hrefs(page) -> list[str]:
    return page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")


def test_brs001_hostile_codes_and_names_are_text_in_grids(browser, hostile_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "lang", "value": "en", "url": hostile_server}])
    page = context.new_page()
    _sign_in(page, hostile_server)
    page.goto(hostile_server + "/accounts/A1")
    cell = page.locator(".ag-row .ag-cell a", has_text="OPZ1").first
    cell.wait_for()
    assert cell.inner_text() == EVIL_CODE  # the whole code, shown as text
    href = urlparse(cell.get_attribute("href") or "")
    assert href.netloc == "" and unquote(href.path) == "/opportunities/" + EVIL_CODE
    page.wait_for_load_state("networkidle")
    assert [h for h in _hrefs(page) if "evil.example" in urlparse(h).netloc] == []
    page.goto(hostile_server + "/scorecards")
    name = page.locator("#sc-leaderboard .ag-row a").first
    name.wait_for()
    assert name.inner_text() == f"{EVIL_NAME} (R1)"
    assert name.get_attribute("href", timeout=2000).startswith("/scorecards?")
    page.wait_for_load_state("networkidle")
    assert [h for h in _hrefs(page) if "evil.example" in urlparse(h).netloc] == []
    page.goto(hostile_server + "/opportunities/" + quote(EVIL_CODE, safe=""))
    page.wait_for_selector("#opp-conditions")
    assert EVIL_CODE in page.inner_text("h1")
    context.close()


def test_brs002_the_language_switch_never_leaves_the_site(browser, hostile_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    left: list[str] = []
    page.on("request", lambda r: left.append(r.url) if "evil.example" in urlparse(r.url).netloc else None)
    _sign_in(page, hostile_server)
    page.goto(hostile_server + "//evil.example/x")
    page.wait_for_selector("#lang-switch")
    page.click("#lang-switch")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(hostile_server + "/") and urlparse(page.url).netloc == urlparse(hostile_server).netloc
    assert left == []
    context.close()
