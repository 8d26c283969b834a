"""The LLM proposer against a real OpenAI-compatible HTTP server on 127.0.0.1, with the real client.

The server (``FakeLLM``) answers from a script, one action per request: a chat completion with given
content, an HTTP status (429, 500, 401), or a sleep past the client's timeout. No network, no key.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import cli
import laws
from engine.explore import explore
from engine.propose import Proposals
from engine.propose import prompt as prompts
from engine.propose.cache import export_calls, import_calls
from engine.propose.llm import LLMConfig, LLMConfigError, LLMProposer, ReplayMissError
from engine.sessions import SessionError, Store

KEY = "sk-test-SECRET-0123456789abcdef"

MOVES = [f"""walkable player: grass, sand, path
law llm_move_{d}:
    when action == move_{d}
    then player.facing = {d}; player.move({d})""" for d in ("left", "right", "up", "down")]
WOOD = """law llm_collect_wood:
    when action == do and facing.material == tree
    then player.inventory.wood += 1; player.achievements.collect_wood += 1"""
GOOD = json.dumps({"laws": [
    *({"text": m, "why": "the player walks where it points"} for m in MOVES),
    {"text": WOOD, "why": "doing on a tree gave wood"},
]})
GOOD_SPLIT = json.dumps({"laws": [
    {"text": "walkable player: grass, sand, path\nlaw llm_move_left:\n    when action == move_left\n"
             "    then player.facing = left; player.move(left)", "why": "moving left"},
    {"text": WOOD, "why": "doing on a tree gave wood"},
    {"text": "law llm_drink:\n    when action == do and facing.material == water\n    then player.inventory.drink += 1",
     "why": "doing on water raised drink"},
]})
SYNTAX = json.dumps({"laws": [{"text": "law llm_broken\n    when action == do then", "why": "oops"}]})
CONFLICT = json.dumps({"laws": [
    {"text": "law wood_once:\n    when action == do and facing.material == tree\n    then player.inventory.wood = 1",
     "why": "a"},
    {"text": "law wood_twice:\n    when action == do and facing.material == tree and player.inventory.sapling == 0\n"
             "    then player.inventory.wood = 2", "why": "b"},
]})
CANARY = "/tmp/lawsmith-llm-test-canary"
SMUGGLE = json.dumps({"laws": [
    {"text": f"law llm_evil:\n    when __import__('os').system('touch {CANARY}') == 0\n    then nothing", "why": "x"},
    {"text": "law llm_evil2:\n    when action == do\n    then player.inventory.wood += eval(\"1\")", "why": "y"},
    {"text": WOOD, "why": "doing on a tree gave wood"},
]})
PROSE = "Sure! Cows seem to wander, and trees give wood when you hit them. Hope this helps."


class FakeLLM:
    """An OpenAI-compatible chat server on 127.0.0.1 answering from a script (the last action repeats).

    Actions: ("ok", content) | ("status", code) | ("sleep", seconds) | a callable(request) -> action."""

    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                fake.requests.append(body)
                fake.auth.append(self.headers.get("authorization", ""))
                action = fake.script.pop(0) if len(fake.script) > 1 else fake.script[0]
                if callable(action):
                    action = action(body)
                if action[0] == "sleep":
                    time.sleep(action[1])
                    action = ("ok", GOOD)
                if action[0] == "status":
                    payload = json.dumps({"error": {"message": f"no (you sent {self.headers.get('authorization')})",
                                                    "type": "error"}}).encode()
                    self.send_response(action[1])
                    self.send_header("retry-after-ms", "10")
                else:
                    content = action[1]
                    payload = json.dumps({
                        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": content}}],
                        "usage": {"prompt_tokens": len(json.dumps(body["messages"])) // 4,
                                  "completion_tokens": len(content) // 4,
                                  "total_tokens": len(json.dumps(body["messages"])) // 4 + len(content) // 4}}).encode()
                    self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (timeout)
                    self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[list[Any]], FakeLLM]]:
    servers: list[FakeLLM] = []

    def start(script: list[Any]) -> FakeLLM:
        servers.append(FakeLLM(script))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="module")
def transitions(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    db = tmp_path_factory.mktemp("life") / "life.db"
    with Store(db, create=True) as store:
        session = explore(store, 8, 60, "novelty")
        return list(store.transitions(session))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("LAWSMITH_TEST_KEY", KEY)
    with Store(tmp_path / "cache.db", create=True) as s:
        yield s


def no_symbolic(transitions: Any, current: Any, seed: int = 0, max_laws: int = 200) -> Proposals:
    """A stand-in for the symbolic proposer: records that the fallback ran, proposes nothing."""
    no_symbolic.calls += 1  # type: ignore[attr-defined]
    return Proposals([])


def proposer(store: Store, url: str, **settings: Any) -> LLMProposer:
    no_symbolic.calls = 0  # type: ignore[attr-defined]
    config = LLMConfig.load(environ={}, base_url=url, model="test-model", api_key_var="LAWSMITH_TEST_KEY",
                            timeout=settings.pop("timeout", 5.0), max_retries=settings.pop("max_retries", 2),
                            **settings)
    return LLMProposer(config, store, fallback=no_symbolic)


def names(proposals: Proposals) -> list[str]:
    return sorted(p.law.name for p in proposals)


# ------------------------------------------------------------------------------------------- answers


def test_a_good_answer_becomes_checked_llm_proposals_and_is_cached(serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("ok", GOOD)])
    p = proposer(store, server.url)
    got = p(transitions, None, seed=3)
    assert names(got) == ["llm_collect_wood", "llm_move_down", "llm_move_left", "llm_move_right", "llm_move_up"]
    assert {x.origin for x in got} == {"llm"} and got.walkable[0].kinds == ("player",)
    assert laws.parse(got.text()).laws  # the proposals form a law file that parses
    body = server.requests[0]
    assert body["temperature"] == 0 and body["seed"] == 3 and body["response_format"] == {"type": "json_object"}
    assert server.auth[0] == f"Bearer {KEY}"  # the key went only into the header
    # The same request again is answered from the cache: the server is not asked.
    again = proposer(store, server.url)(transitions, None, seed=3)
    assert names(again) == names(got) and len(server.requests) == 1
    assert p.report()["prompt_tokens"] > 0 and p.report()["failures"] == []


def _strict_objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object schema inside ``schema`` (strict structured output constrains each one)."""
    out = [schema] if schema.get("type") == "object" else []
    for sub in (*schema.get("properties", {}).values(), schema.get("items", {})):
        if isinstance(sub, dict) and sub:
            out += _strict_objects(sub)
    return out


