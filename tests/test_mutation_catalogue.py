"""The mutation check of benchmarks/mutation cannot rot: every mutant still applies to the current
source (fast, default run), and the runner still kills and reports mutants end to end (slow)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "benchmarks" / "mutation" / "run.py"


def _catalogue():
    spec = importlib.util.spec_from_file_location("mutation_catalogue_under_test", RUNNER.parent / "catalogue.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_mutant_applies_to_the_current_source():
    # A stale snippet (the code moved on) would silently drop a mutant from the score.
    cat = _catalogue()
    ids = [m.id for m in cat.MUTANTS]
    assert len(ids) == len(set(ids)), "mutant ids must be unique"
    for m in cat.MUTANTS:
        text = (ROOT / m.file).read_text()
        assert text.count(m.original) == 1, f"{m.id}: the snippet must occur exactly once in {m.file}"
        assert m.replacement != m.original and m.models, m.id
        for t in cat.relevant_tests(m):
            assert (ROOT / t.split("::")[0]).exists(), f"{m.id}: relevant test {t} does not exist"


def test_catalogue_covers_the_issue_18_survivors_in_bounds():
    # docs/verify.rst, "Mutation check": every unsafe survivor of issue 18 that lives in bounds/.
    wanted = {"pl.m-square", "pl.M-square", "pl.resnet-cR-over-T", "pl.worst-sigma-max", "pl.Lambda-unshrunk",
              "beta.first-e1", "beta.second-e1", "beta.rbar-c0R", "lzb.sqrt-8", "lzb.discrete-1-q",
              "sampled.cap-6-rho2", "fourier.landau", "data.cholesky-margin", "rounding.up-steps-down",
              "recipe.verified-true", "recipe.hoeffding-4"}
    assert wanted <= {m.id for m in _catalogue().MUTANTS}


@pytest.mark.slow
def test_runner_kills_a_mutant_and_explains_a_survivor(tmp_path):
    # End to end on a scratch copy: m(R) with s_- for s_-^2 must be killed by tests/bounds/test_pl.py,
    # the relaxed side condition of the sqrt form survives and is explained (exit status 0).
    out = tmp_path / "report.json"
    before = {f: (ROOT / f).read_bytes() for f in ("bounds/pl.py", "bounds/lzb.py")}
    proc = subprocess.run(
        [sys.executable, str(RUNNER), "--only", "pl.m-square,lzb.sqrt-condition-32", "--no-full",
         "--tests", "tests/bounds/test_pl.py,tests/bounds/test_lzb.py", "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=1800, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    status = {o["id"]: o["status"] for o in report["outcomes"]}
    assert status == {"pl.m-square": "killed-relevant", "lzb.sqrt-condition-32": "survived"}
    assert report["score"] == 0.5 and report["survivors"][0]["harmless"]
    assert all((ROOT / f).read_bytes() == b for f, b in before.items()), "the working tree was written"
