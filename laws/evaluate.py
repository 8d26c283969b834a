"""Evaluating laws on an observation: which laws are active for (s, a), and what each predicts.

The AST is compiled once into Python closures (no ``eval``/``exec``); a transition then costs one
pass over the laws and the entities they quantify. The compiled form is deliberately flat (a
condition, and a list of branches with a probability and simple effects) so it can be lowered to an
IR for the Rust kernel later.

Semantics, in brief (the README/GAPS.md say more):
- Expressions read the observation *before* the step; a law predicts the observation after it.
- ``x += d`` / ``x -= d`` contribute deltas: all active laws' deltas to one observable add up, then
  the schema's range clamps the sum (inventory 0..9, entity health 0..5, ...). ``x = v`` sets the base
  value (deltas still add to it); two laws setting different values cannot both hold.
- ``c.move(d)``: with t = c.pos + d, the mover stays if d is 'none', t is off the map or t's material is
  not walkable for its kind. But if the player's action may take or free t or change its material (a
  move onto or off it, ``do``/``place_*`` on it as the faced tile), or an entity that updates earlier
  (a lower id) stands within L1 <= 1 of t, the tile is *contested*: creation order decides, which the
  observation cannot tell, so the outcome is t or stay with equal weight. Otherwise it moves iff no
  entity is on t.
  The player updates first, so its moves are never contested.
- ``with probability p: E`` is E with probability p and nothing otherwise; ``one of w: A | B`` picks a
  branch with the Dirichlet weights w.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crafter_oo import constants as C
from crafter_oo.observation import SCHEMA, EntityView, Observation, Schema
from laws import observables as O
from laws.ast import (
    FLOAT,
    INT,
    Add,
    Assign,
    Binary,
    Call,
    Const,
    Effect,
    EntityField,
    Expr,
    Law,
    LawSet,
    Member,
    Move,
    Nothing,
    Obs,
    OneOf,
    Remove,
    Tile,
    Unary,
    WithProbability,
)
from laws.builtins import CHUNK_SIZE

SET, ADD = 0, 1
Op = tuple[int, Any]
UNCHANGED: Op = (ADD, 0)
VECTORS: dict[str, tuple[int, int]] = {**{n: v for v, n in C.DIRECTION_NAMES.items()}, "none": (0, 0)}
NAMES: dict[tuple[int, int], str] = {v: n for n, v in VECTORS.items()}


class Context:
    """One observation, indexed for fast lookups by the compiled closures."""

    __slots__ = ("_chunk_entities", "_chunk_tiles", "action", "area", "at", "by_id", "by_kind", "facing",
                 "materials", "obs", "player_pos")

    def __init__(self, obs: Observation, action: str) -> None:
        self.obs = obs
        self.action = action
        self.materials = obs.materials
        self.area = obs.area
        self.player_pos = obs.player.pos
        self.facing = obs.player.facing
        self.at: dict[tuple[int, int], EntityView] = {}
        self.by_kind: dict[str, list[EntityView]] = {k: [] for k in C.ENTITY_KINDS}
        self.by_id: dict[int, EntityView] = {}
        for e in obs.entities:
            self.at[e.pos] = e
            self.by_kind[e.kind].append(e)
            self.by_id[e.id] = e
        self._chunk_entities: dict[tuple[int, int, str], int] | None = None
        self._chunk_tiles: dict[tuple[int, int], list[int]] = {}

    def material(self, pos: tuple[int, int]) -> str:
        x, y = pos
        if 0 <= x < self.area[0] and 0 <= y < self.area[1]:
            return C.MATERIALS[self.materials[x, y]]
        return "none"

    def entity_kind(self, pos: tuple[int, int]) -> str:
        if pos == self.player_pos:
            return "player"
        e = self.at.get(pos)
        return "none" if e is None else e.kind

    def contested(self, pos: tuple[int, int], mover: EntityView | None) -> bool:
        """The player's action may take, free or re-make ``pos``, or an entity updating before ``mover``
        stands within L1 <= 1 of it."""
        if mover is None:
            return False
        x, y = pos
        if self.player_contests(pos):
            return True
        for cell in ((x, y), (x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
            e = self.at.get(cell)
            if e is not None and e.id < mover.id:
                return True
        return False

    def player_contests(self, pos: tuple[int, int]) -> bool:
        """The player's update, which comes first, may change whether ``pos`` is free: it may walk onto
        it or off it (a move), or change its material (``do`` or ``place_*`` on the faced tile)."""
        px, py = self.player_pos
        step = _MOVES.get(self.action)
        if step is not None:
            return pos == self.player_pos or pos == (px + step[0], py + step[1])
        if self.action in _FACED_ACTIONS:
            dx, dy = VECTORS[self.facing]
            return pos == (px + dx, py + dy)
        return False

    def nearby(self, material: str) -> bool:
        px, py = self.player_pos
        for x in range(px - 1, px + 2):
            for y in range(py - 1, py + 2):
                if 0 <= x < self.area[0] and 0 <= y < self.area[1] and C.MATERIALS[self.materials[x, y]] == material:
                    return True
        return False

    def count(self, kind: str, pos: tuple[int, int] | None = None, within: int = 0) -> int:
        group = self.by_kind.get(kind, ())
        if pos is None:
            return len(group)
        x, y = pos
        return sum(1 for e in group if abs(e.pos[0] - x) + abs(e.pos[1] - y) <= within)

    def entities_in(self, chunk: tuple[int, int, int, int], kind: str) -> int:
        if self._chunk_entities is None:
            counts: dict[tuple[int, int, str], int] = {}
            for e in self.obs.entities:
                k = (e.pos[0] // CHUNK_SIZE * CHUNK_SIZE, e.pos[1] // CHUNK_SIZE * CHUNK_SIZE, e.kind)
                counts[k] = counts.get(k, 0) + 1
            self._chunk_entities = counts
        return self._chunk_entities.get((chunk[0], chunk[1], kind), 0)

    def tiles_in(self, chunk: tuple[int, int, int, int], material: str) -> int:
        key = (chunk[0], chunk[1])
        counts = self._chunk_tiles.get(key)
        if counts is None:
            block = self.materials[chunk[0]:chunk[2], chunk[1]:chunk[3]]
            counts = [0] * len(C.MATERIALS)
            for m, n in zip(*_unique(block), strict=True):
                counts[m] = n
            self._chunk_tiles[key] = counts
        return counts[C.MATERIAL_ID[material]]

    def chunks(self) -> list[tuple[int, int, int, int]]:
        w, h = self.area
        return [(x, y, min(x + CHUNK_SIZE, w), min(y + CHUNK_SIZE, h))
                for x in range(0, w, CHUNK_SIZE) for y in range(0, h, CHUNK_SIZE)]


def _unique(block: Any) -> tuple[list[int], list[int]]:
    import numpy as np
    values, counts = np.unique(block, return_counts=True)
    return values.tolist(), counts.tolist()


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


def toward(a: tuple[int, int], b: tuple[int, int], long_axis: bool = True) -> str:
    """Crafter's toward(): the unit step from a to b along the long (or short) axis; 'none' if zero."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if long_axis:
        step = (_sign(dx), 0) if abs(dx) > abs(dy) else (0, _sign(dy))
    else:
        step = (_sign(dx), 0) if abs(dx) <= abs(dy) else (0, _sign(dy))
    return NAMES[step]


