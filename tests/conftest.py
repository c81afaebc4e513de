"""Test configuration: hypothesis profiles (see :mod:`verify.testing.profiles`) and the ``slow`` marker.

Tests marked ``@pytest.mark.slow`` are skipped unless ``--run-slow`` is given or the ``thorough``
profile is loaded (``--hypothesis-profile=thorough`` or ``RESNET_PL_PROFILE=thorough``).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from verify.testing.profiles import SLOW_PROFILES, default_profile, register_profiles

register_profiles()


def pytest_addoption(parser: pytest.Parser) -> None:  # noqa: D103 - pytest hook
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the tests marked slow (the thorough profile runs them anyway)")


def pytest_configure(config: pytest.Config) -> None:  # noqa: D103 - pytest hook
    # An explicit --hypothesis-profile wins; hypothesis' own plugin loads it after this hook.
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile(default_profile())


DOCS = Path(__file__).resolve().parents[1] / "docs"


@dataclass(frozen=True)
class Build:
    returncode: int
    log: str
    html: Path


@pytest.fixture(scope="session")
def docs_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    out = tmp_path_factory.mktemp("docs_html")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
    )
    return Build(proc.returncode, proc.stdout + proc.stderr, out)


@pytest.fixture(scope="session")
def built(docs_build: Build) -> Path:
    """The built site; every test that reads it fails with the build log if the build failed."""
    if docs_build.returncode != 0:
        pytest.fail("the documentation does not build:\n" + docs_build.log)
    return docs_build.html


def _profile_name(config: pytest.Config) -> str:
    return config.getoption("hypothesis_profile", default=None) or default_profile()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:  # noqa: D103
    if config.getoption("--run-slow") or _profile_name(config) in SLOW_PROFILES:
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow or the thorough profile")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
