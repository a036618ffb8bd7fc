"""plot_path_model draws Paper A's Figure 1 from a real pls_sem result."""

import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import segment as sg  # noqa: E402
from segment.datasets import make_survey  # noqa: E402
from segment.plotting import plot_path_model, significance_stars  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    answers, model = make_survey(384, random_state=0, return_model=True)
    res = sg.pls_sem(answers, model.measurement, model.structural)
    return res, res.bootstrap(200, random_state=0), model


def _stars(p):  # the convention, written out: p < .05 *, < .01 **, < .001 ***
    return "***" if p < 0.001 else ("**" if p < 0.01 else ("*" if p < 0.05 else ""))


def test_diagram_labels(fitted):
    res, boot, model = fitted
    fig, ax = plt.subplots()
    assert plot_path_model(res, bootstrap=boot, ax=ax) is ax
    texts = [t.get_text() for t in ax.texts]
    joined = " ".join(t.replace("\n", " ") for t in texts)
    for construct in model.measurement:
        assert construct in joined
    endo = "Ethical behavioral factors"
    r2 = res.r_squared.loc[endo, "r2"]
    assert f"R² = {r2:.2f}" in joined
    for (a, b), p in boot.paths["p"].items():
        assert f"{res.path_coef.loc[a, b]:.2f}{_stars(p)}" in texts
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == len(model.structural) == 3
    assert len(ax.patches) == 4  # one ellipse per construct
    fig.canvas.draw()
    plt.close(fig)


def test_items_and_no_bootstrap(fitted):
    res, _, model = fitted
    ax = plot_path_model(res, items=True, digits=3)
    texts = [t.get_text() for t in ax.texts]
    assert "Quality" in texts and "Leasing" in texts
    assert f"{res.outer_loadings.loc['Quality', 'Ethical behavioral factors']:.3f}" in texts
    # no bootstrap: coefficients without stars
    a, b = model.structural[0]
    assert f"{res.path_coef.loc[a, b]:.3f}" in texts
    plt.close(ax.figure)


def test_string_index_bootstrap_and_chain_layout():
    # A hand-built result with a chain A -> B -> C and a bootstrap table indexed
    # "from -> to": the two layouts the diagram accepts.
    names = ["A", "B", "C"]
    path = pd.DataFrame(0.0, index=names, columns=names)
    path.loc["A", "B"], path.loc["B", "C"] = 0.5, -0.2
    res = types.SimpleNamespace(
        path_coef=path, r_squared=pd.DataFrame({"r2": [0.25, 0.04]}, index=["B", "C"])
    )
    boot = types.SimpleNamespace(
        paths=pd.DataFrame({"p": [0.004, 0.2]}, index=["A -> B", "B -> C"])
    )
    ax = plot_path_model(res, bootstrap=boot)
    texts = [t.get_text() for t in ax.texts]
    assert "0.50**" in texts and "-0.20" in texts
    xs = {t.get_text().split("\n")[0]: t.get_position()[0] for t in ax.texts}
    assert xs["A"] < xs["B"] < xs["C"]
    plt.close(ax.figure)


@pytest.mark.parametrize(
    "p, stars",
    [
        (0.0009, "***"),
        (0.001, "**"),
        (0.0099, "**"),
        (0.01, "*"),
        (0.049, "*"),
        (0.05, ""),
        (float("nan"), ""),
    ],
)
def test_significance_stars(p, stars):
    assert significance_stars(p) == stars
