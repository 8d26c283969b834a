"""Per-transition metrics: state ranking and state fidelity (EVALUATION.md).

Ranking: given the model's scores for the candidates (s* first), the rank of s* after a seeded shuffle
and a stable sort, so ties are broken by the shuffle and never by list position. Fidelity: the edit
distance between the model's sample and s* as JSON-Patch operations over the serialised observation
(one op per added or removed key, one per replaced value), normalised by the number of leaves, and
the IoU of the changes the model made with the changes that truly happened.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

TIME_PATHS = frozenset({"/step", "/daylight"})  # time advances trivially; not a change of the world
_SCALARS = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True)
class Ranking:
    rank: int  # 1 is best
    candidates: int

    @property
    def top1(self) -> float:
        return 1.0 if self.rank == 1 else 0.0

    @property
    def reciprocal(self) -> float:
        return 1.0 / self.rank

    @property
    def recall(self) -> float:
        """Normalized recall: 1 - (r - 1) / (N - 1); 1.0 with a single candidate."""
        return 1.0 if self.candidates <= 1 else 1.0 - (self.rank - 1) / (self.candidates - 1)


def rank_of_truth(scores: Sequence[float], rng: np.random.RandomState) -> Ranking:
    """Rank of candidate 0 (s*) by descending score; ties broken by a seeded shuffle.

    NaN scores rank last, as if the model had said nothing.
    """
    order = [int(i) for i in rng.permutation(len(scores))]
    order.sort(key=lambda i: math.inf if math.isnan(scores[i]) else -scores[i])  # stable: ties keep the shuffle
    return Ranking(rank=order.index(0) + 1, candidates=len(scores))


def patch(a: Any, b: Any, path: str = "") -> list[tuple[str, str, str]]:
    """The JSON-Patch operations (op, path, new value as JSON) that turn ``a`` into ``b``."""
    if isinstance(a, dict) and isinstance(b, dict):
        ops: list[tuple[str, str, str]] = []
        for key in a:
            if key not in b:
                ops.append(("remove", f"{path}/{key}", ""))
        for key, value in b.items():
            if key not in a:
                ops.append(("add", f"{path}/{key}", json.dumps(value, sort_keys=True)))
            else:
                ops.extend(patch(a[key], value, f"{path}/{key}"))
        return ops
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        if a == b and _flat(a) and list(map(type, a)) == list(map(type, b)):
            return []  # a row of equal scalars of equal types, checked at C speed (a 64x64 map has 4,096)
        ops = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            ops.extend(patch(x, y, f"{path}/{i}"))
        return ops
    if a == b and type(a) is type(b):
        return []
    return [("replace", path, json.dumps(b, sort_keys=True))]


def _flat(values: list[Any]) -> bool:
    """Whether a list holds only scalars (no dict or list inside)."""
    return set(map(type, values)) <= _SCALARS


def leaves(value: Any) -> int:
    if isinstance(value, list) and _flat(value):
        return len(value) or 1
    if isinstance(value, dict):
        return sum(leaves(v) for v in value.values()) or 1
    if isinstance(value, list):
        return sum(leaves(v) for v in value) or 1
    return 1


@dataclass(frozen=True)
class Fidelity:
    edits: int
    normalized: float
    iou: float


def fidelity(before: dict[str, Any], sample: dict[str, Any], truth: dict[str, Any]) -> Fidelity:
    """Compare serialised observations: s (before), the model's sample, and s*."""
    edits = len(patch(sample, truth))
    made = {op for op in patch(before, sample) if op[1] not in TIME_PATHS}
    real = {op for op in patch(before, truth) if op[1] not in TIME_PATHS}
    union = made | real
    iou = 1.0 if not union else len(made & real) / len(union)
    return Fidelity(edits=edits, normalized=edits / leaves(truth), iou=iou)


def total_variation(p: dict[Any, float], q: dict[Any, float]) -> float:
    """Total-variation distance between two distributions given as outcome -> probability."""
    keys = set(p) | set(q)  # fsum is exact, so the result does not depend on the set's (hash) order
    return 0.5 * math.fsum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys)


def histogram(outcomes: Sequence[Any]) -> dict[Any, float]:
    counts: dict[Any, float] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0.0) + 1.0
    return {k: v / len(outcomes) for k, v in counts.items()} if outcomes else {}
