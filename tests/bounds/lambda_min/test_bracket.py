"""λ(δ) bracket, best lower bound, embedding consistency and the `resnet-pl lambda` CLI."""

from __future__ import annotations

import argparse
import json
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.lambda_min.bracket import best_lower_bound, lambda_bracket, lambda_two
from bounds.lambda_min.lower.packing import packing_lower_bound
from verify.cli import lam
from verify.testing.profiles import scaled
from verify.testing.reference import EIG_TOL, gram, lambda_min
from verify.testing.strategies import delta_separated_sets


@pytest.mark.parametrize("kernel", [Matern("3/2"), Matern("5/2"), Gaussian(1)])
@pytest.mark.parametrize("N, delta, D", [(5, 1.5, 1), (30, 0.5, 2), (200, 1.0, 3), (50, 0.7, 8)])
def test_best_lower_is_the_max_of_the_candidates(kernel, N, delta, D):
    best = best_lower_bound(kernel, N, delta, D)
    assert best.quantity.mp == max(q.mp for _, q in best.candidates)
    assert dict(best.candidates)[best.source] is best.quantity
    expected = {"packing", "fourier"} | ({"gaussian minorant"} if isinstance(kernel, Matern) else {"ingham-kahane"})
    assert {s for s, _ in best.candidates} == expected


def test_n_equals_two_is_exact_on_both_sides():
    b = lambda_bracket(Matern("5/2"), 2, 0.8, 3)
    assert b.lower_source == b.upper_source == "exact"
    assert b.lower.kind == b.upper.kind == "rigorous"
    # 1 - K(δ) rounded down and up: the two floats around the exact value (one ulp apart).
    assert b.upper.value == math.nextafter(b.lower.value, math.inf)
    assert b.gap == 1.0
    # Independent source: eigvalsh of the 2x2 Gram matrix of a pair at distance δ.
    assert b.lower.value == pytest.approx(lambda_min(Matern("5/2"), np.array([[0.0], [0.8]])), abs=EIG_TOL)
    assert b.lower.value == lambda_two(Matern("5/2"), 0.8).value


@scaled(10)  # ci count; each example evaluates every lambda bound
@given(
    st.sampled_from([Matern("3/2"), Matern("5/2"), Gaussian(1)]),
    st.integers(3, 60),
    st.floats(0.2, 3.0),
    st.integers(1, 3),
)
def test_bracket_is_ordered_and_its_gap_is_the_ratio(kernel, N, delta, D):
    b = lambda_bracket(kernel, N, delta, D)
    assert b.lower.mp <= b.upper.mp
    if b.lower.mp > 0:
        assert b.gap == pytest.approx(float(b.upper.mp / b.lower.mp), rel=1e-12)
    assert b.seconds >= 0
    # The upper bound's configuration is returned and attains it.
    assert b.upper_points.shape == (N, D)
    assert lambda_min(kernel, b.upper_points) <= b.upper.value + EIG_TOL


@pytest.mark.parametrize("kernel", [Matern("3/2"), Matern("5/2")])
@pytest.mark.parametrize("D", [1, 2])
def test_bracket_monotone_in_n(kernel, D):
    brackets = [lambda_bracket(kernel, N, 0.6, D) for N in (3, 6, 12, 25, 50, 100)]
    for a, b in zip(brackets, brackets[1:], strict=False):
        assert b.lower.mp <= a.lower.mp * (1 + 1e-9)  # optimiser tolerance of the Fourier bound
        assert b.upper.value <= a.upper.value + 1e-12  # nested sections; enclosure rounding


@pytest.mark.parametrize("kernel", [Matern("3/2"), Matern("5/2"), Gaussian(1)])
@pytest.mark.parametrize("D", [1, 2, 3])
def test_bracket_monotone_in_delta(kernel, D):
    brackets = [lambda_bracket(kernel, 30, d, D) for d in np.geomspace(0.1, 4.0, 8)]
    for a, b in zip(brackets, brackets[1:], strict=False):
        assert b.lower.mp >= a.lower.mp * (1 - 1e-9)
        assert b.upper.value >= a.upper.value - 1e-12


@given(delta_separated_sets(max_n=10, max_d=3), st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_embedding_in_a_higher_dimension_keeps_the_gram_matrix(Xd, seed, extra):
    # Points of R^D placed in a D-dimensional subspace of R^{D+extra} by an isometry Q.
    X, delta = Xd
    N, D = X.shape
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(D + extra, D)))
    Y = X @ Q.T + np.random.default_rng(seed + 1).normal(size=D + extra)
    for kernel in (Matern("5/2"), Gaussian(1)):
        assert np.allclose(gram(kernel, X), gram(kernel, Y), atol=1e-13, rtol=0)
        # Sets in R^D are sets in R^{D+extra}, so λ_N^{D+extra}(δ) ≤ λ_N^D(δ): the higher-dimensional
        # lower bound must sit below λ_min of the embedded set, and below the D-dimensional one.
        lower_high = packing_lower_bound(kernel, N, delta, D + extra).value
        assert lower_high <= lambda_min(kernel, Y) + EIG_TOL
        assert lower_high <= packing_lower_bound(kernel, N, delta, D).value


