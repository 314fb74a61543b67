"""The kill rate of the last mutmut run (``scripts/mutation``), per module and in all, from ``mutmut results``.

A mutant is killed when a test failed with it (or it timed out); it survived when every test it reached passed;
"no tests" reached no test at all (a function no selected test calls). The rate is killed / (killed + survived +
no tests); the surviving mutants are listed by name (``mutmut show NAME`` prints the change)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {"killed", "timeout"}
COUNTED = {"killed", "timeout", "survived", "no tests"}


def main() -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=False)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in out.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        module = name.split(".x_")[0].split(".xǁ")[0]
        per[module][status] += 1
        if status in ("survived", "no tests"):
            survivors.append(f"{name} ({status})")
    total: Counter[str] = Counter()
    print(f"{'module':<28} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} {'kill rate':>10}")
    for module in sorted(per):
        c = per[module]
        total.update(c)
        counted = sum(c[s] for s in COUNTED)
        killed = sum(c[s] for s in KILLED)
        shown = f"{killed / counted:.1%}" if counted else "-"
        print(f"{module:<28} {counted:>8} {killed:>7} {c['survived']:>9} {c['no tests']:>9} {shown:>10}")
    counted = sum(total[s] for s in COUNTED)
    killed = sum(total[s] for s in KILLED)
    rate = killed / max(counted, 1)
    print(f"{'all':<28} {counted:>8} {killed:>7} {total['survived']:>9} {total['no tests']:>9} {rate:>10.1%}")
    print("\nsurviving mutants:")
    print("\n".join(f"  {s}" for s in survivors) or "  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
