"""Lattice sections (upper bounds on λ_N(δ)) and the infinite-lattice symbol (docs/lambda.rst)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds._core.separation import separation
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.lambda_min.lower.packing import packing_lower_bound
from bounds.lambda_min.upper.lattice import lattice_points, lattice_symbol, lattice_symbol_min, lattice_upper_bound
from verify.testing.profiles import scaled
from verify.testing.reference import EIG_TOL, lambda_min
from verify.testing.strategies import lambda_kernels


@pytest.mark.parametrize("lattice, D, kissing", [("cubic", 1, 2), ("cubic", 3, 6), ("hexagonal", 2, 6), ("fcc", 3, 12)])
def test_lattice_sections_have_min_distance_delta_and_kissing_number(lattice, D, kissing):
    # Independent source: the kissing numbers of Z^D (2D), the hexagonal lattice (6) and FCC (12).
    delta = 0.7
    P = lattice_points(lattice, 60, delta, D)
    assert P.shape == (60, D)
    assert separation(P) == pytest.approx(delta, rel=1e-14)
    d0 = np.linalg.norm(P - P[0], axis=1)
    assert np.all(P[0] == 0)
    assert np.sum(np.abs(d0 - delta) < 1e-12) == kissing


@pytest.mark.parametrize("lattice, D", [("cubic", 1), ("cubic", 2), ("hexagonal", 2), ("fcc", 3), ("cubic", 5)])
def test_lattice_sections_are_nested(lattice, D):
    P = lattice_points(lattice, 40, 1.0, D)
    assert np.array_equal(lattice_points(lattice, 25, 1.0, D), P[:25])


@scaled(15)  # ci count; each example builds lattice sections and verified Rayleigh quotients
@given(
    lambda_kernels(),
    st.sampled_from([("cubic", 1), ("cubic", 2), ("hexagonal", 2), ("fcc", 3), ("cubic", 4)]),
    st.integers(2, 60),
    st.floats(0.1, 3.0),
)
def test_upper_bound_attained_by_its_configuration(kernel, lat, N, delta):
    lattice, D = lat
    ub = lattice_upper_bound(kernel, N, delta, D, lattice)
    assert ub.points.shape == (N, D)
    assert separation(ub.points) >= delta  # feasible, no tolerance
    lam = lambda_min(kernel, ub.points)
    # The value is a verified upper enclosure of λ_min(K_X): above the float eigenvalue (up to the
    # float eigenvalue's own error) and equal to it to rounding level.
    assert lam - EIG_TOL <= ub.quantity.value <= lam + 1e-11
    assert ub.quantity.value >= packing_lower_bound(kernel, N, delta, D).value


def test_upper_bound_for_random_feature_kernel():
    kernel = RandomFourierKernel.from_kernel(Matern("5/2"), q=50, D=2, seed=3)
    ub = lattice_upper_bound(kernel, 16, 0.8, 2, "hexagonal")
    assert ub.quantity.value >= lambda_min(kernel, ub.points) - EIG_TOL


@pytest.mark.parametrize("kernel", [Matern("3/2"), Gaussian(1)])
def test_section_upper_bound_nonincreasing_in_n(kernel):
    # Nested sections + Cauchy interlacing; the slack is the enclosure's rounding margin only.
    vals = [lattice_upper_bound(kernel, N, 0.8, 2, "cubic").quantity.value for N in (2, 5, 9, 20, 40)]
    assert all(b <= a + 1e-12 for a, b in zip(vals, vals[1:], strict=False))


def test_symbol_normalisation_spectral_equals_spatial():
    # Two algorithms: the Poisson-summed spectral density vs the spatial lattice sum.  Tolerance:
    # the spectral box |m| <= 499 (D = 2) drops a tail of relative size ~ 499^(-2ν) < 1e-10 for
    # ν = 5/2, and the Gaussian tails are far smaller.
    for kernel, D, delta in [
        (Gaussian(1), 1, 0.7),
        (Gaussian(1), 2, 1.1),
        (Matern("5/2"), 1, 1.0),
        (Matern("5/2"), 2, 0.6),
    ]:
        for theta in (np.full(D, math.pi), np.linspace(0.3, 2.0, D)):
            a = lattice_symbol(kernel, delta, D, theta, method="spatial")
            b = lattice_symbol(kernel, delta, D, theta, method="spectral")
            assert a == pytest.approx(b, rel=1e-9)


def test_symbol_of_gaussian_is_a_jacobi_theta_function():
    # Independent source: Σ_m e^{-δ²m²/2} (-1)^m = θ_4(0, e^{-δ²/2}) (mpmath.jtheta).
    delta = 0.9
    got = lattice_symbol_min(Gaussian(1), delta, 1).value
    assert got == pytest.approx(float(mpmath.jtheta(4, 0, mpmath.exp(-(delta**2) / 2))), rel=1e-12)
    # ... and in D = 2 the Gaussian symbol is the product of two one-dimensional ones.
    assert lattice_symbol_min(Gaussian(1), delta, 2).value == pytest.approx(got**2, rel=1e-10)


def test_sections_converge_to_symbol_from_above_in_d1():
    # Finite sections are compressions of the Toeplitz operator: λ_min ≥ min σ, decreasing to it.
    kernel, delta = Matern("3/2"), 0.8
    sigma = lattice_symbol_min(kernel, delta, 1).value
    gaps = [lattice_upper_bound(kernel, n, delta, 1).quantity.value - sigma for n in (10, 20, 40, 80, 160)]
    assert all(g >= -EIG_TOL for g in gaps)
    assert all(b < a for a, b in zip(gaps, gaps[1:], strict=False))
    assert gaps[-1] < gaps[0] / 20


def test_sections_converge_to_symbol_from_above_in_d2():
    kernel, delta = Matern("5/2"), 0.9
    sigma = lattice_symbol_min(kernel, delta, 2).value
    gaps = [lattice_upper_bound(kernel, n, delta, 2).quantity.value - sigma for n in (16, 64, 256)]
    assert all(g >= -EIG_TOL for g in gaps)
    assert gaps[2] < gaps[1] < gaps[0]
    assert gaps[2] < gaps[0] / 3


def test_symbol_is_not_an_upper_bound_for_two_points():
    # Why the bracket never uses σ_min for finite N: for δ small, σ_min < λ_2(δ) = 1 - K(δ).
    kernel = Matern("5/2")
    assert lattice_symbol_min(kernel, 0.5, 1).value < 1 - float(kernel.profile(0.5))


def test_bad_input():
    with pytest.raises(ValueError, match="lattice must be one of"):
        lattice_points("bcc", 5, 1.0, 3)
    with pytest.raises(ValueError, match="hexagonal lattice needs D = 2"):
        lattice_points("hexagonal", 5, 1.0, 3)
    with pytest.raises(ValueError, match="delta must be > 0"):
        lattice_upper_bound(Matern("5/2"), 5, -1.0, 2)
    with pytest.raises(ValueError, match="N must be an integer >= 2"):
        lattice_upper_bound(Matern("5/2"), 1, 1.0, 2)
    with pytest.raises(ValueError, match="method must be"):
        lattice_symbol(Matern("5/2"), 1.0, 1, 0.0, method="fft")
    with pytest.raises(ValueError, match="not radial"):
        lattice_symbol_min(RandomFourierKernel(np.ones((2, 1))), 1.0, 1)
