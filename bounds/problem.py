"""A training problem: data, targets, lifting ``A``, read-out ``B`` and a kernel (docs/theory.rst).

``F(v) = (1/n) Σ_i w_i ‖B Ψ_v(A x_i) − y_i‖²`` over the distinct rows ``x_i`` with multiplicities
``w_i`` (``n = Σ w_i``; all ``w_i = 1`` for data without duplicates).  Everything the constants
need from the data is computed once here: the separation, the singular values of ``A`` and ``B``,
the lifted points ``A x_i``, ``ρ = max‖A x_i‖`` and the initial residuals ``B A x_i − y_i``.

The named architectures (docs/recipe.rst) are built directly in *reduced coordinates*: gradient
descent from ``v0 = 0`` moves the lifted points inside ``S = span(range A, range Bᵀ)`` and every
constant depends only on distances, norms and singular values, so a lifting of dimension ``p d``
is represented exactly by a few ``d``-blocks (``ambient_dim`` keeps the true ``D``, which the
worst-case ``λ_N`` needs):

* :meth:`Problem.augmented` — ``A = α [I_d; 0]``, ``B = b [0, I_{d'}]`` in ``D = d + d'``:
  ``BA = 0``, so ``F(0) = mean‖y_i‖²`` whatever ``α`` and ``b``;
* :meth:`Problem.copy_lifting` — ``A = a (I_d, …, I_d)ᵀ`` (``p`` blocks), ``B = b (I_{d'}, 0)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import mpmath
import numpy as np

from bounds._core.rounding import MP_DPS, gamma_k, up
from bounds._core.singular import singular_value_bounds
from bounds._core.validate import require_finite_array, require_int, require_positive
from bounds.kernels import Kernel
from bounds.lambda_min.pairs import closest_pair_indices, distinct_separation, points_key
from bounds.result import Kind, weakest_kind

__all__ = ["Architecture", "Problem", "lifting", "output_map", "merge_duplicates", "augmented_maps", "copy_maps"]


def lifting(d: int, p: int, a: float = 1.0) -> np.ndarray:
    """The copy lifting ``A = a (I_d, …, I_d)ᵀ`` (``p`` blocks, ``D = p d``, ``σ(A) = a √p``)."""
    d = require_int("d", d, minimum=1)
    p = require_int("p", p, minimum=1)
    a = require_positive("a", a)
    return a * np.tile(np.eye(d), (p, 1))


def output_map(d_out: int, D: int, b: float = 1.0) -> np.ndarray:
    """The read-out ``B = b (I_{d'}, 0)`` of the copy lifting (``σ(B) = b``)."""
    d_out = require_int("d_out", d_out, minimum=1)
    if isinstance(D, bool) or not isinstance(D, (int, np.integer)) or D < d_out:
        raise ValueError(f"D must be an integer >= d_out = {d_out}, got {D!r}")
    b = require_positive("b", b)
    return b * np.eye(d_out, int(D))


def augmented_maps(d: int, d_out: int, alpha: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """``(A, B) = (α [I_d; 0], b [0, I_{d'}])`` in ``R^{d + d'}`` (docs/recipe.rst, augmented)."""
    d = require_int("d", d, minimum=1)
    d_out = require_int("d_out", d_out, minimum=1)
    alpha = require_positive("alpha", alpha)
    b = require_positive("b", b)
    A = np.zeros((d + d_out, d))
    A[:d] = alpha * np.eye(d)
    B = np.zeros((d_out, d + d_out))
    B[:, d:] = b * np.eye(d_out)
    return A, B


def copy_maps(d: int, d_out: int, p: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """The copy lifting in reduced coordinates: ``(A', B')`` with the same Gram matrix of
    ``(columns of A, rows of Bᵀ)`` as ``A = a (I_d, …, I_d)ᵀ``, ``B = b (I_{d'}, 0)`` in ``R^{pd}``.

    ``B`` touches the first ``m = ⌈d'/d⌉`` blocks; the other ``p − m`` blocks carry
    ``(x, …, x)``, isometric to ``√(p − m) x``.  So ``A' = [a (I_d, …, I_d)ᵀ (m blocks); a√(p−m) I_d]``
    and ``B' = [b (I_{d'}, 0) | 0]`` in ``R^{(m+1) d}`` (``A'ᵀA' = a² p I``, ``B'A' = BA``,
    ``B'B'ᵀ = b² I``); for ``p ≤ m`` the full matrices (``D = p d``).

    References
    ----------
    docs/recipe.rst#the-augmented-design; docs/theory.rst#model-reduced-coordinates
    """
    d = require_int("d", d, minimum=1)
    d_out = require_int("d_out", d_out, minimum=1)
    p = require_int("p", p, minimum=1)
    if d_out > p * d:
        raise ValueError(f"the read-out needs d' <= D = p d = {p * d}, got d' = {d_out}; increase p")
    m = -(-d_out // d)
    if p <= m:
        A = lifting(d, p, a)
        return A, output_map(d_out, p * d, b)
    A = np.vstack([lifting(d, m, a), a * math.sqrt(p - m) * np.eye(d)])
    return A, output_map(d_out, (m + 1) * d, b)


def merge_duplicates(X: object, Y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of ``X`` with their targets and multiplicities ``(X', Y', w)``.

    Exact duplicate rows with equal targets are one point of weight ``w`` (the loss is unchanged:
    ``(1/n) Σ_i ‖r_i‖² = (1/n) Σ_u w_u ‖r_u‖²``).  Rows kept in order of first appearance.

    Raises
    ------
    ValueError
        Duplicate rows with different targets (the global minimum of the loss is then > 0, so no
        convergence to a global minimiser with zero loss can be certified); the message names the
        first such pair of rows.
    """
    Xa = require_finite_array("X", X, ndim=2)
    Ya = require_finite_array("Y", Y, ndim=2)
    _, first, inverse = np.unique(Xa, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    for u in np.flatnonzero(np.bincount(inverse) > 1):
        rows = np.flatnonzero(inverse == u)
        bad = rows[np.any(Ya[rows] != Ya[rows[0]], axis=1)]
        if bad.size:
            raise ValueError(
                f"X has duplicate rows with different targets: rows {int(rows[0])} and {int(bad[0])} are equal but "
                "their targets differ, so the loss cannot reach 0 (remove or relabel one of them)"
            )
    order = np.argsort(first, kind="stable")
    keep = first[order]
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    weights = np.bincount(rank[inverse], minlength=order.size).astype(float)
    return Xa[keep], Ya[keep], weights


@dataclass(frozen=True)
class Architecture:
    """How a named architecture was built (recorded in reports; the maps themselves are in
    :class:`Problem`).  ``kind`` is ``"augmented"``, ``"copy"`` or ``"matrices"`` (``A``, ``B`` given
    explicitly); ``alpha`` is the lifted distance scale ``σ(A)`` (``a √p`` for the copy lifting)."""

    kind: str = "matrices"
    alpha: float | None = None
    b: float | None = None
    p: int | None = None
    a: float | None = None

    def describe(self) -> str:
        if self.kind == "augmented":
            return f"augmented: A = {self.alpha:.6g} [I; 0], B = {self.b:.6g} [0, I]"
        if self.kind == "copy":
            return f"copy lifting: A = {self.a:.6g} (I, ..., I)^T with p = {self.p} blocks, B = {self.b:.6g} (I, 0)"
        return "explicit matrices A, B"


@dataclass(frozen=True, eq=False)
class Problem:
    """Data ``X`` (N × d, distinct rows), targets ``Y`` (N × d'), lifting ``A`` (D × d, injective),
    read-out ``B`` (d' × D, surjective), the kernel of the residual fields on ``R^D``, and optional
    multiplicities ``weights`` of the rows (default all 1).

    ``ambient_dim`` is the dimension of the lifted space when ``A`` and ``B`` are given in reduced
    coordinates (module docstring); by default ``A.shape[0]``.

    Raises
    ------
    ValueError
        On shape mismatches, non-finite entries, fewer than 2 points, duplicate points, a
        non-injective ``A``, a non-surjective ``B``, or weights that are not positive integers.
    """

    X: np.ndarray
    Y: np.ndarray
    A: np.ndarray
    B: np.ndarray
    kernel: Kernel
    weights: np.ndarray | None = None
    ambient_dim: int | None = None
    architecture: Architecture = field(default_factory=Architecture)

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
        if B.shape != (Y.shape[1], A.shape[0]):
            raise ValueError(f"B must have shape (d', D) = ({Y.shape[1]}, {A.shape[0]}), got {B.shape}")
        sA = np.linalg.svd(A, compute_uv=False)
        sB = np.linalg.svd(B, compute_uv=False)
        if A.shape[0] < d or sA[-1] <= 1e-12 * sA[0]:
            raise ValueError("A must be injective (D >= d and sigma_min(A) > 0)")
        if B.shape[0] > A.shape[0] or sB[-1] <= 1e-12 * sB[0]:
            raise ValueError("B must be surjective (d' <= D and sigma_min(B) > 0)")
        arrays = {"X": X, "Y": Y, "A": A, "B": B, "weights": self._checked_weights(N)}
        for name, arr in arrays.items():
            arr = arr.copy()
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if self.ambient_dim is not None:
            require_int("ambient_dim", self.ambient_dim, minimum=A.shape[0])
        distinct_separation(points_key(self.X))  # duplicate points: a clear error naming the rows (cached by content)

    def _checked_weights(self, N: int) -> np.ndarray:
        if self.weights is None:
            return np.ones(N)
        w = require_finite_array("weights", self.weights, ndim=1)
        if w.shape != (N,) or np.any(w < 1) or np.any(w != np.round(w)):
            raise ValueError(f"weights must be N = {N} positive integers (multiplicities of the rows), got {w!r}")
        return w

    # ------------------------------------------------------------------ named architectures

    @classmethod
    def augmented(cls, X: object, Y: object, kernel: Kernel, alpha: float, b: float, *,
                  weights: np.ndarray | None = None) -> Problem:
        """The augmented architecture ``A = α [I_d; 0]``, ``B = b [0, I_{d'}]`` (``D = d + d'``)."""
        Xa, Ya = require_finite_array("X", X, ndim=2), require_finite_array("Y", Y, ndim=2)
        A, B = augmented_maps(Xa.shape[1], Ya.shape[1], alpha, b)
        arch = Architecture("augmented", alpha=float(alpha), b=float(b))
        return cls(Xa, Ya, A, B, kernel, weights=weights, architecture=arch)

    @classmethod
    def copy_lifting(cls, X: object, Y: object, kernel: Kernel, p: int, a: float, b: float, *,
                     weights: np.ndarray | None = None) -> Problem:
        """The copy lifting ``A = a (I_d, …, I_d)ᵀ`` (``p`` blocks), ``B = b (I_{d'}, 0)``, held in
        reduced coordinates (:func:`copy_maps`) with ``ambient_dim = p d``."""
        Xa, Ya = require_finite_array("X", X, ndim=2), require_finite_array("Y", Y, ndim=2)
        A, B = copy_maps(Xa.shape[1], Ya.shape[1], p, a, b)
        arch = Architecture("copy", alpha=float(a) * math.sqrt(p), b=float(b), p=int(p), a=float(a))
        return cls(Xa, Ya, A, B, kernel, weights=weights, ambient_dim=int(p) * Xa.shape[1], architecture=arch)

    # ------------------------------------------------------------------ derived quantities

    def __repr__(self) -> str:
        return (f"Problem(N={self.N}, d={self.d}, d'={self.d_out}, D={self.D}, kernel={self.kernel!r}, "
                f"{self.architecture.describe()})")

    @property
    def N(self) -> int:
        """Number of distinct points."""
        return int(self.X.shape[0])

    @property
    def n(self) -> float:
        """Number of data points counted with multiplicity, ``n = Σ w_i`` (the loss is a mean over them)."""
        assert self.weights is not None
        return float(np.sum(self.weights))

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    @property
    def d_out(self) -> int:
        return int(self.Y.shape[1])

    @property
    def D(self) -> int:
        """Dimension of the lifted space (``ambient_dim`` when given in reduced coordinates)."""
        return int(self.ambient_dim if self.ambient_dim is not None else self.A.shape[0])

    @property
    def coordinates(self) -> int:
        """Number of coordinates the lifted points are held in (``A.shape[0]``; ``D`` unless reduced)."""
        return int(self.A.shape[0])

    @property
    def weight_range(self) -> tuple[float, float]:
        """``(min w_i, max w_i)``."""
        assert self.weights is not None
        return float(np.min(self.weights)), float(np.max(self.weights))

    @cached_property
    def separation(self) -> float:
        """``δ = min_{i≠j} ‖x_i − x_j‖`` (the distinct rows)."""
        return distinct_separation(points_key(self.X))

    @cached_property
    def lifted(self) -> np.ndarray:
        """The lifted points ``A x_i``, shape (N, coordinates)."""
        return self.X @ self.A.T

    @cached_property
    def lifted_separation(self) -> float:
        """``min_{i≠j} ‖A x_i − A x_j‖`` (numerical).  When ``A`` scales all distances alike (``σ_max(A)``
        and ``σ_min(A)`` proven within ``10⁻⁹``: the named architectures) the lifted closest pair is
        the data's, so no second pass over the pairs is made; otherwise
        :func:`bounds.lambda_min.pairs.distinct_separation` of the lifted points."""
        low, high = self.sigma_A
        if self.sigma_kind == "rigorous" and high <= low * (1 + 1e-9):
            _, i, j = closest_pair_indices(points_key(self.X))
            return float(np.sqrt(np.sum((self.lifted[i] - self.lifted[j]) ** 2)))
        return distinct_separation(points_key(self.lifted))

    @property
    def lifted_distances(self) -> np.ndarray:
        """``‖A x_i − A x_j‖`` (N × N; O(N²) memory — for tests and small N only; ``ValueError`` above
        :data:`bounds.lambda_min.data.DENSE_MAX_N` points)."""
        from bounds.lambda_min.data import check_dense_size  # noqa: PLC0415

        check_dense_size(self.N, "lifted_distances")
        Z = self.lifted
        out = np.empty((self.N, self.N))
        for i in range(self.N):
            out[i] = np.sqrt(np.sum((Z[i] - Z) ** 2, axis=1))
        return out

    @cached_property
    def _singular_bounds(self) -> tuple[tuple[float, float, Kind], tuple[float, float, Kind]]:
        return singular_value_bounds(self.A), singular_value_bounds(self.B)

    @property
    def sigma_A(self) -> tuple[float, float]:
        """``(σ_min(A), σ_max(A))`` rounded outward (``σ_min`` the d-th singular value;
        :func:`bounds._core.singular.singular_value_bounds`)."""
        low, high, _ = self._singular_bounds[0]
        return low, high

    @property
    def sigma_B(self) -> tuple[float, float]:
        """``(σ_min(B), σ_max(B))`` rounded outward (``σ_min`` the d'-th singular value)."""
        low, high, _ = self._singular_bounds[1]
        return low, high

    @property
    def sigma_kind(self) -> Kind:
        """``rigorous`` when both pairs of singular-value bounds are proven (exact Gram matrices and
        Gershgorin), ``numerical`` when one rests on LAPACK."""
        return weakest_kind(self._singular_bounds[0][2], self._singular_bounds[1][2])

    @cached_property
    def rho(self) -> float:
        """``ρ = max_i ‖A x_i‖``."""
        return float(np.max(np.linalg.norm(self.lifted, axis=1)))

    @cached_property
    def y_max(self) -> float:
        """``max_i ‖y_i‖``."""
        return float(np.max(np.linalg.norm(self.Y, axis=1)))

    @cached_property
    def initial_residuals(self) -> np.ndarray:
        """``r_i(0) = B A x_i − y_i`` (the flow of ``v = 0`` is the identity), shape (N, d')."""
        return self.lifted @ self.B.T - self.Y

    @cached_property
    def initial_residual_max(self) -> float:
        """``max_i ‖B A x_i − y_i‖``."""
        return float(np.max(np.linalg.norm(self.initial_residuals, axis=1)))

    def initial_loss(self) -> float:
        """``F(0) = (1/n) Σ w_i ‖B A x_i − y_i‖²`` (the float value)."""
        assert self.weights is not None
        sq = np.sum(self.initial_residuals**2, axis=1)
        return float(np.dot(self.weights, sq) / self.n)

    @cached_property
    def initial_residual_error(self) -> float:
        """A bound on ``max_i ‖fl(r_i) − r_i‖`` for the computed residuals ``fl(fl(fl(x Aᵀ) Bᵀ) − y)``.

        Formula
        -------
        ``2 γ_k max_i ‖|B||A||x_i| + |y_i|‖`` with ``k = d + D + 1`` (Higham §3.5; the factor 2 covers
        the rounding of the bound itself).

        Kind
        ----
        rigorous.

        References
        ----------
        docs/rigor.rst#problem-inputs; N. J. Higham, *Accuracy and Stability of Numerical
        Algorithms*, 2nd ed., §3.5.
        """
        absBA = np.abs(self.B) @ np.abs(self.A)
        scale = np.linalg.norm(np.abs(self.X) @ absBA.T + np.abs(self.Y), axis=1)
        return 2 * gamma_k(self.d + self.coordinates + 1) * float(np.max(scale))

    def initial_loss_upper(self) -> float:
        """An upper bound of the exact ``F(0)`` (the ``f0`` of the LZB condition).

        Formula
        -------
        ``F(0) ≤ (1/n) Σ w_i (‖fl(r_i)‖ (1 + 2γ_{d'+1}) + e)² · (1 + 2γ_{N+d'+3})``: every residual
        norm enlarged by its rounding error (``e`` = :attr:`initial_residual_error` and
        ``γ_{d'+1}`` for the norm), the weighted mean of squares by ``γ_{N + d' + 3}``, rounded up.

        Kind
        ----
        rigorous.

        References
        ----------
        docs/lzb.rst#the-calculator; docs/rigor.rst#problem-inputs
        """
        assert self.weights is not None
        norms = np.linalg.norm(self.initial_residuals, axis=1) * (1 + 2 * gamma_k(self.d_out + 1))
        norms = norms + self.initial_residual_error
        mean = float(np.dot(self.weights, norms**2) / self.n)
        with mpmath.workdps(MP_DPS):
            return up(mpmath.mpf(mean) * (1 + 2 * mpmath.mpf(gamma_k(self.N + self.d_out + 3))), 1)
