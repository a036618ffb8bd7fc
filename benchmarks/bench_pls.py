"""segment vs a NumPy loop and plspm: 5,000 PLS bootstrap resamples of the mobi model.

    python benchmarks/bench_pls.py                  # the run recorded in BENCHMARKS.md
    python benchmarks/bench_pls.py --quick          # fewer resamples everywhere
    python benchmarks/bench_pls.py --plspm-boot 5000    # plspm's full 5,000 (slow)

Model: seminr's ECSI model on its mobi data (250 respondents x 24 items, 7
constructs, 12 paths, all Mode A, path weighting, tol 1e-7, 300 iterations),
read from ../shared/data/mobi.csv. Every resample re-estimates the whole model
and keeps paths, loadings, weights, HTMT and total effects (what segment's
bootstrap keeps). Peers, in this process, on the same data:

* a NumPy loop written to be fast: per resample, the 24 x 24 item correlation
  matrix of the resampled rows (np.corrcoef), then the PLS iteration on it
  (matrix products on 24 x 7 weights), HTMT from block means and total effects
  by one inverse; the same algorithm as segment's C kernel, vectorized per
  resample, looping over resamples. It is checked against segment's estimate.
* tests/reference.py's plain loop on the raw data (SPEC.md line by line, not
  written for speed), timed on fewer resamples and scaled, for information.
* plspm (Python, 0.5.7) ``Plspm(..., bootstrap=True, bootstrap_iterations=N,
  processes=2)``: its own two worker processes. Its time includes one plain
  estimate (timed alone and reported). It is slow, so by default it runs
  ``--plspm-boot`` resamples and half as many, and its 5,000-resample time is
  extrapolated on the slope between the two (said so in the output);
  ``--plspm-boot 5000`` runs them all.
  plspm 0.5.7 indexes with ``path.loc[dv,]``, which pandas 3 rejects; the
  shim below passes it a DataFrame whose ``.loc`` unwraps that one-element
  tuple, changing nothing else (its estimates are compared with segment's).

seminr states no bootstrap time in its documentation (README, vignette, the
help of bootstrap_model, searched on December 6, 2026); its vignette runs
``bootstrap_model(pls_model, nboot = 1000, cores = 2)`` without a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import machine as shared_machine  # noqa: E402

import segment as sg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests import reference  # noqa: E402  (the reference loop and the model)

ECSI, ECSI_PATHS = reference.MOBI_ECSI, reference.MOBI_ECSI_PATHS
MOBI = HERE.parents[1] / "shared" / "data" / "mobi.csv"
SETTLE_S = 0.3  # idle OpenMP / OpenBLAS threads spin for ~0.1 s after a call


def settle() -> None:
    time.sleep(SETTLE_S)


def timed(fn):
    settle()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


# ---------------------------------------------------------------------------
# the NumPy loop
# ---------------------------------------------------------------------------


class NumpyPls:
    """PLS path model (Mode A, path weighting) on an item correlation matrix."""

    def __init__(self, sizes, paths, max_iter=300, tol=1e-7):
        self.m, self.p = len(sizes), int(sum(sizes))
        self.owner = np.repeat(np.arange(self.m), sizes)
        self.member = np.zeros((self.p, self.m))
        self.member[np.arange(self.p), self.owner] = 1.0
        self.sizes = np.asarray(sizes, np.float64)
        self.paths, self.max_iter, self.tol = paths, max_iter, tol
        self.preds = [[a for a, b in paths if b == j] for j in range(self.m)]
        self.succ = np.zeros((self.m, self.m))  # succ[s, j] = 1 for a path j -> s
        for a, b in paths:
            self.succ[b, a] = 1.0

    def _normalize(self, R, W):
        return W / np.sqrt(np.einsum("ij,ik,kj->j", W, R, W))

    def estimate(self, R):
        W = self._normalize(R, self.member)
        old = self.member
        for _ in range(self.max_iter + 1):
            C = W.T @ R @ W
            E = C * self.succ
            for j, pr in enumerate(self.preds):
                if pr:
                    E[pr, j] = np.linalg.solve(C[np.ix_(pr, pr)], C[pr, j])
            new = self._normalize(R, (R @ W @ E) * self.member)
            diff = np.abs(new - old).sum()
            old, W = new, new
            if diff < self.tol:
                break
        RW = R @ W
        C = W.T @ RW
        B = np.zeros((self.m, self.m))
        for j, pr in enumerate(self.preds):
            if pr:
                B[pr, j] = np.linalg.solve(C[np.ix_(pr, pr)], C[pr, j])
        A = np.abs(R)
        block_sum = self.member.T @ A @ self.member
        n2 = np.outer(self.sizes, self.sizes)
        mono = (np.diag(block_sum) - self.sizes) / np.maximum(self.sizes * (self.sizes - 1), 1)
        mono[self.sizes == 1] = 1.0
        htmt = block_sum / n2 / np.sqrt(np.outer(mono, mono))
        total = np.linalg.inv(np.eye(self.m) - B) - np.eye(self.m)
        rows = np.arange(self.p)
        return B, W[rows, self.owner], RW[rows, self.owner], htmt, total

    def bootstrap(self, X, n_boot, seed):
        rng = np.random.default_rng(seed)
        n = X.shape[0]
        out = []
        for _ in range(n_boot):
            out.append(self.estimate(np.corrcoef(X[rng.integers(0, n, n)], rowvar=False))[0])
        return np.array(out)


def reference_loop(X, sizes, paths, n_boot, seed):
    """tests/reference.py on the raw resampled rows (SPEC.md line by line)."""
    blocks = np.split(np.arange(X.shape[1]), np.cumsum(sizes)[:-1])
    blocks = [list(b) for b in blocks]
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    for _ in range(n_boot):
        xb = X[rng.integers(0, n, n)]
        reference.pls_reference(xb, blocks, paths)  # paths, weights, loadings


# ---------------------------------------------------------------------------
# plspm
# ---------------------------------------------------------------------------


def plspm_model(mobi):
    import plspm.config as c
    import plspm.inner_model as im
    from plspm.mode import Mode

    class _Loc:
        def __init__(self, loc):
            self._loc = loc

        def __getitem__(self, key):
            if isinstance(key, tuple) and len(key) == 1:
                key = key[0]
            return self._loc[key]

        def __setitem__(self, key, value):
            self._loc[key] = value

    class _Path(pd.DataFrame):
        @property
        def _constructor(self):
            return _Path

        @property
        def loc(self):
            return _Loc(super().loc)

    if not getattr(im.InnerModel, "_bench_shim", False):
        original = im.InnerModel.__init__

        def init(self, path, scores):
            original(self, _Path(path), scores)

        im.InnerModel.__init__ = init
        im.InnerModel._bench_shim = True
    structure = c.Structure()
    for a, b in ECSI_PATHS:
        structure.add_path([a], [b])
    config = c.Config(structure.path(), scaled=True)
    for construct, items in ECSI.items():
        config.add_lv(construct, Mode.A, *[c.MV(i) for i in items])
    return config


def bench_plspm(mobi, n_boot):
    """plspm's estimate alone, then its bootstrap at n_boot / 2 and n_boot
    resamples (the slope between them extrapolates to more)."""
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    config = plspm_model(mobi)
    est_s, model = timed(lambda: Plspm(mobi, config, Scheme.PATH, tolerance=1e-7))
    boot_s = {}
    for nb in (n_boot // 2, n_boot):
        boot_s[nb], _ = timed(
            lambda nb=nb: Plspm(
                mobi,
                config,
                Scheme.PATH,
                tolerance=1e-7,
                bootstrap=True,
                bootstrap_iterations=nb,
                processes=2,
            )  # fmt: skip
        )
    return est_s, boot_s, model


# ---------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer resamples everywhere")
    ap.add_argument("--n-boot", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--plspm-boot", type=int, default=1000, help="plspm's resamples (and half)")
    ap.add_argument("--reference-boot", type=int, default=100)
    ap.add_argument("--out", default=str(HERE / "results" / "pls.json"))
    args = ap.parse_args()
    if args.quick:
        args.n_boot, args.repeats, args.plspm_boot, args.reference_boot = 500, 1, 40, 20
    if not MOBI.exists():
        sys.exit(f"{MOBI} (seminr's mobi data) is missing; it lives in ../shared/data")

    mobi = pd.read_csv(MOBI)
    names = list(ECSI)
    items = [i for c in names for i in ECSI[c]]
    X = mobi[items].to_numpy(np.float64)
    sizes = [len(ECSI[c]) for c in names]
    paths = [(names.index(a), names.index(b)) for a, b in ECSI_PATHS]
    nb = args.n_boot
    info = {"machine": shared_machine("plspm", "pandas"), "n": X.shape[0], "p": X.shape[1],
            "constructs": len(names), "paths": len(paths), "n_boot": nb}  # fmt: skip
    print(info["machine"], flush=True)
    print(f"data: mobi {X.shape[0]} x {X.shape[1]}, ECSI model {len(names)} constructs, "
          f"{len(paths)} paths; {nb:,} resamples", flush=True)  # fmt: skip

    # segment
    fit = sg.pls_sem(mobi, ECSI, ECSI_PATHS)
    seg = {}
    for threads in (None, 1):
        times = []
        for r in range(args.repeats):
            t, boot = timed(lambda r=r, th=threads: fit.bootstrap(nb, random_state=r, n_threads=th))
            times.append(t)
        seg["all" if threads is None else "1"] = float(np.median(times))
        print(f"segment bootstrap, {'all threads' if threads is None else '1 thread'}: "
              f"median {np.median(times):.3f} s over {args.repeats}", flush=True)  # fmt: skip
    seg_sd = boot.paths["sd"].to_numpy()

    # NumPy loop: checked against segment's estimate first
    npls = NumpyPls(sizes, paths)
    B, w, lo, htmt, _ = npls.estimate(np.corrcoef(X, rowvar=False))
    err = max(
        np.abs(B - fit.path_coef.loc[names, names].to_numpy()).max(),
        np.abs(w - fit.outer_weights.loc[items, names].to_numpy().sum(axis=1)).max(),
        np.abs(lo - fit.outer_loadings.loc[items, names].to_numpy().sum(axis=1)).max(),
        np.abs(np.triu(htmt, 1) - np.triu(fit.htmt.loc[names, names].to_numpy(), 1)).max(),
    )
    assert err < 1e-9, f"NumPy loop differs from segment by {err:.2e}"
    np_s, draws = timed(lambda: npls.bootstrap(X, nb, seed=0))
    np_sd = np.array([draws[:, a, b].std(ddof=1) for a, b in paths])
    print(f"NumPy loop (correlation matrix per resample): {np_s:.2f} s; estimate equals "
          f"segment's to {err:.1e}; path SDs differ from segment's by at most "
          f"{np.abs(np_sd / seg_sd - 1).max():.1%} (other resamples)", flush=True)  # fmt: skip

    # tests/reference.py (raw data), scaled
    ref_t, _ = timed(lambda: reference_loop(X, sizes, paths, args.reference_boot, seed=0))
    ref_s = ref_t * nb / args.reference_boot
    print(f"tests/reference.py loop: {ref_t:.2f} s for {args.reference_boot} resamples, "
          f"so {ref_s:.1f} s for {nb:,} (scaled)", flush=True)  # fmt: skip

    # plspm
    pl_est, pl_boot, pl_model = bench_plspm(mobi, args.plspm_boot)
    pl_coef = pl_model.path_coefficients().loc[names, names].to_numpy().T  # theirs: to x from
    pl_err = np.abs(pl_coef - fit.path_coef.loc[names, names].to_numpy()).max()
    half, full = sorted(pl_boot)
    slope = (pl_boot[full] - pl_boot[half]) / (full - half)
    pl_s = pl_boot[full] + slope * (nb - full)
    measured = full == nb
    print(f"plspm: estimate {pl_est:.2f} s (paths differ from segment's by up to {pl_err:.1e}); "
          f"bootstrap {half:,} resamples {pl_boot[half]:.1f} s, {full:,} {pl_boot[full]:.1f} s"
          + ("" if measured else f", so {pl_s:.0f} s for {nb:,} (extrapolated on the slope "
             f"between them, {slope * 1e3:.0f} ms a resample)"), flush=True)  # fmt: skip

    base = seg["all"]
    info.update(
        segment_s=seg["all"], segment_1thread_s=seg["1"], numpy_loop_s=np_s,
        numpy_vs_segment_max_err=float(err), reference_loop_s_scaled=ref_s,
        reference_boot=args.reference_boot, plspm_estimate_s=pl_est,
        plspm_boot_s={str(k): v for k, v in pl_boot.items()}, plspm_s_for_n_boot=pl_s,
        plspm_extrapolated=not measured, plspm_vs_segment_paths_err=float(pl_err),
        ratio_numpy=np_s / base, ratio_reference=ref_s / base, ratio_plspm=pl_s / base,
    )  # fmt: skip
    print(f"ratios (peer / segment, all threads): NumPy loop {np_s / base:.0f}x, "
          f"reference loop {ref_s / base:.0f}x, plspm {pl_s / base:.0f}x"
          + ("" if measured else " (plspm extrapolated)"), flush=True)  # fmt: skip
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(info, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
