"""docs/toys.rst: the paper's small theorems (docs/toys.rst), symbolically and numerically."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from bounds.toys import (
    exp_toy_certificate,
    exp_toy_constants,
    exp_toy_grad,
    exp_toy_loss,
    exp_toy_symbolic,
    obstruction_descent,
    obstruction_loss_and_grad,
    polyak_constants,
)
from verify.testing.profiles import scaled
from verify.testing.suites.theory import toy_start

finite = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
# The toy's Hessian, derived by sympy once (independent of the hand-written beta formula).
HESSIAN = sp.lambdify(sp.symbols("theta1 theta2", real=True), exp_toy_symbolic()["hessian"])
# Evaluating f = e^{2t1} + 2 e^{t1} cos t2 + 1 near its zero cancels terms of size ~1: absolute
# rounding error of a few ulp(1).
F_ROUNDING = 8 * np.finfo(float).eps


def test_exp_toy_identity_is_symbolic():
    # Independent source: sympy simplification of ||grad f||^2 - 4 e^{2 theta1} f (exactly 0).
    s = exp_toy_symbolic()
    t1 = sp.Symbol("theta1", real=True)
    assert sp.simplify(s["grad_sq"] - 4 * sp.exp(2 * t1) * s["f"]) == 0
    assert sp.simplify(s["ratio"] - 4 * sp.exp(2 * t1)) == 0


@given(finite, finite)
def test_exp_toy_gradient_matches_finite_differences_and_identity(t1, t2):
    theta = np.array([t1, t2])
    g = exp_toy_grad(theta)
    eps = 1e-6
    # Independent source: central finite differences of the loss.
    fd = np.array([(exp_toy_loss(theta + eps * e) - exp_toy_loss(theta - eps * e)) / (2 * eps) for e in np.eye(2)])
    assert np.allclose(g, fd, rtol=1e-6, atol=1e-6 * (1 + np.exp(2 * t1)))
    f = exp_toy_loss(theta)
    # Independent source: the symbolic identity above, evaluated in floats.
    assert np.sum(g**2) == pytest.approx(4 * np.exp(2 * t1) * f, rel=1e-9, abs=1e-12)


@given(st.floats(0, 2), st.floats(0, 1), st.floats(0, 2 * np.pi))
def test_exp_toy_sandwich_and_smoothness_on_the_ball(R, frac, angle):
    m, M, beta = exp_toy_constants(R)
    theta = frac * R * np.array([np.cos(angle), np.sin(angle)])
    f, g2 = exp_toy_loss(theta), float(np.sum(exp_toy_grad(theta) ** 2))
    assert m.value * f <= g2 * (1 + 1e-12) + 1e-300
    assert g2 <= M.value * f * (1 + 1e-12) + 1e-300
    # Hessian from sympy (independent of the hand-written beta formula).
    H = HESSIAN(*theta)
    assert np.linalg.norm(np.array(H, dtype=float), 2) <= beta.value * (1 + 1e-12)


@pytest.mark.parametrize("R", [0.0, 0.5, 1.7])
def test_exp_toy_beta_is_attained(R):
    # Sharpness: the Hessian norm at theta = (R, 0) equals beta(R) (sympy Hessian).
    _, _, beta = exp_toy_constants(R)
    H = HESSIAN(R, 0.0)
    assert np.linalg.norm(np.array(H, dtype=float), 2) == pytest.approx(beta.value, rel=1e-12)


@given(st.floats(0.0, 2 * np.pi), st.floats(0.05, 1.0))
@example(np.pi / 2, 1.0)  # along theta2 at the edge of the certified region
@scaled(20)  # ci count; each new ray bisects the certified region once (20 certificates) and runs 80 GD steps
def test_exp_toy_certificate_is_obeyed_by_gradient_descent(direction, fraction):
    # Every start is certified by construction (toy_start: a fraction of the largest certified
    # distance to the minimiser along the drawn direction), so the descent runs on every example.
    theta0 = toy_start(direction, fraction)
    cert = exp_toy_certificate(theta0)
    assert cert.guaranteed
    rho = abs(theta0[0]) + cert.best.R
    _, _, beta = exp_toy_constants(rho)
    step = 1.0 / beta.value
    f0 = exp_toy_loss(theta0)
    theta = theta0.copy()
    for k in range(1, 80):
        theta = theta - step * exp_toy_grad(theta)
        # The guarantee: the envelope and the ball, at every iteration.
        assert exp_toy_loss(theta) <= cert.best.rate**k * f0 * (1 + 1e-9) + F_ROUNDING
        assert np.linalg.norm(theta - theta0) <= cert.best.R * (1 + 1e-12)


@pytest.mark.parametrize("R", [0.0, 0.3, 1.1])
def test_exp_toy_m_and_M_are_attained_and_equal_their_exact_expressions(R):
    # Sharpness: |grad f|^2 / f = 4 e^{2 theta1} exactly (symbolic identity above), so m(R) is attained
    # at theta1 = -R and M(R) at theta1 = +R (any theta2 with f > 0); the floats equal the sympy
    # expressions carried by the quantities.
    m, M, beta = exp_toy_constants(R)
    for theta1, q in ((-R, m), (R, M)):
        theta = np.array([theta1, 0.4])
        ratio = float(np.sum(exp_toy_grad(theta) ** 2)) / exp_toy_loss(theta)
        assert ratio == pytest.approx(q.value, rel=1e-12)
    for q in (m, M, beta):
        assert q.value == pytest.approx(float(q.expr), rel=1e-15) and q.kind == "exact"


@given(st.floats(0.0, 2 * np.pi), st.floats(0.05, 1.0))
@scaled(10)  # ci count; each new ray bisects the certified region once (20 certificates)
def test_exp_toy_certificate_uses_the_exact_constants_at_the_right_radius(direction, fraction):
    # The constants of the certificate's verdict are the toy's exact ones at rho = |theta0_1| + R
    # (the ball B(theta0, R) lies in |theta1| <= |theta0_1| + R), recomputed from exp_toy_constants.
    theta0 = toy_start(direction, fraction)
    best = exp_toy_certificate(theta0).best
    m, M, beta = exp_toy_constants(abs(theta0[0]) + best.R)
    assert (best.m, best.M, best.beta) == pytest.approx((m.value, M.value, beta.value), rel=1e-15)
    assert best.f0 == exp_toy_loss(theta0)


def test_exp_toy_certificate_exists_near_a_minimiser():
    cert = exp_toy_certificate(np.array([0.0, np.pi - 0.03]), target=1e-12)
    assert cert.guaranteed and cert.iterations is not None and cert.iterations > 0


def test_obstruction_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(3, 3)) * 0.5
    H = rng.normal(size=(3, 3))
    f, g = obstruction_loss_and_grad(theta)
    eps = 1e-6
    # Independent source: central differences of the loss along H.
    fd = (obstruction_loss_and_grad(theta + eps * H)[0] - obstruction_loss_and_grad(theta - eps * H)[0]) / (2 * eps)
    assert np.sum(g * H) == pytest.approx(fd, rel=1e-7)


def test_obstruction_from_zero_loss_tends_to_d_and_gradient_vanishes():
    d, step = 2, 0.25
    run = obstruction_descent(np.zeros((d, d)), step=step, iterations=400)
    # Closed form: from theta0 = 0, theta_k = z_k I with the scalar descent
    # z <- z - step 2 e^z (e^z + 1), f = d (e^z + 1)^2, |grad f|_F = 2 sqrt(d) e^z (e^z + 1).
    z = np.zeros(401)
    for k in range(400):
        z[k + 1] = z[k] - step * 2 * np.exp(z[k]) * (np.exp(z[k]) + 1)
    ez = np.exp(z[:400])
    assert np.allclose(run.loss, d * (ez + 1) ** 2, rtol=1e-12)
    assert np.allclose(run.grad_norm, 2 * np.sqrt(d) * ez * (ez + 1), rtol=1e-12)
    assert np.allclose(run.theta, z[400] * np.eye(d), rtol=1e-12)
    # Derived rates: e^{-z_{k+1}} >= e^{-z_k} e^{2 step e^{z_k}} >= e^{-z_k} + 2 step, so
    # e^{z_k} <= 1/(1 + 2 step k): f_k - d = d e^z (2 + e^z) <= 3d/(1 + 2 step k) -> 0, the gradient
    # <= 4 sqrt(d)/(1 + 2 step k) -> 0 and |grad f|^2/f = 4 e^{2z} <= 4/(1 + 2 step k)^2 -> 0: no PL.
    k = np.arange(400)
    assert np.all(run.loss - d <= 3 * d / (1 + 2 * step * k) * (1 + 1e-12))
    assert np.all(run.grad_norm <= 4 * np.sqrt(d) / (1 + 2 * step * k) * (1 + 1e-12))
    assert np.all(run.grad_norm**2 / run.loss <= 4 / (1 + 2 * step * k) ** 2 * (1 + 1e-12))
    assert np.all(np.diff(run.loss) < 0) and np.all(run.loss > d)  # monotone descent, never below d


def test_obstruction_diagonal_reduces_to_scalar_descent():
    # docs/toys.rst: from theta0 = diag(z) each z does GD on |e^z + 1|^2 (real z: derivative 2e^z(e^z+1)).
    z0 = np.array([0.3, -0.4])
    run = obstruction_descent(np.diag(z0), step=0.02, iterations=50)
    z = z0.copy()
    for _ in range(50):
        z = z - 0.02 * 2 * np.exp(z) * (np.exp(z) + 1)
    assert np.allclose(np.diag(run.theta), z, rtol=1e-10)


def test_polyak_constants_and_contraction():
    rng = np.random.default_rng(1)
    U, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    ev = np.array([0.5, 1.0, 2.0, 3.0])
    Q = U @ np.diag(ev) @ U.T
    Q = (Q + Q.T) / 2
    m, beta = polyak_constants(Q)
    # Independent source: the eigenvalues we built Q from.
    assert m.value == pytest.approx(2 * 0.5) and beta.value == pytest.approx(3.0)
    theta = U[:, 0] * 1.7  # bottom eigenvector: PL is an equality
    f, g = 0.5 * theta @ Q @ theta, Q @ theta
    assert g @ g == pytest.approx(m.value * f, rel=1e-12)
    theta = rng.normal(size=4)
    f0 = 0.5 * theta @ Q @ theta
    for k in range(1, 30):
        theta = theta - Q @ theta / beta.value
        assert 0.5 * theta @ Q @ theta <= (1 - m.value / (2 * beta.value)) ** k * f0 * (1 + 1e-12)


@pytest.mark.parametrize("bad", [np.array([[1.0, 2.0], [0.0, 1.0]]), -np.eye(2), np.ones((2, 3))])
def test_polyak_bad_input(bad):
    with pytest.raises(ValueError, match="Q must be"):
        polyak_constants(bad)
