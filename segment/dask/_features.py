"""segment.dask's customer features: Paper B's rules (segment.features) on
every partition of a dask DataFrame of contracts."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from segment import features
from segment._parsing import date_value
from segment.contracts import DATE_COLUMNS

__all__ = ["customer_features"]


def _customer_rows(frame, reset: bool):
    return frame.reset_index() if reset else frame


def _partition_latest_day(frame, reset, columns, dayfirst=None):
    frame = _customer_rows(frame, reset)
    best = -np.inf
    for c in columns:
        if c in frame.columns and len(frame):
            days = features.day_numbers(features.feature_dates(frame, c, dayfirst))
            if np.isfinite(days).any():
                best = max(best, float(np.nanmax(days)))
    return pd.Series([best])


def _partition_customers(frame, reset):
    return pd.unique(_customer_rows(frame, reset)["customer_id"].to_numpy())


def _partition_features(frame, reset, as_of, options):
    return features.customer_features(_customer_rows(frame, reset), as_of=as_of, **options)


def customer_features(contracts, *, as_of=None, check_partitions=True, **options):
    """Paper B's per-customer features from a dask DataFrame of contracts.

    The rules of :func:`segment.customer_features` (Table 7 and the RFM
    baseline) run on every partition; that is exact when every customer's
    contracts lie in one partition: a dask DataFrame indexed by
    ``customer_id`` with known divisions (``contracts.set_index("customer_id")``)
    is; otherwise ``check_partitions`` verifies it (one pass over the
    ``customer_id`` column) and raises if a customer spans partitions
    (``contracts.shuffle(on="customer_id")`` fixes that).

    Parameters
    ----------
    contracts : dask DataFrame
        Clean contract rows in the canonical schema, with a ``customer_id``
        column or index.
    as_of : date-like, optional
        The extraction date; default the latest date in the data, taken over
        all partitions first (one pass), so every partition uses the same.
    check_partitions : bool
        Verify that no customer spans two partitions (skipped when the index
        is ``customer_id`` with known divisions).
    **options
        region_map, north, direct_debit, business, days_per_month, features,
        dayfirst: as for :func:`segment.customer_features`.

    Returns
    -------
    dask DataFrame
        Indexed by ``customer_id`` (sorted within each partition), one column
        per feature; partitions follow the input's.
    """
    if isinstance(contracts, pd.DataFrame):
        return features.customer_features(contracts, as_of=as_of, **options)
    if not isinstance(contracts, dd.DataFrame):
        raise TypeError(
            f"contracts must be a dask DataFrame, got {type(contracts).__name__}"
        )
    allowed = {"region_map", "north", "direct_debit", "business", "days_per_month", "features",
               "dayfirst"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TypeError(f"customer_features got unexpected keyword arguments {unknown}")
    reset = contracts.index.name == "customer_id" and "customer_id" not in contracts.columns
    if not reset and "customer_id" not in contracts.columns:
        raise ValueError(
            "contracts has no column or index customer_id; load it with "
            "load_contracts(..., columns=...) or rename the customer column"
        )
    # Each customer in one partition for sure: indexed by customer with divisions.
    guaranteed = reset and contracts.known_divisions
    if as_of is not None:  # refused here, not in every partition (never guessed: 12/07/2022)
        as_of = date_value(as_of, options.get("dayfirst"))
    # Validate the options and columns on the (empty) meta: bad names fail here.
    meta = _customer_rows(contracts._meta, reset)
    out_meta = features.customer_features(meta, as_of="2000-01-01", **options)
    if as_of is None:
        names = options.get("features")
        names = list(out_meta.columns) if names is None else names
        names = [names] if isinstance(names, str) else list(names)
        needed = {c for f in names for c in features.FEATURE_INPUTS.get(f, ())}
        date_cols = [c for c in DATE_COLUMNS if c in needed]
        latest = (
            contracts.map_partitions(
                _partition_latest_day, reset, date_cols, options.get("dayfirst"),
                meta=pd.Series(dtype=np.float64),
            )
            .max()
            .compute()
        )
        if not np.isfinite(latest):
            raise ValueError("contracts has no dates to take as_of from; pass as_of=")
        as_of = str(np.datetime64(int(latest), "D"))
    if check_partitions and not guaranteed and contracts.npartitions > 1:
        ids = dask.compute(
            *[dask.delayed(_partition_customers)(p, reset) for p in contracts.to_delayed()]
        )
        seen = pd.Series(np.concatenate(ids)).value_counts()
        spans = seen[seen > 1]
        if len(spans):
            raise ValueError(
                f"customers {spans.index[:10].tolist()} have contracts in more than one "
                "partition, so their features would be split; repartition by customer first: "
                'contracts.set_index("customer_id") or contracts.shuffle(on="customer_id")'
            )
    # Indexed by customer with divisions: the output keeps them (same customers
    # per partition); otherwise the output's divisions are unknown.
    return contracts.map_partitions(
        _partition_features,
        reset,
        as_of,
        options,
        meta=out_meta,
        clear_divisions=not guaranteed,
    )

