"""Simulated answers to Paper A's customer questionnaire (Table 6, Figure 1).

Paper A's customers answered 21 five-point Likert items on four constructs
(Table 6 lists them with their loadings); the answers themselves were not
published. `make_survey` draws answers from a population model built on what
the paper prints, and `survey_model` returns that model:

* measurement: Table 6's items and loadings, lambda, per construct; an item is
  x = lambda * construct + sqrt(1 - lambda^2) * error, so its variance is 1;
* structural: Paper A's Figure 1 lost its arrows in the published text (only the
  labels "Behavioral" and "Individual" survive), so the paths are this module's
  choice: the communication, individual and economic factors (independent,
  standard normal) drive the ethical behavioral factors with paths in the ratio
  0.50 : 0.40 : 0.45, scaled so that R^2 is the paper's 0.79;
* answers: each item is cut into 1..5 at the thresholds -1.5, -0.5, 0.5, 1.5,
  shifted per construct so that the expected answer is the construct's mean in
  the paper's text (communication 4.22, ethical behavioral 3.98, individual
  4.15, economic 3.77).

What follows from the model, and what the paper reports: Cronbach's alpha of the
21 answers is about 0.87 in the population (the paper: 0.86). A PLS model
estimated on the answers finds R^2 near 0.56, not 0.79: composites of five-point
answers carry measurement error, which attenuates the paths (Table 6's loadings
leave no room for a composite R^2 of 0.79).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from segment.datasets.contracts import as_generator

__all__ = ["SurveyModel", "make_survey", "survey_model"]

COMMUNICATION = "Communication factors"
ETHICAL = "Ethical behavioral factors"
INDIVIDUAL = "Individual factors"
ECONOMIC = "Economic factors"

# Paper A, Table 6: construct -> (item, loading), in the table's order.
TABLE6 = {
    COMMUNICATION: {
        "Service usage": 0.783,
        "Revisit rate": 0.791,
        "Extent of communication with the company": 0.811,
        "Suggestions": 0.701,
        "Shopping rate": 0.743,
    },
    ETHICAL: {
        "Quality": 0.891,
        "Advise others": 0.755,
        "Service functions": 0.716,
        "Shopping experience": 0.734,
        "Advertising": 0.793,
        "Service support": 0.831,
    },
    INDIVIDUAL: {
        "Age": 0.740,
        "Sex": 0.794,
        "Level of education": 0.843,
        "Modern lifestyle": 0.729,
    },
    ECONOMIC: {
        "Service prices": 0.732,
        "Income level": 0.766,
        "Job": 0.825,
        "Sales discounts": 0.866,
        "Selling on credit": 0.840,
        "Leasing": 0.748,
    },
}
# Paper A's text: the average answer per construct.
CONSTRUCT_MEANS = {COMMUNICATION: 4.22, ETHICAL: 3.98, INDIVIDUAL: 4.15, ECONOMIC: 3.77}
EXOGENOUS = (COMMUNICATION, INDIVIDUAL, ECONOMIC)
PATH_RATIO = (0.50, 0.40, 0.45)
R_SQUARED = 0.79  # Paper A: "79% of targeted marketing changes are identified"
BASE_THRESHOLDS = (-1.5, -0.5, 0.5, 1.5)


@dataclass(frozen=True, eq=False)
class SurveyModel:
    """The population model behind `make_survey`.

    Attributes
    ----------
    measurement : dict
        Construct -> list of its items (Table 6), the form `pls_sem`, `cfa` and
        `segment survey --model` take.
    structural : list of (str, str)
        The paths (from, to).
    loadings : Series
        Item -> population loading lambda (Table 6), index name ``item``.
    path_coef : DataFrame
        Population paths, from (rows) x to (columns), 0 where no path.
    construct_corr : DataFrame
        Population correlations of the four constructs.
    r_squared : Series
        Population R^2 per endogenous construct (0.79).
    thresholds : DataFrame, shape (21, 4)
        Per item, the cut points t1 < ... < t4 on the item's standard normal
        scale: the answer is 1 + the number of cut points below it.
    """

    measurement: dict
    structural: list
    loadings: pd.Series
    path_coef: pd.DataFrame
    construct_corr: pd.DataFrame
    r_squared: pd.Series
    thresholds: pd.DataFrame

    @property
    def items(self) -> list:
        """The 21 item names, construct by construct."""
        return [i for items in self.measurement.values() for i in items]

    @property
    def item_corr(self) -> pd.DataFrame:
        """Population correlations of the continuous responses behind the answers."""
        construct = [c for c, items in self.measurement.items() for _ in items]
        lam = self.loadings.to_numpy()
        phi = self.construct_corr.loc[construct, construct].to_numpy()
        r = lam[:, None] * phi * lam[None, :]
        np.fill_diagonal(r, 1.0)
        return pd.DataFrame(r, index=self.loadings.index, columns=self.loadings.index)

    def to_dict(self) -> dict:
        """The model as MODEL.json holds it: ``{"measurement": ..., "structural": ...}``."""
        return {
            "measurement": {c: list(items) for c, items in self.measurement.items()},
            "structural": [list(p) for p in self.structural],
        }


def _expected_answer(shift: float) -> float:
    # E[answer] = 1 + sum_k P(z + shift > t_k) for a standard normal z.
    cdf = NormalDist().cdf
    return 1.0 + sum(cdf(shift - t) for t in BASE_THRESHOLDS)


def _shift_for_mean(mean: float) -> float:
    lo, hi = -6.0, 6.0  # the expected answer rises from about 1 to about 5 on this range
    for _ in range(100):
        mid = (lo + hi) / 2
        if _expected_answer(mid) < mean:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def survey_model() -> SurveyModel:
    """Paper A's questionnaire as a population model (see the module's docstring).

    Returns
    -------
    SurveyModel

    Examples
    --------
    >>> from segment.datasets import survey_model
    >>> model = survey_model()
    >>> for construct, items in model.measurement.items():
    ...     print(construct, len(items))
    Communication factors 5
    Ethical behavioral factors 6
    Individual factors 4
    Economic factors 6
    >>> model.structural[0]
    ('Communication factors', 'Ethical behavioral factors')
    >>> round(float(model.r_squared.iloc[0]), 2)
    0.79
    """
    constructs = list(TABLE6)
    measurement = {c: list(TABLE6[c]) for c in constructs}
    structural = [(x, ETHICAL) for x in EXOGENOUS]
    loadings = pd.Series(
        [lam for c in constructs for lam in TABLE6[c].values()],
        index=pd.Index([i for c in constructs for i in TABLE6[c]], name="item"),
        name="loading",
    )
    ratio = np.array(PATH_RATIO)
    paths = ratio * math.sqrt(R_SQUARED / float(ratio @ ratio))  # independent predictors
    path_coef = pd.DataFrame(0.0, index=constructs, columns=constructs)
    corr = pd.DataFrame(np.eye(len(constructs)), index=constructs, columns=constructs)
    for x, b in zip(EXOGENOUS, paths, strict=True):
        path_coef.loc[x, ETHICAL] = b
        corr.loc[x, ETHICAL] = corr.loc[ETHICAL, x] = b
    shifts = {c: _shift_for_mean(CONSTRUCT_MEANS[c]) for c in constructs}
    thresholds = pd.DataFrame(
        [np.array(BASE_THRESHOLDS) - shifts[c] for c in constructs for _ in TABLE6[c]],
        index=loadings.index,
        columns=["t1", "t2", "t3", "t4"],
    )
    return SurveyModel(
        measurement=measurement,
        structural=structural,
        loadings=loadings,
        path_coef=path_coef,
        construct_corr=corr,
        r_squared=pd.Series({ETHICAL: R_SQUARED}, name="r2"),
        thresholds=thresholds,
    )


def make_survey(n=384, random_state=None, *, return_model=False):
    """Five-point Likert answers simulated from Paper A's questionnaire model.

    Parameters
    ----------
    n : int, default 384
        Respondents (Paper A's sample size, Krejcie and Morgan's 384). At least 2;
        with very few respondents an item may happen to be constant.
    random_state : int, numpy Generator or RandomState, optional
        Seed; the same seed gives the same answers.
    return_model : bool, default False
        Also return the `SurveyModel` the answers were drawn from.

    Returns
    -------
    answers : DataFrame, shape (n, 21)
        Integer answers 1..5 (1 "I absolutely disagree" .. 5 "I totally agree"),
        columns named as Table 6's items, construct by construct; index
        ``respondent`` 1..n.
    model : SurveyModel
        Only with ``return_model=True``; ``model.to_dict()`` is the model file
        ``segment survey --model`` reads.

    Examples
    --------
    >>> from segment.datasets import make_survey
    >>> answers, model = make_survey(384, random_state=0, return_model=True)
    >>> answers.shape
    (384, 21)
    >>> sorted(set(answers.to_numpy().ravel().tolist()))
    [1, 2, 3, 4, 5]
    >>> model.measurement["Individual factors"]
    ['Age', 'Sex', 'Level of education', 'Modern lifestyle']
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer number of respondents, got {n!r}")
    if n < 2:
        raise ValueError(f"n must be at least 2 respondents, got {n}")
    n = int(n)
    rng = as_generator(random_state)
    model = survey_model()
    constructs = list(model.measurement)
    exo = [constructs.index(c) for c in EXOGENOUS]
    b = model.path_coef.loc[list(EXOGENOUS), ETHICAL].to_numpy()

    scores = np.empty((n, len(constructs)))
    scores[:, exo] = rng.standard_normal((n, len(exo)))
    disturbance = rng.standard_normal(n) * math.sqrt(1.0 - R_SQUARED)
    scores[:, constructs.index(ETHICAL)] = scores[:, exo] @ b + disturbance

    owner = np.array([constructs.index(c) for c, items in model.measurement.items() for _ in items])
    lam = model.loadings.to_numpy()
    noise = rng.standard_normal((n, lam.size))
    latent = scores[:, owner] * lam + noise * np.sqrt(1.0 - lam**2)
    answers = 1 + (latent[:, :, None] > model.thresholds.to_numpy()[None, :, :]).sum(axis=2)
    frame = pd.DataFrame(
        answers.astype(np.int64),
        index=pd.RangeIndex(1, n + 1, name="respondent"),
        columns=pd.Index(model.items),
    )
    return (frame, model) if return_model else frame
