"""Bad input to the kernel raises a clear Python exception and never crashes the interpreter."""

from __future__ import annotations

import json

import numpy as np
import pytest

from crafter_oo import native
from crafter_oo.errors import ActionError, StateError
from crafter_oo.state import Cow, State


@pytest.fixture(scope="module")
def state() -> State:
    return native.reset(2)


@pytest.mark.parametrize("action", [17, -1, "fly", 2.0, None, True])
def test_bad_action(state: State, action: object) -> None:
    with pytest.raises(ActionError):
        native.step(state, action)  # type: ignore[arg-type]


def test_action_names_and_numpy_ints_work(state: State) -> None:
    assert native.step(state, "move_left")[0] == native.step(state, np.int64(1))[0]


def test_other_schema_version_is_refused(state: State) -> None:
    data = json.loads(state.to_json())
    data["schema_version"] = 99
    with pytest.raises(StateError, match="schema_version"):
        State.from_json(json.dumps(data))
    with pytest.raises(StateError, match=r"State\.from_json"):
        native.step(data, 0)  # type: ignore[arg-type]


def test_other_area_is_refused(state: State) -> None:
    small = state.copy()
    small.materials = small.materials[:32, :32].copy()
    small.obj_map = small.obj_map[:32, :32].copy()
    with pytest.raises(StateError, match="area"):
        native.step(small, 0)


def _edited(state: State, **changes: object) -> State:
    out = state.copy()
    for name, value in changes.items():
        setattr(out, name, value)
    return out


def test_corrupt_states_raise_not_crash(state: State) -> None:
    first = next(iter(state.objects.values()))
    cases = {
        "two objects on one tile": _edited(state, objects={**state.objects, state.next_id: Cow(
            state.next_id, first.pos, 3)}, next_id=state.next_id + 1),
        "object off the map": _edited(state, objects={state.next_id: Cow(state.next_id, (64, 3), 3)},
                                      next_id=state.next_id + 1),
        "ids out of order": _edited(state, objects=dict(reversed(list(state.objects.items())))),
        "bad chunk key": _edited(state, chunks=[(1, 2, 3, 4)]),
        "huge step": _edited(state, step=2**70),
        "material id 13": _edited(state, materials=np.full((64, 64), 13, np.uint8)),
    }
    for name, bad in cases.items():
        with pytest.raises(StateError):
            native.step(bad, 0)
        assert name


def test_bad_rng_and_counters_raise(state: State) -> None:
    from crafter_oo.rng import RngState
    bad_pos = _edited(state, rng=RngState(state.rng.key, 700))
    with pytest.raises(StateError, match="rng"):
        native.step(bad_pos, 0)
    odd = state.copy()
    odd.player.hunger = 0.3
    with pytest.raises(StateError, match="hunger"):
        native.step(odd, 0)
    facing = state.copy()
    facing.player.facing = (1, 1)
    with pytest.raises(StateError, match="facing"):
        native.step(facing, 0)


def test_step_leaves_its_input_unchanged(state: State) -> None:
    before = state.copy()
    for action in range(17):
        native.step(state, action)
    assert state == before
