"""Closed-form posteriors: Beta and Dirichlet summaries (mean, mode, equal-tailed interval).

A law parameter governed by counts has an exact Beta or Dirichlet posterior; a Dirichlet component's
marginal is Beta(a_i, sum(a) - a_i), so one Beta quantile function serves both. The regularized
incomplete beta is evaluated by its continued fraction (Lentz's method) and inverted by bisection:
a few dozen lines instead of a SciPy dependency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INTERVAL = 0.90


def _betacf(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """The q-quantile of Beta(a, b), by bisection on the CDF (to about 1e-12)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if beta_cdf(mid, a, b) < q:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class Summary:
    """A posterior's mean, mode (the MAP estimate) and equal-tailed 90% interval."""

    mean: float
    mode: float
    lo: float
    hi: float

    def contains(self, value: float) -> bool:
        return self.lo <= value <= self.hi


def beta_summary(a: float, b: float, interval: float = INTERVAL) -> Summary:
    tail = (1.0 - interval) / 2.0
    mode = (a - 1.0) / (a + b - 2.0) if a > 1.0 and b > 1.0 else (0.0 if a <= b else 1.0)
    return Summary(a / (a + b), mode, beta_quantile(tail, a, b), beta_quantile(1.0 - tail, a, b))


def dirichlet_summaries(alpha: list[float], interval: float = INTERVAL) -> list[Summary]:
    """Per component: the Beta(a_i, sum - a_i) marginal's summary (the mode is the joint mode's component)."""
    total = sum(alpha)
    k = len(alpha)
    out = []
    for a in alpha:
        s = beta_summary(a, total - a, interval)
        mode = (a - 1.0) / (total - k) if all(x > 1.0 for x in alpha) else s.mode
        out.append(Summary(s.mean, mode, s.lo, s.hi))
    return out
