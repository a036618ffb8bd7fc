"""Describing clusters and choosing between them (Paper B, Tables 9-16 and 23).

``profile_clusters`` describes every cluster of one clustering,
``most_valuable`` picks the most valuable cluster of every K of a sweep (the
candidate loyalty programs), ``compare_feature_sets`` sets the silhouette of
two feature sets side by side, and ``rank_segments`` ranks the candidates with
VIKOR: the two papers joined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from segment.cluster import KMeans, KMeansResult
from segment.sweep import SweepResult, k_sweep

__all__ = ["compare_feature_sets", "most_valuable", "profile_clusters", "rank_segments"]


def _labels_for(customers: pd.DataFrame, labels) -> pd.Series:
    """Labels as a Series on customers.index (a Series is aligned by index,
    anything else is taken by position)."""
    if isinstance(labels, KMeansResult):
        labels = labels.labels
    elif isinstance(labels, KMeans):
        labels = labels.labels_
    if isinstance(labels, pd.Series):
        if labels.index.equals(customers.index):  # the usual case, and O(1) on the same Index
            return labels
        missing = customers.index.difference(labels.index)
        if len(missing):
            raise ValueError(
                f"labels has no entry for {len(missing)} customers, e.g. "
                f"{list(missing[:5])}; pass labels for every row of customers"
            )
        return labels.reindex(customers.index)
    arr = np.asarray(labels)
    if arr.ndim != 1 or len(arr) != len(customers):
        raise ValueError(
            f"labels has shape {arr.shape} but customers has {len(customers)} rows"
        )
    return pd.Series(arr, index=customers.index, name="cluster")


def _is_binary(col: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(col):
        return True
    if not pd.api.types.is_numeric_dtype(col):
        return False
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiu":  # numpy: no hash table
        values = col.to_numpy()
        present = ~np.isnan(values) if col.dtype.kind == "f" else np.ones(len(values), bool)
        binary = (values == 0) | (values == 1)
        return bool(present.any() and binary[present].all())
    values = col.dropna().unique()
    return len(values) > 0 and set(np.asarray(values, dtype=float).tolist()) <= {0.0, 1.0}


def profile_clusters(
    customers: pd.DataFrame,
    labels,
    *,
    sort_by: str | None = "gross_revenue",
    features: Sequence[str] | None = None,
    shares: str = "within",
) -> pd.DataFrame:
    """Describe each cluster: size, share of the base, feature means and shares.

    Paper B's Tables 9-14: one row per cluster with ``customers`` (the count),
    ``share`` (of all clustered customers, 0-1), the mean of every numeric
    feature and, for binary features (bools or 0/1 columns), the share of the
    cluster's customers that have it, as ``<feature>_share``. Rows labelled
    -1 (left out by ``nan_policy="omit"``) are not counted.

    Parameters
    ----------
    customers : DataFrame
        One row per customer, e.g. from :func:`customer_features` (not
        scaled: profiles speak in euros and days).
    labels : Series, array, KMeansResult or fitted KMeans
        Cluster of every customer (a Series is aligned on customers.index).
    sort_by : str or None
        Column to sort by, descending (most valuable first); None keeps the
        cluster order. Binary features are named ``<feature>_share``.
    features : list of str, optional
        Columns to describe; default every numeric or bool column.
    shares : {"within", "of_total", "both"}, default "within"
        How to read a binary feature's percentage. ``"within"``: the share of
        the cluster's customers that have it (``<feature>_share``).
        ``"of_total"``: the cluster's share of all clustered customers that
        have it (``<feature>_of_total``; each such column sums to 1 over the
        clusters), the reading of Paper B's text ("holds approximately 12% of
        the total customers located in the northern region"). ``"both"``: the
        two columns side by side. A feature no clustered customer has gets 0
        in every cluster.

    Returns
    -------
    DataFrame indexed by ``cluster``.

    Examples
    --------
    >>> import pandas as pd, segment as sg
    >>> customers = pd.DataFrame({"gross_revenue": [10.0, 20.0, 300.0, 500.0],
    ...                           "business": [0, 1, 1, 1]})
    >>> sg.profile_clusters(customers, [0, 0, 1, 1])
             customers  share  gross_revenue  business_share
    cluster
    1                2    0.5          400.0             1.0
    0                2    0.5           15.0             0.5
    >>> sg.profile_clusters(customers, [0, 0, 1, 1], shares="of_total")
             customers  share  gross_revenue  business_of_total
    cluster
    1                2    0.5          400.0           0.666667
    0                2    0.5           15.0           0.333333
    """
    if not isinstance(customers, pd.DataFrame):
        raise TypeError(f"customers must be a DataFrame, got {type(customers).__name__}")
    if shares not in ("within", "of_total", "both"):
        raise ValueError(f'shares must be "within", "of_total" or "both", got {shares!r}')
    lab = _labels_for(customers, labels)
    if features is None:
        features = [
            c for c in customers.columns
            if pd.api.types.is_numeric_dtype(customers[c]) or pd.api.types.is_bool_dtype(
                customers[c])
        ]
    else:
        features = list(features)
        missing = [c for c in features if c not in customers.columns]
        if missing:
            raise KeyError(f"features {missing} are not columns of customers "
                           f"(it has {list(customers.columns)})")
    keep = lab.notna() & (lab != -1)
    if keep.all():  # no row to drop: skip the copy
        data, groups = customers[features], lab
    else:
        data, groups = customers.loc[keep, features], lab[keep]
    if groups.empty:
        raise ValueError("no customer has a cluster label (all are -1 or missing)")
    binary = [c for c in features if _is_binary(customers[c])]
    grouped = data.astype(float).groupby(groups.to_numpy())
    means = grouped.mean()
    sums = grouped.sum()
    columns = {}
    for c in features:
        if c not in binary:
            columns[c] = means[c]
            continue
        if shares in ("within", "both"):
            columns[f"{c}_share"] = means[c]
        if shares in ("of_total", "both"):
            total = sums[c].sum()  # 0 when nobody has it: every cluster holds 0 of them
            columns[f"{c}_of_total"] = sums[c] / total if total > 0 else sums[c] * 0.0
    means = pd.DataFrame(columns, index=means.index)
    counts = groups.value_counts().sort_index()
    table = pd.concat(
        [counts.rename("customers"), (counts / counts.sum()).rename("share"), means], axis=1
    )
    table.index.name = "cluster"
    if sort_by is not None:
        if sort_by not in table.columns:
            raise KeyError(
                f"sort_by={sort_by!r} is not a profile column; choose one of "
                f"{list(table.columns)}"
            )
        table = table.sort_values(sort_by, ascending=False, kind="stable")
    table.attrs["binary"] = binary
    table.attrs["omitted"] = int((~keep).sum())
    return table


def most_valuable(
    sweep: SweepResult,
    customers: pd.DataFrame,
    *,
    by: str = "gross_revenue",
    k: Sequence[int] | None = None,
) -> pd.DataFrame:
    """The most valuable cluster of each K: Paper B's Table 16.

    For every K of the sweep (or those given), the cluster with the highest
    mean ``by``: its size, share of the base, mean value, and the silhouette
    of that K's clustering. Rows are named ``Program 1``, ``Program 2``, ...
    in K order, the aliases Paper B showed to managers.

    Returns
    -------
    DataFrame indexed by ``alias`` with columns k, cluster, customers, share,
    ``by`` and silhouette.
    """
    if not isinstance(sweep, SweepResult):
        raise TypeError(f"sweep must be a SweepResult from k_sweep, got {type(sweep).__name__}")
    if by not in customers.columns:
        raise KeyError(f"by={by!r} is not a column of customers")
    ks = list(sweep.models) if k is None else list(k)
    rows = []
    for kk in ks:
        if kk not in sweep.models:
            raise ValueError(f"K={kk} is not part of the sweep ({list(sweep.models)})")
        prof = profile_clusters(customers, sweep.models[kk].labels, sort_by=by, features=[by])
        top = prof.iloc[0]
        rows.append(
            {
                "k": kk,
                "cluster": prof.index[0],
                "customers": int(top["customers"]),
                "share": float(top["share"]),
                by: float(top[by]),
                "silhouette": float(sweep.table.loc[kk, "silhouette"]),
            }
        )
    table = pd.DataFrame(rows, index=pd.Index(
        [f"Program {i + 1}" for i in range(len(rows))], name="alias"))
    return table


def compare_feature_sets(
    customers: pd.DataFrame,
    feature_sets: Mapping[str, Sequence[str]],
    *,
    k=range(2, 11),
    n_init="auto",
    random_state=None,
    sample_size: int | None = None,
    n_threads: int | None = None,
    scale: bool = True,
) -> pd.DataFrame:
    """Silhouette per K for several feature sets: Paper B's Table 23.

    Each set's columns are min-max scaled (``scale=True``) and swept with
    :func:`k_sweep` (``n_init``, ``random_state``, ``sample_size`` and
    ``n_threads`` are passed on). With two sets, ``difference_%`` is
    ``(first - second) / second * 100``, as in Table 23; the last rows are the
    total and the average over K.

    Examples
    --------
    >>> import numpy as np, pandas as pd, segment as sg
    >>> rng = np.random.default_rng(0)
    >>> c = pd.DataFrame(rng.random((200, 3)), columns=["a", "b", "c"])
    >>> t = sg.compare_feature_sets(c, {"ab": ["a", "b"], "abc": ["a", "b", "c"]},
    ...                             k=[2, 3], random_state=0)
    >>> list(t.columns), list(t.index)
    (['ab', 'abc', 'difference_%'], [2, 3, 'total', 'average'])
    """
    from segment.preprocessing import minmax_scale

    if not isinstance(feature_sets, Mapping) or not feature_sets:
        raise TypeError("feature_sets must be a non-empty dict of name -> list of columns")
    columns = {}
    for name, cols in feature_sets.items():
        cols = list(cols)
        missing = [c for c in cols if c not in customers.columns]
        if missing:
            raise KeyError(f"feature set {name!r}: columns {missing} are not in customers")
        X = customers[cols]
        if scale:
            X = minmax_scale(X)
        sweep = k_sweep(X, k=k, n_init=n_init, random_state=random_state,
                        sample_size=sample_size, n_threads=n_threads, progress=False)
        columns[name] = sweep.table["silhouette"]
    table = pd.DataFrame(columns)
    table.index.name = "k"
    if len(columns) == 2:
        first, second = list(columns)
        table["difference_%"] = (table[first] - table[second]) / table[second] * 100.0
    total = table[list(columns)].sum()
    average = table.mean()
    summary = pd.DataFrame([total, average], index=["total", "average"])
    return pd.concat([table, summary])


def rank_segments(
    candidates: pd.DataFrame,
    *,
    criteria: Mapping[str, str] | None = None,
    weights="entropy",
    v: float = 0.5,
):
    """Rank candidate segments (e.g. loyalty programs) with VIKOR.

    Paper B's managers chose between the most valuable clusters of K = 4, 5, 6
    (Table 16) by a vote; this applies Paper A's method instead. By default
    the criteria are the segment's size (``customers``, a cost: a smaller
    program is cheaper to run), its value (the column after ``share``, e.g.
    gross revenue, a benefit) and the clustering's silhouette (a benefit).

    Parameters
    ----------
    candidates : DataFrame
        One row per candidate, e.g. from :func:`most_valuable`.
    criteria : dict of column -> "benefit" or "cost", optional
    weights : "entropy", "critic", "std", "equal", or weights per criterion
    v : float
        Weight of group utility in VIKOR's Q.

    Returns
    -------
    VikorResult
        Labelled by the candidates' index.
    """
    from segment.ranking import vikor
    from segment.weights import critic_weights, entropy_weights, equal_weights, std_weights

    if criteria is None:
        value = [c for c in candidates.columns
                 if c not in ("k", "cluster", "customers", "share", "silhouette")]
        if len(value) != 1:
            raise ValueError(
                "pass criteria={column: 'benefit' | 'cost'}: could not tell the value column "
                f"among {list(candidates.columns)}"
            )
        criteria = {"customers": "cost", value[0]: "benefit", "silhouette": "benefit"}
    missing = [c for c in criteria if c not in candidates.columns]
    if missing:
        raise KeyError(f"criteria {missing} are not columns of candidates")
    matrix = candidates[list(criteria)].astype(float)
    types = [criteria[c] for c in criteria]
    if isinstance(weights, str):
        funcs = {
            "entropy": entropy_weights,
            "critic": lambda m: critic_weights(m, types=types),
            "std": std_weights,
            "equal": equal_weights,
        }
        if weights not in funcs:
            raise ValueError(f"weights must be one of {list(funcs)} or numbers, got {weights!r}")
        weights = funcs[weights](matrix)
    return vikor(matrix, weights, v=v, types=types)
