"""Edited start states and scripted policies that drive a life into specific mechanics."""

from __future__ import annotations

import numpy as np

import crafter_oo
from crafter_oo import constants as C
from crafter_oo.state import Cow, Entity, Plant, Skeleton, State, Zombie, build_obj_map
from crafter_oo.world import distance, material_at, object_at, toward


def cleared(seed: int, radius: int = 3, inventory: dict[str, int] | None = None) -> State:
    """A fresh world with grass and no creatures within ``radius`` (Chebyshev) of the player."""
    state = crafter_oo.reset(seed, native=False).copy()
    px, py = state.player.pos
    state.materials[px - radius: px + radius + 1, py - radius: py + radius + 1] = C.GRASS
    for i, e in list(state.objects.items()):
        if max(abs(e.pos[0] - px), abs(e.pos[1] - py)) <= radius:
            del state.objects[i]
    state.player.inventory.update(inventory or {})
    state.obj_map = build_obj_map(state.materials.shape, state.player, state.objects)
    return state


def with_entity(state: State, entity_type: type[Entity], offset: tuple[int, int], **fields: int) -> State:
    """``state`` plus a new creature at ``offset`` from the player (on grass)."""
    state = state.copy()
    pos = (state.player.pos[0] + offset[0], state.player.pos[1] + offset[1])
    state.materials[pos] = C.GRASS
    entity = entity_type(state.next_id, pos, C.START_HEALTH[entity_type.kind], **fields)
    state.objects[entity.id] = entity
    state.next_id += 1
    state.obj_map = build_obj_map(state.materials.shape, state.player, state.objects)
    return state


def face_and_do(state: State, kinds: tuple[str, ...], gen: np.random.RandomState) -> int:
    """Walk to the nearest entity of ``kinds`` and hit it; wander (seeded) when none is near."""
    p = state.player
    targets = [e for e in state.objects.values() if e.kind in kinds]
    if not targets:
        return int(gen.randint(1, 5))
    target = min(targets, key=lambda e: (distance(p.pos, e.pos), e.id))
    facing = (p.pos[0] + p.facing[0], p.pos[1] + p.facing[1])
    if facing == target.pos:
        return C.ACTION_ID["do"]
    if distance(p.pos, target.pos) == 1:
        direction = (target.pos[0] - p.pos[0], target.pos[1] - p.pos[1])
    else:
        direction = toward(p.pos, target.pos, long_axis=bool(gen.randint(0, 2)))
        ahead = (p.pos[0] + direction[0], p.pos[1] + direction[1])
        if object_at(state, ahead) is not None or material_at(state, ahead) not in C.PLAYER_WALKABLE - {C.LAVA}:
            return int(gen.randint(1, 5))
    name = {C.LEFT: "move_left", C.RIGHT: "move_right", C.UP: "move_up", C.DOWN: "move_down"}[direction]
    return C.ACTION_ID[name]


CRAFTING = [
    "place_table", "move_left", "place_furnace", "make_wood_pickaxe", "make_stone_pickaxe",
    "make_iron_pickaxe", "make_wood_sword", "make_stone_sword", "make_iron_sword",
    "move_up", "place_stone", "move_right", "place_plant", "do", "noop",
]

__all__ = ["CRAFTING", "Cow", "Plant", "Skeleton", "Zombie", "cleared", "face_and_do", "with_entity"]
