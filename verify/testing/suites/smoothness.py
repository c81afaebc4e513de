"""Suite ``smoothness``: ``∇F`` is ``β(R)``-Lipschitz on the ball, and every residual stays below
``r̄(R)`` (docs/smoothness.rst, docs/smoothness.rst)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bounds.problem import Problem
from bounds.regularity import regularity_constants
from bounds.smoothness import residual_bound, smoothness_constant
from verify.solver.controls import KernelControl
from verify.solver.flow import flow, resnet
from verify.solver.gradient import Objective, loss, loss_and_gradient
from verify.testing.strategies import control_with_norm, problems
from verify.testing.suites.core import Property, SlackRecorder, Suite, check_upper
from verify.testing.suites.pl import SOLVER_RTOL, example_of, solver

__all__ = ["SMOOTHNESS"]


def smoothness_lipschitz(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``‖∇F(v) − ∇F(w)‖_H ≤ β(R) ‖v − w‖_H`` for ``v, w`` in the ball (ODE and ResNet)."""

    @settings
    @given(problems(kernel), st.floats(0.05, 0.5), st.sampled_from([None, 6]))
    def prop(case, R, depth):
        prob, rng = case
        L = depth or 3
        v = control_with_norm(kernel, rng, L, R * rng.uniform(0.2, 1.0), prob.lifted)
        w = control_with_norm(kernel, rng, L, R * rng.uniform(0.2, 1.0), prob.lifted)
        sp_ = solver(prob, depth, steps=6)
        gv, gw = loss_and_gradient(sp_, v), loss_and_gradient(sp_, w)
        diff = (gv.h_gradient - gw.h_gradient).h_norm()
        dist = (v - w).h_norm()
        beta = smoothness_constant(prob, R).value
        check_upper(recorder, "smoothness.beta", diff, beta * dist, example_of(prob, R=R, depth=depth),
                    rtol=SOLVER_RTOL)

    prop()


