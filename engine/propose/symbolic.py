"""The symbolic proposer: laws induced from evidence, offline, with no knowledge of Crafter's rules.

From a run of transitions (``engine.evidence``) it makes *effect atoms* (``engine.propose.atoms``:
every elementary effect some transition shows, with where it happened, could not be told, or did not
happen), groups atoms that always happen together into one joint effect, and explains each joint
effect by preconditions (``engine.propose.induce``) in two passes:

1. **stochastic**: an effect whose best MDL conjunction still has both outcomes, and which no
   short extension makes pure, is a chance event there: ``with probability p: effect`` under that
   conjunction (vitals drifting, a sapling from grass, creatures spawning).
2. **deterministic**: sequential covering with pure conjunctions, most specific effects first, each
   accepted if its prior cost fits the evidence behind it (one clean example may justify ``action ==
   X and item >= 1``, not five unrelated conditions).

An accepted rule also takes every other effect that happened wherever it fired (crafting a pickaxe
also spends the wood; killing a cow also feeds the player), so one law states the whole change;
entity frames (``for each cow c``) go first so effects on the player that an entity explains are
stated with it. Rules with one precondition and exclusive outcomes on the same observable merge into
``one of``; deterministic rules that differ only in one categorical value merge into ``x in {...}``.
Creature movement gets one ``one of`` law per kind and distance band (``engine.propose.movement``).

Every law is printed, parsed and type-checked like any other, and the whole set (with ``current``)
goes through ``laws.check``: laws with Z3 errors, and laws another law subsumes, are dropped and
reported. The result is deterministic: no global random state, every collection sorted.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

import laws
from crafter_oo import constants as C
from crafter_oo.trace import Transition
from engine.evidence import Evidence
from engine.propose import movement
from engine.propose.atoms import (
    FAILED,
    GLOBAL,
    HAPPENED,
    SILENT,
    VAR,
    Atom,
    Frame,
    entity_atoms,
    entity_frame,
    global_atoms,
    global_frame,
    global_values,
)
from engine.propose.induce import Learner
from engine.propose.proposal import Dropped, Proposal, Proposals

log = logging.getLogger(__name__)

MAX_ROWS = 40_000           # entity instances per kind beyond this are subsampled (seeded)
MAX_STOCHASTIC_RULES = 3    # per effect
MAX_RULES = 8               # deterministic rules per effect
MIN_STOCHASTIC = 3          # positives a chance law needs
MIN_BACKGROUND = 20         # instances before "happens in most of them" means "happens anywhere"


def budget(positives: int) -> float:
    """The prior cost (points) a pure rule may have, given how many examples it explains: one
    clean example buys three plausible conditions (action, faced tile, an item count)."""
    return 3.0 + 1.5 * math.log2(max(1, positives))


@dataclass
class Compound:
    """Atoms that always happened together (where either one could be told), as one effect."""

    frame: str
    atoms: tuple[Atom, ...]
    status: np.ndarray
    background: bool = False  # happens by chance almost anywhere: never folded into a rare rule
    local: bool = False       # the player's own situation explains it: no entity rule may claim it
    shared: bool = False      # a part of rarer effects (the wood every recipe spends): not chance

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(a.key for a in self.atoms)

    @property
    def name(self) -> str:
        return " & ".join(a.describe() for a in self.atoms)

    @property
    def positives(self) -> int:
        return int((self.status == HAPPENED).sum())


@dataclass
class Rule:
    """An accepted precondition with the effects it explains."""

    frame: str
    literals: tuple[int, ...]
    exclusions: tuple[tuple[int, ...], ...]
    effects: list[Compound]              # primary first, then implied in the same frame
    implied_global: list[Compound]       # global effects an entity rule explains
    stochastic: bool
    support: int
    explained: int
    conditions: tuple[str, ...] = ()     # filled in when printed
    outcomes: list[list[Compound]] = field(default_factory=list)  # one-of branches (merged rules)
    cover: np.ndarray | None = None      # the frame's instances where it fires


# ------------------------------------------------------------------------------------ compounds

def _compounds(frame: str, atoms: list[tuple[Atom, np.ndarray]]) -> list[Compound]:
    """Group atoms that never contradict each other and co-occur at least once (on distinct keys)."""
    if not atoms:
        return []
    atoms = sorted(atoms, key=lambda a: (a[0].key, a[0].op, str(a[0].value)))
    status = np.stack([s for _, s in atoms], axis=1)
    happened = (status == HAPPENED).astype(np.float32)
    failed = (status == FAILED).astype(np.float32)
    conflict = happened.T @ failed
    together = happened.T @ happened
    count = happened.sum(axis=0)
    groups: list[list[int]] = []
    for i in range(len(atoms)):
        for g in groups:
            if all(conflict[i, j] == 0 and conflict[j, i] == 0 and together[i, j] >= 0.5 * max(count[i], count[j])
                   and atoms[i][0].key != atoms[j][0].key for j in g):
                g.append(i)
                break
        else:
            groups.append([i])
    out = []
    for g in groups:
        sub = status[:, g]
        joint = np.full(status.shape[0], SILENT, np.int8)
        joint[(sub == HAPPENED).any(axis=1)] = HAPPENED
        joint[(sub == FAILED).any(axis=1)] = FAILED
        out.append(Compound(frame, tuple(atoms[i][0] for i in g), joint))
    _mark_shared(out)
    return out


def _mark_shared(compounds: list[Compound]) -> None:
    """An effect most of whose occurrences come with some rarer effect that never happens without
    it (wood spent whenever any tool is made, a tile turned to path whenever stone, coal or iron is
    mined) is a part of those effects' laws, whatever its own precondition looks like."""
    if not compounds:
        return
    happened = np.stack([c.status == HAPPENED for c in compounds], axis=1)
    failed = np.stack([c.status == FAILED for c in compounds], axis=1)
    conflict = happened.T.astype(np.float32) @ failed.astype(np.float32)   # [b, c]: b happened where c failed
    count = happened.sum(axis=0)
    for ci, c in enumerate(compounds):
        covered = np.zeros(happened.shape[0], bool)
        for bi, b in enumerate(compounds):
            if bi != ci and count[bi] < count[ci] and conflict[bi, ci] == 0 and not b.keys & c.keys:
                covered |= happened[:, bi]
        c.shared = count[ci] > 0 and (covered & happened[:, ci]).sum() >= 0.8 * count[ci]


