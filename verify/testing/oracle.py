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
:func:`gram`, :func:`lambda_min` and :func:`gershgorin_rows`.

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

import mpmath
import numpy as np
import sympy as sp
from flint import acb_mat, arb, arb_mat, ctx

__all__ = [
    "PREC",
    "Enclosure",
    "ball",
    "is_below",
    "is_above",
    "rounds_to",
    "within",
    "within_rel",
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
    "pl_m",
    "pl_M",
    "smoothness",
    "lzb_allowed",
]

#: Default working precision of the oracle in bits, far beyond double precision, so that the balls
#: are narrow enough to decide the side of a float except in ties below ``2⁻²⁰⁰`` relative.
PREC = 256


def ball(x: object) -> arb:
    """The exact value of a float, int, mpmath number, :class:`fractions.Fraction` or sympy rational
    as a ball (a rational ``p/q`` with ``q`` not a power of 2 becomes a ball of radius ``≈ 2⁻ᵖʳᵉᶜ``)."""
    if isinstance(x, arb):
        return x
    if isinstance(x, mpmath.mpf):  # its exact binary value (-1)^sign · man · 2^exp
        sign, man, exp, _ = x._mpf_
        with ctx.workprec(max(ctx.prec, int(man).bit_length() + 8)):
            return arb((-1) ** sign * int(man)) * arb(2) ** int(exp)
    if isinstance(x, sp.Rational):
        return arb(int(x.p)) / int(x.q)
    if isinstance(x, Fraction):
        return arb(x.numerator) / x.denominator
    if isinstance(x, (int, np.integer)):
        return arb(int(x))
    if isinstance(x, (float, np.floating)):
        return arb(float(x))  # floats are dyadic: exact
    raise ValueError(f"x must be a float, int, rational, mpmath number or ball, got {type(x).__name__}")


Enclosure = arb | Callable[[], arb]


def _prec() -> int:
    """The oracle's working precision: the current one, at least :data:`PREC` (the checks raise it
    when a ball is too wide to decide)."""
    return max(ctx.prec, PREC)


def _decide(enclosure: Enclosure, holds: Callable[[arb], bool], fails: Callable[[arb], bool]) -> bool:
    """``holds(ball)`` for an Arb ball, or for a callable evaluated at ``PREC``, ``2·PREC``, … bits
    until the answer is proven either way (``False`` also when still undecided at 8192 bits)."""
    prec = max(ctx.prec, PREC)
    while True:
        with ctx.workprec(prec):
            x = enclosure if isinstance(enclosure, arb) else enclosure()
            if holds(x):
                return True
            if isinstance(enclosure, arb) or fails(x) or prec >= 1 << 13:
                return False
        prec *= 2


def is_below(value: float | mpmath.mpf, enclosure: Enclosure) -> bool:
    """``value ≤`` every point of ``enclosure`` (a lower bound, proven).  ``enclosure`` is a ball or
    a function returning one at the current precision (then refined until decided)."""
    if not mpmath.isfinite(value):
        return value == -math.inf
    v = ball(value)
    return _decide(enclosure, lambda x: bool(v <= x.lower()), lambda x: bool(v > x.upper()))


def is_above(value: float | mpmath.mpf, enclosure: Enclosure) -> bool:
    """``value ≥`` every point of ``enclosure`` (an upper bound, proven); see :func:`is_below`."""
    if not mpmath.isfinite(value):
        return value == math.inf
    v = ball(value)
    return _decide(enclosure, lambda x: bool(v >= x.upper()), lambda x: bool(v < x.lower()))


def rounds_to(value: float, enclosure: Enclosure) -> bool:
    """Every point of ``enclosure`` is within half an ulp of ``value``: ``value`` is the correctly
    rounded exact value (the meaning of kind ``exact``); see :func:`is_below`."""
    with ctx.workprec(PREC):  # value ± ulp/2 is exact at this precision
        lo, hi = ball(value) - arb(math.ulp(value)) / 2, ball(value) + arb(math.ulp(value)) / 2
    return _decide(
        enclosure,
        lambda x: bool(lo <= x.lower()) and bool(x.upper() <= hi),
        lambda x: bool(x.upper() < lo) or bool(x.lower() > hi),
    )


def within(value: float | mpmath.mpf, enclosure: Enclosure, tol: float) -> bool:
    """``|value − x| ≤ tol`` for every point ``x`` of ``enclosure`` (a stated error bound holds)."""
    v, t = ball(value), ball(tol)  # exact balls
    return _decide(enclosure, lambda x: bool((v - x).abs_upper() <= t), lambda x: bool((v - x).abs_lower() > t))


