"""A week's import into a big database, summaries included (issue 16's target: 10,000 rows in <= 60 s).

    .venv/bin/python bench/import_week.py                       # SQLite, the 1M demo of bench/run.py
    scripts/with-postgres .venv/bin/python bench/import_week.py --backend postgresql

A weekly workbook as a sales team sends it: ``--rows`` opportunity rows (default 10,000), four in five of them
deals the database holds, moved a level up (a tenth of those closed, won or lost) with their amounts changed,
one in five new deals on existing accounts; each deal won comes with its contract. It is written as the
import's CSV files (``opportunities.csv`` and ``contracts.csv`` in a ``.zip``) and imported with
``salesradar import`` in its own process, as a user runs it, into a copy of the database (SQLite: the file
copied; PostgreSQL: a database made from it with ``CREATE DATABASE ... TEMPLATE``). Printed: the seconds of
the whole command (reading, checking, writing, the summaries kept in its transaction, the planner
statistics), and whether the summaries it kept equal a rebuild from the rows.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import run  # noqa: E402  (bench/run.py: the database it builds)

from data_access.importer.schema import SHEETS  # noqa: E402
from data_access.models import Account, Opportunity, Rep  # noqa: E402

AS_OF = date.fromisoformat(run.AS_OF)


def workbook(url: str, rows: int, seed: int) -> bytes:
    """The week's ``opportunities.csv`` (zipped): existing deals moved on, and new ones; ``contracts.csv``: a
    contract for each deal won."""
    rng = random.Random(seed)
    engine = create_engine(url)
    header = [c.name for c in next(s for s in SHEETS if s.name == "opportunities").columns]
    with engine.connect() as conn:
        top = int(conn.execute(select(Opportunity.id).order_by(Opportunity.id.desc()).limit(1)).scalar_one())
        picked = sorted(rng.sample(range(1, top + 1), rows * 4 // 5))
        existing = conn.execute(
            select(
                Opportunity.opp_code,
                Account.account_code,
                Rep.rep_code,
                Opportunity.name,
                Opportunity.amount,
                Opportunity.level,
                Opportunity.status,
                Opportunity.created_date,
                Opportunity.expected_close_date,
                Opportunity.product_line,
            )
            .join(Account, Account.id == Opportunity.account_id)
            .join(Rep, Rep.id == Opportunity.owner_rep_id)
            .where(Opportunity.id.in_(picked), Opportunity.status == "open")
        ).all()
        owners = conn.execute(
            select(Account.account_code, Rep.rep_code).join(Rep, Rep.id == Account.owner_rep_id).limit(20_000)
        ).all()
    engine.dispose()
    out, signed = io.StringIO(), io.StringIO()
    w, contracts = csv.writer(out), csv.writer(signed)
    w.writerow(header)
    contracts.writerow([c.name for c in next(s for s in SHEETS if s.name == "contracts").columns])
    written = 0
    for code, account, rep, name, amount, level, _status, created, expected, line in existing:
        status, closed, level = "open", "", min(int(level) + 1, 5)
        if rng.random() < 0.1:
            status, closed = rng.choice(["won", "lost"]), AS_OF.isoformat()
        new_amount = float(amount) * rng.uniform(0.9, 1.2)
        row = {
            "opp_code": code,
            "account_code": account,
            "owner_rep_code": rep,
            "name": name,
            "amount": f"{new_amount:.2f}",
            "level": level,
            "status": status,
            "created_date": created.isoformat(),
            "expected_close_date": max(expected, AS_OF).isoformat(),
            "product_line": line or "",
            "closed_date": closed,
            "loss_reason": "价格偏高" if status == "lost" else "",
        }
        w.writerow([row.get(h, "") for h in header])
        written += 1
        if status == "won":  # a won deal comes with its contract
            contracts.writerow([f"CT-{code}", code, AS_OF.isoformat(), f"{new_amount:.2f}", f"{new_amount * 0.3:.2f}"])
    for i in range(rows - written):
        account, rep = rng.choice(owners)
        row = {
            "opp_code": f"WK{AS_OF:%Y%m%d}-{i:06d}",
            "account_code": account,
            "owner_rep_code": rep,
            "name": f"新商机 {i}",
            "amount": f"{rng.randint(5, 500) * 10_000:.2f}",
            "level": 1,
            "status": "open",
            "created_date": (AS_OF - timedelta(days=rng.randint(0, 6))).isoformat(),
            "expected_close_date": (AS_OF + timedelta(days=rng.randint(30, 270))).isoformat(),
            "product_line": "云服务",
        }
        w.writerow([row.get(h, "") for h in header])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("opportunities.csv", out.getvalue())
        z.writestr("contracts.csv", signed.getvalue())
    return buf.getvalue()


def copy_database(url: str, work: Path) -> str:
    """A copy of the database to import into (the benchmark's own stays as built)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = work / "import-copy.sqlite3"
        shutil.copyfile(str(parsed.database), target)
        return f"sqlite:///{target}"
    name = f"{parsed.database}_import"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _rows(conn: Connection, table: Any) -> set[tuple[Any, ...]]:
    """A summary's rows, money to the fen (SQLite sums floats in whatever order it reads them)."""
    return {tuple(round(v, 2) if isinstance(v, float) else v for v in r) for r in conn.execute(select(table))}


def summaries_agree(url: str) -> bool:
    """The summaries the import kept equal a rebuild from the rows (rolled back)."""
    from data_access.summaries import SUMMARY_TABLES, rebuild

    engine = create_engine(url)
    with engine.connect() as conn:
        kept = {t.name: _rows(conn, t) for t in SUMMARY_TABLES}
        rebuild(conn)
        summed = {t.name: _rows(conn, t) for t in SUMMARY_TABLES}
        same = kept == summed
        for name in kept:
            if kept[name] != summed[name]:
                extra, lacking = kept[name] - summed[name], summed[name] - kept[name]
                print(f"{name}: {len(extra)} kept rows not summed, e.g. {sorted(extra)[:3]}")
                print(f"{name}: {len(lacking)} summed rows not kept, e.g. {sorted(lacking)[:3]}")
        conn.rollback()
    engine.dispose()
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--pg-url", default=os.environ.get("SALESRADAR_TEST_PG_URL"))
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    url = run.database_url(args.backend, args.size, args.pg_url)
    run.build(url, args.size)
    work = ROOT / "bench" / ".data" / f"import-{args.backend}-{args.size}"
    work.mkdir(parents=True, exist_ok=True)
    book = work / "week.zip"
    book.write_bytes(workbook(url, args.rows, args.seed))
    target = copy_database(url, work)
    env = {**os.environ, "DATABASE_URL": target, "SALESRADAR_INSTANCE": str(work / "instance")}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli", "import", str(book), "--as-of", run.AS_OF],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t0
    print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
    if done.returncode != 0:
        raise SystemExit(f"the import failed ({done.returncode})")
    agree = summaries_agree(target)
    print(
        f"{args.backend}, {args.size:,} opportunities: a {args.rows:,}-row weekly import took {seconds:.1f} s "
        f"(target 60 s); summaries equal to a rebuild: {'yes' if agree else 'NO'}"
    )
    if make_url(target).get_backend_name() == "sqlite":
        Path(str(make_url(target).database)).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
