"""The interface every evaluated world model implements, and the loading of one by name or path.

The evaluation only asks two things of a model: a score for a candidate next state (a log-probability,
possibly ``-inf``) and one sampled next observation. Keeping the interface that small lets the
baselines, the fitted law-set world model (``inference``) and any user's model be judged by the same
harness. Candidates are ``State`` (s* and the distractors) or ``Observation`` (a model's own sample, a
hard negative), so ``log_prob`` accepts both for ``next_state``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from crafter_oo.observation import Observation, observe
from crafter_oo.state import State


@runtime_checkable
class Model(Protocol):
    """A world model as the evaluation sees it."""

    name: str

    def log_prob(self, state: State, action: int, next_state: State | Observation) -> float:
        """log p(next observation | state, action); ``-inf`` for an outcome the model rules out."""
        ...

    def sample(self, state: State, action: int, seed: int) -> Observation:
        """One full next observation, drawn with ``seed`` (the same seed gives the same sample)."""
        ...


class ModelLoadError(ValueError):
    """A model name that is not a baseline, or a model file that cannot be loaded."""


def view(x: State | Observation) -> Observation:
    """The observation of a candidate, whichever form it comes in."""
    return x if isinstance(x, Observation) else observe(x)


BASELINE_NAMES: tuple[str, ...] = ("true", "null", "random", "reference")
REFERENCE_STEPS = 5000  # the reference baseline's training trace: seeded random play


def make_model(name_or_path: str, seed: int = 0) -> Model:
    """A baseline by name (``true``, ``null``, ``random``, ``reference``) or a fitted world model from a file.

    ``seed`` seeds the random baseline, and the random-play trace (``REFERENCE_STEPS`` transitions) the
    ``reference`` baseline (the shipped reference law set) is fitted on, about 20 s. A path is loaded by
    ``inference.load``; any failure (missing file, unreadable or invalid content) becomes a
    ``ModelLoadError`` whose message names the file.
    """
    from engine import baselines

    if name_or_path == "true":
        return baselines.TrueModel()
    if name_or_path == "null":
        return baselines.NullModel()
    if name_or_path == "random":
        return baselines.RandomModel(seed)
    if name_or_path == "reference":
        from engine.fitting import reference_model

        model = reference_model(seed, REFERENCE_STEPS)
        model.name = "reference"
        return model
    path = Path(name_or_path)
    if not path.exists():
        raise ModelLoadError(f"unknown model {name_or_path!r}: use {', '.join(BASELINE_NAMES)} "
                             f"or the path of a fitted model file")
    return _load(path)


def _load(path: Path) -> Model:
    try:
        import inference
        load = inference.load
    except (ImportError, AttributeError):
        raise ModelLoadError(f"{path}: cannot load a fitted model: the world model (inference.load) "
                             f"is not built in this installation") from None
    try:
        model = load(path)
    except (ValueError, OSError, KeyError, TypeError) as exc:  # ValueError covers JSON and schema errors
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = detail if detail.startswith(str(path)) else f"{path}: {detail}"
        raise ModelLoadError(f"cannot load the model: {message}") from None
    if not isinstance(model, Model):
        raise ModelLoadError(f"{path}: inference.load returned a {type(model).__name__}, not a world model")
    return model
