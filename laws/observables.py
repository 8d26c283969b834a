"""Canonical observable keys, their values in an observation, and the schema's clamping.

A key is a small tuple, cheap to hash and build per transition:

    ('step',) ('daylight',)
    ('player', 'pos') ('player', 'facing') ('player', 'sleeping')
    ('player', 'inventory', item) ('player', 'achievements', name)
    ('tile', x, y)                       the material of one map tile
    ('entity', id, field)                field in pos, health, cooldown, reload, facing, grown, exists
    ('added', kind)                      how many entities of a kind appeared (ids new in the step)

The world model scores a true next observation against each law's prediction through ``actual``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from crafter_oo import constants as C
from crafter_oo.observation import SCHEMA, EntityView, Observation, Schema

Key = tuple[Any, ...]
NOT_APPLICABLE = None  # an entity field of an entity that does not exist
ENTITY_FIELDS = ("pos", "health", "cooldown", "reload", "facing", "grown")


def key_str(key: Key) -> str:
    """A readable, stable name: 'player.inventory.wood', 'tile[3,4]', 'entity[17].pos', 'added.arrow'."""
    head = key[0]
    if head == "tile":
        return f"tile[{key[1]},{key[2]}]"
    if head == "entity":
        return f"entity[{key[1]}].{key[2]}"
    return ".".join(str(k) for k in key)


def attribute_of(key: Key, kind: str | None = None) -> str:
    """The law-attribute graph node of a key: 'player.inventory.wood', 'tile.material', 'cow.pos'."""
    head = key[0]
    if head == "tile":
        return "tile.material"
    if head == "entity":
        return f"{kind or 'entity'}.{key[2]}"
    return ".".join(str(k) for k in key)


def _entity(obs: Observation, entity_id: int) -> EntityView | None:
    for e in obs.entities:
        if e.id == entity_id:
            return e
    return None


def value(obs: Observation, key: Key, entities: dict[int, EntityView] | None = None) -> Any:
    """The value of ``key`` in ``obs`` (for 'added', the count is 0: nothing was added yet)."""
    head = key[0]
    if head == "player":
        p = obs.player
        if key[1] == "pos":
            return p.pos
        if key[1] == "facing":
            return p.facing
        if key[1] == "sleeping":
            return p.sleeping
        if key[1] == "inventory":
            return p.inventory[key[2]]
        return p.achievements[key[2]]
    if head == "tile":
        return obs.material((key[1], key[2]))
    if head == "entity":
        e = entities.get(key[1]) if entities is not None else _entity(obs, key[1])
        if key[2] == "exists":
            return e is not None
        return NOT_APPLICABLE if e is None else getattr(e, key[2])
    if head == "step":
        return obs.step
    if head == "daylight":
        return obs.daylight
    if head == "added":
        return 0
    raise KeyError(key)


def actual(before: Observation, after: Observation, key: Key,
           after_entities: dict[int, EntityView] | None = None) -> Any:
    """The true value of ``key`` after a transition ``before -> after`` (what a prediction is scored on)."""
    if key[0] == "added":
        old = {e.id for e in before.entities}
        return sum(1 for e in after.entities if e.kind == key[1] and e.id not in old)
    return value(after, key, after_entities)


def changed_keys(before: Observation, after: Observation) -> Iterator[tuple[Key, Any, Any]]:
    """Every observable whose value differs between two observations: (key, before, after)."""
    if after.step != before.step:
        yield ("step",), before.step, after.step
    if after.daylight != before.daylight:
        yield ("daylight",), before.daylight, after.daylight
    p, q = before.player, after.player
    for name in ("pos", "facing", "sleeping"):
        if getattr(p, name) != getattr(q, name):
            yield ("player", name), getattr(p, name), getattr(q, name)
    for item, amount in q.inventory.items():
        if p.inventory[item] != amount:
            yield ("player", "inventory", item), p.inventory[item], amount
    for name, amount in q.achievements.items():
        if p.achievements[name] != amount:
            yield ("player", "achievements", name), p.achievements[name], amount
    if before.materials is not after.materials:
        diff = (before.materials != after.materials).nonzero()
        for x, y in zip(diff[0].tolist(), diff[1].tolist(), strict=True):
            yield ("tile", x, y), C.MATERIALS[before.materials[x, y]], C.MATERIALS[after.materials[x, y]]
    old = {e.id: e for e in before.entities}
    new = {e.id: e for e in after.entities}
    added: dict[str, int] = {}
    for eid, e in new.items():
        o = old.get(eid)
        if o is None:
            added[e.kind] = added.get(e.kind, 0) + 1
            continue
        for name in ENTITY_FIELDS:
            a, b = getattr(o, name), getattr(e, name)
            if a != b:
                yield ("entity", eid, name), a, b
    for eid in old:
        if eid not in new:
            yield ("entity", eid, "exists"), True, False
    for kind, count in added.items():
        yield ("added", kind), 0, count


def value_range(key: Key, schema: Schema = SCHEMA) -> tuple[float, float] | None:
    """The inclusive range a numeric key is clamped to (the schema's), or None."""
    head = key[0]
    if head == "player" and key[1] in ("inventory", "achievements"):
        attr = schema.attributes[f"player.{key[1]}.{key[2]}"]
        return (attr.lo, attr.hi)
    if head == "entity":
        name = key[2]
        if name == "health":
            attr = schema.attributes["entity.health"]
            return (attr.lo, attr.hi)
        for kind in schema.entity_kinds:
            attr = schema.attributes.get(f"{kind}.{name}")
            if attr is not None and attr.lo is not None:
                return (attr.lo, attr.hi)
        return None
    if head == "step":
        attr = schema.attributes["step"]
        return (attr.lo, attr.hi)
    if head == "daylight":
        return (0.0, 1.0)
    if head == "added":
        return (0, math.inf)
    return None


def same(a: Any, b: Any) -> bool:
    """Equality that forgives floating-point rounding (daylight is computed, not copied)."""
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        except TypeError:
            return False
    return a == b
