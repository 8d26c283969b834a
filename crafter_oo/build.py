"""``build_world``: a hand-made state from a short description, for scenarios, tests and examples.

World generation only makes 64x64 worlds; evaluation scenarios and tests need small, exact ones ("a
9x9 grass world, a table east of the player, wood 1"). The result is an ordinary ``State`` whose
random stream is seeded, so stepping it is as reproducible as any other state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from crafter_oo import constants as C
from crafter_oo import rng as rng_mod
from crafter_oo.errors import CrafterOOError
from crafter_oo.state import ENTITY_TYPES, Entity, Player, Pos, State, build_obj_map, chunk_key

_WALKABLE = {"cow": C.CREATURE_WALKABLE, "zombie": C.CREATURE_WALKABLE, "skeleton": C.CREATURE_WALKABLE,
             "arrow": C.ARROW_PASSABLE, "plant": frozenset({C.GRASS})}
_DIRECTION = {name: vec for vec, name in C.DIRECTION_NAMES.items()}


def _material(name: str, where: str) -> int:
    if name not in C.MATERIAL_ID or name == "none":
        raise CrafterOOError(f"{where}: unknown material {name!r}; use one of {', '.join(C.MATERIALS[1:])}")
    return C.MATERIAL_ID[name]


def build_world(*, area: Pos = (9, 9), fill: str = "grass", player: Pos = (5, 5), facing: str = "right",
                materials: Mapping[Pos, str] | None = None, inventory: Mapping[str, int] | None = None,
                entities: Sequence[tuple[str, Pos, Mapping[str, Any]]] = (), sleeping: bool = False,
                counters: Mapping[str, float] | None = None, step: int = 0, seed: int = 0) -> State:
    """A world of ``fill`` with the listed tiles, the player and entities (created in list order).

    ``entities`` holds ``(kind, pos, fields)``; fields default to a new creature's (``{"grown": 301}``
    makes a ripe plant). ``counters`` sets the hidden hunger, thirst, fatigue and recover counters.
    """
    width, height = area
    if not (1 <= width <= 255 and 1 <= height <= 255):
        raise CrafterOOError(f"area must be 1..255 on each side, got {area}")
    grid = np.full(area, _material(fill, "fill"), np.uint8)
    for pos, name in (materials or {}).items():
        if not (0 <= pos[0] < width and 0 <= pos[1] < height):
            raise CrafterOOError(f"materials: {pos} is outside the {width}x{height} area")
        grid[pos] = _material(name, f"materials[{pos}]")
    if facing not in _DIRECTION:
        raise CrafterOOError(f"facing must be one of {', '.join(_DIRECTION)}, got {facing!r}")
    if not (0 <= player[0] < width and 0 <= player[1] < height):
        raise CrafterOOError(f"player: {player} is outside the {width}x{height} area")
    if int(grid[player]) not in C.PLAYER_WALKABLE:
        raise CrafterOOError(f"player: cannot stand on {C.MATERIALS[grid[player]]} at {player}")
    hero = Player(pos=tuple(player), facing=_DIRECTION[facing], sleeping=sleeping)  # type: ignore[arg-type]
    for item, count in (inventory or {}).items():
        if item not in C.ITEM_INITIAL or not 0 <= count <= C.ITEM_MAX:
            raise CrafterOOError(f"inventory: {item}={count} is not an item with a count 0..{C.ITEM_MAX}")
        hero.inventory[item] = count
    hero.last_health = hero.inventory["health"]
    for name, value in (counters or {}).items():
        if name not in ("hunger", "thirst", "fatigue", "recover"):
            raise CrafterOOError(f"counters: unknown counter {name!r}")
        setattr(hero, name, float(value))
    objects: dict[int, Entity] = {}
    occupied = {hero.pos}
    for n, (kind, pos, fields) in enumerate(entities, start=2):
        if kind not in ENTITY_TYPES:
            raise CrafterOOError(f"entities: unknown kind {kind!r}; use one of {', '.join(ENTITY_TYPES)}")
        pos = (int(pos[0]), int(pos[1]))
        if not (0 <= pos[0] < width and 0 <= pos[1] < height) or pos in occupied:
            raise CrafterOOError(f"entities: {kind} at {pos} is off the map or on an occupied tile")
        if int(grid[pos]) not in _WALKABLE[kind]:
            raise CrafterOOError(f"entities: a {kind} cannot stand on {C.MATERIALS[grid[pos]]} at {pos}")
        occupied.add(pos)
        values = dict(fields)
        if "facing" in values:
            values["facing"] = _DIRECTION[values["facing"]]
        health = values.pop("health", C.START_HEALTH[kind])
        objects[n] = ENTITY_TYPES[kind](n, pos, health, **values)
    chunks: list[tuple[int, int, int, int]] = []
    for pos in [hero.pos, *(e.pos for e in objects.values())]:
        key = chunk_key(pos, (width, height))
        if key not in chunks:
            chunks.append(key)
    return State(materials=grid, player=hero, objects=objects, next_id=len(objects) + 2, chunks=chunks,
                 step=step, seed=seed, episode=1, rng=rng_mod.seeded(seed), last_health=hero.health,
                 obj_map=build_obj_map(grid.shape, hero, objects))
