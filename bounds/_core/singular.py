"""Rigorous bounds on the extreme singular values of a small float matrix (the lifting ``A`` and
the read-out ``B``), from the Gram matrix ``G = MᵀM`` (or ``MMᵀ``) computed *exactly* in rational
arithmetic from the float entries of ``M``:

* Gershgorin's theorem on ``G`` — exact for the architectures of the package (orthogonal rows or
  columns scaled by ``a``, ``α`` or ``b``: ``G`` is diagonal);
* otherwise (small ``G``) an exact rational ``LDLᵀ`` factorisation of ``G − μI`` and ``μ'I − G``
  with ``μ``, ``μ'`` just inside the LAPACK eigenvalues: all pivots positive proves
  ``λ_min(G) > μ`` and ``λ_max(G) < μ'`` (Sylvester's criterion).

The only rounding is the final square root, rounded outward.  Beyond the sizes where exact
arithmetic is cheap, the LAPACK singular values are returned with a relative margin ``2⁻⁴⁰`` and
kind ``numerical`` (backward stable, but without a proven constant).

>>> import numpy as np
>>> singular_value_bounds(np.array([[3.0, 0.0], [0.0, 0.5]]))
(0.5, 3.0, 'rigorous')
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from bounds._core.rounding import round_down, round_up
from bounds.result import Kind

__all__ = ["singular_value_bounds"]

#: Largest number of exact products (rational arithmetic) spent on a Gram matrix; above it, LAPACK.
_EXACT_MAX_PRODUCTS = 500_000


def _exact_gram(M: np.ndarray) -> list[list[Fraction]] | None:
    """``G = M Mᵀ`` (``M`` has the fewer rows) in exact rational arithmetic, skipping the products
    with a zero factor; ``None`` when that needs more than :data:`_EXACT_MAX_PRODUCTS` products."""
    nz = M != 0
    overlap = nz.astype(np.int64) @ nz.T.astype(np.int64)
    if int(overlap.sum()) > _EXACT_MAX_PRODUCTS:
        return None
    n = M.shape[0]
    G = [[Fraction(0)] * n for _ in range(n)]
    for i, j in zip(*np.nonzero(overlap), strict=True):
        idx = np.flatnonzero(nz[i] & nz[j])
        G[i][j] = sum((Fraction(float(M[i, k])) * Fraction(float(M[j, k])) for k in idx), Fraction(0))
    return G


#: Largest Gram matrix factorised exactly when Gershgorin is not sharp.
_LDL_MAX_N = 12


def _positive_definite(G: list[list[Fraction]], shift: Fraction, sign: int) -> bool:
    """Is ``sign (G − shift I)`` positive definite?  Exact ``LDLᵀ``: every pivot must be > 0."""
    n = len(G)
    S = [[sign * (G[i][j] - (shift if i == j else 0)) for j in range(n)] for i in range(n)]
    for k in range(n):
        if S[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            f = S[i][k] / S[k][k]
            for j in range(k + 1, n):
                S[i][j] -= f * S[k][j]
    return True


def _ldl_bounds(G: list[list[Fraction]], M: np.ndarray) -> tuple[Fraction, Fraction] | None:
    """``(μ, μ')`` with ``μ < λ_min(G)`` and ``λ_max(G) < μ'`` proven by exact factorisation."""
    s = np.linalg.svd(M, compute_uv=False)
    low = Fraction(float(s[-1]) ** 2 * (1 - 1e-9))
    high = Fraction(float(s[0]) ** 2 * (1 + 1e-9))
    if low > 0 and _positive_definite(G, low, 1) and _positive_definite(G, high, -1):
        return low, high
    return None


def _sqrt_down(x: Fraction) -> float:
    with mpmath.workprec(200):
        return round_down(mpmath.sqrt(mpmath.mpf(x.numerator) / x.denominator)) if x > 0 else 0.0


def _sqrt_up(x: Fraction) -> float:
    with mpmath.workprec(200):
        return round_up(mpmath.sqrt(mpmath.mpf(x.numerator) / x.denominator))


def singular_value_bounds(M: np.ndarray) -> tuple[float, float, Kind]:
    """``(lower bound of σ_min(M), upper bound of σ_max(M), kind)``, ``σ_min`` the ``min(shape)``-th
    singular value.

    Formula: Gershgorin on ``G = MMᵀ`` or ``MᵀM`` (the smaller), exact entries:
    ``λ_min(G) ≥ min_i (G_ii − Σ_{j≠i}|G_ij|)``, ``λ_max(G) ≤ max_i (G_ii + Σ_{j≠i}|G_ij|)``,
    square roots rounded outward.  Kind: rigorous, or numerical on the LAPACK fallback.
    """
    M = np.asarray(M, dtype=float)
    small = M if M.shape[0] <= M.shape[1] else M.T
    G = _exact_gram(small)
    if G is not None:
        off = [sum(abs(g) for j, g in enumerate(row) if j != i) for i, row in enumerate(G)]
        low = min(G[i][i] - off[i] for i in range(len(G)))
        high = max(G[i][i] + off[i] for i in range(len(G)))
        if all(g == 0 for g in off) and low > 0:  # diagonal: exact
            return _sqrt_down(low), _sqrt_up(high), "rigorous"
        ldl = _ldl_bounds(G, small) if len(G) <= _LDL_MAX_N else None
        if ldl is not None:
            return _sqrt_down(max(ldl[0], low)), _sqrt_up(min(ldl[1], high)), "rigorous"
        if low > 0:
            return _sqrt_down(low), _sqrt_up(high), "rigorous"
    s = np.linalg.svd(M, compute_uv=False)
    margin = 2.0**-40
    return float(s[-1]) * (1 - margin), math.nextafter(float(s[0]) * (1 + margin), math.inf), "numerical"
