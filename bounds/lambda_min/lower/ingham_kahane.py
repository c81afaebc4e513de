"""Ingham–Kahane lower bound on λ_N(δ) for the Gaussian kernel (derived in
``docs/lambda_lower.rst#ingham-kahane``; the weight is Kahane's multidimensional form of Ingham's
inequality, J.-P. Kahane, Ann. Sci. ÉNS 79 (1962); V. Komornik and P. Loreti, *Fourier Series in
Control Theory*, 2005, ch. 8).

Normalisation as in :mod:`bounds.lambda_min.lower.fourier`: ``K(z) = ∫ p(ω) e^{iω·z} dω`` with
``p = (ℓ²/2π)^{D/2} e^{−ℓ²‖ω‖²/2}`` (angular frequency, ``∫ p = 1``); transforms of auxiliary
functions are ``ĝ(ω) = ∫ g(z) e^{−iω·z} dz``.  If ``W ≤ p`` and ``W = ĝ`` for a continuous ``g``
vanishing on ``‖z‖ ≥ δ``, then for every δ-separated ``X`` (any number of points)

``cᵀK_Xc = ∫ p |Σ_j c_j e^{iω·x_j}|² ≥ ∫ W |Σ_j c_j e^{iω·x_j}|² = (2π)^D g(0) ‖c‖² = (∫ W) ‖c‖²``.

Kahane's weight: ``h`` the first Dirichlet eigenfunction of ``−Δ`` on the ball ``B(0, δ/2)``,
``g = h * h + R^{−2} Δ(h * h)``, ``W = A (1 − ‖ω‖²/R²) ĥ(ω)²``.  With ``a = δ/2``,
``ν = D/2 − 1``, ``j_k`` the positive zeros of ``J_ν``, ``X = R a ∈ (j_1, j_2)`` the free parameter:

``λ_N(δ) ≥ P (1 − j_1²/X²) exp(inf_{0 ≤ x < X} G_X(x))``,
``P = (2π)^D j_1² / (2 |S^{D−1}| a^D)``,
``G_X(x) = log p(x/a) − log(1 − x²/X²) − 2 log φ(x)``,  ``φ(x) = Π_{k≥2} (1 − x²/j_k²)``.

``G_X`` is a concave term (``log p``, the Gaussian) plus a convex increasing one, which gives a
rigorous second-order lower bound of the infimum on every interval (:func:`log_inf_lower`).  The
free parameter ``X`` is chosen in closed form so that ``x = j_1`` is a stationary point of ``G_X``
(:func:`optimal_parameter`); the bound then reaches ``w_1 p(2j_1/δ)``, the first node of the
Gauss–Bessel quadrature, which no ``X`` can beat.  The bound holds for every ``X``.

>>> from bounds.kernels import Gaussian
>>> q = ingham_kahane_lower_bound(Gaussian(1), N=1000, delta=1.0, D=1)
>>> q.kind, 0.0360 < q.value < 0.0361  # λ_min of the infinite lattice δZ is 0.036054756...
('rigorous', True)
"""

from __future__ import annotations

import functools
import heapq
from dataclasses import dataclass

import mpmath
import sympy as sp

from bounds._core.rounding import ENCLOSURE_DPS, round_down
from bounds._core.validate import check_lambda_inputs
from bounds.kernels import Gaussian
from bounds.result import Quantity

__all__ = [
    "MP_LOG_ERROR",
    "bessel_zeros",
    "log_prefactor",
    "log_phi",
    "log_inf_lower",
    "support_radius",
    "optimal_parameter",
    "ingham_kahane_lower_bound",
]

