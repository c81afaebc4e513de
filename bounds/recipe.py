"""Design calculators (docs/recipe.rst): the architecture and scalings that make the LZB condition
hold from ``v0 = 0``, and the number of random features for the finite-width model.

Design search
    Two families, both held in reduced coordinates (:class:`bounds.problem.Problem`):

    * the augmented architecture ``A = α [I_d; 0]``, ``B = b [0, I_{d'}]`` (``BA = 0``, so
      ``F(0) = mean‖y_i‖²`` whatever the scales).  Closed form (docs/recipe.rst): ``α`` makes the
      data-dependent Gershgorin bound ``λ ≥ 1 − τ`` along the flow, ``b`` makes the LZB condition
      hold at the radius ``R = τ/c``; the certified rate is then within a few per cent of the best
      any augmented design can certify, ``1 − w_min/n``;
    * the copy lifting ``A = a (I_d, …, I_d)ᵀ`` (``p`` blocks), ``B = b (I_{d'}, 0)``, whose read-out
      sees the lifted input: ``p`` doubles until the condition holds, ``b`` maximises the margin.

    Every design returned is re-certified with the rigorous constants under the caller's options
    (depth, constants, λ source) by :func:`bounds.chain.lzb_for_problem`: ``verified``.

Random-feature width
    A uniform bound ``sup_{‖z‖ ≤ 2ρ'} |K_q(z) − K(z)| ≤ ε`` (ε-net + Hoeffding + Markov on the
    Lipschitz constant, constants derived in docs/recipe.rst) with probability ``≥ 1 − η``; by
    Weyl, ``λ_min(K_q) ≥ λ_min(K) − N ε`` on every set of N points in the region (:func:`rff_width`).

Finite-width design (docs/width.rst)
    The width ``q`` for which gradient descent on a width-``q`` network of a given design is
    guaranteed with probability ``≥ 1 − η`` over the draw (:func:`width_guarantee`,
    :func:`width_for_design`), and the finite-width design: the augmented closed form with the
    read-out scale enlarged by :data:`WIDTH_READOUT_FACTOR` and the smallest such width
    (:func:`width_design`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from bounds._core.validate import require_finite_array, require_int, require_positive
from bounds.chain import chain_point, lzb_for_problem
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.lambda_min.pairs import (
    distinct_separation,
    exact_row_sum_max,
    exact_sums_apply,
    pair_histogram,
    points_key,
)
from bounds.lzb import GD_FORMS, LZBCertificate, LZBPoint, lzb_condition
from bounds.pl import Constants, LambdaSource, c_upper, jacobian_constant
from bounds.problem import Architecture, Problem
from bounds.regularity import regularity_constants
from bounds.width import FiniteWidth

__all__ = [
    "CertifiedDesign",
    "augmented_scales",
    "augmented_design",
    "copy_design",
    "best_design",
    "gershgorin_scale",
    "rff_width",
    "RFFCheck",
    "rff_posterior_check",
    "WIDTH_READOUT_FACTOR",
    "width_guarantee",
    "width_for_design",
    "WidthDesign",
    "width_design",
    "width_scales",
    "drawn_output_scale",
]

REFERENCE = "docs/recipe.rst"
#: Tolerance of the closed form, ``λ ≥ 1 − TOLERANCE`` along the flow and ``c R = TOLERANCE``.
TOLERANCE = 0.01


@dataclass(frozen=True)
class CertifiedDesign:
    """An architecture and the LZB verdict for it under the caller's options.

    ``verified`` is true when the rigorous search (:func:`bounds.chain.lzb_for_problem`) certifies
    gradient descent from ``v0 = 0``; ``point`` is the condition at the radius reported (with its
    kind), ``iterations`` the count to ``target`` when one was given."""

    architecture: Architecture
    R: float
    point: LZBPoint | None
    f0: float
    verified: bool
    form: str
    iterations: int | None
    searched: tuple[str, ...]

    @property
    def rate(self) -> float | None:
        return None if self.point is None else self.point.rate

    def problem(self, X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian,
                weights: np.ndarray | None = None) -> Problem:
        """The :class:`~bounds.problem.Problem` of this design on the data (reduced coordinates)."""
        arch = self.architecture
        if arch.kind == "augmented":
            assert arch.alpha is not None and arch.b is not None
            return Problem.augmented(X, Y, kernel, arch.alpha, arch.b, weights=weights)
        assert arch.p is not None and arch.a is not None and arch.b is not None
        return Problem.copy_lifting(X, Y, kernel, arch.p, arch.a, arch.b, weights=weights)

    def describe(self) -> str:
        verdict = "verified" if self.verified else "NOT verified"
        rate = "n/a" if self.rate is None else f"{self.rate:.9g}"
        return f"{self.architecture.describe()}; R = {self.R:.4g}, rate {rate} ({verdict} with rigorous constants)"


def _row_sum(X: np.ndarray, kernel: Matern | Gaussian) -> Callable[[float], float]:
    """``t ↦ max_i Σ_{j≠i} K(t ‖x_i − x_j‖)`` (floats): exact row sums up to ``EXACT_MAX_N`` points,
    else the one-pass histogram's upper bound (:mod:`bounds.lambda_min.pairs`, computed once)."""
    if exact_sums_apply(X.shape[0]):
        return lambda t: exact_row_sum_max(kernel, X, t)
    hist = pair_histogram(X)
    return lambda t: hist.row_sum_max(kernel, t)[0]


