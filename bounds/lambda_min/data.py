"""λ_min of the user's own points: a verified lower enclosure, the plain float value, and the
data-dependent Gershgorin bound along the flow (docs/lambda_data.rst, docs/pl.rst).

Docs: ``docs/lambda_data.rst`` (the rounding-error analysis, constants and references).

* :func:`lambda_min_verified` — for up to 32 points (radial kernels) a ball-arithmetic (Arb)
  Cholesky certificate on the exact Gram matrix; otherwise ``λ_min(K_X) ≥ μ − θ`` certified by a
  floating-point Cholesky factorisation of ``K̃ − μI`` (Demmel 1989; Higham, *Accuracy and
  Stability of Numerical Algorithms*, 2nd ed., Thm 10.3; Rump, "Verification of positive
  definiteness", BIT 46, 2006), with the proven error of the kernel entries themselves added
  (:func:`entry_error_bound`).  Kind: rigorous.
* :func:`lambda_min_numerical` — the LAPACK eigenvalue, no certificate.  Kind: numerical.
* :func:`data_gershgorin_bound` — ``1 − max_i Σ_{j≠i} K(s‖x_i − x_j‖)``, valid along the whole
  flow for ``s = e^{−c1 R}`` (docs/pl.rst).  Kind: rigorous.

>>> import numpy as np
>>> from bounds.kernels import Matern
>>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.5]])
>>> v = lambda_min_verified(Matern("5/2"), X)
>>> n = lambda_min_numerical(Matern("5/2"), X)
>>> v.kind, v.value <= n.value, abs(v.value - n.value) < 1e-13
('rigorous', True, True)
"""

from __future__ import annotations

from typing import Literal

import mpmath
import numpy as np
import scipy.linalg
from flint import acb_mat, arb, arb_mat, ctx

from bounds._core.ball import positive_definite, to_mpf, upper_float
from bounds._core.rounding import ENCLOSURE_DPS, gamma_k, round_down, round_up
from bounds._core.rounding import UNIT_ROUNDOFF as _U
from bounds._core.separation import as_point_set, separation
from bounds._core.validate import require_positive
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.kernels.profile import profile_error_bound, proven_profile, require_radial_kernel
from bounds.kernels.profile_ball import profile_ball
from bounds.lambda_min.cholesky import blocked_cholesky_in_place
from bounds.lambda_min.pairs import (
    BlockMap,
    Progress,
    distinct_separation,
    exact_row_sum_max,
    exact_sums_apply,
    pair_histogram,
    points_key,
)
from bounds.result import Quantity

__all__ = [
    "DENSE_MAX_N",
    "check_dense_size",
    "gram_from_differences",
    "verified_gram",
    "gram_blocks",
    "entry_error_bound",
    "BALL_MAX_N",
    "lambda_min_numerical",
    "lambda_min_verified",
    "lambda_min_upper_verified",
    "data_gershgorin_bound",
]

#: sup_r |r K'(r)| ≤ 2/e for every Gaussian scale mixture K(r) = ∫ e^{-a r²} dμ(a) (Matérn,
#: Gaussian): |r K'(r)| = ∫ 2a r² e^{-a r²} dμ(a) and x e^{-x} ≤ 1/e.  Rounded up.
_SUP_R_DK = 0.7358
_REFERENCE = "docs/lambda_data.rst"
#: Up to this many points (radial kernels) ``method="auto"`` certifies λ_min by a ball Cholesky of
#: the exact Gram matrix (0.05–0.3 s at N = 32 on this machine, benchmarks/rigor) instead of the
#: float Cholesky certificate.
BALL_MAX_N = 32
Method = Literal["auto", "ball", "float"]


def _kernel_name(kernel: object) -> str:
    return getattr(kernel, "name", type(kernel).__name__)


#: Largest N for the dense N × N routes (Gram matrix, eigenvalues, the verified Cholesky):
#: 8 N² bytes = 3.2 GB at the limit; above it the streaming Gershgorin bound.
DENSE_MAX_N = 20_000
#: Up to this N the eigenvalue behind the shift μ is LAPACK's ``eigvalsh`` (O(N³), robust); above it
#: a Lanczos estimate (``eigsh``), whose Ritz value is then backed off until the Cholesky succeeds.
_EIGVALSH_MAX_N = 500


