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

__all__ = [
    "UNIT_ROUNDOFF",
    "MP_DPS",
    "ENCLOSURE_DPS",
    "gamma_k",
    "round_down",
    "round_up",
    "down",
    "up",
    "upper_value",
]

#: ``u = 2⁻⁵³``, the unit roundoff of IEEE double precision with round to nearest (Higham, *Accuracy
#: and Stability of Numerical Algorithms*, 2nd ed., §2.1); machine epsilon is ``2u``.
UNIT_ROUNDOFF = 2.0**-53
#: Working precision (decimal digits) of the mpmath evaluation of composite constants.
MP_DPS = 30
#: Working precision (decimal digits) of the mpmath sums that combine a floating-point result with
#: its rounding-error bound (the verified λ_min enclosures): their terms span ~20 orders of
#: magnitude (``γ_N·tr`` against ``μ``), so the combination is exact to far below one ulp.
ENCLOSURE_DPS = 50


def gamma_k(k: int) -> float:
    """Higham's ``γ_k = k u / (1 − k u)`` (``u`` = :data:`UNIT_ROUNDOFF`), rounded up; needs ``k u < 1``.

    It bounds the relative error of ``k`` successive floating-point operations.

    Raises
    ------
    ValueError
        ``k u ≥ 1``.

    Formula
    -------
    ``γ_k = k u / (1 − k u)``, ``u = 2⁻⁵³``.

    Kind
    ----
    rigorous (the float quotient stepped one ulp up).

    Hypotheses
    ----------
    IEEE double arithmetic with round to nearest, ``k u < 1``.

    References
    ----------
    docs/rigor.rst#two-kinds-of-proof; N. J. Higham, *Accuracy and Stability of Numerical
    Algorithms*, 2nd ed., Lemma 3.1.

    Examples
    --------
    >>> gamma_k(1) > UNIT_ROUNDOFF
    True
    """
    if k * UNIT_ROUNDOFF >= 1:
        raise ValueError(f"k must satisfy k*u < 1 for gamma_k, got k = {k}")
    return math.nextafter(k * UNIT_ROUNDOFF / (1 - k * UNIT_ROUNDOFF), math.inf)


def round_down(x: mpmath.mpf) -> float:
    """The largest float ``<= x`` (exact directed rounding of an mpmath number).

    Formula
    -------
    ``max {f float : f ≤ x}``: the nearest float, stepped down while it exceeds ``x``.

    Kind
    ----
    exact (the comparisons are exact in mpmath).

    References
    ----------
    docs/rigor.rst#rigor-table
    """
    f = float(x)
    while mpmath.mpf(f) > x:
        f = math.nextafter(f, -math.inf)
    return f


def round_up(x: mpmath.mpf) -> float:
    """The smallest float ``>= x``.

    Formula
    -------
    ``min {f float : f ≥ x}``: the nearest float, stepped up while it is below ``x``.

    Kind
    ----
    exact (the comparisons are exact in mpmath).

    References
    ----------
    docs/rigor.rst#rigor-table
    """
    f = float(x)
    while mpmath.mpf(f) < x:
        f = math.nextafter(f, math.inf)
    return f


def _finite(x: mpmath.mpf | float) -> mpmath.mpf:
    # An mpf is used as it is: mpmath.mpf(x) would round it to the current precision (53 bits by
    # default), half an ulp towards the wrong side in half of the cases.
    value = x if isinstance(x, mpmath.mpf) else mpmath.mpf(x)
    if not mpmath.isfinite(value):
        raise ValueError(f"x must be finite to round, got {x!r}")
    return value


def down(x: mpmath.mpf | float, ulps: int = 2) -> float:
    """A float ``<= x``: :func:`round_down`, then ``ulps`` more ulps towards ``-inf``.

    The extra ulps cover the evaluation error of ``x`` itself (a few ulps of a 30-digit mpmath
    computation, or of floats).

    Raises
    ------
    ValueError
        ``x`` not finite.

    Formula
    -------
    ``round_down(x)`` stepped ``ulps`` times to the next float below.

    Kind
    ----
    rigorous lower bound of the exact value when ``x``'s own error is within ``ulps`` ulps.

    References
    ----------
    docs/rigor.rst#rigor-table
    """
    value = round_down(_finite(x))
    for _ in range(ulps):
        value = math.nextafter(value, -math.inf)
    return value


def up(x: mpmath.mpf | float, ulps: int = 2) -> float:
    """A float ``>= x``: :func:`round_up`, then ``ulps`` more ulps towards ``+inf``.

    Raises
    ------
    ValueError
        ``x`` not finite.

    Formula
    -------
    ``round_up(x)`` stepped ``ulps`` times to the next float above.

    Kind
    ----
    rigorous upper bound of the exact value when ``x``'s own error is within ``ulps`` ulps.

    References
    ----------
    docs/rigor.rst#rigor-table
    """
    value = round_up(_finite(x))
    for _ in range(ulps):
        value = math.nextafter(value, math.inf)
    return value


def upper_value(value: float, kind: str) -> float:
    """A float ``>=`` the exact constant that ``value`` of the given kind stands for.

    An ``exact`` float is the correctly rounded value (within half an ulp), so the next float up is
    above it; a ``rigorous`` float of a constant that is an upper bound (Condition 1's ``c``) is
    used as it is.  Feeding the nearest float of ``c`` into ``e^{cR}`` can land below the truth
    by ``cR·u`` relative (found by the Arb oracle: M(30) of Matérn 5/2 was 24 ulps low).

    Formula
    -------
    the next float above ``value`` for ``kind == "exact"``; ``value`` otherwise.

    Kind
    ----
    rigorous upper bound of the constant (given an exact value correctly rounded, or a rigorous
    upper bound).

    References
    ----------
    docs/rigor.rst#problem-inputs; docs/rigor.rst#what-the-oracle-found

    Examples
    --------
    >>> upper_value(0.1, "exact") > 0.1, upper_value(0.1, "rigorous") == 0.1
    (True, True)
    """
    return math.nextafter(value, math.inf) if kind == "exact" else value
