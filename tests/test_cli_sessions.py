"""``lawsmith explore``, ``sessions``, ``export`` and ``laws``: output, and one-line errors with exit code 2."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

import cli
import crafter_oo
import laws
from engine import sessions as S
from engine.explore import explore
from engine.sessions import Store


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(code: int, err: str, pattern: str) -> None:
    assert code == 2, err
    assert err.startswith("lawsmith: error: ") and len(err.strip().splitlines()) == 1, err
    assert re.search(pattern, err), err


def test_explore_stores_a_life_and_prints_its_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "l.db")
    code, out, err = run(["explore", "--seed", "2", "--steps", "40", "--policy", "random", "--db", db], capsys)
    assert code == 0 and out == "1\n"
    assert "steps" in err and "40 / 40" in err and "laws so far" in err and "achievements" in err
    code, out, _ = run(["explore", "--seed", "2", "--steps", "40", "--policy", "novelty", "--db", db], capsys)
    assert code == 0 and out == "2\n"
    with Store(db) as store:
        assert [(i.seed, i.policy, i.steps, i.status) for i in store.sessions()] == [
            (2, "random", 40, "explored"), (2, "novelty", 40, "explored")]


def test_explore_resumes_an_unfinished_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "r.db"

    def stop(p: object) -> None:
        if getattr(p, "t", 0) == 33:
            raise RuntimeError("killed")

    with Store(db, create=True) as store, pytest.raises(RuntimeError):
        explore(store, 4, 90, "novelty", on_step=stop)
    code, out, err = run(["explore", "-s", "4", "-n", "90", "--db", str(db)], capsys)  # novelty is the default
    assert code == 0 and out == "1\n" and "resumed at step 0" not in err
    with Store(db) as store, Store(tmp_path / "whole.db", create=True) as whole:
        assert store.raw_steps(1) == whole.raw_steps(explore(whole, 4, 90, "novelty"))
    code, out, _ = run(["explore", "--session", "1", "--db", str(db)], capsys)
    assert code == 0 and out == "1\n"
    code, _, err = run(["explore", "--session", "1", "--seed", "5", "--db", str(db)], capsys)
    one_line_error(code, err, r"session 1 cannot be continued with --seed 5 \(the session has 4\)")


def test_sessions_lists_them_as_a_table_or_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    with Store(db, create=True) as store:
        explore(store, 1, 25, "random")
        explore(store, 0, 2000, "random")  # dies
    code, out, err = run(["sessions", "--db", str(db)], capsys)
    assert code == 0 and err == ""
    assert "2 session(s)" in out and "25/25" in out and "explored, died" in out and "random" in out
    code, out, _ = run(["sessions", "--json", "--db", str(db)], capsys)
    data = json.loads(out)
    assert code == 0 and [d["id"] for d in data] == [1, 2] and data[0]["steps"] == 25 and data[1]["done"] is True
    assert set(data[0]) >= {"id", "seed", "policy", "steps", "budget", "status", "achievements", "created"}


def test_the_database_comes_from_lawsmith_db(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAWSMITH_DB", str(tmp_path / "env.db"))
    assert run(["explore", "-n", "3", "-p", "random"], capsys)[0] == 0
    assert (tmp_path / "env.db").exists() and not (tmp_path / "lawsmith.db").exists()
    monkeypatch.delenv("LAWSMITH_DB")
    assert run(["explore", "-n", "3", "-p", "random"], capsys)[0] == 0
    assert (tmp_path / "lawsmith.db").exists()


def test_export_writes_the_transitions_as_a_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    with Store(db, create=True) as store:
        sid = explore(store, 6, 30, "novelty")
        stored = list(store.steps(sid))
    path = tmp_path / "trace.jsonl"
    code, out, err = run(["export", str(sid), "-o", str(path), "--db", str(db)], capsys)
    assert code == 0 and out == "" and f"wrote 30 transitions of session {sid}" in err
    trace = crafter_oo.read_trace(path)
    assert len(trace) == 30
    for t, (before, after) in zip(trace, itertools.pairwise(stored), strict=True):
        assert t.state == before.state and t.next_state == after.state and t.action == after.action
    first = path.read_bytes()
    assert run(["export", str(sid), "-o", str(path), "--db", str(db)], capsys)[0] == 0
    assert path.read_bytes() == first


def test_laws_prints_the_stored_law_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.db"
    with Store(db, create=True) as store:
        sid = explore(store, 1, 2, "random")
    code, out, err = run(["laws", str(sid), "--db", str(db)], capsys)
    assert code == 1 and out == "" and err == f"lawsmith: session {sid} has no law set yet\n"
    reference = laws.reference_set()
    with Store(db) as store:
        records, declarations = S.records_from_law_set(reference, "reference")
        store.add_law_set(sid, records, declarations=declarations, note="shipped")
        store.add_law_set(sid, records[:2], declarations=declarations, parent=1)
    code, out, _ = run(["laws", str(sid), "--db", str(db)], capsys)
    assert code == 0 and out.startswith(f"# session {sid}, law set version 2 (2 laws)")
    assert [x.name for x in laws.parse(out).laws] == [r.name for r in records[:2]]
    code, out, _ = run(["laws", str(sid), "--version", "1", "--db", str(db)], capsys)
    assert code == 0 and laws.parse(out) == reference and "shipped" in out.splitlines()[0]
    code, _, err = run(["laws", str(sid), "--version", "3", "--db", str(db)], capsys)
    one_line_error(code, err, r"no law-set version 3 \(versions: 1-2\)")


@pytest.mark.parametrize("command", [["sessions"], ["export", "1", "-o", "t.jsonl"], ["laws", "1"],
                                     ["explore", "--session", "1"]])
def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           command: list[str]) -> None:
    db = tmp_path / "none.db"
    code, out, err = run([*command, "--db", str(db)], capsys)
    one_line_error(code, err, r"no session database at .*none\.db: the file does not exist")
    assert out == "" and not db.exists()


@pytest.mark.parametrize("command", [["sessions"], ["export", "1", "-o", "t.jsonl"], ["laws", "1"],
                                     ["explore", "-n", "2"]])
def test_a_corrupt_database_is_an_error_and_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          command: list[str]) -> None:
    db = tmp_path / "bad.db"
    db.write_bytes(b"\x00garbage" * 500)
    code, _, err = run([*command, "--db", str(db)], capsys)
    one_line_error(code, err, r"bad\.db is not a readable lawsmith session database \(file is not a database\)")
    assert db.read_bytes() == b"\x00garbage" * 500


@pytest.mark.parametrize("command", [["export", "7", "-o", "t.jsonl"], ["laws", "7"], ["explore", "--session", "7"]])
def test_an_unknown_session_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "u.db", create=True) as store:
        explore(store, 1, 2, "random")
    code, _, err = run([*command, "--db", str(tmp_path / "u.db")], capsys)
    one_line_error(code, err, r"no session 7 in .*u\.db \(sessions here: 1;")
    assert not (tmp_path / "t.jsonl").exists()


@pytest.mark.parametrize(("argv", "pattern"), [
    (["explore", "--policy", "greedy"], "--policy must be one of random, novelty, got 'greedy'"),
    (["explore", "--steps", "-1"], "Invalid value for '--steps'"),
    (["explore", "--seed", "x"], "Invalid value for '--seed'"),
    (["export", "1"], "Missing option '--output'"),
    (["export", "one", "-o", "t"], "Invalid value for 'session'"),
    (["laws", "1", "--version", "0"], "Invalid value for '--version'"),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch, argv: list[str], pattern: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    one_line_error(code, err, pattern.replace("(", r"\(").replace(")", r"\)"))


def test_export_into_a_missing_folder_and_an_empty_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "x.db"
    with Store(db, create=True) as store:
        explore(store, 1, 3, "random")
        store.create_session(2, "random", 5, crafter_oo.reset(2))
    code, _, err = run(["export", "1", "-o", str(tmp_path / "no" / "t.jsonl"), "--db", str(db)], capsys)
    one_line_error(code, err, r"cannot write .*t\.jsonl")
    code, _, err = run(["export", "2", "-o", str(tmp_path / "t.jsonl"), "--db", str(db)], capsys)
    one_line_error(code, err, "session 2 has no transitions yet")
    assert not (tmp_path / "t.jsonl").exists()
