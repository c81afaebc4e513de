"""The augmented and copy architectures, the weighted (merged-duplicates) constants and the design
search (docs/recipe.rst, docs/pl.rst).  Independent sources are named in each test: the full
unreduced matrices of the copy lifting, closed forms, the solver's gradient on the duplicated data,
and the rigorous constants re-evaluated through the public API."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bounds.chain import chain_point, lzb_for_problem
from bounds.kernels import Gaussian, Matern
from bounds.lzb import lzb_condition
from bounds.pl import pl_constants
from bounds.problem import Problem, augmented_maps, copy_maps, lifting, merge_duplicates, output_map
from bounds.recipe import augmented_design, best_design, copy_design, gershgorin_scale
from bounds.smoothness import smoothness_constant

K = Matern("5/2")
XOR_X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
XOR_Y = np.array([[1.0], [-1.0], [-1.0], [1.0]])


def _held_out(seed: int, n: int = 24, d: int = 3, d_out: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.choice([-1.0, 1.0], size=(n, d_out))


# ------------------------------------------------------------------ the architectures


def test_augmented_readout_ignores_the_input():
    # Closed form: B A = 0, so F(0) = mean |y|^2 whatever alpha and b.
    X, Y = _held_out(1)
    for alpha, b in [(0.3, 2.0), (50.0, 1e4)]:
        A, B = augmented_maps(3, 2, alpha, b)
        assert np.array_equal(B @ A, np.zeros((2, 3)))
        prob = Problem.augmented(X, Y, K, alpha, b)
        assert prob.initial_loss() == pytest.approx(float(np.mean(np.sum(Y**2, axis=1))), rel=1e-15)
        assert prob.sigma_A == (alpha, alpha) and prob.sigma_B == (b, b)  # exact: diagonal Gram matrices


@pytest.mark.parametrize("p, d, d_out", [(1, 2, 1), (3, 2, 1), (7, 2, 3), (5, 3, 3), (2, 1, 2)])
def test_copy_lifting_in_reduced_coordinates_equals_the_full_matrices(p, d, d_out):
    # Independent source: the materialised lifting A = a(I,...,I)^T (D = p d), B = b(I, 0).
    rng = np.random.default_rng(p + 10 * d)
    X, Y = rng.normal(size=(5, d)) * 2, rng.normal(size=(5, d_out))
    full = Problem(X, Y, lifting(d, p, 0.7), output_map(d_out, p * d, 1.9), K)
    red = Problem.copy_lifting(X, Y, K, p, 0.7, 1.9)
    A, B = copy_maps(d, d_out, p, 0.7, 1.9)
    assert red.D == p * d and red.coordinates == A.shape[0] <= p * d
    np.testing.assert_allclose(A.T @ A, full.A.T @ full.A, rtol=1e-14)  # the Gram matrix of the maps
    np.testing.assert_allclose(B @ A, full.B @ full.A, rtol=1e-14)
    np.testing.assert_allclose(red.lifted_distances, full.lifted_distances, rtol=1e-13, atol=1e-13)
    assert red.initial_loss() == pytest.approx(full.initial_loss(), rel=1e-13)
    for R in (0.0, 0.2):
        assert pl_constants(red, R, lam="data").m.value == pytest.approx(pl_constants(full, R, lam="data").m.value,
                                                                        rel=1e-12)
        assert smoothness_constant(red, R).value == pytest.approx(smoothness_constant(full, R).value, rel=1e-12)


def test_augmented_is_the_limit_of_the_copy_lifting():
    # The copy lifting with a = alpha/sqrt(p): the read-out's overlap with the lifted input is
    # 1/sqrt(p).  Lifted distances and singular values are those of the augmented design, so m and M
    # coincide; beta's residual bound carries |B A x| = c|x|, c = alpha b/sqrt(p), so its error is
    # exactly proportional to p^-1/2; F(0) = mean|c x_1 - y|^2 differs from mean|y|^2 by at most
    # 2c max|x||y| + c^2 max|x|^2 (closed form).
    X, Y = _held_out(2, n=8, d=2, d_out=1)
    alpha, b, R = 6.0, 40.0, 0.05
    aug_prob = Problem.augmented(X, Y, K, alpha, b)
    aug = chain_point(aug_prob, R, lam="data")
    beta_errors = []
    for p in (10**6, 10**8, 10**10):
        prob = Problem.copy_lifting(X, Y, K, p, alpha / math.sqrt(p), b)
        ch = chain_point(prob, R, lam="data")
        assert ch.m.value == pytest.approx(aug.m.value, rel=1e-13)
        assert ch.M.value == pytest.approx(aug.M.value, rel=1e-13)
        beta_errors.append(ch.beta.value / aug.beta.value - 1)
        c = alpha * b / math.sqrt(p)
        xmax, ymax = float(np.max(np.abs(X[:, 0]))), float(np.max(np.abs(Y)))
        assert abs(prob.initial_loss() - aug_prob.initial_loss()) <= 2 * c * xmax * ymax + c**2 * xmax**2
    assert beta_errors[0] > 0 and beta_errors[0] / beta_errors[1] == pytest.approx(10, rel=1e-6)
    assert beta_errors[1] / beta_errors[2] == pytest.approx(10, rel=1e-4)


# ------------------------------------------------------------------ merged duplicates and weights


def test_merge_duplicates_keeps_order_and_counts():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 2.0], [0.0, 0.0], [1.0, 0.0]])
    Y = np.array([[1.0], [2.0], [1.0], [3.0], [2.0], [1.0]])
    Xu, Yu, w = merge_duplicates(X, Y)
    assert Xu.tolist() == [[1.0, 0.0], [0.0, 0.0], [2.0, 2.0]] and Yu.ravel().tolist() == [1.0, 2.0, 3.0]
    assert w.tolist() == [3.0, 2.0, 1.0]
    with pytest.raises(ValueError, match="rows 1 and 4 are equal but their targets differ"):
        merge_duplicates(X, np.array([[1.0], [2.0], [1.0], [3.0], [9.0], [1.0]]))


def test_weighted_constants_equal_the_constants_of_the_unmerged_loss():
    # F with every row duplicated is F of the distinct rows: m, M, beta must not change (a weight
    # entering twice, or not at all, changes m by a factor 2).
    X, Y = _held_out(3, n=6, d=2, d_out=1)
    alpha, b, R = 5.0, 30.0, 0.05
    plain = chain_point(Problem.augmented(X, Y, K, alpha, b), R, lam="data")
    doubled = chain_point(Problem.augmented(X, Y, K, alpha, b, weights=np.full(6, 2.0)), R, lam="data")
    assert doubled.m.value == pytest.approx(plain.m.value, rel=1e-14)
    assert doubled.M.value == pytest.approx(plain.M.value, rel=1e-14)
    assert doubled.beta.value == pytest.approx(plain.beta.value, rel=1e-14)


def _solver_ratio(X: np.ndarray, Y: np.ndarray, alpha: float, b: float, residual_row: int) -> tuple[float, float]:
    """``‖∇F(0)‖²/F(0)`` by the solver on the *unmerged* data, targets chosen so that only the
    rows equal to ``X[residual_row]`` have a nonzero residual."""
    from verify.solver.controls import KernelControl
    from verify.solver.gradient import Objective, loss_and_gradient

    A, B = augmented_maps(X.shape[1], Y.shape[1], alpha, b)
    Yr = np.zeros_like(Y)
    same = np.all(X == X[residual_row], axis=1)
    Yr[same] = 1.0
    g = loss_and_gradient(Objective.resnet(X @ A.T, Yr, B), KernelControl.zeros(K, 1, A.shape[0]))
    return g.h_norm**2, g.loss


def test_weighted_m_and_M_hold_against_the_solver_and_are_sharp_at_zero():
    # Duplicated rows given to the solver as they are; the merged problem's weighted constants at
    # R = 0 (alpha large: K_X ~ I) are attained by residuals on the lightest / heaviest row.
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0], [4.0, 0.0]])
    Y = np.zeros((5, 1))
    Xu, Yu, w = merge_duplicates(X, Y)
    assert w.tolist() == [1.0, 3.0, 1.0]
    alpha, b = 20.0, 3.0
    pl = pl_constants(Problem.augmented(Xu, Yu, K, alpha, b, weights=w), 0.0, lam="data")
    light, _ = _solver_ratio(X, Y, alpha, b, residual_row=0)
    heavy, _ = _solver_ratio(X, Y, alpha, b, residual_row=1)
    g_light, f_light = light, _solver_ratio(X, Y, alpha, b, 0)[1]
    g_heavy, f_heavy = heavy, _solver_ratio(X, Y, alpha, b, 1)[1]
    assert pl.m.value * f_light <= g_light <= pl.M.value * f_light * (1 + 1e-12)
    assert pl.m.value * f_heavy * (1 - 1e-12) <= g_heavy <= pl.M.value * f_heavy
    # sharp: ratio = (4 w/n) b^2 (K_X = I up to K(80) ~ 1e-75): w_min for m, w_max for M
    assert g_light / f_light == pytest.approx(pl.m.value, rel=1e-9)
    assert g_heavy / f_heavy == pytest.approx(pl.M.value, rel=1e-9)


# ------------------------------------------------------------------ the design search


def test_gershgorin_scale_reaches_its_level_to_one_percent():
    # Independent source: the brute-force row sums at t and at t / 1.01.
    X, _ = _held_out(4, n=15, d=2)
    t = gershgorin_scale(X, K, 0.01)
    dist = np.linalg.norm(X[:, None] - X[None], axis=-1)

    def rowsum(s: float) -> float:  # the diagonal contributes K(0) = 1
        return float(np.max(np.sum(K.profile(s * dist), axis=1))) - 1.0

    assert rowsum(t) <= 0.01 < rowsum(t / 1.0101)


@pytest.mark.parametrize("seed, depth, kernel", [(11, None, K), (12, 4, K), (13, None, Gaussian(1.0))])
def test_augmented_design_certifies_held_out_data(seed, depth, kernel):
    # Data nobody tuned on (drawn in the test); the verdict re-derived through the public API.
    X, Y = _held_out(seed)
    d = augmented_design(X, Y, kernel, depth=depth, target=1e-6)
    assert d.verified and d.point is not None and d.point.kind == "rigorous"
    prob = d.problem(X, Y, kernel)
    ch = chain_point(prob, d.R, depth=depth)
    point = lzb_condition(prob.initial_loss_upper(), ch.m, ch.M, ch.beta, d.R)
    assert point.holds("discrete")
    # the rate is within 10 % (in m/(2 beta)) of the supremum w_min/n over augmented designs
    n = X.shape[0]
    assert (1 - point.rate) >= 0.9 * (1 / n) and (1 - point.rate) <= 1 / n


def test_xor_needs_lifting_and_the_search_prefers_augmented():
    # without lifting (p = 1) no radius works: the flow is a diffeomorphism of the plane
    assert not lzb_for_problem(Problem.copy_lifting(XOR_X, XOR_Y, K, 1, 1.0, 1.0)).guaranteed
    # y = x1 x2 is orthogonal to every multiple of x1: the copy lifting's read-out of the input
    # cannot lower F(0), so the search does not spend time on it
    assert copy_design(XOR_X, XOR_Y, K) is None
    best = best_design(XOR_X, XOR_Y, K, target=1e-6)
    assert best.verified and best.architecture.kind == "augmented"


def test_the_copy_lifting_wins_when_its_read_out_of_the_input_helps():
    # Targets close to a multiple of the first coordinate: the copy lifting starts near the fit
    # (F(0) ~ noise^2 instead of mean|y|^2), so it needs fewer iterations; both are re-derived.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(10, 2)) * 2
    Y = 0.5 * X[:, :1] + 0.01 * rng.normal(size=(10, 1))
    copy = copy_design(X, Y, K, target=1e-6, p_max=2**12)
    aug = augmented_design(X, Y, K, target=1e-6)
    assert copy is not None and copy.verified and aug.verified
    assert copy.f0 < 0.01 * aug.f0 and copy.iterations < aug.iterations
    best = best_design(X, Y, K, target=1e-6, p_max=2**12)
    assert best.architecture.kind == "copy" and best.iterations == copy.iterations


def test_design_search_bad_input():
    with pytest.raises(ValueError, match="form must be one of"):
        augmented_design(XOR_X, XOR_Y, K, form="flow")
    with pytest.raises(ValueError, match="families must be among"):
        best_design(XOR_X, XOR_Y, K, families=("lifted",))
    with pytest.raises(ValueError, match="X must contain only finite"):
        augmented_design(XOR_X * np.nan, XOR_Y, K)


def test_a_design_the_rigorous_search_rejects_is_not_verified(monkeypatch):
    # docs/recipe.rst: ``verified`` is the verdict of the rigorous radius search and nothing else.
    # The search is made to find no radius (its certificate emptied); the closed-form design must
    # then be reported unverified, without a point, and best_design must not count it as certified.
    import dataclasses

    import bounds.recipe as recipe

    real = recipe.lzb_for_problem

    def rejecting(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), guaranteed=False, best=None, feasible=(), iterations=None)

    monkeypatch.setattr(recipe, "lzb_for_problem", rejecting)
    d = augmented_design(XOR_X, XOR_Y, K)
    assert math.isfinite(d.architecture.b) and not d.verified and d.point is None and d.rate is None
    assert not best_design(XOR_X, XOR_Y, K, families=("augmented",)).verified
