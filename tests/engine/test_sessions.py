"""The session store: round trips, schema versions and migrations, and bad input (missing, corrupt or
foreign files, unknown sessions, a full disk) that leaves everything committed intact."""

from __future__ import annotations

import itertools
import sqlite3
import zlib
from pathlib import Path

import pytest

import crafter_oo
import laws
from engine import sessions as S
from engine.sessions import SessionError, Step, Store, StoredLaw


def play(seed: int, steps: int, start: int = 1, state: crafter_oo.State | None = None) -> list[Step]:
    """Seeded steps t = start .. start + steps - 1 from ``state`` (the reset if None), actions t % 17."""
    state = state or crafter_oo.reset(seed)
    out = []
    for t in range(start, start + steps):
        action = (t * 7 + seed) % 17
        state, reward, done = crafter_oo.step(state, action)
        out.append(Step(t, action, reward, done, state))
        if done:
            break
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "s.db", create=True) as s:
        yield s


def test_a_life_round_trips(store: Store) -> None:
    reset = crafter_oo.reset(4)
    sid = store.create_session(4, "random", 30, reset, label="first", config={"k": [1, 2]})
    steps = play(4, 30)
    store.append_steps(sid, steps[:10])
    store.append_steps(sid, steps[10:], status="explored")
    info = store.session(sid)
    assert (info.seed, info.policy, info.budget, info.status, info.label) == (4, "random", 30, "explored", "first")
    assert info.config == {"k": [1, 2]} and info.steps == 30 and info.finished
    assert info.achievements == tuple(k for k, v in steps[-1].state.player.achievements.items() if v)
    stored = list(store.steps(sid))
    assert [s.t for s in stored] == list(range(31))
    assert stored[0].action is None and stored[0].state == reset
    for got, want in zip(stored[1:], steps, strict=True):
        assert (got.action, got.reward, got.done) == (want.action, want.reward, want.done)
        assert got.state == want.state
    transitions = list(store.transitions(sid))
    assert len(transitions) == 30
    assert transitions[0].state == reset and transitions[-1].next_state == steps[-1].state
    assert all(a.next_state == b.state for a, b in itertools.pairwise(transitions))
    assert store.last_step(sid).t == 30 and store.step_count(sid) == 30


def test_states_are_stored_as_the_same_bytes_every_time(store: Store, tmp_path: Path) -> None:
    steps = play(2, 5)
    sid = store.create_session(2, "random", 5, crafter_oo.reset(2))
    store.append_steps(sid, steps)
    with Store(tmp_path / "other.db", create=True) as other:
        sid2 = other.create_session(2, "random", 5, crafter_oo.reset(2))
        other.append_steps(sid2, steps)
        assert other.raw_steps(sid2) == store.raw_steps(sid)
    blob = store.raw_steps(sid)[3][4]
    assert crafter_oo.State.from_json(zlib.decompress(blob)) == steps[2].state


def test_steps_must_continue_without_a_gap(store: Store) -> None:
    sid = store.create_session(1, "random", 10, crafter_oo.reset(1))
    steps = play(1, 4)
    store.append_steps(sid, steps[:2])
    before = store.raw_steps(sid)
    with pytest.raises(SessionError, match=r"step 4 does not follow the stored steps \(expected 3"):
        store.append_steps(sid, [steps[3]])
    with pytest.raises(SessionError, match="step 2 does not follow"):
        store.append_steps(sid, steps[1:3])  # one already stored, one new: all or nothing
    assert store.raw_steps(sid) == before


def test_the_path_comes_from_the_argument_then_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAWSMITH_DB", raising=False)
    assert S.resolve_path(None) == Path("lawsmith.db")
    monkeypatch.setenv("LAWSMITH_DB", str(tmp_path / "env.db"))
    assert S.resolve_path(None) == tmp_path / "env.db"
    assert S.resolve_path("given.db") == Path("given.db")
    with Store(create=True) as s:
        assert s.path == tmp_path / "env.db"
    assert (tmp_path / "env.db").exists() and not (tmp_path / "lawsmith.db").exists()


def test_a_new_store_is_wal_versioned_and_marked(tmp_path: Path) -> None:
    with Store(tmp_path / "n.db", create=True) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == S.schema_version()
        assert s.conn.execute("PRAGMA application_id").fetchone()[0] == S.APPLICATION_ID
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "steps", "law_sets", "laws", "fits", "evaluations", "llm_calls"} <= tables


# ------------------------------------------------------------------------------------------- bad input

