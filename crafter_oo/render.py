"""``render_text``: a compact local view for terminals and prompts, one character per tile."""

from __future__ import annotations

from crafter_oo import constants as C
from crafter_oo.state import Plant, State

MATERIAL_CHARS = {
    C.NONE: " ", C.WATER: "~", C.GRASS: ".", C.STONE: "#", C.PATH: "_", C.SAND: ":", C.TREE: "T",
    C.LAVA: "%", C.COAL: "c", C.IRON: "i", C.DIAMOND: "d", C.TABLE: "t", C.FURNACE: "f",
}
ENTITY_CHARS = {"cow": "C", "zombie": "Z", "skeleton": "S", "arrow": "*", "plant": "p"}
PLAYER_CHARS = {C.LEFT: "<", C.RIGHT: ">", C.UP: "^", C.DOWN: "v"}
LEGEND = ("~ water  . grass  # stone  _ path  : sand  T tree  % lava  c coal  i iron  d diamond  "
          "t table  f furnace  C cow  Z zombie  S skeleton  * arrow  p/P plant (P ripe)  <>^v you")


def render_text(state: State, radius: tuple[int, int] = (4, 3), legend: bool = False) -> str:
    """The (2rx+1)x(2ry+1) tiles around the player (9x7 by default, the game's own view) and a status line.

    Off-map tiles are blank. Rows run top (smaller y) to bottom, as on screen.
    """
    px, py = state.player.pos
    rx, ry = radius
    w, h = state.area
    chars: dict[tuple[int, int], str] = {}
    for e in state.objects.values():
        chars[e.pos] = "P" if isinstance(e, Plant) and e.ripe else ENTITY_CHARS[e.kind]
    chars[state.player.pos] = "z" if state.player.sleeping else PLAYER_CHARS[state.player.facing]
    rows = []
    for y in range(py - ry, py + ry + 1):
        row = []
        for x in range(px - rx, px + rx + 1):
            if (x, y) in chars:
                row.append(chars[(x, y)])
            elif 0 <= x < w and 0 <= y < h:
                row.append(MATERIAL_CHARS[int(state.materials[x, y])])
            else:
                row.append(" ")
        rows.append("".join(row))
    rows.append(status_line(state))
    if legend:
        rows.append(LEGEND)
    return "\n".join(rows)


def status_line(state: State) -> str:
    p = state.player
    inv = p.inventory
    vitals = " ".join(f"{name} {inv[name]}" for name in C.VITALS)
    items = " ".join(f"{name} {inv[name]}" for name in C.ITEMS[len(C.VITALS):] if inv[name])
    phase = "night" if state.daylight < 0.5 else "day"
    parts = [f"step {state.step}", f"{phase} {state.daylight:.2f}", f"at {p.pos[0]},{p.pos[1]}",
             f"facing {C.DIRECTION_NAMES[p.facing]}", vitals]
    if items:
        parts.append(items)
    if p.sleeping:
        parts.append("sleeping")
    return " | ".join(parts)
