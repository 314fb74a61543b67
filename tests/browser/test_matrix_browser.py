"""Issue 18's done-when, in Debian's Chromium: every page at 1440x900, 1920x1080, 1280x720 and 390x844, in both
languages. No page scrolls sideways; the Chinese pages show no English word outside the allow-list and no raw
amount (more than four digits before the decimal point: amounts are written in 万/亿); every Overview tile opens
its list; the review's slides hold a deal list; the funnel's waterfall adds up and ends at the V value's
pipeline. Each page is kept as a screenshot in the test run's folder (``SALESRADAR_ARTIFACTS``, default
``test-artifacts/``), which CI keeps as an artifact."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import ROOT, Watched

SIZES = ((1440, 900), (1920, 1080), (1280, 720), (390, 844))
LANGS = ("zh", "en")
#: Each page as a director opens it (the rep's phone is test_brw206's)
PAGES = (
    ("overview", "/"),
    ("overview-list", "/?list=open"),
    ("rad", "/rad"),
    ("funnel", "/funnel"),
    ("funnel-level", "/funnel?level=3"),
    ("scorecards", "/scorecards"),
    ("scorecard", "/scorecards?rep=R0001"),
    ("taskbook", "/scorecards?view=taskbook&rep=R0001"),
    ("winloss", "/winloss?outcome=lost"),
    ("account", "/accounts/AC0001"),
    ("opportunity", "/opportunities/OP0000001"),
    ("import", "/import"),
    ("review-team", "/funnel?review=1"),
    ("review-rep", "/funnel?review=1&rep=R0001"),
    ("visits", "/visits"),
    ("visits-team", "/visits?team=1"),
    ("visits-rep", "/visits?rep=R0001"),
    ("events", "/events"),
    ("support", "/support"),
    ("support-tech", "/support?tab=tech"),
    ("pricing", "/pricing"),
    ("risk", "/risk"),
    ("opportunity-quotes", "/opportunities/OP0000007"),  # the demo's deal with three quote versions
    ("actions", "/actions"),
    ("actions-team", "/actions?team=1"),
)
#: Latin words a Chinese page may show: the method's own terms, file formats, the language switch, the user
ALLOWED = {"RAD", "BP", "SOW", "V", "GM", "TOP", "CSV", "Excel", "csv", "xlsx", "zip", "PDF", "Ctrl", "English"}
ALLOWED |= {"director", "manager", "rep"}
ALLOWED |= {"VIP"}  # the deck's own word for the R accounts' events (VIP 活动)
ALLOWED |= {"POC"}  # a technical support kind (POC 测试)
ALLOWED |= {"AP", "IP", "TB"}  # the price list's product names (企业级无线AP, IP话机, 对象存储年度订阅（TB）)
WORD = re.compile(r"(?<![A-Za-z0-9_@.-])[A-Za-z][A-Za-z]+(?![A-Za-z0-9_])")
AMOUNT = re.compile(r"(?<![A-Za-z0-9.,])(\d{1,3}(?:,\d{3})+|\d{5,})(?:\.\d+)?(?!\d)")


def artifacts() -> Path:
    backend = os.environ.get("SALESRADAR_TEST_BACKEND", "sqlite")
    folder = Path(os.environ.get("SALESRADAR_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots" / backend
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def english_words(text: str) -> list[str]:
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED})


def raw_amounts(text: str) -> list[str]:
    return sorted({m for m in AMOUNT.findall(text) if len(m.replace(",", "")) > 4})


def test_brw300_the_text_checks_catch_what_they_look_for():
    """The checks themselves, on literal text: they must fail on what issue 18 found."""
    found = english_words("签约额 Page Size: 20 · 拜访 visit · RAD 分类 · OP0002075 · a@b.cn")
    assert found == ["Page", "Size", "visit"]
    assert raw_amounts("¥37,994,700.00 · 20785000 · ¥2,791,200.00") == ["2,791,200", "20785000", "37,994,700"]
    assert raw_amounts("¥4,294万 · 2026年11月27日 · 1,241 · OP0002075 · HT0000691 · 85.7%") == []


@pytest.fixture(scope="module")
def director_at(browser, live_server) -> Iterator[Any]:
    """A signed-in director's page at a size and in a language, one browser context each (kept for the module)."""
    opened: dict[tuple[int, int, str], Watched] = {}

    def at(width: int, height: int, lang: str) -> Watched:
        if (width, height, lang) not in opened:
            phone = width < 576
            context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone)
            context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
            watched = Watched(context.new_page())
            context.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
            context.on("weberror", lambda e: watched.console_errors.append(str(e.error)))
            watched.sign_in(live_server)
            opened[(width, height, lang)] = watched
        return opened[(width, height, lang)]

    yield at
    for watched in opened.values():
        watched.page.context.close()


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_brw301_every_page_fits_and_speaks_the_viewers_language(
    director_at, live_server, width, height, lang, name, path
):
    """One page at one size in one language (``-k pricing`` runs one page's)."""
    watched = director_at(width, height, lang)
    page, folder, problems = watched.page, artifacts(), []
    page.goto(live_server + path)
    page.wait_for_selector(".page-title, .review-title")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(folder / f"{name}-{lang}-{width}x{height}.png"), full_page=True)
    wide, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if wide > inner:
        problems.append(f"{path}: scrolls sideways ({wide} > {inner})")
    if lang == "zh":
        text = page.evaluate("document.body.innerText")
        if words := english_words(text):
            problems.append(f"{path}: English in the Chinese page {words[:12]}")
        if amounts := raw_amounts(text):
            problems.append(f"{path}: raw amounts {amounts[:8]}")
    assert problems == []
    watched.assert_clean()


