"""Scoring a law set on given transitions with ``laws.audit``'s scorer.

``laws.audit.audit`` replays its own random play; the proposer is also judged on held-out scenario
runs and traces, so this takes any transitions (``laws.audit.audit_observed`` does the scoring). The
metrics are the audit's: deterministic predictions that match, stochastic predictions whose support
holds the truth, and the share of observed changes some law spoke for.
"""

from __future__ import annotations

from collections.abc import Iterable

import crafter_oo
from crafter_oo.observation import Observation
from crafter_oo.trace import Transition
from laws.ast import LawSet
from laws.audit import AuditReport, audit_observed
from laws.evaluate import CompiledLawSet


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
