"""Inducing a precondition: a short conjunction of features that separates where an effect happened
(positives) from where it could have and did not (negatives).

Two searches over one frame's boolean feature matrix, both greedy and deterministic:

- ``pure``: FOIL-style covering. Add the literal with the best information gain about the positives
  (minus its code length, so that with little evidence the plausible literal wins: the action
  before a far tile's material), until no negative is covered. Then ``simplify`` drops literals
  the negatives do not need and ``loosen`` moves each threshold to the edge of the negatives: the
  most general conjunction the evidence allows.
- ``stochastic``: minimum description length. A conjunction splits the instances in two, each
  with its own Bernoulli rate; a literal is added only if the likelihood it gains pays for naming
  it (about log #features nats, a Bonferroni-like bar), so noise does not grow conditions.

Counting is one matrix product per step (float32 BLAS), which keeps 2,000 transitions x ~400
features, or 20,000 entity instances x ~500 features, to milliseconds per literal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from engine.propose.atoms import Frame

_NONE: Mapping[str, float] = MappingProxyType({})
THRESHOLD_OPS = {">=": "down", ">": "down", "<=": "up", "<": "up"}  # which way a threshold loosens


def bernoulli_ll(p: np.ndarray | float, n: np.ndarray | float) -> np.ndarray:
    """Maximised log-likelihood of p successes and n failures (0 log 0 = 0)."""
    p = np.asarray(p, float)
    n = np.asarray(n, float)
    total = p + n
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(np.where(p > 0, p, 1) / np.where(total > 0, total, 1)), 0.0)
        b = np.where(n > 0, n * np.log(np.where(n > 0, n, 1) / np.where(total > 0, total, 1)), 0.0)
    return a + b


@dataclass(frozen=True)
class Candidate:
    """A conjunction (feature indices, in the order chosen) and what it covers of the pool."""

    literals: tuple[int, ...]
    positives: int
    negatives: int


class Learner:
    """Searches conjunctions over one frame."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.X = frame.matrix
        self.Xf = frame.matrix.astype(np.float32)
        # a hair more for "at most" thresholds, so that between two equally good separations the
        # presence of something ("item >= 1") is preferred to the absence of something else
        self.nats = frame.nats + np.array([0.5 if f.op == "<=" else 0.0 for f in frame.features])
        # what pure searches choose by: the code length, less the frame's preferences (never chance's MDL)
        self.rank_nats = self.nats - frame.prefer if frame.prefer is not None else self.nats
        self.points = frame.points
        feats = frame.features
        self.attribute = [f.attribute for f in feats]
        self.op = [f.op for f in feats]
        self.value = [f.value for f in feats]
        # (attribute, op) -> [(value, index)] sorted by value: the thresholds a literal can move to
        ladders: dict[tuple[str, str], list[tuple[float, int]]] = {}
        for i, f in enumerate(feats):
            if f.op in THRESHOLD_OPS:
                ladders.setdefault((f.attribute, f.op), []).append((float(f.value), i))
        self.ladders = {k: sorted(v) for k, v in ladders.items()}
        by_attribute: dict[str, list[int]] = {}
        for i, a in enumerate(self.attribute):
            by_attribute.setdefault(a, []).append(i)
        self._by_attribute = by_attribute
        self._block_cache: dict[int, np.ndarray] = {}

    # ---- coverage -------------------------------------------------------------------------------
    def cover(self, literals: Sequence[int], exclusions: Sequence[Sequence[int]] = ()) -> np.ndarray:
        mask = np.ones(self.frame.rows, bool)
        for i in literals:
            mask &= self.X[:, i]
        for excl in exclusions:
            mask &= ~self.cover(excl)
        return mask

    def _blocked(self, literals: Sequence[int]) -> np.ndarray:
        """Features that may not join: a second condition on an attribute already fixed, or the
        same threshold direction twice."""
        blocked = np.zeros(len(self.attribute), bool)
        for i in literals:
            mask = self._block_cache.get(i)
            if mask is None:
                mask = np.zeros(len(self.attribute), bool)
                op = self.op[i]
                for j in self._by_attribute[self.attribute[i]]:
                    o2 = self.op[j]
                    if op not in THRESHOLD_OPS or o2 == op or o2 not in THRESHOLD_OPS:
                        mask[j] = True
                self._block_cache[i] = mask
            blocked |= mask
        return blocked

    def _counts(self, mask: np.ndarray) -> np.ndarray:
        return mask.astype(np.float32) @ self.Xf

    # ---- pure (deterministic) rules -------------------------------------------------------------
    def pure(self, pos: np.ndarray, neg: np.ndarray, start: Sequence[int] = (), max_len: int = 6) -> Candidate | None:
        """Greedy FOIL from ``start`` until no negative is covered; None if that takes too long."""
        literals = list(start)
        cov = self.cover(literals)
        while True:
            p0 = int((pos & cov).sum())
            n0 = int((neg & cov).sum())
            if p0 == 0:
                return None
            if n0 == 0:
                return Candidate(tuple(literals), p0, 0)
            if len(literals) >= max_len:
                return None
            pc = self._counts(pos & cov)
            nc = self._counts(neg & cov)
            valid = (pc > 0) & (nc < n0) & ~self._blocked(literals)
            if not valid.any():
                return None
            with np.errstate(divide="ignore", invalid="ignore"):
                gain = pc * (np.log(np.maximum(pc, 1e-9) / np.maximum(pc + nc, 1e-9)) - math.log(p0 / (p0 + n0)))
            score = np.where(valid, gain - self.rank_nats, -np.inf)
            best = int(np.argmax(score))  # ties: the first feature, in vocabulary order
            literals.append(best)
            cov &= self.X[:, best]

    def simplify(self, literals: Sequence[int], pos: np.ndarray, neg: np.ndarray) -> tuple[int, ...]:
        """Drop every literal the rule stays pure without (the least plausible tried first)."""
        current = list(literals)
        for i in sorted(literals, key=lambda j: (-self.points[j], -literals.index(j))):
            trial = [j for j in current if j != i]
            if not (neg & self.cover(trial)).any():
                current = trial
        return tuple(j for j in literals if j in current)

    def widen(self, literals: Sequence[int], neg: np.ndarray) -> tuple[int, ...]:
        """Widen each single value to a class of values that holds it (``facing.material == sand`` to
        ``facing.material in {grass, path, sand}``) where the negatives allow: the examples cannot tell
        the two apart, and the class is the statement more data would refute if it were wrong."""
        current = list(literals)
        for k, i in enumerate(current):
            if self.op[i] != "==":
                continue
            for j in self._by_attribute[self.attribute[i]]:
                if self.op[j] == "in" and self.value[i] in self.value[j]:
                    trial = [*current[:k], j, *current[k + 1:]]
                    if not (neg & self.cover(trial)).any():
                        current = trial
                        break
        return tuple(current)

    def loosen(self, literals: Sequence[int], pos: np.ndarray, neg: np.ndarray) -> tuple[int, ...]:
        """Move each threshold as far toward generality as the negatives allow."""
        current = list(literals)
        for k, i in enumerate(current):
            ladder = self.ladders.get((self.attribute[i], self.op[i]))
            if not ladder:
                continue
            direction = THRESHOLD_OPS[self.op[i]]
            value = float(self.value[i])
            options = [j for v, j in ladder if (v < value if direction == "down" else v > value)]
            options.sort(key=lambda j: float(self.value[j]), reverse=(direction == "up"))
            for j in options:  # loosest first
                trial = [*current[:k], j, *current[k + 1:]]
                if not (neg & self.cover(trial)).any():
                    current = trial
                    break
        return tuple(current)

    def tighten(self, literals: Sequence[int], pos: np.ndarray) -> tuple[int, ...]:
        """Move each threshold to the edge of the positives it covers: the most specific statement
        of what the examples showed (with a handful of examples, the negatives' edge is where the
        sample happened to stop, not where the effect does)."""
        current = list(literals)
        rows = pos & self.cover(current)
        for k, i in enumerate(current):
            ladder = self.ladders.get((self.attribute[i], self.op[i]))
            if not ladder:
                continue
            fits = [(v, j) for v, j in ladder if self.X[rows, j].all()]
            if fits:
                current[k] = (max(fits) if THRESHOLD_OPS[self.op[i]] == "down" else min(fits))[1]
        return tuple(current)

    def cheapest(self, pos: np.ndarray, neg: np.ndarray, start: Sequence[int] = (), max_add: int = 2,
                 max_cost: float = math.inf, spent: Mapping[str, float] = _NONE,
                 banned: np.ndarray | None = None) -> tuple[int, ...] | None:
        """The cheapest pure conjunction that extends ``start`` and covers *every* positive: an
        exhaustive search over at most ``max_add`` further literals, each true on all positives.

        Greedy FOIL charges each literal its code length against the information it gains, and with
        two or three positives no literal gains enough to pay: it then picks whatever is cheapest to
        name, not what separates (a nearby material rather than the item count). Here the order is
        prior cost (points), then fewest literals that are not "at least" what the effect spends (``spent``,
        ``spends``: at equal cost, a rule that spends wood is read off the wood count), then code length,
        then generality (the most instances covered: of "on sand" and "on ground anything walks on", both
        true of the examples, the evidence cannot tell them apart, and the general one is the hypothesis
        more data would refute if wrong), then how many negatives a literal alone excludes, then
        vocabulary order; deterministic. None if
        no such conjunction is within ``max_cost``. ``banned`` features (a mask) are never added."""
        base = self.cover(start)
        if not (pos & base).any() or (pos & ~base).any():
            return None
        rest = neg & base
        if not rest.any():
            return tuple(start)
        blocked = self._blocked(start)
        on_all = self.X[pos].all(axis=0) & ~blocked
        if banned is not None:
            on_all &= ~banned
        excluded = self._counts(rest)  # negatives each feature keeps
        n_rest = float(rest.sum())
        idx = [int(i) for i in np.flatnonzero(on_all & (excluded < n_rest))]
        if not idx:
            return None
        base_cost = self.cost(start, spent)
        off = {i: not self.spends(i, spent) for i in idx}
        pts = {i: self.cost((i,), spent) for i in idx}
        idx.sort(key=lambda i: (pts[i], off[i], float(self.rank_nats[i]),
                                float(excluded[i]), i))
        rows = np.flatnonzero(rest)
        keeps = {i: self.X[rows, i] for i in idx}
        best: tuple[tuple[float, int, float, int], tuple[int, ...]] | None = None

        def consider(extra: tuple[int, ...]) -> None:
            nonlocal best
            key = (base_cost + self.cost(extra, spent), sum(off[i] for i in extra),
                   float(sum(self.rank_nats[i] for i in extra)), -int(self.cover((*start, *extra)).sum()))
            if key[0] <= max_cost + 1e-9 and (best is None or key < best[0]):
                best = (key, extra)

        for i in idx:
            if not keeps[i].any():
                consider((i,))
        if best is None and max_add >= 2:
            for a, i in enumerate(idx):
                if base_cost + pts[i] + min(pts[j] for j in idx) > max_cost + 1e-9:
                    continue
                for j in idx[a + 1:]:
                    if best is not None and pts[i] + pts[j] > best[0][0] - base_cost + 1e-9:
                        break
                    if self.attribute[i] == self.attribute[j] or (keeps[i] & keeps[j]).any():
                        continue
                    if self._blocked((i,))[j]:
                        continue
                    consider((i, j))
        if best is None:
            return None
        return (*start, *best[1])

    def spends(self, i: int, spent: Mapping[str, float]) -> bool:
        """Is feature ``i`` "at least" what an effect spends (``spent``: attribute -> the least count
        that pays it), or less? Holding what one spends is no new claim; holding more is."""
        need = spent.get(self.attribute[i])
        return need is not None and self.op[i] == ">=" and float(self.value[i]) <= need

    def cost(self, literals: Sequence[int], spent: Mapping[str, float] = _NONE) -> float:
        """Prior plausibility cost of a conjunction, in points (see ``engine.features.GROUP_POINTS``).
        "At least" what the effect spends (``spends``) is free: ``_affordable`` adds it uncharged anyway."""
        return float(sum(self.points[i] for i in literals if not self.spends(i, spent)))

    # ---- stochastic rules -----------------------------------------------------------------------
    def stochastic(self, pos: np.ndarray, neg: np.ndarray, max_len: int = 4) -> Candidate:
        """The MDL-greedy conjunction: the split of the instances into covered / not covered whose
        two Bernoulli rates explain the effect best, net of the code length of its literals."""
        n_pos = float(pos.sum())
        n_neg = float(neg.sum())
        literals: list[int] = []
        cov = pos | neg
        best = float(bernoulli_ll(n_pos, n_neg))
        while len(literals) < max_len:
            pc = self._counts(pos & cov)
            nc = self._counts(neg & cov)
            size = float((cov & (pos | neg)).sum())
            with np.errstate(divide="ignore", invalid="ignore"):
                inside = pc / np.maximum(pc + nc, 1e-9)
                outside = (n_pos - pc) / np.maximum(n_pos - pc + n_neg - nc, 1e-9)
            # the rule is what it covers: a literal must concentrate the effect, not exile it
            valid = (pc > 0) & (pc + nc < size) & (inside > outside) & ~self._blocked(literals)
            if not valid.any():
                break
            total = bernoulli_ll(pc, nc) + bernoulli_ll(n_pos - pc, n_neg - nc) - self.nats
            total -= sum(self.nats[i] for i in literals)
            total = np.where(valid, total, -np.inf)
            j = int(np.argmax(total))
            if total[j] <= best + 1e-9:
                break
            best = float(total[j])
            literals.append(j)
            cov &= self.X[:, j]
        return Candidate(tuple(literals), int((pos & cov).sum()), int((neg & cov).sum()))
