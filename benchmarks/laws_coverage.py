"""Accuracy and coverage of the reference law set on seeded random play in Crafter-OO.

Run: /work/venv/bin/python benchmarks/laws_coverage.py [transitions] [seed]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# benchmarks/laws.py is named like the package: keep this folder off the import path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import laws
from laws.audit import audit


def main() -> None:
    transitions = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    start = time.perf_counter()
    report = audit(laws.reference_set(), transitions=transitions, seed=seed)
    print(report.summary())
    print(f"changes by attribute: {dict(report.changed.most_common())}")
    for miss in report.misses[:20]:
        print("MISS", miss)
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
