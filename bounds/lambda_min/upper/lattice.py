"""Upper bounds on λ_N(δ) from lattice sections, and the infinite-lattice symbol (docs/lambda.rst).

Docs: ``docs/lambda_upper.rst``.

* :func:`lattice_points` — the ``N`` points of a lattice with minimal distance δ closest to the
  origin: the cubic lattice ``δZ^D``, the hexagonal lattice (``D = 2``) and FCC (``D = 3``), the
  densest lattice packings in those dimensions.  The sections are nested in ``N`` (ties broken
  lexicographically), so their λ_min is nonincreasing in ``N`` (Cauchy interlacing).
* :func:`lattice_upper_bound` — ``λ_N(δ) ≤ λ_min(K_X)`` for such a section, because the section
  is a feasible configuration (``sep ≥ δ`` checked in floating point, scaled up if rounding
  made it short).  Its value is a verified Rayleigh-quotient upper enclosure of λ_min(K_X)
  (:func:`bounds.lambda_min.data.lambda_min_upper_verified`), so the bound is one-sided.
* :func:`lattice_symbol` / :func:`lattice_symbol_min` — the symbol of the Gram operator of the
  infinite lattice ``δZ^D``, ``σ(θ) = Σ_m K(δm) e^{-iθ·m} = (2π/δ)^D Σ_m p((θ + 2πm)/δ)`` (Poisson
  summation, ``p`` the spectral density, angular frequency).  Every finite section of ``δZ^D`` is a
  compression of that Toeplitz operator, so ``λ_min(section) ≥ min_θ σ(θ)`` and λ_min of the
  growing sections decreases to it.  It is an upper bound for ``λ_∞(δ) = lim_N λ_N(δ)`` but
  **not** for λ_N(δ) at finite N (e.g. ``σ_min < 1 − K(δ) = λ_2(δ)`` for small δ): the bracket
  reports it as an asymptotic reference only.

>>> from bounds.kernels import Matern
>>> ub = lattice_upper_bound(Matern("5/2"), N=9, delta=1.0, D=2, lattice="cubic")
>>> ub.points.shape, ub.separation >= 1.0, ub.quantity.kind
((9, 2), True, 'rigorous')
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from bounds._core.separation import scale_to_separation, separation
from bounds._core.validate import check_lambda_inputs
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile import log_density_radial, log_profile, require_radial_kernel
from bounds.lambda_min.data import lambda_min_upper_verified
from bounds.result import Quantity

__all__ = [
    "LATTICES",
    "UpperBound",
    "lattice_basis",
    "lattice_points",
    "lattice_upper_bound",
    "lattice_symbol",
    "lattice_symbol_min",
]

LATTICES = ("cubic", "hexagonal", "fcc")
_REFERENCE = "docs/lambda_upper.rst"
_MAX_BOX = 20_000_000


@dataclass(frozen=True)
class UpperBound:
    """An upper bound on λ_N(δ) together with the configuration that attains it.

    Attributes
    ----------
    quantity
        The bound (``value >= λ_min(K_points)``, verified).
    points
        The configuration, shape ``(n, D)`` with ``n <= N``; recompute λ_min and sep from it.
    separation
        ``sep(points)`` as computed in floating point (``>= delta``, checked).
    source
        ``"cubic lattice"``, ``"hexagonal lattice"``, ``"fcc lattice"`` or ``"adversarial search"``.
    """

    quantity: Quantity
    points: np.ndarray
    separation: float
    source: str


def lattice_basis(lattice: str, D: int) -> np.ndarray:
    """Rows: a basis of the lattice with minimal distance 1 (cubic ``Z^D``, hexagonal, FCC)."""
    if lattice not in LATTICES:
        raise ValueError(f"lattice must be one of {LATTICES}, got {lattice!r}")
    if lattice == "cubic":
        return np.eye(D)
    if lattice == "hexagonal":
        if D != 2:
            raise ValueError(f"the hexagonal lattice needs D = 2, got D = {D}")
        return np.array([[1.0, 0.0], [0.5, math.sqrt(3.0) / 2.0]])
    if D != 3:
        raise ValueError(f"the fcc lattice needs D = 3, got D = {D}")
    return np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]) / math.sqrt(2.0)


def lattice_points(lattice: str, N: int, delta: float, D: int) -> np.ndarray:
    """The ``N`` lattice points (minimal distance δ) closest to the origin, ties broken
    lexicographically in the integer coordinates, so sections are nested in ``N``.

    >>> lattice_points("cubic", 3, 2.0, 1).ravel().tolist()
    [0.0, -2.0, 2.0]
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    B = lattice_basis(lattice, D)
    binv = float(np.linalg.norm(np.linalg.inv(B), 2))
    h = 1.0
    while True:
        H = int(math.ceil(h * binv))
        if (2 * H + 1) ** D > _MAX_BOX:
            raise ValueError(
                f"N = {N} lattice points in D = {D} need a box of (2*{H}+1)^{D} candidates; "
                f"N must be smaller for D = {D}"
            )
        rng = np.arange(-H, H + 1, dtype=np.int16)
        C = np.stack(np.meshgrid(*([rng] * D), indexing="ij"), axis=-1).reshape(-1, D)
        Y = C.astype(float) @ B
        r2 = np.sum(Y**2, axis=1)
        inside = r2 <= h * h + 1e-9
        if np.count_nonzero(inside) >= N:
            break
        h += 1.0
    C, r2 = C[inside], np.round(r2[inside], 9)
    order = np.lexsort((*C.T[::-1], r2))
    return (C[order[:N]].astype(float) @ B) * delta