def test_brw302_every_overview_tile_opens_its_list_in_view(director_at, live_server):
    """Each tile is a link to the list behind its number (?list=, bookmarkable): clicked, the list is drawn and
    brought into view, and its title sums to the tile's figure."""
    watched = director_at(1440, 900, "zh")
    page = watched.page
    page.goto(live_server + "/")
    page.wait_for_selector("#kpi-bookings-value")
    names = page.eval_on_selector_all("a.kpi-link", "links => links.map(a => a.id)")
    assert len(names) == 7
    for link_id in names:
        page.goto(live_server + "/")
        page.wait_for_selector(f"#{link_id}")
        page.click(f"#{link_id}")
        page.wait_for_selector("#overview-list .ag-row")
        key = parse_qs(urlparse(page.url).query)["list"][0]
        assert key in ("bookings", "open", "due", "won", "overdue"), page.url
        page.wait_for_function("document.querySelector('#overview-list').getBoundingClientRect().top < 200")
        if link_id in ("kpi-bookings-link", "kpi-open-pipeline-link", "kpi-overdue-link"):
            tile = page.inner_text(f"#{link_id.removesuffix('-link')}-value")
            assert page.inner_text("#overview-list .panel-title").endswith(" · " + tile)
    watched.assert_clean()


def test_brw303_a_review_slide_holds_the_reps_deals_and_the_team_slide_its_ranking(director_at, live_server):
    watched = director_at(1920, 1080, "zh")
    page = watched.page
    page.goto(live_server + "/funnel?review=1")
    page.wait_for_selector("#review-ranking tbody tr")
    page.click("#review-next")
    page.wait_for_selector("#review-deals tbody tr")
    assert "第 1/" in page.inner_text(".review-sub")
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920 and size[1] <= 1080, size
    watched.assert_clean()


def test_brw304_the_waterfall_adds_up_and_ends_at_the_v_values_pipeline(director_at, live_server):
    """Start + the steps (new and increased add, the rest take away) = end; the end is the pipeline due in the
    period that the V gauge states under it."""
    watched = director_at(1440, 900, "en")
    page = watched.page
    page.goto(live_server + "/funnel")
    page.wait_for_selector("#funnel-movement-chart .main-svg")
    bars = page.evaluate(
        "(() => { const d = document.querySelector('#funnel-movement-chart .js-plotly-plot').data[0];"
        " return {x: d.x, y: d.y, base: d.base}; })()"
    )
    heights = dict(zip(bars["x"], bars["y"], strict=True))
    start, end = heights["Start"], heights["End"]
    added = heights["New"] + heights["Increased"]
    taken = heights["Decreased"] + heights["Won"] + heights["Lost"] + heights["Pushed out of period"]
    assert start + added - taken == pytest.approx(end, abs=0.01)
    caption = page.inner_text("#funnel-v-gauge-caption")
    note = page.inner_text("#funnel-movement-base")
    due = re.search(r"pipeline due (¥[\d.,]+[KMB]?)", caption)
    assert due is not None and due.group(1) in note, (caption, note)
    watched.assert_clean()


def test_brw305_the_charts_draw_with_the_apps_small_plotly_bundle(browser, live_server):
    """dcc.Graph uses the partial bundle from assets/ (window.Plotly) and never fetches the full plotly.js."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    watched = Watched(context.new_page())
    fetched: list[str] = []
    context.on("request", lambda r: fetched.append(r.url))
    context.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
    try:
        watched.sign_in(live_server)
        watched.page.goto(live_server + "/funnel")
        watched.page.wait_for_selector("#funnel-levels-chart .main-svg")
        watched.page.wait_for_selector("#funnel-v-gauge-chart .main-svg")
        assert [u for u in fetched if "plotly-finance.min.js" in u]
        assert [u for u in fetched if re.search(r"/plotly(\.min)?\.js", u)] == []
        assert watched.page.evaluate("window.Plotly.version").startswith("4.")
        watched.assert_clean()
    finally:
        context.close()
