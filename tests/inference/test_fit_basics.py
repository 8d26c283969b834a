"""Fitting on small traces: determinism, no leaking Pyro state, the pieces of the likelihood, bad input."""

from __future__ import annotations

import json
import math

import pyro
import pytest
import torch

import crafter_oo
import inference
import laws
from crafter_oo.build import build_world
from inference.posterior import beta_cdf, beta_quantile, beta_summary

SMALL = """
walkable player: grass, sand, path

law move_right:
    when action == move_right
    then player.move(right)

law collect_sapling(p ~ beta(1, 1)):
    when action == do and facing.material == grass and facing.entity == none
    then with probability p: player.inventory.sapling += 1
"""


def _fit(transitions: list[crafter_oo.Transition], text: str = SMALL, seed: int = 0) -> inference.WorldModel:
    return inference.fit(inference.compile(laws.parse(text)), transitions, seed=seed, svi_steps=40)


def test_same_seed_same_model_and_no_leaking_parameter_store(small_trace) -> None:
    pyro.clear_param_store()
    pyro.param("junk", torch.tensor(3.0))  # state a careless caller left behind
    a = _fit(small_trace)
    assert len(pyro.get_param_store()) == 0
    b = _fit(small_trace)
    da, db = a.to_dict(), b.to_dict()
    da["fit"].pop("seconds"), db["fit"].pop("seconds")
    assert json.dumps(da, sort_keys=True) == json.dumps(db, sort_keys=True)


def test_counts_give_the_conjugate_posterior() -> None:
    # A hand-built world where `do` on grass is tried again and again: the posterior is Beta(1 + s, 1 + f).
    state = build_world(area=(9, 9), seed=1)
    transitions = []
    for _ in range(60):
        nxt, _, _ = crafter_oo.step(state, "do")
        transitions.append(crafter_oo.Transition(state, crafter_oo.action_index("do"), nxt))
        state = nxt
    successes = sum(t.next_state.player.inventory["sapling"] - t.state.player.inventory["sapling"]
                    for t in transitions)
    # At 9 saplings (the cap) a success looks like a failure: those tries say nothing and are left out.
    informative = sum(t.state.player.inventory["sapling"] < 9 for t in transitions)
    assert informative < 60
    model = _fit(transitions)
    assert model.alphas["collect_sapling"]["p"] == pytest.approx([1 + successes, 1 + informative - successes])


def test_inertia_and_miss_rates_are_learned(small_trace) -> None:
    model = _fit(small_trace)
    # Cows move although no law of this set says so: their positions change on their own.
    assert model.estimate("inertia.cow.pos").mean > model.estimate("inertia.tile.material").mean
    assert model.estimate("inertia.tile.material").mean < 1e-4
    # Everything the tiny set predicts, it predicts right: no misses beyond the prior.
    assert model.estimate("miss.player.inventory.sapling").mean < 0.05


def test_log_prob_prefers_the_truth_and_penalises_unexplained_changes(small_trace) -> None:
    model = _fit(small_trace)
    t = small_trace[0]
    truth = model.log_prob(t.state, t.action, t.next_state)
    edited = t.next_state.copy()
    edited.player.inventory["wood"] = 5
    assert truth > model.log_prob(t.state, t.action, edited)
    assert math.isfinite(model.log_prob(t.state, t.action, edited))


def test_beta_quantiles_match_known_values() -> None:
    assert beta_cdf(0.5, 2, 2) == pytest.approx(0.5)
    assert beta_cdf(0.3, 1, 1) == pytest.approx(0.3)
    assert beta_quantile(0.05, 1, 1) == pytest.approx(0.05)
    assert beta_quantile(0.95, 2, 5) == pytest.approx(0.5818034, abs=1e-6)  # Beta(2,5) 95th percentile
    s = beta_summary(11, 91)
    assert s.lo < s.mode < s.mean < s.hi


def test_fit_rejects_an_empty_trace() -> None:
    with pytest.raises(inference.FitError):
        _fit([])


@pytest.mark.parametrize(("text", "message"), [
    ("not json at all", "not JSON"),
    ('{"format": "something else"}', "not a lawsmith world model"),
])
def test_load_rejects_bad_files(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(text)
    with pytest.raises(inference.ModelFileError, match=message):
        inference.load(path)


def test_load_rejects_smuggled_or_broken_law_text(small_trace, tmp_path) -> None:
    doc = _fit(small_trace).to_dict()
    doc["laws"] = "import os\nos.system('echo pwned')\n"
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(inference.ModelFileError, match="does not parse"):
        inference.load(path)
    doc = _fit(small_trace).to_dict()
    doc["parameters"]["collect_sapling"]["p"] = [1.0, -2.0]
    path.write_text(json.dumps(doc))
    with pytest.raises(inference.ModelFileError, match=r"collect_sapling\.p"):
        inference.load(path)
