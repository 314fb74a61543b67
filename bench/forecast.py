"""The forecast, its track record, V by class and next best actions, cold (issue 21).

    .venv/bin/python bench/forecast.py                       # SQLite, the 1M database of bench/run.py
    .venv/bin/python bench/forecast.py --url sqlite:///path  # any database built by `salesradar demo` / import

In a fresh process with kept results off (``SALESRADAR_KEEP_RESULTS=0``), each loader is timed on views nobody has
drawn in this process: the whole company (a director), six teams and six reps, each asked once per view (a year and
a quarter of the forecast; the V per class; the track record; the actions page and the API's list). Then the track
record's figures (P10-P90 coverage, mean error of P50 and of the weighted pipeline) of the company and of each team,
the numbers docs/performance.md and docs/api.md record.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ["SALESRADAR_KEEP_RESULTS"] = "0"
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from data_access.users import Viewer  # noqa: E402
from metrics.views import actions, forecast  # noqa: E402

AS_OF = date(2026, 11, 27)
DEFAULT = ROOT / "bench" / ".data" / "bench-1000000.sqlite3"


def _timed(engine: Any, fn: Any, viewer: Viewer, query: dict[str, str]) -> tuple[float, Any]:
    with Session(engine) as session:
        start = time.perf_counter()
        out = fn(session, viewer, query, AS_OF)
        return (time.perf_counter() - start) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=f"sqlite:///{DEFAULT}")
    parser.add_argument("--teams", type=int, default=6)
    args = parser.parse_args()
    engine = create_engine(args.url)
    with engine.connect() as conn:
        teams = [int(r[0]) for r in conn.execute(text("SELECT id FROM teams ORDER BY id"))]
        reps = [
            (int(r[0]), str(r[1]), r[2])
            for r in conn.execute(text("SELECT id, rep_code, team_id FROM reps WHERE role = 'rep' ORDER BY id"))
        ]
        deals = int(conn.execute(text("SELECT count(*) FROM opportunities")).scalar_one())
    director = Viewer(0, "director", "director", None, None, None)
    picked_teams = teams[:: max(1, len(teams) // args.teams)][: args.teams]
    picked_reps = reps[:: max(1, len(reps) // args.teams)][: args.teams]
    print(f"{args.url}: {deals:,} deals, {len(teams)} teams, {len(reps)} reps; as of {AS_OF}")
    scopes: list[tuple[str, Viewer, dict[str, str]]] = [("company", director, {})]
    # a team as its manager sees it (the actions API has no team parameter: a manager's is the team's)
    scopes += [(f"team {t}", Viewer(0, f"m{t}", "manager", None, None, t), {}) for t in picked_teams]
    scopes += [(f"rep {code}", Viewer(0, code, "rep", rid, code, team), {}) for rid, code, team in picked_reps]
    timings: dict[str, dict[str, list[float]]] = {}
    records: list[tuple[str, Any]] = []
    for label, viewer, query in scopes:
        kind = label.split()[0]
        views = [
            ("forecast year", forecast.load_forecast, {**query, "period": "2026"}),
            ("forecast quarter", forecast.load_forecast, {**query, "period": "2026Q4"}),
            ("V by class", forecast.load_class_v, {**query, "period": "2026"}),
            ("track record", forecast.load_track_record, query),
            ("actions page", actions.load_actions, query),
            ("actions API", actions.load_actions_api, query),
        ]
        for name, fn, q in views:
            ms, out = _timed(engine, fn, viewer, q)
            timings.setdefault(name, {}).setdefault(kind, []).append(ms)
            if name == "track record" and kind != "rep":
                records.append((label, out))
            print(f"  {label:<12} {name:<17} {ms:8.0f} ms")
    print("\n| view | company | teams (p50 / max) | reps (p50 / max) |")
    print("| --- | --- | --- | --- |")
    for name, by in timings.items():

        def cell(values: list[float] | None) -> str:
            if not values:
                return "—"
            return f"{statistics.median(values):,.0f} / {max(values):,.0f} ms"

        print(f"| {name} | {by['company'][0]:,.0f} ms | {cell(by.get('team'))} | {cell(by.get('rep'))} |")
    print("\n| scope | quarters | actual within P10-P90 | mean abs error of P50 | of the weighted pipeline |")
    print("| --- | --- | --- | --- | --- |")
    for label, rec in records:

        def share(v: float | None) -> str:
            return "—" if v is None else f"{100 * v:.0f}%"

        print(
            f"| {label} | {len(rec.replays)} | {share(rec.coverage)} | {share(rec.p50_mean_error)} | "
            f"{share(rec.weighted_mean_error)} |"
        )


if __name__ == "__main__":
    main()
