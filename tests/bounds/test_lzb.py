"""SPEC §7: the LZB radius condition calculator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds.lzb import FORMS, INTERIOR, RadiusConstants, iterations_to, lzb_certificate, lzb_condition
from bounds.result import Quantity

pos = st.floats(1e-3, 1e3, allow_nan=False)


@st.composite
def constants(draw):
    M = draw(pos)
    m = draw(st.floats(1e-4, 1.0)) * M
    beta = draw(st.floats(0.5, 50.0)) * M  # beta >= M/2 >= m/2 as for a smooth f >= 0
    R = draw(st.floats(1e-3, 10.0))
    f0 = draw(st.floats(0.0, 1.0)) * m * R**2
    return f0, m, M, beta, R


@given(constants())
def test_discrete_form_equals_the_summed_path_length(c):
    f0, m, M, beta, R = c
    p = lzb_condition(f0, m, M, beta, R)
    q = 1 - m / (2 * beta)
    # Independent source: brute-force summation of the step bounds sqrt(M f0 q^k)/beta.
    k = np.arange(200_000)
    path = float(np.sum(np.sqrt(M * f0) * q ** (k / 2) / beta))
    tail = np.sqrt(M * f0) * q ** (len(k) / 2) / (beta * (1 - np.sqrt(q)))
    total = path + tail
    if abs(total - R) > 1e-6 * R:  # away from the boundary the verdicts agree
        assert p.holds("discrete") == (total <= R)


@given(constants())
def test_forms_are_ordered_as_derived(c):
    f0, m, M, beta, R = c
    a = lzb_condition(f0, m, M, beta, R).allowed_f0
    # docs/lzb.rst: simplified is implied by discrete (1 - sqrt q >= (1-q)/2), flow is weaker than
    # simplified by 4, and sqrt (when m M <= 16 beta^2) is never worse than simplified (m <= M).
    assert a["simplified"] <= a["discrete"] * (1 + 1e-12)
    assert a["flow"] == pytest.approx(4 * a["simplified"])
    if m * M <= 16 * beta**2:
        assert a["simplified"] <= a["sqrt"] * (1 + 1e-12)
    assert a["lzb"] == pytest.approx(m**2 * R**2 / (32 * beta))


@given(st.floats(1e-12, 1.0), st.floats(1e-6, 1e6), st.floats(0.0, 0.999))
def test_iterations_to_matches_brute_force(target, f0, rate):
    k = iterations_to(target, f0, rate)
    # Independent source: the smallest k with rate^k f0 <= target, found by looping.
    if f0 <= target:
        assert k == 0
        return
    if rate == 0:
        assert k == 1
        return
    brute = 0
    val = f0
    while val > target:
        val *= rate
        brute += 1
    assert abs(k - brute) <= 1  # float rounding of log ratios at exact ties
    assert rate**k * f0 <= target * (1 + 1e-9)


def _given(m: float, M: float, beta: float) -> tuple[Quantity, Quantity, Quantity]:
    return tuple(Quantity(name, value, "exact", "toy constant", "docs/lzb.rst")  # type: ignore[return-value]
                 for name, value in (("m", m), ("M", M), ("beta", beta)))


def test_certificate_best_radius_is_feasible_and_minimal():
    # Toy constants with a closed form: m(r) = e^{-r}, M = 1, beta = 1, f0 small.
    cert = lzb_certificate(1e-4, lambda r: RadiusConstants(*_given(math.exp(-r), 1.0, 1.0)), form="simplified")
    assert cert.guaranteed
    R0 = cert.best.R
    # Closed form: the radius reported keeps the room (1 + INTERIOR) f0 <= e^{-2R} R^2/16, i.e.
    # R e^{-R} >= 4e-2 sqrt(1 + INTERIOR); the smaller root of that.
    from scipy.optimize import brentq

    root = brentq(lambda R: R * math.exp(-R) - 0.04 * math.sqrt(1 + INTERIOR), 1e-6, 1.0)
    assert R0 == pytest.approx(root, rel=1e-8)
    assert cert.best.holds("simplified")


def test_certificate_not_guaranteed_when_f0_too_large():
    cert = lzb_certificate(10.0, lambda r: RadiusConstants(*_given(math.exp(-r), 1.0, 1.0)))
    assert not cert.guaranteed and cert.best is None and cert.feasible == ()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(f0=-1.0, m=1.0, M=1.0, beta=1.0, R=1.0), "f0"),
        (dict(f0=1.0, m=2.0, M=1.0, beta=1.0, R=1.0), "m must be <= M"),
        (dict(f0=1.0, m=1.0, M=1.0, beta=0.1, R=1.0), "m/\\(2 beta\\)"),
        (dict(f0=1.0, m=1.0, M=1.0, beta=1.0, R=float("nan")), "R must be finite"),
        (dict(f0=1.0, m=1.0, M=0.0, beta=1.0, R=1.0), "M must be > 0"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lzb_condition(**kwargs)


def test_bad_form_and_target():
    with pytest.raises(ValueError, match="form must be one of"):
        lzb_certificate(1.0, lambda r: RadiusConstants(*_given(1.0, 1.0, 1.0)), form="flow")
    with pytest.raises(ValueError, match="rate must be in"):
        iterations_to(1e-3, 1.0, 1.0)
    assert set(FORMS) >= {"discrete", "simplified", "sqrt", "lzb", "flow"}
