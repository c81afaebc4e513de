"""`resnet-pl certify --auto` on data nobody tuned on (drawn in the test from a seed, written to a
CSV file as a user would): it certifies, every constant is rigorous, and gradient descent agrees;
data that no design can certify (two equal inputs with different targets) exits 2 naming the rows.

Independent sources: the verdict is re-derived through the library (``bounds.chain``) from the
design the certificate reports, and the cross-check is gradient descent on the solver."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bounds.chain import chain_point
from bounds.kernels import Matern
from bounds.lzb import lzb_condition
from bounds.problem import Problem
from verify.cli import main


def _held_out_csv(tmp_path, seed: int, n: int = 30, d: int = 3) -> tuple[str, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d)  # anisotropic features
    labels = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] > 0).astype(float)
    path = tmp_path / f"held_out_{seed}.csv"
    np.savetxt(path, np.column_stack([X, labels]), delimiter=",", header="x1,x2,x3,label")
    return str(path), X, labels


@pytest.mark.parametrize("seed", [101, 202])
def test_auto_certifies_held_out_classes_and_gd_agrees(tmp_path, capsys, seed):
    path, X, labels = _held_out_csv(tmp_path, seed)
    out = tmp_path / "cert"
    code = main(["certify", "--data", path, "--targets", "classes", "--standardize", "--auto",
                 "--gd-iterations", "30", "--quiet", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    cert = json.loads((out / "certificate.json").read_text())
    assert cert["guaranteed"] is True
    q = cert["quantities"]
    chain = ("sigma_min_A", "sigma_min_B", "sigma_max_B", "f0_upper", "c1", "lambda_lower", "m", "M", "beta",
             "rate", "allowed_f0", "margin")
    assert all(q[name]["kind"] in ("exact", "rigorous") for name in chain), {n: q[n]["kind"] for n in chain}
    cc = cert["cross_check"]
    assert cc["agrees"] and cc["loss_below_envelope"] and cc["distance_below_R"]
    # Re-derive the verdict from the reported design with the library (not the certificate code).
    arch = cert["inputs"]["architecture"]
    assert arch["lifting"]["kind"] == "augmented"
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    Y = np.where(labels == 0, 1.0, -1.0)[:, None]  # the documented rule: first label in sorted order is +1
    prob = Problem.augmented(Xs, Y, Matern("5/2"), arch["lifting"]["alpha"], arch["output_map"]["b"])
    R = cert["lzb"]["R_best"]
    ch = chain_point(prob, R)
    assert lzb_condition(prob.initial_loss_upper(), ch.m, ch.M, ch.beta, R).holds("discrete")


def test_auto_on_conflicting_duplicates_exits_2_naming_the_rows(tmp_path, capsys):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    y = np.array([1.0, 0.0, 0.0, 1.0])  # rows 0 and 2: same input, different targets
    path = tmp_path / "conflict.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",")
    code = main(["certify", "--data", str(path), "--auto", "--quiet", "--out", str(tmp_path / "c")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "rows 0 and 2" in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "c" / "certificate.json").exists()
