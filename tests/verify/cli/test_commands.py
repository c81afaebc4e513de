"""The `resnet-pl pl`, `lzb` and `recipe` subcommands: JSON output agrees with the library, exit
codes follow the convention (0 ok/guaranteed, 1 not guaranteed, 2 bad input)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bounds.kernels import Matern
from bounds.pl import pl_constants
from bounds.problem import Problem, lifting, output_map
from verify.cli import main


def run_json(capsys, argv):
    code = main(argv + ["--json"])
    return code, json.loads(capsys.readouterr().out)


def test_pl_json_matches_the_library(capsys, tmp_path):
    X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    Y = np.array([[1.0], [0.0], [1.0]])
    path = tmp_path / "d.npy"
    np.save(path, np.hstack([X, Y]))
    code, out = run_json(capsys, ["pl", "--data", str(path), "--architecture", "copy", "--p", "2", "--a", "1.5",
                                  "--R", "0.3"])
    assert code == 0
    A = lifting(2, 2, 1.5)
    prob = Problem(X, Y, A, output_map(1, 4, 1.0), Matern("5/2"))
    # Independent source: the library call with the same inputs, on the full (unreduced) matrices.
    assert out["m"]["value"] == pytest.approx(pl_constants(prob, 0.3).m.value, rel=1e-12)
    assert out["m"]["kind"] == "rigorous" and out["N"] == 3 and out["D"] == 4


def test_lzb_exit_codes(capsys):
    code, out = run_json(capsys, ["lzb", "--dataset", "xor", "--architecture", "copy"])
    # Unlifted XOR: no radius satisfies the condition (the certificate tests show the same).
    assert code == 1 and out["guaranteed"] is False and out["best"] is None
    # The augmented architecture with its closed-form scales: guaranteed (exit 0).
    code, out = run_json(capsys, ["lzb", "--dataset", "xor"])
    assert code == 0 and out["guaranteed"] and out["best"]["kind"] == "rigorous"


def test_recipe_design_is_guaranteed_by_lzb(capsys):
    code, design = run_json(capsys, ["recipe", "--dataset", "xor", "--form", "sqrt", "--families", "augmented"])
    assert code == 0 and design["verified"] and design["architecture"] == "augmented"
    code, out = run_json(capsys, ["lzb", "--dataset", "xor", "--alpha", repr(design["alpha"]), "--b",
                                  repr(design["b"]), "--form", "sqrt"])
    assert code == 0 and out["guaranteed"]


@pytest.mark.parametrize("argv, message", [
    (["pl", "--nu", "3/2"], "nu must be > 2"),
    (["pl", "--lengthscale", "-1"], "lengthscale must be > 0"),
    (["pl", "--depth", "0"], "depth must be a positive integer"),
    (["pl", "--R", "nan"], "R must be finite"),
    (["pl", "--architecture", "copy", "--p", "0"], "p must be an integer >= 1"),
])
def test_bad_input_exits_2_with_a_reason(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
