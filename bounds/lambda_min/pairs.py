"""Passes over the pairs of a point set, in row blocks: the sums behind the data-dependent
Gershgorin bound along the flow (docs/lambda_data.rst, "One pass over the pairs").

The bound needs ``max_i Σ_{j≠i} K(t ‖x_i − x_j‖)`` at every radius of the LZB search
(``t = s_-(R) σ``) and every lifting scale of the design search.  Two ways, both in memory
``O(N·d + N·block)`` (never an ``N × N × d`` array):

* :func:`exact_row_sum_max` — ``N²`` kernel values for each ``t``, in blocks of rows; tight, used up
  to :data:`EXACT_MAX_N` points;
* :func:`pair_histogram` — **one pass** for every ``t``: per row, the number of pairs whose squared
  distance, as computed, falls in each of geometric bins of the float line.  From the float a
  rigorous *lower* bound ``e_k`` of the true distance follows for each bin, and ``K`` is
  nonincreasing, so ``Σ_{j≠i} K(t d_ij) ≤ Σ_k c_ik K(t e_k)`` for every ``t``
  (:meth:`PairHistogram.row_sum_max`).  Bin 0 (edge 0) holds the pairs closer than the first edge,
  counted with ``K ≤ K(0) = 1``.  Memory ``4 N (bins + 1)`` bytes.

The pass is compiled with numba when it is installed (the ``fast`` extra; identical counts from the
NumPy fallback), runs its row blocks in parallel (local threads, or any ``block_map``, such as the
Dask one of :mod:`verify.distributed`), and its counts are integers: the same whatever the blocks,
the threads or the machines.

>>> import numpy as np
>>> from bounds.kernels import Matern
>>> X = np.random.default_rng(0).normal(size=(300, 2))
>>> h = pair_histogram(X)
>>> exact = exact_row_sum_max(Matern("5/2"), X, 3.0)
>>> binned, _ = h.row_sum_max(Matern("5/2"), 3.0)
>>> bool(exact <= binned <= 1.5 * exact)
True
"""

from __future__ import annotations

import hashlib
import math
import os
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from bounds._core.rounding import gamma_k, round_down
from bounds._core.separation import as_point_set, closest_pair
from bounds.kernels.profile import proven_profile
from bounds.lambda_min._pair_loops import histogram_block, min_pair_block, squared_distances, weighted_row_max

__all__ = [
    "EXACT_MAX_N",
    "MANTISSA_BITS",
    "BlockMap",
    "Progress",
    "PairHistogram",
    "PointsKey",
    "points_key",
    "distinct_separation",
    "closest_pair_pass",
    "closest_pair_indices",
    "compiled_closest_pair",
    "closest_pair_kd",
    "min_pair_block",
    "pair_histogram",
    "histogram_cached",
    "histogram_block",
    "histogram_layout",
    "exact_row_sum_max",
    "exact_row_sums",
    "local_block_map",
    "row_blocks",
    "pass_blocks",
    "exact_sums_apply",
    "memory_limit_bytes",
    "check_histogram_size",
]

#: Up to this many points the Gershgorin sums are exact (``N²`` kernel values per radius);
#: above it the one-pass histogram (docs/lambda_data.rst: crossover and measured looseness).
EXACT_MAX_N = 1000
#: The bins keep this many mantissa bits of the squared distance, ``2^5 = 32`` bins per octave of
#: ``d²``, so consecutive distance edges are within a factor ``√(1 + 2⁻⁴) ≈ 1.031`` (measured
#: looseness in docs/lambda_data.rst: at most 7.5 % on the row sums at the design's level).
MANTISSA_BITS = 5
#: Smallest and largest squared distances binned (far inside the normal double range, so the
#: rounding model with underflow of docs/lambda_data.rst applies); data outside: rescale.
_S_MIN, _S_MAX = 2.0**-1000, 2.0**1000
#: Default memory limit of the arrays of the pair passes (bytes); ``RESNET_PL_MEMORY_GB`` overrides.
_DEFAULT_MEMORY_GB = 8.0
#: Entries of a ``rows × N`` block of the exact sums (memory ``8 ×`` this).
_BLOCK_ENTRIES = 2_000_000

#: ``progress(done, total)``: called after each block of a pass.
Progress = Callable[[int, int], None]
#: ``block_map(func, args, blocks)`` runs ``func(*args, start, stop)`` for every ``(start, stop)`` of
#: ``blocks`` and yields ``(index, result)`` as blocks finish (any order).
BlockMap = Callable[[Callable[..., Any], tuple, Sequence[tuple[int, int]]], Iterator[tuple[int, Any]]]


