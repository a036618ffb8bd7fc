"""Confirmatory factor analysis by maximum likelihood, with fit indices.

`cfa` fits a measurement model (factor -> indicators), optionally with
regressions among the factors, by minimising the normal-theory discrepancy

    F = ln|Sigma| + tr(S Sigma^-1) - ln|S| - p,

and reports the fit indices of Paper A's Table 7 (chi2/df, RMSEA, GFI, AGFI,
CFI, IFI, NFI, NNFI, R^2) with lavaan's conventions: S and the likelihood
use N (not N - 1), chi2 = N F, the baseline is the independence model, the
standard errors come from the expected information. On Holzinger and
Swineford's data it reproduces the lavaan tutorial's three-factor model
(tests/test_cfa.py).

The model (LISREL's all-y notation): indicators x = Lambda eta + eps, factors
eta = B eta + zeta, so Sigma = Lambda A Psi A' Lambda' + Theta with
A = (I - B)^-1. Each factor's first indicator has its loading fixed at 1
(marker-variable identification, as lavaan and semopy); Theta is diagonal;
Psi holds the variances of all factors (the disturbances of the endogenous
ones), the covariances of the exogenous factors, and no covariances of
disturbances (lavaan's defaults for `sem`). The optimiser is Fisher scoring
with step halving, in NumPy.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from segment._estimator import ConvergenceWarning
from segment._stats import chi2_sf, ncx2_cdf, ncx2_ncp
from segment._validation import ITEMS, _first, read_numeric

__all__ = ["CfaResult", "HeywoodWarning", "cfa"]

# Paper A, Table 7: criterion, the fit index behind it, the threshold, its direction
TABLE7 = (
    ("chi2/df", "chi2_df", 3.0, "<"),
    ("RMSEA", "rmsea", 0.08, "<"),
    ("GFI", "gfi", 0.9, ">"),
    ("AGFI", "agfi", 0.9, ">"),
    ("CFI", "cfi", 0.9, ">"),
    ("IFI", "ifi", 0.9, ">"),
    ("NFI", "nfi", 0.9, ">"),
    ("NNFI", "nnfi", 0.9, ">"),
)
R2_THRESHOLD = 0.67
FIT_INDICES = (
    "chi2",
    "df",
    "p_value",
    "chi2_df",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "rmsea_pclose",
    "gfi",
    "agfi",
    "cfi",
    "tli",
    "nnfi",
    "nfi",
    "ifi",
    "srmr",
    "aic",
    "bic",
    "loglik",
    "baseline_chi2",
    "baseline_df",
)


class HeywoodWarning(UserWarning):
    """An improper solution: a negative residual or factor variance (a Heywood
    case), factor covariances that are not positive definite, or a singular
    information matrix (a model not identified at its estimates, whose
    standard errors are then NaN)."""


@dataclass(frozen=True)
class CfaResult:
    """A fitted confirmatory factor model.

    Attributes
    ----------
    loadings : DataFrame, shape (n_items, n_factors)
        Unstandardised loadings (1 for each factor's marker, 0 where an item
        does not load).
    std_loadings : DataFrame, shape (n_items, n_factors)
        Completely standardised loadings (lavaan's ``std.all``).
    factor_cov : DataFrame, shape (n_factors, n_factors)
        Model-implied covariances of the factors, A Psi A'.
    residual_var : Series
        Residual variances of the items (Theta); negative values are Heywood
        cases and come with a `HeywoodWarning`.
    paths : DataFrame
        The structural regressions (columns ``from``, ``to``, ``estimate``,
        ``se``, ``z``, ``p_value``, ``std_all``); empty without `structural`.
    r_squared : Series
        R^2 of every item, then of every endogenous factor.
    estimates : DataFrame
        lavaan's parameter table: ``lhs``, ``op`` (``=~`` loading, ``~``
        regression, ``~~`` (co)variance), ``rhs``, ``estimate``, ``se``, ``z``,
        ``p_value``, ``std_all``, ``free``. Fixed marker loadings have
        se, z and p_value NaN: they are not estimated. The ``~~`` variance of
        an endogenous factor is its disturbance's (lavaan's ``.speed``).
    fit_indices : Series
        ``chi2`` (= N F), ``df``, ``p_value``, ``chi2_df``, ``rmsea`` with its
        90% interval ``rmsea_ci_low``, ``rmsea_ci_high`` and ``rmsea_pclose``
        (P of RMSEA <= 0.05), ``gfi``, ``agfi``, ``cfi``, ``tli`` = ``nnfi``,
        ``nfi``, ``ifi``, ``srmr`` (Bentler's), ``aic``, ``bic``, ``loglik``,
        ``baseline_chi2``, ``baseline_df``. With df = 0 (a saturated model)
        RMSEA is 0, CFI and TLI are 1 (as lavaan reports) and chi2_df and
        AGFI are NaN (they divide by df).
    implied_cov, sample_cov : DataFrame
        Sigma at the estimates and S (divisor N).
    converged : bool
    iterations : int
    n_obs : int
        Respondents used.
    n_omitted : int
        Respondents dropped for missing answers (missing="listwise").
    """

    loadings: pd.DataFrame
    std_loadings: pd.DataFrame
    factor_cov: pd.DataFrame
    residual_var: pd.Series
    paths: pd.DataFrame
    r_squared: pd.Series
    estimates: pd.DataFrame
    fit_indices: pd.Series
    implied_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    converged: bool
    iterations: int
    n_obs: int
    n_omitted: int
    endogenous: tuple = field(default=())

    def fit_table(self) -> pd.DataFrame:
        """Paper A's Table 7: one row per criterion with its threshold, the
        value and the verdict ("good fit" or "poor fit").

        The R^2 rows are those of the endogenous factors of `structural`
        (one row each); without a structural part the single R^2 row says
        "n/a" (a measurement model explains no factor).
        """
        rows = []
        for name, key, threshold, sense in TABLE7:
            value = float(self.fit_indices[key])
            rows.append((name, f"{sense} {threshold:g}", value, _verdict(value, threshold, sense)))
        if self.endogenous:
            for f in self.endogenous:
                value = float(self.r_squared[f])
                rows.append(
                    (f"R² ({f})", f"> {R2_THRESHOLD:g}", value, _verdict(value, R2_THRESHOLD, ">"))
                )
        else:
            rows.append(("R²", f"> {R2_THRESHOLD:g}", np.nan, "n/a (no structural part)"))
        return pd.DataFrame(rows, columns=["criterion", "threshold", "value", "verdict"])

    def to_frame(self) -> pd.DataFrame:
        """The parameter table (`estimates`)."""
        return self.estimates.copy()

    def __repr__(self) -> str:
        fi = self.fit_indices
        return (
            f"CfaResult(n_obs={self.n_obs}, factors={list(self.loadings.columns)}, "
            f"chi2={fi['chi2']:.3f}, df={fi['df']:.0f}, cfi={fi['cfi']:.3f}, "
            f"rmsea={fi['rmsea']:.3f}, srmr={fi['srmr']:.3f}, converged={self.converged})"
        )


def _verdict(value, threshold, sense) -> str:
    if not np.isfinite(value):
        return "n/a"
    good = value < threshold if sense == "<" else value > threshold
    return "good fit" if good else "poor fit"


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Spec:
    """Which entries of Lambda, B, Psi and Theta are free, in parameter order."""

    items: list
    factors: list
    lam_fixed: np.ndarray  # (p, m) bool: the markers (value 1)
    # (kind, i, j): "L" Lambda[i, j], "B" B[i, j], "P" Psi[i, j] (i >= j), "T" Theta[i, i]
    params: list
    endogenous: list
    blocks: dict  # factor -> its indicators, as the model lists them


def _check_model(model, columns) -> tuple[list, list, dict]:
    if not isinstance(model, dict) or not model:
        raise TypeError(
            "model must be a non-empty dict mapping each factor to its list of indicators, "
            f"e.g. {{'visual': ['x1', 'x2', 'x3']}}; got {model!r}"
        )
    colset = set(columns)
    factors, items, blocks = [], [], {}
    for factor, indicators in model.items():
        if not isinstance(factor, str) or not factor:
            raise TypeError(f"model: factor names must be non-empty strings, got {factor!r}")
        if isinstance(indicators, str) or not isinstance(indicators, (list, tuple)):
            raise TypeError(
                f"model[{factor!r}] must be a list of indicator names, got {indicators!r}"
            )
        indicators = list(indicators)
        if not indicators:
            raise ValueError(f"factor {factor!r} has no indicators; give it at least 2")
        if len(indicators) == 1:
            raise ValueError(
                f"factor {factor!r} has one indicator ({indicators[0]!r}): it is not identified "
                "(its variance and the item's residual variance cannot be told apart); give "
                "it at least 2 indicators (3 for a factor that correlates with no other)"
            )
        seen = set()
        for item in indicators:
            if item in seen:
                raise ValueError(f"factor {factor!r} lists indicator {item!r} twice")
            seen.add(item)
            if item not in colset:
                raise ValueError(
                    f"factor {factor!r} names indicator {item!r}, which is not a column of "
                    f"data; the columns are {_first(columns, fmt=repr)}"
                )
            if item not in items:
                items.append(item)
        factors.append(factor)
        blocks[factor] = indicators
    twice = [it for it in items if columns.count(it) > 1]
    if twice:
        raise ValueError(
            f"data has several columns named {twice[0]!r}; give its columns distinct names"
        )
    clash = [f for f in factors if f in set(items)]
    if clash:
        raise ValueError(
            f"factor {clash[0]!r} has the name of an indicator; give factors names of their own"
        )
    return factors, items, blocks


def _check_structural(structural, factors) -> list:
    if structural is None:
        return []
    if isinstance(structural, (str, bytes)) or not hasattr(structural, "__iter__"):
        raise TypeError(
            "structural must be a list of (from, to) pairs of factors, e.g. "
            f"[('visual', 'speed')]; got {structural!r}"
        )
    pairs = []
    for pair in structural:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"structural: each path must be a (from, to) pair, got {pair!r}")
        src, dst = pair
        for end in (src, dst):
            if end not in factors:
                raise ValueError(
                    f"structural path {src!r} -> {dst!r} names {end!r}, which is not a factor "
                    f"of model; the factors are {factors}"
                )
        if src == dst:
            raise ValueError(f"structural path {src!r} -> {dst!r} regresses a factor on itself")
        if (src, dst) in pairs:
            raise ValueError(f"structural path {src!r} -> {dst!r} is listed twice")
        pairs.append((src, dst))
    # a cycle: repeatedly remove factors without incoming paths
    left, edges = set(factors), set(pairs)
    while True:
        sources = [f for f in left if not any(d == f for _, d in edges)]
        if not sources:
            break
        left -= set(sources)
        edges = {(s, d) for s, d in edges if s in left}
    if left:
        cyc = sorted(left, key=factors.index)
        raise ValueError(
            f"structural has a cycle among factors {cyc}; only recursive models (no feedback "
            "loops) are supported"
        )
    return pairs


def _build_spec(factors, items, blocks, pairs) -> _Spec:
    p, m = len(items), len(factors)
    lam_fixed = np.zeros((p, m), dtype=bool)
    params = []
    for j, f in enumerate(factors):
        for k, item in enumerate(blocks[f]):
            i = items.index(item)
            if k == 0:
                lam_fixed[i, j] = True
            else:
                params.append(("L", i, j))
    for src, dst in pairs:
        params.append(("B", factors.index(dst), factors.index(src)))
    endogenous = [f for f in factors if any(d == f for _, d in pairs)]
    exo = [j for j, f in enumerate(factors) if f not in endogenous]
    for a, ja in enumerate(exo):  # covariances of the exogenous factors
        for jb in exo[a + 1 :]:
            params.append(("P", jb, ja))
    for i in range(p):
        params.append(("T", i, i))
    for j in range(m):
        params.append(("P", j, j))
    return _Spec(items, factors, lam_fixed, params, endogenous, blocks)


def _unpack(theta, spec):
    p, m = spec.lam_fixed.shape
    lam = spec.lam_fixed.astype(float)
    b = np.zeros((m, m))
    psi = np.zeros((m, m))
    th = np.zeros(p)
    for v, (kind, i, j) in zip(theta, spec.params, strict=True):
        if kind == "L":
            lam[i, j] = v
        elif kind == "B":
            b[i, j] = v
        elif kind == "P":
            psi[i, j] = psi[j, i] = v
        else:
            th[i] = v
    return lam, b, psi, th


def _implied(theta, spec):
    lam, b, psi, th = _unpack(theta, spec)
    a = np.linalg.inv(np.eye(b.shape[0]) - b)
    phi = a @ psi @ a.T
    sigma = lam @ phi @ lam.T + np.diag(th)
    return sigma, (lam, a, psi, phi)


def _jacobian(theta, spec):
    """dSigma / dtheta_k = u_k v_k' + v_k u_k' for every free parameter k:
    Sigma and the (q, p) arrays u, v."""
    sigma, (lam, a, psi, phi) = _implied(theta, spec)
    p = lam.shape[0]
    la = lam @ a
    q = len(spec.params)
    u, v = np.zeros((q, p)), np.zeros((q, p))
    for k, (kind, i, j) in enumerate(spec.params):
        if kind == "L":  # E_ij Phi Lambda' + its transpose
            u[k, i] = 1.0
            v[k] = phi[j, :] @ lam.T
        elif kind == "B":  # dA = A E_ij A, dPhi = dA Psi A' + A Psi dA'
            u[k] = la[:, i]
            v[k] = a[j, :] @ psi @ la.T
        elif kind == "P":  # Lambda A (E_ij + E_ji) A' Lambda' (once on the diagonal)
            u[k] = la[:, i]
            v[k] = la[:, j] if i != j else 0.5 * la[:, j]
        else:  # E_ii
            u[k, i] = 1.0
            v[k, i] = 0.5
    return sigma, (u, v)


def _discrepancy(theta, spec, s, logdet_s):
    """F at theta; inf where Sigma is not positive definite."""
    sigma, _ = _implied(theta, spec)
    try:
        c = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return np.inf
    logdet = 2.0 * np.sum(np.log(np.diag(c)))
    ci = np.linalg.inv(c)  # tr(S Sigma^-1) = tr(C^-1 S C^-T)
    f = logdet + np.sum((ci @ s) * ci) - logdet_s - s.shape[0]
    return f if np.isfinite(f) else np.inf


def _start(spec, s):
    """Start values: loadings from covariance ratios with the marker (1 when a
    factor has no third indicator), residual variances half the item variances
    (lavaan's "simple"), factor variances from the marker's covariances,
    covariances and paths 0."""
    p, m = spec.lam_fixed.shape
    marker = spec.lam_fixed.argmax(axis=0)
    members = [np.flatnonzero(spec.lam_fixed[:, j] | _free_lam(spec)[:, j]) for j in range(m)]
    theta = []
    for kind, i, j in spec.params:
        if kind == "L":
            others = [k for k in members[j] if k not in (i, marker[j])]
            den = sum(s[marker[j], k] for k in others)
            num = sum(s[i, k] for k in others)
            theta.append(num / den if others and abs(den) > 1e-8 * s[i, i] else 1.0)
        elif kind == "T":
            theta.append(0.5 * s[i, i])
        elif kind == "P" and i == j:
            mk = marker[j]
            others = [k for k in members[j] if k != mk]
            cov = np.mean([abs(s[mk, k]) for k in others]) if others else 0.0
            theta.append(min(max(cov, 0.05 * s[mk, mk]), 0.5 * s[mk, mk]))
        else:
            theta.append(0.0)
    return np.array(theta, dtype=float)


def _free_lam(spec):
    free = np.zeros_like(spec.lam_fixed)
    for kind, i, j in spec.params:
        if kind == "L":
            free[i, j] = True
    return free


def _information(sigma, jac):
    """Sigma^-1 and the expected Hessian of F, H_ab = tr(Sigma^-1 dSigma_a
    Sigma^-1 dSigma_b) (the Fisher information of one respondent is half of
    it). With dSigma_k = u_k v_k' + v_k u_k' this is
    2 (P_uv o P_uv' + P_uu o P_vv), P_xy = x Sigma^-1 y': q x q products,
    never the (q, p, p) derivatives themselves."""
    u, v = jac
    si = np.linalg.inv(sigma)
    su, sv = u @ si, v @ si
    puv = su @ v.T
    return si, 2.0 * (puv * puv.T + (su @ u.T) * (sv @ v.T))


def _gradient(jac, w):
    """dF/dtheta_k = tr(W dSigma_k) = 2 u_k' W v_k, W = Sigma^-1 (Sigma - S) Sigma^-1."""
    u, v = jac
    return 2.0 * np.sum((u @ w) * v, axis=1)


def _solve_scaled(h, g):
    """h^-1 g, solved on h scaled to a unit diagonal: items on very different
    scales give parameters (and an h) spanning many orders of magnitude."""
    d = np.sqrt(np.abs(np.diag(h)))
    d[d == 0] = 1.0
    hs = h / np.outer(d, d)
    try:
        return np.linalg.solve(hs, g / d) / d
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(hs, g / d, rcond=None)[0] / d


def _fisher_scoring(spec, s, max_iter, tol):
    """Minimise F from the start values by Fisher scoring, halving a step
    until F does not rise. Returns (theta, F, converged, iterations)."""
    logdet_s = np.linalg.slogdet(s)[1]
    theta = _start(spec, s)  # Sigma = Lambda Phi Lambda' + Theta > 0: F is finite
    f = _discrepancy(theta, spec, s, logdet_s)
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        sigma, jac = _jacobian(theta, spec)
        si, h = _information(sigma, jac)
        g = _gradient(jac, si - si @ s @ si)
        step = _solve_scaled(h, g)
        decrement = float(g @ step)
        t = 1.0
        f_new = _discrepancy(theta - step, spec, s, logdet_s)
        while f_new > f and t > 1e-10:
            t *= 0.5
            f_new = _discrepancy(theta - t * step, spec, s, logdet_s)
        if f_new > f:  # no step lowers F: a minimum up to rounding, or stuck
            return theta, f, abs(decrement) < 1e-8, iterations
        theta, f = theta - t * step, f_new
        if abs(decrement) < tol:
            return theta, f, True, iterations
    return theta, f, False, iterations


# ---------------------------------------------------------------- the data


def _require_frame(data):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            "data must be a pandas DataFrame whose columns the model names (one row per "
            f"respondent), got {type(data).__name__}"
        )


def _read_items(data, items, missing):
    mat = read_numeric(data[items], "data", layout=ITEMS, min_rows=0, allow_float32=False)
    x = mat.values
    finite = np.isfinite(x)
    if np.isinf(x).any():
        rows = mat.index[np.flatnonzero(np.isinf(x).any(axis=1))]
        raise ValueError(f"data has infinite values in rows {_first(rows)}; fix or drop them")
    empty = [it for it, c in zip(items, finite.any(axis=0), strict=True) if not c]
    if empty and x.shape[0]:
        raise ValueError(f"items {_first(empty, fmt=repr)} have no answers (all missing)")
    n_omitted = 0
    if not finite.all():
        bad = ~finite.all(axis=1)
        if missing == "raise":
            raise ValueError(
                f"data has missing answers in {int(bad.sum())} rows {_first(mat.index[bad])} "
                "(items "
                + _first(
                    [it for it, c in zip(items, (~finite).any(axis=0), strict=True) if c], fmt=repr
                )
                + "); drop them or pass missing='listwise'"
            )
        n_omitted = int(bad.sum())
        x = x[~bad]
    return x, n_omitted


def _check_data(x, items, n_params):
    """S (divisor N, as lavaan), the correlations S / (d d') and the sds d,
    computed on each item centred and divided by its largest deviation, so
    that answers near 1e-300 or 1e300 lose nothing before the last step;
    ValueError for too few rows, constant items, variances float64 cannot
    hold, or linearly dependent items (all named)."""
    n, p = x.shape
    if n <= n_params:
        raise ValueError(
            f"data has {n} respondents (complete rows), not more than the model's {n_params} "
            "free parameters; collect more answers or simplify the model"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        xc = x - x.mean(axis=0)
    spread = np.abs(xc).max(axis=0)
    if not np.isfinite(spread).all():
        big = [it for it, c in zip(items, spread, strict=True) if not np.isfinite(c)]
        raise ValueError(
            f"items {_first(big, fmt=repr)} have values too large for float64 sums "
            "(near 1e308); rescale them, e.g. divide by a power of 10"
        )
    const = [
        it
        for it, c, top in zip(items, spread, np.abs(x).max(axis=0), strict=True)
        if not c > 1e-12 * top
    ]
    if const:
        raise ValueError(
            f"items {_first(const, fmt=repr)} are constant (no variance): a factor model "
            "cannot use them; drop them from the model"
        )
    xs = xc / spread
    cs = xs.T @ xs / n
    root = np.sqrt(np.diag(cs))
    r = cs / np.outer(root, root)
    d = spread * root
    with np.errstate(over="ignore", under="ignore"):
        s = cs * np.outer(spread, spread)
    bad = [it for it, v in zip(items, np.diag(s), strict=True) if not (0 < v < np.inf)]
    if bad:
        raise ValueError(
            f"the variances of items {_first(bad, fmt=repr)} are beyond float64's range "
            "(below 1e-308 or above 1e308); rescale them, e.g. by a power of 10"
        )
    vals, vecs = np.linalg.eigh(r)
    if vals[0] <= 1e-10 * vals[-1]:
        v = vecs[:, 0]
        involved = [it for it, c in zip(items, v, strict=True) if abs(c) > 0.1]
        raise ValueError(
            f"the covariance matrix of the items is singular: items {_first(involved, fmt=repr)} "
            "are linearly dependent (one is a combination of the others); drop one of them"
        )
    return s, r, d


# ---------------------------------------------------------------- fit indices


def _fit_indices(f, s, sigma, n, df, n_params, log_scale=0.0):
    """The fit indices from F, S and Sigma; all are scale-free except the
    log-likelihood, which gets -N log_scale back when S and Sigma are those of
    the items divided by their sds d (log_scale = sum log d)."""
    p = s.shape[0]
    chi2 = n * f
    logdet_s = np.linalg.slogdet(s)[1]
    base_chi2 = n * (np.sum(np.log(np.diag(s))) - logdet_s)
    base_df = p * (p - 1) / 2
    pval = chi2_sf(chi2, df) if df > 0 else np.nan
    if df > 0:
        rmsea = math.sqrt(max(chi2 - df, 0.0) / (df * n))
        lo = math.sqrt(ncx2_ncp(chi2, df, 0.95) / (n * df))
        hi = math.sqrt(ncx2_ncp(chi2, df, 0.05) / (n * df))
        pclose = 1.0 - ncx2_cdf(chi2, df, 0.05**2 * n * df)
        tli = (base_chi2 / base_df - chi2 / df) / (base_chi2 / base_df - 1.0)
        chi2_df = chi2 / df
    else:
        rmsea, lo, hi, pclose, tli, chi2_df = 0.0, 0.0, 0.0, np.nan, 1.0, np.nan
    den = max(base_chi2 - base_df, chi2 - df, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / den if den > 0 else 1.0
    nfi = (base_chi2 - chi2) / base_chi2
    ifi = (base_chi2 - chi2) / (base_chi2 - df)
    m = np.linalg.solve(sigma, s)
    gfi = 1.0 - np.trace((m - np.eye(p)) @ (m - np.eye(p))) / np.trace(m @ m)
    agfi = 1.0 - p * (p + 1) / (2.0 * df) * (1.0 - gfi) if df > 0 else np.nan
    d = np.sqrt(np.diag(s))
    resid = (s - sigma) / np.outer(d, d)
    srmr = math.sqrt(np.mean(resid[np.tril_indices(p)] ** 2))
    logdet = np.linalg.slogdet(sigma)[1] + 2.0 * log_scale
    loglik = -0.5 * n * (p * math.log(2 * math.pi) + logdet + np.trace(m))
    values = {
        "chi2": chi2,
        "df": float(df),
        "p_value": pval,
        "chi2_df": chi2_df,
        "rmsea": rmsea,
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "rmsea_pclose": pclose,
        "gfi": gfi,
        "agfi": agfi,
        "cfi": cfi,
        "tli": tli,
        "nnfi": tli,
        "nfi": nfi,
        "ifi": ifi,
        "srmr": srmr,
        "aic": -2.0 * loglik + 2.0 * n_params,
        "bic": -2.0 * loglik + n_params * math.log(n),
        "loglik": loglik,
        "baseline_chi2": base_chi2,
        "baseline_df": float(base_df),
    }
    return pd.Series({k: float(values[k]) for k in FIT_INDICES}, name="fit_indices")


# ---------------------------------------------------------------- the function


def cfa(
    data,
    model,
    *,
    structural=None,
    estimator="ml",
    missing="listwise",
    max_iter=500,
    tol=1e-12,
) -> CfaResult:
    """Confirmatory factor analysis (and latent regressions) by maximum likelihood.

    Parameters
    ----------
    data : DataFrame, shape (n_respondents, n_columns)
        Numeric answers; the columns the model names are used, others ignored.
    model : dict
        Factor -> list of its indicators (column names), e.g. lavaan's example
        ``{"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
        "speed": ["x7", "x8", "x9"]}``. The first indicator of each factor is
        its marker (loading fixed at 1). An item may load on several factors.
    structural : list of (from, to) pairs, optional
        Regressions among the factors (``("visual", "speed")``: speed is
        regressed on visual). Recursive models only. The disturbances of the
        endogenous factors are uncorrelated; the exogenous factors covary
        freely (lavaan's ``sem`` defaults). Changes the implied factor
        covariances to Phi = (I - B)^-1 Psi (I - B)^-T.
    estimator : {"ml"}
        Maximum likelihood (the only one).
    missing : {"listwise", "raise"}, default "listwise"
        "listwise" drops respondents with a missing answer on a model item
        (counted in ``n_omitted``, as lavaan's default); "raise" refuses them.
    max_iter : int, default 500
        Fisher-scoring iterations.
    tol : float, default 1e-12
        Convergence when the Newton decrement g' H^-1 g of F is below tol
        (F is scale-free, so tol is too).

    Returns
    -------
    CfaResult
        Loadings, variances, fit indices (``fit_indices``), Paper A's Table 7
        (``fit_table()``), the parameter table with standard errors
        (``estimates``).

    Warns
    -----
    ConvergenceWarning
        When the optimiser stops at max_iter (the count is named).
    HeywoodWarning
        For a negative residual variance (the item is named), a negative factor
        variance, factor covariances that are not positive definite, or a
        singular information matrix (standard errors NaN).

    Raises
    ------
    TypeError
        data not a DataFrame, a non-numeric item column (named), a model that
        is not a dict of lists.
    ValueError
        An unknown indicator or factor (named), a factor with fewer than 2
        indicators, an indicator listed twice, a structural path to an unknown
        factor or a cycle, a constant item, linearly dependent items (a
        singular covariance matrix, the items named), no more respondents than
        free parameters, more free parameters than covariances (not
        identified), missing answers under missing="raise", a bad option.

    Examples
    --------
    Two factors of three items each, simulated:

    >>> import numpy as np, pandas as pd
    >>> from segment import cfa
    >>> rng = np.random.default_rng(0)
    >>> f = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=500)
    >>> x = np.repeat(f, 3, axis=1) * [1, 0.8, 0.7, 1, 0.9, 0.6] + rng.normal(size=(500, 6))
    >>> data = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> res = cfa(data, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    >>> res.converged, int(res.fit_indices["df"])
    (True, 8)
    >>> list(res.fit_table()["criterion"])
    ['chi2/df', 'RMSEA', 'GFI', 'AGFI', 'CFI', 'IFI', 'NFI', 'NNFI', 'R²']
    """
    if not (isinstance(estimator, str) and estimator.lower() == "ml"):
        raise ValueError(f"estimator must be 'ml' (maximum likelihood), got {estimator!r}")
    if missing not in ("listwise", "raise"):
        raise ValueError(f"missing must be 'listwise' or 'raise', got {missing!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not (isinstance(tol, numbers.Real) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    _require_frame(data)
    factors, items, blocks = _check_model(model, list(data.columns))
    pairs = _check_structural(structural, factors)
    spec = _build_spec(factors, items, blocks, pairs)
    p, q = len(items), len(spec.params)
    df = p * (p + 1) // 2 - q
    if df < 0:
        raise ValueError(
            f"the model is not identified: {q} free parameters but only {p * (p + 1) // 2} "
            f"variances and covariances of its {p} items (df = {df}); add indicators or "
            "fix parameters"
        )
    x, n_omitted = _read_items(data, items, missing)
    s, s_unit, d = _check_data(x, items, q)
    n = x.shape[0]

    # ML is scale-free: fit on the items scaled to unit variance (so that items
    # in grams and in tonnes do not make Sigma ill-conditioned), then rescale
    theta_unit, f, converged, iterations = _fisher_scoring(spec, s_unit, int(max_iter), tol)
    units = _units(spec, d)
    theta = theta_unit * units
    if not converged:
        why = (
            f"max_iter={max_iter} reached: raise max_iter, or check"
            if iterations == max_iter
            else "no step along the Fisher-scoring direction lowers F: check"
        )
        warnings.warn(
            f"cfa did not converge after {iterations} iterations ({why} the model: a factor "
            "with weak indicators, a Heywood case); the estimates and fit indices are those "
            "of the last iterate",
            ConvergenceWarning,
            stacklevel=2,
        )
    _, psi, phi = _implied(theta, spec)[1][1:]
    _warn_improper(_unpack(theta, spec)[3], psi, phi, items, factors)

    # standard errors from the expected information of the N respondents
    sigma_unit, jac = _jacobian(theta_unit, spec)
    cov_theta = _inverse_or_nan(0.5 * n * _information(sigma_unit, jac)[1])
    se = np.sqrt(np.where(np.diag(cov_theta) > 0, np.diag(cov_theta), np.nan)) * units
    fit = _fit_indices(f, s_unit, sigma_unit, n, df, q, np.sum(np.log(d)))
    return _result(spec, s, n, n_omitted, (theta, converged, iterations), se, fit)


def _units(spec, d):
    """Parameter k in the items' units is theta_unit[k] * units[k] when the
    model is fitted on items divided by their sd d: with e the sd of each
    factor's marker, Lambda = D Lambda_unit E^-1, B = E B_unit E^-1,
    Psi = E Psi_unit E, Theta = D Theta_unit D."""
    e = d[spec.lam_fixed.argmax(axis=0)]
    out = np.empty(len(spec.params))
    for k, (kind, i, j) in enumerate(spec.params):
        if kind == "L":
            out[k] = d[i] / e[j]
        elif kind == "B":
            out[k] = e[i] / e[j]
        elif kind == "P":
            out[k] = e[i] * e[j]
        else:
            out[k] = d[i] ** 2
    return out


def _inverse_or_nan(info):
    d = np.sqrt(np.abs(np.diag(info)))
    d[d == 0] = 1.0
    scaled = info / np.outer(d, d)  # unit diagonal: the test does not depend on units
    vals = np.linalg.eigvalsh(scaled)
    if vals[0] <= 1e-10 * vals[-1]:
        warnings.warn(
            "the information matrix is singular: the model is not identified at these "
            "estimates (empirical underidentification, e.g. a two-indicator factor that "
            "correlates with no other); standard errors are NaN",
            HeywoodWarning,
            stacklevel=3,
        )
        return np.full_like(info, np.nan)
    return np.linalg.inv(scaled) / np.outer(d, d)


def _warn_improper(th, psi, phi, items, factors):
    neg = [it for it, v in zip(items, th, strict=True) if v < 0]
    if neg:
        warnings.warn(
            f"Heywood case: negative residual variance of items {_first(neg, fmt=repr)} "
            f"({', '.join(f'{v:.4g}' for v in th[th < 0])}); the solution is improper: "
            "check those items (too few indicators, a misspecified factor)",
            HeywoodWarning,
            stacklevel=3,
        )
    negf = [f for f, v in zip(factors, np.diag(psi), strict=True) if v < 0]
    if negf:
        warnings.warn(
            f"Heywood case: negative (residual) variance of factors {_first(negf, fmt=repr)}; "
            "the solution is improper",
            HeywoodWarning,
            stacklevel=3,
        )
    elif np.linalg.eigvalsh(phi)[0] < 0:
        warnings.warn(
            "the factor covariance matrix is not positive definite (a correlation beyond "
            "+-1); the solution is improper",
            HeywoodWarning,
            stacklevel=3,
        )


def _result(spec, s, n, n_omitted, fit, se, fit_indices) -> CfaResult:
    theta, converged, iterations = fit
    sigma, (lam, _, psi, phi) = _implied(theta, spec)
    th = _unpack(theta, spec)[3]
    items, factors = spec.items, spec.factors
    sd_item = np.sqrt(np.diag(sigma))
    sd_fac = np.sqrt(np.where(np.diag(phi) > 0, np.diag(phi), np.nan))
    std_lam = lam * sd_fac[None, :] / sd_item[:, None]
    z = theta / se
    pv = np.array([2.0 * NormalDist().cdf(-abs(v)) if np.isfinite(v) else np.nan for v in z])
    rows = []
    where = {prm: k for k, prm in enumerate(spec.params)}
    for j, fac in enumerate(factors):  # loadings in the model's order, markers included
        for item in spec.blocks[fac]:
            i = items.index(item)
            k = where.get(("L", i, j))
            if k is None:
                rows.append((fac, "=~", item, 1.0, np.nan, np.nan, np.nan, std_lam[i, j], False))
            else:
                rows.append((fac, "=~", item, theta[k], se[k], z[k], pv[k], std_lam[i, j], True))
    for k, (kind, i, j) in enumerate(spec.params):
        est = theta[k]
        if kind == "L":
            continue
        if kind == "B":
            lhs, op, rhs, std = factors[i], "~", factors[j], est * sd_fac[j] / sd_fac[i]
        elif kind == "P":
            lhs, op, rhs, std = factors[j], "~~", factors[i], est / (sd_fac[i] * sd_fac[j])
        else:
            lhs, op, rhs, std = items[i], "~~", items[i], est / sigma[i, i]
        rows.append((lhs, op, rhs, est, se[k], z[k], pv[k], std, True))
    est = pd.DataFrame(
        rows, columns=["lhs", "op", "rhs", "estimate", "se", "z", "p_value", "std_all", "free"]
    )
    order = {"=~": 0, "~": 1, "~~": 2}
    est["_o"] = est["op"].map(order)
    est["_v"] = (est["op"] == "~~") & (est["lhs"] == est["rhs"])
    est = est.sort_values(["_o", "_v"], kind="stable").drop(columns=["_o", "_v"])
    est = est.reset_index(drop=True)

    paths = est[est["op"] == "~"].rename(columns={"lhs": "to", "rhs": "from"})
    paths = paths[["from", "to", "estimate", "se", "z", "p_value", "std_all"]].reset_index(
        drop=True
    )
    r2_items = 1.0 - th / np.diag(sigma)
    r2_fac = [
        1.0 - psi[factors.index(fe), factors.index(fe)] / phi[factors.index(fe), factors.index(fe)]
        for fe in spec.endogenous
    ]
    r2 = pd.Series(
        np.concatenate([r2_items, r2_fac]), index=items + spec.endogenous, name="r_squared"
    )
    ix, fx = pd.Index(items, name="item"), pd.Index(factors, name="factor")
    return CfaResult(
        loadings=pd.DataFrame(lam, index=ix, columns=fx),
        std_loadings=pd.DataFrame(std_lam, index=ix, columns=fx),
        factor_cov=pd.DataFrame(phi, index=fx, columns=fx),
        residual_var=pd.Series(th, index=ix, name="residual_var"),
        paths=paths,
        r_squared=r2,
        estimates=est,
        fit_indices=fit_indices,
        implied_cov=pd.DataFrame(sigma, index=ix, columns=ix),
        sample_cov=pd.DataFrame(s, index=ix, columns=ix),
        converged=bool(converged),
        iterations=int(iterations),
        n_obs=int(n),
        n_omitted=int(n_omitted),
        endogenous=tuple(spec.endogenous),
    )
