"""Suites ``lambda``, ``depth`` and ``toys`` (docs/lambda.rst, docs/toys.rst, docs/verify.rst; docs/verify.rst)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bounds.lambda_min.bracket import best_lower_bound, lambda_two
from bounds.lambda_min.data import lambda_min_upper_verified
from bounds.toys import exp_toy_certificate, exp_toy_constants, exp_toy_grad, exp_toy_loss
from verify.solver.controls import KernelControl
from verify.solver.flow import flow, resnet
from verify.testing.strategies import control_with_norm, separated_sets
from verify.testing.suites.core import Property, SlackRecorder, Suite, check_lower, check_upper

__all__ = ["LAMBDA", "DEPTH", "TOYS", "toy_start"]


# ----------------------------------------------------------------------------------- lambda


def lambda_lower_bounds(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """Every rigorous lower bound on ``λ_N(δ)`` is ≤ ``λ_min(K_X)`` of δ-separated sets (random,
    lattice sections, and clustered sets with many pairs at exactly δ); a violation is only
    declared against a *verified upper* bound of ``λ_min`` (Rayleigh quotient with rounding
    bounds), so it is never a rounding artefact."""

    @settings
    @given(st.data(), st.integers(2, 12), st.integers(1, 3), st.floats(0.3, 3.0))
    def prop(data, N, D, delta):
        X = data.draw(separated_sets(N, D, delta))
        sep = float(np.min(np.linalg.norm(X[:, None] - X[None], axis=-1) + np.diag(np.full(N, np.inf))))
        best = best_lower_bound(kernel, N, sep, D)
        upper = lambda_min_upper_verified(kernel, X).value  # verified: >= the true lambda_min
        ex = {"X": X, "delta": sep, "kernel": repr(kernel), "winner": best.source}
        check_lower(recorder, "lambda.lower", upper, best.quantity.value, ex)

    prop()


def optimise_lambda(kernel, recorder: SlackRecorder, budget_seconds: float = 5.0) -> None:
    """Optimiser pass: from hypothesis' tightest set, the adversarial local search of
    :mod:`bounds.lambda_min.upper.adversarial` moves the points (keeping ``sep ≥ δ``) to *decrease* ``λ_min``; the
    lower bound must still be below the verified ``λ_min`` of the set it finds.  Recorded as
    ``lambda.lower.optimised``."""
    from bounds.lambda_min.upper.adversarial import adversarial_upper_bound  # noqa: PLC0415

    rows = recorder.observations.get("lambda.lower", [])
    rows = [o for o in rows if len(np.asarray(o.example["X"])) > 2]  # N = 2 is exact already
    if not rows:
        return
    best = max(rows, key=lambda o: o.tightness)
    X = np.asarray(best.example["X"], dtype=float)
    N, D = X.shape
    delta = float(best.example["delta"])
    found = adversarial_upper_bound(kernel, N, delta, D, init=X, seed=0, time_budget=budget_seconds, max_iter=400)
    lower = best_lower_bound(kernel, N, delta, D).quantity.value
    ex = {"X": found.points, "delta": delta, "kernel": repr(kernel), "start_tightness": best.tightness}
    check_lower(recorder, "lambda.lower.optimised", found.quantity.value, lower, ex)


def lambda_two_points(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``λ_2(δ) = 1 − K(δ)`` is exact: two points at distance δ attain it (tightness 1)."""

    @settings
    @given(st.floats(0.05, 5.0), st.integers(1, 4))
    def prop(delta, D):
        X = np.zeros((2, D))
        X[1, 0] = delta
        lam = float(np.linalg.eigvalsh(kernel.gram(X))[0])
        exact = lambda_two(kernel, delta).value
        t = check_lower(recorder, "lambda.two_points", lam, exact, {"delta": delta, "D": D}, rtol=1e-12)
        if abs(t - 1) > 1e-9 and exact > 1e-6:
            raise AssertionError(f"lambda_2 not attained: {lam!r} vs {exact!r}")

    prop()


# ------------------------------------------------------------------------------------ depth


