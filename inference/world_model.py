"""The fitted world model users hold: score, predict, sample, inspect, save and load.

A saved model is one JSON document: the law set as law-language text (re-parsed on load, never
executed), every parameter's posterior (Beta/Dirichlet alphas), every law weight's posterior (Normal
on log w), the per-group miss and inertia rates, and the fit's provenance. No pickle anywhere.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import crafter_oo
import laws
from crafter_oo.files import atomic_write
from crafter_oo.observation import Observation
from crafter_oo.state import State
from inference.appearances import Appearances
from inference.compile import CompiledModel
from inference.compile import compile as compile_model
from inference.fit import RATE_PRIOR
from inference.posterior import INTERVAL, Summary, beta_summary, dirichlet_summaries
from inference.sample import sample as draw
from inference.score import Predictor, Prepared
from laws import observables as O

FORMAT = "lawsmith.world_model"
VERSION = 1
Z90 = 1.6448536269514722  # the standard normal's 95th percentile: a 90% interval's half width


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Estimate:
    """One fitted quantity with its posterior mean, MAP estimate and 90% interval."""

    name: str        # 'collect_sapling.p', 'cow_wanders.m[c.move(left)]', 'weight.cow_wanders', 'inertia.cow.pos'
    kind: str        # 'beta', 'dirichlet', 'weight', 'miss' or 'inertia'
    mean: float
    mode: float
    lo: float
    hi: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "mean": self.mean, "map": self.mode,
                "interval": [self.lo, self.hi], "level": INTERVAL}


@dataclass(frozen=True)
class Forecast:
    """One observable's predicted next values; ``other`` is the mass left for values the laws did not name."""

    key: str
    distribution: dict[Any, float]
    other: float


def _labels(law: laws.Law, param: laws.Param) -> list[str]:
    """Readable names for a parameter's outcomes: the branch effects of its `one of`, or 'happens'."""
    from laws.ast import OneOf, WithProbability

    def walk(effects: Any) -> list[str] | None:
        for e in effects:
            if isinstance(e, OneOf) and e.param == param.name:
                return ["; ".join(laws.pretty(x).strip() for x in branch) or "nothing" for branch in e.branches]
            if isinstance(e, WithProbability):
                if e.param == param.name:
                    return ["happens", "does not"]
                inner = walk(e.body)
                if inner:
                    return inner
            if isinstance(e, OneOf):
                for branch in e.branches:
                    inner = walk(branch)
                    if inner:
                        return inner
        return None

    found = walk(law.effects)
    return found if found and len(found) == len(param.args) else [str(i) for i in range(len(param.args))]


