"""The Liu–Zhu–Belkin radius condition and the convergence certificate (docs/lzb.rst).

Setting: on the ball ``B(θ0, R)`` the loss ``f ≥ 0`` satisfies the local PL sandwich
``m f ≤ ‖∇f‖² ≤ M f`` and ``∇f`` is ``β``-Lipschitz, with ``m = m(‖θ0‖ + R)`` etc.  Gradient
descent with step ``1/β`` then obeys ``f(θ_{k+1}) ≤ q f(θ_k)``, ``q = 1 − m/(2β)`` (Polyak), as long
as the iterates stay in the ball.  Each *form* below is a sufficient condition for that:

``"discrete"`` (the exact path bound)
    ``√(M f0) / (β (1 − √q)) ≤ R``: the step lengths ``‖∇f_k‖/β ≤ √(M f_k)/β`` sum to at most this.
``"simplified"``
    ``f0 ≤ m² R² / (16 M)`` (from ``1 − √q ≥ (1 − q)/2``); the published ``f0 ≤ m²R²/M`` (docs/paper.rst) up to 16.
``"sqrt"`` (M-free, docs/lzb.rst)
    ``f0 ≤ m R² / 16`` and ``m M ≤ 16 β²``: ``√f_k − √f_{k+1} ≥ ‖∇f_k‖ √m /(4β)`` telescopes to a path
    length ``≤ 4 √(f0/m)``; the second condition bounds the step that might leave the ball.
``"lzb"`` (Liu, Zhu, Belkin 2022, Thm 6, translated)
    their ``½‖∇L‖² ≥ μ L`` is ours with ``μ = m/2``; their radius ``R = 2√(2β L0)/μ`` gives
    ``f0 ≤ m² R² / (32 β)``.
``"flow"`` (gradient flow, not GD)
    ``f0 ≤ m² R² / (4 M)`` — reported for reference only, it does not certify GD.

Then ``f(θ_k) ≤ q^k f0``, ``‖θ_k − θ0‖ ≤ R``, and the iterates converge to a global minimiser.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import mpmath
import numpy as np

from bounds._core.rounding import down, up
from bounds._core.validate import require_positive
from bounds.result import Kind, Quantity, weakest_kind

__all__ = [
    "FORMS",
    "GD_FORMS",
    "RadiusConstants",
    "Constants",
    "LZBPoint",
    "LZBCertificate",
    "lzb_condition",
    "lzb_certificate",
    "iterations_to",
]

FORMS = ("discrete", "simplified", "sqrt", "lzb", "flow")
GD_FORMS = ("discrete", "simplified", "sqrt", "lzb")
REFERENCE = "docs/lzb.rst"
#: Relative room ``allowed_f0 ≥ (1 + INTERIOR) f0`` sought at the radius reported.
INTERIOR = 1e-6


class Constants(Protocol):
    """What the radius condition needs at one radius: ``m``, ``M`` and ``β`` valid on the ball."""

    @property
    def m(self) -> Quantity: ...

    @property
    def M(self) -> Quantity: ...

    @property
    def beta(self) -> Quantity: ...


@dataclass(frozen=True)
class RadiusConstants:
    """``m``, ``M``, ``β`` valid on a ball (the simplest :class:`Constants`)."""

    m: Quantity
    M: Quantity
    beta: Quantity


def _quantity(name: str, value: float | Quantity) -> Quantity:
    if isinstance(value, Quantity):
        return value
    return Quantity(name=name, value=float(value), kind="numerical", formula="given by the caller", reference=REFERENCE)


@dataclass(frozen=True)
class LZBPoint:
    """The radius condition evaluated at one ``R``.

    ``allowed_f0[form]`` is the largest initial loss the form allows at this radius; the form
    holds when ``f0 <= allowed_f0[form]`` (so all forms are comparable on one scale).  ``kind`` is
    that of the verdict: the weakest of the kinds of ``m``, ``M`` and ``β`` (plain floats given by
    a caller count as ``numerical``).
    """

    R: float
    m: float
    M: float
    beta: float
    f0: float
    rate: float
    allowed_f0: dict[str, float]
    kind: Kind = "numerical"

    def holds(self, form: str = "discrete") -> bool:
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {form!r}")
        return self.f0 <= self.allowed_f0[form]


#: Working precision (bits) of the margins: products of two floats are exact (106 bits), so the
#: ``mM ≤ 16β²`` test is decided exactly and every form is within 2⁻²⁵⁰ of its exact value.
_MARGIN_BITS = 256


def _allowed_f0(m: float, M: float, beta: float, R: float) -> dict[str, float]:
    """Largest ``f0`` each form allows at this ``(m, M, β, R)`` (0 when ``m = 0``), each a float
    ``≤`` the exact value (evaluated at 256 bits, rounded down one ulp further), so that the
    float verdict ``f0 ≤ allowed`` implies the exact inequality."""
    if m <= 0 or R <= 0:
        return {form: 0.0 for form in FORMS}
    if m > M * (1 + 1e-12):
        raise ValueError(f"m must be <= M (a PL sandwich), got m = {m!r} > M = {M!r}")
    with mpmath.workprec(_MARGIN_BITS):
        m_, M_, b_, R_ = (mpmath.mpf(x) for x in (m, M, beta, R))
        q = 1 - m_ / (2 * b_)
        if q < 0:
            raise ValueError(f"m/(2 beta) must be <= 1, got m = {m!r}, beta = {beta!r}: inconsistent constants")
        one_minus_sqrt_q = m_ / (2 * b_) / (1 + mpmath.sqrt(q))  # = (1 - q)/(1 + sqrt q): no cancellation
        exact = {
            # sqrt(M f0)/(beta (1 - sqrt q)) <= R  <=>  f0 <= (R beta (1 - sqrt q))^2 / M
            "discrete": (R_ * b_ * one_minus_sqrt_q) ** 2 / M_,
            "simplified": m_**2 * R_**2 / (16 * M_),
            "sqrt": m_ * R_**2 / 16 if m_ * M_ <= 16 * b_**2 else mpmath.mpf(0),
            "lzb": m_**2 * R_**2 / (32 * b_),
            "flow": m_**2 * R_**2 / (4 * M_),
        }
        return {form: max(0.0, down(value, 1)) for form, value in exact.items()}


def _rate(m: float, beta: float) -> float:
    """``q = 1 − m/(2β)`` rounded up (a float ``>=`` the exact rate)."""
    with mpmath.workprec(_MARGIN_BITS):
        return up(1 - mpmath.mpf(m) / (2 * mpmath.mpf(beta)), 1)


def lzb_condition(
    f0: float, m: float | Quantity, M: float | Quantity, beta: float | Quantity, R: float
) -> LZBPoint:
    """Evaluate every form of the radius condition at one radius (constants already at ``‖θ0‖ + R``).

    Raises
    ------
    ValueError
        ``f0``, ``m`` or ``R`` negative, ``M`` or ``β`` not positive, ``m > M`` or ``m > 2β``.

    Formula
    -------
    The largest ``f0`` each form allows (module docstring): ``"discrete"``
    ``(R β (1 − √q))² / M``; ``"simplified"`` ``m² R² / (16 M)``; ``"sqrt"`` ``m R² / 16`` when
    ``m M ≤ 16 β²`` (else 0); ``"lzb"`` ``m² R² / (32 β)``; ``"flow"`` ``m² R² / (4 M)``; the rate
    ``q = 1 − m/(2β)``.

    Kind
    ----
    The weakest kind of the constants fed in (plain floats count as ``numerical``); the margins are
    rounded down and the rate up, so the float verdict implies the exact one.

    Hypotheses
    ----------
    ``m ≤ ‖∇f‖²/f ≤ M`` and ``∇f`` ``β``-Lipschitz on the ball ``B(θ0, R)``.

    References
    ----------
    docs/lzb.rst#sufficient-conditions-the-forms; docs/theory.rst#lzb-discrete; docs/theory.rst#lzb-rate
    """
    mq, Mq, bq = _quantity("m", m), _quantity("M", M), _quantity("beta", beta)
    f0 = require_positive("f0", f0, strict=False)
    m_ = require_positive("m", mq.value, strict=False)
    M_ = require_positive("M", Mq.value)
    beta_ = require_positive("beta", bq.value)
    R = require_positive("R", R, strict=False)
    return LZBPoint(R=R, m=m_, M=M_, beta=beta_, f0=f0, rate=_rate(m_, beta_),
                    allowed_f0=_allowed_f0(m_, M_, beta_, R), kind=weakest_kind(mq.kind, Mq.kind, bq.kind))


def iterations_to(target: float, f0: float, rate: float) -> int:
    """Smallest ``k`` with ``rate^k f0 ≤ target`` (0 if ``f0 ≤ target``).

    Raises
    ------
    ValueError
        ``target <= 0``, ``f0 < 0`` or ``rate`` outside ``[0, 1)``.

    Formula
    -------
    ``k = ⌈log(target/f0) / log(rate)⌉``.

    Kind
    ----
    numerical (float logarithms; ``rate`` is a rigorous upper bound when it comes from
    :func:`lzb_condition`).

    References
    ----------
    docs/theory.rst#lzb-iterations
    """
    target = require_positive("target", target)
    f0 = require_positive("f0", f0, strict=False)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate!r}")
    if f0 <= target:
        return 0
    if rate == 0.0:
        return 1
    return int(math.ceil(math.log(target / f0) / math.log(rate)))


@dataclass(frozen=True)
class LZBCertificate:
    """Result of :func:`lzb_certificate`.

    ``guaranteed`` is true when the chosen form holds at some radius of the grid; ``best`` is the
    smallest such radius (the best rate: ``m`` decreases and ``β`` increases with ``R``), and
    ``feasible`` the list of radius intervals (grid-resolved, endpoints refined by bisection)
    where it holds.
    """

    guaranteed: bool
    form: str
    f0: float
    theta0_norm: float
    best: LZBPoint | None
    feasible: tuple[tuple[float, float], ...]
    grid: tuple[LZBPoint, ...] = field(repr=False)
    iterations: int | None = None
    target: float | None = None

    @property
    def rate(self) -> float | None:
        return None if self.best is None else self.best.rate


def lzb_certificate(
    f0: float,
    constants: Callable[[float], Constants],
    *,
    theta0_norm: float = 0.0,
    form: str = "discrete",
    R_min: float = 1e-4,
    R_max: float = 10.0,
    grid_size: int = 121,
    target: float | None = None,
) -> LZBCertificate:
    """Search the radius ``R`` for which the LZB condition holds and report the guarantee.

    Parameters
    ----------
    f0, theta0_norm
        ``f(θ0)`` and ``‖θ0‖`` (0 for the zero initialisation).
    constants
        Function of the *absolute* radius ``ρ`` returning ``m``, ``M``, ``β`` valid on ``‖θ‖ ≤ ρ`` (any object
        with those :class:`~bounds.result.Quantity` attributes, e.g. :class:`RadiusConstants` or
        :class:`bounds.chain.ChainPoint`); evaluated at ``ρ = ‖θ0‖ + R``.
    form
        Which sufficient condition certifies GD (module docstring); ``"flow"`` is refused here.
    R_min, R_max, grid_size
        Log-spaced grid of radii searched; interval endpoints are refined by bisection.
    target
        If given, the number of iterations to reach ``f ≤ target`` at the best radius.

    Formula
    -------
    The chosen form of :func:`lzb_condition` on the grid; then ``f(θ_k) ≤ q^k f0``, ``q = 1 − m/(2β)``.
    Kind
    ----
    As rigorous as ``m, M, beta`` (the search itself only decides *where* to look; the verdict at
    the returned radius is an exact evaluation of the inequality).
    References
    ----------
    docs/lzb.rst#the-calculator; docs/theory.rst#lzb-setting
    """
    if form not in GD_FORMS:
        raise ValueError(f"form must be one of {GD_FORMS} (gradient descent), got {form!r}")
    f0 = require_positive("f0", f0, strict=False)
    theta0_norm = require_positive("theta0_norm", theta0_norm, strict=False)
    R_min = require_positive("R_min", R_min)
    R_max = require_positive("R_max", R_max)
    if R_max <= R_min:
        raise ValueError(f"R_max must be > R_min, got R_min = {R_min}, R_max = {R_max}")
    if grid_size < 2:
        raise ValueError(f"grid_size must be >= 2, got {grid_size}")

    def point(R: float) -> LZBPoint:
        c = constants(theta0_norm + R)
        return lzb_condition(f0, c.m, c.M, c.beta, R)

    radii = np.geomspace(R_min, R_max, grid_size)
    grid = tuple(point(float(R)) for R in radii)
    ok = [p.holds(form) for p in grid]
    intervals: list[tuple[float, float]] = []
    i = 0
    while i < len(grid):
        if not ok[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(grid) and ok[j + 1]:
            j += 1
        lo = grid[i].R if i == 0 else _bisect(point, form, grid[i - 1].R, grid[i].R, want_low=True)
        hi = grid[j].R if j == len(grid) - 1 else _bisect(point, form, grid[j].R, grid[j + 1].R, want_low=False)
        intervals.append((lo, hi))
        i = j + 1
    best = point(intervals[0][0]) if intervals else None
    if best is not None and not best.holds(form):  # bisection returns a radius where it holds
        raise AssertionError("internal: refined radius does not satisfy the condition")
    iters = None
    if best is not None and target is not None:
        iters = iterations_to(target, f0, best.rate)
    return LZBCertificate(
        guaranteed=best is not None, form=form, f0=f0, theta0_norm=theta0_norm, best=best,
        feasible=tuple(intervals), grid=grid, iterations=iters, target=target,
    )


def _bisect(point: Callable[[float], LZBPoint], form: str, a: float, b: float, *, want_low: bool) -> float:
    """Refine the boundary between ``a`` and ``b`` (one side holds, the other does not); return
    a radius on the side where the condition holds.  When the grid radius that holds does so with
    room (``(1 + INTERIOR) f0 ≤ allowed``), the boundary of *that* region is refined instead, so
    the reported verdict never rests on the last digits."""
    good, bad = (b, a) if want_low else (a, b)

    def roomy(R: float) -> bool:
        p = point(R)
        return p.f0 * (1 + INTERIOR) <= p.allowed_f0[form]

    test = roomy if roomy(good) else (lambda R: point(R).holds(form))
    for _ in range(40):
        mid = math.sqrt(good * bad)
        if test(mid):
            good = mid
        else:
            bad = mid
    return good
