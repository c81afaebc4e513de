"""The λ(δ) bracket: ``[best rigorous lower bound, best numerical upper bound]`` of
``λ_N(δ) = inf {λ_min(K_X) : X ⊂ R^D, #X ≤ N, sep(X) ≥ δ}`` (docs/lambda.rst).

Docs: ``docs/lambda.rst``.

* :func:`lambda_two` — ``λ_2(δ) = 1 − K(δ)`` rounded down, from an Arb ball.
* :func:`best_lower_bound` — the largest of the valid rigorous lower bounds (packing–Gershgorin,
  Fourier, Gaussian minorant, Ingham–Kahane; for ``N = 2`` the exact ``1 − K(δ)``, rounded down),
  and which one won.
* :func:`lambda_bracket` — that lower bound, the smallest upper bound from explicit feasible
  configurations (lattice sections; optionally the adversarial search), their sources, the gap
  ratio ``upper/lower`` and the time taken.

>>> from bounds.kernels import Matern
>>> q = lambda_two(Matern("3/2"), 1.0)
>>> q.kind, round(q.value, 15)
('rigorous', 0.516642275403492)
>>> b = lambda_bracket(Matern("5/2"), N=50, delta=0.5, D=2)
>>> b.lower_source, b.upper_source, b.lower.value <= b.upper.value
('gaussian minorant', 'cubic lattice', True)
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

import mpmath
import numpy as np
from flint import arb

from bounds._core.ball import adaptive_ball, lower_float, lower_mpf, upper_float, upper_mpf
from bounds._core.rounding import round_down, round_up
from bounds._core.validate import check_lambda_inputs, require_int, require_positive
from bounds.kernels import Gaussian, Kernel, Matern, RandomFourierKernel
from bounds.kernels.profile import require_radial_kernel
from bounds.kernels.profile_ball import profile_ball
from bounds.lambda_min.lower.fourier import fourier_lower_bound
from bounds.lambda_min.lower.gaussian_minorant import gaussian_minorant_lower_bound
from bounds.lambda_min.lower.ingham_kahane import ingham_kahane_lower_bound
from bounds.lambda_min.lower.packing import packing_lower_bound
from bounds.lambda_min.upper.adversarial import adversarial_upper_bound
from bounds.lambda_min.upper.lattice import UpperBound, lattice_upper_bound
from bounds.result import Quantity

try:  # eigenproblems of a few hundred points run faster on one BLAS thread when cores are shared
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional
    threadpool_limits = None

__all__ = ["lambda_two", "BestLowerBound", "best_lower_bound", "LambdaBracket", "lambda_bracket"]


def _lambda_two_ball(kernel: Matern | Gaussian, delta: float) -> arb:
    """An Arb enclosure of ``1 − K(δ)`` narrow enough that every point of it rounds down (and up)
    to the same float: the precision doubles from 80 bits until it is (``1 − K`` cancels like
    ``(δ/ℓ)²``, so tiny ``δ/ℓ`` needs about ``2 log2(ℓ/δ) + 60`` bits)."""
    r = arb(delta)

    def settled(ball: arb) -> bool:
        return lower_float(ball) == round_down(upper_mpf(ball)) and round_up(lower_mpf(ball)) == upper_float(ball)

    return adaptive_ball(lambda: 1 - profile_ball(kernel, r), settled)


def lambda_two(kernel: Matern | Gaussian, delta: float) -> Quantity:
    """The two-point value ``λ_2(δ) = 1 − K(δ)``, rounded down: the largest float ``≤ λ_2(δ)``.

    ``mp`` holds the lower end of the ball (≤ λ_2, relative width below one double ulp).

    Raises
    ------
    ValueError
        ``delta <= 0``, or a kernel that is not Matérn or Gaussian.

    Formula
    -------
    ``K_X = [[1, K(r)], [K(r), 1]]`` has eigenvalues ``1 ± K(r)``, ``r = ‖x_1 − x_2‖ ≥ δ``;
    for ``0 ≤ K`` nonincreasing the infimum over ``r ≥ δ`` of ``1 − K(r)`` is ``1 − K(δ)``.  It is
    evaluated as an Arb ball at a precision that adapts to ``δ/ℓ`` (full relative accuracy for any
    ``δ > 0``), and the float is its lower end rounded down.

    Kind
    ----
    rigorous (a lower bound that is also the best float below the exact value;
    docs/lambda.rst#two-points says why not ``exact``).

    Hypotheses
    ----------
    ``K`` radial, nonnegative, nonincreasing (Matérn, Gaussian); ``N = 2``.

    References
    ----------
    docs/lambda.rst#two-points; docs/theory.rst#lambda-two

    Examples
    --------
    >>> lambda_two(Gaussian(1), 0.5).value  # 1 - e^{-1/8} = 0.117503097415404597...
    0.11750309741540459
    """
    delta = require_positive("delta", delta)
    kernel = require_radial_kernel(kernel, "exact two-point value")
    ball = _lambda_two_ball(kernel, delta)
    low = lower_mpf(ball)
    return Quantity(
        name="lambda_2",
        value=round_down(low),
        kind="rigorous",
        formula="1 - K(delta), rounded down (Arb ball at adaptive precision)",
        reference="docs/lambda.rst#two-points",
        hypotheses=(f"{kernel.name}: K >= 0 radial and nonincreasing", "N = 2"),
        mp=low,
        dps=int(ball.rel_accuracy_bits() * 0.30103) if ball.rel_accuracy_bits() > 0 else 15,
    )


def _lambda_two_upper(kernel: Matern | Gaussian, delta: float) -> Quantity:
    """``λ_2(δ) = 1 − K(δ)`` rounded *up* (the smallest float ``≥ λ_2``): the N = 2 upper end of
    the bracket, attained by any pair at distance δ."""
    ball = _lambda_two_ball(kernel, delta)
    return Quantity(
        name="lambda_2_upper",
        value=upper_float(ball),
        kind="rigorous",
        formula="1 - K(delta), rounded up (Arb ball at adaptive precision); attained by two points at distance delta",
        reference="docs/lambda.rst#two-points",
        hypotheses=(f"{kernel.name}: K >= 0 radial and nonincreasing", "N = 2"),
        mp=upper_mpf(ball),
    )


@dataclass(frozen=True)
class BestLowerBound:
    """The best valid rigorous lower bound on λ_N(δ) and the candidates it was chosen from.

    Attributes
    ----------
    quantity
        The winning bound.
    source
        ``"exact"`` (N = 2), ``"packing"``, ``"fourier"``, ``"gaussian minorant"``,
        ``"ingham-kahane"`` (or ``"trivial"`` in a bracket for kernels with no lower bound).
    candidates
        ``(source, Quantity)`` pairs of every bound evaluated.
    """

    quantity: Quantity
    source: str
    candidates: tuple[tuple[str, Quantity], ...]


#: The λ bounds are evaluated for ``MIN_DELTA_RATIO ≤ δ/ℓ ≤ 1/MIN_DELTA_RATIO``: outside, their
#: floating-point parts (densities at frequencies ``~ 1/δ``, squares of ``ℓ/δ`` or ``δ/ℓ``) leave
#: the double range.
MIN_DELTA_RATIO = 1e-100


def check_delta_range(kernel: Matern | Gaussian, delta: float) -> None:
    """Refuse ``δ/ℓ`` outside ``[MIN_DELTA_RATIO, 1/MIN_DELTA_RATIO]`` with a one-line reason."""
    low, high = MIN_DELTA_RATIO * kernel.lengthscale, kernel.lengthscale / MIN_DELTA_RATIO
    if not low <= delta <= high:
        raise ValueError(
            f"delta must be in [{low:g}, {high:g}] (1e-100 to 1e100 length scales) for the lambda_N(delta) bounds, "
            f"whose floating-point parts leave the double range outside; got {delta:g}"
        )


def _exact_value(q: Quantity) -> mpmath.mpf:
    """The mpmath value of ``q`` (its float when it carries none)."""
    return q.mp if q.mp is not None else mpmath.mpf(q.value)


def best_lower_bound(kernel: Matern | Gaussian, N: int, delta: float, D: int) -> BestLowerBound:
    """The maximum of the valid rigorous lower bounds on ``λ_N(δ)``, reporting which won.

    Compared through their mpmath values, so bounds below the double range still compete.

    Raises
    ------
    ValueError
        Invalid ``N``, ``delta``, ``D``; ``δ/ℓ`` outside ``[1e-100, 1e100]``; a kernel that is not
        Matérn or Gaussian (random-feature kernels included).

    Formula
    -------
    ``max(packing–Gershgorin, Fourier, Gaussian minorant (Matérn only), Ingham–Kahane
    (Gaussian only))``; for ``N = 2`` the exact ``λ_2(δ) = 1 − K(δ)``.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    Those of each bound: δ-separated, ``#X ≤ N``, Matérn or Gaussian kernel.

    References
    ----------
    docs/lambda.rst#best-lower-bound; docs/lambda_lower.rst#which-bound-wins
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    kernel = require_radial_kernel(kernel, "lambda_N(delta) lower bounds")
    check_delta_range(kernel, delta)
    if N == 2:
        exact = lambda_two(kernel, delta)
        return BestLowerBound(exact, "exact", (("exact", exact),))
    cands: tuple[tuple[str, Quantity], ...] = (
        ("packing", packing_lower_bound(kernel, N, delta, D)),
        ("fourier", fourier_lower_bound(kernel, N, delta, D)),
    )
    if isinstance(kernel, Matern):
        cands += (("gaussian minorant", gaussian_minorant_lower_bound(kernel, N, delta, D)),)
    if isinstance(kernel, Gaussian):
        cands += (("ingham-kahane", ingham_kahane_lower_bound(kernel, N, delta, D)),)
    source, q = max(cands, key=lambda c: _exact_value(c[1]))
    return BestLowerBound(q, source, cands)


@dataclass(frozen=True)
class LambdaBracket:
    """``lower ≤ λ_N(δ) ≤ upper`` with provenance (docs/lambda.rst).

    Attributes
    ----------
    kernel_name, N, delta, D
        The problem.
    lower, lower_source
        Best rigorous lower bound and its source (``exact``, ``packing``, ``fourier``, ``trivial``).
    upper, upper_source
        Smallest upper bound from an explicit δ-separated configuration and its source
        (``exact``, ``cubic lattice``, ``hexagonal lattice``, ``fcc lattice``, ``adversarial search``).
    upper_points
        The configuration attaining ``upper`` (``None`` for N = 2, where it is any pair at distance
        δ); it has at most ``N`` points (fewer when ``N`` exceeds ``max_upper_points``).
    gap
        ``upper / lower`` (from the mpmath values; ``inf`` when the lower bound is 0).
    seconds
        Wall-clock time of the computation.
    candidates
        Every bound evaluated, as ``(source, Quantity)``.
    """

    kernel_name: str
    N: int
    delta: float
    D: int
    lower: Quantity
    lower_source: str
    upper: Quantity
    upper_source: str
    gap: float
    seconds: float
    upper_points: np.ndarray | None = field(default=None, compare=False, repr=False)
    candidates: tuple[tuple[str, Quantity], ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "kernel": self.kernel_name,
            "N": self.N,
            "delta": self.delta,
            "D": self.D,
            "lower": self.lower.to_dict(),
            "lower_source": self.lower_source,
            "upper": self.upper.to_dict(),
            "upper_source": self.upper_source,
            "gap": self.gap if math.isfinite(self.gap) else None,
            "seconds": self.seconds,
            "candidates": [
                {"source": s, "name": q.name, "value": q.value, "mp": q.mp_string()} for s, q in self.candidates
            ],
        }


def _lattices(D: int) -> tuple[str, ...]:
    return ("cubic",) + (("hexagonal",) if D == 2 else ()) + (("fcc",) if D == 3 else ())


def lambda_bracket(
    kernel: Kernel,
    N: int,
    delta: float,
    D: int,
    *,
    adversarial_seconds: float = 0.0,
    seed: int = 0,
    max_upper_points: int = 1000,
) -> LambdaBracket:
    """The bracket ``[best rigorous lower bound, best upper bound]`` of ``λ_N(δ)`` (``N ≥ 2``, ``δ > 0``, ``D ≥ 1``).

    Formula
    -------
    lower = :func:`best_lower_bound` (``0``, "trivial", for random-feature kernels: their Gram matrices are PSD and no
    separation-based bound applies); upper = the smallest verified ``λ_min`` over the ``N``-point sections of the cubic
    lattice (and hexagonal in D = 2, FCC in D = 3) and, if ``adversarial_seconds > 0``, of the adversarial search;
    for N = 2 both are the exact ``1 − K(δ)``, rounded down and up.  For ``N > max_upper_points`` the configurations
    have ``max_upper_points`` points (still feasible for λ_N, since ``λ_N ≤ λ_n`` for ``n ≤ N``: looser, bounded cost;
    the adversarial search uses at most ``min(N, 400)`` points).
    Kind
    ----
    lower rigorous; upper rigorous *as an upper bound* (an explicit feasible configuration), not claimed to be λ_N(δ).
    References
    ----------
    docs/lambda.rst; docs/theory.rst#lambda-bracket
    """
    N, delta, D = check_lambda_inputs(N, delta, D)
    adversarial_seconds = require_positive("adversarial_seconds", adversarial_seconds, strict=False)
    n_up = min(N, require_int("max_upper_points", max_upper_points, minimum=2))
    t0 = time.perf_counter()
    name = getattr(kernel, "name", type(kernel).__name__)
    if isinstance(kernel, RandomFourierKernel):
        if kernel.dim != D:
            raise ValueError(f"D must equal the random-feature kernel's dimension {kernel.dim}, got {D}")
        lower = Quantity(
            name="lambda_lower_trivial",
            value=0.0,
            kind="rigorous",
            formula="0 (Gram matrices of a random-feature kernel are PSD; no separation-based bound)",
            reference="docs/lambda.rst#best-lower-bound",
            mp=mpmath.mpf(0),
        )
        best = BestLowerBound(lower, "trivial", (("trivial", lower),))
    else:
        best = best_lower_bound(require_radial_kernel(kernel, "lambda_N(delta) lower bounds"), N, delta, D)
    cands: list[tuple[str, Quantity]] = list(best.candidates)
    if N == 2 and best.source == "exact":
        upper = _lambda_two_upper(require_radial_kernel(kernel, "exact two-point value"), delta)
        upper_source, points = "exact", None
    else:
        with threadpool_limits(1) if threadpool_limits is not None else contextlib.nullcontext():
            ups: list[UpperBound] = [lattice_upper_bound(kernel, n_up, delta, D, lat) for lat in _lattices(D)]
        if adversarial_seconds > 0:
            n_adv = min(n_up, 400)
            ups.append(adversarial_upper_bound(kernel, n_adv, delta, D, seed=seed, time_budget=adversarial_seconds))
        cands += [(u.source, u.quantity) for u in ups]
        win = min(ups, key=lambda u: u.quantity.value)
        upper, upper_source, points = win.quantity, win.source, win.points
    if best.quantity.mp is not None and upper.mp is not None and best.quantity.mp > upper.mp:
        raise ValueError(  # pragma: no cover - would mean a wrong bound
            f"internal: lower bound {best.quantity.mp} exceeds upper bound {upper.mp}"
        )
    lo = best.quantity.mp if best.quantity.mp is not None else mpmath.mpf(best.quantity.value)
    hi = upper.mp if upper.mp is not None else mpmath.mpf(upper.value)
    gap = float(hi / lo) if lo > 0 else math.inf
    return LambdaBracket(
        kernel_name=name,
        N=N,
        delta=delta,
        D=D,
        lower=best.quantity,
        lower_source=best.source,
        upper=upper,
        upper_source=upper_source,
        gap=gap,
        seconds=time.perf_counter() - t0,
        upper_points=points,
        candidates=tuple(cands),
    )
