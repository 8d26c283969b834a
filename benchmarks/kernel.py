"""Benchmark the native kernel against the Python reference and the real crafter package.

Run ``python benchmarks/kernel.py`` (``--quick`` for a short run). Everything is measured in the same
run on the same machine, so the ratios are meaningful even on a loaded box:

* kernel steps/s batched inside Rust (``Batch.rollout``), one thread and ``--threads`` threads, with
  finished worlds left stepping (pure step cost) and with auto-reset (a random policy dies every
  ~167 steps, so world generation is part of the cost);
* kernel steps/s one at a time through Python (``native.step``: State -> arrays -> State);
* reset time per world (inside Rust, and through ``native.reset``);
* the Python reference step (``crafter_oo.step.step``) and the real crafter core step
  (``crafter.Env`` with ``_obs`` patched out, via ``crafter_oo.parity.oracle_env``);
* memory of a Batch of 1,024 worlds (the kernel's own count and the process RSS growth).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

import numpy as np

from crafter_oo import constants as C
from crafter_oo import native
from crafter_oo.step import step as py_step
from crafter_oo.worldgen import generate

N_ACTIONS = len(C.ACTIONS)


def _rss_bytes() -> int:
    """Resident set size from /proc (Linux); 0 where unavailable."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _best_of(repeats: int, fn: Callable[[], float]) -> float:
    """The best rate over a few repeats: the least disturbed by other processes on a shared machine."""
    return max(fn() for _ in range(repeats))


def bench_rollout(worlds: int, steps: int, threads: int, auto_reset: bool, repeats: int) -> float:
    actions = np.random.default_rng(0).integers(0, N_ACTIONS, (steps, worlds))
    batch = native.Batch(range(worlds), threads=threads)
    batch.rollout(actions[:5], auto_reset=auto_reset)  # warm the pool and the daylight table

    def run() -> float:
        start = time.perf_counter()
        batch.rollout(actions, auto_reset=auto_reset)
        return steps * worlds / (time.perf_counter() - start)

    return _best_of(repeats, run)


def bench_batch_step(worlds: int, steps: int, threads: int) -> float:
    actions = np.random.default_rng(1).integers(0, N_ACTIONS, (steps, worlds))
    batch = native.Batch(range(worlds), threads=threads)
    start = time.perf_counter()
    for row in actions:
        batch.step(row)
        batch.reset_done()
    return steps * worlds / (time.perf_counter() - start)


def bench_single(step_fn: Callable, reset_fn: Callable, steps: int) -> float:
    """Steps/s of one world stepped through Python with a random policy, resetting on done (the
    resets are not timed)."""
    rng = np.random.default_rng(2)
    state = reset_fn(0, 1)
    elapsed, done_steps = 0.0, 0
    while done_steps < steps:
        action = int(rng.integers(N_ACTIONS))
        start = time.perf_counter()
        state, _, done = step_fn(state, action)
        elapsed += time.perf_counter() - start
        done_steps += 1
        if done:
            state = reset_fn(0, state.episode + 1)
    return done_steps / elapsed


def bench_crafter(steps: int) -> float:
    """The real crafter package's core step: oracle env, no rendering; resets not timed."""
    from crafter_oo.parity import oracle_env
    env = oracle_env(0)
    env.reset()
    rng = np.random.default_rng(3)
    elapsed = 0.0
    for _ in range(steps):
        action = int(rng.integers(N_ACTIONS))
        start = time.perf_counter()
        _, _, done, _ = env.step(action)
        elapsed += time.perf_counter() - start
        if done:
            env.reset()
    return steps / elapsed


