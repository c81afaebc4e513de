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

__all__ = ["round_down", "round_up", "down", "up", "MP_DPS"]

#: Working precision (decimal digits) of the mpmath evaluation of composite constants.
MP_DPS = 30


def round_down(x: mpmath.mpf) -> float:
    """The largest float ``<= x`` (exact directed rounding of an mpmath number)."""
    f = float(x)
    while mpmath.mpf(f) > x:
        f = math.nextafter(f, -math.inf)
    return f


def round_up(x: mpmath.mpf) -> float:
    """The smallest float ``>= x``."""
    f = float(x)
    while mpmath.mpf(f) < x:
        f = math.nextafter(f, math.inf)
    return f


def _finite(x: mpmath.mpf | float) -> mpmath.mpf:
    value = mpmath.mpf(x)
    if not mpmath.isfinite(value):
        raise ValueError(f"x must be finite to round, got {x!r}")
    return value


def down(x: mpmath.mpf | float, ulps: int = 2) -> float:
    """A float ``<= x``: :func:`round_down`, then ``ulps`` more ulps towards ``-inf`` to cover the
    evaluation error of ``x`` itself (a few ulps of a 30-digit mpmath computation, or of floats)."""
    value = round_down(_finite(x))
    for _ in range(ulps):
        value = math.nextafter(value, -math.inf)
    return value


def up(x: mpmath.mpf | float, ulps: int = 2) -> float:
    """A float ``>= x``: :func:`round_up`, then ``ulps`` more ulps towards ``+inf``."""
    value = round_up(_finite(x))
    for _ in range(ulps):
        value = math.nextafter(value, math.inf)
    return value
