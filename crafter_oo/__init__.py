"""Crafter-OO: an object-oriented, bit-exact re-implementation of Crafter 1.8.3.

The front door: ``reset(seed, episode)`` and the pure ``step(state, action)``, ``observe`` and
``schema`` for learners, ``render_text`` for people, ``from_crafter`` to snapshot a stock env. Both
entry points use the native kernel when it is built and enabled; ``native=False`` or the environment
variable ``LAWSMITH_NATIVE=0`` forces the Python reference.
"""

from __future__ import annotations

import os

from crafter_oo import constants
from crafter_oo.errors import ActionError, CrafterOOError, StateError
from crafter_oo.observation import SCHEMA, Attribute, EntityView, Observation, PlayerView, Schema, observe
from crafter_oo.render import render_text
from crafter_oo.snapshot import from_crafter
from crafter_oo.state import (
    SCHEMA_VERSION,
    Arrow,
    Cow,
    Entity,
    Plant,
    Player,
    Skeleton,
    State,
    Zombie,
    daylight_at,
    first_difference,
)
from crafter_oo.step import action_index
from crafter_oo.step import step as _python_step
from crafter_oo.trace import TraceError, Transition, iter_trace, random_play, read_trace, write_trace
from crafter_oo.worldgen import generate as _python_reset

schema = SCHEMA


def _kernel_enabled(native: bool | None) -> bool:
    if native is False:
        return False
    if native is None and os.environ.get("LAWSMITH_NATIVE", "1") == "0":
        return False
    try:
        from crafter_oo import native as kernel
    except ImportError:
        kernel = None
    if kernel is None or not kernel.available():
        if native:
            raise CrafterOOError("the native kernel is not built; install lawsmith with a Rust toolchain")
        return False
    return True


def reset(seed: int, episode: int = 1, *, native: bool | None = None) -> State:
    """The world ``crafter.Env(seed=seed)`` builds on its ``episode``-th reset."""
    if _kernel_enabled(native):
        from crafter_oo import native as kernel
        return kernel.reset(seed, episode)
    return _python_reset(seed, episode)


def step(state: State, action: int | str, *, render_noise: bool = False,
         native: bool | None = None) -> tuple[State, float, bool]:
    """``(next_state, reward, done)``; ``state`` is left unchanged. Actions are 0..16 or names."""
    # The kernel models Crafter's 64x64 worlds; small hand-built worlds always take the reference path.
    if _kernel_enabled(native) and (native or state.area == constants.DEFAULT_AREA):
        from crafter_oo import native as kernel
        return kernel.step(state, action, render_noise=render_noise)
    return _python_step(state, action, render_noise=render_noise)


__all__ = [
    "SCHEMA_VERSION",
    "ActionError",
    "Arrow",
    "Attribute",
    "Cow",
    "CrafterOOError",
    "Entity",
    "EntityView",
    "Observation",
    "Plant",
    "Player",
    "PlayerView",
    "Schema",
    "Skeleton",
    "State",
    "StateError",
    "TraceError",
    "Transition",
    "Zombie",
    "action_index",
    "constants",
    "daylight_at",
    "first_difference",
    "from_crafter",
    "iter_trace",
    "observe",
    "random_play",
    "read_trace",
    "render_text",
    "reset",
    "schema",
    "step",
    "write_trace",
]
