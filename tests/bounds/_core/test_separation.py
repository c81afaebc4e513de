"""sep(X): value, validation, the k-d tree path and scaling to a target separation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import pdist

from bounds._core.separation import closest_pair, is_separated, scale_to_separation, separation


def test_separation_of_a_right_triangle():
    # Independent source: the distances 1, 5 and sqrt(3**2 + 3**2) of these points by hand.
    X = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    assert separation(X) == 1.0
    assert closest_pair(X)[1:] == (0, 2)


@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.integers(1, 5))
def test_separation_equals_pdist_minimum(seed, n, D):
    # Independent source: scipy's pdist (a second implementation of all pairwise distances).
    X = np.random.default_rng(seed).normal(size=(n, D))
    assert separation(X) == pytest.approx(pdist(X).min(), rel=1e-14)


def test_kd_tree_path_matches_pdist():
    # Above 3000 points the closest pair comes from a k-d tree; pdist is the reference.
    X = np.random.default_rng(0).uniform(size=(3500, 3))
    assert separation(X) == pytest.approx(pdist(X).min(), rel=1e-14)


def test_one_dimensional_input_is_points_on_a_line():
    assert separation(np.array([0.0, 2.5, 1.0])) == 1.0


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((2, 3)), "duplicate points"),
        (np.array([[0.0, 1.0], [2.0, 2.0], [0.0, 1.0]]), "rows 0 and 2"),
        (np.array([[0.0, 1.0]]), "at least 2 points"),
        (np.array([[0.0, np.nan], [1.0, 1.0]]), "finite"),
        (np.zeros((2, 2, 2)), "2-d array"),
    ],
)
def test_bad_point_sets_raise(X, match):
    with pytest.raises(ValueError, match=match):
        separation(X)


def test_duplicates_found_by_kd_tree_path():
    X = np.random.default_rng(1).uniform(size=(3200, 2))
    X[3100] = X[17]
    with pytest.raises(ValueError, match="duplicate points"):
        separation(X)


@given(st.integers(0, 2**32 - 1), st.integers(2, 30), st.integers(1, 4), st.floats(1e-3, 1e3))
def test_scale_to_separation_is_feasible_and_minimal(seed, n, D, delta):
    X = np.random.default_rng(seed).normal(size=(n, D))
    Y = scale_to_separation(X * (delta / separation(X)), delta)
    s = separation(Y)
    assert s >= delta  # feasibility is exact: no tolerance
    # ... and the scale-up is only a rounding correction: differences of coordinates of size
    # max|Y| carry absolute rounding errors of a few ulps of max|Y| (not of delta).
    assert s - delta <= 1e-13 * max(delta, float(np.abs(Y).max()))
    assert is_separated(Y, delta)


def test_is_separated_rejects_bad_delta():
    with pytest.raises(ValueError, match="delta must be > 0"):
        is_separated(np.eye(2), 0.0)