def gershgorin_scale(X: np.ndarray, kernel: Matern | Gaussian, level: float = TOLERANCE) -> float:
    """The smallest scale ``t`` (found by bisection in ``log t``, to 1 %) with
    ``max_i Σ_{j≠i} K(t ‖x_i − x_j‖) ≤ level``.

    The row sums are those of the certificate (:func:`bounds.lambda_min.data.data_gershgorin_bound`:
    exact up to ``EXACT_MAX_N`` points, else the one-pass upper bound), in memory
    ``O(N d + N·block)``.

    Formula
    -------
    lifted distances ``t ‖x_i − x_j‖`` make the Gershgorin bound ``λ_min ≥ 1 − level``.

    Kind
    ----
    numerical (a search; the design built from it is re-certified rigorously).

    References
    ----------
    docs/recipe.rst#the-augmented-design
    """
    X = require_finite_array("X", X, ndim=2)
    rowsum = _row_sum(X, kernel)
    lo = hi = kernel.lengthscale / distinct_separation(points_key(X))
    while rowsum(hi) > level:
        lo, hi = hi, hi * 2
    while lo == hi or rowsum(lo) <= level:
        if lo < hi / 2**60:
            return hi
        lo /= 2
    while hi / lo > 1.01:
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if rowsum(mid) <= level else (mid, hi)
    return hi


def _certify(problem: Problem, *, form: str, depth: int | None, constants: Constants, lam: LambdaSource,
             target: float | None, R_max: float) -> tuple[bool, float, LZBPoint | None, int | None]:
    cert = lzb_for_problem(problem, constants=constants, depth=depth, lam=lam, form=form, R_min=R_max * 1e-4,
                           R_max=R_max, grid_size=41, target=target)
    if cert.best is None:
        return False, float("nan"), None, None
    return True, cert.best.R, cert.best, cert.iterations


def _output_scale(problem_at: object, R: float, f0: float, form: str) -> float:
    """The smallest ``b`` (bisection in ``log b``) with ``(1 + 10⁻³) f0 ≤ allowed_f0`` at ``R`` for the
    augmented design (``m``, ``M`` ∝ ``b²``, ``β`` quadratic in ``b``); ``inf`` if none below 10¹⁵."""
    def margin(b: float) -> float:
        ch = problem_at(b)  # type: ignore[operator]
        point = lzb_condition(f0, ch.m, ch.M, ch.beta, R)
        return point.allowed_f0[form] - f0 * (1 + 1e-3)

    lo, hi = 1e-3, 1.0
    while margin(hi) < 0:
        lo, hi = hi, hi * 4
        if hi > 1e15:
            return math.inf
    while hi / lo > 1.01:
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if margin(mid) >= 0 else (mid, hi)
    return hi


