"""Slow, plain-NumPy reference implementations of every kernel.

They follow the formulas of SPEC.md line by line, favouring clarity over
speed, and are the independent oracles the C kernels are tested against
(together with scikit-learn and the papers' published tables).
"""

from __future__ import annotations

import numpy as np

# ---- clustering references ----

# ---- decision references ----
