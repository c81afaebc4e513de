"""The perturbation route and the a posteriori certificate of a drawn network (docs/width.rst).

Expected values name their source: the LAPACK eigenvalues of the Gram matrices along flows computed
by the solver (an independent algorithm), explicit matrices where the lemma is an equality, and the
closed-form PL sandwich at ``v = 0``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds.chain import chain_point, lzb_for_problem
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.pl import lambda_lower
from bounds.problem import Problem
from bounds.regularity import rff_regularity_moments
from bounds.result import Quantity
from bounds.width import FiniteWidth, embedding_cap, gram_extremes, perturbed_bounds
from verify.solver.controls import KernelControl, RFFControl
from verify.solver.flow import flow, resnet
from verify.solver.gradient import Objective, loss_and_gradient
from verify.testing.strategies import jittered_grid

#: Relative margin of the floating-point evaluations compared with a bound (LAPACK eigenvalues of
#: an N x N Gram matrix, N <= 6: a few hundred ulps).
RTOL = 1e-9


def _q(name: str, value: float, kind: str = "rigorous") -> Quantity:
    return Quantity(name, value, kind, "given", "docs/width.rst")


def _drawn_problem(seed: int, N: int, q: int, spacing: float, D: int = 3):
    """Random finite-width problem: N jittered points in R^2 lifted injectively into R^D, a drawn
    Matérn 5/2 sample of q frequencies in R^D, its FiniteWidth (moment c2: only c1 enters lambda)."""
    rng = np.random.default_rng(seed)
    X = jittered_grid(rng, N, 2, spacing)
    A = np.linalg.qr(rng.normal(size=(D, 2)))[0]
    B = rng.normal(size=(1, D))
    sample = RandomFourierKernel.from_kernel(Matern("5/2"), q, D, seed)
    prob = Problem(X, rng.normal(size=(N, 1)), A, B, sample)
    fw = FiniteWidth.drawn(sample, prob.lifted, seed=seed, regularity=rff_regularity_moments(sample))
    return prob, fw, rng


def _lambda_min_along(control, Z0: np.ndarray, kernel, depth: int | None) -> float:
    """Smallest LAPACK eigenvalue of the Gram matrix over every state of the computed trajectory."""
    res = resnet(control, Z0, return_trajectory=True) if depth else flow(control, Z0, "rk4", 4, return_trajectory=True)
    return min(float(np.linalg.eigvalsh(kernel.gram(x))[0]) for x in res.states)


def _adversarial_rff(sample: RandomFourierKernel, Z0: np.ndarray, R: float, L: int) -> RFFControl:
    """The first-order steepest descent of lambda_min in the ball: v = -sum_i k(., x_i) g_i with
    g_i = d lambda_min / d x_i = 2 sum_j a_i a_j grad K_q(x_i - x_j), a the bottom eigenvector."""
    ev, U = np.linalg.eigh(sample.gram(Z0))
    a = U[:, 0]
    G = 2 * np.einsum("i,j,ijd->id", a, a, sample.grad(Z0[:, None, :] - Z0[None, :, :]))
    W = -G.T @ sample.features(Z0)  # (D, 2q): v(x) = W phi(x) = -sum_i g_i K_q(x - x_i)
    v = RFFControl(sample, np.repeat(W[None], L, axis=0))
    return v.scale(R / v.h_norm())


# ------------------------------------------------------------------ the lemma, step by step


def test_the_sqrt_n_is_attained_by_a_feature_matrix():
    # Source: an explicit matrix where Weyl's inequality is an equality.  Phi0 has bottom left
    # singular vector a = 1/sqrt(N) and singular value sigma; E = -s 1 u^T moves every row (feature)
    # by exactly s, and (Phi0 + E)^T a = (sigma - sqrt(N) s) u.  So lambda_min = (sigma - sqrt(N) s)^2
    # and a bound with sqrt(N - 1), or without sqrt(N), would exceed it.
    rng = np.random.default_rng(1)
    N, m, s = 5, 9, 0.04
    Ua = np.linalg.qr(np.c_[np.ones(N), rng.normal(size=(N, N - 1))])[0]
    Ua[:, 0] = np.ones(N) / math.sqrt(N)
    Ub = np.linalg.qr(rng.normal(size=(m, N)))[0]
    sig = np.array([0.6, 1.0, 1.3, 1.7, 2.0])
    Phi0 = Ua @ np.diag(sig) @ Ub.T
    Phi = Phi0 - s * np.outer(np.ones(N), Ub[:, 0])
    assert np.allclose(np.linalg.norm(Phi - Phi0, axis=1), s)
    true_min = float(np.linalg.eigvalsh(Phi @ Phi.T)[0])
    lam, Lam = perturbed_bounds(_q("l0", sig[0] ** 2), _q("L0", sig[-1] ** 2), N, _q("c", s), 1.0, cap=2.0)
    assert lam.value <= true_min * (1 + RTOL)
    assert lam.value >= true_min * (1 - 1e-9)  # attained
    assert math.isclose(true_min, (sig[0] - math.sqrt(N) * s) ** 2, rel_tol=1e-12)
    # the upper end: the same construction on the top singular direction
    Ua2 = Ua[:, ::-1].copy()
    Phi0b = Ua2 @ np.diag(sig) @ Ub.T  # top left singular vector 1/sqrt(N)
    Phib = Phi0b + s * np.outer(np.ones(N), Ub[:, -1])
    true_max = float(np.linalg.eigvalsh(Phib @ Phib.T)[-1])
    assert Lam.value >= true_max * (1 - RTOL)
    assert math.isclose(true_max, (sig[-1] + math.sqrt(N) * s) ** 2, rel_tol=1e-12)
    assert Lam.value <= true_max * (1 + 1e-9)


def test_the_feature_shift_constant_is_c1():
    # Source: the features of the sample.  |phi(x) - phi(y)| / |x - y| -> c1 as y -> x along the
    # top eigenvector of (1/q) sum w w^T (so c1/2, or any smaller constant, is wrong), and never
    # exceeds c1 (the lemma's step (ii)).
    sample = RandomFourierKernel.from_kernel(Matern("5/2"), 64, 3, 7)
    c1 = rff_regularity_moments(sample).c1.value
    w, V = np.linalg.eigh(sample.omega.T @ sample.omega / sample.q)
    x = np.array([0.3, -1.1, 0.4])
    for h in (1e-2, 1e-4):
        ratio = np.linalg.norm(sample.features(x + h * V[:, -1]) - sample.features(x)) / h
        assert ratio <= c1 * (1 + RTOL)
    assert ratio >= c1 * (1 - 1e-6)
    rng = np.random.default_rng(0)
    for _ in range(50):
        y = x + rng.normal(size=3) * rng.uniform(0.01, 3)
        assert np.linalg.norm(sample.features(y) - sample.features(x)) <= c1 * np.linalg.norm(y - x) * (1 + RTOL)
        assert np.linalg.norm(sample.features(y) - sample.features(x)) <= embedding_cap(sample) * (1 + RTOL)


def test_a_point_moves_by_R_under_its_own_section():
    # Source: the solver.  v = R e phi(x0)^T (|v|_V = R, v(x0) = R e since |phi(x0)| = 1) moves x0
    # by R (1 + O(R)): the displacement bound c0 R (c0 = 1) is attained to first order.
    sample = RandomFourierKernel.from_kernel(Matern("5/2"), 128, 2, 3)
    x0 = np.array([[0.2, 0.5]])
    e = np.array([1.0, 0.0])
    for R in (1e-2, 1e-3):
        v = RFFControl(sample, R * np.outer(e, sample.features(x0[0]))[None])
        moved = float(np.linalg.norm(flow(v, x0, "rk4", 16).x1 - x0))
        assert moved <= R * (1 + RTOL)
        assert moved >= R * (1 - 10 * R)


# ------------------------------------------------------------------ along computed flows


@given(st.integers(0, 2**32 - 1), st.integers(3, 6), st.integers(8, 120), st.floats(1.2, 3.0),
       st.floats(0.01, 0.6), st.sampled_from([None, 6]), st.booleans())
def test_the_a_posteriori_lambda_holds_along_computed_flows(seed, N, q, spacing, R, depth, adversarial):
    # Source: LAPACK eigenvalues of K_q on every state of the solver's trajectory (RK4 with
    # piecewise-constant layers keeps |x_{n+1} - x_n| <= h c0 |v_k|, so the lemma applies to it).
    prob, fw, rng = _drawn_problem(seed, N, q, spacing)
    L = depth or 4
    if adversarial:
        v = _adversarial_rff(fw.sample, prob.lifted, R, L)
    else:
        v = RFFControl(fw.sample, rng.normal(size=(L, prob.coordinates, 2 * q)))
        v = v.scale(R / v.h_norm())
    observed = _lambda_min_along(v, prob.lifted, fw.sample, depth)
    point = chain_point(prob, R, width=fw, depth=None)
    assert observed >= point.lam.value * (1 - RTOL) - 1e-14, (observed, point.lam.value)
    res = resnet(v, prob.lifted, return_trajectory=True) if depth else flow(v, prob.lifted, "rk4", 4,
                                                                              return_trajectory=True)
    largest = max(float(np.linalg.eigvalsh(fw.sample.gram(x))[-1]) for x in res.states)
    assert largest <= point.Lam.value * (1 + RTOL)


@pytest.mark.parametrize("kernel", [Matern("5/2"), Gaussian(1.0)])
@given(seed=st.integers(0, 2**32 - 1), R=st.floats(0.01, 0.5), adversarial=st.booleans())
def test_the_perturbation_route_holds_for_the_kernel_along_computed_flows(kernel, seed, R, adversarial):
    # Source: LAPACK eigenvalues of K on every state of exact kernel-expansion flows (RK4).
    rng = np.random.default_rng(seed)
    X = jittered_grid(rng, 5, 2, 1.5)
    A = np.linalg.qr(rng.normal(size=(3, 2)))[0]
    prob = Problem(X, rng.normal(size=(5, 1)), A, rng.normal(size=(1, 3)), kernel)
    Z = prob.lifted
    if adversarial:  # v = -sum_i k(., x_i) g_i, g_i = d lambda_min / d x_i
        a = np.linalg.eigh(kernel.gram(Z))[1][:, 0]
        G = 2 * np.einsum("i,j,ijd->id", a, a, kernel.grad(Z[:, None, :] - Z[None, :, :]))
        v = KernelControl(kernel, (Z,) * 4, (-G,) * 4)
    else:
        v = KernelControl(kernel, tuple(Z + 0.3 * rng.normal(size=Z.shape) for _ in range(4)),
                          tuple(rng.normal(size=Z.shape) for _ in range(4)))
    v = v.scale(R / v.h_norm())
    observed = _lambda_min_along(v, Z, kernel, None)
    bound = lambda_lower(prob, R, lam="perturbation").value
    assert observed >= bound * (1 - RTOL) - 1e-14


# ------------------------------------------------------------------ sharp at v = 0


def test_the_a_posteriori_constants_are_sharp_at_v_0():
    # Source: the PL sandwich at v = 0 with residuals along the bottom eigenvector of K_q(AX) and
    # the bottom singular direction of B is an equality, |grad F|^2 = (4/N) sigma_min(B)^2
    # lambda_min(K_q) F (docs/pl.rst, "Sharpness"), computed by the solver's adjoint.  The chain's m(0)
    # must match it to 1e-8: m(0)/2 (a factor 2) fails, as does any lambda below the verified one.
    prob, fw, _ = _drawn_problem(11, 5, 60, 2.0)
    Z = prob.lifted
    ev, U = np.linalg.eigh(fw.sample.gram(Z))
    Ub = np.linalg.svd(prob.B)[0]
    Y = Z @ prob.B.T - np.outer(U[:, 0], Ub[:, -1])
    sharp = Problem(prob.X, Y, prob.A, prob.B, fw.sample)
    g = loss_and_gradient(Objective(Z, Y, prob.B), RFFControl(fw.sample, np.zeros((1, 3, 2 * fw.q))))
    m0 = chain_point(sharp, 0.0, width=fw).m.value
    assert m0 * g.loss <= g.h_norm**2 * (1 + RTOL)
    assert m0 * g.loss >= g.h_norm**2 * (1 - 1e-8)
    assert math.isclose(chain_point(sharp, 0.0, width=fw).lam.value, ev[0], rel_tol=1e-9)


def test_lambda_best_takes_the_perturbation_route_where_it_is_larger():
    # Source: both routes computed separately.  Close points (Gershgorin row sums above 1: the data
    # bound is 0) but a well-conditioned Gram matrix: the perturbation route is the larger one.
    X = np.array([[0.0, 0.0], [0.6, 0.0], [0.0, 0.6], [0.6, 0.6]])
    prob = Problem.augmented(X, np.ones((4, 1)), Matern("5/2"), 1.0, 10.0)
    R = 1e-3
    data = lambda_lower(prob, R, lam="data").value
    pert = lambda_lower(prob, R, lam="perturbation").value
    best = lambda_lower(prob, R, lam="best")
    assert data == 0.0 < pert
    assert best.value == pert and best.reference.endswith("#the-perturbation-route")
    # well-separated points: Gershgorin is larger and "best" keeps it
    far = Problem.augmented(X * 10, np.ones((4, 1)), Matern("5/2"), 1.0, 10.0)
    assert lambda_lower(far, 0.05, lam="best").value == lambda_lower(far, 0.05, lam="data").value


def test_the_chain_uses_the_samples_own_constants():
    # Source: the formulas of docs/width.rst assembled by hand from the FiniteWidth parts.
    prob, fw, _ = _drawn_problem(5, 4, 50, 2.0)
    R = 0.05
    point = chain_point(prob, R, width=fw)
    lam, Lam = perturbed_bounds(fw.lam0, fw.Lam0, prob.N, fw.regularity.c1, R, cap=2.0)
    assert point.lam.value == lam.value and point.Lam.value == Lam.value
    assert point.c.value == fw.regularity.c1.value
    assert point.m.kind == "rigorous" and point.beta.kind == "rigorous"


def test_gram_extremes_bracket_the_lapack_eigenvalues():
    # Source: LAPACK eigenvalues of the same Gram matrices.
    for kernel in (Matern("5/2"), RandomFourierKernel.from_kernel(Matern("3/2"), 40, 2, 0)):
        X = jittered_grid(np.random.default_rng(2), 6, 2, 1.0)
        ext = gram_extremes(kernel, X)
        ev = np.linalg.eigvalsh(kernel.gram(X))
        assert ext.lam_min.value <= ev[0] and ext.lam_min.value >= ev[0] - 1e-12
        assert ext.lam_max.value >= ev[-1]


def test_a_drawn_network_certifies_xor():
    # The finite-width design of docs/width.rst on XOR: the drawn width-151 network is guaranteed,
    # kind rigorous (the number q = 151 is the width the a priori search returns, tested in
    # test_width_apriori.py).
    from verify.certificate.datasets import make_dataset

    ds = make_dataset("xor")
    base = Matern("5/2")
    prob = Problem.augmented(ds.X, ds.Y, base, 2.0201, 1018.47)
    sample = RandomFourierKernel.from_kernel(base, 151, prob.coordinates, 0)
    cert = lzb_for_problem(prob, width=FiniteWidth.drawn(sample, prob.lifted, seed=0))
    assert cert.guaranteed and cert.best.kind == "rigorous"


@pytest.mark.parametrize("bad, match", [
    (dict(N=0), "N"), (dict(R=-1.0), "R"), (dict(cap=0.0), "cap"),
])
def test_perturbed_bounds_bad_input(bad, match):
    kw = dict(N=3, R=0.1, cap=2.0) | bad
    with pytest.raises(ValueError, match=match):
        perturbed_bounds(_q("l", 0.5), _q("L", 2.0), kw["N"], _q("c", 1.0), kw["R"], cap=kw["cap"])


def test_finite_width_refuses_other_kernels():
    with pytest.raises(ValueError, match="RandomFourierKernel"):
        FiniteWidth.drawn(Matern("5/2"), np.eye(2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Matern or Gaussian"):
        FiniteWidth.a_priori(RandomFourierKernel(np.eye(2)), np.eye(2), 10, 0.1)  # type: ignore[arg-type]
