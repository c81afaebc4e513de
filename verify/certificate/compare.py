"""Reproducing a certificate: recompute it from its recorded options and data and compare
(``resnet-pl certify --check certificate.json``; docs/certificate.rst)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from verify.certificate.options import CertifyOptions
from verify.certificate.pipeline import certify, dataset_from_options
from verify.certificate.record import SCHEMA_VERSION

__all__ = ["CHECK_RTOL", "TRAJECTORY_RTOL", "compare", "check"]

#: Relative tolerance of the comparison by kind (with the same code and inputs only the
#: floating-point reassociation of BLAS builds should differ); the cross-check's trajectories get 1e-6.
CHECK_RTOL = {"exact": 1e-12, "rigorous": 1e-9, "numerical": 1e-9, "estimate": 1e-6}
TRAJECTORY_RTOL = 1e-6


def _close(a: Any, b: Any, rtol: float) -> bool:
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    a, b = float(a), float(b)
    return abs(a - b) <= rtol * max(abs(a), abs(b)) + 1e-300


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Differences between two certificate documents beyond the stated tolerances."""
    diffs: list[str] = []
    for key in ("guaranteed", "exit_code", "conclusion"):
        if old.get(key) != new.get(key):
            diffs.append(f"{key}: {old.get(key)!r} != {new.get(key)!r}")
    oq, nq = old.get("quantities", {}), new.get("quantities", {})
    for name in sorted(set(oq) | set(nq)):
        if name not in oq or name not in nq:
            diffs.append(f"quantity {name}: present in only one certificate")
            continue
        rtol = CHECK_RTOL.get(oq[name].get("kind"), 1e-9)
        if not _close(oq[name]["value"], nq[name]["value"], rtol) or oq[name]["kind"] != nq[name]["kind"]:
            diffs.append(f"quantity {name}: {oq[name]['value']!r} [{oq[name]['kind']}] != "
                         f"{nq[name]['value']!r} [{nq[name]['kind']}] (rtol {rtol:g})")
    for h_old, h_new in zip(old.get("hypotheses", []), new.get("hypotheses", []), strict=False):
        if h_old.get("holds") != h_new.get("holds"):
            diffs.append(f"hypothesis {h_old.get('id')}: holds {h_old.get('holds')} != {h_new.get('holds')}")
    oc, nc = old.get("cross_check"), new.get("cross_check")
    if (oc is None) != (nc is None):
        diffs.append("cross_check: run in only one certificate")
    elif oc is not None and nc is not None:
        for key in ("loss_below_envelope", "distance_below_R", "agrees", "iterations", "model"):
            if oc.get(key) != nc.get(key):
                diffs.append(f"cross_check.{key}: {oc.get(key)!r} != {nc.get(key)!r}")
        for key in ("loss", "distance"):
            a, b = oc.get(key, []), nc.get(key, [])
            if len(a) != len(b) or not all(_close(x, y, TRAJECTORY_RTOL) for x, y in zip(a, b, strict=False)):
                diffs.append(f"cross_check.{key}: trajectories differ beyond rtol {TRAJECTORY_RTOL:g}")
    return diffs


def check(path: str, quiet: bool = False) -> int:
    """Recompute the certificate stored at ``path`` and compare (0 equal, 1 different)."""

    if not os.path.isfile(path):
        raise ValueError(f"--check: file {path!r} not found")
    try:
        with open(path, encoding="utf-8") as fh:
            old = json.load(fh)
        opts_dict = old["inputs"]["options"]
        recorded = old["inputs"]["dataset"]
        version = old["schema_version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"--check: {path!r} is not a certificate.json ({type(exc).__name__}: {exc})") from exc
    if str(version).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ValueError(f"--check: schema_version {version} is not compatible with {SCHEMA_VERSION}")
    opts = CertifyOptions.from_dict(opts_dict)
    ds = dataset_from_options(opts)
    if ds.sha256_X != recorded["sha256_X"] or ds.sha256_Y != recorded["sha256_Y"]:
        print("check FAILED: the input data changed (sha256 of X/Y differ from the certificate's)")
        return 1
    new = certify(opts, ds, progress=None if quiet else sys.stderr).to_dict()
    diffs = compare(old, new)
    if diffs:
        print(f"check FAILED: {len(diffs)} difference(s)")
        for d in diffs:
            print("  " + d)
        return 1
    n = len(new["quantities"])
    print(f"check OK: verdict, {n} quantities (rtol by kind {CHECK_RTOL}) and the cross-check reproduced")
    return 0