def _search_lam(lam: LambdaSource, kernel: object) -> LambdaSource:
    """The λ source of the (numerical) search: the data-dependent Gershgorin bound where it applies
    (it is part of every rigorous ``best``); the design found is re-certified with ``lam`` itself."""
    return "data" if lam in ("best", "data") and isinstance(kernel, (Matern, Gaussian)) else lam


def _copy_can_help(X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None) -> bool:
    """Can the copy lifting's read-out of the input lower ``F(0)`` below ``mean‖y‖²``?  Its initial
    outputs are ``c·(x_i)_{k mod d}`` (``k ≤ d'``) for one scalar ``c = ab/√p``; the best ``c`` removes
    ``(Σ w⟨P x, y⟩)²/Σ w‖P x‖²`` of ``Σ w‖y‖²`` (least squares), and less than 1 % means the copy
    lifting has nothing to offer over the augmented design (same ``m``, ``M``; ``f0`` and ``r̄`` no
    smaller)."""
    w = np.ones(X.shape[0]) if weights is None else weights
    cols = np.arange(Y.shape[1]) % X.shape[1]
    PX = X[:, cols]
    sxx, sxy, syy = (float(np.dot(w, np.sum(a * b, axis=1))) for a, b in ((PX, PX), (PX, Y), (Y, Y)))
    return sxx > 0 and syy > 0 and sxy**2 / sxx > 0.01 * syy


def augmented_scales(
    X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian, *, weights: np.ndarray | None = None,
    form: str = "discrete", depth: int | None = None, constants: Constants = "sharp", lam: LambdaSource = "best",
    tolerance: float = TOLERANCE,
) -> tuple[float, float, float]:
    """``(α, b, R₀)`` of the augmented design's closed form (docs/recipe.rst, "The augmented design").

    Formula
    -------
    ``R₀ = τ/c`` (``c`` the Grönwall constant, ``τ`` = ``tolerance``);
    ``α = t*/s_-(R₀)`` with ``t*`` = :func:`gershgorin_scale` at level ``τ``, so that the lifted
    distances keep ``λ ≥ 1 − τ`` along the flow; ``b`` the smallest scale (to 1 %) with
    ``(1 + 10⁻³) f0 ≤ allowed_f0(R₀)`` (``inf`` if none below 10¹⁵).

    Kind
    ----
    numerical (a search).

    References
    ----------
    docs/recipe.rst#the-augmented-design
    """
    _check_form(form)
    tolerance = require_positive("tolerance", tolerance)
    c = c_upper(jacobian_constant(Problem.augmented(X, Y, kernel, 1.0, 1.0), constants))
    R0 = tolerance / c
    shrink_exponent = tolerance if depth is None else tolerance / max(1e-12, 1 - tolerance / math.sqrt(depth))
    alpha = gershgorin_scale(X, kernel, tolerance) * math.exp(shrink_exponent)

    search_lam = _search_lam(lam, kernel)

    def at(b: float):  # noqa: ANN202 - a ChainPoint
        return chain_point(Problem.augmented(X, Y, kernel, alpha, b, weights=weights), R0, constants=constants,
                           depth=depth, lam=search_lam)

    f0 = Problem.augmented(X, Y, kernel, alpha, 1.0, weights=weights).initial_loss_upper()
    return alpha, _output_scale(at, R0, f0, form), R0


