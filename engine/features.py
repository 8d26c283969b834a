"""Boolean features of an observation, each one a condition in the law language.

The symbolic proposer explains a change by a conjunction of these features, so each feature carries
the exact law text that states it (``player.inventory.wood >= 2``, ``nearby(table)``,
``dist(c.pos, player.pos) <= 4``) and the attribute it reads. The vocabulary is generic: every
action, every material and entity kind the schema knows, every inventory threshold, distance bands;
nothing here knows which of them matter in Crafter. That is for the data to say.

Features live in tables: one row per instance (a transition, or an entity in a transition), one
boolean column per feature. Entity features use ``{v}`` for the law's entity variable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from crafter_oo import constants as C
from crafter_oo.observation import SCHEMA, Observation

# How plausible a kind of condition is a priori, in "points" (higher = needs more evidence). Player
# actions act on what the player does and faces and holds; conditions on far-away or global things
# (time of day, step periodicity) are allowed but must earn their place. See ``symbolic`` for use.
GROUP_POINTS: dict[str, float] = {
    "action": 1.0, "facing": 1.0, "sleeping": 1.0, "relation": 1.0, "inventory": 1.0,
    "nearby": 1.5, "field": 1.5, "dist": 1.5,
    "count": 2.0, "ahead": 2.0, "neighbour": 2.0,
    "daylight": 3.0, "period": 3.0,
}
NATS_PER_POINT = 3.0  # a feature's code length: this many nats per point of its group, plus its choice in the group
DAYLIGHT_CUTS = (0.25, 0.5, 0.75)
PERIODS = (5, 10, 20, 50, 100)  # not 2: any even hidden cadence would fake a parity law
DIRECTION_NAMES = tuple(C.DIRECTION_NAMES[d] for d in C.DIRECTIONS)
VECTORS = {name: vec for vec, name in C.DIRECTION_NAMES.items()}
KIND_NAMES = ("none", *C.ENTITY_KINDS)  # 'player' included: what is on a tile
KIND_INDEX = {k: i for i, k in enumerate(KIND_NAMES)}


@dataclass(frozen=True, slots=True)
class Feature:
    """One boolean condition: its law text, the attribute it reads and how.

    ``op`` is '==' (categorical value), '>=' / '<=' (threshold; the proposer may move it to the edge
    of the positives), or 'is' (a flag). ``complement`` is the text of its negation, when simple.
    """

    text: str
    attribute: str
    op: str
    value: Any
    group: str
    complement: str | None = None

    def render(self, var: str | None = None) -> str:
        return self.text.replace("{v}", var) if var else self.text

    def render_complement(self, var: str | None = None) -> str:
        text = self.complement if self.complement is not None else f"not ({self.text})"
        return text.replace("{v}", var) if var else text


@dataclass
class FeatureTable:
    """Rows of instances x boolean feature columns, plus the group code length of each column."""

    features: tuple[Feature, ...]
    matrix: np.ndarray  # bool [rows, features]

    def __post_init__(self) -> None:
        sizes: dict[str, int] = {}
        for f in self.features:
            sizes[f.group] = sizes.get(f.group, 0) + 1
        self.sizes = sizes

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    def column(self, text: str) -> np.ndarray:
        """The column of the feature whose text is ``text`` (for tests and notes)."""
        for i, f in enumerate(self.features):
            if f.text == text:
                return self.matrix[:, i]
        raise KeyError(text)

    def index(self, text: str) -> int:
        for i, f in enumerate(self.features):
            if f.text == text:
                return i
        raise KeyError(text)

    def points(self, i: int) -> float:
        return GROUP_POINTS[self.features[i].group]

    def nats(self, i: int) -> float:
        """Code length of naming feature ``i``: its group's prior plus a choice within the group, plus
        for an item count the number it names (``count_nats``)."""
        f = self.features[i]
        base = NATS_PER_POINT * GROUP_POINTS[f.group] + math.log(max(2, self.sizes[f.group]))
        return base + count_nats(f)


def count_nats(f: Feature) -> float:
    """Naming a count costs more the further it is from the bounds: holding one or none, or being
    full or empty, are plain statements; "at least 6 wood" names a number, log(1 + its distance from
    the nearer of those), so between two separations of a few examples the plain one is read."""
    if f.group != "inventory" or f.op not in (">=", "<="):
        return 0.0
    n = int(f.value)
    lo, hi = 0, C.ITEM_MAX
    # ">= n" states the edge between n - 1 and n; "<= n" the edge between n and n + 1
    low_edge = n - 1 if f.op == ">=" else n
    return math.log(1 + min(low_edge - lo, hi - 1 - low_edge))


def _threshold_features(attribute: str, lo: int, hi: int, group: str,
                        var_text: str | None = None) -> list[Feature]:
    text = var_text or attribute
    out = []
    for n in range(lo + 1, hi + 1):
        low = f"{text} <= {n - 1}" if n - 1 > lo else f"{text} == {lo}"
        out.append(Feature(f"{text} >= {n}", attribute, ">=", n, group, low))
    for n in range(lo, hi):
        text_n = f"{text} <= {n}" if n > lo else f"{text} == {lo}"
        out.append(Feature(text_n, attribute, "<=", n, group, f"{text} >= {n + 1}"))
    return out


# ---------------------------------------------------------------------------------------- global

def global_features() -> tuple[Feature, ...]:
    """The transition-level vocabulary: action, faced tile, sleeping, inventory, stations, time."""
    out: list[Feature] = []
    out += [Feature(f"action == {a}", "action", "==", a, "action", f"action != {a}") for a in C.ACTIONS]
    out += [Feature(f"facing.material == {m}", "facing.material", "==", m, "facing", f"facing.material != {m}")
            for m in C.MATERIALS]
    out += [Feature(f"facing.entity == {k}", "facing.entity", "==", k, "facing", f"facing.entity != {k}")
            for k in KIND_NAMES if k != "player"]
    out.append(Feature("player.sleeping", "player.sleeping", "is", True, "sleeping", "not player.sleeping"))
    out.append(Feature("not player.sleeping", "player.sleeping", "is", False, "sleeping", "player.sleeping"))
    for item in C.ITEMS:
        out += _threshold_features(f"player.inventory.{item}", 0, C.ITEM_MAX, "inventory")
    for m in C.MATERIALS[1:]:
        out.append(Feature(f"nearby({m})", f"nearby.{m}", "is", True, "nearby", f"not nearby({m})"))
        out.append(Feature(f"not nearby({m})", f"nearby.{m}", "is", False, "nearby", f"nearby({m})"))
    for d in DIRECTION_NAMES:
        where = f"tile(player.pos + {d})"
        out += [Feature(f"{where}.material == {m}", f"{where}.material", "==", m, "neighbour",
                        f"{where}.material != {m}") for m in C.MATERIALS]
        out.append(Feature(f"{where}.entity == none", f"{where}.entity", "==", "none", "neighbour",
                           f"{where}.entity != none"))
    for cut in DAYLIGHT_CUTS:
        out.append(Feature(f"daylight < {cut}", "daylight", "<", cut, "daylight", f"daylight >= {cut}"))
        out.append(Feature(f"daylight >= {cut}", "daylight", ">=", cut, "daylight", f"daylight < {cut}"))
    for period in PERIODS:
        out.append(Feature(f"(step + 1) % {period} == 0", "step.period", "==", period, "period",
                           f"(step + 1) % {period} != 0"))
    return tuple(out)


GLOBAL_FEATURES = global_features()


@dataclass
class GlobalArrays:
    """The numbers behind the global features, one row per transition (also used for effect atoms)."""

    action: np.ndarray          # int [T]
    facing_material: np.ndarray  # int [T], material id of the faced tile, 0 off the map
    facing_entity: np.ndarray   # int [T], index into KIND_NAMES
    sleeping: np.ndarray        # bool [T]
    inventory: np.ndarray       # int [T, items]
    nearby: np.ndarray          # bool [T, materials]
    neighbour_material: np.ndarray  # int [T, 4]
    neighbour_free: np.ndarray  # bool [T, 4]
    daylight: np.ndarray        # float [T]
    step: np.ndarray            # int [T]


def observation_arrays(observations: Sequence[Observation], actions: Sequence[int]) -> GlobalArrays:
    """Per-transition numbers of the observations before each step."""
    n = len(observations)
    facing_material = np.zeros(n, np.int64)
    facing_entity = np.zeros(n, np.int64)
    sleeping = np.zeros(n, bool)
    inventory = np.zeros((n, len(C.ITEMS)), np.int64)
    nearby = np.zeros((n, len(C.MATERIALS)), bool)
    neighbour_material = np.zeros((n, 4), np.int64)
    neighbour_free = np.zeros((n, 4), bool)
    daylight = np.zeros(n, float)
    step = np.zeros(n, np.int64)
    for t, obs in enumerate(observations):
        grid = obs.materials
        w, h = grid.shape
        px, py = obs.player.pos
        occupied = {e.pos: e.kind for e in obs.entities}
        fx, fy = obs.facing_pos
        if 0 <= fx < w and 0 <= fy < h:
            facing_material[t] = grid[fx, fy]
        facing_entity[t] = KIND_INDEX[occupied.get((fx, fy), "none")]
        sleeping[t] = obs.player.sleeping
        inv = obs.player.inventory
        inventory[t] = [inv[item] for item in C.ITEMS]
        window = grid[max(px - 1, 0):px + 2, max(py - 1, 0):py + 2]
        nearby[t, np.unique(window)] = True
        for j, d in enumerate(DIRECTION_NAMES):
            dx, dy = VECTORS[d]
            x, y = px + dx, py + dy
            if 0 <= x < w and 0 <= y < h:
                neighbour_material[t, j] = grid[x, y]
            neighbour_free[t, j] = (x, y) not in occupied
        daylight[t] = obs.daylight
        step[t] = obs.step
    return GlobalArrays(np.asarray(actions, np.int64), facing_material, facing_entity, sleeping, inventory,
                        nearby, neighbour_material, neighbour_free, daylight, step)


def walked_feature(walked: Sequence[str]) -> Feature:
    """``facing.material in {...}``: the faced tile is of a material something was seen to walk onto.

    The class is read off the life, not known in advance; it lets one placement on sand say "wherever
    the player could step", the most general statement the life supports, not "on sand" only.
    """
    names = ", ".join(walked)
    return Feature(f"facing.material in {{{names}}}", "facing.material", "in", tuple(walked), "facing",
                   f"facing.material not in {{{names}}}")


def global_table(arrays: GlobalArrays, walked: Sequence[str] = ()) -> FeatureTable:
    """The global feature table of a run of transitions: ``GLOBAL_FEATURES``, and when movers walked onto
    two or more materials, the ``walked_feature`` of them first (it wins ties with one material)."""
    a = arrays
    cols: list[np.ndarray] = []
    extra: tuple[Feature, ...] = ()
    if len(walked) >= 2:
        extra = (walked_feature(walked),)
        cols.append(np.isin(a.facing_material, [C.MATERIAL_ID[m] for m in walked]))
    cols += [a.action == i for i in range(len(C.ACTIONS))]
    cols += [a.facing_material == i for i in range(len(C.MATERIALS))]
    cols += [a.facing_entity == KIND_INDEX[k] for k in KIND_NAMES if k != "player"]
    cols += [a.sleeping, ~a.sleeping]
    for j in range(len(C.ITEMS)):
        v = a.inventory[:, j]
        cols += [v >= n for n in range(1, C.ITEM_MAX + 1)]
        cols += [v <= n for n in range(0, C.ITEM_MAX)]
    for m in range(1, len(C.MATERIALS)):
        cols += [a.nearby[:, m], ~a.nearby[:, m]]
    for j in range(4):
        cols += [a.neighbour_material[:, j] == i for i in range(len(C.MATERIALS))]
        cols.append(a.neighbour_free[:, j])
    for cut in DAYLIGHT_CUTS:
        cols += [a.daylight < cut, a.daylight >= cut]
    for period in PERIODS:
        cols.append((a.step + 1) % period == 0)
    matrix = np.stack(cols, axis=1) if cols and len(a.action) else np.zeros((len(a.action), len(cols)), bool)
    assert matrix.shape[1] == len(extra) + len(GLOBAL_FEATURES)
    return FeatureTable(extra + GLOBAL_FEATURES, matrix)


# ---------------------------------------------------------------------------------------- entities

ENTITY_FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    kind: tuple(path.split(".", 1)[1] for path in SCHEMA.attributes if path.startswith(f"{kind}."))
    for kind in C.ENTITY_KINDS[1:]
}
CREATURES = tuple(k for k in C.ENTITY_KINDS[1:])


@dataclass
class EntityArrays:
    """One row per (transition, entity) instance: where it is and its fields before the step."""

    t: np.ndarray        # int [R] transition index
    id: np.ndarray       # int [R] entity id
    dist: np.ndarray     # int [R] L1 distance to the player
    faced: np.ndarray    # bool [R] it stands on the player's faced tile
    health: np.ndarray   # int [R]
    fields: dict[str, np.ndarray]      # kind-specific numeric fields (cooldown, reload, grown)
    near: dict[tuple[str, int], np.ndarray]  # (kind, d) -> count of that kind within L1 <= d (self excluded)
    ahead_material: np.ndarray | None  # int [R] material ahead (entities with a facing), else None
    ahead_entity: np.ndarray | None    # int [R] KIND_INDEX of what stands ahead


def entity_features(kind: str, arrays: EntityArrays, max_dist: int) -> tuple[Feature, ...]:
    """The per-entity vocabulary for one kind (``{v}`` stands for the law's variable)."""
    out: list[Feature] = [Feature("{v}.pos == facing.pos", "relation.faced", "is", True, "relation",
                                  "{v}.pos != facing.pos")]
    for d in range(0, max_dist + 1):
        out.append(Feature(f"dist({{v}}.pos, player.pos) <= {d}", "dist", "<=", d, "dist",
                           f"dist({{v}}.pos, player.pos) > {d}"))
        out.append(Feature(f"dist({{v}}.pos, player.pos) > {d}", "dist", ">", d, "dist",
                           f"dist({{v}}.pos, player.pos) <= {d}"))
    health = SCHEMA.attributes["entity.health"]
    out += _threshold_features("health", int(health.lo), int(health.hi), "field", "{v}.health")
    for name in ENTITY_FIELDS_BY_KIND[kind]:
        attr = SCHEMA.attributes[f"{kind}.{name}"]
        if attr.type != "int" or name not in arrays.fields:
            continue
        for cut in _cuts(arrays.fields[name], int(attr.lo), int(attr.hi)):
            out.append(Feature(f"{{v}}.{name} >= {cut}", name, ">=", cut, "field", f"{{v}}.{name} <= {cut - 1}"))
            out.append(Feature(f"{{v}}.{name} <= {cut - 1}", name, "<=", cut - 1, "field", f"{{v}}.{name} >= {cut}"))
    for (other, d) in sorted(arrays.near):
        out.append(Feature(_count_text(kind, other, d), f"count.{other}.{d}", "is", True, "count",
                           _count_text(kind, other, d, negated=True)))
    if arrays.ahead_material is not None:
        where = "tile({v}.pos + {v}.facing)"
        out += [Feature(f"{where}.material == {m}", f"{where}.material", "==", m, "ahead",
                        f"{where}.material != {m}") for m in C.MATERIALS]
        out += [Feature(f"{where}.entity == {k}", f"{where}.entity", "==", k, "ahead", f"{where}.entity != {k}")
                for k in KIND_NAMES if k != "player"]
        out.append(Feature("{v}.pos + {v}.facing == player.pos", "ahead.player", "is", True, "ahead",
                           "{v}.pos + {v}.facing != player.pos"))
    return tuple(out)


def _count_text(kind: str, other: str, d: int, negated: bool = False) -> str:
    least = 1 if other == kind else 0  # the entity counts itself
    op = "<=" if negated else ">"
    return f"count({other}, {{v}}.pos, {d}) {op} {least}"


def _cuts(values: np.ndarray, lo: int, hi: int, most: int = 12) -> list[int]:
    """Threshold cut points for a numeric field: every observed value, or quantiles when many."""
    seen = sorted({int(v) for v in values.tolist() if lo <= v <= hi})
    cuts = [v for v in seen if v > lo]
    if len(cuts) > most:
        picks = np.quantile(np.asarray(cuts), np.linspace(0, 1, most))
        cuts = sorted({round(float(p)) for p in picks})
    return cuts


def entity_table(kind: str, arrays: EntityArrays, max_dist: int) -> FeatureTable:
    """The entity-level columns of one kind's instances (global columns are joined by transition)."""
    features = entity_features(kind, arrays, max_dist)
    a = arrays
    cols: list[np.ndarray] = [a.faced]
    for d in range(0, max_dist + 1):
        cols += [a.dist <= d, a.dist > d]
    health = SCHEMA.attributes["entity.health"]
    for n in range(int(health.lo) + 1, int(health.hi) + 1):
        cols.append(a.health >= n)
    for n in range(int(health.lo), int(health.hi)):
        cols.append(a.health <= n)
    for name in ENTITY_FIELDS_BY_KIND[kind]:
        attr = SCHEMA.attributes[f"{kind}.{name}"]
        if attr.type != "int" or name not in a.fields:
            continue
        v = a.fields[name]
        for cut in _cuts(v, int(attr.lo), int(attr.hi)):
            cols += [v >= cut, v <= cut - 1]
    for key in sorted(a.near):
        cols.append(a.near[key] > 0)
    if a.ahead_material is not None and a.ahead_entity is not None:
        cols += [a.ahead_material == i for i in range(len(C.MATERIALS))]
        cols += [a.ahead_entity == KIND_INDEX[k] for k in KIND_NAMES if k != "player"]
        cols.append(a.ahead_entity == KIND_INDEX["player"])
    rows = len(a.t)
    matrix = np.stack(cols, axis=1) if rows else np.zeros((0, len(features)), bool)
    assert matrix.shape[1] == len(features), (matrix.shape, len(features))
    return FeatureTable(features, matrix)
