"""The symbolic proposer, measured: laws induced from seeded random play (and from the evaluation
scenarios), scored on held-out transitions beside the hand-written reference set.

Run: /work/venv/bin/python benchmarks/propose.py [--quick]

For each training run it prints the time to propose, the number of laws, and on held-out play the
audit figures (``laws.audit``'s): deterministic predictions that match, stochastic predictions
whose support holds the truth, and the share of observed changes some law spoke for (also without
daylight, the one real-valued observable, which only an exact periodic formula can cover).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import laws
from crafter_oo.trace import random_play
from engine import scenarios
from engine.propose import propose
from engine.propose.score import audit_transitions, figures


def _row(name: str, report, seconds: float | None = None, count: int | None = None) -> str:
    f = figures(report)
    changed = sum(report.changed.values())
    daylight = report.changed.get("daylight", 0)
    uncovered = sum(report.uncovered.values()) - report.uncovered.get("daylight", 0)
    no_daylight = 1.0 - uncovered / max(1, changed - daylight)
    head = f"{name:<34}"
    head += f"{count:>5} laws " if count is not None else " " * 11
    head += f"{seconds:6.2f} s " if seconds is not None else " " * 9
    return (head + f"det {f['deterministic_accuracy']:.4f} ({int(f['deterministic'])})  "
            f"stoch {f['stochastic_in_support']:.4f} ({int(f['stochastic'])})  "
            f"coverage {f['coverage']:.4f}  w/o daylight {no_daylight:.4f}")


def main() -> None:
    quick = "--quick" in sys.argv
    held_out = list(random_play(100, 1000 if quick else 2000))
    print(f"held-out: random play, seed 100, {len(held_out)} steps\n")
    reference = laws.reference_set()
    start = time.perf_counter()
    ref_report = audit_transitions(reference, held_out)
    print(_row("reference set", ref_report, time.perf_counter() - start, len(reference)))
    runs = [(0, 2000)] if quick else [(0, 2000), (1, 2000), (2, 2000), (0, 5000)]
    for seed, steps in runs:
        train = list(random_play(seed, steps))
        start = time.perf_counter()
        proposals = propose(train, seed=seed)
        seconds = time.perf_counter() - start
        report = audit_transitions(proposals.law_set(), held_out)
        print(_row(f"proposed: random seed {seed}, {steps}", report, seconds, len(proposals)))
        if proposals.dropped:
            print(f"    dropped {len(proposals.dropped)}: " + "; ".join(
                f"{d.name} ({d.reason.split(':')[0]})" for d in proposals.dropped[:6]))
    print()
    train = [t for s in scenarios.SCENARIOS for t in scenarios.run(s, 0).transitions]
    test = [t for s in scenarios.SCENARIOS for t in scenarios.run(s, 1).transitions]
    print(f"scenarios: all {len(scenarios.SCENARIOS)} variants, seed 0 ({len(train)} steps) -> seed 1 ({len(test)})")
    print(_row("reference set", audit_transitions(reference, test), None, len(reference)))
    start = time.perf_counter()
    proposals = propose(train)
    seconds = time.perf_counter() - start
    print(_row("proposed: scenarios seed 0", audit_transitions(proposals.law_set(), test), seconds, len(proposals)))


if __name__ == "__main__":
    main()
