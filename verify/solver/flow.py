"""Flows of a control: the neural ODE ``ẋ = v_t(x)`` on ``[0, 1]`` and the T-layer ResNet.

* :func:`flow` — explicit Runge–Kutta integration.  Fixed steps (``method="rk4"`` classic RK4,
  ``"rk38"`` Kutta's 3/8 rule — torchdiffeq's ``"rk4"`` —, ``"euler"``) with ``steps_per_layer``
  equal steps inside each layer ``[k/L, (k+1)/L]``, or the adaptive Dormand–Prince 5(4) pair
  (``method="dopri5"``, ``rtol``/``atol`` error control) which also steps exactly to every layer
  boundary.  No step ever straddles a layer boundary, so each stage uses the field of the layer
  it belongs to (with ``time="linear"`` the field is interpolated at the stage time).
* :func:`resnet` — the T-layer ResNet ``x_{k+1} = x_k + (1/T) v_k(x_k)``, ``T = L``: one explicit
  Euler step per layer (docs/theory.rst).

Both return a :class:`FlowResult`; on request the trajectory ``x_i(t)`` at every step boundary
and the Jacobians ``Dφ_{0→t}(x_i)`` (the variational equation ``J̇ = Dv_t(x) J``, integrated
with the same scheme, so they are the exact Jacobians of the discrete map).  The gradient of the
discrete map is in :mod:`verify.solver.gradient`.  Derivations: ``docs/solver.rst``.

>>> import numpy as np
>>> from bounds.kernels import Gaussian
>>> from verify.solver.controls import KernelControl
>>> v = KernelControl(Gaussian(1.0), (np.zeros((1, 2)),), (np.array([[1.0, 0.0]]),))
>>> res = flow(v, np.zeros((1, 2)), steps_per_layer=4)
>>> res.x1.shape
(1, 2)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from bounds._core.validate import require_finite_array, require_int, require_positive

__all__ = ["Tableau", "TABLEAUX", "FlowResult", "flow", "resnet", "Step", "check_initial"]

Step = tuple[int, float, float]  # (layer, tau0, dtau): local times tau0 .. tau0 + dtau of layer


@dataclass(frozen=True)
class Tableau:
    """An explicit Runge–Kutta tableau ``(a, b, c)``, optionally with an embedded ``b_err``.

    ``b_err`` holds the weights of the *difference* (high − low order) used for error control.
    """

    name: str
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]
    order: int
    b_err: tuple[float, ...] | None = None

    @property
    def stages(self) -> int:
        return len(self.b)


_DP_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_DP_B = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0)
_DP_BHAT = (5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40)

TABLEAUX: dict[str, Tableau] = {
    "euler": Tableau("euler", ((),), (1.0,), (0.0,), 1),
    "rk4": Tableau(
        "rk4", ((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)), (1 / 6, 1 / 3, 1 / 3, 1 / 6), (0.0, 0.5, 0.5, 1.0), 4
    ),
    "rk38": Tableau(
        "rk38",
        ((), (1 / 3,), (-1 / 3, 1.0), (1.0, -1.0, 1.0)),
        (1 / 8, 3 / 8, 3 / 8, 1 / 8),
        (0.0, 1 / 3, 2 / 3, 1.0),
        4,
    ),
    "dopri5": Tableau(
        "dopri5",
        _DP_A,
        _DP_B,
        (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0),
        5,
        tuple(b - bh for b, bh in zip(_DP_B, _DP_BHAT, strict=False)),
    ),
}
ADAPTIVE_METHODS: tuple[str, ...] = ("dopri5",)


@dataclass(frozen=True, eq=False)
class FlowResult:
    """Result of :func:`flow` / :func:`resnet`.

    Attributes
    ----------
    x1
        End points ``x_i(1)``, shape ``(N, D)``.
    times
        Times of the step boundaries (``(n_steps + 1,)``) when a trajectory or Jacobians were
        requested, else ``None``.
    states
        ``x_i(t)`` at ``times``, shape ``(n_steps + 1, N, D)``, or ``None``.
    jacobians
        ``Dφ_{0→t}(x_i(0))`` at ``times``, shape ``(n_steps + 1, N, D, D)``, or ``None``.
    steps
        The steps taken, as ``(layer, tau0, dtau)`` in local layer time.
    method
        The tableau name.
    n_evaluations
        Number of field evaluations (stages).
    """

    x1: np.ndarray
    times: np.ndarray | None
    states: np.ndarray | None
    jacobians: np.ndarray | None
    steps: tuple[Step, ...]
    method: str
    n_evaluations: int


def check_initial(control: Any, X0: object) -> np.ndarray:
    """Validate the initial points against the control's dimension."""
    X0 = require_finite_array("X0", X0, ndim=2)
    if X0.shape[1] != control.dim:
        raise ValueError(f"X0 must have shape (N, D) with D = {control.dim} (the control's), got {X0.shape}")
    if X0.shape[0] < 1:
        raise ValueError("X0 must contain at least one point (N >= 1)")
    return X0


