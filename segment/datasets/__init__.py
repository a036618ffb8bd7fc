"""Data sets that ship with segment: Paper A's expert matrix, Paper B's vote
matrix, a generator of synthetic contracts in Paper B's schema, and a generator
of answers to Paper A's customer questionnaire."""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

from segment.datasets.contracts import make_contracts
from segment.datasets.paper_a import load_iot_experts
from segment.datasets.paper_b import load_paper_b_votes

if TYPE_CHECKING:  # the survey generator loads on first use (see __getattr__)
    from segment.datasets.survey import SurveyModel, make_survey, survey_model

_DATASETS = {
    "contracts": (
        "make_contracts",
        "synthetic contracts in Paper B's Table 1 schema (88,390 rows by default)",
    ),
    "iot_experts": (
        "load_iot_experts",
        "Paper A's expert decision matrix (Table 2): 9 factors x 5 criteria",
    ),
    "paper_b_votes": (
        "load_paper_b_votes",
        "Paper B's Table 5: 15 variables x 4 managers' votes",
    ),
    "survey": (
        "make_survey",
        "simulated 5-point answers to Paper A's questionnaire (Table 6: 21 items, 4 constructs)",
    ),
}


def __getattr__(name):
    # Paper A's survey generator is not needed by the contracts half (`segment run`).
    if name not in ("SurveyModel", "make_survey", "survey_model"):
        raise AttributeError(f"module 'segment.datasets' has no attribute {name!r}")
    value = getattr(_import_module("segment.datasets.survey"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), "SurveyModel", "make_survey", "survey_model"})


def list_datasets(*, details=False):
    """Names of the data sets segment ships or generates.

    Parameters
    ----------
    details : bool, default False
        Return a DataFrame (index name, columns ``function`` and
        ``description``) instead of a list of names.

    Returns
    -------
    list of str, sorted, or DataFrame

    Examples
    --------
    >>> from segment.datasets import list_datasets
    >>> list_datasets()
    ['contracts', 'iot_experts', 'paper_b_votes', 'survey']
    """
    names = sorted(_DATASETS)
    if not details:
        return names
    import pandas as pd

    return pd.DataFrame(
        [_DATASETS[n] for n in names],
        index=pd.Index(names, name="name"),
        columns=["function", "description"],
    )


__all__ = [
    "SurveyModel",
    "list_datasets",
    "load_iot_experts",
    "load_paper_b_votes",
    "make_contracts",
    "make_survey",
    "survey_model",
]
