"""One fitted reference model shared by the world-model tests (fitting takes about 20 s)."""

from __future__ import annotations

import pytest

import crafter_oo
import inference
import laws

TRAIN_SEED, TRAIN_STEPS = 0, 5000


@pytest.fixture(scope="session")
def reference_model() -> inference.WorldModel:
    transitions = list(crafter_oo.random_play(TRAIN_SEED, TRAIN_STEPS))
    return inference.fit(inference.compile(laws.reference_set()), transitions, seed=0)


@pytest.fixture(scope="session")
def small_trace() -> list[crafter_oo.Transition]:
    return list(crafter_oo.random_play(3, 300))