#: Stated bound on the absolute error of each log-quantity (``log φ``, ``C``, ``C'``) evaluated in
#: mpmath at ``ENCLOSURE_DPS = 50`` digits, relative to ``1 + |value|``.  The removable singularity
#: at ``x = j_1`` cancels digits: ``φ`` loses ``log10(j_1/|x − j_1|)`` of them and ``C'`` twice that,
#: so evaluation points are kept ``1e-10 j_1`` away from ``j_1`` (at most 20 digits lost).  Checked
#: against Arb ball arithmetic in the tests.
MP_LOG_ERROR = 1e-25
_REFERENCE = "docs/lambda_lower.rst#ingham-kahane"
#: Points closer than this (relative) to ``j_1`` are never used as evaluation points.
_J1_GUARD = mpmath.mpf("1e-10")
_TOL = 1e-7  # target accuracy (absolute, on the log) of the interval search; quality only
_MAX_EVALS = 600


@functools.lru_cache(maxsize=64)
def bessel_zeros(D: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The first two positive zeros ``j_1 < j_2`` of ``J_ν``, ``ν = D/2 − 1``, at 50 digits.

    ``D = 1``: ``J_{−1/2}(x) = √(2/(πx)) cos x``, zeros ``π/2`` and ``3π/2``; otherwise mpmath's
    ``besseljzero``.  Checked against Arb and Abramowitz–Stegun table 9.5 in the tests.
    """
    with mpmath.workdps(ENCLOSURE_DPS):
        if D == 1:
            return +mpmath.pi / 2, 3 * mpmath.pi / 2
        nu = mpmath.mpf(D) / 2 - 1
        return mpmath.besseljzero(nu, 1), mpmath.besseljzero(nu, 2)


def log_prefactor(D: int, delta: float) -> mpmath.mpf:
    """``log P``, ``P = (2π)^D j_1² / (2 |S^{D−1}| a^D)``, ``a = δ/2``, ``|S^{D−1}| = 2π^{D/2}/Γ(D/2)``.

    Formula
    -------
    ``log P = D log 2π + 2 log j_1 − log(2 |S^{D−1}|) − D log a``; ``P = (2π)^D ‖h‖²/(∫h)²`` for the
    eigenfunction ``h`` (Plancherel; docs).

    Kind
    ----
    exact closed form, evaluated at 50 digits. Checked against quadrature of ``h`` and against the
    Gauss–Bessel quadrature weight (``P = w_1 φ(j_1)²``) in the tests.

    References
    ----------
    docs/lambda_lower.rst#ingham-kahane
    """
    j1, _ = bessel_zeros(D)
    with mpmath.workdps(ENCLOSURE_DPS):
        half_d = mpmath.mpf(D) / 2
        sphere = 2 * mpmath.pi**half_d / mpmath.gamma(half_d)
        a = mpmath.mpf(delta) / 2
        return D * mpmath.log(2 * mpmath.pi) + 2 * mpmath.log(j1) - mpmath.log(2 * sphere) - D * mpmath.log(a)


def _check_phi_point(x: mpmath.mpf, D: int) -> None:
    j1, j2 = bessel_zeros(D)
    if not 0 <= x < j2:
        raise ValueError(f"x must be in [0, j_2) = [0, {mpmath.nstr(j2, 8)}) for log_phi, got {x}")
    if abs(x - j1) < _J1_GUARD * j1:
        raise ValueError(f"x must not be within 1e-10 j_1 of j_1 = {mpmath.nstr(j1, 20)} in log_phi, got {x}")


def _log_phi_from(x: mpmath.mpf, j_nu: mpmath.mpf, D: int) -> mpmath.mpf:
    """``log φ(x)`` from ``J_ν(x)`` (``x > 0``), at the current (50-digit) precision."""
    j1, _ = bessel_zeros(D)
    nu = mpmath.mpf(D) / 2 - 1
    lam = mpmath.gamma(nu + 1) * (2 / x) ** nu * j_nu
    return mpmath.log(j1**2 * lam / (j1**2 - x**2))


def log_phi(x: float | mpmath.mpf, D: int) -> mpmath.mpf:
    """``log φ(x)``, ``φ(x) = ĥ(x/a)/ĥ(0) = j_1² Λ_ν(x)/(j_1² − x²) = Π_{k≥2}(1 − x²/j_k²)``.

    ``Λ_ν(x) = Γ(ν+1)(2/x)^ν J_ν(x)``; valid for ``0 ≤ x < j_2`` (where ``φ > 0``), at 50 digits.
    ``x`` within ``1e-10 j_1`` of ``j_1`` is refused (the removable singularity: callers use
    other points).

    Raises
    ------
    ValueError
        ``x`` outside ``[0, j_2)`` or within ``1e-10 j_1`` of ``j_1``.

    Formula
    -------
    ``log φ(x) = log(j_1² Λ_ν(x)/(j_1² − x²))``, ``Λ_ν(x) = Γ(ν+1)(2/x)^ν J_ν(x)``, ``ν = D/2 − 1``.

    Kind
    ----
    rigorous within :data:`MP_LOG_ERROR` (50-digit mpmath, checked against Arb in the tests).

    References
    ----------
    docs/lambda_lower.rst#ingham-kahane
    """
    with mpmath.workdps(ENCLOSURE_DPS):
        xm = mpmath.mpf(x)
        _check_phi_point(xm, D)
        if xm == 0:
            return mpmath.mpf(0)
        return _log_phi_from(xm, mpmath.besselj(mpmath.mpf(D) / 2 - 1, xm), D)


@dataclass(frozen=True)
class _Problem:
    """The data of ``G_X = T1 + C``: ``T1(x) = log p(x/a)`` (concave), ``C(x) = −log(1 − x²/X²) −
    2 log φ(x)`` (convex, increasing on ``[0, X)``), all as mpmath numbers."""

    D: int
    log_p0: mpmath.mpf  # log p(0) = (D/2) log(ℓ²/2π)
    curv: mpmath.mpf  # ℓ²/(2a²): T1(x) = log_p0 − curv x²
    X: mpmath.mpf
    j1: mpmath.mpf

    def t1(self, x: mpmath.mpf) -> mpmath.mpf:
        with mpmath.workdps(ENCLOSURE_DPS):
            return self.log_p0 - self.curv * x**2

    def c_and_slope(self, x: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
        """``C(x)`` and ``C'(x) = 2x/(X² − x²) + 2 J_{ν+1}(x)/J_ν(x) − 4x/(j_1² − x²)`` (50 digits)."""
        if x == 0:
            return mpmath.mpf(0), mpmath.mpf(0)
        with mpmath.workdps(ENCLOSURE_DPS):
            _check_phi_point(x, self.D)
            nu = mpmath.mpf(self.D) / 2 - 1
            j_nu, j_nu1 = mpmath.besselj(nu, x), mpmath.besselj(nu + 1, x)
            c = -mpmath.log(1 - x**2 / self.X**2) - 2 * _log_phi_from(x, j_nu, self.D)
            slope = 2 * x / (self.X**2 - x**2) + 2 * j_nu1 / j_nu
            return c, slope - 4 * x / (self.j1**2 - x**2)


def _problem(kernel: Gaussian, delta: float, D: int, X: object) -> _Problem:
    j1, _ = bessel_zeros(D)
    ell_e = kernel.lengthscale_exact
    with mpmath.workdps(ENCLOSURE_DPS):
        ell = mpmath.mpf(ell_e.p) / ell_e.q if isinstance(ell_e, sp.Rational) else mpmath.mpf(float(ell_e))
        a = mpmath.mpf(delta) / 2
        return _Problem(
            D, (mpmath.mpf(D) / 2) * mpmath.log(ell**2 / (2 * mpmath.pi)), ell**2 / (2 * a**2), mpmath.mpf(X), j1
        )


def _interval_lower(pb: _Problem, u: mpmath.mpf, v: mpmath.mpf | None, cv: dict) -> mpmath.mpf:
    """Rigorous lower bound of ``G_X`` on ``[u, v]`` (``v < X``), or on ``[u, X)`` if ``v`` is None.

    ``cv[x] = (C(x), C'(x))`` at the partition points.  Concave ``T1`` plus the tangent of the
    convex ``C`` at ``v`` is concave, so its minimum over ``[u, v]`` is at an endpoint; on the last
    interval, monotonicity (``T1`` decreasing, ``C`` increasing) gives ``T1(X) + C(u)``.
    """
    if v is None:
        c_u = cv[u][0]
        val, size = pb.t1(pb.X) + c_u, abs(pb.t1(pb.X)) + abs(c_u)
    else:
        c_v, s_v = cv[v]
        val = min(pb.t1(v) + c_v, pb.t1(u) + c_v - s_v * (v - u))
        size = abs(pb.t1(u)) + abs(pb.t1(v)) + abs(c_v) + abs(s_v * (v - u))
    return val - MP_LOG_ERROR * (4 + size)


def _admissible(pb: _Problem, x: mpmath.mpf) -> bool:
    return abs(x - pb.j1) >= 2 * _J1_GUARD * pb.j1


def _split_point(pb: _Problem, u: mpmath.mpf, v: mpmath.mpf) -> mpmath.mpf | None:
    """An interior point of ``[u, v]`` away from ``j_1`` (the midpoint if possible), or None."""
    for m in ((u + v) / 2, pb.j1 * (1 - 3 * _J1_GUARD), pb.j1 * (1 + 3 * _J1_GUARD)):
        if u < m < v and _admissible(pb, m):
            return m
    return None


def log_inf_lower(kernel: Gaussian, delta: float, D: int, X: object) -> tuple[mpmath.mpf, mpmath.mpf]:
    """A rigorous lower bound on ``inf_{0 ≤ x < X} G_X(x)`` and the point where ``G_X`` was smallest.

    Best-first branch and bound: the interval with the lowest bound (``_interval_lower``) is bisected
    until that bound is within ``1e-7`` of the smallest value of ``G_X`` seen (or after 600
    evaluations); the result is the minimum of the interval bounds of the final partition, valid however
    coarse it is.

    Formula
    -------
    ``G_X = T1 + C`` with ``T1 = log p(x/a)`` concave and ``C = −log(1 − x²/X²) − 2 log φ(x)`` convex
    increasing: on ``[u, v]``, ``G_X ≥ min(T1(v) + C(v), T1(u) + C(v) − C'(v)(v − u))``; on the last
    interval ``[u, X)``, ``G_X ≥ T1(X) + C(u)``; each less the stated error ``MP_LOG_ERROR · (4 + size)``.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    ``j_1 < X < j_2`` (so ``φ > 0``, decreasing and log-concave on ``[0, X)``).

    References
    ----------
    docs/lambda_lower.rst#ingham-kahane
    """
    pb = _problem(kernel, delta, D, X)
    _, j2 = bessel_zeros(D)
    with mpmath.workdps(ENCLOSURE_DPS):
        if not pb.j1 < pb.X < j2:
            raise ValueError(f"X must be in (j_1, j_2) = ({mpmath.nstr(pb.j1, 8)}, {mpmath.nstr(j2, 8)}), got {X}")
        pts = [p if _admissible(pb, p) else p * (1 - 4 * _J1_GUARD) for p in (pb.X * k / 8 for k in range(8))]
        cv = {p: pb.c_and_slope(p) for p in pts}
        best, best_x = min((pb.t1(p) + cv[p][0], p) for p in pts)
        heap: list[tuple[mpmath.mpf, int, mpmath.mpf, mpmath.mpf | None]] = []
        for i, u in enumerate(pts):
            v = pts[i + 1] if i + 1 < len(pts) else None
            heapq.heappush(heap, (_interval_lower(pb, u, v, cv), i, u, v))
        count = len(pts)
        while count < _MAX_EVALS:
            low, _, u, v = heap[0]
            m = _split_point(pb, u, pb.X if v is None else v)
            if low >= best - _TOL or m is None:
                break
            heapq.heappop(heap)
            cv[m] = pb.c_and_slope(m)
            count += 1
            best, best_x = min((best, best_x), (pb.t1(m) + cv[m][0], m))
            heapq.heappush(heap, (_interval_lower(pb, u, m, cv), count, u, m))
            heapq.heappush(heap, (_interval_lower(pb, m, v, cv), -count, m, v))
        return heap[0][0], best_x


def support_radius(delta: float, D: int, ell: float) -> float:
    """The support radius ``δ' = min(δ, (1 − 10⁻⁹) δ_max)`` of the weight, where
    ``δ_max = 2 ℓ j_1 / √(D + 2 j_1²/(j_2² − j_1²))``.

    A bound for ``δ'`` holds for every ``δ ≥ δ'`` (a δ-separated set is δ'-separated).  For
    ``δ < δ_max`` the parameter of :func:`optimal_parameter` lies in ``(j_1, j_2)``; at ``δ_max`` it
    reaches ``j_2`` and beyond it the construction loses (``φ`` changes sign at ``j_2``).  The bound
    ``≈ w_1 p(2j_1/δ) ∝ δ^{−D} e^{−2 j_1² ℓ²/δ²}`` increases up to ``δ = 2 j_1 ℓ/√D > δ_max``, so it is
    nondecreasing in δ with this cap.  Quality only: the validity needs ``δ' ≤ δ`` alone.

    Formula
    -------
    ``δ' = min(δ, (1 − 10⁻⁹) δ_max)``, ``δ_max = 2 ℓ j_1 / √(D + 2 j_1²/(j_2² − j_1²))``.

    Kind
    ----
    numerical (a choice of parameter; any ``δ' ≤ δ`` gives a rigorous bound).

    References
    ----------
    docs/lambda_lower.rst#ingham-kahane
    """
    j1, j2 = bessel_zeros(D)
    with mpmath.workdps(ENCLOSURE_DPS):
        d_max = 2 * mpmath.mpf(ell) * j1 / mpmath.sqrt(D + 2 * j1**2 / (j2**2 - j1**2))
        return min(delta, float(d_max * (1 - mpmath.mpf("1e-9"))))


def optimal_parameter(delta: float, D: int, ell: float) -> mpmath.mpf:
    """The free parameter ``X = R a`` that makes ``x = j_1`` a stationary point of ``G_X``:
    ``X² = j_1² + 2 j_1² / (ℓ² j_1²/a² − D)``, ``a = δ/2``.

    From ``G_X'(j_1) = −ℓ² j_1/a² + 2 j_1/(X² − j_1²) + D/j_1`` (``(log φ)'(j_1) = −D/(2 j_1)`` by
    Bessel's equation).  When ``j_1`` is then the minimum of ``G_X``, the bound equals
    ``w_1 p(2 j_1/δ)``, the largest value any ``X`` can give (docs).  Needs ``δ ≤ δ_max`` of
    :func:`support_radius` (so ``j_1 < X < j_2``).  Quality only: the bound holds for every ``X``.

    Formula
    -------
    ``X² = j_1² + 2 j_1² / (ℓ² j_1²/a² − D)``, ``a = δ/2``.

    Kind
    ----
    numerical (a choice of parameter; the bound is rigorous for every ``X``).

    References
    ----------
    docs/lambda_lower.rst#ingham-kahane
    """
    j1, j2 = bessel_zeros(D)
    with mpmath.workdps(ENCLOSURE_DPS):
        a = mpmath.mpf(delta) / 2
        den = mpmath.mpf(ell) ** 2 * j1**2 / a**2 - D
        X = mpmath.sqrt(j1**2 + 2 * j1**2 / den) if den > 0 else j2
        if not j1 < X < j2:
            raise ValueError(f"delta must be < delta_max of support_radius for D = {D}, ell = {ell}, got {delta}")
        return X


def ingham_kahane_lower_bound(kernel: Gaussian, N: int, delta: float, D: int) -> Quantity:
    """Ingham–Kahane lower bound ``λ_N(δ) ≥ max_X P (1 − j_1²/X²) exp(inf_{x<X} G_X(x))`` (Gaussian).

    Returns
    -------
    Quantity
        ``mp`` carries the bound in full (e.g. ``1e-600`` for small δ/ℓ); ``value`` is its float
        rounded down (``0.0`` after underflow, never NaN).  ``hypotheses`` records ``X`` and the
        frequency radius ``R = X/a`` of the weight.

    Raises
    ------
    ValueError
        Bad ``N``, ``delta``, ``D``, or a kernel other than :class:`~bounds.kernels.Gaussian`.

    Formula
    -------
    ``λ_N(δ) ≥ P (1 − j_1²/X²) exp(inf_{0 ≤ x < X} G_X(x))`` (module docstring) with
    ``P = (2π)^D j_1² / (2 |S^{D−1}| a^D)``, ``a = δ/2``,
    ``G_X(x) = log p(x/a) − log(1 − x²/X²) − 2 log φ(x)``, ``φ(x) = Π_{k≥2} (1 − x²/j_k²)``,
    ``j_k`` the positive zeros of ``J_{D/2−1}``, ``X`` of :func:`optimal_parameter`.  It does not
    depend on ``N`` (it bounds ``λ_min`` of every δ-separated set, however many points).

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    ``X ⊂ R^D`` δ-separated; ``K`` Gaussian (its log-density is concave, which the interval bound uses).

    References
    ----------
    docs/lambda_lower.rst#ingham-kahane; docs/theory.rst#lambda-gaussian; J.-P. Kahane, Ann. Sci.
    ÉNS 79 (1962) (the weight); V. Komornik and P. Loreti, *Fourier Series in Control Theory*, 2005,
    ch. 8.
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    if not isinstance(kernel, Gaussian):
        name = getattr(kernel, "name", type(kernel).__name__)
        raise ValueError(
            f"kernel must be a Gaussian kernel for the Ingham-Kahane bound (the interval bound uses its concave "
            f"log-density; for Matern kernels the Gaussian-minorant bound is larger), got {name}"
        )
    radius = support_radius(delta, D, kernel.lengthscale)
    X = optimal_parameter(radius, D, kernel.lengthscale)
    j1, _ = bessel_zeros(D)
    low, x_min = log_inf_lower(kernel, radius, D, X)
    with mpmath.workdps(ENCLOSURE_DPS):
        log_val = log_prefactor(D, radius) + mpmath.log(1 - j1**2 / X**2) + low
        mp_val = mpmath.exp(log_val - MP_LOG_ERROR * (3 + abs(log_val)))
    return Quantity(
        name="lambda_lower_ingham_kahane",
        value=round_down(mp_val),
        kind="rigorous",
        formula="max_X (2pi)^D j1^2/(2|S^{D-1}| a^D) (1 - j1^2/X^2) inf_{x<X} p(x/a)/((1 - x^2/X^2) phi(x)^2), "
        "a = delta/2, phi(x) = prod_{k>=2} (1 - x^2/j_k^2), j_k the zeros of J_{D/2-1}",
        reference=_REFERENCE,
        hypotheses=(
            f"X in R^{D} with sep(X) >= {delta!r} (any number of points; N = {N})",
            f"{kernel.name}: Gaussian spectral density (log-concave)",
            f"weight support radius delta' = {radius!r} <= delta, X = {mpmath.nstr(X, 17)} (frequencies "
            f"|w| < R = 2X/delta' = {mpmath.nstr(2 * X / radius, 17)}), infimum near x = {mpmath.nstr(x_min, 10)}",
        ),
        mp=mp_val,
        dps=ENCLOSURE_DPS,
    )
