"""The regularity constants c0, c1, c2, κ of :mod:`bounds.regularity` (docs/kappa.rst).

Every expected value names its independent source in a comment.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, target
from hypothesis import strategies as st
from scipy import integrate, stats

from bounds.kernels import Gaussian, Matern, RandomFourierKernel, StudentT
from bounds.regularity import (
    ELL,
    NU,
    derived_kappa_expr,
    gaussian_moment_expr,
    matern_moment_condition,
    matern_moment_expr,
    published_kappa_bound,
    published_kappa_expr,
    quartic_form_max,
    regularity_constant,
    regularity_constants,
    rff_regularity,
)
from verify.testing.profiles import scaled
from verify.testing.strategies import rff_kernels

# ---------------------------------------------------------------------------------------------
# Symbolic moments against independent quadrature of the spectral density
# ---------------------------------------------------------------------------------------------

MOMENT_CASES = [  # (nu, lengthscale, k) with nu > k; non-half-integer nu included
    (2.3, 1.0, 1),
    (2.3, 0.7, 2),
    (3.7, 1.0, 1),
    (3.7, 1.6, 2),
    (2.5, 1.0, 2),
    (5.5, 2.0, 2),
]


@pytest.mark.parametrize("nu, ell, k", MOMENT_CASES)
def test_moment_matches_1d_quadrature_of_marginal_density(nu, ell, k):
    # Independent source: scipy.integrate.quad of w^{2k} p(w) with p the D = 1 density of the
    # kernel module (float code path, not the sympy integral), and scipy.stats' Student-t moment.
    sym = float(matern_moment_expr(k).subs({NU: nu, ELL: ell}))
    density = StudentT(nu, ell).density
    quad, err = integrate.quad(lambda w: w ** (2 * k) * density(np.array([w])), -np.inf, np.inf,
                               epsabs=0, epsrel=1e-12, limit=500)
    assert sym == pytest.approx(quad, rel=1e-8)
    # scipy.stats: omega_1 = t_{2 nu} / ell
    assert sym == pytest.approx(stats.t(df=2 * nu, scale=1 / ell).moment(2 * k), rel=1e-10)


@pytest.mark.parametrize("nu, ell, k", [(2.3, 1.0, 1), (3.7, 1.3, 2)])
def test_moment_matches_quadrature_of_2d_multivariate_density(nu, ell, k):
    # Independent source: scipy.integrate.dblquad of w_1^{2k} p(w_1, w_2) over R^2 (polar
    # coordinates) with the *bivariate* Student-t density of bounds.kernels (D = 2), i.e.
    # without the marginal argument the symbolic integral rests on.
    density = StudentT(nu, ell).density

    def integrand(t, r):
        w = np.array([r * np.cos(t), r * np.sin(t)])
        return w[0] ** (2 * k) * density(w) * r

    val, _ = integrate.dblquad(integrand, 0, np.inf, 0, 2 * np.pi, epsabs=0, epsrel=1e-10)
    sym = float(matern_moment_expr(k).subs({NU: nu, ELL: ell}))
    assert sym == pytest.approx(val, rel=1e-8)


def test_moment_expressions_and_convergence_conditions():
    # Independent source: Student-t moments E[t^2] = n/(n-2), E[t^4] = 3n^2/((n-2)(n-4)) with
    # n = 2 nu (any statistics text), and omega_1 = t/ell.
    n = 2 * NU
    assert sp.simplify(matern_moment_expr(1) - n / (n - 2) / ELL**2) == 0
    assert sp.simplify(matern_moment_expr(2) - 3 * n**2 / ((n - 2) * (n - 4)) / ELL**4) == 0
    assert matern_moment_expr(0) == 1  # a probability density
    # sympy's own convergence condition is exactly the divergence threshold nu > k
    assert matern_moment_condition(1) == (NU > 1)
    assert matern_moment_condition(2) == (NU > 2)
    # Gaussian: E[Z^2] = 1, E[Z^4] = 3 for Z ~ N(0, 1), omega_1 = Z/ell.
    assert gaussian_moment_expr(1) == ELL**-2
    assert gaussian_moment_expr(2) == 3 * ELL**-4


# ---------------------------------------------------------------------------------------------
# Exact constants
# ---------------------------------------------------------------------------------------------


def test_half_integer_exact_algebraic_numbers():
    # Independent source: docs/kappa.rst (nu = 5/2: c1 = sqrt(5/3), c2 = 5), i.e. the
    # Student-t moments with n = 5: E t^2 = 5/3, E t^4 = 3*25/(3*1) = 25.
    reg = regularity_constants(Matern("5/2"))
    assert sp.simplify(reg.c1.expr - sp.sqrt(sp.Rational(5, 3))) == 0
    assert reg.c2.expr == 5
    assert reg.c0.expr == 1
    assert sp.simplify(reg.kappa.expr - (6 + sp.sqrt(sp.Rational(5, 3)))) == 0
    # nu = 7/2 (n = 7): E t^2 = 7/5, E t^4 = 3*49/(5*3) = 49/5.
    reg = regularity_constants(Matern("7/2", lengthscale="1/2"))
    assert sp.simplify(reg.c1.expr - 2 * sp.sqrt(sp.Rational(7, 5))) == 0
    assert sp.simplify(reg.c2.expr - 4 * sp.sqrt(sp.Rational(49, 5))) == 0
    assert all(q.kind == "exact" for q in (reg.c0, reg.c1, reg.c2, reg.kappa))
    assert all(isinstance(q.expr, sp.Expr) and q.expr.is_number for q in (reg.c1, reg.c2))


def test_published_bound_equals_derived_kappa_symbolically():
    # Independent source: the paper's Proposition as stated in docs/kappa.rst, compared by
    # symbolic simplification with kappa integrated from the density at ell = 1.
    assert sp.simplify(derived_kappa_expr(1) - published_kappa_expr()) == 0
    # and at ell != 1 the derived kappa is NOT the proposition (the slide's ell is 1)
    assert sp.simplify(derived_kappa_expr(2) - published_kappa_expr()) != 0
    # the numeric wrapper agrees with regularity_constants() at a rational nu
    assert published_kappa_bound("7/2").mp == regularity_constants(Matern("7/2"), dps=30).kappa.mp


def test_gaussian_constants():
    # Independent source: docs/kappa.rst (c1 = 1/ell, c2 = sqrt(3)/ell^2), i.e. N(0,1) moments 1 and 3.
    reg = regularity_constants(Gaussian("3/2"))
    assert reg.c1.expr == sp.Rational(2, 3)
    assert sp.simplify(reg.c2.expr - sp.sqrt(3) * sp.Rational(4, 9)) == 0


@pytest.mark.parametrize("nu, ell", [("5/2", "1"), ("23/10", "7/10"), ("37/10", "8/5"), ("9", "3")])
def test_mpmath_self_consistent_across_precisions_and_with_float_path(nu, ell):
    values = {dps: regularity_constants(Matern(nu, ell), dps=dps) for dps in (15, 30, 60)}
    for name in ("c1", "c2", "kappa"):
        v15, v30, v60 = (getattr(values[d], name).mp for d in (15, 30, 60))
        with mpmath.workdps(70):
            assert abs(v30 - v60) <= abs(v60) * mpmath.mpf(10) ** -29
            assert abs(v15 - v60) <= abs(v60) * mpmath.mpf(10) ** -14
        assert getattr(values[60], name).dps == 60
    # Independent float path: the StudentT gammaln formula of bounds.kernels.
    spec = Matern(nu, ell).spectral
    assert values[60].c1.value == pytest.approx(math.sqrt(spec.moment(1)), rel=1e-13)
    assert values[60].c2.value == pytest.approx(math.sqrt(spec.moment(2)), rel=1e-13)


def test_float_parameters_have_no_exact_expression_but_correct_values():
    reg = regularity_constants(Matern(2.3, 0.9), dps=40)
    assert reg.c1.expr is None and reg.c2.expr is None
    # Independent source: Student-t moment formula n/(n-2) at n = 4.6 evaluated with mpmath.
    with mpmath.workdps(40):
        nu, ell = mpmath.mpf(2.3), mpmath.mpf(0.9)
        expected = mpmath.sqrt(nu / (nu - 1)) / ell
        assert abs(reg.c1.mp - expected) < mpmath.mpf(10) ** -38


def test_regularity_repr_and_dict_are_readable():
    reg = regularity_constants(Matern("5/2"))
    text = repr(reg)
    assert "c1" in text and "sqrt(15)/3" in text and "[exact]" in text and "docs/kappa.rst" in text
    d = reg.to_dict()
    assert d["c2"]["expr"] == "5" and d["kappa"]["kind"] == "exact"


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: regularity_constants(Matern(1)), ["nu must be > 1", "E[w_1^2]", "Dv"]),
        (lambda: regularity_constants(Matern("1/2")), ["nu must be > 1", "c1"]),
        (
            lambda: regularity_constants(Matern("3/2")),
            ["nu must be > 2", "E[w_1^4]", "D^2 v", "beta(R)", "gradient descent"],
        ),
        (lambda: regularity_constants(Matern(2)), ["nu must be > 2", "c2"]),
        (lambda: regularity_constant(Matern("3/2"), 2), ["nu must be > 2"]),
        (lambda: regularity_constant(Matern(1), 1), ["nu must be > 1"]),
        (lambda: published_kappa_bound(2), ["nu must be > 2"]),
        (lambda: published_kappa_bound("1/2"), ["nu must be > 1"]),
        (lambda: Matern("5/2", 0), ["lengthscale must be > 0"]),
        (lambda: Matern("5/2", -1.0), ["lengthscale must be > 0"]),
        (lambda: Gaussian(0), ["lengthscale must be > 0"]),
        (lambda: Matern(float("nan")), ["nu must be finite"]),
        (lambda: Matern(float("inf")), ["nu must be finite"]),
        (lambda: Matern("5/2", float("inf")), ["lengthscale must be finite"]),
        (lambda: Matern(0), ["nu must be > 0"]),
        (lambda: regularity_constants(Matern("5/2"), dps=0), ["dps must be an integer >= 1"]),
        (lambda: regularity_constant(Matern("5/2"), 3), ["order must be 0, 1 or 2"]),
        (lambda: RandomFourierKernel(np.array([[np.nan, 1.0]])), ["omega must contain only finite"]),
        (lambda: quartic_form_max(np.ones((3, 2)), rtol=-1.0), ["rtol must be"]),
        (lambda: regularity_constant(RandomFourierKernel(np.ones((2, 2))), 1), ["kernel must be a Matern"]),
        (lambda: regularity_constants("matern"), ["kernel must be a Matern, Gaussian or RandomFourierKernel"]),
    ],
)
def test_bad_input_raises_value_error_naming_parameter_and_range(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_c1_is_available_where_kappa_is_not():
    # 1 < nu <= 2: Condition 1 fails but the PL constants (which use only c1) are finite.
    # Independent source: Student-t with n = 3 dof, E t^2 = 3.
    assert regularity_constant(Matern("3/2"), 1).expr == sp.sqrt(3)


# ---------------------------------------------------------------------------------------------
# Random features: exact c1 of the sample, certified c2 bracket
# ---------------------------------------------------------------------------------------------


def _f(omega, U):
    return np.mean((omega @ U.T) ** 4, axis=0)


def test_rff_c1_and_c2_on_a_hand_computed_sample():
    # Independent source: hand computation. omega = {(1, 0), (0, 2)}: (1/q) sum w w^T =
    # diag(1/2, 2) -> c1 = sqrt(2); f(u) = (u1^4 + 16 u2^4)/2 has max 8 at u = e2 -> c2 = sqrt 8.
    reg = rff_regularity(RandomFourierKernel(np.array([[1.0, 0.0], [0.0, 2.0]])))
    assert reg.c1.value == pytest.approx(math.sqrt(2), rel=1e-12) and reg.c1.value >= math.sqrt(2)
    assert reg.c2_lower.value <= math.sqrt(8) * (1 + 1e-15) <= reg.c2.value
    assert reg.c2.value <= math.sqrt(8) * (1 + 1e-3)
    assert reg.kappa.kind == "rigorous"


def test_rff_one_dimension_is_exact():
    # Independent source: in D = 1 the quartic form is the plain mean of w^4.
    omega = np.array([[0.5], [-2.0], [3.0]])
    reg = rff_regularity(RandomFourierKernel(omega))
    assert reg.c2.value == pytest.approx(math.sqrt(np.mean(omega[:, 0] ** 4)), rel=1e-13)
    assert reg.c1.value == pytest.approx(math.sqrt(np.mean(omega[:, 0] ** 2)), rel=1e-13)


def test_rff_c2_bracket_contains_brute_force_maximum_in_2d():
    # Independent source: brute force over 20001 equally spaced angles on the half circle; the
    # grid maximum is a lower bound of the true max, and within O(h^2) = 1e-8 relative of it.
    omega = RandomFourierKernel.from_kernel(Matern("5/2"), 300, 2, seed=7).omega
    res = quartic_form_max(omega, rtol=1e-4)
    theta = np.linspace(0, np.pi, 20001)
    grid = _f(omega, np.stack([np.cos(theta), np.sin(theta)], axis=1)).max()
    assert res.upper >= grid
    assert res.lower <= res.upper
    assert grid <= res.upper <= grid * (1 + 1e-4 + 1e-6)  # certified bracket is this tight
    assert res.converged and res.gap <= 1e-4 * res.lower * (1 + 1e-9)


@given(rff=rff_kernels(max_dim=3, max_q=60), seed=st.integers(0, 2**32 - 1))
@scaled(15)  # ci count; each example runs a branch and bound over the sphere
@example(rff=RandomFourierKernel(np.array([[1.0, 1.0], [1.0, -1.0]])), seed=0)
def test_rff_certified_c2_is_never_below_the_quartic_form(rff, seed):
    # Independent source: f evaluated at 4000 random unit vectors plus the coordinate axes;
    # each value is a lower bound of the maximum the certified bound must dominate.
    res = quartic_form_max(rff.omega, rtol=1e-2, max_boxes=3000)
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((4000, rff.dim))
    U = np.vstack([U / np.linalg.norm(U, axis=1, keepdims=True), np.eye(rff.dim)])
    sampled = _f(rff.omega, U).max()
    target(float(sampled / res.upper), label="sampled max / certified upper")
    assert sampled <= res.upper
    assert res.lower <= res.upper
    # the fallback (1/q) sum |w|^4 is valid and never beaten from below by the bound
    assert res.upper <= np.mean(np.sum(rff.omega**2, axis=1) ** 2) * (1 + 1e-9)


def _arc_max(omega: np.ndarray, theta0: float, rho: float) -> float:
    """Brute force: the largest ``(1/q)Σ(ω_j·u)⁴`` over the unit circle within chord distance ``rho``
    of ``u0 = (cos θ0, sin θ0)`` (the arc of half-angle ``2 arcsin(ρ/2)``, 2001 points)."""
    half = 2 * np.arcsin(min(rho, 2.0) / 2)
    th = np.linspace(theta0 - half, theta0 + half, 2001)
    return float(np.max(_f(omega, np.stack([np.cos(th), np.sin(th)], axis=1))))


@pytest.mark.parametrize("omega", [np.array([[1.0, 0.0]]), np.array([[1.0, 0.0], [0.3, -2.0]]),
                                   np.random.default_rng(5).standard_normal((6, 2))], ids=["one", "two", "six"])
def test_cap_bound_is_above_the_quartic_form_on_every_cap(omega):
    # Independent source: brute force over each arc.  A grid of caps (centre angle x radius)
    # covers where each term of the cap remainder matters: f(u0) ~ 0 (the rho^4 term alone), the
    # flanks where (w.u0)^2 is small but nonzero (the 6 rho^2 term dominates), the maximum.
    from bounds.regularity.sampled import _cap_upper

    norms = np.linalg.norm(omega, axis=1)
    worst = 0.0
    for theta0 in np.linspace(0, np.pi, 61):
        u0 = np.array([[np.cos(theta0), np.sin(theta0)]])
        for rho in np.geomspace(0.01, 1.5, 20):
            bound = float(_cap_upper(omega, norms, u0, np.array([rho]))[0])
            worst = max(worst, _arc_max(omega, theta0, rho) / bound)
    assert worst <= 1.0
    assert worst > 0.99  # the bound is nearly attained somewhere: the test can see a lost factor


def test_chord_radius_is_the_largest_chord():
    # Independent source: brute force over 20001 points on the boundary of the ball |x - c| <= r
    # (in the plane of c: the extreme directions lie there by symmetry).
    from bounds.regularity.sampled import _chord_radius

    for r, cn in ((0.1, 1.0), (0.5, 1.0), (0.9, 1.0), (0.3, 2.0)):
        phi = np.linspace(0, 2 * np.pi, 20001)
        x = np.stack([cn + r * np.cos(phi), r * np.sin(phi)], axis=1)
        brute = np.max(np.linalg.norm(x / np.linalg.norm(x, axis=1, keepdims=True) - [1.0, 0.0], axis=1))
        got = float(_chord_radius(np.array([r]), np.array([cn]))[0])
        assert brute <= got <= brute * (1 + 1e-6)
    assert float(_chord_radius(np.array([1.5]), np.array([1.0]))[0]) == 2.0  # the ball holds 0


@given(rff=rff_kernels(max_dim=3, max_q=60))
@scaled(15)  # ci count; each example runs a branch and bound over the sphere
def test_rff_constants_are_never_below_the_exact_sample_constants(rff):
    # Independent source: mpmath at 40 digits: c1^2 = lambda_max((1/q) sum w w^T) (mpmath's
    # eigensolver on the exact float frequencies); c2 >= sqrt of the quartic form at the best
    # point found, evaluated exactly.  The float values must sit above them (rigorous upper bounds).
    reg = rff_regularity(rff)
    with mpmath.workdps(40):
        W = mpmath.matrix(rff.omega.tolist())
        S = W.T * W / rff.q
        c1 = mpmath.sqrt(max(mpmath.eigsy(S)[0]))
        assert mpmath.mpf(reg.c1.value) >= c1
        u = quartic_form_max(rff.omega).argmax
        quartic = mpmath.fsum(mpmath.fsum(mpmath.mpf(w) * mpmath.mpf(x) for w, x in zip(row, u, strict=True)) ** 4
                              for row in rff.omega.tolist()) / rff.q
        norm = mpmath.sqrt(mpmath.fsum(mpmath.mpf(x) ** 2 for x in u))
        assert mpmath.mpf(reg.c2.value) >= mpmath.sqrt(quartic) / norm**2
        assert mpmath.mpf(reg.kappa.value) >= 1 + c1 + mpmath.sqrt(quartic) / norm**2
