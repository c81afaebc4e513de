"""The data-dependent λ routes against Arb (verify/testing/oracle.py): the verified λ_min (ball and
float certificates) below the exact smallest eigenvalue, the verified upper bound above it, the
kernel entries within their proven error, and the Gershgorin bound below its exact value.

Independent source: the oracle's Gram matrix of the same float points in Arb (the Bessel form for
every Matérn ν), its smallest eigenvalue enclosed by a ball Cholesky (below) and a ball Rayleigh
quotient (above), and the exact Gershgorin row sums.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import example, given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.lambda_min.data import (
    data_gershgorin_bound,
    entry_error_bound,
    lambda_min_upper_verified,
    lambda_min_verified,
    verified_gram,
)
from verify.testing import oracle
from verify.testing.strategies import delta_separated_sets

kernels = st.sampled_from(
    [Matern("1/2"), Matern("3/2", "1/3"), Matern("5/2"), Matern("21/2", 2), Gaussian("1/2"), Gaussian(1.3)]
) | st.builds(Matern, st.floats(0.5, 500.0) | st.builds(Fraction, st.integers(3, 120), st.just(7)), st.floats(0.3, 3.0))
point_sets = delta_separated_sets(max_n=8, max_d=4, min_delta=0.02, max_delta=3.0)

# The two false enclosures of issue 17: the verified λ_min returned 1.514e-13 (true 5.05e-19) and
# 6.06e-13 (true 5.80e-14).
NU100 = (Matern(100), np.array([[0.0], [1e-9]]))
NU300 = (Matern(300), np.array([[1.0], [1.0 + 3.4e-7]]))
# Eigenvalues 1 − 5.5e-17, 1 − 1.3e-90, 1 + 5.5e-17: all the float 1.0, so picking the smallest
# approximate eigenvalue by its float value picked the wrong one (oracle and ball route alike).
NEAR_IDENTITY = (Matern(68.0, 0.3125), np.array([[1.7957228], [-3.01835685], [-6.01835685]]))
# The oracle's own ball Cholesky once failed here at every precision (the radii grow inside the
# factorisation relative to a margin that shrank with the precision); kept as a regression example.
CLUSTER = (
    Matern(Fraction(937, 4), 3),
    np.array([[0.43507481180973956, -0.4441733873163441, 0.4386820619001684],
              [-0.4813723269777738, -0.42773978081546843, -0.38809983242789764],
              [-0.02312145501399215, -0.1296134124233047, -0.4113157270515557],
              [0.1257883276125592, 0.01219039313051948, 0.12318639092124771],
              [-0.4031497283628632, -0.4755970382383592, 0.47022622409084436],
              [-0.45933653035517985, 0.39010687342778405, 0.35011744788179455],
              [-0.2336199820455273, 0.460120248040488, 0.25994498093499335],
              [-0.47142359456565347, 0.15740830791343746, 0.4407004511789763]]),
)


@given(kernels, point_sets)
@example(NU100[0], (NU100[1], 1e-9))
@example(NU300[0], (NU300[1], 3.4e-7))
def test_verified_entries_within_the_entry_error_bound(kernel, Xd):
    X, _ = Xd
    G, eps = verified_gram(kernel, X), entry_error_bound(kernel, X)
    with ctx.workprec(oracle.PREC):
        M = oracle.gram(kernel, X)
    n = X.shape[0]
    assert all(G[i, i] == 1.0 for i in range(n))
    for i in range(n):
        for j in range(i + 1, n):
            assert oracle.within(float(G[i, j]), M[i, j], eps), (kernel, i, j, G[i, j], eps)


@pytest.mark.parametrize("method", ["auto", "float"])
@given(kernel=kernels, Xd=point_sets)
@example(kernel=NU100[0], Xd=(NU100[1], 1e-9))
@example(kernel=NU300[0], Xd=(NU300[1], 3.4e-7))
@example(kernel=NEAR_IDENTITY[0], Xd=(NEAR_IDENTITY[1], 3.0))
def test_verified_lambda_min_is_below_the_exact_one(method, kernel, Xd):
    X, _ = Xd
    v = lambda_min_verified(kernel, X, method=method)
    assert v.kind == "rigorous"
    assert oracle.is_below(v.value, oracle.lambda_min(kernel, X)), (kernel, X, v.value)


@pytest.mark.parametrize("method", ["ball", "float"])
@given(kernel=kernels, Xd=point_sets)
@example(kernel=NU100[0], Xd=(NU100[1], 1e-9))
@example(kernel=CLUSTER[0], Xd=(CLUSTER[1], 0.25))
@example(kernel=NEAR_IDENTITY[0], Xd=(NEAR_IDENTITY[1], 3.0))
def test_verified_upper_bound_is_above_the_exact_lambda_min(method, kernel, Xd):
    X, _ = Xd
    v = lambda_min_upper_verified(kernel, X, method=method)
    assert oracle.is_above(v.value, oracle.lambda_min(kernel, X)), (kernel, X, v.value)


def test_issue_counterexamples_are_now_tight():
    # Source: the oracle's enclosure of λ_min of each 2x2 Gram matrix (= 1 − K(r)).
    for kernel, X in (NU100, NU300):
        exact = oracle.lambda_min(kernel, X)
        ball_route = lambda_min_verified(kernel, X).value
        float_route = lambda_min_verified(kernel, X, method="float").value
        assert oracle.is_below(ball_route, exact) and oracle.is_below(float_route, exact)
        with ctx.workprec(oracle.PREC):
            assert arb(ball_route) >= exact.lower() * (1 - arb(2) ** -40)  # the ball route is tight
    assert lambda_min_verified(*NU100).value == pytest.approx(5.0505050505050505e-19, rel=1e-15, abs=0)  # was 1.514e-13
    assert lambda_min_verified(*NU300).value == pytest.approx(5.799331101361121e-14, rel=1e-15, abs=0)  # was 6.06e-13


@given(kernels, point_sets, st.floats(0.2, 1.0))
@example(NU300[0], (NU300[1], 3.4e-7), 0.9)
def test_data_gershgorin_is_below_its_exact_value(kernel, Xd, shrink):
    X, _ = Xd
    g = data_gershgorin_bound(kernel, X, shrink=shrink)
    assert oracle.is_below(g.value, lambda: (1 - oracle.gershgorin_rows(kernel, X, shrink)).nonnegative_part())


def test_kernels_without_a_float_proof_refuse_beyond_the_evaluation_budget():
    X = np.random.default_rng(0).uniform(0, 5, size=(201, 2))  # 20100 distinct distances
    with pytest.raises(ValueError, match="ball-arithmetic kernel evaluations.*nu = 1.3.*p = 0, ..., 50"):
        lambda_min_verified(Matern(1.3), X)


@pytest.mark.parametrize("D", [1, 2, 8])
def test_entry_error_bound_is_its_derivation(D):
    # Independent source: the derivation of docs/lambda_data.rst#kernel-entries, term by term, with
    # γ_k = k u/(1 − k u) in exact rationals.  The oracle tests above cannot see a margin that is
    # too small by a factor 2 (the largest observed error is a quarter of ε), this test does.
    u = Fraction(1, 2**53)

    def gamma(k):
        return float(k * u / (1 - k * u))

    distance = 1.01 * 0.7358 * gamma(D + 3)  # |r̃ − r| ≤ γ_{D+3} r, sup |r K'(r)| ≤ 2/e
    profile = {
        Matern("5/2"): gamma(2 * 2 + 7) + 0.7358 * gamma(4) / (1 - gamma(4)) + 1e-160,  # Horner, exp, s̃
        Gaussian(1): gamma(5) / 2.718281828459045 * 1.001 + 4 * float(u) + 1e-300,  # x̃ to γ_5, exp
        Matern(1.3): 0.51 * float(u),  # Arb ball rounded to nearest
    }
    X = np.zeros((2, D))
    for kernel, err in profile.items():
        assert entry_error_bound(kernel, X) == pytest.approx(distance + err, rel=1e-9, abs=0), kernel
