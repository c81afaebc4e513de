"""The small theorems of docs/toys.rst as exact objects (docs/toys.rst).

* Polyak: ``f(θ) = ½ θᵀQθ`` is PL with ``m = 2 λ_min(Q)`` and ``β = λ_max(Q)``.
* Obstruction: the linear ResNet ``ẋ = θx`` learning ``−Id``, ``f(θ) = ‖e^θ + I‖²_F``; gradient
  descent from ``θ0 = 0`` drives ``e^{θ_k} → 0``: the loss tends to ``d``, the gradient to 0, so no
  PL inequality holds.
* Local PL: ``f(θ) = |e^{θ1 + iθ2} + 1|²`` has ``‖∇f‖² = 4 e^{2θ1} f`` exactly, hence
  ``m(R) = 4e^{−2R}``, ``M(R) = 4e^{2R}`` and ``β(R) = 4e^{2R} + 2e^R`` on ``‖θ‖ ≤ R``.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from scipy.linalg import expm, expm_frechet

from bounds._core.validate import require_finite_array, require_int, require_positive
from bounds.lzb import LZBCertificate, RadiusConstants, lzb_certificate
from bounds.result import Quantity

__all__ = [
    "polyak_constants",
    "obstruction_loss_and_grad",
    "obstruction_descent",
    "ObstructionRun",
    "exp_toy_symbolic",
    "exp_toy_loss",
    "exp_toy_grad",
    "exp_toy_constants",
    "exp_toy_certificate",
]

REFERENCE = "docs/toys.rst"


# ------------------------------------------------------------------------------------ Polyak


def polyak_constants(Q: np.ndarray) -> tuple[Quantity, Quantity]:
    """``(m, β) = (2 λ_min(Q), λ_max(Q))`` for ``f(θ) = ½ θᵀQθ`` with ``Q`` symmetric positive definite.

    Raises
    ------
    ValueError
        ``Q`` not finite, not square and symmetric, or not positive definite.

    Formula
    -------
    ``‖∇f‖² = θᵀQ²θ ≥ λ_min(Q) θᵀQθ = 2λ_min(Q) f`` (equality along the bottom eigenvector), so
    ``m = 2 λ_min(Q)``; ``∇f`` is ``λ_max(Q)``-Lipschitz, so ``β = λ_max(Q)``.

    Kind
    ----
    numerical (LAPACK eigenvalues).

    Hypotheses
    ----------
    ``Q`` symmetric positive definite.

    References
    ----------
    docs/toys.rst#polyak; docs/theory.rst#toys-polyak
    """
    Q = require_finite_array("Q", Q, ndim=2)
    if Q.shape[0] != Q.shape[1] or not np.allclose(Q, Q.T, rtol=0, atol=1e-14 * np.abs(Q).max()):
        raise ValueError(f"Q must be a symmetric square matrix, got shape {Q.shape}")
    ev = np.linalg.eigvalsh(Q)
    if ev[0] <= 0:
        raise ValueError(f"Q must be positive definite, got lambda_min = {ev[0]:.3g}")
    m = Quantity("m", 2 * float(ev[0]), "numerical", "2 lambda_min(Q)", REFERENCE + "#polyak",
                 ("f(theta) = theta^T Q theta / 2, Q > 0",))
    beta = Quantity("beta", float(ev[-1]), "numerical", "lambda_max(Q)", REFERENCE + "#polyak",
                    ("f(theta) = theta^T Q theta / 2, Q > 0",))
    return m, beta


# ------------------------------------------------------------------------------- obstruction


def obstruction_loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
    """``f(θ) = ‖e^θ + I‖²_F`` and ``∇f(θ) = 2 L_{exp}(θᵀ, e^θ + I)`` (Fréchet derivative of
    ``expm`` at ``θᵀ``: the adjoint of ``L_{exp}(θ, ·)`` for the Frobenius inner product)."""
    theta = require_finite_array("theta", theta, ndim=2)
    if theta.shape[0] != theta.shape[1]:
        raise ValueError(f"theta must be square, got shape {theta.shape}")
    E = expm(theta)
    Rm = E + np.eye(theta.shape[0])
    grad = 2.0 * expm_frechet(theta.T, Rm, compute_expm=False)
    return float(np.sum(Rm**2)), grad


@dataclass(frozen=True)
class ObstructionRun:
    """Gradient descent on ``‖e^θ + I‖²``: per-iteration loss, gradient norm, ``‖e^θ‖``."""

    loss: np.ndarray
    grad_norm: np.ndarray
    expm_norm: np.ndarray
    theta: np.ndarray


def obstruction_descent(theta0: np.ndarray, step: float, iterations: int) -> ObstructionRun:
    """Run gradient descent ``θ ← θ − step ∇f(θ)`` on the obstruction loss."""
    theta = require_finite_array("theta0", theta0, ndim=2).copy()
    step = require_positive("step", step)
    iterations = require_int("iterations", iterations, minimum=1)
    loss, gnorm, enorm = [], [], []
    for _ in range(iterations):
        f, g = obstruction_loss_and_grad(theta)
        loss.append(f)
        gnorm.append(float(np.linalg.norm(g)))
        enorm.append(float(np.linalg.norm(expm(theta), 2)))
        theta = theta - step * g
    return ObstructionRun(np.array(loss), np.array(gnorm), np.array(enorm), theta)


# ---------------------------------------------------------------------- the e^z local-PL toy

_t1, _t2 = sp.symbols("theta1 theta2", real=True)


def exp_toy_symbolic() -> dict[str, sp.Expr]:
    """Sympy derivation of the toy's identities.

    Returns ``f``, ``grad_sq = ‖∇f‖²``, ``ratio = simplify(‖∇f‖²/f)`` (equal to ``4 e^{2θ1}``) and
    ``hessian`` (2×2 matrix).
    """
    f = sp.expand(sp.Abs(sp.exp(_t1 + sp.I * _t2) + 1) ** 2, complex=True)
    f = sp.simplify(sp.expand_complex(f))
    grad = [sp.diff(f, _t1), sp.diff(f, _t2)]
    grad_sq = sp.simplify(grad[0] ** 2 + grad[1] ** 2)
    ratio = sp.simplify(sp.trigsimp(grad_sq / f))
    return {"f": f, "grad_sq": grad_sq, "ratio": ratio, "hessian": sp.hessian(f, (_t1, _t2))}


def exp_toy_loss(theta: np.ndarray) -> float:
    """``f(θ) = |e^{θ1 + iθ2} + 1|² = e^{2θ1} + 2 e^{θ1} cos θ2 + 1``."""
    t1, t2 = np.asarray(theta, dtype=float)
    return float(np.exp(2 * t1) + 2 * np.exp(t1) * np.cos(t2) + 1)


def exp_toy_grad(theta: np.ndarray) -> np.ndarray:
    """``∇f = (2e^{2θ1} + 2e^{θ1} cos θ2, −2 e^{θ1} sin θ2)``."""
    t1, t2 = np.asarray(theta, dtype=float)
    return np.array([2 * np.exp(2 * t1) + 2 * np.exp(t1) * np.cos(t2), -2 * np.exp(t1) * np.sin(t2)])


def exp_toy_constants(R: float) -> tuple[Quantity, Quantity, Quantity]:
    """``m(R) = 4e^{−2R}``, ``M(R) = 4e^{2R}``, ``β(R) = 4e^{2R} + 2e^R`` on ``‖θ‖ ≤ R``.

    Raises
    ------
    ValueError
        ``R < 0``.

    Formula
    -------
    ``‖∇f‖²/f = 4e^{2θ1}`` and ``|θ1| ≤ R``; the Hessian is ``4e^{2θ1} e1e1ᵀ`` plus
    ``2e^{θ1}`` times a reflection, so ``‖∇²f‖ ≤ 4e^{2θ1} + 2e^{θ1}``, attained at ``θ = (R, 0)``.

    Kind
    ----
    exact (the sympy expressions in ``expr``; ``value`` is their double-precision evaluation).

    Hypotheses
    ----------
    ``f(θ) = |e^{θ1 + iθ2} + 1|²``, ``‖θ‖ ≤ R``.

    References
    ----------
    docs/toys.rst#local-pl-example; docs/theory.rst#toys-exp
    """
    R = require_positive("R", R, strict=False)
    hyp = ("||theta|| <= R",)
    if float(R).is_integer():  # symbolic
        Rs = sp.Integer(int(R))
        exprs = (4 * sp.exp(-2 * Rs), 4 * sp.exp(2 * Rs), 4 * sp.exp(2 * Rs) + 2 * sp.exp(Rs))
    else:  # a float radius: the same expressions evaluated at 30 digits (what sympy would return, 30x faster)
        with mpmath.workdps(30):
            e = mpmath.exp(mpmath.mpf(R))
            exprs = tuple(sp.Float(v, 30) for v in (4 / e**2, 4 * e**2, 4 * e**2 + 2 * e))
    m = Quantity("m", float(4 * np.exp(-2 * R)), "exact", "4 exp(-2R)", REFERENCE + "#local-pl-example",
                 hyp, expr=exprs[0])
    M = Quantity("M", float(4 * np.exp(2 * R)), "exact", "4 exp(2R)", REFERENCE + "#local-pl-example",
                 hyp, expr=exprs[1])
    beta = Quantity("beta", float(4 * np.exp(2 * R) + 2 * np.exp(R)), "exact", "4 exp(2R) + 2 exp(R)",
                    REFERENCE + "#local-pl-example", hyp, expr=exprs[2])
    return m, M, beta


def exp_toy_certificate(theta0: np.ndarray, *, form: str = "discrete", target: float | None = None,
                        R_max: float = 5.0) -> LZBCertificate:
    """The full LZB certificate for the toy from ``θ0`` (docs/toys.rst).

    The constants depend on ``θ1`` only and ``B(θ0, R) ⊂ {|θ1| ≤ |θ0_1| + R}``, so the constants
    are evaluated at ``ρ = |θ0_1| + R`` (passed as ``theta0_norm``) — sharper than ``‖θ0‖ + R``
    and still exact.

    Raises
    ------
    ValueError
        ``theta0`` not a finite vector of shape ``(2,)``.

    Formula
    -------
    :func:`bounds.lzb.lzb_certificate` with ``f0 = f(θ0)`` and the constants of
    :func:`exp_toy_constants` at ``ρ = |θ0_1| + R``.

    Kind
    ----
    exact constants; the verdict is an exact evaluation of the chosen form.

    References
    ----------
    docs/toys.rst#local-pl-example; docs/lzb.rst#the-calculator
    """
    theta0 = require_finite_array("theta0", theta0, ndim=1)
    if theta0.shape != (2,):
        raise ValueError(f"theta0 must have shape (2,), got {theta0.shape}")
    return lzb_certificate(
        exp_toy_loss(theta0),
        lambda r: RadiusConstants(*exp_toy_constants(r)),
        theta0_norm=abs(float(theta0[0])),
        form=form,
        R_max=R_max,
        target=target,
    )