Fn = Callable[[Context, Any], Any]
_MOVES = {"move_left": (-1, 0), "move_right": (1, 0), "move_up": (0, -1), "move_down": (0, 1)}
_FACED_ACTIONS = frozenset({"do", "place_stone", "place_table", "place_furnace", "place_plant"})


def compile_expr(e: Expr) -> Fn:
    """An expression as a closure ``f(ctx, bound)`` where ``bound`` is the quantified entity or chunk."""
    if isinstance(e, Const):
        v = e.value
        return lambda ctx, b: v
    if isinstance(e, Obs):
        return _compile_obs(e.path)
    if isinstance(e, EntityField):
        name = e.name
        if name == "pos.x":
            return lambda ctx, b: b.pos[0]
        if name == "pos.y":
            return lambda ctx, b: b.pos[1]
        if name in ("x", "y"):
            index = 0 if name == "x" else 1
            return lambda ctx, b: b[index]
        return lambda ctx, b: getattr(b, name)
    if isinstance(e, Tile):
        pos = compile_expr(e.pos)
        if e.name == "material":
            return lambda ctx, b: ctx.material(pos(ctx, b))
        return lambda ctx, b: ctx.entity_kind(pos(ctx, b))
    if isinstance(e, Call):
        return _compile_call(e)
    if isinstance(e, Unary):
        f = compile_expr(e.operand)
        if e.op == "not":
            return lambda ctx, b: not f(ctx, b)
        if e.type == "direction":
            return lambda ctx, b: NAMES[tuple(-c for c in VECTORS[f(ctx, b)])]
        return lambda ctx, b: -f(ctx, b)
    if isinstance(e, Member):
        item = compile_expr(e.item)
        if all(isinstance(o, Const) for o in e.options):
            values = frozenset(o.value for o in e.options)  # type: ignore[union-attr]
            if e.negated:
                return lambda ctx, b: item(ctx, b) not in values
            return lambda ctx, b: item(ctx, b) in values
        options = [compile_expr(o) for o in e.options]
        negated = e.negated
        return lambda ctx, b: (item(ctx, b) in {o(ctx, b) for o in options}) != negated
    if isinstance(e, Binary):
        return _compile_binary(e)
    raise TypeError(f"cannot compile {e!r}")


