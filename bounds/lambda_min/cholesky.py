"""A blocked, in-place Cholesky factorisation for the verified ``λ_min`` of large Gram matrices
(docs/lambda_data.rst, "Verified λ_min").

Right-looking, by block columns of ``nb`` rows: LAPACK ``potrf`` on the diagonal block, a triangular
solve for the panel below it, and the trailing update ``A₂₂ ← A₂₂ − L₂₁ L₂₁ᵀ`` by matrix products
on block rows of the lower triangle (memory: the matrix and one ``N × nb`` panel).  Why not one
``potrf`` call: the multithreaded OpenBLAS ``potrf`` shipped with NumPy/SciPy crashes (segmentation
fault) on matrices of order 16,000 and more; on blocks of order ``nb`` it does not.

Rounding: every computed entry is ``l_ij = (a_ij − Σ_{k<j} l_ik l_jk)/l_jj`` (or its square-root
analogue), the sum evaluated in *some* order — the blocks only choose the order (the products of
one block column are summed by a matrix product, then subtracted).  Higham, *Accuracy and Stability
of Numerical Algorithms*, 2nd ed., Lemma 8.4 and Thm 10.3 hold whatever the order of evaluation,
so the computed factor satisfies ``L̃L̃ᵀ = A + ΔA`` with ``|ΔA| ≤ γ_{n+1} |L̃||L̃ᵀ|``, as for an
unblocked factorisation (conventional, non-Strassen products; FMA only removes roundings).

>>> import numpy as np
>>> A = np.array([[4.0, 2.0, 0.0], [2.0, 5.0, 1.0], [0.0, 1.0, 3.0]])
>>> B = A.copy()
>>> blocked_cholesky_in_place(B, nb=2)
True
>>> L = np.tril(B)
>>> bool(np.allclose(L @ L.T, A))
True
"""

from __future__ import annotations

import contextlib

import numpy as np
import scipy.linalg

try:  # optional (installed with scikit-learn): one BLAS thread for the small diagonal blocks
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional
    threadpool_limits = None

__all__ = ["blocked_cholesky_in_place", "BLOCK"]

#: Order of the diagonal blocks.
BLOCK = 1024
#: Order of the blocks factorised by LAPACK ``potrf`` itself (larger diagonal blocks are factorised by
#: the same blocked algorithm): OpenBLAS runs ``potrf`` on one thread at this size, which is both
#: safe and fast; its threaded ``potrf`` was erratic (0.005 to 2 s for order 512) on a loaded machine.
LEAF = 64


def _one_thread() -> contextlib.AbstractContextManager:
    return threadpool_limits(1, user_api="blas") if threadpool_limits is not None else contextlib.nullcontext()


def _diagonal_factor(Akk: np.ndarray) -> np.ndarray | None:
    """The lower Cholesky factor of a (C-contiguous) diagonal block, or ``None`` if not positive
    definite: LAPACK ``potrf`` up to :data:`LEAF`, else the blocked algorithm with ``nb = LEAF``."""
    if Akk.shape[0] > LEAF:
        return np.tril(Akk) if blocked_cholesky_in_place(Akk, LEAF) else None
    # potrf reads the upper triangle of its Fortran-ordered argument = the lower triangle of Akk
    c, info = scipy.linalg.lapack.dpotrf(Akk.T, lower=0, clean=1)
    return c.T if info == 0 else None


def blocked_cholesky_in_place(A: np.ndarray, nb: int = BLOCK) -> bool:
    """Factorise the symmetric ``A`` (C-contiguous, its lower triangle read) as ``L Lᵀ`` in place:
    on success the lower triangle of ``A`` holds ``L``; the strict upper triangle is left
    unspecified.  Returns whether the factorisation ran to completion (``False``: a pivot was not
    positive, ``A`` is then overwritten and must be rebuilt).

    Raises
    ------
    ValueError
        ``A`` not square and C-contiguous, or ``nb < 1``.

    Formula
    -------
    right-looking block Cholesky (module docstring); ``L̃L̃ᵀ = A + ΔA``, ``|ΔA| ≤ γ_{n+1}|L̃||L̃ᵀ|``
    (Higham Thm 10.3, any order of the inner products).

    Kind
    ----
    a floating-point factorisation; the verified bound built on it is rigorous.

    References
    ----------
    docs/lambda_data.rst#verified-lambda-min; N. J. Higham, *Accuracy and Stability of Numerical
    Algorithms*, 2nd ed., Thm 10.3.
    """
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not A.flags.c_contiguous:
        raise ValueError(f"A must be a square C-contiguous array, got shape {A.shape}")
    if nb < 1:
        raise ValueError(f"nb must be >= 1, got {nb}")
    N = A.shape[0]
    for k in range(0, N, nb):
        e = min(k + nb, N)
        with _one_thread():  # small BLAS calls: thread start-up dominates, on a loaded machine by far
            Lkk = _diagonal_factor(np.ascontiguousarray(A[k:e, k:e]))
        if Lkk is None:
            return False
        A[k:e, k:e] = Lkk
        if e == N:
            break
        # panel: L21 = A21 L11^{-T}, i.e. L11 L21ᵀ = A21ᵀ
        A[e:, k:e] = scipy.linalg.solve_triangular(Lkk, A[e:, k:e].T, lower=True, check_finite=False).T
        panel = A[e:, k:e]
        for i in range(e, N, nb):  # trailing update of the lower triangle, block row by block row
            ie = min(i + nb, N)
            A[i:ie, e:ie] -= panel[i - e : ie - e] @ panel[: ie - e].T
    return True
