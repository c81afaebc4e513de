"""Kernel profiles in ball arithmetic (Arb): the proof behind every kernel value whose float
formula has no proven error bound.

The float profiles of the Gaussian and of Matérn ν = p + 1/2 (``p ≤ 50``) have derived error
bounds (``docs/lambda_data.rst#kernel-entries``).  For every other ν the float evaluation goes
through ``scipy.special.kve`` in log space, which has no proven error bound and loses accuracy
like ``u (ν |log s| + log Γ(ν))`` (measured: 11.6 times the old stated margin at ν = 300), so the
rigorous routes evaluate those kernels here instead: each value is an Arb ball, narrowed by
raising the precision until its radius is below ``2⁻⁶⁴``, and rounded to the nearest float.

Cost (measured on this machine, 2 shared cores): a Bessel-form value takes 0.05–0.5 ms for
ν ≤ 10 and 0.2–1.5 ms for ν = 100–500; a closed-form value about 0.02 ms.  Equal distances are
evaluated once, and distances beyond the *tail radius* (where ``K ≤ 2⁻⁶⁰``, proven once per
kernel) are not evaluated at all.  More than :data:`MAX_BALL_EVALUATIONS` distinct values in one
call raise ``ValueError`` instead of running for minutes.

>>> from bounds.kernels import Matern
>>> import numpy as np
>>> profile_floats_ball(Matern(300), np.array([3.4e-7, 1.0])).tolist()  # scipy: 1.0, 0.6057724155936095
[0.999999999999942, 0.605772415593477]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from flint import arb

from bounds._core.ball import adaptive_ball, arb_param, nearest_float, upper_float
from bounds._core.rounding import UNIT_ROUNDOFF
from bounds.kernels.radial import HALF_INTEGER_MAX_P, Gaussian, Matern, half_integer_coefficients

__all__ = [
    "profile_ball",
    "log_profile_ball",
    "profile_floats_ball",
    "tail_radius",
    "BALL_PROFILE_ERROR",
    "MAX_BALL_EVALUATIONS",
]

#: ``K ≤`` this beyond :func:`tail_radius`; those values are returned as ``_TAIL / 2``.
_TAIL = 2.0**-60
#: Radius below which a ball value is accepted (absolute; ``K ≤ 1``).
_RADIUS = 2.0**-64
#: Bound on ``|K̃ − K(r)|`` of :func:`profile_floats_ball` at a float ``r``: rounding the midpoint
#: ``m ≤ 1 + 2⁻⁶⁴`` to nearest (half an ulp, ``≤ u/2`` below 1, and ``K̃ = 1`` exactly above it),
#: plus the radius (``≤ 2⁻⁶⁴``) or the tail value (``≤ 2⁻⁶¹``): ``≤ 0.504 u``, stated as ``0.51 u``.
BALL_PROFILE_ERROR = 0.51 * UNIT_ROUNDOFF
#: Up to this ν the Bessel form goes through Tricomi's U (faster and, for ν < 1, far more accurate
#: at a given precision in Arb than its K_ν); above it through Arb's K_ν.  Both are enclosures.
_U_FORM_MAX_NU = 20.0
#: Largest number of distinct ball evaluations :func:`profile_floats_ball` performs in one call
#: (about 2–20 s).
MAX_BALL_EVALUATIONS = 20_000


def profile_ball(kernel: Matern | Gaussian, r: arb) -> arb:
    """An Arb enclosure of ``K(r)`` at the current precision (``r`` a ball, usually exact).

    Gaussian ``exp(−r²/(2ℓ²))``; Matérn ν = p + 1/2 (``p ≤ 50``) ``e^{−s} Σ a_k s^k`` with the exact
    rational ``a_k``; other ν ``2^{1−ν}/Γ(ν) s^ν K_ν(s)`` (Arb's Bessel function, through Tricomi's
    ``U`` for ν ≤ 20), ``s = √(2ν) r/ℓ``.
    """
    ell = arb_param(kernel.lengthscale_exact)
    if isinstance(kernel, Gaussian):
        return (-((r / ell) ** 2) / 2).exp()
    nu = arb_param(kernel.nu_exact)
    s = (2 * nu).sqrt() * r / ell
    p = kernel.half_integer_order()
    if p is not None:
        poly = arb(0)
        for a in reversed(half_integer_coefficients(p)):
            poly = poly * s + arb(a.numerator) / a.denominator
        return poly * (-s).exp()
    if r.is_zero():
        return arb(1)
    if kernel.nu <= _U_FORM_MAX_NU:  # K_ν(s) = √π (2s)^ν e^{−s} U(ν + 1/2, 2ν + 1, 2s) (DLMF 13.6.10)
        return 2 * arb.pi().sqrt() / nu.gamma() * s ** (2 * nu) * (-s).exp() * (2 * s).hypgeom_u(nu + 0.5, 2 * nu + 1)
    return 2 ** (1 - nu) / nu.gamma() * s**nu * s.bessel_k(nu)


def log_profile_ball(kernel: Matern | Gaussian, r: np.ndarray) -> np.ndarray:
    """``log K(r)`` for float radii, each the nearest float to an Arb ball of radius
    ``≤ 2⁻⁶⁰ (1 + |log K|)``: error ``≤ 1.01 u (1 + |log K(r)|)``.  Equal radii are evaluated once."""
    r = np.asarray(r, dtype=float)
    uniq, inverse = np.unique(r, return_inverse=True)

    def one(x: float) -> float:
        if x == 0:
            return 0.0
        ball = _narrow(
            lambda: profile_ball(kernel, arb(x)).log(),
            lambda b: b.is_finite() and float(b.rad()) <= 2.0**-60 * (1 + abs(float(b.mid()))),
            f"a value log K({x!r}) of {kernel.name}",
        )
        return nearest_float(ball)

    return np.array([one(float(x)) for x in uniq]).reshape(-1)[inverse].reshape(r.shape)


def _narrow(evaluate: Callable[[], arb], good: Callable[[arb], bool], what: str) -> arb:
    """:func:`~bounds._core.ball.adaptive_ball`, refusing a ball that never became narrow enough
    (its midpoint would not carry the stated error bound)."""
    ball = adaptive_ball(evaluate, good)
    if not good(ball):
        raise ValueError(f"r gives {what} that ball arithmetic could not narrow below the stated error at 16384 bits")
    return ball


def _value(kernel: Matern | Gaussian, x: float) -> arb:
    return _narrow(
        lambda: profile_ball(kernel, arb(x)),
        lambda b: b.is_finite() and float(b.rad()) <= _RADIUS,
        f"a value K({x!r}) of {kernel.name}",
    )


@lru_cache(maxsize=64)
def tail_radius(kernel: Matern | Gaussian) -> float:
    """A radius ``r_τ`` with ``K(r) ≤ 2⁻⁶⁰`` for all ``r ≥ r_τ``, searched on ``ℓ · 1.25^k``.

    Formula
    -------
    the first ``r_τ = ℓ · 1.25^k`` whose Arb upper bound of ``K(r_τ)`` is ``≤ 2⁻⁶⁰``.

    Kind
    ----
    rigorous (``K`` is nonincreasing and the Arb upper bound is proven).

    References
    ----------
    docs/lambda_data.rst#kernel-entries
    """
    r = float(kernel.lengthscale)
    while upper_float(_value(kernel, r)) > _TAIL:
        r *= 1.25
    return r


def profile_floats_ball(kernel: Matern | Gaussian, r: np.ndarray) -> np.ndarray:
    """``K(r)`` for float radii with ``|K̃ − K(r)| ≤`` :data:`BALL_PROFILE_ERROR` (proven by Arb).

    Raises
    ------
    ValueError
        If more than :data:`MAX_BALL_EVALUATIONS` distinct radii below the tail radius are needed.
    """
    r = np.asarray(r, dtype=float)
    out = np.full(r.shape, _TAIL / 2)
    out[r == 0] = 1.0
    inner = (r > 0) & (r < tail_radius(kernel))
    uniq, inverse = np.unique(r[inner], return_inverse=True)
    if len(uniq) > MAX_BALL_EVALUATIONS:
        nu = getattr(kernel, "nu", math.inf)
        raise ValueError(
            f"X needs {len(uniq)} ball-arithmetic kernel evaluations for {kernel.name} (limit "
            f"{MAX_BALL_EVALUATIONS}): nu = {nu:g} has no float formula with a proven error bound (those are "
            f"the Gaussian and nu = p + 1/2, p = 0, ..., {HALF_INTEGER_MAX_P}); use fewer points or one of them"
        )
    vals = np.array([nearest_float(_value(kernel, float(x))) for x in uniq])
    out[inner] = vals.reshape(-1)[inverse.reshape(-1)]
    return out