def augmented_design(
    X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian, *, weights: np.ndarray | None = None,
    form: str = "discrete", depth: int | None = None, constants: Constants = "sharp", lam: LambdaSource = "best",
    target: float | None = None, tolerance: float = TOLERANCE,
) -> CertifiedDesign:
    """The augmented design of :func:`augmented_scales`, re-certified by the rigorous radius search.

    Formula
    -------
    ``A = α [I_d; 0]``, ``B = b [0, I_{d'}]`` with ``(α, b, R₀)`` of :func:`augmented_scales`; the
    verdict is :func:`bounds.chain.lzb_for_problem` on ``R ≤ 3 R₀``.

    Kind
    ----
    the search is numerical; the verdict (``verified``) is rigorous.

    Hypotheses
    ----------
    distinct data, Matérn ν > 2 or Gaussian.

    References
    ----------
    docs/recipe.rst#the-augmented-design; docs/theory.rst#augmented-architecture
    """
    alpha, b, R0 = augmented_scales(X, Y, kernel, tolerance=tolerance, weights=weights, form=form, depth=depth,
                                    constants=constants, lam=lam)
    searched = (f"augmented alpha = {alpha:.6g}, b = {b:.6g} at R = {R0:.4g}",)
    f0 = Problem.augmented(X, Y, kernel, alpha, 1.0, weights=weights).initial_loss_upper()
    if not math.isfinite(b):
        return CertifiedDesign(Architecture("augmented", alpha=alpha, b=b), R0, None, f0, False, form, None, searched)
    problem = Problem.augmented(X, Y, kernel, alpha, b, weights=weights)
    ok, R, point, its = _certify(problem, form=form, depth=depth, constants=constants, lam=lam, target=target,
                                 R_max=3 * R0)
    return CertifiedDesign(problem.architecture, R if ok else R0, point, f0, ok, form, its, searched)


def _check_form(form: str) -> None:
    if form not in GD_FORMS:
        raise ValueError(f"form must be one of {GD_FORMS}, got {form!r}")


def copy_design(
    X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian, *, weights: np.ndarray | None = None,
    form: str = "discrete", depth: int | None = None, constants: Constants = "sharp", lam: LambdaSource = "best",
    target: float | None = None, tolerance: float = TOLERANCE, p_max: int = 2**20,
) -> CertifiedDesign | None:
    """The copy lifting with the smallest ``p`` (doubling) that certifies (docs/recipe.rst).

    For each ``p``: the lifted scale ``α = a√p`` of :func:`augmented_design`, ``R₀ = τ/c``, and
    ``b`` maximising the LZB margin at ``R₀`` (bounded Brent search in ``log b`` over six decades
    around the augmented design's ``b``); the first ``p`` whose design the rigorous search
    certifies is returned.  ``None`` if no ``p ≤ p_max`` works, or when the copy lifting's read-out
    of the input cannot lower ``F(0)`` (then it has nothing over the augmented design; see
    ``_copy_can_help``).

    Formula
    -------
    ``A = a (I_d, …, I_d)ᵀ`` (``p`` blocks, ``α = a√p``), ``B = b (I_{d'}, 0)``; the verdict is
    :func:`bounds.chain.lzb_for_problem` on ``R ≤ 3 R₀``, ``R₀ = τ/c``.

    Kind
    ----
    as :func:`augmented_design`: the search is numerical; the verdict (``verified``) is rigorous.

    Hypotheses
    ----------
    distinct data, Matérn ν > 2 or Gaussian.

    References
    ----------
    docs/recipe.rst#how-p-grows-with-n-copy-lifting; docs/theory.rst#recipe-copy-lifting
    """
    _check_form(form)
    p_max = require_int("p_max", p_max, minimum=1)
    alpha, b_aug, R0 = augmented_scales(X, Y, kernel, weights=weights, form=form, depth=depth, constants=constants,
                                        lam=lam, tolerance=tolerance)
    if not math.isfinite(b_aug) or not _copy_can_help(X, Y, weights):
        return None
    search_lam = _search_lam(lam, kernel)
    searched: list[str] = []
    p = 1
    while p <= p_max:
        a = alpha / math.sqrt(p)

        def margin(log_b: float, a: float = a, p: int = p) -> float:
            prob = Problem.copy_lifting(X, Y, kernel, p, a, math.exp(log_b), weights=weights)
            ch = chain_point(prob, R0, constants=constants, depth=depth, lam=search_lam)
            f0 = prob.initial_loss_upper()
            allowed = lzb_condition(f0, ch.m, ch.M, ch.beta, R0).allowed_f0[form]
            return math.log(max(allowed, 1e-300) / f0)

        res = minimize_scalar(lambda lb: -margin(lb), bounds=(math.log(b_aug) - 7, math.log(b_aug) + 7),
                              method="bounded")
        b = math.exp(res.x)
        searched.append(f"copy p = {p}: best b = {b:.4g}, margin {-res.fun:.3g} at R = {R0:.4g}")
        if -res.fun > 0:
            problem = Problem.copy_lifting(X, Y, kernel, p, a, b, weights=weights)
            ok, R, point, its = _certify(problem, form=form, depth=depth, constants=constants, lam=lam,
                                         target=target, R_max=3 * R0)
            if ok:
                return CertifiedDesign(problem.architecture, R, point, problem.initial_loss_upper(), True, form, its,
                                       tuple(searched))
        p *= 2
    return None


