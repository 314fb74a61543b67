"""Next best actions and the forecast in Chromium (issue 21): the director's funnel shows the forecast (P10 / P50 /
P90 and the chance to make the quota), the track record of the last 8 quarters and the V value by RAD class, in
English and in Chinese; a rep's My week on a 390x844 phone holds their actions card, whose "All my actions" opens
their own list; the director goes from the count per team to a team's count per rep to one rep's list; a rep's
scorecard holds their actions and their forecast. Screenshots go to the folder the matrix uses
(``SALESRADAR_ARTIFACTS``)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from components.i18n_plan import PLAN
from tests.browser.conftest import watched_context
from tests.browser.test_matrix_browser import artifacts, english_words

pytestmark = pytest.mark.browser

PHONE = (390, 844)
#: the callbacks that simulate the forecast and replay eight quarters may take a while on a busy machine
SLOW = 90_000
#: the figures' labels, per language
FIGURES = {
    "en": ("P10 (low)", "P50 (likely)", "P90 (high)", "Chance to make the quota"),
    "zh": ("P10（保守）", "P50（最可能）", "P90（乐观）", "完成指标的概率"),
}
#: the track record's eight quarters: the last full ones before 2026-11-27's (Q4 2026)
TRACKED = ((2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3))
QUARTERS = {"en": [f"Q{q} {y}" for y, q in TRACKED], "zh": [f"{y}年第{q}季度" for y, q in TRACKED]}
CLASSES = {
    "en": ("R · Retention", "A · Acquisition", "D · Development"),
    "zh": ("R · 保持型", "A · 开拓型", "D · 发展型"),
}
#: the forecast's and the track record's English labels (their fixed words; none may show on a Chinese page)
ENGLISH_LABELS = (
    "P10 (low)",
    "P50 (likely)",
    "P90 (high)",
    "Chance to make the quota",
    "Booked",
    "Track record",
    "Actual within P10-P90",
    "Weighted pipeline",
    "In range",
    "V value by RAD class",
    "Retention",
    "Acquisition",
    "Development",
    "Rates by level",
    "The deals that matter most",
)


def _settled(page) -> None:
    """Every callback answered and drawn: nothing loading, nothing in flight."""
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=true]')"
        " && !document.querySelector('._dash-loading-callback')",
        timeout=SLOW,
    )
    page.wait_for_load_state("networkidle")


def _stats(page, selector: str) -> dict[str, str]:
    """A row of figures as {label: value}."""
    pairs = page.eval_on_selector_all(
        f"{selector} .week-stat",
        """stats => stats.map(s => [s.querySelector('.week-stat-label').innerText.trim(),
                                      s.querySelector('.week-stat-value').innerText.trim()])""",
    )
    return dict(pairs)


def _rows(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} table tbody tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )


def _forecast_shown(page, lang: str) -> None:
    """The forecast's figures, the track record and the V value by class, as ``lang`` writes them."""
    page.wait_for_selector("#forecast-panel #forecast-figures", timeout=SLOW)
    figures = _stats(page, "#forecast-figures")
    for label in FIGURES[lang]:
        assert label in figures, (label, figures)
    for label in FIGURES[lang][:3]:
        assert figures[label].startswith("¥"), (label, figures[label])
    chance = figures[FIGURES[lang][3]]
    assert re.fullmatch(r"\d{1,3}%", chance), chance  # the demo sets a quota for the quarter
    page.wait_for_selector("#forecast-track table", timeout=SLOW)
    rows = _rows(page, "#forecast-track")
    assert [r[0] for r in rows] == QUARTERS[lang], rows
    for row in rows:
        assert all(cell.startswith("¥") for cell in row[1:6]), row
    note = page.inner_text("#forecast-track")
    assert ("Actual within P10-P90" if lang == "en" else "实际落在 P10-P90 之间的季度占") in note, note
    page.wait_for_selector("#forecast-classes table", timeout=SLOW)
    classes = [r[0] for r in _rows(page, "#forecast-classes")]
    for name in CLASSES[lang]:
        assert name in classes, (name, classes)


def test_brw600_the_director_sees_the_forecast_its_track_record_and_v_by_class(browser, live_server):
    folder = artifacts()
    watched = watched_context(browser, live_server, "en")
    page = watched.page
    try:
        watched.sign_in(live_server, role="director")
        page.goto(live_server + "/funnel")
        page.wait_for_selector("#forecast-panel")
        _forecast_shown(page, "en")
        # the funnel opens on the year as of 2026-11-27
        assert page.inner_text("#forecast-panel").startswith("Forecast: what will land in 2026")
        _settled(page)
        page.screenshot(path=str(folder / "brw600-funnel-forecast-en-1440x900.png"), full_page=True)
        # the same page in Chinese, through the language switch
        page.click("#lang-switch")
        page.wait_for_selector("text=P50（最可能）", timeout=SLOW)
        page.wait_for_selector("text=历史验证：近 8 个季度")
        _forecast_shown(page, "zh")
        _settled(page)
        page.screenshot(path=str(folder / "brw600-funnel-forecast-zh-1440x900.png"), full_page=True)
        shown = "\n".join(
            page.locator(".panel-card", has=page.locator(s)).first.inner_text()
            for s in ("#forecast-figures", "#forecast-track", "#forecast-classes")
        )
        assert "历史验证" in shown
        assert [label for label in ENGLISH_LABELS if label in shown] == []
        assert english_words(shown) == [], english_words(shown)
        watched.assert_clean()
    finally:
        page.context.close()


