"""Regularity constants of a drawn random-feature sample (the empirical spectral measure,
docs/kappa.rst#random-features): ``c1`` of the sample and a certified upper bound of ``c2`` by
branch and bound over the sphere."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bounds._core.rounding import UNIT_ROUNDOFF
from bounds.kernels import RandomFourierKernel
from bounds.regularity.record import CONDITION_1 as _COND1
from bounds.regularity.record import REFERENCE, Regularity
from bounds.result import Quantity

__all__ = ["QuarticMax", "quartic_form_max", "rff_regularity", "rff_regularity_moments"]

_EPS = 2 * UNIT_ROUNDOFF  # machine epsilon


@dataclass(frozen=True)
class QuarticMax:
    """Result of :func:`quartic_form_max`: ``lower ≤ max_{|u|=1} (1/q)Σ(ω_j·u)⁴ ≤ upper``."""

    lower: float
    upper: float
    argmax: np.ndarray
    boxes: int
    converged: bool

    @property
    def gap(self) -> float:
        return self.upper - self.lower


def _cap_upper(omega: np.ndarray, norms: np.ndarray, u0: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Certified upper bounds of ``f(u) = (1/q)Σ(ω_j·u)⁴`` on the caps ``|u| = 1, |u − u0_b| ≤ ρ_b``.

    Write ``u = u0 + d`` and ``a_j = ω_j·u0``.  Expanding ``(a_j + ω_j·d)⁴`` gives
    ``f(u) = f(u0) + g·d + R`` with ``g = (4/q)Σ a_j³ ω_j`` and
    ``|R| ≤ 6ρ² mean(a²‖ω‖²) + 4ρ³ mean(|a|‖ω‖³) + ρ⁴ mean(‖ω‖⁴)``.  On the sphere
    ``u0·d = −|d|²/2``, so ``|g·d| ≤ |g·u0| ρ²/2 + ‖g − (g·u0)u0‖ ρ``: the bound exceeds ``f(u0)``
    only by ``O(ρ²)`` near a critical point, which keeps the branch and bound small.  The
    first-order bound ``(1/q)Σ(|a_j| + ‖ω_j‖ρ)⁴`` is also valid; the smaller of the two is used.
    Rounding: ρ is enlarged by ``4(D+2)ε`` (error of ``a_j`` and of ``|u0| = 1``), sums by
    ``(q+10)ε`` relative, and ``8(q+D+10)ε·mean‖ω‖⁴`` absolute covers the cancellation in ``g``.
    """
    q, D = omega.shape
    A = omega @ u0.T  # (q, B)
    absA = np.abs(A)
    rho = rho * (1 + 1e-12) + 4 * (D + 2) * _EPS
    n2, n3, n4 = norms**2, norms**3, norms**4
    first_order = ((absA + norms[:, None] * rho[None, :]) ** 4).mean(axis=0)
    f0 = (A**4).mean(axis=0)
    g = 4.0 * (omega.T @ A**3) / q  # (D, B)
    gu = np.sum(g * u0.T, axis=0)
    g_perp = np.linalg.norm(g - gu[None, :] * u0.T, axis=0)
    second = (
        f0
        + np.abs(gu) * rho**2 / 2
        + g_perp * rho
        + 6 * rho**2 * (A**2 * n2[:, None]).mean(axis=0)
        + 4 * rho**3 * (absA * n3[:, None]).mean(axis=0)
        + rho**4 * n4.mean()
    )
    margin = 8 * (q + D + 10) * _EPS * float(n4.mean())
    return np.minimum(first_order, second) * (1 + (q + 10) * _EPS) + margin


def _chord_radius(radius: np.ndarray, centre_norm: np.ndarray) -> np.ndarray:
    """Largest chord ``|x/|x| − c/|c||`` over ``|x − c| ≤ radius`` (2 if the ball holds 0)."""
    ratio = radius / centre_norm
    out = np.full_like(ratio, 2.0)
    inside = ratio < 1
    out[inside] = 2 * np.sin(np.arcsin(ratio[inside]) / 2)
    return out


