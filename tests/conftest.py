"""Test configuration: hypothesis profiles (see :mod:`verify.testing.profiles`)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from verify.testing.profiles import default_profile, register_profiles

register_profiles()


def pytest_configure(config):  # noqa: D103 - pytest hook
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
