"""segment.KMeans follows scikit-learn's estimator contract (checked by sklearn)."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError as SKNotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import segment as sg

# scikit-learn marks this very check as an expected failure for its own KMeans
# (sklearn/utils/_test_common/instance_generator.py): k-means++ draws seeds by
# weight, so weights are not the same random stream as repeated rows.
EXPECTED_FAILED = {
    "check_sample_weight_equivalence_on_dense_data": (
        "sample_weight is not equivalent to removing/repeating samples (as in sklearn's KMeans)"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "sample_weight is not equivalent to removing/repeating samples (as in sklearn's KMeans)"
    ),
}


def test_sklearn_check_estimator_passes():
    results = check_estimator(
        sg.KMeans(n_init=2, n_clusters=2, max_iter=5),
        expected_failed_checks=EXPECTED_FAILED,
        on_fail=None,
    )
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    assert not failed, failed
    assert sum(r["status"] == "passed" for r in results) >= 45


def test_segment_does_not_import_sklearn():
    code = "import sys, segment as sg, numpy as np; sg.KMeans(2).fit(np.eye(4)); " \
           "print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_attributes_match_sklearn():
    X, _ = make_blobs(500, n_features=4, centers=3, random_state=0)
    init = X[:3]
    ours = sg.KMeans(3, init=init, n_init=1).fit(X)
    theirs = SKKMeans(3, init=init, n_init=1).fit(X)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.n_features_in_ == theirs.n_features_in_ == 4
    np.testing.assert_array_equal(ours.predict(X[:50]), theirs.predict(X[:50]))
    np.testing.assert_allclose(ours.transform(X[:50]), theirs.transform(X[:50]), rtol=1e-10)
    assert ours.score(X) == pytest.approx(theirs.score(X), rel=1e-10)
    w = np.linspace(0.5, 2, len(X))
    assert ours.score(X, sample_weight=w) == pytest.approx(
        theirs.score(X, sample_weight=w), rel=1e-10
    )


def test_feature_names_in_from_dataframe():
    import pandas as pd

    X = pd.DataFrame(np.random.default_rng(0).normal(size=(30, 3)), columns=["r", "f", "m"])
    km = sg.KMeans(2, random_state=0).fit(X)
    assert list(km.feature_names_in_) == ["r", "f", "m"]
    assert isinstance(km.result_.labels, pd.Series)
    km.fit(X.to_numpy())
    assert not hasattr(km, "feature_names_in_")


def test_pipeline_clone_pickle():
    X, _ = make_blobs(300, n_features=3, centers=3, random_state=2)
    pipe = make_pipeline(StandardScaler(), sg.KMeans(3, random_state=0)).fit(X)
    labels = pipe.predict(X)
    again = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(again.predict(X), labels)
    cloned = clone(pipe)
    assert not hasattr(cloned[-1], "cluster_centers_")
    np.testing.assert_array_equal(cloned.fit(X).predict(X), labels)


def test_get_set_params():
    km = sg.KMeans(4, tol=1e-3)
    params = km.get_params()
    assert params["n_clusters"] == 4 and params["tol"] == 1e-3
    assert km.set_params(n_clusters=5) is km and km.n_clusters == 5
    with pytest.raises(ValueError, match="Invalid parameter 'k'"):
        km.set_params(k=3)
    assert repr(km) == "KMeans(n_clusters=5, tol=0.001)"


def test_unfitted_raises_both_not_fitted_errors():
    with pytest.raises(sg.NotFittedError):
        sg.KMeans().predict(np.eye(3))
    with pytest.raises(SKNotFittedError):
        sg.KMeans().transform(np.eye(3))


def test_predict_wrong_feature_count():
    km = sg.KMeans(2, random_state=0).fit(np.random.default_rng(0).normal(size=(10, 3)))
    with pytest.raises(ValueError, match="X has 2 features, but KMeans is expecting 3"):
        km.predict(np.zeros((4, 2)))


# -- column names at predict time (issue 13: a reordered frame gave other labels) --


def _frame_fit():
    import pandas as pd

    X, _ = make_blobs(600, n_features=3, centers=4, random_state=3)
    df = pd.DataFrame(X, columns=["recency", "frequency", "revenue"])
    return df, sg.KMeans(4, random_state=0).fit(df), SKKMeans(4, random_state=0, n_init=1).fit(df)


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_reordered_columns_are_refused_like_sklearn(method):
    df, km, sk = _frame_fit()
    shuffled = df[["revenue", "recency", "frequency"]]
    with pytest.raises(ValueError, match="feature names") as ours:
        getattr(km, method)(shuffled)
    with pytest.raises(ValueError, match="feature names"):  # the reference refuses too
        getattr(sk, method)(shuffled)
    assert "same order" in str(ours.value)
    # in the fitted order, the same frame works and gives the fit's labels
    assert (km.predict(shuffled[list(km.feature_names_in_)]) == km.labels_).all()


def test_renamed_columns_name_the_unseen_and_missing():
    df, km, _ = _frame_fit()
    other = df.rename(columns={"revenue": "monetary"})
    with pytest.raises(ValueError, match="unseen at fit time: \\['monetary'\\]") as err:
        km.predict(other)
    assert "now missing: ['revenue']" in str(err.value)


@pytest.mark.parametrize("fit_on_frame", [True, False])
def test_names_on_one_side_only_warn_like_sklearn(fit_on_frame):
    df, km, sk = _frame_fit()
    if not fit_on_frame:
        km, sk = sg.KMeans(4, random_state=0).fit(df.to_numpy()), SKKMeans(4).fit(df.to_numpy())
    other = df.to_numpy() if fit_on_frame else df
    with pytest.warns(UserWarning) as ours:
        km.predict(other)
    with pytest.warns(UserWarning) as theirs:
        sk.predict(other)
    assert str(ours[0].message) == str(theirs[0].message)


def test_dask_kmeans_refuses_reordered_columns():
    import segment.dask as sgd  # dask is in the test extra: never skipped

    df, _, _ = _frame_fit()
    km = sgd.KMeans(4, random_state=0).fit(df)
    with pytest.raises(ValueError, match="same order"):
        km.predict(df[["revenue", "recency", "frequency"]])


# -- scikit-learn parity of the estimator (issue 13) --


def test_verbose_prints_sklearn_lines_and_gives_the_same_fit(capsys):
    X, _ = make_blobs(3000, n_features=4, centers=5, cluster_std=3.0, random_state=1)
    for tol, init in [(0.0, "k-means++"), (1e-2, "k-means++"), (1e-4, "random")]:
        quiet = sg.KMeans(5, tol=tol, init=init, random_state=3).fit(X)
        loud = sg.KMeans(5, tol=tol, init=init, random_state=3, verbose=1).fit(X)
        out = capsys.readouterr().out
        assert "Initialization complete" in out and "Iteration 0, inertia" in out
        assert ("strict convergence" in out) or ("within tolerance" in out)
        np.testing.assert_array_equal(loud.labels_, quiet.labels_)
        np.testing.assert_allclose(loud.cluster_centers_, quiet.cluster_centers_, rtol=1e-12)
        assert loud.n_iter_ == quiet.n_iter_
        assert loud.inertia_ == pytest.approx(quiet.inertia_, rel=1e-12)


def test_verbose_inertia_is_sklearns_from_the_same_centres(capsys):
    X, _ = make_blobs(2000, n_features=3, centers=4, cluster_std=2.5, random_state=2)
    init = X[[0, 1, 2, 3]]
    sg.KMeans(4, init=init, n_init=1, tol=0, verbose=1).fit(X)
    ours = capsys.readouterr().out
    SKKMeans(4, init=init, n_init=1, tol=0, verbose=1).fit(X)
    theirs = capsys.readouterr().out

    def inertias(text):
        import re

        return [float(v) for v in re.findall(r"Iteration \d+, inertia ([0-9.e+-]+)\.", text)]

    a, b = inertias(ours), inertias(theirs)
    assert len(a) == len(b) > 2
    np.testing.assert_allclose(a, b, rtol=1e-9)


def test_convergence_warning_is_sklearns_class_when_sklearn_is_loaded():
    from sklearn.exceptions import ConvergenceWarning as SKConvergenceWarning

    X = np.repeat([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]], 10, axis=0)
    for category in (SKConvergenceWarning, sg.ConvergenceWarning, RuntimeWarning):
        with pytest.warns(category, match=r"Number of distinct clusters \(3\) found smaller"):
            sg.KMeans(4, random_state=0).fit(X)


def test_convergence_warning_without_sklearn_loaded():
    code = (
        "import warnings, numpy as np, segment as sg\n"
        "X = np.repeat([[0.0], [1.0]], 5, axis=0)\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    sg.kmeans(X, 3, random_state=0)\n"
        "import sys\n"
        "assert 'sklearn' not in sys.modules\n"
        "assert w[0].category is sg.ConvergenceWarning, w[0].category\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_kept_like_sklearn(dtype):
    X, _ = make_blobs(500, n_features=3, centers=3, random_state=0)
    X = X.astype(dtype)
    km = sg.KMeans(3, random_state=0).fit(X)
    sk = SKKMeans(3, random_state=0).fit(X)
    assert km.cluster_centers_.dtype == sk.cluster_centers_.dtype == dtype
    assert km.transform(X).dtype == sk.transform(X).dtype == dtype
    assert sg.kmeans(X, 3, random_state=0).centers.dtype == dtype


def test_feature_names_out_and_set_output_like_sklearn():
    import pandas as pd

    df, km, sk = _frame_fit()
    np.testing.assert_array_equal(km.get_feature_names_out(), sk.get_feature_names_out())
    km.set_output(transform="pandas")
    sk.set_output(transform="pandas")
    ours, theirs = km.transform(df.iloc[:7]), sk.transform(df.iloc[:7])
    assert isinstance(ours, pd.DataFrame)
    assert list(ours.columns) == list(theirs.columns) == [f"kmeans{i}" for i in range(4)]
    assert ours.index.equals(df.index[:7])
    with pytest.raises(ValueError, match="input_features is not equal"):
        km.get_feature_names_out(["a", "b", "c"])
    with pytest.raises(ValueError, match="set_output"):
        km.set_output(transform="xml")
    assert isinstance(km.set_output(transform="default").transform(df), np.ndarray)


def test_set_output_in_a_sklearn_pipeline():
    import pandas as pd

    df, _, _ = _frame_fit()
    pipe = make_pipeline(StandardScaler(), sg.KMeans(4, random_state=0)).set_output(
        transform="pandas"
    )
    out = pipe.fit_transform(df)
    assert isinstance(out, pd.DataFrame) and list(out.columns)[0] == "kmeans0"


def test_html_repr_shows_parameters_and_fit():
    km = sg.KMeans(3, random_state=0)
    assert "not fitted" in km._repr_html_() and "random_state" in km._repr_html_()
    X, _ = make_blobs(90, centers=3, random_state=0)
    html = km.fit(X)._repr_html_()
    assert "(fitted)" in html and "inertia" in html and "90 rows" in html


def test_random_init_draws_rows_in_proportion_to_weight():
    from segment._kmeans_fit import initial_centers

    X = np.arange(40, dtype=float).reshape(20, 2)
    w = np.zeros(20)
    w[[3, 7, 11, 15]] = [1.0, 2.0, 3.0, 4.0]
    counts = np.zeros(20)
    for seed in range(400):
        c = initial_centers("random", X, 2, w, np.random.RandomState(seed), 0)
        counts[np.flatnonzero((X[:, None, :] == c[None]).all(-1).any(1))] += 1
    assert counts[w == 0].sum() == 0  # rows without weight are never drawn
    assert counts[15] > counts[3]  # heavier rows more often
    with pytest.raises(ValueError, match="only 1 rows have a positive weight"):
        sg.kmeans(X, 2, init="random", sample_weight=np.eye(20)[0], random_state=0)


def test_n_init_auto_follows_sklearn():
    X, _ = make_blobs(200, centers=3, random_state=0)
    for init, expected in [("k-means++", 1), ("random", 10), (X[:3], 1),
                           (lambda X, k, random_state: X[:k], 10)]:
        km = sg.KMeans(3, init=init, random_state=0).fit(X)
        assert km._n_init == expected


def test_kmeans_plusplus_like_sklearn():
    from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus

    X, _ = make_blobs(5000, n_features=4, centers=6, random_state=0)
    centers, indices = sg.kmeans_plusplus(X, 6, random_state=0)
    np.testing.assert_array_equal(X[indices], centers)
    assert len(set(indices.tolist())) == 6

    def potential(c):
        return ((X[:, None, :] - c[None]) ** 2).sum(-1).min(1).sum()

    ours = np.median([potential(sg.kmeans_plusplus(X, 6, random_state=s)[0]) for s in range(15)])
    theirs = np.median([potential(sk_kmeans_plusplus(X, 6, random_state=s)[0]) for s in range(15)])
    assert ours == pytest.approx(theirs, rel=0.25)  # same greedy algorithm, other draws
    # the same seeds the fit starts from
    km = sg.KMeans(6, random_state=0, max_iter=1).fit(X)
    assert km.cluster_centers_.shape == centers.shape
    w = np.zeros(len(X))
    w[:10] = 1.0
    _, idx = sg.kmeans_plusplus(X, 5, sample_weight=w, random_state=1)
    assert (idx < 10).all()
    with pytest.raises(ValueError, match="x_squared_norms"):
        sg.kmeans_plusplus(X, 3, x_squared_norms=np.ones(3))
    with pytest.raises(ValueError, match="n_samples=5000 should be >= n_clusters=5001"):
        sg.kmeans_plusplus(X, 5001)


def test_elkan_with_one_cluster_warns_like_sklearn():
    X, _ = make_blobs(50, centers=2, random_state=0)
    with pytest.warns(RuntimeWarning, match="algorithm='elkan' doesn't make sense"):
        sg.KMeans(1, algorithm="elkan").fit(X)
