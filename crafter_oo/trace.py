"""Transitions and the JSONL trace format that carries them between sessions, fits and evaluations.

One transition a line, as one JSON object::

    {"version": 1, "state": {...}, "action": "do", "reward": 0.0, "next_state": {...}}

``state`` and ``next_state`` are Crafter-OO states as ``State.to_dict`` writes them (schema version
checked on load); ``action`` is a name or an index 0..16. A bad record raises ``TraceError`` naming
the file and the line, and reading never stops half way with a partial list.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from crafter_oo import constants as C
from crafter_oo.errors import ActionError, CrafterOOError, StateError
from crafter_oo.files import atomic_write
from crafter_oo.state import State
from crafter_oo.step import action_index

TRACE_VERSION = 1


@dataclass(frozen=True)
class Transition:
    """One step of the true world: ``next_state`` is ``step(state, action)``."""

    state: State
    action: int
    next_state: State
    reward: float = 0.0

    @property
    def action_name(self) -> str:
        return C.ACTIONS[self.action]


class TraceError(CrafterOOError):
    """A trace file that cannot be read; the message starts with ``file:line:``."""

    def __init__(self, path: str | os.PathLike[str], line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


def to_record(t: Transition) -> dict[str, Any]:
    return {"version": TRACE_VERSION, "state": t.state.to_dict(), "action": C.ACTIONS[t.action],
            "reward": t.reward, "next_state": t.next_state.to_dict()}


def from_record(data: Any) -> Transition:
    """A transition from one decoded line; raises ``CrafterOOError`` naming the bad field."""
    if not isinstance(data, dict):
        raise StateError(f"a transition is a JSON object, got {type(data).__name__}")
    version = data.get("version", TRACE_VERSION)
    if version != TRACE_VERSION:
        raise StateError(f"version: this trace line is version {version!r}, this lawsmith reads {TRACE_VERSION}")
    missing = [k for k in ("state", "action", "next_state") if k not in data]
    if missing:
        raise StateError(f"missing field(s): {', '.join(missing)} (need state, action, next_state)")
    try:
        action = action_index(data["action"])
    except ActionError as exc:
        raise ActionError(f"action: {exc}") from None
    reward = data.get("reward", 0.0)
    if isinstance(reward, bool) or not isinstance(reward, int | float):
        raise StateError(f"reward: expected a number, got {reward!r}")
    try:
        state = State.from_dict(data["state"])
    except StateError as exc:
        raise StateError(f"state: {exc}") from None
    try:
        next_state = State.from_dict(data["next_state"])
    except StateError as exc:
        raise StateError(f"next_state: {exc}") from None
    return Transition(state, action, next_state, float(reward))


def iter_trace(path: str | os.PathLike[str]) -> Iterator[Transition]:
    """Transitions one by one; a bad line raises ``TraceError`` with its number (blank lines are skipped)."""
    p = Path(path)
    try:
        handle = p.open("rb")
    except OSError as exc:
        raise TraceError(p, None, f"cannot open the trace: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise TraceError(p, number, f"not JSON ({exc}); each line must be one transition object") from None
            try:
                yield from_record(data)
            except CrafterOOError as exc:
                raise TraceError(p, number, str(exc)) from None


def read_trace(path: str | os.PathLike[str]) -> list[Transition]:
    """All transitions of a trace file, or a ``TraceError`` (never a partial list)."""
    transitions = list(iter_trace(path))
    if not transitions:
        raise TraceError(path, None, "the trace holds no transitions")
    return transitions


def write_trace(path: str | os.PathLike[str], transitions: Iterable[Transition]) -> int:
    """Write a trace atomically (a temporary file renamed over ``path``); returns the line count."""
    count = 0

    def write(handle: TextIO) -> None:
        nonlocal count
        for t in transitions:
            handle.write(json.dumps(to_record(t), separators=(",", ":")))
            handle.write("\n")
            count += 1

    atomic_write(path, write)
    return count


def random_play(seed: int, steps: int, episode: int = 1) -> Iterator[Transition]:
    """Seeded uniform-random play from ``reset(seed, episode)``, resetting with episode + 1 on death.

    The policy's generator is ``random.Random(seed)``, separate from the world's own random stream.
    """
    import crafter_oo

    if steps < 0:
        raise CrafterOOError(f"steps must be >= 0, got {steps}")
    rng = random.Random(seed)
    state = crafter_oo.reset(seed, episode)
    for _ in range(steps):
        action = rng.randrange(len(C.ACTIONS))
        next_state, reward, done = crafter_oo.step(state, action)
        yield Transition(state, action, next_state, float(reward))
        if done:
            episode += 1
            next_state = crafter_oo.reset(seed, episode)
        state = next_state
