"""Gradient descent in H with a fixed step: ``θ_{k+1} = θ_k − τ ∇F(θ_k)`` (docs/lzb.rst).

The step uses the H-gradient of :func:`verify.solver.gradient.loss_and_gradient`, so:

* for an :class:`~verify.solver.controls.RFFControl` it is gradient descent on ``W`` in the H metric
  (``W_k ← W_k − τ L ∂F/∂W_k`` for ``L`` piecewise-constant layers);
* for a :class:`~verify.solver.controls.KernelControl` it is *exact* function-space gradient descent —
  the infinite-width dynamics of the theory: every iteration adds the stage points of every layer
  (for the T-layer ResNet: the ``N`` trajectory points ``x_i^k``) as new centres.

The default step of the theory is ``1/β`` (docs/smoothness.rst, docs/lzb.rst); this module takes ``step`` explicitly.

>>> import numpy as np
>>> from bounds.kernels import Gaussian
>>> from verify.solver.controls import KernelControl
>>> from verify.solver.gradient import Objective
>>> pb = Objective.resnet(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[0.5, 0.0], [1.0, 0.5]]))
>>> v0 = KernelControl.zeros(Gaussian(1.0), n_layers=2, D=2)
>>> run = gradient_descent(pb, v0, step=0.5, iterations=20)
>>> bool(run.loss[-1] < 0.1 * run.loss[0])
True
>>> run.control.centres[0].shape   # 20 iterations x N = 2 points per layer
(40, 2)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bounds._core.validate import require_int, require_positive
from verify.progress import Progress
from verify.solver.gradient import Gradient, Objective, loss_and_gradient

__all__ = ["TrainResult", "gradient_descent"]


@dataclass(frozen=True, eq=False)
class TrainResult:
    """Record of a gradient-descent run (arrays of length ``iterations + 1``).

    Attributes
    ----------
    control
        The final control ``θ_K``.
    loss
        ``F(θ_k)``.
    distance
        ``‖θ_k − θ_0‖_H``.
    grad_norm
        ``‖∇F(θ_k)‖_H``.
    step
        The step ``τ``.
    seed
        The seed recorded for provenance (the iteration itself draws no random numbers).
    seconds
        Wall time of the run.
    """

    control: Any
    loss: np.ndarray
    distance: np.ndarray
    grad_norm: np.ndarray
    step: float
    seed: int | None
    seconds: float

    @property
    def iterations(self) -> int:
        return int(self.loss.shape[0] - 1)


def _distance(delta: Any, sq: float) -> float:
    """``‖δ‖_H``: from the running square where the control keeps one, else computed."""
    return math.sqrt(max(sq, 0.0)) if hasattr(delta, "h_inner") else float(delta.h_norm())


def gradient_descent(
    problem: Objective | Callable[[Any], Gradient],
    control0: Any,
    step: float,
    iterations: int,
    seed: int | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Fixed-step gradient descent in H from ``control0``.

    Parameters
    ----------
    problem
        A :class:`~verify.solver.gradient.Objective`, or a callable ``control -> Gradient`` (e.g. a
        custom loss) returning ``loss``, ``h_gradient`` and ``h_norm``.
    control0
        Initial control ``θ_0``.
    step
        Step size ``τ > 0`` (the theory's choice is ``1/β``).
    iterations
        Number of steps ``K >= 0``.
    seed
        Recorded in the result for provenance.
    progress
        Where to show a progress bar (:class:`verify.progress.Progress`); ``None``: silent.

    Returns
    -------
    TrainResult
        Loss, ``‖θ_k − θ_0‖_H`` and ``‖∇F(θ_k)‖_H`` for ``k = 0..K`` (numerical).
    """
    step = require_positive("step", step)
    iterations = require_int("iterations", iterations, minimum=0)
    if seed is not None:
        seed = require_int("seed", seed, minimum=0)
    lag: Callable[[Any], Gradient]
    if isinstance(problem, Objective):
        pb = problem

        def lag(c: Any) -> Gradient:
            return loss_and_gradient(pb, c)

    elif callable(problem):
        lag = problem
    else:
        raise ValueError(f"problem must be a Objective or a callable control -> Gradient, got {type(problem).__name__}")
    t0 = time.perf_counter()
    bar = (progress or Progress(None)).bar(iterations, "gradient descent")
    losses, dists, gnorms = [], [], []
    theta = control0
    delta = None  # θ_k − θ_0, accumulated exactly
    sq = 0.0  # ‖θ_k − θ_0‖², updated by inner products where the control has them (kernel expansions)
    for k in range(iterations + 1):
        g = lag(theta)
        if not np.isfinite(g.loss):
            raise ValueError(f"the loss became non-finite at iteration {k}; the step {step} is too large")
        losses.append(g.loss)
        gnorms.append(g.h_norm)
        dists.append(0.0 if delta is None else _distance(delta, sq))
        bar.set_postfix_str(f"loss={g.loss:.3e} |grad|={g.h_norm:.2e}")
        if k == iterations:
            break
        bar.update(1)
        upd = g.h_gradient.scale(-step)
        theta = theta + upd
        if hasattr(upd, "h_inner"):  # ‖δ + u‖² = ‖δ‖² + 2⟨δ, u⟩ + ‖u‖²: O(k) kernel blocks, not O(k²)
            sq += (0.0 if delta is None else 2.0 * delta.h_inner(upd)) + upd.h_norm() ** 2
        delta = upd if delta is None else delta + upd
    bar.close()
    return TrainResult(
        control=theta,
        loss=np.array(losses),
        distance=np.array(dists),
        grad_norm=np.array(gnorms),
        step=step,
        seed=seed,
        seconds=time.perf_counter() - t0,
    )
