"""Shared hypothesis strategies: kernels, their parameters, and separated point sets.

Every strategy here is bounded (no overflow, no degenerate kernels), side-effect free, and
reproducible: random frequency samples are drawn from a seed that hypothesis itself chooses,
so a failing example replays exactly.  Other property suites import from here; the names say
what they generate.

==========================  ==================================================================
strategy                    generates
==========================  ==================================================================
``nus()``                   Matérn ν: half-integers 5/2 … 19/2 (exact) or continuous in (2, 10]
``lengthscales()``          ℓ in [1/4, 4] (exact rationals or floats)
``matern_kernels()``        :class:`~bounds.kernels.Matern` with ν from ``nus()``
``gaussian_kernels()``      :class:`~bounds.kernels.Gaussian`
``kernels()``               Matérn or Gaussian (the kernels with exact constants)
``rff_kernels()``           :class:`~bounds.kernels.RandomFourierKernel` drawn with a seed
``unit_vectors(D)``         unit vectors of ``R^D``
``point_sets(n, D, δ)``     ``n`` points of ``R^D`` with pairwise distance ≥ δ
``separated_sets(...)``     δ-separated sets: ``random``, ``lattice`` sections, ``clustered``
                            (many pairs at exactly δ)
``delta_separated_sets()``  ``(X, δ)`` with δ drawn and ``sep(X) ≥ δ`` exactly in floating
                            point, the closest pair at ≈ δ (random or jittered lattice)
``lambda_kernels()``        Matérn (ν from 1/2) or Gaussian: the kernels of the λ bounds
``matrices_with_sv(...)``   matrices with prescribed singular values (liftings, output maps)
``controls(kernel, ...)``   kernel-expansion controls with a prescribed H-norm
``problems(kernel)``        training problems (data, targets, ``A``, ``B``) for a kernel
``datasets()``              small built-in datasets (moons, circles, sphere, xor) by seed
==========================  ==================================================================

>>> from hypothesis import find
>>> find(matern_kernels(), lambda k: True)
Matern(nu=5/2, lengthscale=1/4)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from bounds._core.separation import scale_to_separation, separation
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
    "separated_sets",
    "delta_separated_sets",
    "lambda_kernels",
    "matrices_with_sv",
    "jittered_grid",
    "control_with_norm",
    "controls",
    "problems",
    "datasets",
]

#: The half-integers ν = 5/2, 7/2, …, 19/2 where Condition 1 holds (ν > 2), as exact strings.
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


# ---------------------------------------------------------------------------------------------
# Point sets, linear maps, controls and problems for the property suites (verify.testing.suites)
# ---------------------------------------------------------------------------------------------


def jittered_grid(rng: np.random.Generator, N: int, d: int, spacing: float) -> np.ndarray:
    """``N`` points of a jittered grid in ``R^d``: separation ``≥ spacing/2`` by construction."""
    side = int(np.ceil(N ** (1 / d)))
    grid = np.stack(np.meshgrid(*[np.arange(side)] * d, indexing="ij"), -1).reshape(-1, d)[:N]
    return spacing * (grid + rng.uniform(-0.25, 0.25, size=grid.shape))


@st.composite
def separated_sets(draw, n: int, D: int, delta: float, kind: str | None = None) -> np.ndarray:
    """``n`` points of ``R^D`` with separation ``≥ δ``, of one of three kinds (drawn if ``kind`` is
    None): ``random`` (:func:`point_sets`), ``lattice`` (the ``n`` points of ``δZ^D`` closest to
    the origin) or ``clustered`` (a jittered grid whose nearest pairs sit at exactly ``δ``: the
    regime where λ bounds are tight)."""
    kind = kind or draw(st.sampled_from(["random", "lattice", "clustered"]))
    if kind == "random":
        return draw(point_sets(n, D, min_separation=delta, scale=max(3.0, 2 * delta * n ** (1 / D))))
    if kind == "lattice":
        side = int(np.ceil(n ** (1 / D))) + 2
        g = np.stack(np.meshgrid(*[np.arange(-side, side + 1)] * D, indexing="ij"), -1).reshape(-1, D)
        order = np.lexsort((np.arange(len(g)), np.sum(g**2, 1)))
        return delta * g[order[:n]].astype(float)
    if kind == "clustered":
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        X = jittered_grid(rng, n, D, 2 * delta)
        if n >= 2:
            dist = np.linalg.norm(X[:, None] - X[None], axis=-1) + np.diag(np.full(n, np.inf))
            X = X * (delta / dist.min())  # rescale: the closest pair at exactly delta
        return X
    raise ValueError(f"kind must be random, lattice or clustered, got {kind!r}")


def lambda_kernels() -> st.SearchStrategy[Matern | Gaussian]:
    """The kernels of the λ bounds (Condition 2 needs no smoothness): Matérn ν = 1/2 … 7/2, a
    non-half-integer ν with ℓ ≠ 1, and Gaussians."""
    return st.sampled_from(
        [Matern("1/2"), Matern("3/2"), Matern("5/2"), Matern("7/2"), Matern(1.3, 0.7), Gaussian(1), Gaussian("1/2")]
    )


@st.composite
def _random_delta_set(draw, max_n: int, max_d: int, min_delta: float, max_delta: float) -> tuple[np.ndarray, float]:
    D = draw(st.integers(1, max_d))
    n = draw(st.integers(2, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    delta = draw(st.floats(min_delta, max_delta))
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, D))
    X = X * (delta / separation(X))
    return scale_to_separation(X, delta), delta


@st.composite
def _lattice_delta_set(draw, max_n: int, max_d: int, min_delta: float, max_delta: float) -> tuple[np.ndarray, float]:
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


def delta_separated_sets(max_n: int = 12, max_d: int = 3, min_delta: float = 0.05,
                         max_delta: float = 4.0) -> st.SearchStrategy[tuple[np.ndarray, float]]:
    """``(X, δ)``: up to ``max_n`` points in ``R^D`` (``D ≤ max_d``) with ``separation(X) ≥ δ``
    exactly in floating point and the closest pair at distance ≈ δ — uniform points or a jittered
    section of ``Z^D``, rescaled.  The regime where the λ bounds are nearly attained."""
    args = (max_n, max_d, min_delta, max_delta)
    return st.one_of(_random_delta_set(*args), _lattice_delta_set(*args))


def matrices_with_sv(
    rows: int, cols: int, svals: st.SearchStrategy[float] | None = None
) -> st.SearchStrategy[np.ndarray]:
    """``rows × cols`` matrices ``U diag(s) Vᵀ`` with random orthogonal factors and singular values
    drawn from ``svals`` (default in [0.5, 2]): injective liftings (rows ≥ cols) and surjective
    output maps (rows ≤ cols) with known ``σ_min``, ``σ_max``."""
    svals = svals if svals is not None else st.floats(0.5, 2.0)
    k = min(rows, cols)

    @st.composite
    def build(draw):
        s = np.array([draw(svals) for _ in range(k)])
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        U = np.linalg.qr(rng.normal(size=(rows, rows)))[0][:, :k]
        V = np.linalg.qr(rng.normal(size=(cols, cols)))[0][:, :k]
        return U @ np.diag(s) @ V.T

    return build()


def control_with_norm(kernel, rng: np.random.Generator, L: int, R: float, centres: np.ndarray):
    """A kernel-expansion control (:class:`verify.solver.controls.KernelControl`) with ``L`` layers and
    exactly ``‖v‖_H = R``: centres near the given points, random coefficients."""
    from verify.solver.controls import KernelControl  # noqa: PLC0415 (avoid an import cycle)

    cs = tuple(centres + 0.3 * rng.normal(size=centres.shape) for _ in range(L))
    As = tuple(rng.normal(size=centres.shape) for _ in range(L))
    v = KernelControl(kernel, cs, As)
    return v.scale(R / v.h_norm()) if R > 0 else v.scale(0.0)


@st.composite
def controls(draw, kernel, L: int, D: int, norm: float, n_centres: int = 3):
    """Kernel-expansion controls on ``R^D`` with ``L`` layers and ``‖v‖_H = norm``."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return control_with_norm(kernel, rng, L, norm, rng.normal(size=(n_centres, D)))


