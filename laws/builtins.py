"""The language's vocabulary beyond the schema: built-in functions and the names of special objects.

Kept in one table so the type checker, the evaluator, the solver and the documentation agree on it.
"""

from __future__ import annotations

from laws.ast import BOOL, CHUNK, DIRECTION, FLOAT, INT, KIND, MATERIAL, POS

# name -> (argument types, result type). 'num' is int or float (the result follows the arguments);
# 'kind!'/'material!' must be a literal, so the evaluator can precompute what it counts.
FUNCTIONS: dict[str, tuple[tuple[tuple[str, ...], ...], str]] = {
    "dist": (((POS, POS),), INT),                  # L1 distance between two tiles
    "toward": (((POS, POS),), DIRECTION),          # unit step from a toward b, long axis ('none' if equal)
    "toward_short": (((POS, POS),), DIRECTION),    # the same along the short axis
    "nearby": ((("material!",),), BOOL),           # the material is in the 3x3 square around the player
    "count": ((("kind!",), ("kind!", POS, INT)), INT),  # entities of a kind (within L1 <= d of a tile)
    "contested": (((POS,),), BOOL),                # the player's action or an earlier-updating entity may change it
    "entities_in": (((CHUNK, "kind!"),), INT),     # entities of a kind in a chunk
    "tiles_in": (((CHUNK, "material!"),), INT),    # tiles of a material in a chunk
    "abs": ((("num",),), "num"),
    "min": ((("num", "num"),), "num"),
    "max": ((("num", "num"),), "num"),
    "cos": ((("num",),), FLOAT),
}

# Fields of a quantified entity beyond the kind-specific ones in the schema (``zombie.cooldown``, ...).
ENTITY_FIELDS = {"pos": POS, "pos.x": INT, "pos.y": INT, "health": INT, "id": INT, "kind": KIND}
CHUNK_FIELDS = {"x": INT, "y": INT}
CHUNK_SIZE = 12

# Player attributes a law may read, beyond inventory and achievements.
PLAYER_FIELDS = {"pos": POS, "pos.x": INT, "pos.y": INT, "facing": DIRECTION, "sleeping": BOOL}
GLOBALS = {"step": INT, "daylight": FLOAT, "action": "action"}
TILE_FIELDS = {"material": MATERIAL, "entity": KIND}
