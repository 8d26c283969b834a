"""The kill test: `lawsmith explore` SIGKILLed at random moments (at least 10 times), rerun with the same
command each time, ends with exactly the steps (and the exported trace) of an uninterrupted run."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import crafter_oo
from engine.explore import explore
from engine.sessions import Store

ROOT = Path(__file__).resolve().parents[2]
SEED, BUDGET, POLICY = 17, 400, "novelty"


def committed(db: Path) -> int:
    """The last step stored in the database (-1 before the first commit), read as a concurrent reader."""
    if not db.exists():
        return -1
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT coalesce(max(t), -1) FROM steps").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # no schema yet, or the file is being created
        return -1


def wait_until(db: Path, target: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300  # a guard against a hang, not a measurement
    while proc.poll() is None and committed(db) < target:
        assert time.monotonic() < deadline, f"no progress to step {target}"
        time.sleep(0.01)


@pytest.mark.slow
def test_explore_killed_at_random_moments_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    with Store(tmp_path / "whole.db", create=True) as whole:
        reference = whole.raw_steps(explore(whole, SEED, BUDGET, POLICY))
        crafter_oo.write_trace(tmp_path / "whole.jsonl", whole.transitions(1))
    length = len(reference) - 1
    assert length >= 300, f"seed {SEED} now dies at step {length}: pick a seed whose life leaves room for 10 kills"

    db = tmp_path / "killed.db"
    command = [sys.executable, "-m", "cli", "explore", "--seed", str(SEED), "--steps", str(BUDGET),
               "--policy", POLICY, "--db", str(db)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    rng = random.Random(7)
    # Kill once the run has committed past a random step, a random time later (anywhere in a batch of 50 steps);
    # the None entries kill a random time after the start (during start-up or the replay of stored steps).
    plan: list[int | None] = sorted(rng.sample(range(length - 120), 10))
    for _ in range(3):
        plan.insert(rng.randrange(len(plan) + 1), None)
    kills, seen = 0, []
    for target in plan:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if target is not None:
            wait_until(db, target, proc)
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is not None:
            break  # it finished first: nothing left to kill
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += proc.returncode == -signal.SIGKILL
        seen.append(committed(db))
    assert kills >= 10, f"only {kills} kills landed (committed steps at each: {seen})"

    final = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)
    assert final.returncode == 0, final.stderr.decode()[-2000:]
    assert final.stdout == b"1\n"  # the same session all along
    with Store(db) as store:
        assert [i.id for i in store.sessions()] == [1]
        assert store.session(1).status == "explored"
        assert store.raw_steps(1) == reference
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    export = subprocess.run([sys.executable, "-m", "cli", "export", "1", "-o", str(tmp_path / "killed.jsonl"),
                             "--db", str(db)], cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)
    assert export.returncode == 0, export.stderr.decode()
    assert (tmp_path / "killed.jsonl").read_bytes() == (tmp_path / "whole.jsonl").read_bytes()
