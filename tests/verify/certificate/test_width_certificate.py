"""`resnet-pl certify --width`: the certificate of the network drawn (docs/width.rst) — its kind, the
cross-check on that very network, the finite-width section of the reports, the schema — and
`resnet-pl recipe --width-eta`, whose width certifies."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bounds.kernels import Matern, RandomFourierKernel
from tests.verify.certificate.test_certify import SCHEMA, validate
from verify.certificate.cross_check import _control
from verify.certificate.options import CertifyOptions
from verify.certificate.pipeline import certify
from verify.certificate.report import WIDTH_PLOT, files_of
from verify.cli import main

#: The widths `recipe --dataset xor --width-eta 0.05` prints for the neural ODE
#: (tests/bounds/test_width_apriori.py) and with `--depth 4`.
XOR_WIDTH, XOR_WIDTH_T4 = 151, 152


@pytest.fixture(scope="module")
def xor_width(tmp_path_factory):
    out = tmp_path_factory.mktemp("width") / "certificate"
    code = main(["certify", "--dataset", "xor", "--width", str(XOR_WIDTH_T4), "--rff-seed", "0", "--depth", "4",
                 "--gd-iterations", "30", "--quiet", "--out", str(out)])
    return code, out, json.loads((out / "certificate.json").read_text())


def test_the_recipe_width_certifies_a_draw(xor_width):
    code, out, doc = xor_width
    assert code == 0 and doc["guaranteed"]
    assert doc["conclusion"].startswith("GUARANTEED (width-152 4-layer ResNet, rff seed 0, deterministic for this "
                                        "draw): ")
    q = doc["quantities"]
    assert q["m"]["kind"] == "rigorous" and q["rate"]["kind"] == "rigorous"
    assert q["rate_a_priori"]["kind"] == "probabilistic" and q["rate_a_priori"]["eta"] == 0.05
    assert q["width"]["value"] == XOR_WIDTH_T4
    # the chain's lambda never exceeds the verified lambda_min of K_q at t = 0 (v = 0 is in the ball)
    assert q["lambda_lower"]["value"] <= q["lambda_min_data"]["value"]
    assert not validate(doc, SCHEMA)
    assert sorted(p.name for p in out.iterdir()) == sorted(files_of(doc))


def test_the_cross_check_trains_the_network_drawn(xor_width):
    # The T-layer ResNet with the drawn frequencies is the model certified: the cross-check is exact
    # and agrees (independent source: gradient descent on the compiled solver).
    _, _, doc = xor_width
    cc = doc["cross_check"]
    assert cc["label"] == "exact" and cc["agrees"] and "drawn width-152 network" in cc["model"]
    loss, env = np.array(cc["loss"]), np.array(cc["envelope"])
    assert np.all(loss <= env * (1 + 1e-9)) and loss[-1] < loss[0]


def test_the_control_of_the_cross_check_holds_the_drawn_frequencies():
    opts = CertifyOptions(data="xor", width=16, rff_seed=3)
    sample = RandomFourierKernel.from_kernel(Matern("5/2"), 16, 3, 3)
    from bounds.problem import Problem
    from verify.certificate.datasets import make_dataset

    ds = make_dataset("xor")
    prob = Problem.augmented(ds.X, ds.Y, Matern("5/2"), 2.0, 10.0)
    v0, desc, own = _control(prob, opts, 3, 4, sample, opts.gd_iterations)
    assert own and v0.kernel is sample and "drawn width-16" in desc


def test_reports_state_the_width_the_seed_and_both_kinds(xor_width):
    _, out, doc = xor_width
    fw = doc["inputs"]["architecture"]["finite_width"]
    assert fw["q"] == XOR_WIDTH_T4 and fw["seed"] == 0 and fw["kind"] == "deterministic for this draw"
    assert fw["a_priori"]["guaranteed"] and fw["a_priori"]["q_needed"] == XOR_WIDTH_T4
    assert fw["a_priori"]["kind"] == "probability >= 1 - 0.05 over the draw"
    assert len(fw["curve"]["q"]) == len(fw["curve"]["rate"]) == len(fw["curve"]["guaranteed"])
    # the a priori rate improves with the width (every bound does)
    rates = [r for r, ok in zip(fw["curve"]["rate"], fw["curve"]["guaranteed"], strict=True) if ok]
    assert rates == sorted(rates, reverse=True)
    md = (out / "certificate.md").read_text()
    assert "## Finite width" in md and "rff seed 0" in md and "probability >= 1 - 0.05 over the draw" in md
    assert f"![{WIDTH_PLOT}]({WIDTH_PLOT})" in md
    html = (out / "certificate.html").read_text()
    assert "<h2>Finite width</h2>" in html and html.count("data:image/png;base64,") == 5
    assert (out / WIDTH_PLOT).stat().st_size > 1000


def test_check_reproduces_a_width_certificate(xor_width):
    _, out, _ = xor_width
    assert main(["certify", "--check", str(out / "certificate.json"), "--quiet"]) == 0


def test_a_width_too_small_says_what_to_do():
    # one frequency: two features for four points, so lambda_min(K_q) = 0 on the lifted data (H4)
    cert = certify(CertifyOptions(data="xor", width=1, rff_seed=1, gd_iterations=0, grid_size=9))
    assert not cert.guaranteed and [f.hypothesis for f in cert.failures] == ["H4", "H5"]  # m = 0: no R works
    assert all("--width" in f.fix for f in cert.failures)
    assert cert.inputs["architecture"]["finite_width"]["a_priori"]["guaranteed"] is False


def test_recipe_prints_the_width_and_the_certify_command(capsys):
    code = main(["recipe", "--dataset", "xor", "--width-eta", "0.05", "--families", "augmented", "--json"])
    out = json.loads(capsys.readouterr().out)
    wd = out["width_design"]
    assert code == 0 and wd["q"] == XOR_WIDTH and wd["kind"] == "probability >= 0.95 over the draw"
    assert wd["certify"] == f"resnet-pl certify --dataset xor --width {XOR_WIDTH} --width-eta 0.05 --rff-seed SEED"
    assert wd["b"] == pytest.approx(2 * out["b"], rel=1e-12)  # WIDTH_READOUT_FACTOR
