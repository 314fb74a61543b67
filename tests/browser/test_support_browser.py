"""Sales support in Chromium (issue 20): a rep prices a quote in the calculator (a line below its margin floor is
marked as needing approval, the totals' GM% is the one computed here from the prices typed); the new pages fit a
390x844 phone and /risk is closed to a rep; a director opens a flag's list from its count and a due-soon bid's
deal from the calendar, and saves a threshold on /risk. Screenshots go to the folder the matrix uses
(``SALESRADAR_ARTIFACTS``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from components.formatting import cny_exact
from tests.browser.conftest import watched_context
from tests.browser.test_matrix_browser import artifacts
from tests.conftest import AS_OF

pytestmark = pytest.mark.browser

PHONE = (390, 844)
#: what the calculator says, per language
MARKED = {"en": "below floor: needs approval", "zh": "低于最低毛利，需审批"}
NOT_MARKED = {"en": "ok", "zh": "正常"}
WARNING = {"en": "1 line(s) below their margin floor", "zh": "1 行低于最低毛利"}
RISK_KINDS = ("unapproved_below_floor", "self_approved", "contract_below_quote", "discount_outlier", "event_cost_high")


@dataclass(frozen=True)
class Product:
    code: str
    line: str
    name: str
    list_price: float
    unit_cost: float
    floor: float  # the product's floor_margin, or the setting's default where it names none

    @property
    def list_margin(self) -> float:
        return (self.list_price - self.unit_cost) / self.list_price


def _no_sideways_scroll(page, where: str) -> None:
    """The page never scrolls sideways; a table wider than the screen scrolls inside its ``.week-scroll``."""
    wide, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= inner, (where, wide, inner)
    loose = page.evaluate(
        """w => Array.from(document.querySelectorAll('table'))
            .filter(t => t.scrollWidth > w && !(t.closest('.week-scroll')
                && t.closest('.week-scroll').getBoundingClientRect().right <= w + 0.5))
            .map(t => t.innerText.slice(0, 60))""",
        inner,
    )
    assert loose == [], (where, loose)


def _default_floor(demo_session) -> float:
    value = demo_session.execute(text("SELECT value FROM settings WHERE key = 'floor_margin'")).scalar_one()
    return float(json.loads(value) if isinstance(value, str) else value)


def _products(demo_session) -> list[Product]:
    default = _default_floor(demo_session)
    rows = demo_session.execute(
        text(
            "SELECT product_code, product_line, name, list_price, unit_cost, floor_margin FROM products "
            "ORDER BY product_code"
        )
    ).all()
    return [
        Product(str(c), str(ln), str(n), float(lp), float(uc), default if f is None else float(f))
        for c, ln, n, lp, uc, f in rows
    ]


def _two_products(demo_session) -> tuple[Product, Product]:
    """A product sold at list above its floor (one whose floor is the default setting), and one with a floor of
    its own that the test prices below it."""
    products = _products(demo_session)
    nulls = set(demo_session.execute(text("SELECT product_code FROM products WHERE floor_margin IS NULL")).scalars())
    first = next(p for p in products if p.code in nulls and p.list_margin > p.floor + 0.02 and p.list_price < 1e6)
    second = next(p for p in products if p.code not in nulls and p.code != first.code and p.unit_cost > 0)
    return first, second


def _search_text(product: Product, products: list[Product]) -> str:
    """The shortest start of the product's name found in no other product's option (a user types that much)."""
    others = [f"{p.line} · {p.name}" for p in products if p.code != product.code]
    for k in range(2, len(product.name) + 1):
        if not any(product.name[:k] in o for o in others):
            return product.name[:k]
    return product.name


def _pick(page, index: int, typed: str) -> None:
    """As a user picks in the dcc.Dropdown: click it, type part of the name, press Enter."""
    dropdown = page.locator(f"""[id='{{"index":{index},"type":"calc-product"}}']""")
    dropdown.click()
    search = page.locator(".dash-dropdown-content input.dash-dropdown-search")
    search.press_sequentially(typed)
    options = page.locator(".dash-dropdown-content [role=option]")
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('.dash-dropdown-content [role=option]').length === 1", timeout=5000
        )
    except Exception:
        raise AssertionError(f"typing {typed!r} left these options: {options.all_inner_texts()}") from None
    search.press("Enter")
    page.wait_for_selector(".dash-dropdown-content", state="detached")


def _output_of(request) -> str:
    """The outputs a Dash callback's request asks for (``..a.children...b.data..`` when there are several)."""
    try:
        return str(json.loads(request.post_data or "{}").get("output", ""))
    except ValueError:
        return ""


