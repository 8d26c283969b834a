"""Invariants that hold after any action sequence (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import crafter_oo
from crafter_oo import constants as C
from crafter_oo.state import State, build_obj_map

_START = {seed: crafter_oo.reset(seed, native=False) for seed in range(3)}

WALKABLE = {"cow": C.CREATURE_WALKABLE, "zombie": C.CREATURE_WALKABLE, "skeleton": C.CREATURE_WALKABLE,
            "arrow": C.ARROW_PASSABLE, "plant": frozenset({C.GRASS})}


def _check(state: State) -> None:
    inv = state.player.inventory
    assert all(0 <= v <= C.ITEM_MAX for v in inv.values()), inv
    assert 0 <= inv["health"] <= 9
    positions = [state.player.pos] + [e.pos for e in state.objects.values()]
    assert len(positions) == len(set(positions)), "two objects on one tile"
    assert (build_obj_map(state.materials.shape, state.player, state.objects) == state.obj_map).all()
    assert int(state.materials[state.player.pos]) in C.PLAYER_WALKABLE
    for e in state.objects.values():
        assert int(state.materials[e.pos]) in WALKABLE[e.kind], f"{e} on {C.MATERIALS[state.materials[e.pos]]}"
        assert e.health >= 0
    assert list(state.objects) == sorted(state.objects)
    assert all(i < state.next_id for i in state.objects)


@given(seed=st.sampled_from(sorted(_START)),
       actions=st.lists(st.integers(0, len(C.ACTIONS) - 1), min_size=1, max_size=120))
def test_invariants_hold_after_any_actions(seed: int, actions: list[int]) -> None:
    state = _START[seed]
    for action in actions:
        state, reward, done = crafter_oo.step(state, action, native=False)
        _check(state)
        assert -1.0 <= reward <= 2.0
        if done:
            break
