"""Packing–Gershgorin bounds (docs/lambda_lower.rst), the two-point value and the log-profile margin."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, target
from hypothesis import strategies as st

from bounds._core.separation import separation
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.kernels.profile import LOG_PROFILE_ABS_ERROR, log_profile, profile_mp
from bounds.lambda_min.bracket import lambda_two
from bounds.lambda_min.lower.packing import (
    EXACT_NEIGHBOURS,
    neighbour_blocks,
    neighbour_radii,
    packing_lambda_max_bound,
    packing_lower_bound,
    packing_sum,
)
from verify.testing.reference import EIG_TOL, lambda_max, lambda_min
from verify.testing.strategies import delta_separated_sets, lambda_kernels


@pytest.mark.parametrize(
    "kernel", [Matern("1/2"), Matern("3/2"), Matern("5/2"), Matern(1.3, 0.7), Matern(7.25, 2.0), Gaussian(0.8)]
)
def test_log_profile_within_stated_margin(kernel):
    # Independent source: mpmath at 50 digits (closed forms / besselk), far into the underflow range.
    r = np.concatenate([[0.0], np.geomspace(1e-6, 2e3, 400)])
    got = log_profile(kernel, r)
    with mpmath.workdps(50):
        ref = np.array([float(mpmath.log(profile_mp(kernel, x))) for x in r])
    assert np.all(np.abs(got - ref) <= LOG_PROFILE_ABS_ERROR * (1 + np.abs(ref)))


def test_profile_mp_matches_kernel_profile():
    # Independent source: the kernels' own float closed forms / Bessel forms (bounds.kernels).
    for kernel in [Matern("3/2"), Matern(1.3, 0.7), Gaussian(2)]:
        r = np.linspace(0, 5, 11)
        assert np.allclose([float(profile_mp(kernel, x)) for x in r], kernel.profile(r), rtol=1e-13, atol=0)


def _neighbour_distances(points: np.ndarray, count: int) -> np.ndarray:
    """Brute force: sorted distances from the origin (a lattice point) to the other points."""
    d = np.sort(np.sqrt(np.sum(points**2, axis=1)))
    assert d[0] == 0.0
    return d[1 : count + 1]


def test_neighbour_radii_hold_for_dense_lattices():
    # Independent source: brute-force neighbour distances in Z (where ρ_j = ⌈j/2⌉ is attained),
    # the hexagonal lattice and Z^3 (δ = 1), within the enumerated region.
    g = np.arange(-30, 31, dtype=float)
    z1 = g[:, None]
    hexa = np.array([[i + j / 2, j * math.sqrt(3) / 2] for i in g for j in g])
    z3 = np.stack(np.meshgrid(g[20:-20], g[20:-20], g[20:-20], indexing="ij"), -1).reshape(-1, 3)
    for pts, D, count in [(z1, 1, 40), (hexa, 2, 2000), (z3, 3, 3000)]:
        d = _neighbour_distances(pts, count)
        rho = neighbour_radii(np.arange(1, count + 1), D)
        assert np.all(d >= rho * (1 - 1e-14))  # hexagonal coordinates carry √3/2 rounding
    assert np.array_equal(_neighbour_distances(z1, 40), neighbour_radii(np.arange(1, 41), 1))  # D = 1 is sharp


@pytest.mark.parametrize("N", [2, 50, 2049, 10**6, 10**15])
@pytest.mark.parametrize("D", [1, 2, 8])
def test_neighbour_blocks_cover_every_neighbour_with_a_smaller_radius(N, D):
    rho, count = neighbour_blocks(N, D)
    assert count.sum() == N - 1 and np.all(count >= 1)
    assert len(rho) <= EXACT_NEIGHBOURS + 130 * math.log(max(N, 2))  # O(min(N, 2048) + log N)
    starts = np.cumsum(count) - count + 1
    assert np.array_equal(rho, neighbour_radii(starts, D))
    assert np.all(np.diff(rho) >= 0)  # ρ nondecreasing: a block's first radius bounds the block


@pytest.mark.parametrize("kernel", [Matern("3/2"), Matern("5/2"), Gaussian(1)])
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_two_points_are_exact(kernel, delta):
    # Independent source: the eigenvalues 1 ± K(δ) of the 2x2 Gram matrix, by eigvalsh.
    exact = lambda_two(kernel, delta)
    X = np.array([[0.0, 0.0], [delta, 0.0]])
    assert exact.kind == "rigorous"  # 1 - K(δ) rounded down (docs/lambda.rst#two-points)
    assert exact.value == pytest.approx(lambda_min(kernel, X), abs=EIG_TOL)
    packing = packing_lower_bound(kernel, 2, delta, 2)
    assert packing.value <= exact.value
    assert packing.value == pytest.approx(exact.value, abs=1e-12)  # only the rounding margin


@given(lambda_kernels(), delta_separated_sets(max_n=14, max_d=3))
@example(Matern("1/2"), (np.array([[0.0], [1.0], [2.0]]), 1.0))
def test_packing_lower_bound_below_lambda_min(kernel, Xd):
    X, delta = Xd
    N, D = X.shape
    lam = lambda_min(kernel, X)
    lower = packing_lower_bound(kernel, N, delta, D)
    if lam > 0:
        target(lower.value / lam, label="packing lower / lambda_min")
    assert lower.value <= lam + EIG_TOL


@given(lambda_kernels(), delta_separated_sets(max_n=14, max_d=3))
def test_packing_lambda_max_bound_above_lambda_max(kernel, Xd):
    X, delta = Xd
    N, D = X.shape
    upper = packing_lambda_max_bound(kernel, N, delta, D)
    target(lambda_max(kernel, X) / upper.value, label="lambda_max / Lambda bound")
    assert lambda_max(kernel, X) <= upper.value + EIG_TOL
    assert upper.value <= N


def test_packing_is_sharp_on_the_line_for_exponential_kernel_as_n_grows():
    # Independent source: the closed form sum_k 2 e^{-kδ} = 2/(e^δ - 1) of the infinite row sum of
    # Matérn 1/2 on δZ (the shells of D = 1 are exact), compared with the huge-N tail path.
    delta = 0.7
    s = packing_sum(Matern("1/2"), 10**12, delta, 1)
    exact = 2 / math.expm1(delta)
    assert exact <= s.value <= exact * (1 + 1e-10)


@pytest.mark.parametrize("D", [1, 2, 3])
def test_huge_n_blocks_bound_the_full_series(D):
    # Independent source: mpmath nsum of the full series Σ_j K(ρ_j δ) (N = ∞) for a Gaussian; the
    # geometric blocks (ratio 1 + 1/128) may only overestimate it, by a few percent at most.
    delta = 0.05 if D == 1 else 0.5
    kernel = Gaussian(1)
    s = packing_sum(kernel, 10**15, delta, D)
    if D == 1:
        term = lambda j: profile_mp(kernel, mpmath.ceil(j / 2) * delta)  # noqa: E731
    else:
        term = lambda j: profile_mp(kernel, max(1, ((j + 1) ** (mpmath.mpf(1) / D) - 1) / 2) * delta)  # noqa: E731
    with mpmath.workdps(20):
        ref = mpmath.nsum(term, [1, mpmath.inf])
    assert float(ref) <= s.value <= float(ref) * 1.05


@given(lambda_kernels(), st.integers(2, 300), st.floats(0.05, 5.0), st.integers(1, 8))
def test_packing_monotone_in_n_and_delta(kernel, N, delta, D):
    b = packing_lower_bound(kernel, N, delta, D).value
    assert packing_lower_bound(kernel, N + 7, delta, D).value <= b
    assert packing_lower_bound(kernel, N, delta * 1.1, D).value >= b
    L = packing_lambda_max_bound(kernel, N, delta, D).value
    assert packing_lambda_max_bound(kernel, N + 7, delta, D).value >= L


@pytest.mark.parametrize(
    "args, match",
    [
        ((Matern("5/2"), 10, 0.0, 2), "delta must be > 0"),
        ((Matern("5/2"), 10, -1.0, 2), "delta must be > 0"),
        ((Matern("5/2"), 1, 1.0, 2), "N must be an integer >= 2"),
        ((Matern("5/2"), 10, 1.0, 0), "D must be an integer >= 1"),
        ((Matern("5/2"), 10, float("nan"), 2), "delta must be finite"),
        ((RandomFourierKernel(np.ones((3, 2))), 10, 1.0, 2), "not radial"),
    ],
)
def test_bad_input_raises(args, match):
    with pytest.raises(ValueError, match=match):
        packing_lower_bound(*args)


def test_lambda_two_rejects_bad_input():
    with pytest.raises(ValueError, match="delta must be > 0"):
        lambda_two(Matern("5/2"), 0.0)
    with pytest.raises(ValueError, match="not radial"):
        lambda_two(RandomFourierKernel(np.ones((3, 2))), 1.0)


@given(lambda_kernels(), st.integers(2, 10**6), st.floats(0.5, 1e6), st.integers(1, 8))
@example(Matern("5/2"), 8, 2e4, 1)  # 1 - S_N and 1 + S_N were rounded to 1 at 53 bits: lambda >= 1 claimed
@example(Matern("5/2"), 10**6, 500.0, 8)
def test_packing_bounds_stay_strictly_inside_the_two_point_spectrum(kernel, N, delta, D):
    # Independent source: two points at distance delta (a delta-separated set with #X <= N) have the
    # eigenvalues 1 -+ K(delta) exactly, K(delta) > 0 evaluated in mpmath at 50 digits however far
    # it underflows in floats; so lambda_N(delta) <= 1 - K(delta) < 1 and Lambda_N(delta) >= 1 + K(delta).
    with mpmath.workdps(50):
        k = profile_mp(kernel, delta)
        assert k > 0
        low, high = packing_lower_bound(kernel, N, delta, D).value, packing_lambda_max_bound(kernel, N, delta, D).value
        assert low < 1 and low <= 1 - k  # strictly: 1 - k may round to 1 even at 50 digits
        assert high > 1 and high >= 1 + k


def test_underflow_regime_is_not_nan():
    assert not math.isnan(packing_lower_bound(Gaussian(1), 10**6, 1e-4, 2).value)
    assert separation(np.array([[0.0], [1.0]])) == 1.0
