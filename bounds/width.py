"""Finite width: a certificate for the random-feature network actually drawn, and the width that
guarantees one with high probability (docs/width.rst).

Both rest on one deterministic lemma, the *perturbation route* (:ref:`width.perturbation` of
docs/theory.rst): for a kernel ``K(z) = E cos(ω·z)`` with ``c0 = 1`` and ``c1² = λ_max(E ωωᵀ)``,
every point of the lifted data moves by at most ``c0 R`` along the flow of a control with
``‖v‖_H ≤ R`` (ODE or ResNet), its feature ``k_x`` by at most ``s(R) = min(c1 c0 R, cap)`` in
``H_K``, and the Gram matrix ``K_{X(t)} = Φ_t Φ_t*`` keeps

``√λ_min(K_{X(t)}) ≥ √λ_min(K_{X(0)}) − √N s(R)``,   ``√λ_max(K_{X(t)}) ≤ √λ_max(K_{X(0)}) + √N s(R)``.

* :func:`perturbed_bounds` — that lemma, the one implementation of its formulas;
* :func:`gram_extremes` — verified ``λ_min`` and a Gershgorin ``λ_max`` of ``K`` on the points
  at ``t = 0`` (for a drawn sample ``K_q`` or a radial kernel);
* :class:`FiniteWidth` — what the chain needs from a finite-width network: ``λ_min``, ``λ_max`` of
  ``K_q`` at ``t = 0`` and Condition 1's constants, either of the drawn sample (a posteriori,
  :meth:`FiniteWidth.drawn`, deterministic for this draw) or bounds holding with probability
  ``≥ 1 − η`` over the draw (a priori, :meth:`FiniteWidth.a_priori`);
* the tail bounds of the a priori statement: :func:`chernoff_loss` (matrix Chernoff),
  :func:`hoeffding_entries`, :func:`c1_bound`, :func:`c2_bound`, and :func:`norm_moment`.

>>> import numpy as np
>>> from bounds.kernels import Matern, RandomFourierKernel
>>> X = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
>>> rff = RandomFourierKernel.from_kernel(Matern("5/2"), q=256, D=2, seed=0)
>>> fw = FiniteWidth.drawn(rff, X, seed=0)
>>> fw.kind_text, fw.lam0.kind
('deterministic for this draw', 'rigorous')
>>> lam, Lam = perturbed_bounds(fw.lam0, fw.Lam0, 3, fw.regularity.c1, 0.0, cap=2.0)
>>> abs(lam.value - fw.lam0.value) <= 1e-15  # sharp at v = 0 (outward rounding only)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from bounds._core.rounding import MP_DPS, UNIT_ROUNDOFF, down, round_up, up
from bounds._core.validate import require_finite_array, require_int, require_positive
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.regularity import Regularity, rff_regularity, rff_regularity_moments
from bounds.regularity.record import CONDITION_1
from bounds.result import Quantity, combined_kind

__all__ = [
    "REFERENCE",
    "GramExtremes",
    "gram_extremes",
    "embedding_cap",
    "perturbed_bounds",
    "FiniteWidth",
    "norm_moment",
    "chernoff_loss",
    "hoeffding_entries",
    "c1_bound",
    "c2_bound",
    "EVENTS",
    "SMALL_DIMENSION",
]

REFERENCE = "docs/width.rst"
#: The four events of the a priori statement; each gets the share ``η/4`` of the failure probability.
EVENTS = ("lambda_min", "entries", "c1", "c2")
#: Largest dimension in which a drawn sample's ``c2`` is bracketed by branch and bound
#: (:func:`bounds.regularity.rff_regularity`); above it the moment bound is used.
SMALL_DIMENSION = 3
#: Relative room between the a priori bounds and the a posteriori numbers computed for a draw of
#: the event (their own outward roundings are below 1e-9 relative for ``q D ≤ 1e7``), so that the
#: a priori event implies the a posteriori certificate's constants (docs/width.rst#a-priori).
_ROOM = 1e-6
_U = UNIT_ROUNDOFF

Supported = Matern | Gaussian | RandomFourierKernel


# ------------------------------------------------------------------ the Gram matrix at t = 0


@dataclass(frozen=True)
class GramExtremes:
    """``λ_min(K_X) ≥ lam_min`` and ``λ_max(K_X) ≤ lam_max`` for the points ``X`` (rigorous), and
    the Gershgorin parts: ``offdiag`` = the float ``max_i Σ_{j≠i} |K̃_ij|`` of the computed entries,
    whose errors are at most ``entry_error`` each."""

    lam_min: Quantity
    lam_max: Quantity
    offdiag: float
    entry_error: float


#: Cache of :func:`gram_extremes`: (kernel key, points bytes, shape) -> result (a few entries).
_GRAM_CACHE: dict[tuple[object, bytes, tuple[int, ...]], GramExtremes] = {}
_GRAM_CACHE_SIZE = 32


def _kernel_key(kernel: Supported) -> object:
    if isinstance(kernel, RandomFourierKernel):  # its frequencies are an array: key by their bytes
        return ("rff", kernel.omega.tobytes(), kernel.omega.shape)
    return kernel


def gram_extremes(kernel: Supported, points: object) -> GramExtremes:
    """Verified bounds on the extreme eigenvalues of ``K_X = (K(x_i − x_j))`` (cached per kernel
    and points).

    Formula
    -------
    ``λ_min``: :func:`bounds.lambda_min.data.lambda_min_verified` (a certified Cholesky);
    ``λ_max ≤ min(N, max_i Σ_j |K̃_ij| + (N − 1) ε)`` (Gershgorin, ``ε`` the entry error of
    :func:`bounds.lambda_min.data.entry_error_bound`, the sum enlarged by ``(N + 2) u``; ``N``
    is the trace).

    Kind
    ----
    rigorous.

    References
    ----------
    docs/width.rst#the-gram-matrix-at-t-0
    """
    if not isinstance(kernel, (Matern, Gaussian, RandomFourierKernel)):
        raise ValueError(f"kernel must be a Matern, Gaussian or RandomFourierKernel, got {kernel!r}")
    P = np.ascontiguousarray(require_finite_array("points", points, ndim=2), dtype=float)
    key = (_kernel_key(kernel), P.tobytes(), P.shape)
    if key not in _GRAM_CACHE:
        if len(_GRAM_CACHE) >= _GRAM_CACHE_SIZE:
            _GRAM_CACHE.pop(next(iter(_GRAM_CACHE)))
        _GRAM_CACHE[key] = _gram_extremes(kernel, P)
    return _GRAM_CACHE[key]


def _gram_extremes(kernel: Supported, P: np.ndarray) -> GramExtremes:
    from bounds.lambda_min.data import entry_error_bound, lambda_min_verified, verified_gram  # noqa: PLC0415

    N = P.shape[0]
    lam_min = lambda_min_verified(kernel, P)
    G = np.abs(verified_gram(kernel, P))
    np.fill_diagonal(G, 0.0)  # the diagonal is K(0) = 1 exactly
    rows = max(math.fsum(row) for row in G.tolist())
    eps = entry_error_bound(kernel, P)
    value = _gershgorin_up(N, rows, eps)
    lam_max = Quantity(
        name="lambda_max_upper", value=value, kind="rigorous",
        formula="min(N, max_i sum_j |K(x_i - x_j)|) (Gershgorin, entry errors added)",
        reference=REFERENCE + "#the-gram-matrix-at-t-0",
        hypotheses=(f"{N} distinct points in R^{P.shape[1]}", getattr(kernel, "name", repr(kernel))),
    )
    return GramExtremes(lam_min, lam_max, rows, eps)


def _gershgorin_up(N: int, rows: float, err: float) -> float:
    """``min(N, 1 + rows + (N − 1) err)`` enlarged by ``(N + 2) u`` (the float sums), rounded up."""
    with mpmath.workdps(MP_DPS):
        bound = (1 + mpmath.mpf(rows) + (N - 1) * mpmath.mpf(err)) * (1 + (N + 2) * mpmath.mpf(_U))
        return min(float(N), up(bound, 2))


# ------------------------------------------------------------------ the perturbation route


def embedding_cap(kernel: object) -> float:
    """``sup ‖k_x − k_y‖_H``, the cap of the feature displacement in the perturbation route.

    Formula
    -------
    ``sup ‖k_x − k_y‖_H = sup √(2 − 2K(x − y))``: ``√2`` for ``K ≥ 0`` (Matérn, Gaussian), else
    ``2`` (``|K| ≤ 1``, e.g. random features).

    Kind
    ----
    rigorous (an upper bound: the double ``1.41421356237309514547…`` nearest ``√2`` lies above it).

    References
    ----------
    docs/width.rst#the-perturbation-route
    """
    return math.sqrt(2.0) if isinstance(kernel, (Matern, Gaussian)) else 2.0


def _mp(q: Quantity) -> mpmath.mpf:
    return q.mp if q.mp is not None else mpmath.mpf(q.value)


def perturbed_bounds(
    lam0: Quantity, Lam0: Quantity, N: int, c: Quantity, R: float, *, cap: float
) -> tuple[Quantity, Quantity]:
    """``λ_min`` and ``λ_max`` of the Gram matrix along every trajectory of a control with
    ``‖v‖_H ≤ R`` (ODE or T-layer ResNet), from their values at ``t = 0``.

    Parameters
    ----------
    lam0, Lam0
        Lower bound of ``λ_min(K_{X(0)})`` and upper bound of ``λ_max(K_{X(0)})``.
    N
        Number of points.
    c
        Upper bound of the kernel's ``c1`` (the Lipschitz constant of ``x ↦ k_x``); ``c0 = 1``.
    R
        Radius of the ball of controls.
    cap
        ``sup ‖k_x − k_y‖`` (:func:`embedding_cap`).

    Formula
    -------
    ``s = min(c R, cap)``; ``λ ≥ (√lam0 − √N s)²`` if ``√lam0 > √N s`` else 0;
    ``Λ ≤ min(N, (√Lam0 + √N s)²)``; evaluated at 30 digits and rounded outward.

    Kind
    ----
    rigorous, or the weakest kind of the inputs (a probabilistic input keeps its ``η``).

    References
    ----------
    docs/width.rst#the-perturbation-route (proof); docs/theory.rst#width-perturbation
    """
    N = require_int("N", N, minimum=1)
    R = require_positive("R", R, strict=False)
    cap = require_positive("cap", cap)
    with mpmath.workdps(MP_DPS):
        s = min(mpmath.mpf(c.value) * mpmath.mpf(R), mpmath.mpf(cap))
        shift = mpmath.sqrt(N) * s
        root = mpmath.sqrt(max(_mp(lam0), mpmath.mpf(0))) - shift
        lam_mp = root**2 if root > 0 else mpmath.mpf(0)
        Lam_mp = min(mpmath.mpf(N), (mpmath.sqrt(_mp(Lam0)) + shift) ** 2)
    hyp = (f"||v||_H <= R = {R:g}, c0 = 1, c1 <= {c.value:.6g}", f"shift of every feature <= s = {float(s):.6g}")
    lam_kind, lam_eta = combined_kind("rigorous", lam0, c)
    Lam_kind, Lam_eta = combined_kind("rigorous", Lam0, c)
    lam = Quantity(
        name="lambda_lower", value=max(0.0, down(lam_mp, 2)) if lam_mp > 0 else 0.0, kind=lam_kind,
        formula="(sqrt(lambda_min(K_X(0))) - sqrt(N) min(c1 R, cap))^2",
        reference=REFERENCE + "#the-perturbation-route",
        hypotheses=hyp + (f"lambda_min(K_X(0)) >= {lam0.value:.6g} ({lam0.kind})",), mp=lam_mp, dps=MP_DPS,
        eta=lam_eta,
    )
    Lam = Quantity(
        name="Lambda_upper", value=min(float(N), up(Lam_mp, 2)), kind=Lam_kind,
        formula="min(N, (sqrt(lambda_max(K_X(0))) + sqrt(N) min(c1 R, cap))^2)",
        reference=REFERENCE + "#the-perturbation-route",
        hypotheses=hyp + (f"lambda_max(K_X(0)) <= {Lam0.value:.6g} ({Lam0.kind})",), mp=Lam_mp, dps=MP_DPS,
        eta=Lam_eta,
    )
    return lam, Lam


# ------------------------------------------------------------------ a finite-width network


@dataclass(frozen=True, eq=False)
class FiniteWidth:
    """What the chain of constants needs from a width-``q`` random-feature network on the lifted
    data: bounds on ``λ_min`` and ``λ_max`` of ``K_q`` at ``t = 0`` and Condition 1's constants of
    ``K_q``.

    Built by :meth:`drawn` (the drawn sample; kind rigorous, deterministic for this draw) or
    :meth:`a_priori` (bounds for any draw of this width, kind probabilistic: they hold with
    probability ``≥ 1 − eta`` over the draw).
    """

    q: int
    lam0: Quantity
    Lam0: Quantity
    regularity: Regularity
    sample: RandomFourierKernel | None = None
    seed: int | None = None
    eta: float | None = None

    @property
    def kind_text(self) -> str:
        """``"deterministic for this draw"`` or ``"probability >= 1 - eta over the draw"``."""
        return "deterministic for this draw" if self.eta is None else f"probability >= 1 - {self.eta:g} over the draw"

    @classmethod
    def drawn(cls, sample: RandomFourierKernel, points: object, *, seed: int | None = None,
              regularity: Regularity | None = None) -> FiniteWidth:
        """The network drawn: ``K_q`` of ``sample`` on ``points`` (the lifted data, in the sample's
        coordinates).  ``regularity`` defaults to :func:`bounds.regularity.rff_regularity` (branch
        and bound for ``c2``) in dimension ``≤ 3``, :func:`bounds.regularity.rff_regularity_moments`
        above.

        Raises
        ------
        ValueError
            ``sample`` is not a :class:`~bounds.kernels.RandomFourierKernel`.

        Formula
        -------
        ``lam0``, ``Lam0``: :func:`gram_extremes` of ``K_q`` on ``points`` (a verified ``λ_min``,
        a Gershgorin ``λ_max``); Condition 1's constants of the sample's empirical measure.

        Kind
        ----
        rigorous (deterministic for this draw).

        References
        ----------
        docs/width.rst#a-posteriori-the-network-drawn; docs/theory.rst#width-a-posteriori
        """
        if not isinstance(sample, RandomFourierKernel):
            raise ValueError(f"sample must be a RandomFourierKernel, got {type(sample).__name__}")
        if regularity is None:
            regularity = rff_regularity(sample) if sample.dim <= SMALL_DIMENSION else rff_regularity_moments(sample)
        ext = gram_extremes(sample, points)
        return cls(sample.q, ext.lam_min, ext.lam_max, regularity, sample=sample, seed=seed)

    @classmethod
    def a_priori(cls, kernel: Matern | Gaussian, points: object, q: int, eta: float) -> FiniteWidth:
        """Bounds valid for a draw of ``q`` frequencies from ``kernel.spectral`` in the points'
        dimension, with probability ``≥ 1 − eta`` (the union of :data:`EVENTS`, ``η/4`` each).

        Raises
        ------
        ValueError
            A kernel other than Matérn or Gaussian, non-finite points, ``q < 1``, ``eta`` outside
            ``(0, 1)``.

        Formula
        -------
        ``λ_min(K_q(X_0)) ≥ (1 − δ) λ_min(K_X)`` (:func:`chernoff_loss`);
        ``λ_max(K_q(X_0)) ≤ min(N, 1 + max_i Σ_{j≠i} (K(x_i − x_j) + ε))`` (:func:`hoeffding_entries`);
        ``c1(K_q) ≤`` :func:`c1_bound`, ``c2(K_q) ≤`` :func:`c2_bound`.

        Kind
        ----
        probabilistic (``eta``).

        Hypotheses
        ----------
        the ``q`` frequencies drawn independently from ``kernel.spectral``.

        References
        ----------
        docs/width.rst#a-priori; docs/theory.rst#width-a-priori
        """
        if not isinstance(kernel, (Matern, Gaussian)):
            raise ValueError(f"kernel must be a Matern or Gaussian kernel, got {kernel!r}")
        P = require_finite_array("points", points, ndim=2)
        q = require_int("q", q, minimum=1)
        eta = _require_eta(eta)
        N, D = P.shape
        share = eta / len(EVENTS)
        ext = gram_extremes(kernel, P)
        delta = chernoff_loss(q, N, ext.lam_min.value, share)
        eps = hoeffding_entries(q, N, share)
        hyp = (f"q = {q} frequencies drawn i.i.d. from the spectral measure of {kernel.name} in R^{D}",
               f"probability >= 1 - {eta:g} (union of 4 events, {share:g} each)")
        with mpmath.workdps(MP_DPS):
            lam_mp = (1 - mpmath.mpf(delta)) * _mp(ext.lam_min) * (1 - mpmath.mpf(_ROOM))
        lam0 = Quantity("lambda_min_width", max(0.0, down(lam_mp, 2)), "probabilistic",
                        "(1 - delta) lambda_min(K_X), matrix Chernoff", REFERENCE + "#a-priori",
                        hyp + (f"delta = {delta:.6g}",), mp=lam_mp, dps=MP_DPS, eta=eta)
        Lam0 = Quantity("lambda_max_width", min(float(N), _entries_gershgorin(ext, N, eps)), "probabilistic",
                        "min(N, 1 + max_i sum_j (K(x_i - x_j) + eps)), Hoeffding on the data pairs",
                        REFERENCE + "#a-priori", hyp + (f"eps = {eps:.6g}",), eta=eta)
        return cls(q, lam0, Lam0, _a_priori_regularity(kernel, D, q, eta, hyp), eta=eta)


def _require_eta(eta: float) -> float:
    eta = require_positive("eta", eta)
    if eta >= 1:
        raise ValueError(f"eta must be in (0, 1), got {eta!r}")
    return eta


def _entries_gershgorin(ext: GramExtremes, N: int, eps: float) -> float:
    """``min(N, 1 + max_i Σ_{j≠i} (K(x_i − x_j) + ε))`` from the base kernel's Gershgorin parts
    (entry errors added), enlarged by the room of the a priori bounds and rounded up."""
    with mpmath.workdps(MP_DPS):
        return up(mpmath.mpf(_gershgorin_up(N, ext.offdiag, ext.entry_error + eps)) * (1 + mpmath.mpf(_ROOM)), 1)


def _a_priori_regularity(kernel: Matern | Gaussian, D: int, q: int, eta: float, hyp: tuple[str, ...]) -> Regularity:
    share = eta / len(EVENTS)
    c1 = c1_bound(kernel, D, q, share) * (1 + _ROOM)
    c2 = c2_bound(kernel, D, q, share) * (1 + _ROOM)
    ref = REFERENCE + "#a-priori"
    c0 = Quantity("c0", 1.0, "exact", "c0 = sqrt(K_q(0)) = 1", ref, hyp, expr=sp.Integer(1))
    c1q = Quantity("c1", up(c1, 2), "probabilistic", "sqrt(c1^2 + tail of |S_q - E ww^T|_F) or Markov on tr S_q",
                   ref, hyp, eta=eta)
    c2q = Quantity("c2", up(c2, 2), "probabilistic", "sqrt(Markov/Chebyshev bound of (1/q) sum |w_j|^4)", ref, hyp,
                   eta=eta)
    kappa = Quantity("kappa", up(1 + c1q.value + c2q.value, 2), "probabilistic", "kappa = c0 + c1 + c2", ref,
                     hyp + (CONDITION_1,), eta=eta)
    return Regularity(c0, c1q, c2q, kappa, kernel=f"width-{q} draw of {kernel.name} (a priori bounds)")


# ------------------------------------------------------------------ the tail bounds


def norm_moment(kernel: Matern | Gaussian, k: int, D: int) -> mpmath.mpf:
    """``E‖ω‖^{2k}`` of the kernel's spectral measure in ``R^D`` (``inf`` for Matérn ``k ≥ ν``).

    Formula
    -------
    both spectral measures are Gaussian scale mixtures ``ω = z/(ℓ√γ)`` (``γ = 1`` for the
    Gaussian kernel), so ``E‖ω‖^{2k} = E[ω_1^{2k}] · D(D + 2)…(D + 2k − 2)/(2k − 1)!!`` with
    ``E[ω_1^{2k}] = (2ν)^k Γ(k + ½) Γ(ν − k)/(√π Γ(ν) ℓ^{2k})`` (Matérn) or ``(2k − 1)!!/ℓ^{2k}``.
    Evaluated at 30 digits (the float parameters as exact binary numbers).

    Kind
    ----
    exact.

    References
    ----------
    docs/width.rst#a-priori; docs/kernels.rst#matern-moments

    Examples
    --------
    >>> float(norm_moment(Gaussian(1.0), 2, 3))  # E|z|^4 = D(D + 2) for z ~ N(0, I_3)
    15.0
    """
    k = require_int("k", k, minimum=0)
    D = require_int("D", D, minimum=1)
    with mpmath.workdps(MP_DPS):
        ell = mpmath.mpf(kernel.lengthscale)
        ratio = mpmath.fprod(D + 2 * i for i in range(k))
        if isinstance(kernel, Gaussian):
            return ratio / ell ** (2 * k)
        nu = mpmath.mpf(kernel.nu)
        if k >= nu:
            return mpmath.inf
        marginal = (2 * nu) ** k * mpmath.gamma(k + mpmath.mpf(1) / 2) * mpmath.gamma(nu - k) / (
            mpmath.sqrt(mpmath.pi) * mpmath.gamma(nu) * ell ** (2 * k))
        return marginal * ratio / mpmath.fprod(2 * i + 1 for i in range(k))


def _chernoff_tail(q: int, N: int, lam: float, delta: mpmath.mpf) -> mpmath.mpf:
    """``N [e^{−δ}/(1 − δ)^{1−δ}]^{q λ/N}`` (matrix Chernoff, Tropp 2015, Thm 5.1.1)."""
    h = delta + (1 - delta) * mpmath.log(1 - delta) if delta < 1 else mpmath.mpf(1)
    return N * mpmath.exp(-mpmath.mpf(q) * mpmath.mpf(lam) / N * h)


def chernoff_loss(q: int, N: int, lam: float, eta: float) -> float:
    """The relative loss ``δ`` with ``P(λ_min(K_q(X)) ≤ (1 − δ) λ) ≤ η`` for ``λ ≤ λ_min(K_X)``.

    Formula
    -------
    ``K_q(X) = Σ_j X_j`` with ``X_j = (1/q)(c_j c_jᵀ + s_j s_jᵀ) ⪰ 0``, ``c_j = cos(X ω_j)``,
    ``s_j = sin(X ω_j)``: independent, ``λ_max(X_j) ≤ tr X_j = N/q``, ``E Σ X_j = K_X``.  Matrix
    Chernoff (Tropp, *An Introduction to Matrix Concentration Inequalities*, 2015, Thm 5.1.1):
    ``P(λ_min ≤ (1 − δ) μ) ≤ N [e^{−δ}/(1 − δ)^{1−δ}]^{q μ/N}`` with ``μ = λ_min(K_X)``; the
    exponent ``μ h(1 − t/μ) = μ − t + t log(t/μ)`` increases with ``μ`` at a fixed threshold
    ``t``, so any lower bound ``λ`` of ``μ`` may be used.  ``δ`` is the smallest value (bisection,
    rounded up) making the bound ``≤ η``; ``1`` when none is (no information).

    Kind
    ----
    rigorous (a probability bound).

    References
    ----------
    docs/width.rst#a-priori; J. A. Tropp, *An Introduction to Matrix Concentration Inequalities*,
    2015, Thm 5.1.1.
    """
    q = require_int("q", q, minimum=1)
    N = require_int("N", N, minimum=1)
    eta = _require_eta(eta)
    lam = require_positive("lam", lam, strict=False)
    with mpmath.workdps(MP_DPS):
        if lam <= 0 or _chernoff_tail(q, N, lam, mpmath.mpf(1)) > eta:
            return 1.0
        lo, hi = mpmath.mpf(0), mpmath.mpf(1)
        for _ in range(80):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _chernoff_tail(q, N, lam, mid) > eta else (lo, mid)
        return min(1.0, round_up(hi))


def hoeffding_entries(q: int, N: int, eta: float) -> float:
    """``ε`` with ``P(max_{i<j} |K_q(x_i − x_j) − K(x_i − x_j)| ≥ ε) ≤ η`` over the draw.

    Formula
    -------
    Hoeffding (the ``q`` summands ``cos(ω_j·z) ∈ [−1, 1]`` have mean ``K(z)``):
    ``P(|K_q(z) − K(z)| ≥ ε) ≤ 2 exp(−q ε²/2)``; a union over the ``N(N − 1)/2`` pairs gives
    ``ε = √(2 log(N(N − 1)/η)/q)``, rounded up.

    Kind
    ----
    rigorous (a probability bound).

    References
    ----------
    docs/width.rst#a-priori
    """
    q = require_int("q", q, minimum=1)
    N = require_int("N", N, minimum=2)
    eta = _require_eta(eta)
    with mpmath.workdps(MP_DPS):
        return up(mpmath.sqrt(2 * mpmath.log(mpmath.mpf(N * (N - 1)) / mpmath.mpf(eta)) / q), 2)


def c1_bound(kernel: Matern | Gaussian, D: int, q: int, eta: float) -> float:
    """An upper bound of ``c1(K_q) = √λ_max(S_q)``, ``S_q = (1/q) Σ ω_jω_jᵀ``, with probability ``≥ 1 − η``.

    Formula
    -------
    the smaller of (the choice depends on ``q`` only, not on the draw)
    Chebyshev: ``E‖S_q − E ωωᵀ‖²_F = (E‖ω‖⁴ − D m_1²)/q``, so ``λ_max(S_q) ≤ m_1 + √(V/(q η))``;
    Markov: ``λ_max(S_q) ≤ tr S_q`` with ``E tr S_q = D m_1``, so ``≤ D m_1/η``;
    ``m_1 = E ω_1² = c1(K)²``, ``V = E‖ω‖⁴ − D m_1²`` (:func:`norm_moment`).  Rounded up.

    Kind
    ----
    rigorous (a probability bound); needs ``E‖ω‖⁴ < ∞`` (Matérn ν > 2) for the Chebyshev branch.

    References
    ----------
    docs/width.rst#a-priori
    """
    D = require_int("D", D, minimum=1)
    q = require_int("q", q, minimum=1)
    eta = _require_eta(eta)
    with mpmath.workdps(MP_DPS):
        m1 = norm_moment(kernel, 1, D) / D
        markov = D * m1 / mpmath.mpf(eta)
        V = norm_moment(kernel, 2, D) - D * m1**2
        cheb = m1 + mpmath.sqrt(V / (q * mpmath.mpf(eta))) if mpmath.isfinite(V) else mpmath.inf
        return up(mpmath.sqrt(min(markov, cheb)), 2)


def c2_bound(kernel: Matern | Gaussian, D: int, q: int, eta: float) -> float:
    """An upper bound of ``√((1/q) Σ ‖ω_j‖⁴) ≥ c2(K_q)`` with probability ``≥ 1 − η``.

    Formula
    -------
    the smaller of Markov, ``(1/q) Σ‖ω_j‖⁴ ≤ E‖ω‖⁴/η``, and (when ``E‖ω‖⁸ < ∞``, Matérn ν > 4)
    Chebyshev, ``≤ E‖ω‖⁴ + √((E‖ω‖⁸ − (E‖ω‖⁴)²)/(q η))``; ``c2(K_q)² = max_u (1/q)Σ(ω_j·u)⁴ ≤
    (1/q)Σ‖ω_j‖⁴``.  Rounded up.  The Markov branch does not shrink with ``q``: the heavy tail
    of the Student-t sample is real.

    Kind
    ----
    rigorous (a probability bound).

    References
    ----------
    docs/width.rst#a-priori
    """
    D = require_int("D", D, minimum=1)
    q = require_int("q", q, minimum=1)
    eta = _require_eta(eta)
    with mpmath.workdps(MP_DPS):
        m2 = norm_moment(kernel, 2, D)
        markov = m2 / mpmath.mpf(eta)
        m4 = norm_moment(kernel, 4, D)
        cheb = m2 + mpmath.sqrt((m4 - m2**2) / (q * mpmath.mpf(eta))) if mpmath.isfinite(m4) else mpmath.inf
        return up(mpmath.sqrt(min(markov, cheb)), 2)
