"""Packing–Gershgorin bounds: ``λ_N(δ) ≥ 1 − S_N(δ)`` and ``Λ_N ≤ 1 + S_N(δ)`` (SPEC §4.1).

Proof in ``docs/lambda_lower.rst`` (section "Packing–Gershgorin").  For a δ-separated set, the
balls of radius δ/2 around the points are disjoint, so at most

* ``C_k = (2k+3)^D − 1`` other points lie at distance ``< (k+1)δ`` from a given point (volume of
  ``B((k+3/2)δ) \\ B(δ/2)`` over the volume of ``B(δ/2)``), and
* in ``D = 1`` exactly ``C_k = 2k`` (``k`` on each side).

For a radially nonincreasing ``K ≥ 0`` a point at distance in ``[kδ, (k+1)δ)`` contributes at
most ``K(kδ)``, and the row sum ``Σ_{j≠i} K(x_i − x_j)`` is at most the greedy sum

``S_N(δ) = Σ_{k≥1} m_k K(kδ)``,  ``m_k = min(C_k, N−1) − min(C_{k−1}, N−1)``  (``C_0 = 0``),

which fills the nearest shells first up to ``N − 1`` points (optimal by Abel summation because
``K(kδ)`` is nonincreasing in ``k``).  Gershgorin's circle theorem then gives
``λ_min(K_X) ≥ 1 − S_N(δ)`` and ``λ_max(K_X) ≤ 1 + S_N(δ)``.  The spec's per-shell count
``n_k = (2k+3)^D − (2k−1)^D`` is also valid; the cumulative caps ``C_k`` used here are never
larger in total (``C_k ≤ n_1 + … + n_k``), so this bound is at least as good.

At most ``4096`` shells are summed; if ``N`` needs more, the rest is bounded in closed form
(geometric tail of a majorant whose term ratio is nonincreasing, see the docs), so the cost is
``O(min(N^{1/D}, 4096))`` and ``O(1)`` in ``N`` after that.  Terms are summed in log space with
a stated margin for rounding, so ``S_N`` is an upper bound even where ``K(kδ)`` underflows.

>>> from bounds.kernels import Matern
>>> q = packing_lower_bound(Matern("5/2"), N=2, delta=1.0, D=3)
>>> q.kind, round(q.value, 12), round(1 - float(Matern("5/2").profile(1.0)), 12)
('rigorous', 0.476005891168, 0.476005891168)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from .kernels import Gaussian, Matern
from .radial import log_profile, log_profile_margin, require_radial_kernel
from .result import Quantity
from .validate import require_int, require_positive

__all__ = [
    "MAX_SHELLS",
    "shell_caps",
    "ShellSum",
    "packing_sum",
    "packing_lower_bound",
    "packing_lambda_max_bound",
    "round_down",
    "round_up",
    "check_lambda_inputs",
]

#: Shells summed explicitly before the closed-form tail bound takes over.
MAX_SHELLS = 4096
_U = 2.0**-53
_REFERENCE = "docs/lambda_lower.rst#packing-gershgorin"


def round_down(x: mpmath.mpf) -> float:
    """The largest float ``<= x`` (for an mpf that is exactly representable or not)."""
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


def check_lambda_inputs(N: object, delta: object, D: object) -> tuple[int, float, int]:
    """Validate ``N >= 2`` (int), ``delta > 0`` (finite), ``D >= 1`` (int)."""
    N = require_int("N", N, minimum=2)
    delta = require_positive("delta", delta)
    D = require_int("D", D, minimum=1)
    return N, delta, D


def shell_caps(N: int, D: int, k: np.ndarray) -> np.ndarray:
    """``min(C_k, N − 1)`` as floats: the most points at distance ``< (k+1)δ`` from a point.

    ``C_k = 2k`` in ``D = 1`` and ``(2k+3)^D − 1`` otherwise (``C_0 = 0``).

    >>> shell_caps(10**6, 2, np.array([0, 1, 2]))
    array([ 0., 24., 48.])
    """
    k = np.asarray(k, dtype=float)
    cap = float(N - 1)
    if D == 1:
        c = 2.0 * k
    else:
        with np.errstate(over="ignore"):
            logc = D * np.log(2.0 * k + 3.0)
            c = np.where(logc > math.log(cap + 2.0) + 1.0, cap, np.power(2.0 * k + 3.0, np.where(logc > 700.0, 0, D)) - 1.0)
        c = np.where(k == 0, 0.0, c)
    return np.minimum(c, cap)


def _first_full_shell(N: int, D: int) -> float:
    """The first ``k`` with ``C_k >= N − 1`` (may be huge for ``D = 1``)."""
    if D == 1:
        return float(math.ceil((N - 1) / 2))
    k = max(1, math.floor(((N) ** (1.0 / D) - 3) / 2))
    while (2 * k + 3) ** D - 1 < N - 1:
        k += 1
    return float(k)


def _log_cbar(D: int, k: np.ndarray) -> np.ndarray:
    """log of ``c̄_k ≥ C_k − C_{k−1}``: 2 in D = 1, ``2D(2k+3)^{D−1}`` otherwise (mean value thm)."""
    if D == 1:
        return np.full_like(np.asarray(k, dtype=float), math.log(2.0))
    return math.log(2.0 * D) + (D - 1) * np.log(2.0 * np.asarray(k, dtype=float) + 3.0)


def _log_tail_majorant(kernel: Matern | Gaussian, delta: float, D: int, k0: int, k: np.ndarray) -> np.ndarray:
    """log of ``g(k) ≥ c̄_k K(kδ)`` for ``k ≥ k0``, with ``g(k+1)/g(k)`` nonincreasing in k.

    Gaussian: ``g = c̄_k e^{-(kδ)²/(2ℓ²)}``.  Matérn: from ``K_ν(s) ≤ K_ν(s0) e^{-(s−s0)}`` for
    ``s ≥ s0`` (integral representation ``K_ν(s) = ∫ e^{-s cosh t} cosh(νt) dt``),
    ``K(kδ) ≤ K(k0δ) (k/k0)^ν e^{-a(k−k0)}``, ``a = √(2ν)δ/ℓ``.
    """
    k = np.asarray(k, dtype=float)
    if isinstance(kernel, Gaussian):
        lk = log_profile(kernel, k * delta)
        return _log_cbar(D, k) + lk + log_profile_margin(lk)
    nu, ell = kernel.nu, kernel.lengthscale
    a = math.sqrt(2 * nu) * delta / ell
    l0 = float(log_profile(kernel, k0 * delta))
    l0 += float(log_profile_margin(l0))
    body = l0 + nu * np.log(k / k0) - a * (k - k0)
    return _log_cbar(D, k) + body + log_profile_margin(body)


@dataclass(frozen=True)
class ShellSum:
    """An upper bound ``S_N(δ)`` of the off-diagonal row sums, with its ingredients.

    Attributes
    ----------
    value
        A float ``>= S_N(δ)`` (``inf`` if the tail could not be bounded: the bound is then trivial).
    shells
        Number of shells summed explicitly.
    tail
        The closed-form bound used for the shells beyond ``shells`` (0.0 if none were needed).
    """

    value: float
    shells: int
    tail: float


def packing_sum(kernel: Matern | Gaussian, N: int, delta: float, D: int) -> ShellSum:
    """Rigorous upper bound on ``max_i Σ_{j≠i} K(x_i − x_j)`` over δ-separated ``X ⊂ R^D``, ``#X ≤ N``.

    Formula: ``S_N(δ) = Σ_k m_k K(kδ)`` (module docstring), summed in log space with the stated
    margin :data:`bounds.radial.LOG_PROFILE_ABS_ERROR` and rounded up; closed-form tail beyond
    :data:`MAX_SHELLS` shells.  Docs: ``docs/lambda_lower.rst``.  Hypotheses: ``K`` radial,
    nonnegative and nonincreasing (Matérn, Gaussian).  Kind: rigorous.
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    kernel = require_radial_kernel(kernel, "packing-Gershgorin bound")
    k_full = _first_full_shell(N, D)
    K = int(min(k_full, MAX_SHELLS))
    k = np.arange(0, K + 1, dtype=float)
    caps = shell_caps(N, D, k)
    m = np.diff(caps)
    kk = k[1:]
    lk = log_profile(kernel, kk * delta)
    with np.errstate(divide="ignore"):
        logt = np.log(m) + lk + log_profile_margin(lk) + 4 * _U
    used = m > 0
    # Underflowing terms are replaced by e^{-700}, which is larger: still an upper bound.
    terms = np.exp(np.maximum(logt[used], -700.0))
    total = math.fsum(terms.tolist()) * (1.0 + 4 * _U)
    tail = 0.0
    if k_full > K:
        k0 = K + 1
        lg = _log_tail_majorant(kernel, delta, D, k0, np.array([k0, k0 + 1], dtype=float))
        log_rho = float(lg[1] - lg[0])
        if log_rho >= 0:
            return ShellSum(math.inf, K, math.inf)
        log_tail = float(lg[0]) - math.log(-math.expm1(log_rho))
        log_tail += 1e-12 * (1 + abs(log_tail))
        tail = math.exp(max(min(log_tail, 700.0), -700.0)) if log_tail < 700 else math.inf
        total = (total + tail) * (1.0 + 4 * _U)
    return ShellSum(total, K, tail)


