"""One env step, in the order of CRAFTER.md §4: time, object updates, balancing, render draws, reward."""

from __future__ import annotations

import numpy as np

from crafter_oo import constants as C
from crafter_oo import rng as rng_mod
from crafter_oo.balance import balance
from crafter_oo.creatures import entity_update
from crafter_oo.errors import ActionError
from crafter_oo.player import player_update
from crafter_oo.state import State


def action_index(action: int | str | np.integer) -> int:
    """An action as its index 0..16, from an index or a name."""
    if isinstance(action, str):
        if action not in C.ACTION_ID:
            raise ActionError(f"unknown action {action!r}; actions are: {', '.join(C.ACTIONS)}")
        return C.ACTION_ID[action]
    if isinstance(action, bool) or not isinstance(action, int | np.integer):
        raise ActionError(f"an action is an index 0..16 or a name, got {action!r}")
    if not 0 <= action < len(C.ACTIONS):
        raise ActionError(f"action index {action} is outside 0..{len(C.ACTIONS) - 1}")
    return int(action)


def step(state: State, action: int | str, render_noise: bool = False) -> tuple[State, float, bool]:
    """The next state, the reward and whether the episode is over. ``state`` is not changed.

    ``render_noise`` burns the random numbers a stock 64-px render draws at night, to replay stock
    ``Env.step`` runs; by default the step matches the oracle, which does not render.
    """
    name = C.ACTIONS[action_index(action)]
    before = state.player.achievements
    world = state.copy()
    gen = rng_mod.generator(state.rng)
    world.step += 1
    player = world.player
    snapshot = list(world.objects.values())  # objects created during this step do not update in it
    player_update(world, gen, name)
    px, py = player.pos
    for entity in snapshot:
        ex, ey = entity.pos
        if abs(ex - px) + abs(ey - py) < C.UPDATE_RADIUS:
            entity_update(world, entity, gen)
    if world.step % 10 == 0:
        balance(world, gen)
    if render_noise and world.daylight < 0.5:
        gen.uniform(32, 127, C.NIGHT_RENDER_UNIFORMS)
    world.rng = rng_mod.snapshot()
    health = player.inventory["health"]
    reward = (health - world.last_health) / 10
    world.last_health = health
    if any(count > 0 and before[name] == 0 for name, count in player.achievements.items()):
        reward += 1.0
    dead = health <= 0
    over = bool(world.length) and world.step >= world.length
    return world, reward, dead or over