# ---------------------------------------------------------------------------------------- engine

class _Run:
    """One proposal run: frames, effects, what is explained so far, and the accepted rules."""

    def __init__(self, ev: Evidence, seed: int) -> None:
        self.ev = ev
        self.frames: dict[str, Frame] = {GLOBAL: global_frame(ev)}
        self.compounds: dict[str, list[Compound]] = {}
        rng = np.random.default_rng(seed)
        values = global_values(ev)
        self.values = values
        self.compounds[GLOBAL] = _compounds(GLOBAL, global_atoms(ev, values, ev.walkable))
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
            self.compounds[kind] = _compounds(kind, [(a, s[keep]) for a, s in entity_atoms(ev, kind)])
        self.learners = {name: Learner(f) for name, f in self.frames.items()}
        self.explained: dict[str, dict[str, np.ndarray]] = {name: {} for name in self.frames}
        self.rules: list[Rule] = []
        # id(compound) -> conditions of its accepted rules: a later rule for the same effect excludes
        # them (a decision list), so two of its rules never add their deltas up
        self.regions: dict[int, list[tuple[int, ...]]] = {}
        self.noisy: set[str] = set()  # keys some effect changes by chance
        # 'added.K' for kinds that only ever appeared on the faced tile (what the player placed)
        appeared: dict[str, list[bool]] = {}
        for _, ch in ev.groups.get("entity_appeared", ()):
            appeared.setdefault(ch.context.entity_kind or "", []).append(ch.context.at_facing)
        self.faced_keys = {f"added.{k}" for k, where in appeared.items() if where and all(where)}
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
                elif head == "step":
                    self._explained(GLOBAL, "step")[t] = True
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
        if self._pure_list(learner, pos & cov, neg & cov, cand.literals) >= 0.5 * cand.positives:
            return None
        self.accept(c, cand.literals, stochastic=True, pool=pool)
        return cand.literals

    def _specialise(self, effects: list[Compound], learner: Learner, literals: tuple[int, ...],
                    rows: np.ndarray) -> tuple[int, ...]:
        """Conditions every example shared that the rule leaves open: the action (an effect only
        ever seen under one action is stated for that action), and for an effect that writes the
        faced tile, what the tile held. Most general on thresholds, most specific on what the
        agent did and acted on: an unseen action or target is no evidence. (Not charged to the
        rule's budget: it narrows a claim, it does not make one.)"""
        if not rows.any():
            return literals
        frame = effects[0].frame
        attributes = ["action"]
        if any(a.key == "facing.material" or a.key in self.faced_keys for c in effects for a in c.atoms):
            attributes += ["facing.material", "facing.entity"]
        out = list(literals)
        for attr in attributes:
            if any(learner.attribute[i] == attr for i in out):
                continue
            for i, f in enumerate(self.frames[frame].features):
                if f.attribute == attr and f.op == "==" and learner.X[rows, i].all():
                    out.append(i)
                    break
        return tuple(out)

    @staticmethod
    def _pays(learner: Learner, literals: tuple[int, ...], pos: np.ndarray, neg: np.ndarray, explained: int) -> bool:
        rate = max(1e-9, float(pos.sum()) / max(1, int((pos | neg).sum())))
        return explained >= 2 and explained * math.log(1 / rate) > float(sum(learner.nats[i] for i in literals))

    def _pure_list(self, learner: Learner, pos: np.ndarray, neg: np.ndarray, start: tuple[int, ...]) -> int:
        """How many of these positives pure rules explain, counting only rules that pay for
        themselves: explaining k examples where the effect's rate is q saves k log(1/q) nats, which
        must exceed the code length of the conditions the rule adds. (Data from one life is
        strongly autocorrelated, so a rule that merely isolates a few examples is no evidence.)"""
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
            cost = float(sum(learner.nats[i] for i in literals if i not in start))
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
                cand = learner.pure(pos, neg)
                if cand is None:
                    break
                literals = learner.loosen(learner.simplify(cand.literals, pos, neg), pos, neg)
                explained = int((pos & learner.cover(literals)).sum())
                if learner.cost(literals) > budget(explained):
                    break
                if (id(c) in self.chancy or learner.cost(literals) > budget(1)) and \
                        not self._pays(learner, literals, pos, neg, explained):
                    # what is left of a chance effect, or a rule more elaborate than one example
                    # can justify: it must beat chance, not merely fit a few examples
                    break
                if explained < 2 and c.keys & self.noisy:
                    break  # one example is no law for an observable that also changes by chance
                literals = self.accept(c, literals, stochastic=False, pool=pool)
                pool &= ~learner.cover(literals)
                self.regions.setdefault(id(c), []).append(literals)

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
        for b in sorted(self.compounds[c.frame], key=lambda b: b.name):
            # a deterministic rule states b wherever it fires, so b must hold on all of its coverage
            where = rows if stochastic else cover
            if b is not c and not keys & b.keys and self._implied(b, rows) and not (b.status[where] == FAILED).any():
                effects.append(b)
                keys |= b.keys
        if not stochastic:
            literals = self._specialise(effects, learner, literals, rows)
            cover = learner.cover(literals, exclusions)
        implied_global: list[Compound] = []
        if c.frame != GLOBAL:
            ts = frame.t[rows]
            if len(np.unique(ts)) == len(ts) and len(ts):
                gmask = np.zeros(self.ev.transitions, bool)
                gmask[ts] = True
                gkeys: set[str] = set()
                for b in sorted(self.compounds[GLOBAL], key=lambda b: b.name):
                    if b.local or gkeys & b.keys or not self._implied(b, gmask):
                        continue
                    # across frames, one coincidence is not enough: the rule must explain b repeatedly,
                    # or explain most of what b ever did
                    here = int((gmask & (b.status == HAPPENED)).sum())
                    if len(ts) >= MIN_STOCHASTIC or here >= 0.5 * int(self.open_positives(b).sum()):
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

    def _variants(self, frame: Frame, rows: np.ndarray, taken: list[Compound]) -> list[list[Compound]]:
        """For a chance rule of an entity: global effects that happened with it on some of its
        examples and not others (a zombie's hit takes 2 health, or 7 from a sleeper). Each distinct
        combination seen becomes an outcome; [] when there is nothing to split."""
        ts, counts = np.unique(frame.t[rows], return_counts=True)
        ts = ts[counts == 1]  # a transition where two instances fired shows their effects summed
        if len(ts) < MIN_STOCHASTIC:
            return []
        keys = {k for c in taken for k in c.keys}
        chosen: list[tuple[int, Compound]] = []
        for b in sorted(self.compounds[GLOBAL], key=lambda b: b.name):
            if b.local or b.background or keys & b.keys or b in taken:
                continue
            happened = int(((b.status[ts] == HAPPENED) & ~self.explained_any(b)[ts]).sum())
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
        least once there, and not there already have another explanation?"""
        s = b.status[rows]
        if not len(s) or (s == FAILED).any():
            return False
        happened = s == HAPPENED
        if not happened.any():
            return False
        if (self.explained_any(b)[rows] & happened).any():
            return False
        return not b.background

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


# ------------------------------------------------------------------------------------ printing

def _conditions(run: _Run, rule: Rule) -> tuple[str, ...]:
    frame = run.frames[rule.frame]
    var = frame.var
    conds = [frame.features[i].render(var) for i in rule.literals]
    for excl in rule.exclusions:
        excl = tuple(i for i in excl if i not in rule.literals)  # implied by the rule's own literals
        if len(excl) == 1:
            conds.append(frame.features[excl[0]].render_complement(var))
        elif excl:
            conds.append("not (" + " and ".join(frame.features[i].render(var) for i in excl) + ")")
    writes_tile = any(a.key == "facing.material" for c in rule.effects + rule.implied_global for a in c.atoms)
    if writes_tile and not any(c.startswith("facing.material == ") and c != "facing.material == none" for c in conds):
        conds.append("facing.material != none")  # repair: a tile write needs its tile on the map
    return tuple(conds)


def _merge_categorical(run: _Run, rules: list[Rule]) -> list[Rule]:
    """Deterministic rules with the same effects whose conditions differ only in the value of one
    categorical attribute become one rule with ``attribute in {...}``."""
    out: list[Rule] = []
    groups: dict[tuple, list[Rule]] = {}
    for r in rules:
        if r.stochastic or r.exclusions:
            out.append(r)
            continue
        effect_key = (r.frame, tuple(sorted(a.text("v") for c in r.effects + r.implied_global for a in c.atoms)))
        groups.setdefault(effect_key, []).append(r)
    for effect_key in sorted(groups, key=str):
        members = groups[effect_key]
        frame = run.frames[effect_key[0]]
        merged = True
        while merged:
            merged = False
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    m = _merge_pair(frame, members[i], members[j])
                    if m is not None:
                        members = [x for k, x in enumerate(members) if k not in (i, j)] + [m]
                        merged = True
                        break
                if merged:
                    break
        out += members
    return out


def _merge_pair(frame: Frame, a: Rule, b: Rule) -> Rule | None:
    ca, cb = a.conditions, b.conditions
    if len(ca) != len(cb):
        return None
    diff = [(x, y) for x, y in zip(sorted(ca), sorted(cb), strict=True) if x != y]
    if len(diff) != 1:
        return None
    x, y = diff[0]
    ax, vx = _categorical(x)
    ay, vy = _categorical(y)
    if ax is None or ax != ay:
        return None
    values = sorted(set(vx) | set(vy))
    cond = f"{ax} in {{{', '.join(values)}}}"
    rest = [c for c in ca if c != x]
    return Rule(a.frame, a.literals, (), a.effects, a.implied_global, False, a.support + b.support,
                a.explained + b.explained, tuple([*rest, cond]))


def _categorical(cond: str) -> tuple[str | None, list[str]]:
    if " in {" in cond and cond.endswith("}"):
        attr, values = cond.split(" in {", 1)
        return attr, [v.strip() for v in values[:-1].split(",")]
    if " == " in cond and " and " not in cond:
        attr, value = cond.rsplit(" == ", 1)
        if value.isidentifier() and value not in ("true", "false"):
            return attr, [value]
    return None, []


def _merge_outcomes(rules: list[Rule]) -> list[Rule]:
    """Chance rules with one condition whose effects write the same observable become one
    ``one of`` law: the same situation, different outcomes."""
    out: list[Rule] = []
    groups: dict[tuple, list[Rule]] = {}
    for r in rules:
        if not r.stochastic:
            out.append(r)
            continue
        groups.setdefault((r.frame, r.conditions), []).append(r)
    for key in sorted(groups, key=str):
        members = groups[key]
        clusters: list[list[Rule]] = []
        for r in members:
            keys = {k for c in r.effects for k in c.keys}
            for cl in clusters:
                if any(keys & {k for c in x.effects for k in c.keys} for x in cl):
                    cl.append(r)
                    break
            else:
                clusters.append([r])
        for cl in clusters:
            if len(cl) == 1:
                out.append(cl[0])
                continue
            first = cl[0]
            merged = Rule(first.frame, first.literals, first.exclusions, [c for r in cl for c in r.effects],
                          [c for r in cl for c in r.implied_global], True, max(r.support for r in cl),
                          sum(r.explained for r in cl), first.conditions,
                          [o for r in cl for o in (r.outcomes or [r.effects + r.implied_global])])
            out.append(merged)
    return out


_PRIORITY = ("player.inventory.+", "player.achievements", "facing.material", "added", "{v}.exists",
             "{v}", "player.pos", "player.sleeping", "player.facing", "player.inventory.-", "step")


def _name_atom(effects: list[Compound]) -> Atom:
    atoms = [a for c in effects for a in c.atoms]

    def rank(a: Atom) -> tuple[int, str]:
        key = a.key
        if key.startswith("player.inventory."):
            key = "player.inventory." + ("+" if a.op != "+=" or a.value >= 0 else "-")
        for i, p in enumerate(_PRIORITY):
            if key.startswith(p):
                return (i, a.slug())
        return (len(_PRIORITY), a.slug())

    return min(atoms, key=rank)


def _outcomes(effects: list[Compound], var: str | None) -> list[list[str]]:
    """The effect's possible outcomes as lists of simple effects: one, unless an atom stands for
    several (an ``add`` seen with several counts), then the product of the alternatives."""
    outcomes: list[list[str]] = [[]]
    for c in effects:
        for a in c.atoms:
            alts = a.alternatives(var if c.frame != GLOBAL else None)
            outcomes = [o + alt for o in outcomes for alt in alts]
    return outcomes


def _group(texts: list[str]) -> str:
    return texts[0] if len(texts) == 1 else "(" + "; ".join(texts) + ")"


def _law_text(run: _Run, rule: Rule, name: str) -> tuple[str, set[str]]:
    """Law text and the kinds it moves (which need walkable declarations)."""
    frame = run.frames[rule.frame]
    var = frame.var
    lines = []
    moves: set[str] = set()
    for c in rule.effects + rule.implied_global:
        for a in c.atoms:
            if a.op == "move":
                moves.add("player" if a.key.startswith("player") else rule.frame)
    groups = rule.outcomes or [rule.effects + rule.implied_global]
    branches = [o for g in groups for o in _outcomes(g, var)]
    if len(branches) == 1 and not rule.stochastic:
        params, body = "", "; ".join(branches[0])
    elif len(branches) == 1:
        params, body = "(p ~ beta(1, 1))", "with probability p: " + _group(branches[0])
    else:
        options = (["nothing"] if rule.stochastic else []) + [_group(b) for b in branches]
        params = f"(m ~ dirichlet({', '.join(['1'] * len(options))}))"
        body = "one of m: " + " | ".join(options)
    lines.append(f"law {name}{params}:")
    if rule.frame != GLOBAL:
        lines.append(f"    for each {rule.frame} {var}")
    if rule.conditions:
        lines.append("    when " + " and ".join(rule.conditions))
    lines.append("    then " + body)
    return "\n".join(lines) + "\n", moves


def _note(run: _Run, rule: Rule) -> str:
    what = ", ".join(a.describe() for c in rule.effects + rule.implied_global for a in c.atoms)
    where = " and ".join(rule.conditions) or "always"
    if rule.outcomes:
        options = " | ".join(", ".join(a.describe() for c in o for a in c.atoms) for o in rule.outcomes)
        return f"one of ({options}) in {rule.explained}/{rule.support} when {where}"
    kind = "by chance " if rule.stochastic else ""
    return f"{what} {kind}in {rule.explained}/{rule.support} when {where}"


# ---------------------------------------------------------------------------------------- public

def propose(transitions: Sequence[Transition], current: laws.LawSet | None = None, *, seed: int = 0,
            max_laws: int = 200) -> Proposals:
    """Propose laws explaining ``transitions`` (beyond what ``current`` already predicts).

    Returns parsed, type-checked laws that pass ``laws.check`` together with ``current``, at most
    ``max_laws`` of them (the ones explaining most first); ``Proposals.dropped`` says what was
    withdrawn and why, ``Proposals.walkable`` holds the induced walkable declarations, and
    ``Proposals.law_set(current)`` assembles a usable law set.
    """
    start = time.perf_counter()
    transitions = list(transitions)
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
        r.conditions = _conditions(run, r)
    rules = _merge_outcomes(_merge_categorical(run, rules))

    walkable = tuple(laws.Walkable((kind,), mats) for kind, mats in sorted(ev.walkable.items()) if mats)
    walk_text = {w.kinds[0]: laws.pretty(w) for w in walkable}
    drafts: list[_Draft] = []
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
        name = fresh(_name_atom(rule.effects + rule.implied_global).slug())
        text, moves = _law_text(run, rule, name)
        drafts.append(_Draft(name, text, rule.support, rule.explained, _note(run, rule), moves))
    for kind in [k for k in C.ENTITY_KINDS[1:] if k in run.frames]:
        var = VAR[kind]
        for m in movement.movement_laws(ev, kind, run.explained_rows(kind, "{v}.pos")):
            name = fresh(f"{kind}_moves")
            params = f"(m ~ dirichlet({', '.join(['1'] * len(m.branches))}))" if len(m.branches) > 1 else ""
            text = (f"law {name}{params}:\n    for each {kind} {var}\n    when {m.condition_text(var)}\n"
                    f"    then {m.effect_text(var)}\n")
            note = (f"{kind} moves: {' | '.join(m.branches)} explain {m.explained}/{m.support} "
                    f"({m.moves} moves) when {m.condition_text(var)}")
            drafts.append(_Draft(name, text, m.support, m.explained, note, {kind}))

    proposals, dropped = _finalize(drafts, walk_text, walkable, current, max_laws)
    out = Proposals(proposals, walkable=walkable, dropped=dropped, unexplained=run.unexplained(),
                    seconds=time.perf_counter() - start, evidence_summary=ev.summary())
    return out


@dataclass
class _Draft:
    name: str
    text: str
    support: int
    explained: int
    note: str
    moves: set[str]


def _finalize(drafts: list[_Draft], walk_text: dict[str, str], walkable: tuple[laws.Walkable, ...],
              current: laws.LawSet | None, max_laws: int) -> tuple[list[Proposal], list[Dropped]]:
    """Parse every draft, check the set with Z3, drop what the checker rejects, cap the count."""
    dropped: list[Dropped] = []
    parsed: dict[str, tuple[laws.Law, str, int, int, str]] = {}
    for d in drafts:
        name, text, support, explained, note, moves = d.name, d.text, d.support, d.explained, d.note, d.moves
        header = "".join(walk_text[k] + "\n" for k in sorted(moves) if k in walk_text)
        try:
            law = laws.parse(header + text).laws[0]
        except laws.LawError as exc:  # a printer bug must not lose the run: report it
            dropped.append(Dropped(name, text, f"does not parse: {exc}"))
            continue
        canonical = header + laws.pretty(law)
        parsed[name] = (law, canonical, support, explained, note)
    order = sorted(parsed, key=lambda n: (-parsed[n][3], n))
    for name in order[max_laws:]:
        dropped.append(Dropped(name, parsed[name][1], f"over the cap of {max_laws} laws"))
    keep = order[:max_laws]
    base = tuple(current.laws) if current is not None else ()
    declared = {k for w in (current.walkable if current else ()) for k in w.kinds}
    walk = tuple(current.walkable if current else ()) + tuple(w for w in walkable if not declared & set(w.kinds))
    for _ in range(4):
        law_set = laws.LawSet(base + tuple(parsed[n][0] for n in keep), walk)
        findings = laws.check(law_set)
        remove: dict[str, str] = {}
        mine = set(keep)
        for f in findings:
            names = [n for n in f.laws if n in mine]
            if not names:
                continue
            if f.severity == "error" and f.kind == "conflict" and len(names) == 2:
                victim = min(names, key=lambda n: (parsed[n][3], n))
            elif f.kind == "subsumed":
                victim = f.laws[0] if f.laws[0] in mine else ""
            elif f.severity == "error":
                victim = names[0]
            else:
                continue
            if victim and victim not in remove:
                remove[victim] = f"{f.kind}: {f.message}"
        if not remove:
            break
        for name, reason in sorted(remove.items()):
            dropped.append(Dropped(name, parsed[name][1], reason))
        keep = [n for n in keep if n not in remove]
    proposals = [Proposal(parsed[n][0], parsed[n][1], "symbolic", parsed[n][2], parsed[n][3], parsed[n][4])
                 for n in keep]
    for d in dropped:
        log.info("dropped %s: %s", d.name, d.reason)
    return proposals, dropped