def test_json_schema_mode_sends_a_strict_schema_and_is_a_request_of_its_own(
        serve: Any, store: Store, transitions: Any) -> None:
    """For servers with strict structured output: the request names the answer's schema, every object in
    it closed and with all its fields required (what strict mode accepts), and the good answer fits it.
    A json_object request for the same round is another cache entry, not a hit."""
    server = serve([("ok", GOOD)])
    got = proposer(store, server.url, response_format="json_schema")(transitions, None, seed=3)
    assert names(got) == ["llm_collect_wood", "llm_move_down", "llm_move_left", "llm_move_right", "llm_move_up"]
    fmt = server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "laws" and fmt["json_schema"]["strict"]
    schema = fmt["json_schema"]["schema"]
    objects = _strict_objects(schema)
    assert len(objects) == 2
    for obj in objects:
        assert obj["additionalProperties"] is False and sorted(obj["required"]) == sorted(obj["properties"])
    answer = json.loads(GOOD)
    assert set(answer) == set(schema["properties"])
    for item in answer["laws"]:
        assert set(item) == set(schema["properties"]["laws"]["items"]["properties"])
        assert all(isinstance(v, str) for v in item.values())
    proposer(store, server.url)(transitions, None, seed=3)
    assert len(server.requests) == 2 and server.requests[1]["response_format"] == {"type": "json_object"}
    with pytest.raises(LLMConfigError, match="json_object or json_schema"):
        proposer(store, server.url, response_format="xml")


