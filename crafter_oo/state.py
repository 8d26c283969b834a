"""The full state of a Crafter-OO world, as plain typed data.

Everything the next step depends on is here: the material grid, the objects in creation order with
their stable ids, the player with its hidden counters, the chunk registry, the episode bookkeeping
and the random stream. A ``State`` is immutable by convention: ``step`` copies it and changes the copy.

Object ids are the slots of Crafter's object list: the player is 1, every later object takes the next
id, and ids are never reused. ``obj_map`` (tile -> id, 0 for empty) is derived from the objects and is
kept only so lookups are O(1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from crafter_oo import constants as C
from crafter_oo.errors import StateError
from crafter_oo.rng import MT_WORDS, RngState

SCHEMA_VERSION = 1

Pos = tuple[int, int]
ChunkKey = tuple[int, int, int, int]


@dataclass(slots=True)
class Entity:
    """A non-player object. ``removed`` is transient: it only matters inside the step that removes it."""

    id: int
    pos: Pos
    health: int
    removed: bool = field(default=False, compare=False, repr=False, kw_only=True)

    kind: ClassVar[str] = ""
    fields: ClassVar[tuple[str, ...]] = ()  # kind-specific fields beyond id, pos and health

    def clone(self) -> Entity:
        raise NotImplementedError


@dataclass(slots=True)
class Cow(Entity):
    kind: ClassVar[str] = "cow"

    def clone(self) -> Cow:
        return Cow(self.id, self.pos, self.health)


@dataclass(slots=True)
class Zombie(Entity):
    cooldown: int = 0
    kind: ClassVar[str] = "zombie"
    fields: ClassVar[tuple[str, ...]] = ("cooldown",)

    def clone(self) -> Zombie:
        return Zombie(self.id, self.pos, self.health, self.cooldown)


@dataclass(slots=True)
class Skeleton(Entity):
    reload: int = 0
    kind: ClassVar[str] = "skeleton"
    fields: ClassVar[tuple[str, ...]] = ("reload",)

    def clone(self) -> Skeleton:
        return Skeleton(self.id, self.pos, self.health, self.reload)


@dataclass(slots=True)
class Arrow(Entity):
    facing: Pos = (0, 1)
    kind: ClassVar[str] = "arrow"
    fields: ClassVar[tuple[str, ...]] = ("facing",)

    def clone(self) -> Arrow:
        return Arrow(self.id, self.pos, self.health, self.facing)


@dataclass(slots=True)
class Plant(Entity):
    grown: int = 0
    kind: ClassVar[str] = "plant"
    fields: ClassVar[tuple[str, ...]] = ("grown",)

    def clone(self) -> Plant:
        return Plant(self.id, self.pos, self.health, self.grown)

    @property
    def ripe(self) -> bool:
        return self.grown > C.RIPE_AFTER


ENTITY_TYPES: dict[str, type[Entity]] = {t.kind: t for t in (Cow, Zombie, Skeleton, Arrow, Plant)}


@dataclass(slots=True)
class Player:
    """The player. The four counters are halves after sleeping, so they are kept as floats."""

    pos: Pos
    facing: Pos = C.DOWN
    inventory: dict[str, int] = field(default_factory=lambda: dict(C.ITEM_INITIAL))
    achievements: dict[str, int] = field(default_factory=lambda: dict.fromkeys(C.ACHIEVEMENTS, 0))
    sleeping: bool = False
    hunger: float = 0.0
    thirst: float = 0.0
    fatigue: float = 0.0
    recover: float = 0.0
    last_health: int = 9  # the player's own `_last_health`, used by the hurt check

    id: ClassVar[int] = 1
    kind: ClassVar[str] = "player"

    @property
    def health(self) -> int:
        return self.inventory["health"]

    def clone(self) -> Player:
        return Player(self.pos, self.facing, dict(self.inventory), dict(self.achievements), self.sleeping,
                      self.hunger, self.thirst, self.fatigue, self.recover, self.last_health)


@lru_cache(maxsize=16384)
def daylight_at(step: int) -> float:
    """Crafter's daylight for a step, computed with the same numpy operations so every bit agrees."""
    progress = (step / C.DAY_PERIOD) % 1 + 0.3
    return float(1 - np.abs(np.cos(np.pi * progress)) ** 3)


