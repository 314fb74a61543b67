"""Browser tests: the real app in a subprocess on a free loopback port, driven by Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, url_of

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# what this closed network needs: no background calls home
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Until ``/healthz`` answers; the server's log in the error if it exits or takes longer than ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text()}") from None
            time.sleep(0.3)


@contextmanager
def serving(url: str, log_dir: Path, workers: int | None = None) -> Iterator[str]:
    """``salesradar run`` on the database at ``url`` (as of AS_OF) on a free loopback port: its address, until
    the block ends. The server's log is in ``log_dir`` and in the error if it does not start."""
    port = free_port()
    log = log_dir / "server.log"
    env = {**os.environ, "DATABASE_URL": url, "SALESRADAR_AS_OF": AS_OF.isoformat()}
    command = [sys.executable, "-m", "cli", "run", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, log, 60)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def live_server(demo_engine, tmp_path_factory) -> Iterator[str]:
    with serving(url_of(demo_engine), tmp_path_factory.mktemp("server")) as base:
        yield base


@dataclass
class Watched:
    """A page with every console error, failed request and HTTP error response recorded."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.failed_requests == []

    def sign_in(self, base: str, role: str = "director") -> None:
        """Through the real login form, as one of the demo users."""
        from data_access.demo import DEMO_USERS

        username, _role, _rep, password = next(u for u in DEMO_USERS if u[1] == role)
        self.page.goto(base + "/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("#login-submit")
        self.page.wait_for_selector("#kpi-bookings-value" if role != "rep" else "#sc-attainment-value")
        self.page.wait_for_load_state("networkidle")  # leave nothing in flight for the next navigation


def watched_context(browser, live_server, lang: str, size: tuple[int, int] = (1440, 900)) -> Watched:
    """A new browser context at ``size`` in ``lang`` (a phone below 576 px), watched like the ``watched`` fixture."""
    phone = size[0] < 576
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, has_touch=phone, is_mobile=phone)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    watched = Watched(context.new_page())
    context.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
    context.on("weberror", lambda e: watched.console_errors.append(str(e.error)))
    context.on("response", lambda r: watched.failed_requests.append(f"{r.url} {r.status}") if r.status >= 400 else None)
    return watched


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture()
def watched(browser, live_server) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    w = Watched(page)
    # watched on the context: every tab the test opens counts
    context.on("console", lambda m: w.console_errors.append(m.text) if m.type == "error" else None)
    context.on("weberror", lambda e: w.console_errors.append(str(e.error)))
    context.on("requestfailed", lambda r: w.failed_requests.append(f"{r.url} {r.failure} {(r.post_data or '')[:160]}"))
    context.on("response", lambda r: w.failed_requests.append(f"{r.url} {r.status}") if r.status >= 400 else None)
    yield w
    context.close()
