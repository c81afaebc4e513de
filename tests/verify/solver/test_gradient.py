"""Exact gradients of the discrete map, H-gradients and the function-space gradient norm (docs/solver.rst).

Independent sources: central finite differences of the loss, a hand-rolled ResNet adjoint, the
continuous adjoint (converging at order 4), the RFF ↔ kernel-expansion identity, torch autograd
(when torch is importable)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from tests.verify.solver.support import LinearControl, kernel_setup, rff_setup
from verify.solver.controls import KernelControl, RFFControl, mass_matrix
from verify.solver.flow import resnet
from verify.solver.gradient import (
    Objective,
    continuous_adjoint,
    directional_derivative_fd,
    gradient_norm_h,
    loss,
    loss_and_gradient,
)
from verify.testing.profiles import scaled

seeds = st.integers(min_value=0, max_value=2**31 - 1)
FD_EPS = 1e-5  # central differences: truncation ~ eps² |F'''|, rounding ~ 1e-16 F / eps, both << 1e-7


def _h_inner(a, b) -> float:
    """⟨a, b⟩_H = Σ_{mm'} M_{mm'} ⟨a_m, b_{m'}⟩_V, computed from the definitions."""
    M = mass_matrix(a.time, a.n_layers)
    if isinstance(a, RFFControl):
        return float(np.einsum("mn,mij,nij->", M, a.W, b.W))
    tot = 0.0
    for m in range(a.n_nodes):
        for n in range(a.n_nodes):
            if M[m, n] != 0 and a.centres[m].shape[0] and b.centres[n].shape[0]:
                G = a.kernel.gram(a.centres[m], b.centres[n])
                tot += M[m, n] * float(np.sum(a.coeffs[m] * (G @ b.coeffs[n])))
    return tot


@scaled(10)  # ci count; each example integrates flows and adjoints
@given(seed=seeds, method=st.sampled_from(["rk4", "euler", "rk38"]), time=st.sampled_from(["constant", "linear"]),
       spl=st.integers(1, 3))
def test_rff_gradient_equals_central_differences(seed, method, time, spl):
    ctl, X0, Y, B = rff_setup(seed, time=time)
    pb = Objective(X0, Y, B, method=method, steps_per_layer=spl)
    g = loss_and_gradient(pb, ctl)
    assert math.isclose(g.loss, loss(pb, ctl), rel_tol=1e-14)
    H = np.random.default_rng(seed + 1).standard_normal(ctl.W.shape)
    fd = directional_derivative_fd(pb, ctl, RFFControl(ctl.kernel, H, time), FD_EPS)
    an = float(np.sum(g.param_gradient * H))
    assert abs(fd - an) <= 1e-7 * np.linalg.norm(g.param_gradient) * np.linalg.norm(H)
    # the H-gradient represents dF in the H inner product: ⟨G, h⟩_H = dF[h]
    assert math.isclose(_h_inner(g.h_gradient, RFFControl(ctl.kernel, H, time)), an, rel_tol=1e-10, abs_tol=1e-12)
    assert math.isclose(g.h_norm ** 2, _h_inner(g.h_gradient, g.h_gradient), rel_tol=1e-10)


@scaled(8)  # ci count; each example integrates flows and adjoints
@given(seed=seeds, kernel=st.sampled_from([Matern("5/2"), Gaussian(0.8), Matern(3.5, 1.3)]),
       method=st.sampled_from(["rk4", "euler"]), time=st.sampled_from(["constant", "linear"]))
def test_kernel_h_gradient_equals_directional_derivatives(seed, kernel, method, time):
    ctl, X0, Y = kernel_setup(seed, kernel, time=time)
    pb = Objective(X0, Y, method=method, steps_per_layer=2)
    g = loss_and_gradient(pb, ctl)
    # a random direction with its own centres
    h, _, _ = kernel_setup(seed + 7, kernel, M=3, time=time)
    fd = directional_derivative_fd(pb, ctl, h, FD_EPS)
    assert abs(_h_inner(g.h_gradient, h) - fd) <= 1e-7 * g.h_norm * h.h_norm()
    # along the gradient itself: dF[G] = ‖G‖²_H (so the norm is checked, not just the direction)
    fdg = directional_derivative_fd(pb, ctl, g.h_gradient, FD_EPS)
    assert abs(fdg - g.h_norm**2) <= 1e-7 * g.h_norm**2
    # the coefficient gradient, by central differences in the coefficients
    dA = tuple(np.random.default_rng(seed).standard_normal(a.shape) for a in ctl.coeffs)
    fda = directional_derivative_fd(pb, ctl, ctl.with_params(dA), FD_EPS)
    an = sum(float(np.sum(p * d)) for p, d in zip(g.param_gradient, dA, strict=False))
    scale = math.sqrt(sum(float(np.sum(p * p)) for p in g.param_gradient) * sum(float(np.sum(d * d)) for d in dA))
    assert abs(fda - an) <= 1e-7 * scale


@scaled(8)  # ci count; each example integrates flows and adjoints
@given(seed=seeds, method=st.sampled_from(["rk4", "euler"]), time=st.sampled_from(["constant", "linear"]))
def test_function_space_norm_equals_parameter_norm_for_rff(seed, method, time):
    # two algorithms: Gram matrices of K_q on the stage points vs sqrt(∂Fᵀ M⁻¹ ∂F) on W
    ctl, X0, Y, B = rff_setup(seed, time=time)
    pb = Objective(X0, Y, B, method=method, steps_per_layer=2)
    g = loss_and_gradient(pb, ctl)
    assert math.isclose(gradient_norm_h(pb, ctl), g.h_norm, rel_tol=1e-10)
    if time == "constant":
        L = ctl.n_layers
        assert math.isclose(g.h_norm**2, L * float(np.sum(g.param_gradient**2)), rel_tol=1e-12)
        assert np.allclose(g.h_gradient.W, L * g.param_gradient, rtol=1e-14, atol=0)


@scaled(8)  # ci count; each example integrates flows and adjoints
@given(seed=seeds, kernel=st.sampled_from([Matern("5/2"), Gaussian(1.0)]))
def test_resnet_gradient_norm_is_the_discrete_spec_formula(seed, kernel):
    # second algorithm: a hand-rolled ResNet adjoint p̃^k = p̃^{k+1} + (1/T) Dv_k(x^k)ᵀ p̃^{k+1},
    # p̃^T = Bᵀ r, and ‖∇F‖² = (4/N²)(1/T) Σ_k Σ_ij K(x_i^k − x_j^k) ⟨p̃_i^{k+1}, p̃_j^{k+1}⟩
    ctl, X0, Y = kernel_setup(seed, kernel, L=4)
    T, N = ctl.n_layers, X0.shape[0]
    traj = resnet(ctl, X0, return_trajectory=True).states
    p = traj[-1] - Y  # B = I
    total = 0.0
    for k in range(T - 1, -1, -1):
        total += float(np.sum(p * (kernel.gram(traj[k], traj[k]) @ p)))
        J = ctl.jacobian(k / T, traj[k])
        p = p + np.einsum("nab,na->nb", J, p) / T
    expected = 4.0 / N**2 * total / T
    g = loss_and_gradient(Objective.resnet(X0, Y), ctl)
    assert math.isclose(g.h_norm**2, expected, rel_tol=1e-10)
    assert np.allclose(g.x0_gradient, 2.0 / N * p, rtol=1e-10, atol=1e-14)


@scaled(6)  # ci count; each example integrates flows and adjoints
@given(seed=seeds)
def test_rff_and_kernel_expansion_give_the_same_gradient(seed):
    rng = np.random.default_rng(seed)
    k = RandomFourierKernel.from_kernel(Matern("5/2"), q=12, D=2, seed=seed)
    C = tuple(rng.standard_normal((3, 2)) for _ in range(3))
    A = tuple(0.7 * rng.standard_normal((3, 2)) for _ in range(3))
    kc = KernelControl(k, C, A)
    W = np.stack([a.T @ k.features(c) for c, a in zip(C, A, strict=False)])  # W_k = Σ_j a_j ϕ(c_j)ᵀ
    rc = RFFControl(k, W)
    X0, Y = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    for method in ("rk4", "euler"):
        pb = Objective(X0, Y, method=method, steps_per_layer=2)
        gr, gk = loss_and_gradient(pb, rc), loss_and_gradient(pb, kc)
        assert math.isclose(gr.loss, gk.loss, rel_tol=1e-12)
        assert math.isclose(gr.h_norm, gk.h_norm, rel_tol=1e-10)
        # chain rule: ∂F/∂a_k = Φ(C_k) (∂F/∂W_k)ᵀ
        for m in range(3):
            assert np.allclose(gk.param_gradient[m], k.features(C[m]) @ gr.param_gradient[m].T, rtol=1e-10, atol=1e-13)
        # the kernel H-gradient, written in features, is the RFF H-gradient
        Gk = np.stack([a.T @ k.features(c) for c, a in zip(gk.h_gradient.centres, gk.h_gradient.coeffs, strict=False)])
        assert np.allclose(Gk, gr.h_gradient.W, rtol=1e-10, atol=1e-12)


@scaled(6)  # ci count; each example integrates flows and adjoints
@given(seed=seeds)
def test_continuous_adjoint_converges_to_the_discrete_gradient(seed):
    ctl, X0, Y, B = rff_setup(seed, scale=1.0)
    errs = []
    ns = [1, 2, 4, 8]
    for n in ns:
        pb = Objective(X0, Y, B, method="rk4", steps_per_layer=n)
        gd = loss_and_gradient(pb, ctl).param_gradient
        gc = continuous_adjoint(pb, ctl).param_gradient
        errs.append(np.linalg.norm(gc - gd) / np.linalg.norm(gd))
    assert all(b < a for a, b in zip(errs, errs[1:], strict=False))
    order = -np.polyfit(np.log(ns), np.log(errs), 1)[0]
    assert order > 3.5  # both are O(h⁴)-accurate, so they differ by O(h⁴)


def test_continuous_spec_integral_bounds_the_layerwise_norm_and_matches_as_layers_split():
    # Jensen: the layer-average gradient has norm ≤ the full-L²(V) gradient of docs/solver.rst; splitting
    # layers (same field) leaves the integral of docs/solver.rst unchanged and moves the layerwise norm up to it
    ctl, X0, Y, B = rff_setup(11, scale=1.0)
    pb = Objective(X0, Y, B, method="rk4", steps_per_layer=16)
    spec = continuous_adjoint(pb, ctl).spec_norm_sq
    prev = 0.0
    for rep in (1, 2, 4, 8):
        split = RFFControl(ctl.kernel, np.repeat(ctl.W, rep, 0))
        pbs = Objective(X0, Y, B, method="rk4", steps_per_layer=16 // rep)
        assert math.isclose(loss(pbs, split), loss(pb, ctl), rel_tol=1e-12)
        n2 = loss_and_gradient(pbs, split).h_norm ** 2
        assert prev <= n2 <= spec * (1 + 1e-9)
        assert math.isclose(continuous_adjoint(pbs, split).spec_norm_sq, spec, rel_tol=1e-10)
        prev = n2


@scaled(8)  # ci count; each example integrates flows and adjoints
@given(seed=seeds)
def test_splitting_layers_averages_the_h_gradient(seed):
    # the L-layer gradient is the pairwise average of the 2L-layer gradient (projection on the
    # coarser piecewise-constant controls), so ‖∇F‖ can only grow under splitting
    ctl, X0, Y, B = rff_setup(seed)
    split = RFFControl(ctl.kernel, np.repeat(ctl.W, 2, axis=0))
    g1 = loss_and_gradient(Objective(X0, Y, B, steps_per_layer=2), ctl)
    g2 = loss_and_gradient(Objective(X0, Y, B, steps_per_layer=1), split)
    assert math.isclose(g1.loss, g2.loss, rel_tol=1e-13)
    avg = 0.5 * (g2.h_gradient.W[0::2] + g2.h_gradient.W[1::2])
    assert np.allclose(g1.h_gradient.W, avg, rtol=1e-11, atol=1e-14)
    assert g1.h_norm <= g2.h_norm * (1 + 1e-12)


@scaled(8)  # ci count; each example integrates flows and adjoints
@given(seed=seeds, method=st.sampled_from(["rk4", "euler"]))
def test_permutation_and_rotation_leave_loss_and_gradient_norm_unchanged(seed, method):
    ctl, X0, Y, B = rff_setup(seed)
    pb = Objective(X0, Y, B, method=method, steps_per_layer=2)
    g = loss_and_gradient(pb, ctl)
    perm = np.random.default_rng(seed).permutation(X0.shape[0])
    gp = loss_and_gradient(Objective(X0[perm], Y[perm], B, method=method, steps_per_layer=2), ctl)
    assert math.isclose(gp.loss, g.loss, rel_tol=1e-13) and math.isclose(gp.h_norm, g.h_norm, rel_tol=1e-12)
    Q, _ = np.linalg.qr(np.random.default_rng(seed + 3).standard_normal((3, 3)))
    rot = RFFControl(RandomFourierKernel(ctl.kernel.omega @ Q.T), np.einsum("ab,kbj->kaj", Q, ctl.W))
    gr = loss_and_gradient(Objective(X0 @ Q.T, Y, B @ Q.T, method=method, steps_per_layer=2), rot)
    assert math.isclose(gr.loss, g.loss, rel_tol=1e-11) and math.isclose(gr.h_norm, g.h_norm, rel_tol=1e-10)


def test_adaptive_gradient_is_the_gradient_of_the_frozen_step_map():
    ctl, X0, Y, B = rff_setup(12, scale=1.0)
    pb = Objective(X0, Y, B, method="dopri5", rtol=1e-9, atol=1e-11)
    g = loss_and_gradient(pb, ctl)
    ref = loss_and_gradient(Objective(X0, Y, B, method="rk4", steps_per_layer=32), ctl)  # second scheme
    assert np.linalg.norm(g.param_gradient - ref.param_gradient) <= 1e-7 * np.linalg.norm(ref.param_gradient)


def test_linear_control_gradient_against_closed_form():
    # F = (1/N)‖X0 e^{θᵀ} − Y‖² for one layer: dF[H] via the Fréchet derivative of expm (scipy)
    from scipy.linalg import expm_frechet

    rng = np.random.default_rng(5)
    th, X0, Y = rng.standard_normal((2, 2)) * 0.5, rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    H = rng.standard_normal((2, 2))
    E, dE = expm_frechet(th, H)
    R = X0 @ E.T - Y
    exact = 2.0 / 4 * float(np.sum(R * (X0 @ dE.T)))
    g = loss_and_gradient(Objective(X0, Y, method="rk4", steps_per_layer=64), LinearControl(th[None]))
    assert math.isclose(float(np.sum(g.param_gradient[0] * H)), exact, rel_tol=1e-7)


def test_against_torch_autograd():
    torch = pytest.importorskip("torch")
    ctl, X0, Y, B = rff_setup(13, N=5, q=6, L=3, scale=1.0)
    pb = Objective(X0, Y, B, method="rk4", steps_per_layer=2)
    g = loss_and_gradient(pb, ctl)
    Om = torch.from_numpy(ctl.kernel.omega.copy())  # torch wants a writable array
    W = torch.from_numpy(ctl.W.copy()).requires_grad_(True)
    q = Om.shape[0]

    def f(x, k):
        z = x @ Om.T
        return torch.cat([torch.cos(z), torch.sin(z)], 1) @ W[k].T / math.sqrt(q)

    x, h = torch.from_numpy(X0), 1.0 / 6
    for k in range(3):
        for _ in range(2):
            k1 = f(x, k)
            k2 = f(x + h / 2 * k1, k)
            k3 = f(x + h / 2 * k2, k)
            k4 = f(x + h * k3, k)
            x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    F = ((x @ torch.from_numpy(B).T - torch.from_numpy(Y)) ** 2).sum() / 5
    (Gt,) = torch.autograd.grad(F, W)
    assert abs(F.item() - g.loss) <= 1e-13 * g.loss
    assert np.linalg.norm(Gt.numpy() - g.param_gradient) <= 1e-12 * np.linalg.norm(g.param_gradient)


def test_bad_problem_inputs():
    ctl, X0, Y, B = rff_setup(14)
    with pytest.raises(ValueError, match="Y"):
        Objective(X0, Y[:-1], B)
    with pytest.raises(ValueError, match="B"):
        Objective(X0, Y, B[:, :-1])
    with pytest.raises(ValueError, match="Y"):
        Objective(X0, np.full_like(Y, np.nan), B)
    with pytest.raises(ValueError, match="steps_per_layer"):
        Objective(X0, Y, B, steps_per_layer=0)
    with pytest.raises(ValueError, match="method"):
        Objective(X0, Y, B, method="midpoint")
    with pytest.raises(ValueError, match="X0"):
        loss(Objective(X0[:, :2], Y, B[:, :2]), ctl)
    with pytest.raises(ValueError, match="eps"):
        directional_derivative_fd(Objective(X0, Y, B), ctl, ctl, eps=0.0)
    with pytest.raises(ValueError, match="steps_per_layer"):
        continuous_adjoint(Objective(X0, Y, B), ctl, steps_per_layer=0)