def _compile_obs(path: str) -> Fn:
    if path == "action":
        return lambda ctx, b: ctx.action
    if path == "step":
        return lambda ctx, b: ctx.obs.step
    if path == "daylight":
        return lambda ctx, b: ctx.obs.daylight
    if path == "player.pos":
        return lambda ctx, b: ctx.player_pos
    if path == "player.pos.x":
        return lambda ctx, b: ctx.player_pos[0]
    if path == "player.pos.y":
        return lambda ctx, b: ctx.player_pos[1]
    if path == "player.facing":
        return lambda ctx, b: ctx.facing
    if path == "player.sleeping":
        return lambda ctx, b: ctx.obs.player.sleeping
    _, group, name = path.split(".")
    if group == "inventory":
        return lambda ctx, b: ctx.obs.player.inventory[name]
    return lambda ctx, b: ctx.obs.player.achievements[name]


def _compile_call(e: Call) -> Fn:
    func = e.func
    args = [a if isinstance(a, str) else compile_expr(a) for a in e.args]
    if func == "dist":
        p, q = args
        return lambda ctx, b: _l1(p(ctx, b), q(ctx, b))
    if func in ("toward", "toward_short"):
        p, q = args
        long_axis = func == "toward"
        return lambda ctx, b: toward(p(ctx, b), q(ctx, b), long_axis)
    if func == "nearby":
        material = args[0]
        return lambda ctx, b: ctx.nearby(material)
    if func == "count":
        kind = args[0]
        if len(args) == 1:
            return lambda ctx, b: ctx.count(kind)
        pos, within = args[1], args[2]
        return lambda ctx, b: ctx.count(kind, pos(ctx, b), within(ctx, b))
    if func == "contested":
        (pos,) = args
        return lambda ctx, b: ctx.contested(pos(ctx, b), b if isinstance(b, EntityView) else None)
    if func == "entities_in":
        kind = args[1]
        return lambda ctx, b: ctx.entities_in(b, kind)
    if func == "tiles_in":
        material = args[1]
        return lambda ctx, b: ctx.tiles_in(b, material)
    if func == "abs":
        (f,) = args
        return lambda ctx, b: abs(f(ctx, b))
    if func in ("min", "max"):
        f, g = args
        pick = min if func == "min" else max
        return lambda ctx, b: pick(f(ctx, b), g(ctx, b))
    if func == "cos":
        (f,) = args
        return lambda ctx, b: math.cos(f(ctx, b))
    raise TypeError(f"unknown function {func}")


