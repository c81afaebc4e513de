"""The λ(δ) bracket: ``[best rigorous lower bound, best numerical upper bound]`` of
``λ_N(δ) = inf {λ_min(K_X) : X ⊂ R^D, #X ≤ N, sep(X) ≥ δ}`` (SPEC §4).

Docs: ``docs/lambda.rst``.

>>> from bounds.kernels import Matern
>>> q = lambda_two(Matern("3/2"), 1.0)
>>> q.kind, round(q.value, 15)
('exact', 0.516642275403492)
"""

from __future__ import annotations

import mpmath

from .kernels import Gaussian, Matern
from .radial import profile_mp, require_radial_kernel
from .result import Quantity
from .validate import require_positive

__all__ = ["lambda_two"]


def lambda_two(kernel: Matern | Gaussian, delta: float, *, dps: int = 30) -> Quantity:
    """The exact two-point value ``λ_2(δ) = 1 − K(δ)``.

    Formula: ``K_X = [[1, K(r)], [K(r), 1]]`` has eigenvalues ``1 ± K(r)``, ``r = ‖x_1 − x_2‖ ≥ δ``;
    for ``0 ≤ K`` nonincreasing the infimum over ``r ≥ δ`` of ``1 − K(r)`` is ``1 − K(δ)``.
    Docs: ``docs/lambda.rst#two-points``.  Hypotheses: ``K`` radial, nonnegative, nonincreasing
    (Matérn, Gaussian).  Kind: exact (closed form evaluated at ``dps`` digits, rounded to nearest).
    """
    delta = require_positive("delta", delta)
    kernel = require_radial_kernel(kernel, "exact two-point value")
    with mpmath.workdps(dps):
        mp_val = 1 - profile_mp(kernel, delta)
    return Quantity(
        name="lambda_2",
        value=float(mp_val),
        kind="exact",
        formula="1 - K(delta)",
        reference="docs/lambda.rst#two-points",
        hypotheses=(f"{kernel.name}: K >= 0 radial and nonincreasing", "N = 2"),
        mp=mp_val,
        dps=dps,
    )
