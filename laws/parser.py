"""Law text -> typed ``LawSet``: lark (LALR) for the syntax, ``typecheck`` for the names.

Whatever the input (empty, binary, a megabyte on one line, thousands of nested brackets, Python
pasted by mistake), the only exception that leaves this module is ``LawError`` with a location.
Nothing in the text is ever executed.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from crafter_oo.observation import SCHEMA, Schema
from laws.ast import MAX_DEPTH, Law, LawSet, Move, OneOf, Walkable, WithProbability
from laws.errors import LawError, line_of
from laws.typecheck import TypeChecker

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
MAX_BYTES = 16 * 1024 * 1024
SHAPE = "a law reads: law NAME(p ~ beta(1, 1)): [for each KIND var] [when CONDITION] then EFFECT; EFFECT"


@functools.cache
def _parser() -> Lark:
    return Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", propagate_positions=True,
                maybe_placeholders=True)


@functools.cache
def _terminal_names() -> dict[str, str]:
    """Readable names for the parser's terminals: '"then"' rather than 'THEN'."""
    names = {}
    for term in _parser().terminals:
        pattern = term.pattern
        names[term.name] = f'"{pattern.value}"' if pattern.type == "str" else term.name.lower()
    names.update({"NAME": "a name", "NUMBER": "a number", "ASSIGN_OP": "=, += or -=",
                  "COMP_OP": "a comparison (==, !=, <, <=, >, >=)", "ADD_OP": "+ or -",
                  "MUL_OP": "*, / or %", "$END": "end of input", "MOVE": '"move"'})
    return names


def _hint(exc: UnexpectedInput, text: str, expected: set[str]) -> str:
    stripped = text.lstrip()
    token = getattr(exc, "token", None)
    word = str(token) if token is not None else ""
    if stripped.startswith(("import ", "from ", "def ", "class ", "print(", "#!")) or word in (
            "import", "def", "class", "lambda", "return", "exec", "eval", "print"):
        return "this looks like Python; law files hold laws only (" + SHAPE + ")"
    if word == "=" and "COMP_OP" in expected:
        return "comparisons use ==, effects use =, += or -="
    if word in ("==", "!=") and "ASSIGN_OP" in expected:
        return "effects use =, += or -=; == is for conditions after `when`"
    if "THEN" in expected and word not in ("", "then"):
        return "every law needs `then` followed by at least one effect"
    if isinstance(exc, UnexpectedEOF) or (token is not None and token.type == "$END"):
        return "the text ended in the middle of a law; " + SHAPE
    if word in ("&&", "||", "!", "&", "|") and "COMP_OP" not in expected:
        return "use `and`, `or`, `not`"
    return SHAPE


def _syntax_error(exc: UnexpectedInput, text: str, file: str | None) -> LawError:
    names = _terminal_names()
    expected: set[str] = set()
    if isinstance(exc, UnexpectedToken):
        expected = set(exc.expected) | set(getattr(exc, "accepts", None) or ())
        token = exc.token
        found = "end of input" if token.type == "$END" else repr(str(token)[:40])
        message = f"unexpected {found}"
    elif isinstance(exc, UnexpectedCharacters):
        expected = set(exc.allowed or ())
        char = text[exc.pos_in_stream] if 0 <= exc.pos_in_stream < len(text) else "?"
        message = f"unexpected character {char!r}"
    else:
        expected = set(getattr(exc, "expected", ()) or ())
        message = "unexpected end of input"
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    if line is None or line < 1:  # lark reports end of input as line -1
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    return LawError(message, file=file, line=line, column=column,
                    expected=[names.get(e, e) for e in expected], hint=_hint(exc, text, expected),
                    source_line=line_of(text, line))


def _check_depth(tree: Tree, text: str, file: str | None) -> None:
    """Reject parse trees deeper than the typed AST allows, iteratively (no recursion to overflow)."""
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > 2 * MAX_DEPTH + 16:
            line = getattr(node.meta, "line", None)
            raise LawError(f"nesting deeper than {MAX_DEPTH} levels", file=file, line=line,
                           column=getattr(node.meta, "column", None), hint="split it into simpler laws",
                           source_line=line_of(text, line))
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))


