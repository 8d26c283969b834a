"""``lawsmith trace`` and ``lawsmith fit``: the files they write, their output, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli
import crafter_oo
import inference


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def trace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trace") / "trace.jsonl"
    assert cli.main(["trace", "--seed", "2", "--steps", "120", "-o", str(path)]) == 0
    return path


def test_trace_records_seeded_random_play(trace_file: Path) -> None:
    lines = trace_file.read_text().splitlines()
    assert len(lines) == 120
    transitions = crafter_oo.read_trace(trace_file)
    again = list(crafter_oo.random_play(2, 120))
    assert [t.action for t in transitions] == [t.action for t in again]
    assert transitions[-1].next_state == again[-1].next_state


def test_fit_saves_a_model_and_prints_every_parameter_as_json(trace_file: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    model_path = tmp_path / "model.json"
    code, out, _ = run(["fit", "reference", str(trace_file), "-o", str(model_path), "--json", "--svi-steps", "30"],
                       capsys)
    assert code == 0
    doc = json.loads(out)
    names = {p["name"] for p in doc["parameters"]}
    assert "collect_sapling.p" in names and "weight.cow_wanders" in names
    for p in doc["parameters"]:
        assert p["interval"][0] <= p["mean"] <= p["interval"][1]
    model = inference.load(model_path)
    t = crafter_oo.read_trace(trace_file)[0]
    assert model.log_prob(t.state, t.action, t.next_state) < 0.0


def _broken(tmp_path: Path, trace_file: Path, line: int, record: str) -> Path:
    lines = trace_file.read_text().splitlines()
    lines[line - 1] = record
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _other_version(trace_file: Path) -> str:
    record = json.loads(trace_file.read_text().splitlines()[0])
    record["state"]["schema_version"] = 99
    return json.dumps(record)


def _bad_action(trace_file: Path) -> str:
    record = json.loads(trace_file.read_text().splitlines()[0])
    record["action"] = 17
    return json.dumps(record)


@pytest.mark.parametrize(("make", "expected"), [
    (lambda f: "{not json", "broken.jsonl:3: not JSON"),
    (_other_version, "broken.jsonl:3: state: schema_version"),
    (_bad_action, "broken.jsonl:3: action"),
])
def test_a_bad_trace_line_is_named_and_a_saved_model_survives(make, expected: str, trace_file: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    model_path = tmp_path / "model.json"
    model_path.write_text("a good model saved earlier")
    broken = _broken(tmp_path, trace_file, 3, make(trace_file))
    code, out, err = run(["fit", "reference", str(broken), "-o", str(model_path)], capsys)
    assert code == 2 and out == ""
    assert expected in err and len(err.strip().splitlines()) == 1
    assert model_path.read_text() == "a good model saved earlier"


def test_a_law_set_that_does_not_parse_is_named(trace_file: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.law"
    bad.write_text("law broken:\n    when action == do\n    then player.inventory.wood +== 1\n")
    code, _, err = run(["fit", str(bad), str(trace_file)], capsys)
    assert code == 2
    assert "bad.law:3" in err


def test_trace_rejects_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["trace", "--steps", "0", "-o", str(tmp_path / "t.jsonl")], capsys)
    assert code == 2 and "--steps" in err
    code, _, err = run(["trace", "--steps", "5", "-o", str(tmp_path / "missing" / "t.jsonl")], capsys)
    assert code == 2 and "cannot write" in err