def depth_limit(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """The T-layer ResNet converges to the ODE at first order: ``err(T)/err(2T) ∈ [2^{0.8}, 2^{1.2}]``
    (the ODE solved by RK4 with many steps); and the solver's own order on a closed-form flow."""

    @settings
    @given(st.integers(0, 2**32 - 1), st.floats(0.2, 1.0))
    def prop(seed, R):
        rng = np.random.default_rng(seed)
        X0 = rng.normal(size=(4, 2))
        v1 = control_with_norm(kernel, rng, 1, R, X0)
        ref = flow(v1, X0, "rk4", 64).x1
        errs = []
        for T in (16, 32, 64):
            vT = KernelControl(kernel, v1.centres * T, v1.coeffs * T)  # the same field on T layers
            errs.append(float(np.max(np.abs(resnet(vT, X0).x1 - ref))))
        orders = [math.log2(errs[i] / errs[i + 1]) for i in range(2)]
        ex = {"seed": seed, "R": R, "errors": errs}
        for o in orders:
            if not 0.8 <= o <= 1.2:
                raise AssertionError(f"ResNet -> ODE is not first order: observed orders {orders} ({ex})")
        # The first-order error constant: |x_T - x(1)| <= (e^{c1 R} - 1) c0 R / T ... recorded only.
        if recorder is not None:
            from verify.testing.suites.core import Observation  # noqa: PLC0415

            recorder.add(Observation("depth.order", orders[-1], 1.0, orders[-1], ex))

    prop()


# ------------------------------------------------------------------------------------- toys


def toys_identity(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``‖∇f‖² = 4e^{2θ1} f`` for ``f = |e^{θ1+iθ2} + 1|²``: ``m(R)`` is attained on the boundary
    ``θ1 = −R`` (tightness 1).  (The toy suites do not depend on the kernel.)"""

    @settings
    @given(st.floats(0.0, 2.0), st.floats(-math.pi, math.pi))
    def prop(R, t2):
        theta = np.array([-R, t2])
        m, M, _ = exp_toy_constants(R)
        f, g2 = exp_toy_loss(theta), float(np.sum(exp_toy_grad(theta) ** 2))
        if f < 1e-12:
            return
        check_lower(recorder, "toys.m", g2, m.value * f, {"theta": theta}, rtol=1e-12)
        check_upper(recorder, "toys.M", g2, M.value * f, {"theta": theta}, rtol=1e-12)

    prop()


#: The toy's starts lie on a grid of this many rays, each bisected once per session.
TOY_DIRECTIONS = 32


@lru_cache(maxsize=TOY_DIRECTIONS)
def _toy_edge(k: int) -> float:
    """The largest certified distance ``r_max`` from the minimiser ``(0, π)`` along ray ``k`` of
    :data:`TOY_DIRECTIONS` (bisection on the calculator's verdict, 20 steps from 0 to 1)."""
    phi = 2 * math.pi * k / TOY_DIRECTIONS
    ray = np.array([math.cos(phi), math.sin(phi)])
    good, bad = 0.0, 1.0
    if exp_toy_certificate(np.array([0.0, math.pi]) + bad * ray).guaranteed:
        raise AssertionError("the toy certificate unexpectedly holds one unit away from the minimiser")
    for _ in range(20):
        mid = (good + bad) / 2
        good, bad = (mid, bad) if exp_toy_certificate(np.array([0.0, math.pi]) + mid * ray).guaranteed else (good, mid)
    return good


def toy_start(direction: float, fraction: float) -> np.ndarray:
    """A start ``θ0 = (0, π) + r (cos φ, sin φ)`` near the toy's minimiser from which the
    certificate holds, at ``r = fraction × r_max`` along the ray of :data:`TOY_DIRECTIONS` nearest to
    ``direction`` (``r_max`` bisected once per ray, 20 certificates, and cached)."""
    k = round(direction / (2 * math.pi) * TOY_DIRECTIONS) % TOY_DIRECTIONS
    phi = 2 * math.pi * k / TOY_DIRECTIONS
    ray = np.array([math.cos(phi), math.sin(phi)])
    good = _toy_edge(k)
    for r in (fraction * good, good):  # the verdict need not be monotone along the ray: fall back to the edge
        theta0 = np.array([0.0, math.pi]) + r * ray
        if r > 0 and exp_toy_certificate(theta0).guaranteed:
            return theta0
    raise AssertionError(f"no certified start along direction {direction!r}")


def toys_certificate(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """The toy's full LZB certificate is obeyed by gradient descent with step ``1/β`` from starts
    placed at a drawn fraction of the largest certified distance to the minimiser
    (:func:`toy_start`), so the descent runs on every example.  Evaluating ``f`` near its zero
    cancels terms of size 1: an absolute floor of 8 ulp(1) is allowed on the envelope."""

    @settings
    @given(st.floats(0.0, 2 * math.pi), st.floats(0.05, 1.0))
    def prop(direction, fraction):
        theta0 = toy_start(direction, fraction)
        best = exp_toy_certificate(theta0).best
        assert best is not None  # toy_start returns certified starts only
        _, _, beta = exp_toy_constants(abs(float(theta0[0])) + best.R)
        f0, theta, worst, far = exp_toy_loss(theta0), theta0.copy(), 0.0, 0.0
        floor = 8 * np.finfo(float).eps
        for k in range(1, 60):
            theta = theta - exp_toy_grad(theta) / beta.value
            worst = max(worst, (exp_toy_loss(theta) - floor) / (best.rate**k * f0))
            far = max(far, float(np.linalg.norm(theta - theta0)))
        ex = {"theta0": theta0, "R": best.R, "fraction": fraction}
        check_upper(recorder, "toys.envelope", worst, 1.0, ex)
        check_upper(recorder, "toys.ball", far, best.R, ex, rtol=1e-12)

    prop()


LAMBDA = Suite(
    "lambda",
    (
        Property(
            "lower", ("lambda.lower",), lambda_lower_bounds, lambda_lower_bounds.__doc__ or "", optimise=optimise_lambda
        ),
        Property("two_points", ("lambda.two_points",), lambda_two_points, lambda_two_points.__doc__ or ""),
    ),
    "rigorous lower bounds of lambda_N(delta) (docs/lambda.rst)",
)
DEPTH = Suite(
    "depth",
    (Property("limit", ("depth.order",), depth_limit, depth_limit.__doc__ or ""),),
    "the T-layer ResNet converges to the neural ODE at first order (docs/verify.rst)",
)
TOYS = Suite(
    "toys",
    (
        Property("identity", ("toys.m", "toys.M"), toys_identity, toys_identity.__doc__ or ""),
        Property("certificate", ("toys.envelope", "toys.ball"), toys_certificate, toys_certificate.__doc__ or ""),
    ),
    "the toy theorems (docs/toys.rst)",
)
