"""Law set -> world model structure: parameters with their priors, branch choices, the Pyro program.

``compile`` turns a law set into everything inference needs and nothing it does not: the law set's
closures (from ``laws``), each law's parameters with their Beta/Dirichlet priors, and for each law a
matrix per parameter saying which of the law's branches choose which of the parameter's outcomes, so
that the probability of every branch under any parameter values is a product of matrix-vector
products. The generative story per transition:

- every active law instance takes one of its branches (Beta/Dirichlet parameters choose);
- per observable, the instances' distributions over operations are tempered by their law's weight
  (a weighted product of experts: q^w, renormalised over the law's outcomes plus "no effect") and
  combined as the law language defines (sets must agree, deltas add, then clamp);
- a predicted observable misses the laws' support with a small learned rate per group (then any
  value of its domain), and an observable no active law names keeps its value, changing with a small
  learned rate per group (inertia).

Law weights w = exp(z), z ~ Normal(0, 1) per law, are the Pyro sample site ``log_weight`` in the
plate ``laws``; the likelihood enters as one ``pyro.factor`` over the active (law, transition) pairs
only (``inference.tables``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

import laws
from crafter_oo.observation import SCHEMA, Schema

WEIGHT_PRIOR_SCALE = 1.0


@dataclass(frozen=True)
class ParamSpec:
    """A law parameter: ``beta`` (outcome 0 = happens, 1 = does not) or ``dirichlet`` over branches."""

    law: str
    name: str
    prior: str
    alpha: tuple[float, ...]  # beta(a, b) is stored as (a, b): the Dirichlet over (happens, not)

    @property
    def qualified(self) -> str:
        return f"{self.law}.{self.name}"

    @property
    def size(self) -> int:
        return len(self.alpha)


@dataclass(frozen=True)
class LawSpec:
    """One law as inference sees it: its parameters and which branch chooses what."""

    index: int
    name: str
    params: tuple[ParamSpec, ...]
    branches: int
    selects: tuple[np.ndarray, ...]  # per parameter: [branches, size] 0/1, a zero row = branch does not choose

    def branch_probs(self, theta: Mapping[str, np.ndarray]) -> np.ndarray:
        """P(branch) under parameter values (by parameter name); branches without a choice get factor 1."""
        probs = np.ones(self.branches)
        for spec, sel in zip(self.params, self.selects, strict=True):
            chosen = sel @ theta[spec.name]
            probs *= np.where(sel.any(axis=1), chosen, 1.0)
        return probs


class CompiledModel:
    """A law set compiled for inference: closures, parameter specs and the weights' Pyro program."""

    def __init__(self, law_set: laws.LawSet, schema: Schema = SCHEMA) -> None:
        self.law_set = law_set
        self.schema = schema
        self.closures = laws.compile(law_set)
        specs = []
        for index, c in enumerate(self.closures.laws):
            params = tuple(ParamSpec(c.law.name, p.name, p.prior, tuple(float(a) for a in p.args))
                           for p in c.law.params)
            selects = []
            for spec in params:
                sel = np.zeros((len(c.branches), spec.size))
                for b, (choices, _) in enumerate(c.branches):
                    for name, outcome in choices:
                        if name == spec.name:
                            sel[b, outcome] = 1.0
                selects.append(sel)
            specs.append(LawSpec(index, c.law.name, params, len(c.branches), tuple(selects)))
        self.laws: tuple[LawSpec, ...] = tuple(specs)
        self.index = {s.name: s.index for s in self.laws}

    def __len__(self) -> int:
        return len(self.laws)

    def prior_theta(self) -> list[dict[str, np.ndarray]]:
        """Every law's parameters at their prior means."""
        return [{p.name: np.asarray(p.alpha) / sum(p.alpha) for p in spec.params} for spec in self.laws]

    def weights_model(self, loglik: object) -> None:
        """The Pyro program over law weights: ``loglik(weights)`` is the data's log-likelihood (a tensor)."""
        import pyro
        import pyro.distributions as dist
        import torch

        with pyro.plate("laws", len(self.laws)):
            z = pyro.sample("log_weight", dist.Normal(torch.tensor(0.0), torch.tensor(WEIGHT_PRIOR_SCALE)))
        pyro.factor("transitions", loglik(torch.exp(z)))  # type: ignore[operator]


def compile(law_set: laws.LawSet, schema: Schema = SCHEMA) -> CompiledModel:
    """Compile a law set into the world model's structure (see the module docstring)."""
    return CompiledModel(law_set, schema)
