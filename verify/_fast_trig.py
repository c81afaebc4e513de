"""Vectorised float64 ``sin``/``cos`` kernels for the random-feature flow (private).

NumPy's float64 ``np.cos``/``np.sin`` run at about 20 ns per element on this project's machines
(scalar libm, no SIMD), and one random-feature stage needs ``N·q`` of each.  This module
provides the two elementwise kernels of the RFF field and its adjoint:

``sincos_features(Z, out)``
    ``out[:, :q] = cos(Z)``, ``out[:, q:] = sin(Z)`` for a phase block ``Z`` of shape ``(N, q)``.
``phase_adjoint(U, Phi, out)``
    ``out = -U[:, :q] * Phi[:, q:] + U[:, q:] * Phi[:, :q]`` (the derivative of
    ``⟨U, [cos Z, sin Z]⟩`` with respect to ``Z``, reusing the taped cos/sin).

With numba installed the kernels are compiled, parallel over rows and SIMD-vectorised: the
trigonometric functions use the fdlibm argument reduction (Cody–Waite, three-part π/2, exact for
``|z| < 2^19·π/2``; larger phases fall back to libm per element) and the fdlibm minimax
polynomials on ``[-π/4, π/4]``, accurate to 2 ulp of 1 (``|error| ≤ 2.3e-16``, tested in
``tests/test_flow_trig.py`` against ``np.cos``/``np.sin`` over ``|z| ≤ 10^6``).  Without numba
the same functions run in NumPy (slower, same results to rounding).
"""

from __future__ import annotations

import numpy as np

__all__ = ["HAVE_NUMBA", "sincos_features", "phase_adjoint"]

# fdlibm constants (e_rem_pio2.c, k_sin.c, k_cos.c).
_PIO2_1 = 1.57079632673412561417e00  # first 33 bits of pi/2
_PIO2_2 = 6.07710050630396597660e-11  # next 33 bits
_PIO2_3 = 2.02226624871116645580e-21  # next 33 bits
_INVPIO2 = 6.36619772367581382433e-01
_REDUCTION_LIMIT = 8.0e5  # |n| < 2^19: n * _PIO2_k is exact (33 + 19 < 53 bits)
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


def _sincos_numpy(Z: np.ndarray, out: np.ndarray) -> None:
    q = Z.shape[1]
    np.cos(Z, out=out[:, :q])
    np.sin(Z, out=out[:, q:])


def _phase_adjoint_numpy(U: np.ndarray, Phi: np.ndarray, out: np.ndarray) -> None:
    q = out.shape[1]
    np.multiply(U[:, q:], Phi[:, :q], out=out)
    out -= U[:, :q] * Phi[:, q:]


if HAVE_NUMBA:  # pragma: no branch

    @_nb.njit(inline="always", cache=True)
    def _sincos_scalar(x):  # noqa: ANN001, ANN202 - numba kernel
        n = np.rint(x * _INVPIO2)
        r = ((x - n * _PIO2_1) - n * _PIO2_2) - n * _PIO2_3
        z = r * r
        s = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
        c = 1.0 - 0.5 * z + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6)))))
        quad = n - 4.0 * np.floor(n * 0.25)  # n mod 4 as a float, branch-free
        swap = (quad == 1.0) | (quad == 3.0)
        ss = c if swap else s
        cc = s if swap else c
        sign_s = -1.0 if quad >= 2.0 else 1.0
        sign_c = -1.0 if (quad == 1.0) | (quad == 2.0) else 1.0
        return sign_s * ss, sign_c * cc

    @_nb.njit(parallel=True, boundscheck=False, cache=True)
    def _sincos_numba(Z, out):  # noqa: ANN001, ANN202 - numba kernel
        N, q = Z.shape
        for i in _nb.prange(N):
            for j in range(q):
                s, c = _sincos_scalar(Z[i, j])
                out[i, j] = c
                out[i, q + j] = s
            for j in range(q):  # rare: huge phases go to libm (kept out of the SIMD loop)
                if abs(Z[i, j]) > _REDUCTION_LIMIT:
                    out[i, j] = np.cos(Z[i, j])
                    out[i, q + j] = np.sin(Z[i, j])

    @_nb.njit(parallel=True, boundscheck=False, cache=True)
    def _phase_adjoint_numba(U, Phi, out):  # noqa: ANN001, ANN202 - numba kernel
        N, q = out.shape
        for i in _nb.prange(N):
            for j in range(q):
                out[i, j] = U[i, q + j] * Phi[i, j] - U[i, j] * Phi[i, q + j]


def sincos_features(Z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write ``[cos Z, sin Z]`` into ``out`` (shape ``(N, 2q)``, C-contiguous float64)."""
    if HAVE_NUMBA:
        _sincos_numba(Z, out)
    else:  # pragma: no cover - numba missing
        _sincos_numpy(Z, out)
    return out


def phase_adjoint(U: np.ndarray, Phi: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write ``U_s ⊙ cos Z − U_c ⊙ sin Z`` into ``out`` (shape ``(N, q)``) from the taped ``Phi``."""
    if HAVE_NUMBA:
        _phase_adjoint_numba(U, Phi, out)
    else:  # pragma: no cover - numba missing
        _phase_adjoint_numpy(U, Phi, out)
    return out


def sincos_features_numpy(Z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The NumPy reference of :func:`sincos_features` (used by the tests and the fallback)."""
    _sincos_numpy(Z, out)
    return out


def phase_adjoint_numpy(U: np.ndarray, Phi: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The NumPy reference of :func:`phase_adjoint`."""
    _phase_adjoint_numpy(U, Phi, out)
    return out
