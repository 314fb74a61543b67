"""Cold views: what a director who explores waits for, with nothing kept (issue 16).

    .venv/bin/python bench/cold.py                                   # SQLite, 1M opportunities
    scripts/with-postgres .venv/bin/python bench/cold.py --backends postgresql

For each backend it builds (or reuses) the ``salesradar demo`` database of ``--size`` deals (bench/run.py's
build, under bench/.data or in the PostgreSQL server), starts ``salesradar run`` with kept results and the
warm-up off (``SALESRADAR_KEEP_RESULTS=0``, ``SALESRADAR_WARM_UP=0``), and times over HTTP, the way the
browser posts them:

- the first view after the server's start (a director's team funnel: nothing of it was ever read);
- 60 distinct views as the director, 12 per page, drawn at random from a fixed seed: teams, reps, regions
  with RAD classes and industries, periods, product lines, segments, drills; and since issue 19 the team
  week (``/visits``, 12 weeks and scopes) and the events of each of the three years (``/events``); since issue 20
  bids and technical support, pricing and risk (``/support``, ``/pricing``, ``/risk``: years and teams);
- 20 distinct views as the rep (R0001), over the same pages and filters (4 per page).

Beside each view its SQL floor: every statement the view's loader runs (captured in this process with the same
viewer, address and day), each run again alone on the database with all its rows fetched, summed. The issue's
targets per view: at most 2 x its floor + 50 ms; over all: p95 <= 300 ms, max <= 1 s; the first view <= 1 s.
The table goes into docs/performance.md between the COLD markers of the backends measured.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from run import AS_OF, DATA, USERS, Client, build, database_url, percentile, started, write_doc  # noqa: E402  (bench/run.py)

from data_access.models import User  # noqa: E402
from data_access.users import Viewer, viewer_for  # noqa: E402
from metrics.views import funnel, overview, rad, scorecards, staff, support, winloss  # noqa: E402
from tests.dash_http import render_page  # noqa: E402

SEED = 16
TODAY = date.fromisoformat(AS_OF)


LOADERS: dict[str, Callable[[Session, Viewer, dict[str, str], date], Any]] = {
    "/": overview.load,
    "/funnel": funnel.load,
    "/rad": rad.load,
    "/scorecards": scorecards.load,
    "/winloss": winloss.load,
    "/visits": staff.load_week,
    "/events": staff.load_events,
    "/support": support.load_support,
    "/pricing": support.load_pricing,
    "/risk": support.load_risk,
}
#: the weeks a team week is drawn for: the last twelve up to the as-of day's
WEEKS = tuple(f"2026-W{w:02d}" for w in range(37, 49))
YEARS = ("2026", "2025", "2024")
SEGMENTS = ("rad_class", "industry", "region", "team", "rep", "product_line", "competitor", "size_band")
PERIODS = ("2026", "2026Q1", "2026Q2", "2026Q3", "2026Q4", "2025", "2025Q3", "2024")


@dataclass(frozen=True)
class Choices:
    teams: list[str]
    reps: list[str]
    regions: list[str]
    industries: list[str]
    products: list[str]


def choices(engine: Engine) -> Choices:
    with engine.connect() as conn:

        def column(sql: str) -> list[str]:
            return [str(v) for (v,) in conn.execute(text(sql)) if v is not None]

        return Choices(
            teams=column("SELECT id FROM teams ORDER BY id"),
            reps=column("SELECT rep_code FROM reps WHERE role = 'rep' ORDER BY rep_code"),
            regions=column("SELECT DISTINCT region FROM accounts ORDER BY region"),
            industries=column("SELECT DISTINCT industry FROM accounts ORDER BY industry"),
            products=column("SELECT DISTINCT product_line FROM opportunities ORDER BY product_line"),
        )


def views(rng: random.Random, c: Choices, per_page: int, rep: bool) -> list[tuple[str, str]]:
    """``per_page`` distinct addresses of each page, drawn at random (a rep's scope is fixed: no team or rep)."""

    def scope() -> dict[str, str]:
        if rep:
            return {}
        pick = rng.random()
        if pick < 0.45:
            return {"team": rng.choice(c.teams)}
        if pick < 0.75:
            return {"rep": rng.choice(c.reps)}
        return {}

    def team() -> dict[str, str]:
        return {"team": rng.choice(c.teams)} if not rep and rng.random() < 0.5 else {}

    def deals() -> dict[str, str]:
        out: dict[str, str] = {}
        if rng.random() < 0.35:
            out["product"] = rng.choice(c.products)
        if rng.random() < 0.25:
            out["rad"] = rng.choice(("R", "A", "D"))
        return out

    makers: dict[str, Callable[[], dict[str, str]]] = {
        "/": lambda: {"period": rng.choice(PERIODS), **scope(), **deals()},
        "/funnel": lambda: {
            "period": rng.choice(PERIODS),
            **scope(),
            **deals(),
            **({"level": rng.choice("12345")} if rng.random() < 0.3 else {}),
        },
        "/rad": lambda: {
            "period": rng.choice(PERIODS[:1] + PERIODS[5:7]),
            **({"region": rng.choice(c.regions)} if rng.random() < 0.6 else {}),
            **({"rad": rng.choice(("R", "A", "D"))} if rng.random() < 0.6 else {}),
            **({"industry": rng.choice(c.industries)} if rng.random() < 0.25 else {}),
            **scope(),
        },
        "/scorecards": lambda: {"period": rng.choice(PERIODS), **scope()},
        "/winloss": lambda: {
            "period": rng.choice(PERIODS),
            "segment": rng.choice(SEGMENTS),
            **scope(),
            **deals(),
            **({"outcome": rng.choice(("won", "lost"))} if rng.random() < 0.3 else {}),
        },
        "/visits": lambda: {"week": rng.choice(WEEKS), **scope()},
        "/events": lambda: {"year": rng.choice(("2026", "2025", "2024"))},
        "/support": lambda: {"year": rng.choice(YEARS), "tab": rng.choice(("bids", "tech")), **team()},
        "/pricing": lambda: {"year": rng.choice(YEARS), **team()},
        "/risk": lambda: {"year": rng.choice(YEARS), **team()},
    }
    out: list[tuple[str, str]] = []
    for page, make in makers.items():
        seen: set[str] = set()
        for _ in range(1000):  # a page with fewer addresses than per_page (the events' three years) has them all
            if len(seen) == per_page:
                break
            seen.add("?" + urlencode(make()))
        out += [(page, search) for search in sorted(seen)]
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------- the SQL floor of a view
def floor_ms(engine: Engine, viewer: Viewer, page: str, search: str) -> tuple[float, int, float]:
    """The view's loader run in this process (nothing kept outside an app) with every statement captured, then
    each statement run again alone with all its rows fetched: (sum of their ms, how many, the slowest's ms)."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            LOADERS[page](session, viewer, dict(parse_qsl(search.lstrip("?"))), TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    times = []
    raw = engine.raw_connection()
    try:
        for statement, parameters in captured:
            cursor = raw.cursor()
            t0 = time.perf_counter()
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
            times.append((time.perf_counter() - t0) * 1000)
            cursor.close()
    finally:
        raw.close()
    return sum(times), len(times), max(times, default=0.0)


# ---------------------------------------------------------------- the server: nothing kept, no warm-up
@contextmanager
def cold_server(url: str, workers: int, instance: Path) -> Iterator[tuple[str, float]]:
    """``salesradar run`` with kept results and warm-up off; its address and the seconds until it answered."""
    nothing_kept = {"SALESRADAR_KEEP_RESULTS": "0", "SALESRADAR_WARM_UP": "0"}
    with started(url, workers, instance, nothing_kept, timeout=300) as (base, _proc, up):
        yield base, up


@dataclass
class View:
    role: str
    page: str
    search: str
    ms: float
    floor: float
    statements: int
    slowest: float

    @property
    def within(self) -> bool:
        return self.ms <= 2 * self.floor + 50


def _timed_render(client: Client, page: str, search: str) -> float:
    t0 = time.perf_counter()
    render_page(client, page, search)
    return (time.perf_counter() - t0) * 1000


def run_backend(backend: str, args: argparse.Namespace) -> tuple[list[View], float, float, str]:
    url = database_url(backend, args.size, args.pg_url)
    print(f"== {backend} {args.size:,}", flush=True)
    build(url, args.size)
    engine = create_engine(url)
    c = choices(engine)
    rng = random.Random(SEED)
    wanted = {role: views(rng, c, per_page, role == "rep") for role, per_page in (("director", 12), ("rep", 4))}
    instance = DATA / f"cold-{backend}-{args.size}"
    instance.mkdir(parents=True, exist_ok=True)
    measured: list[View] = []
    with cold_server(url, args.workers, instance) as (base, started_s):
        clients = {role: Client(base, role, password) for role, password in USERS.items()}
        first_ms = _timed_render(clients["director"], "/funnel", f"?team={c.teams[len(c.teams) // 2]}")
        print(f"   server up in {started_s:.1f} s; first view after start {first_ms:.0f} ms", flush=True)
        for role, addresses in wanted.items():
            for page, search in addresses:
                ms = _timed_render(clients[role], page, search)
                measured.append(View(role, page, search, ms, 0.0, 0, 0.0))
    # the floors after the server is gone: nothing else on the database while each statement runs alone
    with Session(engine) as session:
        viewers = {
            role: viewer_for(session, session.scalars(select(User).where(User.username == role)).one())
            for role in USERS
        }
    for view in measured:
        view.floor, view.statements, view.slowest = floor_ms(engine, viewers[view.role], view.page, view.search)
        print(
            f"   {view.role:8} {view.page + view.search:70.70} {view.ms:7.0f} ms  floor {view.floor:7.0f} ms"
            f" ({view.statements} statements, slowest {view.slowest:.0f})",
            flush=True,
        )
    engine.dispose()
    return measured, first_ms, started_s, backend


def report(results: list[tuple[list[View], float, float, str]], args: argparse.Namespace) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on this machine ({os.cpu_count()} cores), {args.size:,}"
        f" opportunities, gunicorn with {args.workers} workers, kept results and warm-up off, seed {SEED}."
        f" Command: `.venv/bin/python bench/cold.py --size {args.size}` (PostgreSQL: under scripts/with-postgres"
        " with `--backends postgresql`).",
        "",
        "| backend | role | views | p50 ms | p95 ms | max ms | over 300 ms | within 2x floor + 50 ms | first view after"
        " start ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for measured, first_ms, _started, backend in results:
        for role in USERS:
            ms = [v.ms for v in measured if v.role == role]
            if not ms:
                continue
            within = sum(v.within for v in measured if v.role == role)
            lines.append(
                f"| {backend} | {role} | {len(ms)} | {statistics.median(ms):.0f} | {percentile(ms, 0.95):.0f} |"
                f" {max(ms):.0f} | {sum(m > 300 for m in ms)} | {within} of {len(ms)} |"
                f" {first_ms:.0f} |"
            )
    for measured, _first, _started, backend in results:
        lines += [
            "",
            f"{backend}: the slowest views (HTTP, and the SQL floor: every statement of the view's loader run alone)",
            "",
            "| role | view | ms | SQL floor ms | statements | slowest statement ms |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for v in sorted(measured, key=lambda v: -v.ms)[: args.top]:
            lines.append(
                f"| {v.role} | `{v.page}{v.search}` | {v.ms:.0f} | {v.floor:.0f} | {v.statements} | {v.slowest:.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("SALESRADAR_TEST_PG_URL"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest views the table lists")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/performance.md alone")
    args = parser.parse_args()
    results = [run_backend(backend, args) for backend in args.backends.split(",")]
    body = report(results, args)
    if not args.no_doc:
        write_doc(body, args.backends, kind="COLD")
    print(body)


if __name__ == "__main__":
    main()
