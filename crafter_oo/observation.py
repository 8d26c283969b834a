"""What learners and laws see of a state, and the schema that types it.

The observation is the state minus what a player cannot see: the four hidden counters (hunger,
thirst, fatigue, recover) and the player's last health, the random stream, the chunk registry and the
episode bookkeeping. Without them vitals and creatures look stochastic, as they do to a player, which
is what a learned world model has to capture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from crafter_oo import constants as C
from crafter_oo.state import Player, Pos, State

OBSERVATION_VERSION = 1

AttrType = Literal["int", "float", "bool", "material", "direction", "kind", "action"]


@dataclass(frozen=True, slots=True)
class Attribute:
    """One observable attribute: its dotted path, type and inclusive range (or enum values)."""

    path: str
    type: AttrType
    lo: float | None = None
    hi: float | None = None
    values: tuple[str, ...] = ()
    doc: str = ""

    def contains(self, value: Any) -> bool:
        if self.values:
            return value in self.values
        if self.type == "bool":
            return isinstance(value, bool)
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


@dataclass(frozen=True, slots=True)
class Schema:
    """Every observable attribute with type and range, and the action set.

    Paths: ``player.*`` for the player, ``<kind>.*`` for an entity of that kind (``entity.*`` for what all
    kinds share), ``tile.material`` for any map tile, plus ``step`` and ``daylight``.
    """

    version: int
    actions: tuple[str, ...]
    materials: tuple[str, ...]
    entity_kinds: tuple[str, ...]
    directions: tuple[str, ...]
    items: tuple[str, ...]
    vitals: tuple[str, ...]
    achievements: tuple[str, ...]
    area: Pos
    attributes: MappingProxyType[str, Attribute] = field(repr=False)

    def attribute(self, path: str) -> Attribute:
        try:
            return self.attributes[path]
        except KeyError:
            raise KeyError(f"unknown attribute {path!r}") from None


def _build_schema() -> Schema:
    w, h = C.DEFAULT_AREA
    directions = tuple(C.DIRECTION_NAMES[d] for d in C.DIRECTIONS)
    kinds = C.ENTITY_KINDS[1:]
    attrs: list[Attribute] = [
        Attribute("step", "int", 0, C.DEFAULT_LENGTH, doc="steps since reset"),
        Attribute("daylight", "float", 0.0, 1.0, doc="1 is brightest; night when below 0.5"),
        Attribute("action", "action", values=C.ACTIONS, doc="the action taken in the transition"),
        Attribute("tile.material", "material", values=C.MATERIALS,
                  doc="a map tile's material; 'none' only off the map"),
        Attribute("player.pos.x", "int", 0, w - 1), Attribute("player.pos.y", "int", 0, h - 1),
        Attribute("player.facing", "direction", values=directions),
        Attribute("player.sleeping", "bool"),
    ]
    attrs += [Attribute(f"player.inventory.{item}", "int", 0, C.ITEM_MAX,
                        doc="a vital" if item in C.VITALS else "an inventory count") for item in C.ITEMS]
    attrs += [Attribute(f"player.achievements.{a}", "int", 0, C.DEFAULT_LENGTH, doc="times achieved")
              for a in C.ACHIEVEMENTS]
    attrs += [
        Attribute("entity.kind", "kind", values=kinds),
        Attribute("entity.pos.x", "int", 0, w - 1), Attribute("entity.pos.y", "int", 0, h - 1),
        Attribute("entity.health", "int", 0, 5, doc="cow 3, zombie 5, skeleton 3, plant 1, arrow 0 when new"),
        Attribute("zombie.cooldown", "int", 0, 5, doc="steps until it can hit again while adjacent"),
        Attribute("skeleton.reload", "int", 0, 4, doc="steps until it can shoot again"),
        Attribute("arrow.facing", "direction", values=directions),
        Attribute("plant.grown", "int", 0, C.DEFAULT_LENGTH, doc="ripe when above 300"),
    ]
    return Schema(
        version=OBSERVATION_VERSION, actions=C.ACTIONS, materials=C.MATERIALS, entity_kinds=kinds,
        directions=directions, items=C.ITEMS, vitals=C.VITALS, achievements=C.ACHIEVEMENTS,
        area=C.DEFAULT_AREA, attributes=MappingProxyType({a.path: a for a in attrs}),
    )


SCHEMA = _build_schema()


@dataclass(frozen=True, slots=True)
class EntityView:
    """An entity as seen: kind-specific fields are None for the kinds that lack them."""

    id: int
    kind: str
    pos: Pos
    health: int
    cooldown: int | None = None
    reload: int | None = None
    facing: str | None = None
    grown: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "pos": list(self.pos), "health": self.health}
        for name in ("cooldown", "reload", "facing", "grown"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class PlayerView:
    pos: Pos
    facing: str
    sleeping: bool
    inventory: MappingProxyType[str, int]
    achievements: MappingProxyType[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"pos": list(self.pos), "facing": self.facing, "sleeping": self.sleeping,
                "inventory": dict(self.inventory), "achievements": dict(self.achievements)}


@dataclass(frozen=True, slots=True, eq=False)
class Observation:
    """The observable view of a state. ``materials`` is read-only and indexed [x, y]."""

    step: int
    daylight: float
    materials: np.ndarray
    player: PlayerView
    entities: tuple[EntityView, ...]

    @property
    def area(self) -> Pos:
        return (int(self.materials.shape[0]), int(self.materials.shape[1]))

    @property
    def facing_pos(self) -> Pos:
        dx, dy = _DIRECTION_VECTORS[self.player.facing]
        return (self.player.pos[0] + dx, self.player.pos[1] + dy)

    def material(self, pos: Pos) -> str:
        """A tile's material name; 'none' off the map."""
        x, y = pos
        if 0 <= x < self.materials.shape[0] and 0 <= y < self.materials.shape[1]:
            return C.MATERIALS[self.materials[x, y]]
        return "none"

    def entity_at(self, pos: Pos) -> EntityView | None:
        for e in self.entities:
            if e.pos == pos:
                return e
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Observation):
            return NotImplemented
        return (self.step == other.step and self.daylight == other.daylight
                and np.array_equal(self.materials, other.materials)
                and self.player == other.player and self.entities == other.entities)

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: materials as one string of material names per row (y), entities by id."""
        w, h = self.area
        return {
            "version": OBSERVATION_VERSION,
            "step": self.step,
            "daylight": self.daylight,
            "materials": [[C.MATERIALS[self.materials[x, y]] for x in range(w)] for y in range(h)],
            "player": self.player.to_dict(),
            "entities": {str(e.id): e.to_dict() for e in self.entities},
        }


_DIRECTION_VECTORS = {name: vec for vec, name in C.DIRECTION_NAMES.items()}


def _player_view(p: Player) -> PlayerView:
    return PlayerView(p.pos, C.DIRECTION_NAMES[p.facing], p.sleeping,
                      MappingProxyType(dict(p.inventory)), MappingProxyType(dict(p.achievements)))


def observe(state: State) -> Observation:
    """The observation of ``state``: what laws read and predict."""
    materials = state.materials.copy()
    materials.setflags(write=False)
    entities = []
    for e in state.objects.values():
        extra: dict[str, Any] = {}
        for name in e.fields:
            value = getattr(e, name)
            extra[name] = C.DIRECTION_NAMES[value] if name == "facing" else value
        entities.append(EntityView(e.id, e.kind, e.pos, e.health, **extra))
    return Observation(state.step, state.daylight, materials, _player_view(state.player), tuple(entities))