def _l1(p: tuple[int, int], q: tuple[int, int]) -> int:
    return abs(p[0] - q[0]) + abs(p[1] - q[1])


def _safe_div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _safe_mod(a: float, b: float) -> float:
    return a % b if b else 0


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": _safe_div, "%": _safe_mod, "^": lambda a, b: a ** b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _compile_binary(e: Binary) -> Fn:
    left, right = compile_expr(e.left), compile_expr(e.right)
    op = e.op
    if op == "and":
        return lambda ctx, b: left(ctx, b) and right(ctx, b)
    if op == "or":
        return lambda ctx, b: left(ctx, b) or right(ctx, b)
    if e.type == "pos":
        def neighbour(ctx: Context, b: Any) -> tuple[int, int]:
            x, y = left(ctx, b)
            dx, dy = VECTORS[right(ctx, b)]
            return (x + dx, y + dy)
        return neighbour
    if isinstance(e.right, Const) and op in ("==", "!=", "<", "<=", ">", ">="):
        v = e.right.value
        if op == "==":
            return lambda ctx, b: left(ctx, b) == v
        if op == "!=":
            return lambda ctx, b: left(ctx, b) != v
        if op == "<":
            return lambda ctx, b: left(ctx, b) < v
        if op == "<=":
            return lambda ctx, b: left(ctx, b) <= v
        if op == ">":
            return lambda ctx, b: left(ctx, b) > v
        return lambda ctx, b: left(ctx, b) >= v
    fn = _ARITH[op]
    if e.type == INT and op in ("/", "%"):
        return lambda ctx, b: int(fn(left(ctx, b), right(ctx, b)))
    if e.type == FLOAT or op not in ("/",):
        return lambda ctx, b: fn(left(ctx, b), right(ctx, b))
    return lambda ctx, b: fn(left(ctx, b), right(ctx, b))


# ---- effects ---------------------------------------------------------------------------------------

Alternatives = list[tuple[float, list[tuple[O.Key, Op]]]]
EffectFn = Callable[[Context, Any], Alternatives]


def _compile_effect(e: Effect, kind: str | None, walkable: Mapping[str, frozenset[str]]) -> EffectFn:
    if isinstance(e, Nothing):
        return lambda ctx, b: [(1.0, [])]
    if isinstance(e, Remove):
        return lambda ctx, b: [(1.0, [(("entity", b.id, "exists"), (SET, False))])]
    if isinstance(e, Add):
        key = ("added", e.kind)
        return lambda ctx, b: [(1.0, [(key, (ADD, 1))])]
    if isinstance(e, Move):
        direction = compile_expr(e.direction)
        if e.var == "player":
            allowed = walkable.get("player", frozenset())

            def move_player(ctx: Context, b: Any) -> Alternatives:
                x, y = ctx.player_pos
                dx, dy = VECTORS[direction(ctx, b)]
                t = (x + dx, y + dy)
                free = (dx or dy) and ctx.material(t) in allowed and t not in ctx.at
                return [(1.0, [(("player", "pos"), (SET, t if free else ctx.player_pos))])]
            return move_player
        allowed = walkable.get(kind or "", frozenset())

        def move_entity(ctx: Context, b: Any) -> Alternatives:
            x, y = b.pos
            dx, dy = VECTORS[direction(ctx, b)]
            key = ("entity", b.id, "pos")
            t = (x + dx, y + dy)
            if not (dx or dy) or not (0 <= t[0] < ctx.area[0] and 0 <= t[1] < ctx.area[1]):
                return [(1.0, [(key, (SET, b.pos))])]
            if ctx.contested(t, b):  # an earlier mover may free or take t, or the player change its material
                return [(0.5, [(key, (SET, t))]), (0.5, [(key, (SET, b.pos))])]
            if ctx.material(t) not in allowed:
                return [(1.0, [(key, (SET, b.pos))])]
            free = t not in ctx.at and t != ctx.player_pos
            return [(1.0, [(key, (SET, t if free else b.pos))])]
        return move_entity
    if isinstance(e, Assign):
        value = compile_expr(e.value)
        sign = -1 if e.op == "-=" else 1
        op_kind = SET if e.op == "=" else ADD
        key_of = _compile_key(e.target)
        if op_kind == SET:
            return lambda ctx, b: [(1.0, [(k, (SET, value(ctx, b)))] if (k := key_of(ctx, b)) else [])]
        return lambda ctx, b: [(1.0, [(k, (ADD, sign * value(ctx, b)))] if (k := key_of(ctx, b)) else [])]
    raise TypeError(f"not a simple effect: {e!r}")


