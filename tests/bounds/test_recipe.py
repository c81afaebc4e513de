"""The random-feature width (docs/recipe.rst); the design search is tested in test_design_search.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bounds.kernels import Matern, RandomFourierKernel
from bounds.recipe import _failure_probability, rff_posterior_check, rff_width

XOR_X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_rff_width_meets_its_own_bound_and_is_minimal():
    k = Matern("5/2")
    q = rff_width(k, D=2, radius=1.0, eps=0.3, eta=0.05)
    sigma2 = 2 * k.spectral.moment(1)
    assert _failure_probability(q, 0.3, 2.0, 2, sigma2) <= 0.05
    assert _failure_probability(q - 1, 0.3, 2.0, 2, sigma2) > 0.05
    # Monotone: a smaller eps or a larger region needs more features.
    assert rff_width(k, 2, 1.0, 0.2, 0.05) > q and rff_width(k, 2, 2.0, 0.3, 0.05) >= q


def test_rff_width_holds_in_a_monte_carlo_experiment():
    # Independent source: brute force. Draw the width's worth of frequencies 20 times and measure
    # sup |K_q - K| on a dense grid of the region; failures must be rare (bound: eta = 0.1).
    k = Matern("5/2")
    q = rff_width(k, D=1, radius=1.0, eps=0.25, eta=0.1)
    z = np.linspace(-2.0, 2.0, 801)[:, None]
    failures = 0
    for seed in range(20):
        rff = RandomFourierKernel.from_kernel(k, q, 1, seed)
        failures += float(np.max(np.abs(rff(z) - k(z)))) >= 0.25
    assert failures <= 2 + 20 * 0.1


def test_rff_posterior_check_reports_the_sample_constants():
    k = Matern("5/2")
    rff = RandomFourierKernel.from_kernel(k, 64, 2, seed=1)
    chk = rff_posterior_check(rff, k, XOR_X * 2)
    # Independent source: c1^2 = lambda_max of the empirical second-moment matrix.
    second = rff.omega.T @ rff.omega / rff.q
    assert chk.c1 == pytest.approx(math.sqrt(np.linalg.eigvalsh(second)[-1]), rel=1e-12)
    assert chk.lambda_min == pytest.approx(np.linalg.eigvalsh(rff.gram(XOR_X * 2))[0], abs=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(D=0, radius=1.0, eps=0.1), "D must be"),
    (dict(D=2, radius=-1.0, eps=0.1), "radius must be > 0"),
    (dict(D=2, radius=1.0, eps=0.0), "eps must be > 0"),
    (dict(D=2, radius=1.0, eps=0.1, eta=1.5), "eta must be in"),
])
def test_rff_width_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rff_width(Matern("5/2"), **kwargs)
