"""Test configuration: hypothesis profiles (see :mod:`verify.testing.profiles`)."""

from __future__ import annotations

from hypothesis import settings

from verify.testing.profiles import default_profile, register_profiles

register_profiles()


def pytest_configure(config):  # noqa: D103 - pytest hook
    # An explicit --hypothesis-profile wins; hypothesis' own plugin loads it after this hook.
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile(default_profile())


def pytest_addoption(parser):  # noqa: D103 - pytest hook
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the tests marked slow (pyproject.toml: skipped otherwise, unless the "
                          "thorough hypothesis profile is selected)")


def pytest_collection_modifyitems(config, items):  # noqa: D103 - pytest hook
    import pytest

    profile = config.getoption("hypothesis_profile", default=None) or default_profile()
    if config.getoption("--run-slow") or profile == "thorough":
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow or --hypothesis-profile=thorough")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
