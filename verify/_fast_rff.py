"""Compiled kernels of the random-feature field and its adjoint (private).

NumPy's float64 ``np.cos``/``np.sin`` run at about 20 ns per element on this project's machines
(scalar libm, no SIMD), and one random-feature stage needs ``N·q`` of each; NumPy also makes
several ``N × 2q`` temporaries per stage.  This module fuses one stage into a single pass over
the points:

:func:`rff_stage_forward`
    ``z = Ω x_i``, ``(cos z, sin z)``, ``k_i = W_c cos z + W_s sin z`` for every row ``x_i``.
:func:`rff_stage_adjoint`
    ``Dv(x_i)ᵀ λ_i = Ωᵀ[(W_sᵀλ_i) ⊙ cos z − (W_cᵀλ_i) ⊙ sin z]`` and the weight gradient
    ``Σ_i λ_i [cos z_i, sin z_i]ᵀ``, from taped features or recomputing them.

With numba installed the kernels are compiled (``nogil``, SIMD-vectorised); :func:`rff_solve`
runs a whole forward + reverse pass per block of points, one block per thread, each with its own
weight-gradient accumulator.  The trigonometric functions
use the fdlibm argument reduction (Cody–Waite with a three-part π/2, exact for
``|z| < 8·10^5``; larger phases fall back to libm per element) and the fdlibm minimax
polynomials on ``[-π/4, π/4]``: error ≤ 2 ulp of 1 (``≤ 2.3e-16`` absolute), tested in
``tests/test_flow_fast.py`` against ``np.cos``/``np.sin`` for ``|z|`` up to ``10^9``.  The reductions
(dot products) are compiled with reassociation allowed, so they round differently from BLAS
(relative differences ~1e-16).  Without numba the same functions run in NumPy.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

__all__ = ["HAVE_NUMBA", "FEATURE_TAPE_LIMIT", "sincos", "rff_stage_forward", "rff_stage_adjoint", "rff_solve"]

# fdlibm constants (e_rem_pio2.c, k_sin.c, k_cos.c).
_PIO2_1 = 1.57079632673412561417e00  # first 33 bits of pi/2
_PIO2_2 = 6.07710050630396597660e-11  # next 33 bits
_PIO2_3 = 2.02226624871116645580e-21  # next 33 bits
_INVPIO2 = 6.36619772367581382433e-01
_REDUCTION_LIMIT = 8.0e5  # |n| < 2^19: n * _PIO2_k is exact (33 + 19 < 53 bits)
_ROUND = 6755399441055744.0  # 1.5 * 2^52: (y + _ROUND) - _ROUND rounds |y| < 2^51 to the nearest integer
_S1, _S2, _S3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
_S4, _S5, _S6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
_C1, _C2, _C3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
_C4, _C5, _C6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11

try:  # pragma: no cover - exercised only where numba is installed
    import numba as _nb

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is missing
    _nb = None
    HAVE_NUMBA = False

# Dot products may be reassociated; the trig kernel only allows FMA contraction, which keeps the
# Cody–Waite steps exact (n·P_k is exact, so fma(-n, P_k, t) = t - n·P_k rounded once) and makes
# the polynomials slightly more accurate and about 1.5x faster (measured).
_FAST = {"contract", "reassoc", "nsz"}
FEATURE_TAPE_LIMIT = 512 * 2**20  # bytes of cos/sin tape that rff_solve takes by default

if HAVE_NUMBA:  # pragma: no branch

    @_nb.njit(inline="always", cache=True)
    def _sincos_scalar(x):  # noqa: ANN001, ANN202 - numba kernel
        n = (x * _INVPIO2 + _ROUND) - _ROUND  # nearest integer (no reassociation: not folded away)
        r = ((x - n * _PIO2_1) - n * _PIO2_2) - n * _PIO2_3
        z = r * r
        s = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
        c = 1.0 - 0.5 * z + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6)))))
        quad = n - 4.0 * ((n * 0.25 + _ROUND) - _ROUND)  # n mod 4 in {-2, -1, 0, 1}
        quad = quad + 4.0 if quad < 0.0 else quad  # ... now in {0, 1, 2, 3}, branch-free select
        swap = (quad == 1.0) | (quad == 3.0)
        ss = c if swap else s
        cc = s if swap else c
        sign_s = -1.0 if quad >= 2.0 else 1.0
        sign_c = -1.0 if (quad == 1.0) | (quad == 2.0) else 1.0
        return sign_s * ss, sign_c * cc

    @_nb.njit(boundscheck=False, fastmath={"contract"}, cache=True)
    def _sincos_row(z, c_out, s_out):  # noqa: ANN001, ANN202 - FMA contraction only (no reassociation)
        q = z.shape[0]
        for j in range(q):
            s, c = _sincos_scalar(z[j])
            c_out[j] = c
            s_out[j] = s
        for j in range(q):  # rare: huge phases go to libm (kept out of the SIMD loop)
            if abs(z[j]) > _REDUCTION_LIMIT:
                c_out[j] = np.cos(z[j])
                s_out[j] = np.sin(z[j])

    @_nb.njit(nogil=True, boundscheck=False, cache=True)
    def _sincos_numba(Z, C, S):  # noqa: ANN001, ANN202 - numba kernel
        for i in range(Z.shape[0]):
            _sincos_row(Z[i], C[i], S[i])

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _phase_row(x, OmT, z):  # noqa: ANN001, ANN202 - z = Ω x
        D, q = OmT.shape
        for j in range(q):
            z[j] = 0.0
        for d in range(D):
            xd = x[d]
            for j in range(q):
                z[j] += xd * OmT[d, j]

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _field_row(c, s, Wc, Ws, k):  # noqa: ANN001, ANN202 - k = Wc cos z + Ws sin z
        D, q = Wc.shape
        for d in range(D):
            acc = 0.0
            for j in range(q):
                acc += Wc[d, j] * c[j] + Ws[d, j] * s[j]
            k[d] = acc

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _adjoint_row(lam, c, s, Wc, Ws, OmT, uc, us, xbar, dWc, dWs):  # noqa: ANN001, ANN202
        D, q = OmT.shape
        for j in range(q):
            uc[j] = 0.0
            us[j] = 0.0
        for d in range(D):
            ld = lam[d]
            for j in range(q):
                uc[j] += ld * Wc[d, j]  # u = Wᵀ λ
                us[j] += ld * Ws[d, j]
                dWc[d, j] += ld * c[j]  # dW += λ ϕᵀ
                dWs[d, j] += ld * s[j]
        for j in range(q):  # g = ∂⟨u, (cos z, sin z)⟩/∂z, stored in uc
            uc[j] = us[j] * c[j] - uc[j] * s[j]
        for d in range(D):
            acc = 0.0
            for j in range(q):
                acc += uc[j] * OmT[d, j]
            xbar[d] = acc

    @_nb.njit(nogil=True, boundscheck=False, cache=True)
    def _stage_forward(X, OmT, Wc, Ws, K, C, S, store):  # noqa: ANN001, ANN202
        q = OmT.shape[1]
        z = np.empty(q)
        c = np.empty(q)
        s = np.empty(q)
        for i in range(X.shape[0]):
            _phase_row(X[i], OmT, z)
            if store:
                _sincos_row(z, C[i], S[i])
                _field_row(C[i], S[i], Wc, Ws, K[i])
            else:
                _sincos_row(z, c, s)
                _field_row(c, s, Wc, Ws, K[i])

    @_nb.njit(nogil=True, boundscheck=False, cache=True)
    def _stage_adjoint(X, Lam, OmT, Wc, Ws, C, S, taped, Xbar, dWc, dWs):  # noqa: ANN001, ANN202
        q = OmT.shape[1]
        z = np.empty(q)
        c = np.empty(q)
        s = np.empty(q)
        uc = np.empty(q)
        us = np.empty(q)
        for i in range(X.shape[0]):
            if taped:
                _adjoint_row(Lam[i], C[i], S[i], Wc, Ws, OmT, uc, us, Xbar[i], dWc, dWs)
            else:
                _phase_row(X[i], OmT, z)
                _sincos_row(z, c, s)
                _adjoint_row(Lam[i], c, s, Wc, Ws, OmT, uc, us, Xbar[i], dWc, dWs)

    @_nb.njit(nogil=True, boundscheck=False, fastmath=_FAST, cache=True)
    def _chunk_solve(X0, Y, B, OmT, Wc, Ws, A, b, spl, grad, tape, dWc, dWs, xbar0, x1):  # noqa: ANN001, ANN202
        """RK forward + discrete adjoint for one block of points (rows are independent).

        Returns the block's sum of squared residuals; writes ∂F/∂X0 rows into ``xbar0`` and adds
        the block's weight gradient (unscaled, before the 2/N and q^{-1/2}) into ``dWc, dWs``.
        """
        nr, D = X0.shape
        L = Wc.shape[0]
        q = OmT.shape[1]
        S = b.shape[0]
        n_steps = L * spl
        h = 1.0 / n_steps
        keep = tape.shape[0] > 0
        Xs = np.empty((n_steps, S, nr, D))  # stage states (the small part of the tape)
        ks = np.empty((S, nr, D))
        z = np.empty(q)
        c = np.empty(q)
        s_ = np.empty(q)
        x = X0.copy()
        for n in range(n_steps):
            layer = n // spl
            for st in range(S):
                for i in range(nr):
                    for d in range(D):
                        acc = x[i, d]
                        for j in range(st):
                            acc += h * A[st, j] * ks[j, i, d]
                        Xs[n, st, i, d] = acc
                for i in range(nr):
                    _phase_row(Xs[n, st, i], OmT, z)
                    if keep:
                        _sincos_row(z, tape[n, st, 0, i], tape[n, st, 1, i])
                        _field_row(tape[n, st, 0, i], tape[n, st, 1, i], Wc[layer], Ws[layer], ks[st, i])
                    else:
                        _sincos_row(z, c, s_)
                        _field_row(c, s_, Wc[layer], Ws[layer], ks[st, i])
            for i in range(nr):
                for d in range(D):
                    acc = 0.0
                    for st in range(S):
                        acc += b[st] * ks[st, i, d]
                    x[i, d] += h * acc
        x1[:, :] = x
        if not grad:
            sq = 0.0
            for i in range(nr):
                for e in range(B.shape[0]):
                    r = -Y[i, e]
                    for d in range(D):
                        r += B[e, d] * x[i, d]
                    sq += r * r
            return sq
        # residuals and p(1) = Bᵀ r (the 2/N is applied by the caller)
        sq = 0.0
        p = np.zeros((nr, D))
        for i in range(nr):
            for e in range(B.shape[0]):
                r = -Y[i, e]
                for d in range(D):
                    r += B[e, d] * x[i, d]
                sq += r * r
                for d in range(D):
                    p[i, d] += B[e, d] * r
        Xbar = np.empty((S, nr, D))
        lam = np.empty(D)
        uc = np.empty(q)
        us = np.empty(q)
        for n in range(n_steps - 1, -1, -1):
            layer = n // spl
            for st in range(S - 1, -1, -1):
                for i in range(nr):
                    for d in range(D):
                        acc = h * b[st] * p[i, d]
                        for j in range(st + 1, S):
                            acc += h * A[j, st] * Xbar[j, i, d]
                        lam[d] = acc
                    if keep:
                        _adjoint_row(lam, tape[n, st, 0, i], tape[n, st, 1, i], Wc[layer], Ws[layer], OmT, uc, us,
                                     Xbar[st, i], dWc[layer], dWs[layer])
                    else:
                        _phase_row(Xs[n, st, i], OmT, z)
                        _sincos_row(z, c, s_)
                        _adjoint_row(lam, c, s_, Wc[layer], Ws[layer], OmT, uc, us, Xbar[st, i], dWc[layer],
                                     dWs[layer])
            for i in range(nr):
                for d in range(D):
                    acc = p[i, d]
                    for st in range(S):
                        acc += Xbar[st, i, d]
                    p[i, d] = acc
        xbar0[:, :] = p
        return sq


def _n_threads(N: int) -> int:
    """Threads for a block-parallel call: the CPUs this process may use (at most N)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(N, cpus))


