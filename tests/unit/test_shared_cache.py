"""Two app servers behind one load balancer share their kept results through Redis (SALESRADAR_CACHE_URL):
what server A computed, server B reads instead of computing again, and an import through A's command line is
served by B at once, with the new number (the data version is in every key).

The test starts its own ``redis-server`` (Debian's package, installed by scripts/test) on a free loopback
port, without persistence, and two real servers (``salesradar run``, one worker each, no warm-up) on one
fresh demo database.
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from data_access import demo
from data_access.db import session_factory
from data_access.importer.schema import BY_NAME
from data_access.models import Account, Opportunity, Rep
from data_access.settings import data_version, load_settings
from tests.browser.conftest import free_port, wait_until_up
from tests.conftest import AS_OF, url_of
from tests.dash_http import ROUTER_OUTPUT

ROOT = Path(__file__).resolve().parents[2]
DELTA = Decimal("123456.00")  # what the import adds to one open deal's amount
KEPT = "salesradar:kept:*"  # the kept results' keys (data_access.result_cache)
COLUMNS = [c.name for c in BY_NAME["opportunities"].columns]  # the import sheet, in its order


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A redis-server of this module's own, on a free loopback port, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: scripts/test installs Debian's package redis-server")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = folder / "redis.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    client = redis.Redis(port=port, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start:\n{log.read_text()}")
                time.sleep(0.1)
        yield port
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def _servers(env: dict[str, str], folder: Path, count: int) -> Iterator[list[str]]:
    """``count`` servers (``salesradar run --workers 1``) with ``env``, each with its own instance folder,
    started side by side; their addresses."""
    with ExitStack() as stack:
        started = []
        for n in range(count):
            instance = folder / f"server{n}"
            instance.mkdir()
            port = free_port()
            log = instance / "server.log"
            with log.open("w") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "cli", "run", "--port", str(port), "--workers", "1"],
                    cwd=ROOT,
                    env={**env, "SALESRADAR_INSTANCE": str(instance)},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            stack.callback(_stop, proc)
            started.append((f"http://127.0.0.1:{port}", proc, log))
        for base, proc, log in started:
            wait_until_up(base, proc, log, 90)
        yield [base for base, _proc, _log in started]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Browser:
    """One signed-in visitor of one server: a cookie jar, redirects not followed."""

    def __init__(self, base: str) -> None:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
                return None

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def call(self, path: str, data: bytes | None = None, **headers: str) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers={"Accept-Language": "en", **headers})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def sign_in(self, username: str, password: str) -> None:
        _status, page = self.call("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf, page[:300]
        form = urllib.parse.urlencode({"username": username, "password": password, "csrf": csrf.group(1), "next": "/"})
        status, body = self.call("/login", form.encode(), **{"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, body[:300]

    def render(self, pathname: str) -> Any:
        """The page the Dash router draws for ``pathname`` (as tests/dash_http.py's render_page posts it)."""
        payload = {
            "output": ROUTER_OUTPUT,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": pathname},
                {"id": "_pages_location", "property": "search", "value": ""},
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        }
        status, body = self.call(
            "/_dash-update-component", json.dumps(payload).encode(), **{"Content-Type": "application/json"}
        )
        assert status == 200, body[:500]
        return json.loads(body)["response"]["_pages_content"]["children"]

    def api(self, path: str) -> Any:
        status, body = self.call("/api/v1" + path)
        assert status == 200, body[:500]
        return json.loads(body)


def _reads(store: redis.Redis) -> tuple[int, int]:
    """Redis's count of reads that found their key, and of those that did not."""
    stats = store.info("stats")
    return int(stats["keyspace_hits"]), int(stats["keyspace_misses"])


def _one_open_deal_changed(engine: Engine, folder: Path) -> tuple[Path, str, str, int]:
    """An opportunities.csv of one open deal with DELTA more amount; the deal's code, owner and level."""
    owner = aliased(Rep)
    with session_factory(engine)() as session:
        opp, account_code, owner_code = session.execute(
            select(Opportunity, Account.account_code, owner.rep_code)
            .join(Account, Account.id == Opportunity.account_id)
            .join(owner, owner.id == Opportunity.owner_rep_id)
            .where(Opportunity.status == "open")
            .order_by(Opportunity.id)
            .limit(1)
        ).one()
        row = {column: getattr(opp, column, None) for column in COLUMNS}
    row.update(account_code=account_code, owner_rep_code=owner_code, amount=Decimal(str(opp.amount)) + DELTA)
    path = folder / "opportunities.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerow(["" if row[c] is None else str(row[c]) for c in COLUMNS])
    return path, str(opp.opp_code), str(owner_code), int(opp.level)


def test_shc001_a_second_server_reads_what_the_first_kept_and_an_import_shows_at_once(databases, redis_port, tmp_path):
    engine = databases.new_engine()
    demo.generate(engine, as_of=AS_OF)
    url = url_of(engine)
    store = redis.Redis(port=redis_port)
    store.flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SALESRADAR_CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SALESRADAR_WARM_UP": "0",
        "SALESRADAR_AS_OF": AS_OF.isoformat(),
    }
    with _servers(env, tmp_path, 2) as (server_a, server_b):
        a, b = Browser(server_a), Browser(server_b)
        a.sign_in("director", "demo-director")
        b.sign_in("director", "demo-director")
        assert store.dbsize() == 0

        # A draws the funnel: every kept aggregate behind it is computed once and lands in Redis
        misses = _reads(store)[1]
        page_a = a.render("/funnel")
        kept_by_a = len(store.keys(KEPT))
        hits_a, misses_a = _reads(store)
        assert kept_by_a >= 5 and store.dbsize() == kept_by_a
        assert misses_a - misses == kept_by_a  # each looked for once, then written

        # B draws the same view for the first time: it reads the page loader's answer A kept and draws it,
        # computing nothing and adding nothing
        page_b = b.render("/funnel")
        hits_b, misses_b = _reads(store)
        assert store.dbsize() == kept_by_a
        assert misses_b == misses_a and hits_b - hits_a >= 1
        assert json.dumps(page_b, sort_keys=True) == json.dumps(page_a, sort_keys=True)

        # an import through A's command line changes one open deal's amount
        csv_path, opp_code, owner_code, level = _one_open_deal_changed(engine, tmp_path)
        funnel_before = b.api("/funnel")["open_amount"]
        weighted_before = b.api(f"/scorecard/{owner_code}")["weighted_pipeline"]
        with session_factory(engine)() as session:
            version = data_version(session)
            p_level = load_settings(session).level_probabilities[level]
        done = subprocess.run(
            [sys.executable, "-m", "cli", "import", str(csv_path), "--as-of", AS_OF.isoformat()],
            cwd=ROOT,
            env={**env, "SALESRADAR_INSTANCE": str(tmp_path / "server0")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        with session_factory(engine)() as session:
            assert data_version(session) == version + 1

        # B serves the new numbers at once: the kept scorecard of the deal's owner is drawn anew under the
        # new data version's keys, and the funnel's open amount moved by exactly the difference written
        assert not store.keys(f"salesradar:kept:*:v{version + 1}:*")
        assert b.api("/funnel")["open_amount"] == pytest.approx(funnel_before + float(DELTA), abs=0.005)
        weighted_after = b.api(f"/scorecard/{owner_code}")["weighted_pipeline"]
        assert weighted_after == pytest.approx(weighted_before + float(DELTA) * p_level, abs=0.01), opp_code
        assert store.keys(f"salesradar:kept:*:v{version + 1}:*")
        # and A, asked the same after B, reads what B kept
        misses = _reads(store)[1]
        assert a.api(f"/scorecard/{owner_code}")["weighted_pipeline"] == weighted_after
        assert _reads(store)[1] == misses
    store.close()
