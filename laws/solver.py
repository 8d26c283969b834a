"""The Z3 encoding of laws, behind four plain questions: satisfiable, overlap, subsumes, stays_in_range.

One ``Solver`` per law set: the schema's invariants are asserted once and each question runs inside
push/pop. Map lookups (a tile's material, the entity on a tile, nearby stations, counts, contention)
are uninterpreted functions, constrained only by what the schema guarantees (off the map the material
is 'none', the player stands on its own tile, counts are non-negative). A question answered
``unknown`` (timeout, non-linear arithmetic) is reported as inconclusive, never as a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from crafter_oo.observation import SCHEMA, Schema
from laws.ast import (
    BOOL,
    CHUNK,
    DIRECTION,
    FLOAT,
    INT,
    KIND,
    MATERIAL,
    POS,
    Assign,
    Binary,
    Call,
    Const,
    Effect,
    EntityField,
    Expr,
    Law,
    Member,
    Move,
    Obs,
    OneOf,
    Tile,
    Unary,
    WithProbability,
)
from laws.builtins import CHUNK_SIZE
from laws.typecheck import attribute_range, enum_values

TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Answer:
    """A solver verdict: 'sat', 'unsat' or 'unknown', with a counterexample state when there is one."""

    status: str
    model: dict[str, Any] | None = None
    core: tuple[str, ...] = ()


@dataclass(frozen=True)
class Write:
    """A simple effect as the checker sees it: which attribute, at which key, which value."""

    attribute: str          # graph node: 'player.inventory.wood', 'zombie.cooldown', 'tile.material'
    op: str                 # '=', '+=', '-=', 'move', 'remove', 'add'
    target: Any             # the Assign target / Move var / kind
    value: Expr | None
    deterministic: bool


def writes(law: Law) -> list[Write]:
    """Every simple effect of a law, marked deterministic when no probability guards it."""
    kind = law.quantifier.kind if law.quantifier else None
    out: list[Write] = []

    def walk(effects: tuple[Effect, ...], det: bool) -> None:
        for e in effects:
            if isinstance(e, WithProbability):
                walk(e.body, False)
            elif isinstance(e, OneOf):
                for b in e.branches:
                    walk(b, False)
            elif isinstance(e, Assign):
                t = e.target
                if isinstance(t, Obs):
                    attr = t.path
                elif isinstance(t, EntityField):
                    attr = f"{kind}.{t.name}"
                else:
                    attr = "tile.material"
                out.append(Write(attr, e.op, t, e.value, det))
            elif isinstance(e, Move):
                attr = "player.pos" if e.var == "player" else f"{kind}.pos"
                out.append(Write(attr, "move", e.var, e.direction, det))
            elif type(e).__name__ == "Remove":
                out.append(Write(f"{kind}.exists", "remove", e.var, None, det))
            elif type(e).__name__ == "Add":
                out.append(Write(f"added.{e.kind}", "add", e.kind, None, det))
    walk(law.effects, True)
    return out


class Solver:
    """Z3 questions about the laws of one schema. Not thread-safe (a Z3 context is not)."""

    def __init__(self, schema: Schema = SCHEMA, timeout_ms: int = TIMEOUT_MS) -> None:
        self.schema = schema
        self.ctx = z3.Context()
        c = self.ctx
        enums = enum_values(schema)
        self.sorts: dict[str, Any] = {}
        self.values: dict[str, dict[str, Any]] = {}
        for t in (MATERIAL, DIRECTION, KIND, "action"):
            sort, consts = z3.EnumSort(f"{t}_sort", list(enums[t]), ctx=c)
            self.sorts[t] = sort
            self.values[t] = dict(zip(enums[t], consts, strict=True))
        ints, reals, bools = z3.IntSort(c), z3.RealSort(c), z3.BoolSort(c)
        self.f_material = z3.Function("material_at", ints, ints, self.sorts[MATERIAL])
        self.f_entity = z3.Function("entity_at", ints, ints, self.sorts[KIND])
        self.f_nearby = z3.Function("nearby", self.sorts[MATERIAL], bools)
        self.f_count = z3.Function("count", self.sorts[KIND], ints)
        self.f_count_near = z3.Function("count_near", self.sorts[KIND], ints, ints, ints, ints)
        self.f_contested = z3.Function("contested", ints, ints, ints, bools)
        self.f_entities_in = z3.Function("entities_in", ints, ints, self.sorts[KIND], ints)
        self.f_tiles_in = z3.Function("tiles_in", ints, ints, self.sorts[MATERIAL], ints)
        self.f_cos = z3.Function("cos", reals, reals)
        self.f_rmod = z3.Function("real_mod", reals, reals, reals)
        self.w, self.h = schema.area
        self.vars: dict[str, Any] = {}
        self.solver = z3.Solver(ctx=c)
        self.solver.set("timeout", timeout_ms)
        self._side: list[Any] = []
        self._used: set[str] = set()
        self._terms: tuple[Any, ...] = ()
        self._pre_cache: dict[tuple[int, str], tuple[Any, tuple[Any, ...]]] = {}
        self._apps: dict[str, Any] = {}
        for path, attr in schema.attributes.items():
            if path.startswith(("player.", "step", "daylight", "action")):
                self._global(path, attr.type)
        self.solver.add(*self._invariants())
        px, py = self.vars["player.pos.x"], self.vars["player.pos.y"]
        self.solver.add(self.f_entity(px, py) == self.values[KIND]["player"])
        self.solver.add(self.values[DIRECTION]["none"] != self.vars["player.facing"])

    # ---- variables ------------------------------------------------------------------------------
    def _global(self, path: str, type_: str) -> Any:
        if path not in self.vars:
            self.vars[path] = self._make(path, type_)
        return self.vars[path]

    def _make(self, name: str, type_: str) -> Any:
        c = self.ctx
        if type_ == INT:
            return z3.Int(name, c)
        if type_ == FLOAT:
            return z3.Real(name, c)
        if type_ == BOOL:
            return z3.Bool(name, c)
        return z3.Const(name, self.sorts[type_])

    def _invariants(self) -> list[Any]:
        out = []
        for path, attr in self.schema.attributes.items():
            v = self.vars.get(path)
            if v is not None and attr.lo is not None and attr.type in (INT, FLOAT):
                out += [v >= attr.lo, v <= attr.hi]
        return out

    def _entity_var(self, prefix: str, kind: str, field: str) -> Any:
        """A field of the quantified entity (or chunk); its range is re-asserted in every question."""
        name = f"{prefix}.{field}"
        if kind == CHUNK:
            v = self.vars.setdefault(name, z3.Int(name, self.ctx))
            self._side += [v >= 0, v < (self.w if field == "x" else self.h), v % CHUNK_SIZE == 0]
            return v
        if field == "kind":
            return self.values[KIND][kind]
        type_ = {"pos.x": INT, "pos.y": INT, "health": INT, "id": INT}.get(field)
        if field in ("health", "pos.x", "pos.y"):
            attr = self.schema.attributes[f"entity.{field}"]
        elif field == "id":
            attr = None
        else:
            attr = self.schema.attributes[f"{kind}.{field}"]
            type_ = attr.type
        v = self.vars.get(name)
        if v is None or v.sort() != (self._make(name, type_).sort()):
            v = self._make(name, type_)
            self.vars[name] = v
        if attr is not None and attr.lo is not None:
            self._side += [v >= attr.lo, v <= attr.hi]
        if field == "id":
            self._side.append(v >= 2)
        if field == "facing":
            self._side.append(v != self.values[DIRECTION]["none"])
        return v

    def _bind(self, law: Law, prefix: str) -> None:
        """The quantified entity exists: on the map, on its own tile, not the player's."""
        if law.quantifier is None or law.quantifier.kind == CHUNK:
            return
        kind = law.quantifier.kind
        x, y = self._entity_var(prefix, kind, "pos.x"), self._entity_var(prefix, kind, "pos.y")
        self._entity_var(prefix, kind, "id")
        self._side.append(self.f_entity(x, y) == self.values[KIND][kind])
        self._side.append(self._inside(x, y))

    # ---- expressions ----------------------------------------------------------------------------
    def _inside(self, x: Any, y: Any) -> Any:
        return z3.And(x >= 0, x < self.w, y >= 0, y < self.h, self.ctx)

    def _tile(self, x: Any, y: Any, name: str) -> Any:
        inside = self._inside(x, y)
        if name == "material":
            t = self.f_material(x, y)
            none = self.values[MATERIAL]["none"]
            self._side.append(z3.If(inside, t != none, t == none, self.ctx))
            return t
        t = self.f_entity(x, y)
        self._side.append(z3.Implies(z3.Not(inside, self.ctx), t == self.values[KIND]["none"], self.ctx))
        px, py = self.vars["player.pos.x"], self.vars["player.pos.y"]
        is_player = z3.And(x == px, y == py, self.ctx)
        self._side.append(is_player == (t == self.values[KIND]["player"]))
        return t

    def _vec(self, d: Any) -> tuple[Any, Any]:
        dirs = self.values[DIRECTION]
        c = self.ctx
        one, zero, minus = z3.IntVal(1, c), z3.IntVal(0, c), z3.IntVal(-1, c)
        dx = z3.If(d == dirs["left"], minus, z3.If(d == dirs["right"], one, zero, c), c)
        dy = z3.If(d == dirs["up"], minus, z3.If(d == dirs["down"], one, zero, c), c)
        return dx, dy

    def _abs(self, v: Any) -> Any:
        return z3.If(v < 0, -v, v, self.ctx)

    def _toward(self, p: tuple[Any, Any], q: tuple[Any, Any], long_axis: bool) -> Any:
        dirs = self.values[DIRECTION]
        c = self.ctx
        dx, dy = q[0] - p[0], q[1] - p[1]
        horizontal = z3.If(dx > 0, dirs["right"], z3.If(dx < 0, dirs["left"], dirs["none"], c), c)
        vertical = z3.If(dy > 0, dirs["down"], z3.If(dy < 0, dirs["up"], dirs["none"], c), c)
        if long_axis:
            return z3.If(self._abs(dx) > self._abs(dy), horizontal, vertical, c)
        return z3.If(self._abs(dx) <= self._abs(dy), horizontal, vertical, c)

    def expr(self, e: Expr, law: Law, prefix: str) -> Any:
        """A Z3 term for ``e``; positions are (x, y) pairs of Int terms."""
        c = self.ctx
        kind = law.quantifier.kind if law.quantifier else None
        if isinstance(e, Const):
            if e.type == BOOL:
                return z3.BoolVal(e.value, c)
            if e.type == INT:
                return z3.IntVal(e.value, c)
            if e.type == FLOAT:
                return z3.RealVal(e.value, c)
            return self.values[e.type][e.value]
        if isinstance(e, Obs):
            if e.path == "player.pos":
                return (self.vars["player.pos.x"], self.vars["player.pos.y"])
            return self._global(e.path, e.type)
        if isinstance(e, EntityField):
            if e.name == "pos":
                return (self._entity_var(prefix, kind, "pos.x"), self._entity_var(prefix, kind, "pos.y"))
            return self._entity_var(prefix, kind, e.name)
        if isinstance(e, Tile):
            x, y = self.expr(e.pos, law, prefix)
            return self._tile(x, y, e.name)
        if isinstance(e, Unary):
            v = self.expr(e.operand, law, prefix)
            if e.op == "not":
                return z3.Not(v, c)
            if e.type == DIRECTION:
                dirs = self.values[DIRECTION]
                return z3.If(v == dirs["left"], dirs["right"], z3.If(v == dirs["right"], dirs["left"], z3.If(
                    v == dirs["up"], dirs["down"], z3.If(v == dirs["down"], dirs["up"], dirs["none"], c), c), c), c)
            return -v
        if isinstance(e, Member):
            item = self.expr(e.item, law, prefix)
            test = z3.Or(*[self._eq(item, self.expr(o, law, prefix)) for o in e.options], c)
            return z3.Not(test, c) if e.negated else test
        if isinstance(e, Binary):
            return self._binary(e, law, prefix)
        if isinstance(e, Call):
            return self._call(e, law, prefix)
        raise TypeError(f"cannot encode {e!r}")

    def _eq(self, a: Any, b: Any) -> Any:
        if isinstance(a, tuple):
            return z3.And(a[0] == b[0], a[1] == b[1], self.ctx)
        return a == b

    def _binary(self, e: Binary, law: Law, prefix: str) -> Any:
        c = self.ctx
        if e.op == "and":
            return z3.And(self.expr(e.left, law, prefix), self.expr(e.right, law, prefix), c)
        if e.op == "or":
            return z3.Or(self.expr(e.left, law, prefix), self.expr(e.right, law, prefix), c)
        left, right = self.expr(e.left, law, prefix), self.expr(e.right, law, prefix)
        if e.type == POS:
            dx, dy = self._vec(right)
            return (left[0] + dx, left[1] + dy)
        if e.op == "==":
            return self._eq(left, right)
        if e.op == "!=":
            return z3.Not(self._eq(left, right), c)
        if e.left.type != e.right.type and FLOAT in (e.left.type, e.right.type):
            left, right = _real(left), _real(right)
        ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               ">=": lambda a, b: a >= b, "+": lambda a, b: a + b, "-": lambda a, b: a - b,
               "*": lambda a, b: a * b}
        if e.op in ops:
            return ops[e.op](left, right)
        if e.op == "/":
            return _real(left) / _real(right)
        if e.op == "%":
            if e.type == INT:
                return left % right
            m = self.f_rmod(_real(left), _real(right))
            r = _real(right)
            self._side.append(z3.Implies(r > 0, z3.And(m >= 0, m < r, c), c))
            return m
        if e.op == "^":
            result = z3.IntVal(1, c) if e.type == INT else z3.RealVal(1, c)
            for _ in range(int(e.right.value)):  # type: ignore[union-attr]
                result = result * left
            return result
        raise TypeError(f"cannot encode operator {e.op}")

    def _call(self, e: Call, law: Law, prefix: str) -> Any:
        c = self.ctx
        kind = law.quantifier.kind if law.quantifier else None
        args = [a if isinstance(a, str) else self.expr(a, law, prefix) for a in e.args]
        f = e.func
        if f == "dist":
            p, q = args
            return self._abs(p[0] - q[0]) + self._abs(p[1] - q[1])
        if f in ("toward", "toward_short"):
            return self._toward(args[0], args[1], f == "toward")
        if f == "nearby":
            return self.f_nearby(self.values[MATERIAL][args[0]])
        if f == "count":
            k = self.values[KIND][args[0]]
            t = self.f_count(k) if len(args) == 1 else self.f_count_near(k, args[1][0], args[1][1], args[2])
            self._side.append(t >= 0)
            return t
        if f == "contested":
            x, y = args[0]
            mover = self._entity_var(prefix, kind, "id") if kind not in (None, CHUNK) else z3.IntVal(-1, c)
            return self.f_contested(x, y, mover)
        if f in ("entities_in", "tiles_in"):
            cx, cy = self._entity_var(prefix, CHUNK, "x"), self._entity_var(prefix, CHUNK, "y")
            if f == "entities_in":
                t = self.f_entities_in(cx, cy, self.values[KIND][args[1]])
            else:
                t = self.f_tiles_in(cx, cy, self.values[MATERIAL][args[1]])
                self._side.append(t <= CHUNK_SIZE * CHUNK_SIZE)
            self._side.append(t >= 0)
            return t
        if f == "abs":
            return self._abs(args[0])
        if f in ("min", "max"):
            a, b = args
            if e.type == FLOAT:
                a, b = _real(a), _real(b)
            return z3.If(a <= b, a, b, c) if f == "min" else z3.If(a >= b, a, b, c)
        if f == "cos":
            t = self.f_cos(_real(args[0]))
            self._side += [t >= -1, t <= 1]
            return t
        raise TypeError(f"cannot encode function {f}")

    def precondition(self, law: Law, prefix: str) -> Any:
        """The law's precondition as a Z3 term (cached: building terms is the slow part)."""
        key = (id(law), prefix)
        cached = self._pre_cache.get(key)
        if cached is None:
            mark = len(self._side)
            self._bind(law, prefix)
            term = z3.BoolVal(True, self.ctx) if law.when is None else self.expr(law.when, law, prefix)
            cached = (term, tuple(self._side[mark:]))
            self._pre_cache[key] = cached
        else:
            self._side.extend(cached[1])
        return cached[0]

    # ---- running questions ------------------------------------------------------------------------
    def _run(self, *formulas: Any, tracked: list[tuple[str, Any]] = ()) -> Answer:
        side, self._side = self._side, []
        self.solver.push()
        try:
            self.solver.add(*side, *formulas)
            for name, f in tracked:
                self.solver.assert_and_track(f, z3.Bool(name, self.ctx))
            result = self.solver.check()
            if result == z3.sat:
                return Answer("sat", self._model(self.solver.model()))
            if result == z3.unsat:
                core = tuple(str(b) for b in self.solver.unsat_core()) if tracked else ()
                return Answer("unsat", core=core)
            return Answer("unknown")
        finally:
            self.solver.pop()

    def _model(self, model: Any) -> dict[str, Any]:
        """The counterexample state: the variables the question mentioned and the lookups it made."""
        self._collect()
        out: dict[str, Any] = {}
        for name, v in sorted(self.vars.items()):
            if name in self._used:
                out[name] = _py(model.eval(v, model_completion=True))
        for term in self._apps.values():
            args = ", ".join(str(_py(model.eval(a, model_completion=True))) for a in term.children())
            out[f"{term.decl().name()}({args})"] = _py(model.eval(term, model_completion=True))
        return out

    def _track(self, *terms: Any) -> None:
        """Remember the question's terms; their variables are collected only if a model is shown."""
        self._terms = terms

    def _collect(self) -> None:
        """The variables and map lookups the tracked terms mention (each shared subterm once)."""
        names: set[str] = set()
        apps: dict[str, Any] = {}
        stack = list(self._terms)
        seen: set[int] = set()
        while stack:
            t = stack.pop()
            if isinstance(t, tuple | list):
                stack.extend(t)
                continue
            if not isinstance(t, z3.ExprRef):
                continue
            ident = t.get_id()
            if ident in seen:
                continue
            seen.add(ident)
            decl = t.decl()
            if decl.kind() == z3.Z3_OP_UNINTERPRETED:
                if z3.is_const(t):
                    names.add(decl.name())
                elif decl.name() in ("material_at", "entity_at", "nearby", "count", "count_near",
                                     "contested", "entities_in", "tiles_in") and len(apps) < 40:
                    apps[str(t)] = t
            stack.extend(t.children())
        self._used = names
        self._apps = apps

    def satisfiable(self, law: Law) -> Answer:
        """Can the law's precondition hold on some observation? The model is such a state."""
        pre = self.precondition(law, "e")
        conjuncts = _conjuncts(law.when)
        tracked = []
        if conjuncts and len(conjuncts) > 1:
            tracked = [(f"when[{i}]: {_short(c)}", self.expr(c, law, "e")) for i, c in enumerate(conjuncts)]
        self._track(pre, *(t for _, t in tracked))
        if tracked:
            return self._run(tracked=tracked)
        return self._run(pre)

    def overlap(self, a: Law, wa: Write, b: Law, wb: Write) -> Answer:
        """Can both laws be active on one (s, a) while their deterministic writes to the same
        attribute disagree? The model is the conflicting state."""
        same_entity = wa.attribute.split(".")[0] in self.schema.entity_kinds
        pa, pb = ("e", "e") if same_entity else ("a", "b")
        pre_a, pre_b = self.precondition(a, pa), self.precondition(b, pb)
        key_a, val_a = self._write(a, wa, pa)
        key_b, val_b = self._write(b, wb, pb)
        same_key = z3.And(*[ka == kb for ka, kb in zip(key_a, key_b, strict=True)], self.ctx) if key_a else True
        differ = z3.Not(self._eq(val_a, val_b), self.ctx)
        self._track(pre_a, pre_b, val_a, val_b, *key_a, *key_b)
        return self._run(pre_a, pre_b, same_key, differ)

    def subsumes(self, general: Law, specific: Law) -> Answer:
        """Is every state where ``specific`` fires one where ``general`` fires? 'unsat' means yes;
        the model, asked separately, is a state where both fire."""
        pre_s, pre_g = self.precondition(specific, "e"), self.precondition(general, "e")
        self._track(pre_s, pre_g)
        verdict = self._run(pre_s, z3.Not(pre_g, self.ctx))
        if verdict.status != "unsat":
            return Answer("sat" if verdict.status == "sat" else "unknown", verdict.model)
        pre_s, pre_g = self.precondition(specific, "e"), self.precondition(general, "e")
        witness = self._run(pre_s, pre_g)
        return Answer("unsat", witness.model)

    def stays_in_range(self, law: Law, w: Write) -> Answer:
        """Can an '=' effect (or a tile write) leave the schema's range? 'sat' means it can; the
        model is the state where it does."""
        pre = self.precondition(law, "e")
        kind = law.quantifier.kind if law.quantifier else None
        if w.op == "=" and hasattr(w.target, "name") and w.target.__class__.__name__ == "Tile":
            x, y = self.expr(w.target.pos, law, "e")
            self._track(pre, x, y)
            return self._run(pre, z3.Not(self._inside(x, y), self.ctx))
        if w.op == "=" and isinstance(w.target, Obs) and w.target.path == "player.pos":
            x, y = self.expr(w.value, law, "e")
            self._track(pre, x, y)
            return self._run(pre, z3.Not(self._inside(x, y), self.ctx))
        if w.op == "=" and isinstance(w.target, EntityField) and w.target.name == "pos":
            x, y = self.expr(w.value, law, "e")
            self._track(pre, x, y)
            return self._run(pre, z3.Not(self._inside(x, y), self.ctx))
        rng = attribute_range(self.schema, w.target, kind) if w.op == "=" else None
        if rng is None or w.value is None:
            return Answer("unsat")
        v = self.expr(w.value, law, "e")
        self._track(pre, v)
        return self._run(pre, z3.Or(v < rng[0], v > rng[1], self.ctx))

    def _write(self, law: Law, w: Write, prefix: str) -> tuple[tuple[Any, ...], Any]:
        """(key terms, value term) of a deterministic write, for comparing two laws."""
        kind = law.quantifier.kind if law.quantifier else None
        if w.op == "move":
            d = self.expr(w.value, law, prefix)
            dx, dy = self._vec(d)
            if w.target == "player":
                x, y = self.vars["player.pos.x"], self.vars["player.pos.y"]
            else:
                x, y = self._entity_var(prefix, kind, "pos.x"), self._entity_var(prefix, kind, "pos.y")
            m = self.f_material(x + dx, y + dy)
            free = z3.And(self.f_entity(x + dx, y + dy) == self.values[KIND]["none"],
                          m != self.values[MATERIAL]["none"], self.ctx)
            return (), (z3.If(free, x + dx, x, self.ctx), z3.If(free, y + dy, y, self.ctx))
        if w.op == "remove":
            return (), z3.BoolVal(False, self.ctx)
        t = w.target
        value = self.expr(w.value, law, prefix)
        if isinstance(t, Tile):
            x, y = self.expr(t.pos, law, prefix)
            return (x, y), value
        if t.type == FLOAT:
            value = _real(value)
        return (), value


def _real(v: Any) -> Any:
    return z3.ToReal(v) if z3.is_int(v) else v


def _py(value: Any) -> Any:
    if z3.is_int_value(value):
        return value.as_long()
    if z3.is_rational_value(value):
        return float(value.as_fraction())
    if z3.is_true(value):
        return True
    if z3.is_false(value):
        return False
    if z3.is_algebraic_value(value):
        return float(value.approx(10).as_fraction())
    return str(value).removesuffix("_sort")


def _conjuncts(e: Expr | None) -> list[Expr]:
    if e is None:
        return []
    if isinstance(e, Binary) and e.op == "and":
        return _conjuncts(e.left) + _conjuncts(e.right)
    return [e]


def _short(e: Expr) -> str:
    from laws.printer import expr
    text = expr(e)
    return text if len(text) <= 80 else text[:77] + "..."
