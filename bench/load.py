"""A bounded load test on loopback: simulated directors, managers and reps clicking through the pages.

    .venv/bin/python bench/load.py --size 100000 --users 50 --minutes 5
    .venv/bin/python bench/load.py --size 1000000 --backend postgresql --pg-url postgresql+psycopg://...

It uses bench/run.py's database (``salesradar demo``, kept under bench/.data) and server (``salesradar run``,
gunicorn). Each simulated user signs in as its own account (made on first use: ``load-director-N`` and so
on, tied to a different rep or manager each), then until the time is up picks a page or a filtered view
of it, posts the render the way the browser does, and thinks 1-3 s before the next click. Every answer that
is not a 200 with the page in it is an error. It prints the count of calls and errors, p50 / p95 / max
per page and overall, and writes them into docs/performance.md between the LOAD markers.

With ``--random`` (issue 16) each click is a view drawn at random as bench/cold.py draws them: any period,
product line, RAD class, level, segment, region and industry, and for a director any team or rep, so nearly
every view is one nobody drew before (kept results stay on, as a server runs); its table has its own markers.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402  (the benchmark's database, server and HTTP client)
from cold import Choices, choices, views  # noqa: E402  (bench/cold.py: views drawn at random)

from data_access.db import session_factory  # noqa: E402
from data_access.models import Rep, User  # noqa: E402
from data_access.users import UserError, create_user  # noqa: E402

PASSWORD = "load-test-password"
#: What each role clicks through (path, query): the pages and the filters people use most.
VIEWS = {
    "director": [
        ("/", ""),
        ("/", f"?period={bench.YEAR}Q4"),
        ("/funnel", ""),
        ("/funnel", "?level=3"),
        ("/rad", ""),
        ("/rad", "?rad=D"),
        ("/scorecards", ""),
        ("/winloss", ""),
    ],
    "manager": [("/", ""), ("/funnel", ""), ("/rad", ""), ("/scorecards", ""), ("/winloss", "")],
    "rep": [("/", ""), ("/funnel", ""), ("/rad", ""), ("/scorecards", ""), ("/winloss", "")],
}
SHARE = {"director": 0.2, "manager": 0.3, "rep": 0.5}


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.times[page].append(ms)
            if error:
                self.errors.append(f"{page}: {error}")


def load_users(url: str, users: int) -> list[tuple[str, str]]:
    """(username, role) of ``users`` accounts, made on first use: 20% directors, 30% managers, 50% reps, each
    manager and rep a different person of the demo."""
    counts = {role: max(1, round(users * share)) for role, share in SHARE.items()}
    counts["rep"] = users - counts["director"] - counts["manager"]
    engine = create_engine(url)
    out: list[tuple[str, str]] = []
    with session_factory(engine)() as session:
        directors = session.scalars(select(Rep.rep_code).where(Rep.role == "director").order_by(Rep.id)).all()
        managers = session.scalars(select(Rep.rep_code).where(Rep.role == "manager").order_by(Rep.id)).all()
        reps = session.scalars(select(Rep.rep_code).where(Rep.role == "rep").order_by(Rep.id)).all()
        people = {"director": directors, "manager": managers, "rep": reps}
        for role, n in counts.items():
            for i in range(n):
                name = f"load-{role}-{i + 1}"
                if session.scalar(select(User.id).where(User.username == name)) is None:
                    try:
                        create_user(session, name, PASSWORD, role, people[role][i % len(people[role])])
                    except UserError as exc:
                        raise SystemExit(f"cannot make {name}: {exc}") from exc
                out.append((name, role))
        session.commit()
    engine.dispose()
    return out


def simulate(
    base: str, username: str, role: str, deadline: float, tally: Tally, seed: int, drawn: Choices | None = None
) -> None:
    """One user clicking until ``deadline``: the role's usual views, or with ``drawn`` (the database's teams,
    reps, lines, regions, industries) a view drawn at random each time (a director's in any scope, a
    manager's and a rep's in their own)."""
    rng = random.Random(seed)
    try:
        client = bench.Client(base, username, PASSWORD)
        client.set_cookie("lang", rng.choice(["zh", "en"]))
    except Exception as exc:  # a failed sign-in is an error like any other
        tally.add("sign-in", 0.0, repr(exc)[:200])
        return
    time.sleep(rng.uniform(0, 3))  # not everyone arrives in the same second
    while time.monotonic() < deadline:
        if drawn is None:
            path, search = rng.choice(VIEWS[role])
        else:
            path, search = rng.choice(views(rng, drawn, 1, rep=role != "director"))
        t0 = time.perf_counter()
        error = None
        try:
            tree = bench.render_page(client, path, search, lang=None)
            if not tree:
                error = "empty page"
        except Exception as exc:
            error = repr(exc)[:200]
        tally.add(path, (time.perf_counter() - t0) * 1000, error)
        time.sleep(rng.uniform(1.0, 3.0))


def report(tally: Tally, args: argparse.Namespace, backend: str, seconds: float) -> str:
    every = [ms for times in tally.times.values() for ms in times]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')}: {backend}, {args.size:,} opportunities, {args.users} users"
        f" ({', '.join(f'{int(s * 100)}% {r}s' for r, s in SHARE.items())}) for {seconds / 60:.1f} minutes,"
        f" 1-3 s between clicks, gunicorn with {args.workers} workers on this machine.",
        f"Command: `.venv/bin/python bench/load.py --size {args.size} --backend {backend} --users {args.users}"
        f" --minutes {args.minutes:g} --workers {args.workers}{' --random' if args.random else ''}`"
        + (" (every click a view drawn at random: scopes, periods and filters)" if args.random else ""),
        "",
        f"**{len(every):,} page renders, {len(tally.errors)} errors**"
        + (f" (first: `{tally.errors[0]}`)" if tally.errors else ""),
        "",
        "| page | calls | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
    ]

    def row(name: str, times: list[float]) -> str:
        p50, p95 = statistics.median(times), bench.percentile(times, 0.95)
        return f"| {name} | {len(times)} | {p50:.0f} | {p95:.0f} | {max(times):.0f} |"

    lines += [row(page, tally.times[page]) for page in sorted(tally.times)]
    if every:
        lines.append(row("all", every))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--random", action="store_true", help="views drawn at random (scopes and filters)")
    args = parser.parse_args()
    url = bench.database_url(args.backend, args.size, args.pg_url)
    bench.build(url, args.size)
    users = load_users(url, args.users)
    drawn = None
    if args.random:
        engine = create_engine(url)
        drawn = choices(engine)
        engine.dispose()
    instance = bench.DATA / f"instance-{args.backend}-{args.size}"
    instance.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    with bench.server(url, args.workers, instance) as (base, _proc, _warmed):
        t0 = time.monotonic()
        deadline = t0 + args.minutes * 60
        threads = [
            threading.Thread(target=simulate, args=(base, name, role, deadline, tally, i, drawn), daemon=True)
            for i, (name, role) in enumerate(users)
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        seconds = time.monotonic() - t0
    body = report(tally, args, args.backend, seconds)
    print(body)
    if not args.no_doc:
        bench.write_doc(body, f"{args.backend} {args.size}" + (" random" if args.random else ""), "LOAD")


if __name__ == "__main__":
    main()