def test_replay_gives_the_same_laws_with_the_server_stopped_and_fails_on_a_miss(
        serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("ok", GOOD)])
    live = proposer(store, server.url)(transitions, None, seed=0)
    server.stop()
    replay = proposer(store, server.url, replay=True)
    assert [x.text for x in replay(transitions, None, seed=0)] == [x.text for x in live]
    assert replay.live_calls == 0 and replay.cached_calls == 1
    with pytest.raises(ReplayMissError, match="not in the LLM cache"):
        replay(transitions, None, seed=1)  # another seed is another request


def test_malformed_json_is_sent_back_and_repaired(serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("ok", '{"laws": [{"text": "law x'), ("ok", GOOD_SPLIT)])
    p = proposer(store, server.url)
    got = p(transitions, None)
    assert names(got) == ["llm_collect_wood", "llm_drink", "llm_move_left"]
    repair = server.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "not JSON" in repair[-1]["content"]
    assert p.report()["failures"] == [] and no_symbolic.calls == 0  # type: ignore[attr-defined]


def test_a_syntax_error_goes_back_with_the_parser_finding_and_is_repaired(
        serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("ok", SYNTAX), ("ok", GOOD_SPLIT)])
    p = proposer(store, server.url)
    got = p(transitions, None)
    assert "llm_drink" in names(got)
    assert "does not parse" in server.requests[1]["messages"][-1]["content"]
    assert any("does not parse" in d.reason for d in got.dropped)  # the first attempt's law, recorded


def test_a_conflicting_law_is_dropped_with_the_reason(serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("ok", CONFLICT)])
    got = proposer(store, server.url, repair_rounds=0)(transitions, None)
    assert names(got) == ["wood_twice"] or names(got) == ["wood_once"]
    assert len(got.dropped) == 1 and "conflict" in got.dropped[0].reason


def test_a_conflict_with_the_current_laws_drops_the_new_law(serve: Any, store: Store, transitions: Any) -> None:
    current = laws.parse(json.loads(CONFLICT)["laws"][0]["text"])
    server = serve([("ok", json.dumps({"laws": [json.loads(CONFLICT)["laws"][1]]}))])
    got = proposer(store, server.url, repair_rounds=1)(transitions, current)
    assert names(got) == [] and {d.name for d in got.dropped} == {"wood_twice"}
    assert "wood_once" in server.requests[0]["messages"][1]["content"]  # the current laws are in the prompt
    assert "conflict" in server.requests[1]["messages"][-1]["content"]


@pytest.mark.parametrize("status", [429, 500])
def test_429_and_500_are_retried_by_the_client(serve: Any, store: Store, transitions: Any, status: int) -> None:
    server = serve([("status", status), ("ok", GOOD)])
    p = proposer(store, server.url)
    assert "llm_collect_wood" in names(p(transitions, None))
    assert len(server.requests) == 2 and p.report()["failures"] == []


def test_a_slow_server_times_out_is_retried_then_answers(serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("sleep", 1.5), ("ok", GOOD)])
    p = proposer(store, server.url, timeout=0.4, max_retries=1)
    assert "llm_collect_wood" in names(p(transitions, None))
    assert len(server.requests) == 2


def test_a_server_that_always_times_out_falls_back_to_symbolic_and_replays_so(
        serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("sleep", 1.5)])
    p = proposer(store, server.url, timeout=0.3, max_retries=1)
    assert names(p(transitions, None)) == [] and no_symbolic.calls == 1  # type: ignore[attr-defined]
    assert p.report()["failures"][0].startswith("LLM call failed (timeout")
    assert p.report()["fallbacks"] == 1
    p(transitions, None, seed=1)  # disabled for the rest of the run: no more waiting
    assert len(server.requests) == 2
    server.stop()
    replay = proposer(store, server.url, replay=True, timeout=0.3, max_retries=1)
    replay(transitions, None)
    assert replay.report()["failures"] == p.report()["failures"][:1]


