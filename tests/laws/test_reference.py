"""The reference set predicts the true next observation on 10,000 transitions of seeded random play."""

from __future__ import annotations

import crafter_oo
import laws
from laws.audit import audit


def test_reference_set_predicts_10000_transitions_of_random_play() -> None:
    report = audit(laws.reference_set(), transitions=10_000, seed=0)
    print("\n" + report.summary())
    assert report.transitions == 10_000
    assert report.deterministic_correct == report.deterministic > 10_000
    assert report.stochastic_in_support == report.stochastic > 10_000
    assert report.ok, "\n".join(str(m) for m in report.misses[:10])
    assert report.coverage() > 0.99, report.summary()


def test_predictions_on_the_first_observation() -> None:
    compiled = laws.compile(laws.reference_set())
    obs = crafter_oo.observe(crafter_oo.reset(0))
    preds = compiled.predict(obs, "move_left")
    combined = laws.combine(preds, obs)
    assert combined[("step",)] == {1: 1.0}
    assert combined[("player", "facing")] == {"left": 1.0}
    x, y = obs.player.pos
    target = obs.material((x - 1, y))
    expected = (x - 1, y) if target in ("grass", "sand", "path", "lava") else (x, y)
    assert combined[("player", "pos")] == {expected: 1.0}
    food = combined[("player", "inventory", "food")]
    assert set(food) == {8, 9} and abs(sum(food.values()) - 1) < 1e-9
    assert ("move_left", None) in compiled.active(obs, "move_left")
    assert ("move_right", None) not in compiled.active(obs, "move_left")


def test_parameters_change_the_predicted_distribution() -> None:
    compiled = laws.compile(laws.reference_set())
    obs = crafter_oo.observe(crafter_oo.reset(0))
    (hunger,) = [p for p in compiled.predict(obs, "noop", {"hunger": {"p": 0.25}}) if p.law == "hunger"]
    assert hunger.distribution(obs, ("player", "inventory", "food")) == {8: 0.25, 9: 0.75}
    state, _, _ = crafter_oo.step(crafter_oo.reset(0), "noop")
    assert laws.actual(obs, crafter_oo.observe(state), ("player", "inventory", "food")) in (8, 9)
