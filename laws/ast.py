"""The typed AST of the law language: frozen dataclasses, compared by structure.

The parser produces these only after every name is resolved against the schema, so a node already
knows its type: ``Obs('player.inventory.wood', 'int')`` is an observation attribute, ``EntityField``
reads a quantified entity, ``Tile`` reads a map tile. Source positions are kept out of equality, so
a pretty-printed law parses back to an equal AST.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

# Value types: the schema's attribute types plus positions, entity and chunk variables.
INT, FLOAT, BOOL = "int", "float", "bool"
MATERIAL, DIRECTION, KIND, ACTION = "material", "direction", "kind", "action"
POS, ENTITY, CHUNK = "pos", "entity", "chunk"
NUMERIC = (INT, FLOAT)
ENUMS = (MATERIAL, DIRECTION, KIND, ACTION)

MAX_DEPTH = 64  # deeper expressions are rejected: no law needs them and recursion must stay bounded


def _depth(*children: object) -> int:
    return 1 + max((getattr(c, "depth", 0) for c in children), default=0)


@dataclass(frozen=True, slots=True)
class Const:
    """A literal: a number, a bool, or an enum value (a material, direction, kind, action or 'none')."""

    value: int | float | bool | str
    type: str
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Obs:
    """An attribute of the observation that needs no variable: step, daylight, action, player.*."""

    path: str
    type: str
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class EntityField:
    """A field of the law's quantified entity or chunk (``c.pos``, ``c.health``, ``k.x``)."""

    var: str
    name: str
    type: str
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Tile:
    """A map tile's ``material`` or the kind of ``entity`` on it ('player', 'none' when empty)."""

    pos: Expr
    name: str
    type: str
    depth: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", _depth(self.pos))


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function (dist, toward, nearby, count, contested, ...): see ``laws.builtins``."""

    func: str
    args: tuple[Expr | str, ...]
    type: str
    depth: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", _depth(*self.args))


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x`` (numbers; the opposite direction) or ``not x``."""

    op: str
    operand: Expr
    type: str
    depth: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", _depth(self.operand))


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic, comparison and boolean connectives; ``pos + direction`` is the neighbouring tile."""

    op: str
    left: Expr
    right: Expr
    type: str
    depth: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", _depth(self.left, self.right))


@dataclass(frozen=True, slots=True)
class Member:
    """``x in {a, b}`` (or ``not in``)."""

    item: Expr
    options: tuple[Expr, ...]
    negated: bool
    type: str = BOOL
    depth: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", _depth(self.item, *self.options))


Expr = Union[Const, Obs, EntityField, Tile, Call, Unary, Binary, Member]  # noqa: UP007


# ---- effects -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Assign:
    """``target = value``, ``target += value`` or ``target -= value``; += and -= clamp to the schema."""

    target: Obs | EntityField | Tile
    op: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Move:
    """``x.move(direction)``: one tile, if free (see GAPS.md and the evaluate module), else stay."""

    var: str  # 'player' or the quantified entity
    direction: Expr


@dataclass(frozen=True, slots=True)
class Remove:
    """``remove c``: the quantified entity no longer exists after the step."""

    var: str


@dataclass(frozen=True, slots=True)
class Add:
    """``add KIND``: one more entity of that kind appears (counted by the ``added.KIND`` observable)."""

    kind: str


@dataclass(frozen=True, slots=True)
class Nothing:
    """``nothing`` (alias ``stay``): the empty effect, for a branch where nothing happens."""


@dataclass(frozen=True, slots=True)
class WithProbability:
    """``with probability p: effect``: the effect happens with probability p, else nothing."""

    param: str
    body: tuple[Effect, ...]


@dataclass(frozen=True, slots=True)
class OneOf:
    """``one of w: A | B | ...``: exactly one branch happens; w is a Dirichlet over the branches."""

    param: str
    branches: tuple[tuple[Effect, ...], ...]


Effect = Union[Assign, Move, Remove, Add, Nothing, WithProbability, OneOf]  # noqa: UP007


# ---- laws ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Param:
    """A law parameter and its prior: beta(a, b) for a probability, dirichlet(a1, ..., an) for a choice."""

    name: str
    prior: str
    args: tuple[float, ...]

    @property
    def mean(self) -> float | tuple[float, ...]:
        total = sum(self.args)
        if self.prior == "beta":
            return self.args[0] / total
        return tuple(a / total for a in self.args)


@dataclass(frozen=True, slots=True)
class Quantifier:
    """``for each KIND var``: the law applies to every entity of KIND (or every map chunk)."""

    kind: str
    var: str


@dataclass(frozen=True, slots=True)
class Law:
    """A named law: it predicts exactly the observables its effects name and is silent on the rest."""

    name: str
    params: tuple[Param, ...]
    quantifier: Quantifier | None
    when: Expr | None
    effects: tuple[Effect, ...]
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Walkable:
    """``walkable KIND, ...: MATERIAL, ...``: the materials a mover of these kinds may enter."""

    kinds: tuple[str, ...]
    materials: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LawSet:
    """Laws and walkable declarations, in source order. ``walkable_for`` answers per kind."""

    laws: tuple[Law, ...]
    walkable: tuple[Walkable, ...] = ()

    def walkable_for(self, kind: str) -> frozenset[str] | None:
        for w in self.walkable:
            if kind in w.kinds:
                return frozenset(w.materials)
        return None

    def law(self, name: str) -> Law:
        for law in self.laws:
            if law.name == name:
                return law
        raise KeyError(name)

    def __len__(self) -> int:
        return len(self.laws)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.laws)

    def merged(self, other: LawSet) -> LawSet:
        return LawSet(self.laws + other.laws, self.walkable + other.walkable)
