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

from crafter_oo.errors import CrafterOOError
from crafter_oo.snapshot import from_crafter
from crafter_oo.state import State, first_difference


def oracle_env(seed: int, render_noise: bool = False) -> Any:
    """A patched ``crafter.Env(seed=seed)``. ``render_noise`` burns the night render's draws instead
    of skipping them, to match stock ``Env.step`` runs (the observation itself is still not drawn)."""
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
            if render_noise and self._world.daylight < 0.5:
                from crafter_oo.constants import NIGHT_RENDER_UNIFORMS
                self._world.random.uniform(32, 127, NIGHT_RENDER_UNIFORMS)
            return None

    return OracleEnv(seed=seed)


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
