"""Tests for segment.datasets.make_survey and survey_model (Paper A's questionnaire).

The population values are computed here independently of the module: the model is
rebuilt from Paper A's printed Table 6 and text, the thresholds are solved with
scipy, and the population covariance of the five-point answers is integrated from
scipy's bivariate normal distribution (the answers are cuts of correlated normals).
"""

import json

import numpy as np
import pandas as pd
import pytest

import segment as sg
from segment.datasets import SurveyModel, list_datasets, make_survey, survey_model

stats = pytest.importorskip("scipy.stats", reason="scipy computes the population values")
optimize = pytest.importorskip("scipy.optimize", reason="scipy solves the thresholds")

# Paper A (shared/papers/000_f1a0d5c5b1855d12.txt), Table 6 "Exploratory factor
# analysis": main cluster -> sub cluster (item) -> load factor.
PAPER_TABLE6 = {
    "Communication factors": [
        ("Service usage", 0.783),
        ("Revisit rate", 0.791),
        ("Extent of communication with the company", 0.811),
        ("Suggestions", 0.701),
        ("Shopping rate", 0.743),
    ],
    "Ethical behavioral factors": [
        ("Quality", 0.891),
        ("Advise others", 0.755),
        ("Service functions", 0.716),
        ("Shopping experience", 0.734),
        ("Advertising", 0.793),
        ("Service support", 0.831),
    ],
    "Individual factors": [
        ("Age", 0.740),
        ("Sex", 0.794),
        ("Level of education", 0.843),
        ("Modern lifestyle", 0.729),
    ],
    "Economic factors": [
        ("Service prices", 0.732),
        ("Income level", 0.766),
        ("Job", 0.825),
        ("Sales discounts", 0.866),
        ("Selling on credit", 0.840),
        ("Leasing", 0.748),
    ],
}
# Paper A's text: "the average communication factors are 4.22 ..., economic 3.77,
# ethical behavioral 3.98 and individual 4.15"; R^2 0.790; Cronbach's alpha 0.86.
PAPER_MEANS = {
    "Communication factors": 4.22,
    "Ethical behavioral factors": 3.98,
    "Individual factors": 4.15,
    "Economic factors": 3.77,
}
ITEMS = [i for rows in PAPER_TABLE6.values() for i, _ in rows]
OWNER = [c for c, rows in PAPER_TABLE6.items() for _ in rows]
LOADINGS = np.array([lam for rows in PAPER_TABLE6.values() for _, lam in rows])
EXOGENOUS = ["Communication factors", "Individual factors", "Economic factors"]
BASE = np.array([-1.5, -0.5, 0.5, 1.5])


def _shift(mean):
    return optimize.brentq(lambda s: 1 + stats.norm.cdf(s - BASE).sum() - mean, -5, 5, xtol=1e-14)


def _population():
    """Thresholds, latent correlations and the covariance of the 1..5 answers."""
    b = np.array([0.50, 0.40, 0.45])
    b = b * np.sqrt(0.79 / (b @ b))
    names = list(PAPER_TABLE6)
    phi = np.eye(4)
    for x, bx in zip(EXOGENOUS, b, strict=True):
        i, j = names.index(x), names.index("Ethical behavioral factors")
        phi[i, j] = phi[j, i] = bx
    own = [names.index(c) for c in OWNER]
    r = LOADINGS[:, None] * phi[np.ix_(own, own)] * LOADINGS[None, :]
    np.fill_diagonal(r, 1.0)
    taus = np.array([BASE - _shift(PAPER_MEANS[c]) for c in OWNER])
    values = np.arange(1, 6)
    edges = [np.r_[-np.inf, t, np.inf] for t in taus]
    probs = np.array([np.diff(stats.norm.cdf(e)) for e in edges])
    mean = probs @ values
    cov = np.diag(probs @ values**2 - mean**2)
    k = len(ITEMS)
    for i in range(k):
        for j in range(i):
            # P(answer_i <= a, answer_j <= b) on the 4 x 4 inner cut points
            grid = np.array([[ti, tj] for ti in taus[i] for tj in taus[j]])
            bvn = stats.multivariate_normal([0, 0], [[1, r[i, j]], [r[i, j], 1]])
            joint = np.zeros((6, 6))
            joint[1:5, 1:5] = bvn.cdf(grid).reshape(4, 4)
            joint[5, 1:5] = stats.norm.cdf(taus[j])
            joint[1:5, 5] = stats.norm.cdf(taus[i])
            joint[5, 5] = 1.0
            cell = np.diff(np.diff(joint, axis=0), axis=1)
            cov[i, j] = cov[j, i] = values @ cell @ values - mean[i] * mean[j]
    return b, r, taus, mean, cov


@pytest.fixture(scope="module")
def population():
    return _population()


@pytest.fixture(scope="module")
def large():
    return make_survey(200_000, random_state=11)