def best_design(
    X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian, *, weights: np.ndarray | None = None,
    form: str = "discrete", depth: int | None = None, constants: Constants = "sharp", lam: LambdaSource = "best",
    target: float | None = None, families: tuple[str, ...] = ("augmented", "copy"), p_max: int = 2**12,
) -> CertifiedDesign:
    """The certified design with the best rate (or, with ``target``, the fewest iterations) among
    the families searched; the augmented design when none certifies (its margins say how far).

    Formula
    -------
    the design of :func:`augmented_design` or :func:`copy_design` with the smallest rate
    ``q = 1 − m/(2β)`` (or iteration count) among those ``verified``.

    Kind
    ----
    the search is numerical; the verdict (``verified``) of the design returned is rigorous.

    Hypotheses
    ----------
    distinct data, Matérn ν > 2 or Gaussian.

    References
    ----------
    docs/recipe.rst#the-design-search
    """
    for name in families:
        if name not in ("augmented", "copy"):
            raise ValueError(f"families must be among augmented, copy; got {name!r}")
    candidates = [augmented_design(X, Y, kernel, weights=weights, form=form, depth=depth, constants=constants,
                                   lam=lam, target=target)]
    if "copy" in families:
        copy = copy_design(X, Y, kernel, weights=weights, form=form, depth=depth, constants=constants, lam=lam,
                           target=target, p_max=p_max)
        if copy is not None:
            candidates.append(copy)
    certified = [d for d in candidates if d.verified]
    if not certified:
        return candidates[0]

    def cost(d: CertifiedDesign) -> float:
        return float(d.iterations) if target is not None and d.iterations is not None else float(d.rate or 1.0)

    return min(certified, key=cost)


# ----------------------------------------------------------------------- random-feature width


def _failure_probability(q: int, eps: float, diam: float, D: int, sigma2: float) -> float:
    """``inf_r [ 2 (1 + 2 diam/r)^D exp(−q ε²/8) + 16 σ² r²/ε² ]`` (docs/recipe.rst)."""

    def bound(log_r: float) -> float:
        r = math.exp(log_r)
        log_net = D * math.log1p(2 * diam / r) + math.log(2) - q * eps**2 / 8
        return math.exp(min(log_net, 700.0)) + 16 * sigma2 * r**2 / eps**2

    res = minimize_scalar(bound, bounds=(math.log(diam) - 60, math.log(diam) + 5), method="bounded")
    return float(min(bound(res.x), 1.0))


