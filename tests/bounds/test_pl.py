"""bounds.pl unit tests.  The PL sandwich, Grönwall, β and LZB properties against the solver,
with their sharpness witnesses, live in the suites (verify/testing/suites/pl.py, run by
tests/verify/testing/test_suites.py; the planted-error checks are in tests/verify/testing/test_mutations.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds.kernels import Matern, RandomFourierKernel
from bounds.pl import flow_factors, pl_constants
from bounds.problem import Problem

KERNEL = Matern("5/2")


def _problem(N=4, spacing=2.5):
    rng = np.random.default_rng(0)
    X = spacing * np.arange(N * 2, dtype=float).reshape(N, 2) + rng.uniform(-0.1, 0.1, (N, 2))
    return Problem(X, rng.normal(size=(N, 1)), np.eye(2), np.array([[1.0, 0.5]]), KERNEL)


@given(st.floats(0, 3), st.integers(1, 10**6))
def test_resnet_factors_tend_to_the_ode_factors(R, T):
    c1 = math.sqrt(5 / 3)
    if c1 * R >= math.sqrt(T):
        with pytest.raises(ValueError, match="depth T"):
            flow_factors(c1, R, T)
        return
    lo_T, hi_T = flow_factors(c1, R, T)
    lo, hi = flow_factors(c1, R)
    # Closed form: exp(-cR/(1 - cR/sqrt T)) <= exp(-cR), equality in the limit T -> inf.
    assert float(lo_T) <= float(lo) * (1 + 1e-15) and hi_T == hi
    if T >= 10**6 and R > 0:
        assert float(lo_T) == pytest.approx(float(lo), rel=10 * c1 * R / math.sqrt(T) * c1 * R + 1e-12)


def test_paper_constants_are_never_better_than_sharp():
    prob = _problem()
    for R in (0.0, 0.1, 0.5):
        sharp, paper = pl_constants(prob, R), pl_constants(prob, R, constants="paper")
        assert paper.m.value <= sharp.m.value and paper.M.value >= sharp.M.value
        assert paper.Lam.value == prob.N  # the talk's Lambda_N = N


def test_m_decreases_and_M_increases_with_R():
    prob = _problem()
    pls = [pl_constants(prob, R) for R in np.linspace(0, 1, 6)]
    assert all(a.m.value >= b.m.value for a, b in zip(pls, pls[1:], strict=False))
    assert all(a.M.value <= b.M.value for a, b in zip(pls, pls[1:], strict=False))


def test_estimate_is_labelled_as_such():
    prob = _problem()
    est = pl_constants(prob, 0.2, lam="estimate")
    assert est.m.kind == "estimate" and est.lam.kind == "estimate"
    assert pl_constants(prob, 0.2).m.kind == "rigorous"


def test_zero_m_when_lambda_bound_is_trivial():
    prob = _problem(spacing=0.2)  # crowded: Gershgorin gives nothing
    pl = pl_constants(prob, 0.5, lam="data")
    assert pl.m.value == 0.0 and pl.M.value > 0


@pytest.mark.parametrize("kwargs, match", [
    (dict(R=-1.0), "R must be >= 0"),
    (dict(R=float("inf")), "R must be finite"),
    (dict(R=0.1, constants="talk"), "constants must be"),
    (dict(R=0.1, lam="guess"), "lam must be one of"),
    (dict(R=5.0, depth=2), "depth T = 2 is too shallow"),
    (dict(R=0.1, depth=0), "depth must be an integer >= 1"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pl_constants(_problem(), **kwargs)


def test_data_lambda_needs_a_radial_kernel():
    rff = RandomFourierKernel.from_kernel(KERNEL, 16, 2, seed=0)
    prob = Problem(_problem().X, np.zeros((4, 1)), np.eye(2), np.eye(1, 2), rff)
    with pytest.raises(ValueError, match="radial"):
        pl_constants(prob, 0.1, lam="data")


def test_resnet_near_its_depth_limit_gives_the_trivial_lambda_not_an_error():
    # Regression (found by the certificate work): s_-(R) = exp(-cR/(1 - cR/sqrt T)) underflows to 0
    # as cR -> sqrt T; the data-dependent lambda must then be the trivial 0, not a ValueError.
    prob = _problem()
    c1 = math.sqrt(5 / 3)
    T = 4
    R = (1 - 1e-4) * math.sqrt(T) / c1
    pl = pl_constants(prob, R, depth=T, lam="data")
    assert pl.lam.value == 0.0 and pl.m.value == 0.0
