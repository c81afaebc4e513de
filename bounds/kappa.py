"""The regularity constants ``c0, c1, c2`` and ``κ = c0 + c1 + c2`` of Condition 1 (SPEC §3).

For a translation-invariant kernel ``K(z) = E_{ω∼μ} cos(ω·z)`` and ``v ∈ V = H_K^D``,

* ``‖v(x)‖ ≤ c0 ‖v‖_V`` with ``c0 = √K(0) = 1``,
* ``‖Dv(x)‖_op ≤ c1 ‖v‖_V`` with ``c1 = √λ_max(E[ω ωᵀ])``,
* ``‖D²v(x)[u, w]‖ ≤ c2 ‖v‖_V |u| |w|`` with ``c2 = √(max_{|u|=1} E[(ω·u)⁴])``,

and each constant is attained (derivation and sharpness witnesses: ``docs/kappa.rst``).

* Matérn(ν, ℓ) and Gaussian(ℓ): the moments ``E[ω_1^{2k}]`` are *integrated* by sympy from the
  spectral density (:func:`matern_moment_expr`, :func:`gaussian_moment_expr`), giving exact
  expressions in ν and ℓ — ``c1 = √(ν/(ν−1))/ℓ``, ``c2 = √(3ν²/((ν−1)(ν−2)))/ℓ²`` — and exact
  algebraic numbers at rational ν, ℓ; values to any precision with mpmath.
* A random-feature kernel (empirical spectral measure): ``c1`` of the sample, and a certified
  upper bound for ``c2`` by branch and bound over the sphere (:func:`rff_regularity`).

>>> from bounds.kernels import Matern
>>> reg = regularity(Matern("5/2"))
>>> reg.c1.expr, reg.c2.expr, reg.kappa.expr
(sqrt(15)/3, 5, sqrt(15)/3 + 6)
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from .kernels import Gaussian, Matern, RandomFourierKernel
from .result import Quantity
from .validate import require_int

__all__ = [
    "NU",
    "ELL",
    "Regularity",
    "QuarticMax",
    "matern_moment_expr",
    "gaussian_moment_expr",
    "regularity",
    "regularity_constant",
    "talk_proposition_bound",
    "talk_proposition_expr",
    "derived_kappa_expr",
    "rff_regularity",
    "quartic_form_max",
]

#: The symbols of the exact expressions: smoothness ν and length scale ℓ (both positive).
NU = sp.Symbol("nu", positive=True)
ELL = sp.Symbol("ell", positive=True)
_W = sp.Symbol("omega", real=True)

REFERENCE = "docs/kappa.rst"
MOMENTS_REFERENCE = "docs/kernels.rst#matern-moments"
DEFAULT_DPS = 30
_EPS = float(np.finfo(float).eps)

_COND1 = "Condition 1 (SPEC §3): ||v||_inf + ||Dv||_inf + ||D^2 v||_inf <= kappa ||v||_V"


# --------------------------------------------------------------------------------------------
# Symbolic moments, integrated from the spectral densities
# --------------------------------------------------------------------------------------------


def matern_marginal_density_expr() -> sp.Expr:
    """Density of the first coordinate ``ω_1`` of the Matérn(ν, ℓ) spectral measure.

    The spectral measure is the multivariate Student-t ``ω = z/(ℓ√γ)``, ``z ∼ N(0, I_D)``,
    ``γ ∼ Gamma(ν, rate ν)`` (SPEC §1).  Its first coordinate ``z_1/(ℓ√γ)`` is, whatever ``D``,
    a univariate Student-t with ``2ν`` degrees of freedom scaled by ``1/ℓ`` (the same scale
    mixture of one Gaussian), so ``E[ω_1^{2k}]`` is a one-dimensional integral against

    ``p_1(ω) = Γ(ν + 1/2)/(Γ(ν) √(2πν)) · ℓ · (1 + ℓ²ω²/(2ν))^{-(ν + 1/2)}``.

    >>> sp.integrate(matern_marginal_density_expr().subs({NU: sp.Rational(5, 2), ELL: 1}),
    ...              (sp.Symbol("omega", real=True), -sp.oo, sp.oo))
    1
    """
    half = sp.Rational(1, 2)
    norm = sp.gamma(NU + half) / (sp.gamma(NU) * sp.sqrt(2 * sp.pi * NU)) * ELL
    return norm * (1 + ELL**2 * _W**2 / (2 * NU)) ** (-(NU + half))


@lru_cache(maxsize=None)
def _matern_moment(k: int) -> tuple[sp.Expr, sp.Expr]:
    integrand = 2 * _W ** (2 * k) * matern_marginal_density_expr()  # even integrand
    result = sp.integrate(integrand, (_W, 0, sp.oo), conds="separate")
    if not isinstance(result, tuple):  # pragma: no cover - depends on the sympy version
        raise RuntimeError(f"sympy returned no convergence condition for E[w_1^{2 * k}]: {result}")
    value, condition = result
    return sp.factor(sp.simplify(sp.gammasimp(value))), condition


def matern_moment_expr(k: int) -> sp.Expr:
    """``E[ω_1^{2k}]`` of the Matérn(ν, ℓ) spectral measure, exact in the symbols ν, ℓ.

    Obtained by ``sympy.integrate`` of ``ω^{2k}`` against the marginal spectral density
    (:func:`matern_marginal_density_expr`), not typed in.  Finite iff ν > k (sympy's convergence
    condition is :func:`matern_moment_condition`).

    Parameters
    ----------
    k
        Order, an integer >= 0.

    Returns
    -------
    sympy.Expr
        e.g. ``ν/(ℓ²(ν−1))`` for k = 1 and ``3ν²/(ℓ⁴(ν−1)(ν−2))`` for k = 2.

    Notes
    -----
    Kind: exact.  Hypotheses: ν > k, ℓ > 0.  Derivation: ``docs/kernels.rst``.

    >>> matern_moment_expr(1)
    nu/(ell**2*(nu - 1))
    >>> matern_moment_expr(2)
    3*nu**2/(ell**4*(nu - 2)*(nu - 1))
    """
    k = require_int("k", k, minimum=0)
    return _matern_moment(k)[0]


def matern_moment_condition(k: int) -> sp.Boolean:
    """sympy's convergence condition of the integral defining ``E[ω_1^{2k}]`` (``ν > k``).

    >>> matern_moment_condition(2)
    nu > 2
    """
    k = require_int("k", k, minimum=0)
    return _matern_moment(k)[1]


@lru_cache(maxsize=None)
def _gaussian_moment(k: int) -> sp.Expr:
    density = ELL / sp.sqrt(2 * sp.pi) * sp.exp(-(ELL**2) * _W**2 / 2)
    return sp.simplify(sp.integrate(2 * _W ** (2 * k) * density, (_W, 0, sp.oo)))


def gaussian_moment_expr(k: int) -> sp.Expr:
    """``E[ω_1^{2k}]`` of the Gaussian kernel's spectral measure ``N(0, ℓ^{-2})``, by sympy.

    Kind: exact; hypothesis ℓ > 0; derivation ``docs/kernels.rst``.

    >>> gaussian_moment_expr(1), gaussian_moment_expr(2)
    (ell**(-2), 3/ell**4)
    """
    k = require_int("k", k, minimum=0)
    return _gaussian_moment(k)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regularity:
    """The per-term constants of Condition 1 and their sum κ, each a :class:`Quantity`.

    ``c2_lower`` is set only when ``c2`` is an upper bound that need not be attained (random
    features): it is the value of the quartic form at the best point found, a lower bound of the
    true ``c2``, so ``c2.value - c2_lower.value`` is the certified gap.
    """

    c0: Quantity
    c1: Quantity
    c2: Quantity
    kappa: Quantity
    kernel: str = ""
    c2_lower: Quantity | None = None

    def __repr__(self) -> str:
        def line(q: Quantity) -> str:
            expr = "" if q.expr is None else f" = {sp.sstr(q.expr)}"
            return f"  {q.name:<5} = {q.value:.17g}{expr} [{q.kind}]"

        rows = [f"Regularity({self.kernel})", *(line(q) for q in (self.c0, self.c1, self.c2, self.kappa))]
        if self.c2_lower is not None:
            rows.append(f"  c2 >= {self.c2_lower.value:.17g} (best point found; certified gap "
                        f"{self.c2.value - self.c2_lower.value:.3g})")
        rows.append(f"  reference: {self.c1.reference}")
        return "\n".join(rows)

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(c0, c1, c2, κ)`` as floats."""
        return (self.c0.value, self.c1.value, self.c2.value, self.kappa.value)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary of the four quantities (and ``c2_lower`` when present)."""
        out: dict[str, object] = {"kernel": self.kernel}
        for q in (self.c0, self.c1, self.c2, self.kappa, self.c2_lower):
            if q is not None:
                out[q.name] = q.to_dict()
        return out


# --------------------------------------------------------------------------------------------
# Matérn and Gaussian
# --------------------------------------------------------------------------------------------


def _nu_error(nu: object, order: int) -> ValueError:
    if order == 1:
        return ValueError(
            f"nu must be > 1 for c1 to be finite (got nu={nu}): c1 = sqrt(E[w_1^2]) and "
            "E[w_1^2] diverges for nu <= 1 (the Student-t spectral measure with 2nu degrees of "
            "freedom has no second moment), equivalently K is not twice differentiable at 0 and "
            "Dv is unbounded on V; Condition 1 needs nu > 2"
        )
    return ValueError(
        f"nu must be > 2 for c2 to be finite (got nu={nu}): c1 is finite for 1 < nu <= 2, but "
        "c2 = sqrt(E[w_1^4]) is infinite because E[w_1^4] diverges for nu <= 2, i.e. K has no "
        "fourth derivative at 0 and the second derivative D^2 v is not bounded on V. Condition 1 "
        "needs the bound on D^2 v: it gives the smoothness beta(R) of the loss (SPEC §6) that "
        "gradient descent's step size and convergence rest on"
    )


def _mp_param(value: object) -> mpmath.mpf:
    v = sp.sympify(value)
    if v.is_Rational:
        return mpmath.mpf(int(v.p)) / int(v.q)
    return mpmath.mpf(float(v))  # a float parameter: its exact binary value


def _mp_of(expr: sp.Expr, dps: int, params: dict[sp.Symbol, object] | None = None) -> mpmath.mpf:
    """Evaluate ``expr`` (symbolic in ν, ℓ) at ``params`` to ``dps`` digits with mpmath.

    The parameters enter as mpmath numbers (rationals exactly, floats as their binary value), so
    the result is correct to the working precision whatever the parameter type.
    """
    params = params or {}
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    missing = [s for s in symbols if s not in params]
    if missing:
        raise ValueError(f"internal: no value for {missing}")
    fn = sp.lambdify(symbols, expr, modules="mpmath")
    with mpmath.workdps(dps + 10):
        out = fn(*[_mp_param(params[s]) for s in symbols])
    with mpmath.workdps(dps):
        return +mpmath.mpf(out)


def _params(kernel: Matern | Gaussian) -> dict[sp.Symbol, sp.Expr]:
    subs = {ELL: sp.sympify(kernel.lengthscale_exact)}
    if isinstance(kernel, Matern):
        subs[NU] = sp.sympify(kernel.nu_exact)
    return subs


def _moment_sym(kernel: Matern | Gaussian, k: int) -> sp.Expr:
    return matern_moment_expr(k) if isinstance(kernel, Matern) else gaussian_moment_expr(k)


def _symbolic_constants(kernel: Matern | Gaussian) -> tuple[sp.Expr, sp.Expr]:
    """``(c1, c2)`` as symbolic expressions in ν, ℓ (Matérn) or ℓ (Gaussian)."""
    return sp.sqrt(_moment_sym(kernel, 1)), sp.sqrt(_moment_sym(kernel, 2))


def _hypotheses(kernel: Matern | Gaussian, order: int) -> tuple[str, ...]:
    base = ("translation-invariant kernel K(z) = E cos(w.z), K(0) = 1", "V = H_K^D with the norm sum_j ||v_j||^2")
    if isinstance(kernel, Matern):
        need = {0: "nu > 0", 1: "nu > 1", 2: "nu > 2"}[order]
        return base + (f"Matern: {need}, lengthscale > 0 (here {kernel.name})",)
    return base + (f"Gaussian, lengthscale > 0 (here {kernel.name})",)


def regularity_constant(kernel: Matern | Gaussian, order: int, dps: int | None = None) -> Quantity:
    """One sharp constant ``c_order`` (order 0, 1 or 2) of a Matérn or Gaussian kernel.

    Formula: ``c0 = 1``, ``c1 = √E[ω_1²]``, ``c2 = √E[ω_1⁴]`` with the moments integrated by
    sympy from the spectral density; Matérn: ``c1 = √(ν/(ν−1))/ℓ``,
    ``c2 = √(3ν²/((ν−1)(ν−2)))/ℓ²``; Gaussian: ``c1 = 1/ℓ``, ``c2 = √3/ℓ²``.
    Derivation and sharpness: ``docs/kappa.rst``.  Hypotheses: Matérn ν > order (c1 needs
    ν > 1, c2 needs ν > 2), ℓ > 0.  Kind: exact (the sympy expression; ``mp`` holds the value
    to ``dps`` digits).  Useful on its own because the PL constants need only ``c1``, which is
    finite for 1 < ν ≤ 2 where κ is not.

    >>> regularity_constant(Matern(3), 1)
    c1 = 1.2247448713915889 = sqrt(6)/2 [exact]
      formula: c1 = sqrt(E[w_1^2]) = sqrt(nu/(ell**2*(nu - 1)))
      hypotheses: ...
      reference: docs/kappa.rst
    """
    order = require_int("order", order, minimum=0)
    if order > 2:
        raise ValueError(f"order must be 0, 1 or 2, got {order}")
    dps = DEFAULT_DPS if dps is None else require_int("dps", dps, minimum=1)
    if not isinstance(kernel, (Matern, Gaussian)):
        raise ValueError(
            f"kernel must be a Matern or Gaussian kernel for exact constants, got {kernel!r} "
            "(use rff_regularity for a RandomFourierKernel)"
        )
    if isinstance(kernel, Matern) and order >= 1 and kernel.nu <= order:
        raise _nu_error(sp.sstr(kernel.nu_exact), order)
    return _regularity_constant_exact(kernel, order, dps)


@lru_cache(maxsize=256)
def _regularity_constant_exact(kernel: Matern | Gaussian, order: int, dps: int) -> Quantity:
    """:func:`regularity_constant` after validation; cached (kernels and results are immutable)."""
    if order == 0:
        expr_sym: sp.Expr = sp.Integer(1)
        formula = "c0 = sqrt(K(0)) = 1"
    else:
        expr_sym = _symbolic_constants(kernel)[order - 1]
        formula = f"c{order} = sqrt(E[w_1^{2 * order}]) = sqrt({sp.sstr(_moment_sym(kernel, order))})"
    params = _params(kernel)
    exact = _exact_value(expr_sym, params)
    mp = _mp_of(expr_sym, dps, params)
    return Quantity(
        name=f"c{order}",
        value=float(mp),
        kind="exact",
        formula=formula,
        reference=REFERENCE,
        hypotheses=_hypotheses(kernel, order),
        expr=exact,
        mp=mp,
        dps=dps,
    )


def _exact_value(expr_sym: sp.Expr, params: dict[sp.Symbol, sp.Expr]) -> sp.Expr | None:
    """``expr_sym`` at the parameters: an exact algebraic number when they are rational."""
    if all(sp.sympify(v).is_Rational for v in params.values()):
        return sp.radsimp(sp.sqrtdenest(sp.nsimplify(expr_sym.subs(params))))
    return None  # a float parameter: no exact value (the formula and mp value remain)


def regularity(kernel: Matern | Gaussian | RandomFourierKernel, dps: int | None = None) -> Regularity:
    """The sharp constants ``c0, c1, c2`` and ``κ = c0 + c1 + c2`` of Condition 1 for a kernel.

    Formula: ``c0 = √K(0) = 1``, ``c1 = √λ_max(E[ωωᵀ])``, ``c2 = √max_{|u|=1} E[(ω·u)⁴]``
    (isotropic: ``√E[ω_1²]``, ``√E[ω_1⁴]``), with the moments integrated symbolically from the
    spectral density.  Derivation, sharpness witnesses: ``docs/kappa.rst``.

    Parameters
    ----------
    kernel
        :class:`~bounds.kernels.Matern` (needs ν > 2), :class:`~bounds.kernels.Gaussian`, or a
        :class:`~bounds.kernels.RandomFourierKernel` (delegates to :func:`rff_regularity`).
    dps
        Decimal digits of the mpmath values (``Quantity.mp``); default 30.

    Returns
    -------
    Regularity
        Four :class:`~bounds.result.Quantity` objects.  Kind: exact for Matérn/Gaussian
        (sympy expressions in ``expr``); rigorous upper bounds for random features.

    Raises
    ------
    ValueError
        ν ≤ 1 (c1 infinite), 1 < ν ≤ 2 (c2 infinite), ``dps`` < 1, unsupported kernel.

    Examples
    --------
    >>> reg = regularity(Matern("5/2", lengthscale=2), dps=50)
    >>> reg.c1.expr, reg.c2.expr
    (sqrt(15)/6, 5/4)
    >>> reg.kappa.mp_string()
    '2.8954972243679028141965442332970666018054869508819'
    """
    if isinstance(kernel, RandomFourierKernel):
        return rff_regularity(kernel)
    if not isinstance(kernel, (Matern, Gaussian)):
        own = getattr(kernel, "regularity", None)
        if callable(own):  # a user's kernel supplies its own constants (and their provenance)
            reg = own()
            if not isinstance(reg, Regularity):
                raise ValueError(f"kernel.regularity() must return a bounds.kappa.Regularity, got {type(reg).__name__}")
            return reg
        raise ValueError(
            f"kernel must be a Matern, Gaussian or RandomFourierKernel, or provide its own "
            f"regularity() -> Regularity, got {kernel!r} (exact constants need a known spectral measure)"
        )
    dps = DEFAULT_DPS if dps is None else require_int("dps", dps, minimum=1)
    return _regularity_exact(kernel, dps)


@lru_cache(maxsize=256)
def _regularity_exact(kernel: Matern | Gaussian, dps: int) -> Regularity:
    """:func:`regularity` for Matérn/Gaussian; cached (kernels and results are immutable)."""
    c = [regularity_constant(kernel, order, dps) for order in (0, 1, 2)]
    dps_used = c[0].dps or DEFAULT_DPS
    c1_sym, c2_sym = _symbolic_constants(kernel)
    params = _params(kernel)
    expr = _exact_value(1 + c1_sym + c2_sym, params)
    mp = _mp_of(1 + c1_sym + c2_sym, dps_used, params)
    kappa = Quantity(
        name="kappa",
        value=float(mp),
        kind="exact",
        formula=(
            f"kappa = c0 + c1 + c2 = 1 + sqrt({sp.sstr(_moment_sym(kernel, 1))})"
            f" + sqrt({sp.sstr(_moment_sym(kernel, 2))})"
        ),
        reference=REFERENCE,
        hypotheses=_hypotheses(kernel, 2) + (_COND1,),
        expr=expr,
        mp=mp,
        dps=dps_used,
    )
    return Regularity(c[0], c[1], c[2], kappa, kernel=kernel.name)


def talk_proposition_expr() -> sp.Expr:
    """The talk's Proposition, typed in as stated on the slide (ν > 2):
    ``κ ≤ 1 + √(ν/(ν−1)) + √(3ν²/((ν−1)(ν−2)))``.

    >>> talk_proposition_expr().subs(NU, 3)
    1 + 2*sqrt(6)
    """
    return 1 + sp.sqrt(NU / (NU - 1)) + sp.sqrt(3 * NU**2 / ((NU - 1) * (NU - 2)))


def derived_kappa_expr(lengthscale: object = ELL) -> sp.Expr:
    """κ of Matérn(ν, ℓ) as derived here from the spectral density (symbolic in ν; ℓ optional).

    >>> sp.simplify(derived_kappa_expr(1) - talk_proposition_expr()) == 0
    True
    """
    expr = 1 + sp.sqrt(matern_moment_expr(1)) + sp.sqrt(matern_moment_expr(2))
    return expr.subs(ELL, lengthscale)


def talk_proposition_bound(nu: object, dps: int | None = None) -> Quantity:
    """The talk's Proposition ``κ ≤ 1 + √(ν/(ν−1)) + √(3ν²/((ν−1)(ν−2)))`` at a given ν > 2.

    It equals the κ derived here for Matérn(ν, ℓ = 1) (a symbolic identity, see
    :func:`derived_kappa_expr`; ``docs/kappa.rst``); for ℓ ≠ 1 use :func:`regularity`.  The
    slide's density ``(1 + ‖ω‖²/ν)^{-(d/2+ν)}`` is our family at ℓ = √2, for which the
    Proposition is a valid but loose bound.  Kind: exact.  Hypothesis: ν > 2.

    >>> talk_proposition_bound("5/2").expr
    sqrt(15)/3 + 6
    """
    kernel = Matern(nu, 1)  # validates nu (finite, > 0)
    if kernel.nu <= 2:
        raise _nu_error(sp.sstr(kernel.nu_exact), 1 if kernel.nu <= 1 else 2)
    dps = DEFAULT_DPS if dps is None else require_int("dps", dps, minimum=1)
    params = {NU: sp.sympify(kernel.nu_exact)}
    exact = _exact_value(talk_proposition_expr(), params)
    mp = _mp_of(talk_proposition_expr(), dps, params)
    return Quantity(
        name="kappa_talk",
        value=float(mp),
        kind="exact",
        formula="1 + sqrt(nu/(nu-1)) + sqrt(3 nu^2/((nu-1)(nu-2)))  (talk, Proposition; = derived kappa at ell = 1)",
        reference=REFERENCE + "#the-talk-s-proposition",
        hypotheses=("Matern spectral density, lengthscale 1", "nu > 2"),
        expr=exact,
        mp=mp,
        dps=dps,
    )


# --------------------------------------------------------------------------------------------
# Random features: the empirical spectral measure
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarticMax:
    """Result of :func:`quartic_form_max`: ``lower ≤ max_{|u|=1} (1/q)Σ(ω_j·u)⁴ ≤ upper``."""

    lower: float
    upper: float
    argmax: np.ndarray
    boxes: int
    converged: bool

    @property
    def gap(self) -> float:
        return self.upper - self.lower


def _cap_upper(omega: np.ndarray, norms: np.ndarray, u0: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Certified upper bounds of ``f(u) = (1/q)Σ(ω_j·u)⁴`` on the caps ``|u| = 1, |u − u0_b| ≤ ρ_b``.

    Write ``u = u0 + d`` and ``a_j = ω_j·u0``.  Expanding ``(a_j + ω_j·d)⁴`` gives
    ``f(u) = f(u0) + g·d + R`` with ``g = (4/q)Σ a_j³ ω_j`` and
    ``|R| ≤ 6ρ² mean(a²‖ω‖²) + 4ρ³ mean(|a|‖ω‖³) + ρ⁴ mean(‖ω‖⁴)``.  On the sphere
    ``u0·d = −|d|²/2``, so ``|g·d| ≤ |g·u0| ρ²/2 + ‖g − (g·u0)u0‖ ρ``: the bound exceeds ``f(u0)``
    only by ``O(ρ²)`` near a critical point, which keeps the branch and bound small.  The
    first-order bound ``(1/q)Σ(|a_j| + ‖ω_j‖ρ)⁴`` is also valid; the smaller of the two is used.
    Rounding: ρ is enlarged by ``4(D+2)ε`` (error of ``a_j`` and of ``|u0| = 1``), sums by
    ``(q+10)ε`` relative, and ``8(q+D+10)ε·mean‖ω‖⁴`` absolute covers the cancellation in ``g``.
    """
    q, D = omega.shape
    A = omega @ u0.T  # (q, B)
    absA = np.abs(A)
    rho = rho * (1 + 1e-12) + 4 * (D + 2) * _EPS
    n2, n3, n4 = norms**2, norms**3, norms**4
    first_order = ((absA + norms[:, None] * rho[None, :]) ** 4).mean(axis=0)
    f0 = (A**4).mean(axis=0)
    g = 4.0 * (omega.T @ A**3) / q  # (D, B)
    gu = np.sum(g * u0.T, axis=0)
    g_perp = np.linalg.norm(g - gu[None, :] * u0.T, axis=0)
    second = (
        f0
        + np.abs(gu) * rho**2 / 2
        + g_perp * rho
        + 6 * rho**2 * (A**2 * n2[:, None]).mean(axis=0)
        + 4 * rho**3 * (absA * n3[:, None]).mean(axis=0)
        + rho**4 * n4.mean()
    )
    margin = 8 * (q + D + 10) * _EPS * float(n4.mean())
    return np.minimum(first_order, second) * (1 + (q + 10) * _EPS) + margin


