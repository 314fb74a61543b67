"""My week in Chromium on a 390x844 phone (issue 19): a rep plans next week and records a visit; the manager's team
week shows it. What the test writes into the shared demo database is removed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.browser.conftest import Watched

OUTCOME = "客户认可方案（浏览器测试）"


@pytest.fixture()
def undo(demo_engine) -> Iterator[None]:
    with demo_engine.connect() as conn:
        top = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM visits")).scalar_one()
        top_log = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM change_log")).scalar_one()
    yield
    with demo_engine.begin() as conn:
        conn.execute(text("DELETE FROM visits WHERE id > :t"), {"t": top})
        conn.execute(text("DELETE FROM change_log WHERE id > :t"), {"t": top_log})


def _phone(browser, live_server, lang: str = "en") -> tuple[Any, Watched]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    watched = Watched(context.new_page())
    context.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
    context.on("response", lambda r: watched.failed_requests.append(f"{r.url} {r.status}") if r.status >= 400 else None)
    return context, watched


def _no_sideways_scroll(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, wide


def _unplanned_account(demo_session) -> tuple[str, str]:
    """An account of R0001 with no visit of theirs in 2026-W48 (so the record is an unplanned one)."""
    row = demo_session.execute(
        text(
            "SELECT a.id, a.name FROM accounts a JOIN reps r ON r.id = a.owner_rep_id WHERE r.rep_code = 'R0001' "
            "AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.account_id = a.id AND v.rep_id = r.id "
            "AND v.visit_date BETWEEN '2026-11-23' AND '2026-11-29') ORDER BY a.id LIMIT 1"
        )
    ).first()
    assert row is not None
    return str(row[0]), str(row[1])


def _free_plans(demo_session) -> list[tuple[str, str]]:
    """Two (account id, day) of R0001 in 2026-W49 that their plan does not hold yet (the form adds a "visit")."""
    accounts = demo_session.execute(
        text(
            "SELECT a.id FROM accounts a JOIN reps r ON r.id = a.owner_rep_id WHERE r.rep_code = 'R0001' ORDER BY a.id"
        )
    ).scalars()
    taken = {
        (str(a), str(d)[:10])
        for a, d in demo_session.execute(
            text(
                "SELECT v.account_id, v.visit_date FROM visits v JOIN reps r ON r.id = v.rep_id "
                "WHERE r.rep_code = 'R0001' AND v.status = 'planned' AND v.kind = 'visit'"
            )
        )
    }
    days = ["2026-12-01", "2026-12-02"]
    free = [(str(a), d) for a in accounts for d in days if (str(a), d) not in taken]
    first = free[0]
    second = next(f for f in free if f[0] != first[0])
    return [first, second]


def _unplanned_of_r0001(demo_session) -> int:
    """Done visits of R0001 in 2026-W48 at accounts they had not planned that week, counted in SQL of its own."""
    return int(
        demo_session.execute(
            text(
                "SELECT COUNT(*) FROM visits v JOIN reps r ON r.id = v.rep_id WHERE r.rep_code = 'R0001' "
                "AND v.status = 'done' AND v.visit_date BETWEEN '2026-11-23' AND '2026-11-29' AND NOT EXISTS ("
                "SELECT 1 FROM visits p WHERE p.rep_id = v.rep_id AND p.account_id = v.account_id "
                "AND p.status = 'planned' AND p.visit_date BETWEEN '2026-11-23' AND '2026-11-29')"
            )
        ).scalar_one()
    )


def test_brw400_a_rep_plans_and_records_on_a_phone_and_the_manager_sees_it(browser, live_server, demo_session, undo):
    account_id, account_name = _unplanned_account(demo_session)
    unplanned_before = _unplanned_of_r0001(demo_session)
    context, watched = _phone(browser, live_server)
    page = watched.page
    try:
        watched.sign_in(live_server, role="rep")
        page.goto(live_server + "/visits")
        page.wait_for_selector("#plan-add")
        page.wait_for_load_state("networkidle")
        _no_sideways_scroll(page)
        plan_card = page.locator(".panel-card", has_text="Next week's plan")
        before = plan_card.locator(".week-item").count()
        for i, (value, day) in enumerate(_free_plans(demo_session)):
            page.select_option("#plan-account", value)
            page.select_option("#plan-date", day)
            page.fill("#plan-purpose", f"方案交流 {i}")
            page.click("#plan-add")
            page.wait_for_function(
                "n => document.querySelectorAll('.week-item-buttons [id*=visit-up]').length >= n", arg=before + i + 1
            )
            assert page.locator("#week-message .alert-success").count() == 1
            page.wait_for_load_state("networkidle")
        assert plan_card.locator(".week-item").count() == before + 2
        assert plan_card.get_by_text("方案交流 1").count() == 1
        # record a visit nobody planned, with its outcome
        page.click("#record-open")
        page.wait_for_selector("#record-save", state="visible")
        page.select_option("#record-account", account_id)
        page.wait_for_function("() => document.querySelectorAll('#record-contact option').length > 1")
        page.select_option("#record-contact", index=1)
        page.select_option("#record-kind", "visit")
        page.fill("#record-purpose", "需求沟通")
        page.fill("#record-outcome", OUTCOME)
        page.click("#record-save")
        page.wait_for_selector("#week-message .alert-success")
        page.wait_for_selector(f"text={OUTCOME}")
        _no_sideways_scroll(page)
        watched.assert_clean()
    finally:
        context.close()
    assert _unplanned_of_r0001(demo_session) == unplanned_before + 1
    context, watched = _phone(browser, live_server)
    page = watched.page
    try:
        watched.sign_in(live_server, role="manager")
        page.goto(live_server + "/visits")
        page.wait_for_selector(".week-table")
        row = page.locator(".week-table tr", has=page.locator("a[href*='rep=R0001']"))
        cells = row.locator("td").all_inner_texts()
        assert cells[3] == str(unplanned_before + 1), cells  # the rep's unplanned visits, the new one counted
        _no_sideways_scroll(page)
        row.locator("a").click()
        page.wait_for_selector(f"text={OUTCOME}")
        assert page.get_by_text(account_name).count() >= 1
        watched.assert_clean()
    finally:
        context.close()