def within_rel(value: float | mpmath.mpf, enclosure: Enclosure, rel: float) -> bool:
    """``|value − x| ≤ rel·|x|`` for every point ``x`` of ``enclosure`` (any exponent range)."""
    v, t = ball(value), ball(rel)
    return _decide(
        enclosure, lambda x: bool(((v - x) / x).abs_upper() <= t), lambda x: bool(((v - x) / x).abs_lower() > t)
    )


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
    with ctx.workprec(_prec()):
        r = ball(r)
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
    with ctx.workprec(_prec()):
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
    with ctx.workprec(_prec()):
        ell = ball(kernel.lengthscale_exact)  # type: ignore[attr-defined]
        if not hasattr(kernel, "nu_exact"):
            return 1 / ell**2, 3 / ell**4
        nu = _matern_nu(kernel)
        inv = [nu**k * (nu - k).gamma() / nu.gamma() for k in (1, 2)]
        return inv[0] / ell**2, 3 * inv[1] / ell**4


def regularity(kernel: object) -> tuple[arb, arb, arb]:
    """``(c1, c2, κ)`` = ``(√E[ω_1²], √E[ω_1⁴], 1 + c1 + c2)`` (docs/kappa.rst)."""
    m2, m4 = moments(kernel)
    with ctx.workprec(_prec()):
        c1, c2 = m2.sqrt(), m4.sqrt()
        return c1, c2, 1 + c1 + c2


def lambda_two_ball(kernel: object, delta: float) -> Callable[[], arb]:
    """``λ_2(δ) = 1 − K(δ)`` as a function of the working precision (for :func:`is_below` and
    friends, which refine it until decided)."""
    def evaluate() -> arb:
        with ctx.workprec(_prec()):
            return 1 - profile(kernel, delta)

    return evaluate


# ------------------------------------------------------------------------------ Gram matrices


def lift(A: np.ndarray, X: np.ndarray) -> list[list[arb]]:
    """The exact products ``A x_i`` of float matrices, row by row (the lifted points)."""
    with ctx.workprec(_prec()):  # exact: products of floats and short sums need < 256 bits here
        return [[sum((ball(a) * ball(x) for a, x in zip(row, xi, strict=True)), arb(0)) for row in A] for xi in X]


def _distance(x: Sequence[object], y: Sequence[object], scale: arb | None = None) -> arb:
    r = sum(((ball(a) - ball(b)) ** 2 for a, b in zip(x, y, strict=True)), arb(0)).sqrt()
    return r if scale is None else scale * r


