"""Change detection: what changed in a transition, by kind, with its context; evidence tables."""

from __future__ import annotations

import numpy as np
import pytest

import crafter_oo
from crafter_oo.build import build_world
from crafter_oo.trace import Transition, random_play
from engine.evidence import KINDS, Evidence, changes


def _step(state, action):
    nxt, _, _ = crafter_oo.step(state, action)
    return Transition(state, crafter_oo.constants.ACTION_ID[action], nxt)


def _by_kind(cs):
    out = {}
    for c in cs:
        out.setdefault(c.kind, []).append(c)
    return out


def test_collecting_wood_groups_inventory_achievement_tile_and_time():
    t = _step(build_world(materials={(6, 5): "tree"}), "do")
    groups = _by_kind(changes(t))
    assert [(c.key, c.before, c.after) for c in groups["inventory"]] == [(("player", "inventory", "wood"), 0, 1)]
    assert [c.key for c in groups["achievement"]] == [("player", "achievements", "collect_wood")]
    (tile,) = groups["tile"]
    assert (tile.key, tile.before, tile.after) == (("tile", 6, 5), "tree", "grass")
    ctx = tile.context
    assert ctx.action == "do" and ctx.facing_material == "tree" and ctx.facing_entity == "none"
    assert ctx.offset == (1, 0) and ctx.distance == 1 and ctx.at_facing
    assert {c.key for c in groups["time"]} == {("step",), ("daylight",)}
    assert groups["inventory"][0].delta == 1
    assert "player" not in groups


def test_player_move_and_facing_are_player_changes():
    t = _step(build_world(facing="right"), "move_up")
    groups = _by_kind(changes(t))
    keys = {c.key: (c.before, c.after) for c in groups["player"]}
    assert keys[("player", "pos")] == ((5, 5), (5, 4))
    assert keys[("player", "facing")] == ("right", "up")
    assert groups["player"][0].context.offset is None


def test_entity_moved_vanished_appeared_and_damaged():
    before = build_world(entities=[("cow", (6, 6), {}), ("zombie", (2, 2), {})])
    after = build_world(entities=[("cow", (7, 6), {"health": 2})])  # same id 2; the zombie (id 3) is gone
    grown = build_world(entities=[("cow", (7, 6), {"health": 2}), ("plant", (3, 3), {})])
    grown.objects[4] = grown.objects.pop(3)  # a new id, so the plant appears rather than replaces
    grown.objects[4].id = 4
    cs = changes((before, "noop", after))
    groups = _by_kind(cs)
    (moved,) = groups["entity_moved"]
    assert moved.key == ("entity", 2, "pos") and (moved.before, moved.after) == ((6, 6), (7, 6))
    assert moved.context.entity_kind == "cow" and moved.context.offset == (1, 1) and moved.context.distance == 2
    (damaged,) = groups["entity_damaged"]
    assert (damaged.before, damaged.after, damaged.delta) == (3, 2, -1)
    (vanished,) = groups["entity_vanished"]
    assert vanished.key == ("entity", 3, "exists") and vanished.context.entity_kind == "zombie"
    appeared = _by_kind(changes((after, "noop", grown)))["entity_appeared"]
    assert [(c.key, c.context.entity_kind) for c in appeared] == [(("entity", 4, "exists"), "plant")]


def test_nothing_changes_but_time_on_a_noop_in_an_empty_world():
    cs = changes(_step(build_world(), "noop"))
    assert {c.kind for c in cs} == {"time"}


def test_changes_rejects_what_is_not_a_transition():
    with pytest.raises(TypeError):
        changes("do")  # type: ignore[arg-type]


def test_evidence_groups_tables_and_walkable_on_random_play():
    transitions = list(random_play(1, 300))
    ev = Evidence.from_transitions(transitions)
    assert ev.transitions == 300
    assert set(ev.counts()) == set(KINDS)
    assert sum(ev.counts().values()) == sum(len(cs) for cs in ev.changes)
    assert ev.counts()["time"] >= 300
    do = ev.table.column("action == do")
    assert np.array_equal(do, ev.actions == crafter_oo.constants.ACTION_ID["do"])
    assert ev.table.matrix.shape == (300, len(ev.table.features))
    assert "grass" in ev.walkable["player"]
    cows = ev.entities["cow"]
    assert cows.rows > 0 and cows.table.matrix.shape[0] == cows.rows
    assert (cows.arrays.t < 300).all()
    # the cow frame's distance features agree with the distances
    col = cows.table.column("dist({v}.pos, player.pos) <= 3")
    assert np.array_equal(col, cows.arrays.dist <= 3)


def test_evidence_of_nothing_and_of_one_transition():
    empty = Evidence.from_transitions([])
    assert empty.transitions == 0 and empty.table.matrix.shape[0] == 0
    assert "0 transitions" in empty.summary()
    one = Evidence.from_transitions([_step(build_world(materials={(6, 5): "tree"}), "do")])
    assert one.counts()["inventory"] == 1 and one.counts()["tile"] == 1


def test_evidence_is_the_same_for_the_same_transitions():
    transitions = list(random_play(2, 120))
    a, b = Evidence.from_transitions(transitions), Evidence.from_transitions(transitions)
    assert [[c.describe() for c in cs] for cs in a.changes] == [[c.describe() for c in cs] for cs in b.changes]
    assert np.array_equal(a.table.matrix, b.table.matrix)
