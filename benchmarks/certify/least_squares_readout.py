"""The least-squares read-out, measured against the augmented one (issue: "keep it only if the
measured certificates improve").

Augmented design: ``A = α [I_d; 0]``, ``B = b [0, I_{d'}]``, so ``B A = 0`` and ``F(0) = mean‖y‖²``.
Least-squares read-out: the same ``A`` and ``B = b [C, I_{d'}]`` with ``b α C = W`` the linear
least-squares map (no intercept; the data are centred or standardised), so that the network starts
at the linear fit and ``F(0)`` is the linear-regression residual.  Then ``B Bᵀ = b² (I + C Cᵀ)``:
``σ_min(B) ≥ b`` and ``σ_max(B) = b √(1 + ‖C‖²)`` with ``‖C‖ = ‖W‖ / (b α)``.

For each data set, both designs use the (α, b) that the augmented design search picks, and each is
certified by the same rigorous radius search (``bounds.chain.lzb_for_problem``, neural ODE, Matérn
5/2, ℓ = 1, sharp constants, target 1e-6).  Run on demand:

    python benchmarks/certify/least_squares_readout.py     # writes least_squares_readout.json
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from bounds.chain import lzb_for_problem
from bounds.kernels import Matern
from bounds.problem import Problem, merge_duplicates
from bounds.recipe import augmented_design
from verify.certificate.datasets import make_dataset

HERE = Path(__file__).resolve().parent
KERNEL = Matern("5/2")
TARGET = 1e-6
CASES = [("moons", 40, False), ("circles", 40, False), ("xor", None, False), ("iris", None, True),
         ("wine", None, True), ("moons", 400, False)]


def _data(name: str, n: int | None, standardize: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ds = make_dataset(name, n=n)
    X = np.asarray(ds.X, dtype=float)
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return merge_duplicates(X, ds.Y)


def _least_squares_problem(X: np.ndarray, Y: np.ndarray, w: np.ndarray, alpha: float, b: float) -> Problem:
    d, d_out = X.shape[1], Y.shape[1]
    sw = np.sqrt(w)[:, None]
    W = np.linalg.lstsq(X * sw, Y * sw, rcond=None)[0].T  # (d', d): the weighted linear fit y ~ W x
    A = np.vstack([alpha * np.eye(d), np.zeros((d_out, d))])
    B = b * np.hstack([W / (b * alpha), np.eye(d_out)])
    return Problem(X, Y, A, B, KERNEL, weights=w)


def _row(problem: Problem) -> dict[str, object]:
    t0 = time.perf_counter()
    cert = lzb_for_problem(problem, target=TARGET)
    best = cert.best
    return {
        "f0_upper": problem.initial_loss_upper(),
        "guaranteed": best is not None,
        "rate": None if best is None else best.rate,
        "iterations": cert.iterations,
        "R": None if best is None else best.R,
        "seconds": round(time.perf_counter() - t0, 2),
    }


def main() -> None:
    results = {}
    for name, n, standardize in CASES:
        X, Y, w = _data(name, n, standardize)
        design = augmented_design(X, Y, KERNEL, weights=w, target=TARGET)
        arch = design.architecture
        aug = Problem.augmented(X, Y, KERNEL, arch.alpha, arch.b, weights=w)
        ls = _least_squares_problem(X, Y, w, arch.alpha, arch.b)
        label = f"{name} N={X.shape[0]}"
        results[label] = {"alpha": arch.alpha, "b": arch.b, "augmented": _row(aug), "least_squares": _row(ls)}
        a, b = results[label]["augmented"], results[label]["least_squares"]
        print(f"{label:16s} F0 {a['f0_upper']:.4g} -> {b['f0_upper']:.4g}; rate {a['rate']} -> {b['rate']}; "
              f"iterations {a['iterations']} -> {b['iterations']}", flush=True)
    (HERE / "least_squares_readout.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
