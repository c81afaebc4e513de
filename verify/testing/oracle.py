"""A ball-arithmetic oracle: Arb enclosures of the package's rigorous and exact quantities.

Every function here returns an Arb ball (python-flint's :class:`flint.arb`) that provably
contains the exact value of a quantity the package computes in floats, evaluated from its
definition and *independently of the package's own code* (the Bessel form of every Matérn kernel,
the Gamma-mixture moments for ``c1, c2``, a ball Cholesky for ``λ_min``); the checks
:func:`is_below`, :func:`is_above` and :func:`rounds_to` then decide whether a float lies on its
claimed side of the ball (``rigorous``) or is its correctly rounded value (``exact``).  A float
that fails them is a proven violation, not a tolerance question.  The property tests under
``tests/`` use them (``docs/rigor.rst`` lists which test checks which quantity), and so can a user
testing a kernel of their own: a radial kernel needs only a ball version of its profile for
:func:`gram`, :func:`lambda_min` and :func:`gershgorin`.

>>> from bounds.kernels import Matern
>>> from bounds.lambda_min.bracket import lambda_two
>>> q = lambda_two(Matern("5/2"), 1.1e-31)
>>> is_below(q.value, lambda_two_ball(Matern("5/2"), 1.1e-31))
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
import sympy as sp
from flint import acb_mat, arb, arb_mat, ctx

__all__ = [
    "PREC",
    "ball",
    "is_below",
    "is_above",
    "rounds_to",
    "within",
    "narrow",
    "profile",
    "log_profile",
    "log_density",
    "moments",
    "regularity",
    "lambda_two_ball",
    "gram",
    "lambda_min",
    "lambda_max",
    "certify_lower",
    "gershgorin_rows",
    "sigma_extremes",
    "flow_factors",
    "row_norm_max",
    "lift",
]

#: Default working precision (bits) of the oracle: far beyond double precision, so the balls are
#: narrow enough to decide the side of a float except in ties below ``2⁻²⁰⁰`` relative.
PREC = 256


def ball(x: object) -> arb:
    """The exact value of a float, int, :class:`fractions.Fraction` or sympy rational as a ball
    (a rational ``p/q`` with ``q`` not a power of 2 becomes a ball of radius ``≈ 2⁻ᵖʳᵉᶜ``)."""
    if isinstance(x, arb):
        return x
    if isinstance(x, sp.Rational):
        return arb(int(x.p)) / int(x.q)
    if isinstance(x, Fraction):
        return arb(x.numerator) / x.denominator
    if isinstance(x, (int, np.integer)):
        return arb(int(x))
    return arb(float(x))  # floats are dyadic: exact


def is_below(value: float, enclosure: arb) -> bool:
    """``value ≤`` every point of ``enclosure`` (a lower bound, proven)."""
    if not math.isfinite(value):
        return value == -math.inf
    with ctx.workprec(max(ctx.prec, PREC)):
        return bool(arb(value) <= enclosure.lower())


def is_above(value: float, enclosure: arb) -> bool:
    """``value ≥`` every point of ``enclosure`` (an upper bound, proven)."""
    if not math.isfinite(value):
        return value == math.inf
    with ctx.workprec(max(ctx.prec, PREC)):
        return bool(arb(value) >= enclosure.upper())


def rounds_to(value: float, enclosure: arb) -> bool:
    """Every point of ``enclosure`` is within half an ulp of ``value``: ``value`` is the correctly
    rounded exact value (the meaning of kind ``exact``)."""
    with ctx.workprec(max(ctx.prec, PREC)):  # value ± ulp/2 is exact at this precision
        half = arb(math.ulp(value)) / 2
        return bool(arb(value) - half <= enclosure.lower()) and bool(enclosure.upper() <= arb(value) + half)


def within(value: float, enclosure: arb, tol: float) -> bool:
    """``|value − x| ≤ tol`` for every point ``x`` of ``enclosure`` (a stated error bound holds)."""
    with ctx.workprec(max(ctx.prec, PREC)):
        return bool((arb(value) - enclosure).abs_upper() <= arb(tol))


def narrow(evaluate: Callable[[], arb], rel: float = 2.0**-120, prec: int = PREC, limit: int = 1 << 13) -> arb:
    """``evaluate()`` at ``prec``, ``2 prec``, … bits until its relative radius is ``≤ rel``."""
    while True:
        with ctx.workprec(prec):
            x = evaluate()
            if x.is_finite() and (x.rad() <= abs(x.mid()) * rel or prec >= limit):
                return x
        prec *= 2


# ----------------------------------------------------------------------------------------- kernels


def _matern_nu(kernel: object) -> arb:
    return ball(kernel.nu_exact)  # type: ignore[attr-defined]


def profile(kernel: object, r: arb | float) -> arb:
    """``K(r)`` at the current precision: Gaussian ``exp(−r²/(2ℓ²))``; Matérn (every ν, the
    half-integers included) ``2^{1−ν}/Γ(ν) s^ν K_ν(s)``, ``s = √(2ν) r/ℓ`` (GPML eq. 4.14)."""
    r = r if isinstance(r, arb) else ball(r)
    ell = ball(kernel.lengthscale_exact)  # type: ignore[attr-defined]
    if not hasattr(kernel, "nu_exact"):
        return (-(r * r) / (2 * ell * ell)).exp()
    nu = _matern_nu(kernel)
    s = (2 * nu).sqrt() * r / ell
    if s.is_zero():
        return arb(1)
    return arb(2) ** (1 - nu) / nu.gamma() * s**nu * s.bessel_k(nu)


def log_profile(kernel: object, r: float) -> arb:
    """``log K(r)`` with relative accuracy ``2⁻¹²⁰`` (0 at ``r = 0``)."""
    return arb(0) if r == 0 else narrow(lambda: profile(kernel, r).log())


def log_density(kernel: object, rho: float, D: int) -> tuple[arb, arb]:
    """``(log c, log p(ρ))`` of the spectral density on ``R^D`` (``c = p(0)``): Student-t
    ``Γ(ν + D/2)/(Γ(ν)(2πν)^{D/2}) ℓ^D (1 + ℓ²ρ²/(2ν))^{−(ν + D/2)}`` or Gaussian
    ``(ℓ²/(2π))^{D/2} e^{−ℓ²ρ²/2}``."""
    with ctx.workprec(PREC):
        ell, h, rho_b = ball(kernel.lengthscale_exact), arb(D) / 2, ball(rho)  # type: ignore[attr-defined]
        if not hasattr(kernel, "nu_exact"):
            log_c = h * (ell * ell / (2 * arb.pi())).log()
            return log_c, log_c - (ell * rho_b) ** 2 / 2
        nu = _matern_nu(kernel)
        log_c = (nu + h).lgamma() - nu.lgamma() - h * (2 * arb.pi() * nu).log() + D * ell.log()
        return log_c, log_c - (nu + h) * (1 + (ell * rho_b) ** 2 / (2 * nu)).log()


def moments(kernel: object) -> tuple[arb, arb]:
    """``(E[ω_1²], E[ω_1⁴])`` of the spectral measure.  Matérn: ``ω_1 = z/(ℓ√γ)``,
    ``z ~ N(0, 1)``, ``γ ~ Gamma(ν, rate ν)``, so ``E[ω_1^{2k}] = (2k − 1)!! E[γ^{−k}]/ℓ^{2k}``
    with ``E[γ^{−k}] = ν^k Γ(ν − k)/Γ(ν)`` (ν > k); Gaussian: ``1/ℓ²``, ``3/ℓ⁴``."""
    with ctx.workprec(PREC):
        ell = ball(kernel.lengthscale_exact)  # type: ignore[attr-defined]
        if not hasattr(kernel, "nu_exact"):
            return 1 / ell**2, 3 / ell**4
        nu = _matern_nu(kernel)
        inv = [nu**k * (nu - k).gamma() / nu.gamma() for k in (1, 2)]
        return inv[0] / ell**2, 3 * inv[1] / ell**4


def regularity(kernel: object) -> tuple[arb, arb, arb]:
    """``(c1, c2, κ)`` = ``(√E[ω_1²], √E[ω_1⁴], 1 + c1 + c2)`` (docs/kappa.rst)."""
    m2, m4 = moments(kernel)
    with ctx.workprec(PREC):
        c1, c2 = m2.sqrt(), m4.sqrt()
        return c1, c2, 1 + c1 + c2


def lambda_two_ball(kernel: object, delta: float) -> arb:
    """``λ_2(δ) = 1 − K(δ)`` with relative accuracy ``2⁻¹²⁰`` (the precision grows as ``δ/ℓ``
    shrinks)."""
    return narrow(lambda: 1 - profile(kernel, delta))


# ------------------------------------------------------------------------------ Gram matrices


def lift(A: np.ndarray, X: np.ndarray) -> list[list[arb]]:
    """The exact products ``A x_i`` of float matrices, row by row (the lifted points)."""
    return [[sum((ball(a) * ball(x) for a, x in zip(row, xi, strict=True)), arb(0)) for row in A] for xi in X]


def _distance(x: Sequence[object], y: Sequence[object], scale: arb | None = None) -> arb:
    r = sum(((ball(a) - ball(b)) ** 2 for a, b in zip(x, y, strict=True)), arb(0)).sqrt()
    return r if scale is None else scale * r


def gram(kernel: object, X: np.ndarray, kernel_profile: Callable[[object, arb], arb] = profile) -> arb_mat:
    """The exact Gram matrix ``(K(‖x_i − x_j‖))`` of the float points ``X`` at the current
    precision; ``kernel_profile(kernel, r)`` gives the ball profile (default :func:`profile`)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n = X.shape[0]
    rows = [[arb(1)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            rows[i][j] = rows[j][i] = kernel_profile(kernel, _distance(X[i], X[j]))
    return arb_mat(rows)


def _positive_definite(M: arb_mat, shift: arb) -> bool:
    n = M.nrows()
    L: list[list[arb]] = [[arb(0)] * n for _ in range(n)]
    for j in range(n):
        d = M[j, j] - shift - sum((L[j][k] * L[j][k] for k in range(j)), arb(0))
        if not d > 0:
            return False
        L[j][j] = d.sqrt()
        for i in range(j + 1, n):
            L[i][j] = (M[i, j] - sum((L[i][k] * L[j][k] for k in range(j)), arb(0))) / L[j][j]
    return True


def certify_lower(M: arb_mat, value: float) -> bool:
    """Proof that ``λ_min(M) > value`` for every symmetric matrix in the balls ``M``: a Cholesky
    factorisation of ``M − value·I`` in ball arithmetic with every pivot certainly positive."""
    return _positive_definite(M, arb(value))


def _symmetric_min(build: Callable[[], arb_mat], prec: int) -> arb:
    """Enclosure of ``λ_min`` of the symmetric matrix ``build()``: a ball Cholesky certifies the
    lower end just below an approximate eigenvalue, a ball Rayleigh quotient gives the upper end."""
    while True:
        with ctx.workprec(prec):
            M = build()
            n = M.nrows()
            values, vectors = acb_mat(M.mid()).eig(algorithm="approx", right=True)
            i = min(range(n), key=lambda k: float(values[k].real.mid()))
            v = [vectors[k, i].real.mid() for k in range(n)]
            quad = sum((v[a] * M[a, b] * v[b] for a in range(n) for b in range(n)), arb(0))
            upper = quad / sum((x * x for x in v), arb(0))
            radius = max((M[a, b].rad() for a in range(n) for b in range(n)), key=float)
            lam = values[i].real.mid()
            low = (lam - (abs(lam) + n * n) * arb(2) ** (16 - prec) - 4 * n * radius).mid()
            if _positive_definite(M, low):
                return low.union(upper.upper())
        if prec >= 1 << 13:
            raise ValueError(f"could not enclose lambda_min at {prec} bits (eigenvalues too close to the rounding level)")
        prec *= 2


def lambda_min(
    kernel: object, X: np.ndarray, prec: int = PREC, kernel_profile: Callable[[object, arb], arb] = profile
) -> arb:
    """An enclosure of ``λ_min(K_X)`` of the exact Gram matrix (:func:`gram`)."""
    return _symmetric_min(lambda: gram(kernel, X, kernel_profile), prec)


def lambda_max(M: Callable[[], arb_mat], prec: int = PREC) -> arb:
    """An enclosure of ``λ_max`` of a symmetric ball matrix (``−λ_min(−M)``)."""
    return -_symmetric_min(lambda: -M(), prec)


def gershgorin_rows(kernel: object, X: np.ndarray | list[list[arb]], shrink: float | arb = 1.0) -> arb:
    """``max_i Σ_{j≠i} K(s ‖x_i − x_j‖)`` (``s`` = ``shrink``, exact) for float points or exact
    ball points (:func:`lift`), at the current precision."""
    s = ball(shrink)
    n = len(X)
    rows = [arb(0)] * n
    for i in range(n):
        for j in range(i + 1, n):
            k = profile(kernel, _distance(X[i], X[j], s))
            rows[i] += k
            rows[j] += k
    worst = rows[0]
    for row in rows[1:]:
        worst = worst.max(row)
    return worst


def sigma_extremes(A: np.ndarray) -> tuple[arb, arb]:
    """``(σ_min, σ_max)`` of a float matrix, ``σ_min`` the ``min(rows, cols)``-th singular value:
    square roots of the extreme eigenvalues of ``AᵀA`` or ``AAᵀ`` (the smaller), exactly formed."""
    A = np.atleast_2d(np.asarray(A, dtype=float))
    rows = A.T if A.shape[0] >= A.shape[1] else A  # Gram of the columns (tall A) or of the rows
    side = rows.shape[0]

    def build() -> arb_mat:
        return arb_mat(
            [[sum((ball(x) * ball(y) for x, y in zip(rows[a], rows[b], strict=True)), arb(0)) for b in range(side)]
             for a in range(side)]
        )

    lo = _symmetric_min(build, PREC)
    hi = lambda_max(build, PREC)
    with ctx.workprec(PREC):
        return lo.nonnegative_part().sqrt(), hi.sqrt()


def flow_factors(c: arb, R: float, depth: int | None = None) -> tuple[arb, arb]:
    """``(s_−, s_+)`` of ``bounds.pl.flow_factors`` from the exact ``c`` and ``R``:
    ``(e^{−cR}, e^{cR})``, or ``exp(−cR/(1 − cR/√T))`` for a T-layer ResNet."""
    with ctx.workprec(PREC):
        cR = c * ball(R)
        if depth is None:
            return (-cR).exp(), cR.exp()
        return (-cR / (1 - cR / arb(depth).sqrt())).exp(), cR.exp()


def row_norm_max(Y: Sequence[Sequence[float]]) -> arb:
    """``max_i ‖y_i‖`` of the rows of a float matrix, exactly."""
    norms = [sum((ball(v) ** 2 for v in row), arb(0)).sqrt() for row in Y]
    worst = norms[0]
    for x in norms[1:]:
        worst = worst.max(x)
    return worst
