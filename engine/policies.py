"""Exploration policies: which action to take next in one life, from the observation alone.

A policy sees only ``crafter_oo.observe`` output (never the state's hidden counters, random stream or
the simulator), and all its randomness comes from ``step_rng(policy, seed, t)``: so a life can be
resumed at any step by replaying the stored transitions through ``observe`` and get the same actions
as an uninterrupted run.

``random`` picks uniformly among the 17 actions. ``novelty`` is a curious, cautious learner: it knows
the action names and the schema (which inventory counts are vitals), nothing of the game's rules, and
learns from its own experience what actions do where. See ``NoveltyPolicy``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from crafter_oo import constants as C
from crafter_oo.observation import SCHEMA, Observation

ACTIONS = C.ACTIONS
POLICIES = ("random", "novelty")
# Bump a policy's version whenever its choices change: a session explored by another version cannot be
# resumed exactly, and ``engine.explore`` refuses to mix them.
POLICY_VERSIONS = {"random": 1, "novelty": 5}
_DIRECTIONS: dict[str, tuple[int, int]] = dict(C.MOVE_ACTIONS)  # what the move actions' names say
_MOVE_IDS = tuple(C.ACTION_ID[name] for name in _DIRECTIONS)
_OTHER_IDS = tuple(i for i, name in enumerate(ACTIONS) if name not in _DIRECTIONS)
_FACING: dict[str, tuple[int, int]] = {name: vec for vec, name in C.DIRECTION_NAMES.items()}


def step_rng(policy: str, seed: int, t: int) -> random.Random:
    """The policy's generator for step ``t``: a function of (policy, seed, t) only, so resuming is exact.

    A string seed is hashed with SHA-512 by ``random.Random``: stable across runs and platforms.
    """
    return random.Random(f"lawsmith.explore:{policy}:{seed}:{t}")


class Policy(Protocol):
    """What ``engine.explore`` asks of a policy."""

    name: ClassVar[str]
    learns: ClassVar[bool]  # True: ``observe`` must see every past transition again on resume

    def act(self, obs: Observation, t: int) -> int:
        """The action (0..16) for step ``t`` (the transition from state t-1 to state t)."""
        ...

    def observe(self, obs: Observation, action: int, next_obs: Observation) -> None:
        """Learn from one transition."""
        ...


class RandomPolicy:
    """Uniform over the 17 actions: the baseline every other policy is measured against."""

    name: ClassVar[str] = "random"
    learns: ClassVar[bool] = False

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def act(self, obs: Observation, t: int) -> int:
        return step_rng(self.name, self.seed, t).randrange(len(ACTIONS))

    def observe(self, obs: Observation, action: int, next_obs: Observation) -> None:
        return None


# ----------------------------------------------------------------------------------------- novelty

# The player's own view in Crafter is 9 x 7 tiles; the policy looks no further.
_VIEW = (4, 3)
_ITEMS = SCHEMA.items
_VITALS = SCHEMA.vitals
# The counts whose changes are credited to contexts: inventory, achievements, and the health of the entity
# the player faced before the step (its loss; all of it when the entity is gone).
_TRACKED = (tuple(f"inventory.{i}" for i in _ITEMS) + tuple(f"achievements.{a}" for a in SCHEMA.achievements)
            + ("faced.health",))
_FACED = _TRACKED.index("faced.health")
_HEALTH = _TRACKED.index("inventory.health")
_VITAL_INDEX = tuple(_TRACKED.index(f"inventory.{v}") for v in _VITALS)
_SPENDABLE = frozenset(_TRACKED.index(f"inventory.{i}") for i in _ITEMS if i not in _VITALS)
Pose = tuple[tuple[int, int], tuple[int, int]]  # (position, facing)
_ENCOUNTER = 10  # how many steps a threat that is not removed is assumed to stay next to the player
# Before any experience a sleep is assumed to last 10 steps and to cost 1 health per 30 steps.
_SLEEP_PRIOR = (10, (1.0, 30))
_SLEEP_STEPS = 5  # how many steps of a nearby threat a sleep is assumed to expose the player to
_BANDS = (1, 2, 3, 5, 8)  # distance bands (L1, upper bounds) for blaming lost health on what stood near
_REGION = 6  # visit counts are also kept per 6 x 6 region, so the policy heads for unvisited parts of the map


@dataclass
class Weights:
    """The novelty policy's knobs (see ``NoveltyPolicy`` for what each term means).

    The defaults come from a random search over 13 settings scored on seeds 5..24 (mean steps survived and
    achievements), checked on seeds 25..44; ``benchmarks/explore.py`` reports seeds 0..4, which the search
    did not use. ``fresh`` was then lowered from 4.8 (version 4): at 4.8 it chose 93% of the recipe and
    placing tries, about 80 of a life's 250 steps, each recipe again beside every new material; one setting
    at a time over seeds 0..79, only ``fresh`` moved the number of scenario mechanics a life shows beyond
    noise (9.1 at 4.8, 11.0 to 11.5 from 1.2 to 1.6).
    """

    novelty: float = 1.6        # a context tried n times is worth novelty / sqrt(1 + n)
    rarity: float = 2.4         # an outcome seen k times in the whole life is worth rarity / sqrt(k)
    need: float = 7.0           # a unit of a vital is worth need * (how far below its maximum it is)^2
    health: float = 1.3         # extra weight of a unit of health, always
    fear: float = 9.5           # curiosity is divided by 1 + fear * the danger where the player stands
    danger: float = 2.3         # expected health lost near things that hurt before, times health's worth
    place: float = 0.6          # standing somewhere seldom visited
    region: float = 0.75        # being in a region seldom visited
    fight: float = 1.3          # harm to a faced entity: the health its kind would take over an encounter
    surprise: float = 1.0       # a context whose transitions the law set failed to explain
    step_cost: float = 0.12     # per step of walking to where a plan starts
    noise: float = 0.02         # uniform tie-breaking noise from the step's generator
    backoff: float = 3.0        # pseudo-count pulling a context's estimate towards its coarser parent
    fresh: float = 1.4          # an action that never did anything, tried with a tile, station or item it never met
    spend: float = 0.5          # outcomes that use items up grow stale faster: rarity / k ** (0.5 + spend)


@dataclass
class _Stats:
    """What followed a context: how often, the summed change of every tracked count, and outcome kinds."""

    n: int = 0
    delta: list[float] = field(default_factory=lambda: [0.0] * len(_TRACKED))
    outcomes: Counter = field(default_factory=Counter)

    def add(self, delta: list[float], outcome: tuple[tuple[int, int], ...]) -> None:
        self.n += 1
        for i, d in enumerate(delta):
            if d:
                self.delta[i] += d
        self.outcomes[outcome] += 1

    @property
    def idle(self) -> bool:
        """Nothing ever followed (every outcome so far was the empty one)."""
        return not any(self.outcomes)


class NoveltyPolicy:
    """Seeks what it has seen least, keeps its vitals up, avoids what hurt it, and never steps blind.

    Everything it knows comes from its own transitions (rebuilt by replaying them on resume); it knows the
    action names and the schema, and nothing of the game's rules:

    - **Contexts.** An action taken somewhere is summarised as a context: for a move, the material and
      entity kind of the tile moved into; otherwise the action, the faced tile's material and entity kind,
      which non-vital items the inventory holds, and the set of materials around the player. Contexts
      tried less are worth more (count-based novelty).
      A finer context counts less while its parent has never done anything; but an action that has never
      done anything is worth trying again with a faced material or a station around that it never met,
      or holding an item it never held beside a material its own actions made (``fresh``): so the first
      time it stands by a table holding wood, and by its own table holding wood, every recipe is tried.
    - **Outcomes.** After each transition the change of every inventory count and achievement counter,
      and the health the faced entity lost, is credited to the context (and to two coarser parents, so
      estimates generalise). Its *kind* (which counts went up or down) is counted over the whole life; a
      context that led to rare kinds of outcome is worth more, and an outcome that uses items up grows
      stale faster (``spend``), so it does not spend all its wood on one table after another. A
      transition that sets the player's one mode flag (``sleeping``) is credited with everything that
      changes until the flag clears: one long action.
    - **Needs.** The schema's vitals are drives: a context's expected change of a vital is worth more
      the lower that vital is. Curiosity grows with needs that nothing it has done so far has met.
    - **Danger.** Health lost in a step is blamed on the situation, never on the action: on what stood
      nearby (entity kind by distance band), asleep or awake, the light, and the 6 x 6 region. Places and
      paths near such things cost in proportion to the loss expected there and to what health is worth
      now; curiosity yields to danger where the player stands (but not curiosity about the threat itself).
    - **Fighting back.** Harm done to a faced entity of a kind that hurts (the entity's health lost, as
      learned per context) is worth the health that kind would take over an encounter.
    - **Caution.** It only walks onto materials it has stood on or seen a living creature stand on, so it
      never tests an unknown material with its one life. A sleep cannot be interrupted, so it is charged
      with the loss expected over a sleep's length (from a pessimistic prior until it has slept).
    - **Law set.** Given a law set, a transition whose changes the set fails to predict (a value outside
      the combined prediction's support, or a change no law speaks for) makes its context more worth
      repeating.

    Each step it searches the tiles it can reach in view (breadth-first over position and facing) and
    takes the first action of the best plan: walk to a place and face a tile, then act, or just go
    somewhere seldom visited.
    """

    name: ClassVar[str] = "novelty"
    learns: ClassVar[bool] = True

    def __init__(self, seed: int, law_set: Any = None, weights: Weights | None = None) -> None:
        self.seed = seed
        self.w = weights or Weights()
        self.counts: Counter = Counter()
        self.stats: dict[tuple[Any, ...], _Stats] = {}
        self.outcome_counts: Counter = Counter()
        self.safe: set[int] = set()
        self.visits: Counter = Counter()
        self.region_visits: Counter = Counter()
        self.hurt: dict[tuple[Any, ...], list[float]] = {}
        self.toughness: dict[str, int] = {}  # the most health seen on an entity of each kind
        self.sources: set[int] = set()  # tracked counts some context has been seen to raise
        self.surprise: dict[tuple[Any, ...], list[int]] = {}
        self._mode: tuple[tuple[Any, ...], list[float]] | None = None  # a sleep under way
        self.mode_steps = [0, 0]  # how many sleeps ended, and how many steps they lasted in all
        self.tried_with: dict[str, set[tuple[Any, ...]]] = {}  # per action: every tile and station it met
        self.made: set[int] = set()  # materials the player's own actions turned a faced tile into
        self._compiled = None
        if law_set is not None:
            import laws

            self._compiled = laws.compile(law_set)

    # -- learning

    def observe(self, obs: Observation, action: int, next_obs: Observation) -> None:
        if not self.safe:
            self._saw(obs)
        self._saw(next_obs)
        view = _View(obs)
        delta = [b - a for a, b in zip(_counts(obs), _counts(next_obs), strict=True)] + [_faced_loss(obs, next_obs)]
        # Health is blamed on the situation (the danger model), never on the action: a zombie's blow while
        # the player hits it back is the zombie's doing, and with a few samples per context crediting it to
        # actions is mostly noise.
        credited: list[float] = list(delta)
        credited[_HEALTH] = 0.0
        self._learn_danger(view, -min(0, delta[_HEALTH]))
        asleep_before, asleep_after = obs.player.sleeping, next_obs.player.sleeping
        if self._mode is not None and asleep_before:
            context, total = self._mode
            total = [a + b for a, b in zip(total, credited, strict=True)]
            self._mode = (context, total)
            self.mode_steps[1] += 1
            if not asleep_after:
                self._mode = None
                self.mode_steps[0] += 1
                self._credit(context, total)
            return
        context = self.context(view, action, obs.player.pos, _FACING[obs.player.facing])
        for key in _levels(context):
            self.counts[key] += 1
        if context[0] != "move":
            self.tried_with.setdefault(context[0], set()).update(self._features(context))
            if next_obs.material(obs.facing_pos) != obs.material(obs.facing_pos):  # 'none' off the map
                self.made.add(int(next_obs.materials[obs.facing_pos]))
        if self._compiled is not None:
            record = self.surprise.setdefault(context, [0, 0])
            record[0] += 1
            record[1] += not self._explained(obs, action, next_obs)
        if asleep_after and not asleep_before:
            self._mode = (context, credited)
            self.mode_steps[1] += 1
        else:
            self._credit(context, credited)

    def _saw(self, obs: Observation) -> None:
        """Remember where the player stands and which materials living creatures in view stand on."""
        px, py = obs.player.pos
        self.safe.add(int(obs.materials[px, py]))
        self.visits[(px, py)] += 1
        self.region_visits[(px // _REGION, py // _REGION)] += 1
        for e in obs.entities:
            if e.health > 0 and abs(e.pos[0] - px) <= _VIEW[0] and abs(e.pos[1] - py) <= _VIEW[1]:
                self.safe.add(int(obs.materials[e.pos]))
                if e.health > self.toughness.get(e.kind, 0):
                    self.toughness[e.kind] = e.health

    def _credit(self, context: tuple[Any, ...], delta: list[float]) -> None:
        """Credit a context with what followed it: the change of each count, and the kind of outcome
        (which counts went up or down; vitals running down on their own do not make an outcome)."""
        outcome = tuple((i, 1 if d > 0 else -1) for i, d in enumerate(delta)
                        if d > 0 or (d < 0 and i not in _VITAL_INDEX))
        self.outcome_counts[outcome] += 1
        self.sources.update(i for i, d in enumerate(delta) if d > 0)
        for key in _levels(context):
            stats = self.stats.get(key)
            if stats is None:
                stats = self.stats[key] = _Stats()
            stats.add(delta, outcome)

    def _learn_danger(self, view: _View, lost: int) -> None:
        for feature in view.danger_features(view.obs.player.pos, view.obs.player.sleeping):
            record = self.hurt.setdefault(feature, [0, 0.0])
            record[0] += 1
            record[1] += lost

    def _explained(self, obs: Observation, action: int, next_obs: Observation) -> bool:
        import laws

        assert self._compiled is not None
        combined = laws.combine(self._compiled.predict(obs, action), obs)
        for key, dist in combined.items():
            truth = laws.actual(obs, next_obs, key)
            if truth is not None and not laws.in_support(dist, truth):
                return False
        return all(key in combined for key, _, _ in laws.changed_keys(obs, next_obs)
                   if key[0] not in ("step", "daylight"))

    # -- acting

    def context(self, view: _View, action: int, pos: tuple[int, int], facing: tuple[int, int],
                ) -> tuple[Any, ...]:
        """The context of taking ``action`` standing at ``pos`` facing ``facing`` (see the class doc)."""
        name = ACTIONS[action]
        if name in _DIRECTIONS:
            dx, dy = _DIRECTIONS[name]
            target = (pos[0] + dx, pos[1] + dy)
            return ("move", view.material(target), view.entity(target))
        target = (pos[0] + facing[0], pos[1] + facing[1])
        items = tuple(i for i, item in enumerate(_ITEMS) if item not in _VITALS and view.obs.player.inventory[item])
        return (name, view.material(target), view.entity(target), items, view.surroundings(pos, self.safe))

    def act(self, obs: Observation, t: int) -> int:
        rng = step_rng(self.name, self.seed, t)
        if obs.player.sleeping:
            # Asleep, the choice is not the player's to make, except on the step it wakes, when the action
            # runs: a uniform one, so the life shows that what it chose while asleep did not matter (always
            # noop, every law of waking said "action == noop").
            return rng.randrange(len(ACTIONS))
        view = _View(obs)
        needs = self._needs(obs)
        worth = needs[_HEALTH]  # what a unit of health is worth now
        values: dict[tuple[Any, ...], tuple[float, float]] = {}
        here = self._danger(view, obs.player.pos, False)
        # Curiosity yields to a present threat, and grows with needs nothing known yet meets.
        unmet = sum(needs[i] for i in _VITAL_INDEX if i != _HEALTH and i not in self.sources)
        bold = 1.0 + unmet
        curiosity = bold / (1.0 + self.w.fear * here)
        threats = {kind for kind in self.toughness if self._kind_danger(kind) > 0}
        best, best_score = C.ACTION_ID["noop"], -math.inf
        path_danger: dict[Pose, float] = {}
        for pose, (length, first, parent) in self._reachable(view).items():
            pos, facing = pose
            # The danger of a plan: at each position it moves through (for no move, where the player stands).
            danger = self._danger(view, pos, False)
            path_danger[pose] = danger + (path_danger[parent] if parent is not None and length > 1 else 0.0)
            base = -self.w.step_cost * length - self.w.danger * worth * path_danger[pose]
            score = base + self._place_value(pos) * curiosity + rng.random() * self.w.noise
            if length and score > best_score:
                best, best_score = first, score
            for action in _OTHER_IDS:
                context = self.context(view, action, pos, facing)
                value = values.get(context)
                if value is None:
                    value = values[context] = self._value(context, needs)
                curious, useful = value
                # Fear does not stop curiosity about the threat itself (what does hitting it do?).
                facing_threat = context[2] in threats
                score = base + curious * (bold if facing_threat else curiosity) + useful + rng.random() * self.w.noise
                if ACTIONS[action] == "sleep":
                    score -= self.w.danger * worth * self._sleep_danger(view, pos)
                if score > best_score:
                    best, best_score = (first if length else action), score
        return best

    def _needs(self, obs: Observation) -> list[float]:
        """What a unit change of each tracked count is worth now (the faced entity's is set per kind)."""
        needs = [0.0] * len(_TRACKED)
        for v, index in zip(_VITALS, _VITAL_INDEX, strict=True):
            gap = (C.ITEM_MAX - obs.player.inventory[v]) / C.ITEM_MAX
            needs[index] = self.w.need * gap * gap
        needs[_HEALTH] += self.w.health
        return needs

    def _kind_danger(self, kind: str) -> float:
        """Health lost per step beyond the usual while an entity of ``kind`` stood next to the player."""
        base = self.hurt.get(("base", False))
        usual = base[1] / (base[0] + 1) if base else 0.0
        record = self.hurt.get((kind, 1, False))
        return max(0.0, record[1] / (record[0] + 1) - usual) if record else 0.0

    def _value(self, context: tuple[Any, ...], needs: list[float]) -> tuple[float, float]:
        """How much a context is worth now, as (curious, useful): novelty, rare outcomes and surprises;
        needs met and threats removed."""
        curious = self.w.novelty * self._novelty(context)
        if (context[0] != "move" and self._dormant(context[:1])
                and not self._features(context) <= self.tried_with.get(context[0], set())):
            curious += self.w.fresh
        delta, outcomes = self._estimate(context)
        value = sum(n * d for n, d in zip(needs, delta, strict=True) if n and d)
        if context[0] != "move" and context[2] != "none" and delta[_FACED]:
            # Harm done to a kind that hurts is worth the harm it would do over an encounter, per unit of
            # the most health an entity of that kind has been seen with.
            toughness = self.toughness.get(context[2], 1)
            threat = self._kind_danger(context[2]) * _ENCOUNTER * -delta[_FACED] / toughness
            value += self.w.fight * needs[_HEALTH] * threat
        if outcomes:
            total = sum(outcomes.values())
            curious += self.w.rarity * sum(k / total / self._staleness(o) for o, k in outcomes.items() if o)
        if self._compiled is not None:
            record = self.surprise.get(context)
            if record:
                curious += self.w.surprise * record[1] / record[0]
        return curious, value

    def _features(self, context: tuple[Any, ...]) -> set[tuple[Any, ...]]:
        """What a non-move context meets: the faced material, each unusual material around the player, and
        each item held beside a material the player itself made (what it made may be what a recipe needs)."""
        near = context[4]
        return ({("faced", context[1])} | {("near", m) for m in near}
                | {("near", m, i) for m in near & self.made for i in context[3]})

    def _dormant(self, key: tuple[Any, ...]) -> bool:
        """Has this context never been followed by any outcome?"""
        stats = self.stats.get(key)
        return stats is None or stats.idle

    def _staleness(self, outcome: tuple[tuple[int, int], ...]) -> float:
        """How much seeing an outcome k times dulls it: sqrt(k), and faster for an outcome that uses items
        up, so the policy does not spend all it gathered repeating one rare placement."""
        k = self.outcome_counts[outcome]
        if any(sign < 0 and i in _SPENDABLE for i, sign in outcome):
            return k ** (0.5 + self.w.spend)
        return math.sqrt(k)

    def _novelty(self, context: tuple[Any, ...]) -> float:
        """Count-based novelty over the context's levels; a finer level counts less while its parent has
        been tried n times with nothing ever happening (by 1 / sqrt(1 + n)): no need to try an action
        that never did anything in every new place."""
        levels = _levels(context)
        total = 0.0
        for i, (weight, key) in enumerate(zip(_LEVEL_WEIGHTS[len(levels)], levels, strict=True)):
            term = weight / math.sqrt(1 + self.counts[key])
            if i + 1 < len(levels):
                parent = self.stats.get(levels[i + 1])
                if parent is not None and parent.idle:
                    term /= math.sqrt(1 + parent.n)
            total += term
        return total

    def _estimate(self, context: tuple[Any, ...]) -> tuple[list[float], Counter]:
        """The expected change per tracked count, shrunk towards the coarser parents' estimates."""
        mean = [0.0] * len(_TRACKED)
        outcomes: Counter = Counter()
        for key in reversed(_levels(context)):  # coarsest first
            stats = self.stats.get(key)
            if stats is None or not stats.n:
                continue
            k = self.w.backoff
            mean = [(s + k * m) / (stats.n + k) for s, m in zip(stats.delta, mean, strict=True)]
            outcomes = stats.outcomes
        return mean, outcomes

    def _danger(self, view: _View, pos: tuple[int, int], sleeping: bool) -> float:
        """Health expected to be lost at ``pos`` beyond the usual, from what stood near past losses."""
        base = self.hurt.get(("base", sleeping))
        usual = base[1] / (base[0] + 1) if base else 0.0
        worst = 0.0
        for feature in view.danger_features(pos, sleeping):
            record = self.hurt.get(feature)
            if record and feature[0] not in ("base", "light"):  # entity kinds and the region
                worst = max(worst, record[1] / (record[0] + 1) - usual)
        return worst + (usual if sleeping else 0.0)

    def _rate(self, feature: tuple[Any, ...]) -> float:
        record = self.hurt.get(feature)
        return record[1] / (record[0] + 1) if record else 0.0

    def _prior_rate(self, feature: tuple[Any, ...]) -> float:
        """A loss rate that starts from a small pessimistic prior (for what cannot be undone once begun)."""
        record = self.hurt.get(feature) or (0, 0.0)
        loss, steps = _SLEEP_PRIOR[1]
        return (record[1] + loss) / (record[0] + steps)

    def _sleep_danger(self, view: _View, pos: tuple[int, int]) -> float:
        """Sleep lasts (as long as past sleeps did) and cannot be interrupted: the health usually lost per
        step in this light, asleep or awake, over that time, plus anything in view that hurt the player when
        next to it, which may come while it sleeps."""
        modes, steps = self.mode_steps
        duration = (steps + _SLEEP_PRIOR[0]) / (modes + 1)
        light = max(self._prior_rate(("light", view.light, True)), self._prior_rate(("light", view.light, False)))
        kinds = {f[0] for f in view.danger_features(pos, True) if f[0] not in ("base", "light", "region")}
        return (duration * light + self._danger(view, pos, True)
                + sum(_SLEEP_STEPS * self._kind_danger(k) for k in kinds))

    def _place_value(self, pos: tuple[int, int]) -> float:
        region = (pos[0] // _REGION, pos[1] // _REGION)
        return (self.w.place / math.sqrt(1 + self.visits[pos])
                + self.w.region / math.sqrt(1 + self.region_visits[region]))

    def _reachable(self, view: _View) -> dict[Pose, tuple[int, int, Pose | None]]:
        """(position, facing) -> (steps, first action, previous pose) for every pose reachable in view by
        safe moves, in breadth-first order.

        A move into a tile holding an entity only turns the player (the entity stands on a safe material);
        into a safe material it moves there; into anything else it is never tried.
        """
        obs = view.obs
        px, py = obs.player.pos
        start = ((px, py), _FACING[obs.player.facing])
        occupied = view.at
        w, h = obs.area
        seen: dict[Pose, tuple[int, int, Pose | None]] = {start: (0, -1, None)}
        frontier = [start]
        while frontier:
            nxt = []
            for pose in frontier:
                (x, y), _ = pose
                length, first, _ = seen[pose]
                for action in _MOVE_IDS:
                    d = _DIRECTIONS[ACTIONS[action]]
                    tx, ty = x + d[0], y + d[1]
                    if not (0 <= tx < w and 0 <= ty < h) or abs(tx - px) > _VIEW[0] or abs(ty - py) > _VIEW[1]:
                        continue
                    if (tx, ty) in occupied:
                        pose2 = ((x, y), d)
                    elif int(obs.materials[tx, ty]) in self.safe:
                        pose2 = ((tx, ty), d)
                    else:
                        continue
                    if pose2 not in seen:
                        seen[pose2] = (length + 1, action if first < 0 else first, pose)
                        nxt.append(pose2)
            frontier = nxt
        return seen


def _counts(obs: Observation) -> list[int]:
    p = obs.player
    return [p.inventory[i] for i in _ITEMS] + [p.achievements[a] for a in SCHEMA.achievements]


def _faced_loss(obs: Observation, next_obs: Observation) -> int:
    """How much health the entity the player faced lost in the step (all of it if it is gone)."""
    dx, dy = _FACING[obs.player.facing]
    target = (obs.player.pos[0] + dx, obs.player.pos[1] + dy)
    before = next((e for e in obs.entities if e.pos == target), None)
    if before is None:
        return 0
    after = next((e for e in next_obs.entities if e.id == before.id), None)
    return (after.health if after is not None else 0) - before.health


# How much each level's count (finest first) contributes to a context's novelty.
_LEVEL_WEIGHTS = {2: (0.75, 0.25), 3: (0.25, 0.5, 0.25)}


def _levels(context: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
    """A context and its coarser parents, finest first: (full, action + faced tile, action)."""
    if context[0] == "move":
        return (context, ("move",))
    return (context, context[:3], context[:1])


class _View:
    """One observation, indexed for the many lookups of one decision (entities by tile, nearby ones)."""

    __slots__ = ("_around", "at", "light", "near", "obs")

    def __init__(self, obs: Observation) -> None:
        self.obs = obs
        px, py = obs.player.pos
        self.at = {e.pos: e.kind for e in obs.entities}  # not the player: plans move it
        self.near = [e for e in obs.entities
                     if abs(e.pos[0] - px) <= 2 * _VIEW[0] and abs(e.pos[1] - py) <= 2 * _VIEW[1]]
        self._around: dict[tuple[int, int], frozenset[int]] = {}
        self.light = min(2, int(obs.daylight * 3))  # dark, dim, bright

    def material(self, pos: tuple[int, int]) -> str:
        return self.obs.material(pos)

    def entity(self, pos: tuple[int, int]) -> str:
        return self.at.get(pos, "none")

    def surroundings(self, pos: tuple[int, int], ordinary: set[int]) -> frozenset[int]:
        """The materials of the 3 x 3 tiles around ``pos``, except ``ordinary`` ones (those walked on)."""
        out = self._around.get(pos)
        if out is None:
            x, y = pos
            w, h = self.obs.area
            out = self._around[pos] = frozenset(
                int(self.obs.materials[x + dx, y + dy]) if 0 <= x + dx < w and 0 <= y + dy < h else 0
                for dx in (-1, 0, 1) for dy in (-1, 0, 1)) - ordinary
        return out

    def danger_features(self, pos: tuple[int, int], sleeping: bool) -> Iterable[tuple[Any, ...]]:
        """('base', asleep), ('light', daylight band, asleep) and, per entity kind in view of ``pos``,
        (kind, distance band, asleep)."""
        yield ("base", sleeping)
        yield ("light", self.light, sleeping)
        yield ("region", pos[0] // _REGION, pos[1] // _REGION)
        nearest: dict[str, int] = {}
        px, py = pos
        for e in self.near:
            d = abs(e.pos[0] - px) + abs(e.pos[1] - py)
            if d <= _BANDS[-1] and d < nearest.get(e.kind, 99):
                nearest[e.kind] = d
        for kind, d in sorted(nearest.items()):
            yield (kind, next(b for b in _BANDS if d <= b), sleeping)


def make_policy(name: str, seed: int, law_set: Any = None) -> Policy:
    """A policy by name (``POLICIES``); ``law_set`` guides the novelty policy's surprise term."""
    if name == "random":
        return RandomPolicy(seed)
    if name == "novelty":
        return NoveltyPolicy(seed, law_set)
    raise ValueError(f"unknown policy {name!r}; expected one of {', '.join(POLICIES)}")