class WorldModel:
    """A law set with fitted parameters, weights and rates: ``log_prob``, ``predict``, ``sample``."""

    def __init__(self, law_set: laws.LawSet, *, alphas: Mapping[str, Mapping[str, list[float]]],
                 weights: Mapping[str, tuple[float, float]], miss: Mapping[str, tuple[float, float]],
                 inertia: Mapping[str, tuple[float, float]], spawns: Mapping[str, Any],
                 info: Mapping[str, Any], compiled: CompiledModel | None = None, name: str = "world model") -> None:
        self.name = name
        self.law_set = law_set
        self.compiled = compiled if compiled is not None else compile_model(law_set)
        self.alphas = {law: {p: [float(x) for x in a] for p, a in ps.items()} for law, ps in alphas.items()}
        self.weights = {law: (float(loc), float(scale)) for law, (loc, scale) in weights.items()}
        self.miss = {g: (float(a), float(b)) for g, (a, b) in miss.items()}
        self.inertia = {g: (float(a), float(b)) for g, (a, b) in inertia.items()}
        self.appearances = Appearances(spawns)
        self.info = dict(info)
        theta = []
        for spec in self.compiled.laws:
            values = {}
            for p in spec.params:
                a = np.asarray(self.alphas.get(spec.name, {}).get(p.name, p.alpha), dtype=float)
                values[p.name] = a / a.sum()
            theta.append(values)
        w = np.array([math.exp(self.weights.get(spec.name, (0.0, 1.0))[0]) for spec in self.compiled.laws])
        default = RATE_PRIOR[0] / sum(RATE_PRIOR)
        self.predictor = Predictor(self.compiled, theta, w, {g: a / (a + b) for g, (a, b) in self.miss.items()},
                                   {g: a / (a + b) for g, (a, b) in self.inertia.items()}, default, default)
        self.predictor.appearances = self.appearances
        self._cache: tuple[Any, Any, Prepared] | None = None

    # ---- questions ---------------------------------------------------------------------------------

    def _prepare(self, state: State | Observation, action: int | str) -> Prepared:
        cached = self._cache
        if cached is not None and cached[0] is state and cached[1] == action:
            return cached[2]
        obs = state if isinstance(state, Observation) else crafter_oo.observe(state)
        prepared = self.predictor.prepare(obs, crafter_oo.action_index(action))
        self._cache = (state, action, prepared)
        return prepared

    def log_prob(self, state: State | Observation, action: int | str, next_state: State | Observation) -> float:
        """log p(next observation | state, action); scoring many candidates for one (s, a) is cached."""
        nxt = next_state if isinstance(next_state, Observation) else crafter_oo.observe(next_state)
        return self.predictor.log_prob(self._prepare(state, action), nxt)

    def predict(self, state: State | Observation, action: int | str) -> dict[str, Forecast]:
        """Per observable some law names: the distribution of its next value."""
        prepared = self._prepare(state, action)
        out = {}
        for key, kp in prepared.predictions.items():
            eps = self.predictor.miss_rate(kp.group)
            out[O.key_str(key)] = Forecast(O.key_str(key), {v: (1 - eps) * p for v, p in kp.dist.items()}, eps)
        return out

    def sample(self, state: State | Observation, action: int | str, seed: int) -> Observation:
        """One full next observation, drawn with a generator seeded by ``seed`` alone."""
        rng = np.random.default_rng(seed)
        return draw(self.predictor, self._prepare(state, action), rng)

    def parameters(self) -> list[Estimate]:
        """Every fitted quantity: law parameters, law weights, miss and inertia rates."""
        out: list[Estimate] = []
        for spec in self.compiled.laws:
            law = self.law_set.laws[spec.index]
            for p in spec.params:
                alpha = self.alphas.get(spec.name, {}).get(p.name, list(p.alpha))
                if p.prior == "beta":
                    s = beta_summary(alpha[0], alpha[1])
                    out.append(_estimate(f"{spec.name}.{p.name}", "beta", s))
                else:
                    labels = _labels(law, law.params[[q.name for q in law.params].index(p.name)])
                    for label, s in zip(labels, dirichlet_summaries(alpha), strict=True):
                        out.append(_estimate(f"{spec.name}.{p.name}[{label}]", "dirichlet", s))
        for spec in self.compiled.laws:
            loc, scale = self.weights.get(spec.name, (0.0, 1.0))
            s = Summary(math.exp(loc + scale * scale / 2), math.exp(loc - scale * scale),
                        math.exp(loc - Z90 * scale), math.exp(loc + Z90 * scale))
            out.append(_estimate(f"weight.{spec.name}", "weight", s))
        for kind, rates in (("miss", self.miss), ("inertia", self.inertia)):
            for g, (a, b) in sorted(rates.items()):
                out.append(_estimate(f"{kind}.{g}", kind, beta_summary(a, b)))
        return out

    def estimate(self, name: str) -> Estimate:
        for e in self.parameters():
            if e.name == name:
                return e
        raise KeyError(name)

    # ---- persistence -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "version": VERSION,
            "laws": laws.pretty(self.law_set),
            "parameters": self.alphas,
            "weights": {k: {"loc": loc, "scale": scale} for k, (loc, scale) in self.weights.items()},
            "miss": {g: list(ab) for g, ab in self.miss.items()},
            "inertia": {g: list(ab) for g, ab in self.inertia.items()},
            "spawns": self.appearances.to_dict(),
            "fit": self.info,
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as JSON atomically: a failure leaves any file already at ``path`` untouched."""
        text = json.dumps(self.to_dict(), indent=1, sort_keys=True, allow_nan=False)
        atomic_write(path, lambda handle: handle.write(text + "\n"))


def _estimate(name: str, kind: str, s: Summary) -> Estimate:
    return Estimate(name, kind, s.mean, s.mode, s.lo, s.hi)


def load(path: str | os.PathLike[str]) -> WorldModel:
    """Load a model saved by ``WorldModel.save``; any problem is a ``ModelFileError`` naming the file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{p}: cannot read the model file ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{p}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); is this a lawsmith model?") from None
    model = from_dict(data, str(p))
    model.name = p.name
    return model


