"""Multi-criteria decisions: the names of segment.weights and segment.ranking.

Objective criteria weights (entropy, CRITIC, standard deviation, equal) live
in segment.weights, VIKOR and its sensitivity analyses in segment.ranking. This
module hands their names on, so that ``from segment.decision import ...``
and ``segment.decision.vikor`` keep working.
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
