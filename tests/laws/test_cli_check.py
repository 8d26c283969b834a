"""``lawsmith check``: exit codes, the table, and exactly one JSON document with --json."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def test_reference_is_clean() -> None:
    result = runner.invoke(app, ["check", "reference"])
    assert result.exit_code == 0, result.output
    assert "laws" in result.stdout


def test_json_is_one_document() -> None:
    result = runner.invoke(app, ["check", "reference", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["errors"] == 0 and doc["laws"] > 80


def test_conflict_exits_1(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.law"
    path.write_text("law a: when action == do then facing.material = grass\n"
                    "law b: when action == do then facing.material = path\n")
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert "conflict" in {f["kind"] for f in doc["findings"]}
    table = runner.invoke(app, ["check", str(path)])
    assert table.exit_code == 1 and "conflict" in table.stdout


def test_unparsable_and_missing_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.law"
    path.write_text("law a: when action = do then nothing\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "bad.law:1:20" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    missing = runner.invoke(app, ["check", str(tmp_path / "nope.law"), "--json"])
    assert missing.exit_code == 2 and missing.stdout == ""
