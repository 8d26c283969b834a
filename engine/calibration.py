"""Calibration: does the model's distribution over a stochastic event match the world's?

Ranking and fidelity score one outcome per transition, which cannot tell a model that always predicts
the most likely outcome from one that spreads its mass as the world does. For each stochastic event
(cow, zombie and skeleton moves, skeleton shots, sapling drops, spawns and despawns) the true
distribution is estimated by stepping copies of one state whose hidden random stream is reseeded, and
the model's by sampling it on those same copies with different seeds. The copies share their
observation, so a model that reads only the observation sees ``repeats`` identical inputs, while the
true model (which reads the stream) reproduces the truth and scores 0, checking the harness.

Two finite samples differ even when drawn from one distribution, so each figure comes with its
``floor``: the total variation between two independent sets of true repeats of the same size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

import crafter_oo
from crafter_oo import constants as C
from crafter_oo import rng as rng_mod
from crafter_oo.observation import EntityView, Observation, observe
from crafter_oo.state import State
from engine.metrics import histogram, total_variation
from engine.models import Model, view

Outcome = Hashable


@dataclass(frozen=True)
class Event:
    """A stochastic event: where it can happen, and what its outcome is (from s and the next observation)."""

    name: str
    description: str
    applies: Callable[[Observation, int], bool]
    outcome: Callable[[Observation, Observation], Outcome]


def _nearest(obs: Observation, kind: str) -> EntityView | None:
    """The entity of ``kind`` nearest the player (L1), the lowest id among equals."""
    px, py = obs.player.pos
    found = [e for e in obs.entities if e.kind == kind]
    return min(found, key=lambda e: (abs(e.pos[0] - px) + abs(e.pos[1] - py), e.id)) if found else None


def _moves(kind: str) -> Event:
    def applies(before: Observation, action: int) -> bool:
        return _nearest(before, kind) is not None

    def outcome(before: Observation, after: Observation) -> Outcome:
        entity = _nearest(before, kind)
        assert entity is not None
        now = next((e for e in after.entities if e.id == entity.id), None)
        return "gone" if now is None else (now.pos[0] - entity.pos[0], now.pos[1] - entity.pos[1])

    return Event(f"{kind}_move", f"the displacement of the {kind} nearest the player (or 'gone')", applies, outcome)


def _added(before: Observation, after: Observation) -> list[EntityView]:
    ids = {e.id for e in before.entities}
    return [e for e in after.entities if e.id not in ids]


def _removed(before: Observation, after: Observation) -> list[EntityView]:
    ids = {e.id for e in after.entities}
    return [e for e in before.entities if e.id not in ids]


def _shoots(before: Observation, action: int) -> bool:
    return any(e.kind == "skeleton" for e in before.entities)


def _arrows(before: Observation, after: Observation) -> Outcome:
    return sum(1 for e in _added(before, after) if e.kind == "arrow")


def _sapling_possible(before: Observation, action: int) -> bool:
    target = before.facing_pos
    return (C.ACTIONS[action] == "do" and not before.player.sleeping and before.material(target) == "grass"
            and before.entity_at(target) is None)


def _sapling(before: Observation, after: Observation) -> Outcome:
    return after.player.inventory["sapling"] - before.player.inventory["sapling"]


def _balance_step(before: Observation, action: int) -> bool:
    return (before.step + 1) % 10 == 0  # creatures spawn and despawn only when balancing, every 10th step


_CREATURES = ("cow", "zombie", "skeleton")


def _spawned(before: Observation, after: Observation) -> Outcome:
    return tuple(sorted(e.kind for e in _added(before, after) if e.kind in _CREATURES))


def _despawned(before: Observation, after: Observation) -> Outcome:
    return tuple(sorted(e.kind for e in _removed(before, after) if e.kind in _CREATURES))


EVENTS: dict[str, Event] = {e.name: e for e in (
    _moves("cow"), _moves("zombie"), _moves("skeleton"),
    Event("skeleton_shoot", "the number of arrows that appear while a skeleton is present", _shoots, _arrows),
    Event("sapling_drop", "the sapling gained by collecting from grass", _sapling_possible, _sapling),
    Event("spawn", "the creatures that appear on a balancing step", _balance_step, _spawned),
    Event("despawn", "the creatures that disappear on a balancing step", _balance_step, _despawned),
)}


@dataclass(frozen=True)
class Calibration:
    """Mean total variation over the probed states, and the same-size sampling floor."""

    tv: float
    floor: float
    states: int


def child(seeds: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """The ``index``-th child of ``seeds``, without the state ``SeedSequence.spawn`` keeps."""
    return np.random.SeedSequence(seeds.entropy, spawn_key=(*seeds.spawn_key, index))


def _reseeded(state: State, seed: int) -> State:
    out = state.copy()
    out.rng = rng_mod.seeded(seed)
    return out


def _true_outcome(event: Event, before: Observation, state: State, action: int) -> Outcome:
    return event.outcome(before, observe(crafter_oo.step(state, action)[0]))


def calibrate_state(model: Model, event: Event, state: State, action: int, repeats: int,
                    seeds: np.random.SeedSequence) -> tuple[float, float]:
    """(TV of the model against the truth, TV of the truth against itself) out of one state."""
    words = seeds.generate_state(3 * repeats).reshape(repeats, 3)
    before = observe(state)
    truth, again, predicted = [], [], []
    for k in range(repeats):
        copy = _reseeded(state, int(words[k, 0]))
        truth.append(_true_outcome(event, before, copy, action))
        predicted.append(event.outcome(before, view(model.sample(copy, action, int(words[k, 1])))))
        again.append(_true_outcome(event, before, _reseeded(state, int(words[k, 2])), action))
    reference = histogram(truth)
    return total_variation(reference, histogram(predicted)), total_variation(reference, histogram(again))


def pick(count: int, limit: int) -> list[int]:
    """Up to ``limit`` indices spread evenly over ``range(count)``, first and last included."""
    if count <= limit:
        return list(range(count))
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)}) if limit > 1 else [0]


def calibrate(model: Model, event: Event, points: Sequence[tuple[State, int]], repeats: int,
              seeds: np.random.SeedSequence) -> Calibration | None:
    """Calibration of ``event`` over (state, action) points where it applies; None if it applies nowhere."""
    if not points:
        return None
    pairs = [calibrate_state(model, event, state, action, repeats, child(seeds, i))
             for i, (state, action) in enumerate(points)]
    n = len(pairs)
    return Calibration(tv=math.fsum(p[0] for p in pairs) / n, floor=math.fsum(p[1] for p in pairs) / n, states=n)
