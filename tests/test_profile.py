"""Cluster profiles, the most valuable cluster per K, feature-set comparison."""

import numpy as np
import pandas as pd
import pytest

import segment as sg


@pytest.fixture(scope="module")
def customers():
    rng = np.random.default_rng(0)
    n = 600
    return pd.DataFrame(
        {
            "gross_revenue": rng.lognormal(7, 1, n),
            "frequency": rng.poisson(1.0, n),
            "business": rng.random(n) < 0.3,
            "north_region": (rng.random(n) < 0.5).astype(int),
        },
        index=pd.Index([f"C{i:04d}" for i in range(n)], name="customer_id"),
    )


def test_profile_matches_a_plain_groupby(customers):
    labels = np.arange(len(customers)) % 3
    labels[:7] = -1  # omitted rows are not counted
    prof = sg.profile_clusters(customers, labels)
    keep = labels >= 0
    frame = customers[keep].assign(c=labels[keep])
    expected_rev = frame.groupby("c")["gross_revenue"].mean()
    assert prof["gross_revenue"].to_dict() == pytest.approx(expected_rev.to_dict())
    assert prof["business_share"].to_dict() == pytest.approx(
        frame.groupby("c")["business"].mean().to_dict())
    assert prof["north_region_share"].to_dict() == pytest.approx(
        frame.groupby("c")["north_region"].mean().to_dict())
    assert prof["customers"].sum() == keep.sum() and prof.attrs["omitted"] == 7
    assert prof["share"].sum() == pytest.approx(1.0)
    assert list(prof["gross_revenue"]) == sorted(prof["gross_revenue"], reverse=True)


def test_profile_aligns_a_series_on_the_index(customers):
    labels = pd.Series(np.arange(len(customers)) % 2, index=customers.index)
    shuffled = labels.sample(frac=1.0, random_state=0)
    a = sg.profile_clusters(customers, labels, sort_by=None)
    b = sg.profile_clusters(customers, shuffled, sort_by=None)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="no entry for 1 customers"):
        sg.profile_clusters(customers, labels.iloc[1:])
    with pytest.raises(KeyError, match="sort_by='value'"):
        sg.profile_clusters(customers, labels, sort_by="value")
    with pytest.raises(ValueError, match="shape"):
        sg.profile_clusters(customers, [0, 1])


def test_most_valuable_and_rank_segments(customers):
    X = sg.minmax_scale(customers[["gross_revenue", "frequency"]])
    sweep = sg.k_sweep(X, k=[2, 3, 4], random_state=0)
    table = sg.most_valuable(sweep, customers, by="gross_revenue")
    assert list(table.index) == ["Program 1", "Program 2", "Program 3"]
    for _, row in table.iterrows():
        labels = np.asarray(sweep.models[row["k"]].labels)
        means = customers["gross_revenue"].groupby(labels).mean()
        assert row["cluster"] == means.idxmax()
        assert row["gross_revenue"] == pytest.approx(means.max())
        assert row["customers"] == (labels == row["cluster"]).sum()
        assert row["silhouette"] == sweep.table.loc[row["k"], "silhouette"]
    ranked = sg.rank_segments(table)
    matrix = table[["customers", "gross_revenue", "silhouette"]].astype(float)
    direct = sg.vikor(matrix, sg.entropy_weights(matrix), types=["cost", "benefit", "benefit"])
    assert list(ranked.ranking) == list(direct.ranking)
    np.testing.assert_allclose(ranked.Q.to_numpy(), direct.Q.to_numpy())


def test_compare_feature_sets_formula(customers):
    sets = {"two": ["gross_revenue", "frequency"], "one": ["gross_revenue"]}
    table = sg.compare_feature_sets(customers, sets, k=[2, 3], random_state=0)
    for k in (2, 3):
        for name, cols in sets.items():
            sweep = sg.k_sweep(sg.minmax_scale(customers[cols]), k=[k], random_state=0)
            assert table.loc[k, name] == pytest.approx(sweep.table.loc[k, "silhouette"])
        # Paper B, Table 23: (multi - rfm) / rfm * 100
        assert table.loc[k, "difference_%"] == pytest.approx(
            (table.loc[k, "two"] - table.loc[k, "one"]) / table.loc[k, "one"] * 100)
    assert table.loc["total", "two"] == pytest.approx(table.loc[[2, 3], "two"].sum())
    with pytest.raises(KeyError, match="not in customers"):
        sg.compare_feature_sets(customers, {"x": ["nope"]}, k=[2])


def test_binary_columns_by_dtype_and_labels_aligned_by_index():
    # which columns count as binary (0/1 or bool: "<feature>_share"), decided per dtype;
    # the expected names follow the documented rule, the values plain numpy means
    nan = np.nan
    frame = pd.DataFrame(
        {
            "f01_nan": [0.0, 1.0, nan, 1.0, 0.0, 1.0],
            "f_two": [0.0, 1.0, 2.0, 1.0, 0.0, 1.0],
            "f_inf": [0.0, 1.0, np.inf, 1.0, 0.0, 1.0],
            "f_all_nan": [nan] * 6,
            "i01": np.array([0, 1, 1, 0, 0, 1], dtype=np.int64),
            "u8_zero": np.zeros(6, dtype=np.uint8),
            "i_neg": np.array([0, -1, 1, 0, 0, 1], dtype=np.int32),
            "b": [True, False, True, True, False, False],
            "nullable": pd.array([0, 1, None, 1, 0, 1], dtype="Int64"),
        },
        index=pd.Index([f"C{i}" for i in range(6)], name="customer_id"),
    )
    labels = np.array([0, 0, 0, 1, 1, 1])
    prof = sg.profile_clusters(frame, labels, sort_by=None)
    binary = {"f01_nan", "i01", "u8_zero", "b", "nullable"}
    expected = [f"{c}_share" if c in binary else c for c in frame.columns]
    assert list(prof.columns) == ["customers", "share", *expected]
    for c in frame.columns:
        values = frame[c].to_numpy(dtype=float, na_value=nan)
        for k in (0, 1):
            got = prof.loc[k, f"{c}_share" if c in binary else c]
            want = values[labels == k]
            want = want[~np.isnan(want)].mean() if (~np.isnan(want)).any() else nan
            assert got == pytest.approx(want, nan_ok=True), (c, k)
    # a Series of labels is aligned on the index, whatever its order
    series = pd.Series(labels, index=frame.index)
    shuffled = series.iloc[[5, 3, 1, 0, 2, 4]]
    pd.testing.assert_frame_equal(sg.profile_clusters(frame, series, sort_by=None), prof)
    pd.testing.assert_frame_equal(sg.profile_clusters(frame, shuffled, sort_by=None), prof)
