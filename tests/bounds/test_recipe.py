"""The random-feature width of docs/recipe.rst (the design search is tested in test_design_search.py)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.recipe import rff_posterior_check, rff_width
from tests.bounds import mp_oracles as mo
from verify.testing.profiles import scaled

XOR_X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


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
