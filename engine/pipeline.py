"""The whole offline pipeline behind ``lawsmith run``: explore one life, learn its laws, evaluate.

Every stage leaves its result in the session store and looks there first, so a run that is killed
at any moment and started again with the same arguments picks up where it stopped: exploration
resumes from the last committed step, a finished learning stage is not redone, and evaluations
already stored are reused. Every stage is deterministic for the seed, so the end is the same as an
uninterrupted run's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import crafter_oo
import inference
import laws
from engine.evaluate import evaluate
from engine.explore import OnStep, explore, session_config
from engine.learn import SVI_STEPS, Learned, change_kinds, learn
from engine.models import make_model
from engine.scenarios import SCENARIOS, run
from engine.sessions import Store

BASELINES = ("true", "null", "random", "reference")
Say = Callable[[str], None]


@dataclass
class Summary:
    """What ``lawsmith run`` prints: per model, per scenario MRR and rank-1, and what the life saw."""

    session: int
    version: int | None
    steps: int
    laws: int
    results: dict[str, dict[str, Any]]                 # model -> stored results document
    encountered: dict[str, bool] = field(default_factory=dict)  # scenario key -> its changes were seen
    llm: dict[str, Any] | None = None                  # the LLM proposer's accounting, if one was used

    def table(self) -> list[tuple[str, dict[str, tuple[float, float]]]]:
        """Rows (scenario, {model: (mrr, rank1)}) in scenario order, then 'overall'."""
        rows = []
        keys = [s.key for s in SCENARIOS]
        for key in [*keys, "overall"]:
            cells = {}
            for model, doc in self.results.items():
                block = doc["overall"] if key == "overall" else doc["groups"].get(key)
                if block is not None:
                    metrics = block["metrics"]
                    cells[model] = (metrics["mrr"]["mean"], metrics["rank1"]["mean"])
            rows.append((key, cells))
        return rows


def _signatures(transitions: Sequence[crafter_oo.Transition]) -> set[tuple[str, int]]:
    """What kinds of change happened: (attribute, sign of the change) without time."""
    return {k for t in transitions for k in change_kinds(t)}


def encountered(life: Sequence[crafter_oo.Transition], seed: int = 0) -> dict[str, bool]:
    """Per scenario: did the life show every kind of change its mechanic's true runs show?

    A failure variant (nothing happens) counts as encountered when its mechanic's success was: seeing
    the mechanic work is what lets a learner tell when it does not.
    """
    seen = _signatures(life)
    needed: dict[str, set[tuple[str, int]]] = {}
    for s in SCENARIOS:
        needed.setdefault(s.mechanic, set()).update(_signatures(run(s, seed).transitions))
    return {s.key: needed[s.mechanic] <= seen for s in SCENARIOS}


def _evaluation(store: Store, session: int, version: int, name: str, make: Callable[[], Any], seed: int,
                trials: int) -> dict[str, Any]:
    """The stored evaluation of ``name`` on this law-set version, or a new one (stored)."""
    for e in store.evaluations(session):
        if e.version == version and e.model == name and e.seed == seed and e.results.get("trials") == trials:
            return e.results
    results = evaluate(make(), seed=seed, trials=trials)
    doc = json.loads(results.to_json())
    store.add_evaluation(session, version, name, seed, doc)
    return doc


def _reference(transitions: Sequence[crafter_oo.Transition], seed: int) -> inference.WorldModel:
    """The reference law set fitted on the same life (EVALUATION.md: "fitted on the same trace")."""
    model = inference.fit(inference.compile(laws.reference_set()), transitions, seed=seed)
    model.name = "reference"
    return model


def _learned_by(store: Store, session: int, proposer_name: str) -> Any:
    """The newest law-set version of the session that ``proposer_name`` learned, or None."""
    for version in reversed(store.law_set_versions(session)):
        stored = store.law_set(session, version)
        if stored is not None and stored.note.startswith(f"proposer {proposer_name}:"):
            return stored
    return None


def run_pipeline(store: Store, seed: int = 0, steps: int = 2000, policy: str = "novelty", trials: int = 5,
                 on_step: OnStep | None = None, say: Say | None = None,
                 proposer: Callable[..., Any] | None = None, proposer_name: str = "symbolic") -> Summary:
    """Explore, learn, evaluate the learned model beside the baselines; everything stored in ``store``.

    ``proposer`` is the learning loop's (None: the symbolic proposer) and ``proposer_name`` its name: a
    law set this proposer learned for the life before is reused (its LLM accounting comes back from the
    stored fit); one another proposer learned is not."""
    def tell(message: str) -> None:
        if say is not None:
            say(message)

    config = session_config(policy)
    same = [i for i in store.sessions() if (i.seed, i.policy, i.budget, i.config) == (seed, policy, steps, config)]
    if same:  # this run's life: resume it if unfinished, else go on from its stored results
        session = same[0].id
        if not same[0].finished:
            explore(store, seed, steps, policy, session, on_step=on_step)
    else:
        session = explore(store, seed, steps, policy, on_step=on_step)
    info = store.session(session)
    transitions = list(store.transitions(session))
    stored = _learned_by(store, session, proposer_name)
    llm: dict[str, Any] | None = None
    if stored is not None:
        law_set = laws.parse(stored.text())
        fits = [f for f in store.fits(session) if f.version == stored.version]
        if fits:
            tell(f"session {session}: law set version {stored.version} already learned")
            model = inference.from_dict(fits[-1].model)
            llm = fits[-1].metrics.get("llm")
        else:  # killed between storing the law set and its fit: the same final fit, again
            tell(f"session {session}: fitting law set version {stored.version}")
            model = inference.fit(inference.compile(law_set), transitions, seed=seed, svi_steps=SVI_STEPS)
            store.add_fit(session, stored.version, model.to_dict(), {"refitted_on_resume": True})
        learned = Learned(session, stored.version, law_set, model, llm=llm)
    else:
        tell(f"session {session}: learning from {len(transitions)} transitions")
        learned = learn(store, session, seed, proposer=proposer, proposer_name=proposer_name, progress=tell)
    if learned.version is not None:
        store.set_status(session, "learned")
    results: dict[str, dict[str, Any]] = {}
    if learned.version is not None and learned.model is not None:
        learned_model = learned.model
        learned_model.name = "learned"
        makers: dict[str, Callable[[], Any]] = {
            "learned": lambda: learned_model,
            "reference": lambda: _reference(transitions, seed),
            **{name: (lambda name=name: make_model(name, seed)) for name in ("true", "null", "random")},
        }
        for name in ("learned", *BASELINES):
            tell(f"evaluating: {name}")
            results[name] = _evaluation(store, session, learned.version, name, makers[name], seed, trials)
    if results:
        store.set_status(session, "done")
    return Summary(session, learned.version, info.steps, len(learned.law_set.laws), results,
                   encountered(transitions, seed), learned.llm)
