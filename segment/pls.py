"""PLS path models (PLS-SEM) with a C kernel and a C bootstrap.

`pls_sem` estimates a partial-least-squares path model the way seminr and
SmartPLS do (Lohmoller / Wold; SPEC.md, "Survey validation"), on the item
correlation matrix, in C (csrc/seg_pls.c). `PlsResult.bootstrap` resamples
respondents in C, in parallel with the GIL released, bit-identical for any
number of threads at the same random_state.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from segment import _core
from segment._estimator import _convergence_warning
from segment._progress import progress_bar
from segment._stats import t_sf2
from segment._validation import (
    ITEMS,
    check_int,
    check_n_threads,
    check_random_state,
    read_numeric,
)

__all__ = ["PlsBootstrap", "PlsResult", "pls_sem"]

SCHEMES = {"path": 0, "factorial": 1, "centroid": 2}
MISSING = ("mean", "listwise")
_BOOT_COLUMNS = ["estimate", "boot_mean", "sd", "t", "p", "ci_low", "ci_high"]
_JACKKNIFE_CHUNK = 256  # leave-one-out row sets per C call (n - 1 row numbers each)


# ---------------------------------------------------------------------------
# the model: constructs, items, paths
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    constructs: list
    items: list  # in block order
    block: np.ndarray  # m + 1 offsets
    mode_b: np.ndarray  # m flags
    paths: list  # (from, to) construct numbers
    scheme: int
    max_iter: int
    tol: float
    missing_mean: bool = False  # the bootstrap re-imputes every resample

    def boot_kw(self, threads) -> dict:
        """The keyword arguments of _core.pls_bootstrap but the data's."""
        return dict(
            scheme=self.scheme,
            max_iter=self.max_iter,
            tol=self.tol,
            n_threads=threads,
            missing_mean=self.missing_mean,
        )

    def kernel_args(self, paths=None):
        paths = self.paths if paths is None else paths
        frm = np.array([a for a, _ in paths], dtype=np.int64)
        to = np.array([b for _, b in paths], dtype=np.int64)
        return self.block, self.mode_b, frm, to

    def predecessors(self, b, paths=None):
        return [a for a, t in (self.paths if paths is None else paths) if t == b]

    def endogenous(self):
        return [j for j in range(len(self.constructs)) if self.predecessors(j)]


def _parse_measurement(measurement) -> tuple[list, list, list]:
    """construct names, their item lists and modes, validated."""
    if not isinstance(measurement, Mapping) or not measurement:
        raise TypeError(
            "measurement must be a non-empty dict mapping each construct to a list of items "
            'or to {"items": [...], "mode": "A" | "B"}'
        )
    constructs, blocks, modes, owner = [], [], [], {}
    for name, spec in measurement.items():
        mode = "A"
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"items", "mode"}
            if unknown or "items" not in spec:
                raise ValueError(
                    f"measurement[{name!r}] must have the keys 'items' and optionally 'mode', "
                    f"got {sorted(map(str, spec))}"
                )
            mode = spec.get("mode", "A")
            spec = spec["items"]
        if mode not in ("A", "B"):
            raise ValueError(f"construct {name!r}: mode must be 'A' or 'B', got {mode!r}")
        items = [spec] if isinstance(spec, str) else list(spec)
        if not items:
            raise ValueError(f"construct {name!r} has no items; give it at least one")
        for item in items:
            if item in owner:
                where = "twice in" if owner[item] == name else f"in {owner[item]!r} and in"
                raise ValueError(
                    f"item {item!r} is listed {where} construct {name!r}; each item measures "
                    "one construct"
                )
            owner[item] = name
        constructs.append(name)
        blocks.append(items)
        modes.append(mode)
    return constructs, blocks, modes


