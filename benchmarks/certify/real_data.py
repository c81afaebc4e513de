"""Certificates for real data (the data sets of the real-data issue): ``resnet-pl certify --auto`` on
moons (N = 40 and 400), circles, sphere, xor, iris, wine, breast-cancer and digits (standardised).
Run on demand:

    python benchmarks/certify/real_data.py            # writes benchmarks/certify/real_data.json

Each case runs ``resnet-pl certify`` in a fresh process under ``/usr/bin/time -v`` (wall time and
peak resident memory of the whole process, imports included) and records the exit code, whether
every constant is rigorous or exact, and whether the gradient-descent cross-check agrees.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CASES: dict[str, list[str]] = {
    "moons N=40": ["--dataset", "moons"],
    "moons N=400": ["--dataset", "moons", "--n", "400"],
    "circles N=40": ["--dataset", "circles"],
    "sphere N=40": ["--dataset", "sphere"],
    "xor": ["--dataset", "xor"],
    "iris (150, one duplicate merged)": ["--dataset", "iris"],
    "wine (178 x 13)": ["--dataset", "wine"],
    "breast-cancer (569 x 30)": ["--dataset", "breast-cancer"],
    "digits (1797 x 64, standardised)": ["--dataset", "digits", "--standardize"],
}
#: the certificate's numbers that describe the data or the search rather than bound anything (their
#: kind is numerical by nature): separations, rho, the float F(0) (the verdict uses f0_upper), R
DESCRIPTIVE = {"separation", "lifted_separation", "f0", "rho", "R"}


def run_case(argv: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "verify", "certify", *argv, "--auto", "--quiet",
               "--out", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        seconds = None
        if wall:
            h, m, s = wall.groups()
            seconds = (int(h) if h else 0) * 3600 + int(m) * 60 + float(s)
        doc = json.loads((out / "certificate.json").read_text()) if (out / "certificate.json").exists() else {}
    quantities = doc.get("quantities", {})
    cc = doc.get("cross_check") or {}
    return {
        "argv": argv, "exit_code": proc.returncode, "wall_seconds": seconds,
        "peak_rss_mb": None if rss is None else round(int(rss.group(1)) / 1024, 1),
        "conclusion": doc.get("conclusion", proc.stderr.strip().splitlines()[-1:]),
        "rigorous": all(q["kind"] in ("exact", "rigorous")
                        for name, q in quantities.items() if name not in DESCRIPTIVE),
        "cross_check_agrees": cc.get("agrees"),
        "architecture": doc.get("inputs", {}).get("architecture", {}).get("description"),
        "rate": quantities.get("rate", {}).get("value"),
        "iterations": quantities.get("iterations", {}).get("value"),
    }


def main() -> int:
    results = {}
    for name, argv in CASES.items():
        res = run_case(argv)
        results[name] = res
        print(f"{name:36s} exit {res['exit_code']}  {res['wall_seconds']} s  {res['peak_rss_mb']} MB  "
              f"rigorous {res['rigorous']}  cross-check {res['cross_check_agrees']}  rate {res['rate']}", flush=True)
    (HERE / "real_data.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