def test_prose_is_repaired_a_bounded_number_of_times_then_dropped(serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("ok", PROSE)])
    p = proposer(store, server.url, repair_rounds=2)
    assert names(p(transitions, None)) == [] and no_symbolic.calls == 1  # type: ignore[attr-defined]
    assert len(server.requests) == 3
    assert "no usable law from the LLM after 3 answers" in p.report()["failures"][0]
    assert "not JSON" in p.report()["failures"][0]


def test_a_megabyte_answer_is_rejected_before_parsing_and_not_stored_whole(
        serve: Any, store: Store, transitions: Any, tmp_path: Path) -> None:
    huge = json.dumps({"laws": [{"text": "x" * 1_500_000, "why": ""}]})
    server = serve([("ok", huge)])
    p = proposer(store, server.url, repair_rounds=0)
    assert names(p(transitions, None)) == []
    assert "over the limit of 200000" in p.report()["failures"][0]
    assert store.path.stat().st_size < 500_000


def test_smuggled_python_is_a_parse_error_never_executed(serve: Any, store: Store, transitions: Any) -> None:
    Path(CANARY).unlink(missing_ok=True)
    server = serve([("ok", SMUGGLE)])
    got = proposer(store, server.url, repair_rounds=0)(transitions, None)
    assert names(got) == ["llm_collect_wood"]
    reasons = " ".join(d.reason for d in got.dropped)
    assert reasons.count("does not parse") == 2
    assert not Path(CANARY).exists()


# ------------------------------------------------------------------------------------------ bad ends


def test_an_unreachable_endpoint_falls_back(store: Store, transitions: Any) -> None:
    p = proposer(store, "http://127.0.0.1:9/v1", max_retries=0, timeout=2.0)
    assert names(p(transitions, None)) == [] and no_symbolic.calls == 1  # type: ignore[attr-defined]
    assert "unreachable" in p.report()["failures"][0]


def test_a_wrong_key_is_recorded_without_the_key_anywhere(serve: Any, store: Store, transitions: Any,
                                                          caplog: pytest.LogCaptureFixture,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    server = serve([("status", 401)])
    p = proposer(store, server.url)
    p(transitions, None)
    assert "auth" in p.report()["failures"][0] and no_symbolic.calls == 1  # type: ignore[attr-defined]
    assert server.auth[0] == f"Bearer {KEY}"   # it was sent, and the server echoed it back in its error
    store.close()
    assert KEY.encode() not in store.path.read_bytes()
    assert KEY not in json.dumps(p.report()) and KEY not in caplog.text
    captured = capsys.readouterr()
    assert KEY not in captured.out + captured.err


def test_both_adds_llm_laws_to_symbolic_ones_once(serve: Any, store: Store, transitions: Any) -> None:
    server = serve([("ok", GOOD_SPLIT)])
    config = LLMConfig.load(environ={}, base_url=server.url, model="m", api_key_var="LAWSMITH_TEST_KEY")

    def symbolic(tr: Any, current: Any, seed: int = 0, max_laws: int = 200) -> Proposals:
        return proposer(store, server.url)(tr, current, seed=seed)  # the same laws, from the cache

    both = LLMProposer(config, store, mode="both", fallback=symbolic)
    got = both(transitions, None)
    assert names(got) == ["llm_collect_wood", "llm_drink", "llm_move_left"]  # each once


# ---------------------------------------------------------------------------------- config and cache


def test_config_comes_from_env_and_file_and_never_holds_a_key(tmp_path: Path) -> None:
    f = tmp_path / "llm.toml"
    f.write_text('[llm]\nbase_url = "http://127.0.0.1:8080/v1"\nmodel = "local"\ntimeout = 30\n')
    c = LLMConfig.load(f, environ={"LAWSMITH_LLM_MODEL": "other", "LAWSMITH_LLM_REPLAY": "1"})
    assert (c.base_url, c.model, c.timeout, c.replay) == ("http://127.0.0.1:8080/v1", "other", 30.0, True)
    f.write_text('api_key = "sk-oops"\n')
    with pytest.raises(LLMConfigError, match="environment variable"):
        LLMConfig.load(f, environ={})
    f.write_text('modle = "typo"\n')
    with pytest.raises(LLMConfigError, match="unknown LLM setting 'modle'"):
        LLMConfig.load(environ={"LAWSMITH_LLM_CONFIG": str(f)})


def test_cache_export_and_import_round_trip(serve: Any, store: Store, transitions: Any, tmp_path: Path) -> None:
    server = serve([("ok", GOOD)])
    proposer(store, server.url)(transitions, None)
    out = tmp_path / "calls.jsonl"
    assert export_calls(store, out) == 1
    assert KEY not in out.read_text()
    with Store(tmp_path / "other.db", create=True) as other:
        assert import_calls(other, out) == (1, 0)
        assert import_calls(other, out) == (0, 1)
        got = proposer(other, "http://127.0.0.1:9/v1", replay=True)(transitions, None)
        assert "llm_collect_wood" in names(got)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"request": {}}\n')
    with pytest.raises(SessionError, match=r"bad\.jsonl:1"):
        import_calls(store, bad)


