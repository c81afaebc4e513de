"""Gaussian-minorant lower bound on λ_N(δ) for Matérn kernels (derived here; docs section
``docs/lambda_lower.rst#gaussian-minorant``).

Normalisation as in :mod:`bounds.lambda_min.lower.fourier`: ``K(z) = ∫ p(ω) e^{iω·z} dω``.  For ``s > 0`` let
``g_s`` be the ``N(0, s² I_D)`` density, whose transform is the Gaussian kernel
``G_s(z) = e^{−s²‖z‖²/2}`` (length scale ``1/s``).  If ``p ≥ α g_s`` pointwise, then
``cᵀK_Xc = ∫ p |Σ c_j e^{iω·x_j}|² ≥ α cᵀ(G_s)_X c``, hence

``λ_min(K_X) ≥ α(s) λ_min((G_s)_X) ≥ α(s) (1 − S^{G_s}_N(δ))``

with the packing–Gershgorin sum of the Gaussian kernel (:func:`bounds.lambda_min.lower.packing.packing_sum`).
For the Student-t density of Matérn(ν, ℓ), ``log(p/g_s)`` is convex in ``x = ‖ω‖²``, so
``α(s) = min_ω p(ω)/g_s(ω)`` is attained at

``x* = max(0, (2ν/ℓ²) ((ν + D/2) ℓ² s²/ν − 1))``  (closed form).

The heavy Student-t tail is what makes this work: a Gaussian with a large ``s`` (a narrow kernel,
nearly diagonal Gram matrix) still fits under ``p``.  Optimised over ``s`` on a log grid + Brent;
valid for every ``s``.  For the Gaussian kernel itself ``α(s) > 0`` only for ``s ≤ 1/ℓ`` and the
bound never beats packing, so it is not offered.

>>> from bounds.kernels import Matern
>>> q = gaussian_minorant_lower_bound(Matern("5/2"), N=10, delta=0.5, D=8)
>>> q.kind, 1e-4 < q.value < 0.05
('rigorous', True)
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import optimize

from bounds._core.rounding import MP_DPS, round_down
from bounds._core.validate import check_lambda_inputs
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile import LOG_PROFILE_ABS_ERROR, log_density_radial
from bounds.lambda_min.lower.packing import packing_sum
from bounds.result import Quantity

__all__ = ["log_minorant_constant", "gaussian_minorant_lower_bound"]

_REFERENCE = "docs/lambda_lower.rst#gaussian-minorant"


def _log_parts(kernel: Matern, s: float, D: int) -> tuple[float, float]:
    nu, ell = kernel.nu, kernel.lengthscale
    x = max(0.0, (2 * nu / ell**2) * ((nu + D / 2) * ell**2 * s**2 / nu - 1.0))
    log_p = float(log_density_radial(kernel, math.sqrt(x), D))
    log_g = -(D / 2) * math.log(2 * math.pi * s**2) - x / (2 * s**2)
    return log_p, log_g


def log_minorant_constant(kernel: Matern, s: float, D: int) -> float:
    """``log α(s)``, ``α(s) = min_ω p(ω)/g_s(ω)`` for the Student-t density ``p`` of ``kernel``
    (float; exact minimiser ``‖ω‖² = x*`` of the module docstring).

    Formula
    -------
    ``log α(s) = log p(ω*) − log g_s(ω*)`` at ``‖ω*‖² = x* = max(0, (2ν/ℓ²) ((ν + D/2) ℓ² s²/ν − 1))``.

    Kind
    ----
    numerical (a float; :func:`gaussian_minorant_lower_bound` subtracts the stated margin
    ``LOG_PROFILE_ABS_ERROR · (2 + |log p| + |log g_s|)`` before using it).

    References
    ----------
    docs/lambda_lower.rst#gaussian-minorant
    """
    log_p, log_g = _log_parts(kernel, s, D)
    return log_p - log_g


def _log_bound(kernel: Matern, N: int, delta: float, D: int, log_s: float) -> float:
    s = math.exp(log_s)
    S = packing_sum(Gaussian(1.0 / s), N, delta, D).value
    if S >= 1:
        return -math.inf
    return log_minorant_constant(kernel, s, D) + math.log1p(-S)


def gaussian_minorant_lower_bound(kernel: Matern, N: int, delta: float, D: int) -> Quantity:
    """Gaussian-minorant lower bound ``λ_N(δ) ≥ max_s α(s) (1 − S^{G_s}_N(δ))`` (Matérn only).

    Returns
    -------
    Quantity
        ``mp`` carries the bound in full (it may be far below the double range); ``value`` is its
        float rounded down (``0.0`` after underflow, never NaN).  ``hypotheses`` records ``s``.

    Formula
    -------
    ``α(s) = min_ω p(ω)/g_s(ω)`` (closed-form minimiser), ``G_s(r) = e^{−s²r²/2}``, ``S^{G_s}_N`` its
    packing–Gershgorin neighbour sum.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    ``X ⊂ R^D`` δ-separated, ``#X ≤ N``; ``K`` Matérn (Student-t spectral density).

    References
    ----------
    docs/lambda_lower.rst#gaussian-minorant
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    if not isinstance(kernel, Matern):
        name = getattr(kernel, "name", type(kernel).__name__)
        raise ValueError(
            f"kernel must be a Matern kernel for the Gaussian-minorant bound (its Student-t spectral "
            f"density dominates a multiple of every Gaussian density), got {name}"
        )
    # s δ must be large enough for the packing sum of G_s to be < 1: search log s around 1/δ.
    grid = np.linspace(math.log(0.5 / delta), math.log(200.0 / delta), 40)
    vals = np.array([_log_bound(kernel, N, delta, D, g) for g in grid])
    i = int(np.argmax(vals))
    best = float(grid[i])
    if math.isfinite(vals[i]):
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        res = optimize.minimize_scalar(
            lambda g: (
                -_log_bound(kernel, N, delta, D, g) if math.isfinite(_log_bound(kernel, N, delta, D, g)) else 1e300
            ),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-8},
        )
        if res.success and -res.fun > vals[i]:
            best = float(res.x)
    s = math.exp(best)
    S_up = packing_sum(Gaussian(1.0 / s), N, delta, D).value  # rigorous, rounded up
    log_p, log_g = _log_parts(kernel, s, D)
    log_a = log_p - log_g
    # Stated float margins: log p as in bounds.kernels.profile, log g_s and the subtraction a few ulps.
    # (A rounded minimiser x* only changes the convex log-ratio to second order, ~ (ν + D/2) u².)
    margin = LOG_PROFILE_ABS_ERROR * (2 + abs(log_p) + abs(log_g))
    with mpmath.workdps(MP_DPS):
        mp_val = (
            mpmath.mpf(0) if S_up >= 1 else mpmath.exp(mpmath.mpf(log_a) - mpmath.mpf(margin)) * (1 - mpmath.mpf(S_up))
        )
    return Quantity(
        name="lambda_lower_gaussian_minorant",
        value=round_down(mp_val),
        kind="rigorous",
        formula="max_s alpha(s) (1 - S_N^{G_s}(delta)), alpha(s) = min_w p(w)/N(0, s^2 I)(w), G_s(r) = exp(-s^2 r^2/2)",
        reference=_REFERENCE,
        hypotheses=(
            f"X in R^{D} with sep(X) >= {delta!r} and #X <= {N}",
            f"{kernel.name}: Student-t spectral density",
            f"optimal s = {s!r} (Gaussian length scale 1/s = {1 / s!r}), Gaussian row sum {S_up!r}",
        ),
        mp=mp_val,
        dps=MP_DPS,
    )