def _answered(page, action: Callable[[], None], output: str = "calc-result.children") -> None:
    """Does ``action`` and waits for the callback that redraws ``output`` to answer and its answer to be drawn
    (``wait_for_load_state`` answers at once after a click on a page that was idle once)."""
    with page.expect_response(lambda r: "_dash-update-component" in r.url and output in _output_of(r.request)):
        action()
    page.wait_for_function("() => document.querySelector('[data-dash-is-loading=true]') === null")


def _field(page, kind: str, index: int):
    return page.locator(f"""[id='{{"index":{index},"type":"{kind}"}}']""")


def _money(value: float, lang: str) -> str:
    """A unit price as the calculator writes it (every yuan; in 万 in Chinese)."""
    return cny_exact(value, lang)


def _result_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#calc-result table tbody tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )


def _stat(page, label: str) -> str:
    """The value of a figure in the calculator's totals, by its label."""
    return (
        page.locator("#calc-totals .week-stat", has=page.locator(".week-stat-label", has_text=label))
        .locator(".week-stat-value")
        .inner_text()
        .strip()
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_brw500_a_rep_prices_a_quote_and_the_line_below_its_floor_needs_approval(
    browser, live_server, demo_session, lang
):
    products = _products(demo_session)
    first, second = _two_products(demo_session)
    q1, q2 = 3, 2
    price2 = round(second.unit_cost / (1 - second.floor) * 0.9, 2)
    assert (price2 - second.unit_cost) / price2 < second.floor  # the test's own premise
    revenue = q1 * first.list_price + q2 * price2
    cost = q1 * first.unit_cost + q2 * second.unit_cost
    gm = f"{(revenue - cost) / revenue * 100:.1f}%"
    watched = watched_context(browser, live_server, lang)
    page = watched.page
    try:
        watched.sign_in(live_server, role="rep")
        page.goto(live_server + "/pricing")
        page.wait_for_selector(".calc-product")
        page.wait_for_load_state("networkidle")
        assert page.locator(".calc-product").count() == 3
        _pick(page, 0, _search_text(first, products))
        _field(page, "calc-qty", 0).fill(str(q1))
        _pick(page, 1, _search_text(second, products))
        _field(page, "calc-qty", 1).fill(str(q2))
        _field(page, "calc-price", 1).fill(f"{price2:.2f}")
        # the answer for all of it: two lines, the second at the typed price
        page.wait_for_function(
            """want => { const rows = document.querySelectorAll('#calc-result table tbody tr');
                return rows.length === 2 && rows[1].cells[3].innerText.trim() === want
                    && rows[0].cells[1].innerText.trim() === '3' && rows[1].cells[1].innerText.trim() === '2'; }""",
            arg=_money(price2, lang),
        )
        page.wait_for_function("() => document.querySelector('[data-dash-is-loading=true]') === null")
        rows = _result_rows(page)
        assert [r[0] for r in rows] == [first.name, second.name]
        assert rows[0][2] == rows[0][3] == _money(first.list_price, lang)
        assert rows[1][2] == _money(second.list_price, lang)
        assert rows[0][-1] == NOT_MARKED[lang], rows[0]
        assert rows[1][-1] == MARKED[lang], rows[1]
        assert page.locator("#calc-result tbody tr").nth(1).get_attribute("class") == "table-danger"
        assert "table-danger" not in (page.locator("#calc-result tbody tr").nth(0).get_attribute("class") or "")
        assert _stat(page, "GM%" if lang == "en" else "毛利率") == gm
        warning = page.inner_text("#calc-warning")
        assert WARNING[lang] in warning, warning
        if lang == "zh":
            assert "低于最低毛利" in warning
        page.screenshot(path=str(artifacts() / f"brw500-pricing-calculator-{lang}.png"), full_page=True)
        # one more line: a 4th, the lines picked kept and the answer unchanged
        _answered(page, lambda: page.click("#calc-add"))
        assert page.locator(".calc-product").count() == 4
        assert _field(page, "calc-product", 3).count() == 1
        assert first.name in _field(page, "calc-product", 0).inner_text()
        assert second.name in _field(page, "calc-product", 1).inner_text()
        assert _stat(page, "GM%" if lang == "en" else "毛利率") == gm
        assert len(_result_rows(page)) == 2
        page.screenshot(path=str(artifacts() / f"brw500-pricing-4-lines-{lang}.png"), full_page=True)
        watched.assert_clean()
    finally:
        page.context.close()


SUPPORT_PAGES = ("/support", "/support?tab=tech", "/pricing", "/risk")


def test_brw501_the_support_pages_fit_a_phone_and_risk_is_closed_to_a_rep(browser, live_server, demo_session):
    folder = artifacts()
    watched = watched_context(browser, live_server, "en", PHONE)
    page = watched.page
    try:
        watched.sign_in(live_server, role="manager")
        for path in SUPPORT_PAGES:
            page.goto(live_server + path)
            page.wait_for_selector(".page-title")
            page.wait_for_load_state("networkidle")
            name = re.sub(r"\W+", "-", path.strip("/"))
            page.screenshot(path=str(folder / f"brw501-{name}-manager-390x844.png"), full_page=True)
            _no_sideways_scroll(page, path)
        assert page.locator(".risk-flag").count() > 0  # the manager's /risk lists flags
        assert page.locator("#nav-risk").count() == 1
        # the calculator's answer on the phone: its wide table scrolls inside its panel
        products = _products(demo_session)
        first, _second = _two_products(demo_session)
        page.goto(live_server + "/pricing")
        page.wait_for_selector(".calc-product")
        page.wait_for_load_state("networkidle")
        _answered(page, lambda: _pick(page, 0, _search_text(first, products)))
        assert page.locator("#calc-result table tbody tr").count() == 1
        page.screenshot(path=str(folder / "brw501-pricing-calculator-manager-390x844.png"), full_page=True)
        _no_sideways_scroll(page, "/pricing with a line")
        watched.assert_clean()
    finally:
        page.context.close()
    watched = watched_context(browser, live_server, "en", PHONE)
    page = watched.page
    try:
        watched.sign_in(live_server, role="rep")
        page.goto(live_server + "/risk")
        page.wait_for_selector(".page-title")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(folder / "brw501-risk-rep-390x844.png"), full_page=True)
        assert page.locator(".alert", has_text="Risk control is for managers and directors.").count() == 1
        assert page.locator(".risk-flag, .risk-count").count() == 0
        assert page.locator("#nav-risk").count() == 0
        assert page.locator(".sr-navbar a[href='/risk']").count() == 0
        assert "Risk" not in page.locator(".sr-navbar").inner_text()
        _no_sideways_scroll(page, "/risk as the rep")
        watched.assert_clean()
    finally:
        page.context.close()


