"""The scikit-learn conventions that segment's estimators share, without scikit-learn.

`EstimatorBase` gives an estimator whose ``__init__`` takes its parameters
as keywords and stores each under its own name: ``get_params``,
``set_params``, a repr that shows the parameters changed from their
defaults, and ``_check_fitted``, which raises `NotFittedError` before
``fit`` has set the attribute named by ``_fitted_attribute``.

`NotFittedError` and `ConvergenceWarning` are segment's (exported by
``segment``); when scikit-learn is loaded, what segment raises or warns is
also an instance of scikit-learn's class of the same name, so code written
for either catches it. scikit-learn is never imported here.
"""

from __future__ import annotations

import inspect
import sys

import numpy as np

__all__ = ["ConvergenceWarning", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """An estimator method was called before fit (as scikit-learn's)."""


class ConvergenceWarning(RuntimeWarning):
    """k-means ended with fewer distinct clusters than asked for.

    The name scikit-learn gives this warning (``sklearn.exceptions.
    ConvergenceWarning``), so filters written for it carry over by name; a
    subclass of RuntimeWarning, the category segment used before, so older
    filters keep working too.
    """



class HeywoodWarning(UserWarning):
    """An improper factor solution (`efa`, `cfa`): a communality at or beyond
    1 (the item's uniqueness hit its lower bound), a negative residual or
    factor variance (a Heywood case), factor covariances that are not
    positive definite, or a singular information matrix (a model not
    identified at its estimates, whose standard errors are then NaN). The
    message names the item or factor."""

_BOTH: dict = {}


def _also_sklearns(ours: type, name: str) -> type:
    """``ours``; when scikit-learn is loaded, a subclass that is also
    ``sklearn.exceptions.<name>`` (made once, then reused)."""
    theirs = getattr(sys.modules.get("sklearn.exceptions"), name, None)
    if theirs is None:
        return ours
    if theirs not in _BOTH:
        _BOTH[theirs] = type(name, (ours, theirs), {"__module__": ours.__module__})
    return _BOTH[theirs]


def _not_fitted(message: str) -> NotFittedError:
    """A NotFittedError to raise (scikit-learn's too when it is loaded)."""
    return _also_sklearns(NotFittedError, "NotFittedError")(message)


def convergence_warning() -> type[Warning]:
    """The ConvergenceWarning class to warn with (scikit-learn's too when it
    is loaded, so a filter or ``pytest.warns`` with its class matches)."""
    return _also_sklearns(ConvergenceWarning, "ConvergenceWarning")


class EstimatorBase:
    """get_params / set_params / __repr__ / _check_fitted, as scikit-learn's."""

    #: The attribute that fit sets: until it exists, the estimator is not fitted.
    _fitted_attribute = "cluster_centers_"

    @classmethod
    def _get_param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values() if p.name != "self")

    def get_params(self, deep=True):
        """Parameters of this estimator, as a dict."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set parameters; unknown names raise ValueError. Returns self."""
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}; "
                    f"valid parameters are {valid}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self):
        defaults = type(self)().get_params()
        changed = []
        for key, value in self.get_params().items():
            default = defaults[key]
            same = value is default or (
                type(value) is type(default) and not isinstance(value, np.ndarray)
                and value == default
            )
            if not same:
                changed.append(f"{key}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def _check_fitted(self):
        if not hasattr(self, self._fitted_attribute):
            raise _not_fitted(
                f"This {type(self).__name__} instance is not fitted yet; call fit first"
            )
