"""The symbolic proposer: laws induced from evidence, offline, with no knowledge of Crafter's rules.

From a run of transitions (``engine.evidence``) it makes *effect atoms* (``engine.propose.atoms``:
every elementary effect some transition shows, and where it happened, could not be told, or failed),
groups atoms that always happen together into joint effects (``engine.propose.effects``), and
explains each by preconditions over the frame's features (``engine.propose.induce``). Frames are
the transitions, or for ``for each KIND v`` laws the entities of a kind; entity frames go first, so
an effect on the player that an entity explains (a bite, a kill) is stated with that entity.

Per frame, two passes:

1. **chance** (most frequent effects first): the MDL conjunction of an effect still covers both
   outcomes, and no short list of pure rules that pay for themselves explains at least half of
   it: a ``with probability p`` law under that conjunction (vitals drifting, a sapling from grass,
   creatures spawning on every 10th step). An effect that is a part of rarer effects (the wood any
   recipe spends) is never taken for chance.
2. **deterministic** (rarest effects first, so a recipe claims its costs): sequential covering with
   pure conjunctions, each accepted if its prior cost fits its examples (``budget``: one clean
   example buys three plausible conditions, e.g. action, faced tile, an item count); rules more
   elaborate than that, and what remains of a chance effect, must also beat chance. Rules of one
   effect form a decision list: a later rule excludes the earlier ones, so deltas never add up twice.
   With a handful of examples greedy gain cannot pay for any condition and picks what is cheap to
   name; then, if all of them came with one action, the cheapest conditions separating them from
   that action's other tries are searched exhaustively (``_anchored``), starting from holding what
   the effect and the effects always seen with it spend (a recipe's wood is an effect of its own),
   and such a rule also wins over chance (greedy gain starts from that holding too). What the player
   made is read first where the evidence cannot choose: being beside a station it made (a table the
   world did not have) is as plain as the faced tile, holding a tool it made plainer than another
   count (``_made``), and a count far from none, one or full names a number (``count_nats``).
   Greedy gain also fails where almost every instance that
   could change did (a cooldown running down whenever above zero): for an effect of no one action,
   the cheapest conditions covering every example and no failure are searched too (``_covering``),
   and the rule explaining more wins. A few examples' thresholds sit at their edge; a spend of k
   needs exactly k, and only holding that much is free; holding a tool needs one. One example set
   apart only by a vital or the light (which drift with time) is no law: that only says when it happened;
   nor are examples that all came in one episode (``EPISODE``), which the search then reads without them.

An accepted rule takes in every other effect that happened wherever it fired, unless that effect is
common enough elsewhere to have come with its examples by chance (``CHANCE``); a chance rule of an
entity takes the different outcomes it had on the player as ``one of`` branches, and one on a creature
the player faces takes the action all its examples shared, as a deterministic rule does. Background
effects (steady, anywhere) are never folded in, nor is an effect the player's own situation explains
claimed by an entity. A creature appearing away from the player (a spawn) is an effect of its own:
never grouped with, folded into or anchored on the player's action; one such appearance, or one
creature changing with nothing about it set apart, is no law (a coincidence with the step's action).

Printing and merging (``engine.propose.render``): chance rules with one condition and outcomes on one
observable become ``one of``; deterministic rules differing in one
categorical value become ``x in {...}``. Creature movement is one ``one of`` law per kind and
distance band (``engine.propose.movement``); daylight, a real number that changes every step, gets a
law only if an exact periodic formula of the step fits it (``engine.propose.periodic``). Every law is
then parsed, type-checked and checked with
Z3 with ``current`` (``engine.propose.vet``). No global random state; every collection is sorted.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

import laws
from crafter_oo import constants as C
from crafter_oo.observation import SCHEMA
from crafter_oo.trace import Transition
from engine.evidence import Evidence
from engine.features import GROUP_POINTS, NATS_PER_POINT, Feature
from engine.propose import movement, periodic, render
from engine.propose.atoms import (
    FAILED,
    GLOBAL,
    HAPPENED,
    SILENT,
    VAR,
    Frame,
    entity_atoms,
    entity_frame,
    global_atoms,
    global_frame,
    global_values,
)
from engine.propose.effects import Compound, Rule, compounds
from engine.propose.induce import Learner
from engine.propose.proposal import Proposals
from engine.propose.vet import Draft, vet

log = logging.getLogger(__name__)

MAX_ROWS = 40_000           # entity instances per kind beyond this are subsampled (seeded)
MAX_STOCHASTIC_RULES = 3    # per effect
MAX_RULES = 8               # deterministic rules per effect
MIN_STOCHASTIC = 3          # positives a chance law needs
MAX_ANCHORED = 8           # positives up to which a rule's thresholds sit at the examples' edge
MAX_SEARCHED = 64          # positives up to which an action-anchored exhaustive search backs up FOIL
MADE_PRIOR = 1.0            # nats: how much more readily a condition names something the player made
EPISODE = 30                # steps: examples closer than this share their vitals (each moves about every 20-35)
CHANCE = 0.001              # how likely by chance a folded-in effect may have come with all the rule's examples
MIN_BACKGROUND = 20         # instances before "happens in most of them" means "happens anywhere"
# what drifts with time: thresholds on these separate one example from the rest by when it happened
_CLOCKS = frozenset({*(f"player.inventory.{v}" for v in SCHEMA.vitals), "daylight", "step.period"})
# items held (not vitals): how many one holds says whether one has it; a handful of tries with six pickaxes
# does not say that six are needed, so their thresholds go as far as the failures allow (``_edges``)
_HELD = frozenset(f"player.inventory.{i}" for i in SCHEMA.items if i not in SCHEMA.vitals)


def budget(positives: int) -> float:
    """The prior cost (points) a pure rule may have, given how many examples it explains: one
    clean example buys three plausible conditions (action, faced tile, an item count)."""
    return 3.0 + 1.5 * math.log2(max(1, positives))


# ---------------------------------------------------------------------------------------- engine

def _made(ev: Evidence) -> tuple[frozenset[str], frozenset[str]]:
    """What the player's own actions made, as (stations, instruments): materials the world did not have
    when the life began and a faced tile turned into (a table), and items gained in a step that spent
    other items (a pickaxe). What one made may be what an action needs: being beside a station is as
    plain a condition as the tile one faces, and holding an instrument plainer than another count
    (``_priced``)."""
    if not ev.transitions:
        return frozenset(), frozenset()
    first = {C.MATERIALS[int(m)] for m in np.unique(ev.before[0].materials)}
    stations: set[str] = set()
    instruments: set[str] = set()
    for step in ev.changes:
        spent, gained = False, []
        for ch in step:
            if ch.kind == "tile" and ch.context.at_facing:
                stations.add(ch.after)
            elif ch.kind == "inventory" and ch.key[2] not in SCHEMA.vitals:
                spent |= ch.after < ch.before
                if ch.after > ch.before:
                    gained.append(ch.key[2])
        if spent:
            instruments.update(gained)
    return frozenset(stations - first), frozenset(instruments)


def _priced(frame: Frame, stations: frozenset[str], instruments: frozenset[str]) -> Frame:
    """``frame`` with being beside a station priced like the faced tile, and holding an instrument or
    not named ``MADE_PRIOR`` nats more readily than another count (``_made``)."""
    points, nats = frame.points.copy(), frame.nats.copy()
    beside = {f"nearby.{m}" for m in stations}
    holding = {f"player.inventory.{i}" for i in instruments}
    for i, f in enumerate(frame.features):
        if f.attribute in beside:
            cheaper = points[i] - GROUP_POINTS["facing"]
            points[i] -= cheaper
            nats[i] -= NATS_PER_POINT * cheaper + MADE_PRIOR
        elif f.attribute in holding and (f.op, f.value) in ((">=", 1), ("<=", 0)):
            nats[i] -= MADE_PRIOR
    return Frame(frame.name, frame.features, frame.matrix, nats, points, frame.t, frame.var, frame.prefer)


FACED = "relation.faced"  # an entity-frame condition: the entity stands on the faced tile
_ACTED_ON = frozenset({"action", "facing.material", "facing.entity", FACED})  # an action and its target
ANY_TOOL = "player.inventory.any"  # the attribute of "holding one of these tools it made" (``_tool_classes``)
MAX_TOOL_CLASS = 4  # tools a class names at most


def _holding(f: Feature) -> str | None:
    """The item a feature says the player holds at least one of (``item >= 1``), else None."""
    if f.attribute in _HELD and f.op == ">=" and f.value == 1:
        return f.attribute.rsplit(".", 1)[1]
    return None


def _tool_classes(frame: Frame, instruments: frozenset[str]) -> Frame:
    """``frame`` with a column per set of two or more tools the player made: holding at least one of them.
    The search never picks one (they cost more than any budget); ``_Run._widen_tool`` widens a rule's
    one tool to the class of tools its examples all held, as ``Learner.widen`` does a material."""
    column = {item: i for i, f in enumerate(frame.features) if (item := _holding(f)) in instruments}
    tools = sorted(column)
    extra: list[Feature] = []
    cols: list[np.ndarray] = []
    for size in range(2, min(len(tools), MAX_TOOL_CLASS) + 1):
        for members in itertools.combinations(tools, size):
            text = " or ".join(frame.features[column[m]].text for m in members)
            extra.append(Feature(f"({text})", ANY_TOOL, "any", frozenset(members), "inventory"))
            cols.append(frame.matrix[:, [column[m] for m in members]].any(axis=1))
    if not extra:
        return frame
    matrix = np.concatenate([frame.matrix, np.stack(cols, axis=1)], axis=1)
    never = np.full(len(extra), 1e6)
    return Frame(frame.name, frame.features + tuple(extra), matrix, np.concatenate([frame.nats, never]),
                 np.concatenate([frame.points, never]), frame.t, frame.var)


def _driven(frame: Frame, effects: Sequence[Compound]) -> Frame:
    """An entity ``frame`` with the fields some action on the faced entity drives named ``MADE_PRIOR`` nats
    more readily by the pure searches (``Frame.prefer``; chance's MDL search is left alone): a field that
    changed in most instances where the entity was faced and acted on, and seldom where it stood next to
    the player and was not (a zombie's cooldown runs down whenever it is next to the player; its health,
    only when struck). What else an action does to the entity is more
    plausibly read off what the action is known to change: a zombie removed by the blow that took its
    health to the bottom, not at whatever cooldown it had then."""
    index = {f.text: i for i, f in enumerate(frame.features)}
    faced, near = index.get("{v}.pos == facing.pos"), index.get("dist({v}.pos, player.pos) <= 1")
    if faced is None or near is None:
        return frame
    fields: set[str] = set()
    for i, f in enumerate(frame.features):
        if f.attribute != "action" or f.op != "==":
            continue
        acted = frame.matrix[:, i] & frame.matrix[:, faced]
        control = frame.matrix[:, near] & ~acted
        if not acted.any() or not control.any():
            continue
        for b in effects:
            if len(b.keys) == 1:
                happened = b.status == HAPPENED
                inside, outside = float(happened[acted].mean()), float(happened[control].mean())
                if inside >= 0.5 and outside <= 0.1 * inside:
                    fields.add(next(iter(b.keys)).removeprefix("{v}."))
    if not fields:
        return frame
    prefer = np.array([MADE_PRIOR if f.attribute in fields else 0.0 for f in frame.features])
    return Frame(frame.name, frame.features, frame.matrix, frame.nats, frame.points, frame.t, frame.var, prefer)


def _beyond_chance(b: Compound, ts: np.ndarray, happened: int) -> bool:
    """Did background effect ``b`` happen on ``happened`` of the transitions ``ts`` far more often than
    its rate elsewhere allows (a binomial tail of at most ``CHANCE``)? A player's health falls now and
    then for many reasons, which no feature of the player's own situation tells apart; the steps where a
    creature struck it are another matter."""
    n = len(ts)
    rate = (b.positives - happened) / max(b.told - n, 1)
    tail = sum(math.comb(n, k) * rate**k * (1.0 - rate) ** (n - k) for k in range(happened, n + 1))
    return tail <= CHANCE


def _spends(effects: Sequence[Compound]) -> dict[str, float]:
    """What effects take from counted items (never a vital: those are cut at their bound, not spent),
    as item -> the least count that pays it (its lower bound + the amount)."""
    out: dict[str, float] = {}
    for b in effects:
        for a in b.atoms:
            item = a.key.removeprefix("player.inventory.")
            if a.op == "+=" and int(a.value) < 0 and item != a.key and item not in SCHEMA.vitals:
                need = float(SCHEMA.attributes[a.key].lo) - int(a.value)
                out[a.key] = max(out.get(a.key, 0.0), need)
    return out


class _Run:
    """One proposal run: frames, effects, what is explained so far, and the accepted rules."""

    def __init__(self, ev: Evidence, seed: int) -> None:
        self.ev = ev
        self.frames: dict[str, Frame] = {GLOBAL: global_frame(ev)}
        self.compounds: dict[str, list[Compound]] = {}
        rng = np.random.default_rng(seed)
        values = global_values(ev)
        self.values = values
        # 'added.K' for kinds that only ever appeared on the faced tile (what the player placed); other
        # kinds appear away from the player, which its action does not reach: such an appearance is an
        # effect of its own, never a part of an action's outcome (``remote``)
        appeared: dict[str, list[bool]] = {}
        for _, ch in ev.groups.get("entity_appeared", ()):
            appeared.setdefault(ch.context.entity_kind or "", []).append(ch.context.at_facing)
        self.faced_keys = {f"added.{k}" for k, where in appeared.items() if where and all(where)}
        self.remote = frozenset(f"added.{k}" for k in appeared) - self.faced_keys
        self.compounds[GLOBAL] = compounds(GLOBAL, global_atoms(ev, values, ev.walkable), alone=self.remote)
        # the actions seen to change the faced tile: they act on what is there (``_specialise``)
        self.striking = frozenset(C.ACTIONS[a] for c in self.compounds[GLOBAL]
                                  if any(x.key == "facing.material" for x in c.atoms)
                                  for a in np.unique(ev.actions[c.status == HAPPENED]).tolist())
        self.rows_kept: dict[str, np.ndarray] = {}
        for kind in C.ENTITY_KINDS[1:]:
            rows = ev.entities[kind]
            if not rows.rows:
                continue
            frame = entity_frame(ev, kind)
            keep = np.arange(frame.rows)
            if frame.rows > MAX_ROWS:
                keep = np.sort(rng.choice(frame.rows, MAX_ROWS, replace=False))
                frame = Frame(frame.name, frame.features, frame.matrix[keep], frame.nats, frame.points,
                              frame.t[keep], frame.var)
            self.rows_kept[kind] = keep
            self.frames[kind] = frame
            self.compounds[kind] = compounds(kind, [(a, s[keep]) for a, s in entity_atoms(ev, kind)])
        made = _made(ev)
        self.instruments = made[1]
        self.frames = {name: _driven(_tool_classes(f, made[1]), self.compounds.get(name, []))
                       for name, f in self.frames.items()}
        self.learners = {name: Learner(_priced(f, *made)) for name, f in self.frames.items()}
        self.explained: dict[str, dict[str, np.ndarray]] = {name: {} for name in self.frames}
        self.rules: list[Rule] = []
        # id(compound) -> conditions of its accepted rules: a later rule for the same effect excludes
        # them (a decision list), so two of its rules never add their deltas up
        self.regions: dict[int, list[tuple[int, ...]]] = {}
        self.noisy: set[str] = set()  # keys some effect changes by chance
        self.chancy: set[int] = set()  # id(compound) of effects with a chance rule

    # ---- bookkeeping --------------------------------------------------------------------------
    def _explained(self, frame: str, key: str) -> np.ndarray:
        table = self.explained[frame]
        if key not in table:
            table[key] = np.zeros(self.frames[frame].rows, bool)
        return table[key]

    def explained_any(self, c: Compound) -> np.ndarray:
        out = np.zeros(len(c.status), bool)
        for key in c.keys:
            out |= self._explained(c.frame, key)
        return out

    def open_positives(self, c: Compound) -> np.ndarray:
        return (c.status == HAPPENED) & ~self.explained_any(c)

    def mark(self, c: Compound, rows: np.ndarray) -> None:
        for key in c.keys:
            self._explained(c.frame, key)[rows] = True

    def mark_current(self, current: laws.LawSet) -> None:
        """Changes the current law set already predicts need no new law: mark them explained."""
        compiled = laws.compile(current)
        ev = self.ev
        index: dict[str, dict[tuple[int, int], int]] = {}
        for kind, keep in self.rows_kept.items():
            arrays = ev.entities[kind].arrays
            index[kind] = {(int(arrays.t[r]), int(arrays.id[r])): i for i, r in enumerate(keep.tolist())}
        for t, (obs, nxt) in enumerate(zip(ev.before, ev.after, strict=True)):
            combined = laws.combine(compiled.predict(obs, int(ev.actions[t])), obs)
            kinds = {e.id: e.kind for e in obs.entities}
            fpos = obs.facing_pos
            for key, dist in combined.items():
                truth = laws.actual(obs, nxt, key)
                if truth is None or not laws.in_support(dist, truth):
                    continue
                head = key[0]
                if head == "player" and len(key) == 3:
                    self._explained(GLOBAL, f"player.{key[1]}.{key[2]}")[t] = True
                elif head == "player":
                    self._explained(GLOBAL, f"player.{key[1]}")[t] = True
                elif head == "tile" and (key[1], key[2]) == fpos:
                    self._explained(GLOBAL, "facing.material")[t] = True
                elif head == "added":
                    self._explained(GLOBAL, f"added.{key[1]}")[t] = True
                elif head in ("step", "daylight"):
                    self._explained(GLOBAL, head)[t] = True
                elif head == "entity":
                    kind = kinds.get(key[1])
                    row = index.get(kind or "", {}).get((t, key[1]))
                    if row is not None:
                        self._explained(kind, f"{{v}}.{key[2]}")[row] = True  # type: ignore[arg-type]

    # ---- passes -------------------------------------------------------------------------------
    def classify(self) -> None:
        """Two properties of global effects that decide where they may be folded in.

        Background: it happens anywhere at a steady rate (time passing, vitals drifting: no
        condition improves on its base rate), so co-occurring with a rule's examples says nothing;
        it is never folded into another effect's rule.
        Local: a pure rule over the global features explains most of it (a move explained by the
        action), so an entity rule that happens to coincide with it must not claim it.
        """
        learner = self.learners[GLOBAL]
        for c in self.compounds.get(GLOBAL, []):
            pos = c.status == HAPPENED
            neg = c.status == FAILED
            if pos.sum() >= 0.5 * len(pos) and len(pos) >= MIN_BACKGROUND:
                c.background = True  # (with a handful of transitions, everything happens "often")
            elif pos.sum() >= MIN_STOCHASTIC and neg.any() and not c.shared:
                c.background = not learner.stochastic(pos, neg).literals
            cand = learner.pure(pos, neg)
            if cand is not None:
                literals = learner.simplify(cand.literals, pos, neg)
                explained = int((pos & learner.cover(literals)).sum())
                c.local = learner.cost(literals) <= budget(explained) and explained >= 0.5 * pos.sum()
            if c.background:
                self.noisy |= c.keys

    def _chance(self, learner: Learner, c: Compound, pos: np.ndarray, neg: np.ndarray,
                pool: np.ndarray) -> tuple[int, ...] | None:
        """Is the best MDL conjunction for these positives impure, with enough positives, and not
        made pure by a short extension? Then the effect happens by chance there: accept that rule
        and return its condition."""
        if pos.sum() < MIN_STOCHASTIC or not neg.any():
            return None
        cand = learner.stochastic(pos, neg)
        if cand.negatives == 0 or cand.positives < MIN_STOCHASTIC:
            return None
        cov = learner.cover(cand.literals) & pool
        # Chance, or missing conditions? If a few pure rules (each explaining at least two
        # examples, each within its budget) account for most of what happens inside the
        # condition, conditions were missing and the deterministic pass will find them.
        if self._pure_list(learner, pos & cov, neg & cov, cand.literals, self._targets([c])) >= 0.5 * cand.positives:
            return None
        # With a handful of examples no rule pays in nats, chance included: if the deterministic
        # pass would accept a rule for all of them (one action, conditions within the budget that
        # needs no paying), chance is not the better reading.
        anchored = self._anchored(learner, c, pos, neg)
        if anchored is not None and learner.cost(anchored, self._spent(c, pos)) <= budget(1):
            return None
        return self.accept(c, cand.literals, stochastic=True, pool=pool)

    def _specialise(self, effects: list[Compound], learner: Learner, literals: tuple[int, ...],
                    rows: np.ndarray, *, stochastic: bool = False) -> tuple[int, ...]:
        """Conditions every example shared that the rule leaves open: the action (an effect only
        ever seen under one action is stated for that action), and for an effect that writes the
        faced tile, or that names the faced material under an action seen to change the faced tile,
        what the tile held (its material, and what stood on it: a sapling from grass is no sapling from
        the cow on the grass; a recipe made facing a table says nothing of it). Most general on
        thresholds, most specific on what the agent did and acted on: an unseen action or target is
        no evidence. (Not charged to the rule's budget: it narrows a claim, it does not make one.)
        A chance rule on a creature the player faces takes the action only: a cow's health down by
        one now and then when faced, always on ``do``, happens on ``do``."""
        if not rows.any():
            return literals
        frame = effects[0].frame
        attributes = ["action"] if stochastic else \
            ["action", *self._targets(effects), *([FACED] if frame != GLOBAL else [])]
        out = list(literals)

        def name(attr: str) -> None:
            if any(learner.attribute[i] == attr for i in out):
                return
            for i, f in enumerate(self.frames[frame].features):
                if f.attribute == attr and (f.op == "==" or f.value is True) and learner.X[rows, i].all():
                    out.append(i)
                    return

        for attr in attributes:
            name(attr)
        if not stochastic and any(learner.attribute[i] == "facing.material" for i in out) and \
                {str(learner.value[i]) for i in out if learner.attribute[i] == "action"} & self.striking:
            name("facing.entity")  # an action on the faced tile strikes what stands on it first
        return tuple(out)

    def _faced(self, learner: Learner, c: Compound, pos: np.ndarray) -> int | None:
        """For an effect on entities that every example had on the faced tile, the condition saying so: what
        the player's action acts on, as the faced tile is for a tile it writes (no new claim, so it is not
        charged: a cow killed once bare-handed is the faced cow at health 1, not any cow at a cooldown)."""
        if c.frame == GLOBAL or not pos.any():
            return None
        i = next((i for i, a in enumerate(learner.attribute) if a == FACED), None)
        return i if i is not None and learner.X[pos, i].all() else None

    def _targets(self, effects: Sequence[Compound]) -> tuple[str, ...]:
        """The attributes naming what effects that write the faced tile act on: conditions on them narrow
        a claim to its target (``_specialise``), so they are no new claim."""
        if any(a.key == "facing.material" or a.key in self.faced_keys for c in effects for a in c.atoms):
            return ("facing.material", "facing.entity")
        return ()

    def _affordable(self, spent: dict[str, float], learner: Learner, literals: tuple[int, ...],
                    rows: np.ndarray, neg: np.ndarray) -> tuple[int, ...]:
        """A rule that spends k of a counted item (``spent``: item -> lo + k) was only ever seen where the
        item could pay k, never cut short at its lower bound. So its ``item >= t`` condition is ``lo + k``:
        raised to it, or added, when every example had that much; lowered to it from the examples' edge
        when no failure comes in. (Not charged to the budget: a spend's own amount is no new claim.)"""
        if not rows.any():
            return literals
        out = list(literals)
        for key, need in sorted(spent.items()):
            ladder = learner.ladders.get((key, ">="), [])
            have = [k for k, i in enumerate(out) if learner.attribute[i] == key and learner.op[i] == ">="]
            if have and float(learner.value[out[have[0]]]) == need:
                continue
            step = next((i for v, i in ladder if v >= need and learner.X[rows, i].all()), None)
            if step is None:
                continue
            if have:
                trial = [*out[:have[0]], step, *out[have[0] + 1:]]
                if float(learner.value[step]) > float(learner.value[out[have[0]]]) or \
                        not (neg & learner.cover(trial)).any():
                    out = trial
            elif not any(learner.attribute[i] == key for i in out):
                out.append(step)
        return tuple(out)

    @staticmethod
    def _pays(learner: Learner, literals: tuple[int, ...], pos: np.ndarray, neg: np.ndarray, explained: int) -> bool:
        rate = max(1e-9, float(pos.sum()) / max(1, int((pos | neg).sum())))
        return explained >= 2 and explained * math.log(1 / rate) > float(sum(learner.nats[i] for i in literals))

    def _pure_list(self, learner: Learner, pos: np.ndarray, neg: np.ndarray, start: tuple[int, ...],
                   free: tuple[str, ...] = ()) -> int:
        """How many of these positives pure rules explain, counting only rules that pay for
        themselves: explaining k examples where the effect's rate is q saves k log(1/q) nats, which
        must exceed the code length of the conditions the rule adds, except conditions on the ``free``
        attributes (what the effect acts on). (Data from one life is strongly autocorrelated, so a rule
        that merely isolates a few examples is no evidence.)"""
        pool = np.ones(len(pos), bool)
        covered = 0
        rate = max(1e-9, float(pos.sum()) / max(1, int((pos | neg).sum())))
        for _ in range(MAX_RULES):
            if not (pos & pool).any():
                break
            cand = learner.pure(pos & pool, neg & pool, start=start, max_len=len(start) + 4)
            if cand is None:
                break
            literals = learner.simplify(cand.literals, pos & pool, neg & pool)
            explained = int((pos & pool & learner.cover(literals)).sum())
            cost = float(sum(learner.nats[i] for i in literals if i not in start and learner.attribute[i] not in free))
            if explained < 2 or explained * math.log(1 / rate) <= cost:
                break
            covered += explained
            pool &= ~learner.cover(literals)
        return covered

    def stochastic_pass(self, frame: str) -> None:
        learner = self.learners[frame]
        for c in sorted(self.compounds.get(frame, []), key=lambda c: (-c.positives, c.name)):
            if c.shared:
                continue
            pool = np.ones(len(c.status), bool)
            for _ in range(MAX_STOCHASTIC_RULES):
                pos = self.open_positives(c) & pool
                neg = (c.status == FAILED) & pool
                region = self._chance(learner, c, pos, neg, pool)
                if region is None:
                    break
                pool &= ~learner.cover(region)
                self.regions.setdefault(id(c), []).append(region)

    def deterministic_pass(self, frame: str) -> None:
        learner = self.learners[frame]
        for c in sorted(self.compounds.get(frame, []), key=lambda c: (c.positives, c.name)):
            pool = np.ones(len(c.status), bool)
            for region in self.regions.get(id(c), []):
                pool &= ~learner.cover(region)
            for k in range(MAX_RULES):
                pos = self.open_positives(c) & pool
                neg = (c.status == FAILED) & pool
                if not pos.any():
                    break
                region = self._chance(learner, c, pos, neg, pool) if k else None
                if region is not None:
                    pool &= ~learner.cover(region)
                    self.regions.setdefault(id(c), []).append(region)
                    continue
                # what the effect spends it must hold: no finding of the search, so greedy gain starts
                # from it too (else it may pick what came along with the spend, a pickaxe for the stone)
                held = self._affordable(self._spent(c, pos), learner, (), pos, np.zeros_like(neg))
                cand = learner.pure(pos, neg, start=held)
                literals = None
                if cand is not None:
                    literals = self._edges(learner, learner.simplify(cand.literals, pos, neg), pos, neg)
                    if not self._admissible(learner, c, literals, pos, neg):
                        literals = None
                other = self._searched(learner, c, pos, neg)
                if other is not None and (literals is None or self._rank(learner, c, other, pos)
                                          < self._rank(learner, c, literals, pos)):
                    literals = other  # all the examples, or as many for less
                if literals is None:
                    break
                literals = self.accept(c, literals, stochastic=False, pool=pool)
                pool &= ~learner.cover(literals)
                self.regions.setdefault(id(c), []).append(literals)

    def _admissible(self, learner: Learner, c: Compound, literals: tuple[int, ...], pos: np.ndarray,
                    neg: np.ndarray) -> bool:
        """May a pure rule with these conditions be accepted for ``c``'s open positives?"""
        covered = pos & learner.cover(literals)
        explained = int(covered.sum())
        cost = learner.cost([i for i in literals if learner.attribute[i] != FACED], self._spent(c, covered))
        if cost > budget(explained):
            return False
        if (id(c) in self.chancy or cost > budget(1)) and \
                not self._pays(learner, literals, pos, neg, explained):
            # what is left of a chance effect, or a rule more elaborate than one example
            # can justify: it must beat chance, not merely fit a few examples
            return False
        if self._when(learner, c, literals, covered):
            return False
        if explained < 2 and (self._remote(c) or not self._about_entity(c.frame, literals)):
            # one creature appearing away from the player, or one changed and set apart by nothing about
            # it: "it happens there" is no reading of one coincidence (a zombie despawning as a table
            # is placed)
            return False
        # one example is no law for an observable that also changes by chance, nor for an effect
        # that also happened elsewhere, unexplained: then it is one of several, not a rule; unless it
        # came with an effect of its own that happened nowhere else (``_signed``)
        return (explained >= 2 or (not c.keys & self.noisy and explained == int(pos.sum()))
                or self._signed(c, covered))

    def _signed(self, c: Compound, rows: np.ndarray) -> bool:
        """Did the one example ``rows`` of a creature's change come with a change of the player's that
        happened nowhere else in the life? Then it is a mechanism of its own, not one of several chance
        instances of the same change: the one zombie killed is removed with the ``defeat_zombie`` count,
        the zombies despawned were not."""
        if c.frame == GLOBAL or int(rows.sum()) != 1:
            return False
        t = int(self.frames[c.frame].t[rows][0])
        return any(b.positives == 1 and b.status[t] == HAPPENED and not b.background and not self._remote(b)
                   for b in self.compounds[GLOBAL])

    def _remote(self, c: Compound) -> bool:
        """Is ``c`` a creature appearing away from the player (``remote``)?"""
        return c.frame == GLOBAL and bool(c.keys & self.remote)

    def _about_entity(self, frame: str, literals: tuple[int, ...]) -> bool:
        """In an entity frame, does any condition speak of the entity (its fields, place, or what is
        around it)? (Always true of the global frame, which has no entity.)"""
        features = self.frames[frame].features
        return frame == GLOBAL or any("{v}" in features[i].text for i in literals)

    @staticmethod
    def _by_clock(learner: Learner, literals: tuple[int, ...]) -> bool:
        """Is the action and what it acts on (the faced tile or creature) all that sets these conditions
        apart, besides vitals and the light? Those drift
        with time, so in one life they tell early from late: examples of one episode (``_episodes``) set
        apart only by them are set apart by when they happened, which no law can state. (Asleep with
        energy full is a situation.)"""
        rest = [i for i in literals if learner.attribute[i] not in _ACTED_ON]
        return bool(rest) and all(learner.attribute[i] in _CLOCKS for i in rest)

    def _when(self, learner: Learner, c: Compound, literals: tuple[int, ...], rows: np.ndarray) -> bool:
        """Do these conditions only say when the examples ``rows`` happened: set apart by a clock
        (``_by_clock``), and all in one episode (``_episodes``)?"""
        return self._by_clock(learner, literals) and self._episodes(c.frame, rows) < 2

    def _episodes(self, frame: str, rows: np.ndarray) -> int:
        """How many separate times the examples ``rows`` came at: runs of examples less than ``EPISODE``
        steps apart count once (three stones mined in a row, late in a life, all at low health, are one
        observation of the vitals, not three)."""
        ts = np.unique(self.frames[frame].t[rows])
        return int(len(ts) > 0) + int((np.diff(ts) >= EPISODE).sum())

    @staticmethod
    def _edges(learner: Learner, literals: tuple[int, ...], pos: np.ndarray, neg: np.ndarray) -> tuple[int, ...]:
        """Where a rule's thresholds go: with many examples, as far toward generality as the
        failures allow; with a few (at most ``MAX_ANCHORED``), at the edge of the examples, since a
        handful of tries cannot say how far the effect reaches (a creature seen removed at health 1
        is not thereby removed at 2); but holding an item (``_HELD``) goes as far as the failures allow.
        A single material widens to the ground movers walk on, if the
        failures allow (``Learner.widen``)."""
        explained = int((pos & learner.cover(literals)).sum())
        if explained > MAX_ANCHORED:
            return learner.widen(learner.loosen(literals, pos, neg), neg)
        tight = learner.tighten(literals, pos)
        if any(learner.attribute[i] in _HELD and learner.op[i] == ">=" for i in literals):
            loose = learner.loosen(literals, pos, neg)
            tight = tuple(j if learner.attribute[i] in _HELD and learner.op[i] == ">=" else t
                          for i, t, j in zip(literals, tight, loose, strict=True))
        return learner.widen(tight, neg)

    def _spent(self, c: Compound, rows: np.ndarray | None = None) -> dict[str, float]:
        """What ``c`` spends (``_spends``); with ``rows`` (its examples), also what the effects that always
        came with it there spend (the wood a recipe takes is an effect of its own, shared by every recipe)."""
        effects = [c]
        if rows is not None and rows.any():
            effects += [b for b in self.compounds.get(c.frame, []) if b is not c and self._implied(b, rows)]
        return _spends(effects)

    def _rank(self, learner: Learner, c: Compound, literals: tuple[int, ...],
              pos: np.ndarray) -> tuple[int, float, int, float]:
        """Between two pure rules: the one explaining more, then the cheaper, then the one with fewer
        conditions other than "at least" what the effect spends, then the shorter code."""
        covered = pos & learner.cover(literals)
        spent = self._spent(c, covered)
        # the action and the faced target every example shared are added uncharged (``_specialise``):
        # a rule that names them is charged no more than one that leaves them to be added
        free = {"action", *self._targets([c]), FACED}
        claims = [i for i in literals if learner.attribute[i] not in free]
        off = sum(not learner.spends(i, spent) for i in claims)
        return (-int(covered.sum()), learner.cost(claims, spent), off,
                float(sum(learner.rank_nats[i] for i in claims if not learner.spends(i, spent))))

    def _searched(self, learner: Learner, c: Compound, pos: np.ndarray, neg: np.ndarray) -> tuple[int, ...] | None:
        """The exhaustive search beside greedy gain: anchored on the action if every open positive came
        with one (``_anchored``), else covering every example (``_covering``)."""
        anchor = self._anchor(learner, c, pos)
        if anchor is None:
            return self._covering(learner, c, pos, neg)
        return self._anchored(learner, c, pos, neg, anchor)

    def _anchored(self, learner: Learner, c: Compound, pos: np.ndarray, neg: np.ndarray,
                  anchor: int | None = None) -> tuple[int, ...] | None:
        """Beside the greedy search: if every open positive came with one action, the effect is that
        action's outcome, and only the tries of that action are its failures. The cheapest
        conditions (at most two more) that cover all of its examples and none of those tries, if
        they fit the budget (``Learner.cheapest``), thresholds placed as in ``_edges``. Greedy gain
        cannot carry a handful of examples, and even with more it takes what is cheap to name
        (a nearby path) where an item count separates as well."""
        n = int(pos.sum())
        if not 1 <= n <= MAX_SEARCHED:
            return None
        if anchor is None:
            anchor = self._anchor(learner, c, pos)
        if anchor is None or self._remote(c):
            return None
        # what the effect spends it must hold: no finding of the search, so the search starts from it
        spent = self._spent(c, pos)
        start = self._affordable(spent, learner, (anchor,), pos, np.zeros_like(neg))
        allowed = budget(n)
        faced = self._faced(learner, c, pos)
        if faced is not None:
            start, allowed = (*start, faced), allowed + float(learner.points[faced])
        literals = self._cheapest(learner, c, pos, neg, start=start, max_cost=allowed, spent=spent)
        if literals is None:
            return None
        literals = self._affordable(spent, learner, self._edges(learner, literals, pos, neg), pos, neg)
        return literals if self._admissible(learner, c, literals, pos, neg) else None

    def _cheapest(self, learner: Learner, c: Compound, pos: np.ndarray, neg: np.ndarray,
                  **search: Any) -> tuple[int, ...] | None:
        """``Learner.cheapest`` for ``c``'s examples; when that cheapest reading of several of them only
        says when they happened (``_when``, which ``_admissible`` refuses), the cheapest read without the
        clocks instead (``_unclocked``)."""
        literals = learner.cheapest(pos, neg, **search)
        if literals and int(pos.sum()) >= 2 and self._when(learner, c, literals, pos):
            literals = self._unclocked(learner, learner.cheapest(pos, neg, banned=self._clock_mask(learner), **search),
                                       pos, neg, search.get("spent"))
        return literals

    @staticmethod
    def _unclocked(learner: Learner, literals: tuple[int, ...] | None, pos: np.ndarray, neg: np.ndarray,
                   spent: dict[str, float] | None = None) -> tuple[int, ...] | None:
        """A reading found without the clocks, if what it claims beyond the action, its target and what it
        spends pays for itself (``_pays``): such examples came together, so whatever else they shared
        may be as much a coincidence of that moment; the tools held at three stones mined in a row pay."""
        if literals is None:
            return None
        claims = tuple(i for i in literals if learner.attribute[i] not in _ACTED_ON
                       and not learner.spends(i, spent or {}))
        explained = int((pos & learner.cover(literals)).sum())
        return literals if _Run._pays(learner, claims, pos, neg, explained) else None

    @staticmethod
    def _clock_mask(learner: Learner) -> np.ndarray:
        """The features that read a clock (a vital, the light, the step's period)."""
        return np.array([a in _CLOCKS for a in learner.attribute], bool)

    def _anchor(self, learner: Learner, c: Compound, pos: np.ndarray) -> int | None:
        """The feature "action == A" if every positive came with action A, else None."""
        return next((i for i, f in enumerate(self.frames[c.frame].features)
                     if f.attribute == "action" and f.op == "==" and learner.X[pos, i].all()), None)

    def _covering(self, learner: Learner, c: Compound, pos: np.ndarray, neg: np.ndarray) -> tuple[int, ...] | None:
        """Beside the greedy search, for an effect of no one action (else ``_anchored``): the cheapest
        conditions (at most two) that cover every open positive and no failure, within the budget.
        Greedy gain is measured against the base rate: where almost every instance that could change
        did (a counter running down whenever it is above zero), no literal gains enough to pay for its
        name, and the greedy path splits the effect by whatever cheap feature excludes a few failures
        (one rule per action)."""
        n = int(pos.sum())
        if not 1 <= n <= MAX_SEARCHED or not neg.any():
            return None
        literals = self._cheapest(learner, c, pos, neg, max_cost=budget(n))
        if not literals:
            return None
        literals = self._edges(learner, literals, pos, neg)
        return literals if self._admissible(learner, c, literals, pos, neg) else None

    def accept(self, c: Compound, literals: tuple[int, ...], *, stochastic: bool,
               pool: np.ndarray) -> tuple[int, ...]:
        """Record a rule for ``c`` with the effects it also explains; returns its final literals."""
        frame = self.frames[c.frame]
        learner = self.learners[c.frame]
        cover = learner.cover(literals)
        exclusions = tuple(r for r in self.regions.get(id(c), []) if (learner.cover(r) & cover).any())
        cover = learner.cover(literals, exclusions)
        rows = cover & self.open_positives(c)
        effects = [c]
        keys = set(c.keys)
        # what appears away from the player comes with nothing the player did, and the reverse
        others = [] if self._remote(c) else [b for b in self.compounds[c.frame] if not self._remote(b)]
        for b in sorted(others, key=lambda b: b.name):
            # a deterministic rule states b wherever it fires, so b must hold on all of its coverage
            where = rows if stochastic else cover
            if b is not c and not keys & b.keys and self._implied(b, rows) and not (b.status[where] == FAILED).any():
                effects.append(b)
                keys |= b.keys
        if stochastic:
            if any(learner.attribute[i] == FACED for i in literals):
                literals = self._specialise(effects, learner, literals, rows, stochastic=True)
                cover = learner.cover(literals, exclusions)
        else:
            failed = (c.status == FAILED) & pool
            literals = self._specialise(effects, learner, literals, rows)
            spends = _spends(effects)
            literals = self._affordable(spends, learner, literals, rows, failed)
            # the faced material the examples shared widens like one the search chose (``_edges``)
            literals = self._widen_awake(learner, literals, rows, failed)
            if self._targets(effects) and not spends:
                literals = self._instrumented(learner, literals)
            literals = self._widen_tool(learner, literals, rows, failed)
            cover = learner.cover(literals, exclusions)
        implied_global: list[Compound] = []
        if c.frame != GLOBAL:
            ts = frame.t[rows]
            if len(np.unique(ts)) == len(ts) and len(ts):
                gmask = np.zeros(self.ev.transitions, bool)
                gmask[ts] = True
                gkeys: set[str] = set()
                for b in sorted(self.compounds[GLOBAL], key=lambda b: b.name):
                    if gkeys & b.keys or not self._implied(b, gmask):
                        continue
                    # across frames, one coincidence is not enough: the rule must explain b repeatedly,
                    # or explain most of what b ever did; and an effect the player's own situation
                    # explains stays with it unless this rule coincides with every open occurrence
                    here = int((gmask & (b.status == HAPPENED)).sum())
                    left = int(self.open_positives(b).sum())
                    if b.local and here < left:
                        continue
                    if len(ts) >= MIN_STOCHASTIC or here >= 0.5 * left:
                        implied_global.append(b)
                        gkeys |= b.keys
        outcomes: list[list[Compound]] = []
        if stochastic and c.frame != GLOBAL:
            outcomes = self._variants(frame, rows, effects + implied_global)
        for b in effects:
            self.mark(b, rows & (b.status == HAPPENED) if b is not c else rows)
        for b in implied_global + [v for o in outcomes for v in o]:
            gmask = np.zeros(self.ev.transitions, bool)
            gmask[frame.t[rows]] = True
            self.mark(b, gmask & (b.status == HAPPENED))
        if stochastic:
            self.noisy |= c.keys
            self.chancy.add(id(c))
        status = c.status[cover]
        support = int(cover.sum())
        matched = int((status == HAPPENED).sum()) if stochastic else int((status != FAILED).sum())
        rule = Rule(c.frame, tuple(literals), exclusions, effects, implied_global, stochastic, support, matched,
                    cover=cover)
        if outcomes:
            rule.outcomes = [effects + implied_global + [v for v in o if v not in effects] for o in outcomes]
        self.rules.append(rule)
        return literals

    @staticmethod
    def _widen_awake(learner: Learner, literals: tuple[int, ...], rows: np.ndarray,
                     failed: np.ndarray) -> tuple[int, ...]:
        """``learner.widen``; and where only failures while asleep stop it and every example came awake,
        widened all the same and stated awake. Asleep, what the player chose did not run: a table tried
        on grass in its sleep says nothing of grass."""
        widened = learner.widen(literals, failed)
        awake = next((i for i, (a, v) in enumerate(zip(learner.attribute, learner.value, strict=True))
                      if a == "player.sleeping" and v is False), None)
        if widened != tuple(literals) or awake is None or not learner.X[rows, awake].all():
            return widened
        guarded = learner.widen(literals, failed & learner.X[:, awake])
        if guarded == tuple(literals):
            return widened
        return guarded if awake in guarded else (*guarded, awake)

    def _instrumented(self, learner: Learner, literals: tuple[int, ...]) -> tuple[int, ...]:
        """A rule that changes the faced tile and spends nothing, whose action on that target the life only
        ever took holding a tool it made (``_made``), says so: ``tool >= 1``. Nothing in the life tells what
        the action does there without the tool, and a tool is made to change something (stone mined only
        after the pickaxe was made: no pickaxe, no stone). What a rule spends it needs anyway, and a drink
        changes no tile.
        Of several such tools, the one made last, held on the fewest steps, is what was new when the
        action first worked. Where the action was taken there without the tool, the search already
        decided, and nothing is added."""
        anchor = [i for i in literals if learner.attribute[i] == "action" or learner.attribute[i].startswith("facing.")]
        if not any(learner.attribute[i] == "action" for i in anchor):
            return literals
        met = learner.cover(anchor)
        if not met.any():
            return literals
        held = []
        for item in sorted(self.instruments):
            key = f"player.inventory.{item}"
            if any(learner.attribute[i] in (key, ANY_TOOL) for i in literals):
                return literals  # the search already named a tool
            step = next((i for v, i in learner.ladders.get((key, ">="), []) if v == 1), None)
            if step is not None and learner.X[met, step].all():
                held.append((int(learner.X[:, step].sum()), item, step))
        return (*literals, min(held)[2]) if held else literals

    def _widen_tool(self, learner: Learner, literals: tuple[int, ...], rows: np.ndarray,
                    failed: np.ndarray) -> tuple[int, ...]:
        """A rule's one made tool (``tool >= 1``) widens to holding any of the tools it made that every
        example held, if no failure comes in: made one after the other and always held together, a
        pickaxe and a sword are not told apart by the life, and "either" is the reading more evidence
        would refute if wrong (as ``Learner.widen`` widens a faced material)."""
        features = learner.frame.features
        tools = [i for i in literals if _holding(features[i]) in self.instruments]
        if len(tools) != 1 or not rows.any():
            return literals
        named = _holding(features[tools[0]])
        held = {item for i, f in enumerate(features)
                if (item := _holding(f)) is not None and learner.X[rows, i].all()}  # as the one named was
        best: tuple[int, int] | None = None
        for j, f in enumerate(features):
            if f.attribute != ANY_TOOL or named not in f.value or not f.value <= held:
                continue
            trial = tuple(j if i == tools[0] else i for i in literals)
            if (failed & learner.cover(trial)).any():
                continue
            if best is None or len(f.value) > best[0]:
                best = (len(f.value), j)
        if best is None:
            return literals
        return tuple(best[1] if i == tools[0] else i for i in literals)

    def _variants(self, frame: Frame, rows: np.ndarray, taken: list[Compound]) -> list[list[Compound]]:
        """For a chance rule of an entity: global effects that happened with it on some of its
        examples and not others (a zombie's hit takes 2 health, or 7 from a sleeper). Each distinct
        combination seen becomes an outcome; [] when there is nothing to split. A background effect
        (health lost now and then, for reasons the player's own situation does not tell apart) counts
        only where it came with the rule's examples far beyond its rate elsewhere (``_beyond_chance``)."""
        ts, counts = np.unique(frame.t[rows], return_counts=True)
        ts = ts[counts == 1]  # a transition where two instances fired shows their effects summed
        if len(ts) < MIN_STOCHASTIC:
            return []
        keys = {k for c in taken for k in c.keys}
        chosen: list[tuple[int, Compound]] = []
        for b in sorted(self.compounds[GLOBAL], key=lambda b: b.name):
            if b.local or keys & b.keys or b in taken:
                continue
            happened = int(((b.status[ts] == HAPPENED) & ~self.explained_any(b)[ts]).sum())
            if b.background and (happened < MIN_STOCHASTIC or not _beyond_chance(b, ts, happened)):
                continue
            if happened >= 2 and happened >= 0.5 * int(self.open_positives(b).sum()):
                chosen.append((happened, b))
        if not chosen:
            return []
        chosen.sort(key=lambda hb: (-hb[0], hb[1].name))  # on one observable, the commoner reading wins
        signatures: list[tuple[int, ...]] = []
        for t in ts.tolist():
            sig: list[int] = []
            seen: set[str] = set()
            for i, (_, b) in enumerate(chosen):
                if b.status[t] == HAPPENED and not seen & b.keys:
                    sig.append(i)
                    seen |= b.keys
            if tuple(sorted(sig)) not in signatures:
                signatures.append(tuple(sorted(sig)))
        return [[chosen[i][1] for i in sig] for sig in sorted(signatures)]

    def _implied(self, b: Compound, rows: np.ndarray) -> bool:
        """Did ``b`` happen (or stay untellable) wherever the rule explained its effect, happen at
        least once there, not there already have another explanation, and is it unlikely (at most
        ``CHANCE``) to have come with all of those examples at the rate it happens elsewhere?"""
        if b.background:
            return False
        s = b.status[rows]
        if not len(s) or (s == FAILED).any():
            return False
        happened = s == HAPPENED
        if not happened.any():
            return False
        if (self.explained_any(b)[rows] & happened).any():
            return False
        if b.shared:
            return True
        # Coincidence: an effect that also happens on its own elsewhere (a creature spawning at the
        # balancing steps) and came with only a few examples says nothing of them. How often it happens
        # away from these rows is its chance rate; a part of rarer effects (``shared``) is exempt.
        k = int(happened.sum())
        rate = (b.positives - k) / max(b.told - int((s != SILENT).sum()), 1)
        return rate**k <= CHANCE

    def explained_rows(self, kind: str, key: str) -> np.ndarray | None:
        """``key`` explained so far, on every instance of the kind's evidence (not only the kept
        sample), or None when nothing is."""
        table = self.explained.get(kind, {})
        if key not in table or not table[key].any():
            return None
        out = np.zeros(self.ev.entities[kind].rows, bool)
        out[self.rows_kept[kind][table[key]]] = True
        return out

    def prune_implied(self) -> None:
        """An effect folded into a rule also has laws of its own; where one of those fires with
        the rule (on the evidence), an additive effect would count twice: keep it in its own law."""
        def additive(b: Compound) -> bool:
            return any(a.op in ("+=", "add") for a in b.atoms)

        def transitions(rule: Rule) -> np.ndarray:
            mask = np.zeros(self.ev.transitions, bool)
            if rule.cover is not None:
                mask[self.frames[rule.frame].t[rule.cover]] = True
            return mask

        for rule in self.rules:
            for b in [x for x in rule.effects[1:] + rule.implied_global if additive(x)]:
                same = b.frame == rule.frame
                for other in self.rules:
                    if other is rule or rule.cover is None or other.cover is None:
                        continue
                    if b not in other.effects + other.implied_global:
                        continue
                    if same and other.frame == rule.frame:
                        clash = (rule.cover & other.cover).any()
                    else:
                        clash = (transitions(rule) & transitions(other)).any()
                    if clash:
                        if b in rule.effects:
                            rule.effects.remove(b)
                        else:
                            rule.implied_global.remove(b)
                        break

    def unexplained(self) -> list[str]:
        out = []
        for frame in sorted(self.compounds):
            for c in self.compounds[frame]:
                left = int(self.open_positives(c).sum())
                if left:
                    where = "" if frame == GLOBAL else f" ({frame})"
                    out.append(f"{c.name}{where}: {left} of {c.positives} unexplained")
        return out


# ---------------------------------------------------------------------------------------- public

def propose(transitions: Sequence[Transition], current: laws.LawSet | None = None, *, seed: int = 0,
            max_laws: int = 200) -> Proposals:
    """Propose laws explaining ``transitions`` (beyond what ``current`` already predicts).

    Returns parsed, type-checked laws that pass ``laws.check`` together with ``current``, at most
    ``max_laws`` of them (the ones explaining most first); ``Proposals.dropped`` says what was
    withdrawn and why, ``Proposals.walkable`` holds the induced walkable declarations, and
    ``Proposals.law_set(current)`` assembles a usable law set. ``seed`` only picks which entity
    instances are kept when a kind has more than ``MAX_ROWS`` of them; the same transitions and
    seed always give the same laws.
    """
    start = time.perf_counter()
    transitions = list(transitions)
    for i, t in enumerate(transitions):
        if not isinstance(t, Transition):
            raise TypeError(f"transitions[{i}] is a {type(t).__name__}, not a crafter_oo.trace.Transition")
    if not transitions:
        return Proposals([], seconds=time.perf_counter() - start, evidence_summary="no transitions")
    ev = Evidence.from_transitions(transitions)
    return propose_from_evidence(ev, current, seed=seed, max_laws=max_laws, start=start)


def propose_from_evidence(ev: Evidence, current: laws.LawSet | None = None, *, seed: int = 0,
                          max_laws: int = 200, start: float | None = None) -> Proposals:
    """``propose`` on evidence already gathered."""
    start = time.perf_counter() if start is None else start
    if ev.transitions == 0:
        return Proposals([], seconds=time.perf_counter() - start, evidence_summary=ev.summary())
    run = _Run(ev, seed)
    if current is not None and len(current):
        run.mark_current(current)
    run.classify()
    for frame in [k for k in C.ENTITY_KINDS[1:] if k in run.frames] + [GLOBAL]:
        run.stochastic_pass(frame)
        run.deterministic_pass(frame)
    run.prune_implied()
    rules = run.rules
    for r in rules:
        r.conditions = render.conditions(run.frames, r)
    rules = render.merge_outcomes(render.merge_categorical(run.frames, rules))

    walkable = tuple(laws.Walkable((kind,), mats) for kind, mats in sorted(ev.walkable.items()) if mats)
    walk_text = {w.kinds[0]: laws.pretty(w) for w in walkable}
    drafts: list[Draft] = []
    used: dict[str, int] = {}
    taken = {law.name for law in current.laws} if current is not None else set()

    def fresh(slug: str) -> str:
        while True:
            used[slug] = used.get(slug, 0) + 1
            name = f"{slug}_{used[slug]}"
            if name not in taken:
                taken.add(name)
                return name

    for rule in rules:
        name = fresh(render.name_atom(rule.effects + rule.implied_global).slug())
        text, moves = render.law_text(run.frames, rule, name)
        drafts.append(Draft(name, text, rule.support, rule.explained, render.note(rule), moves))
    for kind in [k for k in C.ENTITY_KINDS[1:] if k in run.frames]:
        var = VAR[kind]
        for m in movement.movement_laws(ev, kind, run.explained_rows(kind, "{v}.pos")):
            name = fresh(f"{kind}_moves")
            params = f"(m ~ dirichlet({', '.join(['1'] * len(m.branches))}))" if len(m.branches) > 1 else ""
            text = (f"law {name}{params}:\n    for each {kind} {var}\n    when {m.condition_text(var)}\n"
                    f"    then {m.effect_text(var)}\n")
            note = (f"{kind} moves: {' | '.join(m.branches)} explain {m.explained}/{m.support} "
                    f"({m.moves} moves) when {m.condition_text(var)}")
            drafts.append(Draft(name, text, m.support, m.explained, note, {kind}))

    if not run._explained(GLOBAL, "daylight").any():
        formula = periodic.periodic_formula(ev.after, "daylight")
        if formula is not None:
            name = fresh("daylight_cycle")
            text = f"law {name}:\n    then {formula}\n"
            note = f"daylight after the step is an exact periodic function of the step: {formula}"
            drafts.append(Draft(name, text, ev.transitions, ev.transitions, note, set()))
    proposals, dropped = vet(drafts, walk_text, walkable, current, max_laws)
    out = Proposals(proposals, walkable=walkable, dropped=dropped, unexplained=run.unexplained(),
                    seconds=time.perf_counter() - start, evidence_summary=ev.summary())
    return out


