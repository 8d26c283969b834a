"""Ranking and fidelity metrics, and the distractor families."""

from __future__ import annotations

import numpy as np
import pytest

import crafter_oo
from crafter_oo import constants as C
from engine import distractors as D
from engine import metrics as M
from engine import scenarios as S


def test_rank_of_truth() -> None:
    rng = np.random.RandomState(0)
    assert M.rank_of_truth([0.0, -1.0, -2.0], rng).rank == 1
    assert M.rank_of_truth([-5.0, -1.0, -2.0], rng).rank == 3
    assert M.rank_of_truth([float("nan"), -1.0], rng).rank == 2
    r = M.Ranking(rank=3, candidates=5)
    assert (r.top1, r.reciprocal, r.recall) == (0.0, 1 / 3, 0.5)


def test_ties_are_broken_by_the_seeded_shuffle_not_position() -> None:
    ranks = [M.rank_of_truth([0.0] * 4, np.random.RandomState(seed)).rank for seed in range(400)]
    counts = np.bincount(ranks, minlength=5)[1:]
    assert all(70 < c < 130 for c in counts), counts  # about uniform over 1..4
    assert ranks == [M.rank_of_truth([0.0] * 4, np.random.RandomState(seed)).rank for seed in range(400)]


def test_patch_counts_operations() -> None:
    a = {"x": 1, "e": {"1": {"pos": [1, 2]}, "2": {"pos": [3, 3]}}}
    b = {"x": 2, "e": {"1": {"pos": [1, 3]}, "3": {"pos": [0, 0]}}}
    ops = M.patch(a, b)
    assert sorted(op for op, _, _ in ops) == ["add", "remove", "replace", "replace"]
    assert M.patch(a, a) == []
    assert M.leaves(a) == 5


def test_fidelity_of_a_perfect_and_a_null_sample() -> None:
    run = S.run(S.BY_KEY["collect_wood"], 0)
    t = run.transitions[0]
    before, truth = (crafter_oo.observe(x).to_dict() for x in (t.state, t.next_state))
    perfect = M.fidelity(before, truth, truth)
    assert (perfect.edits, perfect.normalized, perfect.iou) == (0, 0.0, 1.0)
    stale = dict(before, step=truth["step"], daylight=truth["daylight"])
    null = M.fidelity(before, stale, truth)
    assert null.edits > 0 and null.iou == 0.0


def test_total_variation() -> None:
    assert M.total_variation({"a": 0.5, "b": 0.5}, {"a": 0.5, "b": 0.5}) == 0.0
    assert M.total_variation({"a": 1.0}, {"b": 1.0}) == 1.0
    assert M.histogram(["a", "a", "b", "c"]) == {"a": 0.5, "b": 0.25, "c": 0.25}


@pytest.mark.parametrize("key", ["craft_iron_sword", "collect_diamond", "place_table", "eat_cow", "wake_up"])
def test_distractors_are_wrong_and_reproducible(key: str) -> None:
    run = S.run(S.BY_KEY[key], 3)
    for t in run.transitions:
        first = D.distractors(t.state, t.action, t.next_state, np.random.RandomState(11))
        again = D.distractors(t.state, t.action, t.next_state, np.random.RandomState(11))
        assert [n for n, _ in first] == [n for n, _ in again]
        truth = crafter_oo.observe(t.next_state)
        for (name, state), (_, twin) in zip(first, again, strict=True):
            assert crafter_oo.observe(state) != truth, name
            assert state == twin
        names = {n for n, _ in first}
        action = C.ACTIONS[t.action]
        assert ("wrong_craft" in names) == action.startswith("make_")
        assert "illegal_move" not in names or action not in C.MOVE_ACTIONS


def test_patch_on_large_maps_is_exact_and_type_strict() -> None:
    grid = [["grass"] * 64 for _ in range(64)]
    other = [row[:] for row in grid]
    other[10][20] = "stone"
    assert M.patch({"m": grid}, {"m": other}) == [("replace", "/m/10/20", '"stone"')]
    assert M.patch({"m": grid}, {"m": grid}) == [] and M.leaves({"m": grid}) == 64 * 64
    assert M.patch([1, True, 2.0], [1.0, 1, 2.0]) == [("replace", "/0", "1.0"), ("replace", "/1", "1")]
    assert M.leaves([]) == 1 and M.leaves([[], [1, 2]]) == 3