def _due_soon(demo_session) -> list[str]:
    """The deals of the bids still being prepared whose deadline is within 14 days of AS_OF (the calendar's red)."""
    return sorted(
        demo_session.execute(
            text(
                "SELECT o.opp_code FROM bids b JOIN opportunities o ON o.id = b.opportunity_id "
                "WHERE b.status = 'preparing' AND b.deadline BETWEEN :a AND :b"
            ),
            {"a": AS_OF, "b": AS_OF + timedelta(days=14)},
        ).scalars()
    )


def test_brw502_a_director_opens_a_flags_list_and_a_due_soon_bids_deal(browser, live_server, demo_session):
    folder = artifacts()
    watched = watched_context(browser, live_server, "en")
    page = watched.page
    try:
        watched.sign_in(live_server, role="director")
        page.wait_for_selector("#overview-risk .risk-count")
        on_overview = (
            page.locator("#overview-risk .risk-count", has_text="Discount outlier")
            .locator(".week-stat-value")
            .inner_text()
        )
        page.goto(live_server + "/risk")
        page.wait_for_selector(".risk-count")
        page.wait_for_load_state("networkidle")
        tile = page.locator(".risk-count", has_text="Discount outlier")
        figure = tile.locator(".week-stat-value").inner_text().strip()
        assert figure == on_overview.strip()
        assert int(figure.replace(",", "")) > 0  # the demo has a rep whose discounts stand out
        _answered(page, tile.click, "_pages_content.children")
        page.wait_for_url(re.compile(r"[?&]kind=discount_outlier(&|$)"))
        shown = [k for k in RISK_KINDS if page.locator(f"div#risk-{k}").count()]
        assert shown == ["discount_outlier"]
        section = page.locator("div#risk-discount_outlier")
        assert section.inner_text().startswith(f"Discount outlier ({figure})")
        assert section.locator(".risk-flag").count() == min(int(figure.replace(",", "")), 200)
        page.screenshot(path=str(folder / "brw502-risk-discount-outlier-en-1440x900.png"), full_page=True)
        # the calendar: due-soon bids in red, each one's deal a click away
        want = _due_soon(demo_session)
        assert want
        page.goto(live_server + "/support")
        page.wait_for_selector("tr.table-danger")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(folder / "brw502-support-calendar-en-1440x900.png"), full_page=True)
        red = page.eval_on_selector_all(
            "tr.table-danger a[href^='/opportunities/']", "links => links.map(a => a.innerText)"
        )
        assert sorted(red) == want
        due = page.locator(".week-stat", has=page.locator(".week-stat-label", has_text="Due in 14 days"))
        assert due.locator(".week-stat-value").inner_text().strip() == str(len(want))
        for code in sorted(set(want)):
            page.goto(live_server + "/support")
            page.wait_for_selector("tr.table-danger")
            page.wait_for_load_state("networkidle")
            _answered(page, page.locator("tr.table-danger a", has_text=code).first.click, "_pages_content.children")
            page.wait_for_url(live_server + f"/opportunities/{code}")
            page.wait_for_selector("#opp-quotes")
            assert page.inner_text(".page-title").startswith(f"{code} · ")
            assert page.locator("#opp-quotes", has_text="Quote versions").count() == 1
        page.screenshot(path=str(folder / "brw502-due-soon-deal-en-1440x900.png"), full_page=True)
        watched.assert_clean()
    finally:
        page.context.close()


