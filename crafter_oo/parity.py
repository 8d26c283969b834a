"""The parity harness: Crafter 1.8.3 under the oracle of CRAFTER.md, beside Crafter-OO.

Stock Crafter cannot reproduce itself from a seed, so the oracle is a subclass of ``crafter.Env``
with the two harness patches (the installed package is never modified): chunk objects are balanced
in creation order, and nothing is rendered. ``compare`` runs both sides step by step and reports the
first field and step where they differ. Needs the ``crafter`` package (a test dependency).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from crafter_oo.errors import CrafterOOError
from crafter_oo.snapshot import from_crafter
from crafter_oo.state import State, first_difference


def oracle_env(seed: int, render_noise: bool = False) -> Any:
    """A patched ``crafter.Env(seed=seed)``. With ``render_noise`` the env renders as stock Crafter does
    (drawing from the game's stream at night), which ``step(..., render_noise=True)`` must reproduce."""
    try:
        import crafter
    except ImportError:
        raise CrafterOOError("the parity oracle needs the crafter package: pip install crafter==1.8.3") from None

    class OracleEnv(crafter.Env):  # type: ignore[misc, name-defined]
        def _balance_object(self, chunk, objs, *args):  # type: ignore[no-untyped-def]
            slots = self._world._obj_map
            ordered = sorted(objs, key=lambda obj: int(slots[tuple(obj.pos)]))
            return super()._balance_object(chunk, ordered, *args)

        def _obs(self):  # type: ignore[no-untyped-def]
            return super()._obs() if render_noise else None

    return OracleEnv(seed=seed)


def oracle_from_state(state: State, render_noise: bool = False) -> Any:
    """A patched oracle env holding exactly ``state`` (world, objects, player, counters, random stream).

    This lets any state, such as an edited one or one exported mid-game, be stepped by Crafter itself.
    """
    import collections

    from crafter import objects as cobj

    from crafter_oo import constants as C

    env = oracle_env(state.seed, render_noise)
    env._episode = state.episode
    env._step = state.step
    env._length = state.length
    world = env._world
    world.reset(seed=0)
    world.area = state.area
    world._mat_map = state.materials.copy()
    world._obj_map = np.zeros(state.area, np.uint32)
    world.random.set_state(("MT19937", state.rng.key.copy(), state.rng.pos, 0, 0.0))
    env._update_time()
    player = cobj.Player(world, state.player.pos)
    p = state.player
    player.facing = p.facing
    player.inventory = dict(p.inventory)
    player.achievements = dict(p.achievements)
    player.sleeping = p.sleeping
    player._hunger, player._thirst, player._fatigue, player._recover = p.hunger, p.thirst, p.fatigue, p.recover
    player._last_health = p.last_health
    slots: list[Any] = [None] * state.next_id
    slots[1] = player
    for entity in state.objects.values():
        if entity.kind == "cow":
            obj = cobj.Cow(world, entity.pos)
        elif entity.kind == "zombie":
            obj = cobj.Zombie(world, entity.pos, player)
            obj.cooldown = entity.cooldown  # type: ignore[attr-defined]
        elif entity.kind == "skeleton":
            obj = cobj.Skeleton(world, entity.pos, player)
            obj.reload = entity.reload  # type: ignore[attr-defined]
        elif entity.kind == "arrow":
            obj = cobj.Arrow(world, entity.pos, np.array(entity.facing))  # type: ignore[attr-defined]
        else:
            obj = cobj.Plant(world, entity.pos)
            obj.grown = entity.grown  # type: ignore[attr-defined]
        obj.health = entity.health
        slots[entity.id] = obj
    world._objects = slots
    chunks: collections.defaultdict[tuple[int, ...], set[Any]] = collections.defaultdict(set)
    for key in state.chunks:
        chunks[key] = set()
    for index, obj in enumerate(slots):
        if obj is None:
            continue
        obj.pos = np.array(obj.pos)
        world._obj_map[tuple(obj.pos)] = index
        chunks[world.chunk_key(obj.pos)].add(obj)
    world._chunks = chunks
    env._player = player
    env._last_health = state.last_health
    env._unlocked = {name for name in C.ACHIEVEMENTS if p.achievements[name] > 0}
    return env


def compare_from(state: State, actions: Iterable[int],
                 step: Callable[[State, int], tuple[State, float, bool]]) -> tuple[int, Mismatch | None]:
    """Step ``state`` with the oracle and with ``step`` side by side; stops at the first difference or
    at the end of the episode."""
    env = oracle_from_state(state)
    ours = state
    diff = first_difference(from_crafter(env), ours)
    if diff:
        return 0, Mismatch(state.seed, state.episode, state.step, f"loading the state: {diff}")
    count = 0
    for action in actions:
        _, reward, done, _ = env.step(action)
        ours, our_reward, our_done = step(ours, action)
        count += 1
        diff = first_difference(from_crafter(env), ours)
        if diff is None and (reward != our_reward or done != our_done):
            diff = f"reward/done: oracle ({reward}, {done}) != ours ({our_reward}, {our_done})"
        if diff:
            return count, Mismatch(ours.seed, ours.episode, ours.step, diff)
        if done:
            break
    return count, None


@dataclass(frozen=True)
class Mismatch:
    """Where Crafter-OO first left the oracle."""

    seed: int
    episode: int
    step: int
    field: str

    def __str__(self) -> str:
        return f"seed {self.seed}, episode {self.episode}, step {self.step}: {self.field}"


def compare(seed: int, actions: Iterable[int],
            reset: Callable[[int, int], State], step: Callable[[State, int], tuple[State, float, bool]],
            reset_on_done: bool = True) -> tuple[int, Mismatch | None]:
    """Run the oracle and ``reset``/``step`` side by side, comparing the full state after every step.

    Returns the number of steps compared and the first mismatch (None when there is none). On death the
    both sides reset through the episode counter, as a fresh ``Env.reset`` would.
    """
    env = oracle_env(seed)
    env.reset()
    ours = reset(seed, 1)
    diff = first_difference(from_crafter(env), ours)
    if diff:
        return 0, Mismatch(seed, 1, 0, diff)
    count = 0
    for action in actions:
        _, reward, done, _ = env.step(action)
        ours, our_reward, our_done = step(ours, action)
        count += 1
        diff = first_difference(from_crafter(env), ours)
        if diff is None and (reward != our_reward or done != our_done):
            diff = f"reward/done: oracle ({reward}, {done}) != ours ({our_reward}, {our_done})"
        if diff:
            return count, Mismatch(seed, ours.episode, ours.step, diff)
        if done and reset_on_done:
            env.reset()
            ours = reset(seed, ours.episode + 1)
            diff = first_difference(from_crafter(env), ours)
            if diff:
                return count, Mismatch(seed, ours.episode, 0, diff)
    return count, None
