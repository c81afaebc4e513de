"""Kernel values and log-profiles against Arb (verify/testing/oracle.py): every float the rigorous
routes use is within its stated, proven error bound, for ν from 1/2 to 500 and the Gaussian.

Independent source throughout: the oracle's Arb enclosure of the Bessel form
``2^{1−ν}/Γ(ν) s^ν K_ν(s)`` (every ν, half-integers included) or of ``exp(−r²/(2ℓ²))``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from bounds._core.rounding import UNIT_ROUNDOFF
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile import (
    LOG_PROFILE_ABS_ERROR,
    log_density_radial,
    log_profile,
    profile_error_bound,
    proven_profile,
)
from bounds.kernels.profile_ball import BALL_PROFILE_ERROR
from verify.testing import oracle
from verify.testing.strategies import lengthscales

half_integer_kernels = st.builds(Matern, st.integers(0, 50).map(lambda p: Fraction(2 * p + 1, 2)), lengthscales())
general_nus = st.one_of(
    st.floats(0.5, 500.0).filter(lambda x: 2 * x != int(2 * x)),
    st.builds(Fraction, st.integers(3, 5000), st.sampled_from([3, 7, 10])).filter(lambda x: x.denominator > 2),
)
general_kernels = st.builds(Matern, general_nus, lengthscales())
gaussians = st.builds(Gaussian, lengthscales())
# r/ℓ: 0, tiny (1 − K cancels), moderate, and far in the tail (K below 1e-100).
scaled_radii = st.one_of(st.just(0.0), st.floats(1e-12, 1e-3), st.floats(1e-3, 40.0), st.floats(40.0, 1e3))


def _radii(kernel, t):
    return np.array([x * kernel.lengthscale for x in t])


def _exact(kernel, r):
    return lambda: oracle.profile(kernel, float(r))  # refined by the oracle's checks until decided


@given(half_integer_kernels | gaussians, st.lists(scaled_radii, min_size=1, max_size=6))
@example(Matern("101/2"), [0.01, 1.0, 7.0])
@example(Matern("5/2", "1/3"), [1e-9, 0.5, 2.0, 350.0])
def test_float_closed_forms_within_their_proven_error(kernel, t):
    r = _radii(kernel, t)
    values = kernel.profile(r)
    bound = profile_error_bound(kernel)
    for x, v in zip(r, values, strict=True):
        assert oracle.within(float(v), _exact(kernel, x), bound), (kernel, x, v)


@given(general_kernels, st.lists(scaled_radii, min_size=1, max_size=4))
@example(Matern(300), [0.01])  # scipy's log-space kve errs by 2.9e-13 here (issue 17)
@example(Matern(100), [1e-9, 0.31])
@example(Matern(500), [0.05, 3.0])
def test_ball_profile_within_its_error_for_every_other_nu(kernel, t):
    r = _radii(kernel, t)
    values = proven_profile(kernel, r)
    assert profile_error_bound(kernel) == BALL_PROFILE_ERROR
    for x, v in zip(r, values, strict=True):
        assert oracle.within(float(v), _exact(kernel, x), BALL_PROFILE_ERROR), (kernel, x, v)


def test_scipy_bessel_form_is_not_accurate_enough_at_large_nu():
    # Why ν = 300 goes through Arb (issue 17): the float Bessel form misses by 2.9e-13 at r = 0.01,
    # 2.9 times the 1e-13 it used to be credited with; the proven route is within 1.01 u.
    kernel, r = Matern(300), 0.01
    exact = oracle.narrow(_exact(kernel, r))
    assert not oracle.within(float(kernel.profile(np.array([r]))[0]), exact, 1e-13)
    assert oracle.within(float(proven_profile(kernel, np.array([r]))[0]), exact, BALL_PROFILE_ERROR)


@given(
    st.sampled_from([Matern("1/2"), Matern("3/2"), Matern("5/2", "1/4"), Gaussian("1/3")]) | general_kernels,
    st.lists(scaled_radii, min_size=1, max_size=4),
)
@example(Matern(300), [0.01, 5.0])
@example(Matern("3/2", 1e14), [1e-14, 1e3])
def test_log_profile_within_its_stated_margin(kernel, t):
    r = _radii(kernel, t)
    got = log_profile(kernel, r)
    for x, v in zip(r, got, strict=True):
        exact = oracle.log_profile(kernel, float(x))
        tol = LOG_PROFILE_ABS_ERROR * (1 + abs(float(exact.mid())))
        assert oracle.within(float(v), exact, tol), (kernel, x, v)


@given(general_kernels | half_integer_kernels | gaussians, st.integers(1, 8), st.floats(0.0, 1e3))
@example(Matern(500), 2, 0.0)  # log c is a difference of two lgamma ~ 2600 (issue 17)
@example(Matern(500), 8, 31.0)
def test_log_density_within_its_stated_error(kernel, D, rho):
    rho = rho / kernel.lengthscale
    log_c, log_p = oracle.log_density(kernel, rho, D)
    tol = 16 * UNIT_ROUNDOFF * (abs(float(log_c.mid())) + abs(float(log_p.mid()))) + 1e-300
    assert oracle.within(float(log_density_radial(kernel, rho, D)), log_p, tol)


@given(st.lists(st.floats(-745.0, 0.0), min_size=1, max_size=20), st.lists(st.floats(0.0, 1e6), max_size=20))
def test_numpy_exp_and_log1p_within_two_ulps(xs, ws):
    # The stated hypothesis of the float error bounds (NumPy's own accuracy tests allow 1 ulp).
    for x, v in zip(xs, np.exp(np.array(xs)), strict=True):
        assert oracle.within(float(v), oracle.narrow(lambda x=x: oracle.ball(x).exp()), 2 * math.ulp(float(v)) + 1e-323)
    for w, v in zip(ws, np.log1p(np.array(ws)), strict=True):
        exact = oracle.narrow(lambda w=w: oracle.ball(w).log1p()) if w > 0 else oracle.ball(0.0)
        assert oracle.within(float(v), exact, 2 * math.ulp(float(v)))
