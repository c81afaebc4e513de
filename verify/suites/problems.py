"""Hypothesis strategies for the suites: training problems (data, lifting, output map) with a
given kernel, and kernel-expansion controls with a prescribed H-norm."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from bounds.problem import Problem
from verify.controls import KernelControl

__all__ = ["separated_points", "problems", "control_with_norm"]


def separated_points(rng: np.random.Generator, N: int, d: int, spacing: float) -> np.ndarray:
    """A jittered grid in ``R^d``: separation ``>= spacing/2`` by construction."""
    side = int(np.ceil(N ** (1 / d)))
    grid = np.stack(np.meshgrid(*[np.arange(side)] * d, indexing="ij"), -1).reshape(-1, d)[:N]
    return spacing * (grid + rng.uniform(-0.25, 0.25, size=grid.shape))


@st.composite
def problems(draw, kernel, *, N=(3, 6), d=2, D=3, dout=2, spacing=(1.5, 3.0)):
    """A :class:`bounds.problem.Problem` with ``N`` δ-separated points, a random injective ``A``
    (singular values in [0.8, 1.5]) and a random ``B``; returns ``(problem, rng)`` where the
    generator (seeded by hypothesis) drives the rest of the example."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(*N))
    s = draw(st.floats(*spacing))
    rng = np.random.default_rng(seed)
    X = separated_points(rng, n, d, s)
    A = np.linalg.qr(rng.normal(size=(D, d)))[0] * rng.uniform(0.8, 1.5, size=d)
    B = rng.normal(size=(dout, D))
    Y = rng.normal(size=(n, dout))
    return Problem(X, Y, A, B, kernel), rng


def control_with_norm(kernel, rng: np.random.Generator, L: int, R: float, centres: np.ndarray) -> KernelControl:
    """A kernel-expansion control with ``L`` layers and exactly ``‖v‖_H = R`` (centres near the
    given points, random coefficients)."""
    cs = tuple(centres + 0.3 * rng.normal(size=centres.shape) for _ in range(L))
    As = tuple(rng.normal(size=centres.shape) for _ in range(L))
    v = KernelControl(kernel, cs, As)
    return v.scale(R / v.h_norm()) if R > 0 else v.scale(0.0)
