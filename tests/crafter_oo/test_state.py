"""State equality, copying, the JSON round trip, and clear errors for malformed JSON."""

from __future__ import annotations

import json

import pytest

import crafter_oo
from crafter_oo import State, StateError


@pytest.fixture(scope="module")
def midgame() -> State:
    state = crafter_oo.reset(21, native=False)
    for action in [5, 3, 3, 5, 1, 1, 10, 6, 4, 5] * 8:
        state, _, _ = crafter_oo.step(state, action, native=False)
    return state


def test_round_trip_is_exact(midgame: State) -> None:
    text = midgame.to_json()
    back = State.from_json(text)
    assert back == midgame
    assert back.to_json() == text
    assert json.loads(text)["schema_version"] == crafter_oo.SCHEMA_VERSION


def test_copy_is_independent(midgame: State) -> None:
    twin = midgame.copy()
    twin.player.inventory["wood"] = 7 if midgame.player.inventory["wood"] != 7 else 6
    twin.materials[0, 0] = 1 if midgame.materials[0, 0] != 1 else 2
    assert twin != midgame
    assert crafter_oo.first_difference(twin, midgame) is not None


def test_step_does_not_change_its_input(midgame: State) -> None:
    before = midgame.to_json()
    for action in range(17):
        crafter_oo.step(midgame, action, native=False)
    assert midgame.to_json() == before


def test_first_difference_names_the_field(midgame: State) -> None:
    twin = midgame.copy()
    twin.player.inventory["sapling"] = (midgame.player.inventory["sapling"] + 1) % 10
    assert "player.inventory.sapling" in (crafter_oo.first_difference(midgame, twin) or "")


def _mutated(state: State, edit) -> str:  # type: ignore[no-untyped-def]
    data = state.to_dict()
    edit(data)
    return json.dumps(data)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(schema_version=2), "schema_version"),
    (lambda d: d.pop("player"), "player: missing"),
    (lambda d: d["player"]["inventory"].update(wood=12), "player.inventory.wood"),
    (lambda d: d["player"]["inventory"].update(wood="x"), "player.inventory.wood"),
    (lambda d: d["player"].update(facing=[1, 1]), "player.facing"),
    (lambda d: d["player"].update(pos=[64, 3]), "player.pos"),
    (lambda d: d["materials"].__setitem__(0, "z" * 64), "materials"),
    (lambda d: d["materials"].pop(), "materials"),
    (lambda d: d["objects"][0].update(kind="dragon"), "objects[0].kind"),
    (lambda d: d["objects"][1].update(pos=d["objects"][0]["pos"]), "objects[1].pos"),
    (lambda d: d["rng"].update(key="AAAA"), "rng.key"),
    (lambda d: d["rng"].update(pos=9999), "rng.pos"),
    (lambda d: d.update(chunks=[[0, 12, 0]]), "chunks[0]"),
])
def test_malformed_json_names_what_is_wrong(midgame: State, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StateError, match=message.replace("[", r"\[").replace("]", r"\]")):
        State.from_json(_mutated(midgame, edit))


@pytest.mark.parametrize("text", ["", "{", "[]", "null", '{"schema_version": 1}', b"\xff\xfe"])
def test_garbage_json_is_a_state_error(text: str | bytes) -> None:
    with pytest.raises(StateError):
        State.from_json(text)


def test_observation_hides_counters_and_random_state(midgame: State) -> None:
    obs = crafter_oo.observe(midgame)
    flat = json.dumps(obs.to_dict())
    for hidden in ("hunger", "thirst", "fatigue", "recover", "rng", "last_health", "chunks"):
        assert hidden not in flat
    assert obs.player.inventory["health"] == midgame.player.health
    assert [e.id for e in obs.entities] == list(midgame.objects)
    facing = obs.facing_pos
    assert obs.material(facing) == crafter_oo.constants.MATERIALS[midgame.materials[facing]]


def test_schema_types_every_observed_value(midgame: State) -> None:
    schema = crafter_oo.schema
    obs = crafter_oo.observe(midgame)
    assert schema.attribute("player.pos.x").contains(obs.player.pos[0])
    assert schema.attribute("player.facing").contains(obs.player.facing)
    for item, count in obs.player.inventory.items():
        assert schema.attribute(f"player.inventory.{item}").contains(count)
    for e in obs.entities:
        assert schema.attribute("entity.kind").contains(e.kind)
        assert schema.attribute("entity.health").contains(e.health)
    assert len(schema.actions) == 17
    with pytest.raises(KeyError, match="unknown attribute"):
        schema.attribute("player.mana")


def test_render_text_shows_the_local_view(midgame: State) -> None:
    text = crafter_oo.render_text(midgame)
    lines = text.splitlines()
    assert len(lines) == 8 and all(len(line) == 9 for line in lines[:7])
    assert lines[3][4] in "<>^vz"
    assert f"step {midgame.step}" in lines[7]
