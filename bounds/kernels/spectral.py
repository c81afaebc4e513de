"""Spectral (Bochner) measures ``μ`` of the kernels: ``K(z) = E_{ω∼μ} cos(ω·z)`` (docs/kernels.rst).

* :class:`StudentT` — multivariate Student-t with ``2ν`` degrees of freedom, scale ``ℓ^{-2} I_D``
  (Matérn ν, ℓ);
* :class:`Normal` — ``N(0, ℓ^{-2} I_D)`` (Gaussian ℓ);
* :class:`Empirical` — the symmetrised empirical measure of a drawn frequency sample.

Frequencies are angular.  Each measure has a density (where it exists), the exact moments
``E[ω_1^{2k}]`` and a seeded sampler.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from scipy import special

from bounds._core.validate import require_int

__all__ = ["SpectralMeasure", "StudentT", "Normal", "Empirical"]


@runtime_checkable
class SpectralMeasure(Protocol):
    """The Bochner measure ``μ`` of a kernel: ``K(z) = E_{ω∼μ} cos(ω·z)``."""

    def density(self, omega: np.ndarray) -> np.ndarray:
        """Probability density of ``μ`` at frequencies ``omega`` of shape ``(..., D)``."""

    def moment(self, k: int) -> float:
        """``E[ω_1^{2k}]`` (``inf`` when it diverges)."""

    def sample(self, q: int, D: int, seed: int | np.random.Generator | None) -> np.ndarray:
        """``q`` frequency vectors in ``R^D``, shape ``(q, D)``, reproducible from ``seed``."""


@dataclass(frozen=True)
class StudentT:
    """Multivariate Student-t with ``dof = 2ν`` degrees of freedom and scale ``ℓ^{-2} I_D``.

    Density ``p(ω) = Γ(ν + D/2) / (Γ(ν) (2πν)^{D/2}) ℓ^D (1 + ℓ²‖ω‖²/(2ν))^{-(ν + D/2)}``.
    Moments: the marginal ``ω_1`` is ``t_{2ν}/ℓ``, so ``E[ω_1^{2k}]`` is finite iff ``k < ν`` and
    equals ``(2ν)^k Γ(k + 1/2) Γ(ν - k) / (√π Γ(ν) ℓ^{2k})`` (derived symbolically in
    :mod:`bounds.regularity`; this float path is its independent numeric twin).
    """

    nu: float
    lengthscale: float

    def density(self, omega: np.ndarray) -> np.ndarray:
        omega = np.asarray(omega, dtype=float)
        D = omega.shape[-1]
        nu, ell = self.nu, self.lengthscale
        log_c = (
            special.gammaln(nu + D / 2)
            - special.gammaln(nu)
            - (D / 2) * math.log(2 * math.pi * nu)
            + D * math.log(ell)
        )
        r2 = np.sum(omega**2, axis=-1)
        return np.exp(log_c - (nu + D / 2) * np.log1p(ell**2 * r2 / (2 * nu)))

    def moment(self, k: int) -> float:
        """``E[ω_1^{2k}]`` of the Student-t measure (``inf`` for ``k ≥ ν``).

        Formula
        -------
        ``(2ν)^k Γ(k + 1/2) Γ(ν − k) / (√π Γ(ν) ℓ^{2k})``, evaluated through ``gammaln``.

        Kind
        ----
        numerical (a float evaluation; the exact value is :func:`bounds.regularity.matern_moment_expr`).

        References
        ----------
        docs/kernels.rst#matern-moments
        """
        k = require_int("k", k, minimum=0)
        nu, ell = self.nu, self.lengthscale
        if k >= nu:
            return math.inf
        log_m = (
            k * math.log(2 * nu)
            + special.gammaln(k + 0.5)
            + special.gammaln(nu - k)
            - 0.5 * math.log(math.pi)
            - special.gammaln(nu)
            - 2 * k * math.log(ell)
        )
        return math.exp(log_m)

    def sample(self, q: int, D: int, seed: int | np.random.Generator | None) -> np.ndarray:
        q = require_int("q", q, minimum=1)
        D = require_int("D", D, minimum=1)
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((q, D))
        gamma = rng.gamma(shape=self.nu, scale=1.0 / self.nu, size=(q, 1))  # Gamma(ν, rate ν)
        return z / (self.lengthscale * np.sqrt(gamma))


@dataclass(frozen=True)
class Normal:
    """Gaussian spectral measure ``N(0, ℓ^{-2} I_D)`` of the Gaussian kernel."""

    lengthscale: float

    def density(self, omega: np.ndarray) -> np.ndarray:
        omega = np.asarray(omega, dtype=float)
        D = omega.shape[-1]
        ell = self.lengthscale
        r2 = np.sum(omega**2, axis=-1)
        return (ell**2 / (2 * math.pi)) ** (D / 2) * np.exp(-0.5 * ell**2 * r2)

    def moment(self, k: int) -> float:
        """``E[ω_1^{2k}]`` of ``N(0, ℓ^{-2})``.

        Formula
        -------
        ``(2k − 1)!! / ℓ^{2k}``.

        Kind
        ----
        numerical (one float division and power; the exact value is
        :func:`bounds.regularity.gaussian_moment_expr`).

        References
        ----------
        docs/kernels.rst#gaussian
        """
        k = require_int("k", k, minimum=0)
        # E[Z^{2k}] = (2k-1)!! for Z ~ N(0,1).
        return math.prod(range(1, 2 * k, 2)) / self.lengthscale ** (2 * k)

    def sample(self, q: int, D: int, seed: int | np.random.Generator | None) -> np.ndarray:
        q = require_int("q", q, minimum=1)
        D = require_int("D", D, minimum=1)
        rng = np.random.default_rng(seed)
        return rng.standard_normal((q, D)) / self.lengthscale


@dataclass(frozen=True)
class Empirical:
    """The (symmetrised) empirical measure ``(1/2q) Σ_j (δ_{ω_j} + δ_{-ω_j})`` of a sample."""

    omega: np.ndarray

    def density(self, omega: np.ndarray) -> np.ndarray:
        raise ValueError(
            "an empirical (random-feature) spectral measure is atomic and has no density; "
            "use its moments or its atoms `omega`"
        )

    def moment(self, k: int) -> float:
        """``E[ω_1^{2k}]`` of the empirical measure.

        Formula
        -------
        ``(1/q) Σ_j ω_{j,1}^{2k}``.

        Kind
        ----
        numerical (a float mean).

        References
        ----------
        docs/kernels.rst#random-fourier-features
        """
        k = require_int("k", k, minimum=0)
        return float(np.mean(self.omega[:, 0] ** (2 * k)))

    def sample(self, q: int, D: int, seed: int | np.random.Generator | None) -> np.ndarray:
        q = require_int("q", q, minimum=1)
        D = require_int("D", D, minimum=1)
        if D != self.omega.shape[1]:
            raise ValueError(f"D must equal the sample's dimension {self.omega.shape[1]}, got {D}")
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, self.omega.shape[0], size=q)
        signs = rng.choice([-1.0, 1.0], size=(q, 1))
        return signs * self.omega[idx]
