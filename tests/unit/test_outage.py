"""A database outage mid-run (issue 17, item 11): a throw-away PostgreSQL of this test's own is stopped while
the real server (``salesradar run``) serves, then started again.

While it is down the API answers 503 JSON with Retry-After, a page a short notice that reloads itself, a
callback 503 JSON (``assets/outage.js`` shows the notice and reloads once ``/readyz`` answers), ``/readyz``
503 and ``/healthz`` still 200. Once it is back, everything answers again without a restart of the server.
"""

from __future__ import annotations

import contextlib
import glob
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import free_port, wait_until_up
from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="runs in the PostgreSQL pass of scripts/test")


class ThrowAwayPostgres:
    """initdb + pg_ctl on a free loopback port, as scripts/with-postgres does, but stoppable by the test."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            pytest.fail("Debian's postgresql is missing: scripts/test installs it")
        self.bin = Path(found[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="sr-outage-"))
        self.port = free_port()
        self.as_root = os.getuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.root / "data"), "-U", self.user, "-A", "trust", "--no-sync", "-E", "UTF8")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture()
def outage_server(tmp_path) -> Iterator[tuple[str, ThrowAwayPostgres, str]]:
    pg = ThrowAwayPostgres()
    proc = None
    try:
        pg.start()
        env = {**os.environ, "DATABASE_URL": pg.url, "SALESRADAR_INSTANCE": str(tmp_path), "SALESRADAR_WARM_UP": "0"}
        cli = [sys.executable, "-m", "cli"]
        subprocess.run([*cli, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
        subprocess.run(
            [*cli, "users", "add", "boss", "--role", "director"],
            cwd=ROOT,
            env=env,
            input="boss-password\n",
            text=True,
            check=True,
            capture_output=True,
            timeout=120,
        )
        port = free_port()
        log = tmp_path / "server.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [*cli, "run", "--port", str(port), "--workers", "1"], cwd=ROOT, env=env, stdout=out, stderr=out
            )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, proc, log, 60)
        yield base, pg, str(log)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        pg.remove()


def _client() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)


def _call(opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None, **headers: str) -> Any:
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def _sign_in(opener: urllib.request.OpenerDirector, base: str) -> None:
    _status, _h, page = _call(opener, base + "/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    form = f"username=boss&password=boss-password&next=%2F&csrf={csrf.group(1)}".encode()
    status, _h, _b = _call(opener, base + "/login", form, **{"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302


JSON = {"Content-Type": "application/json"}
ROUTER = {
    "output": ".._pages_content.children..._pages_store.data..",
    "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
    "inputs": [
        {"id": "_pages_location", "property": "pathname", "value": "/funnel"},
        {"id": "_pages_location", "property": "search", "value": ""},
    ],
    "changedPropIds": ["_pages_location.pathname"],
    "state": [],
}


def test_out001_database_stops_and_comes_back(outage_server):
    base, pg, log = outage_server
    browser = _client()
    _sign_in(browser, base)
    assert _call(browser, base + "/api/v1/funnel")[0] == 200
    assert _call(browser, base + "/readyz")[0] == 200

    pg.stop()
    status, headers, body = _call(browser, base + "/api/v1/funnel")
    assert status == 503 and headers.get("Retry-After") == "5"
    assert json.loads(body)["error"] == "database_unavailable"
    status, headers, body = _call(browser, base + "/", None, **{"Accept-Language": "zh-CN"})
    assert status == 503 and "数据库暂时无法连接" in body and 'http-equiv="refresh"' in body
    callback = json.dumps(ROUTER).encode()
    status, _h, body = _call(
        browser, base + "/_dash-update-component", callback, **{"Content-Type": "application/json"}
    )
    assert status == 503 and json.loads(body)["error"] == "database_unavailable"
    assert _call(browser, base + "/readyz")[0] == 503
    assert _call(browser, base + "/healthz")[0] == 200
    for answer in (body,):
        assert "psycopg" not in answer and "Traceback" not in answer

    pg.start()
    deadline = time.monotonic() + 30
    while _call(browser, base + "/readyz")[0] != 200:
        assert time.monotonic() < deadline, Path(log).read_text()[-3000:]
        time.sleep(0.5)
    assert _call(browser, base + "/api/v1/funnel")[0] == 200
    assert _call(browser, base + "/")[0] == 200
    status, _h, body = _call(
        browser, base + "/_dash-update-component", callback, **{"Content-Type": "application/json"}
    )
    assert status == 200 and json.loads(body)["response"]["_pages_content"]["children"]
