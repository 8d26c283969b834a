"""Tile and object operations on a working copy of a state.

These are the only functions that change where objects are, so the object map, the object table and
the chunk registry can never disagree. They follow Crafter's ``World``: off-map reads give material 0
and no object; a removed object's ``move``/``remove`` do nothing.
"""

from __future__ import annotations

from crafter_oo import constants as C
from crafter_oo.state import Entity, Player, Pos, State, chunk_key

Obj = Entity | Player


def inside(state: State, pos: Pos) -> bool:
    return 0 <= pos[0] < state.materials.shape[0] and 0 <= pos[1] < state.materials.shape[1]


def material_at(state: State, pos: Pos) -> int:
    """The material id at ``pos``; 0 off the map."""
    if not inside(state, pos):
        return C.NONE
    return int(state.materials[pos])


def object_at(state: State, pos: Pos) -> Obj | None:
    if not inside(state, pos):
        return None
    index = int(state.obj_map[pos])
    if index == 0:
        return None
    if index == Player.id:
        return state.player
    return state.objects[index]


def is_free(state: State, pos: Pos, walkable: frozenset[int]) -> bool:
    """Free means on the map, no object there, and a material the mover may enter."""
    if not inside(state, pos):
        return False
    return state.obj_map[pos] == 0 and int(state.materials[pos]) in walkable


def touch_chunk(state: State, pos: Pos) -> None:
    key = chunk_key(pos, state.area)
    if key not in state.chunks:
        state.chunks.append(key)


def add(state: State, entity: Entity) -> None:
    """Add a new entity; its id must be ``state.next_id``."""
    state.objects[entity.id] = entity
    state.obj_map[entity.pos] = entity.id
    state.next_id = entity.id + 1
    touch_chunk(state, entity.pos)


def remove(state: State, entity: Entity) -> None:
    if entity.removed:
        return
    del state.objects[entity.id]
    state.obj_map[entity.pos] = 0
    entity.removed = True


def move(state: State, obj: Obj, direction: Pos, walkable: frozenset[int]) -> bool:
    """Try to move by ``direction``. A removed entity does not move but still reports success."""
    target = (obj.pos[0] + direction[0], obj.pos[1] + direction[1])
    if not is_free(state, target, walkable):
        return False
    if isinstance(obj, Entity) and obj.removed:
        return True
    state.obj_map[target] = state.obj_map[obj.pos]
    state.obj_map[obj.pos] = 0
    obj.pos = target
    touch_chunk(state, target)
    return True


def distance(a: Pos, b: Pos) -> int:
    """Game logic's L1 distance."""
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


def toward(source: Pos, target: Pos, long_axis: bool = True) -> Pos:
    """A unit step from ``source`` toward ``target`` along the long (or short) axis; may be (0, 0)."""
    dx, dy = target[0] - source[0], target[1] - source[1]
    if (abs(dx) > abs(dy)) if long_axis else (abs(dx) <= abs(dy)):
        return (_sign(dx), 0)
    return (0, _sign(dy))
