"""The random-feature kernel ``K_q(z) = (1/q) Σ_j cos(ω_j·z)`` of a drawn frequency sample
(finite width; docs/kernels.rst).  Its spectral measure is the symmetrised empirical measure of the
sample."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bounds._core.validate import require_finite_array
from bounds.kernels.radial import Gaussian, Matern
from bounds.kernels.spectral import Empirical

__all__ = ["RandomFourierKernel", "BLOCK"]

#: Phases ``ω_j·z`` evaluated at once by ``RandomFourierKernel.__call__`` (8 bytes each).
BLOCK = 2**22


@dataclass(frozen=True, repr=False)
class RandomFourierKernel:
    """The random-feature kernel ``K_q(z) = (1/q) Σ_j cos(ω_j·z)`` of a frequency sample.

    Its features are ``ϕ(x) = q^{-1/2} [cos(ω_j·x), sin(ω_j·x)]_j`` so that
    ``⟨ϕ(x), ϕ(x')⟩ = K_q(x - x')`` (docs/theory.rst).  Build one from a kernel with
    :meth:`from_kernel`.

    Parameters
    ----------
    omega
        Frequencies, shape ``(q, D)``, finite.
    """

    omega: np.ndarray
    name: str = field(default="", init=False)

    def __init__(self, omega: np.ndarray, name: str | None = None) -> None:
        omega = require_finite_array("omega", omega, ndim=2)
        if omega.shape[0] < 1 or omega.shape[1] < 1:
            raise ValueError(f"omega must have shape (q, D) with q >= 1 and D >= 1, got {omega.shape}")
        omega = omega.copy()
        omega.setflags(write=False)
        object.__setattr__(self, "omega", omega)
        object.__setattr__(self, "name", name or f"RandomFourierKernel(q={omega.shape[0]}, D={omega.shape[1]})")

    @classmethod
    def from_kernel(
        cls, kernel: Matern | Gaussian, q: int, D: int, seed: int | np.random.Generator | None
    ) -> RandomFourierKernel:
        """Draw ``q`` frequencies in ``R^D`` from ``kernel.spectral`` with ``seed``."""
        omega = kernel.spectral.sample(q, D, seed)
        return cls(omega, name=f"RFF[{kernel.name}](q={q}, D={D}, seed={seed})")

    def __repr__(self) -> str:
        return self.name

    @property
    def q(self) -> int:
        return int(self.omega.shape[0])

    @property
    def dim(self) -> int:
        return int(self.omega.shape[1])

    @property
    def spectral(self) -> Empirical:
        return Empirical(self.omega)

    def _check_dim(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if z.shape[-1] != self.dim:
            raise ValueError(f"z must have last dimension D = {self.dim}, got shape {z.shape}")
        return z

    def features(self, X: np.ndarray) -> np.ndarray:
        """``ϕ(x) = q^{-1/2}[cos(Ωx), sin(Ωx)]``, shape ``(..., 2q)``."""
        X = self._check_dim(X)
        phase = X @ self.omega.T
        return np.concatenate([np.cos(phase), np.sin(phase)], axis=-1) / math.sqrt(self.q)

    def __call__(self, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        """``K_q(z) = mean_j cos(ω_j·z)``, evaluated in blocks of about :data:`BLOCK` phases so that
        the memory stays bounded (a Gram matrix of ``N`` points needs ``N² q`` phases); every entry
        is computed by the same operations whatever the blocking.  ``k(X, Y)`` with two point sets
        is the Gram matrix :meth:`gram` (scikit-learn's convention)."""
        if y is not None:
            return self.gram(z, y)
        z = self._check_dim(z)
        flat = z.reshape(-1, self.dim)
        rows = max(1, BLOCK // self.q)
        out = np.empty(flat.shape[0])
        for start in range(0, flat.shape[0], rows):
            out[start:start + rows] = np.mean(np.cos(flat[start:start + rows] @ self.omega.T), axis=-1)
        return out.reshape(z.shape[:-1])

    def grad(self, z: np.ndarray) -> np.ndarray:
        z = self._check_dim(z)
        return -(np.sin(z @ self.omega.T) @ self.omega) / self.q

    def hess(self, z: np.ndarray) -> np.ndarray:
        z = self._check_dim(z)
        c = np.cos(z @ self.omega.T)
        return -np.einsum("...j,ja,jb->...ab", c, self.omega, self.omega) / self.q

    def gram(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        FX = self.features(np.atleast_2d(X))
        FY = FX if Y is None else self.features(np.atleast_2d(Y))
        return FX @ FY.T
