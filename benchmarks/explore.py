"""Novelty against random play: steps survived and achievements unlocked in one life per seed.

Both policies run through ``engine.explore`` (every step stored, as ``lawsmith explore`` does) on the
same seeds with the same budget; the table shows each seed and the averages, and the ratios of the
averages (novelty / random).

Run: /work/venv/bin/python benchmarks/explore.py [--seeds 0,1,2,3,4] [--steps 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.explore import explore
from engine.policies import POLICIES
from engine.sessions import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", help="comma-separated world seeds")
    parser.add_argument("--steps", type=int, default=2000, help="step budget of each life")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    results: dict[str, list[tuple[int, int, bool, tuple[str, ...]]]] = {p: [] for p in POLICIES}
    seconds: dict[str, float] = dict.fromkeys(POLICIES, 0.0)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.db", create=True) as store:
        for seed in seeds:
            for policy in POLICIES:
                start = time.perf_counter()
                info = store.session(explore(store, seed, args.steps, policy))
                seconds[policy] += time.perf_counter() - start
                results[policy].append((info.steps, len(info.achievements), info.done, info.achievements))
    print(f"one life per seed, budget {args.steps} steps; steps survived (a dagger: died) and achievements")
    print(f"{'seed':>5} | {'random steps':>12} {'ach':>4} | {'novelty steps':>13} {'ach':>4} | novelty's achievements")
    for i, seed in enumerate(seeds):
        r, n = results["random"][i], results["novelty"][i]
        print(f"{seed:>5} | {r[0]:>11}{'†' if r[2] else ' '} {r[1]:>4} | {n[0]:>12}{'†' if n[2] else ' '} {n[1]:>4} | "
              f"{', '.join(n[3])}")
    mean = {p: (sum(x[0] for x in results[p]) / len(seeds), sum(x[1] for x in results[p]) / len(seeds))
            for p in POLICIES}
    print(f"{'mean':>5} | {mean['random'][0]:>12.1f} {mean['random'][1]:>4.1f} | "
          f"{mean['novelty'][0]:>13.1f} {mean['novelty'][1]:>4.1f} |")
    print(f"novelty / random: steps survived x{mean['novelty'][0] / mean['random'][0]:.2f}, "
          f"achievements x{mean['novelty'][1] / max(mean['random'][1], 1e-9):.2f}")
    for p in POLICIES:
        total = sum(x[0] for x in results[p])
        print(f"{p}: {total} steps in {seconds[p]:.1f} s ({seconds[p] / max(total, 1) * 1e3:.1f} ms per stored step)")


if __name__ == "__main__":
    main()
