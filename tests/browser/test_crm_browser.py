"""A CRM's export on the Import page in Chromium (issue 22): the director picks "HubSpot deals export", sees the
CRM's stage map, drops the sample export and reads what the import would derive and leave unknown, in English
and in Chinese, at 1440x900 and on a 390x844 phone; a stage taken out of the map is named as the file's problem.
Nothing is confirmed: the live server's database is shared by the browser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import watched_context
from tests.browser.test_matrix_browser import artifacts

pytestmark = pytest.mark.browser

EXPORT = Path(__file__).resolve().parents[1] / "data" / "crm" / "hubspot-deals.csv"
SAID = {
    "en": ("HubSpot deals export", "6 deals read", "2 new reps from the owner names", "gross margin unknown"),
    "zh": ("HubSpot 交易导出", "读取交易 6 条", "按负责人姓名新建销售 2 人", "毛利未知"),
}


def _pick_hubspot(page, lang: str) -> None:
    page.wait_for_selector("#import-source")
    page.click("#import-source")
    page.get_by_text(SAID[lang][0], exact=True).click()
    page.wait_for_selector("#import-stages", state="visible")


@pytest.mark.parametrize(("lang", "size"), [("en", (1440, 900)), ("zh", (1440, 900)), ("zh", (390, 844))])
def test_brw700_a_hubspot_export_previews_what_it_derives(browser, live_server, lang, size):
    watched = watched_context(browser, live_server, lang, size)
    page = watched.page
    try:
        watched.sign_in(live_server, role="director")
        page.goto(live_server + "/import")
        _pick_hubspot(page, lang)
        stages = page.input_value("#import-stages")
        assert "Contract Sent = 5" in stages and "Closed Lost = lost" in stages
        page.set_input_files("#import-upload input[type=file]", str(EXPORT))
        page.wait_for_selector("#import-derived", timeout=60_000)
        said = page.inner_text("#import-derived")
        for words in SAID[lang][1:]:
            assert words in said, (words, said)
        assert page.is_enabled("#import-confirm")
        if size[0] < 576:  # the phone: nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= size[0] + 1
        page.screenshot(path=str(artifacts() / f"brw700-import-crm-{lang}-{size[0]}x{size[1]}.png"), full_page=True)
        # a stage taken out of the map: the file's problem, and nothing to confirm
        page.fill("#import-stages", stages.replace("Contract Sent = 5", ""))
        page.click("#import-stages-apply")
        page.wait_for_selector("text=Contract Sent", timeout=60_000)
        page.wait_for_function("() => document.querySelector('#import-confirm').disabled")
        assert "not in the stage map" in page.inner_text("#import-preview")
        watched.assert_clean()
    finally:
        page.context.close()