def packing_lower_bound(kernel: Matern | Gaussian, N: int, delta: float, D: int) -> Quantity:
    """Packing–Gershgorin lower bound ``λ_N(δ) ≥ max(0, 1 − S_N(δ))``.

    Formula: ``1 − S_N(δ)`` with ``S_N`` the greedy shell sum of :func:`packing_sum`, clamped at 0
    (Gram matrices of positive-definite kernels are PSD).  For ``N = 2`` it equals the exact
    ``1 − K(δ)`` up to the rounding margin.  Docs: ``docs/lambda_lower.rst#packing-gershgorin``.
    Hypotheses: ``X ⊂ R^D`` δ-separated with ``#X ≤ N``; ``K ≥ 0`` radial nonincreasing
    (Matérn, Gaussian; a random-feature kernel raises ``ValueError``).  Kind: rigorous.

    Returns
    -------
    Quantity
        ``value`` rounded down; ``mp`` holds ``1 − S_N`` exactly for the float ``S_N`` used.
    """
    s = packing_sum(kernel, N, delta, D)
    mp_val = mpmath.mpf(1) - mpmath.mpf(s.value) if math.isfinite(s.value) else mpmath.mpf(0)
    mp_val = max(mp_val, mpmath.mpf(0))
    return Quantity(
        name="lambda_lower_packing",
        value=round_down(mp_val),
        kind="rigorous",
        formula="max(0, 1 - S_N(delta)), S_N = sum_k m_k K(k delta), m_k = min(C_k,N-1) - min(C_{k-1},N-1), "
        "C_k = (2k+3)^D - 1 (D = 1: 2k)",
        reference=_REFERENCE,
        hypotheses=(
            f"X in R^{D} with sep(X) >= {delta!r} and #X <= {N}",
            f"{kernel.name}: K >= 0 radial and nonincreasing",
        ),
        mp=mp_val,
        dps=mpmath.mp.dps,
    )


