"""Distribution functions that segment needs without SciPy: the regularised
incomplete beta function and the quantile of the F distribution (for the
Feldt confidence interval of Cronbach's alpha, see segment.survey), the
two-sided tail of Student's t (bootstrap p-values, see segment.pls); the
regularised incomplete gamma function, the chi-square survival function and
the noncentral chi-square distribution (for the RMSEA interval of segment.cfa).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["betainc", "chi2_sf", "f_ppf", "gammainc", "ncx2_cdf", "ncx2_ncp", "t_sf2"]


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


# ------------------------------------------------ gamma, chi-square, noncentral chi-square


def gammainc(a, x):
    """Regularised lower incomplete gamma P(a, x) and its complement Q(a, x).

    Series for x < a + 1, Lentz's continued fraction for Q otherwise
    (Numerical Recipes, 6.2): each side is computed where it converges fast
    and keeps its relative precision. Returns the pair (P, Q).
    """
    if x <= 0.0:
        return 0.0, 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        ap = a
        for _ in range(100_000):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        p = math.exp(log_front) * total
        return p, 1.0 - p
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
    q = math.exp(log_front) * h
    return 1.0 - q, q


def chi2_sf(x, df):
    """Upper tail P(X > x) of the chi-square distribution with df degrees of freedom."""
    return gammainc(df / 2.0, x / 2.0)[1]


def ncx2_cdf(x, df, nc):
    """P(X <= x) for the noncentral chi-square with df degrees of freedom and
    noncentrality nc: the Poisson(nc / 2) mixture of central chi-squares with
    df + 2j degrees of freedom, summed over j within 10 sd (+ 20) of the
    Poisson mode (the weights beyond are below 1e-22). One incomplete gamma
    function is computed, at the mode; the others follow from
    P(a + 1, y) = P(a, y) - y^a e^-y / Gamma(a + 1), the terms y^a e^-y /
    Gamma(a + 1) and the Poisson weights from their neighbours' ratios, as
    cumulative sums of logarithms (NumPy, no loop).
    """
    if x <= 0.0:
        return 0.0
    if nc <= 0.0:
        return gammainc(df / 2.0, x / 2.0)[0]
    lam, y, h = nc / 2.0, x / 2.0, df / 2.0
    mode = int(lam)
    k = int(10.0 * math.sqrt(lam) + 20.0)
    lo, hi = max(0, mode - k), mode + k
    a0 = h + mode
    p0 = gammainc(a0, y)[0]
    log_w0 = -lam + mode * math.log(lam) - math.lgamma(mode + 1.0)
    log_s0 = a0 * math.log(y) - y - math.lgamma(a0 + 1.0)  # log y^a0 e^-y / Gamma(a0 + 1)
    ly, llam = math.log(y), math.log(lam)
    up = np.arange(mode + 1, hi + 1, dtype=float)  # j above the mode
    log_s = log_s0 + np.concatenate(([0.0], np.cumsum(ly - np.log(h + up[:-1]))))
    p_up = p0 - np.cumsum(np.exp(log_s))  # P(h + j, y) for j in up
    w_up = np.exp(log_w0 + np.cumsum(llam - np.log(up)))
    down = np.arange(mode - 1, lo - 1, -1, dtype=float)  # j below the mode
    p_down = p0 + np.cumsum(np.exp(log_s0 + np.cumsum(np.log(h + down + 1.0) - ly)))
    w_down = np.exp(log_w0 + np.cumsum(np.log(down + 1.0) - llam))
    total = (
        math.exp(log_w0) * p0
        + float(w_up @ np.clip(p_up, 0.0, 1.0))
        + float(w_down @ np.clip(p_down, 0.0, 1.0))
    )
    return min(total, 1.0)


def ncx2_ncp(x, df, q):
    """The noncentrality nc >= 0 with ncx2_cdf(x, df, nc) = q, by bisection
    (the cdf falls as nc grows); 0 when even nc = 0 gives a cdf below q."""
    if ncx2_cdf(x, df, 0.0) <= q:
        return 0.0
    lo, hi = 0.0, max(1.0, x)
    while ncx2_cdf(x, df, hi) > q:
        lo, hi = hi, 2.0 * hi
    while hi - lo > 1e-10 * max(1.0, hi):
        mid = 0.5 * (lo + hi)
        if ncx2_cdf(x, df, mid) > q:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
