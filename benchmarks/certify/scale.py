"""Certificates for large data sets (issue 13 targets): moons and the 20-dimensional Gaussian mixture
at N = 10^3, 10^4, 10^5, and scikit-learn's digits, with the default (augmented) design.  Run on
demand (about 15 minutes on 2 cores):

    python benchmarks/certify/scale.py                 # writes benchmarks/certify/scale.json
    python benchmarks/certify/scale.py moons-1e5       # one case

Each case runs `resnet-pl certify` in a fresh process under `/usr/bin/time -v`: wall time, CPU time
and peak memory (maximum resident set size) of the whole command, the verdict, the certificate's
own phases, and the time of the pass over the pairs (from its progress line).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CASES: dict[str, list[str]] = {
    "moons-1e3": ["--dataset", "moons", "--n", "1000"],
    "moons-1e4": ["--dataset", "moons", "--n", "10000"],
    "moons-1e5": ["--dataset", "moons", "--n", "100000"],
    "mixture-1e3": ["--dataset", "gaussian-mixture", "--n", "1000"],
    "mixture-1e4": ["--dataset", "gaussian-mixture", "--n", "10000"],
    "mixture-1e5": ["--dataset", "gaussian-mixture", "--n", "100000"],
    "digits": ["--dataset", "digits", "--standardize"],
}


def _time_field(text: str, name: str) -> str:
    match = re.search(rf"{re.escape(name)}: (.+)", text)
    return match.group(1).strip() if match else ""


def _seconds(clock: str) -> float:
    parts = [float(p) for p in clock.split(":")]
    return sum(p * 60**k for k, p in enumerate(reversed(parts)))


def run(name: str, argv: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        proc = subprocess.run(["/usr/bin/time", "-v", "resnet-pl", "certify", *argv, "--out", out],
                              capture_output=True, text=True)
        doc = json.load(open(os.path.join(out, "certificate.json"))) if os.path.exists(out) else {}
    err = proc.stderr
    passes = re.findall(r"pair histogram, N = \d+ \(.*?\): \d+/\d+ in ([0-9.]+) s", err)
    result = {
        "argv": argv, "exit_code": proc.returncode,
        "N": doc.get("inputs", {}).get("dataset", {}).get("N"), "d": doc.get("inputs", {}).get("dataset", {}).get("d"),
        "wall_seconds": _seconds(_time_field(err, "Elapsed (wall clock) time (h:mm:ss or m:ss)") or "0"),
        "cpu_seconds": float(_time_field(err, "User time (seconds)") or 0)
        + float(_time_field(err, "System time (seconds)") or 0),
        "max_rss_gb": int(_time_field(err, "Maximum resident set size (kbytes)") or 0) / 1e6,
        "pair_pass_seconds": float(passes[0]) if passes else None,
        "guaranteed": doc.get("guaranteed"), "conclusion": doc.get("conclusion", err.strip()[-300:]),
        "timing": doc.get("timing"),
        "lambda_min_data": (doc.get("quantities", {}).get("lambda_min_data") or {}).get("formula_id"),
        "cross_check_iterations": (doc.get("cross_check") or {}).get("iterations"),
    }
    print(f"{name}: exit {proc.returncode}, {result['wall_seconds']:.0f} s, {result['max_rss_gb']:.2f} GB", flush=True)
    return result


def main(names: list[str]) -> int:
    path = HERE / "scale.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results.setdefault("cases", {})
    results.update(python=sys.version.split()[0], cpus=os.cpu_count())
    for name in names or list(CASES):
        results["cases"][name] = run(name, CASES[name])
        path.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
