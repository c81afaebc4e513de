"""Rigorous bounds on the extreme singular values of a small float matrix (the lifting ``A`` and
the read-out ``B``).

The Gram matrix ``G`` (``MᵀM`` or ``MMᵀ``, the smaller) of the float entries is formed exactly in
rational arithmetic when it is cheap; when it is diagonal — the architectures of the package have
orthogonal rows or columns scaled by ``a``, ``α`` or ``b`` — the singular values are its square
roots, rounded outward (exact when they are floats).  Otherwise the ball-arithmetic certificate of
:func:`bounds._core.ball.singular_value_bounds` (Cholesky factorisations of ``G − μI`` and
``μ'I − G`` in Arb) decides.

>>> import numpy as np
>>> singular_value_bounds(np.array([[3.0, 0.0], [0.0, 0.5]]))
(0.5, 3.0, 'rigorous')
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from bounds._core import ball
from bounds._core.rounding import round_down, round_up
from bounds.result import Kind

__all__ = ["singular_value_bounds"]

#: Largest number of exact products (rational arithmetic) spent looking for a diagonal Gram matrix.
_EXACT_MAX_PRODUCTS = 500_000


def _diagonal_gram(M: np.ndarray) -> list[Fraction] | None:
    """The diagonal of ``G = M Mᵀ`` (``M`` has the fewer rows) in exact arithmetic, or ``None`` when
    ``G`` is not diagonal (two rows share a nonzero column) or too costly to decide."""
    nz = M != 0
    overlap = nz.astype(np.int64) @ nz.T.astype(np.int64)
    if np.any(overlap - np.diag(np.diag(overlap))) or int(np.trace(overlap)) > _EXACT_MAX_PRODUCTS:
        return None
    return [sum((Fraction(float(x)) ** 2 for x in row[row != 0]), Fraction(0)) for row in M]


def _sqrt(x: Fraction, rounding: str) -> float:
    with mpmath.workprec(200):
        root = mpmath.sqrt(mpmath.mpf(x.numerator) / x.denominator)
        return round_down(root) if rounding == "down" else round_up(root)


def singular_value_bounds(M: np.ndarray) -> tuple[float, float, Kind]:
    """``(lower bound of σ_min(M), upper bound of σ_max(M), kind)``, ``σ_min`` the ``min(shape)``-th
    singular value.

    Formula
    -------
    exact when the Gram matrix is diagonal (square roots of its entries, rounded
    outward), else :func:`bounds._core.ball.singular_value_bounds`.

    Kind
    ----
    rigorous.

    References
    ----------
    docs/rigor.rst#problem-inputs
    """
    M = np.asarray(M, dtype=float)
    small = M if M.shape[0] <= M.shape[1] else M.T
    diag = _diagonal_gram(small)
    if diag is not None and min(diag) > 0:
        return _sqrt(min(diag), "down"), _sqrt(max(diag), "up"), "rigorous"
    low, high = ball.singular_value_bounds(M)
    return low, high, "rigorous"
