"""Translation-invariant kernels ``k(x, x') = K(x - x')`` on ``R^D`` and their spectral measures.

Conventions (docs/kernels.rst): ``K(z) = E_{ω∼μ} cos(ω·z)`` with ``μ`` a
symmetric probability measure (Bochner), so ``K(0) = 1``; frequencies are *angular*.

* :class:`Matern` — ``K(r) = 2^{1-ν}/Γ(ν) (√(2ν) r/ℓ)^ν K_ν(√(2ν) r/ℓ)`` (Rasmussen & Williams,
  GPML eq. 4.14; scikit-learn's ``Matern(length_scale=ℓ, nu=ν)``), closed forms
  ``e^{-s} Σ_k a_k s^k`` for ν = p + 1/2, ``p ≤ 50`` (GPML eq. 4.16).  Spectral measure:
  multivariate Student-t with 2ν degrees of freedom and
  scale ``ℓ^{-2} I_D``.
* :class:`Gaussian` — ``K(r) = exp(-r²/(2ℓ²))`` (the ν → ∞ limit), spectral measure
  ``N(0, ℓ^{-2} I_D)``.
* :class:`~bounds.kernels.RandomFourierKernel` — ``K_q(z) = (1/q) Σ_j cos(ω_j·z)`` for a drawn frequency sample,
  spectral measure the empirical measure of the sample (symmetrised).

Every kernel exposes the same interface: ``K(z)`` for difference vectors ``z`` of shape
``(..., D)``, its gradient and Hessian (closed forms, used by the flow solver and the regularity
checks), a Gram matrix, and ``spectral`` (density, exact moments ``E[ω_1^{2k}]``, seeded sampler).
Radial kernels also expose the profile ``K(r)`` and the two scalar functions ``g, h`` with
``∇K(z) = g(r) z`` and ``∇²K(z) = g(r) I + h(r) z zᵀ``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Protocol, runtime_checkable

import mpmath
import numpy as np
import sympy as sp
from scipy import special

from bounds._core.validate import as_rational_or_float
from bounds.kernels.spectral import Normal, SpectralMeasure, StudentT

__all__ = [
    "Kernel",
    "RadialKernel",
    "Matern",
    "Gaussian",
    "pairwise_differences",
    "HALF_INTEGER_MAX_P",
    "half_integer_coefficients",
]


def pairwise_differences(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
    """All differences ``X[i] - Y[j]`` as an array of shape ``(n, m, D)``."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = X if Y is None else np.atleast_2d(np.asarray(Y, dtype=float))
    if X.shape[-1] != Y.shape[-1]:
        raise ValueError(f"X and Y must have the same dimension D, got {X.shape[-1]} and {Y.shape[-1]}")
    return X[:, None, :] - Y[None, :, :]


