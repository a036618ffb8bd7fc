"""Multi-criteria decisions: the names of segment.weights and segment.ranking.

Objective criteria weights (entropy, CRITIC, standard deviation, equal) live
in segment.weights, VIKOR and its sensitivity analyses in segment.ranking. This
module hands their names on, so that ``from segment.decision import ...``
and ``segment.decision.vikor`` keep working.

Conventions, the same in every function of segment.weights and segment.ranking:

* ``matrix`` is m alternatives (rows) by n criteria (columns): a DataFrame
  (labels are kept), an ndarray or a nested list. Values must be finite.
* ``types`` says per criterion whether more is better: ``"benefit"`` (also
  ``"max"``, ``1``) or ``"cost"`` (``"min"``, ``-1``); one string for all, a
  sequence in column order, or a dict / Series keyed by criterion. Default:
  all benefit.
* A criterion is *constant* when its spread is below ``1e-12`` of its
  magnitude (round-off, not information): it gets weight 0 from every
  weighting and contributes 0 to VIKOR's S and R.
"""

# DEFAULT_V, VIKOR_TOL and CONST_RTOL were importable from here too (not in __all__).
from segment.ranking import (
    DEFAULT_V,  # noqa: F401
    VIKOR_TOL,  # noqa: F401
    VikorBatch,
    VikorResult,
    VikorSensitivity,
    VikorWarning,
    vikor,
    vikor_batch,
    vikor_sensitivity,
    vikor_weight_sensitivity,
)
from segment.weights import (
    CONST_RTOL,  # noqa: F401
    critic_weights,
    entropy_weights,
    equal_weights,
    std_weights,
)

__all__ = [
    "VikorBatch",
    "VikorResult",
    "VikorSensitivity",
    "VikorWarning",
    "critic_weights",
    "entropy_weights",
    "equal_weights",
    "std_weights",
    "vikor",
    "vikor_batch",
    "vikor_sensitivity",
    "vikor_weight_sensitivity",
]
