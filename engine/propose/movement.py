"""Entity movement: one ``one of`` law per kind and distance band, its branches chosen from the moves seen.

Creatures move stochastically, so their moves are not explained one atom at a time: for each kind
the instances (an entity that exists before and after a step) are split into bands of distance to
the player where the distribution of outcomes differs (a 1-D decision tree with a BIC stopping
rule), and each band gets one law

    for each cow c when dist(c.pos, player.pos) <= 17
    then one of m: stay | c.move(left) | c.move(right) | c.move(up) | c.move(down)

with a ``dirichlet(1, ...)`` the fitter learns. Directions relative to the player (``toward``,
``toward_short`` and their opposites) or to the entity's own facing join the branches when they are
over-represented among the moves (half of them or more, where a random walk would give a quarter);
absolute directions cover the rest; ``stay`` joins when an entity stayed. Bands where nothing ever
moved get no law: silence is inertia.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine import features as F
from engine.evidence import Evidence
from engine.propose.atoms import VAR

STAY = "stay"
RELATIVE = ("ahead", "toward", "toward_short", "away", "away_short")
CATEGORIES = (STAY, *RELATIVE, "other")
MIN_BAND = 8


@dataclass(frozen=True)
class MoveLaw:
    """A movement law before it is printed: kind, distance band, branches, and its evidence."""

    kind: str
    lo: int | None     # dist > lo (None: no lower bound)
    hi: int            # dist <= hi
    branches: tuple[str, ...]  # 'stay', a relative name or an absolute direction
    support: int
    explained: int
    moves: int

    def effect_text(self, var: str) -> str:
        return _branch_text(self.branches[0], var) if len(self.branches) == 1 else \
            "one of m: " + " | ".join(_branch_text(b, var) for b in self.branches)

    def condition_text(self, var: str) -> str:
        parts = []
        if self.lo is not None:
            parts.append(f"dist({var}.pos, player.pos) > {self.lo}")
        parts.append(f"dist({var}.pos, player.pos) <= {self.hi}")
        return " and ".join(parts)


def _branch_text(branch: str, var: str) -> str:
    rel = {"ahead": f"{var}.facing", "toward": f"toward({var}.pos, player.pos)",
           "toward_short": f"toward_short({var}.pos, player.pos)", "away": f"-toward({var}.pos, player.pos)",
           "away_short": f"-toward_short({var}.pos, player.pos)"}
    if branch == STAY:
        return "stay"
    return f"{var}.move({rel.get(branch, branch)})"


def _sign(v: np.ndarray) -> np.ndarray:
    return np.sign(v).astype(np.int64)


def _toward(src: np.ndarray, dst: np.ndarray, long_axis: bool) -> np.ndarray:
    """Crafter's toward() for many pairs at once, as unit vectors [R, 2] ((0, 0) when none)."""
    d = dst - src
    ax, ay = np.abs(d[:, 0]), np.abs(d[:, 1])
    horizontal = ax > ay if long_axis else ax <= ay
    out = np.zeros_like(d)
    out[:, 0] = np.where(horizontal, _sign(d[:, 0]), 0)
    out[:, 1] = np.where(horizontal, 0, _sign(d[:, 1]))
    return out


