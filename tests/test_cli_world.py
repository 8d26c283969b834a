"""``lawsmith show`` and ``lawsmith play``: output, and one-line errors with exit code 2."""

from __future__ import annotations

import io

import pytest

import cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str = "",
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_show_prints_the_world_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "--seed", "3", "--radius", "3"], capsys)
    assert code == 0 and err == ""
    assert "v" in out  # the player, facing down at reset
    assert "step 0" in out and "health 9" in out
    assert "creatures:" in out


@pytest.mark.parametrize("argv", [
    ["show", "--seed", "-1"], ["show", "--seed", "abc"], ["show", "--radius", "0"], ["nonsense"],
    ["show", "--episode", "0"],
])
def test_bad_arguments_are_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("lawsmith: error: ")
    assert len(err.strip().splitlines()) == 1


def test_play_steps_through_named_actions(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["play", "--seed", "1"], capsys, "move_left\n3\njump\n99\nquit\nnoop\n", monkeypatch)
    assert code == 0
    assert "step 2" in out and "facing up" in out
    assert "step 3" not in out  # quit stopped before the last line
    assert "unknown action 'jump'" in err and "outside 0..16" in err
