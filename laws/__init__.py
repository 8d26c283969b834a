"""The law language: parse, type-check, evaluate and check laws about Crafter-OO.

Front door::

    law_set = laws.parse(text)            # or laws.load(path, ...), laws.reference_set()
    findings = laws.check(law_set)        # Z3: impossible, conflicting, subsumed, out-of-range laws
    compiled = laws.compile(law_set)      # closures: compiled.predict(obs, action, params)
    dist = laws.combine(compiled.predict(obs, action), obs)   # per observable key
    laws.actual(obs, next_obs, key)       # the true value a prediction is scored on

Law text is parsed and validated, never executed; every problem in it is a ``LawError`` with a
location. ``laws`` imports only ``crafter_oo`` (schema and observation) from this project.
"""

from __future__ import annotations

from pathlib import Path

from laws.ast import Law, LawSet, Param, Quantifier, Walkable
from laws.check import Finding, Findings, check
from laws.errors import LawError
from laws.evaluate import (
    ADD,
    SET,
    UNCHANGED,
    Branch,
    CompiledLawSet,
    LawInstance,
    LawPrediction,
    apply,
    combine,
    combine_ops,
    in_support,
    probability,
)
from laws.graph import law_attribute_graph
from laws.observables import Key, actual, changed_keys, key_str, value
from laws.parser import load, parse
from laws.printer import pretty

REFERENCE_DIR = Path(__file__).with_name("reference")


def reference_set() -> LawSet:
    """The shipped reference law set for Crafter-OO (``laws/reference/*.law``)."""
    return load(REFERENCE_DIR)


def compile(law_set: LawSet) -> CompiledLawSet:
    """Compile a law set to closures for fast per-transition evaluation."""
    return CompiledLawSet(law_set)


__all__ = [
    "ADD",
    "REFERENCE_DIR",
    "SET",
    "UNCHANGED",
    "Branch",
    "CompiledLawSet",
    "Finding",
    "Findings",
    "Key",
    "Law",
    "LawError",
    "LawInstance",
    "LawPrediction",
    "LawSet",
    "Param",
    "Quantifier",
    "Walkable",
    "actual",
    "apply",
    "changed_keys",
    "check",
    "combine",
    "combine_ops",
    "compile",
    "in_support",
    "key_str",
    "law_attribute_graph",
    "load",
    "parse",
    "pretty",
    "probability",
    "reference_set",
    "value",
]
