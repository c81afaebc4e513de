"""Suite ``flow``: the Grönwall factors of :func:`bounds.pl.flow_factors` along trajectories
(docs/pl.rst, docs/pl.rst), with witnesses that attain them: the derivative section at its fixed
point for the neural ODE, and for the T-layer ResNet both extremes of the discrete factor (the
norm spread evenly over the layers, or all of it in one layer)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bounds.pl import flow_factors, jacobian_constant
from bounds.problem import Problem
from verify.solver.flow import flow, resnet
from verify.testing.strategies import control_with_norm, problems
from verify.testing.suites.core import Property, SlackRecorder, Suite, check_lower, check_upper
from verify.testing.suites.pl import SOLVER_RTOL, example_of
from verify.testing.suites.witnesses import profile_control, witness_rate

__all__ = ["FLOW"]


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
        assert res.states is not None and res.jacobians is not None
        off = ~np.eye(prob.N, dtype=bool)
        d0 = prob.lifted_distances[off]
        shrink = min(float(np.min(np.sqrt(np.sum((x[:, None] - x[None]) ** 2, -1))[off] / d0)) for x in res.states)
        sv = np.linalg.svd(res.jacobians, compute_uv=False)
        ex = example_of(prob, R=R, depth=depth)
        check_lower(recorder, "flow.separation", shrink, s_minus, ex, rtol=SOLVER_RTOL)
        check_lower(recorder, "flow.jacobian_min", float(sv.min()), s_minus, ex, rtol=SOLVER_RTOL)
        check_upper(recorder, "flow.jacobian_max", float(sv.max()), s_plus, ex, rtol=SOLVER_RTOL)

    prop()


def _unit(rng: np.random.Generator, D: int) -> tuple[np.ndarray, np.ndarray]:
    c, u = rng.normal(size=D), rng.normal(size=D)
    return c, u / np.linalg.norm(u)


def flow_sharpness(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """The Grönwall factors are attained: the derivative section (the c1 witness, docs/kappa.rst)
    vanishes at ``c``, so ``c`` is a fixed point and the flow's Jacobian there is
    ``exp(±ρ R uuᵀ)``, ``ρ → c1``: singular value ``e^{±c1R}`` up to ``O(h⁴)`` (tightness ≥ 1 − 1e-6)."""

    @settings
    @given(st.integers(0, 2**32 - 1), st.floats(0.1, 1.5), st.sampled_from([1, -1]))
    def prop(seed, R, sign):
        c, u = _unit(np.random.default_rng(seed), 3)
        v = profile_control(kernel, c, u, np.full(2, R), sign)
        dummy = Problem(np.stack([c, c + 10.0]), np.zeros((2, 1)), np.eye(3), np.eye(1, 3), kernel)
        s_minus, s_plus = (float(x) for x in flow_factors(float(jacobian_constant(dummy)), R))
        jac = flow(v, c[None, :], "rk4", 16, return_jacobian=True).jacobians
        assert jac is not None
        sv = np.linalg.svd(jac[-1][0], compute_uv=False)
        ex = {"seed": seed, "R": R, "sign": sign, "kernel": repr(kernel)}
        if sign > 0:
            t = check_upper(recorder, "flow.jacobian_max.sharp", float(sv.max()), s_plus, ex, rtol=1e-6)
        else:
            t = check_lower(recorder, "flow.jacobian_min.sharp", float(sv.min()), s_minus, ex, rtol=1e-6)
        if t < 1 - 1e-6:
            raise AssertionError(f"Grönwall factor not attained by its witness: tightness {t!r} < 1 - 1e-6")

    prop()


def resnet_sharpness(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """The discrete factor ``s_-^{(T)}`` at its two extremes (docs/pl.rst, "Finite depth"), with
    the contracting section at its fixed point (layer Jacobians ``I − a_k uuᵀ``,
    ``a_k = ρ‖v_k‖/T``): all of the norm in one layer (``a* = ρR/√T`` up to 0.995, Jacobian
    ``1 − a*``: a factor built with ``cR/T`` for ``cR/√T`` exceeds it for ``T = 4, 9``) and the norm
    spread evenly (``(1 − ρR/T)^T → e^{−c1R}``).  Both tightnesses are known in closed form."""

    @settings
    @given(st.integers(0, 2**32 - 1), st.sampled_from([4, 9, 32]), st.floats(0.5, 0.995), st.booleans())
    def prop(seed, T, a_star, concentrated):
        c, u = _unit(np.random.default_rng(seed), 3)
        rho = witness_rate(kernel, c, u)
        R = a_star * math.sqrt(T) / rho if concentrated else a_star / rho
        weights = np.eye(T)[-1] * R * math.sqrt(T) if concentrated else np.full(T, R)
        v = profile_control(kernel, c, u, weights, -1)
        jac = resnet(v, c[None, :], return_jacobian=True).jacobians
        assert jac is not None
        observed = float(np.linalg.svd(jac[-1][0], compute_uv=False).min())
        dummy = Problem(np.stack([c, c + 10.0]), np.zeros((2, 1)), np.eye(3), np.eye(1, 3), kernel)
        s_minus = float(flow_factors(float(jacobian_constant(dummy)), v.h_norm(), T)[0])
        ex = {"seed": seed, "R": R, "T": T, "concentrated": concentrated, "kernel": repr(kernel)}
        t = check_lower(recorder, "flow.resnet.sharp", observed, s_minus, ex, rtol=1e-6)
        expected = s_minus / ((1 - rho * R / math.sqrt(T)) if concentrated else (1 - rho * R / T) ** T)
        if abs(t / expected - 1) > 1e-9:
            raise AssertionError(f"ResNet witness off its closed form: tightness {t!r}, expected {expected!r}")

    prop()


FLOW = Suite("flow", (
    Property("gronwall", ("flow.separation", "flow.jacobian_min", "flow.jacobian_max"), flow_gronwall,
             flow_gronwall.__doc__ or ""),
    Property("sharpness", ("flow.jacobian_max.sharp", "flow.jacobian_min.sharp"), flow_sharpness,
             flow_sharpness.__doc__ or ""),
    Property("resnet_sharpness", ("flow.resnet.sharp",), resnet_sharpness, resnet_sharpness.__doc__ or ""),
), "Grönwall separation and Jacobian bounds along trajectories (docs/pl.rst)")
