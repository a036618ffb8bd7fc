"""Plots for the segmentation and decision workflow (matplotlib, optional).

Every function takes ``ax=None`` (a new figure when None) and returns the
Axes it drew on. matplotlib is imported inside the functions: install it with
``pip install "segment-kit[plot]"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "plot_k_sweep",
    "plot_path_model",
    "plot_profile",
    "plot_silhouette",
    "plot_vikor_q",
    "plot_weight_sensitivity",
]


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised without matplotlib only
        raise ImportError(
            'segment\'s plots need matplotlib: pip install "segment-kit[plot]"'
        ) from None
    return plt


def _axes(ax, figsize=(7, 4)):
    if ax is None:
        _, ax = _plt().subplots(figsize=figsize, layout="constrained")
    return ax


def plot_k_sweep(sweep, *, ax=None, inertia: bool = True, k: int | None = None):
    """Silhouette (and inertia) against K with the chosen K marked.

    Paper B's Figures 3 and 5. The silhouette is drawn on ``ax``; the inertia,
    with its elbow, on a twin axis to the right.

    Parameters
    ----------
    sweep : SweepResult
    inertia : bool
        Also draw the inertia curve.
    k : int, optional
        The K to mark; default ``sweep.best_k``.

    Returns
    -------
    matplotlib Axes (the silhouette's).
    """
    ax = _axes(ax)
    table = sweep.table
    chosen = sweep.best_k if k is None else k
    ax.plot(table.index, table["silhouette"], "o-", color="C0", label="silhouette")
    ax.axvline(chosen, color="C0", linestyle=":", linewidth=1)
    if chosen in table.index:
        right_half = chosen > (table.index.min() + table.index.max()) / 2
        ax.annotate(
            f"K = {chosen}\n{table.loc[chosen, 'silhouette']:.3f}",
            (chosen, table.loc[chosen, "silhouette"]),
            textcoords="offset points", xytext=(-8 if right_half else 8, -24), color="C0",
            ha="right" if right_half else "left",
        )
    ax.set_xlabel("number of clusters K")
    ax.set_ylabel("mean silhouette coefficient", color="C0")
    ax.set_xticks(list(table.index))
    if inertia:
        right = ax.twinx()
        right.plot(table.index, table["inertia"], "s--", color="C1", label="inertia")
        right.plot([sweep.elbow_k], [table.loc[sweep.elbow_k, "inertia"]], "D", color="C1",
                   markersize=9, fillstyle="none")
        right.set_ylabel(f"inertia (elbow at K = {sweep.elbow_k})", color="C1")
    title = "Choosing K by the silhouette"
    if sweep.sample_size:
        title += f" (sample of {sweep.sample_size:,})"
    ax.set_title(title)
    return ax


def plot_silhouette(X, labels, *, ax=None, samples=None, n_threads=None):
    """Silhouette "knife" plot: every row's silhouette, grouped by cluster.

    Paper B's Figures 4 and 6. Each cluster is a band of its rows'
    silhouettes sorted in decreasing order; the dashed line is the mean.

    Parameters
    ----------
    X : array-like or DataFrame
    labels : array-like
    samples : array-like, optional
        Precomputed ``silhouette_samples(X, labels)``, to skip computing them.

    Returns
    -------
    matplotlib Axes.
    """
    from segment.metrics import silhouette_samples

    ax = _axes(ax, figsize=(6, 5))
    labels = np.asarray(labels.to_numpy() if isinstance(labels, pd.Series) else labels)
    s = np.asarray(samples if samples is not None else silhouette_samples(
        X, labels, n_threads=n_threads))
    if s.shape != labels.shape:
        raise ValueError(f"samples has shape {s.shape} but labels has {labels.shape}")
    y = 0
    gap = max(10, len(s) // 100)
    for i, c in enumerate(np.unique(labels)):
        vals = np.sort(s[labels == c])[::-1]
        ax.fill_betweenx(np.arange(y, y + len(vals)), 0, vals, color=f"C{i % 10}", alpha=0.8,
                         linewidth=0)
        ax.text(-0.02, y + len(vals) / 2, str(c), ha="right", va="center")
        y += len(vals) + gap
    ax.axvline(s.mean(), color="black", linestyle="--", linewidth=1,
               label=f"mean {s.mean():.3f}")
    ax.set_xlim(min(-0.1, s.min() - 0.05), 1)
    ax.set_yticks([])
    ax.set_xlabel("silhouette coefficient")
    ax.set_ylabel("cluster")
    ax.legend(loc="lower right")
    ax.set_title(f"Silhouette per row, K = {np.unique(labels).size}")
    return ax


def plot_profile(profile: pd.DataFrame, *, features=None, ax=None, relative: bool = True):
    """Cluster profiles as grouped bars, one group per feature.

    Parameters
    ----------
    profile : DataFrame
        From :func:`profile_clusters`.
    features : list of str, optional
        Profile columns to draw; default every column but customers/share.
    relative : bool
        Divide each feature by its largest cluster value, so features in
        euros, days and shares fit on one axis (labels show that).

    Returns
    -------
    matplotlib Axes.
    """
    ax = _axes(ax, figsize=(9, 4))
    cols = list(features) if features is not None else [
        c for c in profile.columns if c not in ("customers", "share")]
    data = profile[cols].astype(float)
    if relative:
        peak = data.abs().max().replace(0, 1.0)
        data = data / peak
    n_clusters = len(data)
    width = 0.8 / max(n_clusters, 1)
    x = np.arange(len(cols))
    for i, (cluster, row) in enumerate(data.iterrows()):
        share = profile.loc[cluster, "share"] if "share" in profile.columns else np.nan
        label = f"cluster {cluster}" + (f" ({share:.1%})" if np.isfinite(share) else "")
        ax.bar(x + (i - (n_clusters - 1) / 2) * width, row.to_numpy(), width, label=label,
               color=f"C{i % 10}")
    ax.set_xticks(x, [c.replace("_", " ") for c in cols], rotation=30, ha="right")
    ax.set_ylabel("relative to the largest cluster value" if relative else "value")
    ax.legend(fontsize="small", ncols=2)
    ax.set_title("Cluster profiles")
    return ax


def plot_vikor_q(sensitivity, *, ax=None):
    """VIKOR's Q against v for every alternative, compromise sets shaded.

    Paper A's Table 4 as a figure: a line per alternative; at each v the
    band behind the alternatives of the compromise set (Table 5) is shaded.

    Parameters
    ----------
    sensitivity : VikorSensitivity
        From :func:`vikor_sensitivity`.

    Returns
    -------
    matplotlib Axes.
    """
    ax = _axes(ax, figsize=(7, 4.5))
    Q = sensitivity.Q if isinstance(sensitivity.Q, pd.DataFrame) else pd.DataFrame(sensitivity.Q)
    members = sensitivity.membership()
    vs = np.asarray(Q.columns, dtype=float)
    step = np.min(np.abs(np.diff(np.sort(vs)))) if len(vs) > 1 else 0.1
    for j, v in enumerate(vs):
        inside = members.iloc[:, j].to_numpy(bool)
        if inside.any():
            top = Q.iloc[inside, j].max()
            ax.add_patch(_plt().Rectangle((v - step / 2, -0.02), step, top + 0.04, color="0.85",
                                          zorder=0, linewidth=0))
    for i, (alt, row) in enumerate(Q.iterrows()):
        ax.plot(vs, row.to_numpy(), "o-", markersize=3, color=f"C{i % 10}", label=str(alt))
    ax.set_xlabel("v (weight of group utility S)")
    ax.set_ylabel("Q (lower is better)")
    ax.set_xlim(vs.max() + step / 2, vs.min() - step / 2)
    ax.legend(fontsize="small", title="alternative", loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.text(0.99, 0.01, "shaded: the compromise set at each v", transform=ax.transAxes,
            ha="right", va="bottom", fontsize="small", color="0.4")
    ax.set_title("VIKOR Q by strategy weight v")
    return ax


def plot_weight_sensitivity(table: pd.DataFrame, *, ax=None):
    """Heat map of how often each alternative takes each rank.

    Parameters
    ----------
    table : DataFrame
        From :func:`vikor_weight_sensitivity` (columns rank_1 ... rank_m).

    Returns
    -------
    matplotlib Axes.
    """
    ax = _axes(ax, figsize=(7, 4.5))
    ranks = [c for c in table.columns if str(c).startswith("rank_")]
    if not ranks:
        raise ValueError("table has no rank_1 ... columns: pass vikor_weight_sensitivity's result")
    data = table[ranks].to_numpy(dtype=float)
    image = ax.imshow(data, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(ranks)), [r.split("_")[1] for r in ranks])
    ax.set_yticks(range(len(table)), [str(a) for a in table.index])
    for (i, j), value in np.ndenumerate(data):
        if value >= 0.005:
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 else "black")
    ax.set_xlabel("rank")
    ax.set_ylabel("alternative")
    ax.figure.colorbar(image, ax=ax, label="share of weight draws")
    ax.set_title("Rank under perturbed weights")
    return ax


# ---------------------------------------------------------------- PLS path diagram


def significance_stars(p) -> str:
    """'***' for p < .001, '**' for p < .01, '*' for p < .05, '' otherwise (and for NaN)."""
    if p is None or not p == p:
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _path_p_values(bootstrap) -> dict:
    """(from, to) -> p from a PlsBootstrap's ``paths`` table, whose index is a
    (from, to) MultiIndex or strings "from -> to"."""
    if bootstrap is None:
        return {}
    table = bootstrap.paths
    out = {}
    for key, p in table["p"].items():
        if isinstance(key, str):
            key = tuple(part.strip() for part in key.split("->", 1))
        out[tuple(key)] = float(p)
    return out


def _depths(constructs, edges) -> dict:
    """Longest distance from a construct without predecessors (the model is acyclic)."""
    depth = dict.fromkeys(constructs, 0)
    for _ in range(len(constructs)):
        changed = False
        for a, b in edges:
            if depth[b] < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def plot_path_model(
    pls_result, *, bootstrap=None, ax=None, items: bool = False, digits: int = 2, wrap: int = 16
):
    """Path diagram of a PLS model: Paper A's Figure 1.

    Constructs are ellipses laid out from left (no predecessors) to right
    (outcomes); arrows carry the path coefficients, with significance stars
    from a bootstrap (p < .05 ``*``, < .01 ``**``, < .001 ``***``); each
    endogenous construct shows its R² inside.

    Parameters
    ----------
    pls_result : PlsResult
        Read: ``path_coef`` (from x to; a path is a non-zero entry, or every
        path of ``bootstrap``), ``r_squared`` (column ``r2``) and, with
        ``items=True``, ``outer_loadings``.
    bootstrap : PlsBootstrap, optional
        Its ``paths`` table's ``p`` column gives the stars.
    ax : matplotlib Axes, optional
    items : bool, default False
        Also draw each construct's items as boxes with their loadings.
    digits : int, default 2
        Decimals of the coefficients, loadings and R².
    wrap : int, default 16
        Construct names are wrapped at about this many characters.

    Returns
    -------
    matplotlib Axes
    """
    import textwrap

    from matplotlib.patches import Ellipse

    path = pls_result.path_coef
    constructs = list(path.index)
    p_values = _path_p_values(bootstrap)
    edges = [
        (a, b)
        for a in constructs
        for b in path.columns
        if (a, b) in p_values or (path.loc[a, b] != 0 and path.loc[a, b] == path.loc[a, b])
    ]
    depth = _depths(constructs, edges)
    n_cols = max(depth.values()) + 1
    columns = [[c for c in constructs if depth[c] == d] for d in range(n_cols)]
    tallest = max(len(col) for col in columns)
    step = 2.0
    if items:
        loadings = pls_result.outer_loadings
        block = {c: [i for i in loadings.index if loadings.loc[i, c] != 0] for c in constructs}
        step = max(step, 0.42 * max(len(v) for v in block.values()) + 0.5)
    pos = {}
    for d, col in enumerate(columns):
        for i, c in enumerate(col):
            pos[c] = (3.0 * d, (len(col) - 1) / 2.0 * step - step * i)
    ax = _axes(ax, figsize=(3.2 * n_cols + (3 if items else 1), 0.8 * step * tallest + 1.5))
    width, height = 2.0, 1.2
    r2 = pls_result.r_squared["r2"] if len(pls_result.r_squared) else pd.Series(dtype=float)
    for c, (x, y) in pos.items():
        endogenous = c in r2.index
        ax.add_patch(
            Ellipse(
                (x, y),
                width,
                height,
                facecolor="#dbe9f6" if endogenous else "#eeeeee",
                edgecolor="#335577",
                linewidth=1.2,
                zorder=2,
            )
        )
        label = textwrap.fill(str(c), wrap)
        if endogenous:
            label += f"\nR² = {r2[c]:.{digits}f}"
        ax.text(x, y, label, ha="center", va="center", fontsize=8, zorder=3)
    for a, b in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        dx, dy = x1 - x0, y1 - y0
        # the arrow runs from ellipse edge to ellipse edge
        edge = 1.0 / np.hypot(dx / (width / 2), dy / (height / 2))
        ax.annotate(
            "",
            xy=(x1 - edge * dx, y1 - edge * dy),
            xytext=(x0 + edge * dx, y0 + edge * dy),
            zorder=1,
            arrowprops={"arrowstyle": "-|>", "color": "#335577", "shrinkA": 0, "shrinkB": 0},
        )
        coef = f"{path.loc[a, b]:.{digits}f}{significance_stars(p_values.get((a, b)))}"
        ax.text(
            x0 + 0.45 * (x1 - x0),
            y0 + 0.45 * (y1 - y0),
            coef,
            ha="center",
            va="center",
            fontsize=8,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    if items:
        for c, (x, y) in pos.items():
            names = block[c]
            side = -1.0 if depth[c] < n_cols - 1 or n_cols == 1 else 1.0
            ix = x + side * 1.9
            for k, item in enumerate(names):
                iy = y + (len(names) - 1) / 2.0 * 0.42 - 0.42 * k
                ax.text(
                    ix,
                    iy,
                    textwrap.shorten(str(item), 22),
                    ha="center",
                    va="center",
                    fontsize=6,
                    bbox={"boxstyle": "square,pad=0.2", "fc": "white", "ec": "#888"},
                )
                ax.plot(
                    [ix - side * 0.75, x - side * width / 2],
                    [iy, y],
                    color="#999",
                    linewidth=0.6,
                    zorder=1,
                )
                ax.text(
                    ix - side * 0.62,
                    iy + 0.06,
                    f"{loadings.loc[item, c]:.{digits}f}",
                    fontsize=5,
                    ha="center",
                    va="bottom",
                    color="#555",
                )
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    pad = 2.9 if items else 1.3
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    extra = step / 2 if items else 0.0
    ax.set_ylim(min(ys) - 1.0 - extra, max(ys) + 1.0 + extra)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
