"""How long a CRM export takes to import (issue 22): a generic deals file the size of the Maven Analytics CRM set
(8,800 deals of 2016-2017, 35 owners, 85 companies; synthetic, seeded), through ``salesradar import --from
generic`` into a fresh SQLite database, then again (nothing changes), then next month's export (a tenth of the
deals moved on). Prints each run's seconds.

    .venv/bin/python bench/crm_import.py [--deals 8800]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("Won", "Lost", "Engaging", "Prospecting")


def write_export(path: Path, deals: int, seed: int, moved: float = 0.0) -> None:
    """The export: each deal drawn from its own seed (so next month's file differs only in the deals that moved:
    open deals won, with a close date after their engage date)."""
    agents = [f"Agent {i:02d}" for i in range(35)]
    companies = [f"Company {i:03d}" for i in range(85)]
    products = ["GTX Basic", "GTX Pro", "MG Special", "MG Advanced", "GTK 500", "GTX Plus Pro", "GTX Plus Basic"]
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(
            [
                "opportunity_id",
                "sales_agent",
                "product",
                "account",
                "deal_stage",
                "engage_date",
                "close_date",
                "close_value",
            ]
        )
        for i in range(deals):
            rnd = random.Random(seed * 1_000_003 + i)
            stage = rnd.choices(STAGES, weights=[48, 30, 17, 5])[0]
            engage = date(2016, 10, 20) + timedelta(days=rnd.randint(0, 420))
            agent, product, company = rnd.choice(agents), rnd.choice(products), rnd.choice(companies)
            value, days, moves = rnd.randint(1, 300) * 100, rnd.randint(5, 140), rnd.random() < moved
            if stage == "Engaging" and moves:
                stage = "Won"
            close = min(engage + timedelta(days=days), date(2017, 12, 31)).isoformat()
            row = [stage, engage.isoformat(), close if stage in ("Won", "Lost") else "", value]
            out.writerow([f"D{i:06d}", agent, product, company, *row])


def run(db: Path, export: Path, as_of: str) -> float:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SALESRADAR_INSTANCE": str(db.parent)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli", "import", str(export), "--from", "generic", "--as-of", as_of],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(done.stderr[-2000:])
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=8_800)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first, later = folder / "deals.csv", folder / "deals-later.csv"
        write_export(first, args.deals, 2017)
        write_export(later, args.deals, 2017, moved=0.5)
        db = folder / "crm.sqlite3"
        print(f"{args.deals:,} deals, a fresh SQLite database (process start and migration included)")
        print(f"  first import:     {run(db, first, '2018-01-15'):6.1f} s")
        print(f"  the same again:   {run(db, first, '2018-01-15'):6.1f} s")
        print(f"  next month's:     {run(db, later, '2018-02-15'):6.1f} s")


if __name__ == "__main__":
    main()
