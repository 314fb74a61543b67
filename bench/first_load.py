"""First loads in headless Chromium (issue 18): how long a page takes from the address to its figures, the
way a person opens it, on the default demo (4,000 deals), and where that time goes.

    .venv/bin/python bench/first_load.py [--runs 3]

It builds (or reuses) the default ``salesradar demo`` database under bench/.data, starts ``salesradar run``
with kept results and the warm-up off (``SALESRADAR_KEEP_RESULTS=0``, ``SALESRADAR_WARM_UP=0``: every page
is drawn for the first time), signs in as the director in Debian's Chromium, and opens each page and each drill
in a new browser tab with an empty cache (``--runs`` times, each in a new context). For each it records:

- ``load``: from the navigation's start until the page's own content is on screen and its last callback has
  answered (what the person waits for), with the bundles in the browser's cache (the app already open), and
  again with an empty cache (the first visit of the day);
- ``bundles``: when the last JavaScript or CSS bundle had arrived (the app's and Dash's);
- ``callbacks``: the Dash callbacks the page posts (how many, and the round trip of the slowest).

A drill's own address (a bookmarked list) is opened the same way, as a page. Then each drill as a person makes
it: the page open, its link clicked, until the list is drawn. The medians go into docs/performance.md between
the FIRSTLOAD markers. Targets: below 1.2 s for every page, below 1 s for a drill.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from run import build, database_url, started, write_doc  # noqa: E402  (bench/run.py)

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

SIZE = 4000
#: (what, address, the element that says the page's content is drawn)
PAGES = (
    ("Overview", "/", "#overview-pipeline-chart .main-svg"),
    ("RAD matrix", "/rad", "#rad-scatter .main-svg"),
    ("Funnel", "/funnel", "#funnel-levels-chart .main-svg"),
    ("Scorecards", "/scorecards", "#sc-board .ag-row"),
    ("Win/Loss", "/winloss", ".page-title"),
    ("Weekly review", "/funnel?review=1", "#review-movement .main-svg"),
    # a drill's own address opened in a new tab (a bookmark, a link in a mail): a page like any other
    ("bookmarked list: an Overview tile's", "/?list=open", "#overview-list .ag-row"),
    ("bookmarked list: a funnel level's", "/funnel?level=3", "#funnel-stage-table .ag-row"),
    ("bookmarked list: a loss reason's", "/winloss?outcome=lost", "#wl-deals .ag-row"),
    ("bookmarked list: a RAD class change's", "/rad?moved=D-A", "#rad-selection-moved-count"),
)
#: Drills clicked on an open page (what a person does): (what, the page, the link clicked, what says the list is drawn)
CLICKS = (
    ("click: an Overview tile", "/", "#kpi-open-pipeline-link", "#overview-list .ag-row"),
    ("click: a funnel level", "/funnel", "#stage-link-3", "#funnel-stage-table .ag-row"),
    ("click: a loss reason", "/winloss", "#wl-reason-link-0", "#wl-deals .ag-row"),
    ("click: a RAD class change", "/rad", "#rad-move-D-A", "#rad-selection-moved-count"),
)
TARGET_PAGE_MS, TARGET_DRILL_MS = 1200, 1000


def _signed_in(browser: Any, base: str) -> tuple[Any, Any]:
    """A new browser context (1440x900, Chinese) with the director signed in, and its page on the Overview."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "lang", "value": "zh", "url": base}])
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", "director")
    page.fill("#password", "demo-director")
    page.click("#login-submit")
    page.wait_for_selector("#kpi-bookings-value")
    return context, page


