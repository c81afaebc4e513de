"""Controls: the trainable residual fields ``v_t`` of the RKHS neural ODE / ResNet (docs/theory.rst).

A control is a time-dependent vector field ``v: [0, 1] × R^D → R^D`` with ``v_t ∈ V = H_K^D``.
Two parameterisations share one interface:

* :class:`RFFControl` — finite width, ``v_t(x) = W_t ϕ(x)`` with the random features
  ``ϕ(x) = q^{-1/2}[cos(Ωx), sin(Ωx)]`` of a :class:`~bounds.kernels.RandomFourierKernel`;
  ``‖v_t‖_V = ‖W_t‖_F`` (distinct frequencies).
* :class:`KernelControl` — infinite width, ``v_t(x) = Σ_j K(x − c_j) a_j(t)`` for any kernel of
  :mod:`bounds.kernels`; ``‖v_t‖²_V = tr(aᵀ K_C a)`` exactly (Gram matrix of the centres).

Time dependence (``time=``):

``"constant"``
    ``L`` nodes ``v_0 … v_{L-1}``; ``v_t = v_k`` on layer ``k``, i.e. ``t ∈ [k/L, (k+1)/L)``.
``"linear"``
    ``L + 1`` nodes at ``t = k/L``, linear interpolation in between (``L`` layers).

The H-norm ``‖v‖²_H = ∫₀¹ ‖v_t‖²_V dt = Σ_{m,m'} M_{mm'} ⟨v_m, v_{m'}⟩_V`` with the time mass
matrix ``M`` of :func:`mass_matrix` (``M = I/L`` for piecewise-constant controls, so
``‖v‖²_H = (1/L) Σ_k ‖v_k‖²_V``).  Derivations: ``docs/solver.rst``.

The solver (:mod:`verify.solver.flow`, :mod:`verify.solver.gradient`) talks to a control through
``evaluate`` (field values plus a tape entry) and ``vjp`` (the adjoint of one evaluation, which
accumulates the parameter gradient), so both parameterisations share one RK engine and one
discrete adjoint.

>>> import numpy as np
>>> from bounds.kernels import Matern, RandomFourierKernel
>>> k = RandomFourierKernel.from_kernel(Matern("5/2"), q=16, D=2, seed=0)
>>> v = RFFControl(k, np.ones((4, 2, 32)))
>>> round(v.h_norm() ** 2, 12)   # (1/4) * 4 layers * ||ones(2, 32)||_F^2 = 64
64.0
>>> (2 * v - v).h_norm() == v.h_norm()
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import numpy as np

from bounds._core.validate import require_finite_array, require_int
from bounds.kernels import RandomFourierKernel
from verify.solver._fast_rff import rff_stage_adjoint, rff_stage_forward, sincos

__all__ = [
    "TIME_MODES",
    "time_weights",
    "mass_matrix",
    "RFFControl",
    "KernelControl",
]

TIME_MODES: tuple[str, ...] = ("constant", "linear")


def _check_time(time: str) -> str:
    if time not in TIME_MODES:
        raise ValueError(f"time must be one of {TIME_MODES}, got {time!r}")
    return time


def _n_layers(time: str, n_nodes: int) -> int:
    return n_nodes if time == "constant" else n_nodes - 1


def time_weights(time: str, layer: int, tau: float) -> tuple[tuple[int, float], ...]:
    """Nodes and weights ``α_m`` with ``v_t = Σ_m α_m v_m`` at local time ``tau ∈ [0, 1]`` of ``layer``.

    >>> time_weights("constant", 3, 0.5)
    ((3, 1.0),)
    >>> time_weights("linear", 3, 0.25)
    ((3, 0.75), (4, 0.25))
    """
    if time == "constant":
        return ((layer, 1.0),)
    if tau == 0.0:
        return ((layer, 1.0),)
    if tau == 1.0:
        return ((layer + 1, 1.0),)
    return ((layer, 1.0 - tau), (layer + 1, tau))


def mass_matrix(time: str, n_layers: int) -> np.ndarray:
    """The Gram matrix ``M_{mm'} = ∫₀¹ e_m(t) e_{m'}(t) dt`` of the time basis.

    Piecewise constant: ``M = I/L``.  Piecewise linear (hat functions on the grid ``k/L``):
    tridiagonal with ``2/(3L)`` inside, ``1/(3L)`` at the two ends and ``1/(6L)`` off the
    diagonal.

    >>> mass_matrix("linear", 2) * 12
    array([[2., 1., 0.],
           [1., 4., 1.],
           [0., 1., 2.]])
    """
    _check_time(time)
    L = require_int("n_layers", n_layers, minimum=1)
    if time == "constant":
        return np.eye(L) / L
    M = np.zeros((L + 1, L + 1))
    for k in range(L):
        M[k : k + 2, k : k + 2] += np.array([[2.0, 1.0], [1.0, 2.0]]) / (6.0 * L)
    return M


@dataclass(frozen=True, eq=False)
class StageEntry:
    """What one field evaluation leaves on the tape for its adjoint."""

    layer: int
    tau: float
    X: np.ndarray
    data: Any


class _ControlMixin:
    """Shared logic: time lookup, H-norm through the mass matrix, arithmetic."""

    time: str

    @property
    def n_layers(self) -> int:
        return _n_layers(self.time, self.n_nodes)

    @property
    def n_nodes(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def dim(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def scale(self, s: float) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def evaluate(
        self, layer: int, tau: float, X: np.ndarray, keep: bool = False
    ) -> tuple[np.ndarray, StageEntry]:  # pragma: no cover - overridden
        raise NotImplementedError

    def layer_jacobian(self, layer: int, tau: float, X: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def weights(self, layer: int, tau: float) -> tuple[tuple[int, float], ...]:
        """See :func:`time_weights`."""
        return time_weights(self.time, layer, tau)

    def locate(self, t: float) -> tuple[int, float]:
        """``(layer, tau)`` of global time ``t ∈ [0, 1]`` (``t = 1`` belongs to the last layer)."""
        t = float(t)
        if not (0.0 <= t <= 1.0):
            raise ValueError(f"t must lie in [0, 1], got {t!r}")
        L = self.n_layers
        layer = min(int(math.floor(t * L)), L - 1)
        return layer, t * L - layer

    def _check_points(self, X: np.ndarray) -> np.ndarray:
        X = require_finite_array("X", X, ndim=2)
        if X.shape[1] != self.dim:
            raise ValueError(f"X must have shape (N, D) with D = {self.dim}, got {X.shape}")
        return X

    def field(self, t: float, X: np.ndarray) -> np.ndarray:
        """``v_t(x_i)`` for the rows of ``X`` (shape ``(N, D)``), ``t ∈ [0, 1]``."""
        X = self._check_points(X)
        layer, tau = self.locate(t)
        return self.evaluate(layer, tau, X)[0]

    def jacobian(self, t: float, X: np.ndarray) -> np.ndarray:
        """``Dv_t(x_i)`` for the rows of ``X``, shape ``(N, D, D)`` (``[i, a, b] = ∂_b v_a``)."""
        X = self._check_points(X)
        layer, tau = self.locate(t)
        return self.layer_jacobian(layer, tau, X)

    def node_inner(self) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def h_norm(self) -> float:
        """``‖v‖_H = (∫₀¹ ‖v_t‖²_V dt)^{1/2}`` (exact: mass matrix × Gram of the nodes)."""
        M = mass_matrix(self.time, self.n_layers)
        val = float(np.sum(M * self.node_inner()))
        return math.sqrt(max(val, 0.0))

    def v_norms(self) -> np.ndarray:
        """``‖v_m‖_V`` of every node, shape ``(n_nodes,)``."""
        return np.sqrt(np.maximum(np.diag(self.node_inner()), 0.0))

    def __rmul__(self, s: float) -> Any:
        return self.scale(s)

    def __mul__(self, s: float) -> Any:
        return self.scale(s)

    def __neg__(self) -> Any:
        return self.scale(-1.0)

    def __sub__(self, other: Any) -> Any:
        return self + other.scale(-1.0)


def _same_kernel(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, RandomFourierKernel) or isinstance(b, RandomFourierKernel):
        return (
            isinstance(a, RandomFourierKernel)
            and isinstance(b, RandomFourierKernel)
            and a.omega.shape == b.omega.shape
            and bool(np.array_equal(a.omega, b.omega))
        )
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _check_scalar(s: object) -> float:
    try:
        s = float(s)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"scale factor must be a finite real number, got {s!r}") from exc
    if not math.isfinite(s):
        raise ValueError(f"scale factor must be finite, got {s!r}")
    return s


# --------------------------------------------------------------------------------------------
# Random Fourier features
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RFFControl(_ControlMixin):
    """Random-feature control ``v_t(x) = W_t ϕ(x)``, ``ϕ(x) = q^{-1/2}[cos Ωx, sin Ωx]``.

    Parameters
    ----------
    kernel
        The :class:`~bounds.kernels.RandomFourierKernel` (frequencies ``Ω``, shape ``(q, D)``).
    W
        Output weights, shape ``(n_nodes, D, 2q)``: ``n_nodes = L`` for ``time="constant"``,
        ``L + 1`` for ``time="linear"``.  ``‖v_m‖_V = ‖W_m‖_F``.
    time
        ``"constant"`` or ``"linear"`` (see the module docstring).
    """

    kernel: RandomFourierKernel
    W: np.ndarray
    time: str = "constant"
    _OmT: np.ndarray = dataclass_field(init=False, repr=False)
    _Wc: np.ndarray = dataclass_field(init=False, repr=False)
    _Ws: np.ndarray = dataclass_field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.kernel, RandomFourierKernel):
            raise ValueError(f"kernel must be a RandomFourierKernel, got {type(self.kernel).__name__}")
        _check_time(self.time)
        W = require_finite_array("W", self.W, ndim=3)
        q, D = self.kernel.q, self.kernel.dim
        if W.shape[1:] != (D, 2 * q):
            raise ValueError(f"W must have shape (n_nodes, D, 2q) = (n, {D}, {2 * q}), got {W.shape}")
        if W.shape[0] < (1 if self.time == "constant" else 2):
            raise ValueError(f"W must have at least {1 if self.time == 'constant' else 2} nodes, got {W.shape[0]}")
        W = np.array(W, dtype=np.float64, order="C")
        W.setflags(write=False)
        object.__setattr__(self, "W", W)
        # solver caches (derived, immutable): Ωᵀ and the scaled cos/sin halves of every node
        object.__setattr__(self, "_OmT", np.ascontiguousarray(self.kernel.omega.T))
        object.__setattr__(self, "_Wc", np.ascontiguousarray(W[:, :, :q]) / math.sqrt(q))
        object.__setattr__(self, "_Ws", np.ascontiguousarray(W[:, :, q:]) / math.sqrt(q))

    @property
    def n_nodes(self) -> int:
        return int(self.W.shape[0])

    @property
    def dim(self) -> int:
        return self.kernel.dim

    @property
    def params(self) -> np.ndarray:
        """The trainable parameters (``W``)."""
        return self.W

    def with_params(self, W: np.ndarray) -> RFFControl:
        """The same control with new weights ``W``."""
        return RFFControl(self.kernel, W, self.time)

    def zero_params(self) -> np.ndarray:
        """A writable zero array shaped like :attr:`params` (gradient accumulator)."""
        return np.zeros_like(self.W)

    def zeros_like(self) -> RFFControl:
        """The zero control with the same kernel, time mode and depth."""
        return RFFControl(self.kernel, np.zeros_like(self.W), self.time)

    def scale(self, s: float) -> RFFControl:
        """``s · v``."""
        return RFFControl(self.kernel, _check_scalar(s) * self.W, self.time)

    def __add__(self, other: RFFControl) -> RFFControl:
        if not isinstance(other, RFFControl) or not _same_kernel(self.kernel, other.kernel):
            raise ValueError("other must be an RFFControl with the same frequencies")
        if other.W.shape != self.W.shape or other.time != self.time:
            raise ValueError(f"other must have W of shape {self.W.shape} and time={self.time!r}")
        return RFFControl(self.kernel, self.W + other.W, self.time)

    def node_inner(self) -> np.ndarray:
        """``⟨v_m, v_{m'}⟩_V = ⟨W_m, W_{m'}⟩_F``, shape ``(n_nodes, n_nodes)``."""
        F = self.W.reshape(self.n_nodes, -1)
        return F @ F.T

    def h_norm(self) -> float:
        """``‖v‖_H = (Σ_{mm'} M_{mm'} ⟨W_m, W_{m'}⟩_F)^{1/2}`` over the band of the (at most
        tridiagonal) mass matrix ``M``; same value as the base class's ``M`` × :meth:`node_inner`.

        Computed without BLAS on purpose: OpenBLAS keeps its worker threads spinning for about
        0.1 s after a multi-threaded call, and a fused solve started in that window loses a CPU
        (measured: gradient-descent iterations on the benchmark workload took 139 ms instead of
        87 ms when ``‖θ_k − θ_0‖_H`` was computed with ``F @ F.T``; docs/solver.rst).
        """
        F = self.W.reshape(self.n_nodes, -1)
        M = mass_matrix(self.time, self.n_layers)
        val = float(np.sum(M.diagonal() * np.einsum("ik,ik->i", F, F)))
        if self.n_nodes > 1:
            val += 2.0 * float(np.sum(np.diagonal(M, 1) * np.einsum("ik,ik->i", F[:-1], F[1:])))
        return math.sqrt(max(val, 0.0))

    def _scaled_weights(self, layer: int, tau: float) -> tuple[tuple[tuple[int, float], ...], np.ndarray, np.ndarray]:
        """Time weights and ``(W_c, W_s)/√q`` of the field at local time ``tau`` of ``layer``."""
        w = self.weights(layer, tau)
        Wc, Ws = self._Wc, self._Ws
        if len(w) == 1 and w[0][1] == 1.0:
            return w, Wc[w[0][0]], Ws[w[0][0]]
        m0, a0 = w[0]
        m1, a1 = w[1]
        return w, a0 * Wc[m0] + a1 * Wc[m1], a0 * Ws[m0] + a1 * Ws[m1]

    def evaluate(self, layer: int, tau: float, X: np.ndarray, keep: bool = False) -> tuple[np.ndarray, StageEntry]:
        """Field values ``v(x_i)`` (shape ``(N, D)``) and the tape entry.

        With ``keep`` the entry holds the features ``(cos Ωx_i, sin Ωx_i)`` for :meth:`vjp`
        (``2·N·q`` floats per evaluation); otherwise :meth:`vjp` recomputes them.
        """
        w, Wc, Ws = self._scaled_weights(layer, tau)
        K, feats = rff_stage_forward(X, self._OmT, Wc, Ws, keep)
        return K, StageEntry(layer, tau, X, (w, Wc, Ws, feats))

    def vjp(self, entry: StageEntry, lam: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Adjoint of one evaluation: returns ``Dv(x_i)ᵀ λ_i`` and adds ``∂⟨λ, v⟩/∂W`` to ``grad``."""
        w, Wc, Ws, feats = entry.data
        q = self.kernel.q
        xbar, dWc, dWs = rff_stage_adjoint(entry.X, lam, self._OmT, Wc, Ws, feats)
        s = 1.0 / math.sqrt(q)
        for m, a in w:
            grad[m, :, :q] += (a * s) * dWc
            grad[m, :, q:] += (a * s) * dWs
        return xbar

    def layer_jacobian(self, layer: int, tau: float, X: np.ndarray) -> np.ndarray:
        """``Dv(x_i)`` at local time ``tau`` of ``layer``, shape ``(N, D, D)``."""
        _, Wc, Ws = self._scaled_weights(layer, tau)
        C, S = sincos(X @ self._OmT)
        # Dv = (Ws diag(cos z) − Wc diag(sin z)) Ω
        return np.einsum("aj,nj,jb->nab", Ws, C, self.kernel.omega) - np.einsum(
            "aj,nj,jb->nab", Wc, S, self.kernel.omega
        )

    def h_gradient_from(self, grad: np.ndarray) -> RFFControl:
        """The Riesz representer in H of the parameter gradient ``grad = ∂F/∂W``: ``M⁻¹ ∂F/∂W``.

        For piecewise-constant controls ``G_k = L · ∂F/∂W_k``.
        """
        if self.time == "constant":  # M = I/L
            return RFFControl(self.kernel, self.n_layers * grad, self.time)
        M = mass_matrix(self.time, self.n_layers)
        G = np.linalg.solve(M, grad.reshape(self.n_nodes, -1)).reshape(self.W.shape)
        return RFFControl(self.kernel, G, self.time)


# --------------------------------------------------------------------------------------------
# Kernel expansions
# --------------------------------------------------------------------------------------------


def _weighted_grad_sum(kernel: Any, X: np.ndarray, C: np.ndarray, Wmat: np.ndarray) -> np.ndarray:
    """``Σ_j Wmat[i, j] ∇K(x_i − c_j)`` for all ``i``, shape ``(N, D)``."""
    if hasattr(kernel, "g") and hasattr(kernel, "profile"):
        # radial: ∇K(z) = g(|z|) z
        sq = np.sum(X**2, 1)[:, None] + np.sum(C**2, 1)[None, :] - 2.0 * X @ C.T
        r = np.sqrt(np.maximum(sq, 0.0))
        Gw = kernel.g(r) * Wmat
        return X * np.sum(Gw, axis=1)[:, None] - Gw @ C
    if isinstance(kernel, RandomFourierKernel):
        # ∇K(z) = -(1/q) Σ_l sin(ω_l·z) ω_l, sin(a - b) = sin a cos b - cos a sin b
        Om = kernel.omega
        ZX, ZC = X @ Om.T, C @ Om.T
        sX, cX, sC, cC = np.sin(ZX), np.cos(ZX), np.sin(ZC), np.cos(ZC)
        S = sX * (Wmat @ cC) - cX * (Wmat @ sC)
        return -(S @ Om) / kernel.q
    diff = X[:, None, :] - C[None, :, :]
    return np.einsum("ij,ijd->id", Wmat, kernel.grad(diff))


@dataclass(frozen=True, eq=False)
class KernelControl(_ControlMixin):
    """Kernel-expansion control ``v_t(x) = Σ_j K(x − c_j) a_j(t)`` (infinite width).

    Parameters
    ----------
    kernel
        Any kernel of :mod:`bounds.kernels` (``Matern``, ``Gaussian``, ``RandomFourierKernel``).
    centres
        One array of centres per node, each of shape ``(M_m, D)`` (``M_m`` may be 0).
    coeffs
        One array of coefficients per node, shape ``(M_m, D)``.
    time
        ``"constant"`` (``L`` nodes) or ``"linear"`` (``L + 1`` nodes).

    Notes
    -----
    The norm is exact: ``⟨v_m, v_{m'}⟩_V = Σ_{j,l} K(c_j − c'_l) ⟨a_j, a'_l⟩``.
    """

    kernel: Any
    centres: tuple
    coeffs: tuple
    time: str = "constant"

    def __post_init__(self) -> None:
        _check_time(self.time)
        if not callable(getattr(self.kernel, "gram", None)):
            raise ValueError(f"kernel must be a kernel of bounds.kernels, got {type(self.kernel).__name__}")
        if len(self.centres) != len(self.coeffs):
            raise ValueError(
                f"centres and coeffs must have one entry per node, got {len(self.centres)} and {len(self.coeffs)}"
            )
        if len(self.centres) < (1 if self.time == "constant" else 2):
            raise ValueError(f"centres must have at least {1 if self.time == 'constant' else 2} nodes")
        D = None
        cs, As = [], []
        for m, (c, a) in enumerate(zip(self.centres, self.coeffs, strict=False)):
            c = require_finite_array(f"centres[{m}]", c, ndim=2)
            a = require_finite_array(f"coeffs[{m}]", a, ndim=2)
            if c.shape != a.shape:
                raise ValueError(f"centres[{m}] and coeffs[{m}] must have the same shape, got {c.shape} and {a.shape}")
            if D is None:
                D = c.shape[1]
            elif c.shape[1] != D:
                raise ValueError(f"centres[{m}] must have dimension D = {D}, got {c.shape}")
            c, a = np.array(c, order="C"), np.array(a, order="C")
            c.setflags(write=False)
            a.setflags(write=False)
            cs.append(c)
            As.append(a)
        kdim = getattr(self.kernel, "dim", None)
        if kdim is not None and kdim != D:
            raise ValueError(f"centres must have dimension D = {kdim} (the kernel's), got {D}")
        object.__setattr__(self, "centres", tuple(cs))
        object.__setattr__(self, "coeffs", tuple(As))

    @classmethod
    def zeros(cls, kernel: Any, n_layers: int, D: int, time: str = "constant") -> KernelControl:
        """The zero control (no centres) with ``n_layers`` layers in ``R^D``."""
        L = require_int("n_layers", n_layers, minimum=1)
        D = require_int("D", D, minimum=1)
        n = L if _check_time(time) == "constant" else L + 1
        empty = tuple(np.zeros((0, D)) for _ in range(n))
        return cls(kernel, empty, empty, time)

    @classmethod
    def from_rff(
        cls, control: RFFControl, centres: Sequence[np.ndarray], coeffs: Sequence[np.ndarray]
    ) -> KernelControl:
        """Convenience: a kernel control over the RFF kernel of ``control`` (same depth/time)."""
        return cls(control.kernel, tuple(centres), tuple(coeffs), control.time)

    @property
    def n_nodes(self) -> int:
        return len(self.centres)

    @property
    def dim(self) -> int:
        return int(self.centres[0].shape[1])

    @property
    def params(self) -> tuple:
        """The trainable parameters (the coefficients; centres are fixed)."""
        return self.coeffs

    def with_params(self, coeffs: Sequence[np.ndarray]) -> KernelControl:
        """The same centres with new coefficients."""
        return KernelControl(self.kernel, self.centres, tuple(coeffs), self.time)

    def zero_params(self) -> list:
        """Writable zero coefficient arrays (gradient accumulator)."""
        return [np.zeros_like(a) for a in self.coeffs]

    def zeros_like(self) -> KernelControl:
        """The zero control (no centres) with the same kernel, time mode and depth."""
        return KernelControl.zeros(self.kernel, self.n_layers, self.dim, self.time)

    def scale(self, s: float) -> KernelControl:
        """``s · v`` (same centres)."""
        s = _check_scalar(s)
        return KernelControl(self.kernel, self.centres, tuple(s * a for a in self.coeffs), self.time)

    def __add__(self, other: KernelControl) -> KernelControl:
        if not isinstance(other, KernelControl) or not _same_kernel(self.kernel, other.kernel):
            raise ValueError("other must be a KernelControl with the same kernel")
        if other.n_nodes != self.n_nodes or other.time != self.time or other.dim != self.dim:
            raise ValueError("other must have the same number of nodes, time mode and dimension")
        cs = tuple(np.concatenate([a, b]) for a, b in zip(self.centres, other.centres, strict=False))
        As = tuple(np.concatenate([a, b]) for a, b in zip(self.coeffs, other.coeffs, strict=False))
        return KernelControl(self.kernel, cs, As, self.time)

    @property
    def n_centres(self) -> int:
        """Total number of centres over all nodes."""
        return int(sum(c.shape[0] for c in self.centres))

    def node_inner(self) -> np.ndarray:
        """``⟨v_m, v_{m'}⟩_V = tr(a_mᵀ K(C_m, C_{m'}) a_{m'})``."""
        n = self.n_nodes
        out = np.zeros((n, n))
        for m in range(n):
            for mp in range(m, n):
                if self.centres[m].shape[0] == 0 or self.centres[mp].shape[0] == 0:
                    continue
                if self.time == "constant" and m != mp:
                    continue  # the mass matrix is diagonal: cross terms are never used
                G = self.kernel.gram(self.centres[m], self.centres[mp])
                out[m, mp] = out[mp, m] = float(np.sum(self.coeffs[m] * (G @ self.coeffs[mp])))
        return out

    def h_inner(self, other: KernelControl) -> float:
        """``⟨v, w⟩_H = Σ_{mm'} M_{mm'} tr(a_mᵀ K(C_m, D_{m'}) b_{m'})`` (``M`` the mass matrix; only
        its nonzero entries are evaluated).  Costs ``#C × #D`` kernel values: gradient descent keeps
        ``‖θ_k − θ_0‖²`` up to date with it instead of recomputing the growing Gram matrix."""
        if not isinstance(other, KernelControl) or other.n_nodes != self.n_nodes or other.time != self.time:
            raise ValueError("other must be a KernelControl with the same nodes and time mode")
        M = mass_matrix(self.time, self.n_layers)
        total = 0.0
        for m, mp in zip(*np.nonzero(M), strict=True):
            if self.centres[m].shape[0] == 0 or other.centres[mp].shape[0] == 0:
                continue
            G = self.kernel.gram(self.centres[m], other.centres[mp])
            total += float(M[m, mp]) * float(np.sum(self.coeffs[m] * (G @ other.coeffs[mp])))
        return total

    def evaluate(self, layer: int, tau: float, X: np.ndarray, keep: bool = False) -> tuple[np.ndarray, StageEntry]:
        """Field values ``v(x_i)`` and the tape entry (Gram blocks ``K(X, C_m)``, if ``keep``)."""
        out = np.zeros_like(X)
        grams: list[tuple[int, float, np.ndarray | None | bool]] = []
        for m, a in self.weights(layer, tau):
            C = self.centres[m]
            if C.shape[0] == 0:
                grams.append((m, a, None))
                continue
            G = self.kernel.gram(X, C)
            out += a * (G @ self.coeffs[m])
            grams.append((m, a, G if keep else False))
        return out, StageEntry(layer, tau, X, grams)

    def vjp(self, entry: StageEntry, lam: np.ndarray, grad: list) -> np.ndarray:
        """Adjoint of one evaluation: returns ``Dv(x_i)ᵀ λ_i``, adds ``∂⟨λ, v⟩/∂a`` to ``grad``."""
        xbar = np.zeros_like(lam)
        for m, a, G in entry.data:
            if G is None:
                continue
            if G is False:  # not taped: recompute the Gram block
                G = self.kernel.gram(entry.X, self.centres[m])
            grad[m] += a * (G.T @ lam)
            # Dv(x)ᵀλ = Σ_j (a_j·λ) ∇K(x − c_j)
            Wmat = lam @ self.coeffs[m].T
            xbar += a * _weighted_grad_sum(self.kernel, entry.X, self.centres[m], Wmat)
        return xbar

    def layer_jacobian(self, layer: int, tau: float, X: np.ndarray) -> np.ndarray:
        """``Dv(x_i)`` at local time ``tau`` of ``layer``, shape ``(N, D, D)``."""
        J = np.zeros((X.shape[0], self.dim, self.dim))
        for m, a in self.weights(layer, tau):
            C = self.centres[m]
            if C.shape[0] == 0:
                continue
            gK = self.kernel.grad(X[:, None, :] - C[None, :, :])  # (N, M, D)
            J += a * np.einsum("nmb,ma->nab", gK, self.coeffs[m])
        return J
