"""Timing of `resnet-pl certify` (issue 7 targets): the default example (< 20 s on 2 cores) and a
1000-point dataset in D <= 16 (< 2 minutes).  Run on demand:

    python benchmarks/certify/run.py            # writes benchmarks/certify/results.json

Each case runs in a fresh interpreter (imports and sympy set-up included), wall time measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNER = (
    "import argparse, sys\n"
    "from verify.cli import certify\n"
    "p = argparse.ArgumentParser(); certify.configure(p)\n"
    "sys.exit(certify.run(p.parse_args(sys.argv[1:])))\n"
)

CASES = {
    "default example (xor, N=4, D=40000, T=4, 100 exact GD steps)": [],
    "sphere N=1000, d=3, p=4 (D=12), a=1: lambda = 0 (H4 fails), 100 RFF GD steps": [
        "--dataset", "sphere", "--n", "1000", "--p", "4", "--a", "1.0", "--b", "1.0", "--no-recipe",
    ],
    "sphere N=1000, d=3, p=4 (D=12), a=2000: full R search (41 radii), 100 RFF GD steps": [
        "--dataset", "sphere", "--n", "1000", "--p", "4", "--a", "2000", "--b", "1.0", "--no-recipe",
    ],
}


def main() -> int:
    results = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "cases": {}}
    for name, argv in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", RUNNER, *argv, "--out", out, "--quiet"],
                                  capture_output=True, text=True)
            wall = time.perf_counter() - t0
            doc = json.load(open(os.path.join(out, "certificate.json"))) if os.path.exists(out) else {}
        results["cases"][name] = {
            "argv": argv, "exit_code": proc.returncode, "wall_seconds": round(wall, 2),
            "timing": doc.get("timing"), "conclusion": doc.get("conclusion", proc.stderr.strip()[-300:]),
        }
        print(f"{name}: exit {proc.returncode}, {wall:.1f} s")
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
