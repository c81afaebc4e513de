"""Benchmark of the λ_N(δ) bracket: gap table and timing targets (issue 4).

Run:  /work/venv/bin/python benchmarks/lambda/run.py [--adversarial-seconds 60] [--out DIR]

Prints Markdown tables (pasted into README.md) and writes results.json next to this script.
Targets: packing bound O(1) in N after an O(log) shell sum; Fourier bound < 50 ms per δ;
adversarial search for N = 200, D = 8 within 60 s on 2 cores.  The Gaussian table (issue 17)
reports the gap with the Ingham–Kahane bound and without it ("before": the best of packing and
the Fourier route), both from the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

import mpmath
import numpy as np

from bounds.kernels import Gaussian, Matern
from bounds.lambda_min.bracket import lambda_bracket
from bounds.lambda_min.lower.fourier import fourier_lower_bound
from bounds.lambda_min.lower.ingham_kahane import ingham_kahane_lower_bound
from bounds.lambda_min.lower.packing import packing_lower_bound, packing_sum
from bounds.lambda_min.upper.adversarial import adversarial_upper_bound
from bounds.lambda_min.upper.lattice import lattice_upper_bound

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

HERE = Path(__file__).resolve().parent
KERNELS = [Matern("3/2"), Matern("5/2")]
DIMS = [1, 2, 8]
NS = [10, 100, 1000]
DELTAS = [0.25, 0.5, 1.0, 2.0]
GAUSS_DIMS = [1, 2, 3, 8]
GAUSS_NS = [10, 50, 100, 1000]
GAUSS_DELTAS = [0.5, 1.0, 2.0]
_OLD_SOURCES = ("packing", "fourier", "exact")


def _sci(x) -> str:
    return mpmath.nstr(mpmath.mpf(x), 3) if x else "0"


def gap_table() -> list[dict]:
    rows = []
    for kernel in KERNELS:
        for D in DIMS:
            for N in NS:
                for delta in DELTAS:
                    b = lambda_bracket(kernel, N, delta, D)
                    rows.append(
                        {
                            "kernel": kernel.name,
                            "D": D,
                            "N": N,
                            "delta": delta,
                            "lower": mpmath.nstr(b.lower.mp, 6),
                            "lower_source": b.lower_source,
                            "upper": b.upper.value,
                            "upper_source": b.upper_source,
                            "gap": b.gap,
                            "seconds": b.seconds,
                        }
                    )
                    print(
                        f"{kernel.name} D={D} N={N} δ={delta}: "
                        f"[{_sci(b.lower.mp)}, {b.upper.value:.3g}] gap {b.gap:.3g}",
                        flush=True,
                    )
    return rows


def _gaussian_row(N: int, delta: float, D: int) -> dict:
    b = lambda_bracket(Gaussian(1), N, delta, D)
    before = max(q.mp for src, q in b.candidates if src in _OLD_SOURCES)
    # Is the upper bound at its rounding floor?  Compare with the float eigenvalue of its set.
    lam_num = float(np.linalg.eigvalsh(Gaussian(1).gram(b.upper_points))[0])
    return {
        "kernel": "Gaussian(lengthscale=1)",
        "D": D,
        "N": N,
        "delta": delta,
        "lower": mpmath.nstr(b.lower.mp, 6),
        "lower_source": b.lower_source,
        "lower_before": mpmath.nstr(before, 6),
        "upper": b.upper.value,
        "upper_source": b.upper_source,
        "upper_at_rounding_floor": b.upper.value > 2 * max(lam_num, 0.0),
        "gap": float(b.upper.mp / b.lower.mp),
        "gap_before": float(b.upper.mp / before),
        "seconds": b.seconds,
    }


def gaussian_gap_table() -> list[dict]:
    rows = []
    for D in GAUSS_DIMS:
        for N in GAUSS_NS:
            for delta in GAUSS_DELTAS:
                r = _gaussian_row(N, delta, D)
                rows.append(r)
                print(
                    f"Gaussian D={D} N={N} δ={delta}: [{r['lower']} ({r['lower_source']}), {r['upper']:.3g}] "
                    f"gap {r['gap']:.3g} (before {r['gap_before']:.3g})",
                    flush=True,
                )
    return rows


def _gaussian_markdown(rows: list[dict]) -> None:
    print("\n| D | N | " + " | ".join(f"δ={d}: before → after" for d in GAUSS_DELTAS) + " |")
    print("|---|---|" + "---|" * len(GAUSS_DELTAS))
    for D in GAUSS_DIMS:
        for N in GAUSS_NS:
            cells = []
            for d in GAUSS_DELTAS:
                r = next(r for r in rows if r["D"] == D and r["N"] == N and r["delta"] == d)
                star = " *" if r["upper_at_rounding_floor"] else ""
                cells.append(f"{r['gap_before']:.3g} → {r['gap']:.3g} ({r['lower_source'][0]}){star}")
            print(f"| {D} | {N} | " + " | ".join(cells) + " |")


def timings() -> dict:
    k = Matern("5/2")
    out: dict = {}
    # Packing: time and number of shells as N grows (the cost saturates at 4096 shells).
    pk = []
    for N in [10, 10**3, 10**6, 10**9, 10**15]:
        for D in (1, 2, 8):
            t = time.perf_counter()
            for _ in range(20):
                s = packing_sum(k, N, 0.5, D)
                packing_lower_bound(k, N, 0.5, D)
            pk.append({"N": N, "D": D, "ms": (time.perf_counter() - t) / 20 * 1e3, "blocks": s.blocks})
    out["packing"] = pk
    # Fourier: ms per δ.
    fr = []
    for D in (1, 2, 8):
        for N in (10, 1000, 10**9):
            ts = []
            for delta in [0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0]:
                t = time.perf_counter()
                fourier_lower_bound(k, N, delta, D)
                ts.append((time.perf_counter() - t) * 1e3)
            fr.append({"D": D, "N": N, "median_ms": statistics.median(ts), "max_ms": max(ts)})
    out["fourier"] = fr
    # Ingham–Kahane (Gaussian): ms per δ (it does not depend on N).
    ik = []
    for D in (1, 2, 3, 8):
        ts = []
        for delta in [0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0]:
            t = time.perf_counter()
            ingham_kahane_lower_bound(Gaussian(1), 100, delta, D)
            ts.append((time.perf_counter() - t) * 1e3)
        ik.append({"D": D, "median_ms": statistics.median(ts), "max_ms": max(ts)})
    out["ingham_kahane"] = ik
    return out


def adversarial(seconds: float) -> dict:
    k = Matern("5/2")
    t = time.perf_counter()
    ub = adversarial_upper_bound(k, 200, 1.0, 8, seed=0, time_budget=seconds)
    el = time.perf_counter() - t
    lat = lattice_upper_bound(k, 200, 1.0, 8).quantity.value
    return {
        "N": 200,
        "D": 8,
        "delta": 1.0,
        "seconds": el,
        "adversarial": ub.quantity.value,
        "cubic_lattice": lat,
        "iterations": ub.quantity.hypotheses[3],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--adversarial-seconds", type=float, default=60.0)
    args = parser.parse_args()
    ctx = threadpool_limits(1) if threadpool_limits is not None else None
    if ctx is not None:
        ctx.__enter__()
    res = {
        "gaps": gap_table(),
        "gaussian_gaps": gaussian_gap_table(),
        "timings": timings(),
        "adversarial": adversarial(args.adversarial_seconds),
    }
    (HERE / "results.json").write_text(json.dumps(res, indent=1, default=float))
    print("\n| kernel | D | N | " + " | ".join(f"δ={d}" for d in DELTAS) + " |")
    print("|---|---|---|" + "---|" * len(DELTAS))
    for kernel in KERNELS:
        for D in DIMS:
            for N in NS:
                cells = []
                for d in DELTAS:
                    r = next(
                        r
                        for r in res["gaps"]
                        if r["kernel"] == kernel.name and r["D"] == D and r["N"] == N and r["delta"] == d
                    )
                    g = r["gap"]
                    cells.append(("∞" if not math.isfinite(g) else f"{g:.3g}") + f" ({r['lower_source'][0]})")
                print(f"| {kernel.name} | {D} | {N} | " + " | ".join(cells) + " |")
    _gaussian_markdown(res["gaussian_gaps"])
    print(json.dumps(res["timings"], indent=1))
    print(json.dumps(res["adversarial"], indent=1))


if __name__ == "__main__":
    main()
