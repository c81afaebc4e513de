"""Cost of the ball-arithmetic (Arb) paths of issue 17, against the float paths they replace or
complement.

Run:  python benchmarks/rigor/run.py        (≈ 2 min; prints the Markdown tables of README.md)

Numbers are medians of a few repetitions on the shared 2-core development machine (other jobs
running: pessimistic), BLAS limited to one thread where threadpoolctl is available.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from bounds._core.ball import singular_value_bounds
from bounds.kernels import Gaussian, Matern
from bounds.kernels.profile_ball import profile_floats_ball, tail_radius
from bounds.lambda_min.bracket import lambda_two
from bounds.lambda_min.data import data_gershgorin_bound, lambda_min_verified

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


def _median_seconds(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def lambda_two_table() -> list[str]:
    rows = ["| kernel | δ/ℓ = 1e-31 | δ/ℓ = 1e-9 | δ/ℓ = 0.5 |", "|---|---|---|---|"]
    for k in (Gaussian(1), Matern("5/2"), Matern(3.7), Matern(100), Matern(500)):
        cells = [f"{1e3 * _median_seconds(lambda d=d, k=k: lambda_two(k, d)):.2f} ms" for d in (1e-31, 1e-9, 0.5)]
        rows.append(f"| {k.name} | " + " | ".join(cells) + " |")
    return rows


def profile_table() -> list[str]:
    rng = np.random.default_rng(0)
    rows = ["| kernel | Arb, per distinct value | float closed form, per value |", "|---|---|---|"]
    for k in (Matern("5/2"), Matern("101/2"), Matern(0.3), Matern(1.3), Matern(3.7), Matern(20), Matern(100),
              Matern(300), Matern(500)):
        r = rng.uniform(0, tail_radius(k), 200)
        arb_s = _median_seconds(lambda k=k, r=r: profile_floats_ball(k, r), 1) / len(r)
        flt = "—"
        if k.half_integer_order() is not None:
            flt = f"{1e6 * _median_seconds(lambda k=k, r=r: k.profile(r)) / len(r):.3f} µs"
        rows.append(f"| {k.name} | {1e3 * arb_s:.3f} ms | {flt} |")
    return rows


def lambda_min_table() -> list[str]:
    rng = np.random.default_rng(1)
    rows = ["| kernel | N | ball (Arb Cholesky + Rayleigh) | float Cholesky certificate |", "|---|---|---|---|"]
    for k in (Matern("5/2"), Matern(3.7)):
        for N in (2, 8, 32, 100, 200):
            X = rng.uniform(0, 2 * N ** 0.5, size=(N, 2))
            ball = "—"
            if N <= 32:
                ball = f"{_median_seconds(lambda k=k, X=X: lambda_min_verified(k, X, method='ball'), 1):.3f} s"
            flt = f"{_median_seconds(lambda k=k, X=X: lambda_min_verified(k, X, method='float'), 1):.3f} s"
            rows.append(f"| {k.name} | {N} | {ball} | {flt} |")
    return rows


def gershgorin_table() -> list[str]:
    rng = np.random.default_rng(2)
    rows = ["| kernel | N | data Gershgorin bound |", "|---|---|---|"]
    for k, N in ((Matern("5/2"), 1000), (Gaussian(1), 1000), (Matern(3.7), 150)):
        X = rng.uniform(0, 2 * N ** 0.5, size=(N, 2))
        seconds = _median_seconds(lambda k=k, X=X: data_gershgorin_bound(k, X, 0.9), 1)
        rows.append(f"| {k.name} | {N} | {seconds:.3f} s |")
    return rows


def main() -> None:
    ctx = threadpool_limits(1) if threadpool_limits is not None else None
    for title, table in (
        ("λ₂ = 1 − K(δ), rounded down (Arb, adaptive precision)", lambda_two_table),
        ("Kernel values on the rigorous routes", profile_table),
        ("Verified λ_min", lambda_min_table),
        ("Data Gershgorin bound", gershgorin_table),
    ):
        print(f"\n### {title}\n")
        print("\n".join(table()))
    A = np.random.default_rng(3).normal(size=(8, 4))
    print(f"\nsingular_value_bounds of an 8x4 matrix: {1e3 * _median_seconds(lambda: singular_value_bounds(A)):.2f} ms")
    if ctx is not None:
        ctx.unregister()


if __name__ == "__main__":
    main()
