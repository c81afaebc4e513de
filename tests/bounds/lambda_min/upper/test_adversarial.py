"""Adversarial local search: gradient, feasibility, attainment, and the lower bounds on its sets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, target
from hypothesis import strategies as st

from bounds._core.separation import separation
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.lambda_min.lower.fourier import fourier_lower_bound
from bounds.lambda_min.lower.packing import packing_lower_bound
from bounds.lambda_min.upper.adversarial import adversarial_upper_bound, lambda_min_gradient
from bounds.lambda_min.upper.lattice import lattice_upper_bound
from verify.testing.profiles import scaled
from verify.testing.reference import EIG_TOL, lambda_min


@pytest.mark.parametrize(
    "kernel",
    [
        Matern("1/2"),
        Matern("5/2"),
        Matern(1.3),
        Gaussian(0.8),
        RandomFourierKernel.from_kernel(Matern("5/2"), 40, 2, 0),
    ],
)
def test_eigenvalue_gradient_matches_finite_differences(kernel):
    # Independent source: central differences of eigvalsh (the smallest eigenvalue is simple here).
    X = np.random.default_rng(3).normal(size=(6, 2)) * 1.5
    _, grad = lambda_min_gradient(kernel, X)
    h = 1e-6
    fd = np.zeros_like(X)
    for i in range(6):
        for d in range(2):
            E = np.zeros_like(X)
            E[i, d] = h
            fd[i, d] = (lambda_min(kernel, X + E) - lambda_min(kernel, X - E)) / (2 * h)
    assert np.allclose(grad, fd, atol=1e-7, rtol=1e-5)


@scaled(8)  # ci count; each example runs an adversarial local search
@given(
    st.sampled_from([Matern("3/2"), Matern("5/2"), Gaussian(1)]),
    st.integers(3, 12),
    st.floats(0.3, 2.0),
    st.integers(1, 3),
    st.integers(0, 1000),
    st.sampled_from(["lattice", "random"]),
)
def test_search_returns_feasible_configurations_and_lower_bounds_hold_on_them(kernel, N, delta, D, seed, init):
    ub = adversarial_upper_bound(kernel, N, delta, D, seed=seed, max_iter=25, time_budget=60, init=init)
    assert ub.points.shape == (N, D)
    assert separation(ub.points) >= delta  # feasible: no tolerance
    lam = lambda_min(kernel, ub.points)
    assert lam - EIG_TOL <= ub.quantity.value <= lam + 1e-11  # attained by its configuration
    for lower in (packing_lower_bound(kernel, N, delta, D), fourier_lower_bound(kernel, N, delta, D)):
        if lam > 0:
            target(lower.value / lam, label=f"{lower.name} / adversarial lambda_min")
        assert lower.value <= lam + EIG_TOL


@pytest.mark.parametrize("N, D", [(12, 2), (20, 3)])
def test_search_never_worse_than_the_best_lattice_start(N, D):
    kernel = Matern("5/2")
    ub = adversarial_upper_bound(kernel, N, 1.0, D, seed=0, max_iter=40, time_budget=60)
    lats = ["cubic", "hexagonal"] if D == 2 else ["cubic", "fcc"]
    best_lattice = min(lattice_upper_bound(kernel, N, 1.0, D, lat).quantity.value for lat in lats)
    assert ub.quantity.value <= best_lattice + 1e-12


def test_search_is_reproducible_with_a_seed():
    a = adversarial_upper_bound(Matern("3/2"), 8, 0.7, 2, seed=5, max_iter=30, time_budget=60, init="random")
    b = adversarial_upper_bound(Matern("3/2"), 8, 0.7, 2, seed=5, max_iter=30, time_budget=60, init="random")
    assert np.array_equal(a.points, b.points)
    assert a.quantity.value == b.quantity.value


def test_search_improves_on_a_random_start():
    kernel = Matern("5/2")
    X0 = np.random.default_rng(2).uniform(-3, 3, size=(10, 2))
    X0 = X0 / separation(X0)
    start = lambda_min(kernel, X0)
    ub = adversarial_upper_bound(kernel, 10, 1.0, 2, seed=0, max_iter=60, time_budget=60, init=X0)
    assert ub.quantity.value < start


def test_bad_input():
    with pytest.raises(ValueError, match="init must have shape"):
        adversarial_upper_bound(Matern("5/2"), 5, 1.0, 2, init=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="init must be"):
        adversarial_upper_bound(Matern("5/2"), 5, 1.0, 2, init="spiral")
    with pytest.raises(ValueError, match="time_budget must be > 0"):
        adversarial_upper_bound(Matern("5/2"), 5, 1.0, 2, time_budget=0)
    with pytest.raises(ValueError, match="delta must be > 0"):
        adversarial_upper_bound(Matern("5/2"), 5, 0.0, 2)
