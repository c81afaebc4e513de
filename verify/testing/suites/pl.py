"""Suite ``pl``: the local PL sandwich of docs/pl.rst against the flow solver (docs/pl.rst,
docs/verify.rst).

Each property draws a problem and a control, computes the guaranteed constant with
:mod:`bounds` and the observed quantity with :mod:`verify`, and records the tightness.  Random
instances are loose by orders of magnitude, so the suite also evaluates witnesses where each
factor is active: ``v = 0`` with residuals along extreme eigenvectors (``4/N``, ``σ(B)``, ``λ``
exactly), the profiled derivative sections of :mod:`verify.testing.suites.witnesses` at
``R > 0`` (the Grönwall factors ``s_±(R)²``), and a contracting pair near a fixed point (``λ`` and
``Λ`` at the shrunk distance).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bounds.pl import lambda_lower, lambda_max_upper, pl_constants
from bounds.problem import Problem
from bounds.regularity import regularity_constants
from verify.solver.controls import KernelControl
from verify.solver.flow import flow, resnet
from verify.solver.gradient import Objective, loss_and_gradient
from verify.testing.reference import EIG_TOL, gram
from verify.testing.strategies import control_with_norm, problems
from verify.testing.suites.core import Property, SlackRecorder, Suite, check_lower, check_upper
from verify.testing.suites.witnesses import Witness, profile_control

__all__ = ["PL", "SOLVER_RTOL", "solver", "example_of"]

#: Relative rounding margin of the solver's floating-point evaluations (a few hundred ulps):
#: observed quantities are sums of O(N^2 L) products.
SOLVER_RTOL = 1e-9


def solver(prob: Problem, depth: int | None, steps: int = 8) -> Objective:
    """The problem's discretisation: RK4 with ``steps`` per layer, or the T-layer ResNet."""
    if depth is None:
        return Objective(prob.lifted, prob.Y, prob.B, method="rk4", steps_per_layer=steps)
    return Objective.resnet(prob.lifted, prob.Y, prob.B)


def example_of(prob: Problem, **kw: Any) -> dict[str, Any]:
    """The example recorded with an observation (enough to replay it)."""
    return {"X": prob.X, "Y": prob.Y, "A": prob.A, "B": prob.B, "kernel": repr(prob.kernel), **kw}


