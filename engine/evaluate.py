"""The evaluation protocol (EVALUATION.md): scenarios or a trace in, one versioned result document out.

For every transition (s, a, s*) the model scores the candidates (s*, its own sample as a hard
negative, the distractors) and generates one sample; the ranking, fidelity and log-likelihood
metrics are averaged over a group's transitions within a trial, then summarised (mean and population
standard deviation) over trials. A group is a scenario variant, or, for a trace, the transitions with
one action. Overall figures are the mean of the group means, each group weighted equally.

Every random choice (the scenario's run seed, distractors, the tie-breaking shuffle, the model's sample
seeds, the calibration reseeds) comes from ``np.random.SeedSequence([seed, trial, crc32(group key),
purpose, index])``, so a figure depends only on (model, seed, trial, group), never on the order of
evaluation, the subset evaluated or the process (no global generator, no ``hash()``).
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crafter_oo import constants as C
from crafter_oo.observation import Observation, observe
from crafter_oo.state import State
from crafter_oo.trace import Transition
from engine import scenarios as S
from engine.calibration import EVENTS, Calibration, calibrate, child, pick
from engine.distractors import distractors
from engine.metrics import fidelity, rank_of_truth
from engine.models import Model, view

SCHEMA_VERSION = 1
REPEATS = 64  # true steps (and model samples) per calibration state
CALIBRATION_STATES = 3  # states probed per event, per group and trial
DIGITS = 6  # floats in the JSON document are rounded to this many decimals

# Per-transition metrics, in table order. log_likelihood is -inf when the model rules s* out;
# impossible is the fraction of such transitions; chance is 1/N, the rank-1 of a uniform scorer.
METRICS: tuple[str, ...] = ("rank1", "mrr", "recall", "edit_distance", "edit_normalized", "iou",
                            "log_likelihood", "impossible", "candidates", "chance")

_RUN, _TRANSITION, _CALIBRATE = 0, 1, 2  # purposes in the seed words
_TRACE_KEY = "transitions"  # the key of a trace's seeds (its groups share one stream, indexed by line)

Progress = Callable[[str, int, int], None]  # (group key, groups done, groups in all)


def seeds(seed: int, trial: int, key: str, *more: int) -> np.random.SeedSequence:
    """The seed sequence of one (seed, trial, group) and purpose: stable across processes."""
    return np.random.SeedSequence([seed, trial, zlib.crc32(key.encode()), *more])


def _generator(sequence: np.random.SeedSequence) -> np.random.RandomState:
    return np.random.RandomState(np.random.MT19937(sequence))


def _word(sequence: np.random.SeedSequence) -> int:
    return int(sequence.generate_state(1)[0])


# ------------------------------------------------------------------------------------- one transition

def score_transition(model: Model, t: Transition, sequence: np.random.SeedSequence) -> dict[str, float]:
    """The per-transition metrics of ``model`` on ``t``; ``sequence`` seeds everything random in it."""
    truth = observe(t.next_state)
    sample = view(model.sample(t.state, t.action, _word(child(sequence, 2))))
    wrong = [state for _, state in distractors(t.state, t.action, t.next_state, _generator(child(sequence, 0)))]
    candidates: list[State | Observation] = [t.next_state]
    if sample != truth and not any(sample == observe(state) for state in wrong):
        candidates.append(sample)  # the model's own sample, a hard negative (an identical one adds nothing)
    candidates.extend(wrong)
    scores = [float(model.log_prob(t.state, t.action, c)) for c in candidates]
    ranking = rank_of_truth(scores, _generator(child(sequence, 1)))
    fid = fidelity(observe(t.state).to_dict(), sample.to_dict(), truth.to_dict())
    log_lik = -math.inf if math.isnan(scores[0]) else scores[0]
    return {"rank1": ranking.top1, "mrr": ranking.reciprocal, "recall": ranking.recall,
            "edit_distance": float(fid.edits), "edit_normalized": fid.normalized, "iou": fid.iou,
            "log_likelihood": log_lik, "impossible": 1.0 if log_lik == -math.inf else 0.0,
            "candidates": float(len(candidates)), "chance": 1.0 / len(candidates)}


def _mean(values: Sequence[float]) -> float:
    """An exactly rounded mean (order-independent); -inf if any value is -inf."""
    return math.fsum(values) / len(values) if values else math.nan


def _average(records: Sequence[Mapping[str, float]]) -> dict[str, float]:
    return {name: _mean([r[name] for r in records]) for name in METRICS}


# ------------------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Summary:
    """Mean and population standard deviation over trials (std is NaN when the mean is not finite)."""

    mean: float
    std: float

    @staticmethod
    def of(values: Sequence[float]) -> Summary:
        mean = _mean(values)
        if not math.isfinite(mean):
            return Summary(mean, math.nan)
        return Summary(mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values)))


@dataclass(frozen=True)
class Trial:
    """One trial of one group: the metrics averaged over its transitions, and its calibration."""

    metrics: Mapping[str, float]
    transitions: int
    calibration: Mapping[str, Calibration] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    key: str
    mechanic: str
    trials: tuple[Trial, ...]

    def summary(self, metric: str) -> Summary:
        return Summary.of([t.metrics[metric] for t in self.trials])

    def events(self) -> list[str]:
        return sorted({name for t in self.trials for name in t.calibration})

    def calibration(self, event: str) -> tuple[Summary, Summary, int]:
        """(TV, floor, probed states summed over trials) over the trials where the event was probed."""
        points = [t.calibration[event] for t in self.trials if event in t.calibration]
        return (Summary.of([p.tv for p in points]), Summary.of([p.floor for p in points]),
                sum(p.states for p in points))


def _number(x: float) -> float | None:
    """A JSON number rounded to ``DIGITS`` decimals; None for -inf, inf and NaN (JSON has none)."""
    return round(x, DIGITS) + 0.0 if math.isfinite(x) else None  # + 0.0 turns -0.0 into 0.0


def _summary_json(s: Summary) -> dict[str, float | None]:
    return {"mean": _number(s.mean), "std": _number(s.std)}


@dataclass(frozen=True)
class Results:
    """An evaluation of one model: per group and trial, plus overall figures derived from them."""

    model: str
    seed: int
    trials: int
    source: str  # "scenarios" or the trace's path
    group_by: str  # "scenario" or "action"
    repeats: int
    groups: tuple[Group, ...]
    trace_calibration: tuple[Mapping[str, Calibration], ...] = ()  # per trial, for a trace only

    def overall(self, metric: str) -> Summary:
        """Per trial the mean over groups (each weighted equally), then summarised over trials."""
        return Summary.of([_mean([g.trials[i].metrics[metric] for g in self.groups]) for i in range(self.trials)])

    def events(self) -> list[str]:
        names = {n for g in self.groups for n in g.events()} | {n for c in self.trace_calibration for n in c}
        return sorted(names)

    def overall_calibration(self, event: str) -> tuple[Summary, Summary]:
        """(TV, floor): per trial the mean over the groups that probed ``event``, summarised over trials."""
        tv: list[float] = []
        floor: list[float] = []
        for i in range(self.trials):
            points = [g.trials[i].calibration[event] for g in self.groups if event in g.trials[i].calibration]
            if i < len(self.trace_calibration) and event in self.trace_calibration[i]:
                points.append(self.trace_calibration[i][event])
            if points:
                tv.append(_mean([p.tv for p in points]))
                floor.append(_mean([p.floor for p in points]))
        return Summary.of(tv), Summary.of(floor)

    def to_dict(self) -> dict[str, Any]:
        groups = {}
        for g in self.groups:
            calibration = {}
            for event in g.events():
                tv, floor, states = g.calibration(event)
                calibration[event] = {"tv": _summary_json(tv), "floor": _summary_json(floor), "states": states}
            groups[g.key] = {
                "mechanic": g.mechanic,
                "transitions": _summary_json(Summary.of([float(t.transitions) for t in g.trials])),
                "metrics": {m: _summary_json(g.summary(m)) for m in METRICS},
                "calibration": calibration,
            }
        overall_calibration = {}
        for event in self.events():
            tv, floor = self.overall_calibration(event)
            overall_calibration[event] = {"tv": _summary_json(tv), "floor": _summary_json(floor)}
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.model, "seed": self.seed, "trials": self.trials, "source": self.source,
            "group_by": self.group_by, "calibration_repeats": self.repeats,
            "groups": groups,
            "overall": {"metrics": {m: _summary_json(self.overall(m)) for m in METRICS},
                        "calibration": overall_calibration},
        }

    def to_json(self) -> str:
        """One JSON document, keys sorted, floats rounded: the same bytes for the same evaluation."""
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------- scenarios

def _scenario_trial(model: Model, scenario: S.Scenario, seed: int, trial: int, repeats: int) -> Trial:
    key = scenario.key
    run = S.run(scenario, _word(seeds(seed, trial, key, _RUN)))
    records = [score_transition(model, t, seeds(seed, trial, key, _TRANSITION, i))
               for i, t in enumerate(run.transitions)]
    calibration: dict[str, Calibration] = {}
    for name in scenario.stochastic:
        if name not in EVENTS:
            raise ValueError(f"scenario {key}: unknown stochastic event {name!r}; known: {', '.join(EVENTS)}")
        event = EVENTS[name]
        points = [(t.state, t.action) for t in run.transitions if event.applies(observe(t.state), t.action)]
        points = [points[i] for i in pick(len(points), CALIBRATION_STATES)]
        sequence = seeds(seed, trial, key, _CALIBRATE, zlib.crc32(name.encode()))
        result = calibrate(model, event, points, repeats, sequence)
        if result is not None:
            calibration[name] = result
    return Trial(_average(records), len(records), calibration)


def _check(seed: int, trials: int, repeats: int) -> None:
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if trials < 1:
        raise ValueError(f"trials must be >= 1, got {trials}")
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")


def evaluate(model: Model, seed: int, trials: int = 5, scenarios: Iterable[S.Scenario] | None = None,
             repeats: int = REPEATS, progress: Progress | None = None) -> Results:
    """Evaluate ``model`` on the scenarios (all 38 variants by default).

    Each trial re-runs a scenario with its own run seed, redraws the distractors, reshuffles the ties
    and resamples the model. A scenario whose goal fails raises ``ScenarioError``: the suite is broken.
    """
    _check(seed, trials, repeats)
    chosen = tuple(S.SCENARIOS if scenarios is None else scenarios)
    groups = []
    for n, scenario in enumerate(chosen, start=1):
        runs = tuple(_scenario_trial(model, scenario, seed, trial, repeats) for trial in range(trials))
        groups.append(Group(scenario.key, scenario.mechanic, runs))
        if progress is not None:
            progress(scenario.key, n, len(chosen))
    return Results(model.name, seed, trials, "scenarios", "scenario", repeats, tuple(groups))


# ------------------------------------------------------------------------------------------ a trace

def evaluate_transitions(model: Model, transitions: Sequence[Transition], seed: int, trials: int = 5,
                         repeats: int = REPEATS, source: str = "transitions",
                         progress: Progress | None = None) -> Results:
    """Evaluate ``model`` on recorded transitions, grouped by action, with distractors made as for scenarios.

    A transition's seeds depend on its index in ``transitions``. Calibration probes, per trial and
    event, up to ``CALIBRATION_STATES`` states of the whole trace where the event applies (a seeded
    choice), and is reported overall.
    """
    _check(seed, trials, repeats)
    if not transitions:
        raise ValueError("no transitions to evaluate")
    by_action: dict[int, list[int]] = {}
    for i, t in enumerate(transitions):
        by_action.setdefault(t.action, []).append(i)
    groups = []
    actions = sorted(by_action)
    for n, action in enumerate(actions, start=1):
        runs = []
        for trial in range(trials):
            records = [score_transition(model, transitions[i], seeds(seed, trial, _TRACE_KEY, _TRANSITION, i))
                       for i in by_action[action]]
            runs.append(Trial(_average(records), len(records)))
        groups.append(Group(C.ACTIONS[action], C.ACTIONS[action], tuple(runs)))
        if progress is not None:
            progress(C.ACTIONS[action], n, len(actions))
    views = [observe(t.state) for t in transitions]
    calibration = []
    for trial in range(trials):
        found: dict[str, Calibration] = {}
        for name, event in EVENTS.items():
            where = [i for i, t in enumerate(transitions) if event.applies(views[i], t.action)]
            sequence = seeds(seed, trial, _TRACE_KEY, _CALIBRATE, zlib.crc32(name.encode()))
            if len(where) > CALIBRATION_STATES:
                chosen = _generator(child(sequence, 0)).choice(len(where), CALIBRATION_STATES, replace=False)
                where = [where[int(j)] for j in sorted(chosen)]
            points = [(transitions[i].state, transitions[i].action) for i in where]
            result = calibrate(model, event, points, repeats, child(sequence, 1))
            if result is not None:
                found[name] = result
        calibration.append(found)
    return Results(model.name, seed, trials, source, "action", repeats, tuple(groups), tuple(calibration))
