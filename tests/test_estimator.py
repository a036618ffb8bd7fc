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
