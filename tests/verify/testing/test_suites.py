"""The property suites of verify.testing.suites run on our kernels (ci profile), and the slack report."""

from __future__ import annotations

import json

import pytest

from bounds.kernels import Gaussian, Matern
from verify.cli import main
from verify.testing.profiles import current, examples
from verify.testing.suites import SUITES, SlackRecorder, run_suites

KERNELS = [Matern("5/2"), Matern(3.7, 0.8), Gaussian(1.5)]


@pytest.mark.parametrize("suite", sorted(SUITES))
@pytest.mark.parametrize("kernel", KERNELS, ids=repr)
def test_suite_holds(kernel, suite):
    rec = run_suites(kernel, only=[suite], profile=current(), max_examples=examples(8))  # 8 under ci: ~1 s per suite
    summary = rec.summary()
    assert summary, "the suite recorded no observation"
    assert all(s["violations"] == 0 for s in summary.values())
    # Every bound the suite declares is exercised on several examples (no property returns early
    # on most draws; 3 = the fewest distinct examples of a property: the regularity witnesses'
    # dimensions 1, 2, 3).
    for prop in SUITES[suite].properties:
        for bound in prop.bounds:
            assert summary.get(bound, {}).get("count", 0) >= 3, f"{bound} was checked on fewer than 3 examples"


def test_sharpness_properties_reach_one():
    # docs/verify.rst: the witnesses make the PL constants, the Gronwall factors, lambda and Lambda at the
    # shrunk distances, r-bar and beta's leading term tight (docs/verify.rst, "Why sharpness").
    rec = run_suites(Matern("5/2"), only=["pl", "smoothness", "flow", "lambda", "toys"], profile=current(),
                     max_examples=examples(5))
    for bound in ("pl.m.sharp", "pl.M.sharp", "smoothness.beta.sharp", "flow.jacobian_max.sharp",
                  "flow.jacobian_min.sharp", "lambda.two_points", "toys.m", "pl.lambda_lower.data.pair",
                  "pl.lambda_lower.worst-case.pair", "pl.Lambda_upper.pair", "smoothness.residual.sharp"):
        assert rec.summary()[bound]["max"] >= 0.99, bound


def test_unknown_suite_is_rejected():
    with pytest.raises(ValueError, match="only must name suites"):
        run_suites(Matern("5/2"), only=["nope"])


def test_cli_writes_the_slack_report(tmp_path, capsys):
    code = main(["verify", "--only", "pl", "--max-examples", "3", "--report", str(tmp_path)])
    assert code == 0
    data = json.loads((tmp_path / "slack.json").read_text())
    assert {"pl.m", "pl.M", "pl.m.sharp", "pl.M.sharp"} <= set(data["bounds"])
    assert (tmp_path / "pl.m.png").stat().st_size > 1000
    out = capsys.readouterr().out
    assert "pl.M.sharp" in out


def test_recorder_keeps_the_worst_observation():
    from verify.testing.suites.core import Observation

    rec = SlackRecorder(keep=2)
    for t in (0.1, 0.2, 0.9, 0.3):
        rec.add(Observation("b", t, 1.0, t, {"t": t}))
    assert rec.summary()["b"]["max"] == 0.9 and rec.summary()["b"]["worst"]["example"] == {"t": 0.9}


def test_optimiser_pass_never_loses_tightness():
    rec = run_suites(Matern("5/2"), only=["regularity"], profile=current(), max_examples=examples(10), optimise=True)
    s = rec.summary()
    for c in ("c1", "c2"):
        opt = s[f"regularity.{c}.optimised"]
        assert opt["violations"] == 0
        # Nelder-Mead starts from hypothesis' tightest example: it can only climb.
        assert opt["max"] >= opt["worst"]["example"]["start_tightness"] - 1e-12


def test_lambda_optimiser_pass_keeps_the_lower_bound_valid():
    rec = run_suites(Matern("3/2"), only=["lambda"], profile=current(), max_examples=examples(10), optimise=True)
    s = rec.summary()
    # The ci profile draws sets with N > 2, so the pass runs (it skips N = 2, which is exact).
    assert s["lambda.lower.optimised"]["count"] == 1
    assert s["lambda.lower.optimised"]["violations"] == 0
