"""The kill rate of the last mutmut run (``scripts/mutation``), per module and in all, from ``mutmut results``.

A mutant is killed when a test failed with it (or it timed out); it survived when every test it reached passed;
"no tests" reached no test at all (a function no selected test calls). A surviving mutant named in
docs/testing.md's list of equivalent mutants (a change no input can tell apart, each with its reason there) is
counted apart. The rate is killed / (killed + survived + no tests), the equivalent ones left out; the other
survivors are listed by name (``mutmut show NAME`` prints a change).

``--postgresql`` reruns each survivor of the last run (the listed equivalent ones left out) on PostgreSQL, with
the tests mutmut recorded for its function and the mutant switched on (``MUTANT_UNDER_TEST``), and writes the
ones a test fails there to ``mutants/killed-on-postgresql.txt``: a change SQLite accepts and PostgreSQL refuses
(a column left out of a GROUP BY, a scalar subquery of two rows) or answers in another order. The report counts
them killed, in a column of their own. It needs ``SALESRADAR_TEST_PG_URL`` (``scripts/with-postgres``).

``--sample K`` prints instead the mutant patterns of K functions of the pure metrics drawn with a fixed seed (the
run CI makes); ``--min RATE`` exits 1 when the kill rate is below RATE."""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KILLED = {"killed", "timeout", "killed on PostgreSQL"}
COUNTED = {"killed", "timeout", "killed on PostgreSQL", "survived", "no tests"}
SEED = 23
PG_KILLS = ROOT / "mutants" / "killed-on-postgresql.txt"
MUTMUT = str(Path(sys.executable).with_name("mutmut"))


def equivalent() -> set[str]:
    """The mutants docs/testing.md lists as equivalent (its section "Surviving mutants that are equivalent")."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = text.split("### Surviving mutants that are equivalent", 1)[-1].split("\n### ", 1)[0]
    return set(re.findall(r"`((?:metrics|data_access)\.[\w.ǁ]+__mutmut_\d+)`", section))


def functions() -> list[str]:
    """mutmut's name pattern of every function and method of the pure metrics (``metrics/*.py``)."""
    out = []
    for path in sorted((ROOT / "metrics").glob("*.py")):
        module = f"metrics.{path.stem}"
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out.append(f"{module}.x_{node.name}__mutmut_*")
            elif isinstance(node, ast.ClassDef):
                out += [
                    f"{module}.xǁ{node.name}ǁ{item.name}__mutmut_*"
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
    return out


def statuses() -> list[tuple[str, str]]:
    """(mutant name, status) of every mutant of the last run, as ``mutmut results`` prints them."""
    out = subprocess.run([MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=False)
    pairs = [line.strip().rpartition(": ") for line in out.stdout.splitlines()]
    return [(name, status) for name, _, status in pairs if name]


def rerun_on_postgresql() -> int:
    """Each survivor of the last run on PostgreSQL (see the module's docstring); prints one line per mutant."""
    same = equivalent()
    survivors = [name for name, status in statuses() if status == "survived" and name not in same]
    killed: list[str] = []
    for name in survivors:
        tests = subprocess.run(
            [MUTMUT, "tests-for-mutant", name], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        env = {**os.environ, "MUTANT_UNDER_TEST": name, "SALESRADAR_TEST_BACKEND": "postgresql"}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests],
            cwd=ROOT / "mutants",
            env=env,
            capture_output=True,
            check=False,
        )
        print(f"{name}: {'killed on PostgreSQL' if run.returncode == 1 else 'survived on PostgreSQL'}")
        if run.returncode == 1:
            killed.append(name)
    PG_KILLS.write_text("".join(f"{name}\n" for name in killed), encoding="utf-8")
    return 0


def report(minimum: float) -> int:
    same = equivalent()
    on_pg = set(PG_KILLS.read_text(encoding="utf-8").split()) if PG_KILLS.exists() else set()
    per: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for name, status in statuses():
        if status not in COUNTED:
            continue
        module = name.split(".x_")[0].split(".xǁ")[0]
        if name in same and status not in KILLED:
            per[module]["equivalent"] += 1
            continue
        if name in on_pg and status == "survived":
            status = "killed on PostgreSQL"
        per[module][status] += 1
        if status in ("survived", "no tests"):
            survivors.append(f"{name} ({status})")
    total: Counter[str] = Counter()
    head = f"{'module':<34} {'mutants':>8} {'killed':>7} {'of them PG':>10} {'survived':>9} {'no tests':>9}"
    head += f" {'equivalent':>11}"
    print(f"{head} {'kill rate':>10}")
    for module in sorted(per):
        c = per[module]
        total.update(c)
        counted = sum(c[s] for s in COUNTED)
        killed = sum(c[s] for s in KILLED)
        shown = f"{killed / counted:.1%}" if counted else "-"
        print(
            f"{module:<34} {counted:>8} {killed:>7} {c['killed on PostgreSQL']:>10} {c['survived']:>9}"
            f" {c['no tests']:>9} {c['equivalent']:>11} {shown:>10}"
        )
    counted = sum(total[s] for s in COUNTED)
    killed = sum(total[s] for s in KILLED)
    rate = killed / max(counted, 1)
    print(
        f"{'all':<34} {counted:>8} {killed:>7} {total['killed on PostgreSQL']:>10} {total['survived']:>9}"
        f" {total['no tests']:>9} {total['equivalent']:>11} {rate:>10.1%}"
    )
    print("\nsurviving mutants:")
    print("\n".join(f"  {s}" for s in survivors) or "  none")
    if counted == 0 or rate < minimum:
        print(f"\nkill rate {rate:.1%} of {counted} mutants: below {minimum:.0%}")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="print the mutant patterns of this many functions")
    parser.add_argument("--min", type=float, default=0.0, help="exit 1 when the kill rate is below this")
    parser.add_argument("--postgresql", action="store_true", help="rerun the survivors on PostgreSQL")
    args = parser.parse_args()
    if args.postgresql:
        return rerun_on_postgresql()
    if args.sample:
        print("\n".join(random.Random(SEED).sample(functions(), args.sample)))
        return 0
    return report(args.min)


if __name__ == "__main__":
    sys.exit(main())
