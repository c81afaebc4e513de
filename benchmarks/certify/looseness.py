"""Looseness of the one-pass (binned) Gershgorin row sums against the exact ones
(docs/lambda_data.rst, "One pass over the pairs"; the crossover EXACT_MAX_N).  Run on demand:

    python benchmarks/certify/looseness.py        # writes benchmarks/certify/looseness.json

For moons and the 20-dimensional Gaussian mixture at several N and bin resolutions: the scale t* at
which the exact row sum max_i sum_j K(t d_ij) is the design's 0.01 (bisection on the exact sums), the
ratio binned/exact at t*, the scale the binned sums give for the same level (the design's alpha
grows by this ratio), and the time of one exact evaluation against the pass and one binned one.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from bounds.kernels import Matern
from bounds.lambda_min import pairs
from verify.certificate.datasets import gaussian_mixture, two_moons

HERE = Path(__file__).resolve().parent
LEVEL = 0.01
K = Matern("5/2")


def _scale(rowsum, level: float = LEVEL) -> float:
    lo, hi = 1e-3, 1.0
    while rowsum(hi) > level:
        lo, hi = hi, hi * 2
    while hi / lo > 1.0005:
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if rowsum(mid) <= level else (mid, hi)
    return hi


def main() -> int:
    rows = []
    for name, make in (("moons", two_moons), ("gaussian-mixture d=20", gaussian_mixture)):
        for N in (600, 1000, 2000):
            X = make(N, seed=0).X
            t0 = time.perf_counter()
            t_exact = _scale(lambda t, X=X: pairs.exact_row_sum_max(K, X, t))
            exact_eval = (time.perf_counter() - t0)
            for bits in (3, 4, 5, 6):
                t0 = time.perf_counter()
                hist = pairs.pair_histogram(X, mantissa_bits=bits, cache=False)
                pass_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                binned = hist.row_sum_max(K, t_exact)[0]
                eval_s = time.perf_counter() - t0
                t_binned = _scale(lambda t, h=hist: h.row_sum_max(K, t)[0])
                row = {"data": name, "N": N, "bins_per_octave_d2": 2**bits, "bins": hist.bins,
                       "binned_over_exact_at_level": binned / LEVEL, "scale_ratio": t_binned / t_exact,
                       "pass_seconds": round(pass_s, 4), "binned_eval_seconds": round(eval_s, 5),
                       "exact_search_seconds": round(exact_eval, 3)}
                rows.append(row)
                print(row, flush=True)
    (HERE / "looseness.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
