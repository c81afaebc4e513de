"""bounds.problem: the data-derived quantities every constant is built from (docs/kernels.rst).

Each quantity against an independent computation: loops over the points, mpmath singular values
(tests/bounds/mp_oracles.py), and the flow solver's loss at ``v = 0``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds.kernels import Matern
from bounds.problem import Problem, lifting, output_map
from tests.bounds import mp_oracles as mo
from verify.solver.controls import KernelControl
from verify.solver.gradient import Objective, loss
from verify.testing.strategies import matrices_with_sv


@st.composite
def problems(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    N, d, dout = draw(st.integers(2, 6)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    D = d + draw(st.integers(0, 2))
    dout = min(dout, D)
    A = draw(matrices_with_sv(D, d, st.floats(0.3, 3.0)))
    B = draw(matrices_with_sv(dout, D, st.floats(0.3, 3.0)))
    return Problem(rng.normal(size=(N, d)), rng.normal(size=(N, dout)), A, B, Matern("5/2"))


@given(problems())
def test_data_quantities_against_loops_and_mpmath(prob):
    # Independent sources: explicit loops over the points (math.fsum, math.dist) and mpmath's
    # eigensolver for the singular values.
    X, Y = prob.X, prob.Y
    Z = [prob.A @ x for x in X]
    assert prob.separation == pytest.approx(min(math.dist(a, b) for a, b in itertools.combinations(X, 2)), rel=1e-15)
    assert prob.rho == pytest.approx(max(math.hypot(*z) for z in Z), rel=1e-15)
    assert prob.y_max == pytest.approx(max(math.hypot(*y) for y in Y), rel=1e-15)
    residuals = [prob.B @ z - y for z, y in zip(Z, Y, strict=True)]
    f0 = math.fsum(math.fsum(c * c for c in r) for r in residuals) / prob.N  # (1/N) sum_i |B A x_i - y_i|^2
    assert prob.initial_loss() == pytest.approx(f0, rel=1e-13)
    for (lo, hi), M in ((prob.sigma_A, prob.A), (prob.sigma_B, prob.B)):
        s_min, s_max = mo.sigma(M)
        assert lo == pytest.approx(float(s_min), rel=1e-13) and hi == pytest.approx(float(s_max), rel=1e-13)
    assert np.allclose(prob.lifted_distances, [[math.dist(a, b) for b in Z] for a in Z], rtol=1e-14, atol=1e-15)


@given(problems())
def test_initial_loss_is_the_solvers_loss_at_zero(prob):
    # Independent source: the flow solver (verify.solver) at v = 0, whose flow is the identity.
    F = loss(Objective(prob.lifted, prob.Y, prob.B), KernelControl.zeros(prob.kernel, 1, prob.D))
    assert prob.initial_loss() == pytest.approx(F, rel=1e-14)


def test_lifting_and_output_map_have_the_stated_singular_values():
    # docs/recipe.rst: A = a (I, ..., I)^T has sigma = a sqrt(p); B = b (I, 0) has sigma = b.
    A, B = lifting(2, 3, 0.7), output_map(1, 6, 1.9)
    assert np.linalg.svd(A, compute_uv=False) == pytest.approx([0.7 * math.sqrt(3)] * 2, rel=1e-15)
    assert np.linalg.svd(B, compute_uv=False) == pytest.approx([1.9], rel=1e-15)


@pytest.mark.parametrize("make, match", [
    (lambda: Problem(np.zeros((2, 2)), np.zeros((2, 1)), np.eye(2), np.eye(1, 2), Matern("5/2")),
     r"duplicate points \(rows 0 and 1"),
    (lambda: Problem(np.eye(2), np.zeros((3, 1)), np.eye(2), np.eye(1, 2), Matern("5/2")), "Y must have"),
    (lambda: Problem(np.eye(2), np.zeros((2, 1)), np.ones((2, 2)), np.eye(1, 2), Matern("5/2")), "injective"),
    (lambda: Problem(np.eye(2), np.zeros((2, 2)), np.eye(2), np.ones((2, 2)), Matern("5/2")), "surjective"),
    (lambda: lifting(2, 0), "p must be"),
    (lambda: output_map(3, 2), "D must be"),
])
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_initial_loss_upper_is_above_the_exact_weighted_loss_and_close_to_it():
    # Independent source: exact rationals.  F(0) = (Σ w_i ‖B A x_i − y_i‖²) / Σ w_i over the distinct
    # rows (w the multiplicities of merged duplicates; the mean over the data points, not over the
    # output coordinates), computed from the float matrices exactly; the bound is above it and
    # within 1e-12 relative of it.  The augmented lifting has B A = 0, so F(0) = mean ‖y‖².
    from fractions import Fraction

    rng = np.random.default_rng(11)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 3))
    w = np.array([1.0, 4.0, 1.0, 2.0, 7.0])
    A = np.array([[0.8, 0.1], [0.0, 1.3], [0.4, -0.2]])
    B = np.array([[1.0, 0.0, 0.5], [0.0, 2.0, 0.0], [0.3, 0.0, 1.0]])

    def exact_loss(prob):
        total = Fraction(0)
        for x, y, wi in zip(prob.X, prob.Y, prob.weights, strict=True):
            Ax = [sum(Fraction(a) * Fraction(xc) for a, xc in zip(row, x, strict=True)) for row in prob.A]
            r = [sum(Fraction(b) * z for b, z in zip(row, Ax, strict=True)) - Fraction(yc)
                 for row, yc in zip(prob.B, y, strict=True)]
            total += Fraction(wi) * sum(c * c for c in r)
        return total / sum(Fraction(wi) for wi in prob.weights)

    for prob in (Problem(X, Y, A, B, Matern("5/2"), weights=w), Problem.augmented(X, Y, Matern("5/2"), 3.0, 2.0,
                                                                                  weights=w)):
        exact = exact_loss(prob)
        assert exact <= Fraction(prob.initial_loss_upper()) <= exact * (1 + Fraction(1, 10**12))
    aug = Problem.augmented(X, Y, Matern("5/2"), 3.0, 2.0, weights=w)
    assert exact_loss(aug) == sum(Fraction(wi) * sum(Fraction(c) ** 2 for c in y) for wi, y in zip(w, Y,
                                  strict=True)) / int(w.sum())
