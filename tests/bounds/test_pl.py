"""bounds.pl: m(R), M(R), the Grönwall factors, λ_lower and Λ_upper at R > 0 (docs/pl.rst).

Each factor is checked where it is active (R > 0, σ(A), σ(B) with distinct extremes, depth T):
against independent mpmath evaluations (tests/bounds/mp_oracles.py), a brute-force enumeration
of the worst ResNet layer product, and the Gram spectrum itself.  The PL sandwich and the
Grönwall bounds along computed flows, with witnesses that attain or approach them at R > 0, are
the suites ``pl`` and ``flow`` (verify/testing/suites/pl.py, run by
tests/verify/testing/test_suites.py).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.pl import c_upper, flow_factors, jacobian_constant, lambda_lower, lambda_max_upper, pl_constants
from bounds.problem import Problem
from tests.bounds import mp_oracles as mo
from verify.testing.reference import EIG_TOL, gram
from verify.testing.strategies import jittered_grid, matrices_with_sv

KERNEL = Matern("5/2")
#: Kernels with closed-form and Bessel-form profiles, ν near the c2 edge and a Gaussian.
PL_KERNELS = [Matern("5/2"), Matern("7/2", "1/2"), Matern(2.3, 1.7), Gaussian("3/2")]
U = np.finfo(float).eps / 2


def _problem(N=4, spacing=2.5):
    rng = np.random.default_rng(0)
    X = spacing * np.arange(N * 2, dtype=float).reshape(N, 2) + rng.uniform(-0.1, 0.1, (N, 2))
    return Problem(X, rng.normal(size=(N, 1)), np.eye(2), np.array([[1.0, 0.5]]), KERNEL)


@st.composite
def pl_problems(draw):
    """A problem whose factors are all active: ``N ∈ [2, 5]`` points of a jittered grid at a
    spacing where the Gershgorin λ is positive at ``R = 0``, ``A`` (3×2) and ``B`` (2×3) with
    distinct singular values in [0.4, 2.5], a kernel of :data:`PL_KERNELS`."""
    kernel = draw(st.sampled_from(PL_KERNELS))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    N = draw(st.integers(2, 5))
    A = draw(matrices_with_sv(3, 2, st.floats(0.4, 2.5)))
    B = draw(matrices_with_sv(2, 3, st.floats(0.4, 2.5)))
    spacing = draw(st.floats(2.0, 5.0)) * kernel.lengthscale / float(np.linalg.svd(A, compute_uv=False)[-1])
    X = jittered_grid(rng, N, 2, spacing)
    return Problem(X, rng.normal(size=(N, 2)), A, B, kernel)


radii = st.floats(0.0, 2.0)


# ------------------------------------------------------------------------------ flow factors


@given(st.floats(0.0, 10.0), radii)
def test_ode_factors_are_the_exponentials(c, R):
    # Independent source: mpmath exp(±cR) at 50 digits (Grönwall for the neural ODE, docs/pl.rst).
    lo, hi = flow_factors(c, R)
    with mpmath.workdps(mo.DPS):
        cR = mpmath.mpf(c) * mpmath.mpf(R)
        assert abs(lo / mpmath.exp(-cR) - 1) < mpmath.mpf(10) ** -28
        assert abs(hi / mpmath.exp(cR) - 1) < mpmath.mpf(10) ** -28


def _worst_layer_product(cR: float, T: int) -> float:
    """``min Π_k (1 − a_k)`` over ``a_k ≥ 0`` with ``Σ a_k² ≤ (cR)²/T`` (layer Jacobians
    ``I + Dv_k/T``, ``a_k = c‖v_k‖/T``, ``(1/T)Σ‖v_k‖² ≤ R²``), by enumerating the KKT points.

    ``Σ log(1 − a_k)`` decreases in every ``a_k``, so the minimum is on the sphere; there the
    Lagrange condition ``a_k(1 − a_k) = κ`` leaves two values ``x ≤ 1/2 ≤ 1 − x`` for the nonzero
    ``a_k``.  ``n₂ ≤ 3`` take the larger one (``(1 − x)² ≥ 1/4`` and the budget is ``< 1``), ``n₁``
    the smaller; every ``(n₁, n₂)`` is tried and ``x`` solved from the budget.  Independent of the
    inequality ``log(1 − a) ≥ −a/(1 − a*)`` the package's factor rests on.
    """
    rho2 = cR**2 / T
    best = 0.0
    n1 = np.arange(1, T + 1, dtype=float)
    for n2 in range(0, 4):
        if n2 == 0:  # x = rho/sqrt(n1)
            x = np.sqrt(rho2 / n1)
            logs = n1 * np.log1p(-x)
        else:  # n1 x^2 + n2 (1 - x)^2 = rho2, x in [0, 1/2]
            k = n1[n1 + n2 <= T]
            a, b, c = k + n2, -2.0 * n2, n2 - rho2
            disc = b * b - 4 * a * c
            ok = disc >= 0
            x = (-b - np.sqrt(np.where(ok, disc, 0.0))) / (2 * a)
            ok &= (x >= 0) & (x <= 0.5)
            if not ok.any():
                continue
            logs = np.where(ok, k * np.log1p(-np.clip(x, 0, 0.5)) + n2 * np.log(np.clip(x, 1e-300, 1)), np.inf)
            if n2 * 0.25 <= rho2 <= n2:  # all budget on n2 layers at exactly 1 - x, n1 = 0
                logs = np.append(logs, n2 * math.log(1 - math.sqrt(rho2 / n2)))
        best = min(best, float(np.min(logs)))
    return math.exp(best)


@given(st.floats(0.01, 0.999), st.integers(1, 10**5))
@example(0.99, 4)  # all the budget in one layer: a = 0.99, product 0.01
@example(0.5, 1)
def test_resnet_factor_is_below_every_admissible_layer_product(fraction, T):
    # Independent source: the brute-force worst layer product (KKT enumeration above).  The
    # package's s_-^(T) must never exceed it, at every depth, not only as T -> inf.
    cR = fraction * math.sqrt(T)
    lo, hi = flow_factors(cR, 1.0, T)
    worst = _worst_layer_product(cR, T)
    assert float(lo) <= worst * (1 + 1e-12)
    # s_+ = e^{cR} bounds prod (1 + a_k) <= exp(sum a_k) <= exp(sqrt(T sum a_k^2)) = e^{cR}
    assert float(hi) == pytest.approx(math.exp(cR), rel=1e-15)


@given(st.floats(0.01, 3.0), st.integers(1, 10**9))
def test_resnet_factor_tends_to_the_ode_factor_at_every_depth(cR, T):
    # At every depth where a* = cR/sqrt(T) <= 1/2 (not only T >= 1e6): -log s_-^(T) exceeds cR
    # by cR a*/(1 - a*) <= 2 cR a* (docs/pl.rst, "Finite depth"), and s_-^(T) grows with T.
    if cR / math.sqrt(T) > 0.5:
        T = math.ceil(4 * cR**2)
    lo_T, hi_T = flow_factors(cR, 1.0, T)
    lo, hi = flow_factors(cR, 1.0)
    excess = float(-mpmath.log(lo_T)) - cR
    assert 0 <= excess <= 2 * cR * cR / math.sqrt(T) * (1 + 1e-12)
    assert lo_T <= lo and hi_T == hi
    assert flow_factors(cR, 1.0, 4 * T)[0] >= lo_T


@pytest.mark.parametrize("T", [1, 4, 16, 100])
def test_resnet_depth_limit_is_cR_below_sqrt_T(T):
    # At c R >= sqrt(T) one layer may carry a = cR/sqrt(T) >= 1: its Jacobian I - a u u^T is
    # singular, so no lower factor exists; the check must not accept sqrt(T) <= cR < T either.
    for cR in (math.sqrt(T), 1.5 * math.sqrt(T), max(math.sqrt(T), T * (1 - 1e-9))):
        with pytest.raises(ValueError, match="depth T"):
            flow_factors(cR, 1.0, T)
    assert flow_factors(0.999 * math.sqrt(T), 1.0, T)[0] > 0


# ------------------------------------------------------------------- m(R), M(R): closed forms


def _oracle(prob: Problem, R: float, constants: str = "sharp", sigma_B=None) -> dict[str, mpmath.mpf]:
    """m(R), M(R) with the data-dependent λ and Λ from docs/pl.rst, every ingredient evaluated
    independently (mp_oracles): c from the spectral moments, σ(B) from mpmath's eigensolver (or
    the given values), Gershgorin row sums of the shrunk distances from the Bessel-form profile."""
    c0, c1, c2 = mo.moments(prob.kernel)
    with mpmath.workdps(mo.DPS):
        c = c1 if constants == "sharp" else c0 + c1 + c2
        s_minus, s_plus = mpmath.exp(-c * R), mpmath.exp(c * R)
        row = mo.gershgorin_row_sum(prob.kernel, prob.lifted, s_minus)
        sBmin, sBmax = mo.sigma(prob.B) if sigma_B is None else (mpmath.mpf(s) for s in sigma_B)
        N = prob.N
        lam = max(1 - row, 0)
        Lam = min(1 + row, N) if constants == "sharp" else mpmath.mpf(N)
        return {"lam": lam, "Lam": Lam, "m": 4 * sBmin**2 * s_minus**2 * lam / N,
                "M": 4 * sBmax**2 * s_plus**2 * Lam / N}


#: Counterexample (found by test_m_and_M_are_never_on_the_unsafe_side): c1 = sqrt(5/3) rounded to
#: the nearest float lies below c1, and e^{2 c1 R} at c1 R = 26 amplified that to ~5 ulps of M(R),
#: more than the 3 ulps of its outward rounding: M(20) was 5.5e-16 below the exact bound.
FAR_PAIR = Problem(np.array([[0.0, 0.0], [15.0, 0.0]]), np.zeros((2, 2)), np.vstack([np.eye(2), np.zeros((1, 2))]),
                   np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.0]]), KERNEL)


@given(pl_problems(), st.floats(0.0, 30.0), st.sampled_from(["sharp", "paper"]))
@example(FAR_PAIR, 20.0, "sharp")
def test_m_and_M_are_never_on_the_unsafe_side(prob, R, constants):
    # Bounds are one-sided, not by one ulp violated: m, lambda below and M, Lambda above their exact
    # values (mpmath, 50 digits, with the exact c1 or kappa), with no slack at all.  sigma(B) is
    # taken as the problem states it (a LAPACK value: docs/pl.rst treats it as data).
    pl = pl_constants(prob, R, lam="data", constants=constants)
    o = _oracle(prob, R, constants, sigma_B=prob.sigma_B)
    assert mpmath.mpf(pl.m.value) <= o["m"] and mpmath.mpf(pl.lam.value) <= o["lam"]
    assert mpmath.mpf(pl.M.value) >= o["M"] and mpmath.mpf(pl.Lam.value) >= o["Lam"]


@given(pl_problems(), radii, st.sampled_from(["sharp", "paper"]))
def test_m_and_M_equal_their_closed_form_at_every_radius(prob, R, constants):
    # Independent source: _oracle (mpmath, 50 digits).  Every factor is active: e^{∓2cR} at R > 0,
    # sigma_min(B) != sigma_max(B), a nontrivial Gershgorin sum; the values may differ only by
    # the rounding margins of the package (relative 1e-12 covers the (N+8)-ulp row-sum margin).
    pl = pl_constants(prob, R, lam="data", constants=constants)
    o = {k: float(v) for k, v in _oracle(prob, R, constants).items()}
    # The package's stated margin on a Gershgorin row sum (docs/lambda_data.rst): (N - 1) entry
    # errors of at most 1e-13 (Bessel form) plus (N + 2) u relative; m and M inherit it through
    # lambda and Lambda, and carry a few ulps of their own.
    margin = prob.N * 2e-13
    assert pl.m.value <= o["m"] * (1 + 1e-14)  # one-sided: a lower bound, rounded down
    assert pl.M.value >= o["M"] * (1 - 1e-14)  # an upper bound, rounded up
    assert abs(pl.lam.value - o["lam"]) <= margin
    assert abs(pl.m.value - o["m"]) <= o["m"] * 1e-13 + (o["m"] / o["lam"] if o["lam"] else 0.0) * margin
    if o["lam"] > margin:  # Gershgorin's row sum below 1: Lambda = 1 + row sum, M from it
        assert abs(pl.Lam.value - o["Lam"]) <= margin
        assert abs(pl.M.value - o["M"]) <= o["M"] * (1e-13 + margin / o["Lam"])
    else:  # row sum >= 1: the package falls back to the trivial Lambda = N (valid, not the sharpest)
        assert pl.Lam.value == prob.N


@given(pl_problems(), radii)
def test_m_and_M_are_rounded_outward_from_their_own_ingredients(prob, R):
    # The last step, m = (4/N) sigma_min(B)^2 s_-^2 lambda rounded down (M up), recomputed in
    # mpmath from the package's own float ingredients: the float must sit on the safe side of
    # the exact product, within the few ulps of the rounding.
    pl = pl_constants(prob, R, lam="data")
    s_minus, s_plus = flow_factors(c_upper(pl.c), R)  # c enters rounded up (docs/pl.rst, "Rigour")
    sBmin, sBmax = prob.sigma_B
    with mpmath.workdps(mo.DPS):
        m_exact = 4 * mpmath.mpf(sBmin) ** 2 * s_minus**2 * mpmath.mpf(pl.lam.mp) / prob.N
        M_exact = 4 * mpmath.mpf(sBmax) ** 2 * s_plus**2 * mpmath.mpf(pl.Lam.value) / prob.N
        assert mpmath.mpf(pl.m.value) <= m_exact
        assert mpmath.mpf(pl.M.value) >= M_exact
        assert mpmath.mpf(pl.m.value) >= m_exact * (1 - 16 * U)
        assert mpmath.mpf(pl.M.value) <= M_exact * (1 + 16 * U)
        # Lambda_upper = 1 + (max row sum) = 2 - (the data lambda before its clipping at 0), rounded up
        if pl.Lam.value < prob.N:
            assert mpmath.mpf(pl.Lam.value) >= 2 - mpmath.mpf(pl.lam.mp)
            assert mpmath.mpf(pl.Lam.value) <= (2 - mpmath.mpf(pl.lam.mp)) * (1 + 8 * U)


@given(pl_problems(), radii)
def test_lambda_and_Lambda_bracket_the_gram_spectrum(prob, R):
    # Direct, not through a rescaled sharpness: at t = 0 the trajectory sits at the lifted data,
    # so every radius' lambda_lower / Lambda_upper must bracket lambda_min / lambda_max of K_{AX}
    # (float eigenvalues, error <= EIG_TOL).  Along computed flows: the suite "pl".
    ev = np.linalg.eigvalsh(gram(prob.kernel, prob.lifted))
    for lam in ("data", "worst-case", "best"):
        assert lambda_lower(prob, R, lam=lam).value <= ev[0] + EIG_TOL
    assert lambda_max_upper(prob, R).value >= ev[-1] - EIG_TOL


@given(st.sampled_from(PL_KERNELS), st.floats(0.3, 3.0), st.floats(1.2, 4.0), radii)
def test_worst_case_lambda_uses_the_smallest_singular_value_of_A(kernel, delta, ratio, R):
    # Two points whose difference lies along the bottom right singular vector of A: their lifted
    # distance is sigma_min(A) delta.  For N = 2 the worst-case bound is lambda_2 = 1 - K(.), exact,
    # so lambda_lower(R) must be 1 - K(sigma_min(A) delta s_-(R)) (independent mpmath profile) and
    # must not exceed lambda_min of the pair (sigma_max(A) in its place would).
    theta = 0.7
    V = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    A = np.vstack([np.diag([ratio, 1.0]) @ V.T, np.zeros((1, 2))])  # sigma = (1, ratio)
    X = np.stack([np.zeros(2), delta * V[:, 1]])
    prob = Problem(X, np.zeros((2, 1)), A, np.eye(1, 3), kernel)
    q = lambda_lower(prob, R, lam="worst-case")
    _, c1, _ = mo.moments(kernel)
    with mpmath.workdps(mo.DPS):
        exact = 1 - mo.profile(kernel, mpmath.mpf(delta) * mpmath.exp(-c1 * R))
    assert q.value <= exact * (1 + 1e-12) + 1e-15
    assert q.value == pytest.approx(float(exact), rel=1e-9, abs=1e-15)
    if R == 0:
        assert q.value <= float(np.linalg.eigvalsh(gram(kernel, prob.lifted))[0]) + EIG_TOL


@given(pl_problems(), st.floats(0.05, 2.0))
def test_Lambda_upper_at_R_covers_the_closest_the_points_can_come(prob, R):
    # Every distance may shrink to s_-(R) of its value (docs/pl.rst), so the bounds at R must hold
    # for the configuration Z s_-(R) with all distances shrunk by the worst factor (for N = 2 a
    # flow comes arbitrarily close to it: the suite "flow").  Gershgorin applies to it directly;
    # bounds built from s_+, from the unshrunk distances or from sqrt(s_-) would not hold.
    s_minus = math.exp(-float(mo.moments(prob.kernel)[1]) * R)
    shrunk = prob.lifted * s_minus
    lam_max = float(np.linalg.eigvalsh(gram(prob.kernel, shrunk))[-1])
    lam_min = float(np.linalg.eigvalsh(gram(prob.kernel, shrunk))[0])
    assert lambda_max_upper(prob, R).value >= lam_max - EIG_TOL
    assert lambda_lower(prob, R, lam="data").value <= lam_min + EIG_TOL


# ------------------------------------------------------------------------- behaviour, inputs


def test_paper_constants_are_never_better_than_sharp():
    prob = _problem()
    for R in (0.0, 0.1, 0.5):
        sharp, paper = pl_constants(prob, R), pl_constants(prob, R, constants="paper")
        assert paper.m.value <= sharp.m.value and paper.M.value >= sharp.M.value
        assert paper.Lam.value == prob.N  # the paper's Lambda_N = N


def test_jacobian_constant_is_c1_or_kappa():
    # Independent source: the Student-t moments (mp_oracles.moments).
    prob = _problem()
    c0, c1, c2 = mo.moments(KERNEL)
    assert float(jacobian_constant(prob)) == pytest.approx(float(c1), rel=1e-15)
    assert float(jacobian_constant(prob, "paper")) == pytest.approx(float(c0 + c1 + c2), rel=1e-15)


def test_m_decreases_and_M_increases_with_R():
    prob = _problem()
    pls = [pl_constants(prob, R) for R in np.linspace(0, 1, 6)]
    assert all(a.m.value >= b.m.value for a, b in zip(pls, pls[1:], strict=False))
    assert all(a.M.value <= b.M.value for a, b in zip(pls, pls[1:], strict=False))


def test_estimate_is_labelled_as_such():
    prob = _problem()
    est = pl_constants(prob, 0.2, lam="estimate")
    assert est.m.kind == "estimate" and est.lam.kind == "estimate"
    assert pl_constants(prob, 0.2).m.kind == "rigorous"


def test_zero_m_when_lambda_bound_is_trivial():
    prob = _problem(spacing=0.2)  # crowded: Gershgorin gives nothing
    pl = pl_constants(prob, 0.5, lam="data")
    assert pl.m.value == 0.0 and pl.M.value > 0


@pytest.mark.parametrize("kwargs, match", [
    (dict(R=-1.0), "R must be >= 0"),
    (dict(R=float("inf")), "R must be finite"),
    (dict(R=0.1, constants="loose"), "constants must be"),
    (dict(R=0.1, lam="guess"), "lam must be one of"),
    (dict(R=5.0, depth=2), "depth T = 2 is too shallow"),
    (dict(R=2.0, depth=4), "depth T = 4 is too shallow"),  # sqrt(T) <= c1 R < T
    (dict(R=0.1, depth=0), "depth must be an integer >= 1"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pl_constants(_problem(), **kwargs)


def test_data_lambda_needs_a_radial_kernel():
    rff = RandomFourierKernel.from_kernel(KERNEL, 16, 2, seed=0)
    prob = Problem(_problem().X, np.zeros((4, 1)), np.eye(2), np.eye(1, 2), rff)
    with pytest.raises(ValueError, match="radial"):
        pl_constants(prob, 0.1, lam="data")


def test_resnet_near_its_depth_limit_gives_the_trivial_lambda_not_an_error():
    # Regression (found by the certificate work): s_-(R) = exp(-cR/(1 - cR/sqrt T)) underflows to 0
    # as cR -> sqrt T; the data-dependent lambda must then be the trivial 0, not a ValueError.
    prob = _problem()
    c1 = math.sqrt(5 / 3)
    T = 4
    R = (1 - 1e-4) * math.sqrt(T) / c1
    pl = pl_constants(prob, R, depth=T, lam="data")
    assert pl.lam.value == 0.0 and pl.m.value == 0.0


def test_gershgorin_points_scale_is_a_lower_bound_of_sigma_min_of_A():
    # Closed forms (docs/lambda_data.rst#gershgorin-along-the-flow): the augmented A = α[I_d; 0] has
    # σ_min(A) = σ_max(A) = α, the copy lifting A'ᵀA' = a² p I has σ = a√p (mpmath); a general A
    # keeps its lifted points and σ = 1.  σ must be a lower bound (the data's distances times σ
    # must not exceed the lifted ones) and close to it (σ_max(A) or a forgotten σ are both wrong).
    from bounds.pl import gershgorin_points

    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    K = Matern("5/2")
    with mpmath.workdps(50):
        cases = [(Problem.augmented(X, Y, K, 0.37, 2.0), mpmath.mpf(0.37)),
                 (Problem.augmented(X, Y, K, 41.3, 0.5), mpmath.mpf(41.3)),
                 (Problem.copy_lifting(X, Y, K, 3, 0.7, 1.9), mpmath.mpf(0.7) * mpmath.sqrt(3)),
                 (Problem.copy_lifting(X, Y, K, 5, 0.3, 1.0), mpmath.mpf(0.3) * mpmath.sqrt(5))]
        for prob, sigma_exact in cases:
            points, sigma = gershgorin_points(prob)
            assert np.array_equal(points, prob.X)
            assert sigma_exact * (1 - mpmath.mpf(1e-14)) <= mpmath.mpf(sigma) <= sigma_exact
    A = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    general = Problem(X, Y, A, np.array([[0.0, 0.0, 1.0]]), K)
    points, sigma = gershgorin_points(general)
    assert np.array_equal(points, general.lifted) and sigma == 1.0
