"""The passes over the pairs (bounds/lambda_min/pairs.py, docs/lambda_data.rst "One pass over the
pairs"): blocked and compiled sums against brute-force float64 and mpmath references, the
histogram's edges against exact distances, the binned bound's sandwich, and the size guards."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, target
from hypothesis import strategies as st

from bounds._core.rounding import UNIT_ROUNDOFF, gamma_k
from bounds._core.separation import closest_pair
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile import profile_mp
from bounds.lambda_min import _pair_loops, data, pairs
from bounds.lambda_min.data import data_gershgorin_bound, entry_error_bound
from bounds.problem import Problem
from bounds.recipe import gershgorin_scale

KERNELS = st.sampled_from([Matern("5/2"), Matern("3/2", "1/2"), Matern(3.3, 2.0), Gaussian(1), Gaussian("1/3")])


@st.composite
def point_sets(draw, max_n: int = 40, max_d: int = 5):
    """Distinct points, scales from 1e-3 to 1e3, sometimes on a grid (many equal distances)."""
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(1, max_d))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([1e-3, 0.1, 1.0, 7.0, 1e3]))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):
        X = rng.integers(-3, 4, size=(n, d)).astype(float)
        X = np.unique(X, axis=0)
        if X.shape[0] < 2:
            X = np.array([[0.0] * d, [1.0] * d])
    else:
        X = rng.normal(size=(n, d))
    return X * scale


def _mp_distance(xi: np.ndarray, xj: np.ndarray) -> mpmath.mpf:
    """Independent reference: the true distance of the float coordinates, in mpmath at 50 digits."""
    with mpmath.workdps(50):
        return mpmath.sqrt(mpmath.fsum((mpmath.mpf(float(a)) - mpmath.mpf(float(b))) ** 2
                                       for a, b in zip(xi, xj, strict=True)))


def _mp_row_sum_max(kernel, X: np.ndarray, t: float) -> mpmath.mpf:
    """Independent reference: max_i sum_{j != i} K(t |x_i - x_j|) with the profile in mpmath."""
    N = X.shape[0]
    with mpmath.workdps(30):
        return max(
            mpmath.fsum(profile_mp(kernel, mpmath.mpf(t) * _mp_distance(X[i], X[j])) for j in range(N) if j != i)
            for i in range(N)
        )


@given(point_sets(), st.integers(1, 17), st.integers(1, 6))
@example(np.array([[0.0], [2.0**-3], [2.0**5], [1.0]]), 3, 4)  # squared distances exactly on thresholds
def test_histogram_edges_are_below_the_true_distances(X, block_rows, bits):
    # Independent source: the exact distances of the float coordinates (mpmath), pair by pair; the
    # counts also equal the brute-force binning of the NumPy pass over all rows at once.
    hist = pairs.pair_histogram(X, mantissa_bits=bits, block_rows=block_rows, cache=False)
    N = X.shape[0]
    assert hist.counts.shape == (N, hist.bins) and np.all(hist.counts.sum(axis=1) == N - 1)
    layout = pairs.histogram_layout(X, bits)
    XT = np.ascontiguousarray(X.T)
    ref = _pair_loops.histogram_block_numpy(XT, layout.b0, layout.shift, layout.bins, 0, N)[0]
    assert np.array_equal(hist.counts, ref)
    s = _pair_loops.squared_distances_numpy(XT, 0, N)
    k = np.clip(((s.view(np.int64) - layout.b0) >> layout.shift) + 1, 0, layout.bins)
    for i in range(N):
        for j in range(N):
            if i != j:
                d = _mp_distance(X[i], X[j])
                assert mpmath.mpf(hist.edges[k[i, j]]) <= d
                if k[i, j] + 1 < hist.bins:  # the next edge is not below d: the pair is in the right bin
                    assert d < mpmath.mpf(hist.edges[k[i, j] + 1]) * (1 + 8 * (X.shape[1] + 3) * UNIT_ROUNDOFF)


@given(point_sets(max_n=60), st.integers(1, 23))
def test_compiled_blocked_pass_equals_numpy_pass(X, block_rows):
    # Independent source: the NumPy pass (a second implementation, one block) — integer counts, so
    # equality is exact whatever the block size (block sizes that do not divide N included); the
    # closest pair it finds is the brute force's (bounds._core.separation.closest_pair).
    hist = pairs.pair_histogram(X, block_rows=block_rows, cache=False)
    layout = pairs.histogram_layout(X)
    XT = np.ascontiguousarray(X.T)
    ref, s_min, i, j = _pair_loops.histogram_block_numpy(XT, layout.b0, layout.shift, layout.bins, 0, X.shape[0])
    assert np.array_equal(hist.counts, ref)
    blocks = [pairs.histogram_block(XT, layout.b0, layout.shift, layout.bins, a, b)
              for a, b in pairs.row_blocks(X.shape[0], block_rows)]
    assert min(b[1:] for b in blocks) == (s_min, i, j)  # the closest pair found by the pass, both ways
    assert math.sqrt(s_min) == pytest.approx(closest_pair(X)[0], rel=1e-15)  # and by the brute force


@given(KERNELS, point_sets(max_n=25), st.floats(0.05, 20.0), st.integers(1, 9))
def test_blocked_exact_sums_equal_brute_force_within_allowance(kernel, X, t, block_rows):
    # Independent source: the brute-force float64 Gram matrix from the N x N x D differences (the
    # construction before the blocks) with fsum rows.  Both sum the same entries up to the entry
    # error eps (argument rounding) and their own summation error gamma_N (docs/lambda_data.rst).
    N = X.shape[0]
    blocked = np.concatenate([pairs.exact_row_sums(kernel, X, t, a, b) for a, b in pairs.row_blocks(N, block_rows)])
    Z = X[:, None, :] - X[None, :, :]
    G = kernel.profile(t * np.sqrt(np.sum(Z**2, axis=-1)))
    np.fill_diagonal(G, 0.0)
    ref = np.array([math.fsum(row) for row in G.tolist()])
    eps = entry_error_bound(kernel, X) + 2 * UNIT_ROUNDOFF
    allowance = gamma_k(N) * (blocked + ref) + 2 * (N - 1) * eps
    assert np.all(np.abs(blocked - ref) <= allowance)
    assert pairs.exact_row_sum_max(kernel, X, t, block_rows=block_rows) == float(np.max(blocked))


@given(KERNELS, point_sets(max_n=14, max_d=3), st.floats(0.05, 30.0), st.sampled_from([1.0, 0.5, 0.03]))
def test_gershgorin_bounds_never_above_the_mpmath_gershgorin(kernel, X, t, shrink):
    # Independent source: the exact Gershgorin value 1 - max_i sum_j K(s t |x_i - x_j|), distances and
    # profile in mpmath.  Both routes (exact sums, one-pass bins) must stay below it.
    exact = 1 - _mp_row_sum_max(kernel, X, shrink * t)
    for method in ("exact", "binned"):
        q = data_gershgorin_bound(kernel, X, shrink, scale=t, method=method)
        assert q.kind == "rigorous" and q.mp is not None
        assert mpmath.mpf(q.value) <= max(exact, 0)
        assert q.value <= q.mp


@given(KERNELS, point_sets(max_n=50), st.floats(0.05, 50.0), st.integers(2, 6))
def test_binned_sum_between_exact_sums_at_t_and_t_over_rho(kernel, X, t, bits):
    # The sandwich of docs/lambda_data.rst: a pair in bin k has e_k <= d < rho e_k with
    # rho = sqrt(1 + 2^(1 - bits)) (up to rounding), K nonincreasing, so
    # S_exact(t) <= S_binned(t) <= S_exact(t / rho).  Independent source: the blocked exact sums
    # (tested against brute force above); float noise allowed: gamma of the sums, N eps.
    hist = pairs.pair_histogram(X, mantissa_bits=bits, cache=False)
    binned, n = hist.row_sum_max(kernel, t)
    N = X.shape[0]
    noise = (gamma_k(max(N, n)) + 1e-12) * max(binned, 1e-300) + 2 * (N - 1) * entry_error_bound(kernel, X)
    rho = math.sqrt(1 + 2.0 ** (1 - bits)) * (1 + 1e-12)
    assert pairs.exact_row_sum_max(kernel, X, t) <= binned + noise
    upper = pairs.exact_row_sum_max(kernel, X, t / rho)
    assert binned <= upper + noise
    if upper > 1e-3:
        target(binned / pairs.exact_row_sum_max(kernel, X, t), label="binned / exact row sum")


def test_binned_bound_is_close_to_exact_on_the_design_level():
    # The measured looseness (benchmarks/certify/looseness.json, docs/lambda_data.rst): at the scale
    # where the exact row sum is the design's 0.01, the one-pass sum (32 bins per octave of d^2)
    # exceeds it by at most 7.5 % on moons and a 20-dimensional Gaussian mixture, N = 600 to 2000
    # (16 bins per octave: up to 15 %, 8 bins: up to 34 %, which this bound of 10 % rejects).
    from verify.certificate.datasets import gaussian_mixture, two_moons

    for ds in (two_moons(600, seed=0), gaussian_mixture(600, seed=0)):
        X = ds.X
        t = gershgorin_scale(X, Matern("5/2"), 0.01)  # exact sums at N = 600
        exact = pairs.exact_row_sum_max(Matern("5/2"), X, t)
        binned, _ = pairs.pair_histogram(X, cache=False).row_sum_max(Matern("5/2"), t)
        assert exact <= binned <= 1.10 * exact


def test_row_max_on_threads_equals_one_thread():
    # Independent source: the same maximum on one block (the maximum of maxima is exact).
    X = np.random.default_rng(3).normal(size=(500, 3))
    hist = pairs.pair_histogram(X, cache=False)
    w = hist.weights(Matern("5/2"), 2.0)
    one = _pair_loops.weighted_row_max(hist.counts, w, 0, hist.N)
    assert hist.row_sum_max(Matern("5/2"), 2.0, workers=3)[0] == one
    assert one == pytest.approx(float(np.max(hist.counts @ w)), rel=1e-13)  # second algorithm: BLAS


def test_cache_is_keyed_by_content_and_auto_method_switches_at_the_crossover(monkeypatch):
    X = np.random.default_rng(4).normal(size=(60, 2))
    a = pairs.pair_histogram(X)
    assert pairs.pair_histogram(X.copy()) is a  # same content, another array: the cached pass
    monkeypatch.setattr(pairs, "EXACT_MAX_N", 10)
    q = data_gershgorin_bound(Matern("5/2"), X, 0.9, scale=3.0)
    assert "one-pass" in q.hypotheses[-1]
    monkeypatch.setattr(pairs, "EXACT_MAX_N", 1000)
    assert "exact" in data_gershgorin_bound(Matern("5/2"), X, 0.9, scale=3.0).hypotheses[-1]


def test_progress_callback_sees_every_block():
    seen = []
    X = np.random.default_rng(5).normal(size=(100, 2))
    pairs.pair_histogram(X, block_rows=16, cache=False, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 7) for k in range(1, 8)]  # ceil(100 / 16) = 7 blocks


# ----------------------------------------------------------------------------- size guards


def test_histogram_above_the_memory_limit_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv("RESNET_PL_MEMORY_GB", "1e-6")
    X = np.random.default_rng(6).normal(size=(2000, 2))
    for call in (lambda: pairs.pair_histogram(X, cache=False),
                 lambda: data_gershgorin_bound(Matern("5/2"), X, method="binned"),
                 lambda: gershgorin_scale(X, Matern("5/2"))):
        with pytest.raises(ValueError, match=r"^the pair histogram of N = 2000 points .* RESNET_PL_MEMORY_GB=\d+$"):
            call()
    monkeypatch.setenv("RESNET_PL_MEMORY_GB", "lots")
    with pytest.raises(ValueError, match="RESNET_PL_MEMORY_GB must be a number"):
        pairs.memory_limit_bytes()


def test_data_outside_the_binned_range_is_refused():
    with pytest.raises(ValueError, match="rescale the data"):
        pairs.histogram_layout(np.array([[0.0], [1e-160]]))
    with pytest.raises(ValueError, match="rescale the data"):
        pairs.histogram_layout(np.array([[0.0], [1e151]]))
    with pytest.raises(ValueError, match="mantissa_bits"):
        pairs.histogram_layout(np.array([[0.0], [1.0]]), 0)


def test_dense_routes_refuse_more_than_their_limit(monkeypatch):
    monkeypatch.setattr(data, "DENSE_MAX_N", 10)
    X = np.random.default_rng(7).normal(size=(11, 2))
    for call in (lambda: data.lambda_min_verified(Matern("5/2"), X),
                 lambda: data.lambda_min_numerical(Matern("5/2"), X),
                 lambda: data.lambda_min_upper_verified(Matern("5/2"), X),
                 lambda: data.gram_from_differences(Matern("5/2"), X),
                 lambda: Problem.augmented(X, X[:, :1], Matern("5/2"), 1.0, 1.0).lifted_distances):
        with pytest.raises(ValueError, match=r"N = 11 points; for more points use data_gershgorin_bound"):
            call()


# ----------------------------------------------------------------------------- the large-N verified λ


@given(st.integers(1, 90), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_blocked_cholesky_equals_lapack(N, nb, seed):
    # Independent source: LAPACK's unblocked-order factor (numpy.linalg.cholesky); the factors agree
    # to rounding (a well-conditioned matrix), and an indefinite matrix is rejected.
    from bounds.lambda_min.cholesky import blocked_cholesky_in_place

    M = np.random.default_rng(seed).normal(size=(N, N))
    A = M @ M.T + N * np.eye(N)
    B = A.copy()
    assert blocked_cholesky_in_place(B, nb)
    assert np.allclose(np.tril(B), np.linalg.cholesky(A), rtol=0, atol=1e-12 * np.sqrt(N))
    A[N // 2, N // 2] = -1.0
    assert not blocked_cholesky_in_place(A.copy(), nb)


def test_large_n_route_of_the_verified_lambda(monkeypatch):
    # The Lanczos estimate and the in-place blocked factorisation (thresholds lowered so that they run
    # at N = 80), including a first estimate far above lambda_min (the shifts back off, K~ is
    # rebuilt).  Independent source: LAPACK eigvalsh of the Gram matrix; the small-N route agrees.
    X = np.random.default_rng(8).normal(size=(80, 2)) * 2
    kernel = Matern("5/2")
    small = data.lambda_min_verified(kernel, X)
    lam = float(np.linalg.eigvalsh(data.gram_from_differences(kernel, X))[0])
    monkeypatch.setattr(data, "_EIGVALSH_MAX_N", 20)
    monkeypatch.setattr(data, "_COPY_MAX_N", 20)
    large = data.lambda_min_verified(kernel, X)
    assert large.kind == "rigorous" and 0 < large.value <= lam
    assert large.value == pytest.approx(small.value, rel=1e-9)
    monkeypatch.setattr(data, "_lambda_estimate", lambda G: (1.5 * lam, True))
    backed_off = data.lambda_min_verified(kernel, X)
    assert 0 < backed_off.value <= lam and backed_off.value >= 0.5 * lam  # the relative back-offs found one


def test_high_dimensional_layout_from_a_projection_and_the_closest_pair_from_the_pass(monkeypatch):
    # N > 3000 in D > 8: the bins start from the separation of a 6-dimensional projection (a lower
    # bound), the empty low bins are dropped, and the pass's closest pair becomes the separation.
    # Independent sources: the brute-force closest pair and the histogram of a layout started from
    # the true separation (the same counts above the dropped columns).
    from verify.certificate.datasets import gaussian_mixture

    X = gaussian_mixture(3200, d=12, seed=2).X
    hist = pairs.pair_histogram(X, cache=False)
    sep, i, j = pairs.closest_pair_indices(pairs.points_key(X))
    assert (sep, i, j) == closest_pair(X)
    monkeypatch.setattr(pairs, "compiled_closest_pair", lambda N, D: False)
    direct = pairs.pair_histogram(X, cache=False)
    assert np.all(hist.counts.sum(axis=1) == X.shape[0] - 1) and hist.bins <= direct.bins
    column = {float(e): k for k, e in enumerate(direct.edges)}
    for k in range(1, hist.bins):  # the same thresholds (one lattice of floats), the same counts
        assert np.array_equal(hist.counts[:, k], direct.counts[:, column[float(hist.edges[k])]])
    for t in (0.3, 1.0, 3.0):
        assert hist.row_sum_max(Matern("5/2"), t)[0] == pytest.approx(direct.row_sum_max(Matern("5/2"), t)[0],
                                                                      rel=1e-14)


def test_histogram_cached_says_whether_a_pass_is_needed():
    # The certificate shows a progress bar only for a pass it makes (not for a cached histogram).
    X = np.random.default_rng(11).normal(size=(1200, 3))
    assert not pairs.histogram_cached(X)
    pairs.pair_histogram(X)
    assert pairs.histogram_cached(X) and pairs.histogram_cached(X.copy())  # by content
    assert not pairs.histogram_cached(X + 1.0)


@pytest.mark.parametrize("factor", [0.7, 1.0, 0.1 * 3, 2.0**-0.5])
def test_histogram_weights_are_taken_below_factor_times_edge(monkeypatch, factor):
    # Independent source: exact rationals.  K is nonincreasing, so each bin's weight must be K at a
    # distance t_k <= factor * e_k exactly (docs/lambda_data.rst, "One pass over the pairs"); one ulp
    # above it the weight is too small and the row sums too low.  And t_k is within 3 ulps of it.
    from fractions import Fraction

    X = np.random.default_rng(5).normal(size=(30, 2))
    hist = pairs.pair_histogram(X, cache=False)
    seen = []
    real = pairs.proven_profile
    monkeypatch.setattr(pairs, "proven_profile", lambda kernel, t: seen.append(np.array(t)) or real(kernel, t))
    hist.weights(Matern("5/2"), factor)
    (t,) = seen
    u = Fraction(1, 2**53)
    for tk, ek in zip(t.tolist(), hist.edges.tolist(), strict=True):
        exact = Fraction(factor) * Fraction(ek)
        assert Fraction(tk) <= exact and Fraction(tk) >= exact * (1 - 3 * u)
