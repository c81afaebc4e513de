"""Radial profiles of the kernels with a nonincreasing, nonnegative profile, in log space.

The separation-based λ(δ) bounds (``docs/lambda_lower.rst``) need ``K(r)`` at radii where it
underflows double precision (``K(r) ≈ e^{-√(2ν) r/ℓ}``), so they work with ``log K(r)``.  This
module is the single place that decides which kernels qualify, evaluates ``log K(r)`` in floats
with a stated, tested error margin, and evaluates ``K(r)`` and the spectral density to high
precision with mpmath.

Qualifying kernels are :class:`~bounds.kernels.Matern` (any ν > 0) and
:class:`~bounds.kernels.Gaussian`: both have ``K ≥ 0`` radially nonincreasing (each is a scale
mixture of Gaussians ``e^{-s r²}``, s > 0) and a radially nonincreasing spectral density.  A random
Fourier feature kernel ``K_q(z) = (1/q) Σ cos(ω_j·z)`` is not radial (it depends on the direction of
``z`` and changes sign), so it is refused with an error that says so.

>>> from bounds.kernels import Matern
>>> float(log_profile(Matern("3/2"), 0.0))
0.0
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import special

from bounds.kernels import Gaussian, Matern

__all__ = [
    "require_radial_kernel",
    "log_profile",
    "LOG_PROFILE_ABS_ERROR",
    "log_profile_margin",
    "profile_mp",
    "log_density_radial",
    "density_radial_mp",
]

#: Stated bound on the absolute error of :func:`log_profile` in floats, relative to
#: ``1 + |log K(r)|``: ``|computed − exact| ≤ LOG_PROFILE_ABS_ERROR · (1 + |log K(r)|)``.
#: About 450 ulps: the closed forms lose a few ulps, scipy's ``kve`` about 1e-14 relative.
#: Tested against mpmath at 50 digits in ``tests/bounds/lambda_min/lower/test_packing.py``.
LOG_PROFILE_ABS_ERROR = 1e-13


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


def log_profile(kernel: Matern | Gaussian, r: np.ndarray | float) -> np.ndarray:
    """``log K(r)`` for ``r >= 0`` in double precision, without underflow.

    Matérn closed forms for ν = 1/2, 3/2, 5/2 (``log(poly(s)) − s``, ``s = √(2ν) r/ℓ``), the Bessel
    form ``(1−ν) log 2 − log Γ(ν) + ν log s + log kve(ν, s) − s`` otherwise, and ``−r²/(2ℓ²)`` for the
    Gaussian.  Absolute error ≤ ``LOG_PROFILE_ABS_ERROR · (1 + |log K(r)|)`` (tested).
    """
    kernel = require_radial_kernel(kernel, "log profile")
    r = np.asarray(r, dtype=float)
    ell = kernel.lengthscale
    if isinstance(kernel, Gaussian):
        return -0.5 * (r / ell) ** 2
    nu = kernel.nu
    s = math.sqrt(2.0 * nu) * r / ell
    half = kernel._closed_form()
    if half is not None:
        if float(half) == 0.5:
            return -s
        if float(half) == 1.5:
            return np.log1p(s) - s
        return np.log1p(s + s * s / 3.0) - s
    out = np.zeros_like(s)
    pos = s > 0
    sp_ = s[pos]
    with np.errstate(divide="ignore", under="ignore"):
        out[pos] = (
            (1.0 - nu) * math.log(2.0)
            - special.gammaln(nu)
            + nu * np.log(sp_)
            + np.log(special.kve(nu, sp_))
            - sp_
        )
    return out


def log_profile_margin(logk: np.ndarray | float) -> np.ndarray:
    """The stated error margin of :func:`log_profile` at a computed value ``logk``."""
    return LOG_PROFILE_ABS_ERROR * (1.0 + np.abs(np.asarray(logk, dtype=float)))


def profile_mp(kernel: Matern | Gaussian, r: object) -> mpmath.mpf:
    """``K(r)`` at the current mpmath precision (closed forms or ``mpmath.besselk``)."""
    kernel = require_radial_kernel(kernel, "profile")
    r = mpmath.mpf(r)
    ell = mpmath.mpf(kernel.lengthscale)
    if isinstance(kernel, Gaussian):
        return mpmath.exp(-(r / ell) ** 2 / 2)
    nu_e = kernel.nu_exact
    nu = mpmath.mpf(nu_e.p) / nu_e.q if hasattr(nu_e, "p") else mpmath.mpf(nu_e)
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


def log_density_radial(kernel: Matern | Gaussian, rho: np.ndarray | float, D: int) -> np.ndarray:
    """``log p(ω)`` at ``‖ω‖ = rho`` for the spectral density ``p`` of ``kernel`` on ``R^D``.

    Normalisation (SPEC §1): ``K(z) = ∫ p(ω) cos(ω·z) dω`` with ``∫ p = 1``, angular frequency.
    Matérn: Student-t, ``p = Γ(ν + D/2)/(Γ(ν)(2πν)^{D/2}) ℓ^D (1 + ℓ²ρ²/(2ν))^{-(ν + D/2)}``;
    Gaussian: ``p = (ℓ²/(2π))^{D/2} e^{-ℓ²ρ²/2}``.  Both are nonincreasing in ρ.
    """
    kernel = require_radial_kernel(kernel, "spectral density")
    rho = np.asarray(rho, dtype=float)
    ell = kernel.lengthscale
    if isinstance(kernel, Gaussian):
        return (D / 2) * math.log(ell**2 / (2 * math.pi)) - 0.5 * (ell * rho) ** 2
    nu = kernel.nu
    log_c = special.gammaln(nu + D / 2) - special.gammaln(nu) - (D / 2) * math.log(2 * math.pi * nu) + D * math.log(ell)
    return log_c - (nu + D / 2) * np.log1p(ell**2 * rho**2 / (2 * nu))


def density_radial_mp(kernel: Matern | Gaussian, rho: object, D: int) -> mpmath.mpf:
    """The spectral density at ``‖ω‖ = rho`` at the current mpmath precision (see
    :func:`log_density_radial` for the formula)."""
    kernel = require_radial_kernel(kernel, "spectral density")
    rho = mpmath.mpf(rho)
    ell = mpmath.mpf(kernel.lengthscale)
    if isinstance(kernel, Gaussian):
        return (ell**2 / (2 * mpmath.pi)) ** (mpmath.mpf(D) / 2) * mpmath.exp(-((ell * rho) ** 2) / 2)
    nu_e = kernel.nu_exact
    nu = mpmath.mpf(nu_e.p) / nu_e.q if hasattr(nu_e, "p") else mpmath.mpf(nu_e)
    half_d = mpmath.mpf(D) / 2
    c = mpmath.gamma(nu + half_d) / (mpmath.gamma(nu) * (2 * mpmath.pi * nu) ** half_d) * ell**D
    return c * (1 + ell**2 * rho**2 / (2 * nu)) ** (-(nu + half_d))
