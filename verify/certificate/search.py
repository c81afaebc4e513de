"""Step 2 of the certificate: the radius search of the LZB condition (docs/lzb.rst) on a
:class:`~verify.certificate.design.Design` — the grid, the refinement of near misses, the curves
and the radius reported."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from bounds.chain import ChainPoint
from bounds.lzb import LZBCertificate, LZBPoint, lzb_certificate, lzb_condition
from verify.certificate.design import Design
from verify.certificate.options import CertifyOptions
from verify.certificate.record import Curves
from verify.progress import Progress

__all__ = ["Search", "search_radius", "log_margin", "radius_range"]

#: The margin ``log(allowed_f0/f0)`` is clipped to ``[−MARGIN_CLIP, MARGIN_CLIP]`` in the curves.
MARGIN_CLIP = 50.0


@dataclass(frozen=True)
class Search:
    """Result of the radius search: the LZB certificate, the curves on the grid, the radius
    reported (the smallest feasible one, else the one of the largest margin) and the constants
    and verdict there."""

    lzb: LZBCertificate
    curves: Curves
    R: float
    chain: ChainPoint
    point: LZBPoint


def log_margin(allowed: float, f0: float) -> float:
    """``log(allowed_f0 / f0)``, clipped to ``±MARGIN_CLIP`` (> 0: the condition holds)."""
    if f0 <= 0:
        return MARGIN_CLIP if allowed > 0 else 0.0
    if allowed <= 0:
        return -MARGIN_CLIP
    return float(max(-MARGIN_CLIP, min(MARGIN_CLIP, math.log(allowed / f0))))


def radius_range(design: Design, opts: CertifyOptions) -> tuple[float, float]:
    """``(R_min, R_max)``: ``R_max`` defaults to ``3/c1``, and a ResNet of depth ``T`` needs
    ``c R < √T`` (the discrete Grönwall factor, docs/pl.rst), capped at ``√T/(2c)``; ``R_min``
    defaults to ``R_max/10⁴``."""
    R_max = opts.R_max if opts.R_max is not None else 3.0 / design.c1
    if opts.depth is not None:
        R_max = min(R_max, 0.5 * math.sqrt(opts.depth) / design.c1)
    R_min = opts.R_min if opts.R_min is not None else R_max * 1e-4
    if R_max <= R_min:
        raise ValueError(f"R_max = {R_max:.3g} is below R_min = {R_min}; pass a smaller --R-min")
    return R_min, R_max


def _refine(lzb: LZBCertificate, design: Design, opts: CertifyOptions) -> LZBCertificate | None:
    """A feasible window the grid stepped over: maximise the margin in log R between the neighbours
    of the best grid radius (bounded Brent search); if it is ``≥ 0`` there, rerun the LZB search on
    that window.  ``None`` if the maximum stays negative (the verdict at any radius returned is
    again the exact evaluation of the inequality)."""
    f0 = design.f0

    def margin(R: float) -> float:
        c = design.at(float(R))
        return log_margin(lzb_condition(f0, c.m, c.M, c.beta, R).allowed_f0[opts.form], f0)

    radii = [p.R for p in lzb.grid]
    k = int(np.argmax([margin(R) for R in radii]))
    lo, hi = radii[max(k - 1, 0)], radii[min(k + 1, len(radii) - 1)]
    res = minimize_scalar(lambda t: -margin(math.exp(t)), bounds=(math.log(lo), math.log(hi)), method="bounded",
                          options={"xatol": 1e-10})
    if -res.fun < 0:
        return None
    window = lzb_certificate(f0, design.at, form=opts.form, R_min=lo, R_max=hi, grid_size=9, target=opts.target)
    if window.best is None:  # the optimum lies between the window's grid points: start there
        window = lzb_certificate(f0, design.at, form=opts.form, R_min=math.exp(res.x), R_max=hi, grid_size=2,
                                 target=opts.target)
    return window if window.best is not None else None


def _curves(grid: tuple[LZBPoint, ...], design: Design, form: str) -> Curves:
    f0 = design.f0
    return Curves(
        R=tuple(p.R for p in grid), m=tuple(p.m for p in grid), M=tuple(p.M for p in grid),
        beta=tuple(p.beta for p in grid), lambda_lower=tuple(design.at(float(p.R)).lam.value for p in grid),
        allowed_f0=tuple(p.allowed_f0[form] for p in grid),
        margin=tuple(log_margin(p.allowed_f0[form], f0) for p in grid), form=form,
    )


def search_radius(design: Design, opts: CertifyOptions, progress: Progress) -> Search:
    """Search the radius (docs/certificate.rst, "The verdict")."""
    R_min, R_max = radius_range(design, opts)
    grid_size = opts.grid_size
    if design.at(float(R_min)).lam.value <= 0 and grid_size > 9:
        # λ_lower(R) is nonincreasing in R (s_-(R) decreases, K is radially nonincreasing), so
        # m(R) = 0 on the whole grid and the condition fails everywhere: a coarse grid suffices.
        grid_size = 9
    progress.note(f"LZB search over R in [{R_min:.3g}, {R_max:.3g}] ({grid_size} radii)")
    lzb = lzb_certificate(design.f0, design.at, form=opts.form, R_min=R_min, R_max=R_max, grid_size=grid_size,
                          target=opts.target)
    grid = lzb.grid
    curves = _curves(grid, design, opts.form)
    # refine only near-misses: a smooth margin that is far below 0 at every grid radius cannot
    # reach 0 between two of them (a missed window only makes the verdict conservative)
    if lzb.best is None and grid[0].m > 0 and max(curves.margin) > -2.0:
        refined = _refine(lzb, design, opts)
        if refined is not None and refined.best is not None:
            progress.note(f"feasible radii found between grid points near R = {refined.best.R:.4g}")
            lzb = refined
    R_star = lzb.best.R if lzb.best is not None else grid[int(np.argmax(curves.margin))].R
    chain = design.at(float(R_star))
    point = lzb_condition(design.f0, chain.m, chain.M, chain.beta, R_star)
    return Search(lzb=lzb, curves=curves, R=R_star, chain=chain, point=point)
