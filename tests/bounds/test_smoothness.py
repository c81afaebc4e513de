"""bounds.smoothness: β(R) and the residual bound r̄(R), term by term at R > 0 (docs/smoothness.rst).

The oracle rebuilds β from the pieces of the derivation, each evaluated independently in mpmath
(tests/bounds/mp_oracles.py): the first-variation bound ``c0 e^{c1R}``, the second-variation bound
``e^{c1R}(c2 c0² R e^{2c1R} + 2 c0 c1 e^{c1R})``, the residual bound ``max_i ‖BAx_i − y_i‖ + σ c0R`` and
``d²F[h,h] ≤ 2(σ² δ1² + σ r̄ δ2)``.  The Lipschitz property along computed flows, and a witness
that attains r̄(R) as R → 0, are the suite ``smoothness`` (verify/testing/suites/pl.py).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.problem import Problem
from bounds.smoothness import residual_bound, smoothness_constant
from tests.bounds import mp_oracles as mo
from verify.testing.strategies import matrices_with_sv

KERNELS = [Matern("5/2"), Matern("9/2", "2/3"), Matern(2.6, 1.4), Gaussian("1/2")]


def _oracle(prob: Problem, R: float, constants: str, as_stated: bool = False) -> dict[str, mpmath.mpf]:
    """β(R) and r̄(R) from the derivation's pieces (module docstring); ``as_stated`` takes σ_max(B)
    and the largest initial residual as the problem states them (floats: data) instead of
    recomputing them."""
    c0, c1, c2 = mo.moments(prob.kernel)
    if constants == "paper":  # the paper's single constant kappa for each
        c0 = c1 = c2 = c0 + c1 + c2
    d = mo.problem_data(prob.X, prob.Y, prob.A, prob.B)
    _, sB = mo.sigma(prob.B)
    if as_stated:
        d, sB = {"residual": mpmath.mpf(prob.initial_residual_max)}, mpmath.mpf(prob.sigma_B[1])
    with mpmath.workdps(mo.DPS):
        R = mpmath.mpf(R)
        e = mpmath.exp(c1 * R)
        delta1 = c0 * e  # |delta x(1)| <= c0 e^{c1R} |h|
        delta2 = e * (c2 * c0**2 * R * e**2 + 2 * c0 * c1 * e)  # |delta^2 x(1)| <= delta2 |h|^2
        rbar = d["residual"] + sB * c0 * R  # |r_i| <= rbar on the ball (docs/smoothness.rst)
        return {"beta": 2 * (sB**2 * delta1**2 + sB * rbar * delta2), "rbar": rbar}


@st.composite
def smooth_problems(draw):
    """Problems whose every term of β is visible: ``A`` (3×2), ``B`` (2×3) with distinct singular
    values in [0.3, 3], data and targets on scales from 1e-3 (``r̄`` dominated by ``c0R``) to 3."""
    kernel = draw(st.sampled_from(KERNELS))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    N = draw(st.integers(2, 5))
    A = draw(matrices_with_sv(3, 2, st.floats(0.3, 3.0)))
    B = draw(matrices_with_sv(2, 3, st.floats(0.3, 3.0)))
    x_scale, y_scale = (10.0 ** draw(st.floats(-3, 0.5)) for _ in range(2))
    X = x_scale * rng.normal(size=(N, 2))
    Y = y_scale * rng.normal(size=(N, 2)) * draw(st.sampled_from([0.0, 1.0]))
    return Problem(X, Y, A, B, kernel)


def _regime(kernel, x_scale: float, y_scale: float) -> Problem:
    rng = np.random.default_rng(3)
    return Problem(x_scale * rng.normal(size=(3, 2)), y_scale * rng.normal(size=(3, 1)),
                   np.array([[2.0, 0.0], [0.0, 0.5], [0.0, 0.0]]), np.array([[0.0, 1.7, 0.4]]), kernel)


@given(smooth_problems(), st.floats(0.0, 2.0), st.sampled_from(["sharp", "paper"]))
@example(_regime(Matern("5/2"), 1e-3, 0.0), 1.5, "sharp")  # rbar = sigma c0 R: the c0 R term alone
@example(_regime(Matern("5/2"), 1e-3, 0.0), 1e-3, "paper")  # first term dominant, c0 = kappa
@example(_regime(Gaussian(1), 2.0, 3.0), 2.0, "sharp")  # the initial residual dominates rbar
def test_beta_equals_the_derivation_term_by_term(prob, R, constants):
    # Independent source: _oracle (mpmath, 50 digits, constants from the spectral moments).  beta
    # is an upper bound rounded up: never below the oracle, above it only by rounding.
    beta = smoothness_constant(prob, R, constants=constants)
    o = _oracle(prob, R, constants)
    assert mpmath.mpf(beta.value) >= o["beta"] * (1 - mpmath.mpf(10) ** -14)
    assert beta.value == pytest.approx(float(o["beta"]), rel=1e-13)
    assert beta.kind == "rigorous"


@given(smooth_problems(), st.floats(0.0, 30.0), st.sampled_from(["sharp", "paper"]))
@example(_regime(Matern("5/2"), 1.0, 1.0), 20.0, "sharp")
def test_beta_is_never_on_the_unsafe_side(prob, R, constants):
    # An upper bound, not by one ulp violated: beta >= its exact value (mpmath, exact c0, c1, c2),
    # with no slack, at radii where e^{3 c1 R} amplifies any rounding of c1 (the example: c1 R = 26).
    beta = smoothness_constant(prob, R, constants=constants)
    assert mpmath.mpf(beta.value) >= _oracle(prob, R, constants, as_stated=True)["beta"]


@given(smooth_problems(), st.floats(0.0, 2.0))
@example(_regime(Matern("5/2"), 1e-3, 0.0), 1.0)
def test_residual_bound_equals_its_closed_form(prob, R):
    # Independent source: max_i |B A x_i - y_i| + sigma_max(B) c0 R in mpmath; rounded up.
    c0 = float(mo.moments(prob.kernel)[0])
    rbar = residual_bound(prob, R, c0)
    o = _oracle(prob, R, "sharp")["rbar"]
    assert mpmath.mpf(rbar) >= o * (1 - mpmath.mpf(10) ** -15)
    assert rbar == pytest.approx(float(o), rel=1e-14)


@given(smooth_problems(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_beta_grows_with_the_radius(prob, R, dR):
    # The ball grows, so the Lipschitz constant of grad F on it can only grow.
    assert smoothness_constant(prob, R + dR).value >= smoothness_constant(prob, R).value


@pytest.mark.parametrize("kwargs, match", [
    (dict(R=-0.5), "R must be >= 0"),
    (dict(R=float("nan")), "R must be finite"),
    (dict(R=0.1, constants="slide"), "constants must be"),
])
def test_bad_input(kwargs, match):
    prob = _regime(Matern("5/2"), 1.0, 1.0)
    with pytest.raises(ValueError, match=match):
        smoothness_constant(prob, **kwargs)
    with pytest.raises(ValueError, match="c2"):
        smoothness_constant(Problem(prob.X, prob.Y, prob.A, prob.B, Matern("3/2")), 0.1)
