"""Directed rounding for rigorous constants.

The PL and smoothness constants are products of a handful of correctly rounded operations
(``exp``, ``*``, ``/``); each contributes at most one unit in the last place (ulp) of relative
error.  Evaluating them in mpmath at 30 significant digits and then stepping the float result
``ulps`` times towards the safe side (down for lower bounds, up for upper bounds) keeps the
returned float on the correct side of the exact value.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

__all__ = ["down", "up", "MP_DPS"]

#: Working precision (decimal digits) of the mpmath evaluation of composite constants.
MP_DPS = 30


def down(x: mpmath.mpf | float, ulps: int = 2) -> float:
    """A float ``<= x``: round ``x`` to double and step ``ulps`` ulps towards ``-inf``."""
    value = float(x)
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"x must be finite to round, got {x!r}")
    for _ in range(ulps):
        value = float(np.nextafter(value, -np.inf))
    return value


def up(x: mpmath.mpf | float, ulps: int = 2) -> float:
    """A float ``>= x``: round ``x`` to double and step ``ulps`` ulps towards ``+inf``."""
    value = float(x)
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"x must be finite to round, got {x!r}")
    for _ in range(ulps):
        value = float(np.nextafter(value, np.inf))
    return value
