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
    Many examples and no deadline; run before publishing a number.  Under this profile the tests
    marked ``slow`` run too (``pytest --run-slow`` runs them under any profile).
``mutation``
    ``ci`` without hypothesis' shrinking phase: the mutation check (benchmarks/mutation) only needs
    to know *that* a test fails, not the smallest counterexample.

A property whose examples are expensive states its count *under ci* through :func:`examples`
(with a comment saying what one example costs); the loaded profile scales it, so ``thorough``
deepens every property, the expensive ones included.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

__all__ = ["PROFILES", "SLOW_PROFILES", "register_profiles", "default_profile", "current", "examples", "scaled"]

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
    "mutation": dict(
        max_examples=25,
        derandomize=True,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
        phases=[p for p in Phase if p is not Phase.shrink],
    ),
}

#: Profiles under which the ``slow`` tests run without ``--run-slow``.
SLOW_PROFILES: frozenset[str] = frozenset({"thorough"})


def register_profiles() -> None:
    """Register the profiles with hypothesis (idempotent)."""
    for name, kwargs in PROFILES.items():
        settings.register_profile(name, **kwargs)  # type: ignore[arg-type]


def default_profile(environ: dict[str, str] | None = None) -> str:
    """The profile to load when none is given on the command line."""
    env = os.environ if environ is None else environ
    name = env.get("RESNET_PL_PROFILE") or ("ci" if env.get("CI") else "dev")
    if name not in PROFILES:
        raise ValueError(f"RESNET_PL_PROFILE must be one of {sorted(PROFILES)}, got {name!r}")
    return name


def current() -> str:
    """The name of the loaded profile (``ci`` if hypothesis runs on a profile of its own)."""
    name = settings.get_current_profile_name()
    return name if name in PROFILES else "ci"


def examples(n_ci: int, profile: str | None = None) -> int:
    """The example count of a property that runs ``n_ci`` examples under ``ci``, scaled to
    ``profile`` (default: the loaded one) by its ``max_examples`` relative to ``ci``'s.

    >>> examples(8, "ci"), examples(8, "dev"), examples(8, "thorough")
    (8, 16, 320)
    """
    if int(n_ci) != n_ci or n_ci < 1:
        raise ValueError(f"n_ci must be an integer >= 1, got {n_ci!r}")
    if profile is None:
        loaded = settings.default
        if loaded is None:  # pragma: no cover - hypothesis always has a default profile
            raise ValueError("no hypothesis profile is loaded")
        current = int(loaded.max_examples)
    elif profile in PROFILES:
        current = int(PROFILES[profile]["max_examples"])  # type: ignore[call-overload]
    else:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}")
    ci = int(PROFILES["ci"]["max_examples"])  # type: ignore[call-overload]
    return max(1, round(n_ci * current / ci))


def scaled(n_ci: int) -> settings:
    """``@scaled(n)``: hypothesis settings of the loaded profile with :func:`examples` ``(n)`` examples."""
    return settings(max_examples=examples(n_ci))
