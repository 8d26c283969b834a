"""Steps per second of Crafter-OO's Python reference against the real crafter package, in one run.

Usage: python benchmarks/env.py [--steps N] [--seeds K]

Both sides play the same seeded random actions from the same worlds; resets (world generation) are
timed separately, so the step figures are the core step alone. The oracle is crafter 1.8.3 with
rendering off (its core step), as in CRAFTER.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from crafter_oo.parity import oracle_env
from crafter_oo.step import step as python_step
from crafter_oo.worldgen import generate


def time_ours(seeds: list[int], steps: int) -> tuple[float, float, int]:
    step_time = reset_time = 0.0
    resets = 0
    for seed in seeds:
        actions = np.random.RandomState(seed).randint(0, 17, steps)
        t = time.perf_counter()
        state = generate(seed)
        reset_time += time.perf_counter() - t
        resets += 1
        for action in actions:
            t = time.perf_counter()
            state, _, done = python_step(state, int(action))
            step_time += time.perf_counter() - t
            if done:
                t = time.perf_counter()
                state = generate(seed, state.episode + 1)
                reset_time += time.perf_counter() - t
                resets += 1
    return step_time, reset_time, resets


def time_oracle(seeds: list[int], steps: int) -> tuple[float, float, int]:
    step_time = reset_time = 0.0
    resets = 0
    for seed in seeds:
        actions = np.random.RandomState(seed).randint(0, 17, steps)
        env = oracle_env(seed)
        t = time.perf_counter()
        env.reset()
        reset_time += time.perf_counter() - t
        resets += 1
        for action in actions:
            t = time.perf_counter()
            _, _, done, _ = env.step(int(action))
            step_time += time.perf_counter() - t
            if done:
                t = time.perf_counter()
                env.reset()
                reset_time += time.perf_counter() - t
                resets += 1
    return step_time, reset_time, resets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000, help="steps per seed")
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds")
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    generate(99), oracle_env(99).reset()  # warm up numba's noise and imports on both sides
    ours = time_ours(seeds, args.steps)
    oracle = time_oracle(seeds, args.steps)
    total = args.steps * len(seeds)
    ours_sps, oracle_sps = total / ours[0], total / oracle[0]
    ours_reset, oracle_reset = ours[1] / ours[2] * 1e3, oracle[1] / oracle[2] * 1e3
    print(f"steps timed per side: {total} ({len(seeds)} seeds x {args.steps}), same actions and worlds")
    print(f"{'':28}{'crafter_oo (python)':>22}{'crafter 1.8.3 oracle':>22}{'ratio':>9}")
    print(f"{'step, steps/s':28}{ours_sps:>22,.0f}{oracle_sps:>22,.0f}{ours_sps / oracle_sps:>8.2f}x")
    print(f"{'reset (worldgen), ms':28}{ours_reset:>22.1f}{oracle_reset:>22.1f}{oracle_reset / ours_reset:>8.2f}x")


if __name__ == "__main__":
    main()
