"""The compiled RFF kernels: vectorised sin/cos accuracy, fused solver == generic engine,
NumPy fallback == compiled path."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import verify.solver.gradient as vg
from tests.verify.solver.support import rff_setup
from verify.solver import _fast_rff
from verify.solver.gradient import Objective, _adjoint, loss, loss_and_gradient
from verify.testing.profiles import scaled

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


@pytest.mark.skipif(not _fast_rff.HAVE_NUMBA, reason="the angle addition is a compiled kernel")
def test_angle_addition_is_accurate():
    # source: mpmath at 40 digits of cos/sin of the exact sum θ + δ of the two doubles; bound:
    # 1.125·2.3e-16 (the inputs' error, from the test above) + 1.43·2^-53 (polynomials and
    # rounding), derived in docs/solver.rst ("Angle addition") = 4.2e-16
    rng = np.random.default_rng(7)
    theta = rng.standard_normal(2048) * np.repeat([1e-3, 1.0, 30.0, 1e4], 512)
    delta = rng.uniform(-_fast_rff._SHIFT_MAX, _fast_rff._SHIFT_MAX, 2048)
    delta[:4] = [_fast_rff._SHIFT_MAX, -_fast_rff._SHIFT_MAX, 0.0, 1e-300]
    C1, S1 = _fast_rff.sincos(theta[None, :])
    C, S = np.empty(2048), np.empty(2048)
    assert _fast_rff._sincos_shift_row(delta, C1[0], S1[0], C, S)
    with mpmath.workdps(40):
        ref = [(mpmath.cos(mpmath.mpf(t) + mpmath.mpf(d)), mpmath.sin(mpmath.mpf(t) + mpmath.mpf(d)))
               for t, d in zip(theta, delta, strict=False)]
    err = max(max(abs(float(c - rc)), abs(float(s - rs))) for c, s, (rc, rs) in zip(C, S, ref, strict=False))
    assert err <= 4.2e-16
    # outside |δ| <= 1/8 it refuses (the caller then recomputes directly)
    delta[100] = np.nextafter(_fast_rff._SHIFT_MAX, 1.0)
    assert not _fast_rff._sincos_shift_row(delta, C1[0], S1[0], C, S)


@pytest.mark.skipif(not _fast_rff.HAVE_NUMBA, reason="the features kernel is compiled")
@pytest.mark.parametrize("step", [1e-3, 0.5])  # δ = Ω(x_st − x_n) within 1/8 / beyond it for some points
def test_stage_features_equal_direct_sin_cos(step):
    # second algorithm: Ω x_st by the per-point phase kernel and the direct sin/cos kernel
    rng = np.random.default_rng(3)
    D, q = 8, 64
    OmT = rng.standard_normal((D, q))
    Xn = np.empty((2, 4, D))
    Xn[0] = rng.standard_normal((4, D))
    Xn[1] = Xn[0] + step * rng.standard_normal((4, D))
    Z4, C0, S0, C4, S4, D4 = (np.empty((4, n)) for n in (q, q, q, q, q, D))
    _fast_rff._features4(Xn, 0, 0, OmT, C0, S0, C0, S0, Z4, D4, q)
    _fast_rff._features4(Xn, 1, 0, OmT, C0, S0, C4, S4, Z4, D4, q)
    shifted = np.abs((Xn[1] - Xn[0]) @ OmT).max(axis=1) <= _fast_rff._SHIFT_MAX
    assert shifted.all() if step < 0.01 else not shifted.any()
    for stage, (C, S) in ((0, (C0, S0)), (1, (C4, S4))):
        Cd, Sd = _fast_rff.sincos(Xn[stage] @ OmT)
        err = np.maximum(np.abs(C - Cd), np.abs(S - Sd))
        # each within its bound of the exact value (direct 2.3e-16, shifted 4.2e-16), plus the
        # rounding of the phases, which the two routes sum differently: a D-term dot product is
        # off by at most γ_D Σ|ω_d x_d| (γ_D = Du/(1 − Du)), and the shifted route sums Ω x_n
        # and Ω(x_st − x_n) (the difference itself rounded once, u|x_st − x_n|), so in all
        # ≤ (2γ_D + u)(|Ω||x_n| + |Ω||x_st|)
        u = np.finfo(float).eps / 2
        gD = D * u / (1 - D * u)
        phase = (2 * gD + u) * (np.abs(Xn[0]) + np.abs(Xn[stage])) @ np.abs(OmT)
        tol = (4.6e-16 if stage == 0 else 6.5e-16) + phase
        assert np.all(err <= tol)


@pytest.mark.skipif(not _fast_rff.HAVE_NUMBA, reason="the fused solver needs numba")
@scaled(10)  # ci count; each example runs the compiled and the NumPy solvers
@given(
    seed=seeds,
    method=st.sampled_from(["rk4", "rk38", "euler"]),
    spl=st.integers(1, 3),
    tape=st.sampled_from([None, True, False]),
    threads=st.sampled_from([1, 2, 3]),
    N=st.integers(1, 9),
    D=st.integers(1, 9),
    scale=st.sampled_from([0.01, 1.0]),
    q=st.sampled_from([8, 13, 512]),
)
@example(seed=0, method="rk4", spl=1, tape=False, threads=2, N=8, D=8, scale=1.0, q=8)  # no padding at all
@example(
    seed=1, method="rk4", spl=1, tape=True, threads=3, N=1, D=5, scale=1.0, q=8
)  # 1 live point of 4, D padded to 8
@example(seed=2, method="rk38", spl=2, tape=False, threads=1, N=5, D=3, scale=0.01, q=8)  # stages by angle addition
@example(seed=117068448, method="rk4", spl=2, tape=False, threads=1, N=6, D=7, scale=1.0, q=8)  # a small entry of xb
@example(seed=3, method="rk4", spl=1, tape=None, threads=2, N=7, D=4, scale=0.01, q=512)  # rows padded 512 -> 544
def test_fused_solver_equals_the_generic_engine(seed, method, spl, tape, threads, N, D, scale, q):
    # second algorithm: the per-stage RK engine + discrete adjoint of verify.solver.flow / verify.solver.gradient
    # (per-point loops, no padding, direct sin/cos at every stage); the fused kernel pads blocks of
    # points and D to multiples of 4, the frequency rows to _padded_row(q) entries (13 -> 16,
    # 512 -> 544), and gets the stages after the first by angle addition (small fields, scale
    # 0.01) or directly (|δ| > 1/8, mostly at scale 1)
    ctl, X0, Y, B = rff_setup(seed, N=N, D=D, q=q, scale=scale * np.sqrt(8 / q))
    pb = Objective(X0, Y, B, method=method, steps_per_layer=spl)
    A, b = vg._tableau_arrays(method)
    F, G, xb, x1 = _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A, b, spl, True, tape, threads)
    assert G.shape == ctl.W.shape and xb.shape == x1.shape == X0.shape
    res, tp = pb.run(ctl, keep_tape=True)
    r = pb.residuals(res.x1)
    xb_ref, G_ref, _ = _adjoint(ctl, tp, (2.0 / X0.shape[0]) * (r @ B), False, method)
    assert np.allclose(x1, res.x1, rtol=1e-13, atol=1e-14)
    assert abs(F - pb.loss_of(res.x1)) <= 1e-13 * F
    assert np.linalg.norm(G - G_ref) <= 1e-12 * np.linalg.norm(G_ref)
    # norm-wise, as for G: the rounding error of an entry scales with the terms summed into it,
    # not with the entry (seed 117068448: an entry of -0.018 among entries up to 11 was off by
    # 2e-14, i.e. 1.2e-12 relative to itself, with a norm-wise error of 2.7e-15)
    assert np.linalg.norm(xb - xb_ref) <= 1e-12 * np.linalg.norm(xb_ref)
    assert loss(pb, ctl) == _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A, b, spl, False)[0]


def test_padded_rows_avoid_4k_strides():
    # the properties _padded_row promises (docstring), by brute force over q < 3000: a multiple
    # of 8, at least q, at most 64 entries beyond the next multiple of 8, and rows 1-3 apart at
    # least 256 bytes from a multiple of 4096 when rows are 1 KiB or longer
    for q in range(1, 3000):
        qp = _fast_rff._padded_row(q)
        assert qp >= q and qp % 8 == 0 and qp - (-(-q // 8) * 8) <= 64
        if 8 * qp >= 1024:
            assert all(256 <= (k * 8 * qp) % 4096 <= 3840 for k in (1, 2, 3))
    assert _fast_rff._padded_row(512) == 544 and _fast_rff._padded_row(480) == 480


@pytest.mark.skipif(not _fast_rff.HAVE_NUMBA, reason="the compiled path needs numba")
def test_numpy_fallback_gives_the_same_numbers(monkeypatch):
    ctl, X0, Y, B = rff_setup(3, scale=1.0)
    pb = Objective(X0, Y, B, method="rk4", steps_per_layer=2)
    fast = loss_and_gradient(pb, ctl)
    monkeypatch.setattr(_fast_rff, "HAVE_NUMBA", False)
    monkeypatch.setattr(vg, "HAVE_NUMBA", False)
    slow = loss_and_gradient(pb, ctl)
    assert abs(fast.loss - slow.loss) <= 1e-13 * slow.loss
    assert np.linalg.norm(fast.param_gradient - slow.param_gradient) <= 1e-12 * np.linalg.norm(slow.param_gradient)
    C, S = _fast_rff.sincos(X0 @ ctl.kernel.omega.T)
    assert np.array_equal(C, np.cos(X0 @ ctl.kernel.omega.T))
