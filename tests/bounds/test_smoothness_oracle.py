"""β(R) (bounds.smoothness) against Arb: the float is never below the exact formula value.

Independent source: the oracle's β formula (docs/smoothness.rst) from exact inputs — ``c1, c2``
(or κ) from the Gamma-mixture moments, ``σ_max(B)`` from ``BBᵀ`` formed exactly,
``max‖B A x_i − y_i‖`` from exact products, ``e^{c1 R}`` in ball arithmetic.
"""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.problem import Problem
from bounds.smoothness import smoothness_constant
from verify.testing import oracle
from verify.testing.strategies import problems

kernels = st.sampled_from([Matern("5/2"), Matern("9/2", 2), Gaussian("1/2"), Matern(3.7, 0.8)])


@given(st.data(), kernels, st.floats(0.0, 30.0), st.sampled_from(["sharp", "paper"]))
@example(None, Matern("5/2"), 25.0, "sharp")
def test_beta_is_above_its_exact_value(data, kernel, R, constants):
    prob = (data.draw(problems(kernel)) if data is not None else _default(kernel))[0]
    beta = smoothness_constant(prob, R, constants=constants)

    def exact():
        c1, c2, kappa = oracle.regularity(kernel)
        c0 = oracle.ball(1)
        if constants == "paper":
            c0 = c1 = c2 = kappa
        residual = oracle.initial_residual_max(prob.B, prob.A, prob.X, prob.Y)
        sB = oracle.sigma_extremes(prob.B)[1]
        return oracle.smoothness(sB, residual, c0, c1, c2, R)

    assert beta.kind == "rigorous"
    assert oracle.is_above(beta.value, exact), (beta.value, exact())


def _default(kernel):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 2)) * 2
    A = np.linalg.qr(rng.normal(size=(3, 2)))[0] * np.array([1.3, 0.9])
    return Problem(X, rng.normal(size=(4, 2)), A, rng.normal(size=(2, 3)), kernel), rng