@pytest.fixture()
def kept_thresholds(demo_engine) -> Iterator[None]:
    """The thresholds and the change log as they were before the test (the demo database is shared)."""
    from data_access.db import session_factory
    from data_access.models import Setting
    from data_access.settings import save_setting

    with session_factory(demo_engine)() as session:
        keys = ("floor_margin", "risk_thresholds")
        before = {k: v for k, v in session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys)))}
        top_log = session.execute(text("SELECT COALESCE(MAX(id), 0) FROM change_log")).scalar_one()
    yield
    with session_factory(demo_engine)() as session:
        for key, value in before.items():
            save_setting(session, key, value)
        session.execute(text("DELETE FROM change_log WHERE id > :t"), {"t": top_log})
        session.commit()


def test_brw503_a_director_saves_a_threshold_on_the_risk_page(browser, live_server, demo_session, kept_thresholds):
    """The thresholds form on /risk with every flag's section drawn below it: a changed limit is saved."""
    watched = watched_context(browser, live_server, "en")
    page = watched.page
    try:
        watched.sign_in(live_server, role="director")
        page.goto(live_server + "/risk")
        page.wait_for_selector("#risk-save")
        page.wait_for_load_state("networkidle")
        page.fill("input#risk-threshold-discount_gap", "12")
        _answered(page, lambda: page.click("#risk-save"), "risk-message.children")
        page.screenshot(path=str(artifacts() / "brw503-risk-thresholds-saved-en-1440x900.png"))
        assert page.inner_text("#risk-message").strip() == "Thresholds saved."
        demo_session.expire_all()
        stored = demo_session.execute(text("SELECT value FROM settings WHERE key = 'risk_thresholds'")).scalar_one()
        stored = json.loads(stored) if isinstance(stored, str) else stored
        assert stored["discount_gap"] == pytest.approx(0.12)
        watched.assert_clean()
    finally:
        page.context.close()
