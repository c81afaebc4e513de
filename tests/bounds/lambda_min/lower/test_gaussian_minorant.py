"""Gaussian-minorant lower bound on λ_N(δ) for Matérn kernels."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, target
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile import density_radial_mp
from bounds.lambda_min.bracket import lambda_two
from bounds.lambda_min.lower.gaussian_minorant import gaussian_minorant_lower_bound, log_minorant_constant
from bounds.lambda_min.upper.adversarial import adversarial_upper_bound
from bounds.lambda_min.upper.lattice import lattice_upper_bound
from verify.testing.profiles import scaled
from verify.testing.reference import EIG_TOL, lambda_min
from verify.testing.strategies import delta_separated_sets

MATERNS = st.sampled_from([Matern("1/2"), Matern("3/2"), Matern("5/2"), Matern(1.3, 0.7), Matern("7/2", 2)])


@pytest.mark.parametrize("kernel", [Matern("1/2"), Matern("5/2"), Matern(1.3, 0.7)])
@pytest.mark.parametrize("D", [1, 3, 8])
@pytest.mark.parametrize("s", [0.3, 2.0, 9.0])
def test_minorant_constant_is_the_minimum_of_the_density_ratio(kernel, D, s):
    # Independent source: brute-force minimum over a radial grid of p(ω)/g_s(ω) in mpmath.
    rho = np.concatenate([[0.0], np.geomspace(1e-3, 60 * s + 60, 1500)])
    with mpmath.workdps(30):
        g = lambda r: (2 * mpmath.pi * s**2) ** (-mpmath.mpf(D) / 2) * mpmath.exp(-mpmath.mpf(r) ** 2 / (2 * s**2))  # noqa: E731
        brute = min(mpmath.log(density_radial_mp(kernel, r, D) / g(r)) for r in rho)
    got = log_minorant_constant(kernel, s, D)
    assert got <= float(brute) + 1e-9  # the closed-form minimiser is at least as low as any grid point
    assert got == pytest.approx(float(brute), abs=1e-3)  # and the grid (ratio 1.006) gets close to it


@pytest.mark.parametrize("kernel", [Matern("1/2"), Matern("3/2"), Matern("5/2")])
@pytest.mark.parametrize("D", [1, 2, 8])
@pytest.mark.parametrize("delta", [0.2, 1.0, 3.0])
def test_two_points_below_exact(kernel, D, delta):
    assert gaussian_minorant_lower_bound(kernel, 2, delta, D).value <= lambda_two(kernel, delta).value


@given(MATERNS, delta_separated_sets(max_n=14, max_d=3))
@example(Matern("1/2"), (np.array([[0.0], [1.0], [2.0], [3.0]]), 1.0))
def test_minorant_below_lambda_min(kernel, Xd):
    X, delta = Xd
    N, D = X.shape
    lam = lambda_min(kernel, X)
    q = gaussian_minorant_lower_bound(kernel, N, delta, D)
    if lam > 0:
        target(q.value / lam, label="gaussian minorant / lambda_min")
    assert q.value <= lam + EIG_TOL


@scaled(6)  # ci count; each example runs an adversarial search (seconds)
@given(MATERNS, st.integers(3, 10), st.floats(0.2, 2.0), st.integers(1, 4), st.integers(0, 100))
def test_minorant_below_adversarial_sets(kernel, N, delta, D, seed):
    ub = adversarial_upper_bound(kernel, N, delta, D, seed=seed, max_iter=20, time_budget=60)
    lam = lambda_min(kernel, ub.points)
    q = gaussian_minorant_lower_bound(kernel, N, delta, D)
    target(q.value / lam, label="gaussian minorant / adversarial lambda_min")
    assert q.value <= lam + EIG_TOL


@pytest.mark.parametrize("kernel", [Matern("3/2"), Matern("5/2")])
@pytest.mark.parametrize("lat, D", [("cubic", 1), ("hexagonal", 2), ("fcc", 3), ("cubic", 8)])
def test_minorant_below_large_lattice_sections(kernel, lat, D):
    for delta in (0.3, 1.0):
        ub = lattice_upper_bound(kernel, 150, delta, D, lat).quantity.value
        assert gaussian_minorant_lower_bound(kernel, 150, delta, D).value <= ub


@given(MATERNS, st.integers(2, 300), st.floats(0.05, 4.0), st.integers(1, 8))
def test_minorant_monotone_in_n_and_delta(kernel, N, delta, D):
    # The exact maximiser is monotone; the grid + Brent optimiser may lose ~1e-6 relative.
    b = gaussian_minorant_lower_bound(kernel, N, delta, D).mp
    assert gaussian_minorant_lower_bound(kernel, N + 11, delta, D).mp <= b * (1 + 1e-6)
    assert gaussian_minorant_lower_bound(kernel, N, delta * 1.2, D).mp >= b * (1 - 1e-6)


def test_underflow_is_carried_by_mp():
    q = gaussian_minorant_lower_bound(Matern("5/2"), 1000, 1e-4, 8)
    assert not math.isnan(q.value)
    assert q.mp > 0 and mpmath.mpf(q.value) <= q.mp


def test_bad_input():
    with pytest.raises(ValueError, match="must be a Matern kernel"):
        gaussian_minorant_lower_bound(Gaussian(1), 10, 1.0, 2)
    with pytest.raises(ValueError, match="delta must be > 0"):
        gaussian_minorant_lower_bound(Matern("5/2"), 10, 0.0, 2)
    with pytest.raises(ValueError, match="N must be an integer >= 2"):
        gaussian_minorant_lower_bound(Matern("5/2"), 1, 1.0, 2)
    with pytest.raises(ValueError, match="D must be an integer >= 1"):
        gaussian_minorant_lower_bound(Matern("5/2"), 10, 1.0, 0)


@pytest.mark.parametrize(
    "kernel, D, delta",
    [(Matern("3/2"), 1, 1.0), (Matern("5/2"), 1, 2.0), (Matern("1/2"), 2, 0.3), (Matern("5/2"), 2, 1.0)],
)
def test_minorant_for_huge_n_below_the_lattice_symbol(kernel, D, delta):
    # λ_N(δ) ≤ λ_min(N-point section of δZ^D), which decreases to min σ as N → ∞ (compressions of the
    # Toeplitz operator), so a valid bound for N = 10^9 must sit below min σ (up to the symbol's
    # truncation, ≤ 1e-12 here).  In D = 1 the bound reaches 95–98 % of it.
    from bounds.lambda_min.upper.lattice import lattice_symbol_min

    sigma = lattice_symbol_min(kernel, delta, D).value
    assert gaussian_minorant_lower_bound(kernel, 10**9, delta, D).value <= sigma + 1e-12
