"""The LZB margins (bounds.lzb): each ``allowed_f0`` is at most the exact largest initial loss its
form allows, and the rate ``1 − m/(2β)`` is at least the exact one.

Independent source: the oracle's formulas of docs/lzb.rst in ball arithmetic at the same float
constants (the verdict ``f0 ≤ allowed_f0`` must imply the exact inequality).
"""

from __future__ import annotations

from flint import ctx
from hypothesis import example, given
from hypothesis import strategies as st

from bounds.lzb import FORMS, lzb_condition
from verify.testing import oracle

positive = st.floats(1e-6, 1e6)


@st.composite
def constants(draw):
    M = draw(positive)
    m = draw(st.floats(0.0, 1.0)) * M
    beta = max(draw(positive), m / 2)  # m ≤ 2β: the rate 1 − m/(2β) is in [0, 1]
    return m, M, beta, draw(st.floats(1e-4, 10.0))


@given(constants(), st.floats(0.0, 1.0))
@example((0.1, 0.3, 0.7, 0.3), 0.0)
def test_allowed_f0_is_below_the_exact_threshold_and_the_rate_above(mMbR, f0):
    m, M, beta, R = mMbR
    point = lzb_condition(f0, m, M, beta, R)
    exact = oracle.lzb_allowed(m, M, beta, R)
    for form in FORMS:
        assert oracle.is_below(point.allowed_f0[form], exact[form]), (form, point.allowed_f0[form], exact[form])
    with ctx.workprec(oracle.PREC):
        rate = 1 - oracle.ball(m) / (2 * oracle.ball(beta))
    assert oracle.is_above(point.rate, rate)
