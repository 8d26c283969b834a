"""The session store: one SQLite file holding lives, their steps, law-set versions, fits, evaluations
and the LLM replay cache.

Why SQLite: one file a user can copy, transactions that survive a ``kill -9`` (WAL, ``synchronous=FULL``),
and concurrent readers while an exploration writes. Every write runs in one explicit transaction
(``BEGIN IMMEDIATE`` … ``COMMIT``), so a run killed at any moment leaves the file as it was at the
last commit; explorations append their steps in batches, and each batch is such a commit point.

The schema version is ``PRAGMA user_version``; ``MIGRATIONS[i]`` takes a file from version i to i + 1
and runs in one transaction together with the version bump, so a file is never half migrated. A file
written by a newer lawsmith is refused rather than guessed at. ``PRAGMA application_id`` marks the file
as lawsmith's, so another program's SQLite database is refused too.

Every problem (a missing file where one is required, a corrupt file, an unknown session, a full disk)
is one ``SessionError`` whose message says what went wrong, with which file, and how to fix it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from crafter_oo.errors import CrafterOOError
from crafter_oo.state import State
from crafter_oo.trace import Transition

DEFAULT_DB = "lawsmith.db"
DB_ENV = "LAWSMITH_DB"
APPLICATION_ID = 0x4C41_5753  # "LAWS": marks the file as a lawsmith session store
STATUSES = ("exploring", "explored", "learned", "done")
ORIGINS = ("symbolic", "llm", "reference", "human")
_ZLIB_LEVEL = 6


class SessionError(ValueError):
    """Anything wrong with the session store; the message names the file and says how to fix it."""


# --------------------------------------------------------------------------------------------- schema

_V1 = """
CREATE TABLE sessions (
    id       INTEGER PRIMARY KEY,
    label    TEXT    NOT NULL DEFAULT '',
    seed     INTEGER NOT NULL CHECK (seed >= 0),
    policy   TEXT    NOT NULL,
    budget   INTEGER NOT NULL CHECK (budget >= 0),
    status   TEXT    NOT NULL CHECK (status IN ('exploring', 'explored', 'learned', 'done')),
    config   TEXT    NOT NULL,            -- JSON: what else defines the run (e.g. the law set guiding it)
    created  TEXT    NOT NULL,            -- ISO 8601, UTC
    updated  TEXT    NOT NULL
);
CREATE TABLE steps (
    session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t        INTEGER NOT NULL CHECK (t >= 0),
    action   INTEGER CHECK ((t = 0) = (action IS NULL)),   -- the action taken in state t-1; none at t = 0
    reward   REAL    NOT NULL,
    done     INTEGER NOT NULL CHECK (done IN (0, 1)),
    state    BLOB    NOT NULL,            -- zlib(State.to_json()): the state after step t (t = 0: the reset)
    PRIMARY KEY (session, t)
) WITHOUT ROWID;
CREATE TABLE law_sets (
    id           INTEGER PRIMARY KEY,
    session      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    parent       INTEGER,                 -- the version this one was derived from
    note         TEXT    NOT NULL DEFAULT '',
    declarations TEXT    NOT NULL DEFAULT '',   -- set-level law text (walkable ...) that precedes the laws
    created      TEXT    NOT NULL,
    UNIQUE (session, version)
);
CREATE TABLE laws (
    law_set     INTEGER NOT NULL REFERENCES law_sets(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    text        TEXT    NOT NULL,         -- the law in the law language
    origin      TEXT    NOT NULL,         -- symbolic | llm | reference | human
    provenance  TEXT    NOT NULL,         -- JSON: where exactly it came from
    PRIMARY KEY (law_set, position),
    UNIQUE (law_set, name)
);
CREATE TABLE fits (
    id        INTEGER PRIMARY KEY,
    session   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,           -- the law-set version fitted
    model     TEXT    NOT NULL,           -- JSON of the fitted model
    metrics   TEXT    NOT NULL,           -- JSON
    created   TEXT    NOT NULL
);
CREATE TABLE evaluations (
    id        INTEGER PRIMARY KEY,
    session   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,           -- the law-set version evaluated
    model     TEXT    NOT NULL,           -- which model was evaluated (learned, a baseline, ...)
    seed      INTEGER NOT NULL,
    results   TEXT    NOT NULL,           -- JSON
    created   TEXT    NOT NULL
);
CREATE TABLE llm_calls (
    request_hash TEXT PRIMARY KEY,        -- sha256 of the canonical request JSON
    request      TEXT NOT NULL,
    response     TEXT NOT NULL,
    usage        TEXT NOT NULL,
    created      TEXT NOT NULL
);
CREATE INDEX fits_by_session ON fits (session, version);
CREATE INDEX evaluations_by_session ON evaluations (session, version);
"""

# MIGRATIONS[i] takes a file at user_version i to i + 1. Append; never edit a released entry.
MIGRATIONS: list[str] = [_V1]


def schema_version() -> int:
    """The version this lawsmith writes: the number of migrations."""
    return len(MIGRATIONS)


# ------------------------------------------------------------------------------------------ records

@dataclass(frozen=True)
class SessionInfo:
    """One session (one life) as listed: its identity, configuration and progress."""

    id: int
    label: str
    seed: int
    policy: str
    budget: int
    status: str
    config: dict[str, Any]
    created: str
    updated: str
    steps: int                      # transitions stored (the last t)
    achievements: tuple[str, ...]   # unlocked by the last stored state
    health: int                     # in the last stored state
    done: bool                      # the last stored step ended the life

    @property
    def finished(self) -> bool:
        """Nothing left to explore: the life ended or the budget is spent."""
        return self.done or self.steps >= self.budget

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "seed": self.seed, "policy": self.policy,
                "budget": self.budget, "status": self.status, "config": self.config,
                "created": self.created, "updated": self.updated, "steps": self.steps,
                "achievements": list(self.achievements), "health": self.health, "done": self.done}


@dataclass(frozen=True)
class Step:
    """Step ``t`` of a life: ``state`` is the state after it; ``action`` is None at t = 0 (the reset)."""

    t: int
    action: int | None
    reward: float
    done: bool
    state: State


@dataclass(frozen=True)
class StoredLaw:
    """One law of a stored law set: its text in the law language and where it came from."""

    name: str
    text: str
    origin: str
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredLawSet:
    """One version of a session's law set."""

    session: int
    version: int
    parent: int | None
    note: str
    declarations: str
    created: str
    laws: tuple[StoredLaw, ...]

    def text(self) -> str:
        """The whole set in the law language: declarations, then each law, blank-line separated."""
        parts = ([self.declarations.strip()] if self.declarations.strip() else [])
        parts += [law.text.strip() for law in self.laws]
        return "\n\n".join(parts) + "\n" if parts else ""


@dataclass(frozen=True)
class Fit:
    id: int
    session: int
    version: int
    model: dict[str, Any]
    metrics: dict[str, Any]
    created: str


@dataclass(frozen=True)
class Evaluation:
    id: int
    session: int
    version: int
    model: str
    seed: int
    results: dict[str, Any]
    created: str


@dataclass(frozen=True)
class LLMCall:
    request_hash: str
    request: dict[str, Any]
    response: dict[str, Any]
    usage: dict[str, Any]
    created: str


def request_hash(request: dict[str, Any]) -> str:
    """The replay-cache key of an LLM request: sha256 of its canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(_dumps(request, "the request").encode("utf-8")).hexdigest()


def resolve_path(db: str | os.PathLike[str] | None) -> Path:
    """The store's path: ``db`` if given, else ``$LAWSMITH_DB``, else ``lawsmith.db`` here."""
    if db is not None and str(db):
        return Path(db)
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(value: Any, what: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SessionError(f"{what} is not plain JSON data: {exc}") from None


def encode_state(state: State) -> bytes:
    """A state as stored: zlib-compressed ``State.to_json()`` (deterministic: same state, same bytes)."""
    return zlib.compress(state.to_json().encode("ascii"), _ZLIB_LEVEL)


# ------------------------------------------------------------------------------------------- store

class Store:
    """The session store in one SQLite file. Use as a context manager; every method is one transaction.

    ``Store(path)`` opens an existing store and refuses a missing file (so a typo in ``--db`` does not
    silently start an empty one); ``Store(path, create=True)`` creates it when missing.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = False) -> None:
        self.path = resolve_path(path)
        self._conn: sqlite3.Connection | None = None
        where = self.path
        if where.is_dir():
            raise SessionError(f"{where} is a directory, not a session database; pass a file with --db")
        if not where.exists():
            if not create:
                raise SessionError(f"no session database at {where}: the file does not exist "
                                   f"(run `lawsmith explore` to create one, or pass --db / set {DB_ENV})")
            if where.parent != Path() and not where.parent.is_dir():
                raise SessionError(f"cannot create {where}: the folder {where.parent} does not exist")
        mode = "rwc" if create else "rw"
        try:
            self._conn = sqlite3.connect(f"file:{quote(str(where.absolute()))}?mode={mode}", uri=True,
                                         isolation_level=None, timeout=30.0)
        except sqlite3.Error as exc:
            raise SessionError(f"cannot open the session database {where}: {exc}") from None
        try:
            with self._errors("open"):
                self._setup()
        except BaseException:
            self.close()
            raise

    # -- lifecycle

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (for tests and diagnostics; write through the typed methods)."""
        if self._conn is None:
            raise SessionError(f"the session database {self.path} is closed")
        return self._conn

    def _setup(self) -> None:
        conn = self.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # "file is not a database" surfaces here
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        if app not in (0, APPLICATION_ID) or (app == 0 and (version or self._has_tables())):
            raise SessionError(f"{self.path} is an SQLite database of another program, not a lawsmith "
                               "session store; choose another --db")
        if version > schema_version():
            raise SessionError(f"{self.path} has session schema version {version}, newer than this lawsmith "
                               f"reads ({schema_version()}); upgrade lawsmith to open it")
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise SessionError(f"{self.path}: cannot switch the database to WAL mode (got {mode!r}); "
                               "is the folder writable and on a local file system?")
        conn.execute("PRAGMA synchronous = FULL")
        self._migrate(version)

    def _has_tables(self) -> bool:
        return self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0

    def _migrate(self, version: int) -> None:
        """Apply MIGRATIONS[version:], each in one transaction with its version bump."""
        for index in range(version, schema_version()):
            with self._transaction():
                # Re-read under the write lock: another process may have migrated meanwhile.
                if self.conn.execute("PRAGMA user_version").fetchone()[0] != index:
                    continue
                for statement in _statements(MIGRATIONS[index]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {index + 1}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")  # a failing COMMIT (a full disk) is rolled back below, like the body
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn sqlite3 errors into one ``SessionError`` that says what, where and how to fix it."""
        try:
            yield
        except SessionError:
            raise
        except sqlite3.Error as exc:
            raise SessionError(self._explain(exc, doing)) from None

    def _explain(self, exc: sqlite3.Error, doing: str) -> str:
        text = str(exc)
        lower = text.lower()
        if "disk is full" in lower or "database or disk is full" in lower:
            return (f"{self.path}: the disk is full (or the database reached its size limit) while trying to "
                    f"{doing}; nothing was written by this attempt and everything committed before is intact. "
                    "Free some space and rerun the same command to resume")
        if "not a database" in lower or "malformed" in lower or "corrupt" in lower:
            return (f"{self.path} is not a readable lawsmith session database ({text}); the file is corrupt or "
                    "of another kind: move it away or choose another --db")
        if "locked" in lower or "busy" in lower:
            return (f"{self.path} is locked by another process while trying to {doing} ({text}); wait for it to "
                    "finish and retry")
        if "readonly" in lower or "read-only" in lower or "unable to open" in lower:
            return f"cannot write {self.path} while trying to {doing} ({text}); check the file's permissions"
        return f"{self.path}: could not {doing}: {text}"

    # -- sessions

    def create_session(self, seed: int, policy: str, budget: int, initial_state: State, *, label: str = "",
                       config: dict[str, Any] | None = None) -> int:
        """A new session in status ``exploring`` with its step 0 (the reset state); returns its id."""
        if seed < 0 or budget < 0:
            raise SessionError(f"seed and budget must be >= 0, got seed {seed} and budget {budget}")
        config_json = _dumps(config or {}, "the session config")
        blob = encode_state(initial_state)
        now = _now()
        with self._errors("create a session"), self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (label, seed, policy, budget, status, config, created, updated) "
                "VALUES (?, ?, ?, ?, 'exploring', ?, ?, ?)", (label, seed, policy, budget, config_json, now, now))
            session = int(cursor.lastrowid or 0)
            conn.execute("INSERT INTO steps (session, t, action, reward, done, state) VALUES (?, 0, NULL, 0.0, 0, ?)",
                         (session, blob))
        return session

    def session(self, session: int) -> SessionInfo:
        """One session, or a ``SessionError`` naming the sessions that exist."""
        with self._errors("read a session"):
            row = self.conn.execute(_SESSION_QUERY + " WHERE s.id = ?", (session,)).fetchone()
            if row is None:
                known = [r[0] for r in self.conn.execute("SELECT id FROM sessions ORDER BY id")]
                listing = f"sessions here: {_ranges(known)}" if known else "this database has no sessions yet"
                raise SessionError(f"no session {session} in {self.path} ({listing}; `lawsmith sessions` lists them)")
            return self._info(row)

    def sessions(self) -> list[SessionInfo]:
        """Every session, oldest first."""
        with self._errors("list sessions"):
            return [self._info(row) for row in self.conn.execute(_SESSION_QUERY + " ORDER BY s.id")]

    def find_unfinished(self, seed: int, policy: str, budget: int, config: dict[str, Any]) -> SessionInfo | None:
        """The newest session still exploring with exactly this seed, policy, budget and config."""
        config_json = _dumps(config, "the session config")
        with self._errors("look for an unfinished session"):
            row = self.conn.execute(
                _SESSION_QUERY + " WHERE s.status = 'exploring' AND s.seed = ? AND s.policy = ? AND s.budget = ?"
                " AND s.config = ? ORDER BY s.id DESC LIMIT 1", (seed, policy, budget, config_json)).fetchone()
            return None if row is None else self._info(row)

    def set_status(self, session: int, status: str) -> None:
        if status not in STATUSES:
            raise SessionError(f"unknown session status {status!r}; expected one of {', '.join(STATUSES)}")
        self.session(session)
        with self._errors("update a session's status"), self._transaction() as conn:
            conn.execute("UPDATE sessions SET status = ?, updated = ? WHERE id = ?", (status, _now(), session))

    def _info(self, row: sqlite3.Row | tuple[Any, ...]) -> SessionInfo:
        (sid, label, seed, policy, budget, status, config, created, updated, t, done, blob) = row
        try:
            cfg = json.loads(config)
        except json.JSONDecodeError as exc:
            raise SessionError(f"{self.path}: session {sid} has an unreadable config ({exc})") from None
        achievements: tuple[str, ...] = ()
        health = 0
        if blob is not None:
            last = self._decode(blob, sid, t)
            achievements = tuple(k for k, v in last.player.achievements.items() if v)
            health = last.player.health
        return SessionInfo(sid, label, seed, policy, budget, status, cfg, created, updated, int(t or 0),
                           achievements, health, bool(done))

    # -- steps

    def append_steps(self, session: int, steps: Sequence[Step], *, status: str | None = None) -> None:
        """Append steps (continuing the stored ones without a gap) in one transaction: a commit point.

        ``status`` changes the session's status in the same transaction, so the last batch of a life and
        the news that the life is over are committed together.
        """
        if status is not None and status not in STATUSES:
            raise SessionError(f"unknown session status {status!r}; expected one of {', '.join(STATUSES)}")
        rows = []
        for s in steps:
            if s.t < 1 or s.action is None:
                raise SessionError(f"step {s.t}: only steps t >= 1 with an action can be appended")
            rows.append((session, s.t, int(s.action), float(s.reward), int(bool(s.done)), encode_state(s.state)))
        with self._errors(f"save steps of session {session}"), self._transaction() as conn:
            last = conn.execute("SELECT max(t) FROM steps WHERE session = ?", (session,)).fetchone()[0]
            if last is None:
                raise SessionError(f"no session {session} in {self.path} (`lawsmith sessions` lists them)")
            for expected, row in enumerate(rows, start=last + 1):
                if row[1] != expected:
                    raise SessionError(f"session {session}: step {row[1]} does not follow the stored steps "
                                       f"(expected {expected}); steps are appended in order without gaps")
            conn.executemany("INSERT INTO steps (session, t, action, reward, done, state) VALUES (?, ?, ?, ?, ?, ?)",
                             rows)
            if rows or status is not None:
                conn.execute("UPDATE sessions SET updated = ?, status = coalesce(?, status) WHERE id = ?",
                             (_now(), status, session))

    def step_count(self, session: int) -> int:
        """The number of transitions stored (the last t); 0 when only the reset state is there."""
        return self.session(session).steps

    def last_step(self, session: int) -> Step:
        self.session(session)
        with self._errors(f"read the steps of session {session}"):
            row = self.conn.execute("SELECT t, action, reward, done, state FROM steps WHERE session = ? "
                                    "ORDER BY t DESC LIMIT 1", (session,)).fetchone()
        return self._step(session, row)

    def steps(self, session: int, start: int = 0, stop: int | None = None) -> Iterator[Step]:
        """Steps ``start <= t < stop`` in order, decoded one at a time."""
        self.session(session)
        end = stop if stop is not None else 2**62
        with self._errors(f"read the steps of session {session}"):
            rows = self.conn.execute("SELECT t, action, reward, done, state FROM steps WHERE session = ? "
                                     "AND t >= ? AND t < ? ORDER BY t", (session, start, end)).fetchall()
        for row in rows:
            yield self._step(session, row)

    def raw_steps(self, session: int) -> list[tuple[int, int | None, float, int, bytes]]:
        """The stored rows as they are, (t, action, reward, done, compressed state): for byte comparisons."""
        self.session(session)
        with self._errors(f"read the steps of session {session}"):
            return [tuple(r) for r in self.conn.execute(  # type: ignore[misc]
                "SELECT t, action, reward, done, state FROM steps WHERE session = ? ORDER BY t", (session,))]

    def transitions(self, session: int) -> Iterator[Transition]:
        """The life as transitions t -> t + 1 (what ``lawsmith export`` writes)."""
        previous: State | None = None
        for s in self.steps(session):
            if previous is not None and s.action is not None:
                yield Transition(previous, s.action, s.state, s.reward)
            previous = s.state

    def _step(self, session: int, row: tuple[Any, ...]) -> Step:
        t, action, reward, done, blob = row
        return Step(int(t), None if action is None else int(action), float(reward), bool(done),
                    self._decode(blob, session, t))

    def _decode(self, blob: bytes, session: int, t: int) -> State:
        try:
            return State.from_json(zlib.decompress(blob))
        except (zlib.error, CrafterOOError, UnicodeDecodeError) as exc:
            raise SessionError(f"{self.path}: the stored state of session {session} at step {t} is damaged "
                               f"({exc}); export what is readable or start a new session") from None

    # -- law sets

    def add_law_set(self, session: int, laws: Sequence[StoredLaw], *, declarations: str = "",
                    parent: int | None = None, note: str = "", validate: bool = True) -> int:
        """Store a new law-set version of a session (next number); returns the version.

        With ``validate`` (the default) the text must parse in the law language, each law's text must
        hold exactly the law it is named for, and names must be unique: the store never keeps law text
        that ``lawsmith laws`` would print and the parser would then reject.
        """
        names = [law.name for law in laws]
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise SessionError(f"a law set cannot hold two laws of one name: {', '.join(dupes)}")
        for law in laws:
            if law.origin not in ORIGINS:
                raise SessionError(f"law {law.name}: unknown origin {law.origin!r}; expected one of "
                                   f"{', '.join(ORIGINS)}")
        if validate:
            _validate_laws(laws, declarations)
        rows = [(i, law.name, law.text.strip() + "\n", law.origin,
                 _dumps(law.provenance, f"law {law.name}'s provenance")) for i, law in enumerate(laws)]
        self.session(session)
        with self._errors(f"save a law set of session {session}"), self._transaction() as conn:
            last = conn.execute("SELECT max(version) FROM law_sets WHERE session = ?", (session,)).fetchone()[0]
            version = (last or 0) + 1
            if parent is not None and not (1 <= parent <= (last or 0)):
                raise SessionError(f"session {session} has no law-set version {parent} to derive from")
            cursor = conn.execute("INSERT INTO law_sets (session, version, parent, note, declarations, created) "
                                  "VALUES (?, ?, ?, ?, ?, ?)",
                                  (session, version, parent, note, declarations.strip(), _now()))
            law_set = cursor.lastrowid
            conn.executemany("INSERT INTO laws (law_set, position, name, text, origin, provenance) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(law_set, *row) for row in rows])
        return version

    def law_set_versions(self, session: int) -> list[int]:
        self.session(session)
        with self._errors(f"read the law sets of session {session}"):
            return [r[0] for r in self.conn.execute("SELECT version FROM law_sets WHERE session = ? ORDER BY version",
                                                    (session,))]

    def law_set(self, session: int, version: int | None = None) -> StoredLawSet | None:
        """The given (or latest) law-set version; None when the session has none yet.

        An unknown version of a session that has law sets is a ``SessionError``.
        """
        versions = self.law_set_versions(session)
        if not versions:
            if version is None:
                return None
            raise SessionError(f"session {session} has no law set yet, so no version {version}")
        if version is None:
            version = versions[-1]
        elif version not in versions:
            raise SessionError(f"session {session} has no law-set version {version} (versions: {_ranges(versions)})")
        with self._errors(f"read a law set of session {session}"):
            head = self.conn.execute("SELECT id, parent, note, declarations, created FROM law_sets "
                                     "WHERE session = ? AND version = ?", (session, version)).fetchone()
            rows = self.conn.execute("SELECT name, text, origin, provenance FROM laws WHERE law_set = ? "
                                     "ORDER BY position", (head[0],)).fetchall()
        laws = tuple(StoredLaw(name, text, origin, _loads(prov, self.path, f"law {name}")) for name, text, origin, prov
                     in rows)
        return StoredLawSet(session, version, head[1], head[2], head[3], head[4], laws)

    # -- fits and evaluations

    def add_fit(self, session: int, version: int, model: dict[str, Any], metrics: dict[str, Any]) -> int:
        """Store a fitted model of a law-set version; returns the fit's id."""
        model_json, metrics_json = _dumps(model, "the fitted model"), _dumps(metrics, "the fit metrics")
        self._require_version(session, version)
        with self._errors(f"save a fit of session {session}"), self._transaction() as conn:
            cursor = conn.execute("INSERT INTO fits (session, version, model, metrics, created) VALUES (?, ?, ?, ?, ?)",
                                  (session, version, model_json, metrics_json, _now()))
            return int(cursor.lastrowid or 0)

    def fits(self, session: int) -> list[Fit]:
        self.session(session)
        with self._errors(f"read the fits of session {session}"):
            rows = self.conn.execute("SELECT id, session, version, model, metrics, created FROM fits "
                                     "WHERE session = ? ORDER BY id", (session,)).fetchall()
        return [Fit(i, s, v, _loads(m, self.path, f"fit {i}"), _loads(x, self.path, f"fit {i}"), c)
                for i, s, v, m, x, c in rows]

    def add_evaluation(self, session: int, version: int, model: str, seed: int, results: dict[str, Any]) -> int:
        """Store the results of evaluating a model of a law-set version; returns the evaluation's id."""
        results_json = _dumps(results, "the evaluation results")
        self._require_version(session, version)
        with self._errors(f"save an evaluation of session {session}"), self._transaction() as conn:
            cursor = conn.execute("INSERT INTO evaluations (session, version, model, seed, results, created) "
                                  "VALUES (?, ?, ?, ?, ?, ?)", (session, version, model, seed, results_json, _now()))
            return int(cursor.lastrowid or 0)

    def evaluations(self, session: int) -> list[Evaluation]:
        self.session(session)
        with self._errors(f"read the evaluations of session {session}"):
            rows = self.conn.execute("SELECT id, session, version, model, seed, results, created FROM evaluations "
                                     "WHERE session = ? ORDER BY id", (session,)).fetchall()
        return [Evaluation(i, s, v, m, sd, _loads(r, self.path, f"evaluation {i}"), c) for i, s, v, m, sd, r, c in rows]

    def _require_version(self, session: int, version: int) -> None:
        if version not in self.law_set_versions(session):
            raise SessionError(f"session {session} has no law-set version {version}")

    # -- the LLM replay cache

    def llm_get(self, key: str) -> LLMCall | None:
        """A cached LLM call by request hash (see ``request_hash``), or None."""
        with self._errors("read the LLM cache"):
            row = self.conn.execute("SELECT request_hash, request, response, usage, created FROM llm_calls "
                                    "WHERE request_hash = ?", (key,)).fetchone()
        if row is None:
            return None
        return LLMCall(row[0], *(_loads(v, self.path, f"LLM call {key}") for v in row[1:4]), row[4])

    def llm_put(self, request: dict[str, Any], response: dict[str, Any], usage: dict[str, Any]) -> str:
        """Cache an LLM call under its request hash (a repeat of a cached request keeps the first answer)."""
        key = request_hash(request)
        row = (key, _dumps(request, "the request"), _dumps(response, "the response"), _dumps(usage, "the usage"),
               _now())
        with self._errors("save to the LLM cache"), self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO llm_calls (request_hash, request, response, usage, created) "
                         "VALUES (?, ?, ?, ?, ?)", row)
        return key


_SESSION_QUERY = """
SELECT s.id, s.label, s.seed, s.policy, s.budget, s.status, s.config, s.created, s.updated,
       last.t, last.done, last.state
FROM sessions AS s
LEFT JOIN steps AS last ON last.session = s.id AND last.t = (SELECT max(t) FROM steps WHERE session = s.id)
"""


def _statements(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit the surrounding transaction)."""
    out, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buffer.strip()[:60]}")
    return out


def _loads(text: str, path: Path, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionError(f"{path}: {what} holds unreadable JSON ({exc})") from None


def _ranges(numbers: Sequence[int]) -> str:
    """'1-3, 5' for [1, 2, 3, 5]: a short list of ids for error messages."""
    parts: list[str] = []
    start = prev = None
    for n in numbers:
        if start is None:
            start = prev = n
        elif prev is not None and n == prev + 1:
            prev = n
        else:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = n
    if start is not None:
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(parts)


def _validate_laws(laws: Sequence[StoredLaw], declarations: str) -> None:
    import laws as law_language

    for law in laws:
        try:
            parsed = law_language.parse(declarations + "\n\n" + law.text)
        except law_language.LawError as exc:
            raise SessionError(f"law {law.name} does not parse: {exc.one_line()}") from None
        if [x.name for x in parsed.laws] != [law.name]:
            found = ", ".join(x.name for x in parsed.laws) or "no law"
            raise SessionError(f"the text stored as law {law.name} holds {found}; store one law per entry")


def records_from_law_set(law_set: Any, origin: str, provenance: Mapping[str, dict[str, Any]] | None = None,
                         ) -> tuple[list[StoredLaw], str]:
    """A parsed ``laws.LawSet`` as stored laws (canonical text via ``laws.pretty``) and its declarations.

    ``provenance`` maps a law's name to its provenance JSON (missing names get ``{}``).
    """
    import laws as law_language

    records = [StoredLaw(law.name, law_language.pretty(law), origin, dict((provenance or {}).get(law.name, {})))
               for law in law_set.laws]
    declarations = "\n".join(law_language.pretty(w) for w in law_set.walkable)
    return records, declarations