def lattice_upper_bound(kernel: object, N: int, delta: float, D: int, lattice: str = "cubic") -> UpperBound:
    """Upper bound ``λ_N(δ) ≤ λ_min(K_X)`` for the ``N``-point section ``X`` of a lattice.

    Formula
    -------
    ``λ_N(δ) = inf`` over feasible sets ``≤ λ_min(K_X)`` for the feasible ``X`` = :func:`lattice_points`
    (scaled up by a rounding-size factor if a computed distance fell below δ); the value is the verified
    Rayleigh-quotient upper enclosure of ``λ_min(K_X)``.

    Kind
    ----
    rigorous (as an upper bound; it is not expected to be the infimum).

    Hypotheses
    ----------
    none on the kernel (any kernel of :mod:`bounds.kernels`).

    References
    ----------
    docs/lambda_upper.rst#lattice-sections
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    X = scale_to_separation(lattice_points(lattice, N, delta, D), delta)
    sep = separation(X)
    if not sep >= delta:  # pragma: no cover - scale_to_separation guarantees it
        raise ValueError("internal: lattice section is not delta-separated")
    lam = lambda_min_upper_verified(kernel, X)
    q = Quantity(
        name=f"lambda_upper_{lattice}",
        value=lam.value,
        kind="rigorous",
        formula=f"lambda_min(K_X), X = the {N} points of the {lattice} lattice (min distance delta) nearest 0",
        reference=_REFERENCE + "#lattice-sections",
        hypotheses=(f"sep(X) = {sep!r} >= delta = {delta!r}", f"#X = {N}", getattr(kernel, "name", str(kernel))),
        mp=lam.mp,
        dps=lam.dps,
    )
    return UpperBound(q, X, sep, f"{lattice} lattice")


# ---------------------------------------------------------------------------------------------
# The symbol of the infinite cubic lattice
# ---------------------------------------------------------------------------------------------


def _box(M: int, D: int) -> np.ndarray:
    r = np.arange(-M, M + 1, dtype=float)
    return np.stack(np.meshgrid(*([r] * D), indexing="ij"), axis=-1).reshape(-1, D)


def _symbol_spatial(kernel: Matern | Gaussian, delta: float, D: int, theta: np.ndarray) -> float:
    """``Σ_m K(δm) cos(θ·m)`` over the box where ``K(δ|m|) ≥ e^{-40}``."""
    r_cut = 1.0
    while log_profile(kernel, r_cut) > -40.0:
        r_cut *= 1.5
    M = int(math.ceil(r_cut / delta))
    if (2 * M + 1) ** D > _MAX_BOX:
        raise ValueError("spatial symbol sum too large")
    m = _box(M, D)
    k = np.exp(log_profile(kernel, delta * np.sqrt(np.sum(m**2, axis=1))))
    return float(np.sum(k * np.cos(m @ theta)))


def _symbol_spectral(kernel: Matern | Gaussian, delta: float, D: int, theta: np.ndarray) -> float:
    """``(2π/δ)^D Σ_m p((θ + 2πm)/δ)`` over the largest affordable box ``|m|_∞ ≤ M``."""
    M = int((1_000_000 ** (1.0 / D) - 1) // 2)
    M = max(1, min(M, 2000000))
    m = _box(M, D) if D > 1 else np.arange(-M, M + 1, dtype=float)[:, None]
    omega = (theta[None, :] + 2 * math.pi * m) / delta
    lp = log_density_radial(kernel, np.sqrt(np.sum(omega**2, axis=1)), D)
    return float(np.exp(D * math.log(2 * math.pi / delta) + lp).sum())


def lattice_symbol(kernel: Matern | Gaussian, delta: float, D: int, theta: object, *, method: str = "spatial") -> float:
    """The symbol ``σ(θ)`` of the Gram operator of ``δZ^D`` at ``θ ∈ [−π, π]^D`` (numerical).

    Raises
    ------
    ValueError
        A kernel other than Matérn or Gaussian, bad ``delta`` or ``D``, or an unknown ``method``.

    Formula
    -------
    ``method="spatial"``: ``Σ_m K(δm) cos(θ·m)``, truncated where ``K < e^{-40}`` (exponential
    convergence for Matérn and Gaussian).  ``method="spectral"``: ``(2π/δ)^D Σ_m p((θ+2πm)/δ)``
    (Poisson summation) truncated to a box; it converges slowly for rough kernels (``p`` decays
    like ``|ω|^{-2ν-D}``) and serves as the check of the Fourier normalisation.

    Kind
    ----
    numerical (truncated lattice sums).

    References
    ----------
    docs/lambda_upper.rst#lattice-symbol
    """
    kernel = require_radial_kernel(kernel, "lattice symbol")
    _, delta, D = check_lambda_inputs(2, delta, D)
    th = np.broadcast_to(np.asarray(theta, dtype=float), (D,)).copy()
    if method == "spatial":
        return _symbol_spatial(kernel, delta, D, th)
    if method == "spectral":
        return _symbol_spectral(kernel, delta, D, th)
    raise ValueError(f"method must be 'spatial' or 'spectral', got {method!r}")


def lattice_symbol_min(kernel: Matern | Gaussian, delta: float, D: int) -> Quantity:
    """``min_θ σ(θ)``: the limit of λ_min of growing sections of ``δZ^D`` (from above).

    Formula
    -------
    ``min_θ Σ_m K(δm) cos(θ·m) = min_θ (2π/δ)^D Σ_m p((θ+2πm)/δ)``. In ``D ≤ 2`` the minimum is searched
    on a grid of ``[0, π]^D`` (σ is even in each θ_i and symmetric under permutations) and refined with
    a bounded local search, and the corner ``θ = (π, …, π)`` is always a candidate; for ``D ≥ 3`` only
    the corner is evaluated (assumed minimiser: for the Gaussian kernel σ is a product of
    one-dimensional symbols each minimal at π).

    Kind
    ----
    numerical (truncated lattice sums; an upper bound for ``λ_∞(δ)``, not for λ_N(δ) with finite N).

    Hypotheses
    ----------
    Matérn or Gaussian.

    References
    ----------
    docs/lambda_upper.rst#lattice-symbol
    """
    kernel = require_radial_kernel(kernel, "lattice symbol")
    _, delta, D = check_lambda_inputs(2, delta, D)
    corner = np.full(D, math.pi)
    best_theta, best = corner, lattice_symbol(kernel, delta, D, corner)
    if D <= 2:
        grid = np.linspace(0.0, math.pi, 9)
        for point in itertools.product(grid, repeat=D):
            th = np.array(point)
            v = lattice_symbol(kernel, delta, D, th)
            if v < best:
                best_theta, best = th, v
        res = optimize.minimize(
            lambda t: lattice_symbol(kernel, delta, D, t),
            best_theta,
            bounds=[(0.0, math.pi)] * D,
            method="L-BFGS-B",
        )
        if res.fun < best:
            best_theta, best = res.x, float(res.fun)
    return Quantity(
        name="lambda_infinity_symbol",
        value=best,
        kind="numerical",
        formula="min_theta sum_m K(delta m) cos(theta.m) = min_theta (2 pi/delta)^D sum_m p((theta + 2 pi m)/delta)",
        reference=_REFERENCE + "#lattice-symbol",
        hypotheses=(
            f"{kernel.name}, lattice delta Z^{D}, delta = {delta!r}",
            f"minimiser theta = {np.round(best_theta, 6).tolist()}" + (" (assumed: corner)" if D > 2 else ""),
            "upper bound for lim_N lambda_N(delta), not for finite N",
        ),
    )
