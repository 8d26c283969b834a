"""Exploration: one life stored step by step, the same bytes for the same seed, exact resumption, and
the two policies' contracts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import crafter_oo
import laws
from crafter_oo.build import build_world
from engine import policies as P
from engine.explore import Progress, explore
from engine.sessions import SessionError, Store


class StopError(Exception):
    """Raised from the progress callback: the run dies without committing its buffered steps."""


def stop_at(t: int):  # type: ignore[no-untyped-def]
    def on_step(p: Progress) -> None:
        if p.t == t and p.t > p.resumed_from:
            raise StopError(t)
    return on_step


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "x.db", create=True) as s:
        yield s


@pytest.mark.parametrize("policy", ["random", "novelty"])
def test_every_step_is_the_true_transition_until_death_or_budget(store: Store, policy: str) -> None:
    seen: list[Progress] = []
    sid = explore(store, 3, 60, policy, on_step=seen.append)
    info = store.session(sid)
    assert info.status == "explored" and (info.steps == 60 or info.done)
    steps = list(store.steps(sid))
    assert steps[0].state == crafter_oo.reset(3) and [s.t for s in steps] == list(range(len(steps)))
    for before, after in itertools.pairwise(steps):
        state, reward, done = crafter_oo.step(before.state, after.action)
        assert state == after.state and reward == after.reward and done == after.done
    assert not any(s.done for s in steps[:-1])
    assert [p.t for p in seen] == list(range(len(steps)))
    assert seen[-1].committed == info.steps and seen[-1].laws == 0


def test_a_death_ends_the_life_before_the_budget(store: Store) -> None:
    sid = explore(store, 0, 2000, "random")
    info = store.session(sid)
    assert info.done and info.steps < 2000 and info.health == 0 and info.status == "explored"


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    rows = []
    for name in ("a.db", "b.db"):
        with Store(tmp_path / name, create=True) as s:
            sid = explore(s, 5, 80, "novelty", commit_every=9)
            rows.append(s.raw_steps(sid))
    assert rows[0] == rows[1] and len(rows[0]) == 81
    with Store(tmp_path / "c.db", create=True) as s:
        other = s.raw_steps(explore(s, 6, 80, "novelty"))
    assert other[1:] != rows[0][1:]


@pytest.mark.parametrize(("policy", "stops"), [("random", [13, 14, 40]), ("novelty", [5, 23, 24, 61, 62])])
def test_an_interrupted_life_resumes_to_the_same_bytes(tmp_path: Path, policy: str, stops: list[int]) -> None:
    with Store(tmp_path / "whole.db", create=True) as s:
        whole = s.raw_steps(explore(s, 8, 70, policy, commit_every=10))
    with Store(tmp_path / "cut.db", create=True) as s:
        ids = set()
        for t in stops:
            with pytest.raises(StopError):
                explore(s, 8, 70, policy, on_step=stop_at(t), commit_every=10)
            (info,) = s.sessions()
            assert info.status == "exploring" and info.steps == t - t % 10  # the buffered steps were lost
            ids.add(info.id)
        resumed: list[Progress] = []
        ids.add(explore(s, 8, 70, policy, commit_every=10, on_step=resumed.append))
        assert ids == {1} and resumed[0].resumed_from == stops[-1] - stops[-1] % 10
        assert s.raw_steps(1) == whole
        assert s.session(1).status == "explored"


def test_a_finished_life_is_not_resumed_but_a_new_one_starts(store: Store) -> None:
    first = explore(store, 2, 15, "random")
    second = explore(store, 2, 15, "random")
    assert (first, second) == (1, 2)
    assert store.raw_steps(first) == store.raw_steps(second)
    assert explore(store, 2, 15, "random", session=first) == first  # nothing left to do: unchanged
    assert store.session(first).steps == 15


def test_a_killed_run_between_the_last_commit_and_the_status_is_finished_on_resume(store: Store) -> None:
    sid = explore(store, 4, 12, "random")
    store.set_status(sid, "exploring")  # as if the status had not been written
    assert explore(store, 4, 12, "random") == sid
    assert store.session(sid).status == "explored"


def test_ctrl_c_keeps_the_finished_steps(store: Store) -> None:
    def interrupt(p: Progress) -> None:
        if p.t == 17:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        explore(store, 1, 50, "novelty", on_step=interrupt, commit_every=10)
    assert store.session(1).steps == 17
    explore(store, 1, 50, "novelty", commit_every=10)
    with Store(store.path.with_name("fresh.db"), create=True) as fresh:
        assert fresh.raw_steps(explore(fresh, 1, 50, "novelty")) == store.raw_steps(1)


def test_a_full_disk_stops_the_run_and_the_same_call_resumes_it_later(store: Store, tmp_path: Path) -> None:
    with Store(tmp_path / "whole.db", create=True) as whole:
        reference = whole.raw_steps(explore(whole, 3, 90, "novelty", commit_every=10))
    with pytest.raises(StopError):
        explore(store, 3, 90, "novelty", on_step=stop_at(25), commit_every=10)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(SessionError, match=r"the disk is full .* rerun the same command to resume"):
        explore(store, 3, 90, "novelty", commit_every=10)
    (info,) = store.sessions()
    assert 20 <= info.steps < 90 and info.status == "exploring"
    assert store.raw_steps(info.id) == reference[: info.steps + 1]  # what was committed is intact
    store.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    sid = explore(store, 3, 90, "novelty", commit_every=10)
    assert sid == info.id and store.raw_steps(sid) == reference


def test_a_session_is_only_continued_as_it_was_started(store: Store) -> None:
    with pytest.raises(StopError):
        explore(store, 1, 30, "novelty", on_step=stop_at(3))
    for kwargs, message in [({"seed": 2}, r"seed 1 \(asked 2\)"), ({"steps": 31}, r"steps 30 \(asked 31\)"),
                            ({"policy": "random"}, r"policy novelty \(asked random\)")]:
        args = {"seed": 1, "steps": 30, "policy": "novelty", **kwargs}
        with pytest.raises(SessionError, match=f"session 1 cannot be continued as asked: it has {message}"):
            explore(store, args["seed"], args["steps"], args["policy"], session=1)
    store.conn.execute("UPDATE sessions SET config = ? WHERE id = 1", ('{"law_set": null, "policy_version": 0}',))
    with pytest.raises(SessionError, match=r"policy version 0 .*could not be reproduced"):
        explore(store, 1, 30, "novelty", session=1)
    assert explore(store, 1, 30, "novelty") == 2  # an unfinished session of another version is not matched
    with pytest.raises(SessionError, match="no session 7"):
        explore(store, 1, 30, "novelty", session=7)
    with pytest.raises(ValueError, match="unknown policy 'greedy'"):
        explore(store, 1, 30, "greedy")


def test_a_guiding_law_set_is_kept_with_the_session(store: Store) -> None:
    law_set = laws.parse("law drink:\n    when action == do and facing.material == water\n"
                         "    then player.inventory.drink += 1\n")
    with pytest.raises(StopError):
        explore(store, 2, 40, "novelty", on_step=stop_at(25), law_set=law_set, commit_every=10)
    assert store.session(1).config["law_set"] == laws.pretty(law_set)
    explore(store, 2, 40, "novelty", session=1)  # resumes without being handed the set again
    with Store(store.path.with_name("whole.db"), create=True) as whole:
        assert whole.raw_steps(explore(whole, 2, 40, "novelty", law_set=law_set)) == store.raw_steps(1)


# --------------------------------------------------------------------------------------------- policies

def test_the_random_policy_is_uniform_and_a_function_of_seed_and_step() -> None:
    obs = crafter_oo.observe(crafter_oo.reset(0))
    policy = P.RandomPolicy(9)
    actions = [policy.act(obs, t) for t in range(1, 1701)]
    counts = [actions.count(a) for a in range(17)]
    assert min(counts) > 60 and max(counts) < 140  # about 100 each
    assert [P.RandomPolicy(9).act(obs, t) for t in range(1, 50)] == actions[:49]
    assert [P.RandomPolicy(10).act(obs, t) for t in range(1, 50)] != actions[:49]


def test_the_novelty_policy_learns_what_its_actions_do() -> None:
    policy = P.NoveltyPolicy(0)
    state = crafter_oo.reset(0)
    obs = crafter_oo.observe(state)
    for t in range(1, 121):
        action = policy.act(obs, t)
        state, _, done = crafter_oo.step(state, action)
        nxt = crafter_oo.observe(state)
        policy.observe(obs, action, nxt)
        obs = nxt
        assert not done
    # It tried many different things, and knows that `do` on a tree gives wood.
    assert len([k for k in policy.counts if len(k) == 3 and k[0] != "move"]) > 20
    wood = P._TRACKED.index("inventory.wood")
    stats = policy.stats[("do", "tree", "none")]
    assert stats.n >= 1 and stats.delta[wood] / stats.n > 0.5
    assert crafter_oo.constants.MATERIAL_ID["grass"] in policy.safe
    assert crafter_oo.constants.MATERIAL_ID["lava"] not in policy.safe


def _recipe_curiosity(table_placed: bool) -> tuple[float, float, float]:
    """A novelty policy that tried make_wood_pickaxe by a table with nothing in hand (it did nothing), the
    table placed by the player itself or found there: how curious it is about that recipe by the table
    with nothing, with wood, and with a sapling in hand; and the ``fresh`` bonus."""
    policy = P.NoveltyPolicy(0)
    if table_placed:
        world = build_world(fill="grass", inventory={"wood": 2, "drink": 5}, seed=0)
        placed, _, _ = crafter_oo.step(world, "place_table")
        policy.observe(crafter_oo.observe(world), crafter_oo.constants.ACTION_ID["place_table"],
                       crafter_oo.observe(placed))
    else:
        placed = build_world(fill="grass", materials={(6, 5): "table"}, inventory={"drink": 5}, seed=0)
    recipe = crafter_oo.constants.ACTION_ID["make_wood_pickaxe"]
    after, _, _ = crafter_oo.step(placed, recipe)
    assert crafter_oo.observe(after).player.inventory == crafter_oo.observe(placed).player.inventory
    policy.observe(crafter_oo.observe(placed), recipe, crafter_oo.observe(after))

    def curious(inventory: dict[str, int]) -> float:
        obs = crafter_oo.observe(build_world(fill="grass", materials={(6, 5): "table"},
                                             inventory={"drink": 5, **inventory}, seed=0))
        context = policy.context(P._View(obs), recipe, obs.player.pos, (1, 0))
        return policy._value(context, policy._needs(obs))[0]

    return curious({}), curious({"wood": 1}), curious({"sapling": 1})


def test_a_recipe_that_did_nothing_is_retried_by_the_players_own_table_with_something_new_in_hand() -> None:
    nothing, wood, sapling = _recipe_curiosity(table_placed=True)
    fresh = P.Weights().fresh
    # what it made may be what the recipe needs, with something it never held there
    assert wood - nothing > 0.9 * fresh and sapling - nothing > 0.9 * fresh
    # by a table it did not make, an item in hand is no such news
    nothing, wood, sapling = _recipe_curiosity(table_placed=False)
    assert wood - nothing < 0.5 * fresh and sapling - nothing < 0.5 * fresh


def test_a_law_set_marks_the_transitions_it_cannot_explain() -> None:
    state = crafter_oo.reset(1)
    full = P.NoveltyPolicy(1, laws.reference_set())
    partial = P.NoveltyPolicy(1, laws.parse("law step_on:\n    when action == noop\n    then nothing\n"))
    obs = crafter_oo.observe(state)
    for t in range(1, 41):
        action = full.act(obs, t)
        state, _, _ = crafter_oo.step(state, action)
        nxt = crafter_oo.observe(state)
        full.observe(obs, action, nxt)
        partial.observe(obs, action, nxt)
        obs = nxt
    assert sum(r[1] for r in full.surprise.values()) == 0  # the reference set explains every transition
    assert sum(r[1] for r in partial.surprise.values()) > 10


def test_make_policy_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown policy 'x'"):
        P.make_policy("x", 0)
