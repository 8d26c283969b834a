"""The baselines reported beside every model: true, null and random (EVALUATION.md).

They bracket what a learned model can score and check the harness itself: the true model must reach
1.0 on every ranking metric with edit distance 0, the null model ("nothing happens") shows how much a
scenario is about change, and the random model sits at chance. Each is a pure function of its inputs
(and the random model's seed), so an evaluation never depends on the order in which it asks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

import numpy as np

import crafter_oo
from crafter_oo import constants as C
from crafter_oo import rng as rng_mod
from crafter_oo.observation import Observation, observe
from crafter_oo.state import State, daylight_at
from engine.models import view


class _Predicts:
    """Scores 0.0 for the one observation ``predict`` names and ``-inf`` for anything else.

    The prediction for the last (state, action) is kept: the evaluation scores every candidate of a
    transition in a row, and the state is held here so its identity cannot be reused.
    """

    def __init__(self) -> None:
        self._last: tuple[State, int, Observation] | None = None

    def predict(self, state: State, action: int) -> Observation:
        raise NotImplementedError

    def _predicted(self, state: State, action: int) -> Observation:
        if self._last is None or self._last[0] is not state or self._last[1] != action:
            self._last = (state, action, self.predict(state, action))
        return self._last[2]

    def log_prob(self, state: State, action: int, next_state: State | Observation) -> float:
        return 0.0 if view(next_state) == self._predicted(state, action) else -math.inf


class TrueModel(_Predicts):
    """The real transition, hidden random stream included: 0 for s*, ``-inf`` for anything else.

    Its sample ignores the seed (it knows the state's own stream), so it reproduces s* exactly.
    """

    name = "true"

    def predict(self, state: State, action: int) -> Observation:
        return observe(crafter_oo.step(state, action)[0])

    def sample(self, state: State, action: int, seed: int) -> Observation:
        return self._predicted(state, action)


class NullModel(_Predicts):
    """Predicts that nothing happens: the same observation with the step and daylight advanced.

    Time always advances, and a baseline that also got the clock wrong would rank s* last even where
    the world truly stood still (every failed craft, collect or place), which says nothing useful.
    """

    name = "null"

    def predict(self, state: State, action: int) -> Observation:
        now = observe(state)
        return dataclasses.replace(now, step=state.step + 1, daylight=daylight_at(state.step + 1))

    def sample(self, state: State, action: int, seed: int) -> Observation:
        return self._predicted(state, action)


class RandomModel:
    """Uniform scores; samples the true outcome of a uniformly random action (the action ignored).

    The score of a candidate is log u with u uniform on (0, 1), drawn from a hash of the seed, the
    full state (its random stream included, so repeated runs of one scenario differ), the action and
    the candidate's observation: a pure function, so it does not depend on the order of the calls.
    The sample shows what a generator that ignores the action achieves on fidelity: the true step of
    a random action out of the state with its hidden stream reseeded.
    """

    name = "random"

    def __init__(self, seed: int = 0) -> None:
        if not 0 <= seed < 2**64:
            raise ValueError(f"the random model's seed must be 0..2**64-1, got {seed}")
        self.seed = seed

    def log_prob(self, state: State, action: int, next_state: State | Observation) -> float:
        digest = hashlib.blake2b(digest_size=8, key=self.seed.to_bytes(8, "little", signed=False))
        digest.update(state.to_json().encode())
        digest.update(action.to_bytes(2, "little"))
        digest.update(json.dumps(view(next_state).to_dict(), separators=(",", ":")).encode())
        u = (int.from_bytes(digest.digest(), "little") + 0.5) / 2.0**64
        return math.log(u)

    def sample(self, state: State, action: int, seed: int) -> Observation:
        world = state.copy()
        world.rng = rng_mod.seeded(seed % 2**32)
        random_action = int(np.random.RandomState((seed + 1) % 2**32).randint(0, len(C.ACTIONS)))
        return observe(crafter_oo.step(world, random_action)[0])