def _global_quartic_upper(omega: np.ndarray, norms: np.ndarray) -> float:
    """Two always-valid upper bounds of ``max_{|u|=1} (1/q)Σ(ω_j·u)⁴``, the smaller one:
    ``(1/q)Σ‖ω_j‖⁴`` and ``λ_max`` of ``(1/q)Σ vec(ω_jω_jᵀ)vec(ω_jω_jᵀ)ᵀ`` (since
    ``f(u) = vec(uuᵀ)ᵀ M vec(uuᵀ)`` with ``‖uuᵀ‖_F = 1``), each with a rounding margin."""
    q, D = omega.shape
    fallback = float(np.mean(norms**4)) * (1 + (q + 10) * _EPS)
    outer = np.einsum("ja,jb->jab", omega, omega).reshape(q, D * D)
    M = outer.T @ outer / q
    relax = float(np.linalg.eigvalsh(M)[-1]) + 10 * (q + D * D) * _EPS * float(np.trace(M))
    return min(fallback, relax)


class _CapSearch:
    """The state of :func:`quartic_form_max`'s branch and bound: a max-heap of boxes (face axis,
    centre of the other ``D − 1`` coordinates, half widths) keyed by their caps' upper bounds, and
    the best point found."""

    def __init__(self, omega: np.ndarray) -> None:
        self.omega = omega
        self.norms = np.linalg.norm(omega, axis=1) * (1 + 2 * _EPS)
        self.global_upper = _global_quartic_upper(omega, self.norms)
        self.best_val = -1.0
        self.best_u = np.eye(omega.shape[1])[0]
        self.heap: list[tuple[float, int, int, np.ndarray, np.ndarray]] = []
        self.counter = 0
        self.evaluated = 0

    def push(self, axis: int, centres: np.ndarray, half: np.ndarray) -> None:
        """Evaluate the boxes' centres and cap bounds and queue them."""
        X = np.insert(centres, axis, 1.0, axis=1)
        cn = np.linalg.norm(X, axis=1)
        U = X / cn[:, None]
        rho = _chord_radius(np.linalg.norm(half, axis=1), cn)
        ub = np.minimum(_cap_upper(self.omega, self.norms, U, rho), self.global_upper)
        vals = np.mean((self.omega @ U.T) ** 4, axis=0)
        self.evaluated += len(U)
        i = int(np.argmax(vals))
        if vals[i] > self.best_val:
            self.best_val, self.best_u = float(vals[i]), U[i]
        for b in range(len(U)):
            self.counter += 1
            heapq.heappush(self.heap, (-float(ub[b]), self.counter, axis, centres[b], half[b]))

    def split(self, batch: int) -> None:
        """Halve the ``batch`` boxes of largest bound along their widest coordinate."""
        popped = [heapq.heappop(self.heap) for _ in range(min(batch, len(self.heap)))]
        for _, _, axis, c, h in popped:
            j = int(np.argmax(h))
            hh = h.copy()
            hh[j] /= 2
            cs = np.stack([c.copy(), c.copy()])
            cs[0, j] -= hh[j]
            cs[1, j] += hh[j]
            self.push(axis, cs, np.stack([hh, hh]))


