"""The fit workflow: law files and a trace file in, a saved world model out.

Kept apart from the CLI so the same steps serve ``lawsmith fit``, the learning loop and the
evaluation's fitted reference baseline. Nothing is written until the fit has finished: a bad trace
or law file, or an interrupted fit, leaves any model already at the output path as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import crafter_oo
import inference
import laws

Progress = Callable[[str, int, int], None]


def load_laws(sources: Sequence[str | os.PathLike[str]]) -> laws.LawSet:
    """Law files or folders; the word ``reference`` stands for the shipped reference set."""
    return laws.load(*[laws.REFERENCE_DIR if str(s) == "reference" else s for s in sources])


def fit_trace(law_set: laws.LawSet, transitions: Sequence[crafter_oo.Transition], seed: int = 0,
              svi_steps: int = 300, progress: Progress | None = None) -> inference.WorldModel:
    return inference.fit(inference.compile(law_set), transitions, seed=seed, svi_steps=svi_steps,
                         progress=progress)


def fit_files(sources: Sequence[str | os.PathLike[str]], trace: str | os.PathLike[str],
              output: str | os.PathLike[str] | None, seed: int = 0, svi_steps: int = 300,
              progress: Progress | None = None) -> inference.WorldModel:
    """Load, fit, then save atomically to ``output`` (if given). Raises ``laws.LawError`` or
    ``crafter_oo.TraceError`` for bad input, before anything is written."""
    law_set = load_laws(sources)
    transitions = crafter_oo.read_trace(trace)
    model = fit_trace(law_set, transitions, seed, svi_steps, progress)
    if output is not None:
        model.save(output)
    return model


def reference_model(seed: int = 0, steps: int = 5000, svi_steps: int = 300,
                    progress: Progress | None = None) -> inference.WorldModel:
    """The reference law set fitted on ``steps`` transitions of seeded random play (a baseline)."""
    transitions = list(crafter_oo.random_play(seed, steps))
    return fit_trace(laws.reference_set(), transitions, seed, svi_steps, progress)
