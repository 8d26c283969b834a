"""Per-transition prediction and scoring under fitted parameters, weights, miss and inertia rates.

``Predictor.prepare(obs, action)`` does the work that depends only on (s, a): the active law
instances, their marginal distributions over operations, the weighted combination per observable.
``log_prob`` then scores any number of candidate next observations against it, which is what
ranking needs (many candidates, one (s, a)).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import laws
from crafter_oo.observation import Observation
from inference.appearances import Appearances, log_prob_position, placements
from inference.compile import CompiledModel
from inference.domains import group_of, group_totals, log_uniform
from laws import observables as O

ETA = 1e-3  # the floor every outcome of a law (and "no effect") keeps before tempering
Op = tuple[int, Any]


def tempered(dist: Mapping[Op, float], weight: float) -> dict[Op, float]:
    """A law's distribution over operations, floored and raised to its weight, renormalised.

    The support gains "no effect" so a law that is wrong can be outweighed; weight 1 keeps the law's own
    distribution (up to the floor), weight above 1 sharpens it, below 1 flattens it.
    """
    support = dict(dist)
    support.setdefault(laws.UNCHANGED, 0.0)
    n = len(support)
    raised = {op: ((1.0 - ETA) * p + ETA / n) ** weight for op, p in support.items()}
    z = sum(raised.values())
    return {op: v / z for op, v in raised.items()}


def marginal(instance: laws.LawInstance, probs: np.ndarray, key: O.Key) -> dict[Op, float]:
    """An instance's distribution over operations on ``key``, its branches weighed by ``probs``."""
    out: dict[Op, float] = {}
    for p, branch in zip(probs.tolist(), instance.branches, strict=True):
        if p <= 0.0:
            continue
        dist = branch.outcomes.get(key)
        if dist is None:
            out[laws.UNCHANGED] = out.get(laws.UNCHANGED, 0.0) + p
            continue
        for op, q in dist.items():
            out[op] = out.get(op, 0.0) + p * q
    return out


@dataclass
class KeyPrediction:
    key: O.Key
    group: str
    current: Any
    dist: dict[Any, float]              # over next values, from the weighted combination of laws
    members: list[tuple[int, dict[Op, float]]]  # (law index, marginal over operations) per instance


@dataclass
class Prepared:
    obs: Observation
    action: int | str
    instances: list[laws.LawInstance]
    kinds: dict[int, str]
    predictions: dict[O.Key, KeyPrediction] = field(default_factory=dict)


class Predictor:
    """Predictions of a law set with fixed parameter values, weights and rates."""

    def __init__(self, model: CompiledModel, theta: Sequence[Mapping[str, np.ndarray]], weights: np.ndarray,
                 miss: Mapping[str, float], inertia: Mapping[str, float], miss_default: float,
                 inertia_default: float) -> None:
        self.model = model
        self.branch_probs = [spec.branch_probs(theta[spec.index]) for spec in model.laws]
        self.weights = np.asarray(weights, dtype=float)
        self.miss, self.inertia = dict(miss), dict(inertia)
        self.miss_default, self.inertia_default = miss_default, inertia_default
        self.appearances = Appearances({})
        self.walkable = {k: frozenset(w.materials) for w in model.law_set.walkable for k in w.kinds}

    def miss_rate(self, group: str) -> float:
        return self.miss.get(group, self.miss_default)

    def inertia_rate(self, group: str) -> float:
        return self.inertia.get(group, self.inertia_default)

    def prepare(self, obs: Observation, action: int | str) -> Prepared:
        instances = self.model.closures.instances(obs, action)
        kinds = {e.id: e.kind for e in obs.entities}
        prepared = Prepared(obs, action, instances, kinds)
        members: dict[O.Key, list[tuple[int, dict[Op, float]]]] = {}
        for inst in instances:
            probs = self.branch_probs[inst.law]
            for key in inst.observables():
                members.setdefault(key, []).append((inst.law, marginal(inst, probs, key)))
        schema = self.model.schema
        for key, ms in members.items():
            current = O.value(obs, key)
            dists = [tempered(d, float(self.weights[law])) for law, d in ms]
            combined = laws.combine_ops(dists, current, key, schema)
            kind = kinds.get(key[1]) if key[0] == "entity" else None
            prepared.predictions[key] = KeyPrediction(key, group_of(key, kind), current, combined, ms)
        return prepared

    def log_prob(self, prepared: Prepared, nxt: Observation) -> float:
        """log p(next observation | s, a): predicted observables, then inertia for all the others."""
        obs = prepared.obs
        area = obs.area
        after = {e.id: e for e in nxt.entities}
        total = 0.0
        predicted: Counter[str] = Counter()
        for key, kp in prepared.predictions.items():
            v = O.actual(obs, nxt, key, after)
            if v is O.NOT_APPLICABLE:
                continue
            predicted[kp.group] += 1
            eps = self.miss_rate(kp.group)
            p = (1.0 - eps) * laws.probability(kp.dist, v) + eps * math.exp(log_uniform(key, v, area, False))
            total += math.log(p) if p > 0.0 else -math.inf
        changed: Counter[str] = Counter()
        for key, _before, value in O.changed_keys(obs, nxt):
            if key in prepared.predictions:
                continue
            kind = prepared.kinds.get(key[1]) if key[0] == "entity" else None
            g = group_of(key, kind)
            changed[g] += 1
            rate = self.inertia_rate(g)
            total += math.log(rate) + log_uniform(key, value, area, True)
        for g, n in group_totals(obs, nxt).items():
            same = n - predicted[g] - changed[g]
            if same > 0:
                total += same * math.log1p(-self.inertia_rate(g))
        return total + self._new_entities(prepared, nxt)

    def _new_entities(self, prepared: Prepared, nxt: Observation) -> float:
        """Where the entities new in ``nxt`` stand and what fields they have (their number is scored above)."""
        new = [e for e in nxt.entities if e.id not in prepared.kinds]
        if not new:
            return 0.0
        positions = {e.id: e.pos for e in prepared.obs.entities}
        total = 0.0
        for e in new:
            occupied = {o.pos for o in nxt.entities if o.id != e.id}
            options = placements(e.kind, prepared.instances, nxt.materials, nxt.player.pos,
                                 prepared.obs.player.facing, positions, occupied, self.walkable)
            total += log_prob_position(e.pos, options, nxt.area)
            total += self.appearances.log_prob_fields(e.kind, (e.health, e.cooldown, e.reload, e.facing, e.grown))
        return total
