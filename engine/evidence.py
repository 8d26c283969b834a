"""Evidence: what changed in each transition, grouped by kind of change, with the context around it.

A learner that proposes laws needs two things from a trace: the changes to explain (the wood count
went up by one; cow 7 moved left; the faced tile became grass) and the situations in which they
happened or could have happened and did not. ``changes`` gives the first for one transition, as
``Change`` records tagged with a kind and with the context that may explain them (the action, the
faced tile, where the change happened relative to the player). ``Evidence`` does it for a whole run
and adds the second: numeric arrays and boolean feature tables (``engine.features``) of the
observation before every step, per transition and per (transition, entity) instance.

Everything is computed from the *observation* (``crafter_oo.observe``), never from hidden state, and
in a fixed order, so the same transitions always give the same evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import crafter_oo
from crafter_oo import constants as C
from crafter_oo.observation import EntityView, Observation
from crafter_oo.trace import Transition
from engine import features as F

Pos = tuple[int, int]
Key = tuple[Any, ...]

KINDS = ("time", "player", "inventory", "achievement", "tile", "entity_moved", "entity_appeared",
         "entity_vanished", "entity_damaged", "entity_field")
ENTITY_NUMERIC = ("cooldown", "reload", "grown")
FAR_SAMPLE = 2000  # far entity instances kept per kind (every k-th, no random state)


@dataclass(frozen=True, slots=True)
class Context:
    """What may explain a change: the step's action and faced tile, and where the change was.

    ``offset`` is the change's tile (or the entity's position before the step) minus the player's
    position; ``at_facing`` says it is the faced tile. Player and time changes have no offset.
    """

    action: str
    facing_material: str
    facing_entity: str
    sleeping: bool
    player_pos: Pos
    offset: Pos | None = None
    distance: int | None = None
    at_facing: bool = False
    entity_kind: str | None = None
    entity_id: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One observable that changed in one transition."""

    kind: str          # one of KINDS
    key: Key           # the observable key (laws.observables), e.g. ('player', 'inventory', 'wood')
    before: Any
    after: Any
    context: Context

    @property
    def delta(self) -> int | float | None:
        """after - before for numbers (not flags), else None."""
        numeric = (int, float)
        if isinstance(self.before, bool) or isinstance(self.after, bool):
            return None
        if isinstance(self.before, numeric) and isinstance(self.after, numeric):
            return self.after - self.before
        return None

    def describe(self) -> str:
        name = ".".join(str(k) for k in self.key)
        d = self.delta
        what = f"{d:+g}" if d is not None else f"{self.before} -> {self.after}"
        where = f" at {self.context.offset}" if self.context.offset is not None else ""
        return f"{self.kind}: {name} {what}{where} (action {self.context.action})"


def _facing(obs: Observation) -> tuple[Pos, str, str, dict[Pos, EntityView]]:
    at = {e.pos: e for e in obs.entities}
    pos = obs.facing_pos
    e = at.get(pos)
    return pos, obs.material(pos), (e.kind if e is not None else "none"), at


