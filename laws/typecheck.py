"""The semantic pass: lark parse tree -> typed AST, every name resolved against the schema.

Names are resolved here and not in the grammar, so the grammar stays small and an unknown attribute
gets a precise message (with a "did you mean") instead of a syntax error.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from lark import Token, Tree

from crafter_oo.observation import Schema
from laws import builtins as B
from laws.ast import (
    BOOL,
    CHUNK,
    DIRECTION,
    ENUMS,
    FLOAT,
    INT,
    KIND,
    MATERIAL,
    MAX_DEPTH,
    NUMERIC,
    POS,
    Add,
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
    Nothing,
    Obs,
    OneOf,
    Param,
    Quantifier,
    Remove,
    Tile,
    Unary,
    Walkable,
    WithProbability,
)
from laws.errors import LawError, line_of

ENUM_PENDING = "enum?"  # a bare name that must be an enum value; its type comes from the other operand


def enum_values(schema: Schema) -> dict[str, tuple[str, ...]]:
    """The values of each enum type in the language."""
    return {
        MATERIAL: schema.materials,
        DIRECTION: (*schema.directions, "none"),
        KIND: ("player", *schema.entity_kinds, "none"),
        "action": schema.actions,
    }


def attribute_range(schema: Schema, target: Obs | EntityField | Tile, kind: str | None) -> tuple[float, float] | None:
    """The schema's inclusive range for an int/float target, used for clamping and range checks."""
    if isinstance(target, Obs):
        path = target.path
    elif isinstance(target, EntityField):
        path = f"entity.{target.name}" if target.name in ("health", "pos.x", "pos.y") else f"{kind}.{target.name}"
    else:
        return None
    attr = schema.attributes.get(path)
    if attr is None or attr.lo is None or attr.hi is None:
        return None
    return (attr.lo, attr.hi)


@dataclass
class _Scope:
    file: str | None
    text: str
    schema: Schema
    params: dict[str, Param] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    var: str | None = None
    kind: str | None = None


def _where(node: Tree | Token) -> tuple[int | None, int | None]:
    if isinstance(node, Token):
        return node.line, node.column
    meta = node.meta
    return (getattr(meta, "line", None), getattr(meta, "column", None))


def _fail(scope: _Scope, node: Tree | Token, message: str, hint: str = "") -> LawError:
    line, column = _where(node)
    return LawError(message, file=scope.file, line=line, column=column, hint=hint,
                    source_line=line_of(scope.text, line))