def decode(data: bytes, file: str | None = None) -> str:
    """UTF-8 text, or a ``LawError`` pointing at the first byte that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start]
        line = head.count(b"\n") + 1
        column = exc.start - (head.rfind(b"\n") + 1) + 1
        raise LawError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", file=file, line=line, column=column,
                       hint="law files are UTF-8 text; is this a binary file?") from None


def parse_file_text(text: str | bytes, schema: Schema = SCHEMA,
                    file: str | None = None) -> tuple[list[Law], list[Walkable]]:
    """One file's laws and walkable declarations, typed; raises ``LawError``."""
    if isinstance(text, bytes | bytearray):
        text = decode(bytes(text), file)
    if not isinstance(text, str):
        raise LawError(f"law text must be str or bytes, not {type(text).__name__}", file=file)
    if len(text) > MAX_BYTES:
        raise LawError(f"law text is larger than {MAX_BYTES // (1024 * 1024)} MB", file=file, line=1, column=1)
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise LawError("NUL byte in law text", file=file, line=line, column=column,
                       hint="law files are UTF-8 text; is this a binary file?", source_line=line_of(text, line))
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, file) from None
    except (LarkError, RecursionError) as exc:  # defensive: lark's own errors never escape as such
        raise LawError(f"cannot parse: {type(exc).__name__}", file=file, line=1, column=1, hint=SHAPE) from None
    _check_depth(tree, text, file)
    if not tree.children:
        raise LawError("no laws here: the text is empty or only comments", file=file, line=1, column=1,
                       hint=SHAPE)
    try:
        return TypeChecker(schema, file, text).file_items(tree)
    except RecursionError:
        raise LawError("expression too deeply nested", file=file, line=1, column=1,
                       hint="split it into simpler laws") from None
    except LawError:
        raise
    except Exception as exc:  # a checker bug must still surface as the library's error, located
        raise LawError(f"cannot type-check: {type(exc).__name__}: {exc}", file=file, line=1, column=1) from None


def _moves(effects: tuple) -> list[Move]:
    found: list[Move] = []
    for e in effects:
        if isinstance(e, Move):
            found.append(e)
        elif isinstance(e, WithProbability):
            found += _moves(e.body)
        elif isinstance(e, OneOf):
            for b in e.branches:
                found += _moves(b)
    return found


def assemble(parts: list[tuple[list[Law], list[Walkable]]]) -> LawSet:
    """Merge files into one set: law names must be unique, every mover needs a walkable declaration."""
    laws: list[Law] = []
    walkable: list[Walkable] = []
    names: dict[str, Law] = {}
    declared: dict[str, Walkable] = {}
    for file_laws, file_walkable in parts:
        for w in file_walkable:
            for kind in w.kinds:
                if kind in declared:
                    raise LawError(f"walkable is declared twice for {kind}",
                                   hint="declare each kind's walkable materials once")
                declared[kind] = w
            walkable.append(w)
        for law in file_laws:
            if law.name in names:
                raise LawError(f"law {law.name!r} is defined twice", file=law.file, line=law.line,
                               hint=f"first defined in {names[law.name].file or '<text>'}:{names[law.name].line}")
            names[law.name] = law
            laws.append(law)
    for law in laws:
        for move in _moves(law.effects):
            kind = "player" if move.var == "player" else law.quantifier.kind if law.quantifier else "?"
            if kind not in declared:
                raise LawError(f"law {law.name!r} moves a {kind}, but no walkable declaration covers {kind}",
                               file=law.file, line=law.line,
                               hint=f"add: walkable {kind}: grass, sand, path")
    return LawSet(tuple(laws), tuple(walkable))


def parse(text: str | bytes, schema: Schema = SCHEMA, *, file: str | None = None) -> LawSet:
    """Parse and type-check law text into a ``LawSet``; any problem raises ``LawError``."""
    return assemble([parse_file_text(text, schema, file)])


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LawError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB", file=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise LawError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None


def load(*paths: str | Path, schema: Schema = SCHEMA) -> LawSet:
    """Load ``.law`` files and folders of them (sorted by name) into one ``LawSet``."""
    parts = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.law") if p.is_file())
            if not files:
                raise LawError("folder holds no .law files", file=str(path))
        else:
            files = [path]
        for f in files:
            parts.append(parse_file_text(_read(f), schema, str(f)))
    return assemble(parts)


__all__ = ["LawError", "Token", "load", "parse"]