def _compile_key(target: Obs | EntityField | Tile) -> Callable[[Context, Any], O.Key | None]:
    if isinstance(target, Obs):
        parts = tuple(target.path.split("."))
        key = parts if parts[0] != "player" or len(parts) < 3 else ("player", parts[1], parts[2])
        return lambda ctx, b: key
    if isinstance(target, EntityField):
        name = target.name
        return lambda ctx, b: ("entity", b.id, name)
    pos = compile_expr(target.pos)

    def tile_key(ctx: Context, b: Any) -> O.Key | None:
        x, y = pos(ctx, b)
        if 0 <= x < ctx.area[0] and 0 <= y < ctx.area[1]:
            return ("tile", x, y)
        return None  # off the map: nothing to predict
    return tile_key


# A branch: the parameter choices that select it, and its simple effects.
Choice = tuple[str, int]  # (param, index): beta index 0 = happens, 1 = does not; dirichlet index = branch


def _flatten(effects: Iterable[Effect]) -> list[tuple[tuple[Choice, ...], tuple[Effect, ...]]]:
    branches: list[tuple[tuple[Choice, ...], tuple[Effect, ...]]] = [((), ())]
    for e in effects:
        if isinstance(e, WithProbability):
            inner = _flatten(e.body)
            options = [(((e.param, 0), *c), body) for c, body in inner] + [(((e.param, 1),), ())]
        elif isinstance(e, OneOf):
            options = []
            for i, branch in enumerate(e.branches):
                options += [(((e.param, i), *c), body) for c, body in _flatten(branch)]
        else:
            options = [((), (e,))]
        branches = [(c1 + c2, b1 + b2) for c1, b1 in branches for c2, b2 in options]
    return branches


@dataclass
class LawPrediction:
    """One active law instance's prediction: per observable key, a distribution over operations.

    An operation is ``(SET, value)`` or ``(ADD, delta)``; ``distribution`` turns it into values.
    """

    law: str
    binding: int | tuple[int, int] | None
    outcomes: dict[O.Key, dict[Op, float]]

    def distribution(self, obs: Observation, key: O.Key, schema: Schema = SCHEMA) -> dict[Any, float]:
        """The law's distribution over the next value of ``key`` (clamped to the schema's range)."""
        current = O.value(obs, key)
        result: dict[Any, float] = {}
        for op, p in self.outcomes[key].items():
            v = apply(current, [op], key, schema)
            result[v] = result.get(v, 0.0) + p
        return result


def apply(current: Any, ops: Iterable[Op], key: O.Key, schema: Schema = SCHEMA) -> Any:
    base, delta, _is_set = current, 0, False
    for kind, v in ops:
        if kind == SET:
            base, _is_set = v, True
        else:
            delta += v
    if not delta:
        return base
    value = (base if base is not None else 0) + delta
    rng = O.value_range(key, schema)
    if rng is not None:
        value = min(max(value, rng[0]), rng[1])
        if isinstance(value, float) and value.is_integer() and not isinstance(base, float):
            value = int(value)
    return value


@dataclass(frozen=True, slots=True)
class Branch:
    """One way a law instance can go: the parameter choices that select it and, per observable key,
    its distribution over operations (more than one only where the effect itself is uncertain, as a
    contested move)."""

    choices: tuple[Choice, ...]
    outcomes: dict[O.Key, dict[Op, float]]