def check_dense_size(N: int, what: str) -> None:
    """Refuse a dense ``N × N`` route above :data:`DENSE_MAX_N` (one line: the limit, the way around)."""
    if N > DENSE_MAX_N:
        raise ValueError(
            f"{what} works on the dense N x N Gram matrix (8 N^2 bytes, 3.2 GB at the limit N = {DENSE_MAX_N}): "
            f"got N = {N} points; for more points use data_gershgorin_bound, a rigorous lower bound from one "
            "streaming pass over the pairs"
        )


def _gram_block(kernel: object, P: np.ndarray, start: int, stop: int, proven: bool) -> np.ndarray:
    """Rows ``start:stop`` of ``K̃``: ``K(fl(x_i − x_j))`` from coordinate differences; ``proven``:
    radial profiles by :func:`bounds.kernels.profile.proven_profile` (within
    :func:`entry_error_bound`), else the kernel's own float profile."""
    if isinstance(kernel, RandomFourierKernel):
        return np.asarray(kernel(P[start:stop, None, :] - P[None, :, :]), dtype=float)
    XT = np.ascontiguousarray(P.T)
    s = np.zeros((stop - start, P.shape[0]))
    for c in range(XT.shape[0]):
        z = XT[c, start:stop, None] - XT[c, None, :]
        s += z * z
    radial = require_radial_kernel(kernel, "Gram matrix")
    r = np.sqrt(s)
    return proven_profile(radial, r) if proven else np.asarray(radial.profile(r), dtype=float)