def chunk_key(pos: Pos, area: Pos) -> ChunkKey:
    x, y = pos
    xmin, ymin = (x // C.CHUNK[0]) * C.CHUNK[0], (y // C.CHUNK[1]) * C.CHUNK[1]
    return (xmin, min(xmin + C.CHUNK[0], area[0]), ymin, min(ymin + C.CHUNK[1], area[1]))


@dataclass(slots=True, eq=False)
class State:
    """A whole world at one step. Compare with ``==``; ``first_difference`` says where two differ."""

    materials: np.ndarray  # uint8 [x, y]
    player: Player
    objects: dict[int, Entity]  # live non-player objects by id, in creation order
    next_id: int
    chunks: list[ChunkKey]  # the chunk registry, in first-touch order
    step: int
    seed: int
    episode: int
    rng: RngState
    last_health: int = 9  # the env's health at the end of the previous step, for the reward
    length: int = C.DEFAULT_LENGTH
    obj_map: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.obj_map is None:
            self.obj_map = build_obj_map(self.materials.shape, self.player, self.objects)

    @property
    def area(self) -> Pos:
        return (int(self.materials.shape[0]), int(self.materials.shape[1]))

    @property
    def daylight(self) -> float:
        return daylight_at(self.step)

    def entities(self) -> list[Entity]:
        return list(self.objects.values())

    def copy(self) -> State:
        """A deep copy sharing nothing mutable with this state."""
        return State(
            self.materials.copy(), self.player.clone(),
            {i: e.clone() for i, e in self.objects.items()},
            self.next_id, list(self.chunks), self.step, self.seed, self.episode, self.rng,
            self.last_health, self.length, self.obj_map.copy(),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return first_difference(self, other) is None

    __hash__ = None  # type: ignore[assignment]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        return state_to_dict(self)

    @staticmethod
    def from_json(text: str | bytes) -> State:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StateError(f"state JSON does not parse: {exc}") from None
        return state_from_dict(data)

    @staticmethod
    def from_dict(data: Any) -> State:
        return state_from_dict(data)


def build_obj_map(shape: tuple[int, ...], player: Player, objects: dict[int, Entity]) -> np.ndarray:
    obj_map = np.zeros(shape, np.uint32)
    obj_map[player.pos] = Player.id
    for obj in objects.values():
        obj_map[obj.pos] = obj.id
    return obj_map


def first_difference(a: State, b: State) -> str | None:
    """The first field (a readable path) where two states differ, or None when they are equal."""
    if a.area != b.area:
        return f"area: {a.area} != {b.area}"
    if not np.array_equal(a.materials, b.materials):
        x, y = np.argwhere(a.materials != b.materials)[0]
        return (f"materials[{x},{y}]: {C.MATERIALS[a.materials[x, y]]} != "
                f"{C.MATERIALS[b.materials[x, y]]}")
    for name in ("step", "seed", "episode", "length", "last_health", "next_id"):
        if getattr(a, name) != getattr(b, name):
            return f"{name}: {getattr(a, name)!r} != {getattr(b, name)!r}"
    for name in Player.__dataclass_fields__:
        va, vb = getattr(a.player, name), getattr(b.player, name)
        if isinstance(va, dict):
            for key in va.keys() | vb.keys():
                if va.get(key) != vb.get(key):
                    return f"player.{name}.{key}: {va.get(key)!r} != {vb.get(key)!r}"
        elif va != vb:
            return f"player.{name}: {va!r} != {vb!r}"
    if list(a.objects) != list(b.objects):
        only_a = sorted(set(a.objects) - set(b.objects))
        only_b = sorted(set(b.objects) - set(a.objects))
        return f"objects: ids only in first {only_a}, only in second {only_b}"
    for i, ea in a.objects.items():
        eb = b.objects[i]
        if ea != eb:
            return f"objects[{i}]: {ea} != {eb}"
    if a.chunks != b.chunks:
        return f"chunks: {a.chunks} != {b.chunks}"
    if a.rng != b.rng:
        return f"rng: position {a.rng.pos} != {b.rng.pos} or the key differs"
    return None


# ---------------------------------------------------------------------------------------------- JSON

_HEX_CODES = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_VALUES = np.full(256, 255, np.uint8)
_HEX_VALUES[_HEX_CODES] = np.arange(16, dtype=np.uint8)


def state_to_dict(state: State) -> dict[str, Any]:
    width, height = state.area
    text = _HEX_CODES[state.materials.T].tobytes().decode("ascii")
    rows = [text[y * width:(y + 1) * width] for y in range(height)]
    p = state.player
    return {
        "schema_version": SCHEMA_VERSION,
        "area": [width, height],
        "seed": state.seed,
        "episode": state.episode,
        "step": state.step,
        "length": state.length,
        "last_health": state.last_health,
        "next_id": state.next_id,
        "materials": rows,
        "player": {
            "pos": list(p.pos), "facing": list(p.facing),
            "inventory": dict(p.inventory), "achievements": dict(p.achievements),
            "sleeping": p.sleeping, "hunger": p.hunger, "thirst": p.thirst, "fatigue": p.fatigue,
            "recover": p.recover, "last_health": p.last_health,
        },
        "objects": [_entity_to_dict(e) for e in state.objects.values()],
        "chunks": [list(k) for k in state.chunks],
        "rng": {"key": state.rng.key_base64(), "pos": state.rng.pos},
    }


def _entity_to_dict(e: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"id": e.id, "kind": e.kind, "pos": list(e.pos), "health": e.health}
    for name in e.fields:
        value = getattr(e, name)
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


class _Reader:
    """Pulls typed fields out of untrusted JSON, naming the path of anything wrong."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise StateError(f"{path or 'state'}: expected an object, got {type(data).__name__}")
        self.data = data
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise StateError(f"{self._where(key)}: missing")
        return self.data[key]

    def int(self, key: str, lo: int | None = None, hi: int | None = None) -> int:
        return _int(self.raw(key), self._where(key), lo, hi)

    def number(self, key: str) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise StateError(f"{self._where(key)}: expected a number, got {value!r}")
        return float(value)

    def bool(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise StateError(f"{self._where(key)}: expected true or false, got {value!r}")
        return value

    def pair(self, key: str, lo: Pos = (-(2**31), -(2**31)), hi: Pos = (2**31, 2**31)) -> Pos:
        value = self.raw(key)
        where = self._where(key)
        if not isinstance(value, list) or len(value) != 2:
            raise StateError(f"{where}: expected [x, y], got {value!r}")
        return (_int(value[0], f"{where}[0]", lo[0], hi[0]), _int(value[1], f"{where}[1]", lo[1], hi[1]))

    def sub(self, key: str) -> _Reader:
        return _Reader(self.raw(key), self._where(key))

    def list(self, key: str) -> list[Any]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise StateError(f"{self._where(key)}: expected a list, got {type(value).__name__}")
        return value


def _int(value: Any, where: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise StateError(f"{where}: expected an integer, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise StateError(f"{where}: {value} is outside {lo}..{hi}")
    return value


def _direction(pair: Pos, where: str) -> Pos:
    if pair not in C.DIRECTIONS:
        raise StateError(f"{where}: {list(pair)} is not a direction; use [-1,0], [1,0], [0,-1] or [0,1]")
    return pair


def state_from_dict(data: Any) -> State:
    top = _Reader(data, "")
    version = top.raw("schema_version")
    if version != SCHEMA_VERSION:
        raise StateError(
            f"schema_version: this state is version {version!r}, but this lawsmith reads version "
            f"{SCHEMA_VERSION}; re-export it with a matching lawsmith")
    width, height = top.pair("area", (1, 1), (255, 255))
    rows = top.list("materials")
    if len(rows) != height or not all(isinstance(r, str) and len(r) == width for r in rows):
        raise StateError(f"materials: expected {height} strings of {width} hex digits (one per tile)")
    try:
        codes = np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError:
        codes = np.zeros(0, np.uint8)
    ids = _HEX_VALUES[codes] if codes.size == width * height else np.full(1, 255, np.uint8)
    if ids.max() >= len(C.MATERIALS) or ids.min() < 1:
        raise StateError(f"materials: rows may only hold the hex digits 1..{len(C.MATERIALS) - 1:x} "
                         "(material ids)")
    grid = ids.reshape(height, width).T.copy()

    hi = (width - 1, height - 1)
    pr = top.sub("player")
    inv_reader, ach_reader = pr.sub("inventory"), pr.sub("achievements")
    if set(inv_reader.data) != set(C.ITEMS):
        raise StateError(f"player.inventory: expected exactly the items {', '.join(C.ITEMS)}")
    if set(ach_reader.data) != set(C.ACHIEVEMENTS):
        raise StateError("player.achievements: expected exactly the 22 achievements")
    player = Player(
        pos=pr.pair("pos", (0, 0), hi),
        facing=_direction(pr.pair("facing"), "player.facing"),
        inventory={k: inv_reader.int(k, 0, C.ITEM_MAX) for k in C.ITEMS},
        achievements={k: ach_reader.int(k, 0) for k in C.ACHIEVEMENTS},
        sleeping=pr.bool("sleeping"),
        hunger=pr.number("hunger"), thirst=pr.number("thirst"),
        fatigue=pr.number("fatigue"), recover=pr.number("recover"),
        last_health=pr.int("last_health", 0, C.ITEM_MAX),
    )
    next_id = top.int("next_id", 2)
    objects: dict[int, Entity] = {}
    occupied = {player.pos}
    last_id = Player.id
    for n, raw in enumerate(top.list("objects")):
        r = _Reader(raw, f"objects[{n}]")
        kind = r.raw("kind")
        if kind not in ENTITY_TYPES:
            raise StateError(f"objects[{n}].kind: {kind!r} is not one of {', '.join(ENTITY_TYPES)}")
        obj_id = r.int("id", last_id + 1, next_id - 1)
        last_id = obj_id
        pos = r.pair("pos", (0, 0), hi)
        if pos in occupied:
            raise StateError(f"objects[{n}].pos: {list(pos)} already holds an object (one per tile)")
        occupied.add(pos)
        cls = ENTITY_TYPES[kind]
        extra: dict[str, Any] = {}
        for name in cls.fields:
            if name == "facing":
                extra[name] = _direction(r.pair(name), f"objects[{n}].facing")
            else:
                extra[name] = r.int(name, 0)
        objects[obj_id] = cls(obj_id, pos, r.int("health", 0), **extra)
    chunks: list[ChunkKey] = []
    for n, raw in enumerate(top.list("chunks")):
        if not (isinstance(raw, list) and len(raw) == 4 and all(type(v) is int for v in raw)):
            raise StateError(f"chunks[{n}]: expected [xmin, xmax, ymin, ymax]")
        chunks.append((raw[0], raw[1], raw[2], raw[3]))
    rr = top.sub("rng")
    key = rr.raw("key")
    if not isinstance(key, str):
        raise StateError("rng.key: expected a base64 string of 624 little-endian uint32 words")
    try:
        rng = RngState.from_base64(key, rr.int("pos", 0, MT_WORDS))
    except ValueError as exc:
        raise StateError(f"rng.key: {exc}") from None
    return State(
        materials=grid, player=player, objects=objects, next_id=next_id, chunks=chunks,
        step=top.int("step", 0), seed=top.int("seed", 0), episode=top.int("episode", 1), rng=rng,
        last_health=top.int("last_health", 0, C.ITEM_MAX), length=top.int("length", 0),
    )
