"""The world model: a law set compiled into a probabilistic program, fitted with Pyro.

Front door::

    model = inference.compile(law_set)                     # structure: parameters, priors, the Pyro program
    world = inference.fit(model, transitions, seed=0)      # conjugate updates + SVI -> WorldModel
    world.log_prob(s, a, s2); world.predict(s, a); world.sample(s, a, seed)
    world.parameters()                                      # posterior mean, MAP and 90% interval of each
    world.save("model.json"); inference.load("model.json")  # JSON, law text re-parsed, never executed

``inference`` imports ``laws`` and ``crafter_oo`` (observations and transitions), never ``engine`` or
the CLI.
"""

from __future__ import annotations

from inference.compile import CompiledModel, compile
from inference.fit import FitError, fit
from inference.world_model import Estimate, Forecast, ModelFileError, WorldModel, from_dict, load

__all__ = ["CompiledModel", "Estimate", "FitError", "Forecast", "ModelFileError", "WorldModel", "compile", "fit",
           "from_dict", "load"]
