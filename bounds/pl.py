"""Local Polyak–Łojasiewicz constants ``m(R)``, ``M(R)`` (docs/pl.rst).

For δ-separated data and every control ``v`` with ``‖v‖_H ≤ R``::

    m(R) F(v) ≤ ‖∇F(v)‖²_H ≤ M(R) F(v),
    m(R) = (4/N) σ_min(B)² s_-(R)² λ_lower(R),
    M(R) = (4/N) σ_max(B)² s_+(R)² Λ_upper(R),

where ``s_±`` are the Grönwall factors of the flow Jacobian (:func:`flow_factors`),
``λ_lower(R)`` is a lower bound of ``λ_min(K_{X(t)})`` and ``Λ_upper(R)`` an upper bound of
``λ_max(K_{X(t)})`` valid along every trajectory of a control in the ball.  The published statement
(Barboni, Peyré, Vialard; docs/paper.rst) drops the factor ``4/N`` and has ``κ`` in place of ``c1``.

Sources of ``λ_lower`` (argument ``lam``):

``"worst-case"``
    ``λ_N(σ_min(A) δ s_-(R))`` through the best rigorous lower bound of :mod:`bounds.lambda_min.bracket`
    (any data with the same N, δ, σ(A)).
``"data"``
    the data-dependent Gershgorin bound ``1 − max_i Σ_{j≠i} K(s_-(R) ‖A x_i − A x_j‖)``
    (radially nonincreasing ``K ≥ 0`` only; each pairwise distance shrinks by at most ``s_-``).
``"perturbation"``
    ``(√λ_min(K_X) − √N min(c1 R, √2))²`` from the verified ``λ_min`` of the lifted data at
    ``t = 0`` (any Matérn, Gaussian or random-feature kernel; each point moves by at most ``c0 R``
    and its feature by at most ``c1 c0 R``; :func:`bounds.width.perturbed_bounds`, docs/width.rst).
``"best"`` (default)
    the largest of the valid ones (the perturbation route for ``N ≤`` :data:`PERTURBATION_MAX_N`).
``"estimate"``
    the numerical *upper* estimate of ``λ_N`` (lattice / adversarial search); the result is then
    labelled ``estimate``, never ``rigorous``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import mpmath
import numpy as np

from bounds._core.rounding import MP_DPS, down, gamma_k, up, upper_value
from bounds._core.validate import require_int, require_positive
from bounds.kernels import Gaussian, Kernel, Matern, RandomFourierKernel
from bounds.kernels.profile import require_radial_kernel
from bounds.lambda_min.pairs import PointsKey, points_key
from bounds.problem import Problem
from bounds.regularity import regularity_constant, regularity_constants
from bounds.result import Quantity, combined_kind

__all__ = [
    "c_upper",
    "flow_factors",
    "pl_from_parts",
    "PLConstants",
    "pl_constants",
    "lambda_lower",
    "lambda_max_upper",
    "jacobian_constant",
    "gershgorin_points",
]

REFERENCE = "docs/pl.rst"
Constants = Literal["sharp", "paper"]
LambdaSource = Literal["best", "worst-case", "data", "perturbation", "estimate"]
#: Largest N for the perturbation route in ``lam="best"`` (a verified λ_min: a dense Cholesky).
PERTURBATION_MAX_N = 2000


def _jacobian_constant(kernel: Kernel, constants: str) -> Quantity:
    if constants == "sharp":
        if isinstance(kernel, (Matern, Gaussian)):
            return regularity_constant(kernel, 1)  # needs only nu > 1
        return regularity_constants(kernel).c1  # random features, or a user kernel's own constants
    if constants == "paper":
        return regularity_constants(kernel).kappa
    raise ValueError(f"constants must be 'sharp' or 'paper', got {constants!r}")


def c_upper(q: Quantity) -> float:
    """``c`` as a float ``>=`` the exact constant.

    Both ``s_− = e^{−cR}`` (in ``m``) and ``s_+ = e^{cR}`` (in ``M``) stay on their safe side for
    any ``c`` above the true one.

    Formula
    -------
    :func:`bounds._core.rounding.upper_value` of ``q.value`` with the margin of ``q.kind``.

    Kind
    ----
    rigorous upper bound of ``q`` when ``q`` is (an upper bound of the number ``q`` holds otherwise).

    References
    ----------
    docs/pl.rst#rigour
    """
    return upper_value(q.value, q.kind)


def jacobian_constant(problem: Problem, constants: Constants = "sharp") -> Quantity:
    """The constant ``c`` of the Grönwall factors: ``c1`` (sharp) or ``κ = c0 + c1 + c2`` (paper).

    Only ``‖Dv‖_∞ ≤ c1 ‖v‖_V`` enters the Jacobian bounds, so ``c1`` is the sharp choice; the
    published statement uses ``κ`` everywhere (docs/paper.rst).

    Raises
    ------
    ValueError
        ``constants`` is neither ``"sharp"`` nor ``"paper"``.

    Formula
    -------
    ``c = c1 = √λ_max(E[ωωᵀ])`` (``"sharp"``) or ``c = κ = c0 + c1 + c2`` (``"paper"``).

    Kind
    ----
    That of :func:`bounds.regularity.regularity_constants`: exact for Matérn and Gaussian,
    rigorous for random features, the user's own for other kernels.

    Hypotheses
    ----------
    Condition 1 (``c1 < ∞``; for ``"paper"`` also ``c2 < ∞``).

    References
    ----------
    docs/pl.rst#the-pl-sandwich; docs/theory.rst#pl-gronwall; docs/kappa.rst#summary
    """
    return _jacobian_constant(problem.kernel, constants)


def flow_factors(c: float, R: float, depth: int | None = None) -> tuple[mpmath.mpf, mpmath.mpf]:
    """Grönwall factors ``(s_-, s_+)`` with ``σ_min(Dφ_{s→t}) ≥ s_-`` and ``‖Dφ_{s→t}‖ ≤ s_+``.

    Returns
    -------
    tuple of mpmath.mpf
        ``(s_-, s_+)``, evaluated at :data:`bounds._core.rounding.MP_DPS` digits.

    Raises
    ------
    ValueError
        ``c < 0``, ``R < 0``, ``depth < 1``, or ``cR/√T ≥ 1`` for a ResNet.

    Formula
    -------
    Continuous flow (``depth=None``): ``s_± = e^{±cR}`` (Grönwall with ``∫‖Dv_t‖ ≤ c ∫‖v_t‖_V ≤ cR``).

    T-layer ResNet (``depth=T``): each layer ``x ↦ x + v_k(x)/T`` has Jacobian singular values in
    ``[1 − a_k, 1 + a_k]`` with ``a_k = c‖v_k‖/T``; ``Σ a_k ≤ cR`` (Cauchy–Schwarz with
    ``‖θ‖² = (1/T)Σ‖v_k‖²``) and ``a_k ≤ a* = cR/√T``.  Hence ``s_+ = e^{cR}`` and, from
    ``log(1 − a) ≥ −a/(1 − a*)`` for ``a ≤ a*``, ``s_- = exp(−cR/(1 − cR/√T))``.
    ``s_- → e^{−cR}`` as ``T → ∞``.

    Kind
    ----
    rigorous (the proof of the PL sandwich); mpmath numbers, callers round outward.

    Hypotheses
    ----------
    ``‖v‖_H ≤ R``, ``‖Dv‖_∞ ≤ c ‖v‖_V``; for a ResNet ``cR/√T < 1`` (each layer then is a
    diffeomorphism).

    References
    ----------
    docs/pl.rst#finite-depth; docs/theory.rst#pl-gronwall; docs/theory.rst#pl-gronwall-resnet
    """
    c = require_positive("c", c, strict=False)
    R = require_positive("R", R, strict=False)
    with mpmath.workdps(MP_DPS):
        cR = mpmath.mpf(c) * mpmath.mpf(R)
        s_plus = mpmath.exp(cR)
        if depth is None:
            return mpmath.exp(-cR), s_plus
        T = require_int("depth", depth, minimum=1)
        a_star = cR / mpmath.sqrt(T)
        if a_star >= 1:
            raise ValueError(
                f"depth T = {T} is too shallow for R = {R}: the discrete Grönwall bound needs "
                f"c R / sqrt(T) < 1 (here {float(a_star):.3g}); use depth > {float(cR**2):.4g}"
            )
        return mpmath.exp(-cR / (1 - a_star)), s_plus


def _gershgorin_applies(kernel: object) -> bool:
    """The data-dependent Gershgorin bound needs a radial nonincreasing ``K ≥ 0`` with stated
    evaluation error (:mod:`bounds.lambda_min.data`): Matérn or Gaussian."""
    return isinstance(kernel, (Matern, Gaussian))


@lru_cache(maxsize=16)
def _lifting_slack(problem: Problem) -> float:
    """``η`` with ``‖A(x_i − x_j)‖ ≥ (1 − η) ‖l_i − l_j‖`` for the float lifted points
    ``l_i = fl(A x_i)``: ``‖l_i − A x_i‖ ≤ γ_d ‖|A||x_i|‖`` (Higham §3.5), so
    ``η = 2 max_i γ_d ‖|A||x_i|‖ / min_{i≠j} ‖l_i − l_j‖`` (the minimum taken from the float
    distances divided by ``1 + γ_{D+3}``), rounded up.  Points far from the origin relative to
    their spacing need it: at offset 1e9 the Gershgorin bound was 2.3e-9 above its exact value."""
    d, D = problem.d, problem.coordinates
    e = np.linalg.norm(np.abs(problem.X) @ np.abs(problem.A).T, axis=1)
    with mpmath.workdps(MP_DPS):
        e_max = mpmath.mpf(gamma_k(d)) * mpmath.mpf(float(np.max(e))) * (1 + mpmath.mpf(gamma_k(D + d + 3)))
        d_min = mpmath.mpf(problem.lifted_separation) / (1 + mpmath.mpf(gamma_k(D + 3)))
        return up(2 * e_max / d_min, 1)


def _data_gershgorin(problem: Problem, s_minus: mpmath.mpf) -> Quantity:
    """``1 − max_i Σ_{j≠i} K(s_- ‖A x_i − A x_j‖)`` via :func:`bounds.lambda_min.data.data_gershgorin_bound`
    (rigorous rounding) on the float lifted points, with the shrink factor reduced by the lifting
    error (:func:`_lifting_slack`) and rounded down."""
    with mpmath.workdps(MP_DPS):
        shrink = down(s_minus * max(1 - mpmath.mpf(_lifting_slack(problem)), 0), 2)
    if shrink <= 0:  # s_- below the double range (ResNet near cR = sqrt T): only the trivial bound
        return Quantity(name="lambda_lower_data_gershgorin", value=0.0, kind="rigorous",
                        formula="0 (shrink factor s_-(R) underflows)", reference=REFERENCE + "#data-dependent-lambda",
                        mp=mpmath.mpf(0))
    return _data_gershgorin_at(problem, shrink)


def gershgorin_points(problem: Problem) -> tuple[np.ndarray, float]:
    """``(points, σ)`` for the data-dependent Gershgorin bound: the data and a rigorous lower bound
    ``σ`` of ``σ_min(A)`` when ``A`` scales every distance by the same factor (``σ_max(A)/σ_min(A)``
    proven ``≤ 1 + 10⁻⁹``: the augmented and copy liftings, ``AᵀA = α² I``), so one pass over the
    data's pairs serves every lifting scale (``‖A x_i − A x_j‖ ≥ σ ‖x_i − x_j‖`` for any ``A``);
    otherwise the lifted points and ``σ = 1``.

    Formula
    -------
    ``σ = σ_min(A)`` (its rigorous lower bound) when ``σ_max(A) ≤ (1 + 10⁻⁹) σ_min(A)``, else ``1``.

    Kind
    ----
    rigorous (``σ`` is the proven lower bound of :attr:`bounds.problem.Problem.sigma_A`).

    References
    ----------
    docs/pl.rst#data-dependent-lambda
    """
    low, high = problem.sigma_A
    if problem.sigma_kind == "rigorous" and 0 < low and high <= low * (1 + 1e-9):
        return problem.X, low
    return problem.lifted, 1.0


def _data_gershgorin_at(problem: Problem, shrink: float) -> Quantity:
    """The bound at one shrink factor, cached by the content of the points (not the problem: the
    design search builds many problems on the same data, and ``pl_constants`` needs the same row
    sums for ``λ_lower`` and ``Λ_upper``)."""
    points, scale = gershgorin_points(problem)
    kernel = require_radial_kernel(problem.kernel, "data-dependent Gershgorin bound")
    return _data_gershgorin_cached(points_key(points), kernel, shrink, scale)


@lru_cache(maxsize=512)
def _data_gershgorin_cached(key: PointsKey, kernel: Matern | Gaussian, shrink: float, scale: float) -> Quantity:
    from bounds.lambda_min.data import data_gershgorin_bound  # noqa: PLC0415

    return data_gershgorin_bound(kernel, key.points, shrink=shrink, scale=scale)


def _perturbation(problem: Problem, R: float, constants: Constants, required: bool) -> list[Quantity]:
    """The perturbation route (:func:`bounds.width.perturbed_bounds`) with the verified ``λ_min`` of
    the lifted data at ``t = 0``; ``[]`` (or ``ValueError`` when ``required``) for other kernels."""
    from bounds.width import embedding_cap, gram_extremes, perturbed_bounds  # noqa: PLC0415 (a Cholesky)

    if not isinstance(problem.kernel, (Matern, Gaussian, RandomFourierKernel)):
        if required:
            raise ValueError("lam='perturbation' needs a Matern, Gaussian or RandomFourierKernel (a verified "
                             f"lambda_min), got {problem.kernel!r}")
        return []
    ext = gram_extremes(problem.kernel, problem.lifted)
    c = jacobian_constant(problem, constants)
    return [perturbed_bounds(ext.lam_min, ext.lam_max, problem.N, c, R, cap=embedding_cap(problem.kernel))[0]]


def _separation_lower(problem: Problem) -> mpmath.mpf:
    """The separation of the data rounded down: the float distance of the closest pair carries a
    relative error below ``γ_{d+3}`` (difference, squares, sum, square root)."""
    return mpmath.mpf(problem.separation) / (1 + mpmath.mpf(gamma_k(problem.d + 3)))


def lambda_lower(
    problem: Problem, R: float, *, constants: Constants = "sharp", depth: int | None = None,
    lam: LambdaSource = "best",
) -> Quantity:
    """A lower bound of ``λ_min(K_{X(t)})`` along every trajectory of a control with ``‖v‖_H ≤ R``.

    A negative Gershgorin value is reported as the trivial bound 0.

    Raises
    ------
    ValueError
        ``lam`` is not one of the sources, or ``lam="data"``/``"perturbation"`` for a kernel the
        source does not apply to.

    Formula
    -------
    The largest of the valid sources of the module docstring, with ``δ_R = σ_min(A) δ s_-(R)``:
    ``λ_N(δ_R)`` (worst case), ``1 − max_i Σ_{j≠i} K(s_-(R) ‖A x_i − A x_j‖)`` (data),
    ``(√λ_min(K_X) − √N min(c1 R, √2))²`` (perturbation); ``max(0, ·)``.

    Kind
    ----
    ``rigorous``, except ``estimate`` for ``lam="estimate"`` (a numerical upper estimate of ``λ_N``).

    Hypotheses
    ----------
    ``‖v‖_H ≤ R``; the hypotheses of the chosen source (radial nonincreasing ``K ≥ 0`` for the data
    route; a Matérn, Gaussian or random-feature kernel for the perturbation route).

    References
    ----------
    docs/pl.rst#lower-constant-along-the-flow; docs/pl.rst#data-dependent-lambda;
    docs/theory.rst#pl-lambda-lower
    """
    c = c_upper(jacobian_constant(problem, constants))
    s_minus, _ = flow_factors(c, R, depth)
    with mpmath.workdps(MP_DPS):
        delta_R = down(mpmath.mpf(problem.sigma_A[0]) * _separation_lower(problem) * s_minus, 2)
    candidates: list[Quantity] = []
    if lam in ("best", "worst-case"):
        from bounds.lambda_min.bracket import MIN_DELTA_RATIO, best_lower_bound  # noqa: PLC0415 (heavy, lazily)

        # outside [MIN_DELTA_RATIO, 1/MIN_DELTA_RATIO] length scales the worst-case bounds are not evaluated
        ell = getattr(problem.kernel, "lengthscale", 1.0)
        if MIN_DELTA_RATIO * ell <= delta_R <= ell / MIN_DELTA_RATIO:
            radial = require_radial_kernel(problem.kernel, "worst-case lambda")
            candidates.append(best_lower_bound(radial, problem.N, delta_R, problem.D).quantity)
    if lam in ("best", "data") and _gershgorin_applies(problem.kernel):
        candidates.append(_data_gershgorin(problem, s_minus))
    if lam == "data" and not candidates:
        raise ValueError(
            "lam='data' needs a Matern or Gaussian kernel (radial, nonincreasing, with a stated evaluation "
            f"error), got {problem.kernel!r}"
        )
    if lam == "perturbation" or (lam == "best" and problem.N <= PERTURBATION_MAX_N):
        candidates.extend(_perturbation(problem, R, constants, lam == "perturbation"))
    if lam == "estimate":
        from bounds.lambda_min.bracket import lambda_bracket  # noqa: PLC0415

        candidates.append(lambda_bracket(problem.kernel, problem.N, delta_R, problem.D).upper)
    if not candidates:
        raise ValueError(f"lam must be one of 'best', 'worst-case', 'data', 'perturbation', 'estimate'; got {lam!r}")
    best = max(candidates, key=lambda q: q.mp if q.mp is not None else mpmath.mpf(q.value))
    kind = "estimate" if lam == "estimate" else best.kind
    return Quantity(
        name="lambda_lower",
        value=max(0.0, best.value),
        kind=kind,
        formula=best.formula,
        reference=best.reference,
        hypotheses=best.hypotheses + (f"separation after the flow >= {delta_R:.6g}",),
        mp=best.mp,
        dps=best.dps,
    )


def lambda_max_upper(
    problem: Problem,
    R: float,
    *,
    constants: Constants = "sharp",
    depth: int | None = None,
) -> Quantity:
    """An upper bound ``Λ`` of ``λ_max(K_{X(t)})`` along every trajectory with ``‖v‖_H ≤ R``.

    Formula
    -------
    ``constants="paper"``: ``Λ = N`` (``|K| ≤ K(0) = 1``).  ``"sharp"``: for radial kernels the
    smaller of ``N`` and the data-dependent Gershgorin bound ``1 + max_i Σ_{j≠i} K(s_- d_ij)``
    (each distance is at least ``s_- d_ij`` and ``K`` is nonincreasing).

    Kind
    ----
    ``rigorous`` (rounded up).

    Hypotheses
    ----------
    ``K(0) = 1``; for the Gershgorin bound ``K`` radial, nonincreasing, ``K ≥ 0``; ``‖v‖_H ≤ R``.

    References
    ----------
    docs/pl.rst#upper-constant; docs/theory.rst#pl-lambda-upper
    """
    N = problem.N
    trivial = Quantity(
        name="Lambda_upper",
        value=float(N),
        kind="rigorous",
        formula="N (|K| <= K(0) = 1)",
        reference=REFERENCE + "#upper-constant",
        hypotheses=("K(0) = 1",),
    )
    if constants == "paper" or not _gershgorin_applies(problem.kernel):
        return trivial
    c = c_upper(jacobian_constant(problem, constants))
    s_minus, _ = flow_factors(c, R, depth)
    low = _data_gershgorin(problem, s_minus)
    if low.value <= 0:  # the row sum exceeded 1: only the trivial bound is known
        return trivial
    with mpmath.workdps(MP_DPS):
        low_mp = low.mp if low.mp is not None else mpmath.mpf(low.value)
        value = up(2 - low_mp, 2)  # 1 + max row sum, since low = 1 - (max row sum, rounded up)
    if value >= N:
        return trivial
    return Quantity(
        name="Lambda_upper",
        value=value,
        kind="rigorous",
        formula="1 + max_i sum_{j!=i} K(s_-(R) |A x_i - A x_j|)",
        reference=REFERENCE + "#upper-constant",
        hypotheses=("K radial, nonincreasing, K >= 0", "||v||_H <= R"),
    )


@dataclass(frozen=True)
class PLConstants:
    """``m(R)`` and ``M(R)`` with everything they were built from."""

    R: float
    m: Quantity
    M: Quantity
    lam: Quantity
    Lam: Quantity
    c: Quantity
    s_minus: float
    s_plus: float
    constants: str
    depth: int | None

    def __repr__(self) -> str:
        depth = "ODE" if self.depth is None else f"ResNet T={self.depth}"
        return (f"PLConstants(R={self.R:g}, {depth}: m = {self.m.value:.6g} [{self.m.kind}], "
                f"M = {self.M.value:.6g} [{self.M.kind}])")

    def describe(self) -> str:
        """Several lines: m, M, their λ bounds and the Grönwall factors."""
        depth = "ODE" if self.depth is None else f"ResNet T={self.depth}"
        return (
            f"PLConstants(R={self.R:g}, {depth}, constants={self.constants!r})\n"
            f"  m(R) = {self.m.value:.6g} [{self.m.kind}]  (lambda_lower = {self.lam.value:.6g} "
            f"[{self.lam.kind}], {self.lam.formula})\n"
            f"  M(R) = {self.M.value:.6g} [{self.M.kind}]  (Lambda_upper = {self.Lam.value:.6g})\n"
            f"  Gronwall factors s_- = {self.s_minus:.6g}, s_+ = {self.s_plus:.6g} with "
            f"{self.c.name} = {self.c.value:.6g}"
        )


def pl_from_parts(
    problem: Problem, R: float, c: Quantity, lam: Quantity, Lam: Quantity, *, depth: int | None = None,
    constants: Constants = "sharp",
) -> PLConstants:
    """``m(R)`` and ``M(R)`` from their parts: the Grönwall constant ``c`` and the bounds ``λ``,
    ``Λ`` of the kernel matrix along the flow (the one implementation of the formulas).

    Formula
    -------
    ``m(R) = (4 w_min/n) σ_min(B)² s_-(R)² λ``, ``M(R) = (4 w_max/n) σ_max(B)² s_+(R)² Λ``
    (``w`` the multiplicities of the rows, ``n = Σ w``; ``s_±`` of :func:`flow_factors`).

    Kind
    ----
    ``m``: the weakest of rigorous and the kinds of ``λ`` and ``c``; ``M``: of ``Λ`` and ``c``
    (a ``probabilistic`` part keeps its ``η``, :func:`bounds.result.combined_kind`).

    Hypotheses
    ----------
    ``δ > 0``, ``A`` injective, ``B`` surjective, ``c < ∞`` (Condition 1), ``‖v‖_H ≤ R``; for a
    ResNet of depth T also ``cR/√T < 1``.

    References
    ----------
    docs/pl.rst#the-pl-sandwich; docs/pl.rst#weights; docs/theory.rst#pl-sandwich
    """
    s_minus, s_plus = flow_factors(c_upper(c), R, depth)
    n = problem.n
    w_min, w_max = problem.weight_range
    sBmin, sBmax = problem.sigma_B
    with mpmath.workdps(MP_DPS):
        lam_mp = lam.mp if lam.mp is not None else mpmath.mpf(lam.value)
        m_mp = 4 * mpmath.mpf(w_min) * mpmath.mpf(sBmin) ** 2 * s_minus**2 * max(lam_mp, 0) / n
        M_mp = 4 * mpmath.mpf(w_max) * mpmath.mpf(sBmax) ** 2 * s_plus**2 * mpmath.mpf(Lam.value) / n
    hyp = (
        f"data separation delta = {problem.separation:.6g} > 0",
        "A injective, B surjective",
        f"{c.name} = {c.value:.6g} < inf (Condition 1)",
        f"||v||_H <= R = {R:g}",
    ) + (() if depth is None else (f"ResNet depth T = {depth} with c R / sqrt(T) < 1",))
    m_kind, m_eta = combined_kind("rigorous", lam, c, problem.sigma_kind)
    M_kind, M_eta = combined_kind("rigorous", Lam, c, problem.sigma_kind)
    m_q = Quantity(
        name="m", value=max(0.0, down(m_mp, 3)), kind=m_kind,
        formula="(4/N) sigma_min(B)^2 s_-(R)^2 lambda_lower(R)", reference=REFERENCE + "#the-pl-sandwich",
        hypotheses=hyp, mp=m_mp, dps=MP_DPS, eta=m_eta,
    )
    M_q = Quantity(
        name="M", value=up(M_mp, 3), kind=M_kind,
        formula="(4/N) sigma_max(B)^2 s_+(R)^2 Lambda_upper(R)", reference=REFERENCE + "#the-pl-sandwich",
        hypotheses=hyp, mp=M_mp, dps=MP_DPS, eta=M_eta,
    )
    return PLConstants(
        R=R, m=m_q, M=M_q, lam=lam, Lam=Lam, c=c, s_minus=float(s_minus), s_plus=float(s_plus),
        constants=constants, depth=depth,
    )


def pl_constants(
    problem: Problem, R: float, *, constants: Constants = "sharp", depth: int | None = None,
    lam: LambdaSource = "best",
) -> PLConstants:
    """``m(R)`` and ``M(R)`` of the local PL inequality on ``{‖v‖_H ≤ R}`` (docs/pl.rst).

    Parameters
    ----------
    problem
        Data, targets, lifting, read-out and kernel.
    R
        Radius of the ball in ``H`` (``R >= 0``).
    constants
        ``"sharp"`` (c1 in the Grönwall factors, Gershgorin ``Λ``) or ``"paper"`` (κ, ``Λ = N``).
    depth
        ``None`` for the neural ODE, ``T`` for the T-layer ResNet.
    lam
        Source of the ``λ`` lower bound (module docstring).

    Returns
    -------
    PLConstants
        ``m(R)``, ``M(R)`` and the parts they were built from.

    Raises
    ------
    ValueError
        ``R < 0``, ``cR/√T ≥ 1`` for a ResNet, or a ``constants``/``lam`` value not listed.

    Formula
    -------
    :func:`pl_from_parts` with ``c`` = :func:`jacobian_constant`, ``λ`` = :func:`lambda_lower`,
    ``Λ`` = :func:`lambda_max_upper`:
    ``m(R) = (4 w_min/n) σ_min(B)² s_-(R)² λ``, ``M(R) = (4 w_max/n) σ_max(B)² s_+(R)² Λ``.

    Kind
    ----
    ``rigorous`` (rounded outward), or ``estimate`` when ``lam="estimate"``.

    Hypotheses
    ----------
    distinct data (δ > 0), ``A`` injective, ``B`` surjective, Condition 1 for the kernel
    (``c1 < ∞``), ``‖v‖_H ≤ R``; for a ResNet of depth T also ``cR/√T < 1``.

    References
    ----------
    docs/pl.rst#the-pl-sandwich; docs/theory.rst#pl-lower-constant; docs/theory.rst#pl-upper-constant
    """
    R = require_positive("R", R, strict=False)
    cq = jacobian_constant(problem, constants)
    flow_factors(c_upper(cq), R, depth)  # validates R against the depth before the λ work
    lam_q = lambda_lower(problem, R, constants=constants, depth=depth, lam=lam)
    Lam_q = lambda_max_upper(problem, R, constants=constants, depth=depth)
    return pl_from_parts(problem, R, cq, lam_q, Lam_q, depth=depth, constants=constants)
