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
from bounds.lambda_min import pairs
from bounds.problem import Problem, merge_duplicates
from bounds.recipe import WIDTH_READOUT_FACTOR, augmented_scales, width_scales
from bounds.regularity import Regularity, regularity_constants
from verify.certificate.datasets import Dataset
from verify.certificate.options import CertifyOptions
from verify.distributed import block_map_for
from verify.progress import Progress

__all__ = ["Design", "Preprocessing", "build_design", "preprocess", "pair_pass"]

DOCS = "docs/certificate.rst"


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


def pair_pass(X: np.ndarray, opts: CertifyOptions, progress: Progress) -> None:
    """The passes over the data's pairs, kept in their caches for every radius and lifting scale:
    the closest pair (compiled, in dimension > 8 above 3000 points, where a k-d tree is slow) and
    the histogram (:func:`bounds.lambda_min.pairs.pair_histogram`; nothing up to ``EXACT_MAX_N``
    points, whose sums are exact), on the Dask cluster of ``opts.scheduler`` or local threads,
    with progress bars.  The size guard comes first: a histogram above the memory limit is refused
    with one line."""
    N, d = X.shape
    if pairs.exact_sums_apply(N):
        return
    where = "local threads" if opts.scheduler is None else f"Dask scheduler {opts.scheduler}"
    key = pairs.points_key(X)
    with block_map_for(opts.scheduler) as block_map:
        if pairs.compiled_closest_pair(N, d):
            with progress.bar(len(pairs.pass_blocks(N)), f"closest pair, N = {N} ({where})") as bar:
                pairs.distinct_separation(key, block_map=block_map, progress=lambda done, total: bar.update(1))
        if pairs.histogram_cached(X):  # made by an earlier step (the design search): no second bar
            return
        pairs.check_histogram_size(N, pairs.histogram_layout(X).bins)
        with progress.bar(len(pairs.pass_blocks(N)), f"pair histogram, N = {N} ({where})") as bar:
            pairs.pair_histogram(X, block_map=block_map, progress=lambda done, total: bar.update(1))


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
        b_copy = 1.0 if opts.b is None else opts.b
        return Problem.copy_lifting(X, Y, base, opts.p, opts.a, b_copy, weights=w), "the options"
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


def build_design(ds: Dataset, opts: CertifyOptions, progress: Progress | None = None) -> Design:
    """The problem of the options' architecture on the (preprocessed) data, and its chain.

    The pair pass (:func:`pair_pass`) runs first: the design search and every radius reuse it.

    Raises
    ------
    ValueError
        Bad data (duplicates with different targets, NaN), a pair histogram above the memory limit,
        an unreachable scheduler (one line each).
    """
    X, Y, w, prep = preprocess(ds, opts.standardize)
    pair_pass(X, opts, progress if progress is not None else Progress(None))
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
