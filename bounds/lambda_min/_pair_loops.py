"""The compiled loops of the passes over the pairs (:mod:`bounds.lambda_min.pairs`) and their NumPy
twins, which give the same floats and the same counts (no reassociation, no contraction: the
squared distances are summed over the coordinates in order, in both).

numba (the ``fast`` extra) is imported on first use, not with the module; the loops are plain
Python functions compiled on first use (``nogil``, cached on disk), so that the thread pool
and the Dask workers of :mod:`bounds.lambda_min.pairs` run them in parallel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["squared_distances", "histogram_block", "min_pair_block", "weighted_row_max"]

#: Entries of a ``rows × N`` block of the NumPy pass (memory ``8 ×`` this).
_BLOCK_ENTRIES = 2_000_000


def squared_distances(XT: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``s̃_ij = fl(Σ_c fl(fl(x_ic − x_jc)²))`` for rows ``start:stop``, summed over ``c`` in order
    (the order of the compiled pass), shape ``(stop − start, N)``; compiled when numba is present
    (the same floats: no reassociation, no contraction)."""
    fast = _compiled()
    if fast:
        return fast["squared"](XT, start, stop)
    return squared_distances_numpy(XT, start, stop)  # pragma: no cover - without numba


def squared_distances_numpy(XT: np.ndarray, start: int, stop: int) -> np.ndarray:
    s = np.zeros((stop - start, XT.shape[1]))
    for c in range(XT.shape[0]):
        z = XT[c, start:stop, None] - XT[c, None, :]
        s += z * z
    return s


def _squared_distances_loops(XT, start, stop):
    D, N = XT.shape
    s = np.zeros((stop - start, N))
    for i in range(start, stop):
        for c in range(D):
            _add_squares(s[i - start], XT[c], XT[c, i], N)
    return s