def quartic_form_max(omega: np.ndarray, rtol: float = 1e-3, max_boxes: int = 20_000) -> QuarticMax:
    """Bracket ``max_{|u|=1} f(u)``, ``f(u) = (1/q) Σ_j (ω_j·u)⁴``, by branch and bound.

    The sphere is the radial projection of the faces ``x_i = 1`` of the cube ``[−1, 1]^D`` (``f``
    is even, so D faces suffice).  A box of a face projects into a spherical cap around the
    projection of its centre, whose chord radius is computed exactly; on a cap
    ``f ≤ (1/q)Σ(|ω_j·u0| + ‖ω_j‖ρ)⁴`` (``_cap_upper``).  Boxes are split until the
    largest remaining upper bound is within ``rtol`` of the best value found, or ``max_boxes``
    boxes were evaluated.  The upper bound is never below the true maximum (rigorous, rounding
    included) whether or not it converged; it is also capped by the always-valid
    ``(1/q)Σ‖ω_j‖⁴`` and by ``λ_max`` of ``(1/q)Σ vec(ω_jω_jᵀ)vec(ω_jω_jᵀ)ᵀ`` (plus a rounding
    margin).  The lower bound is ``f`` at the best point found (numerical).

    Formula
    -------
    on the cap of a box with centre ``u0`` and chord radius ``ρ``: ``f ≤ (1/q)Σ(|ω_j·u0| + ‖ω_j‖ρ)⁴``;
    ``upper = min(max over the remaining caps, (1/q)Σ‖ω_j‖⁴, λ_max((1/q)Σ vec(ω_jω_jᵀ)vec(ω_jω_jᵀ)ᵀ))``.

    Kind
    ----
    ``upper`` rigorous (rounding included), ``lower`` numerical.

    References
    ----------
    docs/kappa.rst#random-features

    Examples
    --------
    >>> res = quartic_form_max(np.array([[1.0, 0.0], [0.0, 2.0]]))
    >>> round(res.lower, 6), res.upper >= res.lower, res.converged
    (8.0, True, True)
    """
    omega = np.asarray(omega, dtype=float)
    q, D = omega.shape
    if not (isinstance(rtol, float) and rtol > 0 and math.isfinite(rtol)):
        raise ValueError(f"rtol must be a finite float > 0, got {rtol!r}")
    if D == 1:
        val = float(np.mean(omega[:, 0] ** 4))
        return QuarticMax(val, val * (1 + (q + 10) * _EPS), np.ones(1), 0, True)
    search = _CapSearch(omega)
    for axis in range(D):
        search.push(axis, np.zeros((1, D - 1)), np.ones((1, D - 1)))
    converged = False
    while search.heap:
        if -search.heap[0][0] <= search.best_val * (1 + rtol):
            converged = True
            break
        if search.evaluated >= max_boxes:
            break
        search.split(batch=128)
    upper = max(-search.heap[0][0] if search.heap else search.best_val, search.best_val)
    return QuarticMax(search.best_val, min(upper, search.global_upper), search.best_u, search.evaluated, converged)


def rff_regularity(kernel: RandomFourierKernel, rtol: float = 1e-3, max_boxes: int = 20_000) -> Regularity:
    """Constants of Condition 1 for a random-feature kernel ``K_q(z) = (1/q)Σ cos(ω_j·z)``.

    Raises
    ------
    ValueError
        ``kernel`` is not a :class:`~bounds.kernels.RandomFourierKernel`.

    Formula
    -------
    ``c0 = 1``; ``c1 = √λ_max((1/q)Σ ω_jω_jᵀ)`` (the sample's exact constant, rounded
    up by a certified margin); ``c2`` = a certified upper bound of
    ``√max_{|u|=1}(1/q)Σ(ω_j·u)⁴`` by :func:`quartic_form_max` (never below the true value;
    ``c2_lower`` holds the best value found, so the gap is reported); ``κ = c0 + c1 + c2``.

    Kind
    ----
    rigorous (upper bounds); ``c0`` exact, ``c2_lower`` numerical.

    Hypotheses
    ----------
    the drawn sample, features ``q^{-1/2}[cos, sin]`` (docs/theory.rst).

    References
    ----------
    docs/kappa.rst#random-features (derivation); docs/theory.rst#kappa-random-features

    Examples
    --------
    >>> rff = RandomFourierKernel(np.array([[1.0, 0.0], [0.0, 2.0]]))
    >>> reg = rff_regularity(rff)
    >>> round(reg.c1.value, 9), round(reg.c2.value, 4), round(reg.c2_lower.value, 9)
    (1.414213562, 2.8284, 2.828427125)
    """
    if not isinstance(kernel, RandomFourierKernel):
        raise ValueError(f"kernel must be a RandomFourierKernel, got {kernel!r}")
    omega = kernel.omega
    q, D = omega.shape
    hyp = (f"empirical spectral measure of the drawn sample ({kernel.name})", "features q^(-1/2)[cos, sin]")
    S = omega.T @ omega / q
    lam = float(np.linalg.eigvalsh(S)[-1])
    lam_up = lam + 2 * (q + 10 * D) * _EPS * float(np.trace(S))
    c1_val = math.sqrt(lam_up) * (1 + 2 * _EPS)
    qm = quartic_form_max(omega, rtol=rtol, max_boxes=max_boxes)
    c2_val = math.sqrt(qm.upper) * (1 + 2 * _EPS)
    c2_low = math.sqrt(max(qm.lower, 0.0))
    ref = REFERENCE + "#random-features"
    c0 = Quantity("c0", 1.0, "exact", "c0 = sqrt(K_q(0)) = 1", ref, hyp, expr=sp.Integer(1))
    c1 = Quantity("c1", c1_val, "rigorous", "c1 = sqrt(lambda_max((1/q) sum w_j w_j^T)), rounded up", ref, hyp)
    status = "converged" if qm.converged else "box budget exhausted"
    c2 = Quantity(
        "c2",
        c2_val,
        "rigorous",
        f"c2 <= sqrt(max_|u|=1 (1/q) sum (w_j.u)^4), branch and bound on the sphere "
        f"({qm.boxes} caps, {status}, gap {c2_val - c2_low:.3g})",
        ref,
        hyp,
    )
    c2_lower = Quantity(
        "c2_lower", c2_low, "numerical", "sqrt((1/q) sum (w_j.u*)^4) at the best point u* found", ref, hyp
    )
    kappa = Quantity(
        "kappa", (1.0 + c1_val + c2_val) * (1 + 4 * _EPS), "rigorous", "kappa = c0 + c1 + c2 (upper bound)", ref,
        hyp + (_COND1,),
    )
    return Regularity(c0, c1, c2, kappa, kernel=kernel.name, c2_lower=c2_lower)


