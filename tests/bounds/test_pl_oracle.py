"""Flow factors and the PL constants m, M (bounds.pl) against Arb: every float on its claimed side.

Independent source: the oracle (verify/testing/oracle.py) evaluates each formula of docs/pl.rst
from exact inputs — ``c1`` (or κ) from the Gamma-mixture moments, ``σ(B)`` from the eigenvalues
of ``BBᵀ`` formed exactly, the lifted points ``A x_i`` as exact products, ``e^{∓cR}`` and the
Gershgorin row sums in ball arithmetic.
"""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from bounds._core.rounding import MP_DPS
from bounds.kernels import Gaussian, Matern
from bounds.pl import flow_factors, pl_constants
from bounds.problem import Problem
from verify.testing import oracle
from verify.testing.strategies import problems

kernels = st.sampled_from([Matern("5/2"), Matern("7/2", "1/2"), Gaussian("3/2"), Matern(3.7, 0.8)])
radii = st.floats(0.0, 40.0)


def _pl_problem(draw_problem, kernel):
    return draw_problem(problems(kernel, N=(2, 5)))[0]


def _c(kernel, constants):
    c1, _, kappa = oracle.regularity(kernel)
    return c1 if constants == "sharp" else kappa


@given(st.floats(0.0, 50.0), st.floats(0.0, 10.0), st.none() | st.integers(1, 10**6))
@example(1.2909944487358056, 30.0, None)
@example(13.0, 3.25, 1822)  # s_- = 1.1e-1801, far below the double range
def test_flow_factors_are_accurate_far_below_the_callers_rounding_margin(c, R, depth):
    # Kind: rigorous, returned as mpmath numbers (MP_DPS digits) that the callers round outward by
    # >= 2 ulps (4.4e-16 relative); the exponent cR/(1 - cR/sqrt T) carries ~1e-29 relative error,
    # so ≤ 2⁻⁶⁰ relative is the claim that matters.
    if depth is not None and c * R >= 0.99 * depth**0.5:
        depth = None
    s_minus, s_plus = flow_factors(c, R, depth)
    e_minus, e_plus = oracle.flow_factors(oracle.ball(c), R, depth)
    assert MP_DPS >= 30
    assert oracle.within_rel(s_minus, e_minus, 2.0**-60)
    assert oracle.within_rel(s_plus, e_plus, 2.0**-60)


@given(st.data(), kernels, radii, st.sampled_from(["sharp", "paper"]))
@example(None, Matern("5/2"), 30.0, "sharp")  # M was 24 ulps low: e^{cR} with c1 rounded to nearest
@example(None, Matern("5/2"), 10.0, "sharp")
@example("far", Matern("5/2"), 0.1, "sharp")  # lifted points 1e9 from the origin: λ was 2e-9 too high
@example("svd", Matern("5/2"), 0.0, "paper")  # numpy's SVD put σ_max(B) 2.3 u low: M was 1 ulp low
def test_m_is_below_and_M_above_their_exact_values(data, kernel, R, constants):
    fixed = {None: _fixed_problem, "far": _far_problem, "svd": _svd_problem}
    prob = fixed[data](kernel) if data in fixed else _pl_problem(data.draw, kernel)
    pl = pl_constants(prob, R, constants=constants, lam="data")

    def rows():  # exact Gershgorin row sum of the exact lifted points, at the current precision
        s_minus, _ = oracle.flow_factors(_c(kernel, constants), R)
        return oracle.gershgorin_rows(kernel, oracle.lift(prob.A, prob.X), s_minus)

    def m_exact():
        s_minus, _ = oracle.flow_factors(_c(kernel, constants), R)
        return oracle.pl_m(prob.N, oracle.sigma_extremes(prob.B)[0], s_minus, 1 - rows())

    def M_exact():
        _, s_plus = oracle.flow_factors(_c(kernel, constants), R)
        Lam = (1 + rows()).min(oracle.ball(prob.N)) if constants == "sharp" else oracle.ball(prob.N)
        return oracle.pl_M(prob.N, oracle.sigma_extremes(prob.B)[1], s_plus, Lam)

    assert oracle.is_below(pl.m.value, m_exact), (pl.m.value, m_exact())
    assert oracle.is_above(pl.M.value, M_exact), (pl.M.value, M_exact())
    assert oracle.is_below(pl.lam.value, lambda: (1 - rows()).nonnegative_part())


@given(kernels, st.floats(0.3, 3.0), radii)
@example(Matern("5/2"), 1.0, 10.0)
def test_worst_case_m_for_two_points_is_below_its_exact_value(kernel, dist, R):
    # N = 2: λ_N(δ_R) is the exact λ₂(σ_min(A) δ s_−), so m has a closed form.
    prob = _two_point_problem(kernel, dist)
    pl = pl_constants(prob, R, lam="worst-case")

    def m_exact():
        s_minus, _ = oracle.flow_factors(_c(kernel, "sharp"), R)
        delta = oracle.ball(prob.X[1, 0]) - oracle.ball(prob.X[0, 0])
        lam = 1 - oracle.profile(kernel, oracle.sigma_extremes(prob.A)[0] * delta * s_minus)
        return oracle.pl_m(2, oracle.sigma_extremes(prob.B)[0], s_minus, lam)

    assert oracle.is_below(pl.m.value, m_exact)


def _fixed_problem(kernel):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(4, 2)) * 2
    A = np.linalg.qr(rng.normal(size=(3, 2)))[0] * np.array([1.3, 0.9])
    return Problem(X, rng.normal(size=(4, 2)), A, rng.normal(size=(2, 3)), kernel)


def _far_problem(kernel):
    rng = np.random.default_rng(0)  # seed 0: without the lifting slack λ is 2e-9 above its exact value
    X = 1e9 + 3 * np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.1]])
    A = np.linalg.qr(rng.normal(size=(3, 2)))[0] * np.array([1.3, 0.9])
    return Problem(X, rng.normal(size=(4, 2)), A, rng.normal(size=(2, 3)), kernel)


def _svd_problem(kernel):
    B = np.array([[0.2551339199274297, -0.295687918286287, 0.6435309043910068],
                  [0.13455458883623395, -1.235785576886549, 1.3160809444046835]])
    X = np.array([[0.0, 0.0], [2.0, 1.0]])
    return Problem(X, np.ones((2, 2)), np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]), B, kernel)


def _two_point_problem(kernel, dist):
    X = np.array([[0.0], [dist]])
    A = np.array([[0.8], [0.6]])
    return Problem(X, np.array([[1.0], [-1.0]]), A, np.array([[1.0, 0.5]]), kernel)
