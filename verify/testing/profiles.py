"""Hypothesis profiles of the property suites: ``ci``, ``dev`` and ``thorough``.

Select one with ``pytest --hypothesis-profile=NAME`` or the environment variable
``RESNET_PL_PROFILE=NAME``; the default is ``ci`` when the ``CI`` environment variable is set and
``dev`` otherwise.

``ci``
    Deterministic (``derandomize=True``), sized so that the whole default test run stays well
    under 10 minutes on 2 cores.
``dev``
    Random seeds, a few more examples; for local work.
``thorough``
    Many examples and no deadline; run before publishing a number.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["PROFILES", "register_profiles", "default_profile"]

PROFILES: dict[str, dict[str, object]] = {
    "ci": dict(
        max_examples=25,
        derandomize=True,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    "dev": dict(max_examples=50, deadline=None, print_blob=True),
    "thorough": dict(
        max_examples=1000,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    ),
}


def register_profiles() -> None:
    """Register the three profiles with hypothesis (idempotent)."""
    for name, kwargs in PROFILES.items():
        settings.register_profile(name, **kwargs)  # type: ignore[arg-type]


def default_profile(environ: dict[str, str] | None = None) -> str:
    """The profile to load when none is given on the command line."""
    env = os.environ if environ is None else environ
    name = env.get("RESNET_PL_PROFILE") or ("ci" if env.get("CI") else "dev")
    if name not in PROFILES:
        raise ValueError(f"RESNET_PL_PROFILE must be one of {sorted(PROFILES)}, got {name!r}")
    return name
