"""Large problems from the command line (docs/scale.rst): a lifting of p = 10^8 copies costs nothing,
every entry point refuses what does not fit with one line, and --scheduler is an option of where
the passes run, not of the certificate."""

from __future__ import annotations

import argparse
import json
import math
import tracemalloc

import pytest

from verify.certificate.datasets import make_dataset
from verify.certificate.options import CertifyOptions
from verify.cli import certify as certify_cmd
from verify.cli import main


def test_pl_with_a_lifting_of_ten_to_the_eight_copies_is_free(capsys):
    # p = 10^8 copies of the input: D = 2 10^8, held in d (m + 1) = 4 coordinates (bounds.problem.
    # copy_maps); one lifted row in full would take 1.6 GB.  The command allocates < 50 MB (traced on
    # a second call: the first one imports and sets up the kernel's constants, slow under tracemalloc).
    argv = ["pl", "--dataset", "xor", "--architecture", "copy", "--p", "100000000", "--R", "0.1", "--json"]
    assert main(argv) == 0
    capsys.readouterr()
    tracemalloc.start()
    try:
        code = main(argv)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["D"] == 2 * 10**8 and peak < 50e6
    # Independent source, the closed form: lifted distances a sqrt(p) |x_i - x_j| >= 2 10^4 make
    # K = e^{-sqrt5 2 10^4}: lambda = 1 to rounding, and m = (4 w/n) b^2 s_-^2 lambda = e^{-2 c1 R}
    # with c1 = sqrt(5/3) for Matern 5/2 (l = 1), n = 4, b = 1.
    assert out["lambda_lower"]["kind"] == "rigorous" and 1 - 1e-12 < out["lambda_lower"]["value"] <= 1
    assert out["m"]["value"] == pytest.approx(math.exp(-2 * math.sqrt(5 / 3) * 0.1), rel=1e-12)
    assert out["m"]["value"] <= math.exp(-2 * math.sqrt(5 / 3) * 0.1)  # a lower bound, rounded down


@pytest.mark.parametrize("argv", [
    ["certify", "--quiet", "--out", "never-written"],
    ["pl"],
    ["lzb"],
    ["recipe", "--families", "augmented"],
])
def test_every_entry_point_refuses_a_pair_histogram_above_the_memory_limit(capsys, monkeypatch, argv):
    # The guard of bounds.lambda_min.pairs.check_histogram_size, reached from each command: exit 2,
    # one line naming the limit and the way around it (the limit lowered so that 1500 points exceed it).
    monkeypatch.setenv("RESNET_PL_MEMORY_GB", "0.001")
    code = main(argv + ["--dataset", "moons", "--n", "1500"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "N = 1500 points needs" in err and "above the memory limit of 0.001 GB" in err
    assert "RESNET_PL_MEMORY_GB=" in err


def test_scheduler_flag_sets_where_not_what():
    parser = argparse.ArgumentParser()
    certify_cmd.configure(parser)
    args = parser.parse_args(["--dataset", "moons", "--scheduler", "tcp://10.0.0.1:8786"])
    opts = certify_cmd.certify_options(args)
    assert opts.scheduler == "tcp://10.0.0.1:8786"
    assert "scheduler" not in opts.to_dict() and "--scheduler" not in certify_cmd.options_to_argv(opts)
    assert opts == CertifyOptions.from_dict(opts.to_dict())  # the scheduler does not take part in ==
    with pytest.raises(ValueError, match="scheduler must be the address"):
        CertifyOptions(scheduler=" ")


def test_gaussian_mixture_is_a_builtin_dataset():
    ds = make_dataset("gaussian-mixture", n=50, seed=3)
    assert ds.X.shape == (50, 20) and set(ds.Y.ravel()) <= {-1.0, 1.0}
    assert ds.sha256_X == make_dataset("gaussian-mixture", n=50, seed=3).sha256_X
