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
import numpy as np
import sympy as sp
from flint import arb, arb_mat, ctx, fmpq

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
    "positive_definite",
    "singular_value_bounds",
]

#: Precision in bits at which ball endpoints are rounded outward before conversion, far below one
#: double ulp, so that the float bounds lose nothing.
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


def positive_definite(A: arb_mat, shift: arb) -> bool:
    """Whether a Cholesky factorisation in ball arithmetic of the symmetric ``A − shift·I`` (lower
    triangle read) has every pivot certainly positive.  Then every symmetric matrix in the balls,
    the exact one included, is positive definite: each step of the exact factorisation lies in
    the computed ball (the inclusion property of ball arithmetic)."""
    n = A.nrows()
    L = [[arb(0)] * n for _ in range(n)]
    for j in range(n):
        pivot = A[j, j] - shift - sum((L[j][k] ** 2 for k in range(j)), arb(0))
        if not pivot > 0:
            return False
        L[j][j] = pivot.sqrt()
        for i in range(j + 1, n):
            L[i][j] = (A[i, j] - sum((L[i][k] * L[j][k] for k in range(j)), arb(0))) / L[j][j]
    return True


def singular_value_bounds(A: np.ndarray) -> tuple[float, float]:
    """``(lo, hi)`` with ``lo ≤ σ_min(A)`` and ``σ_max(A) ≤ hi`` for a float matrix, proven.

    ``σ_min`` is the ``min(rows, cols)``-th singular value.  The Gram matrix ``G`` (``AᵀA`` or
    ``AAᵀ``, the smaller) is formed exactly in Arb; ``λ_min(G) > μ`` and ``λ_max(G) < μ'`` are
    certified by ball Cholesky factorisations of ``G − μI`` and ``μ'I − G`` with ``μ, μ'`` just
    outside LAPACK's eigenvalues (by ``4 n u λ_max``, widened until certified); then ``lo = √μ``
    rounded down, ``hi = √μ'`` rounded up (``lo = 0`` and ``hi = ‖A‖_F`` if no certificate).
    The float SVD has no one-sided error: it put ``σ_max`` 2.3 u below the truth in a case found
    by the Arb oracle.

    Formula
    -------
    ``lo = √μ`` (rounded down) and ``hi = √μ'`` (rounded up) with ``G − μI ≻ 0`` and
    ``μ'I − G ≻ 0`` proven; ``lo = 0``, ``hi = ‖A‖_F`` when no certificate.

    Kind
    ----
    rigorous.

    References
    ----------
    docs/rigor.rst#problem-inputs

    Examples
    --------
    >>> singular_value_bounds(np.array([[3.0, 0.0], [0.0, 0.5], [0.0, 0.0]]))
    (0.49999999999999195, 3.0000000000000013)
    """
    A = np.atleast_2d(np.asarray(A, dtype=float))
    rows = A.T if A.shape[0] >= A.shape[1] else A
    with ctx.workprec(_ENDPOINT_PREC):
        G = arb_mat([[sum((arb(float(x)) * arb(float(y)) for x, y in zip(a, b, strict=True)), arb(0)) for b in rows]
                     for a in rows])
        lam = np.linalg.eigvalsh(rows @ rows.T)
        lo, hi = arb(0), sum((arb(float(x)) ** 2 for x in A.ravel()), arb(0)).sqrt()  # ‖A‖_2 ≤ ‖A‖_F
        for t in (4, 64, 2**12, 2**24):  # margins of t·n·u·λ_max around LAPACK's eigenvalues
            margin = t * len(rows) * 2.0**-53 * float(lam[-1])
            mu_lo = arb(float(lam[0]) - margin)
            if mu_lo > 0 and positive_definite(G, mu_lo):
                lo = mu_lo.sqrt()
                break
        for t in (4, 64, 2**12, 2**24):
            mu_hi = arb(float(lam[-1]) * (1 + t * len(rows) * 2.0**-53))
            if positive_definite(-G, -mu_hi):
                hi = hi.min(mu_hi.sqrt())
                break
        return lower_float(lo), upper_float(hi)
