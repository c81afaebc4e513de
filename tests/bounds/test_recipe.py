"""SPEC §8: the lifting recipe and the random-feature width."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.lzb import lzb_condition
from bounds.pl import pl_constants
from bounds.problem import Problem
from bounds.recipe import _failure_probability, design_feasible, lifting_recipe, rff_posterior_check, rff_width
from bounds.smoothness import smoothness_constant

XOR_X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.fixture(scope="module")
def xor_design():
    return lifting_recipe(XOR_X, XOR_Y, Matern("5/2"), form="sqrt")


def test_xor_design_is_verified_with_rigorous_constants(xor_design):
    d = xor_design
    assert d is not None and d.verified
    # Independent re-check through the public API (not the recipe's float search).
    prob = d.problem(XOR_X, XOR_Y, Matern("5/2"))
    pl = pl_constants(prob, d.R, lam="data")
    beta = smoothness_constant(prob, d.R).value
    point = lzb_condition(prob.initial_loss(), pl.m.value, pl.M.value, beta, d.R)
    assert point.holds("sqrt")
    assert d.p == prob.D // 2 and prob.sigma_A[0] == pytest.approx(d.a * math.sqrt(d.p))


def test_xor_needs_lifting(xor_design):
    # The search found no design at p = 1 (the first p it tried) and settled above it.
    assert xor_design.searched[0] == 1 and xor_design.p > 1
    res = design_feasible(XOR_X, XOR_Y, Matern("5/2"), 1, form="sqrt")
    assert res is None or res[0] <= 0


def test_easy_data_needs_no_lifting():
    # Targets already equal to the inputs' first coordinate: f0 can be made ~0 with ab = 1.
    X = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    Y = X[:, :1].copy()
    d = lifting_recipe(X, Y, Gaussian(1.0), form="discrete")
    assert d is not None and d.p == 1 and d.verified


def test_recipe_bad_input():
    with pytest.raises(ValueError, match="same number of rows"):
        lifting_recipe(XOR_X, XOR_Y[:3], Matern("5/2"))
    with pytest.raises(ValueError, match="kernel must be Matern or Gaussian"):
        lifting_recipe(XOR_X, XOR_Y, RandomFourierKernel(np.ones((3, 2))))
    with pytest.raises(ValueError, match="X must contain only finite"):
        lifting_recipe(XOR_X * np.nan, XOR_Y, Matern("5/2"))


def test_rff_width_meets_its_own_bound_and_is_minimal():
    k = Matern("5/2")
    q = rff_width(k, D=2, radius=1.0, eps=0.3, eta=0.05)
    sigma2 = 2 * k.spectral.moment(1)
    assert _failure_probability(q, 0.3, 2.0, 2, sigma2) <= 0.05
    assert _failure_probability(q - 1, 0.3, 2.0, 2, sigma2) > 0.05
    # Monotone: a smaller eps or a larger region needs more features.
    assert rff_width(k, 2, 1.0, 0.2, 0.05) > q and rff_width(k, 2, 2.0, 0.3, 0.05) >= q


def test_rff_width_holds_in_a_monte_carlo_experiment():
    # Independent source: brute force. Draw the width's worth of frequencies 20 times and measure
    # sup |K_q - K| on a dense grid of the region; failures must be rare (bound: eta = 0.1).
    k = Matern("5/2")
    q = rff_width(k, D=1, radius=1.0, eps=0.25, eta=0.1)
    z = np.linspace(-2.0, 2.0, 801)[:, None]
    failures = 0
    for seed in range(20):
        rff = RandomFourierKernel.from_kernel(k, q, 1, seed)
        failures += float(np.max(np.abs(rff(z) - k(z)))) >= 0.25
    assert failures <= 2 + 20 * 0.1


def test_rff_posterior_check_reports_the_sample_constants():
    k = Matern("5/2")
    rff = RandomFourierKernel.from_kernel(k, 64, 2, seed=1)
    chk = rff_posterior_check(rff, k, XOR_X * 2)
    # Independent source: c1^2 = lambda_max of the empirical second-moment matrix.
    second = rff.omega.T @ rff.omega / rff.q
    assert chk.c1 == pytest.approx(math.sqrt(np.linalg.eigvalsh(second)[-1]), rel=1e-12)
    assert chk.lambda_min == pytest.approx(np.linalg.eigvalsh(rff.gram(XOR_X * 2))[0], abs=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(D=0, radius=1.0, eps=0.1), "D must be"),
    (dict(D=2, radius=-1.0, eps=0.1), "radius must be > 0"),
    (dict(D=2, radius=1.0, eps=0.0), "eps must be > 0"),
    (dict(D=2, radius=1.0, eps=0.1, eta=1.5), "eta must be in"),
])
def test_rff_width_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rff_width(Matern("5/2"), **kwargs)


@pytest.mark.parametrize("p", [1, 2, 7])
def test_reduced_problem_has_the_lifted_constants(p):
    # Independent source: the materialised lifting of SPEC §8 (A = a(I,...,I)^T, B = b(I, 0)).
    from bounds.problem import lifting, output_map
    from bounds.recipe import reduced_problem

    X = XOR_X * 1.3 + 0.1
    Y = np.array([[0.5], [-1.0], [2.0], [0.0]])
    k = Matern("5/2")
    A = lifting(2, p, 0.7)
    full = Problem(X, Y, A, output_map(1, 2 * p, 1.9), k)
    red = reduced_problem(X, Y, k, p, 0.7, 1.9)
    assert np.allclose(red.lifted_distances, full.lifted_distances, rtol=1e-13)
    assert red.sigma_A == pytest.approx(full.sigma_A) and red.sigma_B == pytest.approx(full.sigma_B)
    assert red.rho == pytest.approx(full.rho) and red.initial_loss() == pytest.approx(full.initial_loss())
    for R in (0.0, 0.3):
        assert pl_constants(red, R, lam="data").m.value == pytest.approx(
            pl_constants(full, R, lam="data").m.value, rel=1e-12
        )
        assert smoothness_constant(red, R).value == pytest.approx(smoothness_constant(full, R).value, rel=1e-12)
