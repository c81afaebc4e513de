"""Exact regularity constants ``c0, c1, c2`` and ``κ = c0 + c1 + c2`` of Condition 1 (docs/kappa.rst).

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
  upper bound for ``c2`` by branch and bound over the sphere (:func:`~bounds.regularity.rff_regularity`).

>>> from bounds.kernels import Matern
>>> from bounds.regularity import regularity_constants
>>> reg = regularity_constants(Matern("5/2"))
>>> reg.c1.expr, reg.c2.expr, reg.kappa.expr
(sqrt(15)/3, 5, sqrt(15)/3 + 6)
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache, lru_cache

import mpmath
import sympy as sp

from bounds._core.rounding import MP_DPS
from bounds._core.validate import require_int
from bounds.kernels import Gaussian, Matern
from bounds.regularity.record import CONDITION_1 as _COND1
from bounds.regularity.record import REFERENCE, Regularity
from bounds.result import Quantity

__all__ = [
    "NU",
    "ELL",
    "matern_moment_expr",
    "gaussian_moment_expr",
    "matern_moment_condition",
    "regularity_constant",
    "regularity_exact",
    "published_kappa_bound",
    "published_kappa_expr",
    "derived_kappa_expr",
]

#: Symbols of the exact expressions, smoothness ν and length scale ℓ (both positive).
NU = sp.Symbol("nu", positive=True)
ELL = sp.Symbol("ell", positive=True)
_W = sp.Symbol("omega", real=True)

MOMENTS_REFERENCE = "docs/kernels.rst#matern-moments"



# --------------------------------------------------------------------------------------------
# Symbolic moments, integrated from the spectral densities
# --------------------------------------------------------------------------------------------


def matern_marginal_density_expr() -> sp.Expr:
    """Density of the first coordinate ``ω_1`` of the Matérn(ν, ℓ) spectral measure.

    The spectral measure is the multivariate Student-t ``ω = z/(ℓ√γ)``, ``z ∼ N(0, I_D)``,
    ``γ ∼ Gamma(ν, rate ν)`` (docs/theory.rst).  Its first coordinate ``z_1/(ℓ√γ)`` is, whatever ``D``,
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


@cache
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

    Formula
    -------
    ``E[ω_1^{2k}] = ∫ ω^{2k} p_1(ω) dω``, ``p_1`` the marginal spectral density.

    Kind
    ----
    exact.

    Hypotheses
    ----------
    ν > k, ℓ > 0.

    References
    ----------
    docs/kernels.rst#matern-moments (derivation)

    Examples
    --------
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


@cache
def _gaussian_moment(k: int) -> sp.Expr:
    density = ELL / sp.sqrt(2 * sp.pi) * sp.exp(-(ELL**2) * _W**2 / 2)
    return sp.simplify(sp.integrate(2 * _W ** (2 * k) * density, (_W, 0, sp.oo)))


def gaussian_moment_expr(k: int) -> sp.Expr:
    """``E[ω_1^{2k}]`` of the Gaussian kernel's spectral measure ``N(0, ℓ^{-2})``, by sympy.

    Formula
    -------
    ``E[ω_1^{2k}] = ∫ ω^{2k} (ℓ/√(2π)) e^{−ℓ²ω²/2} dω``.

    Kind
    ----
    exact.

    Hypotheses
    ----------
    ℓ > 0.

    References
    ----------
    docs/kernels.rst#gaussian (derivation)

    Examples
    --------
    >>> gaussian_moment_expr(1), gaussian_moment_expr(2)
    (ell**(-2), 3/ell**4)
    """
    k = require_int("k", k, minimum=0)
    return _gaussian_moment(k)


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
        "needs the bound on D^2 v: it gives the smoothness beta(R) of the loss (docs/smoothness.rst) that "
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


