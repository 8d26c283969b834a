"""The front door: seeds, actions by index or name, determinism, and clear errors for bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import crafter_oo
from crafter_oo import ActionError, CrafterOOError
from crafter_oo.worldgen import world_seed


def test_world_seed_matches_the_tuple_hash_vectors() -> None:
    assert world_seed(0, 1) == 1256191933
    assert world_seed(0, 2) == 744553801
    assert world_seed(1, 1) == 535231920


def test_actions_by_name_and_index_agree() -> None:
    state = crafter_oo.reset(2, native=False)
    for index, name in enumerate(crafter_oo.constants.ACTIONS):
        by_index = crafter_oo.step(state, index, native=False)
        by_name = crafter_oo.step(state, name, native=False)
        assert by_index[0] == by_name[0] and by_index[1:] == by_name[1:]
    assert crafter_oo.step(state, np.int64(3), native=False)[0] == crafter_oo.step(state, 3, native=False)[0]


@pytest.mark.parametrize("action", [-1, 17, 99, "jump", "", 2.0, None, True])
def test_bad_actions_are_clear_errors(action: object) -> None:
    state = crafter_oo.reset(2, native=False)
    with pytest.raises(ActionError, match="action"):
        crafter_oo.step(state, action, native=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "episode"), [(-1, 1), ("3", 1), (1.5, 1), (3, 0), (3, -2)])
def test_bad_seeds_are_clear_errors(seed: object, episode: object) -> None:
    with pytest.raises(CrafterOOError):
        crafter_oo.reset(seed, episode, native=False)  # type: ignore[arg-type]


def _trajectory_json(seed: int) -> str:
    state = crafter_oo.reset(seed, native=False)
    actions = np.random.RandomState(seed).randint(0, 17, 300)
    for action in actions:
        state, _, done = crafter_oo.step(state, int(action), native=False)
        if done:
            state = crafter_oo.reset(seed, state.episode + 1, native=False)
    return state.to_json()


def test_same_seed_same_bytes_across_processes() -> None:
    code = ("import sys; sys.path.insert(0, '.'); from tests.crafter_oo.test_api import _trajectory_json;"
            " sys.stdout.write(_trajectory_json(8))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert other.stdout == _trajectory_json(8)


def test_environment_variable_forces_the_python_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAWSMITH_NATIVE", "0")
    assert not crafter_oo._kernel_enabled(None)
    assert not crafter_oo._kernel_enabled(False)


def test_gym_wrapper_follows_gymnasium_conventions() -> None:
    from crafter_oo.gym import CrafterOOEnv

    env = CrafterOOEnv(seed=4)
    obs, info = env.reset()
    assert obs == crafter_oo.observe(crafter_oo.reset(4)) and info["inventory"]["health"] == 9
    terminated = truncated = False
    steps = 0
    rng = np.random.RandomState(0)
    while not (terminated or truncated):
        obs, _reward, terminated, truncated, info = env.step(int(rng.randint(0, env.action_space.n)))
        steps += 1
    assert terminated and not truncated and info["discount"] == 0.0 and obs.player.inventory["health"] == 0
    env.reset()
    assert env.state is not None and env.state.episode == 2
    with pytest.raises(CrafterOOError):
        CrafterOOEnv().step(0)
