"""Directed rounding (bounds/_core/rounding.py): every function against exact rational arithmetic.

Independent source throughout: :class:`fractions.Fraction`, which compares a float (its exact binary
value) with an exact rational without rounding, and ``math.nextafter`` for the neighbouring floats.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bounds._core.rounding import UNIT_ROUNDOFF, down, gamma_k, round_down, round_up, up


def _exact(x: mpmath.mpf) -> Fraction:
    sign, man, exp, _ = x._mpf_  # the exact binary value (-1)^sign · man · 2^exp (mpf(x) would round it)
    return (-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp)


def _mpf(man: int, exp: int) -> mpmath.mpf:
    """The exact rational ``man · 2^exp`` as an mpmath number (enough bits to hold it)."""
    with mpmath.workprec(max(53, abs(man).bit_length() + 2)):
        return mpmath.ldexp(mpmath.mpf(man), exp)


# Exact rationals with up to 120-bit mantissas over the whole double range and a bit beyond it
# (subnormals, overflow), most of them not floats.
rationals = st.builds(_mpf, st.integers(-(2**120), 2**120), st.integers(-1250, 900))


def _steps(f: float, n: int, towards: float) -> float:
    for _ in range(n):
        f = math.nextafter(f, towards)
    return f


def test_unit_roundoff_is_half_the_spacing_at_one():
    # Independent source: math.ulp(1.0) = 2^-52 is IEEE double's machine epsilon.
    assert UNIT_ROUNDOFF == math.ulp(1.0) / 2 == 2.0**-53


@pytest.mark.parametrize("k", [1, 2, 3, 11, 1000, 10**6, 2**40])
def test_gamma_k_is_the_smallest_safe_float_above_k_u_over_1_minus_k_u(k):
    # Independent source: γ_k = k u / (1 − k u) in exact rationals (Higham §3.1).
    u = Fraction(1, 2**53)
    exact = k * u / (1 - k * u)
    g = gamma_k(k)
    assert Fraction(g) >= exact  # rounded up: never below γ_k
    assert Fraction(_steps(g, 2, 0.0)) < exact  # and at most two ulps above it


def test_gamma_k_refuses_k_u_at_least_one():
    with pytest.raises(ValueError, match="k must satisfy"):
        gamma_k(2**53)


@given(rationals)
@example(_mpf(18014398509480987, 0))  # 54 bits: exactly between two floats, rounds down to ...986
@example(_mpf(1, 0))  # an exact float: rounding must return it unchanged
@example(_mpf(1, -1074))  # the smallest subnormal
@example(_mpf(3, -1076))  # between 0 and the smallest subnormal
@example(_mpf(-3, -1076))
@example(_mpf(2**60 + 1, 964))  # above the largest float
@example(_mpf(-(2**60) - 1, 964))
def test_round_down_is_the_largest_float_below(x):
    f = round_down(x)
    assert Fraction(f) <= _exact(x) if math.isfinite(f) else f == -math.inf
    above = math.nextafter(f, math.inf)
    assert not Fraction(above) <= _exact(x) if math.isfinite(above) else True


@given(rationals)
@example(_mpf(1, 0))
@example(_mpf(3, -1076))
@example(_mpf(-3, -1076))
@example(_mpf(2**60 + 1, 964))
@example(_mpf(-(2**60) - 1, 964))
def test_round_up_is_the_smallest_float_above(x):
    f = round_up(x)
    assert Fraction(f) >= _exact(x) if math.isfinite(f) else f == math.inf
    below = math.nextafter(f, -math.inf)
    assert not Fraction(below) >= _exact(x) if math.isfinite(below) else True


def test_round_down_and_up_of_an_exact_float_return_it():
    for f in (0.0, 1.0, -2.5, 5e-324, 1.7976931348623157e308, 0.1):
        assert round_down(mpmath.mpf(f)) == f == round_up(mpmath.mpf(f))


@given(rationals.filter(lambda x: abs(x) < mpmath.mpf(2) ** 1000), st.integers(0, 5))
@example(_mpf(-18014398509480985, 0), 0)  # 54 bits: down() once rounded it to 53 bits first (to nearest)
def test_down_is_round_down_then_ulps_more_towards_minus_infinity(x, ulps):
    f = down(x, ulps)
    assert f == _steps(round_down(x), ulps, -math.inf)
    assert Fraction(f) <= _exact(x)
    if ulps:  # strictly below: a margin, not just a rounding
        assert Fraction(f) < _exact(x)


@given(rationals.filter(lambda x: abs(x) < mpmath.mpf(2) ** 1000), st.integers(0, 5))
@example(_mpf(18014398509480985, 0), 0)
def test_up_is_round_up_then_ulps_more_towards_plus_infinity(x, ulps):
    f = up(x, ulps)
    assert f == _steps(round_up(x), ulps, math.inf)
    assert Fraction(f) >= _exact(x)
    if ulps:
        assert Fraction(f) > _exact(x)


def test_down_and_up_default_to_two_ulps_and_accept_floats():
    assert down(1.0) == _steps(1.0, 2, -math.inf)
    assert up(1.0) == _steps(1.0, 2, math.inf)
    assert down(0.1) < 0.1 < up(0.1)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, mpmath.nan, mpmath.inf])
def test_down_and_up_refuse_non_finite_values(bad):
    with pytest.raises(ValueError, match="x must be finite"):
        down(bad)
    with pytest.raises(ValueError, match="x must be finite"):
        up(bad)


@given(st.fractions(min_value=Fraction(1, 10**6), max_value=10**6))
@example(Fraction(5, 3))  # not a float: its nearest float lies below or above it
def test_upper_value_is_above_the_exact_constant_behind_a_nearest_float(q):
    # Independent source: exact rationals.  An "exact" float is the nearest float of a constant, up
    # to half an ulp below it; upper_value must return a float above every such constant (here the
    # worst one, half an ulp above the float), and a "rigorous" float (already an upper bound) as is.
    from bounds._core.rounding import upper_value

    x = float(q)
    worst = Fraction(x) + (Fraction(math.nextafter(x, math.inf)) - Fraction(x)) / 2
    assert Fraction(upper_value(x, "exact")) >= worst
    assert upper_value(x, "exact") == math.nextafter(x, math.inf)
    assert upper_value(x, "rigorous") == x
