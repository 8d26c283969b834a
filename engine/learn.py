"""The learning loop: propose laws, check them with Z3, fit, score on held-out steps, keep what helps.

One life's transitions are split once: every ``HELD_OUT_EVERY``-th transition is held out, the rest
train, except that the rare examples of a kind of change stay in training (``split``). Each round:

1. the proposer turns the training transitions (and the laws kept so far) into candidate laws;
2. ``laws.check`` runs on the candidates with the kept laws; a new law in an error finding (a conflict,
   an impossible precondition, an effect out of range) is dropped and the set re-checked;
3. the set is fitted on the training transitions;
4. ablation on the held-out transitions: each new law whose removal raises the held-out
   log-likelihood is removed (most harmful first, each gain re-checked against the laws left, scoring
   only the transitions where the law is active); the survivors are refitted, and what was removed or
   dropped is not proposed again;
5. repair, once: the held-out transitions a removed law got plainly wrong (removing it gains more than
   ``REFUTED`` nats there) move into training, and steps 1-4 run again, that law allowed back. Laws
   refuted on the fewest steps go first, as long as half of the held-out transitions stay to judge the
   round: a law refuted on most of them is plainly wrong, not missing a case. A recipe seen once at a
   table says nothing of the table until a try away from it is seen, and that try may have been held
   out; a zombie's blow, almost sure in training, may have been held out only where none came. What
   the repeated attempt's removed laws got wrong stays held out, as no attempt follows to learn from it;
6. the round is kept if it raised the held-out log-likelihood, and stored as a new law-set version.

It stops when a round brings no gain (or after ``max_rounds``); the final set is refitted on every
transition of the life and stored with its fit. Deterministic for a seed.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import crafter_oo
import inference
import laws
from engine.sessions import Store, StoredLaw, records_from_law_set

HELD_OUT_EVERY = 5
RARE = 3          # a kind of change seen fewer times in a life never goes to the held-out steps
MAX_ROUNDS = 3
MIN_GAIN = 1e-3   # per held-out transition, in nats
REPAIRS = 1       # times a round proposes again after moving what refuted its removed laws into training
REFUTED = 1.0     # nats a held-out step must gain from removing a law to count as refuting it
SVI_STEPS = 200
Progress = Callable[[str], None]


@dataclass
class Round:
    """What one round of the loop did."""

    index: int
    proposed: int
    dropped: list[tuple[str, str]]          # (law, why) dropped by the checker
    removed: list[str]                       # laws whose removal raised the held-out likelihood
    kept: int                                # laws in the set after the round
    held_out: float                          # held-out log-likelihood per transition
    accepted: bool
    seconds: float
    judged: int                              # held-out transitions the round was judged on

    def to_dict(self) -> dict[str, Any]:
        return {"round": self.index, "proposed": self.proposed, "dropped": [list(d) for d in self.dropped],
                "removed": self.removed, "kept": self.kept, "held_out_per_transition": round(self.held_out, 6),
                "accepted": self.accepted, "seconds": round(self.seconds, 3),
                "held_out_transitions": self.judged}


@dataclass
class Learned:
    """The loop's outcome: the stored version, its law set and fitted model, and the rounds."""

    session: int
    version: int | None
    law_set: laws.LawSet
    model: inference.WorldModel | None
    rounds: list[Round] = field(default_factory=list)
    held_out: float = -math.inf
    llm: dict[str, Any] | None = None       # the LLM proposer's accounting (tokens, cost, failures), if one ran


def change_kinds(t: crafter_oo.Transition) -> frozenset[tuple[str, int]]:
    """What kinds of change a transition shows: (attribute, sign of the change), time aside."""
    obs, nxt = crafter_oo.observe(t.state), crafter_oo.observe(t.next_state)
    kinds = {e.id: e.kind for e in obs.entities}
    out: set[tuple[str, int]] = set()
    for key, before, after in laws.changed_keys(obs, nxt):
        if key[0] in ("step", "daylight"):
            continue
        attribute = laws.observables.attribute_of(key, kinds.get(key[1]) if key[0] == "entity" else None)
        sign = (after > before) - (after < before) if isinstance(after, int) and isinstance(before, int) else 0
        out.add((attribute, sign))
    return frozenset(out)


