"""Effect atoms: the elementary effects a proposed law can state, with where each one held.

An atom is one simple effect in the law language (``player.inventory.wood += 1``,
``facing.material = grass``, ``player.move(left)``, ``c.health -= 1``, ``remove c``, ``add plant``)
in a *frame*: the global frame (one instance per transition) or an entity kind's frame (one instance
per entity of that kind in a transition, written ``for each KIND v``). Atoms are made only from
changes that were observed, and each gets a status per instance, read with the law language's own
semantics (``+=`` clamps to the schema's range, ``move`` stays when the target is blocked):

- HAPPENED (1): applying the atom gives the observed value, and that value differs from before;
- SILENT (0): applying it would change nothing (a full inventory, a blocked move) and nothing
  changed, so this instance cannot tell whether the atom applied;
- FAILED (-1): applying it would give a value that was not observed.

The proposer explains HAPPENED instances and must not cover FAILED ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from crafter_oo import constants as C
from crafter_oo.observation import SCHEMA
from engine import features as F
from engine.evidence import Evidence

HAPPENED, SILENT, FAILED = 1, 0, -1
GLOBAL = "global"
VAR = {"cow": "c", "zombie": "z", "skeleton": "s", "arrow": "a", "plant": "q"}


@dataclass(frozen=True, slots=True)
class Atom:
    """One simple effect. ``key`` names the observable it writes (entity fields as ``{v}.field``)."""

    frame: str      # 'global' or an entity kind
    key: str        # 'player.inventory.wood', 'facing.material', 'player.pos', 'added.plant', '{v}.health'
    op: str         # '+=', '=', 'move', 'add', 'remove'
    value: Any

    def text(self, var: str | None = None) -> str:
        """The effect in law text."""
        key = self.key.replace("{v}", var) if var else self.key
        if self.op == "+=":
            v = int(self.value)
            return f"{key} += {v}" if v >= 0 else f"{key} -= {-v}"
        if self.op == "=":
            value = "true" if self.value is True else "false" if self.value is False else self.value
            return f"{key} = {value}"
        if self.op == "move":
            return f"{key.split('.')[0]}.move({self.value})"
        if self.op == "add":
            return "; ".join(self.texts(var))
        if self.op == "remove":
            return f"remove {var}"
        raise ValueError(self.op)

    def texts(self, var: str | None = None) -> list[str]:
        """The effect as simple effects (``add K`` repeated for the smallest number of appearances
        seen; ``alternatives`` lists them all)."""
        if self.op == "add":
            kind, counts = self.value
            return [f"add {kind}"] * int(counts[0])
        return [self.text(var)]

    def alternatives(self, var: str | None = None) -> list[list[str]]:
        """Every outcome this atom stands for: one for most atoms, one per count seen for ``add``
        (creatures spawning in several chunks at once)."""
        if self.op == "add":
            kind, counts = self.value
            return [[f"add {kind}"] * int(n) for n in counts]
        return [self.texts(var)]

    def slug(self) -> str:
        """A name fragment: inventory_wood_up_1, achievements_collect_wood_up_1, facing_material_grass."""
        parts = [p for p in self.key.replace("{v}.", "").split(".") if p not in ("player",)]
        base = "_".join(parts) or "entity"
        if self.frame != GLOBAL and self.key.startswith("{v}"):
            base = f"{self.frame}_{base}"
        if self.op == "+=":
            v = int(self.value)
            return f"{base}_{'up' if v >= 0 else 'down'}_{abs(v)}"
        if self.op == "=":
            return f"{base}_{str(self.value).lower()}"
        if self.op == "move":
            return f"{base.replace('_pos', '')}_move_{self.value}"
        if self.op == "add":
            return f"{self.value[0]}_appears"
        if self.op == "remove":
            return f"{self.frame}_removed"
        return base

    def describe(self) -> str:
        """Short human form for notes: 'wood +1', 'facing.material = grass'."""
        name = self.key.replace("player.inventory.", "").replace("player.achievements.", "").replace("{v}", self.frame)
        if self.op == "+=":
            return f"{name} {int(self.value):+d}"
        if self.op == "add":
            kind, counts = self.value
            return f"{' or '.join(str(n) for n in counts)} new {kind}"
        if self.op == "remove":
            return f"{self.frame} removed"
        if self.op == "move":
            return f"{name} move {self.value}"
        return f"{name} = {self.value}"


@dataclass
class Frame:
    """The instances of one frame: their feature matrix and, for entity frames, their transitions."""

    name: str
    features: tuple[F.Feature, ...]
    matrix: np.ndarray          # bool [rows, features]
    nats: np.ndarray            # float [features], code length of each feature
    points: np.ndarray          # float [features], prior plausibility cost
    t: np.ndarray               # int [rows] transition of each instance
    var: str | None             # the entity variable, None for the global frame
    prefer: np.ndarray | None = None  # float [features]: nats off when choosing between pure readings only

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])


def global_frame(ev: Evidence) -> Frame:
    table = ev.table
    nats = np.array([table.nats(i) for i in range(len(table.features))])
    points = np.array([table.points(i) for i in range(len(table.features))])
    return Frame(GLOBAL, table.features, table.matrix, nats, points, np.arange(ev.transitions), None)


def entity_frame(ev: Evidence, kind: str) -> Frame:
    """Entity columns first, then the global columns of each instance's transition."""
    rows = ev.entities[kind]
    et, gt = rows.table, ev.table
    matrix = np.concatenate([et.matrix, gt.matrix[rows.arrays.t]], axis=1) if rows.rows else \
        np.zeros((0, len(et.features) + len(gt.features)), bool)
    nats = np.array([et.nats(i) for i in range(len(et.features))] + [gt.nats(i) for i in range(len(gt.features))])
    points = np.array([et.points(i) for i in range(len(et.features))] + [gt.points(i) for i in range(len(gt.features))])
    return Frame(kind, et.features + gt.features, matrix, nats, points, rows.arrays.t, VAR[kind])


