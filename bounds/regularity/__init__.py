"""Condition 1: the regularity constants ``c0, c1, c2`` and ``κ = c0 + c1 + c2`` (docs/kappa.rst).

For a translation-invariant kernel ``K(z) = E_{ω∼μ} cos(ω·z)`` and ``v ∈ V = H_K^D``,
``‖v(x)‖ ≤ c0 ‖v‖_V``, ``‖Dv(x)‖ ≤ c1 ‖v‖_V``, ``‖D²v(x)[u, w]‖ ≤ c2 ‖v‖_V |u||w|``.

* :mod:`bounds.regularity.exact` — Matérn and Gaussian, moments integrated symbolically;
* :mod:`bounds.regularity.sampled` — a drawn random-feature sample;
* :func:`regularity_constants` dispatches, :func:`kappa` returns ``κ`` alone.
"""

from bounds.regularity.constants import kappa, regularity_constants
from bounds.regularity.exact import (
    ELL,
    NU,
    derived_kappa_expr,
    gaussian_moment_expr,
    matern_moment_condition,
    matern_moment_expr,
    published_kappa_bound,
    published_kappa_expr,
    regularity_constant,
)
from bounds.regularity.record import Regularity
from bounds.regularity.sampled import QuarticMax, quartic_form_max, rff_regularity, rff_regularity_moments

__all__ = [
    "NU",
    "ELL",
    "Regularity",
    "QuarticMax",
    "kappa",
    "regularity_constants",
    "regularity_constant",
    "matern_moment_expr",
    "matern_moment_condition",
    "gaussian_moment_expr",
    "published_kappa_bound",
    "published_kappa_expr",
    "derived_kappa_expr",
    "rff_regularity",
    "rff_regularity_moments",
    "quartic_form_max",
]
