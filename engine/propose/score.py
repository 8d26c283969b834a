"""Scoring a law set on given transitions, as ``laws.audit`` does on random play.

``laws.audit.audit`` replays its own random play; the proposer is also judged on held-out scenario
runs and traces, so this takes any transitions. The metrics are the audit's: deterministic
predictions that match, stochastic predictions whose support holds the truth, and the share of
observed changes some law spoke for.
"""

from __future__ import annotations

from collections.abc import Iterable

import crafter_oo
from crafter_oo.observation import Observation
from crafter_oo.trace import Transition
from laws import observables as O
from laws.ast import LawSet
from laws.audit import AuditReport, Miss
from laws.evaluate import CompiledLawSet, combine, in_support


def observed(transitions: Iterable[Transition]) -> list[tuple[Observation, int, Observation]]:
    """(obs, action, next_obs) for each transition (states shared by consecutive steps observed once)."""
    out = []
    cache: dict[int, Observation] = {}
    keep = []
    for t in transitions:
        pair = []
        for state in (t.state, t.next_state):
            o = cache.get(id(state))
            if o is None:
                o = cache[id(state)] = crafter_oo.observe(state)
                keep.append(state)
            pair.append(o)
        out.append((pair[0], t.action, pair[1]))
    return out


def audit_observed(law_set: LawSet | CompiledLawSet, triples: Iterable[tuple[Observation, int | str, Observation]],
                   max_misses: int = 50) -> AuditReport:
    """Score a law set on (obs, action, next_obs) triples; the report is ``laws.audit``'s."""
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
        for key, _before, _after in O.changed_keys(obs, nxt):
            attr = O.attribute_of(key, kinds.get(key[1]) if key[0] == "entity" else None)
            report.changed[attr] += 1
            if key not in combined:
                report.uncovered[attr] += 1
    return report


def audit_transitions(law_set: LawSet | CompiledLawSet, transitions: Iterable[Transition],
                      max_misses: int = 50) -> AuditReport:
    """``audit_observed`` on ``Transition`` records."""
    return audit_observed(law_set, observed(transitions), max_misses)


def figures(report: AuditReport) -> dict[str, float]:
    """The headline numbers of a report (1.0 when there was nothing to score)."""
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0
    return {
        "deterministic_accuracy": ratio(report.deterministic_correct, report.deterministic),
        "stochastic_in_support": ratio(report.stochastic_in_support, report.stochastic),
        "coverage": report.coverage(),
        "deterministic": float(report.deterministic),
        "stochastic": float(report.stochastic),
        "misses": float(report.deterministic - report.deterministic_correct
                        + report.stochastic - report.stochastic_in_support),
    }
