"""Parsing, type errors, the pretty-printer round trip, and hostile input."""

from __future__ import annotations

import pytest

import laws
from laws.ast import Binary, Const, Obs, OneOf, WithProbability


def _error(text: str | bytes) -> laws.LawError:
    with pytest.raises(laws.LawError) as info:
        laws.parse(text, file="bad.law")
    return info.value


def test_reference_set_parses_and_round_trips() -> None:
    ref = laws.reference_set()
    assert len(ref.laws) > 80
    assert laws.parse(laws.pretty(ref)) == ref
    for law in ref.laws:
        assert law.file is not None and law.file.endswith(".law")


def test_sketch_from_the_design_parses_to_the_expected_ast() -> None:
    ls = laws.parse("""
walkable cow: grass, sand, path
law sapling_from_grass(p ~ beta(1, 1)):
    when action == do and facing.material == grass and facing.entity == none
    then with probability p: player.inventory.sapling += 1
law cow_wanders(move ~ dirichlet(1, 1, 1, 1, 1)):
    for each cow c
    then one of move: stay | c.move(left) | c.move(right) | c.move(up) | c.move(down)
""")
    first, second = ls.laws
    assert first.params[0].prior == "beta" and first.params[0].mean == 0.5
    assert isinstance(first.effects[0], WithProbability)
    assert first.when.left.left == Binary("==", Obs("action", "action"), Const("do", "action"), "bool")
    assert isinstance(second.effects[0], OneOf) and len(second.effects[0].branches) == 5
    assert ls.walkable_for("cow") == frozenset({"grass", "sand", "path"})


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("law a: when action = do then nothing", 1, 20, "comparisons use =="),
    ("law a:\n  when facing.material == gras then nothing", 2, 27, "did you mean 'grass'"),
    ("law a: when player.inventory.wod > 1 then nothing", 1, 13, "player.inventory.wood"),
    ("law a: then player.inventory.wood = 12", 1, 37, "outside the range"),
    ("law a: when action == fly then nothing", 1, 23, "not a action"),
    ("law a: when player.sleeping + 1 > 0 then nothing", 1, 29, "needs numbers"),
    ("law a(p ~ beta(1, 1)): then one of p: nothing | nothing", 1, 36, "needs a dirichlet"),
    ("law a: for each dragon d then nothing", 1, 17, "unknown entity kind"),
    ("law a: for each cow c then c.move(left)", 1, 1, "walkable"),
])
def test_errors_carry_location_and_hint(text: str, line: int, column: int, words: str) -> None:
    err = _error(text)
    assert err.file == "bad.law"
    assert err.line == line
    if column != 1 or line != 1:
        assert err.column == column
    assert words in str(err)


def test_syntax_error_lists_expected_tokens_and_shows_a_caret() -> None:
    err = _error("law a: when step > 1 then")
    assert err.expected, "the expected tokens are listed"
    text = str(err)
    assert "^" in text and "bad.law:1:" in text


@pytest.mark.parametrize("text", [
    "", "   \n# only a comment\n", b"\x89PNG\r\n\x1a\n\x00\x00", b"law a: then \xff", "law a: then nothing\x00",
    "import os\nos.system('echo hacked')\n", "def f():\n    return 1\n", "__import__('os').system('x')",
    "law a: when " + "not " * 20_000 + "true then nothing",
    "law a: when step > " + "+".join(["1"] * 20_000) + " then nothing",
    "law a: when step > " + "-" * 20_000 + "1 then nothing",
    "law a: then " + "x" * 1_000_000,
    "law a: when " + "x" * 1_000_000 + " then nothing",
    "law " + "a" * 1_000_000,
    "law a: then nothing\nlaw a: then nothing",
    "law a: when zzz then nothing", "law a: when dist(1) > 0 then nothing",
])
def test_hostile_input_is_a_located_law_error(text: str | bytes) -> None:
    err = _error(text)
    assert err.line is not None and err.line >= 1
    assert err.column is not None and err.column >= 1


def test_deeply_parenthesised_text_parses_without_recursion() -> None:
    deep = laws.parse("law a: when " + "(" * 50_000 + "step" + ")" * 50_000 + " > 1 then nothing")
    assert deep == laws.parse("law a: when step > 1 then nothing")
    err = _error("law a: when " + "(" * 50_000 + "step" + ")" * 49_999 + " > 1 then nothing")
    assert err.line == 1 and err.column > 50_000


def test_python_code_gets_a_python_hint_and_is_never_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "ran"
    err = _error(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n")
    assert "looks like Python" in err.hint
    assert not marker.exists()


def test_load_files_and_folders(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.law").write_text("law a: when action == noop then player.inventory.wood += 1\n")
    (tmp_path / "b.law").write_text("law b: then step += 1\n")
    assert [law.name for law in laws.load(tmp_path).laws] == ["a", "b"]
    (tmp_path / "empty.law").write_text("")
    with pytest.raises(laws.LawError) as info:
        laws.load(tmp_path)
    assert info.value.file.endswith("empty.law") and info.value.line == 1
    with pytest.raises(laws.LawError) as info:
        laws.load(tmp_path / "missing.law")
    assert "cannot read" in info.value.message
    (tmp_path / "c.law").write_text("law a: then nothing\n")
    (tmp_path / "empty.law").unlink()
    with pytest.raises(laws.LawError, match="defined twice"):
        laws.load(tmp_path)
