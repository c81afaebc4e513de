"""Adversarial local search for δ-separated sets with small λ_min: upper bounds on λ_N(δ).

Docs: ``docs/lambda_upper.rst#adversarial-search``.

Projected gradient descent on ``λ_min(K_X)``: with ``u`` the unit eigenvector of the smallest
eigenvalue (simple eigenvalue), ``∂λ_min/∂x_i = 2 Σ_{j≠i} u_i u_j ∇K(x_i − x_j)`` (``∇K`` is odd, so
``K_ij`` and ``K_ji`` contribute equally).  After each step the separation constraint is repaired
by pushing apart the pairs closer than δ (a few Jacobi sweeps) and, if a computed distance is
still short, by scaling the whole set up (which only increases distances).  A step is kept only
if the repaired set has a smaller λ_min; the step length adapts.  Restarts perturb the best set
with seeded noise.  Every returned configuration is feasible (``sep ≥ δ`` in floating point,
checked) and the returned value is a verified upper enclosure of its λ_min, so it is a valid upper
bound on λ_N(δ) however good or bad the search was.

>>> from bounds.kernels import Matern
>>> ub = adversarial_upper_bound(Matern("5/2"), N=6, delta=1.0, D=2, seed=0, max_iter=30)
>>> ub.separation >= 1.0, ub.points.shape
(True, (6, 2))
"""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np

try:  # small eigenproblems run much faster on one BLAS thread when cores are shared
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional
    threadpool_limits = None

from bounds._core.separation import as_point_set, scale_to_separation, separation
from bounds._core.validate import check_lambda_inputs, require_int, require_positive
from bounds.kernels import Gaussian, Kernel, Matern, RandomFourierKernel
from bounds.lambda_min.data import gram_from_differences, lambda_min_upper_verified
from bounds.lambda_min.upper.lattice import UpperBound, lattice_points
from bounds.result import Quantity

__all__ = ["lambda_min_gradient", "adversarial_upper_bound"]


def _kernel_gradients(kernel: Kernel, Z: np.ndarray) -> np.ndarray:
    """``∇K(z)`` for difference vectors ``Z`` (..., D); zero at ``z = 0``."""
    if isinstance(kernel, RandomFourierKernel):
        return kernel.grad(Z)
    if isinstance(kernel, (Matern, Gaussian)):
        r = np.sqrt(np.sum(Z**2, axis=-1))
        if isinstance(kernel, Gaussian) or kernel.nu > 1:
            g = kernel.g(r)
        else:  # K'(r)/r for r > 0 by a central difference (only a search direction)
            rs = np.where(r > 0, r, 1.0)
            h = 1e-6 * np.maximum(rs, 1e-3)
            g = (
                (kernel.profile(rs + h) - kernel.profile(np.maximum(rs - h, 0.0)))
                / (rs + h - np.maximum(rs - h, 0.0))
                / rs
            )
        g = np.where(r > 0, g, 0.0)
        return g[..., None] * Z
    return np.asarray(kernel.grad(Z), dtype=float)


def lambda_min_gradient(kernel: Kernel, X: np.ndarray) -> tuple[float, np.ndarray]:
    """``(λ_min(K_X), ∂λ_min/∂X)`` with ``∂λ_min/∂x_i = 2 Σ_j u_i u_j ∇K(x_i − x_j)``.

    Valid where the smallest eigenvalue is simple (the search only uses it as a direction).
    """
    X = np.asarray(X, dtype=float)
    G = gram_from_differences(kernel, X)
    w, V = np.linalg.eigh(G)
    u = V[:, 0]
    Z = X[:, None, :] - X[None, :, :]
    dK = _kernel_gradients(kernel, Z)
    grad = 2.0 * u[:, None] * np.einsum("j,ijd->id", u, dK)
    return float(w[0]), grad


def _repair(X: np.ndarray, delta: float, sweeps: int = 8) -> np.ndarray:
    """Push apart pairs closer than δ, then scale up until every computed distance is ≥ δ."""
    X = X.copy()
    n = X.shape[0]
    target = delta * (1 + 1e-9)
    for _ in range(sweeps):
        Z = X[:, None, :] - X[None, :, :]
        d = np.sqrt(np.sum(Z**2, axis=-1))
        np.fill_diagonal(d, np.inf)
        short = d < target
        if not short.any():
            break
        deficit = np.where(short, (target - d) / 2.0, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            unit = np.where(short[..., None], Z / np.where(d > 0, d, 1.0)[..., None], 0.0)
        zero = short & (d == 0)
        if zero.any():  # coincident points: push along a fixed direction
            unit[zero] = np.eye(X.shape[1])[0]
        X = X + np.einsum("ij,ijd->id", deficit, unit) * (1.0 + 0.0 * n)
    if np.any(np.sqrt(np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1))[~np.eye(n, dtype=bool)] == 0):
        X = X + 1e-9 * delta * np.arange(n)[:, None]
    return scale_to_separation(X, delta)