@dataclass(frozen=True, slots=True)
class LawInstance:
    """An active law instance: the law (index into the set and name), what it is bound to, its branches."""

    law: int
    name: str
    kind: str | None
    binding: Any
    branches: tuple[Branch, ...]

    def observables(self) -> tuple[O.Key, ...]:
        """The keys any branch names, in first-seen order (the same in every process)."""
        return tuple(dict.fromkeys(k for b in self.branches for k in b.outcomes))


@dataclass
class CompiledLaw:
    law: Law
    kind: str | None
    condition: Fn
    branches: list[tuple[tuple[Choice, ...], list[EffectFn]]]
    default_params: dict[str, Any] = field(default_factory=dict)


class CompiledLawSet:
    """A law set compiled for fast evaluation: ``predict(obs, action)`` per transition."""

    def __init__(self, law_set: LawSet, schema: Schema = SCHEMA) -> None:
        self.law_set = law_set
        self.schema = schema
        walkable = {k: frozenset(w.materials) for w in law_set.walkable for k in w.kinds}
        self.laws: list[CompiledLaw] = []
        for law in law_set.laws:
            kind = law.quantifier.kind if law.quantifier else None
            condition = compile_expr(law.when) if law.when is not None else (lambda ctx, b: True)
            branches = [(choices, [_compile_effect(e, kind, walkable) for e in body])
                        for choices, body in _flatten(law.effects)]
            self.laws.append(CompiledLaw(law, kind, condition, branches, {p.name: p.mean for p in law.params}))

    def _bindings(self, compiled: CompiledLaw, ctx: Context) -> Iterable[Any]:
        if compiled.kind is None:
            return (None,)
        if compiled.kind == "chunk":
            return ctx.chunks()
        return ctx.by_kind.get(compiled.kind, ())

    def active(self, obs: Observation, action: str | int) -> list[tuple[str, Any]]:
        """(law name, binding) for every law instance whose precondition holds on (obs, action)."""
        ctx = Context(obs, _action_name(action))
        out = []
        for c in self.laws:
            for b in self._bindings(c, ctx):
                if c.condition(ctx, b):
                    out.append((c.law.name, _binding_id(b)))
        return out

    def predict(self, obs: Observation, action: str | int,
                params: Mapping[str, Mapping[str, Any]] | None = None) -> list[LawPrediction]:
        """Every active law instance's prediction, with ``params`` (law -> name -> value) or prior means."""
        ctx = Context(obs, _action_name(action))
        predictions = []
        for c in self.laws:
            values = c.default_params
            if params is not None and c.law.name in params:
                values = {**values, **params[c.law.name]}
            for b in self._bindings(c, ctx):
                if c.condition(ctx, b):
                    predictions.append(self._instance(c, ctx, b, values))
        return predictions

    def instances(self, obs: Observation, action: str | int) -> list[LawInstance]:
        """Every active law instance with its branches kept apart (parameter-free), for inference.

        ``predict`` marginalises the branches with given parameter values; a fitter needs them apart to
        tell which branch explains an observed outcome, and the same expansion serves every value of
        the parameters.
        """
        ctx = Context(obs, _action_name(action))
        out = []
        for index, c in enumerate(self.laws):
            for b in self._bindings(c, ctx):
                if c.condition(ctx, b):
                    branches = [Branch(choices, _per_key(_expand(effects, ctx, b, 1.0)))
                                for choices, effects in c.branches]
                    out.append(LawInstance(index, c.law.name, c.kind, _binding_id(b), tuple(branches)))
        return out

    def _instance(self, c: CompiledLaw, ctx: Context, b: Any, values: Mapping[str, Any]) -> LawPrediction:
        expanded: Combos = []
        for choices, effects in c.branches:
            p = 1.0
            for name, index in choices:
                v = values[name]
                p *= (v if index == 0 else 1.0 - v) if isinstance(v, float | int) else v[index]
            if p <= 0.0:
                continue
            expanded += _expand(effects, ctx, b, p)
        return LawPrediction(c.law.name, _binding_id(b), _per_key(expanded))


Combos = list[tuple[float, dict[O.Key, Op]]]


