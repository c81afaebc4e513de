"""The a priori statement of a finite width (docs/width.rst#a-priori): its tail bounds against
exact binomial tails (the ±1 summands for which Hoeffding and Chernoff are tight), its moments
against closed forms and quadrature, and the whole statement by Monte Carlo over draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.problem import Problem
from bounds.recipe import _failure_probability, width_design, width_for_design, width_guarantee
from bounds.result import Quantity, combined_kind
from bounds.width import FiniteWidth, c1_bound, c2_bound, chernoff_loss, hoeffding_entries, norm_moment
from verify.certificate.datasets import make_dataset

#: Smallest probability the Monte-Carlo tests accept as "not a coincidence": a test fails when the
#: observed number of failures is above the binomial (n, eta) quantile of level 1 - P_FALSE_ALARM.
P_FALSE_ALARM = 1e-6


def _two_sided_tail(q: int, t: float) -> float:
    """Exact P(|S|/q >= t) for S a sum of q independent ±1 (Rademacher) variables."""
    k = math.ceil(q * (1 + t) / 2 - 1e-12)  # S = 2 Bin(q, 1/2) - q >= q t  <=>  Bin >= q (1 + t)/2
    return min(1.0, 2 * float(stats.binom.sf(k - 1, q, 0.5)))


# ------------------------------------------------------------------ Hoeffding and Chernoff steps


@pytest.mark.parametrize("q, eps", [(200, 0.4), (400, 0.3), (1000, 0.2), (60, 0.8)])
def test_the_hoeffding_step_of_rff_width_dominates_the_exact_rademacher_tail(q, eps):
    # docs/recipe.rst: at each net centre z_c, P(|K_q(z_c) - K(z_c)| >= eps/2) <= 2 exp(-q eps^2/8)
    # for any spectral measure, in particular the two-point one with cos(w.z_c) = ±1 (K(z_c) = 0),
    # whose tail is the exact binomial one (Hoeffding's exponent is attained by ±1 summands).  With a
    # single net point (the ball's diameter -> 0) _failure_probability is that step's bound plus
    # vanishing net and Lipschitz terms.  A constant q eps^2/4 in place of q eps^2/8 claims less
    # than the exact tail and fails.
    bound = _failure_probability(q, eps, 1e-9, 1, 1.0)
    assert bound <= 2.1 * math.exp(-q * eps**2 / 8)  # the configuration isolates the Hoeffding term
    assert bound >= _two_sided_tail(q, eps / 2)


@pytest.mark.parametrize("q, eta", [(100, 1e-2), (400, 1e-3), (2000, 1e-5)])
def test_hoeffding_entries_dominates_the_exact_tail(q, eta):
    # Source: the exact binomial tail of ±1 summands (the two-point spectral measure above, for N = 2
    # points: one pair).  P(|K_q - K| >= eps) <= eta must hold; eps with q eps^2/4 in the exponent
    # (a wrong Hoeffding constant) is smaller and makes the exact tail exceed eta.
    eps = hoeffding_entries(q, 2, eta)
    assert _two_sided_tail(q, eps) <= eta
    assert _two_sided_tail(q, eps / math.sqrt(2)) > eta  # the constant is within sqrt(2) of tight


@pytest.mark.parametrize("q, eta", [(60, 1e-3), (200, 1e-6), (800, 1e-9)])
def test_chernoff_loss_dominates_the_exact_tail_of_two_points(q, eta):
    # Source: N = 2 points with the ±1 spectral measure: K_X = I (mu = 1) and K_q(X) = [[1, S/q],
    # [S/q, 1]], so lambda_min(K_q) = 1 - |S|/q and P(lambda_min <= 1 - delta) = P(|S|/q >= delta),
    # an exact binomial tail, which the delta returned must make <= eta.
    delta = chernoff_loss(q, 2, 1.0, eta)
    assert 0 < delta < 1
    assert _two_sided_tail(q, delta) <= eta


@pytest.mark.parametrize("N, q, eta", [(10, 2000, 1e-6), (8, 4000, 1e-8), (20, 20000, 1e-9)])
def test_chernoff_loss_against_the_coupon_model(N, q, eta):
    # Source: the exact binomial tail in the model where matrix Chernoff is tight in its exponent:
    # X_j = (N/q) e_k e_k^T with k uniform (independent, PSD, lambda_max = N/q, E sum X_j = I, as for
    # K_q(X)).  lambda_min(sum X_j) = (N/q) min_k count_k <= (N/q) count_1, so a valid delta makes
    # P(Bin(q, 1/N) <= (1 - delta) q/N) <= eta.  Dropping the 1/N of the exponent, or doubling it,
    # gives a smaller delta for which that exact tail exceeds eta.
    delta = chernoff_loss(q, N, 1.0, eta)
    assert stats.binom.cdf(math.floor((1 - delta) * q / N), q, 1 / N) <= eta

    def tail_with_exponent_factor(factor: float) -> float:  # the delta a mutated exponent would give
        h = N * math.log(N / eta) / (q * factor)
        d = float(optimize.brentq(lambda x: x + (1 - x) * math.log1p(-x) - h, 1e-12, 1 - 1e-12))
        return float(stats.binom.cdf(math.floor((1 - d) * q / N), q, 1 / N))

    assert tail_with_exponent_factor(1.0) <= eta  # the formula itself, independently solved
    assert tail_with_exponent_factor(2.0) > eta and tail_with_exponent_factor(N) > eta


def test_chernoff_loss_is_one_when_the_width_is_too_small():
    # N exp(-q lam/N) > eta: no delta < 1 works (2 q/N * lam < log(N/eta))
    assert chernoff_loss(10, 50, 0.5, 0.01) == 1.0


# ------------------------------------------------------------------ moments and the c1, c2 bounds


@pytest.mark.parametrize("kernel", [Matern("5/2"), Matern("7/2", 0.7), Matern(5, 1.3), Gaussian(0.8)])
@pytest.mark.parametrize("D", [1, 3, 5])
def test_norm_moments_against_quadrature(kernel, D):
    # Source: E|w|^{2k} = int r^{2k} p(r) |S^{D-1}| r^{D-1} dr with the spectral density of
    # bounds.kernels.spectral (an independent radial quadrature).
    area = 2 * math.pi ** (D / 2) / special.gamma(D / 2)

    def radial(k: int) -> float:
        def f(r: float) -> float:
            return float(kernel.spectral.density(np.array([[r] + [0.0] * (D - 1)]))[0]) * r ** (2 * k + D - 1) * area
        return integrate.quad(f, 0, np.inf, limit=400, epsabs=0, epsrel=1e-11)[0]

    for k in (1, 2):
        assert float(norm_moment(kernel, k, D)) == pytest.approx(radial(k), rel=1e-7)


def test_the_chebyshev_variance_of_the_second_moment_matrix():
    # Source: Monte Carlo with 4000 draws of S_q (q = 8, D = 3, Gaussian kernel: all moments finite,
    # so the empirical mean of |S_q - E ww^T|_F^2 has a standard error below 3 %).
    kernel, D, q = Gaussian(1.0), 3, 8
    V = float(norm_moment(kernel, 2, D)) - D * float(norm_moment(kernel, 1, D) / D) ** 2
    rng = np.random.default_rng(0)
    sq = []
    for _ in range(4000):
        w = kernel.spectral.sample(q, D, rng)
        sq.append(np.sum((w.T @ w / q - np.eye(D)) ** 2))
    assert np.mean(sq) == pytest.approx(V / q, rel=0.06)


def test_c1_and_c2_bounds_hold_in_a_monte_carlo_experiment():
    # Source: brute force, 2000 draws; the bounds claim failure probability <= eta = 0.05 each.
    kernel, D, q, eta, n = Matern("5/2"), 3, 64, 0.05, 2000
    c1, c2 = c1_bound(kernel, D, q, eta), c2_bound(kernel, D, q, eta)
    rng = np.random.default_rng(1)
    f1 = f2 = 0
    for _ in range(n):
        w = kernel.spectral.sample(q, D, rng)
        f1 += math.sqrt(np.linalg.eigvalsh(w.T @ w / q)[-1]) > c1
        f2 += math.sqrt(np.mean(np.sum(w**2, axis=1) ** 2)) > c2
    limit = stats.binom.isf(P_FALSE_ALARM, n, eta)
    assert f1 <= limit and f2 <= limit
    # the c1 bound shrinks to the kernel's c1 as q grows (Chebyshev); c2's Markov branch does not
    assert c1_bound(kernel, D, 10**8, eta) == pytest.approx(math.sqrt(5 / 3), rel=1e-2)
    assert c2_bound(kernel, D, 10**8, eta) == c2_bound(kernel, D, 64, eta)


# ------------------------------------------------------------------ the a priori statement


def _xor_design() -> Problem:
    wd = width_design(make_dataset("xor").X, make_dataset("xor").Y, Matern("5/2"), 0.05)
    arch = wd.architecture
    return Problem.augmented(make_dataset("xor").X, make_dataset("xor").Y, Matern("5/2"), arch.alpha, arch.b)


def test_the_a_priori_event_fails_with_frequency_below_eta():
    # The a priori statement by Monte Carlo: at the width the search returns for the XOR design,
    # the four bounds of FiniteWidth.a_priori must all hold for the drawn network except with
    # probability <= eta.  n = 400 draws; the test fails if the failures exceed the binomial(400,
    # 0.05) quantile of level 1 - 1e-6 (= 43); the bounds are conservative, so far fewer fail.  A
    # bound without the Chernoff loss (delta = 0) fails on about half the draws and is caught.
    prob = _xor_design()
    q = width_for_design(prob, 0.05)
    assert q is not None
    fa = FiniteWidth.a_priori(Matern("5/2"), prob.lifted, q, 0.05)
    n, failures = 400, 0
    for seed in range(n):
        sample = RandomFourierKernel.from_kernel(Matern("5/2"), q, prob.coordinates, 10_000 + seed)
        G = sample.gram(prob.lifted)
        ev = np.linalg.eigvalsh(G)
        c1 = math.sqrt(np.linalg.eigvalsh(sample.omega.T @ sample.omega / q)[-1])
        c2 = math.sqrt(np.mean(np.sum(sample.omega**2, axis=1) ** 2))
        rows = np.max(np.sum(np.abs(G), axis=1))
        failures += not (ev[0] >= fa.lam0.value and rows <= fa.Lam0.value and c1 <= fa.regularity.c1.value
                         and c2 <= fa.regularity.c2.value)
    assert failures <= stats.binom.isf(P_FALSE_ALARM, n, 0.05)


def test_the_width_search_is_minimal_and_probabilistic():
    # width_for_design returns a width whose a priori certificate holds (kind probabilistic, the
    # design's eta) and half of which does not.
    prob = _xor_design()
    q = width_for_design(prob, 0.05)
    cert = width_guarantee(prob, q, 0.05)
    assert cert.guaranteed and cert.best.kind == "probabilistic"
    assert not width_guarantee(prob, q // 2, 0.05).guaranteed
    assert q == 151  # the number quoted in docs/width.rst (regenerate the page if it changes)


@pytest.mark.slow
def test_drawn_networks_at_the_a_priori_width_certify():
    # The a posteriori certificate on draws of the a priori width: at least 1 - eta of them must
    # certify (binomial margin as above; benchmarks/width/ runs the certify command over 20 seeds).
    from bounds.chain import lzb_for_problem

    prob = _xor_design()
    q = width_for_design(prob, 0.05)
    n, ok = 40, 0
    for seed in range(n):
        sample = RandomFourierKernel.from_kernel(Matern("5/2"), q, prob.coordinates, seed)
        ok += lzb_for_problem(prob, width=FiniteWidth.drawn(sample, prob.lifted), grid_size=41).guaranteed
    assert n - ok <= stats.binom.isf(P_FALSE_ALARM, n, 0.05)


# ------------------------------------------------------------------ the kind


def test_probabilistic_quantities_carry_their_eta():
    q = Quantity("c1", 2.0, "probabilistic", "f", "docs/width.rst", eta=0.05)
    assert "probability >= 1 - 0.05" in repr(q) and q.to_dict()["eta"] == 0.05
    assert combined_kind("rigorous", q) == ("probabilistic", 0.05)
    assert combined_kind(q, "numerical") == ("numerical", None)
    with pytest.raises(ValueError, match="one eta"):
        combined_kind(q, Quantity("c2", 1.0, "probabilistic", "f", "docs/width.rst", eta=0.1))
    with pytest.raises(ValueError, match="eta must be given"):
        Quantity("x", 1.0, "probabilistic", "f", "docs/width.rst")
    with pytest.raises(ValueError, match="eta must be given"):
        Quantity("x", 1.0, "rigorous", "f", "docs/width.rst", eta=0.1)
    with pytest.raises(ValueError, match=r"eta must be in \(0, 1\)"):
        Quantity("x", 1.0, "probabilistic", "f", "docs/width.rst", eta=1.5)
