"""Distribution functions that segment needs without SciPy: the regularised
incomplete beta function and the quantile of the F distribution (for the
Feldt confidence interval of Cronbach's alpha, see segment.survey).
"""

from __future__ import annotations

import math

__all__ = ["betainc", "chi2_sf", "f_ppf", "gammaincc"]


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
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log(xc))
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


# ---------------------------------------------------------------- chi-square tail


def gammaincc(a, x):
    """Regularised upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a).

    Series for x < a + 1, Lentz's continued fraction beyond (Numerical Recipes,
    section 6.2); relative accuracy near 1e-15 on both branches.
    """
    if x <= 0.0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        ap = a
        for _ in range(100_000):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return 1.0 - math.exp(log_front) * total
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.exp(log_front) * h


def chi2_sf(x, df):
    """Survival function P(X > x) of the chi-square distribution with df degrees of freedom."""
    return gammaincc(df / 2.0, x / 2.0)
