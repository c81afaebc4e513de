"""Fourier (Narcowich–Ward route) lower bound on λ_N(δ): ingredients and rigour."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, target
from hypothesis import strategies as st
from scipy import integrate, special

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.kernels.profile import LOG_PROFILE_ABS_ERROR, density_radial_mp, log_density_radial
from bounds.lambda_min.bracket import lambda_two
from bounds.lambda_min.lower.fourier import LANDAU_C, bessel_envelope, fourier_lower_bound, fourier_offdiagonal_sum
from bounds.lambda_min.upper.lattice import lattice_upper_bound
from verify.testing.profiles import scaled
from verify.testing.reference import EIG_TOL, lambda_min
from verify.testing.strategies import delta_separated_sets, lambda_kernels


def _phi(t, D):
    """Φ(t) = Γ(D/2+1)(2/t)^{D/2} J_{D/2}(t) (scipy's jv)."""
    return special.gamma(D / 2 + 1) * (2 / t) ** (D / 2) * special.jv(D / 2, t)


def _landau_constant() -> mpmath.mpf:
    """Landau's ``c = sup_{ν>0, x>0} x^{1/3}|J_ν(x)|`` (L. Landau, J. London Math. Soc. 61 (2000)
    197–215): the supremum is the ``ν → 0`` limit ``max_x x^{1/3} J_0(x)``, at the root of
    ``d/dx [x^{1/3} J_0(x)] = x^{−2/3}(J_0(x) − 3x J_1(x))/3`` near 0.78, in mpmath at 40 digits."""
    with mpmath.workdps(40):
        x = mpmath.findroot(lambda x: mpmath.besselj(0, x) - 3 * x * mpmath.besselj(1, x), 0.8)
        return mpmath.cbrt(x) * mpmath.besselj(0, x)


def test_landau_constant_is_landaus_rounded_up_in_its_fourth_digit():
    # Independent source: the mpmath maximisation above, which reproduces Landau's published
    # value 0.7857468704...; the package's constant must lie above it by less than 1e-4.
    c = _landau_constant()
    assert abs(c - mpmath.mpf("0.7857468704")) < 1e-10
    assert c <= LANDAU_C < c + mpmath.mpf("1e-4")
    # ... and the supremum over nu > 0 is approached as nu -> 0 (so c cannot be lowered):
    with mpmath.workdps(30):
        f = lambda x: mpmath.cbrt(x) * mpmath.besselj(mpmath.mpf("1e-8"), x)  # noqa: E731
        x = mpmath.findroot(lambda x: mpmath.diff(f, x), 0.78)
        assert c - f(x) < mpmath.mpf("1e-8")


def test_landau_constant_bounds_the_bessel_functions_we_use():
    # Independent source: scipy's jv on grids, for the orders D/2 of the Fourier route.
    x = np.linspace(1e-3, 200, 100_001)
    worst = max(float(np.max(x ** (1 / 3) * np.abs(special.jv(nu, x)))) for nu in np.arange(0.5, 6.5, 0.5))
    assert worst <= LANDAU_C


@pytest.mark.parametrize("D", [1, 2, 3, 4, 5, 8, 11])
def test_envelope_majorises_phi_squared(D):
    t = np.linspace(1e-3, 300, 300_001)
    assert np.all(_phi(t, D) ** 2 <= bessel_envelope(t, D))
    env = bessel_envelope(t, D)
    assert np.all(np.diff(env) <= 0)  # nonincreasing, as the shell argument needs


def test_phi_closed_forms():
    # Independent source: Φ(t) = sin t / t in D = 1 and 3(sin t - t cos t)/t³ in D = 3.
    t = np.linspace(0.1, 30, 50)
    assert np.allclose(_phi(t, 1), np.sin(t) / t, rtol=1e-12)
    assert np.allclose(_phi(t, 3), 3 * (np.sin(t) - t * np.cos(t)) / t**3, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("r", [0.3, 1.7, 4.0])
def test_ball_fourier_transform_in_two_dimensions(r):
    # Independent source: direct quadrature of ∫_{|ω|≤M} cos(ω·z) dω in polar coordinates.
    M = 1.3
    f = lambda rho, a: rho * math.cos(rho * r * math.cos(a))  # noqa: E731
    val, _ = integrate.dblquad(f, 0, 2 * math.pi, 0, M, epsabs=1e-12)
    assert val == pytest.approx(math.pi * M**2 * _phi(M * r, 2), rel=1e-9)


@pytest.mark.parametrize("kernel", [Matern("1/2"), Matern("5/2"), Matern(1.3, 0.7), Gaussian("1/2")])
@pytest.mark.parametrize("D", [1, 2, 8])
def test_log_density_within_stated_margin(kernel, D):
    # Independent source: the density in mpmath at 50 digits.
    rho = np.concatenate([[0.0], np.geomspace(1e-4, 1e4, 60)])
    got = log_density_radial(kernel, rho, D)
    with mpmath.workdps(50):
        ref = np.array([float(mpmath.log(density_radial_mp(kernel, x, D))) for x in rho])
    assert np.all(np.abs(got - ref) <= LOG_PROFILE_ABS_ERROR * (1 + np.abs(ref)))


def test_density_normalisation_matches_kernel():
    # Independent source: K(r) = ∫ p(ω) cos(ω r) dω numerically in D = 1 (the stated normalisation).
    for kernel in [Matern("3/2"), Gaussian(0.7)]:
        for r in [0.0, 0.5, 2.0]:
            val, _ = (
                integrate.quad(
                    lambda w, k=kernel: math.exp(float(log_density_radial(k, w, 1))) * 2,
                    0,
                    np.inf,
                    weight="cos",
                    wvar=r,
                )
                if r > 0
                else integrate.quad(lambda w, k=kernel: 2 * math.exp(float(log_density_radial(k, w, 1))), 0, np.inf)
            )
            assert val == pytest.approx(float(kernel.profile(r)), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("kernel", [Matern("3/2"), Matern("5/2"), Gaussian(1)])
@pytest.mark.parametrize("D", [1, 2, 3, 8])
@pytest.mark.parametrize("delta", [0.2, 1.0, 3.0])
def test_two_points_below_exact(kernel, D, delta):
    assert fourier_lower_bound(kernel, 2, delta, D).value <= lambda_two(kernel, delta).value


@scaled(20)  # ci count; each example optimises the Fourier bound (grid + Brent)
@given(lambda_kernels(), delta_separated_sets(max_n=14, max_d=3))
@example(Matern("1/2"), (np.array([[0.0], [1.0], [2.0], [3.0]]), 1.0))
def test_fourier_lower_bound_below_lambda_min(kernel, Xd):
    X, delta = Xd
    N, D = X.shape
    lam = lambda_min(kernel, X)
    q = fourier_lower_bound(kernel, N, delta, D)
    if lam > 0:
        target(q.value / lam, label="fourier lower / lambda_min")
    assert q.value <= lam + EIG_TOL


@pytest.mark.parametrize("kernel", [Matern("3/2"), Matern("5/2")])
@pytest.mark.parametrize("lat, D", [("cubic", 1), ("cubic", 2), ("hexagonal", 2), ("fcc", 3)])
def test_fourier_below_large_lattice_sections(kernel, lat, D):
    # Large dense sections are where Fourier is the better bound; it must stay below them.
    for delta in (0.3, 1.0):
        ub = lattice_upper_bound(kernel, 200, delta, D, lat).quantity.value
        assert fourier_lower_bound(kernel, 200, delta, D).value <= ub


def test_underflow_is_carried_by_mp_never_nan():
    q = fourier_lower_bound(Gaussian(1), 1000, 0.1, 8)
    assert q.value == 0.0
    assert 0 < q.mp < mpmath.mpf("1e-400")
    assert not math.isnan(q.value)


@given(lambda_kernels(), st.integers(2, 400), st.floats(0.05, 4.0), st.integers(1, 8))
def test_fourier_monotone_in_n_and_delta(kernel, N, delta, D):
    # The exact maximiser is monotone; the grid + Brent optimiser may lose ~1e-9 relative.
    b = fourier_lower_bound(kernel, N, delta, D).mp
    assert fourier_lower_bound(kernel, N + 13, delta, D).mp <= b * (1 + 1e-9)
    assert fourier_lower_bound(kernel, N, delta * 1.2, D).mp >= b * (1 - 1e-9)


def test_offdiagonal_sum_tail_for_huge_n():
    # Independent source: the series Σ_k 2/(k t)² = π²/(3t²) for D = 1 with no cap (N = ∞).
    t = 2.0
    s = fourier_offdiagonal_sum(10**15, t, 1)
    assert math.pi**2 / (3 * t**2) <= s <= math.pi**2 / (3 * t**2) * 1.001


@pytest.mark.parametrize(
    "args, match",
    [
        ((Matern("5/2"), 10, 0.0, 2), "delta must be > 0"),
        ((Matern("5/2"), 1, 1.0, 2), "N must be an integer >= 2"),
        ((Matern("5/2"), 10, 1.0, 0), "D must be an integer >= 1"),
        ((RandomFourierKernel(np.ones((3, 2))), 10, 1.0, 2), "not radial"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        fourier_lower_bound(*args)
