"""One life in Crafter-OO under a policy, every step stored, resumable after a kill at any moment.

``explore(store, seed, steps, policy)`` plays from ``crafter_oo.reset(seed)`` until death or the step
budget and appends the steps to the session store in batches (``commit_every`` steps per transaction,
and the last batch together with the status ``explored``). Everything that decides an action is a
function of the seed, the step number and the steps stored so far (``engine.policies``), so a run that
was killed resumes from its last committed step and stores exactly the bytes an uninterrupted run
would have stored.

Which session a call continues: the one named by ``session``, or else the newest unfinished session
with the same seed, policy, budget and configuration (law set and policy version); when there is none,
a new session starts. So rerunning a killed command resumes it, and running a finished command again
starts a new life.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import crafter_oo
from crafter_oo import constants as C
from engine.policies import POLICIES, POLICY_VERSIONS, Policy, make_policy
from engine.sessions import SessionError, SessionInfo, Step, Store

DEFAULT_STEPS = 2000
COMMIT_EVERY = 50


@dataclass(frozen=True)
class Progress:
    """What a live display shows after each step (and once when a run starts or resumes)."""

    session: int
    t: int                          # steps taken in this life so far
    budget: int
    committed: int                  # steps safely stored
    vitals: dict[str, int]          # health, food, drink, energy
    achievements: tuple[str, ...]   # unlocked so far
    laws: int                       # laws in the session's latest law set
    done: bool                      # the life is over (death)
    resumed_from: int               # the step this run continued from (0: a new session)

    @property
    def finished(self) -> bool:
        return self.done or self.t >= self.budget


OnStep = Callable[[Progress], None]


def session_config(policy: str, law_set: Any = None) -> dict[str, Any]:
    """What, besides seed, policy and budget, decides a life's steps; sessions match on it to resume."""
    text = None
    if law_set is not None:
        import laws

        text = laws.pretty(law_set)
    return {"policy_version": POLICY_VERSIONS[policy], "law_set": text}


def explore(store: Store, seed: int, steps: int = DEFAULT_STEPS, policy: str = "random",
            session: int | None = None, on_step: OnStep | None = None, *, law_set: Any = None,
            label: str = "", commit_every: int = COMMIT_EVERY) -> int:
    """Explore one life (or resume one) and return its session id. See the module doc for which session.

    ``law_set`` (a ``laws.LawSet``) guides the novelty policy towards what it fails to explain; it is
    stored in the session's config, so a resume uses the same set without being given it again.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")
    if steps < 0 or seed < 0:
        raise ValueError(f"seed and steps must be >= 0, got seed {seed} and steps {steps}")
    if commit_every < 1:
        raise ValueError(f"commit_every must be >= 1, got {commit_every}")
    config = session_config(policy, law_set)
    if session is not None:
        info = store.session(session)
        _check_same(info, seed, steps, policy, config)
    else:
        found = store.find_unfinished(seed, policy, steps, config)
        if found is None:
            session = store.create_session(seed, policy, steps, crafter_oo.reset(seed), label=label, config=config)
            info = store.session(session)
        else:
            info = found
            session = found.id
    return _run(store, info, on_step, commit_every)


def _check_same(info: SessionInfo, seed: int, steps: int, policy: str, config: dict[str, Any]) -> None:
    wanted = {"seed": seed, "steps": steps, "policy": policy}
    stored = {"seed": info.seed, "steps": info.budget, "policy": info.policy}
    differ = [f"{k} {stored[k]} (asked {wanted[k]})" for k in wanted if wanted[k] != stored[k]]
    if info.config.get("policy_version") != config["policy_version"]:
        differ.append(f"policy version {info.config.get('policy_version')} (this lawsmith has "
                      f"{config['policy_version']}; its steps could not be reproduced)")
    if config["law_set"] is not None and info.config.get("law_set") != config["law_set"]:
        differ.append("a different guiding law set")
    if differ:
        raise SessionError(f"session {info.id} cannot be continued as asked: it has {'; '.join(differ)}")


def _run(store: Store, info: SessionInfo, on_step: OnStep | None, commit_every: int) -> int:
    session = info.id
    last = store.last_step(session)
    latest = store.law_set(session)
    n_laws = len(latest.laws) if latest is not None else 0
    if last.done or last.t >= info.budget:
        if info.status == "exploring":
            store.set_status(session, "explored")
        if on_step is not None:
            on_step(_progress(info, last.t, last.t, last.state, n_laws, last.done, last.t))
        return session
    law_set = None
    if info.config.get("law_set"):
        import laws

        law_set = laws.parse(info.config["law_set"])
    agent = make_policy(info.policy, info.seed, law_set)
    if agent.learns and last.t > 0:
        _replay(store, session, agent)
    state, obs = last.state, crafter_oo.observe(last.state)
    resumed_from = committed = last.t
    if on_step is not None:
        on_step(_progress(info, last.t, committed, state, n_laws, False, resumed_from))
    buffer: list[Step] = []
    try:
        for t in range(last.t + 1, info.budget + 1):
            action = agent.act(obs, t)
            state, reward, done = crafter_oo.step(state, action)
            next_obs = crafter_oo.observe(state)
            agent.observe(obs, action, next_obs)
            obs = next_obs
            buffer.append(Step(t, action, float(reward), bool(done), state))
            finished = done or t == info.budget
            if finished or len(buffer) >= commit_every:
                store.append_steps(session, buffer, status="explored" if finished else None)
                committed = t
                buffer = []
            if on_step is not None:
                on_step(_progress(info, t, committed, state, n_laws, bool(done), resumed_from))
            if done:
                break
    except KeyboardInterrupt:
        _save_interrupted(store, session, buffer)
        raise
    return session


def _replay(store: Store, session: int, agent: Policy) -> None:
    """Let a learning policy see the stored steps again, so it knows what it knew when it stopped."""
    previous = None
    for s in store.steps(session):
        obs = crafter_oo.observe(s.state)
        if previous is not None and s.action is not None:
            agent.observe(previous, s.action, obs)
        previous = obs


def _save_interrupted(store: Store, session: int, buffer: list[Step]) -> None:
    """On Ctrl-C keep the finished steps not yet committed (those the interrupted commit did not store)."""
    stored = store.last_step(session).t
    pending = [s for s in buffer if s.t > stored]
    if pending:
        store.append_steps(session, pending)


def _progress(info: SessionInfo, t: int, committed: int, state: crafter_oo.State, laws: int, done: bool,
              resumed_from: int) -> Progress:
    p = state.player
    return Progress(info.id, t, info.budget, committed, {v: p.inventory[v] for v in C.VITALS},
                    tuple(k for k, v in p.achievements.items() if v), laws, done, resumed_from)
