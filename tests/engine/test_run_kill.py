"""The kill test for the whole pipeline: `lawsmith run` SIGKILLed at random moments (10 times), rerun each
time with the same command, ends with the same law set and the same results as an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--seed", "8", "--steps", "200", "--trials", "1"]


def _command(db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cli", "run", *ARGS, "--db", str(db), *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _finish(db: Path) -> tuple[dict, str]:
    done = subprocess.run(_command(db, "--json"), cwd=ROOT, env=_env(), capture_output=True, text=True, check=True)
    laws = subprocess.run([sys.executable, "-m", "cli", "laws", "1", "--db", str(db)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout), laws.stdout


@pytest.mark.slow
def test_run_killed_at_random_moments_ends_as_an_uninterrupted_run(tmp_path: Path) -> None:
    start = time.monotonic()
    whole, whole_laws = _finish(tmp_path / "whole.db")
    duration = time.monotonic() - start

    db = tmp_path / "killed.db"
    rng = random.Random(11)
    kills = attempts = 0
    while kills < 10 and attempts < 100:
        attempts += 1
        proc = subprocess.Popen(_command(db), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # A random moment, early ones likelier: start-up, the life, learning, an evaluation. As stages finish
        # and are stored, later runs have less left to do, and only the early moments still land.
        time.sleep(max(0.3, duration * rng.random() ** 2))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills == 10
    killed, killed_laws = _finish(db)
    assert killed_laws == whole_laws
    assert killed == whole