def _parse_structural(structural, constructs) -> list:
    """(from, to) construct numbers, validated: known names, no duplicates,
    no self paths, no cycle, every construct on a path."""
    number = {c: j for j, c in enumerate(constructs)}
    try:
        pairs = [tuple(pair) for pair in structural]
    except TypeError:
        raise TypeError(
            "structural must be a list of (from, to) pairs of construct names"
        ) from None
    paths = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"structural: each path is a (from, to) pair, got {pair!r}")
        for end in pair:
            if end not in number:
                raise ValueError(
                    f"structural path {pair[0]!r} -> {pair[1]!r} names the unknown construct "
                    f"{end!r}; the constructs of measurement are {constructs}"
                )
        a, b = number[pair[0]], number[pair[1]]
        if a == b:
            raise ValueError(f"structural path {pair[0]!r} -> {pair[1]!r} goes to itself")
        if (a, b) in paths:
            raise ValueError(f"structural path {pair[0]!r} -> {pair[1]!r} is listed twice")
        paths.append((a, b))
    lonely = [c for j, c in enumerate(constructs) if not any(j in p for p in paths)]
    if lonely:
        raise ValueError(
            f"constructs {lonely} have no structural path; add one or drop them from measurement"
        )
    left = set(range(len(constructs)))
    while True:  # Kahn: remove constructs without predecessors among those left
        free = {b for b in left if not any(a in left and t == b for a, t in paths)}
        if not free:
            break
        left -= free
    if left:
        raise ValueError(
            f"the structural model has a cycle through the constructs "
            f"{[constructs[j] for j in sorted(left)]}; PLS path models must be acyclic"
        )
    return paths


def _read_items(data, items, missing):
    """The items' values (n x p, block order; missing answers replaced or
    their rows dropped), the same before replacement (NaN for missing), the
    rows used, the missing counts."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"data must be a pandas DataFrame whose columns include the items, got "
            f"{type(data).__name__}"
        )
    absent = [item for item in items if item not in data.columns]
    if absent:
        raise ValueError(f"items {absent} are not columns of data")
    twice = sorted({str(c) for c in data.columns[data.columns.duplicated()]} & set(map(str, items)))
    if twice:
        raise ValueError(f"items {twice} name more than one column of data; rename the columns")
    frame = data[items]
    X = read_numeric(frame, "data", layout=ITEMS).values.astype(np.float64, copy=True)
    inf = np.isinf(X)
    if inf.any():
        rows = frame.index[np.flatnonzero(inf.any(axis=1))]
        raise ValueError(f"data has infinite values in rows {list(rows[:10])}; fix or drop them")
    nan = np.isnan(X)
    counts = pd.Series(nan.sum(axis=0), index=items, name="missing")
    index = frame.index
    raw = X
    n_missing = int(counts.sum())
    if n_missing:
        bad_rows = np.flatnonzero(nan.any(axis=1))
        per_item = ", ".join(f"{k} ({v})" for k, v in counts[counts > 0].items())
        if missing == "mean":
            allnan = [item for item, c in counts.items() if c == len(X)]
            if allnan:
                raise ValueError(f"items {allnan} have no answers at all")
            X = np.where(nan, np.nanmean(X, axis=0), X)
            action = "replaced by the item means (missing='mean')"
        else:
            keep = ~nan.any(axis=1)
            X, index = X[keep], index[keep]
            raw = X
            action = f"{len(bad_rows)} rows dropped (missing='listwise')"
        warnings.warn(
            f"data has {n_missing} missing answers in {len(bad_rows)} rows "
            f"(first rows {list(frame.index[bad_rows[:10]])}; per item: {per_item}); {action}",
            UserWarning,
            stacklevel=3,
        )
    return X, raw, index, counts


def _check_items(X, items, blocks_of, n_params):
    n = X.shape[0]
    if n <= n_params:
        raise ValueError(
            f"data has {n} respondents (rows) but the model estimates {n_params} parameters "
            "(outer weights and path coefficients); collect more answers or simplify the model"
        )
    # a spread at the level of round-off (mean-replaced values) is no spread
    spread = np.ptp(X, axis=0)
    const = np.flatnonzero(~(spread > 1e-12 * np.abs(X).max(axis=0)))
    if len(const):
        raise ValueError(
            f"items {[items[i] for i in const]} are constant (every answer the same) in "
            f"constructs {sorted({blocks_of[i] for i in const})}; drop them: a constant item "
            "has no correlation"
        )


def _estimate(model: _Model, R, paths=None) -> dict:
    block, mode_b, frm, to = model.kernel_args(paths)
    out = _core.pls_estimate(
        R, block, mode_b, frm, to, scheme=model.scheme, max_iter=model.max_iter, tol=model.tol
    )
    if "error" in out:
        name = model.constructs[out["index"]]
        items = model.items[model.block[out["index"]] : model.block[out["index"] + 1]]
        reason = out["error"]
        raise ValueError(
            f"pls_sem: {reason} {name!r} (items {items}): the correlation matrix is singular; "
            "drop a redundant item or construct"
        )
    return out


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------


def _pairs_frame(values, index_tuples, names):
    return pd.DataFrame(
        values, index=pd.MultiIndex.from_tuples(index_tuples, names=names), columns=_BOOT_COLUMNS
    )


@dataclass(frozen=True)
class PlsBootstrap:
    """Bootstrap of a PLS path model (from `PlsResult.bootstrap`).

    Attributes
    ----------
    paths, loadings, weights, htmt, total_effects : DataFrame
        One row per parameter (index: (from, to), (item, construct) or
        (construct, construct)); columns estimate (the full-sample value),
        boot_mean, sd (n - 1), t = estimate / sd, p (two-sided, Student's t
        with n_valid - 1 df), ci_low, ci_high.
    n_boot, n_valid : int
        Resamples drawn, and those used (converged and not degenerate).
    not_converged, degenerate : int
        Resamples left out: the PLS iterations did not converge, or a
        resample had a constant item or collinear scores. Warned about.
    sign_flips : Series
        Per construct, the used resamples whose loadings sum to the opposite
        sign of the estimate's. Nothing is sign-corrected (as seminr and
        SmartPLS): many flips widen that construct's intervals, and say that
        its orientation is not determined by the data.
    method : str
        "percentile" or "bca"; ci the confidence level.
    draws : dict of ndarray
        The per-resample values (n_boot rows; NaN rows for degenerate ones).
    """

    paths: pd.DataFrame
    loadings: pd.DataFrame
    weights: pd.DataFrame
    htmt: pd.DataFrame
    total_effects: pd.DataFrame
    n_boot: int
    n_valid: int
    not_converged: int
    degenerate: int
    sign_flips: pd.Series
    method: str
    ci: float
    draws: dict = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Every table stacked: index (table, first, second), e.g. ("paths",
        "Image", "Loyalty") or ("loadings", "IMAG1", "Image")."""
        keys = ("paths", "loadings", "weights", "htmt", "total_effects")
        parts = [getattr(self, k).rename_axis(["first", "second"]) for k in keys]
        return pd.concat(parts, keys=keys, names=["table"])


