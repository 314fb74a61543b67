"""Benchmark every page at 10k / 100k / 1M opportunities, on SQLite and PostgreSQL, as production runs it.

    .venv/bin/python bench/run.py                                    # 10k and 100k on SQLite
    .venv/bin/python bench/run.py --sizes 1000000 --backends sqlite,postgresql --pg-url postgresql+psycopg://...
    scripts/with-postgres .venv/bin/python bench/run.py --backends postgresql   # a throw-away server

For each backend and size it builds the database with ``salesradar demo`` (kept under bench/.data and
reused), starts ``salesradar run`` (gunicorn, ``--workers``), signs in as a director and as a rep, and
times over HTTP every page render and drill-down callback: the first (cold) call apart, then p50 / p95
of ``--repeat`` calls. Beside them: the raw SQL aggregate behind each page's chart (the floor), the
naive way (read the tables into pandas, aggregate there), the first load of each page in headless
Chromium (navigation until every chart is drawn), and the peak memory of each worker. It prints the
tables and writes them into docs/performance.md between the BENCH markers of the backends it measured.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_until_up  # noqa: E402  (the tests' browser, as they launch it)
from tests.dash_http import call_callback, render_page  # noqa: E402  (the browser's own requests)

AS_OF = "2026-11-27"
YEAR = 2026
DATA = ROOT / "bench" / ".data"
DOC = ROOT / "docs" / "performance.md"
PAGES = ("/", "/funnel", "/rad", "/scorecards", "/winloss")
USERS = {"director": "demo-director", "rep": "demo-rep"}


# ---------------------------------------------------------------- an HTTP client tests.dash_http can drive
class _Response:
    def __init__(self, r: requests.Response) -> None:
        self.status_code = r.status_code
        self._r = r

    def get_json(self) -> Any:
        return self._r.json()

    def get_data(self, as_text: bool = False) -> Any:
        return self._r.text if as_text else self._r.content


class Client:
    """A signed-in browser over loopback, with the Flask test client's little API."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.s = requests.Session()
        page = self.s.get(base + "/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token, "no CSRF token on /login"
        r = self.s.post(
            base + "/login",
            data={"username": username, "password": password, "csrf": token.group(1), "next": "/"},
            allow_redirects=False,
        )
        assert r.status_code == 302, f"sign-in as {username} failed: {r.status_code}"
        self._deps: Any = None

    def set_cookie(self, key: str, value: str) -> None:
        self.s.cookies.set(key, value)

    def delete_cookie(self, key: str) -> None:
        self.s.cookies.pop(key, None)

    def get(self, path: str) -> _Response:
        if path == "/_dash-dependencies" and self._deps is not None:
            return self._deps
        r = _Response(self.s.get(self.base + path))
        if path == "/_dash-dependencies":
            self._deps = r
        return r

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> _Response:
        return _Response(self.s.post(self.base + path, json=json, headers=headers or {}))


# ---------------------------------------------------------------- what is timed
@dataclass
class Timing:
    name: str
    cold_ms: float
    p50_ms: float
    p95_ms: float
    status: int


def percentile(values: list[float], q: float) -> float:
    """The value at rank round(q x n) of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _time(name: str, call: Callable[[], Any], repeat: int) -> Timing:
    t0 = time.perf_counter()
    first = call()
    cold = (time.perf_counter() - t0) * 1000
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        runs.append((time.perf_counter() - t0) * 1000)
    p95 = percentile(runs, 0.95)
    status = getattr(first, "status_code", 200)
    return Timing(name, cold, statistics.median(runs), p95, status)


def _render(client: Client, path: str, search: str = "") -> Any:
    return render_page(client, path, search)


#: A lasso on the RAD scatter (BP 1M-10M, SOW 20-45%) and a zoom to the same window (the log axis in log10).
LASSO = {"x": [1e6, 1e7, 1e7, 1e6], "y": [20, 20, 45, 45]}
ZOOM = {"xaxis.range[0]": 6, "xaxis.range[1]": 7, "yaxis.range[0]": 20, "yaxis.range[1]": 45}


def http_calls(client: Client, role: str, codes: dict[str, list[str]]) -> list[tuple[str, Callable[[], Any]]]:
    """Every page render and the callbacks behind the drill-downs, as the browser posts them."""
    calls: list[tuple[str, Callable[[], Any]]] = [(f"render {p}", partial(_render, client, p)) for p in PAGES]
    calls += [
        ("render /?period=Q4", lambda: _render(client, "/", f"?period={YEAR}Q4")),
        ("render /funnel?level=3", lambda: _render(client, "/funnel", "?level=3")),
        ("render /rad?rad=D", lambda: _render(client, "/rad", "?rad=D")),
        ("render /scorecards?rep", lambda: _render(client, "/scorecards", f"?rep={codes['rep'][0]}")),
        ("render /winloss?segment=industry", lambda: _render(client, "/winloss", "?segment=industry")),
    ]
    account = codes["account"][:1]
    calls += [
        (
            "rad click a marker",
            lambda: call_callback(
                client,
                "rad-account-panel.children",
                {("rad-scatter", "clickData"): {"points": [{"customdata": account[0]}]}},
            ),
        ),
        (
            "rad lasso 500 markers",
            lambda: call_callback(
                client,
                "rad-selection.children",
                {("rad-scatter", "selectedData"): {"points": [{"customdata": c} for c in codes["account"][:500]]}},
            ),
        ),
        (
            "rad lasso a region",
            lambda: call_callback(
                client,
                "rad-selection.children",
                {("rad-scatter", "selectedData"): {"lassoPoints": LASSO, "points": []}},
            ),
        ),
        ("rad zoom", lambda: call_callback(client, "rad-scatter.figure", {("rad-scatter", "relayoutData"): ZOOM})),
        (
            "scorecard what-if",
            lambda: call_callback(
                client,
                "sc-whatif-result.children",
                {("sc-whatif-pick", "value"): codes["opp"][:3], ("url", "search"): f"?rep={codes['rep'][0]}"},
            ),
        ),
        (
            "funnel level click",
            lambda: call_callback(
                client,
                "url.search@",
                {
                    ("funnel-levels-chart", "clickData"): {"points": [{"customdata": "3"}]},
                    ("funnel-measure", "value"): "amount",
                },
            ),
        ),
    ]
    return calls


# the raw SQL aggregate behind each page's main chart: the floor no app can beat
FLOORS: dict[str, str] = {
    "/": "SELECT level, count(*), sum(amount) FROM opportunities WHERE status = 'open' GROUP BY level",
    "/funnel": "SELECT status, level, count(*), sum(amount) FROM opportunities GROUP BY status, level",
    "/rad": (
        "SELECT a.id, b.bp, sum(c.amount) FROM accounts a "
        "LEFT JOIN buying_power b ON b.account_id = a.id AND b.year = :year "
        "LEFT JOIN opportunities o ON o.account_id = a.id "
        "LEFT JOIN contracts c ON c.opportunity_id = o.id AND c.signed_date BETWEEN :start AND :end "
        "GROUP BY a.id, b.bp"
    ),
    "/scorecards": (
        "SELECT o.owner_rep_id, sum(c.amount) FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id "
        "WHERE c.signed_date BETWEEN :start AND :end GROUP BY o.owner_rep_id"
    ),
    "/winloss": (
        "SELECT loss_reason, count(*), sum(amount) FROM opportunities "
        "WHERE status = 'lost' AND closed_date BETWEEN :start AND :end GROUP BY loss_reason"
    ),
}
PARAMS = {"year": YEAR, "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}


def _naive(engine: Any, page: str) -> Any:
    """What many Dash apps do per request: read whole tables into pandas, then filter and group there."""
    with engine.connect() as conn:
        opps = pd.read_sql(text("SELECT * FROM opportunities"), conn)
        if page == "/":
            return opps[opps["status"] == "open"].groupby("level")["amount"].agg(["count", "sum"])
        if page == "/funnel":
            return opps.groupby(["status", "level"])["amount"].agg(["count", "sum"])
        contracts = pd.read_sql(text("SELECT * FROM contracts"), conn)
        signed = contracts[pd.to_datetime(contracts["signed_date"]).dt.year == YEAR]
        booked = signed.merge(opps, left_on="opportunity_id", right_on="id", suffixes=("", "_o"))
        if page == "/rad":
            accounts = pd.read_sql(text("SELECT * FROM accounts"), conn)
            bp = pd.read_sql(text("SELECT * FROM buying_power"), conn)
            per = booked.groupby("account_id")["amount"].sum().rename("booked")
            year_bp = bp.loc[bp["year"] == YEAR, ["account_id", "bp"]]
            merged = accounts.merge(year_bp, left_on="id", right_on="account_id", how="left")
            return merged.merge(per, left_on="id", right_index=True, how="left")
        if page == "/scorecards":
            return booked.groupby("owner_rep_id")["amount"].sum()
        lost = opps[(opps["status"] == "lost") & (pd.to_datetime(opps["closed_date"]).dt.year == YEAR)]
        return lost.groupby("loss_reason", dropna=False)["amount"].agg(["count", "sum"])


def _timed(call: Callable[[], Any], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def floors_and_naive(url: str, repeat: int) -> dict[str, tuple[float, float]]:
    engine = create_engine(url)
    out = {}
    for page, sql in FLOORS.items():

        def floor(sql: str = sql) -> Any:
            with engine.connect() as conn:
                return conn.execute(text(sql), PARAMS).all()

        floor()  # warm the page cache
        out[page] = (_timed(floor, repeat), _timed(partial(_naive, engine, page), max(2, repeat // 5)))
    engine.dispose()
    return out


def chart_costs(url: str, repeat: int) -> dict[str, float]:
    """What each page's main chart costs on top of its SQL: the figure built from the query's result and
    serialized to JSON (what Dash sends), median ms of ``repeat`` runs, with the director's data."""
    import plotly.io as pio

    from components import charts, rad_scatter, winloss_charts
    from data_access import queries
    from data_access.db import session_factory
    from data_access.scope import Scope
    from metrics import rad_points, winloss
    from metrics.funnel import stage_values
    from metrics.rad import account_table

    engine = create_engine(url)
    everyone = Scope.everything()
    today = pd.Timestamp(AS_OF).date()
    start, end = pd.Timestamp(f"{YEAR}-01-01").date(), pd.Timestamp(f"{YEAR}-12-31").date()
    levels = {lv: f"L{lv}" for lv in range(1, 7)}
    probabilities = {1: 0.1, 2: 0.25, 3: 0.5, 4: 0.75, 5: 0.9, 6: 1.0}
    with session_factory(engine)() as session:
        pipe = queries.open_pipeline_by_level(session, everyone)
        stages = stage_values(queries.funnel_stages(session, everyone, start, end), probabilities)
        accounts = account_table(queries.rad_accounts(session, everyone, YEAR, probabilities, today), 0.5, 0.1)
        reasons = winloss.loss_pareto(queries.loss_reasons(session, everyone, start, end))
        quarters = winloss.trend_quarters(end)
        trend = winloss.win_rate_trend(
            {q: queries.closed_outcomes(session, everyone, q.start, q.end) for q in quarters}
        )
    engine.dispose()
    stage_names = {s: s for s in queries.STAGES}
    reason_names = {r: str(r) for r in reasons["reason"]}
    placed = rad_points.placed(accounts, 0.5)
    markers = len(rad_points.thinned(placed))
    figures: dict[str, Callable[[], Any]] = {
        "/ pipeline by level": lambda: charts.pipeline_by_level(pipe, levels, "en"),
        "/ V gauge": lambda: charts.v_gauge(1.8, 2.4, None, "en"),
        "/funnel funnel": lambda: charts.funnel(stages, "amount", stage_names, {}, "en"),
        f"/rad scatter ({markers:,} markers for {len(placed):,} accounts)": lambda: rad_scatter.rad_scatter(
            rad_points.thinned(rad_points.placed(accounts, 0.5)), 0.5, 0.1, {"R": "R", "A": "A", "D": "D"}, "en"
        ),
        "/scorecards attainment gauge": lambda: charts.attainment_gauge(0.8, 0.9, "Attainment", "en"),
        "/winloss pareto": lambda: winloss_charts.pareto(
            reasons, reason_names, {"count": "n", "cumulative": "cum"}, "en"
        ),
        "/winloss trend": lambda: winloss_charts.trend(trend, {"count": "n", "amount": "amt", "small": "s"}, "en"),
    }

    def drawn(make: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: pio.to_json(make())

    return {name: _timed(drawn(make), repeat) for name, make in figures.items()}


# ---------------------------------------------------------------- the server, as production runs it
@contextmanager
def started(
    url: str, workers: int, instance: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """``salesradar run`` on ``url`` (with ``env`` added), stopped afterwards: its address, its process and the
    seconds until it answered."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "SALESRADAR_AS_OF": AS_OF,
        "SALESRADAR_INSTANCE": str(instance),
        **(env or {}),
    }
    log = (instance / "server.log").open("w")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "run", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, instance / "server.log", timeout)
        yield base, proc, time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@contextmanager
def server(url: str, workers: int, instance: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], list[float]]]:
    """``salesradar run`` on ``url``: its address, its process and, once every worker has finished its
    warm-up (web/warm.py), the seconds each took."""
    for kept in ("results", "cache"):  # kept aggregates of an earlier run (former pickles, Flask-Caching): cold
        shutil.rmtree(instance / kept, ignore_errors=True)
    with started(url, workers, instance) as (base, proc, _up):
        warmed = wait_for_warm_up(instance / "server.log", workers)
        print(f"   warm-up (each worker, one after the other): {', '.join(f'{w:.0f} s' for w in warmed)}", flush=True)
        yield base, proc, warmed


WARMED = re.compile(r"warm-up done: .* in ([0-9.]+) s")


def wait_for_warm_up(log: Path, workers: int, timeout: float = 1800) -> list[float]:
    """Wait until every worker has drawn the director's pages (web/warm.py logs it); their seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [float(m) for m in WARMED.findall(log.read_text(errors="replace"))]
        if len(done) >= workers:
            return done
        time.sleep(1)
    raise TimeoutError(f"warm-up not done after {timeout:.0f} s")


def worker_peaks(master: int) -> list[float]:
    """Peak resident memory (VmHWM, MB) of each gunicorn worker."""
    children = subprocess.run(
        ["ps", "--ppid", str(master), "-o", "pid="], capture_output=True, text=True
    ).stdout.split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
        peaks.append(kb / 1024)
    return peaks


#: Each page is loaded this many times, round after round; a first load is their median (one load alone
#: varied by up to half a second here with whatever the 2-core machine was doing).
LOAD_ROUNDS = 3


def first_loads(base: str) -> dict[str, float]:
    """Navigation until every chart is drawn, every visible grid shows its rows and nothing is loading, per
    page, in headless Chromium (signed in as the director): the median of ``LOAD_ROUNDS`` rounds."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {path: [] for path in PAGES}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        page.goto(base + "/login")
        page.fill("#username", "director")
        page.fill("#password", USERS["director"])
        page.click("#login-submit")
        page.wait_for_selector("#kpi-bookings-value")
        page.wait_for_load_state("networkidle")
        for path in [p for _round in range(LOAD_ROUNDS) for p in PAGES]:
            page.goto("about:blank")
            t0 = time.perf_counter()
            page.goto(base + path)
            page.wait_for_selector("#_pages_content .page-title", timeout=120_000)
            # drawn: every chart has its SVG or WebGL canvas and no callback is in flight (Dash shows
            # ._dash-loading-callback while one is); not "network idle", which adds half a second of
            # watching a quiet network to every figure
            page.wait_for_function(
                "() => [...document.querySelectorAll('.dash-graph')].every(d => d.querySelector('.main-svg, canvas'))"
                " && [...document.querySelectorAll('.ag-root-wrapper')].filter(g => g.offsetParent !== null)"
                "   .every(g => g.querySelector('.ag-row, .ag-overlay-no-rows-center'))"
                " && !document.querySelector('._dash-loading-callback, ._dash-loading')",
                timeout=120_000,
                polling=20,
            )
            times[path].append((time.perf_counter() - t0) * 1000)
            page.wait_for_load_state("networkidle")  # the page's last requests done before the next page
        browser.close()
    return {path: float(statistics.median(ms)) for path, ms in times.items()}


# ---------------------------------------------------------------- databases
def build(url: str, size: int) -> float | None:
    """Migrate the database and fill it with ``salesradar demo`` unless it already holds ``size`` deals; the
    seconds the demo took (None when reused)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            have = conn.execute(text("SELECT count(*) FROM opportunities")).scalar_one()
    except Exception:  # no schema yet
        have = -1
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url}
    # migrations first, also on a kept database: the floors below must see the schema the app runs on
    subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    if have == size:
        return None
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--opportunities", str(size), "--as-of", AS_OF, "--replace"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - t0


def database_url(backend: str, size: int, pg_url: str | None) -> str:
    if backend == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DATA / f'bench-{size}.sqlite3'}"
    if not pg_url:
        raise SystemExit("postgresql needs --pg-url (or run under scripts/with-postgres)")
    name = f"salesradar_bench_{size}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # a name of digits we made: no user input
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def sample_codes(url: str) -> dict[str, list[str]]:
    """Codes the rep may see (R0001's accounts and open deals): the director sees them too."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rep = conn.execute(text("SELECT id FROM reps WHERE rep_code = 'R0001'")).scalar_one()
        accounts = [
            r[0]
            for r in conn.execute(
                text("SELECT account_code FROM accounts WHERE owner_rep_id = :r ORDER BY id"), {"r": rep}
            )
        ]
        others = [r[0] for r in conn.execute(text("SELECT account_code FROM accounts ORDER BY id LIMIT 500"))]
        opps = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT opp_code FROM opportunities WHERE owner_rep_id = :r AND status = 'open' "
                    "ORDER BY amount DESC LIMIT 3"
                ),
                {"r": rep},
            )
        ]
    engine.dispose()
    return {"rep": ["R0001"], "account": accounts + others, "opp": opps}


# ---------------------------------------------------------------- one run
@dataclass
class Run:
    backend: str
    size: int
    built_s: float | None
    timings: dict[str, list[Timing]] = field(default_factory=dict)
    floors: dict[str, tuple[float, float]] = field(default_factory=dict)
    charts: dict[str, float] = field(default_factory=dict)
    loads: dict[str, float] = field(default_factory=dict)
    peaks: list[float] = field(default_factory=list)
    warmed: list[float] = field(default_factory=list)
    error: str | None = None


def run_one(backend: str, size: int, args: argparse.Namespace) -> Run:
    url = database_url(backend, size, args.pg_url)
    print(f"== {backend} {size:,}: building", flush=True)
    built = build(url, size)
    result = Run(backend, size, built)
    result.floors = floors_and_naive(url, args.repeat)
    result.charts = chart_costs(url, max(args.repeat, 10))
    codes = sample_codes(url)
    instance = DATA / f"instance-{backend}-{size}"
    instance.mkdir(parents=True, exist_ok=True)
    with server(url, args.workers, instance) as (base, proc, warmed):
        result.warmed = warmed
        if not args.no_browser:  # first, while every page cache is cold
            result.loads = first_loads(base)
        for role, password in USERS.items():
            client = Client(base, role, password)
            result.timings[role] = []
            for name, call in http_calls(client, role, codes):
                timing = _time(name, call, args.repeat)
                result.timings[role].append(timing)
                print(
                    f"   {role:8} {name:26} cold {timing.cold_ms:8.0f}"
                    f"  p50 {timing.p50_ms:8.0f}  p95 {timing.p95_ms:8.0f} ms",
                    flush=True,
                )
        result.peaks = worker_peaks(proc.pid)
    return result


# ---------------------------------------------------------------- the report
def report(runs: list[Run], args: argparse.Namespace) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on this machine ({os.cpu_count()} cores), "
        f"gunicorn with {args.workers} workers, {args.repeat} timed calls after a cold one. The loaders' answers"
        " are kept per viewer scope and address until the data changes (data_access/result_cache.py, applied in"
        " metrics/views/): the cold figure is a page drawn from the database, p50/p95 are what a second viewer of"
        " the same view waits (the page's kept drawing)."
        " Each worker first draws the director's default pages in both languages"
        " (web/warm.py, what it does after every import); first loads are measured once that is done, with the"
        f" director's default views warm (each the median of {LOAD_ROUNDS} rounds); the variants (`?period=`,"
        " `?level=`, `?rad=`, `?rep=`, `?segment=`) and the rep's pages are drawn cold on their first call.",
        f"Command: `.venv/bin/python bench/run.py --sizes {args.sizes} --backends {args.backends}"
        f" --workers {args.workers} --repeat {args.repeat}`",
        "",
    ]
    for run in runs:
        built = "reused" if run.built_s is None else f"{run.built_s:.0f} s"
        lines += [f"### {run.backend}, {run.size:,} opportunities (demo build: {built})", ""]
        if run.error:
            lines += [f"The run failed: `{run.error}`", ""]
            continue
        lines += ["| call | director p50 / p95 (cold) ms | rep p50 / p95 (cold) ms |", "| --- | --- | --- |"]
        reps = {t.name: t for t in run.timings.get("rep", [])}
        for t in run.timings.get("director", []):
            r = reps.get(t.name)
            rep_cell = f"{r.p50_ms:.0f} / {r.p95_ms:.0f} ({r.cold_ms:.0f})" if r else "—"
            lines.append(f"| {t.name} | {t.p50_ms:.0f} / {t.p95_ms:.0f} ({t.cold_ms:.0f}) | {rep_cell} |")
        lines += [
            "",
            "| page | SQL floor ms | naive pandas ms | director render p95 ms | ×floor | naive ÷ render "
            "| first load ms |",
        ]
        lines += ["| --- | --- | --- | --- | --- | --- | --- |"]
        renders = {t.name: t for t in run.timings.get("director", [])}
        for page, (floor, naive) in run.floors.items():
            p95 = renders[f"render {page}"].p95_ms
            load = run.loads.get(page)
            lines.append(
                f"| {page} | {floor:.1f} | {naive:.0f} | {p95:.0f} | {p95 / floor:.1f} | {naive / p95:.1f} | "
                f"{'—' if load is None else f'{load:.0f}'} |"
            )
        if run.charts:
            lines += ["", "| chart (figure + JSON, on top of its SQL) | ms |", "| --- | --- |"]
            lines += [f"| {name} | {ms:.1f} |" for name, ms in run.charts.items()]
        peaks = ", ".join(f"{p:.0f}" for p in run.peaks)
        warmed = ", ".join(f"{w:.0f} s" for w in run.warmed)
        lines += ["", f"Peak memory per worker (MB): {peaks}. Warm-up per worker: {warmed}.", ""]
    return "\n".join(lines)


def write_doc(body: str, section: str, kind: str = "BENCH") -> None:
    """Put ``body`` between the doc's ``kind`` markers of ``section`` (the backends measured; the load test
    writes its own kind), added at the end when new."""
    start, end = f"<!-- {kind}:START {section} -->", f"<!-- {kind}:END {section} -->"
    doc = DOC.read_text() if DOC.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in doc:
        doc += f"\n{start}\n{end}\n"
    head, rest = doc.split(start, 1)
    _old, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{body}\n{end}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("SALESRADAR_TEST_PG_URL"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/performance.md alone")
    args = parser.parse_args()
    runs: list[Run] = []
    for backend in args.backends.split(","):
        for size in args.sizes.split(","):
            try:
                runs.append(run_one(backend, int(size), args))
            except Exception as exc:  # one failed run is a finding, not the end of the benchmark
                print(f"!! {backend} {size}: {exc!r}", flush=True)
                runs.append(Run(backend, int(size), None, error=f"{type(exc).__name__}: {str(exc)[:300]}"))
            if not args.no_doc:  # written after every run: a long benchmark keeps what it measured
                write_doc(report(runs, args), args.backends)
    print(report(runs, args))


if __name__ == "__main__":
    main()