def _open(browser: Any, base: str, path: str, ready: str, cached: bool) -> dict[str, float]:
    """One first load of ``path`` in a new tab of a signed-in director: with the bundles in the browser's cache
    (``cached``: a person who has the app open) or with an empty cache (the first visit of the day)."""
    context, page = _signed_in(browser, base)
    page.wait_for_load_state("networkidle")
    fresh = context.new_page()
    if not cached:
        client = context.new_cdp_session(fresh)
        client.send("Network.enable")
        client.send("Network.clearBrowserCache")
    fresh.goto(base + path)
    fresh.wait_for_selector(ready)
    ready_ms = float(fresh.evaluate("performance.now()"))
    fresh.wait_for_load_state("networkidle")  # every callback answered (its own 500 ms of quiet is not counted)
    timeline = fresh.evaluate(
        """(() => {
            const all = performance.getEntriesByType('resource');
            const posts = all.filter(e => e.name.includes('_dash-update-component'));
            const bundles = all.filter(e => /\\.(js|css)(\\?|$)/.test(e.name));
            return {
                last: posts.length ? Math.max(...posts.map(e => e.responseEnd)) : 0,
                slowest: posts.length ? Math.max(...posts.map(e => e.responseEnd - e.requestStart)) : 0,
                posts: posts.length,
                bundle: bundles.length ? Math.max(...bundles.map(e => e.responseEnd)) : 0,
            };
        })()"""
    )
    context.close()
    return {
        "load": max(ready_ms, float(timeline["last"])),
        "bundle": float(timeline["bundle"]),
        "posts": float(timeline["posts"]),
        "slowest": float(timeline["slowest"]),
    }


def _click(browser: Any, base: str, path: str, link: str, ready: str) -> dict[str, float]:
    """A drill as a person makes it: the page open, its link clicked, until the list is drawn and answered."""
    context, page = _signed_in(browser, base)
    page.goto(base + path)
    page.wait_for_selector(link)
    page.wait_for_load_state("networkidle")
    start = float(page.evaluate("performance.now()"))
    page.click(link)
    page.wait_for_selector(ready)
    ready_ms = float(page.evaluate("performance.now()"))
    page.wait_for_load_state("networkidle")
    last = float(
        page.evaluate(
            "Math.max(0, ...performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('_dash-update-component')).map(e => e.responseEnd))"
        )
    )
    context.close()
    return {"load": max(ready_ms, last) - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    url = database_url("sqlite", SIZE, None)
    build(url, SIZE)
    env = {"SALESRADAR_KEEP_RESULTS": "0", "SALESRADAR_WARM_UP": "0"}
    rows = []
    with (
        tempfile.TemporaryDirectory() as instance,
        started(url, 2, Path(instance), env) as (base, _proc, _up),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for name, path, ready in PAGES:
            warm = [_open(browser, base, path, ready, cached=True) for _ in range(args.runs)]
            cold = [_open(browser, base, path, ready, cached=False) for _ in range(args.runs)]
            median = {k: statistics.median(r[k] for r in warm) for k in warm[0]}
            median["empty_cache"] = statistics.median(r["load"] for r in cold)
            median["empty_bundle"] = statistics.median(r["bundle"] for r in cold)
            target = TARGET_PAGE_MS
            rows.append((name, path, median, target))
            print(
                f"{name:38} {path:24} load {median['load']:6.0f} ms (bundles {median['bundle']:4.0f})  "
                f"empty cache {median['empty_cache']:6.0f} ms (bundles {median['empty_bundle']:4.0f})  "
                f"{median['posts']:.0f} callbacks, slowest {median['slowest']:4.0f} ms  (target {target} ms)",
                flush=True,
            )
        for name, path, link, ready in CLICKS:
            clicks = [_click(browser, base, path, link, ready) for _ in range(args.runs)]
            median = {"load": statistics.median(r["load"] for r in clicks)}
            rows.append((name, f"{path} → {link}", median, TARGET_DRILL_MS))
            print(f"{name:38} {path:24} load {median['load']:6.0f} ms  (target {TARGET_DRILL_MS} ms)", flush=True)
        browser.close()
    table = [
        "| page | address | load ms | of it bundles ms | empty cache ms | of it bundles ms | callbacks |"
        " slowest callback ms | target ms | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, path, m, target in rows:
        met = "yes" if m["load"] <= target else "no"
        if "bundle" not in m:  # a click: no new page, no bundles
            table.append(f"| {name} | `{path}` | {m['load']:.0f} | — | — | — | — | — | {target} | {met} |")
            continue
        table.append(
            f"| {name} | `{path}` | {m['load']:.0f} | {m['bundle']:.0f} | {m['empty_cache']:.0f} |"
            f" {m['empty_bundle']:.0f} | {m['posts']:.0f} | {m['slowest']:.0f} | {target} | {met} |"
        )
    write_doc("\n".join(table), "first loads", kind="FIRSTLOAD")


if __name__ == "__main__":
    main()
