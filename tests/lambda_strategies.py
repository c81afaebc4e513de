"""Small hypothesis strategies for the λ(δ) tests (local until verify/strategies.py exists).

Each strategy returns ``(X, delta)`` with ``X`` exactly δ-separated in floating point
(``separation(X) >= delta``) and the closest pair at distance ≈ δ, the regime where the λ bounds
are nearly attained.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.separation import scale_to_separation, separation

KERNELS = st.sampled_from(
    [Matern("1/2"), Matern("3/2"), Matern("5/2"), Matern("7/2"), Matern(1.3, 0.7), Gaussian(1), Gaussian("1/2")]
)


@st.composite
def random_separated_sets(draw, max_n: int = 12, max_d: int = 3, min_delta: float = 0.05, max_delta: float = 4.0):
    """Uniform points in a cube, rescaled so that the closest pair is at distance δ."""
    D = draw(st.integers(1, max_d))
    n = draw(st.integers(2, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    delta = draw(st.floats(min_delta, max_delta))
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, D))
    X = X * (delta / separation(X))
    return scale_to_separation(X, delta), delta


@st.composite
def jittered_lattice_sets(draw, max_n: int = 16, max_d: int = 3, min_delta: float = 0.05, max_delta: float = 4.0):
    """N points of the integer lattice nearest the origin, slightly perturbed, rescaled to sep δ."""
    D = draw(st.integers(1, max_d))
    n = draw(st.integers(2, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    jitter = draw(st.floats(0.0, 0.3))
    delta = draw(st.floats(min_delta, max_delta))
    r = int(np.ceil(n ** (1.0 / D))) + 1
    grid = np.stack(np.meshgrid(*([np.arange(-r, r + 1)] * D), indexing="ij"), axis=-1).reshape(-1, D).astype(float)
    order = np.lexsort((*grid.T[::-1], np.sum(grid**2, axis=1)))
    X = grid[order[:n]] + jitter * np.random.default_rng(seed).uniform(-0.5, 0.5, size=(n, D))
    X = X * (delta / separation(X))
    return scale_to_separation(X, delta), delta


def separated_sets(**kwargs):
    """Random or jittered-lattice δ-separated sets."""
    return st.one_of(random_separated_sets(**kwargs), jittered_lattice_sets(**kwargs))


#: Absolute error allowance of a float λ_min for these small, unit-diagonal Gram matrices: the
#: entries carry a few ulps of error and eigvalsh is backward stable, so the computed eigenvalue
#: is within ~N·(entry error + n·u) ≤ 1e-12 of the exact one (Weyl).
EIG_TOL = 1e-12


def gram(kernel, X) -> np.ndarray:
    """K_X from coordinate differences (no ‖x‖² + ‖y‖² − 2x·y cancellation)."""
    return kernel(X[:, None, :] - X[None, :, :])


def lambda_min(kernel, X) -> float:
    """Plain float λ_min(K_X) (LAPACK eigvalsh)."""
    return float(np.linalg.eigvalsh(gram(kernel, X))[0])


def lambda_max(kernel, X) -> float:
    """Plain float λ_max(K_X) (LAPACK eigvalsh)."""
    return float(np.linalg.eigvalsh(gram(kernel, X))[-1])
