"""Distractors: deliberately wrong next states for the ranking test (EVALUATION.md).

Each family edits the true next state s* in one way that the game could not have produced from (s, a),
and has its own precondition (a family that does not apply yields nothing). Editing s* rather than s
makes every distractor a hard negative: it differs from the truth only in the edited part. All
randomness comes from the generator passed in, which the evaluation seeds; a distractor equal to s*
in the observation is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from crafter_oo import constants as C
from crafter_oo.observation import observe
from crafter_oo.state import State, build_obj_map
from crafter_oo.world import is_free

Family = Callable[[State, int, State, np.random.RandomState], State | None]

_MAX_HEALTH = {"cow": 3, "zombie": 5, "skeleton": 3, "arrow": 0, "plant": 1}
_TOOLS = ("wood_pickaxe", "stone_pickaxe", "iron_pickaxe", "wood_sword", "stone_sword", "iron_sword")
_RESOURCES = ("wood", "stone", "coal", "iron", "diamond", "drink", "sapling")
_GIVES = {C.TREE: "wood", C.STONE: "stone", C.COAL: "coal", C.IRON: "iron", C.DIAMOND: "diamond",
          C.WATER: "drink", C.GRASS: "sapling"}
_PLACED = {"stone": C.STONE, "table": C.TABLE, "furnace": C.FURNACE}


def _refresh(state: State) -> State:
    state.obj_map = build_obj_map(state.materials.shape, state.player, state.objects)
    return state


def entity_health(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """An entity's health set to a random wrong value."""
    candidates = [e for e in truth.objects.values() if _MAX_HEALTH[e.kind] > 0]
    if not candidates:
        return None
    entity = candidates[rng.randint(0, len(candidates))]
    wrong = [h for h in range(_MAX_HEALTH[entity.kind] + 1) if h != entity.health]
    out = truth.copy()
    out.objects[entity.id].health = wrong[rng.randint(0, len(wrong))]
    return out


def entity_teleport(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """An entity moved 2..10 tiles (L1) to a free tile it could stand on."""
    if not truth.objects:
        return None
    ids = list(truth.objects)
    entity = truth.objects[ids[rng.randint(0, len(ids))]]
    x, y = entity.pos
    walkable = C.ARROW_PASSABLE if entity.kind == "arrow" else C.CREATURE_WALKABLE
    if entity.kind == "plant":
        walkable = frozenset({C.GRASS})
    targets = [(x + dx, y + dy) for dx in range(-10, 11) for dy in range(-10, 11)
               if 2 <= abs(dx) + abs(dy) <= 10 and is_free(truth, (x + dx, y + dy), walkable)]
    if not targets:
        return None
    out = truth.copy()
    out.objects[entity.id].pos = targets[rng.randint(0, len(targets))]
    return _refresh(out)


def player_health(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """The player's health shifted by a nonzero amount, within 0..9."""
    health = truth.player.health
    shifts = [d for d in (-3, -2, -1, 1, 2, 3) if 0 <= health + d <= C.ITEM_MAX]
    out = truth.copy()
    out.player.inventory["health"] = health + shifts[rng.randint(0, len(shifts))]
    return out


def inventory_shuffle(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """One to three inventory counts (not health) set to random values."""
    out = truth.copy()
    items = C.ITEMS[1:]
    for _ in range(rng.randint(1, 4)):
        out.player.inventory[items[rng.randint(0, len(items))]] = int(rng.randint(0, C.ITEM_MAX + 1))
    return out


def _faced(state: State) -> tuple[int, int]:
    p = state.player
    return (p.pos[0] + p.facing[0], p.pos[1] + p.facing[1])


def wrong_collect(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """On ``do``: a resource the faced tile cannot give."""
    if C.ACTIONS[a] != "do":
        return None
    pos = _faced(s)
    inside = 0 <= pos[0] < s.area[0] and 0 <= pos[1] < s.area[1]
    gives = _GIVES.get(int(s.materials[pos])) if inside else None
    options = [r for r in _RESOURCES if r != gives and truth.player.inventory[r] < C.ITEM_MAX]
    if not options:
        return None
    out = truth.copy()
    out.player.inventory[options[rng.randint(0, len(options))]] += 1
    return out


def wrong_craft(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """On ``make_*``: a different tool than asked."""
    name = C.ACTIONS[a]
    if not name.startswith("make_"):
        return None
    asked = name[len("make_"):]
    options = [t for t in _TOOLS if t != asked and truth.player.inventory[t] < C.ITEM_MAX]
    out = truth.copy()
    tool = options[rng.randint(0, len(options))]
    out.player.inventory[tool] += 1
    if truth.player.inventory[asked] > s.player.inventory[asked]:
        out.player.inventory[asked] -= 1
    return out


def wrong_place(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """On ``place_*``: a different item placed on the faced tile."""
    name = C.ACTIONS[a]
    if not name.startswith("place_"):
        return None
    pos = _faced(s)
    if not (0 <= pos[0] < s.area[0] and 0 <= pos[1] < s.area[1]) or truth.obj_map[pos]:
        return None
    asked = name[len("place_"):]
    options = [m for item, m in _PLACED.items() if item != asked and m != int(truth.materials[pos])]
    out = truth.copy()
    out.materials[pos] = options[rng.randint(0, len(options))]
    return out


def illegal_move(s: State, a: int, truth: State, rng: np.random.RandomState) -> State | None:
    """On a non-move action: the player displaced by one tile."""
    if C.ACTIONS[a] in C.MOVE_ACTIONS:
        return None
    options = [d for d in C.DIRECTIONS if is_free(truth, (truth.player.pos[0] + d[0], truth.player.pos[1] + d[1]),
                                                  C.PLAYER_WALKABLE)]
    if not options:
        return None
    dx, dy = options[rng.randint(0, len(options))]
    out = truth.copy()
    out.player.pos = (out.player.pos[0] + dx, out.player.pos[1] + dy)
    return _refresh(out)


FAMILIES: dict[str, Family] = {
    "entity_health": entity_health, "entity_teleport": entity_teleport, "player_health": player_health,
    "inventory": inventory_shuffle, "wrong_collect": wrong_collect, "wrong_craft": wrong_craft,
    "wrong_place": wrong_place, "illegal_move": illegal_move,
}


def distractors(s: State, a: int, truth: State, rng: np.random.RandomState) -> list[tuple[str, State]]:
    """One distractor per applicable family, in a fixed family order; those equal to s* are dropped."""
    seen = [observe(truth)]
    out = []
    for name, family in FAMILIES.items():
        candidate = family(s, a, truth, rng)
        if candidate is None:
            continue
        view = observe(candidate)
        if any(view == other for other in seen):
            continue
        seen.append(view)
        out.append((name, candidate))
    return out
