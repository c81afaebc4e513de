"""λ₂(δ) = 1 − K(δ) against Arb (verify/testing/oracle.py): the float is the largest float below
the exact value, for any δ/ℓ; the N = 2 bracket's upper end is the smallest float above it.

Independent source: the oracle's Arb enclosure of 1 − K(δ) from the Bessel form (every ν) or
exp(−δ²/(2ℓ²)), at a precision that grows until the ball is 2⁻¹²⁰ narrow.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.lambda_min.bracket import lambda_bracket, lambda_two
from verify.testing import oracle
from verify.testing.strategies import lengthscales

kernels = st.one_of(
    st.builds(Matern, st.integers(0, 60).map(lambda p: Fraction(2 * p + 1, 2)), lengthscales()),
    st.builds(Matern, st.floats(0.3, 500.0), lengthscales()),
    st.builds(Gaussian, lengthscales()),
)
# δ/ℓ from 1e-40 (1 − K underflows for ν > 1/2) to 30 (K tiny, λ₂ ≈ 1).
scaled_deltas = st.floats(-40.0, math.log10(30.0)).map(lambda e: 10.0**e)


def _is_round_down(value: float, exact) -> bool:
    """``value`` ≤ λ₂ < the next float: the largest float below the exact value."""
    return oracle.is_below(value, exact) and not oracle.is_below(math.nextafter(value, math.inf), exact)


@given(kernels, scaled_deltas)
@example(Gaussian(1), 0.5)  # issue 17: was 0.1175030974154046 > 0.117503097415404597…
@example(Matern("5/2"), 1.1e-31)  # issue 17: 1 − K = 1.01e-62 was lost to the 30-digit evaluation
@example(Matern("3/2", 1e14), 1e-14)  # issue 17: δ = 1 at ℓ = 1e14 gave 1.50081e-28 for 1.5e-28
@example(Matern(100), 1e-9)
def test_lambda_two_is_the_largest_float_below_one_minus_k(kernel, t):
    delta = t * kernel.lengthscale
    q = lambda_two(kernel, delta)
    assert q.kind == "rigorous"
    exact = oracle.lambda_two_ball(kernel, delta)
    assert _is_round_down(q.value, exact), (kernel, delta, q.value, exact)
    assert oracle.is_below(q.mp, exact)  # mp, the ball's lower end (128 bits), is below λ₂ too


def test_issue_counterexamples_before_and_after():
    # The values the issue reported, and the correct ones now (source: the Arb oracle).
    assert lambda_two(Gaussian(1), 0.5).value == 0.11750309741540459  # was 0.1175030974154046
    assert lambda_two(Matern("5/2"), 1.1e-31).value == 1.0083333333333333e-62  # was ≤ 9.9e-32
    assert lambda_two(Matern("3/2", 1e14), 1.0).value == 1.4999999999999825e-28  # was 1.50081e-28


@given(kernels, scaled_deltas)
@example(Gaussian(1), 0.5)
def test_two_point_bracket_is_the_float_pair_around_lambda_two(kernel, t):
    delta = t * kernel.lengthscale
    b = lambda_bracket(kernel, 2, delta, 1)
    exact = oracle.lambda_two_ball(kernel, delta)
    assert _is_round_down(b.lower.value, exact)
    assert oracle.is_above(b.upper.value, exact)
    assert not oracle.is_above(math.nextafter(b.upper.value, -math.inf), exact)
