"""The game's one random stream: numpy's legacy MT19937, carried inside the state.

Crafter draws everything (world generation, creatures, balancing, the sapling, the night render noise)
from one ``np.random.RandomState``. Crafter-OO keeps that generator's full state (624 words and the
position) as plain data, so a state can be saved, compared and stepped from anywhere, and draws
through numpy itself so every bit matches the oracle.
"""

from __future__ import annotations

import base64
import ctypes
import threading
from dataclasses import dataclass

import numpy as np

MT_WORDS = 624


@dataclass(frozen=True, slots=True, eq=False)
class RngState:
    """An MT19937 state: the 624-word key and the index of the next word to use."""

    key: np.ndarray
    pos: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RngState):
            return NotImplemented
        return self.pos == other.pos and bool(np.array_equal(self.key, other.key))

    def __hash__(self) -> int:
        return hash((self.pos, self.key.tobytes()))

    def key_base64(self) -> str:
        return base64.b64encode(self.key.astype("<u4").tobytes()).decode("ascii")

    @staticmethod
    def from_base64(text: str, pos: int) -> RngState:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        if len(raw) != MT_WORDS * 4:
            raise ValueError(f"expected {MT_WORDS * 4} bytes of MT19937 key, got {len(raw)}")
        return RngState(_frozen(np.frombuffer(raw, dtype="<u4").astype(np.uint32)), pos)


def _frozen(key: np.ndarray) -> np.ndarray:
    key = np.ascontiguousarray(key, dtype=np.uint32)
    key.setflags(write=False)
    return key


def from_generator(generator: np.random.RandomState) -> RngState:
    """Snapshot a live RandomState (the key is copied)."""
    name, key, pos, has_gauss, _cached = generator.get_state(legacy=True)
    if name != "MT19937":
        raise ValueError(f"expected an MT19937 generator, got {name}")
    if has_gauss:
        raise ValueError("the generator holds a cached Gaussian; Crafter never draws one")
    return RngState(_frozen(np.array(key, dtype=np.uint32)), int(pos))


class _Window:
    """One reusable RandomState per thread whose MT19937 words are reached directly.

    ``RandomState.set_state`` / ``get_state`` copy the 624 words through Python and cost about 45 us
    each, more than the rest of a step. numpy's MT19937 exposes the address of its C state (the key,
    then the position as a 32-bit int); a numpy view on it makes both directions a single copy. The
    layout is verified against the public API when the window is made, and the slow path is used if
    it ever differs.
    """

    def __init__(self) -> None:
        self.gen = np.random.RandomState(0)
        self.view: np.ndarray | None = None
        try:
            address = self.gen._bit_generator.ctypes.state_address
            view = np.ctypeslib.as_array((ctypes.c_uint32 * (MT_WORDS + 1)).from_address(address))
        except (AttributeError, TypeError, ValueError):
            return
        probe = np.random.RandomState(20251121)
        probe.random_sample(700)
        _, key, pos, _, _ = probe.get_state(legacy=True)
        view[:MT_WORDS] = key
        view[MT_WORDS] = pos
        expected = probe.random_sample(3)
        if np.array_equal(self.gen.random_sample(3), expected):
            self.view = view

    def load(self, rng: RngState) -> np.random.RandomState:
        if self.view is None:
            self.gen.set_state(("MT19937", rng.key, rng.pos, 0, 0.0))
        else:
            self.view[:MT_WORDS] = rng.key
            self.view[MT_WORDS] = rng.pos
        return self.gen

    def save(self) -> RngState:
        if self.view is None:
            return from_generator(self.gen)
        return RngState(_frozen(self.view[:MT_WORDS].copy()), int(self.view[MT_WORDS]))


_windows = threading.local()


def _window() -> _Window:
    window = getattr(_windows, "window", None)
    if window is None:
        window = _windows.window = _Window()
    return window


def generator(rng: RngState) -> np.random.RandomState:
    """A RandomState positioned at ``rng``: this thread's reusable one, valid until the next call."""
    return _window().load(rng)


def snapshot() -> RngState:
    """The state of this thread's generator after drawing from it."""
    return _window().save()


def seeded(seed: int) -> RngState:
    """The state of ``np.random.RandomState(seed)``."""
    return from_generator(np.random.RandomState(seed))
