"""A user-defined kernel (tests/verify/testing/user_kernels.py: rational quadratic) runs through the public
suites via the documented entry point, with results in the slack report."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.verify.testing.user_kernels import RationalQuadratic, rq
from verify.cli import main
from verify.testing.suites import run_suites

SUITES_FOR_ANY_KERNEL = "regularity,flow,smoothness,depth"


def test_user_kernel_derivatives_are_right():
    # Independent source: central finite differences of the user's own profile.
    k = RationalQuadratic(1.5, 0.8)
    z = np.array([0.3, -0.7, 0.2])
    eps = 1e-6
    fd = np.array([(k(z + eps * e) - k(z - eps * e)) / (2 * eps) for e in np.eye(3)])
    assert np.allclose(k.grad(z), fd, atol=1e-9)
    # and its moments: E[w^2] = -K''(0) (Bochner) from the closed-form Hessian
    assert -k.hess(np.zeros(3))[0, 0] == pytest.approx(k.spectral.moment(1), rel=1e-12)


def test_user_kernel_through_the_cli_with_report(tmp_path, capsys):
    code = main(["verify", "--kernel", "tests.verify.testing.user_kernels:rq", "--only", SUITES_FOR_ANY_KERNEL,
                 "--max-examples", "5", "--report", str(tmp_path)])
    assert code == 0
    data = json.loads((tmp_path / "slack.json").read_text())
    assert data["meta"]["kernel"] == repr(rq)
    assert {"regularity.c2.sharp", "flow.jacobian_max.sharp", "smoothness.beta"} <= set(data["bounds"])
    # the witnesses certify the user's constants are the sharp ones
    assert data["bounds"]["regularity.c2.sharp"]["max"] >= 0.99


def test_wrong_user_constant_is_caught():
    class Wrong(RationalQuadratic):
        def regularity_constants(self):
            reg = super().regularity_constants()
            from dataclasses import replace

            return replace(reg, c1=replace(reg.c1, value=reg.c1.value / 2))

    with pytest.raises(AssertionError):  # a planted error must be caught at the ci count (5 examples)
        run_suites(Wrong(), only=["regularity"], profile="ci", max_examples=5, shrink=False)
