"""A real-valued observable that is a function of time: an exact periodic formula, if the data has one.

Daylight changes on every step by a different amount, so no atom explains it. What the proposer can
do without knowing the game is a small symbolic regression, checked exactly:

1. the value after a step must be a function of the step (one value per step, across episodes);
2. periods P seen in the data come first (pairs of steps P apart agree, none disagree); when the
   data is shorter than a period (random play dies young), every P up to ``MAX_PERIOD`` is tried;
3. over the shapes ``|cos(pi (u + phi))|^k`` and ``cos(2 pi (u + phi))^k`` with ``u = (step + 1) / P
   % 1``, k = 1..3 and phi on a 0.01 grid, an affine fit ``a + b * shape`` must reproduce every
   observed value to 1e-9 once a and b are rounded to printable constants, evaluated exactly as
   the law language evaluates the printed law.

No fit, no law: a wrong formula would be a confident wrong prediction on every step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from crafter_oo.observation import Observation

PI = "3.141592653589793"
PHASES = np.round(np.arange(0, 1, 0.01), 2)
TOLERANCE = 1e-9
MIN_PAIRS = 3
MAX_PERIOD = 1000
PROBE = 16  # points a candidate must fit before it is checked on all of them


def _by_step(afters: Sequence[Observation], attribute: str) -> dict[int, float] | None:
    values: dict[int, float] = {}
    for obs in afters:
        v = float(getattr(obs, attribute))
        old = values.setdefault(obs.step, v)
        if abs(old - v) > TOLERANCE:
            return None  # not a function of the step
    return values


def _periods(values: dict[int, float], most: int = 4) -> list[int]:
    steps = sorted(values)
    span = steps[-1] - steps[0] if steps else 0
    out = []
    for period in range(2, span + 1):
        agree = 0
        for t in steps:
            u = values.get(t + period)
            if u is None:
                continue
            if abs(u - values[t]) > TOLERANCE:
                break
            agree += 1
        else:
            if agree >= MIN_PAIRS and not any(period % p == 0 for p in out):
                out.append(period)
                if len(out) >= most:
                    break
    return out


def _constant(x: float) -> float:
    for digits in range(0, 7):
        r = round(x, digits)
        if abs(r - x) < 1e-7:
            return r
    return round(x, 9)


def _text(a: float, b: float, period: int, phase: float, k: int, shape: str) -> str:
    u = f"(step + 1) / {period} % 1" + (f" + {phase:g}" if phase else "")
    core = f"abs(cos({PI} * ({u})))" if shape == "abs" else f"cos(2 * {PI} * ({u}))"
    term = f"{core} ^ {k}" if k != 1 else core
    if b == 1:
        body = term
        return f"{a:g} + {body}" if a else body
    if b == -1:
        return f"{a:g} - {term}"
    sign = "-" if b < 0 else "+"
    return f"{a:g} {sign} {abs(b):g} * {term}"


def _evaluate(t: int, a: float, b: float, period: int, phase: float, k: int, shape: str) -> float:
    """The printed formula, with the language's float operations in its order."""
    u = (t + 1) / period % 1 + phase
    c = abs(math.cos(3.141592653589793 * u)) if shape == "abs" else math.cos(2 * 3.141592653589793 * u)
    term = c ** k
    return a + term if b == 1 else a - term if b == -1 else a + b * term


def periodic_formula(afters: Sequence[Observation], attribute: str = "daylight") -> str | None:
    """``attribute = formula`` text for the step after, or None when the data pins no exact one.

    ``afters`` are the observations after each transition (their ``step`` is the step + 1 the law
    reads before the step)."""
    values = _by_step(afters, attribute)
    if values is None or len(values) < 2 * MIN_PAIRS:
        return None
    if max(values.values()) - min(values.values()) < TOLERANCE:
        return None  # constant: nothing periodic to say
    steps = np.array(sorted(values), float)
    before = steps - 1  # the law reads the step before the transition
    probe = np.unique(np.linspace(0, len(steps) - 1, min(PROBE, len(steps))).round().astype(int))
    seen = _periods(values)
    candidates = seen + [p for p in range(2, MAX_PERIOD + 1) if p not in seen]
    for period in candidates:
        for shape in ("abs", "cos"):
            for k in (1, 2, 3):
                fit = _fit(before[probe], np.array([values[int(s)] for s in steps[probe]]), period, shape, k)
                for a, b, phase in fit:
                    if all(abs(_evaluate(int(t), a, b, period, phase, k, shape) - values[int(t) + 1]) <= TOLERANCE
                           for t in before.tolist()):
                        return f"{attribute} = {_text(a, b, period, phase, k, shape)}"
    return None


def _fit(before: np.ndarray, target: np.ndarray, period: int, shape: str, k: int) -> list[tuple[float, float, float]]:
    """(a, b, phase) of the best affine fits of one shape over the phase grid, rounded to
    printable constants, that reproduce ``target`` to 1e-6 (at most three)."""
    u = (before[:, None] + 1) / period % 1 + PHASES[None, :]
    base = np.abs(np.cos(np.pi * u)) if shape == "abs" else np.cos(2 * np.pi * u)
    s = base ** k
    mean_s, mean_v = s.mean(axis=0), target.mean()
    var = ((s - mean_s) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(var > 0, ((s - mean_s) * (target - mean_v)[:, None]).sum(axis=0) / np.where(var > 0, var, 1), 0.0)
    a = mean_v - b * mean_s
    err = np.abs(a + b * s - target[:, None]).max(axis=0)
    out = []
    for j in np.argsort(err, kind="stable")[:3].tolist():
        if err[j] > 1e-6 or b[j] == 0:
            break
        out.append((_constant(float(a[j])), _constant(float(b[j])), float(PHASES[j])))
    return out
