"""segment: customer segmentation and multi-criteria decisions with a C core.

Cluster customers with k-means and choose K by the exact silhouette; weigh
criteria by Shannon entropy and rank alternatives with VIKOR.
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

from segment import datasets
from segment._estimator import HeywoodWarning
from segment._version import __version__
from segment.cluster import (
    ConvergenceWarning,
    KMeans,
    KMeansResult,
    NotFittedError,
    kmeans,
    kmeans_plusplus,
)
from segment.contracts import CleaningReport, ContractDataError, load_contracts
from segment.decision import (
    VikorBatch,
    VikorResult,
    VikorSensitivity,
    VikorWarning,
    critic_weights,
    entropy_weights,
    equal_weights,
    std_weights,
    vikor,
    vikor_batch,
    vikor_sensitivity,
    vikor_weight_sensitivity,
)
from segment.features import PAPER_B_FEATURES, RFM_FEATURES, customer_features
from segment.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
    silhouette_scores,
)
from segment.preprocessing import minmax_scale
from segment.profile import (
    compare_feature_sets,
    most_valuable,
    profile_clusters,
    rank_segments,
)
from segment.survey_report import SurveyReport, survey_report
from segment.sweep import SweepResult, k_sweep

# The survey half (Paper A's questionnaires: Likert answers, alpha, factor
# analysis, PLS, CFA) and the plots load on first use, so that `import segment`
# and `segment run` do not pay for them: name -> the module that defines it.
_LAZY_NAMES = {
    "segment.factor": ["EfaResult", "bartlett_sphericity", "efa", "kmo"],
    "segment.likert": ["LikertScaleWarning", "load_likert"],
    "segment.pls": ["PlsBootstrap", "PlsResult", "pls_sem"],
    "segment.sem": ["CfaResult", "cfa"],
    "segment.survey": [
        "AlphaResult",
        "VoteTally",
        "cronbach_alpha",
        "expert_matrix",
        "sample_size",
        "tally_votes",
    ],
}
_LAZY = {"plotting": "segment.plotting"}
_LAZY.update((name, module) for module, names in _LAZY_NAMES.items() for name in names)


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'segment' has no attribute {name!r}")
    module = _import_module(module)
    value = module if module.__name__ == f"segment.{name}" else getattr(module, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__():
    return sorted({*globals(), *_LAZY})


if TYPE_CHECKING:  # the same names, for type checkers and editors
    from segment import plotting
    from segment.factor import EfaResult, bartlett_sphericity, efa, kmo
    from segment.likert import LikertScaleWarning, load_likert
    from segment.pls import PlsBootstrap, PlsResult, pls_sem
    from segment.sem import CfaResult, cfa
    from segment.survey import (
        AlphaResult,
        VoteTally,
        cronbach_alpha,
        expert_matrix,
        sample_size,
        tally_votes,
    )


__all__ = [
    "__version__",
    # clustering
    "ConvergenceWarning",
    "KMeans",
    "KMeansResult",
    "NotFittedError",
    "SweepResult",
    "calinski_harabasz_score",
    "davies_bouldin_score",
    "k_sweep",
    "kmeans",
    "kmeans_plusplus",
    "silhouette_samples",
    "silhouette_score",
    "silhouette_scores",
    # profiles and choices (Paper B, Tables 9-16 and 23)
    "profile_clusters",
    "most_valuable",
    "compare_feature_sets",
    "rank_segments",
    # decisions: criteria weights and VIKOR (Paper A)
    "entropy_weights",
    "critic_weights",
    "std_weights",
    "equal_weights",
    "vikor",
    "VikorResult",
    "vikor_sensitivity",
    "VikorSensitivity",
    "vikor_weight_sensitivity",
    "vikor_batch",
    "VikorBatch",
    "VikorWarning",
    # data: contracts and features (Paper B)
    "load_contracts",
    "CleaningReport",
    "ContractDataError",
    "customer_features",
    "minmax_scale",
    "PAPER_B_FEATURES",
    "RFM_FEATURES",
    # data: surveys, experts, votes
    "load_likert",
    "LikertScaleWarning",
    "cronbach_alpha",
    "AlphaResult",
    "expert_matrix",
    "tally_votes",
    "VoteTally",
    # survey validation: sample size and exploratory factor analysis (Table 6)
    "sample_size",
    "efa",
    "EfaResult",
    "kmo",
    "bartlett_sphericity",
    # survey validation: PLS path models (Paper A, Figure 1)
    "pls_sem",
    "PlsResult",
    "PlsBootstrap",
    # survey validation (Paper A, Table 7)
    "cfa",
    "CfaResult",
    "HeywoodWarning",  # efa and cfa
    # survey validation: the whole of Paper A's survey half, to report.html
    "survey_report",
    "SurveyReport",
    "datasets",
    "plotting",
]