def _expand(effects: list[EffectFn], ctx: Context, b: Any, weight: float) -> Combos:
    """A branch's effects applied in turn: every combination of their alternatives, with its weight."""
    combos: Combos = [(weight, {})]
    for fn in effects:
        alternatives = fn(ctx, b)
        combos = [(w0 * w1, _compose(ops0, ops1)) for w0, ops0 in combos for w1, ops1 in alternatives]
    return combos


def _per_key(combos: Combos) -> dict[O.Key, dict[Op, float]]:
    """Weighted combinations as, per observable, a distribution over operations ("no effect" where absent)."""
    outcomes: dict[O.Key, dict[Op, float]] = {}
    for k in dict.fromkeys(k for _, ops in combos for k in ops):  # first-seen order, the same in every process
        dist: dict[Op, float] = {}
        for w, ops in combos:
            op = ops.get(k, UNCHANGED)
            dist[op] = dist.get(op, 0.0) + w
        outcomes[k] = dist
    return outcomes


def _compose(ops: dict[O.Key, Op], new: list[tuple[O.Key, Op]]) -> dict[O.Key, Op]:
    if not new:
        return ops
    out = dict(ops)
    for k, op in new:
        old = out.get(k)
        if old is None or op[0] == SET:
            out[k] = op
        elif old[0] == SET:
            out[k] = (SET, old[1] + op[1])
        else:
            out[k] = (ADD, old[1] + op[1])
    return out


def _binding_id(b: Any) -> Any:
    if b is None:
        return None
    if isinstance(b, EntityView):
        return b.id
    return (b[0], b[1])


def _action_name(action: str | int) -> str:
    return C.ACTIONS[action] if isinstance(action, int) else action


def combine(predictions: Iterable[LawPrediction], obs: Observation,
            schema: Schema = SCHEMA) -> dict[O.Key, dict[Any, float]]:
    """The law set's joint prediction per observable: deltas add, sets must agree, then clamp.

    This is the set-level support the reference test checks; the world model weighs the same
    per-law predictions as a product of experts.
    """
    per_key: dict[O.Key, list[dict[Op, float]]] = {}
    for pred in predictions:
        for k, dist in pred.outcomes.items():
            per_key.setdefault(k, []).append(dist)
    return {k: combine_ops(dists, O.value(obs, k), k, schema) for k, dists in per_key.items()}


_UNSET = object()


def combine_ops(dists: Iterable[Mapping[Op, float]], current: Any, key: O.Key,
                schema: Schema = SCHEMA) -> dict[Any, float]:
    """Several laws' distributions over operations on one observable, as one distribution over values.

    Deltas add up and the sum is clamped once; sets must agree (disagreeing combinations drop out and
    the rest is renormalised). Every combination disagreeing gives an empty distribution.
    """
    state: dict[tuple[Any, Any], float] = {(_UNSET, 0): 1.0}
    for dist in dists:
        nxt: dict[tuple[Any, Any], float] = {}
        for (base, delta), p in state.items():
            for (kind, v), q in dist.items():
                if kind == SET:
                    if base is not _UNSET and base != v:
                        continue
                    s = (v, delta)
                else:
                    s = (base, delta + v)
                nxt[s] = nxt.get(s, 0.0) + p * q
        state = nxt
    total = sum(state.values())
    values: dict[Any, float] = {}
    if total <= 0.0:
        return values
    for (base, delta), p in state.items():
        ops = ([(SET, base)] if base is not _UNSET else []) + ([(ADD, delta)] if delta else [])
        v = apply(current, ops, key, schema)
        values[v] = values.get(v, 0.0) + p / total
    return values


def in_support(distribution: Mapping[Any, float], value: Any) -> bool:
    """Whether ``value`` has positive probability (floats compared up to rounding)."""
    return probability(distribution, value) > 0.0


def probability(distribution: Mapping[Any, float], value: Any) -> float:
    """The probability of ``value`` under a per-observable distribution."""
    p = distribution.get(value)
    if p is not None:
        return p
    if isinstance(value, float):
        return sum(q for v, q in distribution.items() if O.same(v, value))
    return 0.0
