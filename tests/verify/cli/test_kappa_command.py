"""``resnet-pl kappa``: README's main command (text and --json output, errors, exit codes)."""

from __future__ import annotations

import json
import subprocess
import sys

import mpmath
import pytest

from verify.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["kappa", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_default_is_matern_5_2_with_exact_values(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    # Independent source: docs/kappa.rst / issue 2 (nu = 5/2: c1 = sqrt(5/3) = sqrt(15)/3, c2 = 5).
    assert "Matern(nu=5/2, lengthscale=1)" in out
    assert "c1    = sqrt(15)/3 = 1.29099444873580562839308846659" in out
    assert "c2    = 5" in out
    assert "kappa = sqrt(15)/3 + 6" in out
    assert "Published bound (docs/paper.rst)" in out and "True" in out
    assert "docs/kappa.rst" in out


def test_json_output_is_machine_readable_to_requested_precision(capsys):
    code, out, _ = run(capsys, "--nu", "7/2", "--lengthscale", "2", "--dps", "50", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kernel"] == "Matern(nu=7/2, lengthscale=2)"
    assert data["c1"]["kind"] == "exact" and data["c1"]["dps"] == 50
    # Independent source: Student-t moment n/(n-2) with n = 7, divided by ell^2 = 4 -> 7/20.
    with mpmath.workdps(60):
        expected = mpmath.sqrt(mpmath.mpf(7) / 20)
        assert abs(mpmath.mpf(data["c1"]["mp"]) - expected) < mpmath.mpf(10) ** -48
    assert data["published_bound"]["equals_derived_kappa_at_lengthscale_1"] is True
    assert data["published_bound"]["applies_here"] is False
    assert set(data["moments"]) == {"E[w_1^2]", "E[w_1^4]"}


def test_gaussian_kernel(capsys):
    code, out, _ = run(capsys, "--kernel", "gaussian", "--lengthscale", "1/2", "--json")
    data = json.loads(out)
    # Independent source: N(0, 1) moments 1 and 3 -> c1 = 1/l = 2, c2 = sqrt(3)/l^2 = 4 sqrt(3).
    assert code == 0 and data["c1"]["expr"] == "2" and data["c2"]["expr"] == "4*sqrt(3)"


def test_random_features_bracket(capsys):
    code, out, _ = run(capsys, "--rff", "200", "--dim", "2", "--rff-seed", "3", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["c2_lower"]["value"] <= data["c2"]["value"]
    assert data["c2"]["kind"] == "rigorous"
    assert data["base_kernel"]["c2"]["expr"] == "5"


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--nu", "3/2"], ["nu must be > 2", "D^2 v", "beta(R)"]),
        (["--nu", "1"], ["nu must be > 1", "E[w_1^2]"]),
        (["--lengthscale", "0"], ["lengthscale must be > 0"]),
        (["--nu", "nan"], ["nu must be finite"]),
        (["--dps", "0"], ["dps must be an integer >= 1"]),
        (["--rff", "0"], ["rff (number of features Q) must be an integer >= 1"]),
    ],
)
def test_bad_input_exit_code_2_with_reason(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    for word in words:
        assert word in err


def test_console_script_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "verify.cli", "kappa", "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["c2"]["expr"] == "5"
