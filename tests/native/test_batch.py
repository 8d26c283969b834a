"""The Batch API: batched steps equal single steps, thread count never changes results, and a rollout
inside Rust equals repeated steps."""

from __future__ import annotations

import numpy as np
import pytest

from crafter_oo import constants as C
from crafter_oo import native
from crafter_oo.errors import ActionError, CrafterOOError
from tests.native.helpers import assert_same

N_ACTIONS = len(C.ACTIONS)
SEEDS = [3, 1, 4, 1, 5, 9, 2, 6]


def _actions(steps: int, n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, N_ACTIONS, (steps, n))


def test_batch_starts_as_reset() -> None:
    batch = native.Batch(SEEDS, episode=2, threads=1)
    assert len(batch) == len(SEEDS)
    for i, seed in enumerate(SEEDS):
        assert_same(batch.state(i), native.reset(seed, 2), f"world {i}")


def test_batch_step_equals_single_steps_with_resets() -> None:
    batch = native.Batch(SEEDS, threads=2)
    singles = [native.reset(s) for s in SEEDS]
    actions = _actions(400, len(SEEDS), seed=1)
    for t, row in enumerate(actions):
        rewards, dones = batch.step(row)
        assert rewards.dtype == np.float32 and dones.dtype == np.bool_
        for i, action in enumerate(row.tolist()):
            singles[i], reward, done = native.step(singles[i], action)
            where = f"world {i} (seed {SEEDS[i]}), t={t}"
            assert rewards[i] == np.float32(reward) and dones[i] == done, where
            assert_same(batch.state(i), singles[i], where)
        reset = batch.reset_done()
        assert reset.tolist() == dones.tolist()
        for i in np.flatnonzero(dones):
            singles[i] = native.reset(SEEDS[i], singles[i].episode + 1)
            assert_same(batch.state(i), singles[i], f"world {i} reset at t={t}")


@pytest.mark.parametrize("auto_reset", [False, True])
def test_rollout_equals_repeated_steps(auto_reset: bool) -> None:
    actions = _actions(600, len(SEEDS), seed=2)
    rolled = native.Batch(SEEDS, threads=1)
    stepped = native.Batch(SEEDS, threads=1)
    rewards, dones = rolled.rollout(actions, auto_reset=auto_reset)
    assert rewards.shape == dones.shape == actions.shape
    for t, row in enumerate(actions):
        r, d = stepped.step(row)
        assert np.array_equal(r, rewards[t]) and np.array_equal(d, dones[t]), f"t={t}"
        if auto_reset:
            stepped.reset_done()
    if auto_reset:
        assert dones.any(), "a random policy should die within 600 steps"
    for i in range(len(SEEDS)):
        assert_same(rolled.state(i), stepped.state(i), f"world {i} after the rollout")


def test_one_and_two_threads_agree() -> None:
    seeds = list(range(100, 164))
    actions = _actions(500, len(seeds), seed=3)
    one, two = native.Batch(seeds, threads=1), native.Batch(seeds, threads=2)
    assert (one.threads, two.threads) == (1, 2)
    r1, d1 = one.rollout(actions, auto_reset=True)
    r2, d2 = two.rollout(actions, auto_reset=True)
    assert np.array_equal(r1, r2) and np.array_equal(d1, d2)
    s1, t1 = one.step(actions[0]), two.step(actions[0])
    assert np.array_equal(s1[0], t1[0]) and np.array_equal(s1[1], t1[1])
    for i in range(len(seeds)):
        assert_same(one.state(i), two.state(i), f"world {i}")


def test_render_noise_in_batch_matches_single_steps() -> None:
    batch = native.Batch([8, 9], threads=1)
    states = [native.reset(8), native.reset(9)]
    for t in range(200):
        row = np.array([0, 6]) if t % 2 else np.array([6, 0])
        _, dones = batch.step(row, render_noise=True)
        for i in range(2):
            states[i] = native.step(states[i], int(row[i]), render_noise=True)[0]
        if dones.any():
            break
    for i in range(2):
        assert_same(batch.state(i), states[i], f"world {i}")


def test_memory_of_1024_worlds_is_small() -> None:
    batch = native.Batch(range(1024), threads=2)
    assert batch.nbytes() < 64 * 2**20


@pytest.mark.parametrize("bad", [
    np.zeros(3, np.int64),            # wrong length
    np.zeros((2, 2), np.int64),       # wrong shape
    np.zeros(2, np.float64),          # wrong dtype
    np.array([0, 17]),                # out of range
    np.array([-1, 0]),                # out of range
])
def test_bad_actions_raise(bad: np.ndarray) -> None:
    batch = native.Batch([1, 2], threads=1)
    before = batch.state(0)
    with pytest.raises(ActionError):
        batch.step(bad)
    with pytest.raises(ActionError):
        batch.rollout(bad[None] if bad.ndim == 1 else bad[:, :, None])
    assert_same(batch.state(0), before, "a rejected step must not change the world")


def test_bad_batch_arguments_raise() -> None:
    with pytest.raises(CrafterOOError):
        native.Batch([1, -2])
    with pytest.raises(CrafterOOError):
        native.Batch([[1, 2]])
    with pytest.raises(CrafterOOError):
        native.Batch([1], threads=0)
    with pytest.raises(CrafterOOError):
        native.Batch([1], episode=0)
    with pytest.raises(CrafterOOError):
        native.Batch([1]).state(1)
