"""Suite ``lzb``: gradient descent obeys the LZB guarantee (docs/lzb.rst).

Every example is built so that the calculator says "guaranteed": the targets are the data plus
noise whose size puts ``f0`` at a drawn fraction (5–90 %) of the largest initial loss the
``discrete`` form allows on the certificate's own radius grid, so the descent always runs, and
runs close to the verdict's boundary.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bounds.lzb import LZBCertificate, RadiusConstants, lzb_certificate, lzb_condition
from bounds.pl import jacobian_constant, pl_constants
from bounds.problem import Problem
from bounds.smoothness import smoothness_constant
from verify.solver.controls import KernelControl
from verify.solver.gradient import Objective
from verify.solver.train import gradient_descent
from verify.testing.strategies import jittered_grid
from verify.testing.suites.core import Property, SlackRecorder, Suite, check_upper
from verify.testing.suites.pl import SOLVER_RTOL, example_of

__all__ = ["LZB", "guaranteed_problem"]

#: ResNet depth of the descent and the size of the certificate's radius grid.
DEPTH, GRID = 16, 25


def _certificate(prob: Problem, pl) -> LZBCertificate:
    c1 = float(jacobian_constant(prob))
    return lzb_certificate(
        prob.initial_loss(), lambda r: RadiusConstants(pl(r).m, pl(r).M, smoothness_constant(prob, r)),
        R_max=0.99 * math.sqrt(DEPTH) / c1, grid_size=GRID,
    )


def guaranteed_problem(kernel, rng: np.random.Generator, fraction: float) -> tuple[Problem, LZBCertificate]:
    """Four points of a jittered grid, targets ``x + s z`` with ``s`` chosen so that
    ``f0 = s² mean‖z‖² = fraction × max_R allowed_f0(R)`` (the ``discrete`` form on the
    certificate's grid, with β of the noiseless targets); ``s`` is halved while the certificate of
    the noisy problem (its β sees ``max‖y‖``) is not guaranteed."""
    X = jittered_grid(rng, 4, 2, 3.0)
    Z = rng.normal(size=X.shape)
    base = Problem(X, X.copy(), np.eye(2), np.eye(2), kernel)
    pl = lru_cache(maxsize=None)(lambda r: pl_constants(base, r, depth=DEPTH, lam="data"))  # Y-free: shared
    c1 = float(jacobian_constant(base))
    radii = np.geomspace(1e-4, 0.99 * math.sqrt(DEPTH) / c1, GRID)
    allowed = max(lzb_condition(0.0, pl(R).m.value, pl(R).M.value, smoothness_constant(base, R).value, R)
                  .allowed_f0["discrete"] for R in map(float, radii))
    if allowed <= 0:
        raise AssertionError(f"no radius certifies these data with {kernel!r}: the example cannot be built")
    s = math.sqrt(fraction * allowed / float(np.mean(np.sum(Z**2, axis=1))))
    for _ in range(6):
        prob = Problem(X, X + s * Z, np.eye(2), np.eye(2), kernel)
        cert = _certificate(prob, pl)
        if cert.guaranteed:
            return prob, cert
        s /= 2
    raise AssertionError(f"could not build a guaranteed LZB example for {kernel!r} (fraction {fraction})")


def lzb_descent(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """When the calculator says "guaranteed", GD with step ``1/β`` on the T-layer ResNet obeys
    ``F_k ≤ (1 − m/(2β))^k F_0`` and ``‖θ_k − θ_0‖ ≤ R`` at every iteration (every example is
    guaranteed by construction: :func:`guaranteed_problem`)."""

    @settings
    @given(st.integers(0, 2**32 - 1), st.floats(0.05, 0.9))
    def prop(seed, fraction):
        prob, cert = guaranteed_problem(kernel, np.random.default_rng(seed), fraction)
        best = cert.best
        assert best is not None  # guaranteed_problem returns guaranteed certificates only
        run = gradient_descent(Objective.resnet(prob.lifted, prob.Y, prob.B),
                               KernelControl.zeros(kernel, DEPTH, 2), 1.0 / best.beta, 12)
        k = np.arange(len(run.loss))
        ex = example_of(prob, R=best.R, rate=best.rate, fraction=fraction)
        check_upper(recorder, "lzb.envelope", float(np.max(run.loss[1:] / best.rate ** k[1:])), run.loss[0], ex,
                    rtol=SOLVER_RTOL)
        check_upper(recorder, "lzb.ball", float(np.max(run.distance)), best.R, ex, rtol=SOLVER_RTOL)

    prop()


LZB = Suite("lzb", (
    Property("descent", ("lzb.envelope", "lzb.ball"), lzb_descent, lzb_descent.__doc__ or ""),
), "gradient descent obeys the LZB guarantee (docs/lzb.rst)")
