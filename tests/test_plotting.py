"""Plots draw what they say, return their Axes, and accept an ax."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import segment as sg  # noqa: E402
from segment import plotting  # noqa: E402


@pytest.fixture(scope="module")
def sweep_data():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.3, size=(80, 2)) for c in ((0, 0), (3, 0), (0, 3))])
    return X, sg.k_sweep(X, k=range(2, 6), random_state=0)


def test_plot_k_sweep(sweep_data):
    X, sweep = sweep_data
    fig, ax = plt.subplots()
    out = plotting.plot_k_sweep(sweep, ax=ax)
    assert out is ax
    x, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(x, [2, 3, 4, 5])
    np.testing.assert_allclose(y, sweep.table["silhouette"])
    assert ax.lines[1].get_xdata()[0] == sweep.best_k == 3  # the marker line
    plt.close(fig)


def test_plot_silhouette_bands(sweep_data):
    X, sweep = sweep_data
    labels = sweep.models[3].labels
    ax = plotting.plot_silhouette(X, labels)
    assert len(ax.collections) == 3  # one band per cluster
    mean_line = ax.lines[0].get_xdata()[0]
    assert mean_line == pytest.approx(sg.silhouette_score(X, labels))
    plt.close(ax.figure)


def test_plot_profile_and_vikor_and_heatmap(sweep_data):
    X, sweep = sweep_data
    import pandas as pd

    customers = pd.DataFrame(X, columns=["a", "b"])
    prof = sg.profile_clusters(customers, sweep.models[3].labels, sort_by="a")
    ax = plotting.plot_profile(prof)
    assert len(ax.patches) == 3 * 2  # clusters x features
    assert max(p.get_height() for p in ax.patches) == pytest.approx(1.0)
    plt.close(ax.figure)
    experts = sg.datasets.load_iot_experts()
    w = sg.entropy_weights(experts.matrix)
    ax = plotting.plot_vikor_q(sg.vikor_sensitivity(experts.matrix, w))
    assert len(ax.lines) == 9
    plt.close(ax.figure)
    ws = sg.vikor_weight_sensitivity(experts.matrix, w, n_samples=500, random_state=0)
    ax = plotting.plot_weight_sensitivity(ws)
    np.testing.assert_allclose(ax.images[0].get_array(), ws.filter(like="rank_").to_numpy())
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="rank_1"):
        plotting.plot_weight_sensitivity(ws[["compromise"]])
