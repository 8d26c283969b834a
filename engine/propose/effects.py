"""Joint effects and the rules that explain them: the proposer's working vocabulary.

A ``Compound`` is one or more effect atoms that always happened together (collecting wood: wood +1,
``collect_wood`` +1, the tree turned to grass), with its combined status per instance. A ``Rule`` is
an accepted precondition (feature indices of its frame) with the compounds it explains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.propose.atoms import FAILED, HAPPENED, SILENT, Atom


@dataclass
class Compound:
    """Atoms that always happened together (where either one could be told), as one effect."""

    frame: str
    atoms: tuple[Atom, ...]
    status: np.ndarray
    background: bool = False  # happens by chance almost anywhere: never folded into a rare rule
    local: bool = False       # the player's own situation explains it: no entity rule may claim it
    shared: bool = False      # a part of rarer effects (the wood every recipe spends): not chance

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(a.key for a in self.atoms)

    @property
    def name(self) -> str:
        return " & ".join(a.describe() for a in self.atoms)

    @property
    def positives(self) -> int:
        return int((self.status == HAPPENED).sum())

    @property
    def told(self) -> int:
        """Instances where one can tell whether it happened (it happened or failed)."""
        return int((self.status != SILENT).sum())


@dataclass
class Rule:
    """An accepted precondition with the effects it explains."""

    frame: str
    literals: tuple[int, ...]
    exclusions: tuple[tuple[int, ...], ...]
    effects: list[Compound]              # primary first, then implied in the same frame
    implied_global: list[Compound]       # global effects an entity rule explains
    stochastic: bool
    support: int
    explained: int
    conditions: tuple[str, ...] = ()     # filled in when printed
    outcomes: list[list[Compound]] = field(default_factory=list)  # one-of branches (merged rules)
    cover: np.ndarray | None = None      # the frame's instances where it fires


# ------------------------------------------------------------------------------------ compounds

def compounds(frame: str, atoms: list[tuple[Atom, np.ndarray]], alone: frozenset[str] = frozenset()
              ) -> list[Compound]:
    """Group atoms that never contradict each other and co-occur at least once (on distinct keys);
    atoms on the ``alone`` keys are never grouped."""
    if not atoms:
        return []
    atoms = sorted(atoms, key=lambda a: (a[0].key, a[0].op, str(a[0].value)))
    status = np.stack([s for _, s in atoms], axis=1)
    happened = (status == HAPPENED).astype(np.float32)
    failed = (status == FAILED).astype(np.float32)
    conflict = happened.T @ failed
    together = happened.T @ happened
    count = happened.sum(axis=0)
    keys = [a.key for a, _ in atoms]

    def fits(i: int, g: list[int]) -> bool:
        return keys[g[0]] not in alone and all(
            conflict[i, j] == 0 and conflict[j, i] == 0 and _together(together[i, j], count[i], count[j])
            and keys[i] != keys[j] for j in g)

    groups: list[list[int]] = []
    for i in range(len(atoms)):
        home = None if keys[i] in alone else next((g for g in groups if fits(i, g)), None)
        if home is None:
            groups.append([i])
        else:
            home.append(i)
    out = []
    for g in groups:
        sub = status[:, g]
        joint = np.full(status.shape[0], SILENT, np.int8)
        joint[(sub == HAPPENED).any(axis=1)] = HAPPENED
        joint[(sub == FAILED).any(axis=1)] = FAILED
        out.append(Compound(frame, tuple(atoms[i][0] for i in g), joint))
    mark_shared(out)
    return out


def _together(both: float, a: float, b: float) -> bool:
    """Do two atoms seen ``a`` and ``b`` times, ``both`` of them in the same instance, go together? At
    least half of the commoner one's occurrences, and twice once either recurs: one co-occurrence of an
    effect that also happened elsewhere (a zombie spawning as a tool is made) is a coincidence."""
    return both >= 0.5 * max(a, b) and both >= min(2.0, max(a, b))


def mark_shared(compounds: list[Compound]) -> None:
    """An effect most of whose occurrences come with some rarer effect that never happens without
    it (wood spent whenever any tool is made, a tile turned to path whenever stone, coal or iron is
    mined) is a part of those effects' laws, whatever its own precondition looks like."""
    if not compounds:
        return
    happened = np.stack([c.status == HAPPENED for c in compounds], axis=1)
    failed = np.stack([c.status == FAILED for c in compounds], axis=1)
    conflict = happened.T.astype(np.float32) @ failed.astype(np.float32)   # [b, c]: b happened where c failed
    count = happened.sum(axis=0)
    for ci, c in enumerate(compounds):
        covered = np.zeros(happened.shape[0], bool)
        for bi, b in enumerate(compounds):
            if bi != ci and count[bi] < count[ci] and conflict[bi, ci] == 0 and not b.keys & c.keys:
                covered |= happened[:, bi]
        c.shared = count[ci] > 0 and (covered & happened[:, ci]).sum() >= 0.8 * count[ci]
