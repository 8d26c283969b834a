"""The weights' likelihood as flat tensors over active (law, transition, observable) triples only.

Every predicted observable of every training transition is a *cell*. Its members are the law
instances that named it, each with its marginal distribution over operations (fixed: parameters are
fitted before weights). A cell's joint outcomes are enumerated once (every member's outcomes plus "no
effect"; combinations whose sets disagree dropped), so the log-likelihood as a function of the
weights is a handful of gathers, scatters and log-sum-exps: no dense [transitions x laws] tensor.
Cells equal up to the values involved (same laws, same probabilities, same pattern of which joint
outcomes match the observation) are stored once with a count. A cell whose enumeration would exceed
``COMBO_CAP`` joint outcomes (many chunk laws adding to one count) is left out of the weights'
objective; its likelihood is still exact in the fitted model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import laws
from inference.score import ETA
from laws import observables as O

COMBO_CAP = 64
Op = tuple[int, Any]


@dataclass
class TableBuilder:
    """Accumulates cells; ``build`` freezes them into a ``Tables``."""

    slot_logq: list[float] = field(default_factory=list)
    slot_law: list[int] = field(default_factory=list)
    slot_member: list[int] = field(default_factory=list)
    entry_slot: list[int] = field(default_factory=list)
    entry_combo: list[int] = field(default_factory=list)
    combo_cell: list[int] = field(default_factory=list)
    match_combo: list[int] = field(default_factory=list)
    cell_logu: list[float] = field(default_factory=list)
    cell_log_eps: list[float] = field(default_factory=list)
    cell_count: list[int] = field(default_factory=list)
    seen: dict[Any, int] = field(default_factory=dict)
    members: int = 0
    combos: int = 0
    skipped: int = 0

    def add(self, key: O.Key, current: Any, observed: Any, dists: Sequence[tuple[int, Mapping[Op, float]]],
            logu: float, eps: float, schema: Any) -> None:
        supports = []
        for _, d in dists:
            s = dict(d)
            s.setdefault(laws.UNCHANGED, 0.0)
            supports.append(s)
        size = math.prod(len(s) for s in supports)
        if size > COMBO_CAP:
            self.skipped += 1
            return
        members = tuple((law, tuple(round(math.log((1.0 - ETA) * p + ETA / len(s)), 12) for p in s.values()))
                        for (law, _), s in zip(dists, supports, strict=True))
        ops_lists = [list(s) for s in supports]
        combos: list[tuple[tuple[int, ...], bool]] = []
        for choice in itertools.product(*[range(len(o)) for o in ops_lists]):
            ops = [ops_lists[m][i] for m, i in enumerate(choice)]
            if len({v for kind, v in ops if kind == laws.SET}) > 1:
                continue
            matched = laws.probability({laws.apply(current, ops, key, schema): 1.0}, observed) > 0.0
            combos.append((choice, matched))
        signature = (members, tuple(combos), round(logu, 12), round(eps, 15))
        cell = self.seen.get(signature)
        if cell is not None:
            self.cell_count[cell] += 1
            return
        cell = self.seen[signature] = len(self.cell_logu)
        slot_ids: list[list[int]] = []
        for law, logqs in members:
            ids = []
            for lq in logqs:
                ids.append(len(self.slot_logq))
                self.slot_logq.append(lq)
                self.slot_law.append(law)
                self.slot_member.append(self.members)
            self.members += 1
            slot_ids.append(ids)
        for choice, matched in combos:
            combo = self.combos
            self.combos += 1
            for m, i in enumerate(choice):
                self.entry_slot.append(slot_ids[m][i])
                self.entry_combo.append(combo)
            self.combo_cell.append(cell)
            if matched:
                self.match_combo.append(combo)
        self.cell_logu.append(logu)
        self.cell_log_eps.append(math.log(eps))
        self.cell_count.append(1)

    def build(self) -> Tables:
        return Tables(self)


class Tables:
    """The frozen tensors and the log-likelihood of the weights."""

    def __init__(self, b: TableBuilder) -> None:
        import torch

        long = torch.long
        self.cells = len(b.cell_logu)
        self.observations = sum(b.cell_count)
        self.cell_count = torch.tensor(b.cell_count, dtype=torch.float64)
        self.members = b.members
        self.combos = b.combos
        self.skipped = b.skipped
        self.slot_logq = torch.tensor(b.slot_logq, dtype=torch.float64)
        self.slot_law = torch.tensor(b.slot_law, dtype=long)
        self.slot_member = torch.tensor(b.slot_member, dtype=long)
        self.entry_slot = torch.tensor(b.entry_slot, dtype=long)
        self.entry_combo = torch.tensor(b.entry_combo, dtype=long)
        self.combo_cell = torch.tensor(b.combo_cell, dtype=long)
        self.match_combo = torch.tensor(b.match_combo, dtype=long)
        self.match_cell = self.combo_cell[self.match_combo] if b.match_combo else torch.zeros(0, dtype=long)
        self.cell_logu = torch.tensor(b.cell_logu, dtype=torch.float64)
        log_eps = torch.tensor(b.cell_log_eps, dtype=torch.float64)
        self.cell_log_eps = log_eps
        self.cell_log_keep = torch.log1p(-torch.exp(log_eps))

    def loglik(self, weights: Any) -> Any:
        """Sum over cells of log[(1 - eps) p_laws(observed | weights) + eps u(observed)]."""
        import torch

        if self.cells == 0:
            return weights.sum() * 0.0
        w = weights.to(torch.float64)
        a = w[self.slot_law] * self.slot_logq
        lq = a - _scatter_logsumexp(a, self.slot_member, self.members)[self.slot_member]
        combo_lp = torch.zeros(self.combos, dtype=torch.float64).index_add(0, self.entry_combo, lq[self.entry_slot])
        valid = _scatter_logsumexp(combo_lp, self.combo_cell, self.cells)
        match = _scatter_logsumexp(combo_lp[self.match_combo], self.match_cell, self.cells)
        law_lp = match - valid
        cell_lp = torch.logaddexp(self.cell_log_keep + law_lp, self.cell_log_eps + self.cell_logu)
        return (cell_lp * self.cell_count).sum()


def _scatter_logsumexp(x: Any, index: Any, size: int) -> Any:
    import torch

    m = torch.full((size,), -math.inf, dtype=x.dtype).scatter_reduce(0, index, x.detach(), "amax")
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    s = torch.zeros(size, dtype=x.dtype).index_add(0, index, torch.exp(x - m[index]))
    return torch.log(s) + m


def as_numpy(x: Any) -> np.ndarray:
    return np.asarray(x.detach().cpu().numpy())