def split(transitions: Sequence[crafter_oo.Transition],
          kinds: Sequence[frozenset[tuple[str, int]]] | None = None
          ) -> tuple[list[crafter_oo.Transition], list[crafter_oo.Transition]]:
    """Training and held-out transitions: every ``HELD_OUT_EVERY``-th one is held out, unless it shows a
    kind of change the whole life shows fewer than ``RARE`` times. One life sees some mechanics once or
    twice (the one lump of coal mined); held out, such an example only scores laws that could never be
    proposed, and the mechanic is lost. ``kinds`` (per transition, from ``change_kinds``) is computed
    when not given."""
    if kinds is None:
        kinds = [change_kinds(t) for t in transitions]
    seen = Counter(k for ks in kinds for k in ks)
    rare = {k for k, n in seen.items() if n < RARE}
    held_at = {i for i in range(HELD_OUT_EVERY - 1, len(transitions), HELD_OUT_EVERY) if not kinds[i] & rare}
    train = [t for i, t in enumerate(transitions) if i not in held_at]
    held = [t for i, t in enumerate(transitions) if i in held_at]
    return train, held


def _without(law_set: laws.LawSet, names: set[str]) -> laws.LawSet:
    return laws.LawSet(tuple(x for x in law_set.laws if x.name not in names), law_set.walkable)


def check_and_repair(law_set: laws.LawSet, new: set[str]) -> tuple[laws.LawSet, list[tuple[str, str]]]:
    """Drop new laws named in error findings until the set checks clean (kept laws are trusted)."""
    dropped: list[tuple[str, str]] = []
    for _ in range(8):
        findings = laws.check(law_set)
        bad: dict[str, str] = {}
        for f in findings.errors:
            culprits = [n for n in f.laws if n in new] or []
            for name in culprits[-1:]:  # the later of two clashing new laws goes
                bad.setdefault(name, f"{f.kind}: {f.message}")
        if not bad:
            return law_set, dropped
        dropped += sorted(bad.items())
        law_set = _without(law_set, set(bad))
        new = new - set(bad)
    return law_set, dropped


def _submodel(model: inference.WorldModel, law_set: laws.LawSet) -> inference.WorldModel:
    """The same fitted values on a subset of the laws (no refit): what ablation scores."""
    names = {x.name for x in law_set.laws}
    return inference.WorldModel(
        law_set, alphas={k: v for k, v in model.alphas.items() if k in names},
        weights={k: v for k, v in model.weights.items() if k in names}, miss=model.miss, inertia=model.inertia,
        spawns=model.appearances.to_dict(), info={})


def held_out_scores(model: inference.WorldModel, held: Sequence[crafter_oo.Transition]) -> list[float]:
    return [model.log_prob(t.state, t.action, t.next_state) for t in held]


