"""Step 1 of the certificate: the data and the options become a :class:`Design` — the data as
certified (standardised if asked, duplicate rows merged with their multiplicities), the
:class:`~bounds.problem.Problem` of the architecture in reduced coordinates, the regularity
constants, the finite-width sample if any, and the function ``R ↦`` every constant of the chain
(docs/certificate.rst)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from bounds.chain import ChainPoint, FiniteWidth, chain_point
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.problem import Problem, merge_duplicates
from bounds.recipe import WIDTH_READOUT_FACTOR, augmented_scales, width_scales
from bounds.regularity import Regularity, regularity_constants
from verify.certificate.datasets import Dataset
from verify.certificate.options import CertifyOptions

__all__ = ["Design", "Preprocessing", "build_design", "MAX_PAIRWISE_ENTRIES", "preprocess"]

DOCS = "docs/certificate.rst"
#: Largest N² × coordinates accepted (the data-dependent λ bounds form the N × N × coordinates
#: array of lifted differences, 8 bytes each).
MAX_PAIRWISE_ENTRIES = 250_000_000


@dataclass(frozen=True)
class Preprocessing:
    """What was done to the data before certifying: standardisation and merged duplicate rows
    (groups of row indices of the input, each certified as one point of weight ``len(group)``)."""

    standardize: bool
    mean: tuple[float, ...] | None
    scale: tuple[float, ...] | None
    merged: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"standardize": self.standardize, "merged_rows": [list(g) for g in self.merged],
                "mean": None if self.mean is None else list(self.mean),
                "scale": None if self.scale is None else list(self.scale)}


@dataclass(frozen=True, eq=False)
class Design:
    """The problem to certify and everything that does not depend on the radius."""

    problem: Problem
    base: Matern | Gaussian
    regularity: Regularity
    width: FiniteWidth | None
    c1: float
    c2: float
    at: Callable[[float], ChainPoint]
    preprocessing: Preprocessing
    chosen_by: str

    @property
    def f0(self) -> float:
        """An upper bound of the initial loss ``F(0)`` (the LZB verdict uses it)."""
        return self.problem.initial_loss_upper()


def preprocess(ds: Dataset, standardize: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, Preprocessing]:
    """``(X, Y, weights, record)``: features standardised if asked, exact duplicate rows with equal
    targets merged (:func:`bounds.problem.merge_duplicates`; different targets: ``ValueError``)."""
    X = np.asarray(ds.X, dtype=float)
    mean = scale = None
    if standardize:
        mu, sd = X.mean(axis=0), X.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        X = (X - mu) / sd
        mean, scale = tuple(map(float, mu)), tuple(map(float, sd))
    Xu, Yu, w = merge_duplicates(X, ds.Y)
    groups: tuple[tuple[int, ...], ...] = ()
    if Xu.shape[0] < X.shape[0]:
        _, inverse = np.unique(X, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        groups = tuple(tuple(int(i) for i in np.flatnonzero(inverse == u))
                       for u in np.flatnonzero(np.bincount(inverse) > 1))
    return Xu, Yu, w, Preprocessing(standardize, mean, scale, groups)


def _check_size(N: int, coordinates: int) -> None:
    if N**2 * coordinates > MAX_PAIRWISE_ENTRIES:
        raise ValueError(
            f"the data-dependent lambda bounds need N^2 x coordinates <= {MAX_PAIRWISE_ENTRIES:.1e} array entries: "
            f"N = {N} distinct points in {coordinates} coordinates; use a subset (--n) or fewer features"
        )


def _finite_width(problem: Problem, base: Matern | Gaussian, opts: CertifyOptions) -> FiniteWidth:
    """The network drawn: ``q`` frequencies from the base kernel's spectral measure in the problem's
    reduced coordinates (the law of the projection onto ``S`` of a draw in ``R^D``, docs/width.rst),
    with its own constants and the verified ``λ`` of ``K_q`` on the lifted data."""
    assert opts.width is not None
    rff = RandomFourierKernel.from_kernel(base, opts.width, problem.coordinates, opts.rff_seed)
    return FiniteWidth.drawn(rff, problem.lifted, seed=opts.rff_seed)


def _problem(X: np.ndarray, Y: np.ndarray, w: np.ndarray, base: Matern | Gaussian,
             opts: CertifyOptions) -> tuple[Problem, str]:
    if opts.architecture == "copy":
        b = 1.0 if opts.b is None else opts.b
        return Problem.copy_lifting(X, Y, base, opts.p, opts.a, b, weights=w), "the options"
    alpha, b = opts.alpha, opts.b
    chosen = "the options"
    if alpha is None or b is None:
        scales = augmented_scales if opts.width is None else width_scales  # finite width: room in b (docs/width.rst)
        a_cf, b_cf, _ = scales(X, Y, base, weights=w, form=opts.form, depth=opts.depth, constants=opts.constants,
                               lam=opts.lam)
        alpha = a_cf if alpha is None else alpha
        b = b_cf if b is None or not np.isfinite(b_cf) else b
        chosen = "the closed form of docs/recipe.rst (augmented design)" + (
            "" if opts.width is None else f", read-out x {WIDTH_READOUT_FACTOR:g} for finite width (docs/width.rst)")
    return Problem.augmented(X, Y, base, alpha, b if np.isfinite(b) else 1e15, weights=w), chosen


def build_design(ds: Dataset, opts: CertifyOptions) -> Design:
    """The problem of the options' architecture on the (preprocessed) data, and its chain."""
    X, Y, w, prep = preprocess(ds, opts.standardize)
    d, d_out = X.shape[1], Y.shape[1]
    blocks = -(-d_out // d)  # the copy lifting's reduced coordinates (bounds.problem.copy_maps)
    coordinates = d + d_out if opts.architecture == "augmented" else d * (opts.p if opts.p <= blocks else blocks + 1)
    _check_size(X.shape[0], coordinates)
    base = opts.base_kernel()
    problem, chosen = _problem(X, Y, w, base, opts)
    width = None if opts.width is None else _finite_width(problem, base, opts)
    reg = regularity_constants(base)
    own = reg if width is None else width.regularity
    c1 = float(own.kappa) if opts.constants == "paper" else float(own.c1)

    @cache
    def at(R: float) -> ChainPoint:
        return chain_point(problem, R, constants=opts.constants, depth=opts.depth, lam=opts.lam, width=width)

    return Design(problem=problem, base=base, regularity=reg, width=width, c1=c1, c2=float(own.c2), at=at,
                  preprocessing=prep, chosen_by=chosen)