def rff_width(kernel: Matern | Gaussian, D: int, radius: float, eps: float, eta: float = 0.01) -> int:
    """Number ``q`` of random frequencies with ``P(sup_{‖z‖ ≤ 2·radius} |K_q(z) − K(z)| > ε) ≤ η``.

    Formula
    -------
    an ε-net argument in the style of Rahimi & Recht 2007, Claim 1, with our own constants for the
    ``[cos, sin]`` features: the failure probability is at most
    ``2 (1 + 2·diam/r)^D exp(−q ε²/8) + 16 σ² r²/ε²`` for every ``r > 0``, ``diam = 2·radius``,
    ``σ² = E‖ω‖² = D E[ω_1²]``.

    Kind
    ----
    rigorous (a probability bound; the width is the smallest power-of-two-refined integer meeting it).

    Hypotheses
    ----------
    ``E‖ω‖² < ∞`` (Matérn ν > 1).

    References
    ----------
    docs/recipe.rst#random-feature-width; docs/theory.rst#recipe-rff-width; A. Rahimi and B. Recht,
    *Random features for large-scale kernel machines*, NIPS 2007, Claim 1.
    """
    D = require_int("D", D, minimum=1)
    radius = require_positive("radius", radius)
    eps = require_positive("eps", eps)
    eta = require_positive("eta", eta)
    if eta >= 1:
        raise ValueError(f"eta must be in (0, 1), got {eta}")
    sigma2 = D * kernel.spectral.moment(1)
    if not math.isfinite(sigma2):
        raise ValueError("the kernel's E|w|^2 is infinite (Matérn nu <= 1): no uniform width bound")
    diam = 2 * radius
    hi = 1
    while _failure_probability(hi, eps, diam, D, sigma2) > eta:
        hi *= 2
        if hi > 2**62:
            raise ValueError("eps/eta too small: no width below 2^62 meets the bound")
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _failure_probability(mid, eps, diam, D, sigma2) <= eta:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class RFFCheck:
    """A-posteriori check of a drawn frequency sample on the actual data (exact for the sample):
    ``c1``/``c2`` of the empirical measure, ``λ_min`` of the random-feature Gram matrix on the
    lifted data, and the largest ``|K_q − K|`` seen on the data's pairwise differences."""

    c1: float
    c2: float
    lambda_min: float
    max_kernel_error_on_data: float


def rff_posterior_check(rff: RandomFourierKernel, kernel: Matern | Gaussian, lifted: np.ndarray) -> RFFCheck:
    """Regularity constants of the sample (:func:`bounds.regularity.regularity_constants`) and the data Gram
    matrix of the random-feature kernel.

    Formula
    -------
    ``c1``, ``c2`` of the empirical measure; ``λ_min(K_q(Z))`` by ``eigvalsh``;
    ``max_{i,j} |K_q(z_i − z_j) − K(z_i − z_j)|``.

    Kind
    ----
    c1 exact, c2 rigorous upper bound, λ numerical.

    References
    ----------
    docs/kappa.rst#random-features; docs/recipe.rst#random-feature-width
    """
    Z = require_finite_array("lifted", lifted, ndim=2)
    reg = regularity_constants(rff)
    Gq = rff.gram(Z)
    G = kernel.gram(Z)
    return RFFCheck(
        c1=float(reg.c1),
        c2=float(reg.c2),
        lambda_min=float(np.linalg.eigvalsh(Gq)[0]),
        max_kernel_error_on_data=float(np.max(np.abs(Gq - G))),
    )


# ----------------------------------------------------------------------- finite-width design

#: The finite-width design's read-out scale is this multiple of the infinite-width closed form's
#: ``b`` (the allowed initial loss grows like ``b²``: room for the finite-width losses in ``λ``,
#: ``Λ``, ``c1`` and ``c2``; docs/width.rst#the-finite-width-design).
WIDTH_READOUT_FACTOR = 2.0