@st.composite
def problems(draw, kernel, *, N=(3, 6), d: int = 2, D: int = 3, dout: int = 2, spacing=(1.5, 3.0)):
    """``(problem, rng)``: a :class:`bounds.problem.Problem` with ``N`` separated points (jittered
    grid), an injective ``A`` with singular values in [0.8, 1.5], a random ``B`` and random
    targets, and a generator seeded by hypothesis that drives the rest of the example."""
    from bounds.problem import Problem  # noqa: PLC0415

    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(*N))
    X = jittered_grid(rng, n, d, draw(st.floats(*spacing)))
    A = np.linalg.qr(rng.normal(size=(D, d)))[0] * rng.uniform(0.8, 1.5, size=d)
    B = rng.normal(size=(dout, D))
    Y = rng.normal(size=(n, dout))
    return Problem(X, Y, A, B, kernel), rng


def datasets(n: int = 12) -> st.SearchStrategy:
    """Built-in datasets of ``verify.certificate.datasets`` (moons, circles, sphere, xor) with a seed."""
    from verify.certificate.datasets import make_dataset  # noqa: PLC0415

    return st.builds(
        lambda name, seed: make_dataset(name, n=None if name == "xor" else n, seed=seed),
        st.sampled_from(["moons", "circles", "sphere", "xor"]),
        st.integers(0, 1000),
    )
