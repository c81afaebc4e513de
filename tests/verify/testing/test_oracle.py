"""The ball-arithmetic oracle itself (verify/testing/oracle.py), against independent sources:
closed forms, the eigenvalues of 2x2 matrices, exact rational arithmetic."""

from __future__ import annotations

import math

import numpy as np
import pytest
from flint import arb, arb_mat, ctx

from bounds.kernels import Gaussian, Matern
from verify.testing import oracle


def test_side_checks_on_known_balls():
    with ctx.workprec(200):
        third = arb(1) / 3
    assert oracle.is_below(0.3333333333333333, third) and not oracle.is_above(0.3333333333333333, third)
    assert oracle.is_above(0.33333333333333337, third)
    assert oracle.rounds_to(1 / 3, third)  # Python's 1/3 is correctly rounded (IEEE division)
    assert not oracle.rounds_to(math.nextafter(1 / 3, 1.0), third)
    assert oracle.is_below(-math.inf, third) and oracle.is_above(math.inf, third)


@pytest.mark.parametrize("r", [0.0, 1e-7, 0.4, 1.0, 3.0, 25.0])
def test_matern_bessel_form_equals_the_half_integer_closed_forms(r):
    # Independent source: GPML eq. 4.16, e^{-s}, (1 + s) e^{-s}, (1 + s + s²/3) e^{-s}.
    with ctx.workprec(200):
        for nu, poly in (("1/2", lambda s: 1), ("3/2", lambda s: 1 + s), ("5/2", lambda s: 1 + s + s * s / 3)):
            k = Matern(nu, "3/2")
            s = (2 * oracle.ball(k.nu_exact)).sqrt() * arb(r) / (arb(3) / 2)
            closed = poly(s) * (-s).exp()
            got = oracle.profile(k, r)
            assert got.overlaps(closed) and got.rad() < 1e-30 * abs(got.mid())
        g = oracle.profile(Gaussian(2), r)
        assert g.overlaps((-arb(r) ** 2 / 8).exp())


def test_moments_are_the_student_t_and_normal_moments():
    # Independent source: the Student-t variance ν/(ν−1)/ℓ² and fourth moment 3ν²/((ν−1)(ν−2))/ℓ⁴.
    m2, m4 = oracle.moments(Matern(7, 2))
    assert m2.overlaps(arb(7) / 6 / 4) and m4.overlaps(arb(3 * 49) / (6 * 5) / 16)
    g2, g4 = oracle.moments(Gaussian(2))
    assert g2.overlaps(arb(1) / 4) and g4.overlaps(arb(3) / 16)


def test_lambda_min_of_two_points_is_one_minus_k():
    # Independent source: the eigenvalues 1 ± K(r) of [[1, K], [K, 1]].
    k = Matern(100)
    enc = oracle.lambda_min(k, np.array([[0.0], [1e-9]]))
    with ctx.workprec(256):
        assert enc.overlaps(oracle.lambda_two_ball(k, 1e-9)())
    assert enc.rad() < 1e-24 * abs(enc.mid())  # far below a double ulp (2⁻⁸⁵ relative at 256 bits)


def test_lambda_min_max_and_singular_values_of_known_matrices():
    # Independent source: diag(3, 1, 2) has eigenvalues 1, 2, 3; A = diag(2, 0.5) stacked on
    # zeros has singular values 2 and 0.5.
    M = arb_mat([[3, 0, 0], [0, 1, 0], [0, 0, 2]])
    assert oracle._symmetric_min(lambda: M, 128).overlaps(arb(1))
    assert oracle.lambda_max(lambda: M).overlaps(arb(3))
    lo, hi = oracle.sigma_extremes(np.array([[2.0, 0.0], [0.0, 0.5], [0.0, 0.0]]))
    assert lo.overlaps(arb(0.5)) and hi.overlaps(arb(2))
    lo, hi = oracle.sigma_extremes(np.array([[2.0, 0.0, 0.0], [0.0, 0.5, 0.0]]))
    assert lo.overlaps(arb(0.5)) and hi.overlaps(arb(2))


def test_certify_lower_is_a_proof_and_refuses_above_lambda_min():
    X = np.array([[0.0], [1.0], [2.5]])
    with ctx.workprec(200):
        M = oracle.gram(Matern("5/2"), X)
        lam = oracle.lambda_min(Matern("5/2"), X)
        assert oracle.certify_lower(M, float(lam.mid()) * (1 - 1e-12))
        assert not oracle.certify_lower(M, float(lam.mid()) * (1 + 1e-12))


def test_gershgorin_rows_of_three_points():
    # Independent source: by hand, row sums of e^{-|x_i - x_j|} for X = {0, 1, 3}: the middle
    # point's row e^{-1} + e^{-2} is the largest.
    with ctx.workprec(200):
        rows = oracle.gershgorin_rows(Matern("1/2"), np.array([[0.0], [1.0], [3.0]]))
        assert rows.overlaps(arb(-1).exp() + arb(-2).exp())
        half = oracle.gershgorin_rows(Matern("1/2"), np.array([[0.0], [1.0], [3.0]]), shrink=0.5)
        assert half.overlaps(arb(-0.5).exp() + arb(-1).exp())
