"""The game's vocabulary: materials, items, actions, achievements and the rule tables.

Everything game logic compares against lives here, so no magic number or name appears in the step.
The values are Crafter 1.8.3's (``../shared/CRAFTER.md``); ids are the uint8/semantic ids it uses.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# Material ids; 0 means "none": off the map or unknown. A generated or scenario map never holds 0.
MATERIALS: Final[tuple[str, ...]] = (
    "none", "water", "grass", "stone", "path", "sand", "tree",
    "lava", "coal", "iron", "diamond", "table", "furnace",
)
MATERIAL_ID: Final = MappingProxyType({name: i for i, name in enumerate(MATERIALS)})
NONE, WATER, GRASS, STONE, PATH, SAND, TREE, LAVA, COAL, IRON, DIAMOND, TABLE, FURNACE = range(13)

# Entity kinds and their ids in the semantic view (the player is 13).
ENTITY_KINDS: Final[tuple[str, ...]] = ("player", "cow", "zombie", "skeleton", "arrow", "plant")
SEMANTIC_ID: Final = MappingProxyType({kind: 13 + i for i, kind in enumerate(ENTITY_KINDS)})

# Who may walk where. Off-map (id 0) is in none of these sets.
CREATURE_WALKABLE: Final = frozenset({GRASS, SAND, PATH})
PLAYER_WALKABLE: Final = frozenset({GRASS, SAND, PATH, LAVA})
ARROW_PASSABLE: Final = frozenset({GRASS, SAND, PATH, WATER, LAVA})

# Inventory in HUD order, with initial values; every maximum is 9.
ITEMS: Final[tuple[str, ...]] = (
    "health", "food", "drink", "energy", "sapling", "wood", "stone", "coal", "iron", "diamond",
    "wood_pickaxe", "stone_pickaxe", "iron_pickaxe", "wood_sword", "stone_sword", "iron_sword",
)
VITALS: Final[tuple[str, ...]] = ("health", "food", "drink", "energy")
ITEM_INITIAL: Final = MappingProxyType({name: (9 if name in VITALS else 0) for name in ITEMS})
ITEM_MAX: Final = 9

ACTIONS: Final[tuple[str, ...]] = (
    "noop", "move_left", "move_right", "move_up", "move_down", "do", "sleep",
    "place_stone", "place_table", "place_furnace", "place_plant",
    "make_wood_pickaxe", "make_stone_pickaxe", "make_iron_pickaxe",
    "make_wood_sword", "make_stone_sword", "make_iron_sword",
)
ACTION_ID: Final = MappingProxyType({name: i for i, name in enumerate(ACTIONS)})

ACHIEVEMENTS: Final[tuple[str, ...]] = (
    "collect_coal", "collect_diamond", "collect_drink", "collect_iron", "collect_sapling",
    "collect_stone", "collect_wood", "defeat_skeleton", "defeat_zombie", "eat_cow", "eat_plant",
    "make_iron_pickaxe", "make_iron_sword", "make_stone_pickaxe", "make_stone_sword",
    "make_wood_pickaxe", "make_wood_sword", "place_furnace", "place_plant", "place_stone",
    "place_table", "wake_up",
)

# Directions as (dx, dy); arrays are indexed [x, y], y grows downward.
LEFT, RIGHT, UP, DOWN = (-1, 0), (1, 0), (0, -1), (0, 1)
DIRECTIONS: Final[tuple[tuple[int, int], ...]] = (LEFT, RIGHT, UP, DOWN)
DIRECTION_NAMES: Final = MappingProxyType({LEFT: "left", RIGHT: "right", UP: "up", DOWN: "down"})
MOVE_ACTIONS: Final = MappingProxyType({
    "move_left": LEFT, "move_right": RIGHT, "move_up": UP, "move_down": DOWN,
})


class CollectRule:
    """What `do` on a material needs, gives, and leaves behind."""

    __slots__ = ("leaves", "probability", "receive", "require")

    def __init__(self, require: dict[str, int], receive: dict[str, int], leaves: int,
                 probability: float = 1.0) -> None:
        self.require = MappingProxyType(require)
        self.receive = MappingProxyType(receive)
        self.leaves = leaves
        self.probability = probability


COLLECT: Final = MappingProxyType({
    TREE: CollectRule({}, {"wood": 1}, GRASS),
    STONE: CollectRule({"wood_pickaxe": 1}, {"stone": 1}, PATH),
    COAL: CollectRule({"wood_pickaxe": 1}, {"coal": 1}, PATH),
    IRON: CollectRule({"stone_pickaxe": 1}, {"iron": 1}, PATH),
    DIAMOND: CollectRule({"iron_pickaxe": 1}, {"diamond": 1}, PATH),
    WATER: CollectRule({}, {"drink": 1}, WATER),
    GRASS: CollectRule({}, {"sapling": 1}, GRASS, probability=0.1),
})

# place_<item>: (uses, allowed target materials, material placed or None for the plant object)
PLACE: Final = MappingProxyType({
    "stone": (MappingProxyType({"stone": 1}), frozenset({GRASS, SAND, PATH, WATER, LAVA}), STONE),
    "table": (MappingProxyType({"wood": 2}), frozenset({GRASS, SAND, PATH}), TABLE),
    "furnace": (MappingProxyType({"stone": 4}), frozenset({GRASS, SAND, PATH}), FURNACE),
    "plant": (MappingProxyType({"sapling": 1}), frozenset({GRASS}), None),
})

# make_<tool>: (uses, stations that must be in the 3x3 around the player)
MAKE: Final = MappingProxyType({
    "wood_pickaxe": (MappingProxyType({"wood": 1}), (TABLE,)),
    "stone_pickaxe": (MappingProxyType({"wood": 1, "stone": 1}), (TABLE,)),
    "iron_pickaxe": (MappingProxyType({"wood": 1, "coal": 1, "iron": 1}), (TABLE, FURNACE)),
    "wood_sword": (MappingProxyType({"wood": 1}), (TABLE,)),
    "stone_sword": (MappingProxyType({"wood": 1, "stone": 1}), (TABLE,)),
    "iron_sword": (MappingProxyType({"wood": 1, "coal": 1, "iron": 1}), (TABLE, FURNACE)),
})

# Creature starting health and the kind-specific fields each entity carries.
START_HEALTH: Final = MappingProxyType({"cow": 3, "zombie": 5, "skeleton": 3, "arrow": 0, "plant": 1})

# Env statics.
DEFAULT_AREA: Final = (64, 64)
VIEW: Final = (9, 9)
UPDATE_RADIUS: Final = 2 * max(VIEW)  # objects with L1 distance < 18 update
CHUNK: Final = (12, 12)
DEFAULT_LENGTH: Final = 10000
DAY_PERIOD: Final = 300
RIPE_AFTER: Final = 300  # a plant is ripe iff grown > 300
# A stock 64-px render at night draws a uniform per pixel of the 63x49 world view.
NIGHT_RENDER_UNIFORMS: Final = (64 // VIEW[0] * VIEW[0]) * (64 // VIEW[1] * (VIEW[1] - 2))
