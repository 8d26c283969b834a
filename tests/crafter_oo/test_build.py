"""build_world: small hand-made worlds for scenarios, and clear errors for impossible ones."""

from __future__ import annotations

import pytest

import crafter_oo
from crafter_oo import CrafterOOError
from crafter_oo.build import build_world


def test_builds_the_described_world() -> None:
    state = build_world(materials={(6, 5): "table"}, inventory={"wood": 3},
                        entities=[("cow", (2, 2), {}), ("plant", (3, 3), {"grown": 301})], seed=4)
    assert state.area == (9, 9)
    assert crafter_oo.observe(state).material((6, 5)) == "table"
    assert state.player.pos == (5, 5) and state.player.facing == (1, 0)
    assert [e.kind for e in state.objects.values()] == ["cow", "plant"]
    assert state.objects[3].ripe  # type: ignore[attr-defined]
    assert crafter_oo.State.from_json(state.to_json()) == state
    next_state, _, _ = crafter_oo.step(state, "make_wood_pickaxe")
    assert next_state.player.inventory["wood_pickaxe"] == 1


@pytest.mark.parametrize("kwargs", [
    {"fill": "lava_cake"}, {"player": (9, 0)}, {"facing": "north"}, {"inventory": {"wood": 10}},
    {"inventory": {"gold": 1}}, {"entities": [("cow", (5, 5), {})]}, {"entities": [("dragon", (1, 1), {})]},
    {"materials": {(1, 1): "water"}, "entities": [("cow", (1, 1), {})]}, {"counters": {"mood": 1}},
    {"materials": {(5, 5): "stone"}}, {"area": (0, 4)},
])
def test_impossible_worlds_are_clear_errors(kwargs: dict) -> None:
    with pytest.raises(CrafterOOError):
        build_world(**kwargs)
