"""Mutation check: do the tests catch realistic mistakes in the formulas?

    python benchmarks/mutation/run.py                    # every mutant, relevant tests then the full suite
    python benchmarks/mutation/run.py --only pl.m-square,lzb.sqrt-8
    python benchmarks/mutation/run.py --file bounds/pl.py --no-full --json /tmp/out.json
    python benchmarks/mutation/run.py --list

Each mutant of ``catalogue.py`` (file, exact original snippet, replacement, what it models) is
applied alone to a *scratch copy* of the repository (the working tree is never written): first
the mutant's relevant tests run (``-x``), and if they pass the full default suite runs, both with
``CI=true`` and the ``mutation`` hypothesis profile (the ``ci`` profile without shrinking: the same
examples, so the same verdicts, only faster failures).  A mutant is *killed* when a run fails (or
times out, reported separately), *survives* when both pass, and is *stale* when its snippet no
longer occurs exactly once in its file (reported, not scored: update the catalogue).  The score
is killed / (killed + survived).  Before the mutants, the unmutated copy must pass the full suite
(with ``--no-full``: the union of the relevant tests; ``--no-baseline`` skips this), so a failure is
the mutant's.

Exit status: 0 when every survivor is listed as harmless in the catalogue and nothing is stale,
1 otherwise (an unexplained survivor, or a known unsafe one still ``pending`` its tests).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def load_catalogue() -> ModuleType:
    """The catalogue module (``benchmarks/`` is not a package)."""
    spec = importlib.util.spec_from_file_location("mutation_catalogue", HERE / "catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@dataclass
class Outcome:
    """What happened to one mutant."""

    id: str
    file: str
    status: str  # killed-relevant | killed-full | timeout | survived | stale
    seconds: float
    detail: str = ""


def scratch_copy(root: Path, dest: Path) -> Path:
    """Copy the repository's tracked and untracked-but-not-ignored files into ``dest``."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = root / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


def _env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RESNET_PL_PROFILE", "PYTEST_ADDOPTS")}
    # the ci profile without shrinking: a failure is all the check needs to see
    env.update(CI="true", RESNET_PL_PROFILE="mutation", PYTHONPATH=str(scratch), PYTHONDONTWRITEBYTECODE="1")
    return env


def check_imports_from(scratch: Path) -> None:
    """The scratch copy, not an installed copy, must be what the tests import."""
    out = subprocess.run([sys.executable, "-c", "import bounds, verify; print(bounds.__file__, verify.__file__)"],
                         cwd=scratch, env=_env(scratch), capture_output=True, text=True, check=True).stdout
    if not all(Path(p).resolve().is_relative_to(scratch.resolve()) for p in out.split()):
        raise SystemExit(f"the tests would import the package from outside the scratch copy: {out}")


#: The catalogue's own consistency test fails on *any* applied mutant (its snippet is gone from
#: the mutated file): it must not count as a kill.
SELF_TEST = "tests/test_mutation_catalogue.py"


