"""``check(law_set) -> Findings``: what Z3 can prove wrong with a law set, each with a concrete state.

1. unsatisfiable: a precondition that can never hold (error; the unsat core names the clash);
2. conflict: two laws active on one (s, a) that set one attribute to different values (error);
3. subsumed: a law whose precondition implies another's, with the same effects (warning);
4. out_of_range: an '=' effect that can leave the schema's range, or write off the map (error).
A question Z3 cannot answer in time is an 'inconclusive' warning, never a pass.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from crafter_oo.observation import SCHEMA, Schema
from laws.ast import Law, LawSet, Param
from laws.graph import conflict_candidates, law_attribute_graph
from laws.printer import effect as effect_text
from laws.solver import Answer, Solver, writes

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    laws: tuple[str, ...]
    message: str
    attribute: str | None = None
    counterexample: dict[str, Any] | None = None
    core: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "laws": list(self.laws),
                "attribute": self.attribute, "message": self.message,
                "counterexample": self.counterexample, "core": list(self.core)}


@dataclass
class Findings:
    findings: list[Finding] = field(default_factory=list)
    laws: int = 0
    seconds: float = 0.0
    questions: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "laws": self.laws, "questions": self.questions,
                "errors": len(self.errors), "findings": [f.to_dict() for f in self.findings]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, default=str)


def _inconclusive(laws: tuple[str, ...], what: str) -> Finding:
    return Finding("inconclusive", WARNING, laws, f"Z3 could not decide {what} in time")


def _normal_effects(law: Law) -> tuple[Any, ...]:
    """Effects with parameter names replaced by their priors' shape, and the entity variable by '_'."""
    names = {p.name: f"${i}" for i, p in enumerate(law.params)}
    text = [effect_text(e) for e in law.effects]
    var = law.quantifier.var if law.quantifier else None
    out = []
    for t in text:
        for name, alias in names.items():
            t = t.replace(f" {name}:", f" {alias}:")
        if var is not None:
            t = " ".join("_" if tok == var else tok for tok in t.replace(".", " . ").split())
        out.append(t)
    return (law.quantifier.kind if law.quantifier else None, tuple(out),
            tuple((p.prior, len(p.args)) for p in law.params))


def check(law_set: LawSet, schema: Schema = SCHEMA, *, timeout_ms: int = 2000) -> Findings:
    """Run every check on a law set and return the findings (empty when Z3 proves it clean)."""
    start = time.perf_counter()
    solver = Solver(schema, timeout_ms)
    result = Findings(laws=len(law_set.laws))
    by_name = {law.name: law for law in law_set.laws}
    satisfiable: dict[str, bool] = {}

    for law in law_set.laws:
        answer = solver.satisfiable(law)
        result.questions += 1
        satisfiable[law.name] = answer.status != "unsat"
        if answer.status == "unsat":
            clash = "; ".join(answer.core) if answer.core else "the condition"
            result.findings.append(Finding("unsatisfiable", ERROR, (law.name,),
                                           f"the precondition of {law.name!r} can never hold: {clash}",
                                           core=answer.core))
        elif answer.status == "unknown":
            result.findings.append(_inconclusive((law.name,), "whether the precondition can hold"))

    for law in law_set.laws:
        if not satisfiable[law.name]:
            continue
        for w in writes(law):
            if w.op not in ("=",):
                continue
            answer = solver.stays_in_range(law, w)
            result.questions += 1
            if answer.status == "sat":
                result.findings.append(Finding(
                    "out_of_range", ERROR, (law.name,),
                    f"{law.name!r} can set {w.attribute} outside the schema's range", w.attribute,
                    answer.model))
            elif answer.status == "unknown":
                result.findings.append(_inconclusive((law.name,), f"the range of {w.attribute}"))

    graph = law_attribute_graph(law_set)
    for la, wa, lb, wb in conflict_candidates(graph):
        a, b = by_name[la], by_name[lb]
        if not (satisfiable[la] and satisfiable[lb]):
            continue
        if a.quantifier and b.quantifier and wa.attribute.split(".")[0] == a.quantifier.kind \
                and a.quantifier.kind != b.quantifier.kind:
            continue
        answer = solver.overlap(a, wa, b, wb)
        result.questions += 1
        if answer.status == "sat":
            result.findings.append(Finding(
                "conflict", ERROR, (la, lb),
                f"{la!r} and {lb!r} can both fire and set {wa.attribute} to different values",
                wa.attribute, answer.model))
        elif answer.status == "unknown":
            result.findings.append(_inconclusive((la, lb), f"whether they conflict on {wa.attribute}"))

    groups: dict[Any, list[Law]] = defaultdict(list)
    for law in law_set.laws:
        if satisfiable[law.name]:
            groups[_normal_effects(law)].append(law)
    for same in groups.values():
        for specific in same:
            for general in same:
                if general is specific:
                    continue
                answer = solver.subsumes(general, specific)
                result.questions += 1
                if answer.status == "unsat":
                    result.findings.append(Finding(
                        "subsumed", WARNING, (specific.name, general.name),
                        f"{specific.name!r} is subsumed by {general.name!r}: same effects, and whenever "
                        f"it fires so does {general.name!r}", None, answer.model))
                    break
    result.seconds = time.perf_counter() - start
    return result


__all__ = ["ERROR", "WARNING", "Answer", "Finding", "Findings", "Param", "check"]
