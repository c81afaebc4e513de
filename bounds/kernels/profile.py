"""Radial profiles of the kernels with a nonincreasing, nonnegative profile: proven float
evaluation, log space, and high precision.

The separation-based λ(δ) bounds (``docs/lambda_lower.rst``) need ``K(r)`` at radii where it
underflows double precision (``K(r) ≈ e^{-√(2ν) r/ℓ}``), so they work with ``log K(r)``; the
verified λ_min and the Gershgorin bounds of ``docs/lambda_data.rst`` need ``K(r)`` with a proven
error bound.  This module is the single place that decides which kernels qualify, evaluates
``K(r)`` and ``log K(r)`` with proven error bounds (derived float margins for the Gaussian and the
Matérn half-integers ν = p + 1/2, ``p ≤ 50``; Arb balls, :mod:`bounds.kernels.profile_ball`, for
every other ν), and evaluates ``K(r)`` and the spectral density to high precision with mpmath.

Qualifying kernels are :class:`~bounds.kernels.Matern` (any ν > 0) and
:class:`~bounds.kernels.Gaussian`: both have ``K ≥ 0`` radially nonincreasing (each is a scale
mixture of Gaussians ``e^{-s r²}``, s > 0) and a radially nonincreasing spectral density.  A random
Fourier feature kernel ``K_q(z) = (1/q) Σ cos(ω_j·z)`` is not radial (it depends on the direction of
``z`` and changes sign), so it is refused with an error that says so.

>>> from bounds.kernels import Matern
>>> float(log_profile(Matern("3/2"), 0.0))
0.0
>>> round(profile_error_bound(Matern("5/2")) / 2.0**-53, 2)  # ≈ (2p + 10) u for p = 2
13.94
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from flint import arb, ctx

from bounds._core.ball import arb_param, nearest_float
from bounds._core.rounding import UNIT_ROUNDOFF, gamma_k
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile_ball import BALL_PROFILE_ERROR, log_profile_ball, profile_floats_ball

__all__ = [
    "require_radial_kernel",
    "float_profile_proven",
    "profile_error_bound",
    "proven_profile",
    "log_profile",
    "LOG_PROFILE_ABS_ERROR",
    "log_profile_margin",
    "profile_mp",
    "log_density_radial",
    "density_radial_mp",
]

#: Stated bound on the absolute error of :func:`log_profile` in floats, relative to
#: ``1 + |log K(r)|``: ``|computed − exact| ≤ LOG_PROFILE_ABS_ERROR · (1 + |log K(r)|)``.
#: Proven: the float forms (Gaussian, ν = 1/2, 3/2, 5/2) err by at most ``30 u (1 + |log K|)``
#: and the Arb path by ``1.01 u (1 + |log K|)`` (docs/lambda_data.rst#kernel-entries); this is
#: about 450 ulps, a wide margin that costs the bounds nothing measurable.
LOG_PROFILE_ABS_ERROR = 1e-13
#: ``sup_s |s K'(s)| ≤ 2/e`` for every Gaussian scale mixture (docs/lambda_data.rst), rounded up.
_SUP_S_DK = 0.7358


def require_radial_kernel(kernel: object, what: str) -> Matern | Gaussian:
    """Return ``kernel`` if it has a nonincreasing, nonnegative radial profile, else raise.

    Parameters
    ----------
    kernel
        The kernel to check.
    what
        The name of the bound that needs the hypothesis (for the error message).
    """
    if isinstance(kernel, (Matern, Gaussian)):
        return kernel
    name = getattr(kernel, "name", type(kernel).__name__)
    if hasattr(kernel, "omega"):
        reason = (
            "a random Fourier feature kernel K_q(z) = (1/q) sum_j cos(w_j.z) is not radial: it depends "
            "on the direction of z, takes negative values and has an atomic spectral measure"
        )
    else:
        reason = "only Matern and Gaussian kernels are known to have a nonincreasing nonnegative radial profile"
    raise ValueError(
        f"kernel must be radial with a nonincreasing nonnegative profile K(r) and a radially "
        f"nonincreasing spectral density for the {what} (Matern or Gaussian), got {name}: {reason}"
    )


def float_profile_proven(kernel: Matern | Gaussian) -> bool:
    """Whether ``kernel.profile`` has a proven float error bound: the Gaussian, or Matérn
    ν = p + 1/2 with ``p ≤ 50`` (docs/lambda_data.rst#kernel-entries)."""
    return isinstance(kernel, Gaussian) or kernel.half_integer_order() is not None


def profile_error_bound(kernel: Matern | Gaussian) -> float:
    """A bound on ``|K̃(r) − K(r)|`` for the values ``K̃`` of :func:`proven_profile` at a float ``r``.

    Formula
    -------
    Gaussian ``γ_5/e · 1.001 + 4u + 1e-300`` (the argument ``x = r²/(2ℓ²)`` to ``γ_5``,
    moving ``e^{−x}`` by ``≤ x e^{−x} γ_5``; ``exp`` to 2 ulps; underflow); Matérn ν = p + 1/2
    ``γ_{2p+7} + (2/e) γ_4/(1 − γ_4) + 1e-160`` ≈ ``(2p + 10) u`` (Horner with positive
    coefficients ``γ_{2p+2}``, ``exp`` 2 ulps, the product ``u``; ``s`` to ``γ_4`` moves ``K`` by
    ``≤ sup|sK'(s)| γ_4/(1 − γ_4)``; the cut at ``s = 700``); other ν: the Arb path, ``1.01 u``.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    IEEE double, round to nearest; numpy's ``exp`` within 2 ulps (NumPy's own accuracy tests allow
    1 ulp; checked against Arb in ``tests/bounds/kernels/test_profile_oracle.py``).

    References
    ----------
    docs/lambda_data.rst#kernel-entries
    """
    kernel = require_radial_kernel(kernel, "profile error bound")
    u = UNIT_ROUNDOFF
    if isinstance(kernel, Gaussian):
        return gamma_k(5) / math.e * 1.001 + 4 * u + 1e-300
    p = kernel.half_integer_order()
    if p is None:
        return BALL_PROFILE_ERROR
    return gamma_k(2 * p + 7) + _SUP_S_DK * gamma_k(4) / (1 - gamma_k(4)) + 1e-160


def proven_profile(kernel: Matern | Gaussian, r: np.ndarray) -> np.ndarray:
    """``K(r)`` for float radii ``r >= 0``, within :func:`profile_error_bound` of the exact value.

    The float closed forms where they are proven (:func:`float_profile_proven`), else Arb balls
    rounded to nearest (:func:`bounds.kernels.profile_ball.profile_floats_ball`, which raises
    ``ValueError`` beyond its evaluation budget).

    Formula
    -------
    ``K(r)`` by its closed form (Gaussian ``e^{−r²/(2ℓ²)}``; Matérn ν = p + 1/2
    ``e^{−s} Σ_k a_k s^k``, ``s = √(2ν) r/ℓ``) or by the Arb ball of ``K(r)``; the error is at most
    :func:`profile_error_bound`.

    Kind
    ----
    rigorous (with the stated error bound).

    References
    ----------
    docs/lambda_data.rst#kernel-entries
    """
    kernel = require_radial_kernel(kernel, "proven profile")
    r = np.asarray(r, dtype=float)
    if float_profile_proven(kernel):
        return np.asarray(kernel.profile(r), dtype=float)
    return profile_floats_ball(kernel, r)


def log_profile(kernel: Matern | Gaussian, r: np.ndarray | float) -> np.ndarray:
    """``log K(r)`` for ``r >= 0`` in double precision, without underflow.

    Floats for the Gaussian ``−r²/(2ℓ²)`` and Matérn ν = 1/2, 3/2, 5/2 (``log(poly(s)) − s``,
    ``s = √(2ν) r/ℓ``); every other ν through Arb (:func:`bounds.kernels.profile_ball.log_profile_ball`,
    0.02–1 ms per distinct radius).

    Formula
    -------
    Gaussian ``−r²/(2ℓ²)``; Matérn ν = 1/2, 3/2, 5/2 ``log(poly(s)) − s``, ``s = √(2ν) r/ℓ``; other ν the
    Arb ball of ``log K(r)``.

    Kind
    ----
    rigorous with the stated error: absolute error ≤ ``LOG_PROFILE_ABS_ERROR · (1 + |log K(r)|)``
    (proven; tested against Arb).

    References
    ----------
    docs/lambda_data.rst#kernel-entries
    """
    kernel = require_radial_kernel(kernel, "log profile")
    r = np.asarray(r, dtype=float)
    ell = kernel.lengthscale
    if isinstance(kernel, Gaussian):
        return -0.5 * (r / ell) ** 2
    half = kernel._closed_form()
    if half is None:
        return log_profile_ball(kernel, r)
    s = math.sqrt(2.0 * kernel.nu) * r / ell
    if float(half) == 0.5:
        return -s
    if float(half) == 1.5:
        return np.log1p(s) - s
    return np.log1p(s + s * s / 3.0) - s


def log_profile_margin(logk: np.ndarray | float) -> np.ndarray:
    """The stated error margin of :func:`log_profile` at a computed value ``logk``.

    Formula
    -------
    ``LOG_PROFILE_ABS_ERROR · (1 + |log K̃(r)|)``.

    Kind
    ----
    rigorous (the proven error bound of :func:`log_profile`, tested against Arb).

    References
    ----------
    docs/lambda_data.rst#kernel-entries
    """
    return LOG_PROFILE_ABS_ERROR * (1.0 + np.abs(np.asarray(logk, dtype=float)))


def _mp_exact(x: object) -> mpmath.mpf:
    """``x`` (a sympy Rational or a float) as an mpmath number at the current precision."""
    if isinstance(x, sp.Rational):
        return mpmath.mpf(int(x.p)) / int(x.q)
    return mpmath.mpf(float(x))  # type: ignore[arg-type]  # floats and sympy numbers


def profile_mp(kernel: Matern | Gaussian, r: object) -> mpmath.mpf:
    """``K(r)`` at the current mpmath precision (closed forms or ``mpmath.besselk``)."""
    kernel = require_radial_kernel(kernel, "profile")
    r = mpmath.mpf(r)
    ell = mpmath.mpf(kernel.lengthscale)
    if isinstance(kernel, Gaussian):
        return mpmath.exp(-(r / ell) ** 2 / 2)
    nu_e = kernel.nu_exact
    nu = _mp_exact(nu_e)
    s = mpmath.sqrt(2 * nu) * r / ell
    half = kernel._closed_form()
    if half is not None:
        if float(half) == 0.5:
            return mpmath.exp(-s)
        if float(half) == 1.5:
            return (1 + s) * mpmath.exp(-s)
        return (1 + s + s**2 / 3) * mpmath.exp(-s)
    if s == 0:
        return mpmath.mpf(1)
    return 2 ** (1 - nu) / mpmath.gamma(nu) * s**nu * mpmath.besselk(nu, s)


@lru_cache(maxsize=256)
def _log_density_constant(kernel: Matern | Gaussian, D: int) -> float:
    """``log c``, ``c = p(0)``, to the nearest float through Arb: Matérn
    ``Γ(ν + D/2)/(Γ(ν)(2πν)^{D/2}) ℓ^D`` (the float ``gammaln(ν + D/2) − gammaln(ν)`` cancels terms
    of size ``ν log ν``: error ``~1e-12`` at ν = 500), Gaussian ``(ℓ²/(2π))^{D/2}``."""
    with ctx.workprec(128):
        ell, half_d = arb_param(kernel.lengthscale_exact), arb(D) / 2
        if isinstance(kernel, Gaussian):
            return nearest_float(half_d * (ell**2 / (2 * arb.pi())).log())
        nu = arb_param(kernel.nu_exact)
        log_c = (nu + half_d).lgamma() - nu.lgamma() - half_d * (2 * arb.pi() * nu).log() + D * ell.log()
        return nearest_float(log_c)


def log_density_radial(kernel: Matern | Gaussian, rho: np.ndarray | float, D: int) -> np.ndarray:
    """``log p(ω)`` at ``‖ω‖ = rho`` for the spectral density ``p`` of ``kernel`` on ``R^D``.

    Normalisation (docs/theory.rst): ``K(z) = ∫ p(ω) cos(ω·z) dω`` with ``∫ p = 1``, angular frequency.
    Matérn: Student-t, ``p = Γ(ν + D/2)/(Γ(ν)(2πν)^{D/2}) ℓ^D (1 + ℓ²ρ²/(2ν))^{-(ν + D/2)}``;
    Gaussian: ``p = (ℓ²/(2π))^{D/2} e^{-ℓ²ρ²/2}``.  Both are nonincreasing in ρ.  The constant
    ``log c = log p(0)`` is evaluated in Arb (once per kernel and ``D``).

    Formula
    -------
    Matérn: ``log c − (ν + D/2) log(1 + ℓ²ρ²/(2ν))``; Gaussian: ``log c − ℓ²ρ²/2``.

    Kind
    ----
    rigorous with the stated error: absolute error ``≤ 16 u (|log c| + |log p|)``.

    References
    ----------
    docs/lambda_data.rst#kernel-entries; docs/theory.rst#model-spectral-measure
    """
    kernel = require_radial_kernel(kernel, "spectral density")
    rho = np.asarray(rho, dtype=float)
    ell = kernel.lengthscale
    log_c = _log_density_constant(kernel, int(D))
    if isinstance(kernel, Gaussian):
        return log_c - 0.5 * (ell * rho) ** 2
    nu = kernel.nu
    return log_c - (nu + D / 2) * np.log1p(ell**2 * rho**2 / (2 * nu))


def density_radial_mp(kernel: Matern | Gaussian, rho: object, D: int) -> mpmath.mpf:
    """The spectral density at ``‖ω‖ = rho`` at the current mpmath precision (see
    :func:`log_density_radial` for the formula)."""
    kernel = require_radial_kernel(kernel, "spectral density")
    w = mpmath.mpf(rho)
    ell = mpmath.mpf(kernel.lengthscale)
    if isinstance(kernel, Gaussian):
        return (ell**2 / (2 * mpmath.pi)) ** (mpmath.mpf(D) / 2) * mpmath.exp(-((ell * w) ** 2) / 2)
    nu_e = kernel.nu_exact
    nu = _mp_exact(nu_e)
    half_d = mpmath.mpf(D) / 2
    c = mpmath.gamma(nu + half_d) / (mpmath.gamma(nu) * (2 * mpmath.pi * nu) ** half_d) * ell**D
    return c * (1 + ell**2 * w**2 / (2 * nu)) ** (-(nu + half_d))
