"""The kill rate of the last mutmut run (``scripts/mutation``), per module and in all, from ``mutmut results``.

A mutant is killed when a test failed with it (or it timed out); it survived when every test it reached passed;
"no tests" reached no test at all (a function no selected test calls). A surviving mutant named in
docs/testing.md's list of equivalent mutants (a change no input can tell apart, each with its reason there) is
counted apart. The rate is killed / (killed + survived + no tests), the equivalent ones left out; the other
survivors are listed by name (``mutmut show NAME`` prints a change).

``--sample K`` prints instead the mutant patterns of K functions of the pure metrics drawn with a fixed seed (the
run CI makes); ``--min RATE`` exits 1 when the kill rate is below RATE."""

from __future__ import annotations

import argparse
import ast
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KILLED = {"killed", "timeout"}
COUNTED = {"killed", "timeout", "survived", "no tests"}
SEED = 23


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


def report(minimum: float) -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=False)
    same = equivalent()
    per: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in out.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name or status not in COUNTED:
            continue
        module = name.split(".x_")[0].split(".xǁ")[0]
        if name in same and status not in KILLED:
            per[module]["equivalent"] += 1
            continue
        per[module][status] += 1
        if status in ("survived", "no tests"):
            survivors.append(f"{name} ({status})")
    total: Counter[str] = Counter()
    head = f"{'module':<34} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} {'equivalent':>11}"
    print(f"{head} {'kill rate':>10}")
    for module in sorted(per):
        c = per[module]
        total.update(c)
        counted = sum(c[s] for s in COUNTED)
        killed = sum(c[s] for s in KILLED)
        shown = f"{killed / counted:.1%}" if counted else "-"
        print(
            f"{module:<34} {counted:>8} {killed:>7} {c['survived']:>9} {c['no tests']:>9} {c['equivalent']:>11}"
            f" {shown:>10}"
        )
    counted = sum(total[s] for s in COUNTED)
    killed = sum(total[s] for s in KILLED)
    rate = killed / max(counted, 1)
    print(
        f"{'all':<34} {counted:>8} {killed:>7} {total['survived']:>9} {total['no tests']:>9}"
        f" {total['equivalent']:>11} {rate:>10.1%}"
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
    args = parser.parse_args()
    if args.sample:
        print("\n".join(random.Random(SEED).sample(functions(), args.sample)))
        return 0
    return report(args.min)


if __name__ == "__main__":
    sys.exit(main())