def _start(
    kernel: Kernel, N: int, delta: float, D: int, init: str | np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(a feasible reference set, the feasible set the descent starts from)."""
    if isinstance(init, str):
        if init == "lattice":
            # The lattice section with the smallest λ_min (cubic sections usually beat the denser
            # hexagonal / FCC ones), slightly perturbed so the smallest eigenvalue is simple.
            names = ["cubic"] + (["hexagonal"] if D == 2 else []) + (["fcc"] if D == 3 else [])
            cands = [lattice_points(name, N, delta, D) for name in names]
            X = min(cands, key=lambda P: float(np.linalg.eigvalsh(gram_from_differences(kernel, P))[0]))
            return scale_to_separation(X, delta), _repair(X + rng.uniform(-0.01, 0.01, size=X.shape) * delta, delta)
        if init == "random":
            X = _repair(rng.uniform(-1.0, 1.0, size=(N, D)) * delta * N ** (1.0 / D), delta)
            return X, X
        raise ValueError(f"init must be 'lattice', 'random' or an (N, D) array, got {init!r}")
    X = as_point_set(init, name="init")
    if X.shape != (N, D):
        raise ValueError(f"init must have shape (N, D) = ({N}, {D}), got {X.shape}")
    X = _repair(X, delta)
    return X, X


def adversarial_upper_bound(
    kernel: Kernel,
    N: int,
    delta: float,
    D: int,
    *,
    seed: int = 0,
    time_budget: float = 10.0,
    max_iter: int = 10_000,
    init: str | np.ndarray = "lattice",
    restarts: int = 3,
) -> UpperBound:
    """Upper bound on λ_N(δ) from a local search for a δ-separated set with small λ_min.

    Parameters
    ----------
    seed
        Seed of the initial perturbation and of the restarts.
    time_budget
        Wall-clock seconds after which the search stops (results then depend on the machine's
        speed; pass ``max_iter`` alone with a large budget for reproducible runs).
    max_iter
        Maximal number of gradient steps (all restarts together).
    init
        ``"lattice"`` (hexagonal / FCC / cubic section), ``"random"`` or an ``(N, D)`` array.
    restarts
        Number of perturbed restarts from the best set after the step length collapses.

    Formula
    -------
    ``λ_N(δ) ≤ λ_min(K_X)`` for the best feasible ``X`` found (module docstring); the value is the
    verified Rayleigh-quotient upper enclosure of ``λ_min(K_X)``.

    Kind
    ----
    rigorous as an upper bound (feasibility checked, eigenvalue enclosed); how close it is to λ_N(δ) is
    not known.

    Hypotheses
    ----------
    none on the kernel beyond a gradient (Matérn, Gaussian, random features).

    References
    ----------
    docs/lambda_upper.rst#adversarial-search
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    time_budget = require_positive("time_budget", time_budget)
    max_iter = require_int("max_iter", max_iter, minimum=0)
    restarts = require_int("restarts", restarts, minimum=0)
    with threadpool_limits(1) if threadpool_limits is not None else contextlib.nullcontext():
        return _search(kernel, N, delta, D, seed, time_budget, max_iter, init, restarts)


def _search(
    kernel: Kernel,
    N: int,
    delta: float,
    D: int,
    seed: int,
    time_budget: float,
    max_iter: int,
    init: str | np.ndarray,
    restarts: int,
) -> UpperBound:
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    X0, X = _start(kernel, N, delta, D, init, rng)
    lam, grad = lambda_min_gradient(kernel, X)
    best_X, best = X, lam
    lam0 = float(np.linalg.eigvalsh(gram_from_differences(kernel, X0))[0])
    if lam0 < best:
        best_X, best = X0, lam0
    step = 0.1
    it = 0
    restart = 0
    while it < max_iter and time.perf_counter() - t0 < time_budget:
        it += 1
        gmax = float(np.max(np.abs(grad)))
        if gmax == 0 or not math.isfinite(gmax):
            break
        Y = _repair(X - step * delta * grad / gmax, delta)
        lam_y, grad_y = lambda_min_gradient(kernel, Y)
        if lam_y < lam:
            X, lam, grad = Y, lam_y, grad_y
            step = min(step * 1.3, 0.5)
            if lam < best:
                best_X, best = X, lam
        else:
            step *= 0.5
            if step < 1e-6:
                if restart >= restarts:
                    break
                restart += 1
                X = _repair(best_X + rng.normal(scale=0.1 * delta, size=best_X.shape), delta)
                lam, grad = lambda_min_gradient(kernel, X)
                step = 0.1
    best_X = scale_to_separation(best_X, delta)
    sep = separation(best_X)
    if not sep >= delta:  # pragma: no cover - scale_to_separation guarantees it
        raise ValueError("internal: adversarial configuration is not delta-separated")
    enc = lambda_min_upper_verified(kernel, best_X)
    q = Quantity(
        name="lambda_upper_adversarial",
        value=enc.value,
        kind="rigorous",
        formula="lambda_min(K_X) for a delta-separated X found by projected eigenvector-gradient descent",
        reference="docs/lambda_upper.rst#adversarial-search",
        hypotheses=(
            f"sep(X) = {sep!r} >= delta = {delta!r}",
            f"#X = {N}",
            getattr(kernel, "name", str(kernel)),
            f"seed = {seed}, iterations = {it}, restarts = {restart}, {time.perf_counter() - t0:.2f} s",
        ),
        mp=enc.mp,
        dps=enc.dps,
    )
    return UpperBound(q, best_X, sep, "adversarial search")
