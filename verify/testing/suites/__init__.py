"""Property suites that check every bound of :mod:`bounds` against the flow solver (docs/verify.rst).

Run them on our kernels with ``resnet-pl verify [--profile ci|dev|thorough] [--only pl,flow]``,
on your own kernel with ``resnet-pl verify --kernel module:object``, or from Python::

    from verify.testing.suites import run_suites
    recorder = run_suites(Matern("5/2"), only=("pl",), profile="ci")
    recorder.summary()

Each property records the *tightness* of its bound (observed/guaranteed, 1 = attained, > 1 = a
violation) into a :class:`~verify.testing.suites.core.SlackRecorder`: the slack report (docs/verify.rst).
"""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import Phase, settings

from verify.testing.profiles import register_profiles
from verify.testing.suites.core import BoundViolation, Property, SlackRecorder, Suite
from verify.testing.suites.flow import FLOW
from verify.testing.suites.lzb import LZB
from verify.testing.suites.pl import PL
from verify.testing.suites.regularity import REGULARITY
from verify.testing.suites.smoothness import SMOOTHNESS
from verify.testing.suites.theory import DEPTH, LAMBDA, TOYS

__all__ = ["SUITES", "run_suites", "SlackRecorder", "BoundViolation", "Suite", "Property"]

SUITES: dict[str, Suite] = {s.name: s for s in (REGULARITY, LAMBDA, FLOW, PL, SMOOTHNESS, LZB, DEPTH, TOYS)}


def run_suites(
    kernel: object,
    only: Iterable[str] | None = None,
    profile: str = "ci",
    recorder: SlackRecorder | None = None,
    max_examples: int | None = None,
    shrink: bool = True,
    optimise: bool = False,
) -> SlackRecorder:
    """Run the selected suites on ``kernel`` with a hypothesis profile; raise on the first
    violated bound (:class:`~verify.testing.suites.core.BoundViolation`, with the example).

    ``max_examples`` overrides the profile's count; ``shrink=False`` skips hypothesis' shrinking
    (faster failure, larger counterexample: used by the mutation tests); ``optimise=True`` runs
    each property's scipy optimiser pass (if it has one) from the tightest example found."""
    register_profiles()
    names = list(SUITES) if only is None else list(only)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise ValueError(f"only must name suites among {sorted(SUITES)}, got {unknown}")
    base = settings.get_profile(profile)
    s = settings(base, max_examples=max_examples) if max_examples else base
    if not shrink:
        s = settings(s, phases=[p for p in Phase if p is not Phase.shrink])
    recorder = recorder if recorder is not None else SlackRecorder()
    for name in names:
        for prop in SUITES[name].properties:
            prop.run(kernel, recorder, s)
            if optimise and prop.optimise is not None:
                prop.optimise(kernel, recorder)
    return recorder
