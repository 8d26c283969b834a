"""The native kernel behind Crafter-OO's front door: the same ``reset``/``step`` in Rust, and a ``Batch``.

``crafter_oo._kernel`` (built from ``native/`` by maturin) holds world generation and the step; this
module converts between :class:`~crafter_oo.state.State` and the kernel's flat numpy arrays and keeps
the two sides' contracts identical: ``reset(seed, episode)`` and ``step(state, action, render_noise)``
return exactly what the Python reference returns, bit for bit, random stream included.

Daylight is the one float the step needs that numpy computes (``np.cos``); Rust's ``cos`` may differ
in the last bit, so the kernel is handed ``daylight_at(step)`` values computed here.

A :class:`Batch` keeps many worlds inside Rust. Each world carries its own random stream, so results
never depend on the number of threads; ``rollout`` runs whole action sequences without returning to
Python, on a dedicated thread pool, with the interpreter released.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from crafter_oo import constants as C
from crafter_oo.errors import ActionError, CrafterOOError, StateError
from crafter_oo.rng import MT_WORDS, RngState
from crafter_oo.state import (
    Arrow,
    ChunkKey,
    Cow,
    Entity,
    Plant,
    Player,
    Skeleton,
    State,
    Zombie,
    daylight_at,
)
from crafter_oo.step import action_index
from crafter_oo.worldgen import check_seed

try:
    from crafter_oo import _kernel
except ImportError:  # not built: available() says so and the front door uses Python
    _kernel = None  # type: ignore[assignment]

__all__ = ["Batch", "available", "reset", "step"]

#: CPython hashes a non-negative int as ``n % (2**61 - 1)``; the kernel takes hashes, not big ints.
_HASH_MODULUS = 2**61 - 1
_INT64_MAX = 2**63 - 1
# Kind indices shared with the kernel (native/src/state.rs).
_KINDS: tuple[str, ...] = ("cow", "zombie", "skeleton", "arrow", "plant")
_KIND_INDEX = {kind: i for i, kind in enumerate(_KINDS)}
_AUX_FIELD = {"zombie": "cooldown", "skeleton": "reload", "plant": "grown"}
_N_ITEMS, _N_ACH = len(C.ITEMS), len(C.ACHIEVEMENTS)

KernelArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]


def available() -> bool:
    """True when the extension is built and is a full kernel (not an older placeholder build)."""
    return _kernel is not None and hasattr(_kernel, "step_one") and hasattr(_kernel, "Batch")


def _require() -> Any:
    if not available():
        raise CrafterOOError("the native kernel is not built; install lawsmith with a Rust toolchain")
    return _kernel


# ------------------------------------------------------------------------------------------ daylight

_daylight_table = np.empty(0, np.float64)


def daylight_table(upto: int) -> np.ndarray:
    """``daylight_at(s)`` for s = 0..upto (at least), each computed by the scalar numpy path the
    reference uses; grown geometrically and cached for the process."""
    global _daylight_table
    have = len(_daylight_table)
    if have <= upto:
        size = max(upto + 1, 2 * have, C.DEFAULT_LENGTH + 1)
        extra = np.array([daylight_at(s) for s in range(have, size)], np.float64)
        _daylight_table = np.concatenate([_daylight_table, extra])
    return _daylight_table


# -------------------------------------------------------------------------------- State <-> arrays

def _doubled(value: float, where: str) -> int:
    """A counter as twice its value: the counters are whole or half numbers after sleeping."""
    twice = value * 2
    if not math.isfinite(twice) or twice != int(twice) or abs(twice) >= 2**30:
        raise StateError(f"{where}: {value!r} is not a whole or half number the kernel can hold")
    return int(twice)


def _pack(state: State) -> KernelArrays:
    if not isinstance(state, State):
        raise StateError(
            f"expected a crafter_oo State, got {type(state).__name__}; parse JSON with State.from_json, "
            "which checks schema_version")
    if state.area != C.DEFAULT_AREA:
        raise StateError(f"area: the native kernel supports {C.DEFAULT_AREA}, got {state.area}; "
                         "use the Python reference (native=False)")
    p = state.player
    try:
        player = np.array(
            [*p.pos, *p.facing, *(p.inventory[k] for k in C.ITEMS),
             *(p.achievements[k] for k in C.ACHIEVEMENTS), int(bool(p.sleeping)),
             _doubled(p.hunger, "player.hunger"), _doubled(p.thirst, "player.thirst"),
             _doubled(p.fatigue, "player.fatigue"), _doubled(p.recover, "player.recover"), p.last_health],
            np.int64)
        rows = []
        for e in state.objects.values():
            aux_name = _AUX_FIELD.get(e.kind)
            fx, fy = e.facing if e.kind == "arrow" else C.DOWN  # type: ignore[attr-defined]
            rows.append((e.id, _KIND_INDEX[e.kind], e.pos[0], e.pos[1], e.health,
                         getattr(e, aux_name) if aux_name else 0, fx, fy))
        objects = np.array(rows, np.int64).reshape(-1, 8)
        chunks = np.array(state.chunks, np.int64).reshape(-1, 4)
        meta = np.array([state.step, state.episode, state.next_id, state.length, state.last_health], np.int64)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise StateError(f"state does not fit the native kernel: {exc}") from None
    key = np.ascontiguousarray(state.rng.key, dtype=np.uint32)
    if key.shape != (MT_WORDS,):
        raise StateError(f"rng.key: expected {MT_WORDS} words, got shape {key.shape}")
    materials = np.ascontiguousarray(state.materials, dtype=np.uint8)
    return materials, player, objects, chunks, meta, key, int(state.rng.pos)


_ENTITY_MAKERS = (
    lambda i, pos, h, aux, f: Cow(i, pos, h),
    lambda i, pos, h, aux, f: Zombie(i, pos, h, aux),
    lambda i, pos, h, aux, f: Skeleton(i, pos, h, aux),
    lambda i, pos, h, aux, f: Arrow(i, pos, h, f),
    lambda i, pos, h, aux, f: Plant(i, pos, h, aux),
)


def _unpack(arrays: KernelArrays, seed: int) -> State:
    materials, player_arr, objects_arr, chunks_arr, meta, key, pos = arrays
    v = player_arr.tolist()
    a = 4 + _N_ITEMS
    b = a + _N_ACH
    player = Player(
        pos=(v[0], v[1]), facing=(v[2], v[3]),
        inventory=dict(zip(C.ITEMS, v[4:a], strict=True)),
        achievements=dict(zip(C.ACHIEVEMENTS, v[a:b], strict=True)),
        sleeping=bool(v[b]), hunger=v[b + 1] / 2, thirst=v[b + 2] / 2, fatigue=v[b + 3] / 2,
        recover=v[b + 4] / 2, last_health=v[b + 5],
    )
    objects: dict[int, Entity] = {}
    for i, kind, x, y, health, aux, fx, fy in objects_arr.tolist():
        objects[i] = _ENTITY_MAKERS[kind](i, (x, y), health, aux, (fx, fy))
    obj_map = np.zeros(materials.shape, np.uint32)
    obj_map[v[0], v[1]] = Player.id
    if len(objects_arr):
        obj_map[objects_arr[:, 2], objects_arr[:, 3]] = objects_arr[:, 0]
    chunks: list[ChunkKey] = [tuple(k) for k in chunks_arr.tolist()]  # type: ignore[misc]
    key.setflags(write=False)
    step_, episode, next_id, length, last_health = meta.tolist()
    return State(materials=materials, player=player, objects=objects, next_id=next_id, chunks=chunks,
                 step=step_, seed=seed, episode=episode, rng=RngState(key, int(pos)),
                 last_health=last_health, length=length, obj_map=obj_map)


def _hashes(seed: int, episode: int) -> tuple[int, int]:
    check_seed(seed, episode)
    if int(episode) > _INT64_MAX:
        raise CrafterOOError(f"episode {episode} is too large for the native kernel")
    return int(seed) % _HASH_MODULUS, int(episode) % _HASH_MODULUS


# ---------------------------------------------------------------------------------------- front door

def reset(seed: int, episode: int = 1) -> State:
    """The world ``crafter.Env(seed=seed)`` builds on its ``episode``-th reset (as ``worldgen.generate``)."""
    kernel = _require()
    seed_hash, episode_hash = _hashes(seed, episode)
    return _unpack(kernel.reset(seed_hash, episode_hash, int(episode)), int(seed))


def step(state: State, action: int | str, render_noise: bool = False) -> tuple[State, float, bool]:
    """``(next_state, reward, done)`` exactly as ``crafter_oo.step.step``; ``state`` is not changed.

    ``render_noise`` burns the random numbers a stock 64-px render draws at night.
    """
    kernel = _require()
    index = action_index(action)
    arrays = _pack(state)
    try:
        out, reward, done = kernel.step_one(*arrays, index, daylight_at(state.step + 1), bool(render_noise))
    except ValueError as exc:
        raise StateError(str(exc)) from None
    return _unpack(out, state.seed), reward, done


# --------------------------------------------------------------------------------------------- batch

def _actions_array(actions: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    arr = np.asarray(actions)
    if arr.dtype.kind not in "iu":
        raise ActionError(f"{what}: expected an integer array of action indices, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ActionError(f"{what}: expected shape {shape}, got {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= len(C.ACTIONS)):
        bad = arr[(arr < 0) | (arr >= len(C.ACTIONS))].flat[0]
        raise ActionError(f"{what}: action index {bad} is outside 0..{len(C.ACTIONS) - 1}")
    return np.ascontiguousarray(arr, dtype=np.int64)


class Batch:
    """Many worlds stepped together in Rust; world ``i`` starts as ``reset(seeds[i], episode)``.

    ``step`` advances every world once; ``rollout`` runs ``T`` steps without returning to Python.
    Finished worlds keep stepping (as ``step`` does) until ``reset_done`` restarts them through the
    episode counter, like ``Env.reset``; ``rollout(auto_reset=True)`` does that inside Rust.
    Rewards are float32; results are identical for any ``threads``.
    """

    def __init__(self, seeds: Any, episode: int | Any = 1, threads: int | None = None) -> None:
        kernel = _require()
        seed_arr = np.asarray(seeds)
        if seed_arr.ndim != 1 or (seed_arr.size and seed_arr.dtype.kind not in "iuO"):
            raise CrafterOOError(f"seeds: expected a 1-D sequence of integers, got {seed_arr.dtype} "
                                 f"of shape {seed_arr.shape}")
        self._seeds = [int(s) if isinstance(s, int | np.integer) else s for s in seed_arr.tolist()]
        episodes = np.broadcast_to(np.asarray(episode, dtype=object), (len(self._seeds),)).tolist()
        hashes = [_hashes(s, e) for s, e in zip(self._seeds, episodes, strict=True)]
        if threads is None:
            threads = os.cpu_count() or 1
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise CrafterOOError(f"threads must be a positive integer, got {threads!r}")
        self._batch = kernel.Batch(
            np.array([h for h, _ in hashes], np.uint64).reshape(-1),
            np.array([int(e) for e in episodes], np.int64).reshape(-1), threads)

    def __len__(self) -> int:
        return len(self._batch)

    @property
    def threads(self) -> int:
        return int(self._batch.threads)

    @property
    def seeds(self) -> list[int]:
        return list(self._seeds)

    def _ensure_daylight(self, ahead: int) -> None:
        need = int(self._batch.max_step()) + ahead
        if self._batch.daylight_len() <= need:
            self._batch.set_daylight(daylight_table(need))

    def step(self, actions: Any, render_noise: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """One step of every world: ``(rewards float32[N], dones bool[N])``."""
        arr = _actions_array(actions, (len(self),), "actions")
        self._ensure_daylight(1)
        return self._batch.step(arr, bool(render_noise))

    def rollout(self, actions: Any, render_noise: bool = False,
                auto_reset: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``T`` steps inside Rust: ``actions[t, i]`` for world ``i``; ``(rewards[T, N], dones[T, N])``."""
        arr = np.asarray(actions)
        if arr.ndim != 2:
            raise ActionError(f"actions: expected a [T, {len(self)}] array, got shape {arr.shape}")
        arr = _actions_array(arr, (arr.shape[0], len(self)), "actions")
        self._ensure_daylight(arr.shape[0])
        return self._batch.rollout(arr, bool(render_noise), bool(auto_reset))

    def reset_done(self) -> np.ndarray:
        """Reset the worlds whose last step ended the episode (episode + 1); returns which."""
        return self._batch.reset_done()

    def dones(self) -> np.ndarray:
        """Whether each world's last step ended its episode (cleared by ``reset_done``)."""
        return self._batch.dones()

    def state(self, i: int) -> State:
        """World ``i`` as a State (a copy)."""
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < len(self):
            raise CrafterOOError(f"world index {i!r} is outside 0..{len(self) - 1}")
        return _unpack(self._batch.export(int(i)), self._seeds[int(i)])

    def nbytes(self) -> int:
        """Bytes the worlds hold in Rust (struct sizes plus their buffers)."""
        return int(self._batch.nbytes())
