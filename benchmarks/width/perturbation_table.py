"""The perturbation route against the data-dependent Gershgorin bound (docs/width.rst, "The
perturbation route against Gershgorin"): lambda_lower(R) of the infinite-width Matérn 5/2 model on
the built-in data sets, at the augmented closed form's lifting scale alpha and at alpha/4, for
R = 0.01/c1 and 0.1/c1.  Prints an RST table (pasted into the docs) and writes perturbation.json.

Usage: python benchmarks/width/perturbation_table.py [--load]   (--load: redraw from perturbation.json)
"""

from __future__ import annotations

import json
import os
import sys
import time

from bounds.kernels import Matern
from bounds.pl import jacobian_constant, lambda_lower
from bounds.problem import Problem
from bounds.recipe import augmented_scales
from bounds.width import gram_extremes
from verify.certificate.datasets import make_dataset
from verify.certificate.design import preprocess

HERE = os.path.dirname(os.path.abspath(__file__))
#: (name, n, standardise): the generators at their default size, the real sets standardised
#: (digits on a 500-point subset: the verified lambda_min is a dense Cholesky).
CASES = (("xor", None, False), ("moons", None, False), ("circles", None, False), ("sphere", None, False),
         ("iris", None, True), ("wine", None, True), ("breast-cancer", None, True), ("digits", 500, True))


def rows() -> list[dict]:
    kernel = Matern("5/2")
    out = []
    for name, n, standardize in CASES:
        X, Y, w, _ = preprocess(make_dataset(name, n=n), standardize)
        alpha, _, _ = augmented_scales(X, Y, kernel, weights=w)
        for scale in (1.0, 0.25):
            prob = Problem.augmented(X, Y, kernel, alpha * scale, 1.0, weights=w)
            c1 = float(jacobian_constant(prob))
            t0 = time.perf_counter()
            lam0 = gram_extremes(kernel, prob.lifted).lam_min.value
            for cR in (0.01, 0.1):
                R = cR / c1
                data = lambda_lower(prob, R, lam="data").value
                pert = lambda_lower(prob, R, lam="perturbation").value
                out.append({"dataset": name, "N": prob.N, "scale": scale, "alpha": alpha * scale, "c1R": cR,
                            "lambda_min_t0": lam0, "gershgorin": data, "perturbation": pert,
                            "best": "perturbation" if pert > data else "gershgorin",
                            "seconds": round(time.perf_counter() - t0, 2)})
    return out


def rst(table: list[dict]) -> str:
    """One row per data set and lifting scale; the larger bound of each radius in bold."""
    head = ("data set", "N", "alpha", "lambda_min(K_X)", "Gershgorin, c1R = 0.01", "perturbation, 0.01",
            "Gershgorin, 0.1", "perturbation, 0.1")
    lines = [".. list-table::", "   :header-rows: 1", ""]
    lines.append("   * - " + "\n     - ".join(head))
    for i in range(0, len(table), 2):
        r1, r2 = table[i], table[i + 1]

        def pair(r: dict) -> list[str]:
            g, p = f"{r['gershgorin']:.4f}", f"{r['perturbation']:.4f}"
            return [f"**{g}**", p] if r["gershgorin"] > r["perturbation"] else (
                [g, f"**{p}**"] if r["perturbation"] > r["gershgorin"] else [g, p])

        cells = [r1["dataset"], str(r1["N"]), f"{r1['alpha']:.3g}" + (" (1/4)" if r1["scale"] < 1 else ""),
                 f"{r1['lambda_min_t0']:.4f}", *pair(r1), *pair(r2)]
        lines.append("   * - " + "\n     - ".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    path = os.path.join(HERE, "perturbation.json")
    if "--load" in sys.argv:
        with open(path, encoding="utf-8") as fh:
            table = json.load(fh)
    else:
        table = rows()
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(table, fh, indent=1)
    print(rst(table))
    wins = sum(r["best"] == "perturbation" for r in table)
    print(f"\nperturbation larger in {wins} of {len(table)} cases", flush=True)
