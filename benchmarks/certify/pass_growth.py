"""Cost growth of the pass over the pairs (bounds/lambda_min/pairs.py): wall and CPU time of
`pair_histogram` on moons (d = 2) and the Gaussian mixture (d = 20) at N = 12,500 … 100,000, on
local threads, and the exponent of a log-log fit (2 expected: N² pairs).  Run on demand:

    python benchmarks/certify/pass_growth.py      # writes benchmarks/certify/pass_growth.json
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from bounds.lambda_min import pairs
from verify.certificate.datasets import gaussian_mixture, two_moons

HERE = Path(__file__).resolve().parent
SIZES = (12_500, 25_000, 50_000, 100_000)


def main() -> int:
    pairs.pair_histogram(two_moons(500).X, cache=False)  # compile once, outside the timings
    out: dict[str, dict] = {}
    for name, make in (("moons d=2", two_moons), ("gaussian-mixture d=20", gaussian_mixture)):
        rows = []
        for N in SIZES:
            X = make(N, seed=0).X
            key = pairs.points_key(X)
            pairs.histogram_layout(X)  # the separation (or its projection) first, not timed
            w0, c0 = time.perf_counter(), time.process_time()
            hist = pairs.pair_histogram(key.points, cache=False)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            rows.append({"N": N, "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
                         "cpu_ns_per_pair": round(cpu / N**2 * 1e9, 2), "bins": hist.bins})
            print(name, rows[-1], flush=True)
        logN = np.log([r["N"] for r in rows])
        slope = float(np.polyfit(logN, np.log([r["cpu_seconds"] for r in rows]), 1)[0])
        out[name] = {"rows": rows, "cpu_exponent": round(slope, 2)}
        print(name, "CPU time ~ N ^", round(slope, 2), flush=True)
    (HERE / "pass_growth.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0 if all(math.isfinite(v["cpu_exponent"]) for v in out.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