def test_a_typical_prompt_fits_in_8000_tokens(transitions: Any) -> None:
    messages = prompts.build_messages(transitions, laws.reference_set())  # a big current law set
    assert prompts.estimate_tokens(messages) <= 8_000
    assert "law collect_wood" in messages[1]["content"] and "## transition" in messages[1]["content"]


# ---------------------------------------------------------------------------------------- end to end


def answer_by_round(body: dict[str, Any]) -> tuple[str, str]:
    """The recorded answer for round 1; no new laws once the LLM's laws are among the current ones."""
    user = body["messages"][1]["content"]
    return ("ok", json.dumps({"laws": []})) if "law llm_collect_wood" in user else ("ok", GOOD)


@pytest.mark.slow
def test_run_with_the_llm_then_replay_elsewhere_gives_identical_results(
        serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    server = serve([answer_by_round])
    monkeypatch.setenv("LAWSMITH_LLM_BASE_URL", server.url)
    monkeypatch.setenv("LAWSMITH_LLM_MODEL", "test-model")
    monkeypatch.setenv("LAWSMITH_LLM_API_KEY_VAR", "LAWSMITH_TEST_KEY")
    monkeypatch.setenv("LAWSMITH_TEST_KEY", KEY)
    monkeypatch.setenv("LAWSMITH_LLM_PRICE_PROMPT", "0.5")
    live_db, replay_db, calls = tmp_path / "live.db", tmp_path / "replay.db", tmp_path / "calls.jsonl"
    argv = ["run", "--seed", "8", "--steps", "150", "--trials", "1", "--proposer", "llm", "--json"]
    assert cli.main([*argv, "--db", str(live_db)]) == 0
    live = capsys.readouterr()
    first = json.loads(live.out)
    assert first["laws"] > 0 and first["llm"]["calls"] == 2 and first["llm"]["prompt_tokens"] > 0
    assert first["llm"]["cost"] > 0 and first["llm"]["failures"] == []
    assert cli.main(["cache", "export", "-o", str(calls), "--db", str(live_db)]) == 0
    server.stop()
    assert cli.main(["cache", "import", str(calls), "--db", str(replay_db)]) == 0
    capsys.readouterr()
    assert cli.main([*argv, "--db", str(replay_db), "--llm-replay"]) == 0
    replay = capsys.readouterr()
    assert json.loads(replay.out) == first
    printed = []
    for db in (live_db, replay_db):
        assert cli.main(["laws", "1", "--db", str(db)]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1] and "llm_collect_wood" in printed[0]
    with Store(live_db) as store:
        assert {law.origin for law in store.law_set(1).laws} == {"llm"}  # type: ignore[union-attr]
    for db in (live_db, replay_db):
        assert KEY.encode() not in db.read_bytes()
    assert KEY not in live.out + live.err + replay.out + replay.err