# ------------------------------------------------------------------------------------------ statuses

def _status(before: np.ndarray, after: np.ndarray, predicted: np.ndarray,
            exact: np.ndarray | None = None) -> np.ndarray:
    """HAPPENED where the prediction is the observed change; SILENT where it agrees but tells
    nothing (no change, or only a clamped agreement: "-2" from 1 to 0 could be any cut); FAILED
    elsewhere. ``exact`` is the unclamped prediction, when clamping applies."""
    out = np.full(before.shape, FAILED, np.int8)
    ok = after == predicted
    informative = after != before
    if exact is not None:
        informative &= exact == after
    out[ok & informative] = HAPPENED
    out[ok & ~informative] = SILENT
    return out


def _numeric_atoms(frame: str, key: str, before: np.ndarray, after: np.ndarray, lo: int, hi: int,
                   valid: np.ndarray | None = None, resets: bool = True) -> list[tuple[Atom, np.ndarray]]:
    """Delta atoms for every observed change of a number, and '= v' atoms for a bound of its range
    reached from at least two different values (a reset: a cooldown set to 5, health set to 0)."""
    ok = np.ones(before.shape, bool) if valid is None else valid
    changed = ok & (after != before)
    out: list[tuple[Atom, np.ndarray]] = []
    for d in sorted({int(x) for x in (after[changed] - before[changed]).tolist()}):
        status = _status(before, after, np.clip(before + d, lo, hi), before + d)
        status[~ok] = SILENT
        out.append((Atom(frame, key, "+=", d), status))
    for v in sorted({int(x) for x in after[changed].tolist()} & ({lo, hi} if resets else set())):
        sources = {int(x) for x in before[changed & (after == v)].tolist()}
        if len(sources) < 2:
            continue
        status = _status(before, after, np.full(before.shape, v))
        status[~ok] = SILENT
        out.append((Atom(frame, key, "=", v), status))
    return out


def _categorical_atoms(frame: str, key: str, before: np.ndarray, after: np.ndarray, names: tuple[str, ...],
                       valid: np.ndarray | None = None) -> list[tuple[Atom, np.ndarray]]:
    ok = np.ones(before.shape, bool) if valid is None else valid
    changed = ok & (after != before)
    out = []
    for v in sorted({int(x) for x in after[changed].tolist()}):
        status = _status(before, after, np.full(before.shape, v))
        status[~ok] = SILENT
        out.append((Atom(frame, key, "=", names[v]), status))
    return out


@dataclass
class GlobalValues:
    """Before/after numbers of every global observable an atom can write."""

    inventory: tuple[np.ndarray, np.ndarray]
    achievements: tuple[np.ndarray, np.ndarray]
    sleeping: tuple[np.ndarray, np.ndarray]
    facing: tuple[np.ndarray, np.ndarray]
    pos: tuple[np.ndarray, np.ndarray]
    facing_tile: tuple[np.ndarray, np.ndarray]  # material id at the faced tile, -1 off the map
    added: np.ndarray                            # int [T, kinds] new entities per kind
    step: tuple[np.ndarray, np.ndarray]


def global_values(ev: Evidence) -> GlobalValues:
    n = ev.transitions
    inv = np.zeros((2, n, len(C.ITEMS)), np.int64)
    ach = np.zeros((2, n, len(C.ACHIEVEMENTS)), np.int64)
    sleeping = np.zeros((2, n), np.int64)
    facing = np.zeros((2, n), np.int64)
    pos = np.zeros((2, n, 2), np.int64)
    tile = np.full((2, n), -1, np.int64)
    added = np.zeros((n, len(C.ENTITY_KINDS)), np.int64)
    step = np.zeros((2, n), np.int64)
    for t, (b, a) in enumerate(zip(ev.before, ev.after, strict=True)):
        for side, obs in enumerate((b, a)):
            p = obs.player
            inv[side, t] = [p.inventory[i] for i in C.ITEMS]
            ach[side, t] = [p.achievements[x] for x in C.ACHIEVEMENTS]
            sleeping[side, t] = p.sleeping
            facing[side, t] = F.DIRECTION_NAMES.index(p.facing)
            pos[side, t] = p.pos
            step[side, t] = obs.step
            fx, fy = b.facing_pos
            w, h = obs.materials.shape
            if 0 <= fx < w and 0 <= fy < h:
                tile[side, t] = obs.materials[fx, fy]
        old = {e.id for e in b.entities}
        for e in a.entities:
            if e.id not in old:
                added[t, C.ENTITY_KINDS.index(e.kind)] += 1
    return GlobalValues((inv[0], inv[1]), (ach[0], ach[1]), (sleeping[0], sleeping[1]), (facing[0], facing[1]),
                        (pos[0], pos[1]), (tile[0], tile[1]), added, (step[0], step[1]))