def run_pytest(scratch: Path, targets: list[str], timeout: float) -> tuple[str, str]:
    """``(result, tail)`` with result ``pass`` / ``fail`` / ``timeout`` / ``error`` (pytest misuse)."""
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header",
           f"--ignore={SELF_TEST}", *targets]
    try:
        proc = subprocess.run(cmd, cwd=scratch, env=_env(scratch), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    failed = [ln for ln in lines if ln.startswith(("FAILED ", "ERROR "))][:1]  # the killing test (-ra summary)
    tail = "\n".join(failed + lines[-1:])
    if proc.returncode == 0:
        return "pass", tail
    if proc.returncode in (1, 2):  # tests failed, or collection/import failed: the mutant is seen
        return "fail", tail
    return "error", tail  # 3 internal error, 4 usage error, 5 no tests collected


def apply(scratch: Path, file: str, original: str, replacement: str) -> str | None:
    """Write the mutated file; return the original text, or ``None`` if the snippet is not unique."""
    path = scratch / file
    text = path.read_text()
    if text.count(original) != 1:
        return None
    path.write_text(text.replace(original, replacement, 1))
    return text


def run_mutant(scratch: Path, mutant, relevant: list[str], full: bool, timeout: float) -> Outcome:
    start = time.monotonic()
    saved = apply(scratch, mutant.file, mutant.original, mutant.replacement)
    if saved is None:
        return Outcome(mutant.id, mutant.file, "stale", 0.0, "snippet not found exactly once")
    try:
        result, tail = run_pytest(scratch, relevant, timeout)
        if result == "error":
            raise SystemExit(f"{mutant.id}: pytest could not run the relevant tests {relevant}:\n{tail}")
        status = {"fail": "killed-relevant", "timeout": "timeout"}.get(result)
        if status is None and full:
            result, tail = run_pytest(scratch, [], timeout * 4)
            status = {"fail": "killed-full", "timeout": "timeout", "error": "killed-full"}.get(result)
        return Outcome(mutant.id, mutant.file, status or "survived", time.monotonic() - start, tail)
    finally:
        (scratch / mutant.file).write_text(saved)


def baseline(scratch: Path, relevant: list[str], full: bool, timeout: float) -> None:
    """The unmutated copy must pass: the full suite (which holds every relevant test) or, without
    it, the union of the relevant tests; both with the full suite's timeout (the union of every
    mutant's relevant tests is most of the suite)."""
    targets = [] if full else relevant
    start = time.monotonic()
    result, tail = run_pytest(scratch, targets, timeout * 4)
    if result != "pass":
        raise SystemExit(f"baseline: the unmutated copy does not pass {targets or 'the full suite'} "
                         f"({result}):\n{tail}")
    print(f"baseline passed in {time.monotonic() - start:.0f}s", flush=True)


def select(catalogue: ModuleType, only: str | None, file: str | None) -> list:
    mutants = list(catalogue.MUTANTS)
    if only:
        wanted = set(only.split(","))
        unknown = wanted - {m.id for m in mutants}
        if unknown:
            raise SystemExit(f"--only names unknown mutants: {sorted(unknown)}")
        mutants = [m for m in mutants if m.id in wanted]
    if file:
        mutants = [m for m in mutants if m.file == file]
    return mutants


def report(outcomes: list[Outcome], catalogue: ModuleType) -> dict:
    scored = [o for o in outcomes if o.status != "stale"]
    killed = [o for o in scored if o.status != "survived"]
    harmless = {m.id: m.harmless for m in catalogue.MUTANTS if m.harmless}
    pending = {m.id: m.pending for m in catalogue.MUTANTS if m.pending}
    survivors = [{"id": o.id, "file": o.file, "harmless": harmless.get(o.id, ""), "pending": pending.get(o.id, "")}
                 for o in scored if o.status == "survived"]
    return {
        "mutants": len(outcomes),
        "scored": len(scored),
        "killed": len(killed),
        "score": len(killed) / len(scored) if scored else None,
        "survivors": survivors,
        "stale": [o.id for o in outcomes if o.status == "stale"],
        "timeouts": [o.id for o in outcomes if o.status == "timeout"],
        "outcomes": [asdict(o) for o in outcomes],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated mutant ids")
    parser.add_argument("--file", help="only the mutants of this file (e.g. bounds/pl.py)")
    parser.add_argument("--no-full", action="store_true", help="skip the full suite for relevant-test survivors")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated control runs")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the relevant tests (full: 4x)")
    parser.add_argument("--json", type=Path, help="write the report here")
    parser.add_argument("--tests", help="comma-separated test paths replacing every mutant's relevant tests")
    parser.add_argument("--list", action="store_true", help="list the catalogue and exit")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    mutants = select(catalogue, args.only, args.file)
    if args.tests:
        override = args.tests.split(",")
        catalogue.relevant_tests = lambda m: override  # type: ignore[attr-defined]
    if args.list:
        for m in mutants:
            print(f"{m.id:32s} {m.file:40s} {m.models}")
        return 0
    with tempfile.TemporaryDirectory(prefix="resnet-pl-mutation-") as tmp:
        scratch = scratch_copy(ROOT, Path(tmp))
        check_imports_from(scratch)
        if not args.no_baseline:
            relevant = sorted({t for m in mutants for t in catalogue.relevant_tests(m)})
            baseline(scratch, relevant, not args.no_full, args.timeout)
        outcomes = []
        for i, m in enumerate(mutants, 1):
            o = run_mutant(scratch, m, catalogue.relevant_tests(m), not args.no_full, args.timeout)
            outcomes.append(o)
            print(f"[{i}/{len(mutants)}] {o.status:16s} {o.seconds:6.1f}s  {m.id}  ({m.models})", flush=True)
    rep = report(outcomes, catalogue)
    if args.json:
        args.json.write_text(json.dumps(rep, indent=2) + "\n")
    score = "n/a" if rep["score"] is None else f"{100 * rep['score']:.1f} %"
    print(f"score {score}: {rep['killed']} of {rep['scored']} killed; stale {rep['stale']}; "
          f"timeouts {rep['timeouts']}")
    for s in rep["survivors"]:
        why = s["harmless"] or (f"PENDING: {s['pending']}" if s["pending"] else "NOT EXPLAINED")
        print(f"  survivor {s['id']} ({s['file']}): {why}")
    unexplained = [s for s in rep["survivors"] if not s["harmless"]]
    return 1 if unexplained or rep["stale"] else 0


if __name__ == "__main__":
    sys.exit(main())
