"""Gradient descent in H: records, exact function-space GD, RFF ↔ kernel-expansion agreement."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from tests.verify.solver.support import kernel_setup, rff_setup
from verify.progress import Progress
from verify.solver.controls import KernelControl, RFFControl
from verify.solver.gradient import Objective, loss, loss_and_gradient
from verify.solver.train import gradient_descent


def test_records_and_definitions():
    ctl, X0, Y, B = rff_setup(1)
    pb = Objective(X0, Y, B, method="rk4")
    run = gradient_descent(pb, ctl, step=0.05, iterations=5, seed=3)
    assert run.loss.shape == run.distance.shape == run.grad_norm.shape == (6,)
    assert run.iterations == 5 and run.seed == 3 and run.distance[0] == 0.0
    # source: the definitions, recomputed from the final control
    assert math.isclose(run.loss[-1], loss(pb, run.control), rel_tol=1e-13)
    assert math.isclose(run.grad_norm[-1], loss_and_gradient(pb, run.control).h_norm, rel_tol=1e-13)
    assert math.isclose(run.distance[-1], (run.control - ctl).h_norm(), rel_tol=1e-12)
    # one step by hand: θ_1 = θ_0 − τ G_0
    g0 = loss_and_gradient(pb, ctl)
    one = gradient_descent(pb, ctl, step=0.05, iterations=1)
    assert np.allclose(one.control.W, ctl.W - 0.05 * g0.h_gradient.W, rtol=1e-14, atol=1e-15)
    assert math.isclose(one.distance[1], 0.05 * g0.h_norm, rel_tol=1e-12)


def test_small_steps_decrease_the_loss_monotonically():
    # descent lemma: for τ small enough each step decreases F
    ctl, X0, Y = kernel_setup(2, Gaussian(1.0), N=4, M=2, L=2)
    run = gradient_descent(Objective.resnet(X0, Y), ctl, step=0.05, iterations=15)
    assert np.all(np.diff(run.loss) < 0)


def test_function_space_gd_adds_the_trajectory_points_as_centres():
    rng = np.random.default_rng(4)
    X0, Y = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    v0 = KernelControl.zeros(Matern("5/2"), n_layers=3, D=2)
    pb = Objective.resnet(X0, Y)
    run = gradient_descent(pb, v0, step=0.3, iterations=4)
    assert [c.shape[0] for c in run.control.centres] == [12, 12, 12]  # 4 iterations × N = 3
    # the first step's centres are the ResNet trajectory of v0 = 0: x_i^k = x_i
    assert np.allclose(run.control.centres[1][:3], X0)


def test_kernel_gd_with_the_rff_kernel_equals_rff_gd_on_w():
    # second parameterisation: both are GD in the same H, so the iterates coincide
    rng = np.random.default_rng(5)
    k = RandomFourierKernel.from_kernel(Matern("5/2"), q=10, D=2, seed=5)
    X0, Y = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    for pb in (Objective.resnet(X0, Y), Objective(X0, Y, method="rk4", steps_per_layer=1)):
        rr = gradient_descent(pb, RFFControl(k, np.zeros((3, 2, 20))), step=0.4, iterations=6)
        kr = gradient_descent(pb, KernelControl.zeros(k, 3, 2), step=0.4, iterations=6)
        assert np.allclose(rr.loss, kr.loss, rtol=1e-10)
        assert np.allclose(rr.distance, kr.distance, rtol=1e-8, atol=1e-12)
        assert np.allclose(rr.grad_norm, kr.grad_norm, rtol=1e-9)


def test_progress_bar_and_callable_problem():
    ctl, X0, Y, B = rff_setup(6)
    pb = Objective(X0, Y, B)
    buf = io.StringIO()
    run = gradient_descent(lambda c: loss_and_gradient(pb, c), ctl, 0.01, 3, progress=Progress(buf, "train"))
    out = buf.getvalue()
    # a stream that is not a terminal gets the final line only
    assert out.count("\n") == 1 and "3/3" in out and "loss=" in out and out.endswith("\n")
    assert run.loss.shape == (4,)


def test_bad_arguments():
    ctl, X0, Y, B = rff_setup(7)
    pb = Objective(X0, Y, B)
    for bad in (0.0, -1.0, np.nan):
        with pytest.raises(ValueError, match="step"):
            gradient_descent(pb, ctl, bad, 3)
    with pytest.raises(ValueError, match="iterations"):
        gradient_descent(pb, ctl, 0.1, -1)
    with pytest.raises(ValueError, match="problem"):
        gradient_descent("pb", ctl, 0.1, 1)
    with pytest.raises(ValueError, match="not finite|non-finite"):  # divergence is an error, never NaN
        gradient_descent(pb, ctl.scale(50.0), 1e6, 3)


@pytest.mark.parametrize("time", ["constant", "linear"])
def test_running_distance_equals_the_recomputed_norm(time):
    # Gradient descent keeps |theta_k - theta_0|^2 by inner products (KernelControl.h_inner).
    # Independent sources: the difference of the controls' own norms (the full Gram matrix), and
    # h_inner against the polarisation identity of h_norm; piecewise-linear time has the
    # off-diagonal mass-matrix terms.
    v0, X0, Y = kernel_setup(5, time=time)
    obj = Objective(X0, Y, np.eye(2), method="rk4", steps_per_layer=1)
    for k in (1, 2, 7):
        run = gradient_descent(obj, v0, step=0.05, iterations=k)
        assert run.distance[-1] == pytest.approx((run.control - v0).h_norm(), rel=1e-12)
    w = run.control - v0
    polar = ((v0 + w).h_norm() ** 2 - (v0 - w).h_norm() ** 2) / 4
    assert v0.h_inner(w) == pytest.approx(polar, rel=1e-10, abs=1e-12)
