"""The suites' own test (docs/verify.rst): each planted constant error must be caught by a suite in the
ci profile.  A suite that passes with a wrong constant would be a suite that cannot fail."""

from __future__ import annotations

import dataclasses
import math

import pytest

import verify.testing.suites.flow as suite_flow
import verify.testing.suites.pl as suite_pl
import verify.testing.suites.smoothness as suite_smoothness
from bounds.kernels import Matern
from bounds.pl import pl_constants
from bounds.smoothness import smoothness_constant
from verify.testing.profiles import examples
from verify.testing.suites import run_suites

KERNEL = Matern("5/2")
C1 = math.sqrt(5 / 3)  # Matern 5/2 (Student-t moment, docs/kappa.rst)
MODULES = {"pl": suite_pl, "smoothness": suite_smoothness, "flow": suite_flow}


def _scaled_pl(m_factor=1.0, M_factor=1.0):
    """pl_constants with m, M multiplied by ``factor`` or ``factor(R)``."""

    def mutated(*args, **kwargs):
        pl = pl_constants(*args, **kwargs)
        fm = m_factor(pl.R) if callable(m_factor) else m_factor
        fM = M_factor(pl.R) if callable(M_factor) else M_factor
        m = dataclasses.replace(pl.m, value=pl.m.value * fm)
        M = dataclasses.replace(pl.M, value=pl.M.value * fM)
        return dataclasses.replace(pl, m=m, M=M)

    return mutated


def _scaled_beta(factor):
    def mutated(*args, **kwargs):
        b = smoothness_constant(*args, **kwargs)
        return dataclasses.replace(b, value=b.value * factor)

    return mutated



def _published_m(*args, **kwargs):
    """The published m(R), which drops the factor 4/N (docs/pl.rst): wrong unless N = 4."""
    pl = pl_constants(*args, **kwargs)
    N = args[0].N
    return dataclasses.replace(pl, m=dataclasses.replace(pl.m, value=pl.m.value * N / 4))


MUTATIONS = {
    "m x 2": ("pl", "pl_constants", _scaled_pl(m_factor=2.0)),
    # errors that only show at R > 0 (issue 18): s_-(R) for s_-(R)^2 in m, s_+(R) for s_+(R)^2 in M
    "m with s_- unsquared": ("pl", "pl_constants", _scaled_pl(m_factor=lambda R: math.exp(C1 * R))),
    "M with s_+ unsquared": ("pl", "pl_constants", _scaled_pl(M_factor=lambda R: math.exp(-C1 * R))),
    "m without 4/N": ("pl", "pl_constants", _published_m),
    "M / 2": ("pl", "pl_constants", _scaled_pl(M_factor=0.5)),
    "beta / 2": ("smoothness", "smoothness_constant", _scaled_beta(0.5)),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_planted_constant_error_is_caught(monkeypatch, name):
    suite, attr, replacement = MUTATIONS[name]
    monkeypatch.setattr(MODULES[suite], attr, replacement)
    # The ci profile's count: a planted error must be caught there (more examples only help).
    with pytest.raises(AssertionError):
        run_suites(KERNEL, only=[suite], profile="ci", max_examples=5, shrink=False)


@pytest.mark.parametrize("depth_only", [False, True])
def test_halved_c1_in_the_gronwall_factors_is_caught(monkeypatch, depth_only):
    # c1/2 in every factor, or only in the ResNet's (the discrete factor has witnesses of its own).
    original = suite_flow.flow_factors

    def mutated(c, R, depth=None):
        return original(c / 2 if depth is not None or not depth_only else c, R, depth)

    monkeypatch.setattr(suite_flow, "flow_factors", mutated)
    with pytest.raises(AssertionError):
        run_suites(KERNEL, only=["flow"], profile="ci", max_examples=8, shrink=False)


def test_unmutated_suites_pass():
    # The control experiment: the same runs (the ci profile and counts) without a mutation pass.
    run_suites(KERNEL, only=["pl", "smoothness", "flow"], profile="ci", max_examples=8)


@pytest.mark.parametrize("which, factor", [("c2", 0.0), ("c1", 0.5), ("c2", 0.5)])
def test_regularity_constant_errors_are_caught(monkeypatch, which, factor):
    # "kappa without c2" (c2 = 0) and halved c1 / c2 must fail the regularity suite.
    import verify.testing.suites.regularity as suite_reg
    from bounds.regularity import regularity_constants

    def mutated(kernel):
        reg = regularity_constants(kernel)
        q = getattr(reg, which)
        return dataclasses.replace(reg, **{which: dataclasses.replace(q, value=q.value * factor)})

    monkeypatch.setattr(suite_reg, "regularity_constants", mutated)
    with pytest.raises(AssertionError):
        run_suites(KERNEL, only=["regularity"], profile="ci", max_examples=5, shrink=False)
    assert examples(5, "ci") == 5  # the planted-error runs use the ci count on purpose (see above)