def pl_sandwich(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``m(R) F ≤ ‖∇F‖²_H ≤ M(R) F`` on random controls with ``‖v‖_H = R``, ODE and ResNet."""

    @settings
    @given(problems(kernel), st.floats(0.05, 0.6), st.sampled_from([None, 8]))
    def prop(case, R, depth):
        prob, rng = case
        v = control_with_norm(kernel, rng, depth or 4, R, prob.lifted)
        g = loss_and_gradient(solver(prob, depth), v)
        pl = pl_constants(prob, R, depth=depth, lam="data")
        ex = example_of(prob, R=R, depth=depth)
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
    factor fails (the factors ``4/N`` and ``σ(B)²``; λ itself is checked along flows below)."""

    @settings
    @given(problems(kernel))
    def prop(case):
        prob, _ = case
        for extreme in ("min", "max"):
            sharp, g, lam = _sharp_case(prob, extreme)
            pl = pl_constants(sharp, 0.0, lam="data")
            ex = example_of(sharp, extreme=extreme)
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


def pl_sharpness_radius(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``m(R)`` and ``M(R)`` at ``R > 0`` on the profiled-section witness (docs/verify.rst): the
    adjoint of the residual's point is contracted (``m``) or expanded (``M``) by exactly
    ``e^{∓ρΓ(t)}``, so ``‖∇F‖²`` is known in closed form and the tightness must equal its
    prediction ``s_∓(R)² λ / ∫₀¹ e^{∓2ρΓ}`` up to the projection on piecewise-constant controls
    (ODE, :func:`~verify.testing.suites.witnesses.projection_loss`) or exactly (ResNet).  With the
    late-heavy profile and ``c1 R ∈ [0.25, 0.8]`` a factor ``s_-(R)`` in place of ``s_-(R)²`` in
    ``m`` exceeds the observed ``‖∇F‖²`` by 3–5 %, and ``s_+(R)`` in place of ``s_+(R)²`` in ``M``
    falls short of it by more."""

    c1 = float(regularity_constants(kernel).c1)

    @settings
    @given(st.integers(0, 2**32 - 1), st.floats(0.25, 0.8))
    def prop(seed, a):
        for sign in (-1, 1):
            for depth in (None, 16):
                wit = Witness.build(kernel, np.random.default_rng(seed), a / c1, sign, depth)
                _check_witness(recorder, wit, sign, depth, seed)

    prop()


def _check_witness(recorder: SlackRecorder | None, wit: Witness, sign: int, depth: int | None, seed: int) -> None:
    """One witness of :func:`pl_sharpness_radius`: the bound holds and its tightness is predicted."""
    prob, R = wit.problem, wit.control.h_norm()
    g = loss_and_gradient(solver(prob, depth, steps=4), wit.control)
    pl = pl_constants(prob, R, depth=depth, lam="data")
    sB = prob.sigma_B[0] if sign < 0 else prob.sigma_B[1]
    predicted = 4 / prob.N**2 * sB**2 * wit.residual_sq * wit.energy  # docs/pl.rst, the proof's integral
    ex = example_of(prob, R=R, depth=depth, sign=sign, seed=seed)
    suffix = "" if depth is None else ".resnet"
    if sign < 0:
        t = check_lower(recorder, "pl.m.sharp_R" + suffix, g.h_norm**2, pl.m.value * g.loss, ex, rtol=SOLVER_RTOL)
        t_pred = pl.m.value * g.loss / predicted  # observed <= predicted (projection), so t >= t_pred
        low, high = t_pred, t_pred / (1 - wit.loss)
    else:
        t = check_upper(recorder, "pl.M.sharp_R" + suffix, g.h_norm**2, pl.M.value * g.loss, ex, rtol=SOLVER_RTOL)
        t_pred = predicted / (pl.M.value * g.loss)
        low, high = t_pred * (1 - wit.loss), t_pred
    if not low * (1 - 1e-7) <= t <= high * (1 + 1e-7):
        raise AssertionError(f"PL witness at R > 0 off its prediction: tightness {t!r} not in [{low!r}, {high!r}]")


def _pair_near_fixed_point(kernel, rng: np.random.Generator, R: float, depth: int | None):
    """Two points ``c ± (d0/2) u`` (``d0`` = 0.01 length scales) driven by the contracting section:
    their distance shrinks by ``e^{−ρR}`` (ODE, constant profile) or by ``1 − ρ√T R/T`` (ResNet,
    all of the norm in the last layer)."""
    D, ell = 2, float(getattr(kernel, "lengthscale", 1.0))
    c, u = rng.normal(size=D), rng.normal(size=D)
    u /= np.linalg.norm(u)
    X = np.stack([c + 0.005 * ell * u, c - 0.005 * ell * u])
    weights = np.full(4, R) if depth is None else np.eye(depth)[-1] * R * math.sqrt(depth)
    return Problem(X, np.zeros((2, 1)), np.eye(D), np.eye(1, D), kernel), profile_control(kernel, c, u, weights, -1)


def _spectrum_along(prob: Problem, states: np.ndarray) -> tuple[float, float]:
    """Smallest ``λ_min`` and largest ``λ_max`` of ``K_{X(t)}`` over the trajectory's states."""
    ev = [np.linalg.eigvalsh(gram(prob.kernel, x)) for x in states]
    return min(float(e[0]) for e in ev), max(float(e[-1]) for e in ev)


def lambda_along_flow(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``λ_lower(R) ≤ λ_min(K_{X(t)})`` and ``λ_max(K_{X(t)}) ≤ Λ_upper(R)`` at every state of the
    trajectory, tested directly: on random controls (data λ and the worst-case λ of
    :mod:`bounds.lambda_min`), and on a pair near the fixed point of the contracting section,
    whose distance shrinks by nearly the Grönwall factor (ODE) or by ``1 − a*`` with the whole
    norm in one ResNet layer (the worst case of the discrete factor).  Float eigenvalues carry an
    absolute error of at most ``EIG_TOL``."""

    c1 = float(regularity_constants(kernel).c1)

    @settings
    @given(problems(kernel), st.floats(0.05, 0.8), st.sampled_from([None, 4]), st.floats(0.9, 0.99))
    def prop(case, R, depth, a_star):
        prob, rng = case
        v = control_with_norm(kernel, rng, depth or 4, R, prob.lifted)
        pair, w = _pair_near_fixed_point(kernel, rng, R if depth is None else a_star * 2 / c1, depth)
        for name, p, ctl, R_ in (("", prob, v, R), (".pair", pair, w, w.h_norm())):
            res = flow(ctl, p.lifted, "rk4", 8, return_trajectory=True) if depth is None else \
                resnet(ctl, p.lifted, return_trajectory=True)
            assert res.states is not None
            lam_min, lam_max = _spectrum_along(p, res.states)
            ex = example_of(p, R=R_, depth=depth)
            for lam in ("data", "worst-case"):
                low = lambda_lower(p, R_, depth=depth, lam=lam).value
                check_lower(recorder, f"pl.lambda_lower.{lam}{name}", lam_min, low, ex,
                            rtol=EIG_TOL / max(lam_min, 1e-300))
            check_upper(recorder, f"pl.Lambda_upper{name}", lam_max, lambda_max_upper(p, R_, depth=depth).value, ex,
                        rtol=EIG_TOL)

    prop()


PL = Suite("pl", (
    Property("sandwich", ("pl.m", "pl.M"), pl_sandwich, pl_sandwich.__doc__ or ""),
    Property("sharpness", ("pl.m.sharp", "pl.M.sharp"), pl_sharpness, pl_sharpness.__doc__ or ""),
    Property("sharpness_R", ("pl.m.sharp_R", "pl.M.sharp_R", "pl.m.sharp_R.resnet", "pl.M.sharp_R.resnet"),
             pl_sharpness_radius, pl_sharpness_radius.__doc__ or ""),
    Property("lambda_along_flow",
             ("pl.lambda_lower.data", "pl.lambda_lower.worst-case", "pl.Lambda_upper", "pl.lambda_lower.data.pair",
              "pl.lambda_lower.worst-case.pair", "pl.Lambda_upper.pair"),
             lambda_along_flow, lambda_along_flow.__doc__ or ""),
), "local PL sandwich m(R) F <= |grad F|^2 <= M(R) F (docs/pl.rst)")
