"""SPEC §8: the lifting recipe and the random-feature width."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.lzb import lzb_condition
from bounds.pl import pl_constants
from bounds.problem import Problem
from bounds.recipe import _verify, design_feasible, lifting_recipe, reduced_problem, rff_posterior_check, rff_width
from bounds.smoothness import smoothness_constant
from tests.bounds import mp_oracles as mo
from tests.bounds.test_lzb import ORACLE_RTOL, model_path
from verify.testing.profiles import scaled

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


@pytest.fixture(scope="module")
def xor_discrete():
    return lifting_recipe(XOR_X, XOR_Y, Matern("5/2"), form="discrete")


@given(st.floats(0.5, 2.0), st.floats(0.3, 3.0))
@example(1.0, 1.0)  # the recipe's own design
@example(1.0, 0.5)  # half the radius: the brute-force path leaves the ball
@scaled(10)  # ci count; each example evaluates the rigorous constants of a lifted problem
def test_verified_flag_is_the_brute_force_verdict_of_the_rigorous_constants(xor_discrete, b_scale, R_scale):
    # Independent source: the brute-force path model of tests/bounds/test_lzb.py evaluated with the
    # rigorous constants (public API) of the design's problem, around the recipe's design (the
    # reduced problem has the lifted constants: test_reduced_problem_has_the_lifted_constants).
    d = xor_discrete
    b, R = d.b * b_scale, d.R * R_scale
    design = _verify(XOR_X, XOR_Y, Matern("5/2"), d.p, d.a, b, R, "discrete", d.searched)
    prob = reduced_problem(XOR_X, XOR_Y, Matern("5/2"), d.p, d.a, b)
    pl = pl_constants(prob, R, lam="data")
    beta = smoothness_constant(prob, R).value
    f0 = prob.initial_loss()
    assert (design.m, design.M, design.beta) == (pl.m.value, pl.M.value, beta)
    assert design.f0 == pytest.approx(f0, rel=1e-12)
    path = model_path(f0, pl.m.value, pl.M.value, beta) if pl.m.value > 0 else math.inf
    if abs(path / R - 1) > ORACLE_RTOL:
        assert design.verified == (path <= R)


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


def failure_bound(q: int, eps: float, radius: float, D: int, kernel) -> mpmath.mpf:
    """``inf_r [2 (1 + 2 diam/r)^D e^{−q ε²/8} + 16 σ² r²/ε²]`` (docs/recipe.rst, "Random-feature
    width": ε-net, Hoeffding for summands of range 2 at ``ε/2``, Markov on ``E L² ≤ 4σ²`` at
    ``ε/(2r)``), ``diam = 2 radius``, ``σ² = D E[ω₁²]`` from the Student-t / normal moment, evaluated
    in mpmath: a 2001-point grid in ``log r`` over 80 decades, then golden-section refinement."""
    _, c1, _ = mo.moments(kernel)
    with mpmath.workdps(mo.DPS):
        diam, e = 2 * mpmath.mpf(radius), mpmath.mpf(eps)
        sigma2 = D * c1**2

        def f(log_r):
            r = mpmath.exp(log_r)
            return 2 * (1 + 2 * diam / r) ** D * mpmath.exp(-q * e**2 / 8) + 16 * sigma2 * r**2 / e**2

        grid = [mpmath.log(diam) - 70 + 80 * mpmath.mpf(i) / 2000 for i in range(2001)]
        i = min(range(len(grid)), key=lambda k: f(grid[k]))
        a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        g = (mpmath.sqrt(5) - 1) / 2
        for _ in range(120):
            x1, x2 = b - g * (b - a), a + g * (b - a)
            a, b = (a, x2) if f(x1) < f(x2) else (x1, b)
        return min(f((a + b) / 2), f(grid[i]))


@given(st.sampled_from([Matern("5/2"), Matern(3.3, 0.6), Gaussian(2)]), st.integers(1, 4), st.floats(0.2, 3.0),
       st.floats(0.05, 0.5), st.floats(1e-4, 0.3))
@example(Matern("5/2"), 2, 1.0, 0.3, 0.05)
@scaled(10)  # ci count; each example evaluates the mpmath oracle on a 2001-point grid twice (~1 s)
def test_rff_width_meets_the_bound_and_is_minimal(kernel, D, radius, eps, eta):
    # Independent source: the failure-probability bound in mpmath (failure_bound above), not the
    # package's float evaluation: the width meets it and one feature fewer does not.
    q = rff_width(kernel, D, radius, eps, eta)
    assert failure_bound(q, eps, radius, D, kernel) <= eta
    assert q == 1 or failure_bound(q - 1, eps, radius, D, kernel) > eta


def test_rff_width_grows_as_eps_shrinks_and_the_region_grows():
    k = Matern("5/2")
    q = rff_width(k, 2, 1.0, 0.3, 0.05)
    assert rff_width(k, 2, 1.0, 0.2, 0.05) > q and rff_width(k, 2, 2.0, 0.3, 0.05) >= q


#: Monte-Carlo check of rff_width: draws and the allowed number of failures.  Failures are
#: Binomial(n, p) with p <= eta if the bound holds, so more than MC_ALLOWED failures has probability
#: at most 1e-3 over the choice of seeds (binomial tail, scipy.stats).
MC_DRAWS, MC_ETA = 20, 0.1
MC_ALLOWED = int(stats.binom.ppf(1 - 1e-3, MC_DRAWS, MC_ETA))


def test_rff_width_holds_in_a_monte_carlo_experiment():
    # Independent source: brute force. Draw the width's worth of frequencies MC_DRAWS times and
    # measure sup |K_q - K| on a dense grid of the region (a lower bound of the sup: failures can
    # only be undercounted, which the binomial allowance does not need).
    k = Matern("5/2")
    q = rff_width(k, D=1, radius=1.0, eps=0.25, eta=MC_ETA)
    z = np.linspace(-2.0, 2.0, 801)[:, None]
    failures = 0
    for seed in range(MC_DRAWS):
        rff = RandomFourierKernel.from_kernel(k, q, 1, seed)
        failures += float(np.max(np.abs(rff(z) - k(z)))) >= 0.25
    assert MC_ALLOWED == 7 and stats.binom.sf(MC_ALLOWED, MC_DRAWS, MC_ETA) <= 1e-3  # P(> 7 of 20) = 4.4e-4
    assert failures <= MC_ALLOWED


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