def width_guarantee(
    problem: Problem, q: int, eta: float, *, form: str = "discrete", depth: int | None = None,
    constants: Constants = "sharp", grid_size: int = 41,
) -> LZBCertificate:
    """The a priori certificate of a width-``q`` network of this design: the LZB radius search over
    the chain of :meth:`bounds.width.FiniteWidth.a_priori` (docs/width.rst#a-priori).

    If ``guaranteed``, then with probability ``≥ 1 − eta`` over the draw of the ``q`` frequencies
    (in the problem's coordinates), gradient descent with step ``1/β(R)`` from ``v0 = 0`` on the
    drawn network converges at the rate reported.

    Raises
    ------
    ValueError
        ``form`` not a gradient-descent form, or a kernel other than Matérn or Gaussian.

    Formula
    -------
    :func:`bounds.lzb.lzb_certificate` over :func:`bounds.chain.chain_point` with
    ``width`` = :meth:`bounds.width.FiniteWidth.a_priori` of ``(problem.kernel, problem.lifted, q, eta)``.

    Kind
    ----
    probabilistic (``best.kind``).

    Hypotheses
    ----------
    the ``q`` frequencies drawn independently from the kernel's spectral measure.

    References
    ----------
    docs/width.rst#a-priori; docs/theory.rst#width-a-priori
    """
    _check_form(form)
    kernel = problem.kernel
    if not isinstance(kernel, (Matern, Gaussian)):
        raise ValueError(f"the problem's kernel must be a Matern or Gaussian kernel (the law of the draw), "
                         f"got {kernel!r}")
    width = FiniteWidth.a_priori(kernel, problem.lifted, q, eta)
    return lzb_for_problem(problem, constants=constants, depth=depth, form=form, grid_size=grid_size, width=width,
                           R_min=1e-4 / float(width.regularity.c1))


