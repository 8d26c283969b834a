"""One life per seed through the whole pipeline (explore with the novelty policy, learn, evaluate):
per scenario, the learned model's MRR and rank-1 beside the null model's, whether the life showed the
scenario's changes, and how long each run took (target: under 5 minutes for a 2,000-step budget).

Each life's overall MRR is also split into the scenarios the life encountered and those it did not,
with the reference laws fitted on the same life beside it: what the learner makes of what it saw,
apart from what the life never showed it.

Run: python benchmarks/one_life.py [--seeds 0 1 2 3 4] [--steps 2000] [--trials 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.pipeline import run_pipeline
from engine.sessions import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float, float, bool]]] = {}
    overall = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            start = time.perf_counter()
            with Store(Path(tmp) / f"life{seed}.db", create=True) as store:
                summary = run_pipeline(store, seed, args.steps, "novelty", args.trials)
            seconds = time.perf_counter() - start
            table = dict(summary.table())
            learned, null = table["overall"]["learned"], table["overall"]["null"]
            seen = [key for key, was in summary.encountered.items() if was]
            split = (_mean(table, "learned", seen, True), _mean(table, "learned", seen, False))
            overall.append((learned[0], learned[1], null[0], *split, table["overall"]["reference"][0]))
            print(f"seed {seed}: life of {summary.steps} steps, {summary.laws} laws, {seconds:.0f} s "
                  f"({seconds / 300:.2f} of the 5-minute target); overall MRR learned {learned[0]:.3f} "
                  f"rank-1 {learned[1]:.3f}, null MRR {null[0]:.3f}; learned MRR on the {len(seen)} "
                  f"scenarios encountered {split[0]:.3f}, on the other {len(table) - 1 - len(seen)} "
                  f"{split[1]:.3f}; reference laws fitted on the life {overall[-1][5]:.3f}", flush=True)
            for key, cells in table.items():
                if key != "overall":
                    rows.setdefault(key, []).append((cells["learned"][0], cells["learned"][1], cells["null"][0],
                                                     summary.encountered[key]))
    print(f"\n{'scenario':26} {'learned MRR':>11} {'rank-1':>7} {'null MRR':>9}  seen in lives  "
          f"lives where learned < null though seen")
    for key, values in rows.items():
        n = len(values)
        seen = sum(v[3] for v in values)
        worse = sum(1 for v in values if v[3] and v[0] < v[2])
        print(f"{key:26} {sum(v[0] for v in values) / n:11.3f} {sum(v[1] for v in values) / n:7.3f} "
              f"{sum(v[2] for v in values) / n:9.3f}  {seen}/{n}{'':12} {worse}")
    n = len(overall)
    print(f"\noverall over {n} lives: learned MRR {sum(o[0] for o in overall) / n:.3f}, rank-1 "
          f"{sum(o[1] for o in overall) / n:.3f}; null MRR {sum(o[2] for o in overall) / n:.3f} (target 0.85)")
    print(f"learned MRR on the scenarios each life encountered {sum(o[3] for o in overall) / n:.3f}, on those "
          f"it did not {sum(o[4] for o in overall) / n:.3f}; reference laws fitted on each life "
          f"{sum(o[5] for o in overall) / n:.3f}")


def _mean(table: dict[str, dict[str, tuple[float, float]]], model: str, seen: list[str], inside: bool) -> float:
    """The model's mean MRR over the scenarios in ``seen`` (``inside``) or outside it; nan if none."""
    values = [cells[model][0] for key, cells in table.items() if key != "overall" and (key in seen) == inside]
    return sum(values) / len(values) if values else float("nan")


if __name__ == "__main__":
    main()
