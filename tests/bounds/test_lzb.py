"""The LZB radius condition calculator (bounds/lzb.py, docs/lzb.rst).

Every form is checked against a brute-force oracle that runs the descent recursion step by step
and sums the step lengths; no closed form of bounds/lzb.py is re-typed here.  Initial losses are
drawn as a fraction ``1 ± ε`` of each form's ``allowed_f0`` (ε down to 1e-8), so the comparisons
sit at the verdict's boundary, where a wrong constant shows.

The oracles (docs/lzb.rst, "One step" and the forms):

``model_path`` (the path model of docs/lzb.rst, the ``discrete`` form)
    ``f_{k+1} = f_k − m f_k/(2β)`` (the slowest decrease the PL inequality allows) with the
    longest step ``√(M f_k)/β`` at every iterate, summed until ``f_k ≤ 1e-34 f_0``.
``worst_path`` (the true worst case of gradient descent with step ``1/β``)
    An adversary picks ``‖∇f_k‖² = γ f_k`` with ``γ ∈ [m, min(M, 2β)]``; the descent lemma then
    gives ``f_{k+1} ≤ f_k − γ f_k/(2β)`` (equality is the worst: more loss left, longer future
    path).  The problem is homogeneous (the worst remaining path from loss ``f`` is ``C√f``), so
    the supremum over all sequences is attained by a constant ``γ`` (Bellman:
    ``C = max_γ [√γ/β + C√(1 − γ/(2β))]``); the oracle sums the path for 33 values of ``γ``
    (both ends included) and takes the largest.  The cap ``2β`` holds as long as the remaining
    radius is at least ``√(2f_k/β)`` (an exit would need ``‖∇f‖ ≤ 2f/ρ`` and ``‖∇f‖ > βρ``), which
    a worst path ``≤ R`` guarantees since ``C ≥ √(2/β)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bounds.lzb import FORMS, GD_FORMS, INTERIOR, RadiusConstants, iterations_to, lzb_certificate, lzb_condition
from bounds.result import Quantity

#: Relative accuracy of the oracles: the cumulative product of ~1e5 factors (1e5 u) and the
#: truncated tail (f_K ≤ 1e-34 f_0, so the tail is below 1e-17/(1 − √q) ≤ 1e-13 of the path).
ORACLE_RTOL = 1e-10


def _losses(f0: float, beta: float, gamma: float) -> np.ndarray:
    """``f_0, f_1, …`` of ``f_{k+1} = max(0, f_k − γ f_k/(2β))`` until ``f_k ≤ 1e-34 f_0``."""
    factor = max(0.0, 1.0 - gamma / (2.0 * beta))
    if factor == 0.0:
        return np.array([f0, 0.0])
    n = int(math.ceil(math.log(1e-34) / math.log(factor))) + 2  # only sizes the array
    return f0 * np.concatenate([[1.0], np.cumprod(np.full(n, factor))])


def _path(f0: float, beta: float, step_gamma: float, decrease_gamma: float) -> float:
    """``Σ_k √(step_gamma · f_k)/β`` along the losses of :func:`_losses` with ``decrease_gamma``."""
    f = _losses(f0, beta, decrease_gamma)
    return float(math.fsum(np.sqrt(step_gamma * f) / beta))


def model_path(f0: float, m: float, M: float, beta: float) -> float:
    """The path model of docs/lzb.rst (module docstring): decrease by ``m``, steps by ``M``."""
    return _path(f0, beta, M, m)


def worst_path(f0: float, m: float, M: float, beta: float) -> float:
    """The worst-case path length of gradient descent (module docstring): a constant adversary
    ``γ ∈ [m, min(M, 2β)]``, the largest path over a grid of 33 values."""
    top = min(M, 2.0 * beta)
    gammas = np.unique(np.concatenate([[m, top], np.geomspace(m, top, 33)]))
    return max(_path(f0, beta, g, g) for g in gammas)


@st.composite
def sandwiches(draw):
    """``(m, M, β, R)``: constants of a PL sandwich, ``m/(2β) ∈ [1e-3, 1/2]``, ``β/M ∈ [0.05, 50]``
    (``β ≥ M/2`` as for a smooth ``f ≥ 0``, or smaller: both are only upper bounds)."""
    x = draw(st.floats(1e-3, 0.5))  # m / (2 beta): q = 1 - x
    beta_over_M = draw(st.floats(0.05, min(50.0, 1.0 / (2.0 * x))))
    M = draw(st.floats(1e-3, 1e3))
    beta = beta_over_M * M
    return min(2.0 * beta * x, M), M, beta, draw(st.floats(1e-3, 10.0))


#: ε in f0 = allowed (1 ± ε): from the oracle's resolution (1e-8 >> ORACLE_RTOL) to 30 %.
epsilons = st.floats(-8, -0.5).map(lambda e: 10.0**e)
#: The extreme sandwich beta = M/2, m = M (q = 1/2) and a nearly flat one (q = 1 - 1e-3).
EXTREMES = [(1.0, 1.0, 0.5, 1.0), (2e-3, 1.0, 1.0, 3.0)]


def _allowed(form: str, m: float, M: float, beta: float, R: float) -> float:
    return lzb_condition(0.0, m, M, beta, R).allowed_f0[form]


# -------------------------------------------------------------------------------- the forms


@given(sandwiches(), epsilons, st.sampled_from([-1, 1]))
@example(EXTREMES[0], 1e-8, -1)
@example(EXTREMES[1], 1e-8, 1)
def test_discrete_form_is_exactly_the_path_model(constants, eps, side):
    # Independent source: brute-force summation of the path model.  The form is exact for it, so
    # the verdict must agree on both sides of the boundary.
    m, M, beta, R = constants
    f0 = _allowed("discrete", m, M, beta, R) * (1 + side * eps)
    path = model_path(f0, m, M, beta)
    assert abs(path / R - 1) > ORACLE_RTOL, "the drawn f0 must be resolvable by the oracle"
    assert lzb_condition(f0, m, M, beta, R).holds("discrete") == (path <= R) == (side < 0)


def _check_below_boundary(form: str, m: float, M: float, beta: float, R: float, eps: float) -> None:
    allowed = _allowed(form, m, M, beta, R)
    if allowed == 0.0:  # the sqrt form's m M <= 16 beta^2 failed: nothing to check
        assert form == "sqrt" and m * M > 16 * beta**2
        return
    f0 = allowed * (1 - eps)
    assert lzb_condition(f0, m, M, beta, R).holds(form)
    assert worst_path(f0, m, M, beta) <= R * (1 + ORACLE_RTOL)
    if form in ("discrete", "simplified"):  # docs/lzb.rst: both bound the path model
        assert model_path(f0, m, M, beta) <= R * (1 + ORACLE_RTOL)
    if form == "lzb":  # the same model with LZB's smoothness cap |grad f|^2 <= 2 beta f on the steps
        assert _path(f0, beta, min(M, 2 * beta), m) <= R * (1 + ORACLE_RTOL)


@pytest.mark.parametrize("form", GD_FORMS)
@given(constants=sandwiches(), eps=epsilons)
def test_each_gradient_descent_form_keeps_the_worst_path_in_the_ball(form, constants, eps):
    # Independent source: the brute-force worst case of gradient descent (module docstring), and
    # each form's own path model.  Just below each form's allowed f0 the path stays inside R.
    _check_below_boundary(form, *constants, eps)


@pytest.mark.parametrize("constants", EXTREMES)
@pytest.mark.parametrize("form", GD_FORMS)
def test_each_gradient_descent_form_at_the_extreme_sandwiches(form, constants):
    _check_below_boundary(form, *constants, 1e-8)


@given(sandwiches())
@example(EXTREMES[1])
def test_simplified_and_sqrt_forms_lose_at_most_their_derived_slack(constants):
    # Sharpness against the oracles (a form may be conservative, by no more than its proof
    # loses): "simplified" replaces 1 - sqrt q by (1 - q)/2, so at its boundary the model path
    # is (1 + sqrt q)/2 >= 1 - m/(4 beta) of R; "sqrt" is the same bound on the worst path.
    m, M, beta, R = constants
    slack = 1 - m / (4 * beta)
    assert model_path(_allowed("simplified", m, M, beta, R), m, M, beta) >= R * slack * (1 - ORACLE_RTOL)
    if _allowed("sqrt", m, M, beta, R) > 0:
        assert worst_path(_allowed("sqrt", m, M, beta, R), m, M, beta) >= R * slack * (1 - ORACLE_RTOL)


@given(sandwiches())
def test_rate_is_the_slowest_decrease_of_one_step(constants):
    # Independent source: one step of the worst-case recursion of the oracles (the descent lemma
    # with the PL lower bound, f_1 = f_0 - m f_0/(2 beta)): the certified rate must be exactly it,
    # never faster (an unsafe envelope) and never slower (a needlessly weak guarantee).
    m, M, beta, R = constants
    point = lzb_condition(1.0, m, M, beta, R)
    assert point.rate == pytest.approx(_losses(1.0, beta, m)[1], rel=4 * np.finfo(float).eps)


def test_flow_form_is_the_gradient_flow_path():
    # Independent source: the gradient flow f' = -m f with speed sqrt(M f), integrated by scipy
    # (adaptive quadrature of the path length sqrt(M f0) e^{-m t/2} over t in [0, inf)).
    from scipy.integrate import quad

    m, M, beta, R = 0.3, 2.0, 5.0, 1.5
    allowed = lzb_condition(0.0, m, M, beta, R).allowed_f0["flow"]
    length, _ = quad(lambda t: math.sqrt(M * allowed * math.exp(-m * t)), 0, math.inf, epsabs=0, epsrel=1e-12)
    assert length == pytest.approx(R, rel=1e-10)


@given(st.floats(1e-3, 0.5), st.floats(1e-3, 10.0))
def test_verdict_is_monotone_in_f0_and_zero_without_pl(x, R):
    # Holding at f0 implies holding at every smaller f0; m = 0 (no PL) allows nothing.
    point = lzb_condition(1.0, 2 * x, 1.0, 1.0, R)
    for form in FORMS:
        a = point.allowed_f0[form]
        assert lzb_condition(a, 2 * x, 1.0, 1.0, R).holds(form) or a == 0.0
        assert lzb_condition(a * 0.5, 2 * x, 1.0, 1.0, R).holds(form) or a == 0.0
    assert all(v == 0.0 for v in lzb_condition(0.5, 0.0, 1.0, 1.0, R).allowed_f0.values())


# ------------------------------------------------------------------------ iterations, search


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


def test_certificate_radius_is_the_brute_force_boundary_of_the_path_model():
    # Independent source: the discrete form's smallest feasible radius, found by bisecting the
    # brute-force path model (constants m(r) = e^{-r}, M = 2, beta = 3 at r = R), with the room
    # (1 + INTERIOR) f0 the certificate asks of the radius it reports (docs/lzb.rst).
    f0 = 1e-3

    def fits(R: float) -> bool:
        return model_path(f0 * (1 + INTERIOR), math.exp(-R), 2.0, 3.0) <= R

    lo, hi = 1e-4, 1.0
    assert not fits(lo) and fits(hi)
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    cert = lzb_certificate(f0, lambda r: RadiusConstants(*_given(math.exp(-r), 2.0, 3.0)))
    assert cert.best.R == pytest.approx(hi, rel=1e-9)


@given(st.floats(0.0, 3.0))
def test_certificate_evaluates_the_constants_at_theta0_norm_plus_R(theta0_norm):
    # The constants are valid on |theta| <= rho; the ball B(theta0, R) needs rho = |theta0| + R.
    calls = []

    def m(r):
        calls.append(r)
        return math.exp(-r)

    cert = lzb_certificate(1e-6, lambda r: RadiusConstants(*_given(m(r), 1.0, 1.0)), theta0_norm=theta0_norm,
                           grid_size=9)
    assert cert.guaranteed
    assert calls[:9] == pytest.approx([theta0_norm + p.R for p in cert.grid], rel=1e-15)
    assert cert.best.m == pytest.approx(math.exp(-(theta0_norm + cert.best.R)), rel=1e-15)


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
    with pytest.raises(ValueError, match="form must be one of"):
        lzb_condition(1.0, 1.0, 1.0, 1.0, 1.0).holds("slide")
    assert set(FORMS) == {"discrete", "simplified", "sqrt", "lzb", "flow"}