def _suggest(name: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _number(token: Token) -> int | float:
    text = str(token)
    return float(text) if "." in text else int(text)


class TypeChecker:
    """Turns one file's parse tree into typed ``Law`` and ``Walkable`` nodes."""

    def __init__(self, schema: Schema, file: str | None, text: str) -> None:
        self.schema = schema
        self.file = file
        self.text = text
        self.enums = enum_values(schema)

    # ---- top level -------------------------------------------------------------------------------
    def file_items(self, tree: Tree) -> tuple[list[Law], list[Walkable]]:
        laws: list[Law] = []
        walkable: list[Walkable] = []
        seen: dict[str, Tree] = {}
        for item in tree.children:
            if item.data == "walkable":
                walkable.append(self.walkable(item))
            else:
                law = self.law(item)
                if law.name in seen:
                    raise _fail(_Scope(self.file, self.text, self.schema), item,
                                f"law {law.name!r} is defined twice", hint="give every law its own name")
                seen[law.name] = item
                laws.append(law)
        return laws, walkable

    def walkable(self, tree: Tree) -> Walkable:
        scope = _Scope(self.file, self.text, self.schema)
        kinds_tree, materials_tree = tree.children
        kinds = []
        for tok in kinds_tree.children:
            if tok not in ("player", *self.schema.entity_kinds):
                raise _fail(scope, tok, f"unknown entity kind {str(tok)!r}",
                            _suggest(tok, ("player", *self.schema.entity_kinds)))
            kinds.append(str(tok))
        materials = []
        for tok in materials_tree.children:
            if tok not in self.schema.materials:
                raise _fail(scope, tok, f"unknown material {str(tok)!r}", _suggest(tok, self.schema.materials))
            materials.append(str(tok))
        return Walkable(tuple(kinds), tuple(materials))

    def law(self, tree: Tree) -> Law:
        scope = _Scope(self.file, self.text, self.schema)
        name_tok = tree.children[0]
        rest = tree.children[1:]
        params: list[Param] = []
        quantifier = None
        when = None
        effects: tuple[Effect, ...] = ()
        for child in rest:
            if child is None:
                continue
            if child.data == "params":
                params = [self.param(scope, p) for p in child.children if p is not None]
            elif child.data == "quantifier":
                kind_tok, var_tok = child.children
                kinds = (*self.schema.entity_kinds, "chunk")
                if kind_tok not in kinds:
                    raise _fail(scope, kind_tok, f"unknown entity kind {str(kind_tok)!r} after `for each`",
                                _suggest(kind_tok, kinds) or f"kinds are: {', '.join(kinds)}")
                if var_tok in ("player", "facing", "action", "step", "daylight", *scope.params):
                    raise _fail(scope, var_tok, f"{str(var_tok)!r} cannot name an entity variable")
                scope.var, scope.kind = str(var_tok), str(kind_tok)
                quantifier = Quantifier(str(kind_tok), str(var_tok))
            elif child.data == "when":
                when = self.expr(scope, child.children[0])
                if when.type != BOOL:
                    raise _fail(scope, child, f"a `when` condition must be a bool, not {when.type}")
            elif child.data == "effects":
                effects = self.effects(scope, child)
        for p in params:
            if p.name not in scope.used:
                raise _fail(scope, name_tok, f"parameter {p.name!r} of law {str(name_tok)!r} is never used",
                            hint="use it in `with probability p:` or `one of p:`, or remove it")
        return Law(str(name_tok), tuple(params), quantifier, when, effects, file=self.file, line=name_tok.line)

    def param(self, scope: _Scope, tree: Tree) -> Param:
        name, prior, *args = tree.children
        if name in scope.params:
            raise _fail(scope, name, f"parameter {str(name)!r} is declared twice")
        values = tuple(float(_number(a)) for a in args)
        if prior == "beta":
            if len(values) != 2:
                raise _fail(scope, prior, f"beta takes 2 arguments, got {len(values)}", hint="beta(a, b)")
        elif prior == "dirichlet":
            if len(values) < 2:
                raise _fail(scope, prior, "dirichlet takes at least 2 arguments", hint="dirichlet(1, 1, 1)")
        else:
            raise _fail(scope, prior, f"unknown prior {str(prior)!r}",
                        hint="priors are beta(a, b) and dirichlet(a1, ..., an)")
        for a, v in zip(args, values, strict=True):
            if v <= 0:
                raise _fail(scope, a, "prior concentrations must be positive")
        param = Param(str(name), str(prior), values)
        scope.params[param.name] = param
        return param

    # ---- effects -----------------------------------------------------------------------------------
    def effects(self, scope: _Scope, tree: Tree) -> tuple[Effect, ...]:
        return tuple(self.effect(scope, e) for e in tree.children)

    def branch(self, scope: _Scope, tree: Tree) -> tuple[Effect, ...]:
        return self.effects(scope, tree) if tree.data == "effects" else (self.effect(scope, tree),)

    def _use_param(self, scope: _Scope, tok: Token, prior: str) -> Param:
        param = scope.params.get(str(tok))
        if param is None:
            raise _fail(scope, tok, f"unknown parameter {str(tok)!r}",
                        _suggest(tok, list(scope.params)) or "declare it: law NAME(p ~ beta(1, 1)): ...")
        if param.prior != prior:
            usage = "with probability" if prior == "beta" else "one of"
            raise _fail(scope, tok, f"`{usage}` needs a {prior} parameter; {param.name!r} is {param.prior}")
        scope.used.add(param.name)
        return param

    def effect(self, scope: _Scope, tree: Tree) -> Effect:
        kind = tree.data
        if kind == "nothing":
            return Nothing()
        if kind == "with_probability":
            tok, body = tree.children
            self._use_param(scope, tok, "beta")
            return WithProbability(str(tok), self.branch(scope, body))
        if kind == "one_of":
            tok, *branches = tree.children
            param = self._use_param(scope, tok, "dirichlet")
            if len(param.args) != len(branches):
                raise _fail(scope, tok, f"{param.name!r} has {len(param.args)} components but `one of` has "
                            f"{len(branches)} branches", hint="give dirichlet one concentration per branch")
            return OneOf(str(tok), tuple(self.branch(scope, b) for b in branches))
        if kind == "remove":
            (tok,) = tree.children
            if tok != scope.var or scope.kind == "chunk":
                raise _fail(scope, tok, f"`remove` takes the law's entity variable, not {str(tok)!r}",
                            hint="quantify it: for each zombie z ... then remove z")
            return Remove(str(tok))
        if kind == "add":
            (tok,) = tree.children
            if tok not in self.schema.entity_kinds:
                raise _fail(scope, tok, f"unknown entity kind {str(tok)!r}", _suggest(tok, self.schema.entity_kinds))
            return Add(str(tok))
        if kind == "move":
            var_tok, _move, direction_tree = tree.children
            if var_tok != "player" and (var_tok != scope.var or scope.kind == "chunk"):
                raise _fail(scope, var_tok, f"only the player or the law's entity can move, not {str(var_tok)!r}")
            direction = self.expr(scope, direction_tree)
            direction = self._coerce(scope, direction_tree, direction, DIRECTION)
            return Move(str(var_tok), direction)
        if kind == "assign":
            ref_tree, op, value_tree = tree.children
            target = self.ref(scope, ref_tree)
            if isinstance(target, Tile) and target.name != "material":
                raise _fail(scope, ref_tree, "only a tile's material can be set",
                            hint="entities change through their own variable, `move`, `remove` or `add`")
            if isinstance(target, EntityField) and target.name in ("id", "kind", "pos.x", "pos.y"):
                raise _fail(scope, ref_tree, f"an entity's {target.name} cannot be set",
                            hint="use c.move(direction) or c.pos = ...")
            if isinstance(target, EntityField) and scope.kind == "chunk":
                raise _fail(scope, ref_tree, "a chunk's fields cannot be set")
            if isinstance(target, Obs) and target.path in ("action", "player.pos.x", "player.pos.y"):
                raise _fail(scope, ref_tree, f"{target.path} cannot be set",
                            hint="the player moves with player.move(direction) or player.pos = ...")
            value = self.expr(scope, value_tree)
            value = self._coerce(scope, value_tree, value, target.type)
            if op != "=" and target.type not in NUMERIC:
                raise _fail(scope, op, f"{op} needs a number, but the target is a {target.type}",
                            hint="use = for materials, directions and flags")
            rng = attribute_range(self.schema, target, scope.kind)
            if op == "=" and rng is not None and isinstance(value, Const) and not rng[0] <= value.value <= rng[1]:
                raise _fail(scope, value_tree,
                            f"{value.value} is outside the range {rng[0]:g}..{rng[1]:g} of the target")
            return Assign(target, str(op), value)
        raise _fail(scope, tree, f"unexpected effect {kind}")

    def ref(self, scope: _Scope, tree: Tree) -> Obs | EntityField | Tile:
        if tree.data == "call_ref":
            func, arg, *fields = tree.children
            if func != "tile":
                raise _fail(scope, func, f"{func!s}(...) cannot be assigned to", hint="assign to tile(pos).material")
            pos = self._coerce(scope, arg, self.expr(scope, arg), POS)
            return self._tile(scope, tree, pos, [str(f) for f in fields])
        names = [str(t) for t in tree.children]
        if len(names) == 1 and names[0] in B.GLOBALS:
            result: Expr = Obs(names[0], B.GLOBALS[names[0]])
            if names[0] == "action":
                raise _fail(scope, tree, "the action cannot be set")
            return result
        result = self._chain(scope, tree, names[0], names[1:])
        if not isinstance(result, Obs | EntityField | Tile) or result.type == CHUNK:
            raise _fail(scope, tree, f"{'.'.join(names)} cannot be assigned to")
        if isinstance(result, Obs) and result.path == "player.pos":
            return result
        return result

    # ---- expressions ------------------------------------------------------------------------------
    def expr(self, scope: _Scope, tree: Tree | Token) -> Expr:
        result = self._expr(scope, tree)
        if result.depth > MAX_DEPTH:
            raise _fail(scope, tree, f"expression nested deeper than {MAX_DEPTH} levels",
                        hint="split the condition into simpler laws")
        return result

    def _expr(self, scope: _Scope, tree: Tree | Token) -> Expr:
        kind = tree.data
        ch = tree.children
        if kind == "number":
            value = _number(ch[0])
            return Const(value, INT if isinstance(value, int) else FLOAT)
        if kind == "true":
            return Const(True, BOOL)
        if kind == "false":
            return Const(False, BOOL)
        if kind == "name":
            return self._name(scope, ch[0])
        if kind == "attr":
            base, names = tree, []
            while isinstance(base, Tree) and base.data == "attr":
                names.append(str(base.children[1]))
                base = base.children[0]
            names.reverse()
            if base.data == "name":
                return self._chain(scope, tree, str(base.children[0]), names)
            if base.data == "call" and base.children[0] == "tile":
                args = [a for a in base.children[1:] if a is not None]
                if len(args) != 1:
                    raise _fail(scope, base, "tile takes one position", hint="tile(c.pos + left).material")
                pos = self._coerce(scope, args[0], self.expr(scope, args[0]), POS)
                return self._tile(scope, tree, pos, names)
            inner = self.expr(scope, base)
            if inner.type == POS and names in (["x"], ["y"]):
                raise _fail(scope, tree, "read coordinates from a variable: player.pos.x or c.pos.y")
            raise _fail(scope, tree, f"a {inner.type} has no field {'.'.join(names)!r}")
        if kind == "call":
            return self._call(scope, tree)
        if kind == "neg":
            operand = self.expr(scope, ch[0])
            if operand.type not in (*NUMERIC, DIRECTION):
                raise _fail(scope, tree, f"cannot negate a {operand.type}")
            if isinstance(operand, Const) and operand.type in NUMERIC:
                return Const(-operand.value, operand.type)
            return Unary("-", operand, operand.type)
        if kind == "not_":
            operand = self._bool(scope, ch[0])
            return Unary("not", operand, BOOL)
        if kind in ("or_expr", "and_expr"):
            op = "or" if kind == "or_expr" else "and"
            result = self._bool(scope, ch[0])
            for c in ch[1:]:
                result = Binary(op, result, self._bool(scope, c), BOOL)
                self._depth(scope, c, result)
            return result
        if kind in ("sum", "product"):
            result = self.expr(scope, ch[0])
            for op, c in zip(ch[1::2], ch[2::2], strict=True):
                result = self._arith(scope, op, str(op), result, self.expr(scope, c))
                self._depth(scope, c, result)
            return result
        if kind == "pow":
            base = self.expr(scope, ch[0])
            exponent = self.expr(scope, ch[1])
            if base.type not in NUMERIC:
                raise _fail(scope, tree, f"cannot raise a {base.type} to a power")
            if not (isinstance(exponent, Const) and exponent.type == INT and 0 <= exponent.value <= 8):
                raise _fail(scope, ch[1], "an exponent must be an integer literal 0..8")
            return Binary("^", base, exponent, base.type)
        if kind == "compare":
            left, op, right = ch
            return self._compare(scope, tree, str(op), self.expr(scope, left), self.expr(scope, right), left, right)
        if kind in ("member", "not_member"):
            item_tree, set_tree = ch
            item = self.expr(scope, item_tree)
            options = []
            for o in set_tree.children:
                value = self.expr(scope, o)
                if item.type == ENUM_PENDING:
                    raise _fail(scope, item_tree, f"{item.value!r} is not an attribute",
                                hint="the left of `in` must be an attribute, like facing.material")
                options.append(self._coerce(scope, o, value, item.type))
            return Member(item, tuple(options), kind == "not_member")
        raise _fail(scope, tree, f"unexpected expression {kind}")

    def _depth(self, scope: _Scope, node: Tree | Token, result: Expr) -> None:
        if result.depth > MAX_DEPTH:
            raise _fail(scope, node, f"expression nested deeper than {MAX_DEPTH} levels",
                        hint="split the condition into simpler laws")

    def _bool(self, scope: _Scope, tree: Tree) -> Expr:
        value = self.expr(scope, tree)
        self._known(scope, tree, value)
        if value.type != BOOL:
            raise _fail(scope, tree, f"expected a condition (bool), got a {value.type}",
                        hint="comparisons use ==, effects use =, += or -=")
        return value

    def _arith(self, scope: _Scope, node: Token, op: str, left: Expr, right: Expr) -> Expr:
        if op in "+-" and left.type == POS:
            right = self._coerce(scope, node, right, DIRECTION)
            if op == "-":
                right = Unary("-", right, DIRECTION)
            return Binary("+", left, right, POS)
        for side in (left, right):
            self._known(scope, node, side)
            if side.type not in NUMERIC:
                raise _fail(scope, node, f"{op} needs numbers, got a {side.type}",
                            hint="a tile next to a position is `pos + direction`")
        if op == "/":
            return Binary(op, left, right, FLOAT)
        result_type = FLOAT if FLOAT in (left.type, right.type) else INT
        return Binary(op, left, right, result_type)

    def _known(self, scope: _Scope, node: Tree | Token, value: Expr) -> None:
        if value.type == ENUM_PENDING:
            raise _fail(scope, node, f"unknown name {value.value!r}",
                        _suggest(str(value.value), self._attribute_names()))

    def _compare(self, scope: _Scope, node: Tree, op: str, left: Expr, right: Expr,
                 left_tree: Tree, right_tree: Tree) -> Expr:
        if left.type == ENUM_PENDING and right.type == ENUM_PENDING:
            raise _fail(scope, left_tree, f"neither {left.value!r} nor {right.value!r} is an attribute",
                        _suggest(str(left.value), self._attribute_names()))
        if left.type == ENUM_PENDING:
            left = self._coerce(scope, left_tree, left, right.type)
        else:
            right = self._coerce(scope, right_tree, right, left.type)
        if op not in ("==", "!=") and left.type not in NUMERIC:
            raise _fail(scope, node, f"{op} compares numbers, not {left.type}s", hint="use == or !=")
        return Binary(op, left, right, BOOL)

    def _coerce(self, scope: _Scope, node: Tree | Token, value: Expr, expected: str) -> Expr:
        """Check that ``value`` fits type ``expected``; a bare name becomes that enum's value."""
        if value.type == ENUM_PENDING:
            if expected not in ENUMS:
                raise _fail(scope, node, f"unknown name {value.value!r}",
                            _suggest(str(value.value), self._attribute_names() + list(scope.params)))
            values = self.enums[expected]
            if value.value not in values:
                raise _fail(scope, node, f"{value.value!r} is not a {expected}",
                            _suggest(str(value.value), values) or f"{expected}s are: {', '.join(values)}")
            return Const(value.value, expected)
        if value.type == expected or (expected == FLOAT and value.type == INT):
            return value
        raise _fail(scope, node, f"expected a {expected}, got a {value.type}")

    def _attribute_names(self) -> list[str]:
        return ["player", "facing", "action", "step", "daylight", *self.schema.attributes]

    def _name(self, scope: _Scope, tok: Token) -> Expr:
        name = str(tok)
        if name in B.GLOBALS:
            return Obs(name, B.GLOBALS[name])
        if name in ("player", "facing") or (name == scope.var):
            raise _fail(scope, tok, f"{name!r} needs a field", hint=f"for example {name}.pos")
        if name in scope.params:
            raise _fail(scope, tok, f"parameter {name!r} cannot be used in an expression",
                        hint="parameters appear only in `with probability p:` and `one of p:`")
        return Const(name, ENUM_PENDING)

    def _chain(self, scope: _Scope, node: Tree, base: str, names: list[str]) -> Expr:
        dotted = ".".join(names)
        if base == "player":
            if dotted in B.PLAYER_FIELDS:
                return Obs(f"player.{dotted}", B.PLAYER_FIELDS[dotted])
            path = f"player.{dotted}"
            attr = self.schema.attributes.get(path)
            if attr is None:
                raise _fail(scope, node, f"unknown attribute {path!r}",
                            _suggest(path, [a for a in self.schema.attributes if a.startswith("player.")]))
            return Obs(path, attr.type)
        if base == "facing":
            front = Binary("+", Obs("player.pos", POS), Obs("player.facing", DIRECTION), POS)
            if dotted == "pos":
                return front
            return self._tile(scope, node, front, names)
        if base == scope.var and scope.var is not None:
            if scope.kind == "chunk":
                if dotted not in B.CHUNK_FIELDS:
                    raise _fail(scope, node, f"a chunk has no field {dotted!r}", hint="chunks have x and y")
                return EntityField(base, dotted, B.CHUNK_FIELDS[dotted])
            if dotted in B.ENTITY_FIELDS:
                return EntityField(base, dotted, B.ENTITY_FIELDS[dotted])
            attr = self.schema.attributes.get(f"{scope.kind}.{dotted}")
            if attr is None:
                options = list(B.ENTITY_FIELDS) + [a.split(".", 1)[1] for a in self.schema.attributes
                                                   if a.startswith(f"{scope.kind}.")]
                raise _fail(scope, node, f"a {scope.kind} has no field {dotted!r}", _suggest(dotted, options))
            return EntityField(base, dotted, attr.type)
        if base in B.GLOBALS:
            raise _fail(scope, node, f"{base} has no fields")
        raise _fail(scope, node, f"unknown name {base!r}",
                    _suggest(base, ["player", "facing", *([scope.var] if scope.var else [])])
                    or "quantify entities with `for each KIND var`")

    def _tile(self, scope: _Scope, node: Tree, pos: Expr, names: list[str]) -> Expr:
        dotted = ".".join(names)
        if dotted not in B.TILE_FIELDS:
            raise _fail(scope, node, f"a tile has no field {dotted!r}", hint="tiles have material and entity")
        return Tile(pos, dotted, B.TILE_FIELDS[dotted])

    def _call(self, scope: _Scope, tree: Tree) -> Expr:
        func_tok, *arg_trees = tree.children
        arg_trees = [a for a in arg_trees if a is not None]
        func = str(func_tok)
        if func == "tile":
            raise _fail(scope, tree, "tile(pos) needs a field", hint="tile(pos).material or tile(pos).entity")
        if func not in B.FUNCTIONS:
            raise _fail(scope, func_tok, f"unknown function {func!r}", _suggest(func, list(B.FUNCTIONS)))
        signatures, result = B.FUNCTIONS[func]
        signature = next((s for s in signatures if len(s) == len(arg_trees)), None)
        if signature is None:
            counts = " or ".join(str(len(s)) for s in signatures)
            raise _fail(scope, tree, f"{func} takes {counts} arguments, got {len(arg_trees)}")
        args: list[Expr | str] = []
        numeric: list[str] = []
        for expected, arg_tree in zip(signature, arg_trees, strict=True):
            if expected == CHUNK:
                if not (isinstance(arg_tree, Tree) and arg_tree.data == "name"
                        and arg_tree.children[0] == scope.var and scope.kind == "chunk"):
                    raise _fail(scope, arg_tree, f"{func} takes the law's chunk variable",
                                hint="for each chunk k ... entities_in(k, zombie)")
                args.append(str(scope.var))
                continue
            value = self.expr(scope, arg_tree)
            if expected.endswith("!"):
                enum = expected[:-1]
                if not (isinstance(value, Const) and value.type == ENUM_PENDING):
                    raise _fail(scope, arg_tree, f"{func} takes a {enum} name here")
                const = self._coerce(scope, arg_tree, value, enum)
                args.append(str(const.value))
            elif expected == "num":
                if value.type not in NUMERIC:
                    raise _fail(scope, arg_tree, f"{func} takes numbers, got a {value.type}")
                numeric.append(value.type)
                args.append(value)
            else:
                args.append(self._coerce(scope, arg_tree, value, expected))
        if result == "num":
            result = FLOAT if FLOAT in numeric else INT
        return Call(func, tuple(args), result)
