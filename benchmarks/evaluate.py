"""Wall time of a full evaluation (38 variants x 5 trials) per baseline, against the 60 s target.

Usage: python benchmarks/evaluate.py [--trials N] [--models true null random] [--trace STEPS]

Each model is evaluated exactly as ``lawsmith evaluate --model NAME`` does (calibration included). With
``--trace STEPS`` it also times ``--transitions`` on a seeded random-play trace of that many steps
(64x64 worlds), which costs more per transition than the 9x9 scenario worlds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import crafter_oo
from engine.evaluate import evaluate, evaluate_transitions
from engine.models import make_model

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--models", nargs="+", default=["true", "null", "random"])
    parser.add_argument("--trace", type=int, default=0, help="also time a random-play trace of this many steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    evaluate(make_model("true"), args.seed, trials=1, scenarios=[])  # imports, kernel and numpy warm-up
    print(f"full evaluation: 38 variants x {args.trials} trials, target {TARGET_SECONDS:.0f} s per model")
    print(f"{'model':10}{'seconds':>10}{'of target':>12}{'transitions':>13}{'rank-1':>9}")
    for name in args.models:
        model = make_model(name, args.seed)
        start = time.perf_counter()
        results = evaluate(model, args.seed, trials=args.trials)
        seconds = time.perf_counter() - start
        transitions = sum(t.transitions for g in results.groups for t in g.trials)
        print(f"{name:10}{seconds:>10.2f}{seconds / TARGET_SECONDS:>11.1%}{transitions:>13}"
              f"{results.overall('rank1').mean:>9.3f}")
    if args.trace:
        trace = list(crafter_oo.random_play(args.seed, args.trace))
        for name in args.models:
            model = make_model(name, args.seed)
            start = time.perf_counter()
            evaluate_transitions(model, trace, args.seed, trials=args.trials)
            seconds = time.perf_counter() - start
            print(f"trace of {args.trace} steps, {name}: {seconds:.2f} s "
                  f"({seconds / (args.trace * args.trials) * 1e3:.1f} ms per transition and trial)")


if __name__ == "__main__":
    main()
