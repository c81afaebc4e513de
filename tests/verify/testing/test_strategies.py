"""The public strategies of verify.testing.strategies generate what they say."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds.kernels import Matern
from verify.testing.strategies import controls, datasets, matrices_with_sv, problems, separated_sets


def _sep(X):
    n = len(X)
    return float(np.min(np.linalg.norm(X[:, None] - X[None], axis=-1) + np.diag(np.full(n, np.inf))))


@given(st.data(), st.integers(2, 10), st.integers(1, 3), st.floats(0.1, 2.0),
       st.sampled_from(["random", "lattice", "clustered"]))
def test_separated_sets_are_separated(data, n, D, delta, kind):
    X = data.draw(separated_sets(n, D, delta, kind))
    assert X.shape == (n, D)
    assert _sep(X) >= delta * (1 - 1e-12)
    if kind in ("lattice", "clustered"):
        assert _sep(X) == pytest.approx(delta, rel=1e-12)  # the closest pair sits at exactly delta


@given(st.data(), st.integers(1, 5), st.integers(1, 5))
def test_matrices_have_the_prescribed_singular_values(data, r, c):
    s = data.draw(st.lists(st.floats(0.5, 2.0), min_size=min(r, c), max_size=min(r, c)))
    M = data.draw(matrices_with_sv(r, c, st.sampled_from(s)))
    sv = np.linalg.svd(M, compute_uv=False)
    assert M.shape == (r, c) and np.all((sv >= 0.5 - 1e-12) & (sv <= 2.0 + 1e-12))


@given(controls(Matern("5/2"), L=3, D=2, norm=0.7))
def test_controls_have_the_prescribed_norm(v):
    assert v.h_norm() == pytest.approx(0.7, rel=1e-12)


@given(problems(Matern("5/2")), datasets())
def test_problems_and_datasets_are_valid(case, ds):
    prob, _ = case
    assert prob.separation > 0 and prob.sigma_A[0] > 0
    assert ds.X.shape[0] == ds.Y.shape[0] >= 2