def width_for_design(
    problem: Problem, eta: float, *, form: str = "discrete", depth: int | None = None,
    constants: Constants = "sharp", q_min: int = 16, q_max: int = 2**22,
) -> int | None:
    """The smallest width (doubling from ``q_min``, then bisection to 1 %) whose a priori certificate
    (:func:`width_guarantee`) holds for this design; ``None`` if none up to ``q_max``.

    Every a priori bound improves with ``q``, so the verdict is monotone in ``q`` (up to the
    radius grid).

    Formula
    -------
    ``min {q : width_guarantee(problem, q, eta).guaranteed}`` (to 1 %).

    Kind
    ----
    the width is numerical (a search); its verdict is probabilistic.

    References
    ----------
    docs/width.rst#the-finite-width-design
    """
    q_min = require_int("q_min", q_min, minimum=1)
    q_max = require_int("q_max", q_max, minimum=q_min)

    def ok(q: int) -> bool:
        return width_guarantee(problem, q, eta, form=form, depth=depth, constants=constants).guaranteed

    hi = q_min
    while not ok(hi):
        if hi >= q_max:
            return None
        hi = min(2 * hi, q_max)
    lo = hi // 2
    while lo >= q_min and hi - lo > max(1, hi // 100):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


@dataclass(frozen=True)
class WidthDesign:
    """A finite-width design: the architecture, the width ``q`` and its a priori certificate (which
    holds with probability ``≥ 1 − eta`` over the draw), or ``q = None`` when no width up to the
    search's limit works."""

    architecture: Architecture
    q: int | None
    eta: float
    certificate: LZBCertificate | None

    def describe(self) -> str:
        if self.q is None or self.certificate is None or self.certificate.best is None:
            return f"{self.architecture.describe()}; no width certified with probability >= {1 - self.eta:g}"
        return (f"{self.architecture.describe()}; width q = {self.q}: with probability >= {1 - self.eta:g} over the "
                f"draw, rate {self.certificate.best.rate:.9g} at R = {self.certificate.best.R:.4g}")


def width_scales(
    X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian, *, weights: np.ndarray | None = None,
    form: str = "discrete", depth: int | None = None, constants: Constants = "sharp", lam: LambdaSource = "best",
) -> tuple[float, float, float]:
    """``(α, b, R₀)`` of the finite-width design.

    Formula
    -------
    :func:`augmented_scales` with ``b`` multiplied by :data:`WIDTH_READOUT_FACTOR` (``inf`` stays
    ``inf``).

    Kind
    ----
    numerical (a search).

    References
    ----------
    docs/width.rst#the-finite-width-design
    """
    alpha, b, R0 = augmented_scales(X, Y, kernel, weights=weights, form=form, depth=depth, constants=constants,
                                    lam=lam)
    return alpha, WIDTH_READOUT_FACTOR * b, R0


def width_design(
    X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian, eta: float, *, weights: np.ndarray | None = None,
    form: str = "discrete", depth: int | None = None, constants: Constants = "sharp", lam: LambdaSource = "best",
    q_max: int = 2**22,
) -> WidthDesign:
    """The finite-width design (docs/width.rst#the-finite-width-design): ``α`` and ``b`` of
    :func:`width_scales` and the smallest width whose a priori certificate holds
    (:func:`width_for_design`).

    Formula
    -------
    ``A = α [I_d; 0]``, ``B = b [0, I_{d'}]`` with ``(α, b)`` of :func:`width_scales`;
    ``q`` = :func:`width_for_design`, its certificate :func:`width_guarantee`.

    Kind
    ----
    the search is numerical; the certificate is probabilistic.

    References
    ----------
    docs/width.rst#the-finite-width-design; docs/theory.rst#width-design
    """
    alpha, b, _ = width_scales(X, Y, kernel, weights=weights, form=form, depth=depth, constants=constants, lam=lam)
    problem = Problem.augmented(X, Y, kernel, alpha, min(b, 1e15), weights=weights)
    q = width_for_design(problem, eta, form=form, depth=depth, constants=constants, q_max=q_max)
    cert = None if q is None else width_guarantee(problem, q, eta, form=form, depth=depth, constants=constants)
    return WidthDesign(problem.architecture, q, eta, cert)


def drawn_output_scale(
    X: np.ndarray, Y: np.ndarray, alpha: float, width: FiniteWidth, *, weights: np.ndarray | None = None,
    form: str = "discrete", depth: int | None = None, constants: Constants = "sharp",
) -> tuple[float, float]:
    """``(b, R₀)``: the read-out scale for which the drawn network of the augmented design with
    lifting scale ``α`` is certified at ``R₀`` (docs/width.rst#the-finite-width-design).

    Formula
    -------
    the perturbation route gives ``λ(R) = (√λ₀ − √N c R)²`` and the allowed initial loss
    grows like ``R² λ(R)²``, largest at ``R₀ = √λ₀/(3√N c)`` (capped at ``√T/(2c)`` for a ResNet);
    ``b`` is the smallest scale (bisection in ``log b``, to 1 %) with ``(1 + 10⁻³) f0 ≤
    allowed_f0(R₀)`` for the drawn chain, ``inf`` when ``λ₀ = 0`` or none below 10¹⁵.

    Kind
    ----
    numerical (a search); the design is then certified by the radius search.

    References
    ----------
    docs/width.rst#the-finite-width-design
    """
    _check_form(form)
    sample = width.sample
    if sample is None:
        raise ValueError("width must be a drawn network (bounds.width.FiniteWidth.drawn), not a priori bounds")
    c = float(width.regularity.kappa if constants == "paper" else width.regularity.c1)
    N = np.asarray(X).shape[0]
    R0 = math.sqrt(max(width.lam0.value, 0.0)) / (3 * math.sqrt(N) * c)
    if depth is not None:
        R0 = min(R0, 0.5 * math.sqrt(depth) / c)
    if R0 <= 0:
        return math.inf, R0

    def at(b: float):  # noqa: ANN202 - a ChainPoint
        return chain_point(Problem.augmented(X, Y, sample, alpha, b, weights=weights), R0,
                           constants=constants, depth=depth, width=width)

    f0 = Problem.augmented(X, Y, sample, alpha, 1.0, weights=weights).initial_loss_upper()
    return _output_scale(at, R0, f0, form), R0
