"""The scikit-learn conventions that segment's estimators share, without scikit-learn.

`_EstimatorBase` gives an estimator whose ``__init__`` takes its parameters
as keywords and stores each under its own name: ``get_params``,
``set_params``, a repr that shows the parameters changed from their
defaults, and ``_check_fitted``, which raises `NotFittedError` before
``fit`` has set the attribute named by ``_fitted_attribute``.

`NotFittedError` is segment's (``segment.NotFittedError``, defined in
segment.cluster); when scikit-learn is in use the error raised is also an
instance of scikit-learn's NotFittedError.
"""

from __future__ import annotations

import inspect

import numpy as np

from segment.cluster import NotFittedError, _not_fitted

__all__ = ["NotFittedError"]


class _EstimatorBase:
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