def memory_limit_bytes() -> float:
    """The memory the pair passes may use: ``RESNET_PL_MEMORY_GB`` gigabytes (default 8)."""
    raw = os.environ.get("RESNET_PL_MEMORY_GB", "")
    try:
        gb = float(raw) if raw else _DEFAULT_MEMORY_GB
    except ValueError:
        raise ValueError(f"RESNET_PL_MEMORY_GB must be a number of gigabytes, got {raw!r}") from None
    if not gb > 0:
        raise ValueError(f"RESNET_PL_MEMORY_GB must be > 0, got {raw!r}")
    return gb * 1e9


def check_histogram_size(N: int, bins: int) -> None:
    """Refuse a histogram of ``N × (bins + 1)`` counts that exceeds :func:`memory_limit_bytes`, with
    one line naming the limit and the way around it."""
    need = 4.0 * N * (bins + 1)
    limit = memory_limit_bytes()
    if need > limit:
        raise ValueError(
            f"the pair histogram of N = {N} points needs N x {bins + 1} bins x 4 bytes = {need / 1e9:.3g} GB, "
            f"above the memory limit of {limit / 1e9:.3g} GB; on a machine with more memory raise it with "
            f"RESNET_PL_MEMORY_GB={math.ceil(need / 1e9 * 1.5)}"
        )


# ----------------------------------------------------------------------------- content keys


class PointsKey:
    """A point set hashed by its content (shape and bytes): caches keyed by it are shared by every
    :class:`~bounds.problem.Problem` built on the same data (the design search builds many)."""

    __slots__ = ("points", "digest", "__weakref__")

    def __init__(self, points: np.ndarray) -> None:
        P = np.ascontiguousarray(points, dtype=float)
        h = hashlib.blake2b(repr(P.shape).encode(), digest_size=20)
        h.update(P.tobytes())
        self.points = P
        self.digest = h.hexdigest()

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PointsKey) and other.digest == self.digest

    def __repr__(self) -> str:
        return f"PointsKey(N={self.points.shape[0]}, D={self.points.shape[1]}, {self.digest[:12]})"


_KEYS: dict[int, tuple[weakref.ref, PointsKey]] = {}
_SEPARATIONS: OrderedDict[str, tuple[float, int, int]] = OrderedDict()


def points_key(points: np.ndarray) -> PointsKey:
    """The :class:`PointsKey` of an array, memoised by identity for read-only arrays (the arrays of
    a :class:`~bounds.problem.Problem` are), so repeated look-ups do not hash the data again."""
    if isinstance(points, np.ndarray) and not points.flags.writeable:
        hit = _KEYS.get(id(points))
        if hit is not None and hit[0]() is points:
            return hit[1]
        key = PointsKey(points)
        for stale in [k for k, (ref, _) in _KEYS.items() if ref() is None]:
            del _KEYS[stale]
        _KEYS[id(points)] = (weakref.ref(points), key)
        return key
    return PointsKey(points)


#: Up to this dimension (or up to 3000 points) the closest pair comes from
#: :func:`bounds._core.separation.closest_pair` (brute force, or a k-d tree); above it the k-d tree
#: degrades towards N² with a large constant (274 s for 10⁵ points in R²⁰), and the compiled pass
#: :func:`closest_pair_pass` is used.
_KD_TREE_MAX_D = 8


def compiled_closest_pair(N: int, D: int) -> bool:
    """Is the closest pair of ``N`` points in ``R^D`` found by :func:`closest_pair_pass` (``N > 3000``
    and ``D > 8``) rather than :func:`bounds._core.separation.closest_pair`?"""
    return N > 3000 and D > _KD_TREE_MAX_D


def distinct_separation(key: PointsKey, *, block_map: BlockMap | None = None,
                        progress: Progress | None = None) -> float:
    """The separation ``min_{i≠j} ‖x_i − x_j‖`` of the points (:func:`closest_pair_indices`)."""
    return closest_pair_indices(key, block_map=block_map, progress=progress)[0]


