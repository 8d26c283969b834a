"""Prompts for the LLM proposer: selected transitions, the law language, the current laws, findings.

The prompt is built only from what the learner may see (observations and their changes), in a fixed
order, so the same transitions and law set give the same bytes: the request is the replay-cache key.
Its size is bounded by characters (``MAX_PROMPT_CHARS``); tokens are estimated as characters / 4
because no tokenizer package is installed here (``estimate_tokens``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import crafter_oo
import laws
from crafter_oo.render import render_text
from crafter_oo.trace import Transition
from engine.evidence import changes

MAX_TRANSITIONS = 14          # transitions shown per prompt
MAX_CHANGES = 10              # changes listed per transition
MAX_CURRENT_CHARS = 8_000     # current laws shown in full up to this many characters, then names only
MAX_PROMPT_CHARS = 30_000     # the whole prompt (~7,500 tokens at 4 characters a token)
MAX_FINDINGS_CHARS = 3_000    # parser / Z3 findings on a repair round
MAX_ECHO_CHARS = 4_000        # the previous answer echoed back on a repair round

SYSTEM = """You propose laws for a world model of Crafter-OO, a grid survival game. You see transitions \
(a local map before the step, the action, and what changed) and write precondition-effect laws in the \
law language below. Propose only laws the transitions support; prefer general laws. Answer with one JSON \
object and nothing else: {"laws": [{"text": "<one law in the law language>", "why": "<short reason>"}]} \
with at most 8 laws. Law names must be new (not among the current laws)."""

GRAMMAR = """The law language (a law is data, never code):

law NAME[(PARAM ~ beta(a, b) | dirichlet(a, b, ...))]:
    [for each KIND v]                       # KIND: cow, zombie, skeleton, arrow, plant, chunk
    [when CONDITION]                        # and / or / not, == != < <= > >=, x in {a, b}
    then EFFECT; EFFECT; ...

EFFECT: ref = expr | ref += expr | ref -= expr | v.move(DIRECTION) | remove v | add KIND | nothing
        | with probability P: EFFECT | one of M: EFFECT | EFFECT | ...
Readable: action (noop, move_left, move_right, move_up, move_down, do, sleep, place_stone, place_table,
place_furnace, place_plant, make_wood_pickaxe, make_stone_pickaxe, make_iron_pickaxe, make_wood_sword,
make_stone_sword, make_iron_sword); step; daylight; player.pos; player.facing; player.sleeping;
player.inventory.ITEM (health, food, drink, energy, sapling, wood, stone, coal, iron, diamond,
wood_pickaxe, stone_pickaxe, iron_pickaxe, wood_sword, stone_sword, iron_sword; 0..9);
player.achievements.NAME (collect_wood, place_table, eat_cow, wake_up, ...); facing.pos;
facing.material; facing.entity; tile(POS).material; tile(POS).entity; v.pos, v.health (entities);
dist(a, b); left/right/up/down as offsets (player.pos + left). Materials: water, grass, stone, path,
sand, tree, lava, coal, iron, diamond, table, furnace. A law that moves a kind needs a declaration
such as `walkable cow: grass, sand, path` on its own line before it.

Examples:
law collect_wood:
    when action == do and facing.material == tree
    then player.inventory.wood += 1; player.achievements.collect_wood += 1

law thirst(p ~ beta(1, 20)):
    then with probability p: player.inventory.drink -= 1