def _blocks(N: int, n: int) -> list[tuple[int, int]]:
    return [(c * N // n, (c + 1) * N // n) for c in range(n)]


def _run_blocks(fn: Callable[[int, int, int], object], N: int, n: int) -> list:
    """Run ``fn(block, r0, r1)`` on ``n`` row blocks, in threads (the kernels release the GIL)."""
    blocks = _blocks(N, n)
    if n == 1:
        return [fn(0, *blocks[0])]
    with ThreadPoolExecutor(max_workers=n) as ex:
        futs = [ex.submit(fn, c, r0, r1) for c, (r0, r1) in enumerate(blocks)]
        return [f.result() for f in futs]


def sincos(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(cos Z, sin Z)`` of a 2-d float64 array (compiled when numba is installed)."""
    Z = np.ascontiguousarray(Z, dtype=np.float64)
    if not HAVE_NUMBA:  # pragma: no cover - numba missing
        return np.cos(Z), np.sin(Z)
    C, S = np.empty_like(Z), np.empty_like(Z)
    _sincos_numba(Z, C, S)
    return C, S


def rff_stage_forward(
    X: np.ndarray, OmT: np.ndarray, Wc: np.ndarray, Ws: np.ndarray, keep_features: bool
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """One field evaluation ``k_i = W_c cos(Ωx_i) + W_s sin(Ωx_i)`` (weights pre-scaled by ``q^{-1/2}``).

    ``OmT = Ωᵀ`` (``(D, q)``, C-contiguous), ``Wc, Ws`` (``(D, q)``).  Returns ``K`` (``(N, D)``)
    and, if ``keep_features``, the taped ``(cos, sin)`` blocks (``(N, q)`` each); otherwise
    ``None`` (the adjoint then recomputes them).
    """
    N, q = X.shape[0], OmT.shape[1]
    if not HAVE_NUMBA:  # pragma: no cover - numba missing
        Z = X @ OmT
        C, S = np.cos(Z), np.sin(Z)
        return C @ Wc.T + S @ Ws.T, ((C, S) if keep_features else None)
    K = np.empty((N, Wc.shape[0]))
    if keep_features:
        C, S = np.empty((N, q)), np.empty((N, q))
    else:
        C = S = np.empty((N, 0))
    _stage_forward(np.ascontiguousarray(X), OmT, Wc, Ws, K, C, S, keep_features)
    return K, ((C, S) if keep_features else None)


def rff_stage_adjoint(
    X: np.ndarray,
    lam: np.ndarray,
    OmT: np.ndarray,
    Wc: np.ndarray,
    Ws: np.ndarray,
    features: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adjoint of :func:`rff_stage_forward`: ``Dv(x_i)ᵀ λ_i`` and ``λᵀ cos Z``, ``λᵀ sin Z`` (``(D, q)``).

    ``features`` is the taped ``(cos, sin)`` or ``None`` (recomputed from ``X``).
    """
    N, D = X.shape
    q = OmT.shape[1]
    if not HAVE_NUMBA:  # pragma: no cover - numba missing
        if features is None:
            Z = X @ OmT
            features = (np.cos(Z), np.sin(Z))
        C, S = features
        G = (lam @ Ws) * C - (lam @ Wc) * S
        return G @ OmT.T, lam.T @ C, lam.T @ S
    Xbar = np.empty((N, D))
    dWc, dWs = np.zeros((D, q)), np.zeros((D, q))
    taped = features is not None
    C, S = features if taped else (np.empty((N, 0)), np.empty((N, 0)))
    _stage_adjoint(np.ascontiguousarray(X), np.ascontiguousarray(lam), OmT, Wc, Ws, C, S, taped, Xbar, dWc, dWs)
    return Xbar, dWc, dWs


def rff_solve(
    X0: np.ndarray,
    Y: np.ndarray,
    B: np.ndarray,
    omega: np.ndarray,
    W: np.ndarray,
    A: np.ndarray,
    b: np.ndarray,
    steps_per_layer: int,
    grad: bool,
    tape_features: bool | None = None,
    threads: int | None = None,
) -> tuple[float, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Loss (and exact discrete gradient) of a piecewise-constant RFF control, fused.

    Fixed-step explicit RK with tableau ``(A, b)`` (``A`` strictly lower triangular, shape
    ``(S, S)``), ``steps_per_layer`` steps per layer, ``W`` of shape ``(L, D, 2q)``.  The points
    are split into one block per thread (``threads``, default: the CPUs available) and each
    block runs its whole forward and reverse pass in one compiled call that releases the GIL
    (the field does not couple points), so the threads meet once per call.

    The forward always keeps the stage states (``8·N·D·S·L·steps_per_layer`` bytes).  With
    ``tape_features`` it also keeps ``cos``/``sin`` of every stage (``8·2·q·N·S·L·steps_per_layer``
    bytes, 256 MiB for the benchmark workload) and the reverse pass evaluates no trigonometric
    function; without, the reverse pass recomputes them.  ``None`` (default) tapes them when that
    takes at most :data:`FEATURE_TAPE_LIMIT` bytes: on the benchmark machine the feature tape is
    about 1.2x faster with two threads and equally fast with one (``benchmarks/flow/README.md``).

    Returns ``(F, ∂F/∂W, ∂F/∂X0, x(1))`` (the gradients are ``None`` without ``grad``).
    Requires numba (:data:`HAVE_NUMBA`).
    """
    if not HAVE_NUMBA:  # pragma: no cover - numba missing
        raise RuntimeError("rff_solve needs numba; use the generic solver")
    N, D = X0.shape
    L, _, twoq = W.shape
    q = twoq // 2
    sc = 1.0 / np.sqrt(q)
    Wc = np.ascontiguousarray(W[:, :, :q]) * sc
    Ws = np.ascontiguousarray(W[:, :, q:]) * sc
    OmT = np.ascontiguousarray(omega.T)
    X0 = np.ascontiguousarray(X0, dtype=np.float64)
    Y = np.ascontiguousarray(Y, dtype=np.float64)
    B = np.ascontiguousarray(B, dtype=np.float64)
    A = np.ascontiguousarray(A, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    S, spl = b.shape[0], int(steps_per_layer)
    if tape_features is None:
        tape_features = 8 * 2 * q * N * S * L * spl <= FEATURE_TAPE_LIMIT
    n = _n_threads(N) if threads is None else max(1, min(N, int(threads)))
    xbar0, x1 = np.zeros((N, D)), np.empty((N, D))
    dWc = np.zeros((n, L if grad else 0, D, q))
    dWs = np.zeros((n, L if grad else 0, D, q))

    def block(c: int, r0: int, r1: int) -> float:
        nr = r1 - r0
        tape = np.empty((L * spl if grad and tape_features else 0, S, 2, nr, q))
        return _chunk_solve(X0[r0:r1], Y[r0:r1], B, OmT, Wc, Ws, A, b, spl, bool(grad), tape, dWc[c], dWs[c],
                            xbar0[r0:r1], x1[r0:r1])

    F = float(sum(_run_blocks(block, N, n))) / N
    dWc, dWs = dWc.sum(axis=0), dWs.sum(axis=0)
    if not grad:
        return F, None, None, x1
    G = np.empty((L, D, twoq))
    G[:, :, :q] = dWc
    G[:, :, q:] = dWs
    G *= 2.0 * sc / N
    return F, G, (2.0 / N) * xbar0, x1