def changes_between(before: Observation, action: int | str, after: Observation) -> list[Change]:
    """Every change from ``before`` to ``after`` under ``action``, in a fixed order."""
    name = C.ACTIONS[action] if isinstance(action, int) else action
    facing_pos, facing_material, facing_entity, _ = _facing(before)
    player = before.player
    px, py = player.pos
    base = Context(name, facing_material, facing_entity, player.sleeping, player.pos)
    out: list[Change] = []

    def at(pos: Pos, kind: str | None = None, eid: int | None = None) -> Context:
        off = (pos[0] - px, pos[1] - py)
        return Context(name, facing_material, facing_entity, player.sleeping, player.pos, off,
                       abs(off[0]) + abs(off[1]), pos == facing_pos, kind, eid)

    if after.step != before.step:
        out.append(Change("time", ("step",), before.step, after.step, base))
    if after.daylight != before.daylight:
        out.append(Change("time", ("daylight",), before.daylight, after.daylight, base))
    q = after.player
    for attr in ("pos", "facing", "sleeping"):
        a, b = getattr(player, attr), getattr(q, attr)
        if a != b:
            out.append(Change("player", ("player", attr), a, b, base))
    for item in C.ITEMS:
        if player.inventory[item] != q.inventory[item]:
            out.append(Change("inventory", ("player", "inventory", item), player.inventory[item],
                              q.inventory[item], base))
    for ach in C.ACHIEVEMENTS:
        if player.achievements[ach] != q.achievements[ach]:
            out.append(Change("achievement", ("player", "achievements", ach), player.achievements[ach],
                              q.achievements[ach], base))
    if before.materials.shape == after.materials.shape:
        xs, ys = np.nonzero(before.materials != after.materials)
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            out.append(Change("tile", ("tile", x, y), C.MATERIALS[before.materials[x, y]],
                              C.MATERIALS[after.materials[x, y]], at((x, y))))
    old = {e.id: e for e in before.entities}
    new = {e.id: e for e in after.entities}
    for eid in sorted(old):
        e = old[eid]
        n = new.get(eid)
        if n == e:
            continue
        ctx = at(e.pos, e.kind, eid)
        if n is None:
            out.append(Change("entity_vanished", ("entity", eid, "exists"), True, False, ctx))
            continue
        if n.pos != e.pos:
            out.append(Change("entity_moved", ("entity", eid, "pos"), e.pos, n.pos, ctx))
        if n.health != e.health:
            kind = "entity_damaged" if n.health < e.health else "entity_field"
            out.append(Change(kind, ("entity", eid, "health"), e.health, n.health, ctx))
        for attr in ("cooldown", "reload", "facing", "grown"):
            a, b = getattr(e, attr), getattr(n, attr)
            if a != b:
                out.append(Change("entity_field", ("entity", eid, attr), a, b, ctx))
    for eid in sorted(new):
        if eid not in old:
            e = new[eid]
            out.append(Change("entity_appeared", ("entity", eid, "exists"), False, True, at(e.pos, e.kind, eid)))
    return out


def changes(item: Transition | tuple[Any, ...]) -> list[Change]:
    """The changes of one transition: a ``Transition`` (states) or ``(obs, action, next_obs)``.

    Observations are what laws see; states are observed first.
    """
    if isinstance(item, Transition):
        return changes_between(crafter_oo.observe(item.state), item.action, crafter_oo.observe(item.next_state))
    if isinstance(item, tuple) and len(item) == 3:
        before, action, after = item
        if not isinstance(before, Observation):
            before = crafter_oo.observe(before)
        if not isinstance(after, Observation):
            after = crafter_oo.observe(after)
        return changes_between(before, action, after)
    raise TypeError("changes() takes a Transition or a (before, action, after) tuple")


# -------------------------------------------------------------------------------------------- evidence

@dataclass
class EntityRows:
    """One kind's instances: every entity of the kind within reach, in every transition.

    ``after_*`` arrays describe the same entity after the step; ``exists_after`` is False when it
    vanished (then the other ``after_*`` values are meaningless and set to -1).
    """

    kind: str
    arrays: F.EntityArrays
    table: F.FeatureTable
    max_dist: int
    pos: np.ndarray           # int [R, 2] before
    after_pos: np.ndarray     # int [R, 2]
    exists_after: np.ndarray  # bool [R]
    after_health: np.ndarray  # int [R]
    after_fields: dict[str, np.ndarray]
    facing: np.ndarray | None  # int [R] index into DIRECTION_NAMES (kinds with a facing)

    @property
    def rows(self) -> int:
        return len(self.arrays.t)


