"""Monte Carlo of the finite-width guarantee (docs/width.rst): the width that `resnet-pl recipe
--width-eta ETA` prints for a data set, then `resnet-pl certify --width Q --rff-seed S` for S in
0..SEEDS-1 (the command the recipe prints, run through the CLI in this interpreter).  The fraction
of draws that certify must be at least 1 - ETA (the a priori statement); writes results.json.

Usage: python benchmarks/width/monte_carlo.py [--dataset xor] [--eta 0.05] [--seeds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

from bounds.kernels import Matern
from bounds.recipe import width_design
from verify.certificate.datasets import make_dataset
from verify.cli import main

HERE = os.path.dirname(os.path.abspath(__file__))


def run(dataset: str, eta: float, seeds: int) -> dict:
    ds = make_dataset(dataset)
    t0 = time.perf_counter()
    wd = width_design(ds.X, ds.Y, Matern("5/2"), eta)
    recipe_seconds = time.perf_counter() - t0
    assert wd.q is not None and wd.certificate is not None and wd.certificate.best is not None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(seeds):
            out = os.path.join(tmp, f"s{seed}")
            t0 = time.perf_counter()
            code = main(["certify", "--dataset", dataset, "--width", str(wd.q), "--width-eta", f"{eta:g}",
                         "--rff-seed", str(seed), "--quiet", "--out", out])
            seconds = time.perf_counter() - t0
            with open(os.path.join(out, "certificate.json"), encoding="utf-8") as fh:
                doc = json.load(fh)
            cc = doc["cross_check"]
            q = {name: doc["quantities"][name]["value"] for name in ("rate", "R", "lambda_min_data")}
            rows.append({"seed": seed, "exit_code": code, **q, "cross_check_agrees": cc["agrees"],
                         "seconds": round(seconds, 2)})
            print(f"seed {seed}: exit {code}, rate {rows[-1]['rate']:.6g}, {seconds:.1f} s", flush=True)
    certified = sum(r["exit_code"] == 0 for r in rows)
    return {"dataset": dataset, "eta": eta, "q": wd.q, "alpha": wd.architecture.alpha, "b": wd.architecture.b,
            "a_priori_rate": wd.certificate.best.rate, "recipe_seconds": round(recipe_seconds, 2),
            "seeds": seeds, "certified": certified, "fraction": certified / seeds, "runs": rows}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="xor")
    p.add_argument("--eta", type=float, default=0.05)
    p.add_argument("--seeds", type=int, default=20)
    a = p.parse_args()
    res = run(a.dataset, a.eta, a.seeds)
    path = os.path.join(HERE, f"results_{a.dataset}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(res, fh, indent=1)
    print(f"q = {res['q']}: {res['certified']}/{res['seeds']} draws certify (fraction {res['fraction']:.2f}, "
          f"a priori >= {1 - a.eta:g}); wrote {path}")