def rff_regularity_moments(kernel: RandomFourierKernel) -> Regularity:
    """Condition 1's constants of a random-feature sample in any dimension ``D``, without the
    branch and bound of :func:`rff_regularity` (which is for small ``D``).

    Raises
    ------
    ValueError
        ``kernel`` is not a :class:`~bounds.kernels.RandomFourierKernel`.

    Formula
    -------
    ``c0 = 1``; ``c1 = √λ_max((1/q) ΩᵀΩ) = √λ_max((1/q) ΩΩᵀ)`` (the ``q × q`` Gram has the
    same nonzero spectrum), rounded up by a relative ``(q + D) 2⁻⁵⁰`` margin; ``c2 ≤ √((1/q) Σ ‖ω_j‖⁴)``
    (from ``(ω·u)⁴ ≤ ‖ω‖⁴``); ``κ = c0 + c1 + c2``.

    Kind
    ----
    rigorous upper bounds (``c1`` sharp for the sample, ``c2`` possibly loose).

    Hypotheses
    ----------
    the drawn sample, features ``q^{-1/2}[cos, sin]``.

    References
    ----------
    docs/kappa.rst#random-features
    """
    if not isinstance(kernel, RandomFourierKernel):
        raise ValueError(f"kernel must be a RandomFourierKernel, got {kernel!r}")
    omega = kernel.omega
    q, D = omega.shape
    G = omega @ omega.T / q
    lam = float(np.linalg.eigvalsh(G)[-1])
    margin = 1 + (q + D + 10) * 2.0**-50
    c1_val = math.sqrt(lam + (q + D) * 2.0**-50 * float(np.trace(G))) * margin
    n4 = np.sum(omega**2, axis=1) ** 2
    c2_val = math.sqrt(float(np.mean(n4)) * margin) * margin
    ref = REFERENCE + "#random-features"
    hyp = (f"the drawn sample ({kernel.name})", "features q^(-1/2)[cos, sin]")
    c0 = Quantity("c0", 1.0, "exact", "c0 = sqrt(K_q(0)) = 1", ref, hyp, expr=sp.Integer(1))
    c1 = Quantity("c1", c1_val, "rigorous", "sqrt(lambda_max((1/q) W W^T)), rounded up", ref, hyp)
    c2 = Quantity("c2", c2_val, "rigorous", "sqrt((1/q) sum |w_j|^4) >= c2 of the sample", ref, hyp)
    kappa = Quantity("kappa", (1.0 + c1_val + c2_val) * (1 + 4 * _EPS), "rigorous",
                     "kappa = c0 + c1 + c2 (upper bound)", ref, hyp + (_COND1,))
    return Regularity(c0, c1, c2, kappa, kernel=kernel.name)
