"""Distribution functions that segment needs without SciPy: the regularised
incomplete beta function and the quantile of the F distribution (for the
Feldt confidence interval of Cronbach's alpha, see segment.survey), and the
two-sided tail of Student's t (bootstrap p-values, see segment.pls).
"""

from __future__ import annotations

import math

__all__ = ["betainc", "f_ppf", "t_sf2"]


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
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
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a, b, x, xc):
    """Regularised incomplete beta I_x(a, b); xc = 1 - x, passed exactly."""
    if x <= 0.0:
        return 0.0
    if xc <= 0.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(xc)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, xc) / b


def f_ppf(q, d1, d2):
    """Quantile of the F(d1, d2) distribution.

    Bisection on t = log(d1 x / d2), where the beta variable is y = 1 / (1 + e^-t)
    and 1 - y = 1 / (1 + e^t): both tails keep full relative precision.
    """
    a, b = d1 / 2.0, d2 / 2.0
    lo, hi = -745.0, 709.0
    while hi - lo > 1e-13 * max(1.0, abs(lo), abs(hi)):
        t = 0.5 * (lo + hi)
        if t >= 0:
            e = math.exp(-t)
            y, yc = 1.0 / (1.0 + e), e / (1.0 + e)
        else:
            e = math.exp(t)
            y, yc = e / (1.0 + e), 1.0 / (1.0 + e)
        if betainc(a, b, y, yc) < q:
            lo = t
        else:
            hi = t
    return d2 / d1 * math.exp(0.5 * (lo + hi))


def t_sf2(t, df):
    """Two-sided tail P(|T| >= |t|) of Student's t with df degrees of freedom:
    I_x(df/2, 1/2) with x = df / (df + t^2), 1 - x passed exactly."""
    t = abs(float(t))
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0
    t2 = t * t
    return betainc(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))
