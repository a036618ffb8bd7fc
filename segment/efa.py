"""Exploratory factor analysis of questionnaire items (Paper A, Table 6).

* `efa` extracts factors from the items' correlation matrix (minres, principal
  components or maximum likelihood), rotates them (varimax, promax, oblimin)
  and chooses the number of factors by parallel analysis when not told;
* `kmo` and `bartlett_sphericity` say whether the items are fit for it.

Conventions follow factor_analyzer (and R's psych::fa, which it mirrors): the
same objectives, bounds on the uniquenesses (0.005 to 1), rotations with the
same normalisations, factors sorted by their sum of squared loadings and signed
so that each column of loadings sums to a positive number. Everything runs in
NumPy; SciPy is not needed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from segment._estimator import ConvergenceWarning
from segment._stats import chi2_sf
from segment._validation import ITEMS, _first, check_int, check_random_state, read_numeric

__all__ = ["Bartlett", "EfaResult", "HeywoodWarning", "bartlett_sphericity", "efa", "kmo"]

METHODS = ("minres", "principal", "ml")
ROTATIONS = ("varimax", "promax", "oblimin", None)
MISSING = ("listwise", "pairwise", "median")
PSI_BOUNDS = (0.005, 1.0)  # factor_analyzer's and psych's bounds on the uniquenesses


class HeywoodWarning(UserWarning):
    """A communality at (or beyond) 1: the item's uniqueness hit its lower bound."""


class Bartlett(NamedTuple):
    """Bartlett's test of sphericity: chi2 = -(n - 1 - (2p + 5)/6) ln|R|, df = p(p - 1)/2."""

    chi2: float
    df: int
    p_value: float


# ---------------------------------------------------------------- reading the items


@dataclass(frozen=True)
class _Items:
    corr: np.ndarray  # (p, p) correlation matrix
    data: np.ndarray  # (n, p) rows used (NaN kept under "pairwise")
    names: list
    n_obs: int
    n_incomplete: int  # rows with at least one missing answer


