"""The hypothesis profiles and the ``slow`` marker (tests/conftest.py, verify/testing/profiles.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verify.testing.profiles import PROFILES, default_profile, examples

ROOT = Path(__file__).resolve().parents[3]


def test_examples_scale_with_the_profile():
    # Independent source: the profiles' own max_examples (25, 50, 1000) times n / 25.
    assert examples(5, "ci") == 5
    assert examples(5, "dev") == 10
    assert examples(5, "thorough") == 200
    assert examples(1, "ci") == 1 and PROFILES["ci"]["derandomize"] is True
    with pytest.raises(ValueError, match="n_ci must be an integer >= 1"):
        examples(0)
    with pytest.raises(ValueError, match="profile must be one of"):
        examples(3, "nightly")


def test_default_profile_follows_the_environment():
    assert default_profile({"CI": "true"}) == "ci"
    assert default_profile({}) == "dev"
    assert default_profile({"RESNET_PL_PROFILE": "thorough", "CI": "1"}) == "thorough"
    with pytest.raises(ValueError, match="RESNET_PL_PROFILE must be one of"):
        default_profile({"RESNET_PL_PROFILE": "fast"})


def _run(tmp_path: Path, *args: str, profile: str | None = None) -> str:
    """Run pytest on a two-test module (one marked slow) with the repository's conftest."""
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_two.py").write_text(textwrap.dedent("""
        import pytest

        def test_fast():
            pass

        @pytest.mark.slow
        def test_slow():
            pass
    """))
    env = {k: v for k, v in os.environ.items() if k not in ("RESNET_PL_PROFILE", "CI")}
    if profile:
        env["RESNET_PL_PROFILE"] = profile
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "markers=slow: slow",
         "--rootdir", str(tmp_path), str(tmp_path), *args],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )
    return out.stdout


@pytest.mark.parametrize("args, profile, expected", [
    ((), None, "1 passed, 1 skipped"),
    (("--run-slow",), None, "2 passed"),
    ((), "thorough", "2 passed"),
])
def test_slow_marker_is_skipped_unless_asked_for(tmp_path, args, profile, expected):
    assert expected in _run(tmp_path, *args, profile=profile)
