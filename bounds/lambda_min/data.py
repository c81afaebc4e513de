"""λ_min of the user's own points: a verified lower enclosure, the plain float value, and the
data-dependent Gershgorin bound along the flow (SPEC §4.3 and §5).

Docs: ``docs/lambda_data.rst`` (the rounding-error analysis, constants and references).

* :func:`lambda_min_verified` — ``λ_min(K_X) ≥ μ − θ`` certified by a floating-point Cholesky
  factorisation of ``K̃ − μI`` (Demmel 1989; Higham, *Accuracy and Stability of Numerical
  Algorithms*, 2nd ed., Thm 10.3; Rump, "Verification of positive definiteness", BIT 46, 2006),
  with the error of the computed kernel entries themselves added.  Kind: rigorous.
* :func:`lambda_min_numerical` — the LAPACK eigenvalue, no certificate.  Kind: numerical.
* :func:`data_gershgorin_bound` — ``1 − max_i Σ_{j≠i} K(s‖x_i − x_j‖)``, valid along the whole
  flow for ``s = e^{−c1 R}`` (SPEC §5).  Kind: rigorous.

>>> import numpy as np
>>> from bounds.kernels import Matern
>>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.5]])
>>> v = lambda_min_verified(Matern("5/2"), X)
>>> n = lambda_min_numerical(Matern("5/2"), X)
>>> v.kind, v.value <= n.value, abs(v.value - n.value) < 1e-13
('rigorous', True, True)
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import scipy.linalg

from bounds._core.rounding import ENCLOSURE_DPS, gamma_k, round_down, round_up
from bounds._core.rounding import UNIT_ROUNDOFF as _U
from bounds._core.separation import as_point_set, separation
from bounds._core.validate import require_positive
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.kernels.profile import require_radial_kernel
from bounds.result import Quantity

__all__ = [
    "gram_from_differences",
    "entry_error_bound",
    "lambda_min_numerical",
    "lambda_min_verified",
    "lambda_min_upper_verified",
    "data_gershgorin_bound",
]

#: sup_r |r K'(r)| ≤ 2/e for every Gaussian scale mixture K(r) = ∫ e^{-a r²} dμ(a) (Matérn,
#: Gaussian): |r K'(r)| = ∫ 2a r² e^{-a r²} dμ(a) and x e^{-x} ≤ 1/e.  Rounded up.
_SUP_R_DK = 0.7358
_REFERENCE = "docs/lambda_data.rst"


def _kernel_name(kernel: object) -> str:
    return getattr(kernel, "name", type(kernel).__name__)


def gram_from_differences(kernel: object, X: np.ndarray) -> np.ndarray:
    """``K̃_X = (K(fl(x_i − x_j)))_{ij}`` from coordinate differences (unit diagonal exactly for
    radial kernels)."""
    Z = X[:, None, :] - X[None, :, :]
    G = np.asarray(kernel(Z), dtype=float)
    G = 0.5 * (G + G.T)
    return G


def entry_error_bound(kernel: object, X: np.ndarray) -> float:
    """A bound on ``max_{i≠j} |K̃_ij − K(x_i − x_j)|`` for :func:`gram_from_differences`.

    Radial kernels: ``fl(x_i − x_j)`` has componentwise relative error ``≤ u`` and the norm adds
    ``≤ (D/2 + 1)u``, so ``|r̃ − r| ≤ (D + 3) u r``; with ``|r K'(r)| ≤ 2/e`` (Gaussian scale
    mixtures) this moves ``K`` by ``≤ 0.736 (D + 4) u``; the profile's own evaluation error is at
    most ``16 u`` for the closed forms (Matérn ν ∈ {1/2, 3/2, 5/2}, Gaussian) and ``1e-13`` for the
    Bessel form (stated margins, tested against mpmath in ``tests/bounds/lambda_min/test_data.py``).
    Random Fourier kernels: the phase ``ω·z`` has absolute error ``≤ (D + 3) u ‖ω‖ ‖z‖``, cosine
    and the mean of ``q`` terms add ``(q + 8) u``.
    """
    D = X.shape[1]
    if isinstance(kernel, RandomFourierKernel):
        extent = float(np.max(np.linalg.norm(X - X.mean(axis=0), axis=1))) * 2.0
        wmax = float(np.max(np.linalg.norm(kernel.omega, axis=1)))
        return 2.0 * _U * ((D + 3) * wmax * extent + kernel.q + 8)
    kernel = require_radial_kernel(kernel, "verified lambda_min")
    closed = isinstance(kernel, Gaussian) or kernel._closed_form() is not None
    eval_err = 16 * _U if closed else 1e-13
    return 1.01 * (_SUP_R_DK * (D + 4) * _U) + eval_err


def _check_kernel(kernel: object) -> None:
    if not isinstance(kernel, (Matern, Gaussian, RandomFourierKernel)):
        raise ValueError(
            f"kernel must be a Matern, Gaussian or RandomFourierKernel (their entry errors are "
            f"analysed), got {_kernel_name(kernel)}"
        )


def lambda_min_numerical(kernel: object, X: object) -> Quantity:
    """The float ``λ_min(K_X)`` of the user's points (LAPACK ``eigvalsh``), no certificate.

    Formula: smallest eigenvalue of ``K_X = (K(x_i − x_j))``.  Docs: ``docs/lambda_data.rst``.
    Hypotheses: ``X`` distinct points.  Kind: numerical (backward-stable, error ``≈ N u``,
    sign unknown).
    """
    _check_kernel(kernel)
    P = as_point_set(X)
    separation(P)  # duplicate points: clear error
    lam = float(np.linalg.eigvalsh(gram_from_differences(kernel, P))[0])
    return Quantity(
        name="lambda_min",
        value=lam,
        kind="numerical",
        formula="lambda_min(K_X) by LAPACK eigvalsh",
        reference=_REFERENCE,
        hypotheses=(f"{P.shape[0]} distinct points in R^{P.shape[1]}", _kernel_name(kernel)),
    )


def _cholesky_ok(B: np.ndarray) -> bool:
    try:
        scipy.linalg.cholesky(B, lower=False, check_finite=False)
    except np.linalg.LinAlgError:
        return False
    return True


def lambda_min_verified(kernel: object, X: object) -> Quantity:
    """A verified lower bound on ``λ_min(K_X)`` (the exact Gram matrix of the given points).

    Formula: pick ``μ`` just below the computed ``λ_min``; if the floating-point Cholesky of
    ``B = fl(K̃ − μI)`` runs to completion, then ``B + ΔB = R̃ᵀR̃ ⪰ 0`` with
    ``‖ΔB‖₂ ≤ γ_{N+1}/(1 − γ_{N+1}) · tr(B)`` (Demmel 1989; Higham Thm 10.3; Rump 2006), so

    ``λ_min(K_X) ≥ μ − γ_{N+1}/(1 − γ_{N+1}) tr(B) − u|1 − μ| − (N − 1) ε``,

    ``γ_k = k u/(1 − k u)``, ``u = 2⁻⁵³``, ``ε`` = :func:`entry_error_bound` (``‖ΔK‖₂ ≤ (N−1) ε``
    since the diagonal is exact), evaluated in mpmath and rounded down; ``0`` (Gram matrices are
    PSD) if no ``μ > 0`` is certified.  Docs: ``docs/lambda_data.rst#verified-lambda-min``.
    Hypotheses: IEEE double arithmetic with round-to-nearest, no underflow; LAPACK ``potrf`` uses
    conventional (non-Strassen) products, so the inner-product error analysis applies.
    Kind: rigorous.
    """
    _check_kernel(kernel)
    P = as_point_set(X)
    separation(P)
    N = P.shape[0]
    G = gram_from_differences(kernel, P)
    lam_hat = float(np.linalg.eigvalsh(G)[0])
    eps = entry_error_bound(kernel, P)
    g = gamma_k(N + 1)
    theta_est = g / (1 - g) * N * (1 + abs(lam_hat)) + (N - 1) * eps
    best = mpmath.mpf(0)
    mu_used = None
    if lam_hat > 0:
        for factor in (2.0, 8.0, 64.0, 1e3, 1e5, 1e8):
            mu = lam_hat - factor * theta_est
            if mu <= 0:
                break
            B = G.copy()
            B[np.diag_indices(N)] = G.diagonal() - mu  # fl(K̃_ii − μ)
            if not _cholesky_ok(B):
                continue
            with mpmath.workdps(ENCLOSURE_DPS):
                trace = mpmath.fsum(mpmath.mpf(float(b)) for b in B.diagonal())
                gm = mpmath.mpf(g)
                low = (
                    mpmath.mpf(mu)
                    - gm / (1 - gm) * trace
                    - mpmath.mpf(_U) * abs(1 - mpmath.mpf(mu))
                    - (N - 1) * mpmath.mpf(eps)
                )
            if low > best:
                best, mu_used = low, mu
            break
    value = round_down(best)
    return Quantity(
        name="lambda_min_verified",
        value=value,
        kind="rigorous",
        formula="mu - gamma_{N+1}/(1-gamma_{N+1}) tr(fl(K~ - mu I)) - u|1-mu| - (N-1) eps, "
        "certified by a floating-point Cholesky of K~ - mu I",
        reference=_REFERENCE + "#verified-lambda-min",
        hypotheses=(
            f"{N} distinct points in R^{P.shape[1]}",
            _kernel_name(kernel),
            "IEEE double, round to nearest, conventional LAPACK potrf",
            f"entry error eps = {eps:.3g}, mu = {mu_used!r}",
        ),
        mp=best,
        dps=ENCLOSURE_DPS,
    )


def data_gershgorin_bound(kernel: Matern | Gaussian, X: object, shrink: float = 1.0) -> Quantity:
    """Data-dependent Gershgorin bound ``1 − max_i Σ_{j≠i} K(s ‖x_i − x_j‖)`` (SPEC §5).

    Formula: if every pairwise distance of ``X(t)`` is at least ``s`` times the one of ``X``
    (along a flow with ``‖v‖_H ≤ R``, ``s = e^{−c1 R}``), then for a radial nonincreasing ``K ≥ 0``
    ``K(x_i(t) − x_j(t)) ≤ K(s‖x_i − x_j‖)`` and Gershgorin gives
    ``λ_min(K_{X(t)}) ≥ max(0, 1 − max_i Σ_{j≠i} K(s‖x_i − x_j‖))``.  Rounding: the row sums are
    rounded up by ``(N − 1)ε`` (:func:`entry_error_bound`, plus ``u`` for the product ``s r``)
    and a factor ``1 + (N + 2)u``.  Docs: ``docs/lambda_data.rst#gershgorin-along-the-flow``.
    Hypotheses: ``K`` Matérn or Gaussian; ``0 < s ≤ 1``; distances shrink at most by ``s``.
    Kind: rigorous.
    """
    kernel = require_radial_kernel(kernel, "data-dependent Gershgorin bound")
    s = require_positive("shrink", shrink)
    if s > 1:
        raise ValueError(f"shrink must be in (0, 1] (e.g. exp(-c1 R)), got {shrink!r}")
    P = as_point_set(X)
    separation(P)
    N, D = P.shape
    Z = P[:, None, :] - P[None, :, :]
    r = np.sqrt(np.sum(Z**2, axis=-1)) * s
    G = kernel.profile(r)
    np.fill_diagonal(G, 0.0)
    eps = entry_error_bound(kernel, P) + _SUP_R_DK * 2 * _U
    rows = np.array([math.fsum(row) for row in G.tolist()])
    worst = float(np.max(rows))
    with mpmath.workdps(ENCLOSURE_DPS):
        up = (mpmath.mpf(worst) + (N - 1) * mpmath.mpf(eps)) * (1 + (N + 2) * mpmath.mpf(_U))
        low = max(mpmath.mpf(0), 1 - up)
    return Quantity(
        name="lambda_lower_data_gershgorin",
        value=round_down(low),
        kind="rigorous",
        formula="max(0, 1 - max_i sum_{j != i} K(s |x_i - x_j|))",
        reference=_REFERENCE + "#gershgorin-along-the-flow",
        hypotheses=(
            f"{kernel.name}: K >= 0 radial and nonincreasing",
            f"pairwise distances shrink at most by s = {s!r} (s = exp(-c1 R) along the flow)",
        ),
        mp=low,
        dps=ENCLOSURE_DPS,
    )


def lambda_min_upper_verified(kernel: object, X: object) -> Quantity:
    """A verified *upper* bound on ``λ_min(K_X)``: a Rayleigh quotient with rounding bounds.

    Formula: for any ``v ≠ 0``, ``λ_min(K_X) ≤ vᵀK_Xv / vᵀv``.  With ``v`` the computed eigenvector,
    ``|fl(vᵀK̃v) − vᵀK̃v| ≤ γ_{2N} |v|ᵀ|K̃||v|``, ``|fl(vᵀv) − vᵀv| ≤ γ_N vᵀv`` (Higham §3.1) and
    ``|vᵀ(K_X − K̃)v| ≤ (N − 1) ε ‖v‖²`` (:func:`entry_error_bound`), so

    ``λ_min(K_X) ≤ [fl(vᵀK̃v) + γ_{2N}(1+γ_{2N}) fl(|v|ᵀ|K̃||v|) + (N−1)ε (1+γ_N) fl(vᵀv)] / ((1−γ_N) fl(vᵀv))``,

    combined in mpmath and rounded up.  Used by the upper bounds of ``docs/lambda_upper.rst``: a
    δ-separated configuration with ``#X ≤ N`` gives ``λ_N(δ) ≤`` this number.
    Docs: ``docs/lambda_data.rst#verified-upper-bound``.  Hypotheses: IEEE double, round to
    nearest.  Kind: rigorous.
    """
    _check_kernel(kernel)
    P = as_point_set(X)
    separation(P)
    N = P.shape[0]
    G = gram_from_differences(kernel, P)
    w, V = np.linalg.eigh(G)
    v = V[:, 0]
    eps = entry_error_bound(kernel, P)
    quad = float(v @ (G @ v))
    absq = float(np.abs(v) @ (np.abs(G) @ np.abs(v)))
    nv = float(v @ v)
    g2, g1 = gamma_k(2 * N), gamma_k(N)
    with mpmath.workdps(ENCLOSURE_DPS):
        num = (
            mpmath.mpf(quad)
            + mpmath.mpf(g2) * (1 + mpmath.mpf(g2)) * mpmath.mpf(absq)
            + (N - 1) * mpmath.mpf(eps) * (1 + mpmath.mpf(g1)) * mpmath.mpf(nv)
        )
        up = num / ((1 - mpmath.mpf(g1)) * mpmath.mpf(nv))
    return Quantity(
        name="lambda_min_upper_verified",
        value=round_up(up),
        kind="rigorous",
        formula="Rayleigh quotient v^T K_X v / v^T v of the computed eigenvector, rounding bounded",
        reference=_REFERENCE + "#verified-upper-bound",
        hypotheses=(f"{N} distinct points in R^{P.shape[1]}", _kernel_name(kernel), "IEEE double, round to nearest"),
        mp=up,
        dps=ENCLOSURE_DPS,
    )
