"""How the lifting p required by the recipe grows with N (docs/recipe.rst).

Data: N points on a line with unit spacing, centred at 0 (separation 1, max |x| = (N-1)/2), in
R^2 (second coordinate 0), targets y_i = ±1 from a fixed seed.  Kernel Matérn 5/2, l = 1.
Prints a Markdown table of the smallest p found, for each LZB form, and the fitted exponent of
p ~ N^k.  Run: python benchmarks/recipe/growth.py
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bounds.kernels import Matern
from bounds.recipe import lifting_recipe


def main() -> None:
    kernel = Matern("5/2")
    rng = np.random.default_rng(0)
    Ns = [2, 3, 4, 6, 8, 12, 16, 24, 32]
    rows = []
    for N in Ns:
        X = np.stack([np.arange(N, dtype=float) - (N - 1) / 2, np.zeros(N)], axis=1)
        Y = rng.choice([-1.0, 1.0], size=(N, 1))
        row = [N]
        for form in ("discrete", "sqrt"):
            t = time.perf_counter()
            d = lifting_recipe(X, Y, kernel, form=form, p_max=2**30)
            row += [d.p if d else None, d.verified if d else None, time.perf_counter() - t]
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
    print("| N | p (discrete) | verified | s | p (sqrt) | verified | s |")
    print("|---:|---:|:---:|---:|---:|:---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.1f} | {r[4]} | {r[5]} | {r[6]:.1f} |")
    for col, name in ((1, "discrete"), (4, "sqrt")):
        n = np.array([r[0] for r in rows if r[col]], dtype=float)
        p = np.array([r[col] for r in rows if r[col]], dtype=float)
        k = np.polyfit(np.log(n[1:]), np.log(p[1:]), 1)[0]
        print(f"\nfitted exponent (form {name}, N >= {int(n[1])}): p ~ N^{k:.2f}")


if __name__ == "__main__":
    main()