@dataclass
class Evidence:
    """Changes of a run of transitions, grouped by kind, with feature tables of the situations."""

    before: tuple[Observation, ...]
    after: tuple[Observation, ...]
    actions: np.ndarray                       # int [T]
    changes: tuple[tuple[Change, ...], ...]   # per transition
    groups: dict[str, list[tuple[int, Change]]]
    arrays: F.GlobalArrays                    # numbers before each step
    table: F.FeatureTable                     # global boolean features per transition
    entities: dict[str, EntityRows]           # per entity kind
    walkable: dict[str, tuple[str, ...]]      # materials each mover kind was seen entering
    player_pos_after: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))

    @property
    def transitions(self) -> int:
        return len(self.before)

    def counts(self) -> dict[str, int]:
        """How many changes of each kind (every kind listed, zero included)."""
        return {k: len(self.groups.get(k, ())) for k in KINDS}

    def summary(self) -> str:
        parts = [f"{k} {n}" for k, n in self.counts().items() if n]
        return f"{self.transitions} transitions; changes: " + (", ".join(parts) or "none")

    @classmethod
    def from_transitions(cls, transitions: Iterable[Transition], *, reach_margin: int = 2) -> Evidence:
        """Observe each transition once (states shared between steps are observed once)."""
        cache: dict[int, Observation] = {}
        keep: list[Any] = []  # keep states alive so their ids stay unique while cached

        def obs_of(state: Any) -> Observation:
            key = id(state)
            o = cache.get(key)
            if o is None:
                o = crafter_oo.observe(state)
                cache[key] = o
                keep.append(state)
            return o

        befores: list[Observation] = []
        afters: list[Observation] = []
        actions: list[int] = []
        for t in transitions:
            befores.append(obs_of(t.state))
            afters.append(obs_of(t.next_state))
            actions.append(int(t.action))
        return cls.from_observations(befores, actions, afters, reach_margin=reach_margin)

    @classmethod
    def from_observations(cls, befores: Sequence[Observation], actions: Sequence[int | str],
                          afters: Sequence[Observation], *, reach_margin: int = 2) -> Evidence:
        if not (len(befores) == len(actions) == len(afters)):
            raise ValueError("before, action and after sequences must have equal lengths")
        action_ids = [C.ACTION_ID[a] if isinstance(a, str) else int(a) for a in actions]
        per_step = tuple(tuple(changes_between(b, a, n)) for b, a, n in zip(befores, action_ids, afters, strict=True))
        groups: dict[str, list[tuple[int, Change]]] = {k: [] for k in KINDS}
        for t, cs in enumerate(per_step):
            for c in cs:
                groups[c.kind].append((t, c))
        arrays = F.observation_arrays(befores, action_ids)
        walkable = _walkable(befores, afters, per_step)
        # arrows fly (over water and lava too): the ground is what walkers step onto
        ground = {m for kind, materials in walkable.items() if kind != "arrow" for m in materials}
        table = F.global_table(arrays, tuple(m for m in C.MATERIALS if m in ground))
        reach = _reach(groups, reach_margin)
        entities = {kind: _entity_rows(kind, befores, afters, reach[kind]) for kind in C.ENTITY_KINDS[1:]}
        after_pos = np.array([o.player.pos for o in afters], np.int64).reshape(-1, 2)
        return cls(tuple(befores), tuple(afters), np.asarray(action_ids, np.int64), per_step, groups, arrays,
                   table, entities, walkable, after_pos)


def _reach(groups: dict[str, list[tuple[int, Change]]], margin: int) -> dict[str, int]:
    """Per entity kind, the farthest distance from the player at which one was seen acting (moving or
    a field changing), plus a margin: entities farther than that are frozen in this evidence and
    would only dilute it. Vanishing does not count: balancing removes creatures at any distance, and
    following every far creature for that would multiply the instances by ten."""
    reach = {k: -1 for k in C.ENTITY_KINDS[1:]}
    for kind in ("entity_moved", "entity_damaged", "entity_field"):
        for _, c in groups.get(kind, ()):
            k = c.context.entity_kind
            if k in reach and c.context.distance is not None:
                reach[k] = max(reach[k], c.context.distance)
    return {k: (r + margin if r >= 0 else margin) for k, r in reach.items()}


