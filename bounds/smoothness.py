"""Smoothness ``β(R)``: ``∇F`` is ``β(R)``-Lipschitz on ``{‖v‖_H ≤ R}`` (docs/smoothness.rst).

With ``r̄(R) = max_i ‖B A x_i − y_i‖ + σ_max(B) c0 R`` (a bound on every residual in the ball)::

    β(R) = 2 σ_max(B)² c0² e^{2 c1 R}
         + 2 σ_max(B) r̄(R) c0 e^{2 c1 R} (c2 c0 R e^{c1 R} + 2 c1).

Derivation (docs/smoothness.rst): the first variation of the endpoint obeys
``‖δx_i(1)‖ ≤ c0 e^{c1 R} ‖h‖_H``, the second ``‖δ²x_i(1)‖ ≤ e^{c1R}(c2 c0² R e^{2c1R} + 2 c0 c1
e^{c1R}) ‖h‖²_H``; ``d²F[h, h] = (2/n) Σ w_i (‖B δx_i‖² + ⟨r_i, B δ²x_i⟩)``.  The same bound holds for
the T-layer ResNet (its discrete variations obey the same recursions with
``Π(1 + c1‖v_k‖/T) ≤ e^{c1R}``).
"""

from __future__ import annotations

import mpmath

from bounds._core.rounding import MP_DPS, gamma_k, up, upper_value
from bounds._core.validate import require_positive
from bounds.problem import Problem
from bounds.regularity import Regularity, regularity_constants
from bounds.result import Quantity, combined_kind

__all__ = ["smoothness_constant", "residual_bound"]

REFERENCE = "docs/smoothness.rst"


def residual_bound(problem: Problem, R: float, c0: float = 1.0) -> float:
    """``r̄(R) = max_i ‖B A x_i − y_i‖ + σ_max(B) c0 R ≥ ‖B Ψ_v(A x_i) − y_i‖`` on ``‖v‖_H ≤ R``.

    It never exceeds ``σ_max(B)(ρ + c0 R) + max_i ‖y_i‖`` and is independent of ``ρ``: for the
    augmented architecture (``B A = 0``) it is ``max_i ‖y_i‖ + σ_max(B) c0 R``.

    Raises
    ------
    ValueError
        ``R < 0``.

    Formula
    -------
    ``r̄(R) = max_i ‖B A x_i − y_i‖ + σ_max(B) c0 R``, from
    ``B Ψ_v(A x) − y = (B A x − y) + B (Ψ_v(A x) − A x)`` and ``‖Ψ_v(x) − x‖ ≤ ∫ ‖v_t‖_∞ dt ≤ c0 R``.

    Kind
    ----
    rigorous (rounded up): the rounding error of the computed residuals
    (:attr:`bounds.problem.Problem.initial_residual_error`) is added to their largest norm.

    Hypotheses
    ----------
    ``‖v‖_H ≤ R`` and ``‖v_t‖_∞ ≤ c0 ‖v_t‖_V`` (Condition 1).

    References
    ----------
    docs/smoothness.rst#derivation; docs/theory.rst#beta-residual-bound
    """
    R = require_positive("R", R, strict=False)
    with mpmath.workdps(MP_DPS):
        initial = mpmath.mpf(problem.initial_residual_max) * (1 + 2 * mpmath.mpf(gamma_k(problem.d_out + 1)))
        initial += mpmath.mpf(problem.initial_residual_error)
        val = initial + mpmath.mpf(problem.sigma_B[1]) * c0 * mpmath.mpf(R)
    return up(val, 3)


def smoothness_constant(
    problem: Problem, R: float, *, constants: str = "sharp", regularity: Regularity | None = None,
) -> Quantity:
    """``β(R)``, the Lipschitz constant of ``∇F`` on the ball ``‖v‖_H ≤ R`` (docs/smoothness.rst).

    ``constants="paper"`` replaces each of ``c0, c1, c2`` by ``κ`` (the single constant of the
    published statement, docs/paper.rst).
    ``regularity`` overrides the constants of ``problem.kernel`` (e.g. those of a drawn
    random-feature sample, whose kernel is not the problem's base kernel).

    Raises
    ------
    ValueError
        ``R < 0``, or ``constants`` neither ``"sharp"`` nor ``"paper"``.

    Formula
    -------
    ``2 σ_B² c0² e^{2c1R} + 2 σ_B r̄(R) c0 e^{2c1R} (c2 c0 R e^{c1R} + 2 c1)``, ``σ_B = σ_max(B)``,
    ``r̄(R)`` of :func:`residual_bound`.

    Kind
    ----
    ``rigorous`` (evaluated at 30 digits, rounded up); weaker when a constant of Condition 1 or
    ``σ(B)`` is (:func:`bounds.result.combined_kind`).

    Hypotheses
    ----------
    Condition 1 with ``c2 < ∞`` (Matérn ν > 2), ``‖v‖_H ≤ R``; neural ODE or T-layer ResNet.

    References
    ----------
    docs/smoothness.rst#smoothness-r; docs/smoothness.rst#derivation; docs/theory.rst#beta-smoothness
    """
    R = require_positive("R", R, strict=False)
    reg = regularity_constants(problem.kernel) if regularity is None else regularity
    if constants == "sharp":
        c0, c1, c2 = (upper_value(q.value, q.kind) for q in (reg.c0, reg.c1, reg.c2))  # β increases with each
    elif constants == "paper":
        c0 = c1 = c2 = upper_value(reg.kappa.value, reg.kappa.kind)
    else:
        raise ValueError(f"constants must be 'sharp' or 'paper', got {constants!r}")
    kind, eta = combined_kind("rigorous", reg.c1, reg.c2, problem.sigma_kind)
    sB = problem.sigma_B[1]
    rbar = residual_bound(problem, R, c0)
    with mpmath.workdps(MP_DPS):
        e1 = mpmath.exp(mpmath.mpf(c1) * R)
        beta = 2 * mpmath.mpf(sB) ** 2 * c0**2 * e1**2 + 2 * mpmath.mpf(sB) * rbar * c0 * e1**2 * (
            c2 * c0 * mpmath.mpf(R) * e1 + 2 * c1
        )
    return Quantity(
        name="beta",
        value=up(beta, 3),
        kind=kind,
        formula="2 sB^2 c0^2 e^{2c1R} + 2 sB rbar(R) c0 e^{2c1R} (c2 c0 R e^{c1R} + 2 c1)",
        reference=REFERENCE,
        hypotheses=(
            f"c2 = {c2:.6g} < inf (Condition 1 incl. second derivatives)",
            f"||v||_H <= R = {R:g}",
            f"rbar(R) = {rbar:.6g} bounds every residual",
        ),
        mp=beta,
        dps=MP_DPS,
        eta=eta,
    )
