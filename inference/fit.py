"""Fitting a compiled law set to transitions: conjugate updates for law parameters, SVI for weights.

1. **Evidence.** One pass over the transitions expands every active law instance into its branches
   and, for every observable it names, how well each branch explains the observed next value.
2. **Parameters** (exact where counts suffice). A law parameter chooses a law's branch; given which
   branch happened, its posterior is Beta/Dirichlet(prior + counts). When several branches explain
   the same outcome (a cow's blocked move looks like staying) or several laws share an observable
   (two laws changing health), the branch is latent: expected counts are computed under the current
   estimates and the update repeats to a fixed point (EM with the conjugate posterior mean). Instances
   whose outcome every branch explains equally carry no information and are left out, so the
   posterior's spread reflects only informative evidence.
3. **Rates.** Per observable group: how often a predicted value fell outside the laws' support
   (miss) and how often an observable no law named changed (inertia): Beta(1, 99) + counts.
4. **Weights** (SVI). With parameters at their posterior means, the law weights of the weighted
   product of experts get a Normal posterior on log w by SVI (``AutoNormal``, Adam) on the
   likelihood tables of ``inference.tables``. Seeded; the Pyro parameter store is cleared before and
   after, so nothing leaks between fits.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import crafter_oo
import laws
from crafter_oo.observation import Observation
from crafter_oo.trace import Transition
from inference.appearances import table_from_counts
from inference.compile import CompiledModel
from inference.domains import group_of, group_totals, log_uniform
from inference.score import marginal
from inference.tables import TableBuilder, as_numpy
from laws import observables as O

Progress = Callable[[str, int, int], None]
RATE_PRIOR = (1.0, 99.0)
EM_ITERATIONS = 60
EM_TOLERANCE = 1e-7
REFRESH = frozenset({0, 1, 2, 4, 8, 16, 32})  # EM iterations that recompute shared-cell factors
Op = tuple[int, Any]


class FitError(ValueError):
    """Fitting cannot start: no transitions, or input that is not a transition."""


@dataclass
class _Cell:
    key: O.Key
    group: str
    current: Any
    observed: Any
    members: list[tuple[int, int]]  # (transition-local instance index, law index)


@dataclass
class _Step:
    instances: list[laws.LawInstance]
    cells: list[_Cell]


@dataclass
class Evidence:
    """What pass 1 extracts from the transitions."""

    steps: list[_Step] = field(default_factory=list)
    rows: dict[int, list[np.ndarray]] = field(default_factory=dict)           # law -> per instance: L(branch)
    row_shared: dict[int, list[list[int]]] = field(default_factory=dict)      # law -> per instance: shared cells
    row_ref: dict[int, list[tuple[int, int]]] = field(default_factory=dict)   # law -> per instance: (step, inst)
    shared: list[tuple[int, int]] = field(default_factory=list)               # (step, cell) of shared cells
    inertia_changed: Counter[str] = field(default_factory=Counter)
    inertia_total: Counter[str] = field(default_factory=Counter)
    spawns: dict[str, Counter[tuple[Any, ...]]] = field(default_factory=dict)
    active: Counter[str] = field(default_factory=Counter)


def _matches(dist: dict[Op, float], current: Any, observed: Any, key: O.Key, schema: Any) -> float:
    """P(observed | one instance's distribution over operations, alone on the key)."""
    total = 0.0
    for op, q in dist.items():
        if laws.probability({laws.apply(current, [op], key, schema): 1.0}, observed) > 0.0:
            total += q
    return total


def _observations(transitions: Sequence[Transition]) -> list[tuple[Observation, int, Observation]]:
    out = []
    for i, t in enumerate(transitions):
        if not isinstance(t, Transition):
            raise FitError(f"transition {i}: expected crafter_oo.Transition, got {type(t).__name__}")
        out.append((crafter_oo.observe(t.state), t.action, crafter_oo.observe(t.next_state)))
    return out


def gather(model: CompiledModel, transitions: Sequence[Transition], progress: Progress | None = None) -> Evidence:
    """Pass 1: instances, cells, single-member likelihoods per branch, inertia counts, spawn fields."""
    ev = Evidence()
    schema = model.schema
    params_of = {spec.index: bool(spec.params) for spec in model.laws}
    observed_all = _observations(transitions)
    for t_index, (obs, action, nxt) in enumerate(observed_all):
        if progress is not None and t_index % 250 == 0:
            progress("evidence", t_index, len(observed_all))
        instances = model.closures.instances(obs, action)
        after = {e.id: e for e in nxt.entities}
        kinds = {e.id: e.kind for e in obs.entities}
        by_key: dict[O.Key, list[int]] = {}
        for i, inst in enumerate(instances):
            ev.active[inst.name] += 1
            for key in inst.observables():
                by_key.setdefault(key, []).append(i)
        cells: list[_Cell] = []
        predicted: Counter[str] = Counter()
        row_of: dict[int, int] = {}
        for i, inst in enumerate(instances):
            if params_of[inst.law]:
                rows = ev.rows.setdefault(inst.law, [])
                row_of[i] = len(rows)
                rows.append(np.ones(len(inst.branches)))
                ev.row_shared.setdefault(inst.law, []).append([])
                ev.row_ref.setdefault(inst.law, []).append((t_index, i))
        for key, members in by_key.items():
            observed = O.actual(obs, nxt, key, after)
            if observed is O.NOT_APPLICABLE:
                continue
            kind = kinds.get(key[1]) if key[0] == "entity" else None
            group = group_of(key, kind)
            predicted[group] += 1
            current = O.value(obs, key)
            cell = _Cell(key, group, current, observed, [(i, instances[i].law) for i in members])
            cells.append(cell)
            if len(members) == 1:
                i = members[0]
                if i in row_of:
                    inst = instances[i]
                    like = np.array([_matches(b.outcomes.get(key, {laws.UNCHANGED: 1.0}), current, observed, key,
                                              schema) for b in inst.branches])
                    ev.rows[inst.law][row_of[i]] *= like
            else:
                ev.shared.append((t_index, len(cells) - 1))
                for i in members:
                    if i in row_of:
                        ev.row_shared[instances[i].law][row_of[i]].append(len(ev.shared) - 1)
        ev.steps.append(_Step(instances, cells))
        changed: Counter[str] = Counter()
        for key, _a, _b in O.changed_keys(obs, nxt):
            if key in by_key:
                continue
            kind = kinds.get(key[1]) if key[0] == "entity" else None
            changed[group_of(key, kind)] += 1
        for g, n in group_totals(obs, nxt).items():
            ev.inertia_total[g] += max(n - predicted[g], 0)
            ev.inertia_changed[g] += changed[g]
        old = set(kinds)
        for e in nxt.entities:
            if e.id not in old:
                ev.spawns.setdefault(e.kind, Counter())[(e.health, e.cooldown, e.reload, e.facing, e.grown)] += 1
    return ev


Delta = tuple[int, np.ndarray]  # (lowest delta, probabilities of lowest, lowest + 1, ...)


def _as_delta(dist: dict[int, float]) -> Delta:
    lo, hi = min(dist), max(dist)
    arr = np.zeros(hi - lo + 1)
    for d, p in dist.items():
        arr[d - lo] += p
    return lo, arr


def _convolve(a: Delta, b: Delta) -> Delta:
    return a[0] + b[0], np.convolve(a[1], b[1])


def _shared_factors(model: CompiledModel, ev: Evidence,
                    probs: list[np.ndarray]) -> dict[tuple[int, int], np.ndarray]:
    """For every member of every shared cell: P(observed | its branch b, the others at their marginals).

    Cells where every law only adds integer deltas (counts of new entities, vitals) use prefix and
    suffix convolutions, so a member's leave-one-out distribution costs O(members); other cells go
    through the law language's combination rule.
    """
    out: dict[tuple[int, int], np.ndarray] = {}
    for s_index, (t_index, c_index) in enumerate(ev.shared):
        step = ev.steps[t_index]
        cell = step.cells[c_index]
        margs = [marginal(step.instances[i], probs[lw], cell.key) for i, lw in cell.members]
        additive = all(kind == laws.ADD and isinstance(v, int) for m in margs for kind, v in m)
        if additive:
            deltas = [_as_delta({v: p for (_, v), p in m.items()}) for m in margs]
            prefix: list[Delta] = [(0, np.ones(1))]
            for d in deltas:
                prefix.append(_convolve(prefix[-1], d))
            suffix: list[Delta] = [(0, np.ones(1))]
            for d in reversed(deltas):
                suffix.append(_convolve(suffix[-1], d))
            suffix.reverse()
            match: dict[int, bool] = {}
            for m_index, (i, _lw) in enumerate(cell.members):
                lo, rest = _convolve(prefix[m_index], suffix[m_index + 1])
                inst = step.instances[i]
                vec = np.empty(len(inst.branches))
                for b, branch in enumerate(inst.branches):
                    mine = branch.outcomes.get(cell.key, {laws.UNCHANGED: 1.0})
                    total = 0.0
                    for (_, d), p in mine.items():
                        for r in range(len(rest)):
                            t = d + lo + r
                            ok = match.get(t)
                            if ok is None:
                                v = laws.apply(cell.current, [(laws.ADD, t)], cell.key, model.schema)
                                ok = match[t] = laws.probability({v: 1.0}, cell.observed) > 0.0
                            if ok:
                                total += p * float(rest[r])
                    vec[b] = total
                out[(s_index, i)] = vec
            continue
        for m_index, (i, _lw) in enumerate(cell.members):
            others = margs[:m_index] + margs[m_index + 1:]
            inst = step.instances[i]
            vec = np.empty(len(inst.branches))
            for b, branch in enumerate(inst.branches):
                mine = branch.outcomes.get(cell.key, {laws.UNCHANGED: 1.0})
                dist = laws.combine_ops([mine, *others], cell.current, cell.key, model.schema)
                vec[b] = laws.probability(dist, cell.observed)
            out[(s_index, i)] = vec
    return out


@dataclass
class _LawRows:
    """One law's instances for EM: distinct fixed likelihood rows with counts, plus rows in shared cells."""

    unique: np.ndarray          # [distinct rows, branches]
    counts: np.ndarray          # how many instances had each row
    shared_base: np.ndarray     # [rows in shared cells, branches]
    shared_cells: list[list[tuple[int, int]]]  # per such row: (shared cell, instance) factors to multiply in


def _law_rows(ev: Evidence, law: int) -> _LawRows:
    rows = np.vstack(ev.rows[law])
    in_shared = np.array([bool(c) for c in ev.row_shared[law]])
    fixed = rows[~in_shared]
    informative = (fixed.max(axis=1) - fixed.min(axis=1)) > 1e-12 * np.maximum(fixed.max(axis=1), 1e-300)
    fixed = fixed[informative]
    if len(fixed):
        unique, counts = np.unique(fixed, axis=0, return_counts=True)
    else:
        unique, counts = np.zeros((0, rows.shape[1])), np.zeros(0, dtype=int)
    shared_idx = np.flatnonzero(in_shared)
    cells = [[(s, ev.row_ref[law][r][1]) for s in ev.row_shared[law][r]] for r in shared_idx.tolist()]
    return _LawRows(unique, counts.astype(float), rows[shared_idx], cells)


def _expected(like: np.ndarray, prior: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, int]:
    """Expected branch counts from rows of likelihoods under a prior; uninformative rows are left out."""
    if not len(like):
        return np.zeros(len(prior)), 0
    post = like * prior
    spread = like.max(axis=1) - like.min(axis=1)
    total = post.sum(axis=1)
    keep = (total > 0) & (spread > 1e-12 * np.maximum(like.max(axis=1), 1e-300))
    post = post[keep] / total[keep, None]
    return (post * weight[keep, None]).sum(axis=0), int(weight[keep].sum())


def estimate_parameters(model: CompiledModel, ev: Evidence,
                        progress: Progress | None = None) -> tuple[list[dict[str, np.ndarray]], dict[str, int]]:
    """EM to the fixed point of conjugate posterior means; returns posterior alphas per law and parameter,
    and how many informative instances each law contributed."""
    theta = model.prior_theta()
    alphas: list[dict[str, np.ndarray]] = [{p.name: np.asarray(p.alpha) for p in spec.params} for spec in model.laws]
    informative: dict[str, int] = {}
    law_rows = {law: _law_rows(ev, law) for law in sorted(ev.rows)}
    has_shared = any(len(r.shared_base) for r in law_rows.values())
    iterations = EM_ITERATIONS
    factors: dict[tuple[int, int], np.ndarray] = {}
    for it in range(iterations):
        if progress is not None:
            progress("parameters", it, iterations)
        probs = [spec.branch_probs(theta[spec.index]) for spec in model.laws]
        if has_shared and (it in REFRESH or it == iterations - 1):  # the costly part; it changes slowly
            factors = _shared_factors(model, ev, probs)
        new_theta = [dict(t) for t in theta]
        change = 0.0
        for law, lr in law_rows.items():
            spec = model.laws[law]
            prior = probs[law]
            expected, n = _expected(lr.unique, prior, lr.counts)
            if len(lr.shared_base):
                like = lr.shared_base.copy()
                for r, cells in enumerate(lr.shared_cells):
                    for key in cells:
                        like[r] *= factors[key]
                more, m = _expected(like, prior, np.ones(len(like)))
                expected, n = expected + more, n + m
            informative[spec.name] = n
            for p, sel in zip(spec.params, spec.selects, strict=True):
                alpha = np.asarray(p.alpha) + expected @ sel
                alphas[law][p.name] = alpha
                mean = alpha / alpha.sum()
                change = max(change, float(np.abs(mean - theta[law][p.name]).max()))
                new_theta[law][p.name] = mean
        theta = new_theta
        if change < EM_TOLERANCE:
            break
    return alphas, informative


def rate(changed: int, total: int) -> tuple[float, float]:
    return (RATE_PRIOR[0] + changed, RATE_PRIOR[1] + max(total - changed, 0))


def miss_counts(model: CompiledModel, ev: Evidence,
                theta: Sequence[dict[str, np.ndarray]]) -> tuple[Counter[str], Counter[str]]:
    """Per group: predicted cells, and those whose observed value the laws' combination did not allow."""
    probs = [spec.branch_probs(theta[spec.index]) for spec in model.laws]
    misses: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for step in ev.steps:
        for cell in step.cells:
            dists = [marginal(step.instances[i], probs[law], cell.key) for i, law in cell.members]
            dist = laws.combine_ops(dists, cell.current, cell.key, model.schema)
            totals[cell.group] += 1
            if laws.probability(dist, cell.observed) <= 0.0:
                misses[cell.group] += 1
    return misses, totals


def build_tables(model: CompiledModel, ev: Evidence, theta: Sequence[dict[str, np.ndarray]],
                 miss: dict[str, float], area: tuple[int, int]) -> Any:
    probs = [spec.branch_probs(theta[spec.index]) for spec in model.laws]
    builder = TableBuilder()
    for step in ev.steps:
        for cell in step.cells:
            dists = [(law, marginal(step.instances[i], probs[law], cell.key)) for i, law in cell.members]
            logu = log_uniform(cell.key, cell.observed, area, False)
            builder.add(cell.key, cell.current, cell.observed, dists, logu, miss[cell.group], model.schema)
    return builder.build()


@dataclass
class WeightFit:
    loc: np.ndarray
    scale: np.ndarray
    elbo: list[float]
    cells: int
    skipped: int
    distinct: int


def fit_weights(model: CompiledModel, tables: Any, seed: int, steps: int, lr: float = 0.05,
                progress: Progress | None = None) -> WeightFit:
    """SVI for the law weights: AutoNormal over log w, Adam, seeded, parameter store cleared around it."""
    import pyro
    import torch
    from pyro.infer import SVI, Trace_ELBO
    from pyro.infer.autoguide import AutoNormal
    from pyro.optim import Adam

    if len(model) == 0:
        return WeightFit(np.zeros(0), np.zeros(0), [], tables.observations, tables.skipped, tables.cells)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small tensors; one thread keeps reductions in a fixed order
    pyro.clear_param_store()
    try:
        pyro.set_rng_seed(seed)

        def program() -> None:
            model.weights_model(tables.loglik)

        guide = AutoNormal(program, init_scale=0.1)
        svi = SVI(program, guide, Adam({"lr": lr}), Trace_ELBO())
        elbo = []
        for i in range(steps):
            elbo.append(float(svi.step()))
            if progress is not None and i % 10 == 0:
                progress("weights", i, steps)
        loc = as_numpy(guide.locs.log_weight).astype(float)
        scale = as_numpy(guide.scales.log_weight).astype(float)
        return WeightFit(loc, scale, elbo, tables.observations, tables.skipped, tables.cells)
    finally:
        pyro.clear_param_store()
        torch.set_num_threads(threads)


def fit(model: CompiledModel, transitions: Sequence[Transition], seed: int = 0, *, svi_steps: int = 300,
        progress: Progress | None = None) -> Any:
    """Fit a compiled law set to transitions; returns a ``WorldModel``. Deterministic for a seed."""
    from inference.world_model import WorldModel

    if not transitions:
        raise FitError("no transitions to fit: record some with `lawsmith trace` or an exploration session")
    started = time.perf_counter()
    ev = gather(model, transitions, progress)
    alphas, informative = estimate_parameters(model, ev, progress)
    theta = [{name: a / a.sum() for name, a in law_alphas.items()} for law_alphas in alphas]
    if progress is not None:
        progress("rates", 0, 1)
    misses, totals = miss_counts(model, ev, theta)
    miss_ab = {g: rate(misses[g], totals[g]) for g in sorted(totals)}
    miss = {g: a / (a + b) for g, (a, b) in miss_ab.items()}
    area = crafter_oo.observe(transitions[0].state).area
    if progress is not None:
        progress("tables", 0, 1)
    tables = build_tables(model, ev, theta, miss, area)
    weights = fit_weights(model, tables, seed, svi_steps, progress=progress)
    inertia_ab = {g: rate(ev.inertia_changed[g], ev.inertia_total[g]) for g in sorted(ev.inertia_total)}
    spawns = table_from_counts(ev.spawns)
    info = {
        "seed": seed, "transitions": len(transitions), "svi_steps": svi_steps,
        "elbo_first": weights.elbo[0] if weights.elbo else None,
        "elbo_last": weights.elbo[-1] if weights.elbo else None,
        "cells": weights.cells, "distinct_cells": weights.distinct, "cells_left_out_of_weights": weights.skipped,
        "seconds": round(time.perf_counter() - started, 3),
        "informative": dict(sorted(informative.items())), "active": dict(sorted(ev.active.items())),
    }
    return WorldModel(
        model.law_set,
        alphas={spec.name: {name: [float(x) for x in a] for name, a in alphas[spec.index].items()}
                for spec in model.laws if spec.params},
        weights={spec.name: (float(weights.loc[spec.index]), float(weights.scale[spec.index])) for spec in model.laws},
        miss=miss_ab, inertia=inertia_ab, spawns=spawns, info=info, compiled=model,
    )
