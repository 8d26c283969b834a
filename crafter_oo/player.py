"""The player's update, in Crafter's exact order: act, life stats, health, clamp, hurt check."""

from __future__ import annotations

import numpy as np

from crafter_oo import constants as C
from crafter_oo.state import Cow, Entity, Plant, Player, Pos, Skeleton, State, Zombie
from crafter_oo.world import add, material_at, move, object_at


def player_update(state: State, gen: np.random.RandomState, action: str) -> None:
    p = state.player
    target = (p.pos[0] + p.facing[0], p.pos[1] + p.facing[1])
    material = material_at(state, target)
    obj = object_at(state, target)
    if p.sleeping:
        if p.inventory["energy"] < C.ITEM_MAX:
            action = "sleep"
        else:
            p.sleeping = False
            p.achievements["wake_up"] += 1
    if action == "noop":
        pass
    elif action in C.MOVE_ACTIONS:
        _move(state, p, C.MOVE_ACTIONS[action])
    elif action == "do":
        if obj is not None:
            _do_object(p, obj)
        else:
            _collect(state, p, gen, target, material)
    elif action == "sleep":
        if p.inventory["energy"] < C.ITEM_MAX:
            p.sleeping = True
    elif action.startswith("place_"):
        _place(state, p, action[len("place_"):], target, material)
    elif action.startswith("make_"):
        _make(state, p, action[len("make_"):])
    _life_stats(p)
    _health(p)
    inv = p.inventory
    for name, amount in inv.items():
        inv[name] = max(0, min(amount, C.ITEM_MAX))
    if inv["health"] < p.last_health:
        p.sleeping = False
    p.last_health = inv["health"]


def _move(state: State, p: Player, direction: Pos) -> None:
    p.facing = direction
    move(state, p, direction, C.PLAYER_WALKABLE)
    if material_at(state, p.pos) == C.LAVA:
        p.inventory["health"] = 0


def damage_of(p: Player) -> int:
    inv = p.inventory
    return max(1, inv["wood_sword"] and 2, inv["stone_sword"] and 3, inv["iron_sword"] and 5)


def _do_object(p: Player, obj: Entity | Player) -> None:
    if isinstance(obj, Plant):
        if obj.ripe:
            obj.grown = 0
            p.inventory["food"] += 4
            p.achievements["eat_plant"] += 1
    elif isinstance(obj, Zombie | Skeleton):
        obj.health = max(0, obj.health - damage_of(p))
        if obj.health <= 0:
            p.achievements["defeat_zombie" if isinstance(obj, Zombie) else "defeat_skeleton"] += 1
    elif isinstance(obj, Cow):
        obj.health = max(0, obj.health - damage_of(p))
        if obj.health <= 0:
            p.inventory["food"] += 6
            p.achievements["eat_cow"] += 1
            p.hunger = 0.0


def _collect(state: State, p: Player, gen: np.random.RandomState, target: Pos, material: int) -> None:
    if material == C.WATER:
        p.thirst = 0.0
    rule = C.COLLECT.get(material)
    if rule is None:
        return
    if any(p.inventory[name] < amount for name, amount in rule.require.items()):
        return
    state.materials[target] = rule.leaves
    if gen.uniform() <= rule.probability:
        for name, amount in rule.receive.items():
            p.inventory[name] += amount
            p.achievements[f"collect_{name}"] += 1


def _place(state: State, p: Player, item: str, target: Pos, material: int) -> None:
    if object_at(state, target) is not None:
        return
    uses, where, placed = C.PLACE[item]
    if material not in where:
        return
    if any(p.inventory[k] < v for k, v in uses.items()):
        return
    for k, v in uses.items():
        p.inventory[k] -= v
    if placed is None:
        add(state, Plant(state.next_id, target, C.START_HEALTH["plant"]))
    else:
        state.materials[target] = placed
    p.achievements[f"place_{item}"] += 1


def _make(state: State, p: Player, tool: str) -> None:
    x, y = p.pos
    # numpy slicing, as Crafter does: at x = 0 or y = 0 the slice [-1:2] is empty, so crafting fails.
    nearby = set(np.unique(state.materials[x - 1: x + 2, y - 1: y + 2]).tolist())
    uses, stations = C.MAKE[tool]
    if not all(s in nearby for s in stations):
        return
    if any(p.inventory[k] < v for k, v in uses.items()):
        return
    for k, v in uses.items():
        p.inventory[k] -= v
    p.inventory[tool] += 1
    p.achievements[f"make_{tool}"] += 1


def _life_stats(p: Player) -> None:
    inv = p.inventory
    p.hunger += 0.5 if p.sleeping else 1
    if p.hunger > 25:
        p.hunger = 0.0
        inv["food"] -= 1
    p.thirst += 0.5 if p.sleeping else 1
    if p.thirst > 20:
        p.thirst = 0.0
        inv["drink"] -= 1
    if p.sleeping:
        p.fatigue = min(p.fatigue - 1, 0.0)
    else:
        p.fatigue += 1
    if p.fatigue < -10:
        p.fatigue = 0.0
        inv["energy"] += 1
    if p.fatigue > 30:
        p.fatigue = 0.0
        inv["energy"] -= 1


def _health(p: Player) -> None:
    inv = p.inventory
    if inv["food"] > 0 and inv["drink"] > 0 and (inv["energy"] > 0 or p.sleeping):
        p.recover += 2 if p.sleeping else 1
    else:
        p.recover -= 0.5 if p.sleeping else 1
    if p.recover > 25:
        p.recover = 0.0
        inv["health"] = max(0, inv["health"] + 1)
    if p.recover < -15:
        p.recover = 0.0
        inv["health"] = max(0, inv["health"] - 1)