def global_atoms(ev: Evidence, values: GlobalValues,
                 walkable: dict[str, tuple[str, ...]]) -> list[tuple[Atom, np.ndarray]]:
    """Every global atom some transition shows, with its status per transition."""
    out: list[tuple[Atom, np.ndarray]] = []
    g = GLOBAL
    b, a = values.inventory
    for j, item in enumerate(C.ITEMS):
        attr = SCHEMA.attributes[f"player.inventory.{item}"]
        # counted items are spent and gained, never reset; only a vital can be set outright (to 0)
        out += _numeric_atoms(g, f"player.inventory.{item}", b[:, j], a[:, j], int(attr.lo), int(attr.hi),
                              resets=item in SCHEMA.vitals)
    b, a = values.achievements
    for j, name in enumerate(C.ACHIEVEMENTS):
        attr = SCHEMA.attributes[f"player.achievements.{name}"]
        out += [(atom, s) for atom, s in _numeric_atoms(g, f"player.achievements.{name}", b[:, j], a[:, j],
                                                        int(attr.lo), int(attr.hi)) if atom.op == "+="]
    b, a = values.sleeping
    out += _categorical_atoms(g, "player.sleeping", b, a, (False, True))  # type: ignore[arg-type]
    b, a = values.facing
    out += _categorical_atoms(g, "player.facing", b, a, F.DIRECTION_NAMES)
    b, a = values.facing_tile
    on_map = (b >= 0) & (a >= 0)
    out += _categorical_atoms(g, "facing.material", b, a, C.MATERIALS, on_map)
    out += _move_atoms(ev, values, walkable.get("player", ()))
    for j, kind in enumerate(C.ENTITY_KINDS):
        counts = values.added[:, j]
        seen = tuple(sorted({int(x) for x in counts[counts > 0].tolist()}))
        if seen:
            status = np.where(counts > 0, HAPPENED, FAILED).astype(np.int8)
            out.append((Atom(g, f"added.{kind}", "add", (kind, seen)), status))
    b, a = values.step
    if (a != b).any():
        for d in sorted({int(x) for x in (a - b)[a != b].tolist()}):
            out.append((Atom(g, "step", "+=", d), _status(b, a, b + d)))
    return out


def _move_atoms(ev: Evidence, values: GlobalValues, walkable: tuple[str, ...]) -> list[tuple[Atom, np.ndarray]]:
    """``player.move(d)`` for each direction the player was seen moving, read as the language does:
    the player stays when the target is off the map, not walkable, or occupied."""
    b, a = values.pos
    moved = a - b
    out = []
    allowed = np.zeros(len(C.MATERIALS), bool)
    allowed[[C.MATERIAL_ID[m] for m in walkable]] = True
    arrays = ev.arrays
    for j, name in enumerate(F.DIRECTION_NAMES):
        vec = np.array(F.VECTORS[name])
        if not ((moved == vec).all(axis=1)).any():
            continue
        target = arrays.neighbour_material[:, j]
        free = allowed[target] & arrays.neighbour_free[:, j] & (target != 0)
        predicted = np.where(free[:, None], b + vec, b)
        same = (a == predicted).all(axis=1)
        still = (a == b).all(axis=1)
        status = np.full(len(b), FAILED, np.int8)
        status[same & ~still] = HAPPENED
        status[same & still] = SILENT
        out.append((Atom(GLOBAL, "player.pos", "move", name), status))
    return out


def entity_atoms(ev: Evidence, kind: str) -> list[tuple[Atom, np.ndarray]]:
    """Atoms of one entity kind's fields and removal, per instance of its frame (moves are not atoms:
    creatures move stochastically and ``engine.propose.movement`` states that as one law)."""
    rows = ev.entities[kind]
    if not rows.rows:
        return []
    exists = rows.exists_after
    out: list[tuple[Atom, np.ndarray]] = []
    health = SCHEMA.attributes["entity.health"]
    out += _numeric_atoms(kind, "{v}.health", rows.arrays.health, rows.after_health, int(health.lo),
                          int(health.hi), exists)
    for name in sorted(rows.arrays.fields):
        attr = SCHEMA.attributes[f"{kind}.{name}"]
        out += _numeric_atoms(kind, f"{{v}}.{name}", rows.arrays.fields[name], rows.after_fields[name],
                              int(attr.lo), int(attr.hi), exists)
    if (~exists).any():
        out.append((Atom(kind, "{v}.exists", "remove", None), np.where(exists, FAILED, HAPPENED).astype(np.int8)))
    return out
