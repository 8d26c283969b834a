"""What a proposer returns: parsed, checked laws with the evidence behind each.

Shared by every proposer (symbolic now, LLM later), so the learning loop handles them alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import laws


@dataclass(frozen=True)
class Proposal:
    """One proposed law. ``text`` parses with ``laws.parse`` on its own (a law that moves something
    carries the ``walkable`` declaration it needs on its first line)."""

    law: laws.Law          # parsed and type-checked
    text: str              # canonical law text
    origin: str            # "symbolic"
    support: int           # instances where the precondition held (transitions, or entity instances)
    explained: int         # of those, how many the effect matched (for a stochastic law: happened)
    note: str              # short human reason


@dataclass(frozen=True)
class Dropped:
    """A law the proposer made and then withdrew, and why (a checker finding, or the law cap)."""

    name: str
    text: str
    reason: str


class Proposals(list[Proposal]):
    """A list of proposals, plus what a caller needs to use them as a law set.

    ``walkable`` holds the induced walkable declarations (materials each mover was seen entering);
    ``law_set()`` assembles the proposals (and optionally the current set) into one ``LawSet``.
    ``dropped`` lists withdrawn laws with reasons; ``unexplained`` the effects no law explains.
    """

    def __init__(self, items: list[Proposal] | None = None, *, walkable: tuple[laws.Walkable, ...] = (),
                 dropped: list[Dropped] | None = None, unexplained: list[str] | None = None,
                 seconds: float = 0.0, evidence_summary: str = "") -> None:
        super().__init__(items or [])
        self.walkable = walkable
        self.dropped = dropped or []
        self.unexplained = unexplained or []
        self.seconds = seconds
        self.evidence_summary = evidence_summary

    def law_set(self, current: laws.LawSet | None = None) -> laws.LawSet:
        """The proposed laws (after ``current``'s, if given) with walkable declarations for every
        mover; ``current``'s declarations win for the kinds it declares."""
        declared = {k for w in (current.walkable if current else ()) for k in w.kinds}
        walkable = tuple(current.walkable if current else ()) + tuple(
            w for w in self.walkable if not declared.intersection(w.kinds))
        base = tuple(current.laws) if current else ()
        return laws.LawSet(base + tuple(p.law for p in self), walkable)

    def text(self) -> str:
        """All proposals as one law file (walkable declarations once, at the top)."""
        return laws.pretty(self.law_set())
