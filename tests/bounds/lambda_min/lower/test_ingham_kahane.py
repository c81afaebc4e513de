"""Ingham–Kahane lower bound on λ_N(δ) for the Gaussian kernel: every constant against an
independent evaluation, the bound against explicit δ-separated sets, and its sharpness."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import example, given, settings, target
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern
from bounds.lambda_min.bracket import best_lower_bound, lambda_bracket, lambda_two
from bounds.lambda_min.data import lambda_min_upper_verified
from bounds.lambda_min.lower import ingham_kahane as ik
from bounds.lambda_min.lower.fourier import fourier_lower_bound
from bounds.lambda_min.lower.ingham_kahane import (
    MP_LOG_ERROR,
    bessel_zeros,
    ingham_kahane_lower_bound,
    log_inf_lower,
    log_phi,
    log_prefactor,
)
from bounds.lambda_min.upper.lattice import lattice_upper_bound
from verify.testing.strategies import delta_separated_sets, gaussian_kernels, separated_sets

DIMS = [1, 2, 3, 5, 8]


def _arb(x: mpmath.mpf | float) -> arb:
    """The binary number ``x`` as an exact Arb ball (radius 0): no rounding to any ambient precision."""
    sign, man, exp, bits = (x if isinstance(x, mpmath.mpf) else mpmath.mpf(float(x)))._mpf_
    ctx.prec = max(ctx.prec, int(bits) + 64)
    value = arb(int(man)) * arb(2) ** int(exp) if man else arb(0)
    assert value.rad() == 0
    return -value if sign else value


def _sphere(D: int) -> mpmath.mpf:
    return 2 * mpmath.pi ** (mpmath.mpf(D) / 2) / mpmath.gamma(mpmath.mpf(D) / 2)


def _lam(nu: mpmath.mpf, t: mpmath.mpf) -> mpmath.mpf:
    """Λ_ν(t) = Γ(ν+1)(2/t)^ν J_ν(t), Λ_ν(0) = 1 (the normalised Fourier transform of the sphere)."""
    return mpmath.mpf(1) if t == 0 else mpmath.gamma(nu + 1) * (2 / t) ** nu * mpmath.besselj(nu, t)


def _first_node_ceiling(kernel: Gaussian, delta: float, D: int) -> mpmath.mpf:
    """``w_1 p(2 j_1/δ)``, ``w_1 = 2|S^{D−1}| j_1^{D−2} (2/δ)^D / J_{ν+1}(j_1)²``: the first term of the
    Gauss–Bessel quadrature ``∫_{R^D} F = Σ_k w_k F(2 j_k/δ)`` for radial ``F`` of exponential type δ
    (Frappier–Olivier 1993; Grozev–Rahman 1995).  Our weight vanishes at the other nodes, so
    ``∫W = w_1 W(ξ_1) ≤ w_1 p(ξ_1)``: a ceiling the bound may not exceed and should nearly reach."""
    with mpmath.workdps(40):
        j1, _ = bessel_zeros(D)
        nu, a, ell = mpmath.mpf(D) / 2 - 1, mpmath.mpf(delta) / 2, mpmath.mpf(kernel.lengthscale)
        w1 = 2 * _sphere(D) * j1 ** (D - 2) / (a**D * mpmath.besselj(nu + 1, j1) ** 2)
        p = (ell**2 / (2 * mpmath.pi)) ** (mpmath.mpf(D) / 2) * mpmath.exp(-((ell * j1 / a) ** 2) / 2)
        return w1 * p


def _lattice_symbol_min_1d(kernel: Gaussian, delta: float) -> mpmath.mpf:
    """``λ_∞(δZ) = σ(π) = Σ_m (−1)^m K(mδ)``, the minimum of the symbol of the infinite lattice (Jacobi
    triple product), checked against its Poisson dual ``(2π/δ) Σ_m p((2m+1)π/δ)``."""
    with mpmath.workdps(40):
        ell = mpmath.mpf(kernel.lengthscale)
        r = mpmath.mpf(delta) / ell
        spatial = mpmath.nsum(lambda m: (-1) ** int(m) * mpmath.exp(-((m * r) ** 2) / 2), [-mpmath.inf, mpmath.inf])
        dual = mpmath.nsum(
            lambda m: (
                2 * mpmath.pi / r / mpmath.sqrt(2 * mpmath.pi) * mpmath.exp(-(((2 * m + 1) * mpmath.pi / r) ** 2) / 2)
            ),
            [-mpmath.inf, mpmath.inf],
        )
        assert abs(spatial / dual - 1) < mpmath.mpf(10) ** -30
        return spatial


# --------------------------------------------------------------------------------------------
# (b) every constant against an independent evaluation
# --------------------------------------------------------------------------------------------

# Abramowitz & Stegun, table 9.5 (zeros of J_0, J_1, J_2, J_3), and the closed forms of the
# half-integer orders: J_{1/2} ∝ sin x/√x (π, 2π), J_{3/2} zeros solve tan x = x.
_TABLE = {
    2: ("2.404825557695773", "5.520078110286311"),
    3: (mpmath.pi, 2 * mpmath.pi),
    4: ("3.831705970207512", "7.015586669815619"),
    5: ("4.493409457909064", "7.725251836937707"),
    6: ("5.135622301840683", "8.417244140399865"),
    8: ("6.380161895923983", "9.761023129981670"),
}


@pytest.mark.parametrize("D", sorted(_TABLE))
def test_bessel_zeros_match_published_tables(D):
    j1, j2 = bessel_zeros(D)
    assert abs(j1 - mpmath.mpf(_TABLE[D][0])) < 1e-14
    assert abs(j2 - mpmath.mpf(_TABLE[D][1])) < 1e-14


def _arb_lam(nu: arb, lo: float, hi: float) -> arb:
    """Arb enclosure of ``Λ_ν(x) = ₀F₁(; ν+1; −x²/4)`` over ``x ∈ [lo, hi]``."""
    ball = arb((lo + hi) / 2, (hi - lo) / 2)
    return (-(ball**2) / 4).hypgeom_0f1(nu + 1)


def _has_sign_on(nu: arb, lo: float, hi: float, sign: int, depth: int = 40) -> bool:
    """``sign · Λ_ν > 0`` on ``[lo, hi]``, proven by Arb on an adaptive cover by balls."""
    todo = [(lo, hi, 0)]
    while todo:
        a, b, k = todo.pop()
        if sign * _arb_lam(nu, a, b) > 0:
            continue
        if k == depth:
            return False
        todo += [(a, (a + b) / 2, k + 1), ((a + b) / 2, b, k + 1)]
    return True


@pytest.mark.parametrize("D", [1, 2, 3, 4, 5, 8])
def test_bessel_zeros_enclosed_by_arb(D):
    # Arb at 300 bits: Λ_ν = Γ(ν+1)(2/x)^ν J_ν changes sign across j_1 ± 1e-40 and j_2 ± 1e-40, is
    # > 0 on [0, j_1 − 1e-6] and < 0 on [j_1 + 1e-6, j_2 − 1e-6] (adaptive covers by balls), and is
    # monotone on the 1e-6-neighbourhoods (Λ_ν' = −x Λ_{ν+1}/(2(ν+1)) of one sign): so j_1 and j_2
    # are the first two zeros, as the construction needs.
    ctx.prec = 300
    nu = arb(D - 2) / 2
    eps = arb(10) ** -40
    j1, j2 = (_arb(z) for z in bessel_zeros(D))
    for j in (j1, j2):
        assert (-((j - eps) ** 2) / 4).hypgeom_0f1(nu + 1) * (-((j + eps) ** 2) / 4).hypgeom_0f1(nu + 1) < 0
    f1, f2 = float(j1.mid()), float(j2.mid())
    ctx.prec = 64  # enough for the covers, and much faster
    assert _has_sign_on(nu, 0.0, f1 - 1e-6, +1)
    assert _has_sign_on(nu, f1 + 1e-6, f2 - 1e-6, -1)
    assert _has_sign_on(nu + 1, f1 - 1e-6, f1 + 1e-6, +1)  # Λ_ν decreasing through j_1
    assert _has_sign_on(nu + 1, f2 - 1e-6, f2 + 1e-6, -1)  # Λ_ν increasing through j_2


@pytest.mark.parametrize("D", [1, 2, 3, 5, 8])
def test_prefactor_is_plancherel_of_the_eigenfunction(D):
    # Independent source: radial quadrature (mpmath) of the eigenfunction h(r) = Λ_ν(j_1 r/a) on B(0, a):
    # P = (2π)^D ‖h‖²/(∫h)², and the Rayleigh quotient ‖∇h‖²/‖h‖² = j_1²/a² behind (1 − j_1²/X²).
    delta = 1.3
    with mpmath.workdps(30):
        j1, _ = bessel_zeros(D)
        nu, a, S = mpmath.mpf(D) / 2 - 1, mpmath.mpf(delta) / 2, _sphere(D)
        h = lambda r: _lam(nu, j1 * r / a)  # noqa: E731
        dh = lambda r: mpmath.diff(h, r)  # noqa: E731
        norm2 = S * mpmath.quad(lambda r: h(r) ** 2 * r ** (D - 1), [0, a])
        mass = S * mpmath.quad(lambda r: h(r) * r ** (D - 1), [0, a])
        grad2 = S * mpmath.quad(lambda r: dh(r) ** 2 * r ** (D - 1), [0, a / 2, a])
        assert abs(log_prefactor(D, delta) - mpmath.log((2 * mpmath.pi) ** D * norm2 / mass**2)) < 1e-12
        assert abs(grad2 / norm2 / (j1 / a) ** 2 - 1) < 1e-8


@pytest.mark.parametrize("D", [1, 2, 3, 8])
def test_phi_is_the_normalised_transform_of_the_eigenfunction(D):
    # Independent source: ĥ(ρ) = |S^{D−1}| ∫_0^a h(r) Λ_ν(ρ r) r^{D−1} dr by quadrature (the sphere
    # average of e^{−iω·z} is Λ_ν(ρ r)), against the closed form φ(ρa) = ĥ(ρ)/ĥ(0) (Lommel's integral).
    with mpmath.workdps(30):
        j1, j2 = bessel_zeros(D)
        nu, a = mpmath.mpf(D) / 2 - 1, mpmath.mpf("0.5")
        h = lambda r: _lam(nu, j1 * r / a)  # noqa: E731
        hat = lambda rho: mpmath.quad(lambda r: h(r) * _lam(nu, rho * r) * r ** (D - 1), [0, a])  # noqa: E731
        for x in (mpmath.mpf("0.7"), j1 * (1 - mpmath.mpf("1e-6")), (j1 + j2) / 2):
            assert abs(mpmath.exp(log_phi(x, D)) / (hat(x / a) / hat(0)) - 1) < 1e-12


@pytest.mark.parametrize("D", [1, 2, 3, 8, 13])
def test_phi_is_positive_decreasing_and_log_concave_below_j2(D):
    # The interval bound rests on these (from φ = Π_{k≥2}(1 − x²/j_k²)); check them on a fine grid.
    j1, j2 = (float(z) for z in bessel_zeros(D))
    x = np.linspace(0.0, j2 * (1 - 1e-3), 601)
    x = x[np.abs(x - j1) > 1e-6]
    lp = np.array([float(log_phi(t, D)) for t in x])
    assert np.all(np.isfinite(lp)) and np.all(np.diff(lp) < 0)
    h = np.diff(x)
    second = (lp[2:] - lp[1:-1]) / h[1:] - (lp[1:-1] - lp[:-2]) / h[:-1]
    assert np.all(second < 1e-9)


@pytest.mark.parametrize("D", [1, 2, 8])
def test_phi_and_its_slope_within_the_stated_margin_of_arb(D):
    # Arb ball arithmetic at 300 bits, including points 2e-10 j_1 from the removable singularity.
    ctx.prec = 300
    j1, j2 = bessel_zeros(D)
    X = (j1 + j2) / 2
    pb = ik._problem(Gaussian(1), 1.0, D, X)
    nu = arb(D - 2) / 2
    J1 = _arb(j1)
    with mpmath.workdps(50):
        pts = [mpmath.mpf("0.3"), j1 * (1 - mpmath.mpf("3e-10")), j1 * (1 + mpmath.mpf("3e-10")), (j1 + X) / 2]
    for x in pts:
        xa = _arb(x)
        lam = (nu + 1).gamma() * (2 / xa) ** nu * xa.bessel_j(nu)
        ref_log_phi = (J1**2 * lam / (J1**2 - xa**2)).log()
        ref_slope = (
            2 * xa / (_arb(X) ** 2 - xa**2) + 2 * xa.bessel_j(nu + 1) / xa.bessel_j(nu) - 4 * xa / (J1**2 - xa**2)
        )
        for got, ref in ((log_phi(x, D), ref_log_phi), (pb.c_and_slope(x)[1], ref_slope)):
            err = abs(_arb(got) - ref)
            assert err.upper() <= MP_LOG_ERROR * (1 + abs(float(got)))


@pytest.mark.parametrize("D, delta", [(1, 0.5), (2, 1.0), (3, 2.0), (8, 1.0)])
def test_interval_search_is_a_lower_bound_of_the_infimum(D, delta):
    # Independent source: G_X on a dense grid (mpmath) — the search must be below its minimum and
    # within 1e-5 of it (the grid spacing limits how well the grid itself approaches the infimum).
    kernel = Gaussian(1)
    X = ik.optimal_parameter(delta, D, 1.0)
    low, _ = log_inf_lower(kernel, delta, D, X)
    pb = ik._problem(kernel, delta, D, X)
    j1 = float(bessel_zeros(D)[0])
    grid = np.concatenate([np.linspace(0, X, 200, endpoint=False), j1 + np.linspace(-1e-3, 1e-3, 201) * j1])
    grid = grid[(np.abs(grid - j1) > 1e-9) & (grid < X)]
    with mpmath.workdps(50):
        vals = [pb.t1(mpmath.mpf(x)) + pb.c_and_slope(mpmath.mpf(x))[0] for x in grid]
    assert low <= min(vals)
    assert low >= min(vals) - 1e-5


# --------------------------------------------------------------------------------------------
# (c) sharpness: the bound reaches the ceiling of the construction; in D = 1, the lattice
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("D", [1, 2, 3, 5, 8, 13])
def test_prefactor_equals_gauss_bessel_quadrature_weight(D):
    # Independent source: the Gauss–Bessel quadrature weight w_1 (Frappier–Olivier; Grozev–Rahman):
    # ∫W = w_1 W(ξ_1) forces P = w_1 φ(j_1)², with φ(j_1) = j_1² Λ_{ν+1}(j_1)/(4(ν+1)) (the limit).
    with mpmath.workdps(40):
        j1, _ = bessel_zeros(D)
        nu, a = mpmath.mpf(D) / 2 - 1, mpmath.mpf("0.5")
        w1 = 2 * _sphere(D) * j1 ** (D - 2) / (a**D * mpmath.besselj(nu + 1, j1) ** 2)
        phi_j1 = j1**2 * _lam(nu + 1, j1) / (4 * (nu + 1))
        assert abs(log_prefactor(D, 1.0) - mpmath.log(w1 * phi_j1**2)) < 1e-30


@pytest.mark.parametrize("kernel", [Gaussian(1), Gaussian("1/2"), Gaussian(3)])
@pytest.mark.parametrize("D", DIMS)
@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0])
def test_bound_reaches_but_never_exceeds_the_first_quadrature_node(kernel, D, ratio):
    # A factor 2 (or 1.0001) too large in any constant breaks the upper inequality, too small the lower.
    delta = ratio * kernel.lengthscale
    q = ingham_kahane_lower_bound(kernel, 100, delta, D)
    ceiling = _first_node_ceiling(kernel, delta, D)
    assert q.mp <= ceiling
    assert q.mp >= ceiling * (1 - 1e-4)


@pytest.mark.parametrize("kernel", [Gaussian(1), Gaussian("1/2")])
@pytest.mark.parametrize("ratio", [0.3, 0.5, 1.0, 1.5, 2.0])
def test_one_dimension_matches_the_infinite_lattice(kernel, ratio):
    # λ_∞(δZ) (closed-form theta series) is a limit of λ_min of lattice sections, so the bound may
    # not exceed it; it is also nearly attained (Ingham's inequality is sharp on δZ).  The bound
    # reaches the first Gauss–Bessel node only, which is λ_∞ up to e^{−π²ℓ²/δ²·4} relative terms
    # (< 1e-4 for δ ≤ 2ℓ).
    delta = ratio * kernel.lengthscale
    lam_inf = _lattice_symbol_min_1d(kernel, delta)
    q = ingham_kahane_lower_bound(kernel, 10**6, delta, 1)
    assert q.mp <= lam_inf
    assert q.mp >= lam_inf * (1 - 1e-3)


@pytest.mark.parametrize("shift", [math.log(2), -math.log(2), 1e-3])
def test_a_wrong_prefactor_is_caught(monkeypatch, shift):
    # The checks above bite: a prefactor off by a factor 2 (either way) or by 0.1 % fails one of them.
    kernel, delta, D = Gaussian(1), 1.0, 2
    true_log_p = ik.log_prefactor
    monkeypatch.setattr(ik, "log_prefactor", lambda D, delta: true_log_p(D, delta) + shift)
    q = ingham_kahane_lower_bound(kernel, 100, delta, D)
    ceiling = _first_node_ceiling(kernel, delta, D)
    assert not (ceiling * (1 - 1e-4) <= q.mp <= ceiling)


# --------------------------------------------------------------------------------------------
# (a) never above λ_min of explicit δ-separated sets (verified Rayleigh upper bounds)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", [Gaussian(1), Gaussian("1/2")])
@pytest.mark.parametrize(
    "lat, D, N", [("cubic", 1, 100), ("cubic", 2, 100), ("hexagonal", 2, 100), ("cubic", 3, 64), ("fcc", 3, 100)]
)
def test_below_lattice_sections(kernel, lat, D, N):
    # In D = 1 the section nearly attains the bound (0.4 % above it at δ = ℓ, N = 100).
    for ratio in (0.8, 1.0, 2.5):
        delta = ratio * kernel.lengthscale
        ub = lattice_upper_bound(kernel, N, delta, D, lat).quantity
        assert ingham_kahane_lower_bound(kernel, N, delta, D).mp <= ub.mp


@settings(max_examples=15)  # each example: one bound (~40 ms) and one verified eigenvalue bound
@given(gaussian_kernels(st.sampled_from([0.5, 1.0, 2.0])), delta_separated_sets(max_n=14, max_d=3, min_delta=0.3))
@example(Gaussian(1), (np.arange(12.0)[:, None], 1.0))
def test_below_verified_lambda_min_of_random_and_lattice_sets(kernel, Xd):
    X, delta = Xd
    N, D = X.shape
    up = lambda_min_upper_verified(kernel, X)
    q = ingham_kahane_lower_bound(kernel, N, delta, D)
    target(float(q.mp / up.mp), label="ingham-kahane / lambda_min upper")
    assert q.mp <= up.mp


@settings(max_examples=8)  # each example: one bound and one verified eigenvalue bound
@given(st.data(), st.integers(1, 3), st.sampled_from([0.8, 1.0, 1.6]), st.integers(4, 30))
def test_below_verified_lambda_min_of_clusters(data, D, delta, n):
    X = data.draw(separated_sets(n, D, delta, kind="clustered"))
    up = lambda_min_upper_verified(Gaussian(1), X)
    assert ingham_kahane_lower_bound(Gaussian(1), n, delta, D).mp <= up.mp


@pytest.mark.parametrize("D", [1, 2, 8])
@pytest.mark.parametrize("delta", [0.3, 1.0, 3.0])
def test_two_points_below_exact(D, delta):
    assert ingham_kahane_lower_bound(Gaussian(1), 2, delta, D).mp <= lambda_two(Gaussian(1), delta).mp


# --------------------------------------------------------------------------------------------
# behaviour
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("D", [1, 2, 8, 20])
def test_nondecreasing_in_delta_including_past_the_support_cap(D):
    cap = ik.support_radius(1e9, D, 1.0)
    deltas = np.geomspace(0.4, 2 * cap, 10)
    vals = [ingham_kahane_lower_bound(Gaussian(1), 100, d, D).mp for d in deltas]
    assert all(b >= a * (1 - 1e-9) for a, b in zip(vals[:-1], vals[1:], strict=True))


def test_depends_on_delta_over_lengthscale_only():
    a = ingham_kahane_lower_bound(Gaussian(2), 10, 2.0, 3).mp
    b = ingham_kahane_lower_bound(Gaussian(1), 10, 1.0, 3).mp
    assert abs(a / b - 1) < 1e-9


def test_underflow_is_carried_by_mp_never_nan():
    q = ingham_kahane_lower_bound(Gaussian(1), 1000, 0.05, 8)
    assert q.value == 0.0 and not math.isnan(q.value)
    assert 0 < q.mp < mpmath.mpf("1e-400")


def test_rounded_down_float():
    q = ingham_kahane_lower_bound(Gaussian(1), 50, 1.0, 2)
    assert q.kind == "rigorous" and mpmath.mpf(q.value) <= q.mp
    assert q.reference == "docs/lambda_lower.rst#ingham-kahane"


@pytest.mark.parametrize(
    "args, match",
    [
        ((Matern("5/2"), 10, 1.0, 2), "kernel must be a Gaussian kernel"),
        ((Gaussian(1), 10, 0.0, 2), "delta must be > 0"),
        ((Gaussian(1), 1, 1.0, 2), "N must be an integer >= 2"),
        ((Gaussian(1), 10, 1.0, 0), "D must be an integer >= 1"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        ingham_kahane_lower_bound(*args)


def test_log_phi_refuses_points_outside_its_domain():
    j1, j2 = bessel_zeros(2)
    with pytest.raises(ValueError, match="x must be in"):
        log_phi(j2, 2)
    with pytest.raises(ValueError, match="x must not be within"):
        log_phi(j1, 2)


def test_wins_the_gaussian_bracket_and_closes_the_old_gap():
    # Before this bound, N = 50, δ = 1, D = 2 had the gap 1.6e12 (Fourier route, 3.1e-15).
    b = lambda_bracket(Gaussian(1), 50, 1.0, 2)
    assert b.lower_source == "ingham-kahane"
    assert b.gap < 25
    assert best_lower_bound(Gaussian(1), 500, 0.5, 2).source == "ingham-kahane"
    assert b.lower.mp > 1e10 * fourier_lower_bound(Gaussian(1), 50, 1.0, 2).mp
