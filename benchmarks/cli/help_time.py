"""Wall-clock time of ``resnet-pl --help`` (and each subcommand's ``--help``), side by side with a bare
``python -c pass`` so that the interpreter's own start-up is visible.

Run:  python benchmarks/cli/help_time.py [--repeats 15]

The target of the CLI (docs/architecture.rst) is ``--help`` under 0.3 s: the subcommands import their modules
only when they run.  Prints min / median / max seconds per command and the median overhead over the
bare interpreter.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

SUBCOMMANDS = ("", "certify", "recipe", "lzb", "pl", "kappa", "lambda", "verify", "train")


def _time(cmd: list[str], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="runs per command (default 15)")
    args = parser.parse_args()
    exe = shutil.which("resnet-pl")
    if exe is None:
        sys.exit("resnet-pl is not on PATH: pip install -e . first")
    rows = [("python -c pass", _time([sys.executable, "-c", "pass"], args.repeats))]
    for sub in SUBCOMMANDS:
        cmd = [exe] + ([sub] if sub else []) + ["--help"]
        rows.append((" ".join(["resnet-pl", sub, "--help"]).replace("  ", " "), _time(cmd, args.repeats)))
    base = statistics.median(rows[0][1])
    print(f"{'command':34s} {'min':>7s} {'median':>7s} {'max':>7s} {'over python':>11s}")
    for name, ts in rows:
        med = statistics.median(ts)
        print(f"{name:34s} {min(ts):7.3f} {med:7.3f} {max(ts):7.3f} {med - base:11.3f}")


if __name__ == "__main__":
    main()
