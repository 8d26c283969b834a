"""The LLM exchange cache in the session store, and its export / import as JSON lines.

Every request the LLM proposer makes is stored with its response and usage in the store's
``llm_calls`` table, keyed by ``request_hash(request)`` (SHA-256 of the canonical request JSON). A
request holds only the model, the messages and the sampling settings: never headers, the base URL or
the key. Exporting writes one JSON object a line (``{"request", "response", "usage"}``); importing
checks each line's shape and skips requests already cached, so a run's exchanges can be replayed on
another machine with ``--llm-replay``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.sessions import SessionError, Store, request_hash

MAX_LINE_CHARS = 2_000_000   # an exported line beyond this is not one of ours


def put(store: Store, request: dict[str, Any], response: dict[str, Any], usage: dict[str, Any], *,
        replace: bool = False) -> str:
    """Cache an exchange; ``replace`` overwrites a cached failure with a new answer (live mode retries
    failures, replay mode replays them, so a run that fell back replays identically)."""
    if replace:
        store.conn.execute("DELETE FROM llm_calls WHERE request_hash = ?", (request_hash(request),))
    return store.llm_put(request, response, usage)


def calls(store: Store) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """Every cached exchange (request, response, usage), in hash order (the same bytes every export)."""
    keys = [row[0] for row in store.conn.execute("SELECT request_hash FROM llm_calls ORDER BY request_hash")]
    for key in keys:
        call = store.llm_get(key)
        if call is not None:
            yield call.request, call.response, call.usage


def export_calls(store: Store, path: str | Path) -> int:
    """Write every cached exchange to ``path`` as JSON lines; returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for request, response, usage in calls(store):
            f.write(json.dumps({"request": request, "response": response, "usage": usage}, sort_keys=True,
                               separators=(",", ":")) + "\n")
            n += 1
    return n


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            raise SessionError(f"{path}:{number}: line longer than {MAX_LINE_CHARS} characters")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SessionError(f"{path}:{number}:{exc.colno}: not JSON: {exc.msg}") from None
        if not (isinstance(record, dict) and all(isinstance(record.get(k), dict)
                                                 for k in ("request", "response", "usage"))):
            raise SessionError(f"{path}:{number}: expected an object with request, response and usage objects")
        request = record["request"]
        if not isinstance(request.get("model"), str) or not isinstance(request.get("messages"), list):
            raise SessionError(f"{path}:{number}: the request has no model or messages")
        yield number, record


def import_calls(store: Store, path: str | Path) -> tuple[int, int]:
    """Read exchanges from a JSON-lines file into the cache; returns (added, already cached).

    The whole file is validated before anything is stored, so a bad file changes nothing."""
    records = [r for _, r in _records(Path(path))]
    added = 0
    for r in records:
        if store.llm_get(request_hash(r["request"])) is None:
            store.llm_put(r["request"], r["response"], r["usage"])
            added += 1
    return added, len(records) - added