def closest_pair_indices(key: PointsKey, *, block_map: BlockMap | None = None,
                         progress: Progress | None = None) -> tuple[float, int, int]:
    """``(sep, i, j)``: the separation and a closest pair, computed once per content, raising
    ``ValueError`` on duplicate points (the message of :func:`bounds._core.separation.closest_pair`).

    Up to 3000 points or in dimension ``≤ 8``: :func:`~bounds._core.separation.closest_pair`; else
    :func:`closest_pair_pass` (``block_map`` and ``progress`` as for :func:`pair_histogram`).

    Formula
    -------
    ``sep = min_{i<j} fl(‖x_i − x_j‖)``.

    Kind
    ----
    numerical (the float distance of a closest pair; within ``(D/2 + 3)u`` of the true one).

    References
    ----------
    docs/lambda_data.rst#one-pass-over-the-pairs
    """
    if key.digest not in _SEPARATIONS:
        if compiled_closest_pair(*key.points.shape):
            _SEPARATIONS[key.digest] = closest_pair_pass(key.points, block_map=block_map, progress=progress)
        else:
            _SEPARATIONS[key.digest] = closest_pair(key.points)
        while len(_SEPARATIONS) > 64:
            _SEPARATIONS.popitem(last=False)
    return _SEPARATIONS[key.digest]


def closest_pair_pass(points: np.ndarray, *, block_map: BlockMap | None = None,
                      progress: Progress | None = None) -> tuple[float, int, int]:
    """``(sep, i, j)``, ``i < j`` a closest pair, by a compiled pass over the pairs ``i < j`` in row
    blocks (the squared distances of :func:`histogram_block`; a pair minimising them, its distance
    recomputed as :func:`bounds._core.separation.closest_pair` does).

    Raises
    ------
    ValueError
        Duplicate points (the rows named, the message of ``closest_pair``).
    """
    P = as_point_set(points)
    N = P.shape[0]
    XT = np.ascontiguousarray(P.T)
    blocks = pass_blocks(N)
    runner = block_map if block_map is not None else local_block_map()
    best, bi, bj = math.inf, -1, -1
    for done, (_, (s, i, j)) in enumerate(runner(min_pair_block, (XT,), blocks), start=1):
        if (s, i, j) < (best, bi, bj) or bi < 0:
            best, bi, bj = s, i, j
        if progress is not None:
            progress(done, len(blocks))
    if best == 0.0:
        raise ValueError(
            f"X contains duplicate points (rows {bi} and {bj}): the separation is 0 and "
            "λ_min(K_X) = 0; remove duplicates before computing separation-based bounds"
        )
    return float(np.sqrt(np.sum((P[bi] - P[bj]) ** 2))), bi, bj


# ----------------------------------------------------------------------------- blocks


def row_blocks(N: int, rows: int) -> list[tuple[int, int]]:
    """``[(0, rows), (rows, 2 rows), …]`` covering ``range(N)`` (the last block may be shorter)."""
    rows = max(1, int(rows))
    return [(a, min(a + rows, N)) for a in range(0, N, rows)]


def local_block_map(workers: int | None = None) -> BlockMap:
    """Run the blocks on a pool of ``workers`` local threads (default: the CPU count); the compiled
    pass releases the GIL."""
    n = workers if workers is not None else (os.cpu_count() or 1)

    def run(func: Callable[..., Any], args: tuple, blocks: Sequence[tuple[int, int]]) -> Iterator[tuple[int, Any]]:
        with ThreadPoolExecutor(max_workers=max(1, n)) as pool:
            futures = {pool.submit(func, *args, a, b): i for i, (a, b) in enumerate(blocks)}
            for fut in as_completed(futures):
                yield futures[fut], fut.result()

    return run


def exact_sums_apply(N: int) -> bool:
    """Are the Gershgorin row sums of ``N`` points computed exactly (``N ≤ EXACT_MAX_N``)?"""
    return N <= EXACT_MAX_N