def _no_sideways_scroll(page, where: str) -> None:
    wide, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= inner + 1, (where, wide, inner)


def _kind_titles(lang: str) -> dict[str, str]:
    return {k.removeprefix("action.kind."): v[lang] for k, v in PLAN.items() if k.startswith("action.kind.")}


def _groups(page, within: str, lang: str) -> dict[str, list[str]]:
    """The action groups under ``within``: {kind: the hrefs of its lines}, each group's heading its kind's title."""
    titles = _kind_titles(lang)
    found = page.eval_on_selector_all(
        f"{within} div[id^='actions-']",
        """groups => groups.filter(g => g.querySelector(':scope > .action-kind')).map(g => [
            g.id.slice('actions-'.length),
            g.querySelector(':scope > .action-kind').innerText.trim(),
            Array.from(g.querySelectorAll('li.action-item')).map(li => {
                const a = li.querySelector('a'); return a ? a.getAttribute('href') : ''; })])""",
    )
    groups: dict[str, list[str]] = {}
    for kind, heading, hrefs in found:
        assert kind in titles, (kind, heading)
        assert heading.startswith(titles[kind]), (kind, heading)
        assert hrefs, (kind, "a group without a line")
        groups[kind] = hrefs
    return groups


def _lines_link_to_their_subject(groups: dict[str, list[str]], rep_code: str) -> None:
    for kind, hrefs in groups.items():
        for href in hrefs:
            if kind == "plan_next_week":  # a line about the rep's own week links to it
                assert href == f"/visits?rep={rep_code}", (kind, href)
            else:
                assert re.fullmatch(r"/(accounts|opportunities)/[A-Za-z0-9]+", href), (kind, href)


def _owned_by(demo_session, rep_code: str) -> tuple[set[str], set[str]]:
    """The accounts and the deals ``rep_code`` owns."""
    accounts = set(
        demo_session.execute(
            text("SELECT a.account_code FROM accounts a JOIN reps r ON r.id = a.owner_rep_id WHERE r.rep_code = :c"),
            {"c": rep_code},
        ).scalars()
    )
    deals = set(
        demo_session.execute(
            text("SELECT o.opp_code FROM opportunities o JOIN reps r ON r.id = o.owner_rep_id WHERE r.rep_code = :c"),
            {"c": rep_code},
        ).scalars()
    )
    return accounts, deals


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_brw601_a_rep_sees_their_actions_on_my_week_on_a_phone_and_opens_them_all(
    browser, live_server, demo_session, lang
):
    rep_code = "R0001"
    folder = artifacts()
    watched = watched_context(browser, live_server, lang, PHONE)
    page = watched.page
    try:
        watched.sign_in(live_server, role="rep")
        page.goto(live_server + "/visits")
        page.wait_for_selector("#actions-card")
        _settled(page)
        page.screenshot(path=str(folder / f"brw601-my-week-actions-{lang}-390x844.png"), full_page=True)
        card = page.locator("#actions-card")
        assert card.is_visible()
        title = card.locator(".panel-title").first.inner_text().strip()
        assert title.startswith(PLAN["actions.mine"][lang]), title
        groups = _groups(page, "#actions-card", lang)
        assert groups, "no group of actions on My week"
        _lines_link_to_their_subject(groups, rep_code)
        # the card shows at most three lines of each kind
        assert all(len(h) <= 3 for h in groups.values()), groups
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0] + 1, box
        _no_sideways_scroll(page, "/visits")
        # all of them: the rep's own list
        page.locator("#actions-card a", has_text=PLAN["actions.open"][lang]).click()
        page.wait_for_url(live_server + "/actions")
        page.wait_for_selector("#actions-list")
        _settled(page)
        page.screenshot(path=str(folder / f"brw601-my-actions-{lang}-390x844.png"), full_page=True)
        assert page.locator(".panel-title", has_text=PLAN["actions.mine"][lang]).count() == 1
        assert page.locator("#actions-per-team").count() == 0
        assert page.locator("#actions-per-rep").count() == 0
        everything = _groups(page, "#actions-list", lang)
        assert set(groups) <= set(everything), (groups, everything)
        for kind, hrefs in groups.items():
            assert set(hrefs) <= set(everything[kind]), kind
        _lines_link_to_their_subject(everything, rep_code)
        accounts, deals = _owned_by(demo_session, rep_code)
        for hrefs in everything.values():
            for href in hrefs:
                if href.startswith("/accounts/"):
                    assert href.removeprefix("/accounts/") in accounts, href
                elif href.startswith("/opportunities/"):
                    assert href.removeprefix("/opportunities/") in deals, href
        others = set(
            demo_session.execute(
                text("SELECT name FROM reps WHERE rep_code <> :c AND role = 'rep'"), {"c": rep_code}
            ).scalars()
        )
        listed = page.inner_text("#actions-list")
        assert [name for name in others if name in listed] == []
        _no_sideways_scroll(page, "/actions")
        watched.assert_clean()
    finally:
        page.context.close()


