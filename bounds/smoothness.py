"""Smoothness ``β(R)``: ``∇F`` is ``β(R)``-Lipschitz on ``{‖v‖_H ≤ R}`` (SPEC §6, docs/smoothness.rst).

With ``ρ = max_i ‖A x_i‖`` and ``r̄(R) = σ_max(B)(ρ + c0 R) + max_i ‖y_i‖`` (a bound on every
residual in the ball)::

    β(R) = 2 σ_max(B)² c0² e^{2 c1 R}
         + 2 σ_max(B) r̄(R) c0 e^{2 c1 R} (c2 c0 R e^{c1 R} + 2 c1).

Derivation (docs/smoothness.rst): the first variation of the endpoint obeys
``‖δx_i(1)‖ ≤ c0 e^{c1 R} ‖h‖_H``, the second ``‖δ²x_i(1)‖ ≤ e^{c1R}(c2 c0² R e^{2c1R} + 2 c0 c1
e^{c1R}) ‖h‖²_H``; ``d²F[h, h] = (2/N) Σ (‖B δx_i‖² + ⟨r_i, B δ²x_i⟩)``.  The same bound holds for the
T-layer ResNet (its discrete variations obey the same recursions with ``Π(1 + c1‖v_k‖/T) ≤ e^{c1R}``).
"""

from __future__ import annotations

import mpmath

from bounds._core.rounding import MP_DPS, up
from bounds._core.validate import require_positive
from bounds.problem import Problem
from bounds.regularity import regularity_constants
from bounds.result import Quantity, upper_float

__all__ = ["smoothness_constant", "residual_bound"]

REFERENCE = "docs/smoothness.rst"


def residual_bound(problem: Problem, R: float, c0: float = 1.0) -> float:
    """``r̄(R) = σ_max(B)(ρ + c0 R) + max_i ‖y_i‖ ≥ ‖B Ψ_v(A x_i) − y_i‖`` on ``‖v‖_H ≤ R``.

    Uses ``‖Ψ_v(x) − x‖ ≤ ∫ ‖v_t‖_∞ dt ≤ c0 R``.  Kind: rigorous (rounded up).
    """
    R = require_positive("R", R, strict=False)
    with mpmath.workdps(MP_DPS):
        val = mpmath.mpf(problem.sigma_B[1]) * (mpmath.mpf(problem.rho) + c0 * mpmath.mpf(R)) + problem.y_max
    return up(val, 3)


def smoothness_constant(problem: Problem, R: float, *, constants: str = "sharp") -> Quantity:
    """``β(R)``, the Lipschitz constant of ``∇F`` on the ball ``‖v‖_H ≤ R`` (SPEC §6).

    Formula
        ``2 σ_B² c0² e^{2c1R} + 2 σ_B r̄(R) c0 e^{2c1R} (c2 c0 R e^{c1R} + 2 c1)``, ``σ_B = σ_max(B)``.
    Hypotheses
        Condition 1 with ``c2 < ∞`` (Matérn ν > 2), ``‖v‖_H ≤ R``; neural ODE or T-layer ResNet.
    Kind
        ``rigorous`` (evaluated at 30 digits, rounded up).

    ``constants="paper"`` replaces each of ``c0, c1, c2`` by ``κ`` (the talk's single constant).
    """
    R = require_positive("R", R, strict=False)
    reg = regularity_constants(problem.kernel)
    if constants == "sharp":
        c0, c1, c2 = (upper_float(reg.c0), upper_float(reg.c1), upper_float(reg.c2))  # each rounded up
    elif constants == "paper":
        c0 = c1 = c2 = upper_float(reg.kappa)
    else:
        raise ValueError(f"constants must be 'sharp' or 'paper', got {constants!r}")
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
        kind="rigorous",
        formula="2 sB^2 c0^2 e^{2c1R} + 2 sB rbar(R) c0 e^{2c1R} (c2 c0 R e^{c1R} + 2 c1)",
        reference=REFERENCE,
        hypotheses=(
            f"c2 = {c2:.6g} < inf (Condition 1 incl. second derivatives)",
            f"||v||_H <= R = {R:g}",
            f"rbar(R) = {rbar:.6g} bounds every residual",
        ),
        mp=beta,
        dps=MP_DPS,
    )
