"""Ball arithmetic (Arb, through python-flint) for the numbers whose float evaluation has no
proven error bound, and the exact conversions between Arb balls and floats.

An Arb ball ``[m ± r]`` is guaranteed to contain the exact value of the expression it was computed
from (Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE
Trans. Computers 66 (2017) 1281–1292), whatever the working precision; the precision only decides
how narrow it is.  So a float rounded down from the lower endpoint is a proven lower bound, with no
rounding analysis of the evaluation.  Docs: ``docs/rigor.rst``.

>>> from flint import arb, ctx
>>> with ctx.workprec(100):
...     third = arb(1) / 3
>>> lower_float(third), upper_float(third)  # the two floats around 1/3
(0.3333333333333333, 0.33333333333333337)
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import mpmath
import sympy as sp
from flint import arb, ctx, fmpq

from bounds._core.rounding import round_down, round_up

__all__ = [
    "arb_param",
    "to_mpf",
    "lower_mpf",
    "upper_mpf",
    "lower_float",
    "upper_float",
    "nearest_float",
    "adaptive_ball",
]

#: Precision (bits) at which ball endpoints are rounded outward before conversion: far below one
#: double ulp, so the float bounds lose nothing.
_ENDPOINT_PREC = 128


def arb_param(value: sp.Rational | Fraction | float | int) -> arb:
    """The exact kernel parameter as a ball: a rational ``p/q`` (tight ball unless ``q`` is a power
    of 2), a float (its exact binary value) or an int."""
    if isinstance(value, (sp.Rational, Fraction)):
        num, den = (int(value.p), int(value.q)) if isinstance(value, sp.Rational) else value.as_integer_ratio()
        return arb(fmpq(num, den))
    return arb(float(value)) if not isinstance(value, int) else arb(value)


def to_mpf(x: arb) -> mpmath.mpf:
    """The exact value of an exact ball (a midpoint or an endpoint) as an mpmath number."""
    man, exp = (int(v) for v in x.man_exp())
    with mpmath.workprec(max(53, man.bit_length() + 2)):
        return mpmath.ldexp(mpmath.mpf(man), exp)


def lower_mpf(x: arb) -> mpmath.mpf:
    """An mpmath number ``<=`` every point of ``x`` (its lower endpoint, rounded down at 128 bits)."""
    with ctx.workprec(max(ctx.prec, _ENDPOINT_PREC)):
        return to_mpf(x.lower())


def upper_mpf(x: arb) -> mpmath.mpf:
    """An mpmath number ``>=`` every point of ``x`` (its upper endpoint, rounded up at 128 bits)."""
    with ctx.workprec(max(ctx.prec, _ENDPOINT_PREC)):
        return to_mpf(x.upper())


def lower_float(x: arb) -> float:
    """The largest float ``<=`` the lower endpoint of ``x``: a proven lower bound of its value."""
    return round_down(lower_mpf(x))


def upper_float(x: arb) -> float:
    """The smallest float ``>=`` the upper endpoint of ``x``: a proven upper bound of its value."""
    return round_up(upper_mpf(x))


def nearest_float(x: arb) -> float:
    """The float nearest to the midpoint of ``x``; it is within ``rad(x) + ulp/2`` of the value."""
    return float(to_mpf(x.mid()))


def adaptive_ball(
    evaluate: Callable[[], arb], good: Callable[[arb], bool], *, start: int = 80, limit: int = 1 << 14
) -> arb:
    """Evaluate ``evaluate()`` at 80, 160, 320, … bits until ``good(ball)`` or the precision reaches
    ``limit``; return the last ball (always a valid enclosure, narrow when ``good`` held).

    The precision is the only thing that changes between attempts: every ball encloses the value.
    """
    prec = start
    while True:
        with ctx.workprec(prec):
            ball = evaluate()
            if good(ball) or prec >= limit:
                return ball
        prec *= 2