def movement_laws(ev: Evidence, kind: str, explained: np.ndarray | None = None) -> list[MoveLaw]:
    """The movement laws of one kind, nearest band first. ``explained`` marks instances whose
    position another law set already predicts; they are left out."""
    rows = ev.entities[kind]
    keep = rows.exists_after.copy()
    if explained is not None:
        keep &= ~explained
    if not keep.any():
        return []
    pos, after = rows.pos[keep], rows.after_pos[keep]
    disp = after - pos
    unit = np.abs(disp).sum(axis=1) <= 1
    pos, disp = pos[unit], disp[unit]
    t = rows.arrays.t[keep][unit]
    dist = rows.arrays.dist[keep][unit]
    if not len(dist) or not (np.abs(disp).sum(axis=1) > 0).any():
        return []
    player = np.array([ev.before[i].player.pos for i in t.tolist()], np.int64).reshape(-1, 2)
    rel: dict[str, np.ndarray] = {}
    if rows.facing is not None:
        facing = rows.facing[keep][unit]
        rel["ahead"] = np.array([F.VECTORS[F.DIRECTION_NAMES[i]] for i in facing.tolist()], np.int64).reshape(-1, 2)
    rel["toward"] = _toward(pos, player, True)
    rel["toward_short"] = _toward(pos, player, False)
    rel["away"] = -rel["toward"]
    rel["away_short"] = -rel["toward_short"]
    moved = np.abs(disp).sum(axis=1) > 0
    category = np.full(len(dist), CATEGORIES.index("other"), np.int64)
    category[~moved] = CATEGORIES.index(STAY)
    assigned = ~moved
    for name in RELATIVE:
        if name not in rel:
            continue
        hit = moved & ~assigned & (disp == rel[name]).all(axis=1) & (rel[name] != 0).any(axis=1)
        category[hit] = CATEGORIES.index(name)
        assigned |= hit
    bands = _split(dist, category)
    out = []
    for lo, hi in bands:
        inside = (dist > (lo if lo is not None else -1)) & (dist <= hi)
        if not (inside & moved).any():
            continue
        top = int(dist[inside & moved].max()) if hi == int(dist.max()) else hi
        out.append(_band_law(kind, lo, top, disp[inside], moved[inside], {k: v[inside] for k, v in rel.items()}))
    return out


def _split(dist: np.ndarray, category: np.ndarray) -> list[tuple[int | None, int]]:
    """Distance bands (lo exclusive, hi inclusive) by recursive binary splitting on the outcome mix."""
    k = len(CATEGORIES)

    def ll(mask: np.ndarray) -> float:
        counts = np.bincount(category[mask], minlength=k).astype(float)
        total = counts.sum()
        nz = counts[counts > 0]
        return float((nz * np.log(nz / total)).sum()) if total else 0.0

    def recurse(lo: int | None, hi: int, depth: int) -> list[tuple[int | None, int]]:
        mask = (dist > (lo if lo is not None else -1)) & (dist <= hi)
        n = int(mask.sum())
        cuts = sorted({int(d) for d in dist[mask].tolist()})[:-1]
        if depth >= 3 or n < 2 * MIN_BAND or not cuts:
            return [(lo, hi)]
        base = ll(mask)
        penalty = 0.5 * (k - 1) * math.log(n) + math.log(len(cuts))
        best, best_cut = 0.0, None
        for c in cuts:
            left = mask & (dist <= c)
            right = mask & (dist > c)
            if left.sum() < MIN_BAND or right.sum() < MIN_BAND:
                continue
            gain = ll(left) + ll(right) - base
            if gain > best:
                best, best_cut = gain, c
        if best_cut is None or best <= penalty:
            return [(lo, hi)]
        return recurse(lo, best_cut, depth + 1) + recurse(best_cut, hi, depth + 1)

    return recurse(None, int(dist.max()), 0)


def _band_law(kind: str, lo: int | None, hi: int, disp: np.ndarray, moved: np.ndarray,
              rel: dict[str, np.ndarray]) -> MoveLaw:
    moves = int(moved.sum())
    branches: list[str] = []
    covered = np.zeros(len(disp), bool)
    for name in RELATIVE:  # over-represented among the moves not yet explained
        if name not in rel:
            continue
        hit = moved & ~covered & (disp == rel[name]).all(axis=1) & (rel[name] != 0).any(axis=1)
        if hit.sum() >= 2 and hit.sum() >= 0.5 * (moved & ~covered).sum():
            branches.append(name)
            covered |= hit
    if (moved & ~covered).any():  # a random walk: every direction, seen or not yet
        for name in F.DIRECTION_NAMES:
            branches.append(name)
        covered |= moved
    if (~moved).any():
        branches.insert(0, STAY)
        covered |= ~moved
    return MoveLaw(kind, lo, hi, tuple(branches), len(disp), int(covered.sum()), moves)


def var_of(kind: str) -> str:
    return VAR[kind]
