"""Loss, exact gradients and the H-gradient norm of the discrete flow map (docs/solver.rst).

The loss is ``F(v) = (1/N) Σ_i ‖B x_i(1) − y_i‖²`` where ``x_i(1)`` is the end point of the
discrete flow (:func:`verify.solver.flow.flow` with the problem's method, or the ResNet) started at the
lifted data ``X0 = A x``.

:func:`loss_and_gradient` returns the **exact gradient of the discrete map**: a hand-written
discrete adjoint that walks the forward tape backwards (no autograd), in two forms:

* ``param_gradient`` — ``∂F/∂θ`` in the parameter's own shape (RFF: ``∂F/∂W``; kernel
  expansion: ``∂F/∂a`` per node);
* ``h_gradient`` — the Riesz representer of ``dF`` for the H inner product, itself a control:
  for piecewise-constant controls ``G_k = L · Σ_{stages s of layer k} Σ_i K(·, X_{s,i}) Λ_{s,i}``
  (``Λ_s = ∂F/∂k_s`` the adjoint of stage value ``k_s``); for RFF this is ``G_k = L ∂F/∂W_k``.

:func:`gradient_norm_h` evaluates ``‖∇F‖²_H`` by the function-space formula
``Σ_{s,s'} β_{ss'} Σ_{ij} K(X_{s,i} − X_{s',j}) ⟨Λ_{s,i}, Λ_{s',j}⟩`` for any control and
kernel; for the T-layer ResNet it is exactly
``(4/N²)(1/T) Σ_k Σ_{ij} K(x_i^k − x_j^k) ⟨p̃_i^{k+1}, p̃_j^{k+1}⟩``,
``p̃^{k+1}`` the discrete adjoint with ``p̃^T = Bᵀ r`` — the discrete form of the integral of docs/solver.rst.
:func:`continuous_adjoint` solves the adjoint ODE of docs/solver.rst backwards (cross-check; it converges to
the discrete gradient as the steps grow).  Derivations: ``docs/solver.rst``.

>>> import numpy as np
>>> from bounds.kernels import Matern, RandomFourierKernel
>>> from verify.solver.controls import RFFControl
>>> k = RandomFourierKernel.from_kernel(Matern("5/2"), q=8, D=2, seed=0)
>>> v = RFFControl(k, np.zeros((2, 2, 16)))
>>> pb = Objective(np.eye(2), np.ones((2, 2)))
>>> g = loss_and_gradient(pb, v)
>>> g.loss   # x(1) = x(0) for v = 0: ((1-1)^2 + (0-1)^2 + (0-1)^2 + (1-1)^2) / 2
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bounds._core.validate import require_finite_array, require_int, require_positive
from verify.solver._fast_rff import HAVE_NUMBA, rff_solve
from verify.solver.controls import KernelControl, RFFControl, mass_matrix, time_weights
from verify.solver.flow import TABLEAUX, FlowResult, check_initial, fixed_steps, integrate

__all__ = [
    "Objective",
    "AdjointStage",
    "Gradient",
    "ContinuousAdjoint",
    "loss",
    "loss_and_gradient",
    "gradient_norm_h",
    "stage_gradient_norm_h",
    "continuous_adjoint",
    "directional_derivative_fd",
]


@dataclass(frozen=True, eq=False)
class Objective:
    """A training problem: lifted inputs, targets, output map and the discretisation.

    Parameters
    ----------
    X0
        Lifted inputs ``A x_i``, shape ``(N, D)``.
    Y
        Targets ``y_i``, shape ``(N, d')``.
    B
        Output map, shape ``(d', D)``; ``None`` means the identity (``d' = D``).
    method
        ``"rk4"``, ``"rk38"``, ``"euler"`` (``steps_per_layer = 1`` is the T-layer ResNet) or
        ``"dopri5"`` (adaptive; its gradient is that of the map with the accepted steps frozen).
    steps_per_layer
        Steps per layer (>= 1).
    rtol, atol
        Tolerances of ``dopri5``.
    """

    X0: np.ndarray
    Y: np.ndarray
    B: np.ndarray = None  # type: ignore[assignment]  # None: the identity, set by __post_init__
    method: str = "rk4"
    steps_per_layer: int = 1
    rtol: float = 1e-8
    atol: float = 1e-10

    def __post_init__(self) -> None:
        X0 = require_finite_array("X0", self.X0, ndim=2)
        Y = require_finite_array("Y", self.Y, ndim=2)
        N, D = X0.shape
        if N < 1 or D < 1:
            raise ValueError(f"X0 must have shape (N, D) with N, D >= 1, got {X0.shape}")
        if self.B is None:
            B = np.eye(D)
        else:
            B = require_finite_array("B", self.B, ndim=2)
        if B.shape[1] != D:
            raise ValueError(f"B must have shape (d', D) with D = {D} (X0's), got {B.shape}")
        if Y.shape != (N, B.shape[0]):
            raise ValueError(f"Y must have shape (N, d') = ({N}, {B.shape[0]}), got {Y.shape}")
        if self.method not in TABLEAUX:
            raise ValueError(f"method must be one of {tuple(TABLEAUX)}, got {self.method!r}")
        require_int("steps_per_layer", self.steps_per_layer, minimum=1)
        require_positive("rtol", self.rtol)
        require_positive("atol", self.atol)
        for name, arr in (("X0", X0), ("Y", Y), ("B", B)):
            arr = np.array(arr, order="C")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @classmethod
    def resnet(cls, X0: object, Y: object, B: object | None = None) -> Objective:
        """The T-layer ResNet problem (one explicit Euler step per layer)."""
        return cls(X0, Y, B, method="euler", steps_per_layer=1)  # type: ignore[arg-type]

    @property
    def N(self) -> int:
        return int(self.X0.shape[0])

    def residuals(self, x1: np.ndarray) -> np.ndarray:
        """``r_i = B x_i(1) − y_i``."""
        return x1 @ self.B.T - self.Y

    def loss_of(self, x1: np.ndarray) -> float:
        """``(1/N) Σ ‖r_i‖²``."""
        r = self.residuals(x1)
        return float(np.sum(r * r) / self.N)

    def run(self, control: Any, keep_tape: bool = False, **kw: Any) -> tuple[FlowResult, list]:
        """Run the problem's discretisation for ``control``."""
        check_initial(control, self.X0)
        return integrate(control, self.X0, self.method, self.steps_per_layer, rtol=self.rtol, atol=self.atol,
                         keep_tape=keep_tape, **kw)


@dataclass(frozen=True, eq=False)
class AdjointStage:
    """One stage of the adjoint pass: the stage points ``X`` and ``Λ = ∂F/∂k_s`` there."""

    layer: int
    tau: float
    X: np.ndarray
    lam: np.ndarray


@dataclass(frozen=True, eq=False)
class Gradient:
    """Loss and exact gradient of the discrete map.

    Attributes
    ----------
    loss
        ``F(v)``.
    param_gradient
        ``∂F/∂θ`` in the shape of ``control.params`` (RFF: ``∂F/∂W``, shape ``(n_nodes, D, 2q)``;
        kernel expansion: tuple of ``∂F/∂a_m``).
    h_gradient
        The H-gradient (Riesz representer of ``dF`` in H) as a control of the same kind.
    h_norm
        ``‖∇F(v)‖_H``.
    x0_gradient
        ``∂F/∂X0``.
    residuals
        ``r_i = B x_i(1) − y_i``.
    stages
        The adjoint stages (for :func:`stage_gradient_norm_h`), or ``()`` if not kept.
    """

    loss: float
    param_gradient: Any
    h_gradient: Any
    h_norm: float
    x0_gradient: np.ndarray
    residuals: np.ndarray
    stages: tuple[AdjointStage, ...] = field(default=())


def _fused(problem: Objective, control: Any) -> bool:
    """Whether the fused compiled RFF solver applies (same numbers as the generic engine)."""
    return (
        HAVE_NUMBA
        and isinstance(control, RFFControl)
        and control.time == "constant"
        and problem.method in ("rk4", "rk38", "euler")
    )


def _tableau_arrays(method: str) -> tuple[np.ndarray, np.ndarray]:
    tab = TABLEAUX[method]
    A = np.zeros((tab.stages, tab.stages))
    for i, row in enumerate(tab.a):
        A[i, : len(row)] = row
    return A, np.array(tab.b)


def loss(problem: Objective, control: Any) -> float:
    """``F(v) = (1/N) Σ_i ‖B x_i(1) − y_i‖²`` for the problem's discretisation."""
    if _fused(problem, control):
        check_initial(control, problem.X0)
        A, b = _tableau_arrays(problem.method)
        F, _, _, _ = rff_solve(problem.X0, problem.Y, problem.B, control.kernel.omega, control.W, A, b,
                            problem.steps_per_layer, grad=False)
        if not math.isfinite(F):
            raise ValueError("the loss is not finite (overflow): the control is too large for this discretisation")
        return F
    res, _ = problem.run(control)
    return problem.loss_of(res.x1)


def _adjoint(control: Any, tape: list, pbar: np.ndarray, keep_stages: bool, tab_name: str):
    """Reverse pass over the tape.  Returns (∂F/∂X0, param gradient, stages)."""
    tab = TABLEAUX[tab_name]
    L = control.n_layers
    grad = control.zero_params()
    stages: list[AdjointStage] = []
    S = tab.stages
    for step, entries in reversed(tape):
        _, _, dtau = step
        h = dtau / L
        Xbar: list[np.ndarray | None] = [None] * S
        total = pbar
        for s in range(S - 1, -1, -1):
            lam = (h * tab.b[s]) * pbar if tab.b[s] != 0.0 else None
            for j in range(s + 1, S):
                a = tab.a[j][s] if s < len(tab.a[j]) else 0.0
                if a != 0.0 and Xbar[j] is not None:
                    term = (h * a) * Xbar[j]
                    lam = term if lam is None else lam + term
            if lam is None:
                continue
            xb = control.vjp(entries[s], lam, grad)
            Xbar[s] = xb
            total = total + xb
            if keep_stages:
                e = entries[s]
                stages.append(AdjointStage(e.layer, e.tau, e.X, lam))
        pbar = total
    stages.reverse()
    return pbar, grad, tuple(stages)


def _kernel_h_gradient(control: KernelControl, stages: tuple[AdjointStage, ...]) -> KernelControl:
    """Riesz representer ``G_m = Σ_{m'} (M⁻¹)_{mm'} Σ_s α_{m'}(s) Σ_i K(·, X_{s,i}) Λ_{s,i}``."""
    Minv = np.linalg.inv(mass_matrix(control.time, control.n_layers))
    n = control.n_nodes
    cs: list[list[np.ndarray]] = [[] for _ in range(n)]
    As: list[list[np.ndarray]] = [[] for _ in range(n)]
    for st in stages:
        alpha = np.zeros(n)
        for m, a in time_weights(control.time, st.layer, st.tau):
            alpha[m] += a
        coef = Minv @ alpha
        for m in range(n):
            if coef[m] != 0.0:
                cs[m].append(st.X)
                As[m].append(coef[m] * st.lam)
    D = control.dim
    centres = tuple(np.concatenate(c) if c else np.zeros((0, D)) for c in cs)
    coeffs = tuple(np.concatenate(a) if a else np.zeros((0, D)) for a in As)
    return KernelControl(control.kernel, centres, coeffs, control.time)


def stage_gradient_norm_h(control: Any, stages: tuple[AdjointStage, ...]) -> float:
    """``‖∇F‖_H`` by the function-space formula from the adjoint stages (any kernel).

    ``‖∇F‖²_H = Σ_{s,s'} β_{ss'} Σ_{ij} K(X_{s,i} − X_{s',j}) ⟨Λ_{s,i}, Λ_{s',j}⟩`` with
    ``β = A M⁻¹ Aᵀ`` (``A_{sm} = α_m(t_s)``); for piecewise-constant controls ``β_{ss'} = L`` when
    ``s, s'`` lie in the same layer and 0 otherwise.
    """
    kernel = control.kernel
    if not stages:
        return 0.0
    if control.time == "constant":
        total = 0.0
        by_layer: dict[int, list[AdjointStage]] = {}
        for st in stages:
            by_layer.setdefault(st.layer, []).append(st)
        for sts in by_layer.values():
            X = np.concatenate([s.X for s in sts])
            Lam = np.concatenate([s.lam for s in sts])
            total += float(np.sum(Lam * (kernel.gram(X, X) @ Lam)))
        return math.sqrt(max(control.n_layers * total, 0.0))
    Minv = np.linalg.inv(mass_matrix(control.time, control.n_layers))
    A = np.zeros((len(stages), control.n_nodes))
    for i, st in enumerate(stages):
        for m, a in time_weights(control.time, st.layer, st.tau):
            A[i, m] += a
    beta = A @ Minv @ A.T
    total = 0.0
    for i, si in enumerate(stages):
        for j in range(i, len(stages)):
            if beta[i, j] == 0.0:
                continue
            sj = stages[j]
            val = float(np.sum(si.lam * (kernel.gram(si.X, sj.X) @ sj.lam)))
            total += beta[i, j] * val * (1.0 if i == j else 2.0)
    return math.sqrt(max(total, 0.0))


def _h_norm_from(grad: np.ndarray, h_grad: np.ndarray) -> float:
    """``‖∇F‖_H = ⟨∂F/∂W, M⁻¹ ∂F/∂W⟩^{1/2}``, by einsum rather than BLAS: a multi-threaded
    OpenBLAS call leaves its worker threads spinning for ~0.1 s, which slows the next fused solve
    (see :meth:`verify.solver.controls.RFFControl.h_norm`)."""
    return math.sqrt(max(float(np.einsum("i,i->", grad.ravel(), h_grad.ravel())), 0.0))


def loss_and_gradient(problem: Objective, control: Any, *, keep_stages: bool = False) -> Gradient:
    """Loss and exact gradient of the discrete map (discrete adjoint over the forward tape).

    Parameters
    ----------
    problem
        The :class:`Objective` (data, targets, ``B``, discretisation).
    control
        An :class:`~verify.solver.controls.RFFControl` or :class:`~verify.solver.controls.KernelControl`
        (or any object with the same solver interface).
    keep_stages
        Keep the adjoint stages in the result (needed by :func:`stage_gradient_norm_h`).

    Returns
    -------
    Gradient
        The loss, its parameter gradient and the H-gradient.

    Formula
    -------
    the discrete adjoint of the Runge–Kutta map; ``‖∇F‖²_H = ⟨∂F/∂W, M⁻¹ ∂F/∂W⟩`` for random features.

    Kind
    ----
    exact up to rounding for the discrete map (checked against central finite differences and torch
    autograd).

    References
    ----------
    docs/solver.rst#the-discrete-adjoint; docs/solver.rst#the-h-gradient-riesz-representer
    """
    if _fused(problem, control) and not keep_stages:
        check_initial(control, problem.X0)
        A, b = _tableau_arrays(problem.method)
        F, grad, xbar0, x1 = rff_solve(problem.X0, problem.Y, problem.B, control.kernel.omega, control.W, A, b,
                                   problem.steps_per_layer, grad=True)
        assert grad is not None and xbar0 is not None  # grad=True returns both
        if not (math.isfinite(F) and np.all(np.isfinite(grad)) and np.all(np.isfinite(xbar0))):
            raise ValueError("the loss or its gradient is not finite (overflow): the control is too large")
        hg = control.h_gradient_from(grad)
        hn = _h_norm_from(grad, hg.W)
        return Gradient(F, grad, hg, hn, xbar0, problem.residuals(x1), ())
    res, tape = problem.run(control, keep_tape=True)
    r = problem.residuals(res.x1)
    F = float(np.sum(r * r) / problem.N)
    pbar = (2.0 / problem.N) * (r @ problem.B)
    if not math.isfinite(F):
        raise ValueError("the loss is not finite (overflow): the control is too large for this discretisation")
    need_stages = keep_stages or isinstance(control, KernelControl)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected and raised below
        xbar0, grad, stages = _adjoint(control, tape, pbar, need_stages, problem.method)
    if not np.all(np.isfinite(xbar0)):
        raise ValueError("the adjoint overflowed (non-finite gradient): the control is too large")
    if isinstance(control, KernelControl):
        grad = tuple(grad)  # type: ignore[assignment]  # one coefficient block per node
        hg = _kernel_h_gradient(control, stages)
        hn = stage_gradient_norm_h(control, stages)
    elif isinstance(control, RFFControl):
        hg = control.h_gradient_from(grad)  # M⁻¹ ∂F/∂W, so ‖∇F‖²_H = ⟨∂F/∂W, M⁻¹ ∂F/∂W⟩
        hn = _h_norm_from(grad, hg.W)
    else:  # a user control without an H structure: parameter gradient only
        hg, hn = None, float("nan")
    return Gradient(F, grad, hg, hn, xbar0, r, stages if keep_stages else ())


def gradient_norm_h(problem: Objective, control: Any) -> float:
    """``‖∇F(v)‖_H`` by the function-space (kernel Gram) formula of docs/solver.rst, for any control.

    Exact for the discrete map (see :func:`stage_gradient_norm_h`); equals
    ``Gradient.h_norm``.

    Formula
    -------
    the function-space (kernel Gram) formula; for RFF: ``sqrt(L Σ_k ‖∂F/∂W_k‖²_F)``.

    Kind
    ----
    exact for the discrete map, up to rounding.

    References
    ----------
    docs/solver.rst#the-h-gradient-riesz-representer
    """
    g = loss_and_gradient(problem, control, keep_stages=True)
    return stage_gradient_norm_h(control, g.stages)


@dataclass(frozen=True, eq=False)
class ContinuousAdjoint:
    """Result of :func:`continuous_adjoint`.

    Attributes
    ----------
    loss
        ``F`` of the forward RK4 solution.
    param_gradient
        ``∫₀¹ Σ_i ⟨p_i(t), ∂_θ v_t(x_i(t))⟩ dt`` with ``ṗ = −Dvᵀ p``, ``p(1) = (2/N) Bᵀ r``.
    spec_norm_sq
        the ``(4/N²) ∫₀¹ Σ_{ij} K(x_i − x_j) ⟨p̃_i, p̃_j⟩ dt`` (``p̃ = N p / 2``): the squared
        norm of the gradient in the full ``L²([0,1]; V)``, an upper bound of the squared norm of
        its projection on piecewise-constant controls (Jensen; equal as ``L → ∞``).
    x0_gradient
        ``p(0)``.
    """

    loss: float
    param_gradient: Any
    spec_norm_sq: float
    x0_gradient: np.ndarray


def continuous_adjoint(problem: Objective, control: Any, steps_per_layer: int | None = None) -> ContinuousAdjoint:
    """The continuous adjoint of docs/solver.rst, solved backwards with classic RK4 (a cross-check).

    The state ``x`` is re-integrated backwards together with ``p`` (``ẋ = v``, ``ṗ = −Dvᵀ p``)
    and the parameter gradient is accumulated by the same RK4 quadrature.  It differs from the
    discrete gradient by the truncation error ``O(h⁴)`` (tested).
    """
    spl = problem.steps_per_layer if steps_per_layer is None else steps_per_layer
    spl = require_int("steps_per_layer", spl, minimum=1)
    X0 = check_initial(control, problem.X0)
    res, _ = integrate(control, X0, "rk4", spl)
    r = problem.residuals(res.x1)
    F = float(np.sum(r * r) / problem.N)
    x, p = res.x1, (2.0 / problem.N) * (r @ problem.B)
    grad = control.zero_params()
    L = control.n_layers
    tab = TABLEAUX["rk4"]
    kernel = getattr(control, "kernel", None)
    spec = 0.0
    for layer, tau0, dtau in reversed(fixed_steps(L, spl)):
        h = dtau / L
        kx: list[np.ndarray] = []
        kp: list[np.ndarray] = []
        for s in range(4):
            Xs, Ps = x, p
            for j, a in enumerate(tab.a[s]):
                if a != 0.0:
                    Xs = Xs - (h * a) * kx[j]
                    Ps = Ps + (h * a) * kp[j]
            tau = tau0 + dtau - tab.c[s] * dtau  # backwards in time
            v, entry = control.evaluate(layer, tau, Xs, True)
            w = h * tab.b[s]
            kp.append(control.vjp(entry, w * Ps, grad) / w)  # also adds w ∂⟨p, v⟩/∂θ to grad
            kx.append(v)
            if kernel is not None:
                spec += w * float(np.sum(Ps * (kernel.gram(Xs, Xs) @ Ps)))
        x = x - h * sum(b * k for b, k in zip(tab.b, kx, strict=False))
        p = p + h * sum(b * k for b, k in zip(tab.b, kp, strict=False))
    if isinstance(control, KernelControl):
        grad = tuple(grad)
    return ContinuousAdjoint(F, grad, spec, p)


def directional_derivative_fd(problem: Objective, control: Any, direction: Any, eps: float = 1e-5) -> float:
    """Central finite difference ``(F(v + εh) − F(v − εh)) / (2ε)`` along a control ``h``."""
    eps = require_positive("eps", eps)
    return (loss(problem, control + eps * direction) - loss(problem, control - eps * direction)) / (2 * eps)
