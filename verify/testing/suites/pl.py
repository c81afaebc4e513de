"""Suites ``pl``, ``flow``, ``smoothness`` and ``lzb``: the theorem chain of SPEC §5–§7 against
the flow solver (docs/pl.rst, docs/smoothness.rst, docs/lzb.rst, docs/verify.rst).

Each property draws a problem and a control, computes the guaranteed constant with
:mod:`bounds` and the observed quantity with :mod:`verify`, and records the tightness.  The
*sharpness* properties evaluate the regime where the bound is attained (``v = 0`` with
residuals along extreme eigenvectors), so a constant off by a factor is caught even though random
instances are loose by orders of magnitude (SPEC §10).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bounds.chain import chain_point
from bounds.lzb import lzb_certificate
from bounds.pl import flow_factors, jacobian_constant, pl_constants
from bounds.problem import Problem
from bounds.smoothness import smoothness_constant
from verify.solver.controls import KernelControl
from verify.solver.flow import flow, resnet
from verify.solver.gradient import Objective, loss_and_gradient
from verify.solver.train import gradient_descent
from verify.testing.strategies import control_with_norm, jittered_grid, problems
from verify.testing.suites.core import Property, SlackRecorder, Suite, check_lower, check_upper

__all__ = ["PL", "FLOW", "SMOOTHNESS", "LZB"]

#: Relative rounding margin of the solver's floating-point evaluations (a few hundred ulps):
#: observed quantities are sums of O(N^2 L) products.
SOLVER_RTOL = 1e-9


def _solver(prob: Problem, depth: int | None, steps: int = 8) -> Objective:
    if depth is None:
        return Objective(prob.lifted, prob.Y, prob.B, method="rk4", steps_per_layer=steps)
    return Objective.resnet(prob.lifted, prob.Y, prob.B)


def _example(prob: Problem, **kw: Any) -> dict[str, Any]:
    return {"X": prob.X, "Y": prob.Y, "A": prob.A, "B": prob.B, "kernel": repr(prob.kernel), **kw}


# --------------------------------------------------------------------------------------- PL


def pl_sandwich(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``m(R) F ≤ ‖∇F‖²_H ≤ M(R) F`` on random controls with ``‖v‖_H = R``, ODE and ResNet."""

    @settings
    @given(problems(kernel), st.floats(0.05, 0.6), st.sampled_from([None, 8]))
    def prop(case, R, depth):
        prob, rng = case
        v = control_with_norm(kernel, rng, depth or 4, R, prob.lifted)
        g = loss_and_gradient(_solver(prob, depth), v)
        pl = pl_constants(prob, R, depth=depth, lam="data")
        ex = _example(prob, R=R, depth=depth)
        check_lower(recorder, "pl.m", g.h_norm**2, pl.m.value * g.loss, ex, rtol=SOLVER_RTOL)
        check_upper(recorder, "pl.M", g.h_norm**2, pl.M.value * g.loss, ex, rtol=SOLVER_RTOL)

    prop()


def _sharp_case(prob: Problem, extreme: str):
    Z = prob.lifted
    ev, U = np.linalg.eigh(prob.kernel.gram(Z))
    Ub, _, _ = np.linalg.svd(prob.B)
    u, e, lam = (U[:, 0], Ub[:, -1], ev[0]) if extreme == "min" else (U[:, -1], Ub[:, 0], ev[-1])
    Y = Z @ prob.B.T - np.outer(u, e)
    sharp = Problem(prob.X, Y, prob.A, prob.B, prob.kernel)
    g = loss_and_gradient(Objective(Z, Y, prob.B), KernelControl.zeros(prob.kernel, 1, prob.D))
    return sharp, g, lam


