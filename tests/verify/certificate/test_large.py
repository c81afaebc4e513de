"""The certificate's routes for large data (docs/scale.rst), exercised at small N with the thresholds
lowered: the λ of the data above the dense limit, the cross-check budget, the RFF error estimate's
sample."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from bounds.kernels import Matern, RandomFourierKernel
from verify.certificate import cross_check, design, quantities
from verify.certificate.datasets import make_dataset
from verify.certificate.design import build_design, rff_error_estimate, rff_pair_sample
from verify.certificate.options import CertifyOptions
from verify.testing.reference import gram


@pytest.mark.parametrize("width", [None, 64])
def test_lambda_of_the_data_above_the_dense_limit(monkeypatch, width):
    # Above VERIFIED_LAMBDA_MAX_N (lowered to 10 here): the streaming Gershgorin bound at R = 0
    # (rigorous), or for a finite-width sample its Weyl bound (an estimate, as eps is).
    # Independent source: LAPACK's lambda_min of the lifted data's Gram matrix, which every lower
    # bound must stay below.
    monkeypatch.setattr(quantities, "VERIFIED_LAMBDA_MAX_N", 10)
    opts = CertifyOptions(data="moons", n=30, width=width, gd_iterations=0)
    d = build_design(make_dataset("moons", n=30), opts)
    rec = quantities.lambda_data(d)
    kernel = d.base if width is None else d.width.sample
    lam = float(np.linalg.eigvalsh(gram(kernel, d.problem.lifted))[0])
    if width is None:
        assert rec.formula_id == "SPEC-4.3.gershgorin" and rec.kind == "rigorous"
    else:
        assert rec.formula_id == "SPEC-8.weyl" and rec.kind == "estimate"
    assert 0 <= rec.value <= lam + 1e-12


def test_cross_check_budget():
    # min(requested, max(5, 10^6 // N)): the whole run below 10^4 points, 10 iterations at 10^5.
    assert cross_check.cross_check_iterations(1000, 100) == 100
    assert cross_check.cross_check_iterations(100_000, 100) == 10
    assert cross_check.cross_check_iterations(10**7, 100) == 5
    assert cross_check.cross_check_iterations(10**7, 3) == 3


def test_rff_error_estimate_samples_pairs_in_bounded_memory(monkeypatch):
    # All pairs up to MAX_RFF_EVALUATIONS pair x feature evaluations, a random sample above; the
    # memory stays O(N (q + D)) per block either way (before: N^2 x D differences at once).
    assert rff_pair_sample(100, 64, 3) is None
    assert rff_pair_sample(10**5, 64, 3) == design.MAX_RFF_EVALUATIONS // 67
    monkeypatch.setattr(design, "MAX_RFF_EVALUATIONS", 2_000_000)
    X = np.random.default_rng(0).normal(size=(3000, 3))
    rff = RandomFourierKernel.from_kernel(Matern("5/2"), 64, 3, 0)
    tracemalloc.start()
    try:
        eps = rff_error_estimate(rff, Matern("5/2"), X, seed=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 0 < eps < 1 and peak < 100e6  # 3000^2 x 3 differences alone would take 216 MB
