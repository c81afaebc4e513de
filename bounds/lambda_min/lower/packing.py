"""Packing–Gershgorin bounds: ``λ_N(δ) ≥ 1 − S_N(δ)`` and ``Λ_N ≤ 1 + S_N(δ)`` (docs/lambda_lower.rst).

Proof in ``docs/lambda_lower.rst`` (section "Packing–Gershgorin").  For a δ-separated set the
balls of radius δ/2 around the points are disjoint, so at most ``(2R/δ + 1)^D − 1`` other points
lie within distance ``R`` of a given point (volume of ``B(R + δ/2)`` over that of ``B(δ/2)``).
Hence the ``j``-th nearest neighbour of any point is at distance at least ``ρ_j δ``,

``ρ_j = max(1, ((j+1)^{1/D} − 1)/2)``  (``D ≥ 2``),   ``ρ_j = ⌈j/2⌉``  (``D = 1``, sharp on δZ),

and for a radially nonincreasing ``K ≥ 0`` every row sum satisfies

``Σ_{j≠i} K(x_i − x_j) ≤ S_N(δ) = Σ_{j=1}^{N−1} K(ρ_j δ)``.

Gershgorin's circle theorem then gives ``λ_min(K_X) ≥ 1 − S_N(δ)`` and ``λ_max(K_X) ≤ 1 + S_N(δ)``.
This refines the shell count ``n_k = (2k+3)^D − (2k−1)^D`` (points with distance in
``[kδ, (k+1)δ)`` valued at ``K(kδ)``): the ``j``-th neighbour gets a radius ``ρ_j δ`` that is
never smaller than the shell radius the greedy shell sum assigns to it.

The first 2048 neighbours are summed one by one, the rest in geometric blocks
``j ∈ [a, ⌈a(1 + 1/128)⌉)`` valued at ``K(ρ_a δ)`` (an upper bound for the block), so the cost is
``O(min(N, 2048) + log N)``: ``O(1)`` in ``N`` up to a logarithm.  Terms are summed in log space with
a stated margin for rounding, so ``S_N`` is an upper bound even where ``K(ρδ)`` underflows.

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

from bounds._core.rounding import UNIT_ROUNDOFF as _U
from bounds._core.rounding import round_down, round_up
from bounds._core.validate import check_lambda_inputs
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile import log_profile, log_profile_margin, require_radial_kernel
from bounds.result import Quantity

__all__ = [
    "EXACT_NEIGHBOURS",
    "BLOCK_RATIO",
    "neighbour_radii",
    "neighbour_blocks",
    "NeighbourSum",
    "packing_sum",
    "packing_lower_bound",
    "packing_lambda_max_bound",
    "round_down",
    "round_up",
]

#: Neighbours summed one by one before geometric blocks take over.
EXACT_NEIGHBOURS = 2048
#: Ratio of the geometric blocks of neighbours.
BLOCK_RATIO = 1.0 + 1.0 / 128.0
_REFERENCE = "docs/lambda_lower.rst#packing-gershgorin"


def neighbour_radii(j: np.ndarray, D: int) -> np.ndarray:
    """``ρ_j``: the ``j``-th nearest neighbour in a δ-separated set is at distance ``≥ ρ_j δ``.

    Formula
    -------
    ``ρ_j = ⌈j/2⌉`` in ``D = 1`` and ``max(1, ((j+1)^{1/D} − 1)/2)`` otherwise (rounded down): at most
    ``(2R/δ + 1)^D − 1`` other points lie within distance ``R`` of a point (disjoint balls of radius δ/2).

    Kind
    ----
    rigorous (rounded down).

    Hypotheses
    ----------
    the set is δ-separated.

    References
    ----------
    docs/lambda_lower.rst#packing-gershgorin

    Examples
    --------
    >>> neighbour_radii(np.array([1, 2, 3, 8, 24]), 2).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0, 2.0]
    """
    j = np.asarray(j, dtype=float)
    if D == 1:
        return np.ceil(j / 2.0)
    rho = 0.5 * (np.power(j + 1.0, 1.0 / D) - 1.0) * (1.0 - 1e-15)
    return np.maximum(rho, 1.0)


def neighbour_blocks(N: int, D: int) -> tuple[np.ndarray, np.ndarray]:
    """``(ρ, count)``: the ``N − 1`` neighbours of a point grouped in blocks, each block's
    neighbours at distance ``≥ ρ δ``; ``count`` sums to ``N − 1``.

    Formula
    -------
    the first 2048 neighbours one by one (``ρ_j`` of :func:`neighbour_radii`), the rest in geometric
    blocks ``j ∈ [a, ⌈a(1 + 1/128)⌉)`` valued at ``ρ_a`` (``ρ`` is nondecreasing in ``j``).

    Kind
    ----
    rigorous (each block's radius is a lower bound for all its neighbours).

    References
    ----------
    docs/lambda_lower.rst#packing-gershgorin

    Examples
    --------
    >>> rho, count = neighbour_blocks(10**9, 2)
    >>> int(count.sum()), len(rho) < 6000
    (999999999, True)
    """
    n = N - 1
    starts = list(range(1, min(n, EXACT_NEIGHBOURS) + 1))
    if n > EXACT_NEIGHBOURS:
        a = EXACT_NEIGHBOURS + 1
        while a <= n:
            starts.append(a)
            a = max(a + 1, math.ceil(a * BLOCK_RATIO))
    st = np.array(starts, dtype=float)
    ends = np.append(st[1:], float(n + 1))
    return neighbour_radii(st, D), ends - st


@dataclass(frozen=True)
class NeighbourSum:
    """An upper bound ``S_N(δ)`` of the off-diagonal row sums.

    Attributes
    ----------
    value
        A float ``>= S_N(δ)``.
    blocks
        Number of terms evaluated (``O(min(N, 2048) + log N)``).
    """

    value: float
    blocks: int


def packing_sum(kernel: Matern | Gaussian, N: int, delta: float, D: int) -> NeighbourSum:
    """Rigorous upper bound on ``max_i Σ_{j≠i} K(x_i − x_j)`` over δ-separated ``X ⊂ R^D``, ``#X ≤ N``.

    Formula
    -------
    ``S_N(δ) = Σ_{j=1}^{N−1} K(ρ_j δ)`` (module docstring), in blocks, summed in log space with the
    stated margin :data:`bounds.kernels.profile.LOG_PROFILE_ABS_ERROR` and rounded up.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    ``K`` radial, nonnegative and nonincreasing (Matérn, Gaussian).

    References
    ----------
    docs/lambda_lower.rst#packing-gershgorin
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    kernel = require_radial_kernel(kernel, "packing-Gershgorin bound")
    rho, count = neighbour_blocks(N, D)
    lk = log_profile(kernel, rho * delta)
    logt = np.log(count) + lk + log_profile_margin(lk) + 4 * _U
    # Underflowing terms are replaced by e^{-700}, which is larger: still an upper bound.
    terms = np.exp(np.maximum(logt, -700.0))
    total = math.fsum(terms.tolist()) * (1.0 + 4 * _U)
    return NeighbourSum(total, int(len(rho)))


def packing_lower_bound(kernel: Matern | Gaussian, N: int, delta: float, D: int) -> Quantity:
    """Packing–Gershgorin lower bound ``λ_N(δ) ≥ max(0, 1 − S_N(δ))``.

    Returns
    -------
    Quantity
        ``value`` rounded down; ``mp`` holds ``1 − S_N`` exactly for the float ``S_N`` used.

    Formula
    -------
    ``1 − S_N(δ)`` with ``S_N`` the neighbour sum of :func:`packing_sum`, clamped at 0 (Gram matrices of
    positive-definite kernels are PSD). For ``N = 2`` it equals the exact ``1 − K(δ)`` up to the
    rounding margin.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    ``X ⊂ R^D`` δ-separated with ``#X ≤ N``; ``K ≥ 0`` radial nonincreasing (Matérn, Gaussian; a
    random-feature kernel raises ``ValueError``).

    References
    ----------
    docs/lambda_lower.rst#packing-gershgorin
    """
    s = packing_sum(kernel, N, delta, D)
    # exact: at 53 bits 1 - S would round to 1 for S < 2^-54 (the bound must stay below 1: lambda_min < 1)
    mp_val = max(mpmath.fsub(1, s.value, exact=True), mpmath.mpf(0))
    return Quantity(
        name="lambda_lower_packing",
        value=round_down(mp_val),
        kind="rigorous",
        formula="max(0, 1 - S_N(delta)), S_N = sum_{j=1}^{N-1} K(rho_j delta), "
        "rho_j = max(1, ((j+1)^(1/D) - 1)/2) (D = 1: ceil(j/2))",
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

    Formula
    -------
    Gershgorin ``λ_max ≤ 1 + max_i Σ_{j≠i} K_ij ≤ 1 + S_N(δ)``; ``N`` always works (``λ_max ≤ trace``).

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    as :func:`packing_lower_bound`.

    References
    ----------
    docs/lambda_lower.rst#packing-gershgorin
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    s = packing_sum(kernel, N, delta, D)
    mp_val = min(mpmath.mpf(N), mpmath.fadd(1, s.value, exact=True))  # exact: 1 + S > 1 for every S > 0
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