def gram(kernel: object, X: np.ndarray, kernel_profile: Callable[[object, arb], arb] = profile) -> arb_mat:
    """The exact Gram matrix ``(K(‖x_i − x_j‖))`` of the float points ``X`` at the current
    precision; ``kernel_profile(kernel, r)`` gives the ball profile (default :func:`profile`)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n = X.shape[0]
    with ctx.workprec(_prec()):
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
            i = min(range(n), key=lambda k: values[k].real.mid())  # exact midpoints: compared exactly, not as floats
            v = [vectors[k, i].real.mid() for k in range(n)]
            quad = sum((v[a] * M[a, b] * v[b] for a in range(n) for b in range(n)), arb(0))
            upper = quad / sum((x * x for x in v), arb(0))
            radius = max((M[a, b].rad() for a in range(n) for b in range(n)), key=float)
            lam = values[i].real.mid()
            # Below λ̂ by its approximation error, the Weyl shift of the entries' radii, and a relative
            # 2^(−prec/3) for the growth of the radii inside the ball Cholesky (which more
            # precision alone does not shrink relative to the other two).
            slack = (abs(lam) + n * n) * arb(2) ** (16 - prec) + 4 * n * radius + abs(lam) * arb(2) ** (-prec // 3)
            low = (lam - slack).mid()
            if _positive_definite(M, low):
                return low.union(upper.upper())
        if prec >= 1 << 13:
            raise ValueError(f"could not enclose lambda_min at {prec} bits (eigenvalue at the rounding level)")
        prec *= 2


def lambda_min(
    kernel: object, X: np.ndarray, prec: int | None = None, kernel_profile: Callable[[object, arb], arb] = profile
) -> arb:
    """An enclosure of ``λ_min(K_X)`` of the exact Gram matrix (:func:`gram`)."""
    return _symmetric_min(lambda: gram(kernel, X, kernel_profile), prec or _prec())


def lambda_max(M: Callable[[], arb_mat], prec: int | None = None) -> arb:
    """An enclosure of ``λ_max`` of a symmetric ball matrix (``−λ_min(−M)``)."""
    with ctx.workprec(prec or _prec()):
        return -_symmetric_min(lambda: -M(), prec or _prec())


def gershgorin_rows(
    kernel: object,
    X: np.ndarray | list[list[arb]],
    shrink: float | arb = 1.0,
    kernel_profile: Callable[[object, arb], arb] = profile,
) -> arb:
    """``max_i Σ_{j≠i} K(s ‖x_i − x_j‖)`` (``s`` = ``shrink``, exact) for float points or exact
    ball points (:func:`lift`), at the current precision; ``kernel_profile`` as in :func:`gram`."""
    with ctx.workprec(_prec()):
        s = ball(shrink)
        n = len(X)
        rows = [arb(0)] * n
        for i in range(n):
            for j in range(i + 1, n):
                k = kernel_profile(kernel, _distance(X[i], X[j], s))
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

    lo = _symmetric_min(build, _prec())
    hi = lambda_max(build, _prec())
    with ctx.workprec(_prec()):
        return lo.nonnegative_part().sqrt(), hi.sqrt()


def flow_factors(c: arb, R: float, depth: int | None = None) -> tuple[arb, arb]:
    """``(s_−, s_+)`` of ``bounds.pl.flow_factors`` from the exact ``c`` and ``R``:
    ``(e^{−cR}, e^{cR})``, or ``exp(−cR/(1 − cR/√T))`` for a T-layer ResNet."""
    with ctx.workprec(_prec()):
        cR = c * ball(R)
        if depth is None:
            return (-cR).exp(), cR.exp()
        return (-cR / (1 - cR / arb(depth).sqrt())).exp(), cR.exp()


def row_norm_max(Y: Sequence[Sequence[float | arb]]) -> arb:
    """``max_i ‖y_i‖`` of the rows of a float (or exact ball) matrix."""
    with ctx.workprec(_prec()):
        norms = [sum((ball(v) ** 2 for v in row), arb(0)).sqrt() for row in Y]
        worst = norms[0]
        for x in norms[1:]:
            worst = worst.max(x)
        return worst


# ------------------------------------------------------------------ PL, smoothness, LZB formulas


def pl_m(N: int, sigma_min_B: arb, s_minus: arb, lam: arb) -> arb:
    """``m = (4/N) σ_min(B)² s_−² max(λ, 0)`` (docs/pl.rst#the-pl-sandwich)."""
    return (4 * sigma_min_B**2 * s_minus**2 * lam.nonnegative_part() / N).nonnegative_part()


def pl_M(N: int, sigma_max_B: arb, s_plus: arb, Lam: arb) -> arb:
    """``M = (4/N) σ_max(B)² s_+² Λ`` (docs/pl.rst#the-pl-sandwich)."""
    return 4 * sigma_max_B**2 * s_plus**2 * Lam / N


def initial_residual_max(B: np.ndarray, A: np.ndarray, X: np.ndarray, Y: np.ndarray) -> arb:
    """``max_i ‖B A x_i − y_i‖`` of float matrices, from exact products."""
    with ctx.workprec(_prec()):
        lifted = lift(A, X)
        rows = [[sum((ball(b) * z for b, z in zip(brow, zi, strict=True)), arb(0)) - ball(y)
                 for brow, y in zip(B, yi, strict=True)] for zi, yi in zip(lifted, Y, strict=True)]
        return row_norm_max(rows)


def smoothness(sigma_B: arb, residual_max: arb, c0: arb, c1: arb, c2: arb, R: float) -> arb:
    """``β(R) = 2σ_B²c0²e^{2c1R} + 2σ_B r̄ c0 e^{2c1R}(c2 c0 R e^{c1R} + 2c1)`` with
    ``r̄ = max_i‖BAx_i − y_i‖ + σ_B c0 R`` (docs/smoothness.rst), at the current precision."""
    Rb = ball(R)
    e1 = (c1 * Rb).exp()
    rbar = residual_max + sigma_B * c0 * Rb
    return 2 * sigma_B**2 * c0**2 * e1**2 + 2 * sigma_B * rbar * c0 * e1**2 * (c2 * c0 * Rb * e1 + 2 * c1)


def lzb_allowed(m: float, M: float, beta: float, R: float) -> dict[str, arb]:
    """The exact largest ``f0`` of each form of the LZB radius condition (docs/lzb.rst) at the
    float constants: ``discrete (Rβ(1 − √q))²/M``, ``simplified m²R²/(16M)``, ``sqrt mR²/16``
    (0 unless ``mM ≤ 16β²``), ``lzb m²R²/(32β)``, ``flow m²R²/(4M)``, ``q = 1 − m/(2β)``."""
    with ctx.workprec(_prec()):
        m_, M_, b_, R_ = ball(m), ball(M), ball(beta), ball(R)
        q = 1 - m_ / (2 * b_)
        one_minus_sqrt_q = m_ / (2 * b_) / (1 + q.sqrt())  # 1 − √q = (1 − q)/(1 + √q), no cancellation
        sqrt_ok = m_ * M_ <= 16 * b_**2
        sqrt_fails = m_ * M_ > 16 * b_**2
        return {
            "discrete": (R_ * b_ * one_minus_sqrt_q) ** 2 / M_,
            "simplified": m_**2 * R_**2 / (16 * M_),
            "sqrt": m_ * R_**2 / 16 if sqrt_ok else (arb(0) if sqrt_fails else (m_ * R_**2 / 16).union(0)),
            "lzb": m_**2 * R_**2 / (32 * b_),
            "flow": m_**2 * R_**2 / (4 * M_),
        }
