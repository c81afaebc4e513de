"""Step 1 of the certificate: the data and the options become a :class:`Design` — the
:class:`~bounds.problem.Problem` (in reduced coordinates), the regularity constants, the finite-width
sample if any, and the function ``R ↦`` every constant of the chain (docs/certificate.rst)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from bounds.chain import ChainPoint, FiniteWidth, chain_point
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.problem import Problem
from bounds.regularity import Regularity, regularity_constants, rff_regularity_moments
from bounds.result import Quantity
from verify.certificate.datasets import Dataset
from verify.certificate.options import CertifyOptions

__all__ = ["Design", "build_design", "MAX_PAIRWISE_ENTRIES", "rff_error_estimate"]

DOCS = "docs/certificate.rst"
#: Largest N² D accepted: the bounds form the N × N × D array of lifted differences (8 bytes each).
MAX_PAIRWISE_ENTRIES = 50_000_000


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

    @property
    def f0(self) -> float:
        return self.problem.initial_loss()


def rff_error_estimate(rff: RandomFourierKernel, base: Matern | Gaussian, lifted: np.ndarray, seed: int) -> float:
    """``max |K_q(z) − K(z)|`` over the data differences and 2000 random ``z`` with ``|z| ≤ 2 diam``
    (an estimate of the sup, not a bound)."""
    diff = (lifted[:, None, :] - lifted[None, :, :]).reshape(-1, lifted.shape[1])
    rng = np.random.default_rng(seed + 1)
    radius = 2 * float(np.max(np.linalg.norm(lifted, axis=1))) + 1.0
    Z = rng.standard_normal((2000, lifted.shape[1]))
    Z *= (radius * rng.uniform(0, 1, (2000, 1)) ** (1 / lifted.shape[1])) / np.linalg.norm(Z, axis=1, keepdims=True)
    Z = np.vstack([diff, Z])
    return float(np.max(np.abs(rff(Z) - base(Z))))


def _check_size(ds: Dataset, opts: CertifyOptions) -> None:
    D = opts.p * ds.d
    if ds.d_out > D:
        raise ValueError(f"the output map needs d' <= D = p d = {D}, got d' = {ds.d_out}; increase p")
    if ds.N**2 * D > MAX_PAIRWISE_ENTRIES:
        raise ValueError(
            f"p must keep N^2 D <= {MAX_PAIRWISE_ENTRIES:.0e} (the N x N x D lifted differences): N = {ds.N}, "
            f"D = p d = {D}; use p <= {max(1, MAX_PAIRWISE_ENTRIES // (ds.N**2 * ds.d))}"
        )


def _finite_width(problem: Problem, base: Matern | Gaussian, opts: CertifyOptions) -> FiniteWidth:
    assert opts.width is not None
    rff = RandomFourierKernel.from_kernel(base, opts.width, problem.coordinates, opts.rff_seed)
    eps = rff_error_estimate(rff, base, problem.lifted, opts.rff_seed)
    hyp = (f"the drawn sample: q = {opts.width}, seed = {opts.rff_seed}",)
    eps_q = Quantity("rff_kernel_error", eps, "estimate",
                     "max |K_q(z) - K(z)| over the data differences and 2000 random z in the region",
                     DOCS + "#finite-width", hyp)
    return FiniteWidth(rff, rff_regularity_moments(rff), eps_q)


def build_design(ds: Dataset, opts: CertifyOptions) -> Design:
    """The problem of the options' architecture on the data, and its chain of constants."""
    _check_size(ds, opts)
    base = opts.base_kernel()
    problem = Problem.copy_lifting(ds.X, ds.Y, base, opts.p, opts.a, opts.b)
    width = None if opts.width is None else _finite_width(problem, base, opts)
    reg = regularity_constants(base)
    own = reg if width is None else width.regularity
    c1, c2 = float(own.c1), float(own.c2)
    if opts.constants == "paper":
        c1 = float(own.kappa)

    @cache
    def at(R: float) -> ChainPoint:
        return chain_point(problem, R, constants=opts.constants, depth=opts.depth, lam=opts.lam, width=width)

    return Design(problem=problem, base=base, regularity=reg, width=width, c1=c1, c2=c2, at=at)
