"""Observable groups and the size of each observable's value domain.

The world model needs both for the two things no law speaks for: the *inertia* of observables no
active law names (each group learns how often its members change on their own), and the *miss* mass
of a predicted observable (a small probability, learned per group, that the value is one the laws
did not foresee). Both spread that mass uniformly over the domain, so a domain size is all they need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from crafter_oo import constants as C
from crafter_oo.observation import SCHEMA, Observation
from laws import observables as O

NOMINAL_CONTINUOUS = 1000  # daylight is a float; its "domain" is nominal
ADDED_KINDS = tuple(k for k in C.ENTITY_KINDS if k != "player")


def group_of(key: O.Key, kind: str | None = None) -> str:
    """The group a key's inertia and miss rates are shared across: 'tile.material', 'cow.pos', ..."""
    return O.attribute_of(key, kind)


def domain_size(key: O.Key, area: tuple[int, int]) -> int:
    """How many values ``key`` can take (nominal for the continuous daylight)."""
    head = key[0]
    if head == "tile":
        return len(C.MATERIALS) - 1  # 'none' is off the map only
    if head == "player":
        if key[1] == "pos":
            return area[0] * area[1]
        if key[1] == "facing":
            return 4
        if key[1] == "sleeping":
            return 2
        rng = O.value_range(key)
        return int(rng[1] - rng[0] + 1) if rng else 2
    if head == "entity":
        name = key[2]
        if name == "pos":
            return area[0] * area[1]
        if name in ("exists",):
            return 2
        if name == "facing":
            return 4
        rng = O.value_range(key)
        return int(rng[1] - rng[0] + 1) if rng else 2
    if head == "step":
        return int(SCHEMA.attributes["step"].hi) + 1
    if head == "daylight":
        return NOMINAL_CONTINUOUS
    return 2


def log_uniform(key: O.Key, value: Any, area: tuple[int, int], excluding_current: bool) -> float:
    """Log of the uniform mass one value gets: over the domain, or over the domain minus the current value.

    'added' counts are unbounded, so they get a geometric law instead: P(n) = 2^-(n+1) (n >= 1 when a
    change is certain).
    """
    if key[0] == "added":
        n = int(value) if isinstance(value, int) else 1
        return -n * math.log(2.0) if excluding_current else -(n + 1) * math.log(2.0)
    if excluding_current and key[0] in ("step", "daylight"):
        return 0.0  # time is not a choice among values: that it changed is the whole outcome
    size = domain_size(key, area)
    if excluding_current:
        size = max(size - 1, 1)
    return -math.log(size)


def group_totals(obs: Observation, nxt: Observation | None = None) -> dict[str, int]:
    """How many observables each group has in a transition out of ``obs``.

    Entity fields count only for entities that still exist after the step (a vanished entity's
    position is not scored, its 'exists' is).
    """
    totals: dict[str, int] = {
        "tile.material": obs.area[0] * obs.area[1], "player.pos": 1, "player.facing": 1, "player.sleeping": 1,
        "step": 1, "daylight": 1,
    }
    for item in obs.player.inventory:
        totals[f"player.inventory.{item}"] = 1
    for name in obs.player.achievements:
        totals[f"player.achievements.{name}"] = 1
    for kind in ADDED_KINDS:
        totals[f"added.{kind}"] = 1
    alive = None if nxt is None else {e.id for e in nxt.entities}
    for e in obs.entities:
        totals[f"{e.kind}.exists"] = totals.get(f"{e.kind}.exists", 0) + 1
        if alive is not None and e.id not in alive:
            continue
        for name in entity_fields(e):
            g = f"{e.kind}.{name}"
            totals[g] = totals.get(g, 0) + 1
    return totals


def entity_fields(e: Any) -> Iterable[str]:
    yield "pos"
    yield "health"
    for name in ("cooldown", "reload", "facing", "grown"):
        if getattr(e, name) is not None:
            yield name