def _get_tableau(method: str) -> Tableau:
    if method not in TABLEAUX:
        raise ValueError(f"method must be one of {tuple(TABLEAUX)}, got {method!r}")
    return TABLEAUX[method]


def fixed_steps(n_layers: int, steps_per_layer: int) -> tuple[Step, ...]:
    """Equal steps, ``steps_per_layer`` in each of the ``n_layers`` layers."""
    spl = require_int("steps_per_layer", steps_per_layer, minimum=1)
    d = 1.0 / spl
    return tuple((k, j * d, d) for k in range(n_layers) for j in range(spl))


def _rk_step(control: Any, tab: Tableau, x: np.ndarray, step: Step, J: np.ndarray | None, keep: bool):
    """One RK step. Returns (x_new, k list, tape entries, J_new)."""
    layer, tau0, dtau = step
    h = dtau / control.n_layers
    ks: list[np.ndarray] = []
    entries = []
    kJ: list[np.ndarray] = []
    for s in range(tab.stages):
        Xs = x
        Js = J
        for j, a in enumerate(tab.a[s]):
            if a != 0.0:
                Xs = Xs + (h * a) * ks[j]
                if J is not None:
                    Js = Js + (h * a) * kJ[j]
        tau = tau0 + tab.c[s] * dtau
        k, entry = control.evaluate(layer, tau, Xs, keep)
        ks.append(k)
        if keep:
            entries.append(entry)
        if J is not None:
            kJ.append(control.layer_jacobian(layer, tau, Xs) @ Js)
    x_new = x
    for s, b in enumerate(tab.b):
        if b != 0.0:
            x_new = x_new + (h * b) * ks[s]
    J_new = None
    if J is not None:
        J_new = J
        for s, b in enumerate(tab.b):
            if b != 0.0:
                J_new = J_new + (h * b) * kJ[s]
    return x_new, ks, entries, J_new


