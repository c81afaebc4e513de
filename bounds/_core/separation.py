"""Separation ``sep(X) = min_{i≠j} ‖x_i − x_j‖₂`` of a point set, with validation.

``δ = sep(X)`` (docs/theory.rst) (Wendland's separation *radius* is ``q_X = δ/2``).  Every λ(δ) bound of
:mod:`bounds` is stated for δ-separated sets; this module is the one place that computes and checks
separation (docs page ``docs/lambda.rst``).

Distances are computed from the coordinate differences ``x_i − x_j`` (never from the expansion
``‖x‖² + ‖y‖² − 2x·y``, which loses all relative accuracy for close points).

>>> import numpy as np
>>> separation(np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
1.0
>>> separation(np.array([[0.0], [0.0]]))
Traceback (most recent call last):
...
ValueError: X contains duplicate points (rows 0 and 1): the separation is 0 and λ_min(K_X) = 0; ...
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from bounds._core.validate import require_finite_array, require_positive

__all__ = ["as_point_set", "separation", "closest_pair", "is_separated", "scale_to_separation"]

#: Above this many points the closest pair is found with a k-d tree instead of all pairs.
_BRUTE_FORCE_MAX = 3000


def as_point_set(X: object, *, name: str = "X", min_points: int = 2) -> np.ndarray:
    """Validate a point set: a finite float array of shape ``(N, D)`` with ``N >= min_points``.

    A 1-d array is read as ``N`` points in ``R^1``.
    """
    arr = np.asarray(X, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    arr = require_finite_array(name, arr, ndim=2)
    if arr.shape[0] < min_points:
        raise ValueError(
            f"{name} must contain at least {min_points} points (N >= {min_points}), got N = {arr.shape[0]}"
        )
    if arr.shape[1] < 1:
        raise ValueError(f"{name} must have dimension D >= 1, got shape {arr.shape}")
    return arr


def closest_pair(X: object) -> tuple[float, int, int]:
    """``(sep(X), i, j)`` for a closest pair ``i < j`` (float distance of the differences).

    Raises
    ------
    ValueError
        If ``X`` is not a finite ``(N, D)`` array with ``N >= 2``, or contains duplicate points.
    """
    P = as_point_set(X)
    n = P.shape[0]
    if n <= _BRUTE_FORCE_MAX:
        best, bi, bj = math.inf, -1, -1
        for i in range(n - 1):
            d = np.sqrt(np.sum((P[i + 1 :] - P[i]) ** 2, axis=1))
            j = int(np.argmin(d))
            if d[j] < best:
                best, bi, bj = float(d[j]), i, i + 1 + j
    else:
        dist, idx = cKDTree(P).query(P, k=2)
        i = int(np.argmin(dist[:, 1]))
        j = int(idx[i, 1])
        bi, bj = min(i, j), max(i, j)
        best = float(np.sqrt(np.sum((P[bi] - P[bj]) ** 2)))
    if best == 0.0:
        raise ValueError(
            f"X contains duplicate points (rows {bi} and {bj}): the separation is 0 and "
            "λ_min(K_X) = 0; remove duplicates before computing separation-based bounds"
        )
    return best, bi, bj


def separation(X: object) -> float:
    """The separation ``sep(X) = min_{i≠j} ‖x_i − x_j‖₂`` (docs/theory.rst).

    Parameters
    ----------
    X
        Points, shape ``(N, D)`` with ``N >= 2`` (a 1-d array is ``N`` points in ``R^1``).

    Returns
    -------
    float
        The minimum pairwise distance, computed from coordinate differences (relative error a few
        ulps; use :func:`is_separated` for a feasibility decision).

    Raises
    ------
    ValueError
        Non-finite input, fewer than two points, or duplicate points (separation 0).
    """
    return closest_pair(X)[0]


def is_separated(X: object, delta: float) -> bool:
    """Whether every computed pairwise distance of ``X`` is ``>= delta`` (no tolerance)."""
    delta = require_positive("delta", delta)
    return separation(X) >= delta


def scale_to_separation(X: object, delta: float) -> np.ndarray:
    """``X`` scaled about its first point so that its computed separation is ``>= delta``.

    Used to make explicit configurations feasible for λ_N(δ) (the upper bounds of
    ``docs/lambda_upper.rst``): a configuration whose separation is ``δ(1 − 10⁻¹⁶)`` because of
    rounding is scaled up by the smallest factor that makes every computed distance ``>= δ``.
    Configurations that are already feasible are returned unchanged (a copy).
    """
    delta = require_positive("delta", delta)
    P = as_point_set(X).copy()
    sep = separation(P)
    factor = 1.0
    for _ in range(60):
        if sep >= delta:
            return P
        factor = (delta / sep) * (1.0 + 4.0 * np.finfo(float).eps * (1 + _ + 0.0))
        P = P[0] + (P - P[0]) * factor
        sep = separation(P)
    raise ValueError("internal: could not scale X to the requested separation")  # pragma: no cover