def ablate(model: inference.WorldModel, held: Sequence[crafter_oo.Transition], candidates: Sequence[str]
           ) -> tuple[list[str], dict[str, list[int]]]:
    """New laws whose removal raises the held-out log-likelihood, removed one at a time, most harmful first;
    and, per removed law, the held-out steps it got plainly wrong (removing the removed laws gains more
    than ``REFUTED`` nats there: not a step a chance law's rate shaded a little)."""
    active: dict[str, list[int]] = {}
    for i, t in enumerate(held):
        for inst in model.compiled.closures.instances(crafter_oo.observe(t.state), t.action):
            rows = active.setdefault(inst.name, [])
            if not rows or rows[-1] != i:
                rows.append(i)
    current = model
    scores = held_out_scores(current, held)
    before = list(scores)

    def gain(name: str) -> tuple[float, list[float]]:
        reduced = _submodel(current, _without(current.law_set, {name}))
        rows = active[name]
        new_scores = [reduced.log_prob(held[i].state, held[i].action, held[i].next_state) for i in rows]
        return sum(new_scores) - sum(scores[i] for i in rows), new_scores

    first = {name: gain(name)[0] for name in candidates if name in active}
    removed: list[str] = []
    for name in sorted((n for n, g in first.items() if g > 0), key=lambda n: (-first[n], n)):
        g, new_scores = gain(name)  # again, against the laws left after earlier removals
        if g <= 0:
            continue
        for i, s in zip(active[name], new_scores, strict=True):
            scores[i] = s
        current = _submodel(current, _without(current.law_set, {name}))
        removed.append(name)
    refuted: dict[str, list[int]] = {}
    for i in sorted({i for name in removed for i in active[name]}):
        if scores[i] > before[i] + REFUTED:
            for name in sorted(n for n in removed if i in active[n]):
                refuted.setdefault(name, []).append(i)
    return removed, refuted


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def learn_transitions(transitions: Sequence[crafter_oo.Transition], seed: int = 0, *,
                      proposer: Callable[..., Any] | None = None, max_rounds: int = MAX_ROUNDS,
                      svi_steps: int = SVI_STEPS, progress: Progress | None = None
                      ) -> tuple[laws.LawSet, inference.WorldModel | None, list[Round], float,
                                 dict[str, tuple[str, int, str]]]:
    """The loop on a list of transitions; returns the kept law set, its fit on all transitions, the
    rounds, and the held-out log-likelihood per transition."""
    from engine.propose import propose as symbolic

    propose = proposer or symbolic
    train, held = split(transitions)
    if not train or not held:
        raise ValueError(f"too few transitions to learn from ({len(transitions)}); explore longer")

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    kept = laws.LawSet(())
    origins: dict[str, tuple[str, int, str]] = {}   # law -> (origin, round, proposer's note)
    rejected: set[str] = set()                      # law texts dropped or removed in an earlier round
    best_model: inference.WorldModel | None = None
    best = _mean(held_out_scores(_empty_model(train, seed), held))
    rounds: list[Round] = []
    for index in range(1, max_rounds + 1):
        started = time.perf_counter()
        attempt: _Attempt | None = None
        for repair in range(1 + REPAIRS):
            say(f"round {index}: proposing")
            again = _attempt(propose, train, held, kept, rejected, seed + index - 1, seed, svi_steps, say, index)
            attempt = again or attempt
            if again is None or repair == REPAIRS:
                break   # no attempt follows to learn from what would move, so the held-out steps stay
            repairable, moved = repairs(again.refuted, len(held))
            if not moved:
                break
            # what refuted a removed law is moved into training, and the round proposes again: a recipe seen
            # once at a table says nothing of the table until a held-out try away from it is seen; a law
            # those steps refuted may come back, now fitted on them
            rejected -= {p.text for p in again.fresh if p.law.name in repairable}
            train = train + [t for i, t in enumerate(held) if i in moved]
            held = [t for i, t in enumerate(held) if i not in moved]
            reference = best_model if best_model is not None else _empty_model(train, seed)
            best = _mean(held_out_scores(reference, held))
        if attempt is None:
            rounds.append(Round(index, 0, [], [], len(kept.laws), best, False, time.perf_counter() - started,
                                len(held)))
            break
        fresh, candidate, model, dropped, removed = (attempt.fresh, attempt.candidate, attempt.model,
                                                     attempt.dropped, attempt.removed)
        score = _mean(held_out_scores(model, held))
        accepted = score > best + MIN_GAIN
        rounds.append(Round(index, len(fresh), dropped, removed, len(candidate.laws), score, accepted,
                            time.perf_counter() - started, len(held)))
        if not accepted:
            break
        for p in fresh:
            origins.setdefault(p.law.name, (p.origin, index, p.note))
        kept, best, best_model = candidate, score, model
    if best_model is None:
        return kept, None, rounds, best, origins
    say("refitting the kept laws on the whole life")
    final = inference.fit(inference.compile(kept), transitions, seed=seed, svi_steps=svi_steps)
    return kept, final, rounds, best, origins


def repairs(refuted: dict[str, list[int]], held: int) -> tuple[set[str], set[int]]:
    """Which removed laws to repair, and the held-out steps to move into training for them.

    The laws refuted on the fewest steps go first, as long as at least half of the ``held`` held-out
    steps stay to judge the round: a law refuted on most of them is plainly wrong, not missing a case.
    """
    moved: set[int] = set()
    chosen: set[str] = set()
    for name, rows in sorted(refuted.items(), key=lambda kv: (len(kv[1]), kv[0])):
        if 2 * len(moved | set(rows)) <= held:
            moved |= set(rows)
            chosen.add(name)
    return chosen, moved


@dataclass
class _Attempt:
    """One proposal of a round, checked, fitted and ablated."""

    fresh: list[Any]                         # the new proposals
    candidate: laws.LawSet                   # the kept laws and the new ones that survived
    model: inference.WorldModel              # its fit on the training transitions
    dropped: list[tuple[str, str]]
    removed: list[str]
    refuted: dict[str, list[int]]            # removed law -> held-out transitions it got plainly wrong