def smoothness_sharpness(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """β(0) is attained up to O(ε): two points ``0`` and ``εu`` fitted exactly at ``v = 0`` (so
    ``r̄(0) = O(ε)`` and β(0) = 2σ_max(B)² c0² (1 + O(ε))), direction ``h = k(·, 0) e_top``:
    ``d²F[h,h]/‖h‖² = 2σ_max(B)²(1 − O(ε²))`` (docs/smoothness.rst).  Tightness ≥ 1 − O(ε)."""

    eps_x = 1e-4

    @settings
    @given(st.integers(0, 2**32 - 1))
    def prop(seed):
        rng = np.random.default_rng(seed)
        B = rng.normal(size=(2, 3))
        u = rng.normal(size=3)
        X = np.stack([np.zeros(3), eps_x * u / np.linalg.norm(u)])
        prob = Problem(X, X @ B.T, np.eye(3), B, kernel)
        beta0 = smoothness_constant(prob, 0.0).value
        e = np.linalg.svd(B)[2][0]
        h = KernelControl(kernel, (np.zeros((1, 3)),), (e[None, :],))
        sp_ = Objective(prob.lifted, prob.Y, B, method="rk4", steps_per_layer=4)
        eps = 1e-4
        d2 = (loss(sp_, h.scale(eps)) - 2 * loss(sp_, h.scale(0.0)) + loss(sp_, h.scale(-eps))) / eps**2
        observed = d2 / h.h_norm() ** 2
        t = check_upper(recorder, "smoothness.beta.sharp", observed, beta0, {"seed": seed}, rtol=1e-6)
        if t < 0.99:
            raise AssertionError(f"beta(0) not attained in its sharp regime: tightness {t!r} < 0.99")

    prop()


def residual_radius(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``‖B x_i(1) − y_i‖ ≤ r̄(R) = σ_max(B)(ρ + c0R) + max‖y‖`` along the flow of every control in
    the ball (random controls), and the witness that attains it as ``R → 0``: the unit section
    ``k(·, 0) e`` (``c0`` witness) scaled to ``R`` moves the point at 0 along ``e`` with speed
    ``R K(s) ≥ R(1 − c1² s²/2)`` (``K(0) − K(s) ≤ c1² s²/2`` for ``K(0) = 1``), so it travels at
    least ``R(1 − c1²R²/2)``; with ``e`` the top right singular vector of ``B``, a target opposite
    to it and a second point at ``10⁻³ R``, the residual is at least
    ``σ_max R(1 − c1²R²/2) + |y|`` against ``r̄ = σ_max(10⁻³R + c0 R) + |y|``."""

    reg = regularity_constants(kernel)
    c0, c1 = float(reg.c0), float(reg.c1)

    @settings
    @given(problems(kernel), st.floats(0.05, 0.6), st.sampled_from([None, 6]), st.floats(0.003, 0.03),
           st.floats(0.0, 2.0))
    def prop(case, R, depth, a, y_amp):
        prob, rng = case
        v = control_with_norm(kernel, rng, depth or 4, R, prob.lifted)
        x1 = (flow(v, prob.lifted, "rk4", 8) if depth is None else resnet(v, prob.lifted)).x1
        observed = float(np.max(np.linalg.norm(x1 @ prob.B.T - prob.Y, axis=1)))
        check_upper(recorder, "smoothness.residual", observed, residual_bound(prob, R, c0),
                    example_of(prob, R=R, depth=depth), rtol=SOLVER_RTOL)
        wit, w, floor = _residual_witness(kernel, rng, a / c1, y_amp, c0, c1)
        x1 = flow(w, wit.lifted, "rk4", 16).x1
        observed = float(np.linalg.norm(x1[0] @ wit.B.T - wit.Y[0]))
        t = check_upper(recorder, "smoothness.residual.sharp", observed, residual_bound(wit, w.h_norm(), c0),
                        example_of(wit, R=w.h_norm()), rtol=SOLVER_RTOL)
        if t < floor:
            raise AssertionError(f"residual bound not approached by its witness: tightness {t!r} < {floor!r}")

    prop()


def _residual_witness(kernel, rng: np.random.Generator, R: float, y_amp: float, c0: float, c1: float):
    """The problem, control and derived tightness floor of :func:`residual_radius`'s witness: the
    point at 0 moves along ``e`` with speed ``R K(s)/√K(0) ≥ c0 R − c1² s² R/(2 c0)`` and
    ``s ≤ c0 R``, so it travels at least ``c0 R (1 − c1² R²/2)``."""
    V = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    sv = np.sort(rng.uniform(0.5, 2.0, size=2))[::-1]
    U = np.linalg.qr(rng.normal(size=(2, 2)))[0]
    B = U @ np.column_stack([np.diag(sv), np.zeros((2, 1))]) @ V.T  # B V[:, 0] = sv[0] U[:, 0]
    X = np.stack([np.zeros(3), 1e-3 * R * V[:, 1]])
    Y = np.stack([-y_amp * U[:, 0], np.zeros(2)])
    control = KernelControl(kernel, (np.zeros((1, 3)),), (V[:, :1].T,))
    control = control.scale(R / control.h_norm())  # R k(., 0) V[:, 0] / sqrt(K(0))
    travel = c0 * R * (1 - c1**2 * R**2 / 2)
    floor = (sv[0] * travel + y_amp) / (sv[0] * (1e-3 * R + c0 * R) + y_amp)
    return Problem(X, Y, np.eye(3), B, kernel), control, floor


SMOOTHNESS = Suite("smoothness", (
    Property("lipschitz", ("smoothness.beta",), smoothness_lipschitz, smoothness_lipschitz.__doc__ or ""),
    Property("sharpness", ("smoothness.beta.sharp",), smoothness_sharpness, smoothness_sharpness.__doc__ or ""),
    Property("residual", ("smoothness.residual", "smoothness.residual.sharp"), residual_radius,
             residual_radius.__doc__ or ""),
), "grad F is beta(R)-Lipschitz on the ball (docs/smoothness.rst)")