def _gram_rows(kernel: object, N: int, D: int) -> int:
    """Rows per block of :func:`gram_from_differences`: about ``2·10⁶`` intermediate entries."""
    width = D + (kernel.q if isinstance(kernel, RandomFourierKernel) else 1)
    return max(1, 2_000_000 // max(N * width, 1))


def gram_blocks(kernel: object, N: int, D: int) -> int:
    """Number of row blocks (progress calls) of :func:`gram_from_differences` for ``N`` points in ``R^D``."""
    return -(-N // _gram_rows(kernel, N, D))


def gram_from_differences(kernel: object, X: np.ndarray, *, progress: Progress | None = None,
                          out: np.ndarray | None = None, proven: bool = False) -> np.ndarray:
    """``K̃_X = (K(fl(x_i − x_j)))_{ij}`` from coordinate differences, built by blocks of rows
    (memory ``8 N²`` bytes plus a block; never ``N × N × D``).  Exactly symmetric: the upper
    triangle of each block is mirrored (unit diagonal exactly for radial kernels).  ``out``: an
    ``N × N`` C-contiguous array to fill instead of a new one; ``proven``: see :func:`verified_gram`.

    Raises
    ------
    ValueError
        ``N > DENSE_MAX_N`` (:func:`check_dense_size`).
    """
    P = np.asarray(X, dtype=float)
    N = P.shape[0]
    check_dense_size(N, "the Gram matrix")
    rows = _gram_rows(kernel, N, P.shape[1])
    G = out if out is not None and out.shape == (N, N) and out.flags.c_contiguous else np.empty((N, N))
    blocks = list(range(0, N, rows))
    for done, a in enumerate(blocks, start=1):
        b = min(a + rows, N)
        blk = _gram_block(kernel, P, a, b, proven)[:, a:]
        diag = blk[:, : b - a]
        blk[:, : b - a] = np.triu(diag) + np.triu(diag, 1).T  # the upper triangle mirrored: exact symmetry
        G[a:b, a:] = blk
        G[a:, a:b] = blk.T
        if progress is not None:
            progress(done, len(blocks))
    return G


def verified_gram(kernel: object, X: np.ndarray, *, progress: Progress | None = None,
                  out: np.ndarray | None = None) -> np.ndarray:
    """``K̃_X`` whose off-diagonal entries are within :func:`entry_error_bound` of the exact
    ``K(x_i − x_j)`` (the diagonal is exactly 1).

    Radial kernels: :func:`bounds.kernels.profile.proven_profile` of the float distances
    ``‖fl(x_i − x_j)‖`` (float closed forms where proven, Arb balls otherwise); random-feature
    kernels: their float evaluation.  Built by blocks as :func:`gram_from_differences`.
    """
    return gram_from_differences(kernel, X, progress=progress, out=out, proven=True)


def entry_error_bound(kernel: object, X: np.ndarray) -> float:
    """A bound on ``max_{i≠j} |K̃_ij − K(x_i − x_j)|`` for :func:`verified_gram`.

    Formula
    -------
    Radial kernels: ``fl(x_i − x_j)`` has componentwise relative error ``≤ u`` and the norm adds
    ``≤ (D/2 + 1)u``, so ``|r̃ − r| ≤ γ_{D+3} r``; with ``sup |r K'(r)| ≤ 2/e`` (Gaussian scale
    mixtures) this moves ``K`` by ``≤ 1.01 · 0.7358 γ_{D+3}``; the profile's own evaluation error
    at ``r̃`` is :func:`bounds.kernels.profile.profile_error_bound` (derived float margins for the
    Gaussian and ν = p + 1/2, ``p ≤ 50``; the Arb ball otherwise):
    ``ε = 1.01 · 0.7358 γ_{D+3} + profile error``.
    Random Fourier kernels: the phase ``ω·z`` has absolute error ``≤ (D + 3) u ‖ω‖ ‖z‖``, cosine
    and the mean of ``q`` terms add ``(q + 8) u``:
    ``ε = 2u ((D + 3) max‖ω‖ · 2 max_i ‖x_i − x̄‖ + q + 8)``.

    Kind
    ----
    rigorous (tested against Arb in ``tests/bounds/lambda_min/test_data_oracle.py``).

    Hypotheses
    ----------
    IEEE double arithmetic, round to nearest; a Matérn, Gaussian or random-feature kernel.

    References
    ----------
    docs/lambda_data.rst#kernel-entries
    """
    D = X.shape[1]
    if isinstance(kernel, RandomFourierKernel):
        extent = float(np.max(np.linalg.norm(X - X.mean(axis=0), axis=1))) * 2.0
        wmax = float(np.max(np.linalg.norm(kernel.omega, axis=1)))
        return 2.0 * _U * ((D + 3) * wmax * extent + kernel.q + 8)
    kernel = require_radial_kernel(kernel, "verified lambda_min")
    return 1.01 * _SUP_R_DK * gamma_k(D + 3) + profile_error_bound(kernel)


def _check_kernel(kernel: object) -> None:
    if not isinstance(kernel, (Matern, Gaussian, RandomFourierKernel)):
        raise ValueError(
            f"kernel must be a Matern, Gaussian or RandomFourierKernel (their entry errors are "
            f"analysed), got {_kernel_name(kernel)}"
        )


def lambda_min_numerical(kernel: object, X: object) -> Quantity:
    """The float ``λ_min(K_X)`` of the user's points (LAPACK ``eigvalsh``), no certificate.

    Raises
    ------
    ValueError
        Duplicate points or an unsupported kernel.

    Formula
    -------
    smallest eigenvalue of ``K_X = (K(x_i − x_j))``.

    Kind
    ----
    numerical (backward-stable, error ``≈ N u``, sign unknown).

    Hypotheses
    ----------
    ``X`` distinct points.

    References
    ----------
    docs/lambda_data.rst
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


#: Up to this N the shifted matrix of each Cholesky attempt is a copy; above it the Gram matrix is
#: shifted and factorised in place (one ``8 N²`` array) and rebuilt after a failed attempt.
_COPY_MAX_N = 5000


def _cholesky_ok(B: np.ndarray, in_place: bool = False) -> bool:
    """Does the floating-point Cholesky factorisation of ``B`` run to completion?  In place: the
    blocked factorisation of :mod:`bounds.lambda_min.cholesky` on the array itself (overwritten)."""
    if in_place:
        return blocked_cholesky_in_place(B)
    try:
        scipy.linalg.cholesky(B, lower=False, check_finite=False)
    except np.linalg.LinAlgError:
        return False
    return True


def _lambda_estimate(G: np.ndarray) -> tuple[float, bool]:
    """``(λ̂, lanczos)``: LAPACK's smallest eigenvalue up to ``_EIGVALSH_MAX_N``, else a Lanczos Ritz
    value (``eigsh``, a fixed start vector: deterministic), which may sit above ``λ_min``."""
    N = G.shape[0]
    if N <= _EIGVALSH_MAX_N:
        return float(np.linalg.eigvalsh(G)[0]), False
    from scipy.sparse.linalg import ArpackNoConvergence, eigsh  # noqa: PLC0415

    v0 = np.random.default_rng(0).standard_normal(N)
    try:
        return float(eigsh(G, k=1, which="SA", v0=v0, tol=1e-10, return_eigenvectors=False)[0]), True
    except ArpackNoConvergence as exc:  # the Ritz value reached, if any; else nothing to certify (0)
        return (float(np.min(exc.eigenvalues)) if len(exc.eigenvalues) else 0.0), True


def _shifts(lam_hat: float, theta_est: float, lanczos: bool) -> list[float]:
    """Shifts ``μ`` to try, from just below ``λ̂`` down: the rounding level ``θ`` times 2 … 10⁸ and,
    after a Lanczos estimate, relative back-offs (its Ritz value may miss ``λ_min`` by more)."""
    mus = [lam_hat - f * theta_est for f in (2.0, 8.0, 64.0, 1e3, 1e5, 1e8)]
    if lanczos:
        mus += [lam_hat * (1 - r) for r in (1e-4, 1e-2, 0.1, 0.5)]
    out: list[float] = []
    for mu in mus:
        if mu <= 0:
            break
        if not out or mu < out[-1]:
            out.append(mu)
    return out


def _ball_gram(kernel: Matern | Gaussian, P: np.ndarray) -> arb_mat:
    """The exact Gram matrix of the float points ``P`` as Arb balls (current precision)."""
    N = P.shape[0]
    rows = [[arb(1) for _ in range(N)] for _ in range(N)]
    for i in range(N):
        for j in range(i + 1, N):
            r = sum(((arb(float(a)) - arb(float(b))) ** 2 for a, b in zip(P[i], P[j], strict=True)), arb(0)).sqrt()
            rows[i][j] = rows[j][i] = profile_ball(kernel, r)
    return arb_mat(rows)


def _ball_bounds(K: arb_mat, bits: int) -> tuple[arb, arb]:
    """``(μ, ρ)`` with ``μ < λ_min(K) ≤ ρ`` proven (``μ = 0`` if not certified): ``μ`` just below an
    approximate eigenvalue (Arb's ``eig(algorithm="approx")``), certified by a ball Cholesky of
    ``K − μI``; ``ρ`` the ball Rayleigh quotient of the approximate eigenvector."""
    values, vectors = acb_mat(K.mid()).eig(algorithm="approx", right=True)
    i = min(range(len(values)), key=lambda k: values[k].real.mid())  # exact midpoints: compared exactly, not as floats
    v = [vectors[k, i].real.mid() for k in range(K.nrows())]
    n = len(v)
    Kv = [sum((K[a, b] * v[b] for b in range(n)), arb(0)) for a in range(n)]
    rho = sum((v[a] * Kv[a] for a in range(n)), arb(0)) / sum((x * x for x in v), arb(0))
    lam = values[i].real.mid()
    radius = max((K[a, b].rad() for a in range(n) for b in range(n)), key=float)
    # Below λ̂ by its approximation error, the Weyl shift n·(entry radius) and a relative 2⁻⁶⁰ that
    # absorbs the growth of the ball radii inside the Cholesky (far below one double ulp).
    mu = (lam - (abs(lam) + n * n) * arb(2) ** (8 - bits) - 4 * n * radius - abs(lam) * arb(2) ** -60).mid()
    if mu > 0 and positive_definite(K, mu):
        return mu, rho
    return arb(0), rho


def _ball_lambda_min(kernel: object, P: np.ndarray) -> tuple[mpmath.mpf, float, int]:
    """``(lower, upper, bits)`` enclosing ``λ_min(K_X)`` of the exact Gram matrix in ball
    arithmetic (:func:`_ball_bounds`), at 128, 256, … bits until the relative width is
    ``≤ 2⁻⁴⁰`` (or 2048 bits)."""
    kernel = require_radial_kernel(kernel, "ball-arithmetic lambda_min")
    for bits in (128, 256, 512, 1024, 2048):
        with ctx.workprec(bits):
            mu, rho = _ball_bounds(_ball_gram(kernel, P), bits)
            lo, hi = to_mpf(mu), upper_float(rho)
        if lo > 0 and hi - lo <= 2.0**-40 * hi:
            break
    return lo, hi, bits


def _float_lambda_min(kernel: object, P: np.ndarray,
                      progress: Progress | None) -> tuple[mpmath.mpf, float | None, float, bool]:
    """``(bound, μ, ε, in_place)`` of the float Cholesky certificate (:func:`lambda_min_verified`)."""
    N = P.shape[0]
    G = verified_gram(kernel, P, progress=progress)
    lam_hat, lanczos = _lambda_estimate(G)
    eps = entry_error_bound(kernel, P)
    g = gamma_k(N + 1)
    theta_est = g / (1 - g) * N * (1 + abs(lam_hat)) + (N - 1) * eps
    in_place = N > _COPY_MAX_N
    for attempt, mu in enumerate(_shifts(lam_hat, theta_est, lanczos) if lam_hat > 0 else []):
        if in_place and attempt > 0:  # the failed attempt overwrote K̃: build it again, in the same array
            G = verified_gram(kernel, P, out=G)
        bdiag = G.diagonal() - mu  # fl(K̃_ii − μ)
        B = G if in_place else G.copy()
        B[np.diag_indices(N)] = bdiag
        if not _cholesky_ok(B, in_place):
            continue
        with mpmath.workdps(ENCLOSURE_DPS):
            trace = mpmath.fsum(mpmath.mpf(float(b)) for b in bdiag)
            gm = mpmath.mpf(g)
            shift = mpmath.mpf(_U) * abs(1 - mpmath.mpf(mu))
            low = mpmath.mpf(mu) - gm / (1 - gm) * trace - shift - (N - 1) * mpmath.mpf(eps)
        return max(low, mpmath.mpf(0)), mu, eps, in_place
    return mpmath.mpf(0), None, eps, in_place


def _use_ball(kernel: object, N: int, method: str) -> bool:
    if method not in ("auto", "ball", "float"):
        raise ValueError(f"method must be 'auto', 'ball' or 'float', got {method!r}")
    radial = isinstance(kernel, (Matern, Gaussian))
    if method == "ball" and not radial:
        raise ValueError(f"method='ball' needs a Matern or Gaussian kernel, got {_kernel_name(kernel)}")
    return method == "ball" or (method == "auto" and radial and N <= BALL_MAX_N)


def lambda_min_verified(kernel: object, X: object, *, method: Method = "auto",
                        progress: Progress | None = None) -> Quantity:
    """A verified lower bound on ``λ_min(K_X)`` (the exact Gram matrix of the given points).

    ``K̃`` is built by blocks of rows (``progress(done, total)`` per block); above ``N = 500`` the
    estimate behind ``μ`` is a Lanczos value and above ``N = 5000`` the factorisation is blocked
    and in place (:mod:`bounds.lambda_min.cholesky`: one ``8 N²``-byte array; the same bound holds,
    it does for any order of the inner products).

    Raises
    ------
    ValueError
        Duplicate points, an unsupported kernel or ``method``, ``N >`` :data:`DENSE_MAX_N` (float
        route), or (Matérn ν without a proven float formula) more ball evaluations than
        :data:`bounds.kernels.profile_ball.MAX_BALL_EVALUATIONS`.

    Formula
    -------
    ``method="ball"`` (the default for radial kernels and ``N ≤`` :data:`BALL_MAX_N`):
    the Gram matrix of the float coordinates is formed in ball arithmetic (Arb), ``μ`` is put just
    below an approximate eigenvalue and ``K_X − μI ≻ 0`` is proven by a ball Cholesky
    factorisation (every pivot certainly positive), at 128, 256, … bits until ``μ`` is within
    ``2⁻⁴⁰`` relative of the ball Rayleigh quotient above; ``μ`` rounded down (0 if never certified).
    ``method="float"``: pick ``μ`` just below the computed ``λ_min``; if the floating-point
    Cholesky of ``B = fl(K̃ − μI)`` runs to completion, then ``B + ΔB = R̃ᵀR̃ ⪰ 0`` with
    ``‖ΔB‖₂ ≤ γ_{N+1}/(1 − γ_{N+1}) · tr(B)`` (Demmel 1989; Higham Thm 10.3; Rump 2006), so

    ``λ_min(K_X) ≥ μ − γ_{N+1}/(1 − γ_{N+1}) tr(B) − u|1 − μ| − (N − 1) ε``,

    ``γ_k = k u/(1 − k u)``, ``u = 2⁻⁵³``, ``K̃`` = :func:`verified_gram`, ``ε`` =
    :func:`entry_error_bound` (``‖ΔK‖₂ ≤ (N−1) ε`` since the diagonal is exact), evaluated in
    mpmath and rounded down; ``0`` (Gram matrices are PSD) if no ``μ > 0`` is certified.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    (float) IEEE double arithmetic with round-to-nearest, no underflow; LAPACK ``potrf`` uses
    conventional (non-Strassen) products, so the inner-product error analysis applies.

    References
    ----------
    docs/lambda_data.rst#verified-lambda-min; docs/theory.rst#lambda-verified; Higham, *Accuracy and Stability
    of Numerical Algorithms*, 2nd ed., Thm 10.3; Demmel (1989); Rump, BIT 46 (2006) (module docstring).
    """
    _check_kernel(kernel)
    P = as_point_set(X)
    separation(P)
    N = P.shape[0]
    check_dense_size(N, "the verified lambda_min")
    if _use_ball(kernel, N, method):
        lo, _, bits = _ball_lambda_min(kernel, P)
        best = max(lo, mpmath.mpf(0))
        formula = "lower end of the ball enclosure of lambda_min(K_X): ball Cholesky of K_X - mu I (exact Gram matrix)"
        how = ("exact Gram matrix of the float coordinates in Arb ball arithmetic", f"{bits} bits")
        dps = int(bits * 0.30103)
    else:
        best, mu_used, eps, in_place = _float_lambda_min(kernel, P, progress)
        formula = (
            "mu - gamma_{N+1}/(1-gamma_{N+1}) tr(fl(K~ - mu I)) - u|1-mu| - (N-1) eps, "
            "certified by a floating-point Cholesky of K~ - mu I"
        )
        how = (
            "IEEE double, round to nearest, conventional LAPACK potrf"
            + (" on diagonal blocks of the blocked in-place Cholesky" if in_place else ""),
            f"entry error eps = {eps:.3g}, mu = {mu_used!r}",
        )
        dps = ENCLOSURE_DPS
    return Quantity(
        name="lambda_min_verified",
        value=round_down(best),
        kind="rigorous",
        formula=formula,
        reference=_REFERENCE + "#verified-lambda-min",
        hypotheses=(f"{N} distinct points in R^{P.shape[1]}", _kernel_name(kernel), *how),
        mp=best,
        dps=dps,
    )


def data_gershgorin_bound(
    kernel: Matern | Gaussian, X: object, shrink: float = 1.0, *, scale: float = 1.0, method: str = "auto",
    block_map: BlockMap | None = None, progress: Progress | None = None,
) -> Quantity:
    """Data-dependent Gershgorin bound ``1 − max_i Σ_{j≠i} K(s σ ‖x_i − x_j‖)`` (docs/pl.rst).

    Parameters
    ----------
    kernel
        Matérn or Gaussian (``K ≥ 0`` radially nonincreasing).
    X
        The points (``N × D``, distinct).
    shrink
        ``s ∈ (0, 1]``: distances shrink at most by ``s`` along the flow (``s = e^{−c1 R}``).
    scale
        ``σ > 0``: the points the kernel sees are at distances ``≥ σ ‖x_i − x_j‖`` (a lower bound
        of ``σ_min(A)`` when ``X`` is the data and ``AᵀA = σ² I``; 1 for the lifted points).
    method
        ``"exact"`` (``N²`` kernel values), ``"binned"`` (the one-pass histogram of :mod:`bounds.lambda_min.pairs`,
        shared by every ``s`` and ``σ``) or ``"auto"``: exact up to ``EXACT_MAX_N = 1000`` points.
    block_map, progress
        Where the histogram's blocks run and a ``progress(done, total)`` callback (binned only).

    Formula
    -------
    If every pairwise distance of ``X(t)`` is at least ``sσ`` times the one of ``X``, then for a radial
    nonincreasing ``K ≥ 0``, ``K(x_i(t) − x_j(t)) ≤ K(sσ‖x_i − x_j‖)`` and Gershgorin gives
    ``λ_min(K_{X(t)}) ≥ max(0, 1 − max_i Σ_{j≠i} K(sσ‖x_i − x_j‖))``.  Rounding: ``f = ⌊sσ⌋``; exact: the float row
    sums ``S̃`` of ``K̃(fl(f r̃_ij))`` in any order, ``S ≤ S̃/(1 − γ_N) + (N − 1)ε`` with ``ε`` = :func:`entry_error_bound`
    ``+ 2u·0.736`` (the product); binned: ``S ≤ S̃/(1 − γ_n) + (N − 1)ε`` with ``S̃`` the float ``Σ_k c_ik K̃(t_k)``,
    ``t_k ≤ f e_k``, ``n`` the number of bins.
    Kind
    ----
    rigorous (hypotheses: those of ``kernel`` and ``shrink`` above).
    References
    ----------
    docs/lambda_data.rst#gershgorin-along-the-flow; docs/theory.rst#lambda-gershgorin-flow
    """
    kernel = require_radial_kernel(kernel, "data-dependent Gershgorin bound")
    s = require_positive("shrink", shrink)
    if s > 1:
        raise ValueError(f"shrink must be in (0, 1] (e.g. exp(-c1 R)), got {shrink!r}")
    sigma = require_positive("scale", scale)
    if method not in ("auto", "exact", "binned"):
        raise ValueError(f"method must be 'auto', 'exact' or 'binned', got {method!r}")
    key = points_key(as_point_set(X))
    P = key.points
    distinct_separation(key)
    N = P.shape[0]
    with mpmath.workdps(ENCLOSURE_DPS):
        f = round_down(mpmath.mpf(s) * mpmath.mpf(sigma))  # a float <= s sigma
    exact = method == "exact" or (method == "auto" and exact_sums_apply(N))
    if exact:
        worst, terms = exact_row_sum_max(kernel, P, f), N
        eps = entry_error_bound(kernel, P) + _SUP_R_DK * 2 * _U
        how = "exact row sums"
    else:
        hist = pair_histogram(P, block_map=block_map, progress=progress)
        worst, terms = hist.row_sum_max(kernel, f)
        eps = entry_error_bound(kernel, P)
        how = f"one-pass row sums: counts in {2**hist.mantissa_bits} bins per octave of d^2 (upper bound)"
    with mpmath.workdps(ENCLOSURE_DPS):
        up = mpmath.mpf(worst) / (1 - mpmath.mpf(gamma_k(terms))) + (N - 1) * mpmath.mpf(eps)
        low = max(mpmath.mpf(0), 1 - up)
    scaled = "" if sigma == 1 else " sigma"
    return Quantity(
        name="lambda_lower_data_gershgorin",
        value=round_down(low),
        kind="rigorous",
        formula=f"max(0, 1 - max_i sum_{{j != i}} K(s{scaled} |x_i - x_j|))",
        reference=_REFERENCE + "#gershgorin-along-the-flow",
        hypotheses=(
            f"{kernel.name}: K >= 0 radial and nonincreasing",
            f"pairwise distances shrink at most by s = {s!r} (s = exp(-c1 R) along the flow)",
            *(() if sigma == 1 else (f"distances seen by K >= sigma |x_i - x_j|, sigma = {sigma!r}",)),
            how,
        ),
        mp=low,
        dps=ENCLOSURE_DPS,
    )


def _rayleigh_upper(kernel: object, P: np.ndarray) -> mpmath.mpf:
    """The float Rayleigh-quotient upper bound of :func:`lambda_min_upper_verified`."""
    N = P.shape[0]
    G = verified_gram(kernel, P)
    _, V = np.linalg.eigh(G)
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
        return num / ((1 - mpmath.mpf(g1)) * mpmath.mpf(nv))


def lambda_min_upper_verified(kernel: object, X: object, *, method: Method = "auto") -> Quantity:
    """A verified *upper* bound on ``λ_min(K_X)``.

    Used by the upper bounds of ``docs/lambda_upper.rst``: a δ-separated configuration with
    ``#X ≤ N`` gives ``λ_N(δ) ≤`` this number.

    Formula
    -------
    ``method="ball"``: the upper end of the ball enclosure of the smallest eigenvalue of
    the exact Gram matrix (a ball Rayleigh quotient), rounded up.  ``method="float"`` (also what
    ``"auto"`` does: the lattice and adversarial upper bounds call this for many configurations,
    and an upper bound loses nothing essential to rounding): for any ``v ≠ 0``,
    ``λ_min(K_X) ≤ vᵀK_Xv / vᵀv``.  With ``v`` the computed eigenvector of ``K̃`` (:func:`verified_gram`),
    ``|fl(vᵀK̃v) − vᵀK̃v| ≤ γ_{2N} |v|ᵀ|K̃||v|``, ``|fl(vᵀv) − vᵀv| ≤ γ_N vᵀv`` (Higham §3.1) and
    ``|vᵀ(K_X − K̃)v| ≤ (N − 1) ε ‖v‖²`` (:func:`entry_error_bound`), so

    ``λ_min(K_X) ≤ [fl(vᵀK̃v) + γ_{2N}(1+γ_{2N}) fl(|v|ᵀ|K̃||v|) + (N−1)ε (1+γ_N) fl(vᵀv)] / ((1−γ_N) fl(vᵀv))``,

    combined in mpmath and rounded up.

    Kind
    ----
    rigorous.

    Hypotheses
    ----------
    IEEE double, round to nearest.

    References
    ----------
    docs/lambda_data.rst#verified-upper-bound; docs/theory.rst#lambda-upper-verified; N. J. Higham,
    *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1.
    """
    _check_kernel(kernel)
    P = as_point_set(X)
    separation(P)
    N = P.shape[0]
    if _use_ball(kernel, N, method) and method == "ball":
        hi = _ball_lambda_min(kernel, P)[1]
        up, formula = mpmath.mpf(hi), "ball Rayleigh quotient of the exact Gram matrix at an approximate eigenvector"
        how = "exact Gram matrix of the float coordinates in Arb ball arithmetic"
    else:
        up = _rayleigh_upper(kernel, P)
        formula = "Rayleigh quotient v^T K_X v / v^T v of the computed eigenvector, rounding bounded"
        how = "IEEE double, round to nearest"
    return Quantity(
        name="lambda_min_upper_verified",
        value=round_up(up),
        kind="rigorous",
        formula=formula,
        reference=_REFERENCE + "#verified-upper-bound",
        hypotheses=(f"{N} distinct points in R^{P.shape[1]}", _kernel_name(kernel), how),
        mp=up,
        dps=ENCLOSURE_DPS,
    )