def test_brw602_the_director_goes_from_the_teams_to_a_team_to_a_rep(browser, live_server, demo_session):
    folder = artifacts()
    watched = watched_context(browser, live_server, "en")
    page = watched.page
    try:
        watched.sign_in(live_server, role="director")
        page.goto(live_server + "/actions")
        page.wait_for_selector("#actions-per-team table")
        _settled(page)
        page.screenshot(path=str(folder / "brw602-actions-per-team-en-1440x900.png"), full_page=True)
        teams = set(demo_session.execute(text("SELECT name FROM teams")).scalars())
        listed = [r[0] for r in _rows(page, "#actions-per-team")]
        assert listed and set(listed) <= teams, (listed, teams)
        assert page.locator("#actions-per-rep").count() == 0
        first = page.locator("#actions-per-team table tbody tr a").first
        team_name = first.inner_text().strip()
        team_id = demo_session.execute(text("SELECT id FROM teams WHERE name = :n"), {"n": team_name}).scalar_one()
        first.click()
        page.wait_for_url(re.compile(rf"/actions\?team={team_id}$"))
        page.wait_for_selector("#actions-per-rep table")
        _settled(page)
        page.screenshot(path=str(folder / "brw602-actions-per-rep-en-1440x900.png"), full_page=True)
        assert page.locator("#actions-per-team").count() == 0
        reps = dict(
            demo_session.execute(text("SELECT name, rep_code FROM reps WHERE team_id = :t"), {"t": team_id}).all()
        )
        names = [r[0] for r in _rows(page, "#actions-per-rep")]
        assert names and set(names) <= set(reps), (names, reps)
        link = page.locator("#actions-per-rep table tbody tr a").first
        rep_name = link.inner_text().strip()
        link.click()
        page.wait_for_url(re.compile(rf"/actions\?team={team_id}&rep={reps[rep_name]}$"))
        page.wait_for_selector(f".panel-title:text-is('Actions of {rep_name}')")
        page.wait_for_selector("#actions-list")
        _settled(page)
        page.screenshot(path=str(folder / "brw602-actions-of-a-rep-en-1440x900.png"), full_page=True)
        assert page.locator("#actions-per-rep").count() == 0
        assert page.locator("a", has_text="Back to the team").get_attribute("href") == f"/actions?team={team_id}"
        accounts, deals = _owned_by(demo_session, reps[rep_name])
        for hrefs in _groups(page, "#actions-list", "en").values():
            for href in hrefs:
                if href.startswith("/accounts/"):
                    assert href.removeprefix("/accounts/") in accounts, href
                elif href.startswith("/opportunities/"):
                    assert href.removeprefix("/opportunities/") in deals, href
        watched.assert_clean()
    finally:
        page.context.close()


def test_brw603_a_reps_scorecard_holds_their_actions_and_their_forecast(browser, live_server):
    folder = artifacts()
    watched = watched_context(browser, live_server, "en")
    page = watched.page
    try:
        watched.sign_in(live_server, role="rep")
        page.goto(live_server + "/scorecards")
        page.wait_for_selector("#actions-card")
        page.wait_for_selector("#forecast-panel")
        page.wait_for_selector("#forecast-panel #forecast-figures", timeout=SLOW)
        page.wait_for_selector("#forecast-track table", timeout=SLOW)
        _settled(page)
        page.screenshot(path=str(folder / "brw603-rep-scorecard-plan-en-1440x900.png"), full_page=True)
        figures = _stats(page, "#forecast-figures")
        for label in FIGURES["en"]:
            assert label in figures, (label, figures)
        for label in FIGURES["en"][:3]:
            assert figures[label].startswith("¥"), (label, figures[label])
        assert page.locator("#forecast-classes").count() == 0  # a rep's scorecard has no V value by class
        title = page.locator("#actions-card .panel-title").first.inner_text().strip()
        assert title.startswith("Actions of "), title
        groups = _groups(page, "#actions-card", "en")
        assert groups
        _lines_link_to_their_subject(groups, "R0001")
        watched.assert_clean()
    finally:
        page.context.close()