def integrate(
    control: Any,
    X0: np.ndarray,
    method: str = "rk4",
    steps_per_layer: int = 1,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_steps: int = 100_000,
    keep_tape: bool = False,
    return_trajectory: bool = False,
    return_jacobian: bool = False,
) -> tuple[FlowResult, list]:
    """The RK engine behind :func:`flow`; also returns the tape (per step: step, entries)."""
    tab = _get_tableau(method)
    L = control.n_layers
    adaptive = method in ADAPTIVE_METHODS
    if adaptive:
        rtol = require_positive("rtol", rtol)
        atol = require_positive("atol", atol)
        max_steps = require_int("max_steps", max_steps, minimum=1)
        planned: tuple[Step, ...] | None = None
    else:
        planned = fixed_steps(L, steps_per_layer)
    x = X0
    N, D = X0.shape
    J = np.broadcast_to(np.eye(D), (N, D, D)).copy() if return_jacobian else None
    want_traj = return_trajectory or return_jacobian
    times, states, jacs = [0.0], [x], [J]
    tape: list = []
    steps: list[Step] = []

    def record(step: Step, x_new: np.ndarray, J_new: np.ndarray | None) -> None:
        steps.append(step)
        if want_traj:
            times.append((step[0] + step[1] + step[2]) / L)
            states.append(x_new)
            jacs.append(J_new)

    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected and raised below
        x, J, n_eval = _run_steps(
            control, tab, planned, x, J, keep_tape, tape, steps, record, rtol, atol, max_steps, steps_per_layer
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("the flow produced non-finite states (the control is too large for this step count)")
    res = FlowResult(
        x1=x,
        times=np.array(times) if want_traj else None,
        states=np.stack(states) if want_traj else None,
        jacobians=np.stack([j for j in jacs if j is not None]) if return_jacobian else None,
        steps=tuple(steps),
        method=method,
        n_evaluations=n_eval,
    )
    return res, tape


def _run_steps(control, tab, planned, x, J, keep_tape, tape, steps, record, rtol, atol, max_steps, steps_per_layer):
    """The step loop of :func:`integrate` (fixed plan, or adaptive per layer)."""
    L = control.n_layers
    n_eval = 0
    if planned is not None:
        for step in planned:
            x_new, _, entries, J_new = _rk_step(control, tab, x, step, J, keep_tape)
            n_eval += tab.stages
            if keep_tape:
                tape.append((step, entries))
            record(step, x_new, J_new)
            x, J = x_new, J_new
    else:
        dtau = 1.0 / max(1, steps_per_layer)
        for layer in range(L):
            tau = 0.0
            while tau < 1.0:
                if len(steps) >= max_steps:
                    raise ValueError(f"max_steps = {max_steps} exceeded (rtol={rtol}, atol={atol}); raise max_steps")
                dtau = min(dtau, 1.0 - tau)
                if 1.0 - tau - dtau < 1e-12:
                    dtau = 1.0 - tau
                step = (layer, tau, dtau)
                x_new, ks, entries, J_new = _rk_step(control, tab, x, step, J, keep_tape)
                n_eval += tab.stages
                h = dtau / L
                err = sum((h * e) * ks[s] for s, e in enumerate(tab.b_err) if e != 0.0)
                scale = atol + rtol * np.maximum(np.abs(x), np.abs(x_new))
                en = float(np.sqrt(np.mean((err / scale) ** 2)))
                if not math.isfinite(en):
                    raise ValueError("the adaptive step produced a non-finite state; the field blows up")
                if en <= 1.0:
                    if keep_tape:
                        tape.append((step, entries))
                    record(step, x_new, J_new)
                    x, J = x_new, J_new
                    tau = 1.0 if step[1] + step[2] >= 1.0 else tau + dtau
                fac = 5.0 if en == 0.0 else min(5.0, max(0.2, 0.9 * en ** (-1.0 / tab.order)))
                dtau = max(dtau * fac, 1e-14)
    return x, J, n_eval


def flow(
    control: Any,
    X0: object,
    method: str = "rk4",
    steps_per_layer: int = 1,
    return_trajectory: bool = False,
    *,
    return_jacobian: bool = False,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_steps: int = 100_000,
) -> FlowResult:
    """Integrate ``ẋ = v_t(x)`` from ``t = 0`` to ``1`` for every row of ``X0``.

    Parameters
    ----------
    control
        A control of :mod:`verify.solver.controls` (``L`` layers on ``[0, 1]``).
    X0
        Initial points ``A x_i``, shape ``(N, D)``, finite.
    method
        ``"rk4"`` (classic), ``"rk38"``, ``"euler"`` (fixed steps) or ``"dopri5"`` (adaptive).
    steps_per_layer
        Fixed methods: number of equal steps per layer (>= 1).  ``dopri5``: initial step count
        per layer (the controller adapts it).
    return_trajectory
        Also return ``times`` and ``states`` at every step boundary.
    return_jacobian
        Also return ``Dφ_{0→t}`` at every step boundary (variational equation, same scheme).
    rtol, atol
        Error tolerances of ``dopri5`` (RMS norm of ``err / (atol + rtol·|x|)`` ≤ 1).
    max_steps
        ``dopri5``: maximum number of accepted steps.

    Returns
    -------
    FlowResult
        Numerical (kind ``numerical``): RK4 error ``O(h⁴)``, Euler ``O(h)`` (tested in
        ``tests/verify/solver/test_flow.py``; docs page ``docs/solver.rst``).
    """
    X0 = check_initial(control, X0)
    if method not in ADAPTIVE_METHODS:
        require_int("steps_per_layer", steps_per_layer, minimum=1)
    else:
        require_int("steps_per_layer", steps_per_layer, minimum=1)
    res, _ = integrate(
        control,
        X0,
        method,
        steps_per_layer,
        rtol=rtol,
        atol=atol,
        max_steps=max_steps,
        return_trajectory=return_trajectory,
        return_jacobian=return_jacobian,
    )
    return res


def resnet(control: Any, X0: object, return_trajectory: bool = False, *, return_jacobian: bool = False) -> FlowResult:
    """The T-layer ResNet ``x_{k+1} = x_k + (1/T) v_k(x_k)``, ``T = L`` (explicit Euler, docs/theory.rst).

    With ``time="linear"`` the layer-``k`` field is the node at ``t = k/T``.
    """
    return flow(
        control,
        X0,
        method="euler",
        steps_per_layer=1,
        return_trajectory=return_trajectory,
        return_jacobian=return_jacobian,
    )
