"""Do two versions of the package give the same certificates?  (A refactor must not change them.)

    python benchmarks/refactor/same_certificates.py write DIR     # certificates of the installed code
    python benchmarks/refactor/same_certificates.py compare OLD NEW [RTOL]

``write`` runs ``resnet-pl certify`` on every built-in data set (and the default example) into
``DIR/<case>/certificate.json``; ``compare`` reports every difference between two such folders,
ignoring what legitimately differs between runs (timing, environment, argv, cross-check seconds);
numbers within the relative tolerance ``RTOL`` (default 0: bit-identical) count as equal, and the
largest relative difference seen is printed.  Exit 0 when identical.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CASES: dict[str, list[str]] = {
    "default": [],
    "moons": ["--dataset", "moons", "--n", "6"],
    "circles": ["--dataset", "circles", "--n", "6"],
    "sphere": ["--dataset", "sphere", "--n", "6"],
    "xor": ["--dataset", "xor"],
    "moons40": ["--dataset", "moons"],
    "xor-lifted-ode": ["--dataset", "xor", "--p", "64", "--a", "0.2", "--b", "30"],
    "moons-width": ["--dataset", "moons", "--n", "8", "--width", "64", "--gd-iterations", "5"],
}
IGNORED = {"timing", "environment", "argv", "seconds"}


def write(out: Path) -> int:
    for name, argv in CASES.items():
        target = out / name
        proc = subprocess.run(["resnet-pl", "certify", *argv, "--quiet", "--out", str(target)],
                              capture_output=True, text=True)
        first = proc.stdout.strip().splitlines()[0] if proc.stdout else proc.stderr[-200:]
        print(f"{name}: exit {proc.returncode} {first}")
    return 0


def _numbers_close(a: Any, b: Any, rtol: float, worst: list[float]) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    rel = abs(a - b) / max(abs(a), abs(b), 1e-300)
    worst[0] = max(worst[0], rel)
    return rel <= rtol


def _diff(a: Any, b: Any, path: str, out: list[str], rtol: float = 0.0, worst: list[float] | None = None) -> None:
    worst = [0.0] if worst is None else worst
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in IGNORED:
                continue
            if key not in a or key not in b:
                out.append(f"{path}/{key}: only in {'new' if key in b else 'old'}")
            else:
                _diff(a[key], b[key], f"{path}/{key}", out, rtol, worst)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out, rtol, worst)
    elif a != b and not _numbers_close(a, b, rtol, worst):
        out.append(f"{path}: {a!r} != {b!r}")


def compare(old: Path, new: Path, rtol: float = 0.0) -> int:
    diffs: list[str] = []
    worst = [0.0]
    for name in CASES:
        docs = []
        for root in (old, new):
            path = root / name / "certificate.json"
            docs.append(json.loads(path.read_text()) if path.exists() else None)
        _diff(docs[0], docs[1], name, diffs, rtol, worst)
    for line in diffs:
        print(line[:300])
    print(f"{len(diffs)} difference(s) beyond rtol {rtol:g}; largest relative difference of numbers {worst[0]:.3g}")
    return 1 if diffs else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "write" and len(sys.argv) == 3:
        sys.exit(write(Path(sys.argv[2])))
    if command == "compare" and len(sys.argv) in (4, 5):
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) == 5 else 0.0))
    print(__doc__)
    sys.exit(2)
