"""Data-dependent λ: verified enclosure of λ_min(K_X), the entry-error margin, and the
Gershgorin bound along the flow (docs/lambda_data.rst, docs/pl.rst)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, target
from hypothesis import strategies as st

from bounds._core.rounding import gamma_k
from bounds._core.separation import separation
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.kernels.profile import profile_mp
from bounds.lambda_min.data import (
    data_gershgorin_bound,
    entry_error_bound,
    gram_from_differences,
    lambda_min_numerical,
    lambda_min_verified,
    verified_gram,
)
from bounds.lambda_min.lower.packing import packing_lower_bound
from verify.testing.profiles import scaled
from verify.testing.reference import EIG_TOL, gram, lambda_min
from verify.testing.strategies import delta_separated_sets, lambda_kernels


def _mp_gram(kernel, X, dps=40):
    """Independent reference: K(x_i - x_j) in mpmath from the exact float coordinates."""
    N = X.shape[0]
    with mpmath.workdps(dps):
        M = mpmath.matrix(N, N)
        for i in range(N):
            for j in range(N):
                z = [mpmath.mpf(float(a)) - mpmath.mpf(float(b)) for a, b in zip(X[i], X[j], strict=False)]
                if isinstance(kernel, RandomFourierKernel):
                    M[i, j] = (
                        mpmath.fsum(
                            mpmath.cos(mpmath.fsum(mpmath.mpf(float(w)) * zc for w, zc in zip(om, z, strict=False)))
                            for om in kernel.omega
                        )
                        / kernel.q
                    )
                else:
                    M[i, j] = profile_mp(kernel, mpmath.sqrt(mpmath.fsum(zc**2 for zc in z)))
    return M


def _mp_lambda_min(kernel, X, dps=40):
    with mpmath.workdps(dps):
        E = mpmath.eigsy(_mp_gram(kernel, X, dps), eigvals_only=True)
        return min(E[i] for i in range(X.shape[0]))


def test_gamma_constant():
    # Independent source: the definition γ_k = k u / (1 - k u) in exact rational arithmetic.
    from fractions import Fraction

    u = Fraction(1, 2**53)
    assert Fraction(gamma_k(11)) >= 11 * u / (1 - 11 * u)
    assert gamma_k(11) == pytest.approx(11 * 2.0**-53, rel=1e-14)


@scaled(10)  # ci count; each example runs verified Cholesky enclosures
@given(
    st.sampled_from([Matern("1/2"), Matern("5/2"), Matern(1.3, 0.7), Gaussian("1/2")]),
    st.integers(0, 2**32 - 1),
    st.integers(1, 9),
    st.floats(1e-3, 1e3),
)
def test_entry_error_bound_holds(kernel, seed, D, scale):
    # Independent source: the Gram matrix in mpmath at 40 digits from the same float coordinates.
    X = np.random.default_rng(seed).normal(size=(6, D)) * scale
    err = np.abs(verified_gram(kernel, X) - np.array(_mp_gram(kernel, X).tolist(), dtype=float))
    target(float(err.max()) / entry_error_bound(kernel, X), label="entry error / margin")
    assert err.max() <= entry_error_bound(kernel, X)


def test_entry_error_bound_holds_for_random_features():
    # Independent source: mpmath at 40 digits, as above, for K_q(z) = mean cos(w_j.z).
    kernel = RandomFourierKernel.from_kernel(Matern("5/2"), q=20, D=3, seed=4)
    X = np.random.default_rng(5).normal(size=(6, 3)) * 7
    err = np.abs(gram_from_differences(kernel, X) - np.array(_mp_gram(kernel, X).tolist(), dtype=float))
    assert err.max() <= entry_error_bound(kernel, X)


@scaled(12)  # ci count; each example runs verified Cholesky enclosures
@given(lambda_kernels(), delta_separated_sets(max_n=9, max_d=3, min_delta=0.2))
@example(
    Matern("7/2"),
    (
        np.array(
            [
                [1.40066179],
                [-2.35431499],
                [-4.69431166],
                [-4.94431166],
                [3.20371093],
                [4.22111451],
                [1.09052874],
                [2.34698528],
                [0.44613833],
            ]
        ),
        0.25,
    ),
)
def test_verified_enclosure_below_and_close_to_high_precision_eigenvalue(kernel, Xd):
    # Independent source: mpmath.eigsy at 40 digits on the mpmath Gram matrix.
    X, _ = Xd
    exact = _mp_lambda_min(kernel, X)
    v = lambda_min_verified(kernel, X)
    assert v.kind == "rigorous"
    assert mpmath.mpf(v.value) <= exact
    if exact > 1e-3:  # well conditioned: the enclosure is tight
        # How tight, from the construction (docs/lambda_data.rst): the shift μ = λ̂ − 2θ is
        # certified at the first try and the bound subtracts at most θ more (tr(B) ≤ N(1 + |λ̂|),
        # (N − 1)ε ≤ θ, u|1 − μ| is below θ's rounding), so exact − v ≤ |exact − λ̂| + 4θ with
        # θ = γ/(1 − γ)·N(1 + |λ̂|) + (N − 1)ε.  (A fixed 1e-10 relative gap, the check before,
        # failed for this @example: λ = 0.018, N = 9, gap 2.4e-12 = 3θ.)
        N = X.shape[0]
        lam_hat = float(np.linalg.eigvalsh(gram_from_differences(kernel, X))[0])
        g = gamma_k(N + 1)
        theta = g / (1 - g) * N * (1 + abs(lam_hat)) + (N - 1) * entry_error_bound(kernel, X)
        gap = exact - mpmath.mpf(v.value)
        target(float(gap / theta), label="enclosure gap / theta")
        assert gap <= abs(exact - lam_hat) + 4 * theta


def test_verified_enclosure_for_random_features_and_rank_deficient_gram():
    # Independent source: mpmath eigsy; with N > 2q the RFF Gram matrix has rank <= 2q < N, so
    # λ_min = 0 exactly and the certificate can only say 0.
    kernel = RandomFourierKernel.from_kernel(Gaussian(1), q=2, D=2, seed=0)
    X = np.random.default_rng(1).normal(size=(7, 2))
    assert lambda_min_verified(kernel, X).value == 0.0
    kernel = RandomFourierKernel.from_kernel(Gaussian(1), q=30, D=2, seed=0)
    X = np.random.default_rng(2).normal(size=(5, 2)) * 3
    v = lambda_min_verified(kernel, X).value
    assert 0 < v <= _mp_lambda_min(kernel, X)


def test_ill_conditioned_gram_gives_a_valid_small_bound():
    # Gaussian kernel, points 0.05 apart: λ_min is far below the rounding level of K (≈1e-15).
    kernel = Gaussian(1)
    X = np.arange(8, dtype=float)[:, None] * 0.05
    v = lambda_min_verified(kernel, X)
    assert v.value >= 0.0
    assert mpmath.mpf(v.value) <= _mp_lambda_min(kernel, X, dps=60)


def test_numerical_lambda_is_labelled_numerical():
    X = np.array([[0.0], [1.0], [2.5]])
    q = lambda_min_numerical(Matern("3/2"), X)
    assert q.kind == "numerical"
    # Independent source: eigvalsh of the directly assembled Gram matrix.
    assert q.value == pytest.approx(lambda_min(Matern("3/2"), X), abs=EIG_TOL)


@given(lambda_kernels(), delta_separated_sets(max_n=12, max_d=3), st.integers(0, 2**32 - 1), st.floats(0.2, 1.0))
def test_data_gershgorin_below_lambda_min_after_any_contraction(kernel, Xd, seed, s):
    # Map X by a linear map with singular values in [s, 1]: every distance shrinks at most by s.
    X, delta = Xd
    N, D = X.shape
    rng = np.random.default_rng(seed)
    Q1, _ = np.linalg.qr(rng.normal(size=(D, D)))
    Q2, _ = np.linalg.qr(rng.normal(size=(D, D)))
    A = Q1 @ np.diag(rng.uniform(s, 1.0, size=D)) @ Q2
    Y = X @ A.T
    bound = data_gershgorin_bound(kernel, X, shrink=s)
    lam = lambda_min(kernel, Y)
    if lam > 0:
        target(bound.value / lam, label="data gershgorin / lambda_min")
    assert bound.value <= lam + EIG_TOL


@given(lambda_kernels(), delta_separated_sets(max_n=12, max_d=3))
def test_data_gershgorin_beats_worst_case_packing(kernel, Xd):
    # The data row sums are at most the worst case over all δ-separated sets (S_N(δ)); the only
    # slack allowed is the two bounds' rounding margins (≤ 1e-12 here).
    X, delta = Xd
    N, D = X.shape
    data = data_gershgorin_bound(kernel, X).value
    worst = packing_lower_bound(kernel, N, separation(X), D).value
    assert data >= worst - 1e-12


def test_bad_input():
    X = np.array([[0.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="duplicate"):
        lambda_min_verified(Matern("5/2"), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="shrink must be in"):
        data_gershgorin_bound(Matern("5/2"), X, shrink=1.5)
    with pytest.raises(ValueError, match="shrink must be > 0"):
        data_gershgorin_bound(Matern("5/2"), X, shrink=0.0)
    with pytest.raises(ValueError, match="not radial"):
        data_gershgorin_bound(RandomFourierKernel(np.ones((2, 2))), X)
    with pytest.raises(ValueError, match="kernel must be a Matern"):
        lambda_min_verified(lambda z: np.ones(z.shape[:-1]), X)
    assert gram(Matern("5/2"), X).shape == (2, 2)


class _FakeHistogram:
    """A pair histogram whose row sum is a given float (the allowance is what is under test)."""

    mantissa_bits = 5

    def __init__(self, row_sum: float, bins: int, seen: list) -> None:
        self.row_sum, self.bins, self.seen = row_sum, bins, seen

    def row_sum_max(self, kernel, factor):
        self.seen.append(factor)
        return self.row_sum, self.bins


@pytest.mark.parametrize("method", ["exact", "binned"])
def test_gershgorin_allowance_is_its_derivation(monkeypatch, method):
    # Independent source: docs/lambda_data.rst#gershgorin-along-the-flow term by term in exact
    # rationals: f = ⌊sσ⌋ ≤ sσ, and the bound is ⌊1 − S̃/(1 − γ_n) − (N − 1) ε⌋ with γ_k = k u/(1 − k u),
    # n = N (exact route) or the number of bins (binned), ε = entry_error_bound (its own derivation
    # is tests/bounds/lambda_min/test_data_oracle.py) plus 0.736·2u for the exact route's product.
    # The row sum S̃ is a given float (the sums are tested against brute force in test_pairs.py), so
    # a margin too small by γ_N S̃ ≈ 1e-14 or (N − 1)·2u·0.736 ≈ 3e-14 is seen (N = 200).
    import bounds.lambda_min.data as data

    u = Fraction(1, 2**53)
    kernel, N, S, bins = Matern("5/2"), 200, 0.4375, 64
    X = np.random.default_rng(7).uniform(0, 30, size=(N, 2))
    seen: list[float] = []
    if method == "exact":
        monkeypatch.setattr(data, "exact_row_sum_max", lambda k, P, f: seen.append(f) or S)
    else:
        monkeypatch.setattr(data, "pair_histogram", lambda P, **kw: _FakeHistogram(S, bins, seen))
    s, sigma = 0.7, 1.3  # s σ is not a float: f must be the float below it
    value = data_gershgorin_bound(kernel, X, shrink=s, scale=sigma, method=method).value
    assert len(seen) == 1 and Fraction(seen[0]) <= Fraction(s) * Fraction(sigma)
    assert Fraction(seen[0]) > Fraction(s) * Fraction(sigma) * (1 - 2 * u)  # and not far below
    n = N if method == "exact" else bins
    eps = Fraction(entry_error_bound(kernel, X)) + (Fraction(0.7358) * 2 * u if method == "exact" else 0)
    gamma = n * u / (1 - n * u)
    exact = 1 - Fraction(S) / (1 - gamma) - (N - 1) * eps
    assert Fraction(value) <= exact  # a rigorous lower bound never above its derivation
    assert Fraction(value) >= exact - 8 * u  # and within a few ulps of it (γ rounded up, mpmath)


def _fraction(x: mpmath.mpf) -> Fraction:
    sign, man, exp, _ = x._mpf_  # the exact binary value of an mpmath number
    return (-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp)


@pytest.mark.parametrize("kernel, N", [(Matern("5/2"), 6), (Gaussian(1), 40)])
def test_float_cholesky_certificate_is_its_derivation(kernel, N):
    # Independent source: docs/lambda_data.rst#verified-lambda-min term by term in exact rationals:
    # λ_min ≥ μ − γ_{N+1}/(1 − γ_{N+1}) tr(B) − u|1 − μ| − (N − 1) ε with B = fl(K̃ − μI) (its diagonal
    # recomputed here in floats), γ_k = k u/(1 − k u), ε = entry_error_bound (its own derivation test is
    # in test_data_oracle.py).  The Arb oracle cannot see the trace margin halved or ε for (N − 1) ε
    # (both ≲ 1e-13 here); this can.
    import bounds.lambda_min.data as data

    X = np.random.default_rng(N).uniform(0, 2 * N ** 0.5, size=(N, 2))
    bound, mu, eps, _ = data._float_lambda_min(kernel, X, None)
    assert mu is not None and bound > 0
    u = Fraction(1, 2**53)
    g = (N + 1) * u / (1 - (N + 1) * u)
    bdiag = verified_gram(kernel, X).diagonal() - mu
    trace = sum(Fraction(float(b)) for b in bdiag)
    expected = Fraction(mu) - g / (1 - g) * trace - u * abs(1 - Fraction(mu)) - (N - 1) * Fraction(eps)
    assert eps == entry_error_bound(kernel, X)
    assert _fraction(bound) <= expected  # γ rounded up, 50 digits: never above
    assert _fraction(bound) >= expected - Fraction(1, 10**25)  # γ's own rounding: ~1e-16 of a 1e-13 term
