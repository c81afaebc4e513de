"""Design calculators (SPEC §8, docs/recipe.rst): lifting and scalings that make the LZB
condition hold from ``v0 = 0``, and the number of random features for the finite-width model.

Lifting recipe
    ``A = a (I_d, …, I_d)ᵀ`` (p blocks, ``D = pd``), ``B = b (I_{d'}, 0)``, Matérn/Gaussian kernel
    of length scale ℓ on ``R^D``.  For each ``p`` the search runs over the lifted distance scale
    ``α = a√p`` (``‖A x_i − A x_j‖ = α‖x_i − x_j‖``), the output scale ``b`` and the radius ``R``,
    with the data-dependent Gershgorin ``λ`` (docs/pl.rst).  The search is numerical; the returned
    design is then re-checked with the rigorous constants of :func:`bounds.pl.pl_constants` and
    :func:`bounds.smoothness.smoothness_constant` (``verified``).

Random-feature width
    A uniform bound ``sup_{‖z‖ ≤ 2ρ'} |K_q(z) − K(z)| ≤ ε`` (ε-net + Hoeffding + Markov on the
    Lipschitz constant, constants derived in docs/recipe.rst) with probability ``≥ 1 − η``; by
    Weyl, ``λ_min(K_q) ≥ λ_min(K) − N ε`` on every set of N points in the region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from bounds._core.validate import require_finite_array, require_int, require_positive
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.lzb import lzb_condition
from bounds.pl import pl_constants
from bounds.problem import Problem, lifting, output_map
from bounds.regularity import regularity_constants
from bounds.smoothness import smoothness_constant

__all__ = [
    "LiftingDesign",
    "lifting_recipe",
    "reduced_problem",
    "design_feasible",
    "rff_width",
    "RFFCheck",
    "rff_posterior_check",
]

REFERENCE = "docs/recipe.rst"


@dataclass(frozen=True)
class LiftingDesign:
    """A design ``(p, a, b, ℓ, R)`` and the LZB verdict for it.

    ``verified`` is true when the rigorous constants (``bounds.pl``, ``bounds.smoothness``)
    confirm the chosen form of the LZB condition at radius ``R``; ``rate`` is ``1 − m/(2β)``.
    """

    p: int
    a: float
    b: float
    lengthscale: float
    R: float
    f0: float
    m: float
    M: float
    beta: float
    rate: float
    form: str
    verified: bool
    searched: tuple[int, ...]

    def problem(self, X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian) -> Problem:
        """The lifted :class:`~bounds.problem.Problem` of this design (``D = p d`` coordinates;
        for large ``p`` use :func:`reduced_problem`, which has the same data-dependent constants)."""
        A = lifting(X.shape[1], self.p, self.a)
        return Problem(X, Y, A, output_map(Y.shape[1], A.shape[0], self.b), kernel)


def _constants(kernel: Matern | Gaussian) -> tuple[float, float, float]:
    reg = regularity_constants(kernel)
    return float(reg.c0), float(reg.c1), float(reg.c2)


def design_feasible(
    X: np.ndarray,
    Y: np.ndarray,
    kernel: Matern | Gaussian,
    p: int,
    *,
    form: str = "discrete",
    n_alpha: int = 28,
    n_R: int = 28,
    n_b: int = 57,
) -> tuple[float, float, float, float] | None:
    """Search ``(α, b, R)`` for lifting ``p``; return ``(margin, α, b, R)`` of the best design
    (``margin = log(allowed f0 / f0) > 0`` means the condition holds) or ``None``.

    Float evaluation of the closed forms of docs/pl.rst and docs/smoothness.rst (numerical; the
    caller re-verifies rigorously)."""
    N, d = X.shape
    dout = Y.shape[1]
    c0, c1, c2 = _constants(kernel)
    diff = X[:, None, :] - X[None, :, :]
    dist = np.sqrt(np.sum(diff**2, axis=-1))
    xnorm = float(np.max(np.linalg.norm(X, axis=1)))
    ymax = float(np.max(np.linalg.norm(Y, axis=1)))
    # B A x = a b (first d' coordinates of tile(x, p)).
    P = np.tile(np.eye(d), (p, 1))[:dout] if dout <= p * d else None
    if P is None:
        return None
    PX = X @ P.T
    sxx, sxy, syy = np.mean(np.sum(PX**2, 1)), np.mean(np.sum(PX * Y, 1)), np.mean(np.sum(Y**2, 1))
    sep = float(np.min(dist + np.diag(np.full(N, np.inf))))
    best: tuple[float, float, float, float] | None = None
    R_grid = np.geomspace(1e-3, 3.0, n_R) / max(c1, 1e-12)
    alpha_grid = np.geomspace(0.05, 200.0, n_alpha) * (kernel.lengthscale / sep)
    b_grid = np.geomspace(1e-2, 1e6, n_b)
    offdiag = ~np.eye(N, dtype=bool)
    for alpha in alpha_grid:
        a = alpha / math.sqrt(p)
        rho = alpha * xnorm
        for R in R_grid:
            s_minus, s_plus = math.exp(-c1 * R), math.exp(c1 * R)
            vals = kernel.profile(s_minus * alpha * dist)
            row = float(np.max(np.sum(np.where(offdiag, vals, 0.0), axis=1)))
            lam, Lam = 1.0 - row, min(float(N), 1.0 + row)
            if lam <= 0:
                continue
            # The grid plus the b that fits the targets best at this a (f0 is quadratic in b).
            b_fit = sxy / (a * sxx) if sxx > 0 and sxy > 0 else None
            b = b_grid if b_fit is None else np.append(b_grid, b_fit)
            f0 = (a * b) ** 2 * sxx - 2 * a * b * sxy + syy
            m = 4.0 / N * b**2 * s_minus**2 * lam
            M = 4.0 / N * b**2 * s_plus**2 * Lam
            rbar = b * (rho + c0 * R) + ymax
            beta = 2 * b**2 * c0**2 * s_plus**2 + 2 * b * rbar * c0 * s_plus**2 * (c2 * c0 * R * s_plus + 2 * c1)
            q = 1 - m / (2 * beta)
            if form == "discrete":
                allowed = (R * beta * (1 - q) / (1 + np.sqrt(q))) ** 2 / M
            elif form == "simplified":
                allowed = m**2 * R**2 / (16 * M)
            elif form == "sqrt":
                allowed = np.where(m * M <= 16 * beta**2, m * R**2 / 16, 0.0)
            else:
                raise ValueError(f"form must be 'discrete', 'simplified' or 'sqrt', got {form!r}")
            with np.errstate(divide="ignore"):
                margin = np.log(np.maximum(allowed, 1e-300)) - np.log(np.maximum(f0, 1e-300))
            k = int(np.argmax(margin))
            if best is None or margin[k] > best[0]:
                best = (float(margin[k]), float(alpha), float(b[k]), float(R))
    return best


def lifting_recipe(
    X: np.ndarray,
    Y: np.ndarray,
    kernel: Matern | Gaussian,
    *,
    form: str = "discrete",
    p_max: int = 2**20,
) -> LiftingDesign | None:
    """Smallest lifting ``p`` (found by search) and scalings ``(a, b, R)`` for which the LZB
    condition holds from ``v0 = 0`` (docs/recipe.rst).

    Formula: the PL constants of docs/pl.rst with the data-dependent λ, β of docs/smoothness.rst,
    the chosen LZB form of docs/lzb.rst.  Hypotheses: distinct data, Matérn ν > 2 or Gaussian,
    ``d' ≤ p d``.  Kind: the *search* is numerical (``p`` is the smallest found on the doubling
    sequence and the bisection after it, not proven minimal); the returned design is verified with
    rigorous constants (``verified``).  Returns ``None`` if no ``p ≤ p_max`` works.
    """
    X = require_finite_array("X", X, ndim=2)
    Y = require_finite_array("Y", Y, ndim=2)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows, got {X.shape[0]} and {Y.shape[0]}")
    if not isinstance(kernel, (Matern, Gaussian)):
        raise ValueError(f"kernel must be Matern or Gaussian (radial, data-dependent lambda), got {kernel!r}")
    p_max = require_int("p_max", p_max, minimum=1)
    searched: list[int] = []
    found: dict[int, tuple[float, float, float, float]] = {}

    def ok(p: int) -> bool:
        searched.append(p)
        res = design_feasible(X, Y, kernel, p, form=form)
        if res is not None and res[0] > 0:
            found[p] = res
            return True
        return False

    p, last_bad = 1, 0
    while p <= p_max and not ok(p):
        last_bad = p
        p *= 2
    if p > p_max:
        return None
    lo, hi = last_bad, p  # lo fails (or 0), hi works
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    _, alpha, b, R = found[hi]
    a = alpha / math.sqrt(hi)
    design = _verify(X, Y, kernel, hi, a, b, R, form, tuple(searched))
    return design


def reduced_problem(X: np.ndarray, Y: np.ndarray, kernel: Matern | Gaussian, p: int, a: float, b: float) -> Problem:
    """A problem in ``R^{d+d'}`` with the same data-dependent constants as the lifting
    ``A = a(I,…,I)ᵀ`` (``D = pd``), ``B = b(I_{d'}, 0)`` — without materialising ``D`` coordinates.

    ``x ↦ (x,…,x)/√p`` is an isometry, so ``A' = [a√p I_d; 0]`` gives the same lifted distances,
    ``ρ`` and ``σ(A')``; ``B' = [(b/√p)(I_{d'}, 0) | b√(1 − 1/p) I_{d'}]`` has ``B'B'ᵀ = b² I``
    (``σ(B') = b``) and ``B'A'x = ab (x)_{1..d'} = BAx``.  The constants of docs/pl.rst with the
    data-dependent λ and β of docs/smoothness.rst depend only on these (and on ``c1``), not on
    ``D``; the worst-case ``λ_N`` does depend on ``D`` and is not used with this reduction.
    Requires ``d' ≤ d``.
    """
    N, d = X.shape
    dout = Y.shape[1]
    if dout > d:
        raise ValueError(f"the reduction needs d' <= d, got d' = {dout}, d = {d}")
    A = np.zeros((d + dout, d))
    A[:d] = a * math.sqrt(p) * np.eye(d)
    B = np.zeros((dout, d + dout))
    B[:, :dout] = b / math.sqrt(p) * np.eye(dout)
    B[:, d:] = b * math.sqrt(max(0.0, 1.0 - 1.0 / p)) * np.eye(dout)
    if p == 1:
        A, B = A[:d], B[:, :d]
    return Problem(X, Y, A, B, kernel)


def _verify(X, Y, kernel, p, a, b, R, form, searched) -> LiftingDesign:
    prob = reduced_problem(X, Y, kernel, p, a, b)
    pl = pl_constants(prob, R, lam="data")
    beta = smoothness_constant(prob, R).value
    f0 = prob.initial_loss()
    point = lzb_condition(f0, pl.m.value, pl.M.value, beta, R)
    return LiftingDesign(
        p=p,
        a=a,
        b=b,
        lengthscale=kernel.lengthscale,
        R=R,
        f0=f0,
        m=pl.m.value,
        M=pl.M.value,
        beta=beta,
        rate=point.rate,
        form=form,
        verified=point.holds(form),
        searched=searched,
    )


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

    Formula (docs/recipe.rst, an ε-net argument in the style of Rahimi & Recht 2007, Claim 1, with
    our own constants for the ``[cos, sin]`` features): the failure probability is at most
    ``2 (1 + 2·diam/r)^D exp(−q ε²/8) + 16 σ² r²/ε²`` for every ``r > 0``, ``diam = 2·radius``,
    ``σ² = E‖ω‖² = D E[ω_1²]``.  Hypotheses: ``E‖ω‖² < ∞`` (Matérn ν > 1).  Kind: rigorous (a
    probability bound; the width is the smallest power-of-two-refined integer meeting it).
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
    matrix of the random-feature kernel.  Kind: c1 exact, c2 rigorous upper bound, λ numerical."""
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
