"""A thin Gymnasium-style wrapper, for code that expects ``reset``/``step`` on an env object.

It follows Gymnasium's conventions (``reset(seed=...) -> (obs, info)``, ``step -> (obs, reward,
terminated, truncated, info)``) without importing gymnasium. The observation is
``crafter_oo.Observation``; the full state stays available as ``env.state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crafter_oo import constants as C
from crafter_oo.errors import CrafterOOError
from crafter_oo.observation import Observation, observe
from crafter_oo.state import State


@dataclass(frozen=True)
class Discrete:
    """The action space: ``n`` actions, 0..n-1."""

    n: int


class CrafterOOEnv:
    """One Crafter-OO world; each ``reset`` without a seed starts the next episode of the same seed."""

    action_space = Discrete(len(C.ACTIONS))
    action_names = C.ACTIONS

    def __init__(self, seed: int = 0, render_noise: bool = False) -> None:
        self.seed = seed
        self.render_noise = render_noise
        self.episode = 0
        self.state: State | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Observation, dict]:
        import crafter_oo

        if seed is not None:
            self.seed, self.episode = seed, 0
        self.episode += 1
        self.state = crafter_oo.reset(self.seed, self.episode)
        return observe(self.state), self._info(0.0)

    def step(self, action: int | str) -> tuple[Observation, float, bool, bool, dict]:
        import crafter_oo

        if self.state is None:
            raise CrafterOOError("call reset() before step()")
        self.state, reward, done = crafter_oo.step(self.state, action, render_noise=self.render_noise)
        truncated = done and self.state.player.health > 0
        return observe(self.state), reward, done and not truncated, truncated, self._info(reward)

    def _info(self, reward: float) -> dict:
        assert self.state is not None
        p = self.state.player
        return {"inventory": dict(p.inventory), "achievements": dict(p.achievements),
                "player_pos": p.pos, "reward": reward, "discount": 0.0 if p.health <= 0 else 1.0}