def from_dict(data: Any, where: str = "<model>") -> WorldModel:
    def bad(msg: str) -> ModelFileError:
        return ModelFileError(f"{where}: {msg}")

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad(f"not a lawsmith world model (expected \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise bad(f"model version {data.get('version')!r}; this lawsmith reads version {VERSION}")
    for name in ("laws", "parameters", "weights", "miss", "inertia", "spawns", "fit"):
        if name not in data:
            raise bad(f"missing field {name!r}")
    if not isinstance(data["laws"], str):
        raise bad("field 'laws' must be law-language text")
    try:
        law_set = laws.parse(data["laws"])
    except laws.LawError as exc:
        raise bad(f"the law text does not parse: {exc}") from None
    alphas = data["parameters"]
    if not isinstance(alphas, dict):
        raise bad("field 'parameters' must be an object")
    for law in law_set.laws:
        for prm in law.params:
            a = alphas.get(law.name, {}).get(prm.name) if isinstance(alphas.get(law.name), dict) else None
            if a is None:
                raise bad(f"parameters: no posterior for {law.name}.{prm.name}")
            if (not isinstance(a, list) or len(a) != len(prm.args)
                    or not all(isinstance(x, int | float) and not isinstance(x, bool) and x > 0 and math.isfinite(x)
                               for x in a)):
                raise bad(f"parameters.{law.name}.{prm.name}: expected {len(prm.args)} positive numbers, got {a!r}")
    weights = {}
    for name, w in _object(data["weights"], "weights", bad).items():
        if not (isinstance(w, dict) and _finite(w.get("loc")) and _finite(w.get("scale")) and w["scale"] > 0):
            raise bad(f"weights.{name}: expected {{\"loc\": number, \"scale\": positive number}}")
        weights[name] = (w["loc"], w["scale"])
    rates = {}
    for field in ("miss", "inertia"):
        rates[field] = {}
        for g, ab in _object(data[field], field, bad).items():
            if not (isinstance(ab, list) and len(ab) == 2 and all(_finite(x) and x > 0 for x in ab)):
                raise bad(f"{field}.{g}: expected [a, b], two positive numbers")
            rates[field][g] = (ab[0], ab[1])
    spawns = _object(data["spawns"], "spawns", bad)
    for kind, rows in spawns.items():
        if not (isinstance(rows, list) and all(isinstance(r, list) and len(r) == 6 and isinstance(r[5], int)
                                                 for r in rows)):
            raise bad(f"spawns.{kind}: expected rows [health, cooldown, reload, facing, grown, count]")
    return WorldModel(law_set, alphas=alphas, weights=weights, miss=rates["miss"], inertia=rates["inertia"],
                      spawns=spawns, info=_object(data["fit"], "fit", bad))


def _object(value: Any, name: str, bad: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(f"field {name!r} must be an object")
    return value


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
