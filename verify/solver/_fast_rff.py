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
weight-gradient accumulator; inside a block, each group of 4 points runs its forward pass and
then its reverse pass, with a tape of its own small enough to stay in cache.  The kernels work
on 4 points and 4 coordinates at a time
(``_rows4``, ``_field4``, ``_outer4``, ``_proj4``): every loaded row of ``Ω``, ``W`` or
``∂F/∂W`` then serves 4 points, and the 4×4 dot products stay in registers.  On the benchmark
machine the loads, not the multiply-adds, bound these loops (measured: ~1 load per cycle), so
the blocking is what makes them fast; the per-point kernels below (``_phase_row``, ...) remain for
the per-stage engine of :mod:`verify.solver.controls` and serve the tests as a second implementation.
The trigonometric functions
use the fdlibm argument reduction (Cody–Waite with a three-part π/2, exact for
``|z| < 8·10^5``; larger phases fall back to libm per element) and the fdlibm minimax
polynomials on ``[-π/4, π/4]``: error ≤ 2 ulp of 1 (``≤ 2.3e-16`` absolute), tested in
``tests/verify/solver/test_flow_fast.py`` against ``np.cos``/``np.sin`` for ``|z|`` up to ``10^9``.  In
:func:`rff_solve` only the first stage of each RK step evaluates them directly; the later stages
use angle addition from it (:func:`_sincos_shift_row`, error ≤ ``4.2e-16``, docs/solver.rst).  The reductions
(dot products) are compiled with reassociation allowed, so they round differently from BLAS
(relative differences ~1e-16).  Without numba the same functions run in NumPy.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["HAVE_NUMBA", "BLOCK_TAPE_LIMIT", "sincos", "rff_stage_forward", "rff_stage_adjoint", "rff_solve"]

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
# Angle addition (docs/solver.rst, "Angle addition"): for |δ| <= _SHIFT_MAX, Taylor polynomials of
# sin δ (to δ⁹) and cos δ − 1 (to δ¹⁰); the dropped terms are < δ¹¹/11! <= 2.3e-18·|δ| and
# δ¹²/12! <= 7.3e-20.  Exact rational coefficients rounded once.
_SHIFT_MAX = 0.125
_T1, _T2, _T3, _T4 = -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0
_U1, _U2, _U3, _U4 = 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40320.0, -1.0 / 3628800.0

try:  # pragma: no cover - exercised only where numba is installed
    import numba as _nb

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is missing
    _nb = None  # type: ignore[assignment]
    HAVE_NUMBA = False

# Dot products may be reassociated; the trig kernel only allows FMA contraction, which keeps the
# Cody–Waite steps exact (n·P_k is exact, so fma(-n, P_k, t) = t - n·P_k rounded once) and makes
# the polynomials slightly more accurate and about 1.5x faster (measured).
_FAST = {"contract", "reassoc", "nsz"}