def _attempt(propose: Callable[..., Any], train: Sequence[crafter_oo.Transition],
             held: Sequence[crafter_oo.Transition], kept: laws.LawSet, rejected: set[str], proposal_seed: int,
             seed: int, svi_steps: int, say: Callable[[str], None], index: int) -> _Attempt | None:
    """Propose from ``train``, check with Z3, fit, and remove the new laws the held-out steps refute
    (their texts join ``rejected``); None when nothing new is proposed."""
    proposals = propose(train, kept if kept.laws else None, seed=proposal_seed)
    existing = {x.name for x in kept.laws}
    fresh = [p for p in proposals if p.law.name not in existing and p.text not in rejected]
    if not fresh:
        return None
    candidate = proposals.law_set(kept if kept.laws else None)
    candidate = laws.LawSet(tuple(x for x in candidate.laws if x.name in existing or
                                  any(x.name == p.law.name for p in fresh)), candidate.walkable)
    say(f"round {index}: checking {len(candidate.laws)} laws with Z3")
    candidate, dropped = check_and_repair(candidate, {p.law.name for p in fresh})
    say(f"round {index}: fitting {len(candidate.laws)} laws")
    model = inference.fit(inference.compile(candidate), train, seed=seed, svi_steps=svi_steps)
    say(f"round {index}: held-out ablation")
    removed, refuted = ablate(model, held, [p.law.name for p in fresh])
    if removed:
        candidate = _without(candidate, set(removed))
        model = inference.fit(inference.compile(candidate), train, seed=seed, svi_steps=svi_steps)
    rejected.update(p.text for p in fresh if p.law.name in set(removed) | {d[0] for d in dropped})
    return _Attempt(fresh, candidate, model, dropped, removed, refuted)


def _empty_model(train: Sequence[crafter_oo.Transition], seed: int) -> inference.WorldModel:
    """No laws at all: every observable follows inertia. The loop's starting point."""
    return inference.fit(inference.compile(laws.LawSet(())), train, seed=seed, svi_steps=1)


def learn(store: Store, session: int, seed: int = 0, *, proposer: Callable[..., Any] | None = None,
          proposer_name: str = "symbolic", max_rounds: int = MAX_ROUNDS, progress: Progress | None = None) -> Learned:
    """Learn a law set from a stored life; stores the kept version (its note starts with
    ``proposer NAME:``) and its fit, and returns it."""
    transitions = list(store.transitions(session))
    law_set, model, rounds, held_out, origins = learn_transitions(transitions, seed, proposer=proposer,
                                                                   max_rounds=max_rounds, progress=progress)
    report = getattr(proposer, "report", None)   # an LLM proposer accounts for its exchanges
    llm = report() if callable(report) else None
    if model is None:
        return Learned(session, None, law_set, None, rounds, held_out, llm)
    records, declarations = records_from_law_set(law_set, "symbolic")
    records = [StoredLaw(r.name, r.text, origins.get(r.name, ("symbolic", 0, ""))[0],
                         {"round": origins.get(r.name, ("", 0, ""))[1], "note": origins.get(r.name, ("", 0, ""))[2]})
               for r in records]
    note = "; ".join(f"round {r.index}: {r.proposed} proposed, {len(r.dropped)} dropped by Z3, "
                     f"{len(r.removed)} removed by held-out ablation, "
                     f"held-out {r.held_out:.4f}/transition on {r.judged}"
                     f"{'' if r.accepted else ' (no gain, not kept)'}" for r in rounds)
    version = store.add_law_set(session, records, declarations=declarations, note=f"proposer {proposer_name}: {note}")
    metrics: dict[str, Any] = {"proposer": proposer_name, "held_out_per_transition": held_out,
                               "rounds": [r.to_dict() for r in rounds]}
    if llm is not None:
        metrics["llm"] = llm
    store.add_fit(session, version, model.to_dict(), metrics)
    return Learned(session, version, law_set, model, rounds, held_out, llm)


__all__ = ["HELD_OUT_EVERY", "RARE", "Learned", "Round", "StoredLaw", "ablate", "change_kinds", "check_and_repair",
           "learn", "learn_transitions", "repairs", "split"]