def histogram_block_numpy(XT: np.ndarray, b0: int, shift: int, bins: int, start: int,
                           stop: int) -> tuple[np.ndarray, float, int, int]:
    """NumPy fallback of the pass over rows ``start:stop`` (same counts and closest pair as the
    compiled one)."""
    counts = np.zeros((stop - start, bins + 1), dtype=np.int32)
    best, bi, bj = math.inf, -1, -1
    step = max(1, _BLOCK_ENTRIES // max(XT.shape[1], 1))
    for a in range(start, stop, step):
        b = min(a + step, stop)
        sq = squared_distances_numpy(XT, a, b)
        k = ((sq.view(np.int64) - b0) >> shift) + 1
        np.clip(k, 0, bins, out=k)
        k += (bins + 1) * np.arange(b - a)[:, None]
        flat = np.bincount(k.ravel(), minlength=(b - a) * (bins + 1))
        counts[a - start : b - start] = flat.reshape(b - a, bins + 1)
        sq[np.arange(b - a), np.arange(a, b)] = np.inf
        r, j = divmod(int(np.argmin(sq)), sq.shape[1])  # the first minimum in row order, as compiled
        if sq[r, j] < best:
            best, bi, bj = float(sq[r, j]), a + r, j
    counts[:, 0] -= 1  # the pair (i, i): s = 0, counted in the near bin
    return counts, best, min(bi, bj), max(bi, bj)


def _add_squares_loops(s, xc, xi, m):
    """``s[j] += (xi − xc[j])²`` for ``j < m``: its own function, so that LLVM vectorises it (the
    same loop inlined in the callers ran 2–4× slower for d = 20)."""
    for j in range(m):
        z = xi - xc[j]
        s[j] += z * z


#: The compiled ``_add_squares_loops`` once ``_compiled()`` ran (the loops below call it by name).
_add_squares = _add_squares_loops


def _histogram_block_loops(XT, b0, shift, bins, start, stop):
    """The pass as loops (compiled by numba on first use): rows ``start:stop`` against all
    ``j`` in chunks of 1024 (the squared distances stay in L1), four copies of the row's counts (no
    store-to-load chains when consecutive ``j`` share a bin)."""
    D, N = XT.shape
    counts = np.zeros((stop - start, bins + 1), np.int32)
    chunk = 1024
    s = np.empty(chunk, np.float64)
    si = s.view(np.int64)
    local = np.zeros((4, bins + 1), np.int32)
    best, bi, bj = np.inf, -1, -1
    for i in range(start, stop):
        local[:, :] = 0
        for j0 in range(0, N, chunk):
            m = min(chunk, N - j0)
            s[:m] = 0.0
            for c in range(D):
                _add_squares(s, XT[c, j0:], XT[c, i], m)
            for j in range(m):
                k = ((si[j] - b0) >> shift) + 1
                k = min(max(k, 0), bins)
                local[j & 3, k] += 1
                if s[j] < best and j0 + j != i:
                    best, bi, bj = s[j], i, j0 + j
        row = counts[i - start]
        for k in range(bins + 1):
            row[k] = local[0, k] + local[1, k] + local[2, k] + local[3, k]
        row[0] -= 1  # the pair (i, i)
    return counts, best, min(bi, bj), max(bi, bj)


def _weighted_row_max_loops(counts, w, start, stop):
    """``max_i Σ_k counts[i, k] w[k]`` over rows ``start:stop``, four partial sums per row."""
    best = 0.0
    n = w.shape[0]
    n4 = n - n % 4
    for i in range(start, stop):
        a0 = a1 = a2 = a3 = 0.0
        for k in range(0, n4, 4):
            a0 += counts[i, k] * w[k]
            a1 += counts[i, k + 1] * w[k + 1]
            a2 += counts[i, k + 2] * w[k + 2]
            a3 += counts[i, k + 3] * w[k + 3]
        for k in range(n4, n):
            a0 += counts[i, k] * w[k]
        acc = (a0 + a1) + (a2 + a3)
        if acc > best:
            best = acc
    return best


def _min_pair_loops(XT, start, stop):
    """``(min s̃_ij, i, j)`` over ``start ≤ i < stop``, ``j > i`` (the first minimum in row order)."""
    D, N = XT.shape
    chunk = 1024
    s = np.empty(chunk, np.float64)
    best, bi, bj = np.inf, -1, -1
    for i in range(start, stop):
        for j0 in range(i + 1, N, chunk):
            m = min(chunk, N - j0)
            s[:m] = 0.0
            for c in range(D):
                _add_squares(s, XT[c, j0:], XT[c, i], m)
            for j in range(m):
                if s[j] < best:
                    best, bi, bj = s[j], i, j0 + j
    return best, bi, bj


_COMPILED: dict[str, Any] = {}


def _compiled() -> dict[str, Any]:
    """The loops compiled by numba (``nogil``, cached on disk), or ``{}`` without numba (the
    ``fast`` extra): numba is imported on first use, not with the module."""
    if not _COMPILED:
        try:
            import numba  # noqa: PLC0415
        except ImportError:  # pragma: no cover - exercised where numba is missing
            _COMPILED["none"] = None
            return {}
        jit = numba.njit(nogil=True, cache=True, boundscheck=False)
        global _add_squares
        _add_squares = jit(_add_squares_loops)  # first: the loops below call it
        _COMPILED["histogram"] = jit(_histogram_block_loops)
        _COMPILED["row_max"] = jit(_weighted_row_max_loops)
        _COMPILED["squared"] = jit(_squared_distances_loops)
        _COMPILED["min_pair"] = jit(_min_pair_loops)
    return {} if "none" in _COMPILED else _COMPILED


def histogram_block(XT: np.ndarray, b0: int, shift: int, bins: int, start: int,
                    stop: int) -> tuple[np.ndarray, float, int, int]:
    """``(counts, s_min, i, j)`` for the rows ``start:stop``: ``counts`` of shape
    ``(stop − start, bins + 1)``, ``int32``, column ``k ≥ 1`` counting the ``j ≠ i`` whose computed
    squared distance ``s̃_ij`` has bit pattern in ``[b0 + (k−1)·2^shift, b0 + k·2^shift)`` (the last
    column: everything above), column 0 those below ``b0``; ``(s_min, i, j)`` the smallest
    ``s̃_ij``, ``i`` in the rows, ``j ≠ i``, and its pair (``i < j``; the first in row order).
    ``XT`` is the transposed point set (``D × N``).  Compiled when numba is present."""
    fast = _compiled()
    if fast:
        counts, best, i, j = fast["histogram"](XT, np.int64(b0), np.int64(shift), np.int64(bins), start, stop)
        return counts, float(best), int(i), int(j)
    return histogram_block_numpy(XT, b0, shift, bins, start, stop)  # pragma: no cover


def min_pair_block(XT: np.ndarray, start: int, stop: int) -> tuple[float, int, int]:
    """``(min s̃_ij, i, j)`` over rows ``start ≤ i < stop`` and ``j > i`` (``(inf, -1, -1)`` if none);
    compiled when numba is present (otherwise NumPy by rows)."""
    fast = _compiled()
    if fast:
        best, i, j = fast["min_pair"](XT, start, stop)
        return float(best), int(i), int(j)
    best, bi, bj = math.inf, -1, -1  # pragma: no cover - without numba
    for i in range(start, min(stop, XT.shape[1] - 1)):  # pragma: no cover
        s = squared_distances_numpy(XT, i, i + 1)[0, i + 1 :]
        j = int(np.argmin(s))
        if s[j] < best:
            best, bi, bj = float(s[j]), i, i + 1 + j
    return best, bi, bj


def weighted_row_max(counts: np.ndarray, w: np.ndarray, start: int, stop: int) -> float:
    fast = _compiled()
    if fast:
        return float(fast["row_max"](counts, w, start, stop))
    return float(np.max(counts[start:stop] @ w))  # pragma: no cover
