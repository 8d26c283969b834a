"""The evaluation scenarios: 23 mechanics as 38 keyed variants (EVALUATION.md).

Each scenario is a small world (9x9 grass unless stated, player at (5,5) facing east, so the faced tile
is (6,5)), a scripted policy, a step budget and a goal test. Running a scenario through the true
transition records its transitions; a scenario whose goal fails is an error, never a warning, because
an evaluation on a scenario that did not happen would measure nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

import crafter_oo
from crafter_oo import constants as C
from crafter_oo.build import build_world
from crafter_oo.state import Pos, State
from crafter_oo.trace import Transition

FACED: Pos = (6, 5)
WEST: Pos = (4, 5)
# Stone on three sides of the faced tile: a creature there can only step toward the player, which is
# blocked, so fights end within their budgets (a free creature may walk away and never be caught).
POCKET: Mapping[Pos, str] = {(7, 5): "stone", (6, 4): "stone", (6, 6): "stone"}

Policy = Callable[[State, np.random.RandomState], int | None]
Goal = Callable[[Sequence[State]], bool]  # over the states of the run, first to last


class ScenarioError(RuntimeError):
    """A scenario whose goal test failed under the true transition: the suite itself is broken."""


@dataclass(frozen=True)
class Scenario:
    key: str
    mechanic: str
    description: str
    world: Mapping[str, Any]  # keyword arguments of crafter_oo.build.build_world
    policy: Policy
    budget: int
    goal: Goal
    stochastic: tuple[str, ...] = field(default=())  # events whose calibration this scenario probes

    def build(self, seed: int) -> State:
        return build_world(seed=seed, **self.world)


@dataclass(frozen=True)
class Run:
    scenario: Scenario
    seed: int
    transitions: tuple[Transition, ...]


def run(scenario: Scenario, seed: int) -> Run:
    """Play ``scenario`` through the true transition; raise ``ScenarioError`` if its goal fails."""
    policy_rng = np.random.RandomState(seed)
    state = first = scenario.build(seed)
    transitions: list[Transition] = []
    for _ in range(scenario.budget):
        action = scenario.policy(state, policy_rng)
        if action is None:
            break
        next_state, _, done = crafter_oo.step(state, action)
        transitions.append(Transition(state, action, next_state))
        state = next_state
        if done:
            break
    if not transitions:
        raise ScenarioError(f"scenario {scenario.key}: the policy took no action")
    if not scenario.goal([first] + [t.next_state for t in transitions]):
        raise ScenarioError(f"scenario {scenario.key} (seed {seed}): the goal failed under the true "
                            f"transition after {len(transitions)} steps: {scenario.description}")
    return Run(scenario, seed, tuple(transitions))


# -------------------------------------------------------------------------------------------- policies

def repeat(action: str, times: int = 1) -> Policy:
    """Take ``action`` ``times`` times, then stop."""
    index = C.ACTION_ID[action]

    def policy(state: State, rng: np.random.RandomState) -> int | None:
        return index if state.step < times else None
    return policy


def _approach(state: State, target: Pos) -> int:
    """Face ``target`` if adjacent (a blocked move still turns), else step toward it."""
    p = state.player
    dx, dy = target[0] - p.pos[0], target[1] - p.pos[1]
    direction = (int(np.sign(dx)), 0) if abs(dx) >= abs(dy) else (0, int(np.sign(dy)))
    if (p.pos[0] + p.facing[0], p.pos[1] + p.facing[1]) == target:
        return C.ACTION_ID["do"]
    name = {C.LEFT: "move_left", C.RIGHT: "move_right", C.UP: "move_up", C.DOWN: "move_down"}[direction]
    return C.ACTION_ID[name]


def hunt(kind: str) -> Policy:
    """Face the first entity of ``kind`` and hit it until it is gone."""
    def policy(state: State, rng: np.random.RandomState) -> int | None:
        targets = [e for e in state.objects.values() if e.kind == kind]
        if not targets:
            return None
        return _approach(state, targets[0].pos)
    return policy


def random_moves(times: int) -> Policy:
    moves = [C.ACTION_ID[a] for a in ("move_left", "move_right", "move_up", "move_down")]

    def policy(state: State, rng: np.random.RandomState) -> int | None:
        return moves[rng.randint(0, 4)] if state.step < times else None
    return policy


def sleep_until_awake(state: State, rng: np.random.RandomState) -> int | None:
    if state.step > 0 and not state.player.sleeping:
        return None
    return C.ACTION_ID["sleep"]


# ----------------------------------------------------------------------------------------------- goals

def gains(item: str, amount: int = 1) -> Goal:
    return lambda states: states[-1].player.inventory[item] == states[0].player.inventory[item] + amount


def unchanged_inventory(states: Sequence[State]) -> bool:
    return states[-1].player.inventory == states[0].player.inventory


def achieved(name: str) -> Goal:
    return lambda states: states[-1].player.achievements[name] > states[0].player.achievements[name]


def tile_becomes(pos: Pos, material: str) -> Goal:
    return lambda states: C.MATERIALS[states[-1].materials[pos]] == material


def plant_placed(pos: Pos) -> Goal:
    return lambda states: any(e.kind == "plant" and e.pos == pos for e in states[-1].objects.values())


def both(*goals: Goal) -> Goal:
    return lambda states: all(goal(states) for goal in goals)


def gone(kind: str) -> Goal:
    return lambda states: not any(e.kind == kind for e in states[-1].objects.values())


def entity_moved(kind: str) -> Goal:
    """Some entity of ``kind`` changed position at least once during the run."""
    def goal(states: Sequence[State]) -> bool:
        for before, after in pairwise(states):
            moved = {e.id for e in after.objects.values() if e.kind == kind
                     and e.id in before.objects and before.objects[e.id].pos != e.pos}
            if moved:
                return True
        return False
    return goal


def player_moved(states: Sequence[State]) -> bool:
    return any(a.player.pos != b.player.pos for a, b in pairwise(states))


# ------------------------------------------------------------------------------------------- scenarios

def _scenario(key: str, mechanic: str, description: str, world: Mapping[str, Any], policy: Policy,
              budget: int, goal: Goal, stochastic: Sequence[str] = ()) -> Scenario:
    return Scenario(key, mechanic, description, dict(world), policy, budget, goal, tuple(stochastic))


def _crafting() -> list[Scenario]:
    out = []
    recipes = {
        "wood_pickaxe": {"wood": 1}, "wood_sword": {"wood": 1},
        "stone_pickaxe": {"wood": 1, "stone": 1}, "stone_sword": {"wood": 1, "stone": 1},
        "iron_pickaxe": {"wood": 1, "coal": 1, "iron": 1}, "iron_sword": {"wood": 1, "coal": 1, "iron": 1},
    }
    for tool, uses in recipes.items():
        stations = {FACED: "table"}
        if tool.startswith("iron"):
            stations[WEST] = "furnace"
        where = "table east, furnace west" if tool.startswith("iron") else "table faced"
        mechanic = f"craft_{tool}"
        items = ", ".join(f"{k} {v}" for k, v in uses.items())
        out.append(_scenario(mechanic, mechanic, f"{where}; {items}; make_{tool}",
                             {"materials": stations, "inventory": uses}, repeat(f"make_{tool}"), 1,
                             both(gains(tool), achieved(f"make_{tool}"))))
        fail_inventory = dict(uses, wood=0)
        out.append(_scenario(f"{mechanic}_fail", mechanic, f"{where}; wood 0; make_{tool} fails",
                             {"materials": stations, "inventory": fail_inventory}, repeat(f"make_{tool}"), 1,
                             unchanged_inventory))
    return out


def _collecting() -> list[Scenario]:
    out = [
        _scenario("collect_wood", "collect_wood", "tree faced; do", {"materials": {FACED: "tree"}},
                  repeat("do"), 1, gains("wood")),
        _scenario("collect_drink", "collect_drink", "water faced, drink 0; do",
                  {"materials": {FACED: "water"}, "inventory": {"drink": 0}}, repeat("do"), 1, gains("drink")),
    ]
    needs = {
        "stone": ({"wood_pickaxe": 1}, {}, "wood pickaxe", "none"),
        "coal": ({"wood_pickaxe": 1}, {}, "wood pickaxe", "none"),
        "iron": ({"stone_pickaxe": 1}, {"wood_pickaxe": 1}, "stone pickaxe", "wood pickaxe only"),
        "diamond": ({"iron_pickaxe": 1}, {"wood_pickaxe": 1, "stone_pickaxe": 1}, "iron pickaxe",
                    "wood and stone pickaxes only"),
    }
    for material, (tools, weak, has, fail_has) in needs.items():
        key = f"collect_{material}"
        out.append(_scenario(key, key, f"{material} faced; {has}; do",
                             {"materials": {FACED: material}, "inventory": tools}, repeat("do"), 1,
                             both(gains(material), tile_becomes(FACED, "path"))))
        out.append(_scenario(f"{key}_fail", key, f"{material} faced; {fail_has}; do fails",
                             {"materials": {FACED: material}, "inventory": weak}, repeat("do"), 1,
                             both(unchanged_inventory, tile_becomes(FACED, material))))
    return out


def _placing() -> list[Scenario]:
    out = []
    cases = {"stone": ("stone", 1), "table": ("wood", 2), "furnace": ("stone", 4), "plant": ("sapling", 1)}
    for item, (uses, amount) in cases.items():
        key = f"place_{item}"
        placed = plant_placed(FACED) if item == "plant" else tile_becomes(FACED, item)
        extra = ", no table" if item == "furnace" else ""
        out.append(_scenario(key, key, f"grass faced{extra}; {uses} {amount}; place_{item}",
                             {"inventory": {uses: amount}}, repeat(f"place_{item}"), 1,
                             both(placed, achieved(key), gains(uses, -amount))))
        out.append(_scenario(f"{key}_fail", key, f"grass faced{extra}; {uses} {amount - 1}; place_{item} fails",
                             {"inventory": {uses: amount - 1}}, repeat(f"place_{item}"), 1,
                             both(unchanged_inventory, tile_becomes(FACED, "grass"))))
    return out


def _living() -> list[Scenario]:
    return [
        _scenario("eat_plant", "eat_plant", "ripe plant faced (grown 301), food 0; do",
                  {"inventory": {"food": 0}, "entities": [("plant", FACED, {"grown": 301})]},
                  repeat("do"), 1, both(gains("food", 4), achieved("eat_plant"))),
        _scenario("eat_plant_fail", "eat_plant", "unripe plant faced (grown 100), food 0; do does nothing",
                  {"inventory": {"food": 0}, "entities": [("plant", FACED, {"grown": 100})]},
                  repeat("do"), 1, unchanged_inventory),
        _scenario("eat_cow", "eat_cow", "cow adjacent east in a stone pocket; hit it until it is gone (<= 15)",
                  {"entities": [("cow", FACED, {})], "materials": POCKET}, hunt("cow"), 15,
                  both(achieved("eat_cow"), gone("cow")), stochastic=("cow_move",)),
        _scenario("defeat_zombie", "defeat_zombie",
                  "zombie adjacent east in a stone pocket, wood sword; hit until gone (<= 5)",
                  {"inventory": {"wood_sword": 1}, "entities": [("zombie", FACED, {})], "materials": POCKET},
                  hunt("zombie"), 5,
                  both(achieved("defeat_zombie"), gone("zombie")), stochastic=("zombie_move",)),
        _scenario("defeat_skeleton", "defeat_skeleton",
                  "skeleton adjacent east in a stone pocket, no sword; face it and hit until gone (<= 10)",
                  {"entities": [("skeleton", FACED, {})], "materials": POCKET},
                  hunt("skeleton"), 10, both(achieved("defeat_skeleton"), gone("skeleton")),
                  stochastic=("skeleton_shoot",)),
        _scenario("cow_movement", "cow_movement", "only a cow at (6,6); noop x 30",
                  {"entities": [("cow", (6, 6), {})]}, repeat("noop", 30), 30, entity_moved("cow"),
                  stochastic=("cow_move",)),
        _scenario("random_movement", "random_movement", "a default small world; 10 uniformly random moves",
                  {}, random_moves(10), 10, player_moved),
        _scenario("wake_up", "wake_up", "energy 8, fatigue 0; sleep until asleep, then until awake (<= 12)",
                  {"inventory": {"energy": 8}, "counters": {"fatigue": 0}}, sleep_until_awake, 12,
                  achieved("wake_up")),
    ]


SCENARIOS: tuple[Scenario, ...] = tuple(_crafting() + _collecting() + _placing() + _living())
BY_KEY: Mapping[str, Scenario] = {s.key: s for s in SCENARIOS}
MECHANICS: tuple[str, ...] = tuple(dict.fromkeys(s.mechanic for s in SCENARIOS))