law cow_wanders(m ~ dirichlet(4, 1, 1, 1, 1)):
    for each cow c
    when dist(c.pos, player.pos) <= 16
    then one of m: stay | c.move(left) | c.move(right) | c.move(up) | c.move(down)"""


def estimate_tokens(messages: Sequence[dict[str, Any]]) -> int:
    """Tokens of a chat prompt, estimated as characters / 4 (no tokenizer is installed)."""
    return sum(len(str(m.get("content", ""))) for m in messages) // 4


def _interest(t: Transition) -> tuple[frozenset[str], str]:
    """What a transition shows beyond time passing: the changed attributes (entities by kind)."""
    keys: set[str] = set()
    for c in changes(t):
        if c.kind in ("time", "entity_moved"):  # creatures wander on most steps: not a reason to show one
            continue
        head = c.context.entity_kind or ".".join(str(k) for k in c.key[:3])
        keys.add(f"{c.kind}:{head}")
    return frozenset(keys), crafter_oo.constants.ACTIONS[t.action] if isinstance(t.action, int) else str(t.action)


def select(transitions: Sequence[Transition], limit: int = MAX_TRANSITIONS) -> list[int]:
    """Indices of the transitions worth showing: one per distinct (changes, action) signature, the rarest
    first, then in time order. Deterministic; transitions where only time passed are skipped."""
    seen: dict[tuple[frozenset[str], str], list[int]] = {}
    for i, t in enumerate(transitions):
        keys, action = _interest(t)
        if keys:
            seen.setdefault((keys, action), []).append(i)
    ranked = sorted(seen.values(), key=lambda rows: (len(rows), rows[0]))
    return sorted(rows[0] for rows in ranked[:limit])


def render_transition(t: Transition, index: int) -> str:
    """One transition, compactly: the 7x5 view before it, the action, and what changed."""
    action = crafter_oo.constants.ACTIONS[t.action] if isinstance(t.action, int) else str(t.action)
    shown = sorted((c for c in changes(t) if c.kind != "time"), key=lambda c: c.kind.startswith("entity"))
    lines = [f"## transition {index}: action {action}", render_text(t.state, radius=(3, 2))]
    lines += [f"- {c.describe()}" for c in shown[:MAX_CHANGES]]
    if len(shown) > MAX_CHANGES:
        lines.append(f"- ... and {len(shown) - MAX_CHANGES} more changes")
    return "\n".join(lines)


def current_text(current: laws.LawSet | None, limit: int = MAX_CURRENT_CHARS) -> str:
    """The current law set: in full while it fits ``limit`` characters, then names only."""
    if current is None or not current.laws:
        return "(none yet)"
    parts = [laws.pretty(w) for w in current.walkable]
    used = sum(len(p) + 1 for p in parts)
    names: list[str] = []
    for law in current.laws:
        text = laws.pretty(law)
        if not names and used + len(text) + 2 <= limit:
            parts.append(text)
            used += len(text) + 2
        else:
            names.append(law.name)
    if names:
        parts.append("# also kept (text omitted for length): " + ", ".join(names))
    return "\n\n".join(parts)


def build_messages(transitions: Sequence[Transition], current: laws.LawSet | None,
                   limit: int = MAX_PROMPT_CHARS) -> list[dict[str, str]]:
    """The first request's messages: system (role and answer format) and user (grammar, laws, evidence).

    Transitions are dropped from the end of the selection until the prompt fits ``limit`` characters."""
    chosen = select(transitions)
    head = f"{GRAMMAR}\n\n# Current laws\n{current_text(current)}\n\n# Transitions ({len(transitions)} seen)\n"
    tail = "\n\nPropose new laws that explain changes the current laws do not. Answer with the JSON object only."
    blocks = [render_transition(transitions[i], i) for i in chosen]
    while blocks and len(SYSTEM) + len(head) + len(tail) + sum(len(b) + 2 for b in blocks) > limit:
        blocks.pop()
    user = head + "\n\n".join(blocks) + tail
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def repair_messages(messages: list[dict[str, str]], answer: str, findings: Sequence[str]) -> list[dict[str, str]]:
    """The next request on a repair round: the conversation so far, the previous answer (shortened if
    long) and the parser's or Z3's findings on it."""
    echo = answer if len(answer) <= MAX_ECHO_CHARS else answer[:MAX_ECHO_CHARS] + "\n[... cut]"
    report = "\n".join(f"- {f}" for f in findings)
    if len(report) > MAX_FINDINGS_CHARS:
        report = report[:MAX_FINDINGS_CHARS] + "\n[... more findings cut]"
    ask = ("Your answer had these problems:\n" + report +
           "\n\nAnswer again with the whole corrected JSON object (all laws, fixed or removed), nothing else.")
    return [*messages, {"role": "assistant", "content": echo}, {"role": "user", "content": ask}]