def _read_items(items, missing: str, name: str = "items") -> _Items:
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {MISSING}, got {missing!r}")
    m = read_numeric(items, name, layout=ITEMS, min_rows=0, min_cols=0, allow_float32=False)
    x = m.values
    names = list(m.columns) if m.is_frame else [f"item{j + 1}" for j in range(x.shape[1])]
    labels = m.index if m.is_frame else pd.RangeIndex(x.shape[0])
    n_rows, p = x.shape
    if p < 2:
        raise ValueError(f"{name} has {p} item(s) (columns); factor analysis needs at least 2")
    if np.isinf(x).any():
        raise ValueError(f"{name} has infinite values in rows {_first(labels[np.isinf(x).any(1)])}")
    nan = np.isnan(x)
    incomplete = int(nan.any(axis=1).sum())
    x = x[~nan.all(axis=1)]
    if missing == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    elif missing == "median" and incomplete:
        x = np.where(np.isnan(x), np.nanmedian(x, axis=0), x)
    n = x.shape[0]
    if n <= p:
        raise ValueError(
            f"{name} has {n} respondents"
            + (" with complete answers" if missing == "listwise" and incomplete else "")
            + f" for {p} items; factor analysis needs more respondents than items"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(x, axis=0)
    empty = np.flatnonzero(np.isnan(x).all(axis=0))
    if empty.size:
        raise ValueError(
            f"{name} has unanswered items {_first([names[j] for j in empty])} (no answers at "
            "all); drop them"
        )
    const = np.flatnonzero(~(sd > 0))
    if const.size:
        raise ValueError(
            f"{name} has constant items {_first([names[j] for j in const])} (no variance): "
            "their correlations are undefined; drop them"
        )
    if np.isnan(x).any():
        corr = pd.DataFrame(x).corr(min_periods=2).to_numpy()
        if np.isnan(corr).any():
            i, j = np.argwhere(np.isnan(corr))[0]
            raise ValueError(
                f"items {names[i]!r} and {names[j]!r} have too few respondents in common for a "
                "correlation; drop one of them or use missing='median'"
            )
    else:
        corr = np.corrcoef(x, rowvar=False)
    corr = (corr + corr.T) / 2
    np.fill_diagonal(corr, 1.0)
    values, vectors = np.linalg.eigh(corr)
    if values[0] < 0 and np.isnan(x).any():
        raise ValueError(
            f"{name}'s pairwise correlation matrix is not positive definite (smallest "
            f"eigenvalue {values[0]:.3g}): too few respondents in common between some items; "
            "use missing='listwise' or 'median'"
        )
    if values[0] < 1e-10 * p:
        v = np.abs(vectors[:, 0])
        involved = [names[j] for j in np.flatnonzero(v > 0.1 * v.max())]
        raise ValueError(
            f"{name} has a singular correlation matrix (smallest eigenvalue {values[0]:.3g}): "
            f"items {_first(involved)} are linearly dependent (one is a combination of the "
            "others); drop one of them"
        )
    return _Items(corr, x, names, n, incomplete)


# ---------------------------------------------------------------- adequacy


def _kmo(corr: np.ndarray) -> tuple[float, np.ndarray]:
    inv = np.linalg.inv(corr)
    d = 1.0 / np.sqrt(np.diag(inv))
    partial = -inv * np.outer(d, d)
    r2, q2 = corr**2, partial**2
    np.fill_diagonal(r2, 0.0)
    np.fill_diagonal(q2, 0.0)
    items = r2.sum(0) / (r2.sum(0) + q2.sum(0))
    return float(r2.sum() / (r2.sum() + q2.sum())), items


def _bartlett(corr: np.ndarray, n: int) -> Bartlett:
    p = corr.shape[0]
    _, logdet = np.linalg.slogdet(corr)
    chi2 = -(n - 1 - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) // 2
    return Bartlett(float(chi2), df, float(chi2_sf(chi2, df)))


def kmo(items, *, missing="listwise"):
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    KMO = sum r_ij^2 / (sum r_ij^2 + sum q_ij^2) over i != j, with q the partial
    correlations (anti-image) from the inverse correlation matrix; per item the
    sums run over its row. Above 0.8 is "meritorious", below 0.5 unacceptable
    (Kaiser 1974).

    Parameters
    ----------
    items : DataFrame or array, shape (n_respondents, n_items)
    missing : {"listwise", "pairwise", "median"}, default "listwise"
        As in `efa`.

    Returns
    -------
    (float, Series)
        The overall KMO and the per-item values, indexed by item.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 1))
    >>> x = f + rng.normal(size=(500, 4))
    >>> overall, per_item = kmo(x)
    >>> 0.6 < overall < 0.9, list(per_item.index)
    (True, ['item1', 'item2', 'item3', 'item4'])
    """
    it = _read_items(items, missing)
    overall, per_item = _kmo(it.corr)
    return overall, pd.Series(per_item, index=it.names, name="kmo")


def bartlett_sphericity(items, *, missing="listwise") -> Bartlett:
    """Bartlett's test that the items' correlation matrix is the identity.

    chi2 = -(n - 1 - (2p + 5) / 6) ln|R| on p(p - 1)/2 degrees of freedom, n the
    respondents used. A small p-value says the items do correlate (factor
    analysis makes sense).

    Parameters
    ----------
    items : DataFrame or array, shape (n_respondents, n_items)
    missing : {"listwise", "pairwise", "median"}, default "listwise"
        As in `efa` (n counts the rows used; under "pairwise" the rows with
        at least one answer).

    Returns
    -------
    Bartlett
        Named tuple (chi2, df, p_value).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(300, 3)) + rng.normal(size=(300, 1))
    >>> res = bartlett_sphericity(x)
    >>> res.df, res.p_value < 1e-10
    (3, True)
    """
    it = _read_items(items, missing)
    return _bartlett(it.corr, it.n_obs)


# ---------------------------------------------------------------- extraction


def _uls_loadings(psi, corr, k):
    reduced = corr.copy()
    np.fill_diagonal(reduced, 1.0 - psi)
    values, vectors = np.linalg.eigh(reduced)
    values, vectors = values[::-1], vectors[:, ::-1]
    top = np.maximum(values[:k], np.finfo(float).eps * 100)
    loadings = vectors[:, :k] * np.sqrt(top)
    rest = values[k:]
    return loadings, float(np.sum(rest**2) + np.sum((values[:k] - top) ** 2))


def _ml_loadings(psi, corr, k):
    s = 1.0 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(corr * np.outer(s, s))
    values, vectors = values[::-1], vectors[:, ::-1]
    loadings = np.sqrt(psi)[:, None] * vectors[:, :k] * np.sqrt(np.maximum(values[:k] - 1, 0))
    rest = values[k:]
    return loadings, float(-(np.sum(np.log(rest) - rest) - k + corr.shape[0]))


def _extract(corr, k, method, max_iter, tol):
    """Minimise the ULS or ML discrepancy over the uniquenesses psi in [0.005, 1].

    minres: projected gradient with Barzilai-Borwein steps, gradient
    2 diag(L L' + Psi - R) (psych's FAgr.minres). ML: projected Fisher scoring
    (Joreskog's approach) with gradient diag(Sigma^-1 (Sigma - R) Sigma^-1) and
    expected Hessian Sigma^-1 * Sigma^-1 (elementwise), over the uniquenesses not
    held at a bound. Both with an Armijo backtrack, from 1 - SMC as
    factor_analyzer and psych. Converged when the projected gradient's largest
    entry is below tol, or when no step decreases the objective in float64 and
    it is below sqrt(tol).
    """
    lo, hi = PSI_BOUNDS
    loadings_of = _uls_loadings if method == "minres" else _ml_loadings
    psi = np.clip(1.0 / np.diag(np.linalg.inv(corr)), lo, hi)  # 1 - SMC

    def grad(psi, lam):
        if method == "minres":
            return 2 * (np.sum(lam**2, axis=1) + psi - 1.0), None
        inv = np.linalg.inv(lam @ lam.T + np.diag(psi))  # Sigma^-1
        return np.einsum("ij,jk,ki->i", inv, (lam @ lam.T + np.diag(psi)) - corr, inv), inv**2

    lam, f = loadings_of(psi, corr, k)
    g, fisher = grad(psi, lam)
    step = 1.0
    for it in range(1, max_iter + 1):
        pg = np.clip(psi - g, lo, hi) - psi  # projected gradient
        if np.max(np.abs(pg)) < tol:
            return lam, psi, it - 1, True
        # ML: Fisher scoring, expected Hessian Sigma^-1 * Sigma^-1 (elementwise);
        # minres: gradient with Barzilai-Borwein steps.
        direction = g
        if fisher is not None:  # Newton on the free uniquenesses; bound ones stay put
            free = ~(((psi <= lo) & (g > 0)) | ((psi >= hi) & (g < 0)))
            direction = np.zeros_like(g)
            direction[free] = np.linalg.solve(fisher[np.ix_(free, free)], g[free])
        if fisher is not None:
            step = 1.0
        while True:
            new = np.clip(psi - step * direction, lo, hi)
            new_lam, new_f = loadings_of(new, corr, k)
            if new_f <= f + 1e-4 * g @ (new - psi) or step < 1e-12:
                break
            step /= 2
        if new_f >= f:  # no decrease left in float64 (near a bound the scale is 1/psi^2)
            return lam, psi, it, bool(np.max(np.abs(pg)) < np.sqrt(tol))
        new_g, fisher = grad(new, new_lam)
        s, y = new - psi, new_g - g
        sy = s @ y
        step = float(np.clip((s @ s) / sy, 1e-6, 1e6)) if sy > 0 else 1.0
        psi, lam, f, g = new, new_lam, new_f, new_g
    pg = np.clip(psi - g, lo, hi) - psi
    return lam, psi, max_iter, bool(np.max(np.abs(pg)) < tol)


def _principal(corr, k):
    values, vectors = np.linalg.eigh(corr)
    values, vectors = values[::-1], vectors[:, ::-1]
    return vectors[:, :k] * np.sqrt(values[:k])


# ---------------------------------------------------------------- rotation


def _varimax(a, max_iter=1000, tol=1e-12):
    """Kaiser-normalised varimax (Kaiser 1958), the SVD algorithm of R's stats::varimax."""
    p, k = a.shape
    h = np.sqrt(np.sum(a**2, axis=1))[:, None]
    x = a / h
    rot = np.eye(k)
    d = 0.0
    for _ in range(max_iter):
        b = x @ rot
        u, sv, vt = np.linalg.svd(x.T @ (b**3 - b * (np.sum(b**2, axis=0) / p)))
        rot = u @ vt
        d_old, d = d, float(np.sum(sv))
        if d_old and d < d_old * (1 + tol):
            break
    return (x @ rot) * h, rot


def _promax(a, power=4):
    """Promax (Hendrickson & White 1964) on Kaiser-normalised loadings, power 4."""
    h = np.sqrt(np.sum(a**2, axis=1))[:, None]
    x, _ = _varimax(a / h)
    target = x * np.abs(x) ** (power - 1)
    coef = np.linalg.solve(x.T @ x, x.T @ target)
    coef = coef * np.sqrt(np.diag(np.linalg.inv(coef.T @ coef)))
    inv = np.linalg.inv(coef)
    return (x @ coef) * h, inv @ inv.T


def _oblimin(a, gamma=0.0, max_iter=10000, tol=1e-6):
    """Direct oblimin by the gradient projection algorithm (Bernaards & Jennrich 2005).

    Criterion sum over pairs of factors of sum_i L_ir^2 L_is^2 (gamma = 0:
    quartimin), with the gamma-centring of Jennrich (2002) otherwise; L = A T'^-1.
    """
    p, k = a.shape
    off = 1.0 - np.eye(k)
    centre = np.eye(p) - gamma / p

    def objective(lam):
        x = centre @ (lam**2) @ off
        return float(np.sum(lam**2 * x) / 4), lam * x

    t = np.eye(k)
    lam = a.copy()
    f, gq = objective(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    alpha = 1.0
    for _ in range(max_iter):
        gp = g - t @ np.diag(np.sum(t * g, axis=0))
        s = float(np.sqrt(np.sum(gp**2)))
        if s < tol:
            break
        alpha *= 2
        for _ in range(20):
            x = t - alpha * gp
            new_t = x / np.sqrt(np.sum(x**2, axis=0))
            new_lam = a @ np.linalg.inv(new_t).T
            new_f, new_gq = objective(new_lam)
            if f - new_f > 0.5 * s**2 * alpha:
                break
            alpha /= 2
        t, lam, f = new_t, new_lam, new_f
        g = -(lam.T @ new_gq @ np.linalg.inv(t)).T
    else:
        warnings.warn(
            f"oblimin rotation did not converge in {max_iter} iterations "
            f"(projected gradient {s:.2e} > {tol:g})",
            ConvergenceWarning,
            stacklevel=3,
        )
    return lam, t.T @ t


# ---------------------------------------------------------------- parallel analysis


def _parallel(n, p, n_sim, quantile, rng):
    sims = np.empty((n_sim, p))
    for s in range(n_sim):  # loops over simulations, not rows
        z = rng.standard_normal((n, p))
        sims[s] = np.linalg.eigvalsh(np.corrcoef(z, rowvar=False))[::-1]
    return np.quantile(sims, quantile, axis=0)


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class EfaResult:
    """An exploratory factor analysis: loadings, fit of the items, how k was chosen.

    Attributes
    ----------
    loadings : DataFrame, items x factors
        Rotated loadings (pattern loadings for oblique rotations); factors
        named ``F1``, ``F2``, ... in decreasing order of SS loadings, each
        column signed to sum positive.
    communalities, uniquenesses : Series
        h2 = row sums of squared unrotated loadings; u2 = 1 - h2.
    variance : DataFrame, rows ``SS loadings``, ``proportion``, ``cumulative``
        Per factor, of the rotated (pattern) loadings.
    eigenvalues : Series
        Eigenvalues of the correlation matrix, decreasing.
    kmo : float
    kmo_items : Series
    bartlett : Bartlett
        (chi2, df, p_value).
    phi : DataFrame or None
        Factor correlations for promax and oblimin; None otherwise.
    n_factors : int
    n_factors_parallel : int
        Factors whose eigenvalue exceeds the 95th percentile of random normal
        data's (Horn's parallel analysis).
    n_factors_kaiser : int
        Eigenvalues above 1.
    n_factors_rule : str
        "given" or "parallel".
    parallel_threshold : Series
        The random-data percentiles parallel analysis compared with.
    method, rotation, missing : str
    n_obs : int
        Respondents used.
    n_incomplete : int
        Respondents with at least one missing answer (dropped under listwise).
    iterations : int
        Optimiser iterations (0 for principal).
    converged : bool
    """

    loadings: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    eigenvalues: pd.Series
    kmo: float
    kmo_items: pd.Series
    bartlett: Bartlett
    phi: pd.DataFrame | None
    n_factors: int
    n_factors_parallel: int
    n_factors_kaiser: int
    n_factors_rule: str
    parallel_threshold: pd.Series
    method: str
    rotation: str | None
    missing: str
    n_obs: int
    n_incomplete: int
    iterations: int
    converged: bool
    _table: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Paper A's Table 6: each item under the factor it loads most on.

        Rows are indexed by (factor, item), factors in order, items by
        decreasing absolute loading. Columns: ``loading`` (the item's loading
        on its factor), and per factor, repeated on its rows: ``alpha``
        (Cronbach's raw alpha of its items, those with negative loadings
        reversed; NaN for a single item), ``composite_reliability``
        ((sum l)^2 / ((sum l)^2 + sum(1 - l^2))) and ``ave`` (mean l^2), with
        l the absolute loadings.
        """
        return self._table.copy()

    def __repr__(self) -> str:
        rot = self.rotation or "none"
        var = self.variance.loc["cumulative"].iloc[-1]
        return (
            f"EfaResult(n_factors={self.n_factors} ({self.n_factors_rule}; parallel "
            f"{self.n_factors_parallel}, Kaiser {self.n_factors_kaiser}), method={self.method!r}, "
            f"rotation={rot!r}, variance explained={var:.3f}, KMO={self.kmo:.3f}, "
            f"Bartlett chi2={self.bartlett.chi2:.1f} on {self.bartlett.df} df, "
            f"p={self.bartlett.p_value:.3g}, n_obs={self.n_obs}, items={len(self.loadings)})"
        )


def _table(loadings: pd.DataFrame, data: np.ndarray) -> pd.DataFrame:
    from segment.survey import cronbach_alpha

    lam = loadings.to_numpy()
    owner = np.argmax(np.abs(lam), axis=1)
    rows = []
    for f, factor in enumerate(loadings.columns):  # loops over factors
        members = np.flatnonzero(owner == f)
        if members.size == 0:
            continue
        members = members[np.argsort(-np.abs(lam[members, f]), kind="stable")]
        l_abs = np.abs(lam[members, f])
        if members.size > 1:
            signs = np.sign(lam[members, f])
            alpha = cronbach_alpha(data[:, members] * signs, ci=None).alpha
        else:
            alpha = np.nan
        cr = l_abs.sum() ** 2 / (l_abs.sum() ** 2 + np.sum(1 - l_abs**2))
        ave = float(np.mean(l_abs**2))
        rows += [(factor, loadings.index[j], lam[j, f], alpha, cr, ave) for j in members]
    frame = pd.DataFrame(
        rows, columns=["factor", "item", "loading", "alpha", "composite_reliability", "ave"]
    )
    return frame.set_index(["factor", "item"])


def efa(
    items,
    n_factors=None,
    *,
    method="minres",
    rotation="varimax",
    missing="listwise",
    gamma=0.0,
    n_sim=100,
    random_state=0,
    max_iter=1000,
    tol=1e-8,
) -> EfaResult:
    """Exploratory factor analysis of questionnaire items.

    Parameters
    ----------
    items : DataFrame or array, shape (n_respondents, n_items)
        Numeric answers (verbal answers: `load_likert` first); column names
        are kept, array columns are named ``item1``, ``item2``, ...
    n_factors : int or None, default None
        None chooses by parallel analysis (Horn 1965): the number of leading
        eigenvalues of the items' correlation matrix above the 95th
        percentile of those of ``n_sim`` standard normal data sets of the
        same shape (at least 1). The Kaiser count (eigenvalues > 1) is
        reported beside it.
    method : {"minres", "principal", "ml"}, default "minres"
        "minres": unweighted least squares on the correlation matrix with the
        communalities iterated (psych's and factor_analyzer's minres; the
        fixed point of iterated principal axis factoring). "principal":
        principal components, loadings = eigenvectors x sqrt(eigenvalues),
        not iterated (factor_analyzer's "principal"). "ml": maximum
        likelihood, minimising log|Sigma| + tr(Sigma^-1 R) - log|R| - p over
        the uniquenesses.
    rotation : {"varimax", "promax", "oblimin", None}, default "varimax"
        Varimax with Kaiser normalisation; promax (power 4) from the
        Kaiser-normalised varimax; direct oblimin (``gamma``; 0 = quartimin)
        by gradient projection, unnormalised, as factor_analyzer. No
        rotation for one factor.
    missing : {"listwise", "pairwise", "median"}, default "listwise"
        Missing answers (NaN): "listwise" uses only complete respondents;
        "pairwise" each correlation from the respondents who answered both
        items (n for Bartlett's test = respondents with any answer);
        "median" fills an item's missing answers with its median
        (factor_analyzer's default). The count of incomplete respondents is
        reported as ``n_incomplete``.
    gamma : float, default 0.0
        Oblimin's parameter.
    n_sim : int, default 100
        Random data sets of parallel analysis.
    random_state : int, RandomState, Generator or None, default 0
        Seeds parallel analysis; the default makes it deterministic.
    max_iter : int, default 1000
        Iterations of the minres/ML optimiser.
    tol : float, default 1e-8
        Convergence when the projected gradient's largest entry is below it
        (or below sqrt(tol) once no step lowers the objective in float64,
        which happens near a Heywood bound).

    Returns
    -------
    EfaResult

    Raises
    ------
    TypeError
        Non-numeric items (the columns are named).
    ValueError
        Fewer than 2 items, no more respondents than items, infinite values,
        constant items (named), a singular correlation matrix (the dependent
        items named), more factors than the method can extract from the items
        (principal: n_items; minres and ml: the largest k with
        (p - k)^2 >= p + k, so that the model has degrees of freedom), or a
        bad option.

    Warns
    -----
    HeywoodWarning
        An item's uniqueness at its lower bound 0.005 (communality near 1),
        naming the items.
    ConvergenceWarning
        The optimiser stopped at max_iter (the count is in the message).

    Examples
    --------
    Two factors of three items each:

    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(400, 2))
    >>> x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(size=(400, 6)) * 0.6
    >>> res = efa(x)
    >>> res.n_factors, res.n_factors_kaiser
    (2, 2)
    >>> res.to_frame().index.get_level_values("factor").value_counts().tolist()
    [3, 3]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if rotation not in ROTATIONS:
        raise ValueError(f"rotation must be one of {ROTATIONS}, got {rotation!r}")
    n_sim = check_int(n_sim, "n_sim", low=1)
    max_iter = check_int(max_iter, "max_iter", low=1)
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    rng = check_random_state(random_state)
    it = _read_items(items, missing)
    corr, names, p = it.corr, it.names, len(it.names)

    eig = np.linalg.eigvalsh(corr)[::-1]
    threshold = _parallel(it.n_obs, p, n_sim, 0.95, rng)
    above = eig > threshold
    n_parallel = max(int(np.argmin(above)) if not above.all() else p, 1)
    n_kaiser = int(np.sum(eig > 1.0))
    k_max = p if method == "principal" else max(k for k in range(p) if (p - k) ** 2 >= p + k)
    if n_factors is None:
        k, rule = min(n_parallel, max(k_max, 1)), "parallel"
    else:
        k, rule = check_int(n_factors, "n_factors", low=1), "given"
    if k > k_max or k_max < 1:
        raise ValueError(
            f"n_factors={k} is more than {p} items allow for method={method!r}: at most "
            f"{k_max}"
            + (
                ""
                if method == "principal"
                else " (the largest k with (p - k)^2 >= p + k, so the model has degrees of freedom)"
            )
        )

    iterations, converged = 0, True
    if method == "principal":
        unrotated = _principal(corr, k)
    else:
        unrotated, psi, iterations, converged = _extract(corr, k, method, max_iter, tol)
        if not converged:
            warnings.warn(
                f"{method} extraction did not converge in {iterations} iterations; "
                "raise max_iter or check the items",
                ConvergenceWarning,
                stacklevel=2,
            )
        heywood = [names[j] for j in np.flatnonzero(psi <= PSI_BOUNDS[0] * (1 + 1e-6))]
        if heywood:
            warnings.warn(
                f"Heywood case: items {_first(heywood)} have uniqueness at its lower bound "
                f"{PSI_BOUNDS[0]} (communality near or above 1); too many factors, or an "
                "item nearly duplicating another",
                HeywoodWarning,
                stacklevel=2,
            )
    communal = np.sum(unrotated**2, axis=1)

    phi = None
    if k > 1 and rotation == "varimax":
        lam, _ = _varimax(unrotated)
    elif k > 1 and rotation == "promax":
        lam, phi = _promax(unrotated)
    elif k > 1 and rotation == "oblimin":
        lam, phi = _oblimin(unrotated, gamma)
    else:
        lam = unrotated.copy()
    signs = np.where(lam.sum(axis=0) < 0, -1.0, 1.0)
    lam = lam * signs
    ss = np.sum(lam**2, axis=0)
    order = np.argsort(-ss, kind="stable")
    lam, ss = lam[:, order], ss[order]
    factors = [f"F{i + 1}" for i in range(k)]
    if phi is not None:
        phi = (phi * np.outer(signs, signs))[np.ix_(order, order)]
        phi = pd.DataFrame(phi, index=factors, columns=factors)

    loadings = pd.DataFrame(lam, index=names, columns=factors)
    variance = pd.DataFrame(
        [ss, ss / p, np.cumsum(ss) / p],
        index=["SS loadings", "proportion", "cumulative"],
        columns=factors,
    )
    overall, per_item = _kmo(corr)
    return EfaResult(
        loadings=loadings,
        communalities=pd.Series(communal, index=names, name="communality"),
        uniquenesses=pd.Series(1 - communal, index=names, name="uniqueness"),
        variance=variance,
        eigenvalues=pd.Series(eig, index=pd.RangeIndex(1, p + 1), name="eigenvalue"),
        kmo=overall,
        kmo_items=pd.Series(per_item, index=names, name="kmo"),
        bartlett=_bartlett(corr, it.n_obs),
        phi=phi,
        n_factors=k,
        n_factors_parallel=n_parallel,
        n_factors_kaiser=n_kaiser,
        n_factors_rule=rule,
        parallel_threshold=pd.Series(threshold, index=pd.RangeIndex(1, p + 1), name="p95"),
        method=method,
        rotation=rotation if k > 1 else None,
        missing=missing,
        n_obs=it.n_obs,
        n_incomplete=it.n_incomplete,
        iterations=iterations,
        converged=converged,
        _table=_table(loadings, it.data),
    )
