"""Screenshot a page of a running SalesRadar in Debian's headless Chromium.

python scripts/screenshot.py http://127.0.0.1:8050/ docs/overview.png [--lang en] [--width 1440 --height 900]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--user", default=None, help="sign in first, as this user")
    parser.add_argument("--wait", default=".page-title, #login-form", help="CSS selector that means 'drawn'")
    parser.add_argument("--password", default=None)
    parser.add_argument("--element", default=None, help="CSS selector: shoot this element only, not the page")
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": args.width, "height": args.height}, locale=args.lang)
        host = args.url.split("/")[2].split(":")[0]
        context.add_cookies([{"name": "lang", "value": args.lang, "domain": host, "path": "/"}])
        page = context.new_page()
        if args.user:
            origin = "/".join(args.url.split("/")[:3])
            page.goto(origin + "/login")
            page.fill("#username", args.user)
            page.fill("#password", args.password or "")
            page.click("#login-submit")
            page.wait_for_load_state("networkidle")
        page.goto(args.url)
        page.wait_for_selector(args.wait, timeout=20_000)
        page.wait_for_load_state("networkidle")
        if args.element:
            page.locator(args.element).first.screenshot(path=args.out)
        else:
            page.screenshot(path=args.out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
