"""Crafter-OO against the real crafter package under the oracle of CRAFTER.md, step by step."""

from __future__ import annotations

import numpy as np
import pytest

from crafter_oo import constants as C
from crafter_oo import parity
from crafter_oo.snapshot import from_crafter
from crafter_oo.state import State, first_difference
from crafter_oo.step import step
from crafter_oo.worldgen import generate
from tests.crafter_oo.scripts import CRAFTING, Cow, Plant, Skeleton, Zombie, cleared, face_and_do, with_entity


def _step_and_round_trip(state: State, action: int) -> tuple[State, float, bool]:
    """The reference step, also checking that every visited state survives the JSON round trip."""
    result = step(state, action)
    restored = State.from_json(result[0].to_json())
    diff = first_difference(restored, result[0])
    assert diff is None, f"JSON round trip changed the state at step {result[0].step}: {diff}"
    return result


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(30))
def test_random_play_matches_oracle_every_step(seed: int) -> None:
    actions = np.random.RandomState(10_000 + seed).randint(0, len(C.ACTIONS), size=2000)
    count, mismatch = parity.compare(seed, actions, generate, _step_and_round_trip)
    assert mismatch is None, f"first mismatch: {mismatch}"
    assert count == 2000


@pytest.mark.slow
def test_world_generation_matches_oracle_on_200_seeds() -> None:
    for seed in range(1000, 1200):
        env = parity.oracle_env(seed)
        env.reset()
        diff = first_difference(from_crafter(env), generate(seed))
        assert diff is None, f"seed {seed}: {diff}"


def test_later_episodes_match_oracle() -> None:
    env = parity.oracle_env(5)
    for episode in (1, 2, 3):
        env.reset()
        assert first_difference(from_crafter(env), generate(5, episode)) is None


def _run_scripted(state: State, actions: list[int]) -> State:
    count, mismatch = parity.compare_from(state, actions, step)
    assert mismatch is None, f"first mismatch: {mismatch}"
    assert count == len(actions), "the episode ended before the script did"
    for action in actions:
        state, _, _ = step(state, action)
    return state


def test_crafting_and_placing_match_oracle() -> None:
    start = cleared(11, inventory={"wood": 9, "stone": 9, "coal": 2, "iron": 2, "sapling": 2})
    end = _run_scripted(start, [C.ACTION_ID[a] for a in CRAFTING])
    for name in ("place_table", "place_furnace", "place_stone", "place_plant", "make_wood_pickaxe",
                 "make_stone_pickaxe", "make_iron_pickaxe", "make_wood_sword", "make_stone_sword",
                 "make_iron_sword"):
        assert end.player.achievements[name] == 1, name


def test_collecting_with_tools_matches_oracle() -> None:
    start = cleared(12, inventory={"wood_pickaxe": 1, "stone_pickaxe": 1, "iron_pickaxe": 1})
    px, py = start.player.pos
    for dy, material in enumerate((C.TREE, C.STONE, C.COAL, C.IRON, C.DIAMOND, C.WATER), start=1):
        start.materials[px, py + dy] = material
        start.materials[px - 1, py + dy] = C.GRASS
    actions = []
    for _ in range(6):
        actions += [C.ACTION_ID["do"], C.ACTION_ID["move_down"]]
    end = _run_scripted(start, actions)
    for name in ("collect_wood", "collect_stone", "collect_coal", "collect_iron", "collect_diamond",
                 "collect_drink"):
        assert end.player.achievements[name] == 1, name


def test_fighting_and_eating_match_oracle() -> None:
    start = cleared(13, radius=4, inventory={"wood_sword": 1})
    start = with_entity(start, Zombie, (2, 0))
    start = with_entity(start, Cow, (-2, 1))
    start = with_entity(start, Skeleton, (0, -3))
    gen = np.random.RandomState(3)
    state, actions = start, []
    for _ in range(60):
        action = face_and_do(state, ("zombie", "cow", "skeleton"), gen)
        actions.append(action)
        state, _, done = step(state, action)
        if done:
            break
    end = _run_scripted(start, actions)
    assert end.player.achievements["defeat_zombie"] >= 1
    assert end.player.achievements["eat_cow"] >= 1


def test_sleeping_through_the_night_matches_oracle() -> None:
    start = cleared(14, radius=2, inventory={"energy": 2})
    start.step = 140  # night starts at step 148; zombies spawn near a sleeper
    actions = [C.ACTION_ID["sleep"]] * 160
    count, mismatch = parity.compare_from(start, actions, step)
    assert mismatch is None, f"first mismatch: {mismatch}"
    state, woke, spawned_at_night = start, False, False
    for action in actions[:count]:
        before = state.next_id
        state, _, _ = step(state, action)
        woke = woke or state.player.achievements["wake_up"] > 0
        spawned_at_night |= state.daylight < 0.5 and state.step % 10 == 0 and state.next_id > before
    assert woke, "the player never woke up"
    assert spawned_at_night, "no creature spawned during the night"


def test_plant_ripens_and_is_eaten_matching_oracle() -> None:
    start = with_entity(cleared(15, radius=3, inventory={"food": 3}), Plant, (0, 1), grown=290)
    actions = [C.ACTION_ID["noop"]] * 10 + [C.ACTION_ID["do"]] * 2
    end = _run_scripted(start, actions)
    assert end.player.achievements["eat_plant"] == 1  # the first do is at grown 300, the second at 301


def test_arrows_and_night_render_noise_match_stock_draws() -> None:
    """Skeleton shots fly, and with ``render_noise`` the stream advances like a stock render at night."""
    start = with_entity(cleared(16, radius=5), Skeleton, (4, 0))
    start.step = 145  # crosses into the night at step 148
    oracle = parity.oracle_from_state(start, render_noise=True)
    ours, arrows_seen = start, 0
    for _ in range(20):
        oracle.step(C.ACTION_ID["noop"])
        ours, _, _ = step(ours, "noop", render_noise=True)
        arrows_seen += sum(e.kind == "arrow" for e in ours.objects.values())
        assert first_difference(from_crafter(oracle), ours) is None, f"step {ours.step}"
    assert arrows_seen > 0
    quiet = start
    for _ in range(20):
        quiet, _, _ = step(quiet, "noop")
    assert quiet.rng != ours.rng, "the night render draws changed nothing"
