"""A training problem: data, targets, lifting ``A``, output map ``B`` and a kernel (SPEC §1).

``F(v) = (1/N) Σ_i ‖B Ψ_v(A x_i) − y_i‖²``.  Everything the PL constants need from the data is
computed once here: ``N``, the separation ``δ = sep(X)``, the singular values of ``A`` and ``B``,
the lifted points ``A x_i`` and their pairwise distances.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bounds._core.validate import require_finite_array, require_positive
from bounds.kernels import Kernel

__all__ = ["Problem", "lifting", "output_map"]


def lifting(d: int, p: int, a: float = 1.0) -> np.ndarray:
    """The lifting ``A = a (I_d, …, I_d)ᵀ`` of SPEC §8 (p blocks, ``D = p d``, ``σ(A) = a √p``)."""
    if int(d) != d or d < 1:
        raise ValueError(f"d must be an integer >= 1, got {d!r}")
    if int(p) != p or p < 1:
        raise ValueError(f"p must be an integer >= 1, got {p!r}")
    a = require_positive("a", a)
    return a * np.tile(np.eye(int(d)), (int(p), 1))


def output_map(d_out: int, D: int, b: float = 1.0) -> np.ndarray:
    """The output map ``B = b (I_{d'}, 0)`` of SPEC §8 (``σ(B) = b``)."""
    if int(d_out) != d_out or d_out < 1:
        raise ValueError(f"d_out must be an integer >= 1, got {d_out!r}")
    if int(D) != D or D < d_out:
        raise ValueError(f"D must be an integer >= d_out = {d_out}, got {D!r}")
    b = require_positive("b", b)
    return b * np.eye(int(d_out), int(D))


@dataclass(frozen=True, eq=False)
class Problem:
    """Data ``X`` (N × d), targets ``Y`` (N × d'), lifting ``A`` (D × d, injective), output map
    ``B`` (d' × D, surjective) and the kernel of the residual fields on ``R^D``.

    Raises
    ------
    ValueError
        On shape mismatches, non-finite entries, fewer than 2 points, duplicate points, a
        non-injective ``A`` or a non-surjective ``B``.
    """

    X: np.ndarray
    Y: np.ndarray
    A: np.ndarray
    B: np.ndarray
    kernel: Kernel

    def __post_init__(self) -> None:
        X = require_finite_array("X", self.X, ndim=2)
        Y = require_finite_array("Y", self.Y, ndim=2)
        A = require_finite_array("A", self.A, ndim=2)
        B = require_finite_array("B", self.B, ndim=2)
        N, d = X.shape
        if N < 2:
            raise ValueError(f"X must hold at least N = 2 points, got N = {N}")
        if Y.shape[0] != N:
            raise ValueError(f"Y must have N = {N} rows like X, got shape {Y.shape}")
        if A.shape[1] != d:
            raise ValueError(f"A must have shape (D, d) with d = {d}, got {A.shape}")
        D = A.shape[0]
        if B.shape != (Y.shape[1], D):
            raise ValueError(f"B must have shape (d', D) = ({Y.shape[1]}, {D}), got {B.shape}")
        sA = np.linalg.svd(A, compute_uv=False)
        sB = np.linalg.svd(B, compute_uv=False)
        if D < d or sA[-1] <= 1e-12 * sA[0]:
            raise ValueError("A must be injective (D >= d and sigma_min(A) > 0)")
        if B.shape[0] > D or sB[-1] <= 1e-12 * sB[0]:
            raise ValueError("B must be surjective (d' <= D and sigma_min(B) > 0)")
        for name, arr in (("X", X), ("Y", Y), ("A", A), ("B", B)):
            arr = arr.copy()
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if self.separation <= 0:
            i, j = np.unravel_index(np.argmin(self._raw_distances + np.diag(np.full(N, np.inf))), (N, N))
            raise ValueError(f"X must have distinct points: x[{i}] == x[{j}] (separation 0)")

    @property
    def N(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    @property
    def D(self) -> int:
        return int(self.A.shape[0])

    @cached_property
    def _raw_distances(self) -> np.ndarray:
        diff = self.X[:, None, :] - self.X[None, :, :]
        return np.sqrt(np.sum(diff**2, axis=-1))

    @cached_property
    def separation(self) -> float:
        """``δ = min_{i≠j} ‖x_i − x_j‖``."""
        dist = self._raw_distances + np.diag(np.full(self.N, np.inf))
        return float(dist.min())

    @cached_property
    def lifted(self) -> np.ndarray:
        """The lifted points ``A x_i``, shape (N, D)."""
        return self.X @ self.A.T

    @cached_property
    def lifted_distances(self) -> np.ndarray:
        """``‖A x_i − A x_j‖`` (N × N)."""
        Z = self.lifted
        diff = Z[:, None, :] - Z[None, :, :]
        return np.sqrt(np.sum(diff**2, axis=-1))

    @cached_property
    def sigma_A(self) -> tuple[float, float]:
        """``(σ_min(A), σ_max(A))``, ``σ_min`` the d-th singular value."""
        s = np.linalg.svd(self.A, compute_uv=False)
        return float(s[-1]), float(s[0])

    @cached_property
    def sigma_B(self) -> tuple[float, float]:
        """``(σ_min(B), σ_max(B))``, ``σ_min`` the d'-th singular value."""
        s = np.linalg.svd(self.B, compute_uv=False)
        return float(s[-1]), float(s[0])

    @cached_property
    def rho(self) -> float:
        """``ρ = max_i ‖A x_i‖``."""
        return float(np.max(np.linalg.norm(self.lifted, axis=1)))

    @cached_property
    def y_max(self) -> float:
        """``max_i ‖y_i‖``."""
        return float(np.max(np.linalg.norm(self.Y, axis=1)))

    def initial_loss(self) -> float:
        """``F(0) = (1/N) Σ ‖B A x_i − y_i‖²`` (the flow of ``v = 0`` is the identity)."""
        r = self.lifted @ self.B.T - self.Y
        return float(np.mean(np.sum(r**2, axis=1)))
