"""Typed AST -> canonical law text. ``parse(pretty(x)) == x`` for every law set the parser accepts."""

from __future__ import annotations

from decimal import Decimal

from laws.ast import (
    BOOL,
    DIRECTION,
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
    LawSet,
    Member,
    Move,
    Nothing,
    Obs,
    OneOf,
    Remove,
    Tile,
    Unary,
    Walkable,
    WithProbability,
)

# Binding strength, weakest first; mirrors the grammar's rule nesting.
_LEVEL = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "neg": 7, "^": 8}
_ATOM = 9
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


def _number(value: int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def _is_facing(pos: Expr) -> bool:
    return (isinstance(pos, Binary) and pos.op == "+" and pos.left == Obs("player.pos", POS)
            and pos.right == Obs("player.facing", DIRECTION))


def _level(e: Expr) -> int:
    if isinstance(e, Const):
        negative = isinstance(e.value, int | float) and not isinstance(e.value, bool) and e.value < 0
        return _LEVEL["neg"] if negative else _ATOM
    if isinstance(e, Unary):
        return _LEVEL["not"] if e.op == "not" else _LEVEL["neg"]
    if isinstance(e, Binary):
        if e.op in _COMPARISONS:
            return _LEVEL["cmp"]
        if e.type == POS:
            return _ATOM if _is_facing(e) else _LEVEL["+"]
        return _LEVEL[e.op]
    if isinstance(e, Member):
        return _LEVEL["cmp"]
    return _ATOM


def expr(e: Expr) -> str:
    """One expression, with the fewest parentheses that parse back to the same tree."""
    if isinstance(e, Const):
        if e.type == BOOL:
            return "true" if e.value else "false"
        if isinstance(e.value, str):
            return e.value
        return _number(e.value)
    if isinstance(e, Obs):
        return e.path
    if isinstance(e, EntityField):
        return f"{e.var}.{e.name}"
    if isinstance(e, Tile):
        if _is_facing(e.pos):
            return f"facing.{e.name}"
        return f"tile({expr(e.pos)}).{e.name}"
    if isinstance(e, Call):
        return f"{e.func}({', '.join(a if isinstance(a, str) else expr(a) for a in e.args)})"
    if isinstance(e, Unary):
        if e.op == "not":
            return "not " + _wrap(e.operand, _LEVEL["not"])
        return "-" + _wrap(e.operand, _LEVEL["neg"])
    if isinstance(e, Member):
        options = ", ".join(expr(o) for o in e.options)
        return f"{_wrap(e.item, _LEVEL['+'])} {'not in' if e.negated else 'in'} {{{options}}}"
    if isinstance(e, Binary):
        if e.type == POS:
            if _is_facing(e):
                return "facing.pos"
            if isinstance(e.right, Unary) and e.right.op == "-":
                return f"{_wrap(e.left, _LEVEL['+'])} - {_wrap(e.right.operand, _LEVEL['*'])}"
            return f"{_wrap(e.left, _LEVEL['+'])} + {_wrap(e.right, _LEVEL['*'])}"
        if e.op in _COMPARISONS:
            return f"{_wrap(e.left, _LEVEL['+'])} {e.op} {_wrap(e.right, _LEVEL['+'])}"
        if e.op == "^":
            return f"{_wrap(e.left, _ATOM)} ^ {_wrap(e.right, _LEVEL['neg'])}"
        level = _LEVEL[e.op]
        return f"{_wrap(e.left, level)} {e.op} {_wrap(e.right, level + 1)}"
    raise TypeError(f"not an expression: {e!r}")


def _wrap(e: Expr, minimum: int) -> str:
    text = expr(e)
    return text if _level(e) >= minimum else f"({text})"


def _target(t: Obs | EntityField | Tile) -> str:
    return expr(t)


def effect(e: Effect) -> str:
    if isinstance(e, Assign):
        return f"{_target(e.target)} {e.op} {expr(e.value)}"
    if isinstance(e, Move):
        return f"{e.var}.move({expr(e.direction)})"
    if isinstance(e, Remove):
        return f"remove {e.var}"
    if isinstance(e, Add):
        return f"add {e.kind}"
    if isinstance(e, Nothing):
        return "nothing"
    if isinstance(e, WithProbability):
        return f"with probability {e.param}: {_branch(e.body)}"
    if isinstance(e, OneOf):
        return f"one of {e.param}: " + " | ".join(_branch(b) for b in e.branches)
    raise TypeError(f"not an effect: {e!r}")


def _branch(effects: tuple[Effect, ...]) -> str:
    if len(effects) == 1 and isinstance(effects[0], Assign | Move | Remove | Add | Nothing):
        return effect(effects[0])
    return "(" + "; ".join(effect(e) for e in effects) + ")"


def law(x: Law) -> str:
    """One law in the canonical layout: header, then `for each`, `when` and `then` lines."""
    params = ""
    if x.params:
        params = "(" + ", ".join(f"{p.name} ~ {p.prior}({', '.join(_number(_int(a)) for a in p.args)})"
                                 for p in x.params) + ")"
    lines = [f"law {x.name}{params}:"]
    if x.quantifier is not None:
        lines.append(f"    for each {x.quantifier.kind} {x.quantifier.var}")
    if x.when is not None:
        lines.append(f"    when {expr(x.when)}")
    body = [effect(e) for e in x.effects]
    lines.append("    then " + body[0] + (";" if len(body) > 1 else ""))
    for i, text in enumerate(body[1:], start=2):
        lines.append("         " + text + (";" if i < len(body) else ""))
    return "\n".join(lines)


def _int(a: float) -> int | float:
    return int(a) if float(a).is_integer() else a


def walkable(w: Walkable) -> str:
    return f"walkable {', '.join(w.kinds)}: {', '.join(w.materials)}"


def pretty(x: LawSet | Law | Expr | Effect) -> str:
    """Canonical text for a law set, a law, an expression or an effect."""
    if isinstance(x, LawSet):
        parts = [walkable(w) for w in x.walkable]
        text = "\n".join(parts)
        laws = "\n\n".join(law(item) for item in x.laws)
        return (text + "\n\n" if text else "") + laws + "\n"
    if isinstance(x, Law):
        return law(x) + "\n"
    if isinstance(x, Walkable):
        return walkable(x)
    try:
        return effect(x)  # type: ignore[arg-type]
    except TypeError:
        return expr(x)  # type: ignore[arg-type]
