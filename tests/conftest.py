"""Test configuration: hypothesis profiles (see :mod:`verify.testing.profiles`)."""

from __future__ import annotations

from hypothesis import settings

from verify.testing.profiles import default_profile, register_profiles

register_profiles()


def pytest_configure(config):  # noqa: D103 - pytest hook
    # An explicit --hypothesis-profile wins; hypothesis' own plugin loads it after this hook.
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile(default_profile())
