"""Where new entities appear and what they look like: the part laws leave unsaid.

A law says ``add zombie``, not where the zombie stands or what its fields are (``laws/GAPS.md``).
The world model fills that in with a small learned model so that it can both sample new entities and
score them: the position is uniform over the free tiles next to what the adding law is bound to (a
chunk's walkable tiles, the tiles beside an entity, or the tile the player faces), and the fields
follow the frequencies new entities of that kind had in the training data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from crafter_oo import constants as C
from laws import LawInstance
from laws.builtins import CHUNK_SIZE

Pos = tuple[int, int]
Fields = tuple[Any, ...]  # (health, cooldown, reload, facing, grown)
VECTORS = {name: vec for vec, name in C.DIRECTION_NAMES.items()}
POSITION_SLACK = 0.01     # mass for a new entity anywhere on the map, outside the placement rule
UNSEEN_FIELDS = 0.01      # nominal probability of fields never seen on a new entity of that kind


def anchors(kind: str, instances: Iterable[LawInstance]) -> list[Any]:
    """What the laws that may add ``kind`` are bound to: chunk corners, entity ids or None."""
    return [inst.binding for inst in instances if ("added", kind) in inst.observables()] or [None]


def placements(kind: str, instances: Iterable[LawInstance], materials: np.ndarray, player_pos: Pos, facing: str,
               positions: Mapping[int, Pos], occupied: set[Pos], walkable: Mapping[str, frozenset[str]]
               ) -> list[tuple[float, list[Pos]]]:
    """Per anchor: its weight and the free tiles a new entity bound to it may take."""
    allowed = walkable.get(kind)
    found = anchors(kind, instances)
    out = []
    for anchor in found:
        if isinstance(anchor, tuple):
            x0, y0 = anchor
            cells = [(x, y) for x in range(x0, min(x0 + CHUNK_SIZE, materials.shape[0]))
                     for y in range(y0, min(y0 + CHUNK_SIZE, materials.shape[1]))]
        elif isinstance(anchor, int) and anchor in positions:
            ax, ay = positions[anchor]
            cells = [(ax + dx, ay + dy) for dx, dy in VECTORS.values()]
        else:
            px, py = player_pos
            fx, fy = VECTORS[facing]
            cells = [(px + fx, py + fy)] + [(px + dx, py + dy) for dx, dy in VECTORS.values() if (dx, dy) != (fx, fy)]
        free = [c for c in cells if _free(c, materials, player_pos, occupied, allowed)]
        if not isinstance(anchor, tuple | int):
            free = free[:1]  # the faced tile when free, else the first free neighbour
        out.append((1.0 / len(found), free))
    return out


def _free(pos: Pos, materials: np.ndarray, player_pos: Pos, occupied: set[Pos], allowed: frozenset[str] | None) -> bool:
    x, y = pos
    if not (0 <= x < materials.shape[0] and 0 <= y < materials.shape[1]) or pos == player_pos or pos in occupied:
        return False
    return allowed is None or C.MATERIALS[materials[x, y]] in allowed


class Appearances:
    """The learned field frequencies of new entities per kind."""

    def __init__(self, table: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        self.table = {kind: [(tuple(row[:5]), int(row[5])) for row in rows] for kind, rows in table.items()}

    def to_dict(self) -> dict[str, list[list[Any]]]:
        return {kind: [[*fields, n] for fields, n in rows] for kind, rows in sorted(self.table.items())}

    def log_prob_fields(self, kind: str, fields: Fields) -> float:
        rows = self.table.get(kind, [])
        total = sum(n for _, n in rows)
        for f, n in rows:
            if f == fields:
                return math.log((n + 0.5) / (total + 0.5 * (len(rows) + 1)))
        return math.log(0.5 / (total + 0.5 * (len(rows) + 1)) * UNSEEN_FIELDS)

    def draw_fields(self, kind: str, rng: np.random.Generator) -> Fields:
        rows = self.table.get(kind)
        if not rows:
            return (0, None, None, None, None)
        counts = np.array([n for _, n in rows], dtype=float)
        return rows[int(rng.choice(len(rows), p=counts / counts.sum()))][0]


def log_prob_position(pos: Pos, options: list[tuple[float, list[Pos]]], area: tuple[int, int]) -> float:
    p = sum(w / len(free) for w, free in options if pos in free)
    return math.log((1.0 - POSITION_SLACK) * p + POSITION_SLACK / (area[0] * area[1]))


def table_from_counts(counts: Mapping[str, Mapping[Fields, int]]) -> dict[str, list[list[Any]]]:
    """The JSON form: per kind, rows [health, cooldown, reload, facing, grown, count], most frequent first."""
    return {kind: [[*f, n] for f, n in sorted(c.items(), key=lambda item: (-item[1], repr(item[0])))]
            for kind, c in sorted(counts.items())}