def pass_blocks(N: int, block_rows: int | None = None) -> list[tuple[int, int]]:
    """Blocks of the histogram pass: about 64 (progress, balance), at least 16 rows each."""
    return row_blocks(N, block_rows if block_rows is not None else max(16, -(-N // 64)))


def _sum_blocks(N: int, block_rows: int | None) -> list[tuple[int, int]]:
    """Blocks of the exact sums: at most ``_BLOCK_ENTRIES`` kernel values each."""
    return row_blocks(N, block_rows if block_rows is not None else max(1, _BLOCK_ENTRIES // N))


# ----------------------------------------------------------------------------- the histogram


@dataclass(frozen=True)
class Layout:
    """The bins of a histogram: squared-distance thresholds ``E_k`` (floats whose bit patterns are
    ``b0 + k·2^shift``) and the rigorous distance lower edges ``e_k`` (``e_0 = 0``: the near bin)."""

    b0: int
    shift: int
    bins: int
    thresholds: np.ndarray
    edges: np.ndarray


#: Dimension of the projection whose closest pair (a k-d tree) starts the bins when the data's own
#: closest pair is left to the pass (:func:`compiled_closest_pair`).
_LAYOUT_PROJECTION = 6


def _layout_separation(key: PointsKey) -> float:
    """The separation the bins start from: the data's when known or cheap; else (``N > 3000``,
    ``D > 8``) that of the projection on the top principal directions, a lower bound (orthogonal
    projections shorten distances; the bins start at half its square, below any rounding) found by
    a k-d tree in seconds; the pass then finds the data's closest pair itself
    (``_record_separation``).  A projection with coinciding points: the full closest pair."""
    N, D = key.points.shape
    if key.digest in _SEPARATIONS or not compiled_closest_pair(N, D):
        return distinct_separation(key)
    C = key.points - key.points.mean(axis=0)
    _, vectors = np.linalg.eigh(C.T @ C)
    projected = C @ vectors[:, -_LAYOUT_PROJECTION:]
    sep = closest_pair_kd(projected)
    return sep if sep > 0 else distinct_separation(key)


def closest_pair_kd(points: np.ndarray) -> float:
    """The closest-pair distance of points in low dimension by a k-d tree (0 for coinciding points)."""
    from scipy.spatial import cKDTree  # noqa: PLC0415

    dist, _ = cKDTree(points).query(points, k=2)
    return float(np.min(dist[:, 1]))


def histogram_layout(points: np.ndarray, mantissa_bits: int = MANTISSA_BITS) -> Layout:
    """The bins for ``points``: thresholds from a power of two below ``sep²/2`` to one above the
    squared diameter, ``2^mantissa_bits`` per octave; edge of column ``k ≥ 1`` is
    ``e = ⌊√((E_{k−1} − D·2⁻¹⁰⁷⁴)/(1 + γ_{D+2}))⌋`` (docs/lambda_data.rst), column 0 has edge 0.

    Raises
    ------
    ValueError
        Squared distances outside ``[2⁻¹⁰⁰⁰, 2¹⁰⁰⁰]`` (rescale the data), or ``mantissa_bits``
        outside ``1..12``.
    """
    if not (isinstance(mantissa_bits, int) and 1 <= mantissa_bits <= 12):
        raise ValueError(f"mantissa_bits must be an integer in 1..12, got {mantissa_bits!r}")
    key = points_key(as_point_set(points))
    P = key.points
    N, D = P.shape
    sep = _layout_separation(key)
    radius = float(np.max(np.linalg.norm(P - P[0], axis=1)))
    top = (2.0 * radius) ** 2 * (1 + 1e-6)
    if sep * sep < 2 * _S_MIN or top > _S_MAX:
        raise ValueError(
            f"the pair histogram needs squared distances in [2^-1000, 2^1000]; these data have separation "
            f"{sep:.3g} and diameter up to {2 * radius:.3g}: rescale the data"
        )
    lo_exp = math.floor(math.log2(sep * sep)) - 1
    hi_exp = math.floor(math.log2(top)) + 1
    bins = (hi_exp - lo_exp) << mantissa_bits
    shift = 52 - mantissa_bits
    b0 = int(np.float64(2.0**lo_exp).view(np.int64))
    thresholds = (b0 + (np.arange(bins, dtype=np.int64) << shift)).view(np.float64)
    g = mpmath.mpf(gamma_k(D + 2))
    tiny = D * mpmath.ldexp(1, -1074)
    edges = np.zeros(bins + 1)
    with mpmath.workdps(40):
        for k, E in enumerate(thresholds.tolist()):
            edges[k + 1] = round_down(mpmath.sqrt(max(mpmath.mpf(0), (mpmath.mpf(E) - tiny) / (1 + g))))
    return Layout(b0=b0, shift=shift, bins=bins, thresholds=thresholds, edges=edges)


@dataclass(frozen=True, eq=False)
class PairHistogram:
    """Per-row counts of pairwise distances in geometric bins (:func:`pair_histogram`).

    ``counts[i, k]`` pairs ``(i, j)``, ``j ≠ i``, have a true distance ``≥ edges[k]``
    (``edges[0] = 0``; each row sums to ``N − 1``).  ``points_digest`` names the points binned.
    """

    edges: np.ndarray
    counts: np.ndarray
    points_digest: str
    mantissa_bits: int

    @property
    def N(self) -> int:
        return int(self.counts.shape[0])

    @property
    def bins(self) -> int:
        """Number of columns (the near bin included)."""
        return int(self.counts.shape[1])

    def weights(self, kernel: Any, factor: float) -> np.ndarray:
        """``K̃(t_k)`` with ``t_k = fl(factor · e_k)`` stepped one ulp towards 0, so ``t_k ≤ factor·e_k``
        exactly (``fl(ab) ≤ ab(1 + u)`` and one step down multiplies by at most ``1 − u``)."""
        t = np.nextafter(float(factor) * self.edges, 0.0)
        return proven_profile(kernel, t)

    def row_sum_max(self, kernel: Any, factor: float, *, workers: int | None = None) -> tuple[float, int]:
        """``(fl(max_i Σ_k c_ik K̃(t_k)), n)``: the float value and the number ``n`` of products per row.

        Formula
        -------
        ``max_i Σ_{j≠i} K(factor·d_ij) ≤ value/(1 − γ_n) + (N − 1) ε`` with ``ε`` the profile's
        evaluation error.

        Kind
        ----
        the float is numerical; the allowance makes it rigorous
        (:func:`bounds.lambda_min.data.data_gershgorin_bound`).

        References
        ----------
        docs/lambda_data.rst#gershgorin-along-the-flow
        """
        w = self.weights(kernel, factor)
        blocks = row_blocks(self.N, -(-self.N // max(1, workers or os.cpu_count() or 1)))
        if len(blocks) == 1:
            return weighted_row_max(self.counts, w, 0, self.N), self.bins
        results = local_block_map(workers)(weighted_row_max, (self.counts, w), blocks)
        return max(r for _, r in results), self.bins


def _record_separation(key: PointsKey, closest: tuple[float, int, int]) -> None:
    """Keep the closest pair the pass found (every ``s̃_ij`` was computed) as the separation of the
    points, where it would otherwise take a pass of its own (:func:`compiled_closest_pair`)."""
    s_min, i, j = closest
    if key.digest in _SEPARATIONS or not compiled_closest_pair(*key.points.shape) or i < 0:
        return
    if s_min == 0.0:
        raise ValueError(
            f"X contains duplicate points (rows {i} and {j}): the separation is 0 and "
            "λ_min(K_X) = 0; remove duplicates before computing separation-based bounds"
        )
    P = key.points
    _SEPARATIONS[key.digest] = (float(np.sqrt(np.sum((P[i] - P[j]) ** 2))), i, j)


def _trim_empty_columns(counts: np.ndarray, edges: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop the columns ``1 … k`` that are empty in every row when there are more than two octaves
    of them (bins below the closest pair, when the layout started from a projection's separation):
    the sums do not change, their cost does.  A layout from the data's own separation has its
    closest pair in the first two octaves and is kept as it is."""
    used = np.flatnonzero(np.any(counts[:, 1:] != 0, axis=0))
    first = int(used[0]) + 1 if used.size else 1
    if first <= (2 << bits) + 1:
        return counts, edges
    keep = np.r_[0, first : counts.shape[1]]
    return np.ascontiguousarray(counts[:, keep]), edges[keep]


_HISTOGRAMS: OrderedDict[tuple[str, int], PairHistogram] = OrderedDict()
#: Histograms kept in memory (each ``4 N (bins + 1)`` bytes).
_HISTOGRAM_CACHE_SIZE = 2


def histogram_cached(points: np.ndarray, mantissa_bits: int = MANTISSA_BITS) -> bool:
    """Is the histogram of these points (by content) already in the cache of :func:`pair_histogram`?"""
    return (points_key(np.asarray(points, dtype=float)).digest, mantissa_bits) in _HISTOGRAMS


def pair_histogram(
    points: np.ndarray, *, mantissa_bits: int = MANTISSA_BITS, block_rows: int | None = None,
    block_map: BlockMap | None = None, progress: Progress | None = None, cache: bool = True,
) -> PairHistogram:
    """One pass over the pairs: per-row counts of the pairwise distances in geometric bins.

    Parameters
    ----------
    points
        ``N × D`` finite points (distinct for the Gershgorin bound; duplicates land in bin 0).
    mantissa_bits
        ``2^mantissa_bits`` bins per octave of the squared distance.
    block_rows
        Rows per block (default: about 64 blocks, at most ``2·10⁶/N`` rows each).
    block_map
        Where the blocks run (default :func:`local_block_map`); :mod:`verify.distributed` gives Dask.
    progress
        ``progress(done, total)`` after each block.
    cache
        Keep the result for later calls on the same points (keyed by content, two kept).

    Returns
    -------
    PairHistogram
        ``counts[i, k]``: pairs ``j ≠ i`` with a true distance ``≥ edges[k]``.

    Raises
    ------
    ValueError
        Non-finite points, ``N < 2``, data too small or too large to bin (rescale), or a histogram
        above the memory limit (:func:`check_histogram_size`).

    Formula
    -------
    column ``k ≥ 1`` of row ``i`` counts the ``j`` with ``E_{k−1} ≤ s̃_ij < E_k``; since
    ``s̃ ≤ (1 + γ_{D+2}) d² + D·2⁻¹⁰⁷⁴`` for any summation order, ``d ≥ e_k``.

    Kind
    ----
    exact integer counts; the edges are rigorous lower bounds.

    References
    ----------
    docs/lambda_data.rst#one-pass-over-the-pairs
    """
    key = points_key(as_point_set(points))
    P = key.points
    if cache and (key.digest, mantissa_bits) in _HISTOGRAMS:
        _HISTOGRAMS.move_to_end((key.digest, mantissa_bits))
        return _HISTOGRAMS[(key.digest, mantissa_bits)]
    layout = histogram_layout(P, mantissa_bits)
    N = P.shape[0]
    check_histogram_size(N, layout.bins)
    XT = np.ascontiguousarray(P.T)
    blocks = pass_blocks(N, block_rows)
    counts = np.empty((N, layout.bins + 1), dtype=np.int32)
    runner = block_map if block_map is not None else local_block_map()
    closest: tuple[float, int, int] = (math.inf, -1, -1)
    for done, (index, (block, s_min, i, j)) in enumerate(
            runner(histogram_block, (XT, layout.b0, layout.shift, layout.bins), blocks), start=1):
        a, b = blocks[index]
        counts[a:b] = block
        closest = min(closest, (s_min, i, j))
        if progress is not None:
            progress(done, len(blocks))
    _record_separation(key, closest)
    counts, edges = _trim_empty_columns(counts, layout.edges, mantissa_bits)
    counts.setflags(write=False)
    hist = PairHistogram(edges=edges, counts=counts, points_digest=key.digest, mantissa_bits=mantissa_bits)
    if cache:
        _HISTOGRAMS[(key.digest, mantissa_bits)] = hist
        while len(_HISTOGRAMS) > _HISTOGRAM_CACHE_SIZE:
            _HISTOGRAMS.popitem(last=False)
    return hist


# ----------------------------------------------------------------------------- exact row sums


def exact_row_sums(kernel: Any, points: np.ndarray, factor: float, start: int, stop: int) -> np.ndarray:
    """``fl(Σ_{j≠i} K̃(fl(factor · r̃_ij)))`` for the rows ``start:stop``, ``r̃ = fl(√s̃)`` (the
    squared distances of :func:`histogram_block`, summed in the same order), shape ``(stop − start,)``."""
    XT = np.ascontiguousarray(np.asarray(points, dtype=float).T)
    G = proven_profile(kernel, float(factor) * np.sqrt(squared_distances(XT, start, stop)))
    G[np.arange(stop - start), np.arange(start, stop)] = 0.0
    return G.sum(axis=1)


def exact_row_sum_max(kernel: Any, points: np.ndarray, factor: float, *, block_rows: int | None = None) -> float:
    """``fl(max_i Σ_{j≠i} K̃(fl(factor · r̃_ij)))`` by blocks of rows (memory ``O(N · block)``).

    Formula
    -------
    The ``N − 1`` terms of a row are summed in any order (NumPy's pairwise sum), so the exact sum
    of the computed terms is at most ``value/(1 − γ_{N−1})``.

    Kind
    ----
    numerical (the float value; :func:`bounds.lambda_min.data.data_gershgorin_bound` adds the
    allowances).

    References
    ----------
    docs/lambda_data.rst#gershgorin-along-the-flow
    """
    P = as_point_set(points)
    N = P.shape[0]
    best = 0.0
    for a, b in _sum_blocks(N, block_rows):
        best = max(best, float(np.max(exact_row_sums(kernel, P, factor, a, b))))
    return best
