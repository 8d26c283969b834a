"""Scoring a law set against real transitions: accuracy of its predictions and coverage of changes.

For every transition (s, a, s'): each observable some active law names must take, in s', a value in
the support of the set's combined prediction (deterministic ones must match exactly); every
observable that changed with no active law naming it counts against coverage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import crafter_oo
from crafter_oo.observation import Observation
from laws import observables as O
from laws.ast import LawSet
from laws.evaluate import CompiledLawSet, combine, in_support


@dataclass
class Miss:
    """One prediction the truth fell outside of."""

    step: int
    action: str
    key: str
    before: Any
    actual: Any
    support: dict[Any, float]
    laws: tuple[str, ...]


@dataclass
class AuditReport:
    transitions: int = 0
    predicted: int = 0               # (transition, observable) pairs some law named
    deterministic: int = 0           # ... whose combined prediction had one value
    deterministic_correct: int = 0
    stochastic: int = 0
    stochastic_in_support: int = 0
    misses: list[Miss] = field(default_factory=list)
    changed: Counter = field(default_factory=Counter)     # attribute -> changes observed
    uncovered: Counter = field(default_factory=Counter)   # attribute -> changes no law named

    @property
    def ok(self) -> bool:
        return not self.misses

    def coverage(self) -> float:
        total = sum(self.changed.values())
        return 1.0 if not total else 1.0 - sum(self.uncovered.values()) / total

    def summary(self) -> str:
        lines = [
            f"transitions: {self.transitions}",
            f"predicted observables: {self.predicted} ({self.deterministic} deterministic, "
            f"{self.stochastic} stochastic)",
            f"deterministic correct: {self.deterministic_correct}/{self.deterministic}",
            f"stochastic in support: {self.stochastic_in_support}/{self.stochastic}",
            f"misses: {len(self.misses)}",
            f"changes observed: {sum(self.changed.values())}, covered by a law: "
            f"{sum(self.changed.values()) - sum(self.uncovered.values())} ({self.coverage():.2%})",
        ]
        if self.uncovered:
            lines.append("changes no law predicted, by attribute:")
            for attr, n in self.uncovered.most_common():
                lines.append(f"  {attr}: {n} of {self.changed[attr]}")
        return "\n".join(lines)


def random_play(transitions: int, seed: int = 0) -> Iterator[tuple[Observation, str, Observation]]:
    """Seeded uniform-random play (``crafter_oo.random_play``) as (obs, action name, next obs)."""
    last, nxt = None, None
    for t in crafter_oo.random_play(seed, transitions):
        obs = nxt if t.state is last else crafter_oo.observe(t.state)  # a state is observed once
        last, nxt = t.next_state, crafter_oo.observe(t.next_state)
        yield obs, t.action_name, nxt


def audit_observed(law_set: LawSet | CompiledLawSet, triples: Iterable[tuple[Observation, int | str, Observation]],
                   max_misses: int = 50) -> AuditReport:
    """Score a law set on (obs, action, next obs) triples; misses past ``max_misses`` are counted, not kept."""
    compiled = law_set if isinstance(law_set, CompiledLawSet) else CompiledLawSet(law_set)
    report = AuditReport()
    for obs, action, nxt in triples:
        report.transitions += 1
        predictions = compiled.predict(obs, action)
        combined = combine(predictions, obs)
        after_entities = {e.id: e for e in nxt.entities}
        kinds = {e.id: e.kind for e in obs.entities}
        for key, dist in combined.items():
            truth = O.actual(obs, nxt, key, after_entities)
            if truth is O.NOT_APPLICABLE:
                continue
            report.predicted += 1
            good = in_support(dist, truth)
            if len(dist) == 1:
                report.deterministic += 1
                report.deterministic_correct += good
            else:
                report.stochastic += 1
                report.stochastic_in_support += good
            if not good and len(report.misses) < max_misses:
                names = tuple(p.law for p in predictions if key in p.outcomes)
                name = action if isinstance(action, str) else crafter_oo.constants.ACTIONS[action]
                report.misses.append(Miss(obs.step, name, O.key_str(key), O.value(obs, key), truth, dist, names))
            elif not good:
                report.misses.append(report.misses[-1])
        for key, _before, _after in O.changed_keys(obs, nxt):
            attr = O.attribute_of(key, kinds.get(key[1]) if key[0] == "entity" else None)
            report.changed[attr] += 1
            if key not in combined:
                report.uncovered[attr] += 1
    return report


def audit(law_set: LawSet | CompiledLawSet, transitions: int = 10_000, seed: int = 0,
          max_misses: int = 50) -> AuditReport:
    """Replay seeded random play and score the set's predictions on every transition."""
    return audit_observed(law_set, random_play(transitions, seed), max_misses)