def test_a_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(SessionError, match=r"no session database at .*missing\.db: the file does not exist"):
        Store(path)
    assert not path.exists()
    with pytest.raises(SessionError, match=r"the folder .* does not exist"):
        Store(tmp_path / "no" / "such" / "dir.db", create=True)
    with pytest.raises(SessionError, match="is a directory"):
        Store(tmp_path)


def test_a_corrupt_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    junk = bytes(range(256)) * 64
    path.write_bytes(junk)
    with pytest.raises(SessionError, match=r"corrupt\.db is not a readable lawsmith session database "
                                           r"\(file is not a database\).*move it away"):
        Store(path)
    with pytest.raises(SessionError, match="not a database"):
        Store(path, create=True)
    assert path.read_bytes() == junk


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(SessionError, match="SQLite database of another program"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0  # not migrated
    conn.close()


def test_a_file_from_a_newer_lawsmith_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with Store(path, create=True) as s:
        s.create_session(1, "random", 5, crafter_oo.reset(1))
        s.conn.execute(f"PRAGMA user_version = {S.schema_version() + 1}")
    with pytest.raises(SessionError, match=rf"session schema version {S.schema_version() + 1}, newer than "
                                           rf"this lawsmith reads \({S.schema_version()}\); upgrade lawsmith"):
        Store(path)


def test_an_old_file_is_migrated_forward_in_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    with Store(path, create=True) as s:
        sid = s.create_session(5, "random", 3, crafter_oo.reset(5))
        s.append_steps(sid, play(5, 3))
        rows = s.raw_steps(sid)
    # A migration that fails half way leaves the file at its version with its data.
    broken = "ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';\nTHIS IS NOT SQL;\n"
    monkeypatch.setattr(S, "MIGRATIONS", [*S.MIGRATIONS, broken])
    with pytest.raises(SessionError, match="syntax error"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "note" not in [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
    conn.close()
    # A good one takes it to version 2 and keeps every row.
    monkeypatch.setattr(S, "MIGRATIONS", [*S.MIGRATIONS[:-1],
                                          "ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';"])
    with Store(path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert s.conn.execute("SELECT note FROM sessions WHERE id = ?", (sid,)).fetchone()[0] == ""
        assert s.raw_steps(sid) == rows


def test_an_unknown_session_names_the_ones_that_exist(store: Store) -> None:
    with pytest.raises(SessionError, match=r"no session 1 in .*\(this database has no sessions yet"):
        store.session(1)
    for seed in (1, 2, 3):
        store.create_session(seed, "random", 1, crafter_oo.reset(seed))
    with pytest.raises(SessionError, match=r"no session 9 in .*s\.db \(sessions here: 1-3;"):
        store.session(9)
    for call in (lambda: list(store.steps(9)), lambda: store.append_steps(9, play(1, 1)),
                 lambda: store.law_set(9), lambda: store.set_status(9, "done")):
        with pytest.raises(SessionError, match="no session 9"):
            call()


def test_a_damaged_state_is_reported_with_its_step(store: Store) -> None:
    sid = store.create_session(1, "random", 5, crafter_oo.reset(1))
    store.append_steps(sid, play(1, 2))
    store.conn.execute("UPDATE steps SET state = ? WHERE session = ? AND t = 1", (b"garbage", sid))
    with pytest.raises(SessionError, match=f"the stored state of session {sid} at step 1 is damaged"):
        list(store.steps(sid))


def test_a_full_disk_fails_clearly_and_keeps_what_was_committed(tmp_path: Path) -> None:
    path = tmp_path / "full.db"
    with Store(path, create=True) as s:
        sid = s.create_session(3, "random", 400, crafter_oo.reset(3))
        steps = play(3, 120)
        s.append_steps(sid, steps[:20])
        committed = s.raw_steps(sid)
        pages = s.conn.execute("PRAGMA page_count").fetchone()[0]
        s.conn.execute(f"PRAGMA max_page_count = {pages + 3}")  # room for a step or two, not for 100
        with pytest.raises(SessionError, match=r"full\.db: the disk is full .* everything committed before is "
                                               r"intact\. Free some space and rerun the same command to resume"):
            s.append_steps(sid, steps[20:])
        assert not s.conn.in_transaction
        assert s.raw_steps(sid) == committed
        assert s.session(sid).steps == 20
        s.conn.execute(f"PRAGMA max_page_count = {s.conn.execute('PRAGMA page_count').fetchone()[0]}")
        with pytest.raises(SessionError, match="disk is full"):
            s.create_session(4, "random", 10, crafter_oo.reset(4))
        assert [i.id for i in s.sessions()] == [sid]
        s.conn.execute("PRAGMA max_page_count = 1073741823")
        s.append_steps(sid, steps[20:])  # and the run can go on from its last committed step
        assert s.session(sid).steps == len(steps)
    with Store(path) as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.raw_steps(sid)[: len(committed)] == committed


# -------------------------------------------------------------------------------------------- law sets

def test_law_set_versions_keep_text_origin_and_provenance(store: Store) -> None:
    sid = store.create_session(1, "random", 1, crafter_oo.reset(1))
    assert store.law_set(sid) is None and store.law_set_versions(sid) == []
    reference = laws.reference_set()
    records, declarations = S.records_from_law_set(reference, "reference", {"collect_wood": {"file": "player.law"}})
    assert store.add_law_set(sid, records, declarations=declarations, note="the shipped set") == 1
    one = records[:1]
    assert store.add_law_set(sid, [StoredLaw(one[0].name, one[0].text, "human", {"by": "me"})], parent=1) == 2
    latest = store.law_set(sid)
    assert latest is not None and latest.version == 2 and latest.parent == 1
    assert [(x.name, x.origin, x.provenance) for x in latest.laws] == [(one[0].name, "human", {"by": "me"})]
    first = store.law_set(sid, 1)
    assert first is not None and first.note == "the shipped set" and len(first.laws) == len(reference)
    assert first.laws[[x.name for x in first.laws].index("collect_wood")].provenance == {"file": "player.law"}
    assert laws.parse(first.text()) == reference  # what `lawsmith laws` prints parses back to the same set
    with pytest.raises(SessionError, match=r"no law-set version 7 \(versions: 1-2\)"):
        store.law_set(sid, 7)


def test_bad_law_sets_are_refused_and_nothing_is_stored(store: Store) -> None:
    sid = store.create_session(1, "random", 1, crafter_oo.reset(1))
    good = StoredLaw("noop_does_nothing", "law noop_does_nothing:\n    when action == noop\n    then nothing\n",
                     "symbolic")
    cases = [
        ([good, good], "two laws of one name: noop_does_nothing", {}),
        ([StoredLaw("x", good.text, "symbolic")], "the text stored as law x holds noop_does_nothing", {}),
        ([StoredLaw("bad", "law bad:\n    when action ==\n", "llm")], "law bad does not parse", {}),
        ([StoredLaw(good.name, good.text, "oracle")], "unknown origin 'oracle'", {}),
        ([good], "no law-set version 3 to derive from", {"parent": 3}),
        ([StoredLaw(good.name, good.text, "llm", {"t": float("nan")})], "not plain JSON", {}),
    ]
    for records, message, extra in cases:
        with pytest.raises(SessionError, match=message):
            store.add_law_set(sid, records, **extra)
    assert store.law_set_versions(sid) == []


def test_fits_evaluations_and_the_llm_cache(store: Store) -> None:
    sid = store.create_session(1, "random", 1, crafter_oo.reset(1))
    with pytest.raises(SessionError, match="no law-set version 1"):
        store.add_fit(sid, 1, {}, {})
    records, declarations = S.records_from_law_set(laws.reference_set(), "reference")
    version = store.add_law_set(sid, records[:3], declarations=declarations)
    fit = store.add_fit(sid, version, {"p": [0.5, 0.25]}, {"log_lik": -1.5})
    ev = store.add_evaluation(sid, version, "learned", 7, {"rank1": 0.9})
    assert [(f.id, f.version, f.model, f.metrics) for f in store.fits(sid)] == [
        (fit, 1, {"p": [0.5, 0.25]}, {"log_lik": -1.5})]
    assert [(e.id, e.model, e.seed, e.results) for e in store.evaluations(sid)] == [(ev, "learned", 7, {"rank1": 0.9})]
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    assert store.llm_get(S.request_hash(request)) is None
    key = store.llm_put(request, {"text": "first"}, {"tokens": 3})
    assert key == S.request_hash({"messages": [{"content": "hi", "role": "user"}], "model": "m"})  # key order free
    store.llm_put(request, {"text": "second"}, {"tokens": 4})
    cached = store.llm_get(key)
    assert cached is not None and cached.request == request and cached.response == {"text": "first"}


def test_status_must_be_known(store: Store) -> None:
    sid = store.create_session(1, "random", 1, crafter_oo.reset(1))
    store.set_status(sid, "learned")
    assert store.session(sid).status == "learned"
    with pytest.raises(SessionError, match="unknown session status 'finished'"):
        store.set_status(sid, "finished")
