"""How far the learner goes when a life is deep: the novelty policy explores a seed's world for the
whole budget, and whenever the player's health falls to 2 or below it is rescued (health back to 9;
food, drink and energy to at least 5) before the next step. Every transition learned from is a true
step of the game; only the state the next step starts from is the rescued one. The life is then
learned and evaluated like ``lawsmith run``'s.

This is an oracle intervention, not a product mode. It separates the two halves of issue 7's target:
a real life ends in its first night (about 250 steps) and shows 8-9 of the 23 mechanics, so its MRR
measures exploration as much as learning; here the depth is given, and what is left is the learner.

Run: python benchmarks/deep_life.py [--seeds 0 1 2 3 4] [--steps 2000] [--trials 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import crafter_oo
from crafter_oo import constants as C
from engine.evaluate import evaluate
from engine.learn import learn_transitions
from engine.pipeline import encountered
from engine.policies import make_policy

RESCUE_AT = 2


def deep_life(seed: int, steps: int) -> tuple[list[crafter_oo.Transition], int]:
    """The novelty policy's life on ``seed`` with rescues; returns the true transitions and the rescues."""
    agent = make_policy("novelty", seed)
    state = crafter_oo.reset(seed)
    obs = crafter_oo.observe(state)
    life: list[crafter_oo.Transition] = []
    rescues = 0
    for t in range(1, steps + 1):
        action = agent.act(obs, t)
        after, reward, done = crafter_oo.step(state, action)
        life.append(crafter_oo.Transition(state, action, after, float(reward)))
        agent.observe(obs, action, crafter_oo.observe(after))
        x, y = after.player.pos
        if C.MATERIALS[after.materials[x][y]] == "lava":
            break
        if done or after.player.inventory["health"] <= RESCUE_AT:
            after = after.copy()
            inventory = after.player.inventory
            inventory["health"] = 9
            for need in ("food", "drink", "energy"):
                inventory[need] = max(inventory[need], 5)
            after.player.last_health = 9
            rescues += 1
        state, obs = after, crafter_oo.observe(after)
    return life, rescues


def one(job: tuple[int, int, int]) -> tuple[int, int, int, float, dict, dict[str, bool]]:
    seed, steps, trials = job
    start = time.perf_counter()
    life, rescues = deep_life(seed, steps)
    _, model, _, _, _ = learn_transitions(life, seed)
    assert model is not None, f"seed {seed}: nothing learned"
    model.name = "learned"
    results = json.loads(evaluate(model, seed=seed, trials=trials).to_json())
    return seed, len(life), rescues, time.perf_counter() - start, results, encountered(life, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with Pool(args.workers) as pool:
        done = pool.map(one, [(seed, args.steps, args.trials) for seed in args.seeds])
    overall, inside = [], []
    for seed, steps, rescues, seconds, results, seen in done:
        mrr = results["overall"]["metrics"]["mrr"]["mean"]
        groups = {k: g["metrics"]["mrr"]["mean"] for k, g in results["groups"].items()}
        keys = [k for k in groups if seen.get(k)]
        seen_mrr = sum(groups[k] for k in keys) / len(keys) if keys else float("nan")
        overall.append(mrr)
        inside.append(seen_mrr)
        weak = ", ".join(f"{k} {groups[k]:.2f}" for k in keys if groups[k] < 0.9)
        print(f"seed {seed}: {steps} steps, {rescues} rescues, {seconds:.0f} s; learned MRR {mrr:.3f}; "
              f"{len(keys)} of {len(groups)} scenarios encountered, MRR on them {seen_mrr:.3f}"
              f"{'; below 0.9: ' + weak if weak else ''}", flush=True)
    n = len(overall)
    print(f"\noverall over {n} deep lives: learned MRR {sum(overall) / n:.3f} (target 0.85); on the scenarios "
          f"each life encountered {sum(inside) / n:.3f}")


if __name__ == "__main__":
    main()