def packing_lambda_max_bound(kernel: Matern | Gaussian, N: int, delta: float, D: int) -> Quantity:
    """Upper bound ``Λ_N(δ) = sup λ_max(K_X) ≤ min(N, 1 + S_N(δ))`` over δ-separated ``#X ≤ N``.

    Formula: Gershgorin ``λ_max ≤ 1 + max_i Σ_{j≠i} K_ij ≤ 1 + S_N(δ)``; ``N`` always works
    (``λ_max ≤ trace``).  Docs: ``docs/lambda_lower.rst#packing-gershgorin``.  Hypotheses: as
    :func:`packing_lower_bound`.  Kind: rigorous.
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    s = packing_sum(kernel, N, delta, D)
    mp_val = min(mpmath.mpf(N), mpmath.mpf(1) + mpmath.mpf(s.value)) if math.isfinite(s.value) else mpmath.mpf(N)
    return Quantity(
        name="Lambda_upper_packing",
        value=round_up(mp_val),
        kind="rigorous",
        formula="min(N, 1 + S_N(delta))",
        reference=_REFERENCE,
        hypotheses=(
            f"X in R^{D} with sep(X) >= {delta!r} and #X <= {N}",
            f"{kernel.name}: K >= 0 radial and nonincreasing",
        ),
        mp=mp_val,
        dps=mpmath.mp.dps,
    )