if HAVE_NUMBA:  # pragma: no branch

    @_nb.njit(inline="always", cache=True)
    def _sincos_scalar(x):  # noqa: ANN001, ANN202 - numba kernel
        n = (x * _INVPIO2 + _ROUND) - _ROUND  # nearest integer (no reassociation: not folded away)
        r = ((x - n * _PIO2_1) - n * _PIO2_2) - n * _PIO2_3
        z = r * r
        s = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
        c = 1.0 - 0.5 * z + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6)))))
        # quadrant n mod 4 from the two low bits (clamped first: the conversion of a huge n is
        # undefined, and those elements are recomputed by libm anyway)
        k = np.int64(min(max(n, -1.0e9), 1.0e9))
        swap = (k & 1) == 1
        ss = c if swap else s
        cc = s if swap else c
        sign_s = -1.0 if (k & 2) == 2 else 1.0
        sign_c = -1.0 if ((k + 1) & 2) == 2 else 1.0
        return sign_s * ss, sign_c * cc

    @_nb.njit(boundscheck=False, fastmath={"contract"}, cache=True)
    def _sincos_row(z, c_out, s_out):  # noqa: ANN001, ANN202 - FMA contraction only (no reassociation)
        q = z.shape[0]
        big = False
        for j in range(q):
            s, c = _sincos_scalar(z[j])
            c_out[j] = c
            s_out[j] = s
            big |= abs(z[j]) > _REDUCTION_LIMIT
        if big:  # rare: huge phases go to libm (kept out of the SIMD loop)
            for j in range(q):
                if abs(z[j]) > _REDUCTION_LIMIT:
                    c_out[j] = np.cos(z[j])
                    s_out[j] = np.sin(z[j])

    @_nb.njit(boundscheck=False, fastmath={"contract"}, cache=True)
    def _sincos_shift_row(d, c1, s1, c_out, s_out):  # noqa: ANN001, ANN202 - FMA contraction only
        """``cos(θ + δ), sin(θ + δ)`` from ``c1 = cos θ``, ``s1 = sin θ`` and ``d = δ``, by angle addition.

        ``cos(θ+δ) = c1 + (c1 (cos δ − 1) − s1 sin δ)``, ``sin(θ+δ) = s1 + (s1 (cos δ − 1) + c1 sin δ)``
        with the Taylor polynomials above: no argument reduction, no quadrant logic, 50-70 % of
        the cost of :func:`_sincos_row` (measured: 1.5 against 2.1-2.6 ns per pair).  Valid for
        ``|δ| <= _SHIFT_MAX``; returns False if some ``|δ|`` is larger (the outputs are then to be
        recomputed).
        """
        q = d.shape[0]
        big = False
        for j in range(q):
            t = d[j]
            z = t * t
            sd = t + t * z * (_T1 + z * (_T2 + z * (_T3 + z * _T4)))
            cm = z * (-0.5 + z * (_U1 + z * (_U2 + z * (_U3 + z * _U4))))
            a = c1[j]
            b = s1[j]
            c_out[j] = a + (a * cm - b * sd)
            s_out[j] = b + (b * cm + a * sd)
            big |= abs(t) > _SHIFT_MAX
        return not big

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

    # Blocked kernels: 4 points (rows of lam, C4, ...) and 4 coordinates (rows dg..dg+3 of
    # OmT, Wc, Ws, dW) at a time; D is a multiple of 4 (rff_solve pads).  The 4x4 blocks are
    # unrolled by hand because LLVM vectorises only the innermost loop (over the frequencies j):
    # written this way each loaded row element serves 4 points and the 16 running sums of the
    # dot-product kernel (_proj4) stay in registers.

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _proj4(G4, OmT, xbar, q):  # noqa: ANN001, ANN202
        """xbar[p, d] = OmT[d]·G4[p] for 4 points, in 4x4 blocks (p, d) of running sums.

        ``Ωᵀ g`` in the adjoint; ``W_c cos z`` and ``W_s sin z`` in :func:`_field4`.
        """
        D = OmT.shape[0]
        g0 = G4[0]; g1 = G4[1]; g2 = G4[2]; g3 = G4[3]
        for dg in range(0, D, 4):
            w0 = OmT[dg]; w1 = OmT[dg + 1]; w2 = OmT[dg + 2]; w3 = OmT[dg + 3]
            t00 = 0.0; t01 = 0.0; t02 = 0.0; t03 = 0.0
            t10 = 0.0; t11 = 0.0; t12 = 0.0; t13 = 0.0
            t20 = 0.0; t21 = 0.0; t22 = 0.0; t23 = 0.0
            t30 = 0.0; t31 = 0.0; t32 = 0.0; t33 = 0.0
            for j in range(q):
                a0 = g0[j]; a1 = g1[j]; a2 = g2[j]; a3 = g3[j]
                x0 = w0[j]; x1 = w1[j]; x2 = w2[j]; x3 = w3[j]
                t00 += a0 * x0; t01 += a0 * x1; t02 += a0 * x2; t03 += a0 * x3
                t10 += a1 * x0; t11 += a1 * x1; t12 += a1 * x2; t13 += a1 * x3
                t20 += a2 * x0; t21 += a2 * x1; t22 += a2 * x2; t23 += a2 * x3
                t30 += a3 * x0; t31 += a3 * x1; t32 += a3 * x2; t33 += a3 * x3
            xbar[0, dg] = t00; xbar[0, dg + 1] = t01; xbar[0, dg + 2] = t02; xbar[0, dg + 3] = t03
            xbar[1, dg] = t10; xbar[1, dg + 1] = t11; xbar[1, dg + 2] = t12; xbar[1, dg + 3] = t13
            xbar[2, dg] = t20; xbar[2, dg + 1] = t21; xbar[2, dg + 2] = t22; xbar[2, dg + 3] = t23
            xbar[3, dg] = t30; xbar[3, dg + 1] = t31; xbar[3, dg + 2] = t32; xbar[3, dg + 3] = t33

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _field4(C4, S4, Wc, Ws, K4, T4, q):  # noqa: ANN001, ANN202
        """K4[p] = Wc C4[p] + Ws S4[p]: the field at 4 points (``T4``: a (4, D) work array)."""
        _proj4(C4, Wc, K4, q)
        _proj4(S4, Ws, T4, q)
        for p in range(4):
            for d in range(K4.shape[1]):
                K4[p, d] += T4[p, d]

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _rows4(lam, W, U, q):  # noqa: ANN001, ANN202
        """U[p] = Wᵀ lam[p] = Σ_d lam[p, d] W[d] for 4 points (d in groups of 4).

        The phases ``Ω x_p`` (``lam = X``, ``W = Ωᵀ``) and ``u = Wᵀλ`` of the adjoint.
        """
        D = W.shape[0]
        u0 = U[0]; u1 = U[1]; u2 = U[2]; u3 = U[3]
        for dg in range(0, D, 4):
            a0 = lam[0, dg]; a1 = lam[0, dg + 1]; a2 = lam[0, dg + 2]; a3 = lam[0, dg + 3]
            b0 = lam[1, dg]; b1 = lam[1, dg + 1]; b2 = lam[1, dg + 2]; b3 = lam[1, dg + 3]
            c0 = lam[2, dg]; c1 = lam[2, dg + 1]; c2 = lam[2, dg + 2]; c3 = lam[2, dg + 3]
            e0 = lam[3, dg]; e1 = lam[3, dg + 1]; e2 = lam[3, dg + 2]; e3 = lam[3, dg + 3]
            W0 = W[dg]; W1 = W[dg + 1]; W2 = W[dg + 2]; W3 = W[dg + 3]
            if dg == 0:  # the first group assigns: zeroing U first and always adding is 5 % slower (measured)
                for j in range(q):
                    w0 = W0[j]; w1 = W1[j]; w2 = W2[j]; w3 = W3[j]
                    u0[j] = a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3
                    u1[j] = b0 * w0 + b1 * w1 + b2 * w2 + b3 * w3
                    u2[j] = c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3
                    u3[j] = e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3
            else:
                for j in range(q):
                    w0 = W0[j]; w1 = W1[j]; w2 = W2[j]; w3 = W3[j]
                    u0[j] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3
                    u1[j] += b0 * w0 + b1 * w1 + b2 * w2 + b3 * w3
                    u2[j] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3
                    u3[j] += e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _outer4(lam, F4, dW, q):  # noqa: ANN001, ANN202
        """dW += Σ_p lam[p] F4[p]ᵀ (4 points; the rows of dW in groups of 4)."""
        D = dW.shape[0]
        f0 = F4[0]; f1 = F4[1]; f2 = F4[2]; f3 = F4[3]
        for dg in range(0, D, 4):
            a0 = lam[0, dg]; a1 = lam[1, dg]; a2 = lam[2, dg]; a3 = lam[3, dg]
            b0 = lam[0, dg + 1]; b1 = lam[1, dg + 1]; b2 = lam[2, dg + 1]; b3 = lam[3, dg + 1]
            c0 = lam[0, dg + 2]; c1 = lam[1, dg + 2]; c2 = lam[2, dg + 2]; c3 = lam[3, dg + 2]
            e0 = lam[0, dg + 3]; e1 = lam[1, dg + 3]; e2 = lam[2, dg + 3]; e3 = lam[3, dg + 3]
            r0 = dW[dg]; r1 = dW[dg + 1]; r2 = dW[dg + 2]; r3 = dW[dg + 3]
            for j in range(q):
                x0 = f0[j]; x1 = f1[j]; x2 = f2[j]; x3 = f3[j]
                r0[j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
                r1[j] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3
                r2[j] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3
                r3[j] += e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _adjoint4(lam, C4, S4, Wc, Ws, OmT, Uc, Us, xbar, dWc, dWs, q):  # noqa: ANN001, ANN202
        """Blocked :func:`_adjoint_row` for 4 points: ``xbar[p] = Dv(x_p)ᵀ lam[p]``, ``dW += lam ϕᵀ``.

        ``Uc``, ``Us`` are (4, q) work rows (``Uc`` ends holding g = ∂⟨u, ϕ⟩/∂z).
        """
        _rows4(lam, Wc, Uc, q)
        _rows4(lam, Ws, Us, q)
        _outer4(lam, C4, dWc, q)
        _outer4(lam, S4, dWs, q)
        for p in range(4):
            g = Uc[p]; u = Us[p]; c = C4[p]; s = S4[p]
            for j in range(q):
                g[j] = u[j] * c[j] - g[j] * s[j]
        _proj4(Uc, OmT, xbar, q)

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _features4(Xn, st, i, OmT, C0, S0, C4, S4, Z4, D4, q):  # noqa: ANN001, ANN202
        """cos/sin of ``Ω x`` at stage ``st`` of points ``i..i+3`` of one step (``Xn``: its stage states).

        Stage 0 (``x_n`` itself): directly, into ``C0, S0``.  Stage ``st > 0``: into ``C4, S4``
        by angle addition from the stage-0 values ``C0, S0`` with ``δ = Ω (x_st − x_n)``; a point
        with some ``|δ| > _SHIFT_MAX`` is recomputed directly.  The forward and the reverse pass
        both call this with the same stage states, so they use bit-identical features.
        """
        if st == 0:
            _rows4(Xn[0, i:i + 4], OmT, Z4, q)
            for p in range(4):
                _sincos_row(Z4[p, :q], C0[p, :q], S0[p, :q])
            return
        for p in range(4):
            for d in range(D4.shape[1]):
                D4[p, d] = Xn[st, i + p, d] - Xn[0, i + p, d]
        _rows4(D4, OmT, Z4, q)
        for p in range(4):
            if not _sincos_shift_row(Z4[p, :q], C0[p, :q], S0[p, :q], C4[p, :q], S4[p, :q]):
                _phase_row(Xn[st, i + p], OmT, Z4[p])
                _sincos_row(Z4[p, :q], C4[p, :q], S4[p, :q])

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _group_forward(x, Xs, tape, ks, A, b, OmT, Wc, Ws, spl, h, tape_on, Z4, D4, T4, q):  # noqa: ANN001, ANN202
        """The RK forward pass of one group of 4 points from ``x`` (updated in place to ``x(1)``),
        keeping every step's stage states in ``Xs`` and, with ``tape_on``, their cos/sin in ``tape``."""
        S, D = b.shape[0], x.shape[1]
        h_steps = Xs.shape[0]
        for n in range(h_steps):
            layer = n // spl
            Xn = Xs[n]
            tn = tape[n if tape_on else 0]
            for st in range(S):
                for pp in range(4):
                    for d in range(D):
                        acc = x[pp, d]
                        for j in range(st):
                            acc += h * A[st, j] * ks[j, pp, d]
                        Xn[st, pp, d] = acc
                _features4(Xn, st, 0, OmT, tn[0, 0], tn[0, 1], tn[st, 0], tn[st, 1], Z4, D4, q)
                _field4(tn[st, 0], tn[st, 1], Wc[layer], Ws[layer], ks[st], T4, q)
            for pp in range(4):
                for d in range(D):
                    acc = 0.0
                    for st in range(S):
                        acc += b[st] * ks[st, pp, d]
                    x[pp, d] += h * acc

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _group_residual(x, Y, B, i, nlive, x1, p):  # noqa: ANN001, ANN202
        """Store ``x(1)`` of points ``i..i+3`` in ``x1``, set ``p = Bᵀ r`` (zero for padding rows) and
        return their sum of squared residuals ``|B x(1) − y|²``."""
        sq = 0.0
        D = x.shape[1]
        for pp in range(4):
            for d in range(D):
                x1[i + pp, d] = x[pp, d]
                p[pp, d] = 0.0
            if i + pp < nlive:
                for e in range(B.shape[0]):
                    r = -Y[i + pp, e]
                    for d in range(D):
                        r += B[e, d] * x[pp, d]
                    sq += r * r
                    for d in range(D):
                        p[pp, d] += B[e, d] * r
        return sq

    @_nb.njit(boundscheck=False, fastmath=_FAST, cache=True)
    def _group_reverse(p, Xs, tape, A, b, OmT, Wc, Ws, spl, h, tape_on, dWc, dWs, bufs, q):  # noqa: ANN001, ANN202
        """The discrete adjoint of one group: ``p`` goes from ``Bᵀ r`` at ``t = 1`` to ``∂F/∂x(0)``
        (in place), adding the group's weight gradient into ``dWc``, ``dWs``.  ``bufs`` holds the work
        arrays ``(C0, S0, C4, S4, Z4, D4, lam, Xbar, Uc, Us)``."""
        C0, S0, C4, S4, Z4, D4, lam, Xbar, Uc, Us = bufs
        S, D = b.shape[0], p.shape[1]
        for n in range(Xs.shape[0] - 1, -1, -1):
            layer = n // spl
            Xn = Xs[n]
            tn = tape[n if tape_on else 0]
            if not tape_on:
                _features4(Xn, 0, 0, OmT, C0, S0, C0, S0, Z4, D4, q)
            for st in range(S - 1, -1, -1):
                for pp in range(4):
                    for d in range(D):
                        acc = h * b[st] * p[pp, d]
                        for j in range(st + 1, S):
                            acc += h * A[j, st] * Xbar[j, pp, d]
                        lam[pp, d] = acc
                if tape_on:
                    Cb = tn[st, 0]; Sb = tn[st, 1]
                elif st == 0:
                    Cb = C0; Sb = S0
                else:
                    _features4(Xn, st, 0, OmT, C0, S0, C4, S4, Z4, D4, q)
                    Cb = C4; Sb = S4
                _adjoint4(lam, Cb, Sb, Wc[layer], Ws[layer], OmT, Uc, Us, Xbar[st], dWc[layer], dWs[layer], q)
            for pp in range(4):
                for d in range(D):
                    acc = p[pp, d]
                    for st in range(S):
                        acc += Xbar[st, pp, d]
                    p[pp, d] = acc

    @_nb.njit(nogil=True, boundscheck=False, fastmath=_FAST, cache=True)
    def _chunk_solve(X0, Y, B, OmT, Wc, Ws, A, b, spl, grad, tape_on, dWc, dWs, xbar0, x1, nlive, q):  # noqa: ANN001, ANN202
        """RK forward + discrete adjoint for one thread's block of points (rows are independent).

        ``X0`` has a multiple of 4 rows and ``D`` a multiple of 4 columns (zero-padded by the
        caller); only the first ``nlive`` rows count in the loss.  Each group of 4 points runs
        its whole forward pass (:func:`_group_forward`) and then its whole reverse pass
        (:func:`_group_reverse`), so its tape is small: the stage states (``8·4·D·S·n`` bytes)
        and, with ``tape_on``, cos/sin of every stage (``8·2·qp·4·S·n`` bytes, 4.25 MiB on the
        benchmark workload, cache-resident); without it the reverse pass recomputes them.  Returns
        the block's sum of squared residuals; writes ∂F/∂X0 rows into ``xbar0``, x(1) into ``x1``
        and adds the block's weight gradient (unscaled, before the 2/N and q^{-1/2}) into
        ``dWc, dWs``.  The rows of ``OmT``, ``Wc``, ``Ws``, ``dWc``, ``dWs`` have ``qp >= q``
        entries (:func:`_padded_row`); the kernels use the first ``q``, and so do the work rows.
        """
        nr, D = X0.shape
        qp = OmT.shape[1]
        S = b.shape[0]
        n_steps = Wc.shape[0] * spl
        h = 1.0 / n_steps
        Xs = np.empty((n_steps, S, 4, D))
        tape = np.empty((n_steps if tape_on else 1, S, 2, 4, qp))
        ks = np.empty((S, 4, D))
        Z4 = np.empty((4, qp))
        T4 = np.empty((4, D))
        D4 = np.empty((4, D))
        x = np.empty((4, D))
        p = np.empty((4, D))
        bufs = (np.empty((4, qp)), np.empty((4, qp)), np.empty((4, qp)), np.empty((4, qp)), Z4, D4,
                np.empty((4, D)), np.empty((S, 4, D)), np.empty((4, qp)), np.empty((4, qp)))
        sq = 0.0
        for i in range(0, nr, 4):
            for pp in range(4):
                for d in range(D):
                    x[pp, d] = X0[i + pp, d]
            _group_forward(x, Xs, tape, ks, A, b, OmT, Wc, Ws, spl, h, tape_on, Z4, D4, T4, q)
            sq += _group_residual(x, Y, B, i, nlive, x1, p)
            if not grad:
                continue
            _group_reverse(p, Xs, tape, A, b, OmT, Wc, Ws, spl, h, tape_on, dWc, dWs, bufs, q)
            for pp in range(4):
                for d in range(D):
                    xbar0[i + pp, d] = p[pp, d]
        return sq


# Largest per-group cos/sin tape used by default (bytes; one per thread).  Measured on the
# benchmark machine (N = 64, loss + gradient): taping is 10 % faster than recomputing at 4 MiB
# (q = 512, 32 steps) and 9 % at 16 MiB (q = 1024, 64 steps), and at 32 MiB (q = 2048, 64
# steps) 8 % faster with one thread but equal with two, which then share the memory bandwidth.
BLOCK_TAPE_LIMIT = 16 * 2**20

# A thread costs ~0.5 ms to start and join and pads its block to a multiple of 4 points: below
# these sizes one thread is faster (measured on the benchmark machine: at N = 16, q = 512, 32
# layers, 20 ms with one thread and 22 ms with two; at N = 32, 37 ms and 27 ms).
_MIN_POINTS_PER_THREAD = 16
_MIN_EVALS_PER_THREAD = 10**6  # point × frequency × stage evaluations


def _n_threads(N: int, evals: int) -> int:
    """Threads for a block-parallel call of ``evals`` point-frequency-stage evaluations on ``N``
    points: the CPUs this process may use, fewer when the blocks would be too small."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, N // _MIN_POINTS_PER_THREAD, evals // _MIN_EVALS_PER_THREAD))


def _padded_row(q: int) -> int:
    """Row length (in float64) for ``q`` frequencies: a multiple of 8 (64-byte rows) such that
    rows 1, 2 and 3 apart are at least 256 bytes away from a multiple of 4096 bytes.

    The kernels load and store 4 consecutive rows at the same column.  Rows a multiple of 4 KiB
    apart make a load from one row look, to the CPU, like it depends on a pending store to
    another ("4K aliasing": only the 12 low address bits are compared at first); measured on the
    benchmark machine, q = 512 (4096-byte rows) took 161 µs per frequency against 136 µs for
    q = 480, 496 and 544, and 140 µs once padded to 544.  Rows under 1 KiB are left as they are.
    The padding costs at most 64 entries beyond the next multiple of 8 (checked for every
    q < 3000 in tests/verify/solver/test_flow_fast.py).
    """
    qp = -(-q // 8) * 8

    def near_page(nbytes: int) -> bool:
        r = nbytes % 4096
        return min(r, 4096 - r) < 256

    if 8 * qp < 1024:
        return qp
    while any(near_page(k * 8 * qp) for k in (1, 2, 3)):
        qp += 8
    return qp


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
    C, S = features if features is not None else (np.empty((N, 0)), np.empty((N, 0)))
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
    are split into one block per thread (``threads``, default: the CPUs available, fewer for small
    problems: :func:`_n_threads`) and each block runs in one compiled call that releases the GIL
    (the field does not couple points), so the threads meet once per call.  Inside a block,
    each group of 4 points runs its whole forward pass and then its whole reverse pass.

    The tape is per group of 4 points: the stage states (``8·4·D·S·n`` bytes, ``n = L ·
    steps_per_layer``) and, with ``tape_features``, ``cos``/``sin`` of every stage
    (``8·2·qp·4·S·n`` bytes with ``qp`` = :func:`_padded_row` ``(q)``: 4.25 MiB on the
    benchmark workload, reused by the next group, so it stays in cache).  Without it the reverse
    pass recomputes ``Ωx`` and ``cos``/``sin``.  The
    default (``None``) tapes when that is at most :data:`BLOCK_TAPE_LIMIT` bytes: beyond the
    cache, writing and reading the tape at memory speed costs more than recomputing
    (``benchmarks/flow/README.md``).  Either way the numbers are the same, bit for bit.

    Returns ``(F, ∂F/∂W, ∂F/∂X0, x(1))`` (the gradients are ``None`` without ``grad``).
    Requires numba (:data:`HAVE_NUMBA`).
    """
    if not HAVE_NUMBA:  # pragma: no cover - numba missing
        raise RuntimeError("rff_solve needs numba; use the generic solver")
    N, D = X0.shape
    L, _, twoq = W.shape
    q = twoq // 2
    sc = 1.0 / np.sqrt(q)
    # the kernels work on blocks of 4 points and 4 coordinates: pad D with zero coordinates
    # (zero rows of Ωᵀ, W and zero columns of B: they stay exactly 0 and contribute exact zeros)
    Dp = -(-D // 4) * 4
    # rows padded to qp entries (zeros, never read): see _padded_row
    qp = _padded_row(q)
    Wc, Ws, OmT = np.zeros((L, Dp, qp)), np.zeros((L, Dp, qp)), np.zeros((Dp, qp))
    Wc[:, :D, :q], Ws[:, :D, :q], OmT[:D, :q] = W[:, :, :q] * sc, W[:, :, q:] * sc, omega.T
    Bp = np.zeros((B.shape[0], Dp))
    Bp[:, :D] = B
    A = np.ascontiguousarray(A, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    S, spl = b.shape[0], int(steps_per_layer)
    n = _n_threads(N, N * q * S * L * spl) if threads is None else max(1, min(N, int(threads)))
    tape_bytes = 8 * 2 * qp * 4 * S * L * spl
    tape_on = bool(grad) and (tape_bytes <= BLOCK_TAPE_LIMIT if tape_features is None else bool(tape_features))
    xbar0, x1 = np.zeros((N, D)), np.empty((N, D))
    dWc = np.zeros((n, L if grad else 0, Dp, qp))
    dWs = np.zeros((n, L if grad else 0, Dp, qp))

    def block(c: int, r0: int, r1: int) -> float:
        # ... and pad each block to a multiple of 4 points with dummy points (x = 0) whose
        # residual is not counted (``nlive``): their adjoint is 0, so they add exact zeros to ∂F/∂W
        nr = r1 - r0
        nrp = -(-nr // 4) * 4
        Xb, Yb = np.zeros((nrp, Dp)), np.zeros((nrp, Y.shape[1]))
        Xb[:nr, :D], Yb[:nr] = X0[r0:r1], Y[r0:r1]
        xb, x1b = np.empty((nrp, Dp)), np.empty((nrp, Dp))
        sq = _chunk_solve(Xb, Yb, Bp, OmT, Wc, Ws, A, b, spl, bool(grad), tape_on, dWc[c], dWs[c], xb, x1b, nr, q)
        xbar0[r0:r1], x1[r0:r1] = xb[:nr, :D], x1b[:nr, :D]
        return sq

    F = float(sum(_run_blocks(block, N, n))) / N
    dWc, dWs = dWc.sum(axis=0), dWs.sum(axis=0)
    if not grad:
        return F, None, None, x1
    G = np.empty((L, D, twoq))
    G[:, :, :q] = dWc[:, :D, :q]
    G[:, :, q:] = dWs[:, :D, :q]
    G *= 2.0 * sc / N
    return F, G, (2.0 / N) * xbar0, x1