def test_embedding_bracket_consistency():
    # The D-dimensional upper bound is an upper bound in every higher dimension too.
    for D in (1, 2):
        up = lambda_bracket(Matern("5/2"), 20, 0.8, D).upper.value
        assert lambda_bracket(Matern("5/2"), 20, 0.8, D + 1).lower.value <= up


def test_random_feature_kernel_gets_a_trivial_lower_bound():
    k = RandomFourierKernel.from_kernel(Matern("5/2"), 100, 2, 0)
    b = lambda_bracket(k, 20, 0.5, 2)
    assert b.lower_source == "trivial" and b.lower.value == 0.0
    assert b.gap == float("inf")
    with pytest.raises(ValueError, match="not radial"):
        best_lower_bound(k, 20, 0.5, 2)
    with pytest.raises(ValueError, match="D must equal"):
        lambda_bracket(k, 20, 0.5, 3)


@pytest.mark.parametrize(
    "args, match",
    [
        ((Matern("5/2"), 10, 0.0, 2), "delta must be > 0"),
        ((Matern("5/2"), 1, 1.0, 2), "N must be an integer >= 2"),
        ((Matern("5/2"), 10, 1.0, 0), "D must be an integer >= 1"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        lambda_bracket(*args)
    with pytest.raises(ValueError, match=match):
        best_lower_bound(*args)


def _run(argv):
    parser = argparse.ArgumentParser()
    lam.configure(parser)
    return lam.run(parser.parse_args(argv))


def test_cli_text_json_and_plot(tmp_path, capsys):
    assert _run(["--nu", "5/2", "--n", "50", "--delta", "0.5", "--dim", "2"]) == 0
    out = capsys.readouterr().out
    assert "lower" in out and "upper" in out and "gap upper/lower" in out
    plot = tmp_path / "bracket.png"
    argv = ["--kernel", "gaussian", "--n", "20", "--delta", "0.7", "--dim", "1", "--json", "--plot", str(plot)]
    assert _run(argv) == 0
    data = json.loads(capsys.readouterr().out)
    b = lambda_bracket(Gaussian(1), 20, 0.7, 1)
    assert data["lower"]["value"] == b.lower.value and data["upper"]["value"] == b.upper.value
    assert data["lower_source"] == b.lower_source
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_underflowing_lower_bound_is_printed_from_mp(capsys):
    assert _run(["--kernel", "gaussian", "--n", "100", "--delta", "0.1", "--dim", "8"]) == 0
    assert "below the double range" in capsys.readouterr().out
    assert mpmath.mpf(0) < lambda_bracket(Gaussian(1), 100, 0.1, 8).lower.mp


def test_cli_bad_input_exit_code():
    pytest.importorskip("verify.cli.kappa")  # the dispatcher imports every subcommand
    from verify.cli import main

    assert main(["lambda", "--n", "1", "--delta", "0.5", "--dim", "2"]) == 2
    assert main(["lambda", "--n", "5", "--delta", "-1", "--dim", "2"]) == 2


def test_huge_n_uses_a_bounded_configuration():
    # λ_N ≤ λ_n for n ≤ N: a 300-point section is a valid (looser) upper bound for N = 10^9.
    b = lambda_bracket(Matern("5/2"), 10**9, 0.7, 2, max_upper_points=300)
    assert b.upper_points.shape == (300, 2)
    assert b.lower.mp <= b.upper.mp
    assert lambda_min(Matern("5/2"), b.upper_points) <= b.upper.value + EIG_TOL
    with pytest.raises(ValueError, match="max_upper_points must be an integer >= 2"):
        lambda_bracket(Matern("5/2"), 10, 0.7, 2, max_upper_points=1)


@pytest.mark.parametrize("delta", [1e-101, 1e101])
def test_separations_outside_the_evaluated_range_are_refused(delta):
    # the CLI fuzz test found lambda --delta 1e-300 (and 1e308) leaving the double range
    with pytest.raises(ValueError, match="delta must be in"):
        lambda_bracket(Matern("5/2"), 5, delta, 2)


def test_the_edges_of_the_evaluated_range_still_work():
    # independent source: lambda_3 <= lambda_2 = 1 - K(delta) ~ (5/6)(delta/l)^2 for Matern 5/2
    low = best_lower_bound(Matern("5/2"), 3, 1e-99, 2).quantity
    assert low.kind == "rigorous" and 0 < low.mp <= 1e-198
    assert best_lower_bound(Matern("5/2"), 3, 1e99, 2).quantity.value == pytest.approx(1.0)