def test_model_is_papers_table6_and_figure1(population):
    b, r, taus, _, _ = population
    model = survey_model()
    assert isinstance(model, SurveyModel)
    assert model.items == ITEMS
    assert {c: list(v) for c, v in model.measurement.items()} == {
        c: [i for i, _ in rows] for c, rows in PAPER_TABLE6.items()
    }
    np.testing.assert_array_equal(model.loadings.to_numpy(), LOADINGS)
    assert model.structural == [(x, "Ethical behavioral factors") for x in EXOGENOUS]
    np.testing.assert_allclose(
        model.path_coef.loc[EXOGENOUS, "Ethical behavioral factors"], b, rtol=1e-12
    )
    assert model.r_squared.loc["Ethical behavioral factors"] == pytest.approx(0.79)
    np.testing.assert_allclose(model.thresholds.to_numpy(), taus, atol=1e-10)
    np.testing.assert_allclose(model.item_corr.to_numpy(), r, atol=1e-12)
    assert json.loads(json.dumps(model.to_dict())) == {
        "measurement": {c: [i for i, _ in rows] for c, rows in PAPER_TABLE6.items()},
        "structural": [[x, "Ethical behavioral factors"] for x in EXOGENOUS],
    }


def test_deterministic_for_a_seed_and_varies_between_seeds():
    a = make_survey(384, random_state=3)
    pd.testing.assert_frame_equal(a, make_survey(384, random_state=3))
    pd.testing.assert_frame_equal(a, make_survey(384, np.random.default_rng(3)))
    assert not a.equals(make_survey(384, random_state=4))


@pytest.mark.parametrize("seed", range(10))
def test_answers_are_likert_1_to_5_and_no_item_is_constant(seed):
    a = make_survey(random_state=seed)
    assert a.shape == (384, 21)
    assert list(a.columns) == ITEMS
    assert a.index.name == "respondent" and a.index[0] == 1 and a.index[-1] == 384
    assert all(dt == np.int64 for dt in a.dtypes)
    assert a.isin([1, 2, 3, 4, 5]).all().all()
    assert (a.std() > 0).all()
    assert a.notna().all().all()


def test_return_model():
    a, model = make_survey(10, random_state=0, return_model=True)
    assert a.shape == (10, 21)
    assert model.items == list(a.columns)


def test_large_sample_matches_population_alpha(population, large):
    # Population alpha of the 21 answers (from the integrated covariance) is 0.868,
    # against Paper A's printed 0.86; with 200,000 respondents the sample alpha's
    # standard error is about 0.0005: the tolerance 0.003 is six of them.
    cov = population[4]
    k = cov.shape[0]
    alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    assert alpha == pytest.approx(0.86, abs=0.015)
    assert sg.cronbach_alpha(large, ci=None).alpha == pytest.approx(alpha, abs=0.003)


def test_large_sample_matches_population_item_construct_correlations(population, large):
    # Correlation of each answer with the sum of its construct's answers: population
    # value from the integrated covariance; tolerance 0.01 (the sample standard
    # error at n = 200,000 is below 0.002).
    _, _, _, mean, cov = population
    for c in PAPER_TABLE6:
        idx = [i for i, o in enumerate(OWNER) if o == c]
        block = cov[np.ix_(idx, idx)]
        expected = block.sum(axis=1) / np.sqrt(np.diag(block) * block.sum())
        total = large.iloc[:, idx].sum(axis=1)
        got = large.iloc[:, idx].corrwith(total).to_numpy()
        np.testing.assert_allclose(got, expected, atol=0.01)
    # every answer's mean, and the construct means Paper A prints
    np.testing.assert_allclose(large.mean().to_numpy(), mean, atol=0.01)
    for c, m in PAPER_MEANS.items():
        assert large[[i for i, _ in PAPER_TABLE6[c]]].to_numpy().mean() == pytest.approx(
            m, abs=0.01
        )


def test_large_sample_matches_population_covariance(population, large):
    np.testing.assert_allclose(np.cov(large.to_numpy(), rowvar=False), population[4], atol=0.01)


def test_listed_as_a_dataset():
    assert "survey" in list_datasets()
    assert list_datasets(details=True).loc["survey", "function"] == "make_survey"


@pytest.mark.parametrize("n", [0, 1, -3])
def test_too_few_respondents(n):
    with pytest.raises(ValueError, match="n must be at least 2 respondents"):
        make_survey(n)


@pytest.mark.parametrize("n", [2.5, "384", None, True])
def test_n_not_an_integer(n):
    with pytest.raises(TypeError, match="n must be an integer number of respondents"):
        make_survey(n)


def test_bad_random_state():
    with pytest.raises(ValueError, match="random_state"):
        make_survey(10, random_state=-1)
    with pytest.raises(TypeError, match="random_state"):
        make_survey(10, random_state="seed")