def pl_sharpness(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """At ``v = 0`` with residuals along the bottom (top) eigenvector of ``K_{AX}`` and the bottom
    (top) singular direction of ``B``: ``‖∇F‖² = (4/N) σ² λ F`` exactly (docs/pl.rst).  Checked as
    ``m(0)`` computed with the data's own λ: tightness must be 1 to 1e-9 — so a constant off by any
    factor fails."""

    @settings
    @given(problems(kernel))
    def prop(case):
        prob, _ = case
        for extreme in ("min", "max"):
            sharp, g, lam = _sharp_case(prob, extreme)
            pl = pl_constants(sharp, 0.0, lam="data")
            ex = _example(sharp, extreme=extreme)
            if extreme == "min":
                if pl.lam.value <= 0:
                    continue
                # m(0) rescaled to the data's own lambda: the proof's inequalities are equalities.
                m_exact = pl.m.value * lam / pl.lam.value
                t = check_lower(recorder, "pl.m.sharp", g.h_norm**2, m_exact * g.loss, ex, rtol=1e-9)
            else:
                M_exact = pl.M.value * lam / pl.Lam.value
                t = check_upper(recorder, "pl.M.sharp", g.h_norm**2, M_exact * g.loss, ex, rtol=1e-9)
            if abs(t - 1.0) > 1e-7:
                raise AssertionError(f"PL constant not attained in its sharp regime: tightness {t!r} != 1 ({extreme})")

    prop()


# ------------------------------------------------------------------------------------- flow


def flow_gronwall(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """Along the ODE flow of a control with ``‖v‖_H ≤ R``: pairwise distances shrink at most by
    ``e^{−c1R}``, Jacobian singular values lie in ``[e^{−c1R}, e^{c1R}]``; for the ResNet with the
    discrete factors."""

    @settings
    @given(problems(kernel), st.floats(0.05, 1.5), st.sampled_from([None, 6]))
    def prop(case, R, depth):
        prob, rng = case
        if depth is not None:
            R = min(R, 0.9 * math.sqrt(depth) / float(jacobian_constant(prob)))
        v = control_with_norm(kernel, rng, depth or 4, R, prob.lifted)
        c1 = float(jacobian_constant(prob))
        s_minus, s_plus = (float(s) for s in flow_factors(c1, R, depth))
        if depth is None:
            res = flow(v, prob.lifted, "rk4", 8, return_trajectory=True, return_jacobian=True)
        else:
            res = resnet(v, prob.lifted, return_trajectory=True, return_jacobian=True)
        off = ~np.eye(prob.N, dtype=bool)
        d0 = prob.lifted_distances[off]
        shrink = min(float(np.min(np.sqrt(np.sum((x[:, None] - x[None]) ** 2, -1))[off] / d0)) for x in res.states)
        sv = np.linalg.svd(res.jacobians, compute_uv=False)
        ex = _example(prob, R=R, depth=depth)
        check_lower(recorder, "flow.separation", shrink, s_minus, ex, rtol=SOLVER_RTOL)
        check_lower(recorder, "flow.jacobian_min", float(sv.min()), s_minus, ex, rtol=SOLVER_RTOL)
        check_upper(recorder, "flow.jacobian_max", float(sv.max()), s_plus, ex, rtol=SOLVER_RTOL)

    prop()


def flow_sharpness(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """The Grönwall factors are attained: the derivative section ``v = ±s (u·∇_c) k(·, c) u`` (the
    c1 witness, docs/kappa.rst) vanishes at ``c``, so ``c`` is a fixed point and the flow's Jacobian
    there is ``exp(±c1 R u uᵀ)``: singular value ``e^{±c1R}`` exactly.  The section is realised as a
    central difference of two kernel sections (error O(h²))."""

    h = 1e-4

    @settings
    @given(st.integers(0, 2**32 - 1), st.floats(0.1, 1.5), st.sampled_from([1, -1]))
    def prop(seed, R, sign):
        rng = np.random.default_rng(seed)
        D = 3
        c = rng.normal(size=D)
        u = rng.normal(size=D)
        u /= np.linalg.norm(u)
        centres = np.stack([c + h * u, c - h * u])
        coeffs = sign * np.stack([u, -u]) / (2 * h)  # v(x) ~ sign * (u . grad_c) K(x - c) u
        v = KernelControl(kernel, (centres,) * 2, (coeffs,) * 2)
        v = v.scale(R / v.h_norm())
        dummy = Problem(np.stack([c, c + 10.0]), np.zeros((2, 1)), np.eye(D), np.eye(1, D), kernel)
        c1 = float(jacobian_constant(dummy))
        s_minus, s_plus = (float(x) for x in flow_factors(c1, R))
        res = flow(v, c[None, :], "rk4", 16, return_jacobian=True)
        sv = np.linalg.svd(res.jacobians[-1][0], compute_uv=False)
        ex = {"seed": seed, "R": R, "sign": sign, "kernel": repr(kernel)}
        if sign > 0:
            t = check_upper(recorder, "flow.jacobian_max.sharp", float(sv.max()), s_plus, ex, rtol=1e-6)
        else:
            t = check_lower(recorder, "flow.jacobian_min.sharp", float(sv.min()), s_minus, ex, rtol=1e-6)
        if t < 0.99:
            raise AssertionError(f"Grönwall factor not attained by its witness: tightness {t!r} < 0.99")

    prop()


# ------------------------------------------------------------------------------- smoothness


def smoothness_lipschitz(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``‖∇F(v) − ∇F(w)‖_H ≤ β(R) ‖v − w‖_H`` for ``v, w`` in the ball (ODE and ResNet)."""

    @settings
    @given(problems(kernel), st.floats(0.05, 0.5), st.sampled_from([None, 6]))
    def prop(case, R, depth):
        prob, rng = case
        L = depth or 3
        v = control_with_norm(kernel, rng, L, R * rng.uniform(0.2, 1.0), prob.lifted)
        w = control_with_norm(kernel, rng, L, R * rng.uniform(0.2, 1.0), prob.lifted)
        sp_ = _solver(prob, depth, steps=6)
        gv, gw = loss_and_gradient(sp_, v), loss_and_gradient(sp_, w)
        diff = (gv.h_gradient - gw.h_gradient).h_norm()
        dist = (v - w).h_norm()
        beta = smoothness_constant(prob, R).value
        check_upper(recorder, "smoothness.beta", diff, beta * dist, _example(prob, R=R, depth=depth), rtol=SOLVER_RTOL)

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
        from verify.solver.gradient import loss as F  # noqa: PLC0415

        d2 = (F(sp_, h.scale(eps)) - 2 * F(sp_, h.scale(0.0)) + F(sp_, h.scale(-eps))) / eps**2
        observed = d2 / h.h_norm() ** 2
        t = check_upper(recorder, "smoothness.beta.sharp", observed, beta0, {"seed": seed}, rtol=1e-6)
        if t < 0.99:
            raise AssertionError(f"beta(0) not attained in its sharp regime: tightness {t!r} < 0.99")

    prop()


# -------------------------------------------------------------------------------------- LZB


def lzb_descent(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """Whenever the calculator says "guaranteed", GD with step ``1/β`` on the T-layer ResNet obeys
    ``F_k ≤ (1 − m/(2β))^k F_0`` and ``‖θ_k − θ_0‖ ≤ R`` at every iteration."""

    T = 16

    @settings
    @given(st.integers(0, 2**32 - 1), st.floats(0.001, 0.05))
    def prop(seed, noise):
        rng = np.random.default_rng(seed)
        X = jittered_grid(rng, 4, 2, 3.0)
        Y = X + noise * rng.normal(size=X.shape)
        prob = Problem(X, Y, np.eye(2), np.eye(2), kernel)
        c1 = float(jacobian_constant(prob))
        cert = lzb_certificate(
            prob.initial_loss(),
            lambda r: chain_point(prob, r, depth=T, lam="data"),
            R_max=0.99 * math.sqrt(T) / c1, grid_size=25,
        )
        if not cert.guaranteed:
            return
        best = cert.best
        run = gradient_descent(Objective.resnet(prob.lifted, Y, prob.B), KernelControl.zeros(kernel, T, 2),
                               1.0 / best.beta, 12)
        k = np.arange(len(run.loss))
        ex = _example(prob, R=best.R, rate=best.rate)
        check_upper(recorder, "lzb.envelope", float(np.max(run.loss[1:] / best.rate ** k[1:])), run.loss[0], ex,
                    rtol=SOLVER_RTOL)
        check_upper(recorder, "lzb.ball", float(np.max(run.distance)), best.R, ex, rtol=SOLVER_RTOL)

    prop()


PL = Suite("pl", (
    Property("sandwich", ("pl.m", "pl.M"), pl_sandwich, pl_sandwich.__doc__ or ""),
    Property("sharpness", ("pl.m.sharp", "pl.M.sharp"), pl_sharpness, pl_sharpness.__doc__ or ""),
), "local PL sandwich m(R) F <= |grad F|^2 <= M(R) F (SPEC §5)")
FLOW = Suite("flow", (
    Property("gronwall", ("flow.separation", "flow.jacobian_min", "flow.jacobian_max"), flow_gronwall,
             flow_gronwall.__doc__ or ""),
    Property("sharpness", ("flow.jacobian_max.sharp", "flow.jacobian_min.sharp"), flow_sharpness,
             flow_sharpness.__doc__ or ""),
), "Grönwall separation and Jacobian bounds along trajectories (SPEC §5)")
SMOOTHNESS = Suite("smoothness", (
    Property("lipschitz", ("smoothness.beta",), smoothness_lipschitz, smoothness_lipschitz.__doc__ or ""),
    Property("sharpness", ("smoothness.beta.sharp",), smoothness_sharpness, smoothness_sharpness.__doc__ or ""),
), "grad F is beta(R)-Lipschitz on the ball (SPEC §6)")
LZB = Suite("lzb", (
    Property("descent", ("lzb.envelope", "lzb.ball"), lzb_descent, lzb_descent.__doc__ or ""),
), "gradient descent obeys the LZB guarantee (SPEC §7)")