@runtime_checkable
class Kernel(Protocol):
    """Interface shared by every kernel of the package (and by user kernels)."""

    @property
    def name(self) -> str:
        """Short name used in reports."""

    @property
    def spectral(self) -> SpectralMeasure:
        """The spectral measure of the kernel (docs/kernels.rst)."""

    def __call__(self, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        """``K(z)`` for difference vectors ``z`` of shape ``(..., D)`` (shape ``(...)``); with a second
        argument, the Gram matrix ``(K(z_i − y_j))_{ij}`` (scikit-learn's ``k(X, Y)``)."""

    def grad(self, z: np.ndarray) -> np.ndarray:
        """``∇K(z)``, shape ``(..., D)``."""

    def hess(self, z: np.ndarray) -> np.ndarray:
        """``∇²K(z)``, shape ``(..., D, D)``."""

    def gram(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        """``(K(x_i - y_j))_{ij}``."""


class RadialKernel:
    """Base class of radial kernels: everything follows from ``K(r)``, ``g(r)``, ``h(r)``.

    Subclass it for your own radial kernel (implement ``profile``, ``g``, ``h``, ``spectral`` and
    ``name``; optionally ``regularity_constants()`` returning a :class:`bounds.regularity.Regularity`) to run the
    property suites of :mod:`verify.testing.suites` on it (docs/verify.rst).
    """

    name: str

    def profile(self, r: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def g(self, r: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """``K'(r)/r`` (finite at 0 when the kernel is C²)."""
        raise NotImplementedError

    def h(self, r: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """``(K'(r)/r)'/r`` so that ``∇²K(z) = g(r) I + h(r) z zᵀ``."""
        raise NotImplementedError

    def __call__(self, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        """``K(z)`` for difference vectors ``z`` (shape ``(..., D)``); ``k(X, Y)`` with two point sets
        is the Gram matrix :meth:`gram` (scikit-learn's convention)."""
        if y is not None:
            return self.gram(z, y)
        z = np.asarray(z, dtype=float)
        return self.profile(np.linalg.norm(z, axis=-1))

    def grad(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        r = np.linalg.norm(z, axis=-1)
        return self.g(r)[..., None] * z

    def hess(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        r = np.linalg.norm(z, axis=-1)
        D = z.shape[-1]
        g = self.g(r)[..., None, None]
        hz = np.where(r > 0, self.h(np.where(r > 0, r, 1.0)), 0.0)[..., None, None]
        return g * np.eye(D) + hz * z[..., :, None] * z[..., None, :]

    def gram(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        Yv = X if Y is None else np.atleast_2d(np.asarray(Y, dtype=float))
        sq = (
            np.sum(X**2, axis=1)[:, None]
            + np.sum(Yv**2, axis=1)[None, :]
            - 2.0 * X @ Yv.T
        )
        r = np.sqrt(np.maximum(sq, 0.0))
        if Y is None:
            np.fill_diagonal(r, 0.0)
        return self.profile(r)


_HALF_INTEGER_CLOSED_FORMS = (sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(5, 2))

#: Largest ``p`` for which ``K`` of Matérn ν = p + 1/2 is evaluated in floats by its closed form
#: ``e^{-s} Σ_k a_k s^k``, whose rounding error is proven (docs/lambda_data.rst#kernel-entries).
HALF_INTEGER_MAX_P = 50
#: Above this ``s`` the closed form is set to 0: ``K(s) ≤ e · s^p e^{-s} < 1e-160`` for ``p ≤ 50``
#: (and ``Σ a_k s^k ≤ e^s`` cannot overflow below it).
_S_CUT = 700.0


@cache
def half_integer_coefficients(p: int) -> tuple[Fraction, ...]:
    """The exact coefficients ``a_0, …, a_p`` of ``K(r) = e^{-s} Σ_k a_k s^k`` for ν = p + 1/2.

    Formula
    -------
    ``a_k = p!/(2p)! · (2p − k)!/(k! (p − k)!) · 2^k`` (GPML eq. 4.16 with ``2s = √(8ν) r/ℓ``);
    ``a_0 = 1``, all positive.

    Kind
    ----
    exact (rational numbers).

    References
    ----------
    docs/kernels.rst#matern; C. E. Rasmussen and C. K. I. Williams, *Gaussian Processes for Machine
    Learning*, 2006, eq. 4.16.

    Examples
    --------
    >>> half_integer_coefficients(2)
    (Fraction(1, 1), Fraction(1, 1), Fraction(1, 3))
    """
    f = math.factorial
    return tuple(Fraction(f(p) * f(2 * p - k) * 2**k, f(2 * p) * f(k) * f(p - k)) for k in range(p + 1))


@cache
def _float_coefficients(p: int) -> tuple[float, ...]:
    """:func:`half_integer_coefficients` rounded to nearest (relative error ``≤ u`` each)."""
    return tuple(float(a) for a in half_integer_coefficients(p))


@dataclass(frozen=True, repr=False)
class Matern(RadialKernel):
    """Matérn kernel with smoothness ``nu`` > 0 and length scale ``lengthscale`` > 0.

    ``K(r) = 2^{1-ν}/Γ(ν) · s^ν K_ν(s)``, ``s = √(2ν) r/ℓ`` (GPML eq. 4.14, scikit-learn's
    ``Matern``).  The profile uses the closed form ``e^{-s} Σ_k a_k s^k`` for ν = p + 1/2,
    ``p ≤ 50`` (:func:`half_integer_coefficients`; derivatives: closed forms for ν = 3/2, 5/2);
    otherwise the Bessel form, evaluated in log space (``scipy.special.kve``) so that large ν does
    not overflow — fast, but without a proven error bound, so the rigorous routes evaluate those
    kernels in ball arithmetic instead (:mod:`bounds.kernels.profile_ball`).

    Derivatives use ``d/ds[s^a K_a(s)] = -s^a K_{a-1}(s)``:
    ``g(r) = K'(r)/r = -c (2ν/ℓ²) s^{ν-1} K_{ν-1}(s)`` and
    ``h(r) = c (2ν/ℓ²)² s^{ν-2} K_{ν-2}(s)`` with ``c = 2^{1-ν}/Γ(ν)``.  ``g`` is finite at 0 iff
    ν > 1 and ``h(r) r²`` → 0 iff ν > 2; :meth:`grad` / :meth:`hess` raise otherwise.

    Parameters
    ----------
    nu
        Smoothness ν > 0; rationals (``"5/2"``, ``Fraction(5, 2)``, 2.5) are kept exact.
    lengthscale
        ℓ > 0, rational values kept exact.
    """

    nu_exact: sp.Expr | float = field(default=sp.Rational(5, 2))
    lengthscale_exact: sp.Expr | float = field(default=sp.Integer(1))
    name: str = field(default="", init=False)

    def __init__(self, nu: object = sp.Rational(5, 2), lengthscale: object = 1) -> None:
        if isinstance(nu, (float, np.floating)) and math.isinf(nu):
            raise ValueError("nu must be finite (0 < nu < inf); for the nu -> inf limit use Gaussian(lengthscale)")
        nu_e = as_rational_or_float("nu", nu)
        ell_e = as_rational_or_float("lengthscale", lengthscale)
        if float(nu_e) <= 0:
            raise ValueError(f"nu must be > 0 (Matérn smoothness, 0 < nu < inf), got {nu!r}")
        if float(ell_e) <= 0:
            raise ValueError(f"lengthscale must be > 0, got {lengthscale!r}")
        object.__setattr__(self, "nu_exact", nu_e)
        object.__setattr__(self, "lengthscale_exact", ell_e)
        object.__setattr__(self, "name", f"Matern(nu={sp.sstr(nu_e)}, lengthscale={sp.sstr(ell_e)})")

    def __repr__(self) -> str:
        return self.name

    @property
    def nu(self) -> float:
        return float(self.nu_exact)

    @property
    def lengthscale(self) -> float:
        return float(self.lengthscale_exact)

    @property
    def spectral(self) -> StudentT:
        return StudentT(self.nu, self.lengthscale)

    def _closed_form(self) -> sp.Rational | None:
        for half in _HALF_INTEGER_CLOSED_FORMS:
            if self.nu_exact == half:
                return half
        return None

    def half_integer_order(self) -> int | None:
        """``p`` if ν = p + 1/2 exactly with ``p ≤`` :data:`HALF_INTEGER_MAX_P`, else ``None``."""
        nu = self.nu_exact
        if isinstance(nu, sp.Rational) and nu.q == 2 and (nu.p - 1) // 2 <= HALF_INTEGER_MAX_P:
            return int((nu.p - 1) // 2)
        return None

    def profile(self, r: np.ndarray) -> np.ndarray:
        """``K(r)``: the closed form ``e^{-s} Σ_k a_k s^k`` for ν = p + 1/2, ``p ≤ 50`` (Horner with
        positive coefficients; error bound in docs/lambda_data.rst#kernel-entries), else the
        Bessel form."""
        r = np.asarray(r, dtype=float)
        p = self.half_integer_order()
        if p is None:
            return self.bessel_profile(r)
        s = np.minimum(math.sqrt(2 * p + 1) * r / self.lengthscale, _S_CUT)
        coeffs = _float_coefficients(p)
        poly = np.full_like(s, coeffs[-1])
        for a in reversed(coeffs[:-1]):
            poly = poly * s + a
        return np.where(s < _S_CUT, poly * np.exp(-s), 0.0)

    def bessel_profile(self, r: np.ndarray) -> np.ndarray:
        """The general Bessel form, whatever ν (used as the reference at half-integers)."""
        r = np.asarray(r, dtype=float)
        nu = self.nu
        s = math.sqrt(2 * nu) * r / self.lengthscale
        return self._sa_ka(nu, nu, s, log_scale=(1 - nu) * math.log(2) - special.gammaln(nu))

    @staticmethod
    def _sa_ka(a: float, order: float, s: np.ndarray, log_scale: float) -> np.ndarray:
        """``exp(log_scale) · s^a K_order(s)``, entirely in log space (the scale ``2^{1-ν}/Γ(ν)``
        underflows and ``s^a K_a(s)`` overflows for large ν, e.g. ν = 400), with the limit
        ``exp(log_scale) · 2^{a-1} Γ(a)`` at s = 0 (valid for ``a = order > 0``, the only case
        used at 0)."""
        s = np.asarray(s, dtype=float)
        out = np.empty_like(s)
        pos = s > 0
        sp_ = s[pos]
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            logv = log_scale + a * np.log(sp_) + np.log(special.kve(order, sp_)) - sp_
        # K_order(s) overflows double precision for large orders (K_400(1) ~ e^2270): take its
        # logarithm with mpmath there (rare; only for ν in the hundreds or tiny s).
        for i in np.flatnonzero(~np.isfinite(logv)):
            logv[i] = log_scale + a * math.log(sp_[i]) + float(mpmath.log(mpmath.besselk(order, sp_[i])))
        with np.errstate(under="ignore"):
            out[pos] = np.exp(logv)
        if np.any(~pos):
            if a == order and a > 0:
                out[~pos] = math.exp(log_scale + (a - 1) * math.log(2) + special.gammaln(a))
            else:
                raise ValueError("internal: Bessel limit at 0 requested for a != order")
        return out

    def _require_smooth(self, order: int) -> None:
        if order >= 1 and self.nu <= 1:
            raise ValueError(
                f"nu must be > 1 for the gradient of K at 0 to exist (Matérn with nu={self.nu} "
                "is not differentiable twice at the origin, so E[w_1^2] and c1 are infinite)"
            )
        if order >= 2 and self.nu <= 2:
            raise ValueError(
                f"nu must be > 2 for the Hessian of K at 0 to exist (Matérn with nu={self.nu}: "
                "E[w_1^4] and c2 are infinite)"
            )

    def g(self, r: np.ndarray) -> np.ndarray:
        self._require_smooth(1)
        r = np.asarray(r, dtype=float)
        nu, ell = self.nu, self.lengthscale
        half = self._closed_form()
        if half == sp.Rational(3, 2):
            return -(3.0 / ell**2) * np.exp(-math.sqrt(3.0) * r / ell)
        if half == sp.Rational(5, 2):
            s = math.sqrt(5.0) * r / ell
            return -(5.0 / (3.0 * ell**2)) * (1.0 + s) * np.exp(-s)
        s = math.sqrt(2 * nu) * r / ell
        log_c = (1 - nu) * math.log(2) - special.gammaln(nu)
        return -(2 * nu / ell**2) * self._sa_ka(nu - 1, nu - 1, s, log_scale=log_c)

    def h(self, r: np.ndarray) -> np.ndarray:
        self._require_smooth(2)
        r = np.asarray(r, dtype=float)
        nu, ell = self.nu, self.lengthscale
        if self._closed_form() == sp.Rational(5, 2):
            return (25.0 / (3.0 * ell**4)) * np.exp(-math.sqrt(5.0) * r / ell)
        s = math.sqrt(2 * nu) * r / ell
        log_c = (1 - nu) * math.log(2) - special.gammaln(nu)
        # s^{ν-2} K_{ν-2}(s) = s^{ν-2} K_{|ν-2|}(s); finite at 0 for ν > 2.
        return (2 * nu / ell**2) ** 2 * self._sa_ka(nu - 2, nu - 2, s, log_scale=log_c)


@dataclass(frozen=True, repr=False)
class Gaussian(RadialKernel):
    """Gaussian kernel ``K(r) = exp(-r²/(2ℓ²))``, the ν → ∞ limit of :class:`Matern`.

    ``g(r) = -K(r)/ℓ²``, ``h(r) = K(r)/ℓ⁴``; spectral measure ``N(0, ℓ^{-2} I)``.
    """

    lengthscale_exact: sp.Expr | float = field(default=sp.Integer(1))
    name: str = field(default="", init=False)

    def __init__(self, lengthscale: object = 1) -> None:
        ell_e = as_rational_or_float("lengthscale", lengthscale)
        if float(ell_e) <= 0:
            raise ValueError(f"lengthscale must be > 0, got {lengthscale!r}")
        object.__setattr__(self, "lengthscale_exact", ell_e)
        object.__setattr__(self, "name", f"Gaussian(lengthscale={sp.sstr(ell_e)})")

    def __repr__(self) -> str:
        return self.name

    @property
    def lengthscale(self) -> float:
        return float(self.lengthscale_exact)

    @property
    def spectral(self) -> Normal:
        return Normal(self.lengthscale)

    def profile(self, r: np.ndarray) -> np.ndarray:
        r = np.asarray(r, dtype=float)
        return np.exp(-0.5 * (r / self.lengthscale) ** 2)

    def g(self, r: np.ndarray) -> np.ndarray:
        return -self.profile(r) / self.lengthscale**2

    def h(self, r: np.ndarray) -> np.ndarray:
        return self.profile(r) / self.lengthscale**4
