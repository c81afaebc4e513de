"""Shared hypothesis strategies: kernels, their parameters, and separated point sets.

Every strategy here is bounded (no overflow, no degenerate kernels), side-effect free, and
reproducible: random frequency samples are drawn from a seed that hypothesis itself chooses,
so a failing example replays exactly.  Other property suites import from here; the names say
what they generate.

=========================  ==================================================================
strategy                   generates
=========================  ==================================================================
``nus()``                  Matérn ν: half-integers 5/2 … 19/2 (exact) or continuous in (2, 10]
``lengthscales()``         ℓ in [1/4, 4] (exact rationals or floats)
``matern_kernels()``       :class:`~bounds.kernels.Matern` with ν from ``nus()``
``gaussian_kernels()``     :class:`~bounds.kernels.Gaussian`
``kernels()``              Matérn or Gaussian (the kernels with exact constants)
``rff_kernels()``          :class:`~bounds.kernels.RandomFourierKernel` drawn with a seed
``unit_vectors(D)``        unit vectors of ``R^D``
``point_sets(n, D, δ)``    ``n`` points of ``R^D`` with pairwise distance ≥ δ
=========================  ==================================================================

>>> from hypothesis import find
>>> find(matern_kernels(), lambda k: True)
Matern(nu=5/2, lengthscale=1/4)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern, RandomFourierKernel

__all__ = [
    "HALF_INTEGER_NUS",
    "half_integer_nus",
    "continuous_nus",
    "nus",
    "lengthscales",
    "matern_kernels",
    "gaussian_kernels",
    "kernels",
    "rff_kernels",
    "unit_vectors",
    "point_sets",
]

#: ν = 5/2, 7/2, …, 19/2: the half-integers where Condition 1 holds (ν > 2), as exact strings.
HALF_INTEGER_NUS: tuple[str, ...] = tuple(f"{2 * m + 1}/2" for m in range(2, 10))


def half_integer_nus() -> st.SearchStrategy[Fraction]:
    """ν ∈ {5/2, 7/2, …, 19/2} as exact fractions (simplest first: 5/2)."""
    return st.sampled_from([Fraction(s) for s in HALF_INTEGER_NUS])


def continuous_nus(low: float = 2.0, high: float = 10.0, margin: float = 0.05) -> st.SearchStrategy[float]:
    """Float ν in ``[low + margin, high]``; the margin keeps away from the c2 = ∞ edge ν = 2."""
    return st.floats(low + margin, high, allow_nan=False, allow_infinity=False)


def nus() -> st.SearchStrategy[Fraction | float]:
    """Matérn smoothness with Condition 1 (ν > 2): half-integers or continuous in (2, 10]."""
    return half_integer_nus() | continuous_nus()


def lengthscales(low: float = 0.25, high: float = 4.0) -> st.SearchStrategy[Fraction | float]:
    """Length scales ℓ ∈ [low, high]: simple exact fractions (1/4, 1/2, 1, 2, …) or floats."""
    exact = st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4)])
    exact = exact.filter(lambda x: low <= x <= high)
    return exact | st.floats(low, high, allow_nan=False, allow_infinity=False)


def matern_kernels(nu: st.SearchStrategy | None = None,
                   lengthscale: st.SearchStrategy | None = None) -> st.SearchStrategy[Matern]:
    """Matérn kernels with ν from ``nu`` (default :func:`nus`) and ℓ from ``lengthscale``."""
    return st.builds(Matern, nu if nu is not None else nus(),
                     lengthscale if lengthscale is not None else lengthscales())


def gaussian_kernels(lengthscale: st.SearchStrategy | None = None) -> st.SearchStrategy[Gaussian]:
    """Gaussian kernels with ℓ from ``lengthscale`` (default :func:`lengthscales`)."""
    return st.builds(Gaussian, lengthscale if lengthscale is not None else lengthscales())


def kernels() -> st.SearchStrategy[Matern | Gaussian]:
    """Kernels with exact regularity constants: Matérn (ν > 2) or Gaussian."""
    return matern_kernels() | gaussian_kernels()


def rff_kernels(
    base: st.SearchStrategy | None = None,
    min_dim: int = 1,
    max_dim: int = 3,
    min_q: int = 1,
    max_q: int = 200,
) -> st.SearchStrategy[RandomFourierKernel]:
    """Random-feature kernels: ``q`` frequencies in ``R^D`` drawn from a base kernel's spectral
    measure with a hypothesis-chosen seed (reproducible)."""
    base = base if base is not None else kernels()
    return st.builds(
        RandomFourierKernel.from_kernel,
        base,
        st.integers(min_q, max_q),
        st.integers(min_dim, max_dim),
        st.integers(0, 2**32 - 1),
    )


def unit_vectors(D: int) -> st.SearchStrategy[np.ndarray]:
    """Unit vectors of ``R^D`` (normalised bounded floats, away from the zero vector)."""
    coords = st.lists(st.floats(-1, 1, allow_nan=False), min_size=D, max_size=D)
    return coords.map(np.array).filter(lambda x: np.linalg.norm(x) > 1e-3).map(lambda x: x / np.linalg.norm(x))


def point_sets(n: int, D: int, min_separation: float = 0.0, scale: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    """``n`` points of ``[-scale, scale]^D`` (shape ``(n, D)``) with pairwise distance
    ≥ ``min_separation``.

    Points that come too close are pushed apart along their difference (deterministically), so
    the strategy never rejects wholesale; sets that still fail are filtered out.
    """
    if n < 1 or D < 1:
        raise ValueError(f"n and D must be >= 1, got n={n}, D={D}")
    if min_separation < 0:
        raise ValueError(f"min_separation must be >= 0, got {min_separation}")
    coords = st.lists(st.floats(-scale, scale, allow_nan=False), min_size=n * D, max_size=n * D)

    def separate(flat: list[float]) -> np.ndarray:
        X = np.array(flat, dtype=float).reshape(n, D)
        if min_separation == 0 or n == 1:
            return X
        for _ in range(50):
            moved = False
            for i in range(n):
                for j in range(i + 1, n):
                    d = X[i] - X[j]
                    r = float(np.linalg.norm(d))
                    if r < min_separation:
                        e = d / r if r > 0 else np.eye(D)[(i + j) % D]
                        push = (min_separation - r) / 2 * 1.001 + 1e-12
                        X[i] += push * e
                        X[j] -= push * e
                        moved = True
            if not moved:
                break
        return X

    def separated(X: np.ndarray) -> bool:
        if n == 1 or min_separation == 0:
            return True
        d = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
        return bool(d[np.triu_indices(n, 1)].min() >= min_separation)

    return coords.map(separate).filter(separated)
