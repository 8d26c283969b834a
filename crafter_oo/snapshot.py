"""``from_crafter``: a Crafter-OO state read off a live ``crafter.Env``, random state included.

Only attributes are read; nothing here imports ``crafter``, so Crafter-OO itself does not depend on it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crafter_oo import constants as C
from crafter_oo import rng as rng_mod
from crafter_oo.errors import CrafterOOError
from crafter_oo.state import ENTITY_TYPES, Entity, Player, State


def _pair(value: Any) -> tuple[int, int]:
    return (int(value[0]), int(value[1]))


def from_crafter(env: Any) -> State:
    """Snapshot a ``crafter.Env`` after ``reset`` (and any steps) as a Crafter-OO state."""
    world = getattr(env, "_world", None)
    if world is None or getattr(env, "_player", None) is None:
        raise CrafterOOError("from_crafter needs a crafter.Env that has been reset")
    names = [None, *C.MATERIALS[1:]]
    for name, index in world._mat_ids.items():
        if index >= len(names) or names[index] != name:
            raise CrafterOOError(f"the env uses material {name!r} with id {index}, unknown to Crafter-OO")
    p = env._player
    player = Player(
        pos=_pair(p.pos), facing=_pair(p.facing),
        inventory={k: int(p.inventory[k]) for k in C.ITEMS},
        achievements={k: int(p.achievements[k]) for k in C.ACHIEVEMENTS},
        sleeping=bool(p.sleeping), hunger=float(p._hunger), thirst=float(p._thirst),
        fatigue=float(p._fatigue), recover=float(p._recover), last_health=int(p._last_health),
    )
    objects: dict[int, Entity] = {}
    for slot, obj in enumerate(world._objects):
        if obj is None or obj is p:
            continue
        kind = type(obj).__name__.lower()
        if kind not in ENTITY_TYPES:
            raise CrafterOOError(f"object {slot} is a {type(obj).__name__}, which Crafter-OO does not model")
        cls = ENTITY_TYPES[kind]
        extra = {name: (_pair(getattr(obj, name)) if name == "facing" else int(getattr(obj, name)))
                 for name in cls.fields}
        objects[slot] = cls(slot, _pair(obj.pos), int(obj.health), **extra)
    return State(
        materials=np.array(world._mat_map, dtype=np.uint8), player=player, objects=objects,
        next_id=len(world._objects), chunks=[tuple(int(v) for v in k) for k in world._chunks],
        step=int(env._step), seed=int(env._seed), episode=int(env._episode),
        rng=rng_mod.from_generator(world.random), last_health=int(env._last_health),
        length=int(env._length or 0),
    )
