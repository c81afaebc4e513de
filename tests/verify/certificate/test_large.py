"""The certificate's routes for large data (docs/scale.rst), exercised at small N with the thresholds
lowered: the λ of the data above the dense limit and the cross-check budget."""

from __future__ import annotations

import numpy as np

from verify.certificate import cross_check, quantities
from verify.certificate.datasets import make_dataset
from verify.certificate.design import build_design
from verify.certificate.options import CertifyOptions
from verify.testing.reference import gram


def test_lambda_of_the_data_above_the_dense_limit(monkeypatch):
    # Above VERIFIED_LAMBDA_MAX_N (lowered to 10 here): the streaming Gershgorin bound at R = 0,
    # rigorous.  Independent source: LAPACK's lambda_min of the lifted data's Gram matrix, which
    # every lower bound must stay below; and the Gershgorin value itself, recomputed densely.
    monkeypatch.setattr(quantities, "VERIFIED_LAMBDA_MAX_N", 10)
    opts = CertifyOptions(data="moons", n=30, gd_iterations=0)
    d = build_design(make_dataset("moons", n=30), opts)
    rec = quantities.lambda_data(d)
    G = gram(d.base, d.problem.lifted)
    lam = float(np.linalg.eigvalsh(G)[0])
    dense = 1 - float(np.max(G.sum(axis=1) - 1))
    assert rec.formula_id == "lambda.gershgorin-flow" and rec.kind == "rigorous"
    assert 0 <= rec.value <= lam + 1e-12
    assert rec.value <= dense + 1e-12 and (dense <= 0 or rec.value >= dense - 1e-9)


def test_cross_check_budget():
    # min(requested, max(5, 10^6 // N)): the whole run below 10^4 points, 10 iterations at 10^5.
    assert cross_check.cross_check_iterations(1000, 100) == 100
    assert cross_check.cross_check_iterations(100_000, 100) == 10
    assert cross_check.cross_check_iterations(10**7, 100) == 5
    assert cross_check.cross_check_iterations(10**7, 3) == 3
