"""Drawing one full next observation from the world model.

Each predicted observable is drawn from its combined distribution (or, at its group's miss rate,
uniformly from its domain); every other observable keeps its value except at its group's inertia
rate. Observables are drawn independently given (s, a): the model has no joint constraints between
them (two cows may be drawn onto one tile), which ``laws/GAPS.md`` lists as a gap of the language.

Laws say *that* an entity appears (``add zombie``), not where; the sampler places it next to what
the law is bound to: a free walkable tile of the chunk, a free tile beside the entity, or the tile
the player faces. Its fields are the ones new entities of its kind most often had in the training
data.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

from crafter_oo import constants as C
from crafter_oo.observation import EntityView, Observation, PlayerView
from inference.appearances import placements
from inference.domains import domain_size, entity_fields, group_of
from inference.score import Predictor, Prepared
from laws import observables as O

VECTORS = {name: vec for vec, name in C.DIRECTION_NAMES.items()}
DIRECTIONS = tuple(C.DIRECTION_NAMES[d] for d in C.DIRECTIONS)


def _draw(dist: dict[Any, float], rng: np.random.Generator) -> Any:
    values = list(dist)
    probs = np.fromiter(dist.values(), float, len(values))
    probs = probs / probs.sum()
    return values[int(rng.choice(len(values), p=probs))]


def random_value(key: O.Key, current: Any, area: tuple[int, int], rng: np.random.Generator,
                 differ: bool) -> Any:
    """A uniform value of ``key``'s domain (different from ``current`` when ``differ``)."""
    head = key[0]
    if head == "step":
        return current + 1 if differ else current
    if head == "daylight":
        return float(rng.random()) if differ else current
    if head == "added":
        return int(rng.geometric(0.5)) if differ else int(rng.geometric(0.5)) - 1
    for _ in range(64):
        if head == "tile":
            v: Any = C.MATERIALS[1 + int(rng.integers(len(C.MATERIALS) - 1))]
        elif key[-1] == "pos":
            v = (int(rng.integers(area[0])), int(rng.integers(area[1])))
        elif key[-1] == "facing":
            v = DIRECTIONS[int(rng.integers(4))]
        elif key[-1] in ("sleeping", "exists"):
            v = not current if differ else bool(rng.integers(2))
        else:
            rng_ = O.value_range(key)
            lo = int(rng_[0]) if rng_ else 0
            v = lo + int(rng.integers(domain_size(key, area)))
        if not differ or v != current:
            return v
    return current


def sample(predictor: Predictor, prepared: Prepared, rng: np.random.Generator) -> Observation:
    obs = prepared.obs
    area = obs.area
    values: dict[O.Key, Any] = {}
    for key, kp in prepared.predictions.items():
        if key[0] == "entity" and key[1] not in prepared.kinds:
            continue
        if rng.random() < predictor.miss_rate(kp.group):
            values[key] = random_value(key, kp.current, area, rng, differ=False)
        elif kp.dist:
            values[key] = _draw(kp.dist, rng)
    _inertia(predictor, prepared, rng, values)
    return _assemble(predictor, prepared, values, rng)


def _unpredicted_keys(prepared: Prepared) -> list[O.Key]:
    obs = prepared.obs
    keys: list[O.Key] = [("player", "pos"), ("player", "facing"), ("player", "sleeping"), ("step",), ("daylight",)]
    keys += [("player", "inventory", item) for item in obs.player.inventory]
    keys += [("player", "achievements", name) for name in obs.player.achievements]
    keys += [("added", kind) for kind in C.ENTITY_KINDS[1:]]
    for e in obs.entities:
        keys += [("entity", e.id, name) for name in entity_fields(e)]
        keys.append(("entity", e.id, "exists"))
    return [k for k in keys if k not in prepared.predictions]


