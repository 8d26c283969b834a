"""World-model speed: fitting the reference law set on 2,000 and 10,000 transitions of seeded random
play (target: 10,000 in under 60 s), and ``log_prob`` calls per second, each beside a reference
measured in the same run (the true transition's speed, stepping the same states).

Run: python benchmarks/fit.py [--steps 2000 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import crafter_oo
import inference
import laws

TARGET_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[2000, 10000])
    args = parser.parse_args()
    compiled = inference.compile(laws.reference_set())
    model = None
    for steps in args.steps:
        transitions = list(crafter_oo.random_play(0, steps))
        start = time.perf_counter()
        model = inference.fit(compiled, transitions, seed=0)
        seconds = time.perf_counter() - start
        print(f"fit {steps:>6} transitions: {seconds:6.1f} s ({steps / seconds:6.0f} transitions/s; "
              f"{seconds / TARGET_S:.2f} of the 60 s target{'' if steps == 10000 else ' set for 10,000'}); "
              f"{model.info['cells']} cells, {model.info['distinct_cells']} distinct in the SVI tables")
    assert model is not None
    held_out = list(crafter_oo.random_play(1, 500))
    start = time.perf_counter()
    for t in held_out:
        model.log_prob(t.state, t.action, t.next_state)
    lp_rate = len(held_out) / (time.perf_counter() - start)
    start = time.perf_counter()
    for t in held_out:
        crafter_oo.step(t.state, t.action, native=False)
    step_rate = len(held_out) / (time.perf_counter() - start)
    print(f"log_prob: {lp_rate:,.0f} calls/s (one per transition; the Python reference steps "
          f"{step_rate:,.0f} transitions/s: ratio {lp_rate / step_rate:.2f})")
    t = held_out[0]
    model.log_prob(t.state, t.action, t.next_state)
    start = time.perf_counter()
    for _ in range(200):
        model.log_prob(t.state, t.action, t.next_state)
    cached = 200 / (time.perf_counter() - start)
    print(f"log_prob, ranking candidates of one (s, a): {cached:,.0f} calls/s")


if __name__ == "__main__":
    main()
