"""The evaluation scenarios: 38 keyed variants of 23 mechanics, each passing its goal when run for real."""

from __future__ import annotations

import dataclasses

import pytest

import crafter_oo
from engine import scenarios as S


def test_there_are_23_mechanics_in_38_unique_variants() -> None:
    assert len(S.SCENARIOS) == 38
    assert len(S.BY_KEY) == 38
    assert len(S.MECHANICS) == 23
    for key in S.BY_KEY:
        if key.endswith("_fail"):
            assert key[: -len("_fail")] in S.BY_KEY, f"{key} has no success variant"


@pytest.mark.parametrize("key", sorted(S.BY_KEY))
def test_goal_passes_under_the_true_transition(key: str) -> None:
    scenario = S.BY_KEY[key]
    for seed in range(25):
        result = S.run(scenario, seed)
        assert 1 <= len(result.transitions) <= scenario.budget
        for t in result.transitions:
            again, _, _ = crafter_oo.step(t.state, t.action)
            assert again == t.next_state  # the recorded transition is the true one


def test_a_broken_scenario_fails_loudly() -> None:
    broken = dataclasses.replace(S.BY_KEY["craft_wood_pickaxe"], world={"inventory": {"wood": 0}},
                                 key="craft_wood_pickaxe_broken")
    with pytest.raises(S.ScenarioError, match=r"craft_wood_pickaxe_broken.*goal failed"):
        S.run(broken, 0)


def test_runs_are_reproducible() -> None:
    a = S.run(S.BY_KEY["random_movement"], 7)
    b = S.run(S.BY_KEY["random_movement"], 7)
    assert [t.action for t in a.transitions] == [t.action for t in b.transitions]
    assert all(x.next_state == y.next_state for x, y in zip(a.transitions, b.transitions, strict=True))


def test_success_and_failure_variants_differ_in_outcome() -> None:
    ok = S.run(S.BY_KEY["collect_iron"], 0).transitions[-1].next_state
    fail = S.run(S.BY_KEY["collect_iron_fail"], 0).transitions[-1].next_state
    assert ok.player.inventory["iron"] == 1 and fail.player.inventory["iron"] == 0