def _nearest_float(expr: sp.Expr, params: dict[sp.Symbol, object]) -> float:
    """The float nearest to ``expr`` at ``params``: kind ``exact`` promises the correctly rounded
    value, which a float of a 30-digit mpmath value misses when the exact value lies within
    ``10^-30`` of a point halfway between two floats (a double rounding; found by the Arb oracle at
    ``Gaussian(3.9999999999999996)``, whose ``c1 = 1/ℓ`` is ``2^-108`` above such a point).

    Ziv's strategy: at ``p`` bits the few correctly rounded mpmath operations of ``expr`` leave a
    relative error below ``2^(10-p)``; when both ends of ``y (1 ± 2^(10-p))`` round to the same
    float, every point between does (rounding to nearest is monotone); otherwise ``p`` doubles.
    An exact rational value is rounded by Python's exact ``Fraction`` conversion (it may be a
    halfway point, which no finite precision resolves).
    """
    exact = expr.subs(params)
    if exact.is_Rational:
        return float(Fraction(int(exact.p), int(exact.q)))
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = sp.lambdify(symbols, expr, modules="mpmath")
    prec = 128
    while True:
        with mpmath.workprec(prec):
            y = fn(*[_mp_param(params[s]) for s in symbols])
            eps = mpmath.ldexp(1, 10 - prec)
            lo, hi = float(y * (1 - eps)), float(y * (1 + eps))
        if lo == hi or prec >= 1 << 14:
            return lo if lo == hi else float(y)
        prec *= 2


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

    Useful on its own because the PL constants need only ``c1``, which is finite for 1 < ν ≤ 2
    where κ is not.

    Raises
    ------
    ValueError
        ``order`` not 0, 1 or 2, ``dps < 1``, a kernel other than Matérn or Gaussian, or
        Matérn ν ≤ order.

    Formula
    -------
    ``c0 = 1``, ``c1 = √E[ω_1²]``, ``c2 = √E[ω_1⁴]`` with the moments integrated by
    sympy from the spectral density; Matérn: ``c1 = √(ν/(ν−1))/ℓ``,
    ``c2 = √(3ν²/((ν−1)(ν−2)))/ℓ²``; Gaussian: ``c1 = 1/ℓ``, ``c2 = √3/ℓ²``.

    Kind
    ----
    exact (the sympy expression; ``mp`` holds the value to ``dps`` digits).

    Hypotheses
    ----------
    Matérn ν > order (c1 needs ν > 1, c2 needs ν > 2), ℓ > 0.

    References
    ----------
    docs/kappa.rst (derivation and sharpness); docs/kappa.rst#matern-and-gaussian-values;
    docs/theory.rst#kappa-c1; docs/theory.rst#kappa-c2

    Examples
    --------
    >>> print(regularity_constant(Matern(3), 1).describe())
    c1 = 1.2247448713915889 = sqrt(6)/2 [exact]
      formula: c1 = sqrt(E[w_1^2]) = sqrt(nu/(ell**2*(nu - 1)))
      hypotheses: ...
      reference: docs/kappa.rst
    """
    order = require_int("order", order, minimum=0)
    if order > 2:
        raise ValueError(f"order must be 0, 1 or 2, got {order}")
    dps = MP_DPS if dps is None else require_int("dps", dps, minimum=1)
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
        value=_nearest_float(expr_sym, params),
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


@lru_cache(maxsize=256)
def regularity_exact(kernel: Matern | Gaussian, dps: int) -> Regularity:
    """:func:`~bounds.regularity.regularity_constants` for Matérn/Gaussian; cached (kernels and
    results are immutable).

    Formula
    -------
    ``c0, c1, c2`` of :func:`regularity_constant` and ``κ = 1 + √E[ω_1²] + √E[ω_1⁴]``.

    Kind
    ----
    exact.

    Hypotheses
    ----------
    Matérn ν > 2, ℓ > 0 (Gaussian: ℓ > 0).

    References
    ----------
    docs/kappa.rst#matern-and-gaussian-values; docs/theory.rst#kappa-kappa
    """
    c = [regularity_constant(kernel, order, dps) for order in (0, 1, 2)]
    dps_used = c[0].dps or MP_DPS
    c1_sym, c2_sym = _symbolic_constants(kernel)
    params = _params(kernel)
    expr = _exact_value(1 + c1_sym + c2_sym, params)
    mp = _mp_of(1 + c1_sym + c2_sym, dps_used, params)
    kappa = Quantity(
        name="kappa",
        value=_nearest_float(1 + c1_sym + c2_sym, params),
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


def published_kappa_expr() -> sp.Expr:
    """The published bound on κ, typed in as stated (ν > 2).

    Formula
    -------
    ``κ ≤ 1 + √(ν/(ν−1)) + √(3ν²/((ν−1)(ν−2)))``.

    Kind
    ----
    exact (a sympy expression in ν).

    References
    ----------
    docs/paper.rst#paper-proposition

    Examples
    --------
    >>> published_kappa_expr().subs(NU, 3)
    1 + 2*sqrt(6)
    """
    return 1 + sp.sqrt(NU / (NU - 1)) + sp.sqrt(3 * NU**2 / ((NU - 1) * (NU - 2)))


def derived_kappa_expr(lengthscale: object = ELL) -> sp.Expr:
    """κ of Matérn(ν, ℓ) as derived here from the spectral density (symbolic in ν; ℓ optional).

    Formula
    -------
    ``κ = 1 + √E[ω_1²] + √E[ω_1⁴]`` with the moments of :func:`matern_moment_expr`.

    Kind
    ----
    exact (a sympy expression).

    References
    ----------
    docs/kappa.rst#matern-and-gaussian-values; docs/kappa.rst#paper-comparison

    Examples
    --------
    >>> sp.simplify(derived_kappa_expr(1) - published_kappa_expr()) == 0
    True
    """
    expr = 1 + sp.sqrt(matern_moment_expr(1)) + sp.sqrt(matern_moment_expr(2))
    return expr.subs(ELL, lengthscale)


def published_kappa_bound(nu: object, dps: int | None = None) -> Quantity:
    """The published bound ``κ ≤ 1 + √(ν/(ν−1)) + √(3ν²/((ν−1)(ν−2)))`` at a given ν > 2.

    It equals the κ derived here for Matérn(ν, ℓ = 1) (a symbolic identity, see
    :func:`derived_kappa_expr`; ``docs/kappa.rst``); for ℓ ≠ 1 use :func:`~bounds.regularity.regularity_constants`.  The
    published density ``(1 + ‖ω‖²/ν)^{-(d/2+ν)}`` is our family at ℓ = √2, for which the
    Proposition is a valid but loose bound (``docs/paper.rst``).

    Raises
    ------
    ValueError
        ν ≤ 2, or ``dps < 1``.

    Formula
    -------
    ``κ ≤ 1 + √(ν/(ν−1)) + √(3ν²/((ν−1)(ν−2)))`` (= the derived κ at ℓ = 1).

    Kind
    ----
    exact.

    Hypotheses
    ----------
    ν > 2 (Matérn spectral density, lengthscale 1).

    References
    ----------
    docs/paper.rst#paper-proposition; docs/kappa.rst#paper-comparison

    Examples
    --------
    >>> published_kappa_bound("5/2").expr
    sqrt(15)/3 + 6
    """
    kernel = Matern(nu, 1)  # validates nu (finite, > 0)
    if kernel.nu <= 2:
        raise _nu_error(sp.sstr(kernel.nu_exact), 1 if kernel.nu <= 1 else 2)
    dps = MP_DPS if dps is None else require_int("dps", dps, minimum=1)
    params = {NU: sp.sympify(kernel.nu_exact)}
    exact = _exact_value(published_kappa_expr(), params)
    mp = _mp_of(published_kappa_expr(), dps, params)
    return Quantity(
        name="kappa_published",
        value=_nearest_float(published_kappa_expr(), params),
        kind="exact",
        formula=("1 + sqrt(nu/(nu-1)) + sqrt(3 nu^2/((nu-1)(nu-2)))  (the published bound, docs/paper.rst; "
                 "= derived kappa at ell = 1)"),
        reference="docs/paper.rst#paper-proposition",
        hypotheses=("Matern spectral density, lengthscale 1", "nu > 2"),
        expr=exact,
        mp=mp,
        dps=dps,
    )
