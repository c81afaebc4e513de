"""`resnet-pl train` and :mod:`verify.training` (docs/training.rst): the report's numbers against
independent computations on a small split; the full digits run is benchmarks/train/digits.py."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from verify.certificate.datasets import make_dataset
from verify.cli import SUBCOMMANDS, main
from verify.training import TrainOptions, class_labels, median_scale, practical_step, split, train_classifier


def test_registered_and_lazy():
    assert SUBCOMMANDS["train"][0] == "verify.cli.train"
    code = "import sys, verify.cli.train; print(sorted(m for m in ('numpy', 'bounds', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_train_json_on_a_small_split(capsys):
    code = main(["train", "--dataset", "iris", "--n-train", "60", "--width", "64", "--epochs", "4", "--no-certify",
                 "--quiet", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["n_train"] + out["n_test"] + out["duplicates_dropped"] == 150
    certified, practical = out["runs"]
    assert certified["name"] == "certified step" and practical["name"] == "practical step"
    # closed form: the certified step is 1/beta of the chain at R0
    assert certified["step"] == pytest.approx(1 / out["beta"], rel=1e-12)
    for run in out["runs"]:
        assert len(run["loss"]) == 5 and run["loss"][0] == pytest.approx(1.0, rel=1e-12)  # one-hot: F(0) = 1
        assert 0 <= run["test_accuracy"] <= 1 and run["seconds_per_epoch"] > 0
    assert set(out["linear"]) == {"logistic_regression", "least_squares"}


def test_the_report_pieces_against_independent_computations():
    ds = make_dataset("iris")
    Xtr, Ytr, Xte, Yte, dropped = split(ds, 100, 3)
    # the split standardises with the training statistics (iris has one duplicate row)
    assert np.allclose(Xtr.mean(axis=0), 0, atol=0.05) and len(Xtr) + dropped == 100 and len(Xte) == 50
    # brute force: the median of all pairwise distances
    d = [np.linalg.norm(a - b) for i, a in enumerate(Xtr) for b in Xtr[i + 1:]]
    assert median_scale(Xtr, 1.5) == pytest.approx(3.0 / np.median(d), rel=1e-12)
    assert class_labels(np.array([[0.0, 1.0], [1.0, 0.0]])).tolist() == [1, 0]
    assert class_labels(np.array([[-1.0], [1.0]])).tolist() == [0, 1]


def test_practical_step_is_two_over_the_upper_pl_constant_at_zero():
    # closed form: M(0) = (4/N) b^2 lambda_max(K_q(AX)) for the augmented design (weights 1)
    from bounds.kernels import Matern, RandomFourierKernel
    from bounds.problem import Problem

    ds = make_dataset("xor")
    prob = Problem.augmented(ds.X, ds.Y, Matern("5/2"), 2.0, 7.0)
    sample = RandomFourierKernel.from_kernel(Matern("5/2"), 32, 3, 0)
    lam = np.linalg.eigvalsh(sample.gram(prob.lifted))[-1]
    assert practical_step(prob, sample) == pytest.approx(2 / (4 / 4 * 49 * lam), rel=1e-12)


def test_train_reports_a_certificate_of_the_design():
    report = train_classifier(TrainOptions(dataset="iris", n_train=40, width=64, epochs=2))
    assert report.certificate is not None
    assert report.certificate.quantities["m"].kind == "rigorous"
    assert report.runs[0].step == pytest.approx(1 / report.certificate.quantities["beta"].value, rel=1e-12)


def test_bad_input_exits_2(capsys):
    assert main(["train", "--dataset", "iris", "--n-train", "150", "--epochs", "1", "--no-certify", "--quiet"]) == 2
    assert "n_train must be < N = 150" in capsys.readouterr().err
