"""c1, c2 and κ (kind exact) against Arb: each float is the correctly rounded exact value.

Independent source: the oracle's moments from the Gamma mixture of the Student-t spectral
measure, ``E[ω_1^{2k}] = (2k − 1)!! ν^k Γ(ν − k)/(Γ(ν) ℓ^{2k})`` (the package integrates the
spectral density with sympy instead), and ``1/ℓ²``, ``3/ℓ⁴`` for the Gaussian.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.regularity import regularity_constant, regularity_constants
from verify.testing import oracle
from verify.testing.strategies import lengthscales

nus_above_two = st.one_of(
    st.builds(Fraction, st.integers(21, 5000), st.sampled_from([1, 2, 3, 4, 10])).filter(lambda x: x > 2),
    st.floats(2.001, 500.0),
)
kernels = st.builds(Matern, nus_above_two, lengthscales()) | st.builds(Gaussian, lengthscales())


@given(kernels)
@example(Matern("5/2"))
@example(Matern(500, "1/3"))
@example(Gaussian("1/4"))
@example(Gaussian(3.9999999999999996))  # c1 = 1/ℓ lies 2^-108 above a halfway point: a double rounding
def test_c1_c2_kappa_are_correctly_rounded(kernel):
    reg = regularity_constants(kernel)
    c1, c2, kappa = oracle.regularity(kernel)
    assert oracle.rounds_to(reg.c1.value, c1) and reg.c1.kind == "exact"
    assert oracle.rounds_to(reg.c2.value, c2) and reg.c2.kind == "exact"
    assert oracle.rounds_to(reg.kappa.value, kappa) and reg.kappa.kind == "exact"
    assert reg.c0.value == 1.0 and reg.c0.kind == "exact"
    for q, enc in ((reg.c1, c1), (reg.c2, c2), (reg.kappa, kappa)):  # mp: dps - 1 correct digits
        assert oracle.within(q.mp, enc, abs(q.value) * 10.0 ** (1 - q.dps))


@given(st.floats(1.001, 2.0), lengthscales())
def test_c1_alone_for_nu_between_one_and_two(nu, ell):
    kernel = Matern(nu, ell)
    assert oracle.rounds_to(regularity_constant(kernel, 1).value, oracle.regularity(kernel)[0])