def _entity_rows(kind: str, befores: Sequence[Observation], afters: Sequence[Observation], reach: int) -> EntityRows:
    numeric = tuple(n for n in F.ENTITY_FIELDS_BY_KIND[kind] if n in ENTITY_NUMERIC)
    has_facing = "facing" in F.ENTITY_FIELDS_BY_KIND[kind]
    t_l, id_l, dist_l, faced_l, health_l, pos_l = [], [], [], [], [], []
    apos_l, exists_l, ahealth_l = [], [], []
    fields_l: dict[str, list[int]] = {n: [] for n in numeric}
    afields_l: dict[str, list[int]] = {n: [] for n in numeric}
    near_keys = [(other, d) for other in F.CREATURES for d in (1, 2)]
    near_l: dict[tuple[str, int], list[int]] = {k: [] for k in near_keys}
    facing_l: list[int] = []
    ahead_m: list[int] = []
    ahead_e: list[int] = []
    # Far entities (beyond reach) never changed in this evidence; a thinned sample of them is kept as
    # the negatives that bound every law to the distances where things happen.
    near: list[tuple[int, EntityView, int]] = []
    far: list[tuple[int, EntityView, int]] = []
    for t, obs in enumerate(befores):
        px, py = obs.player.pos
        for e in obs.entities:
            if e.kind == kind:
                d = abs(e.pos[0] - px) + abs(e.pos[1] - py)
                (near if d <= reach else far).append((t, e, d))
    stride = max(1, -(-len(far) // FAR_SAMPLE))
    chosen = sorted(near + far[::stride], key=lambda r: (r[0], r[1].id))
    by_t: dict[int, list[tuple[EntityView, int]]] = {}
    for t, e, d in chosen:
        by_t.setdefault(t, []).append((e, d))
    for t in sorted(by_t):
        obs, nxt = befores[t], afters[t]
        px, py = obs.player.pos
        fpos = obs.facing_pos
        after_by_id = {e.id: e for e in nxt.entities}
        at = {e.pos: e for e in obs.entities}
        grid = obs.materials
        w, h = grid.shape
        for e, d in by_t[t]:
            t_l.append(t)
            id_l.append(e.id)
            dist_l.append(d)
            faced_l.append(e.pos == fpos)
            health_l.append(e.health)
            pos_l.append(e.pos)
            n = after_by_id.get(e.id)
            exists_l.append(n is not None)
            apos_l.append(n.pos if n is not None else (-1, -1))
            ahealth_l.append(n.health if n is not None else -1)
            for name in numeric:
                fields_l[name].append(getattr(e, name))
                afields_l[name].append(getattr(n, name) if n is not None else -1)
            counts = _near_counts(e, at)
            for key in near_keys:
                near_l[key].append(counts.get(key, 0))
            if has_facing:
                facing_l.append(F.DIRECTION_NAMES.index(e.facing))
                dx, dy = F.VECTORS[e.facing]
                x, y = e.pos[0] + dx, e.pos[1] + dy
                ahead_m.append(int(grid[x, y]) if 0 <= x < w and 0 <= y < h else 0)
                if (x, y) == (px, py):
                    ahead_e.append(F.KIND_INDEX["player"])
                else:
                    other = at.get((x, y))
                    ahead_e.append(F.KIND_INDEX[other.kind if other is not None else "none"])
    arrays = F.EntityArrays(
        t=np.asarray(t_l, np.int64), id=np.asarray(id_l, np.int64), dist=np.asarray(dist_l, np.int64),
        faced=np.asarray(faced_l, bool), health=np.asarray(health_l, np.int64),
        fields={n: np.asarray(v, np.int64) for n, v in fields_l.items()},
        near={k: np.asarray(v, np.int64) for k, v in near_l.items()},
        ahead_material=np.asarray(ahead_m, np.int64) if has_facing else None,
        ahead_entity=np.asarray(ahead_e, np.int64) if has_facing else None,
    )
    table = F.entity_table(kind, arrays, reach)
    return EntityRows(kind, arrays, table, reach, np.asarray(pos_l, np.int64).reshape(-1, 2),
                      np.asarray(apos_l, np.int64).reshape(-1, 2), np.asarray(exists_l, bool),
                      np.asarray(ahealth_l, np.int64), {n: np.asarray(v, np.int64) for n, v in afields_l.items()},
                      np.asarray(facing_l, np.int64) if has_facing else None)


def _near_counts(e: EntityView, at: dict[Pos, EntityView]) -> dict[tuple[str, int], int]:
    """Entities of each creature kind within L1 1 and 2 of ``e`` (``e`` itself not counted)."""
    out: dict[tuple[str, int], int] = {}
    x, y = e.pos
    for dx, dy, d in _RING2:
        other = at.get((x + dx, y + dy))
        if other is None:
            continue
        if d == 1:
            out[(other.kind, 1)] = out.get((other.kind, 1), 0) + 1
        out[(other.kind, 2)] = out.get((other.kind, 2), 0) + 1
    return out


_RING2 = tuple((dx, dy, abs(dx) + abs(dy)) for dx in range(-2, 3) for dy in range(-2, 3) if 0 < abs(dx) + abs(dy) <= 2)


def _walkable(befores: Sequence[Observation], afters: Sequence[Observation],
              per_step: Sequence[Sequence[Change]]) -> dict[str, tuple[str, ...]]:
    """Materials each kind of mover was seen stepping onto (the tile's material before the step)."""
    seen: dict[str, set[str]] = {}
    for t, cs in enumerate(per_step):
        obs = befores[t]
        for c in cs:
            if c.kind == "entity_moved":
                kind = c.context.entity_kind
                target = c.after
            elif c.kind == "player" and c.key == ("player", "pos"):
                kind = "player"
                target = c.after
            else:
                continue
            if kind is None:
                continue
            seen.setdefault(kind, set()).add(obs.material(target))
    return {k: tuple(m for m in C.MATERIALS if m in v) for k, v in sorted(seen.items())}
