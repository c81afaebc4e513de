"""The compiled RFF kernels: vectorised sin/cos accuracy, fused solver == generic engine,
NumPy fallback == compiled path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_flow_support import rff_setup

import verify.gradient as vg
from verify import _fast_rff
from verify.gradient import Problem, _adjoint, loss, loss_and_gradient

seeds = st.integers(min_value=0, max_value=2**31 - 1)


def test_sincos_matches_libm_over_a_wide_range():
    # source: np.cos / np.sin (correctly rounded to < 1 ulp by glibc); our bound: 2 ulp of 1
    rng = np.random.default_rng(0)
    Z = (rng.standard_normal((64, 4096)) * np.logspace(-3, 9, 4096)).copy()
    Z[0, :8] = [0.0, -0.0, np.pi / 4, -np.pi / 4, np.pi / 2, 3 * np.pi / 2, 8e5, -8.1e5]
    C, S = _fast_rff.sincos(Z)
    err = np.maximum(np.abs(C - np.cos(Z)), np.abs(S - np.sin(Z)))
    assert err.max() <= 2.3e-16
    # near the zeros k·π/2 the reduction drops the tail π/2 − (P1 + P2 + P3) = 8.48e-32 (fdlibm's
    # pio2_3t), so the error there is at most k · 8.5e-32 absolute (plus a few ulp of the value)
    k = np.arange(1, 10_000)
    x = k * (np.pi / 2)
    C, S = _fast_rff.sincos(x[None, :])
    small = np.where(k % 2 == 1, C[0], S[0])
    ref = np.where(k % 2 == 1, np.cos(x), np.sin(x))
    assert np.all(np.abs(small - ref) <= k * 8.5e-32 + 4 * np.finfo(float).eps * np.abs(ref))


@pytest.mark.skipif(not _fast_rff.HAVE_NUMBA, reason="the fused solver needs numba")
@settings(max_examples=10)
@given(seed=seeds, method=st.sampled_from(["rk4", "rk38", "euler"]), spl=st.integers(1, 3),
       tape=st.booleans(), threads=st.sampled_from([1, 2, 3]), N=st.integers(1, 9), D=st.integers(1, 9))
@example(seed=0, method="rk4", spl=1, tape=False, threads=2, N=8, D=8)  # no padding at all
@example(seed=1, method="rk4", spl=1, tape=True, threads=3, N=1, D=5)  # 1 live point of 4, D padded to 8
def test_fused_solver_equals_the_generic_engine(seed, method, spl, tape, threads, N, D):
    # second algorithm: the per-stage RK engine + discrete adjoint of verify.flow / verify.gradient
    # (per-point loops, no padding); the fused kernel pads blocks of points and D to multiples of 4
    ctl, X0, Y, B = rff_setup(seed, N=N, D=D, scale=1.0)
    pb = Problem(X0, Y, B, method=method, steps_per_layer=spl)
    A, b = vg._tableau_arrays(method)
    F, G, xb, x1 = _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A, b, spl, True, tape, threads)
    assert G.shape == ctl.W.shape and xb.shape == x1.shape == X0.shape
    res, tp = pb.run(ctl, keep_tape=True)
    r = pb.residuals(res.x1)
    xb_ref, G_ref, _ = _adjoint(ctl, tp, (2.0 / X0.shape[0]) * (r @ B), False, method)
    assert np.allclose(x1, res.x1, rtol=1e-13, atol=1e-14)
    assert abs(F - pb.loss_of(res.x1)) <= 1e-13 * F
    assert np.linalg.norm(G - G_ref) <= 1e-12 * np.linalg.norm(G_ref)
    assert np.allclose(xb, xb_ref, rtol=1e-12, atol=1e-15)
    assert loss(pb, ctl) == _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A, b, spl, False)[0]


@pytest.mark.skipif(not _fast_rff.HAVE_NUMBA, reason="the compiled path needs numba")
def test_numpy_fallback_gives_the_same_numbers(monkeypatch):
    ctl, X0, Y, B = rff_setup(3, scale=1.0)
    pb = Problem(X0, Y, B, method="rk4", steps_per_layer=2)
    fast = loss_and_gradient(pb, ctl)
    monkeypatch.setattr(_fast_rff, "HAVE_NUMBA", False)
    monkeypatch.setattr(vg, "HAVE_NUMBA", False)
    slow = loss_and_gradient(pb, ctl)
    assert abs(fast.loss - slow.loss) <= 1e-13 * slow.loss
    assert np.linalg.norm(fast.param_gradient - slow.param_gradient) <= 1e-12 * np.linalg.norm(slow.param_gradient)
    C, S = _fast_rff.sincos(X0 @ ctl.kernel.omega.T)
    assert np.array_equal(C, np.cos(X0 @ ctl.kernel.omega.T))
