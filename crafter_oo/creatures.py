"""What each non-player object does in its update: cows, zombies, skeletons, arrows and plants.

Quirks kept on purpose (CRAFTER.md §8): a creature at health 0 removes itself and then runs the rest
of its update, drawing random numbers, attacking and even shooting; a removed object's move reports
success without moving.
"""

from __future__ import annotations

import numpy as np

from crafter_oo import constants as C
from crafter_oo.state import Arrow, Cow, Entity, Plant, Pos, Skeleton, State, Zombie
from crafter_oo.world import add, distance, is_free, material_at, move, object_at, remove, toward

NEIGHBOURS = C.DIRECTIONS


def _random_dir(gen: np.random.RandomState) -> Pos:
    return C.DIRECTIONS[gen.randint(0, 4)]


def cow_update(state: State, cow: Cow, gen: np.random.RandomState) -> None:
    if cow.health <= 0:
        remove(state, cow)
    if gen.uniform() < 0.5:
        move(state, cow, _random_dir(gen), C.CREATURE_WALKABLE)


def zombie_update(state: State, zombie: Zombie, gen: np.random.RandomState) -> None:
    if zombie.health <= 0:
        remove(state, zombie)
    player = state.player
    if distance(zombie.pos, player.pos) <= 8 and gen.uniform() < 0.9:
        direction = toward(zombie.pos, player.pos, gen.uniform() < 0.8)
    else:
        direction = _random_dir(gen)
    move(state, zombie, direction, C.CREATURE_WALKABLE)
    if distance(zombie.pos, player.pos) <= 1:
        if zombie.cooldown:
            zombie.cooldown -= 1
        else:
            damage = 7 if player.sleeping else 2
            player.inventory["health"] = max(0, player.inventory["health"] - damage)
            zombie.cooldown = 5


def skeleton_update(state: State, skeleton: Skeleton, gen: np.random.RandomState) -> None:
    if skeleton.health <= 0:
        remove(state, skeleton)
    skeleton.reload = max(0, skeleton.reload - 1)
    player_pos = state.player.pos
    dist = distance(skeleton.pos, player_pos)  # not recomputed after a retreat
    if dist <= 3:
        dx, dy = toward(skeleton.pos, player_pos, gen.uniform() < 0.6)
        if move(state, skeleton, (-dx, -dy), C.CREATURE_WALKABLE):
            return
    if dist <= 5 and gen.uniform() < 0.5:
        _shoot(state, skeleton, toward(skeleton.pos, player_pos))
    elif dist <= 8 and gen.uniform() < 0.3:
        move(state, skeleton, toward(skeleton.pos, player_pos, gen.uniform() < 0.6), C.CREATURE_WALKABLE)
    elif gen.uniform() < 0.2:
        move(state, skeleton, _random_dir(gen), C.CREATURE_WALKABLE)


def _shoot(state: State, skeleton: Skeleton, direction: Pos) -> None:
    if skeleton.reload > 0 or direction == (0, 0):
        return
    target = (skeleton.pos[0] + direction[0], skeleton.pos[1] + direction[1])
    if is_free(state, target, C.ARROW_PASSABLE):
        add(state, Arrow(state.next_id, target, C.START_HEALTH["arrow"], direction))
        skeleton.reload = 4


def arrow_update(state: State, arrow: Arrow, gen: np.random.RandomState) -> None:
    target = (arrow.pos[0] + arrow.facing[0], arrow.pos[1] + arrow.facing[1])
    material = material_at(state, target)
    obj = object_at(state, target)
    if obj is not None:
        if obj is state.player:
            state.player.inventory["health"] = max(0, state.player.inventory["health"] - 2)
        else:
            obj.health = max(0, obj.health - 2)  # type: ignore[union-attr]
        remove(state, arrow)
    elif material not in C.ARROW_PASSABLE:
        remove(state, arrow)
        if material in (C.TABLE, C.FURNACE):
            state.materials[target] = C.PATH
    else:
        move(state, arrow, arrow.facing, C.ARROW_PASSABLE)


def plant_update(state: State, plant: Plant, gen: np.random.RandomState) -> None:
    plant.grown += 1
    for dx, dy in NEIGHBOURS:
        if isinstance(object_at(state, (plant.pos[0] + dx, plant.pos[1] + dy)), Zombie | Skeleton | Cow):
            plant.health = max(0, plant.health - 1)
            break
    if plant.health <= 0:
        remove(state, plant)


UPDATES = {Cow: cow_update, Zombie: zombie_update, Skeleton: skeleton_update,
           Arrow: arrow_update, Plant: plant_update}


def entity_update(state: State, entity: Entity, gen: np.random.RandomState) -> None:
    UPDATES[type(entity)](state, entity, gen)  # type: ignore[operator]
