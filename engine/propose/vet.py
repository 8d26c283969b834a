"""Vetting drafts: parse and type-check each law, check the set with Z3, drop what fails, cap.

A draft that does not parse is a printer bug and is reported, never raised: one bad law must not
lose a run. Z3 findings decide the rest: an impossible or out-of-range law is dropped, of two
conflicting laws the one explaining less goes, and a law another law subsumes (same effects, and
it fires whenever the specific one does) goes too, because with additive effects both firing would
count twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import laws
from engine.propose.proposal import Dropped, Proposal

log = logging.getLogger(__name__)


@dataclass
class Draft:
    name: str
    text: str
    support: int
    explained: int
    note: str
    moves: set[str]


def vet(drafts: list[Draft], walk_text: dict[str, str], walkable: tuple[laws.Walkable, ...],
              current: laws.LawSet | None, max_laws: int) -> tuple[list[Proposal], list[Dropped]]:
    """Parse every draft, check the set with Z3, drop what the checker rejects, cap the count.

    Returns the surviving proposals (most explained first) and what was dropped, with reasons."""
    dropped: list[Dropped] = []
    parsed: dict[str, tuple[laws.Law, str, int, int, str]] = {}
    for d in drafts:
        name, text, support, explained, note, moves = d.name, d.text, d.support, d.explained, d.note, d.moves
        header = "".join(walk_text[k] + "\n" for k in sorted(moves) if k in walk_text)
        try:
            law = laws.parse(header + text).laws[0]
        except laws.LawError as exc:  # a printer bug must not lose the run: report it
            dropped.append(Dropped(name, text, f"does not parse: {exc}"))
            continue
        canonical = header + laws.pretty(law)
        parsed[name] = (law, canonical, support, explained, note)
    order = sorted(parsed, key=lambda n: (-parsed[n][3], n))
    for name in order[max_laws:]:
        dropped.append(Dropped(name, parsed[name][1], f"over the cap of {max_laws} laws"))
    keep = order[:max_laws]
    base = tuple(current.laws) if current is not None else ()
    declared = {k for w in (current.walkable if current else ()) for k in w.kinds}
    walk = tuple(current.walkable if current else ()) + tuple(w for w in walkable if not declared & set(w.kinds))
    for _ in range(4):
        law_set = laws.LawSet(base + tuple(parsed[n][0] for n in keep), walk)
        findings = laws.check(law_set)
        remove: dict[str, str] = {}
        mine = set(keep)
        for f in findings:
            names = [n for n in f.laws if n in mine]
            if not names:
                continue
            if f.severity == "error" and f.kind == "conflict" and len(names) == 2:
                victim = min(names, key=lambda n: (parsed[n][3], n))
            elif f.kind == "subsumed":
                victim = f.laws[0] if f.laws[0] in mine else ""
            elif f.severity == "error":
                victim = names[0]
            else:
                continue
            if victim and victim not in remove:
                remove[victim] = f"{f.kind}: {f.message}"
        if not remove:
            break
        for name, reason in sorted(remove.items()):
            dropped.append(Dropped(name, parsed[name][1], reason))
        keep = [n for n in keep if n not in remove]
    proposals = [Proposal(parsed[n][0], parsed[n][1], "symbolic", parsed[n][2], parsed[n][3], parsed[n][4])
                 for n in keep]
    for d in dropped:
        log.info("dropped %s: %s", d.name, d.reason)
    return proposals, dropped
