"""Fourier lower bound on λ_N(δ) (Narcowich–Ward / Wendland ch. 12 route, docs/lambda_lower.rst), with our
own constant.

Docs: ``docs/lambda_lower.rst#fourier-route`` (full derivation).  Normalisation:
``K(z) = ∫ p(ω) cos(ω·z) dω``, ``p`` the spectral density of :mod:`bounds.kernels` (a probability
density, angular frequency).  For ``M > 0`` let ``χ_M`` be the indicator of the ball ``B(0, M)``,
``V_M = π^{D/2} M^D / Γ(D/2 + 1)`` its volume and ``w = χ_M * χ_M`` (``0 ≤ w ≤ V_M``, supported
in ``B(0, 2M)``).  Its transform is ``Ψ(z) = ∫ w(ω) e^{iω·z} dω = F_M(z)²`` with
``F_M(z) = ∫_{B_M} e^{iω·z} dω = V_M Φ(M‖z‖)``, ``Φ(t) = Γ(D/2+1) (2/t)^{D/2} J_{D/2}(t)``.
Since ``p ≥ p(2M) ≥ p(2M) w / V_M`` on ``B(0, 2M)`` (``p`` radially nonincreasing),

``cᵀK_Xc = ∫ p |Σ_j c_j e^{iω·x_j}|² ≥ (p(2M)/V_M) cᵀΨ_Xc ≥ p(2M) V_M (1 − max_j Σ_{k≠j} Φ(M‖x_j − x_k‖)²) ‖c‖²``

(Gershgorin on ``Ψ_X``, whose diagonal is ``V_M²``).  The off-diagonal sum is bounded by packing
(:mod:`bounds.lambda_min.lower.packing`: the ``j``-th neighbour is at distance ``≥ ρ_j δ``) with a nonincreasing
majorant ``E ≥ Φ²``: ``E(t) = min(1, 1/t²)`` in
``D = 1`` (``Φ(t) = sin t / t``) and ``E(t) = min(1, Γ(D/2+1)² 2^D c_L² t^{−D−2/3})`` for
``D ≥ 2`` from Landau's bound ``|J_ν(x)| ≤ c_L x^{−1/3}``, ``c_L = 0.7857468704…`` (L. Landau,
J. London Math. Soc. 61 (2000) 197–215), used here rounded up to 0.7858.  With ``t = Mδ``:

``λ_N(δ) ≥ max_{t>0} p(2t/δ) V_{t/δ} (1 − S^Φ_N(t))``,  ``S^Φ_N(t) = Σ_{j=1}^{N−1} E(ρ_j t)``,

``ρ_j`` of :func:`bounds.lambda_min.lower.packing.neighbour_radii` (summed in the same blocks).  The free parameter
``t`` is optimised on a log grid and refined with ``scipy.optimize.minimize_scalar``; the bound is
valid for every ``t``, so the optimiser's accuracy does not affect rigour.  Wendland's closed-form
constant (Thm 12.3) is *not* used.

>>> from bounds.kernels import Matern
>>> q = fourier_lower_bound(Matern("5/2"), N=2, delta=1.0, D=1)
>>> q.kind, 0 < q.value < 1 - float(Matern("5/2").profile(1.0))
('rigorous', True)
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import optimize, special

from bounds._core.rounding import MP_DPS, round_down
from bounds._core.validate import check_lambda_inputs
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile import LOG_PROFILE_ABS_ERROR, log_density_radial, require_radial_kernel
from bounds.lambda_min.lower.packing import neighbour_blocks
from bounds.result import Quantity

__all__ = ["LANDAU_C", "bessel_envelope", "fourier_offdiagonal_sum", "fourier_lower_bound"]

#: Landau's constant c = 0.7857468704... in |J_ν(x)| ≤ c x^{-1/3} (all ν > 0, x > 0), rounded up.
LANDAU_C = 0.7858
_REFERENCE = "docs/lambda_lower.rst#fourier-route"


def _log_env_const(D: int) -> float:
    """log of the constant ``C_D`` in ``Φ(t)² ≤ C_D t^{-a}`` (``a = 2`` in D = 1, else D + 2/3)."""
    if D == 1:
        return 0.0
    return 2 * special.gammaln(D / 2 + 1) + D * math.log(2.0) + 2 * math.log(LANDAU_C)


def _env_exponent(D: int) -> float:
    return 2.0 if D == 1 else D + 2.0 / 3.0


def bessel_envelope(t: np.ndarray, D: int) -> np.ndarray:
    """The nonincreasing majorant ``E(t) ≥ Φ(t)² = (Γ(D/2+1)(2/t)^{D/2} J_{D/2}(t))²``.

    Formula
    -------
    ``E(t) = min(1, 1/t²)`` for ``D = 1`` and ``min(1, Γ(D/2+1)² 2^D c_L² t^{−D−2/3})`` for ``D ≥ 2``
    (Landau's ``|J_ν(x)| ≤ c_L x^{−1/3}``, ``c_L`` rounded up).

    Kind
    ----
    rigorous (a majorant).

    References
    ----------
    docs/lambda_lower.rst#fourier-route; L. Landau, J. London Math. Soc. 61 (2000) 197–215.
    """
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore"):
        log_e = _log_env_const(D) - _env_exponent(D) * np.log(t)
    return np.exp(np.minimum(log_e, 0.0))


def _offdiag(t: np.ndarray, rho: np.ndarray, count: np.ndarray, D: int) -> np.ndarray:
    """``S^Φ_N(t) = Σ_blocks count · E(ρ t)`` for an array of ``t`` (float, no rounding margin)."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    return bessel_envelope(np.outer(t, rho), D) @ count


def fourier_offdiagonal_sum(N: int, t: float, D: int) -> float:
    """Rigorous upper bound on ``max_j Σ_{k≠j} Φ(M‖x_j − x_k‖)²`` for ``Mδ = t`` (rounded up).

    Formula
    -------
    ``S^Φ_N(t) = Σ_{j<N} E(ρ_j t)`` (in blocks), with a relative margin ``1e-12`` for the float
    evaluation.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    δ-separated, ``#X ≤ N``.

    References
    ----------
    docs/lambda_lower.rst#fourier-route
    """
    rho, count = neighbour_blocks(int(N), D)
    return float(_offdiag(np.array([t]), rho, count, D)[0]) * (1 + 1e-12)


def _log_bound_float(kernel: Matern | Gaussian, delta: float, D: int, t: np.ndarray, S: np.ndarray) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    M = t / delta
    log_vm = (D / 2) * math.log(math.pi) + D * np.log(M) - special.gammaln(D / 2 + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return log_density_radial(kernel, 2 * M, D) + log_vm + np.log1p(-np.minimum(S, 1.0))


def fourier_lower_bound(kernel: Matern | Gaussian, N: int, delta: float, D: int) -> Quantity:
    """Fourier (Narcowich–Ward) lower bound on ``λ_N(δ)``.

    Returns
    -------
    Quantity
        ``mp`` carries the bound in full (it is often far below the double-precision range, e.g.
        ``1e-400`` for small δ or large D); ``value`` is its float rounded down, possibly ``0.0``
        after underflow — never NaN.  ``hypotheses`` records the optimal ``M = t/δ``.

    Formula
    -------
    ``max_{t>0} p(2t/δ) V_{t/δ} (1 − S^Φ_N(t))`` (module docstring), ``p`` the spectral density, ``V_M``
    the volume of the ball of radius ``M`` in ``R^D``.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    ``X ⊂ R^D`` δ-separated, ``#X ≤ N``; spectral density radially nonincreasing (Matérn, Gaussian; RFF
    kernels raise).

    References
    ----------
    docs/lambda_lower.rst#fourier-route
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    kernel = require_radial_kernel(kernel, "Fourier lower bound")
    rho, count = neighbour_blocks(N, D)

    def neg(logt: float) -> float:
        t = math.exp(logt)
        S = _offdiag(np.array([t]), rho, count, D)
        v = float(_log_bound_float(kernel, delta, D, np.array([t]), S)[0])
        return -v if math.isfinite(v) else 1e300

    grid = np.linspace(math.log(1e-2), math.log(1e4), 97)
    S = _offdiag(np.exp(grid), rho, count, D)
    vals = _log_bound_float(kernel, delta, D, np.exp(grid), S)
    vals = np.where(np.isfinite(vals), vals, -np.inf)
    i = int(np.argmax(vals))
    best_logt = float(grid[i])
    if np.isfinite(vals[i]):
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        res = optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
        if res.success and -res.fun > vals[i]:
            best_logt = float(res.x)
    t = math.exp(best_logt)
    # Rigorous evaluation at this t: S rounded up, the logs with their stated margins.
    S_up = fourier_offdiagonal_sum(N, t, D)
    M = t / delta
    log_p = float(log_density_radial(kernel, 2 * M, D))
    log_vm = (D / 2) * math.log(math.pi) + D * math.log(M) - float(special.gammaln(D / 2 + 1))
    margin = LOG_PROFILE_ABS_ERROR * (1 + abs(log_p) + abs(log_vm))
    with mpmath.workdps(MP_DPS):
        if S_up >= 1:
            mp_val = mpmath.mpf(0)
        else:
            mp_val = mpmath.exp(mpmath.mpf(log_p) + mpmath.mpf(log_vm) - mpmath.mpf(margin)) * (1 - mpmath.mpf(S_up))
    return Quantity(
        name="lambda_lower_fourier",
        value=round_down(mp_val),
        kind="rigorous",
        formula="max_t p(2t/delta) V_{t/delta} (1 - S_N(t)), S_N(t) = sum_{j<N} min(1, C_D (rho_j t)^-a), "
        "a = 2 (D = 1) or D + 2/3 (Landau)",
        reference=_REFERENCE,
        hypotheses=(
            f"X in R^{D} with sep(X) >= {delta!r} and #X <= {N}",
            f"{kernel.name}: spectral density radially nonincreasing",
            f"optimal M = t/delta = {M!r} (t = {t!r}), off-diagonal sum {S_up!r}",
        ),
        mp=mp_val,
        dps=MP_DPS,
    )