def _chord_radius(radius: np.ndarray, centre_norm: np.ndarray) -> np.ndarray:
    """Largest chord ``|x/|x| − c/|c||`` over ``|x − c| ≤ radius`` (2 if the ball holds 0)."""
    ratio = radius / centre_norm
    out = np.full_like(ratio, 2.0)
    inside = ratio < 1
    out[inside] = 2 * np.sin(np.arcsin(ratio[inside]) / 2)
    return out


def quartic_form_max(omega: np.ndarray, rtol: float = 1e-3, max_boxes: int = 20_000) -> QuarticMax:
    """Bracket ``max_{|u|=1} f(u)``, ``f(u) = (1/q) Σ_j (ω_j·u)⁴``, by branch and bound.

    The sphere is the radial projection of the faces ``x_i = 1`` of the cube ``[−1, 1]^D`` (``f``
    is even, so D faces suffice).  A box of a face projects into a spherical cap around the
    projection of its centre, whose chord radius is computed exactly; on a cap
    ``f ≤ (1/q)Σ(|ω_j·u0| + ‖ω_j‖ρ)⁴`` (:func:`_cap_upper`).  Boxes are split until the
    largest remaining upper bound is within ``rtol`` of the best value found, or ``max_boxes``
    boxes were evaluated.  The upper bound is never below the true maximum (rigorous, rounding
    included) whether or not it converged; it is also capped by the always-valid
    ``(1/q)Σ‖ω_j‖⁴`` and by ``λ_max`` of ``(1/q)Σ vec(ω_jω_jᵀ)vec(ω_jω_jᵀ)ᵀ`` (plus a rounding
    margin).  The lower bound is ``f`` at the best point found (numerical).

    >>> res = quartic_form_max(np.array([[1.0, 0.0], [0.0, 2.0]]))
    >>> round(res.lower, 6), res.upper >= res.lower, res.converged
    (8.0, True, True)
    """
    omega = np.asarray(omega, dtype=float)
    q, D = omega.shape
    if not (isinstance(rtol, float) and rtol > 0 and math.isfinite(rtol)):
        raise ValueError(f"rtol must be a finite float > 0, got {rtol!r}")
    norms = np.linalg.norm(omega, axis=1) * (1 + 2 * _EPS)
    fallback = float(np.mean(norms**4)) * (1 + (q + 10) * _EPS)
    # SDP-free relaxation: f(u) = vec(uu^T)^T M vec(uu^T) <= lambda_max(M), ||uu^T||_F = 1.
    outer = np.einsum("ja,jb->jab", omega, omega).reshape(q, D * D)
    M = outer.T @ outer / q
    lam = float(np.linalg.eigvalsh(M)[-1])
    relax = lam + 10 * (q + D * D) * _EPS * float(np.trace(M))
    global_upper = min(fallback, relax)

    def f(U: np.ndarray) -> np.ndarray:
        return np.mean((omega @ U.T) ** 4, axis=0)

    if D == 1:
        val = float(np.mean(omega[:, 0] ** 4))
        return QuarticMax(val, val * (1 + (q + 10) * _EPS), np.ones(1), 0, True)

    # A box: (face axis i, centre of the other D-1 coordinates, half widths).
    def embed(axis: int, centres: np.ndarray) -> np.ndarray:
        X = np.insert(centres, axis, 1.0, axis=1)
        return X

    best_val = -1.0
    best_u = np.eye(D)[0]
    heap: list[tuple[float, int, int, np.ndarray, np.ndarray]] = []
    counter = 0
    evaluated = 0

    def push(axis: int, centres: np.ndarray, half: np.ndarray) -> None:
        nonlocal best_val, best_u, counter, evaluated
        X = embed(axis, centres)
        cn = np.linalg.norm(X, axis=1)
        U = X / cn[:, None]
        rad = np.linalg.norm(half, axis=1)
        rho = _chord_radius(rad, cn)
        ub = np.minimum(_cap_upper(omega, norms, U, rho), global_upper)
        vals = f(U)
        evaluated += len(U)
        i = int(np.argmax(vals))
        if vals[i] > best_val:
            best_val, best_u = float(vals[i]), U[i]
        for b in range(len(U)):
            counter += 1
            heapq.heappush(heap, (-float(ub[b]), counter, axis, centres[b], half[b]))

    for axis in range(D):
        push(axis, np.zeros((1, D - 1)), np.ones((1, D - 1)))

    batch = 128
    converged = False
    while heap:
        top = -heap[0][0]
        if top <= best_val * (1 + rtol):
            converged = True
            break
        if evaluated >= max_boxes:
            break
        popped = [heapq.heappop(heap) for _ in range(min(batch, len(heap)))]
        for _, _, axis, c, h in popped:
            j = int(np.argmax(h))
            hh = h.copy()
            hh[j] /= 2
            cs = np.stack([c.copy(), c.copy()])
            cs[0, j] -= hh[j]
            cs[1, j] += hh[j]
            push(axis, cs, np.stack([hh, hh]))
    upper = -heap[0][0] if heap else best_val
    upper = max(upper, best_val)
    return QuarticMax(best_val, min(upper, global_upper), best_u, evaluated, converged)


