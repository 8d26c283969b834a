"""Balancing: every 10th step each registered chunk may spawn or despawn a zombie, skeleton and cow.

Chunks are visited in first-touch order and a chunk's creatures in creation order (the oracle's
patch), so which creature despawns is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from crafter_oo import constants as C
from crafter_oo.state import ChunkKey, Cow, Entity, Skeleton, State, Zombie, chunk_key
from crafter_oo.world import add, distance, remove

Targets = Callable[[int, float], tuple[float, float]]

# class, material, spawn distance, despawn distance, p spawn, p despawn, (tmin, tmax) from (space, daylight)
RULES: tuple[tuple[type[Entity], int, int, int, float, float, Targets], ...] = (
    (Zombie, C.GRASS, 6, 0, 0.3, 0.4, lambda space, light: (0 if space < 50 else 3.5 - 3 * light, 3.5 - 3 * light)),
    (Skeleton, C.PATH, 7, 7, 0.1, 0.1, lambda space, light: (0 if space < 6 else 1, 2)),
    (Cow, C.GRASS, 5, 5, 0.01, 0.1, lambda space, light: (0 if space < 30 else 1, 1.5 + light)),
)


def balance(state: State, gen: np.random.RandomState) -> None:
    members: dict[ChunkKey, list[Entity]] = {}
    area = state.area
    for entity in state.objects.values():
        members.setdefault(chunk_key(entity.pos, area), []).append(entity)
    light = state.daylight
    for key in list(state.chunks):
        objs = members.setdefault(key, [])
        for rule in RULES:
            _balance_kind(state, gen, key, objs, light, *rule)


def _balance_kind(state: State, gen: np.random.RandomState, key: ChunkKey, objs: list[Entity], light: float,
                  cls: type[Entity], material: int, spawn_dist: int, despawn_dist: int,
                  p_spawn: float, p_despawn: float, targets: Targets) -> None:
    xmin, xmax, ymin, ymax = key
    creatures = [e for e in objs if type(e) is cls]
    mask = state.materials[xmin:xmax, ymin:ymax] == material
    space = int(mask.sum())
    tmin, tmax = targets(space, light)
    player_pos = state.player.pos
    if len(creatures) < int(tmin) and gen.uniform() < p_spawn:
        xs, ys = np.nonzero(mask)
        i = gen.randint(0, len(xs))
        pos = (xmin + int(xs[i]), ymin + int(ys[i]))
        if state.obj_map[pos] == 0 and distance(player_pos, pos) >= spawn_dist:
            entity = cls(state.next_id, pos, C.START_HEALTH[cls.kind])
            add(state, entity)
            objs.append(entity)
    elif len(creatures) > int(tmax) and gen.uniform() < p_despawn:
        victim = creatures[gen.randint(0, len(creatures))]
        if distance(player_pos, victim.pos) >= despawn_dist:
            remove(state, victim)
            objs.remove(victim)