@dataclass(frozen=True, eq=False)
class PlsResult:
    """A PLS path model estimated by `pls_sem`.

    Attributes
    ----------
    path_coef : DataFrame (constructs x constructs)
        Coefficient of the path from the row to the column; 0 without one.
    outer_weights, outer_loadings : DataFrame (items x constructs)
        Weights (scores of unit variance) and loadings (item-score
        correlations) of each item on its construct; 0 elsewhere.
    construct_scores : DataFrame (respondents x constructs)
        On the data's index (the rows used, with missing="listwise").
    r_squared : DataFrame
        r2 and adj_r2 (1 - (1 - R^2)(n - 1)/(n - k - 1)) per endogenous
        construct.
    reliability : DataFrame
        alpha (on standardized items), rho_c, ave, rho_a per construct (1
        for one-item constructs; rho_a 1 for Mode B, as seminr).
    htmt : DataFrame (constructs x constructs)
        Heterotrait-monotrait ratios (symmetric, 1 on the diagonal).
    fornell_larcker : DataFrame
        sqrt(AVE) on the diagonal, construct correlations elsewhere.
    cross_loadings : DataFrame (items x constructs)
        Correlation of every item with every construct's scores.
    f_squared : DataFrame
        (R^2_in - R^2_out)/(1 - R^2_in) per path, R^2_out from re-estimating
        the model without it (NaN where there is no path).
    vif_items : Series
        VIF of each item among the items of its construct (1 for one-item
        constructs).
    vif_antecedents : dict of Series
        For each endogenous construct, the VIF of each predecessor (1 when
        it has one; seminr prints NA there).
    redundancy : Series
        Mean communality (squared loading) of the block x R^2, per
        endogenous construct.
    total_effects : DataFrame
        Direct plus indirect effects (paths + paths^2 + ...).
    gof : float
        sqrt(mean communality x mean R^2), the communality averaged over the
        items of every multi-item construct (Tenenhaus et al. 2005, as
        plspm); NaN when every construct has one item (GoF is then
        undefined, and plspm refuses it too).
    iterations : int
        seminr's count (the pass at which the weights converged).
    converged : bool
    missing : Series
        Missing answers per item (before mean replacement or listwise
        deletion).
    """

    path_coef: pd.DataFrame
    outer_weights: pd.DataFrame
    outer_loadings: pd.DataFrame
    construct_scores: pd.DataFrame
    r_squared: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    cross_loadings: pd.DataFrame
    f_squared: pd.DataFrame
    vif_items: pd.Series
    vif_antecedents: dict
    redundancy: pd.Series
    total_effects: pd.DataFrame
    gof: float
    iterations: int
    converged: bool
    missing: pd.Series
    _model: _Model = field(repr=False)
    _X: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        m = self._model
        return (
            f"PlsResult({len(m.constructs)} constructs, {len(m.items)} items, "
            f"{self._X.shape[0]} respondents, {len(m.paths)} paths, "
            f"iterations={self.iterations}, converged={self.converged})"
        )

    def summary(self) -> str:
        """A text report: paths with R^2, reliability and validity, HTMT."""
        parts = [
            f"PLS path model: {len(self._model.constructs)} constructs, "
            f"{len(self._model.items)} items, {self._X.shape[0]} respondents, "
            f"{'converged' if self.converged else 'NOT converged'} after "
            f"{self.iterations} iterations",
            "Path coefficients:\n" + self.path_coef.round(3).to_string(),
            "R squared:\n" + self.r_squared.round(3).to_string(),
            "Reliability:\n" + self.reliability.round(3).to_string(),
            "Fornell-Larcker:\n" + self.fornell_larcker.round(3).to_string(),
            "HTMT:\n" + self.htmt.round(3).to_string(),
            f"GoF: {self.gof:.3f}",
        ]
        return "\n\n".join(parts)

    def bootstrap(
        self,
        n_boot: int = 5000,
        *,
        random_state=None,
        n_threads=None,
        ci: float = 0.95,
        method: str = "percentile",
        progress: bool = False,
    ) -> PlsBootstrap:
        """Bootstrap the model: resample respondents, re-estimate, summarize.

        Parameters
        ----------
        n_boot : int, default 5000
            Resamples (>= 2), each of n respondents drawn with replacement.
        random_state : None, int, RandomState or Generator
            The same value gives the same resamples, bit for bit, for any
            n_threads and with or without progress.
        n_threads : int or None
            C threads (None: all).
        ci : float, default 0.95
            Confidence level of the intervals.
        method : {"percentile", "bca"}
            Percentile intervals, or bias-corrected and accelerated (the
            acceleration from a leave-one-out jackknife: n more estimates).
        progress : bool, default False
            Show a progress bar (tqdm's when installed); the resamples then
            run in chunks, with the same results.

        Returns
        -------
        PlsBootstrap

        Examples
        --------
        >>> import numpy as np, pandas as pd, segment as sg
        >>> z = np.random.default_rng(1).normal(size=(300, 5))
        >>> data = pd.DataFrame(z[:, :2] + z[:, [4]], columns=["a1", "a2"])
        >>> data[["b1", "b2"]] = z[:, 2:4] + 0.5 * z[:, [4]]
        >>> fit = sg.pls_sem(data, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, [("A", "B")])
        >>> boot = fit.bootstrap(200, random_state=0)
        >>> bool(boot.paths.loc[("A", "B"), "p"] < 0.001)
        True
        """
        n_boot = check_int(n_boot, "n_boot", low=2)
        threads = check_n_threads(n_threads)
        if not (isinstance(ci, (int, float)) and 0.0 < ci < 1.0):
            raise ValueError(f"ci must be a number in (0, 1), got {ci!r}")
        if method not in ("percentile", "bca"):
            raise ValueError(f"method must be 'percentile' or 'bca', got {method!r}")
        rs = check_random_state(random_state)
        seed = (int(rs.randint(0, 2**32)) << 32) | int(rs.randint(0, 2**32))
        model = self._model
        block, mode_b, frm, to = model.kernel_args()
        kw = model.boot_kw(threads)
        step = n_boot if not progress else max(50, -(-n_boot // 100))
        bar = progress_bar(n_boot, desc="pls bootstrap", unit="resample") if progress else None
        chunks = []
        try:
            for first in range(0, n_boot, step):
                count = min(step, n_boot - first)
                chunks.append(
                    _core.pls_bootstrap(
                        self._X, block, mode_b, frm, to, seed=seed, first=first, count=count, **kw
                    )
                )
                if bar is not None:
                    bar.update(count)
        finally:
            if bar is not None:
                bar.close()
        draws = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
        status = draws["status"]
        ok = status == 0
        not_conv, degen = int((status == 1).sum()), int((status == 2).sum())
        if not_conv or degen:
            warnings.warn(
                f"bootstrap: {not_conv} of {n_boot} resamples did not converge within "
                f"{model.max_iter} iterations and {degen} were degenerate (a constant item or "
                "collinear scores in the resample); they are left out of the tables",
                UserWarning,
                stacklevel=2,
            )
        if ok.sum() < 2:
            raise ValueError(
                f"bootstrap: only {int(ok.sum())} usable resamples of {n_boot}; the model is "
                "too unstable to bootstrap"
            )
        jack = self._jackknife(threads) if method == "bca" else None
        tables = {}
        for key, spec in self._parameters().items():
            est, sel, labels, names = spec
            samples = draws[key].reshape(n_boot, -1)[:, sel][ok]
            jk = None if jack is None else jack[key].reshape(len(jack[key]), -1)[:, sel]
            tables[key] = _pairs_frame(_summarize(est, samples, ci, method, jk), labels, names)
        h = tables["htmt"]
        undefined = h.index[h["estimate"].isna() | h["sd"].isna()].tolist()
        if undefined:
            warnings.warn(
                f"bootstrap: HTMT is undefined (a block of uncorrelated items) for the pairs "
                f"{undefined}, in the estimate or in some resamples; their t and p are NaN",
                UserWarning,
                stacklevel=2,
            )
        return PlsBootstrap(
            paths=tables["paths"],
            loadings=tables["loadings"],
            weights=tables["weights"],
            htmt=tables["htmt"],
            total_effects=tables["total"],
            n_boot=n_boot,
            n_valid=int(ok.sum()),
            not_converged=not_conv,
            degenerate=degen,
            sign_flips=self._sign_flips(draws["loadings"][ok]),
            method=method,
            ci=float(ci),
            draws=draws,
        )

    def _sign_flips(self, loadings) -> pd.Series:
        """Resamples (rows of loadings) whose summed loadings per construct
        have the opposite sign of the estimate's."""
        model = self._model
        starts = model.block[:-1]
        est = np.add.reduceat(self.outer_loadings.to_numpy().sum(axis=1), starts)
        boot = np.add.reduceat(loadings, starts, axis=1)
        flips = (np.sign(boot) * np.sign(est) < 0).sum(axis=0)
        return pd.Series(flips, index=model.constructs, name="sign_flips")

    def _parameters(self) -> dict:
        """key -> (estimates, flat positions, labels, level names) of the
        parameters each bootstrap table lists."""
        model = self._model
        C, items, m = model.constructs, model.items, len(model.constructs)
        owner = np.repeat(np.arange(m), np.diff(model.block))
        pw = [a * m + b for a, b in model.paths]
        total = self.total_effects.to_numpy()
        reach = [a * m + b for a in range(m) for b in range(m) if _reaches(model.paths, a, b)]
        upper = [a * m + b for a in range(m) for b in range(a + 1, m)]
        W = self.outer_weights.to_numpy()
        L = self.outer_loadings.to_numpy()
        rows = np.arange(len(items))
        return {
            "paths": (
                self.path_coef.to_numpy().ravel()[pw],
                pw,
                [(C[i // m], C[i % m]) for i in pw],
                ["from", "to"],
            ),
            "loadings": (
                L[rows, owner],
                rows,
                [(it, C[o]) for it, o in zip(items, owner, strict=True)],
                ["item", "construct"],
            ),
            "weights": (
                W[rows, owner],
                rows,
                [(it, C[o]) for it, o in zip(items, owner, strict=True)],
                ["item", "construct"],
            ),
            "htmt": (
                self.htmt.to_numpy().ravel()[upper],
                upper,
                [(C[i // m], C[i % m]) for i in upper],
                ["construct", "other"],
            ),
            "total": (
                total.ravel()[reach],
                reach,
                [(C[i // m], C[i % m]) for i in reach],
                ["from", "to"],
            ),
        }

    def _jackknife(self, threads) -> dict:
        """Leave-one-out estimates (for BCa), in chunks of row sets."""
        model, X = self._model, self._X
        n = X.shape[0]
        block, mode_b, frm, to = model.kernel_args()
        j = np.arange(n - 1)[None, :]
        parts = []
        for i0 in range(0, n, _JACKKNIFE_CHUNK):
            drop = np.arange(i0, min(n, i0 + _JACKKNIFE_CHUNK))[:, None]
            rows = j + (j >= drop)  # every row but `drop`, in order
            parts.append(
                _core.pls_bootstrap(X, block, mode_b, frm, to, rows=rows, **model.boot_kw(threads))
            )
        jack = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        if (jack["status"] == 2).any():
            bad = np.flatnonzero(jack["status"] == 2)[:10]
            raise ValueError(
                f"bootstrap(method='bca'): leaving out rows {list(bad)} makes the model "
                "degenerate, so the jackknife acceleration is undefined; use "
                "method='percentile'"
            )
        return jack


def _reaches(paths, a, b) -> bool:
    front, seen = [a], set()
    while front:
        x = front.pop()
        for s, t in paths:
            if s == x and t not in seen:
                if t == b:
                    return True
                seen.add(t)
                front.append(t)
    return False


def _summarize(est, samples, ci, method, jack):
    """Columns estimate, boot_mean, sd, t, p, ci_low, ci_high per parameter."""
    nb = samples.shape[0]
    mean = samples.mean(axis=0)
    sd = samples.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(sd > 0, est / np.where(sd > 0, sd, 1.0), np.where(est == 0, 0.0, np.inf))
    t[np.isnan(sd) | np.isnan(est)] = np.nan  # undefined draws (HTMT): no test
    p = np.array([t_sf2(abs(v), nb - 1) for v in t])
    alpha = (1.0 - ci) / 2.0
    if method == "percentile":
        lo = np.quantile(samples, alpha, axis=0)
        hi = np.quantile(samples, 1.0 - alpha, axis=0)
    else:
        nd = NormalDist()
        lo, hi = np.empty(len(est)), np.empty(len(est))
        for j in range(len(est)):  # parameters, not rows
            below = np.mean(samples[:, j] < est[j])
            if below <= 0.0 or below >= 1.0:
                raise ValueError(
                    "bootstrap(method='bca'): every resample lies on one side of the estimate "
                    "for a parameter, so the bias correction is infinite; use "
                    "method='percentile' or more resamples"
                )
            z0 = nd.inv_cdf(below)
            d = jack[:, j].mean() - jack[:, j]
            den = 6.0 * (d @ d) ** 1.5
            acc = np.sum(d**3) / den if den > 0 else 0.0
            qs = []
            for za in (nd.inv_cdf(alpha), nd.inv_cdf(1.0 - alpha)):
                qs.append(nd.cdf(z0 + (z0 + za) / (1.0 - acc * (z0 + za))))
            lo[j], hi[j] = np.quantile(samples[:, j], qs)
    return np.column_stack([est, mean, sd, t, p, lo, hi])


# ---------------------------------------------------------------------------
# the entry point
# ---------------------------------------------------------------------------


def pls_sem(
    data,
    measurement,
    structural,
    *,
    inner_weighting: str = "path",
    missing: str = "mean",
    max_iter: int = 300,
    tol: float = 1e-7,
) -> PlsResult:
    """Estimate a PLS path model (PLS-SEM), as seminr and SmartPLS do.

    Parameters
    ----------
    data : DataFrame (respondents x columns)
        Numeric answers; the items are columns (others are ignored).
    measurement : dict
        Construct -> list of items (Mode A, reflective), or -> {"items":
        [...], "mode": "A" | "B"} (Mode B: formative, regression weights).
        Each item belongs to one construct.
    structural : list of (from, to) pairs
        The structural paths between constructs (acyclic; every construct
        on at least one path).
    inner_weighting : {"path", "factorial", "centroid"}
        Inner weighting scheme (SPEC.md, "Survey validation").
    missing : {"mean", "listwise"}
        Missing answers replaced by the item's mean (seminr's default; the
        bootstrap replaces them in every resample by the resample's mean, as
        seminr does), or respondents with any missing answer dropped. Either
        way a warning counts them; `PlsResult.missing` has the counts per
        item.
    max_iter : int, default 300
        Passes after the first (seminr's maxIt).
    tol : float, default 1e-7
        Stop when the sum of absolute weight changes is below tol.

    Returns
    -------
    PlsResult

    Raises
    ------
    TypeError
        data is not a DataFrame, or has non-numeric items.
    ValueError
        An item in two constructs or not in data, a construct without
        items or paths, a path naming an unknown construct, a cycle, a
        constant item, a singular correlation matrix (Mode B block, collinear
        predecessors), fewer respondents than parameters. Each message
        names the construct, item or row.

    Warns
    -----
    ConvergenceWarning
        The weights did not converge within max_iter (with the count).
    UserWarning
        Missing answers (counted per item, with their rows).

    Examples
    --------
    >>> import numpy as np, pandas as pd, segment as sg
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(200, 1))
    >>> g = 0.6 * f + 0.8 * rng.normal(size=(200, 1))
    >>> data = pd.DataFrame(np.hstack([f + rng.normal(size=(200, 3)) * 0.6,
    ...                                g + rng.normal(size=(200, 3)) * 0.6]),
    ...                     columns=["x1", "x2", "x3", "y1", "y2", "y3"])
    >>> fit = sg.pls_sem(data, {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]},
    ...                  [("X", "Y")])
    >>> round(float(fit.path_coef.loc["X", "Y"]), 2)
    0.42
    >>> list(fit.reliability.columns)
    ['alpha', 'rho_c', 'ave', 'rho_a']
    """
    if inner_weighting not in SCHEMES:
        raise ValueError(f"inner_weighting must be one of {list(SCHEMES)}, got {inner_weighting!r}")
    if missing not in MISSING:
        raise ValueError(f"missing must be 'mean' or 'listwise', got {missing!r}")
    max_iter = check_int(max_iter, "max_iter", low=0, high=2**31 - 2)
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    constructs, blocks, modes = _parse_measurement(measurement)
    paths = _parse_structural(structural, constructs)
    items = [item for b in blocks for item in b]
    block = np.concatenate([[0], np.cumsum([len(b) for b in blocks])]).astype(np.int64)
    model = _Model(
        constructs,
        items,
        block,
        np.array([m == "B" for m in modes], np.int64),
        paths,
        SCHEMES[inner_weighting],
        max_iter,
        float(tol),
        missing == "mean",
    )
    X, raw, index, counts = _read_items(data, items, missing)
    blocks_of = [c for c, b in zip(constructs, blocks, strict=True) for _ in b]
    _check_items(X, items, blocks_of, len(items) + len(paths))
    R = np.corrcoef(X, rowvar=False)
    fit = _estimate(model, R)
    if not fit["converged"]:
        warnings.warn(
            f"pls_sem: the outer weights did not converge in {max_iter} iterations (last "
            f"change {fit['weight_diff']:.3g} >= tol={tol}); results use the last weights",
            _convergence_warning(),
            stacklevel=2,
        )
    return _result(model, X, raw, index, R, fit, counts)


def _frame(values, rows, cols) -> pd.DataFrame:
    return pd.DataFrame(values, index=list(rows), columns=list(cols))


def _reliability(model: _Model, R, fit):
    """alpha, rho_c, AVE, rho_A per construct (m x 4) and the item VIFs."""
    C, items, m = model.constructs, model.items, len(model.constructs)
    rel = np.ones((m, 4))  # one-item constructs: 1, as seminr
    vif_items = np.ones(len(items))
    for j in range(m):  # constructs
        b0, b1 = model.block[j], model.block[j + 1]
        Rb, lam, w = R[b0:b1, b0:b1], fit["loadings"][b0:b1], fit["weights"][b0:b1]
        kb = b1 - b0
        if kb < 2:
            continue
        rel[j, 0] = kb / (kb - 1) * (1.0 - kb / Rb.sum())
        s2 = lam.sum() ** 2
        rel[j, 1] = s2 / (s2 + np.sum(1.0 - lam**2))
        rel[j, 2] = np.mean(lam**2)
        if not model.mode_b[j]:  # Mode B: rho_A = 1, as seminr
            off = Rb - np.diag(np.diag(Rb))
            ww = np.outer(w, w)
            rel[j, 3] = (w @ w) ** 2 * (w @ off @ w) / (w @ (ww - np.diag(np.diag(ww))) @ w)
        vif_items[b0:b1] = _vifs(Rb, f"the items {items[b0:b1]} of construct {C[j]!r}")
    return rel, vif_items


def _f_squared(model: _Model, R, r2):
    """(R^2_in - R^2_out) / (1 - R^2_in) per path, NaN elsewhere."""
    m = len(model.constructs)
    f2 = np.full((m, m), np.nan)
    for a, b in model.paths:
        rest = [pq for pq in model.paths if pq != (a, b)]
        r2_out = _r2_without(model, R, rest, b) if any(t == b for _, t in rest) else 0.0
        f2[a, b] = (r2[b] - r2_out) / (1.0 - r2[b])
    return f2


def _result(model: _Model, X, raw, index, R, fit, counts) -> PlsResult:
    C, items, m, p = model.constructs, model.items, len(model.constructs), len(model.items)
    n = X.shape[0]
    owner = np.repeat(np.arange(m), np.diff(model.block))
    W = np.zeros((p, m))
    W[np.arange(p), owner] = fit["weights"]
    L = np.zeros((p, m))
    L[np.arange(p), owner] = fit["loadings"]
    Xs = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    endo = model.endogenous()
    r2 = fit["r2"]
    k = np.array([len(model.predecessors(b)) for b in endo])
    r_squared = pd.DataFrame(
        {"r2": r2[endo], "adj_r2": 1.0 - (1.0 - r2[endo]) * (n - 1) / (n - k - 1)},
        index=[C[b] for b in endo],
    )
    rel, vif_items = _reliability(model, R, fit)
    cor = fit["cor"]
    fl = cor.copy()
    np.fill_diagonal(fl, np.sqrt(rel[:, 2]))
    B = fit["paths"]
    total = np.linalg.solve(np.eye(m) - B, np.eye(m)) - np.eye(m)  # B + B^2 + ... (a DAG)
    vif_ante = {}
    for b in endo:
        pred = model.predecessors(b)
        what = f"the predecessors of {C[b]!r}"
        vals = _vifs(cor[np.ix_(pred, pred)], what) if len(pred) > 1 else [1.0]
        vif_ante[C[b]] = pd.Series(vals, index=[C[a] for a in pred], name=C[b])
    comm = fit["loadings"] ** 2
    redundancy = pd.Series(
        [comm[model.block[b] : model.block[b + 1]].mean() * r2[b] for b in endo],
        index=[C[b] for b in endo],
        name="redundancy",
    )
    multi = np.flatnonzero(np.diff(model.block)[owner] > 1)
    gof = float(np.sqrt(comm[multi].mean() * r2[endo].mean())) if len(multi) else float("nan")
    return PlsResult(
        path_coef=_frame(B, C, C),
        outer_weights=_frame(W, items, C),
        outer_loadings=_frame(L, items, C),
        construct_scores=pd.DataFrame(Xs @ W, index=index, columns=C),
        r_squared=r_squared,
        reliability=_frame(rel, C, ["alpha", "rho_c", "ave", "rho_a"]),
        htmt=_frame(_htmt(model, R), C, C),
        fornell_larcker=_frame(fl, C, C),
        cross_loadings=_frame(R @ W, items, C),
        f_squared=_frame(_f_squared(model, R, r2), C, C),
        vif_items=pd.Series(vif_items, index=items, name="vif"),
        vif_antecedents=vif_ante,
        redundancy=redundancy,
        total_effects=_frame(total, C, C),
        gof=gof,
        iterations=int(fit["iterations"]),
        converged=bool(fit["converged"]),
        missing=counts,
        _model=model,
        _X=np.ascontiguousarray(raw),  # the bootstrap's data: NaN where missing
    )


def _htmt(model: _Model, R) -> np.ndarray:
    """HTMT (C kernel); a warning names the constructs where it is undefined."""
    h = _core.pls_htmt(R, model.block)
    if np.isnan(h).any():
        b = model.block
        flat = [  # multi-item blocks without a single nonzero correlation
            c
            for j, c in enumerate(model.constructs)
            if b[j + 1] - b[j] > 1 and not np.triu(R[b[j] : b[j + 1], b[j] : b[j + 1]], 1).any()
        ]
        warnings.warn(
            f"the items of the constructs {flat} are all uncorrelated with each other, so HTMT "
            "with them is undefined (NaN)",
            UserWarning,
            stacklevel=4,
        )
    return h


def _vifs(corr, what) -> np.ndarray:
    """Variance inflation factors, diag(corr^-1); a singular matrix (perfect
    collinearity) raises, naming `what`."""
    eig = np.linalg.eigvalsh(corr)
    if not eig[0] > 1e-12 * eig[-1]:
        raise ValueError(
            f"pls_sem: {what} are perfectly collinear (their correlation matrix is "
            "singular), so their VIFs are infinite; drop the redundant item or construct"
        )
    return np.diag(np.linalg.inv(corr))


def _r2_without(model: _Model, R, rest, b) -> float:
    """R^2 of construct b re-estimated without one path; constructs left
    without any path drop out of the model, as in seminr's fSquared."""
    keep = sorted({j for pq in rest for j in pq})
    renum = {j: i for i, j in enumerate(keep)}
    sel = np.concatenate([np.arange(model.block[j], model.block[j + 1]) for j in keep])
    sizes = [model.block[j + 1] - model.block[j] for j in keep]
    sub = _Model(
        [model.constructs[j] for j in keep],
        [model.items[i] for i in sel],
        np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        model.mode_b[keep],
        [(renum[a], renum[t]) for a, t in rest],
        model.scheme,
        model.max_iter,
        model.tol,
    )
    return float(_estimate(sub, R[np.ix_(sel, sel)])["r2"][renum[b]])