def rff_regularity(kernel: RandomFourierKernel, rtol: float = 1e-3, max_boxes: int = 20_000) -> Regularity:
    """Constants of Condition 1 for a random-feature kernel ``K_q(z) = (1/q)Σ cos(ω_j·z)``.

    Formula: ``c0 = 1``; ``c1 = √λ_max((1/q)Σ ω_jω_jᵀ)`` (the sample's exact constant, rounded
    up by a certified margin); ``c2`` = a certified upper bound of
    ``√max_{|u|=1}(1/q)Σ(ω_j·u)⁴`` by :func:`quartic_form_max` (never below the true value;
    ``c2_lower`` holds the best value found, so the gap is reported); ``κ = c0 + c1 + c2``.
    Derivation: ``docs/kappa.rst`` (random features).  Hypotheses: the drawn sample, features
    ``q^{-1/2}[cos, sin]`` (SPEC §1).  Kind: rigorous (upper bounds).

    >>> rff = RandomFourierKernel(np.array([[1.0, 0.0], [0.0, 2.0]]))
    >>> reg = rff_regularity(rff)
    >>> round(reg.c1.value, 9), round(reg.c2.value, 4), round(reg.c2_lower.value, 9)
    (1.414213562, 2.8284, 2.828427125)
    """
    if not isinstance(kernel, RandomFourierKernel):
        raise ValueError(f"kernel must be a RandomFourierKernel, got {kernel!r}")
    omega = kernel.omega
    q, D = omega.shape
    hyp = (f"empirical spectral measure of the drawn sample ({kernel.name})", "features q^(-1/2)[cos, sin]")
    S = omega.T @ omega / q
    lam = float(np.linalg.eigvalsh(S)[-1])
    lam_up = lam + 2 * (q + 10 * D) * _EPS * float(np.trace(S))
    c1_val = math.sqrt(lam_up) * (1 + 2 * _EPS)
    qm = quartic_form_max(omega, rtol=rtol, max_boxes=max_boxes)
    c2_val = math.sqrt(qm.upper) * (1 + 2 * _EPS)
    c2_low = math.sqrt(max(qm.lower, 0.0))
    ref = REFERENCE + "#random-features"
    c0 = Quantity("c0", 1.0, "exact", "c0 = sqrt(K_q(0)) = 1", ref, hyp, expr=sp.Integer(1))
    c1 = Quantity("c1", c1_val, "rigorous", "c1 = sqrt(lambda_max((1/q) sum w_j w_j^T)), rounded up", ref, hyp)
    status = "converged" if qm.converged else "box budget exhausted"
    c2 = Quantity(
        "c2",
        c2_val,
        "rigorous",
        f"c2 <= sqrt(max_|u|=1 (1/q) sum (w_j.u)^4), branch and bound on the sphere "
        f"({qm.boxes} caps, {status}, gap {c2_val - c2_low:.3g})",
        ref,
        hyp,
    )
    c2_lower = Quantity(
        "c2_lower", c2_low, "numerical", "sqrt((1/q) sum (w_j.u*)^4) at the best point u* found", ref, hyp
    )
    kappa = Quantity(
        "kappa", (1.0 + c1_val + c2_val) * (1 + 4 * _EPS), "rigorous", "kappa = c0 + c1 + c2 (upper bound)", ref,
        hyp + (_COND1,),
    )
    return Regularity(c0, c1, c2, kappa, kernel=kernel.name, c2_lower=c2_lower)
