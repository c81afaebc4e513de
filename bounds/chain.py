"""The chain of constants at one radius: ``c``, the Grönwall factors, ``λ``, ``Λ``, ``m(R)``,
``M(R)`` and ``β(R)`` for a problem (docs/pl.rst, docs/smoothness.rst), and the LZB certificate
of a problem without hand-written callables (docs/lzb.rst).

>>> import numpy as np
>>> from bounds.kernels import Matern
>>> from bounds.problem import Problem
>>> X = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
>>> prob = Problem.augmented(X, np.array([[1.0], [-1.0], [1.0]]), Matern("5/2"), alpha=2.0, b=50.0)
>>> cert = lzb_for_problem(prob)
>>> cert.guaranteed, cert.best.kind
(True, 'rigorous')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bounds.lzb import LZBCertificate, lzb_certificate
from bounds.pl import (
    Constants,
    LambdaSource,
    PLConstants,
    jacobian_constant,
    lambda_max_upper,
    pl_constants,
    pl_from_parts,
)
from bounds.problem import Problem
from bounds.result import Quantity
from bounds.smoothness import smoothness_constant
from bounds.width import FiniteWidth, embedding_cap, perturbed_bounds

__all__ = ["FiniteWidth", "ChainPoint", "chain_point", "lzb_for_problem"]


@dataclass(frozen=True)
class ChainPoint:
    """Every constant of the chain on the ball ``‖v‖_H ≤ R``."""

    R: float
    pl: PLConstants
    beta: Quantity

    @property
    def m(self) -> Quantity:
        return self.pl.m

    @property
    def M(self) -> Quantity:
        return self.pl.M

    @property
    def lam(self) -> Quantity:
        return self.pl.lam

    @property
    def Lam(self) -> Quantity:
        return self.pl.Lam

    @property
    def c(self) -> Quantity:
        return self.pl.c


def chain_point(
    problem: Problem, R: float, *, constants: Constants = "sharp", depth: int | None = None,
    lam: LambdaSource = "best", width: FiniteWidth | None = None,
) -> ChainPoint:
    """``m(R)``, ``M(R)`` (:func:`bounds.pl.pl_constants`) and ``β(R)``
    (:func:`bounds.smoothness.smoothness_constant`) at one radius.

    With ``width`` (:class:`bounds.width.FiniteWidth`) the residual fields live in the RKHS of the
    random-feature kernel ``K_q``: ``c`` and ``β`` use its constants, ``λ`` and ``Λ`` are the
    perturbation route from ``t = 0`` (:func:`bounds.width.perturbed_bounds`; ``lam`` is not used),
    ``Λ = N`` with ``constants="paper"``.

    Formula
    -------
    ``m(R) = (4 w_min/n) σ_min(B)² s_-(R)² λ``, ``M(R) = (4 w_max/n) σ_max(B)² s_+(R)² Λ``
    (:func:`bounds.pl.pl_from_parts`) and
    ``β(R) = 2 σ_B² c0² e^{2c1R} + 2 σ_B r̄(R) c0 e^{2c1R} (c2 c0 R e^{c1R} + 2 c1)``.

    Kind
    ----
    That of :func:`bounds.pl.pl_constants` and :func:`bounds.smoothness.smoothness_constant`
    (rigorous, or estimate with ``lam="estimate"``); with ``width``: rigorous for a drawn sample
    (:meth:`~bounds.width.FiniteWidth.drawn`), probabilistic for the a priori bounds.

    Hypotheses
    ----------
    Those of the PL sandwich and of ``β(R)``: ``δ > 0``, ``A`` injective, ``B`` surjective,
    Condition 1 with ``c2 < ∞``, ``‖v‖_H ≤ R`` (and ``cR/√T < 1`` for a ResNet).

    References
    ----------
    docs/pl.rst#the-pl-sandwich; docs/smoothness.rst#smoothness-r; docs/width.rst#the-perturbation-route
    """
    if width is None:
        pl = pl_constants(problem, R, constants=constants, depth=depth, lam=lam)
        return ChainPoint(R=R, pl=pl, beta=smoothness_constant(problem, R, constants=constants))
    reg = width.regularity
    c = reg.kappa if constants == "paper" else reg.c1
    lam_q, Lam_q = perturbed_bounds(width.lam0, width.Lam0, problem.N, c, R, cap=embedding_cap(width.sample))
    if constants == "paper":
        Lam_q = lambda_max_upper(problem, R, constants="paper")
    pl = pl_from_parts(problem, R, c, lam_q, Lam_q, depth=depth, constants=constants)
    return ChainPoint(R=R, pl=pl, beta=smoothness_constant(problem, R, constants=constants, regularity=reg))


def lzb_for_problem(
    problem: Problem, *, constants: Constants = "sharp", depth: int | None = None, lam: LambdaSource = "best",
    form: str = "discrete", R_min: float = 1e-4, R_max: float | None = None, grid_size: int = 121,
    target: float | None = None, width: FiniteWidth | None = None,
) -> LZBCertificate:
    """The LZB certificate of gradient descent from ``v0 = 0`` on ``problem`` (docs/lzb.rst).

    ``R_max`` defaults to ``3/c`` (and ``0.999 √T / c`` for a ResNet of depth ``T``), ``c`` that of
    the finite-width network when ``width`` is given.

    Formula
    -------
    The radius search of :func:`bounds.lzb.lzb_certificate` over :func:`chain_point`, with
    ``f0`` = :meth:`bounds.problem.Problem.initial_loss_upper`.

    Kind
    ----
    The weakest kind of ``m``, ``M``, ``β`` at the radius reported: rigorous, estimate with
    ``lam="estimate"``, ``width``'s kind (probabilistic for the a priori bounds) when given.

    Hypotheses
    ----------
    Those of :func:`chain_point` at every radius searched.

    References
    ----------
    docs/lzb.rst#the-calculator; docs/theory.rst#lzb-setting
    """
    if width is None:
        c = float(jacobian_constant(problem, constants))
    else:
        c = float(width.regularity.kappa if constants == "paper" else width.regularity.c1)
    if R_max is None:
        R_max = 3.0 / c if depth is None else min(3.0, 0.999 * depth**0.5) / c
    at = lru_cache(maxsize=None)(
        lambda R: chain_point(problem, R, constants=constants, depth=depth, lam=lam, width=width))
    return lzb_certificate(problem.initial_loss_upper(), at, form=form, R_min=R_min, R_max=R_max, grid_size=grid_size,
                           target=target)