def _inertia(predictor: Predictor, prepared: Prepared, rng: np.random.Generator, values: dict[O.Key, Any]) -> None:
    obs = prepared.obs
    area = obs.area
    for key in _unpredicted_keys(prepared):
        kind = prepared.kinds.get(key[1]) if key[0] == "entity" else None
        if rng.random() < predictor.inertia_rate(group_of(key, kind)):
            values[key] = random_value(key, O.value(obs, key), area, rng, differ=True)
    predicted_tiles = {(k[1], k[2]) for k in prepared.predictions if k[0] == "tile"}
    n = area[0] * area[1] - len(predicted_tiles)
    changes = int(rng.binomial(n, predictor.inertia_rate("tile.material"))) if n > 0 else 0
    for _ in range(changes):
        x, y = int(rng.integers(area[0])), int(rng.integers(area[1]))
        if (x, y) in predicted_tiles:
            continue
        key = ("tile", x, y)
        values[key] = random_value(key, obs.material((x, y)), area, rng, differ=True)


def _assemble(predictor: Predictor, prepared: Prepared, values: dict[O.Key, Any],
              rng: np.random.Generator) -> Observation:
    obs = prepared.obs
    materials = np.array(obs.materials, copy=True)
    p = obs.player
    player = {"pos": p.pos, "facing": p.facing, "sleeping": p.sleeping,
              "inventory": dict(p.inventory), "achievements": dict(p.achievements)}
    entities: dict[int, dict[str, Any]] = {e.id: {"id": e.id, "kind": e.kind, "pos": e.pos, "health": e.health,
                                                   "cooldown": e.cooldown, "reload": e.reload, "facing": e.facing,
                                                   "grown": e.grown} for e in obs.entities}
    step, daylight = obs.step, obs.daylight
    added: dict[str, int] = {}
    for key, v in values.items():
        head = key[0]
        if head == "tile":
            materials[key[1], key[2]] = C.MATERIAL_ID.get(v, materials[key[1], key[2]])
        elif head == "player":
            if len(key) == 3:
                player[key[1]][key[2]] = v
            else:
                player[key[1]] = v
        elif head == "entity":
            e = entities.get(key[1])
            if e is None:
                continue
            if key[2] == "exists":
                if v is False:
                    e["removed"] = True
            else:
                e[key[2]] = v
        elif head == "added":
            added[key[1]] = int(v)
        elif head == "step":
            step = int(v)
        elif head == "daylight":
            daylight = float(v)
    alive = {i: e for i, e in entities.items() if not e.get("removed")}
    next_id = max([1, *entities]) + 1
    positions = {e.id: e.pos for e in obs.entities}
    for kind in sorted(added):
        for _ in range(added[kind]):
            occupied = {tuple(e["pos"]) for e in alive.values()}
            options = placements(kind, prepared.instances, materials, tuple(player["pos"]), obs.player.facing,
                                 positions, occupied, predictor.walkable)
            weights = np.array([w if free else 0.0 for w, free in options])
            if weights.sum() <= 0:
                continue
            _, free = options[int(rng.choice(len(options), p=weights / weights.sum()))]
            pos = free[int(rng.integers(len(free)))]
            health, cooldown, reload, facing, grown = predictor.appearances.draw_fields(kind, rng)
            alive[next_id] = {"id": next_id, "kind": kind, "pos": pos, "health": health, "cooldown": cooldown,
                              "reload": reload, "facing": facing, "grown": grown}
            next_id += 1
    views = tuple(EntityView(e["id"], e["kind"], tuple(e["pos"]), int(e["health"]), e["cooldown"], e["reload"],
                             e["facing"], e["grown"]) for _, e in sorted(alive.items()))
    materials.setflags(write=False)
    player_view = PlayerView(tuple(player["pos"]), player["facing"], bool(player["sleeping"]),
                             MappingProxyType(player["inventory"]), MappingProxyType(player["achievements"]))
    return Observation(step, daylight, materials, player_view, views)