def bench_resets(count: int) -> tuple[float, float, float]:
    """Milliseconds per world: inside Rust (one thread), through ``native.reset``, Python reference."""
    start = time.perf_counter()
    native.Batch(range(count), threads=1)
    rust_ms = (time.perf_counter() - start) / count * 1e3
    start = time.perf_counter()
    for seed in range(count):
        native.reset(seed)
    api_ms = (time.perf_counter() - start) / count * 1e3
    n_py = max(3, count // 10)
    generate(0)
    start = time.perf_counter()
    for seed in range(n_py):
        generate(seed)
    py_ms = (time.perf_counter() - start) / n_py * 1e3
    return rust_ms, api_ms, py_ms


def bench_memory(worlds: int) -> tuple[float, float]:
    """(MiB counted by the kernel, MiB of RSS growth) for a Batch of ``worlds`` worlds after stepping."""
    gc.collect()
    before = _rss_bytes()
    batch = native.Batch(range(worlds), threads=1)
    batch.rollout(np.random.default_rng(4).integers(0, N_ACTIONS, (100, worlds)), auto_reset=True)
    after = _rss_bytes()
    return batch.nbytes() / 2**20, (after - before) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=int, default=256, help="worlds in the batched runs")
    parser.add_argument("--steps", type=int, default=2000, help="steps per world in the batched runs")
    parser.add_argument("--threads", type=int, default=2, help="threads for the multi-threaded run")
    parser.add_argument("--single-steps", type=int, default=5000, help="steps for the one-at-a-time runs")
    parser.add_argument("--resets", type=int, default=200, help="worlds generated for the reset timing")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each batched run (best kept)")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.worlds, args.steps, args.single_steps, args.resets, args.repeats = 64, 300, 500, 20, 1
    if not native.available():
        raise SystemExit("the native kernel is not built: maturin develop --release")
    try:
        import numba
        numba.set_num_threads(1)  # the reference's worldgen threads only fight on a small machine
    except ImportError:
        pass

    w, s = args.worlds, args.steps
    rows: list[tuple[str, str]] = []
    batch_1 = bench_rollout(w, s, 1, auto_reset=False, repeats=args.repeats)
    batch_n = bench_rollout(w, s, args.threads, auto_reset=False, repeats=args.repeats)
    reset_1 = bench_rollout(w, s, 1, auto_reset=True, repeats=args.repeats)
    reset_n = bench_rollout(w, s, args.threads, auto_reset=True, repeats=args.repeats)
    stepwise = bench_batch_step(w, max(50, s // 10), 1)
    one = bench_single(native.step, native.reset, args.single_steps)
    ref = bench_single(py_step, generate, max(500, args.single_steps // 5))
    try:
        crafter_rate: float | None = bench_crafter(max(500, args.single_steps // 5))
    except Exception as exc:  # crafter is a test dependency; report instead of failing
        print(f"(crafter core step not measured: {exc})")
        crafter_rate = None
    rust_ms, api_ms, py_ms = bench_resets(args.resets)
    mem_kernel, mem_rss = bench_memory(1024)

    rows.append((f"rollout, 1 thread, {w} worlds x {s} steps", f"{batch_1:,.0f} steps/s"))
    rows.append((f"rollout, {args.threads} threads", f"{batch_n:,.0f} steps/s"))
    rows.append(("rollout + auto-reset, 1 thread", f"{reset_1:,.0f} steps/s"))
    rows.append((f"rollout + auto-reset, {args.threads} threads", f"{reset_n:,.0f} steps/s"))
    rows.append(("Batch.step from Python, 1 thread (+reset_done)", f"{stepwise:,.0f} steps/s"))
    rows.append(("native.step one at a time (State in/out)", f"{one:,.0f} steps/s"))
    rows.append(("Python reference step", f"{ref:,.0f} steps/s"))
    if crafter_rate is not None:
        rows.append(("crafter 1.8.3 core step (no render)", f"{crafter_rate:,.0f} steps/s"))
    rows.append(("reset per world: Rust (Batch, 1 thread)", f"{rust_ms:.3f} ms"))
    rows.append(("reset per world: native.reset (with State)", f"{api_ms:.3f} ms"))
    rows.append(("reset per world: Python reference", f"{py_ms:.3f} ms"))
    rows.append(("Batch of 1,024 worlds: kernel count", f"{mem_kernel:.1f} MiB"))
    rows.append(("Batch of 1,024 worlds: RSS growth", f"{mem_rss:.1f} MiB"))
    rows.append(("ratio rollout(1 thread) / Python reference", f"{batch_1 / ref:,.0f}x"))
    rows.append(("ratio native.step / Python reference", f"{one / ref:,.1f}x"))
    if crafter_rate is not None:
        rows.append(("ratio rollout(1 thread) / crafter", f"{batch_1 / crafter_rate:,.0f}x"))
        rows.append(("ratio native.step / crafter", f"{one / crafter_rate:,.1f}x"))
    rows.append(("ratio reset Python / Rust", f"{py_ms / rust_ms:,.0f}x"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
