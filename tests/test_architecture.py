"""The architecture contract (docs/architecture.rst): layers import only downwards, ``import bounds``
and ``resnet-pl --help`` stay light, functions stay short enough to read at once, and the linter is
clean.  Each rule is checked on the source tree itself (ast), so a violation names the file."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Layers of bounds/, lowest first: a module may import its own layer and the ones below.
BOUNDS_LAYERS: tuple[tuple[str, ...], ...] = (
    ("bounds._core", "bounds.result"),
    ("bounds.kernels",),
    ("bounds.regularity",),
    ("bounds.lambda_min", "bounds.width"),
    ("bounds.problem",),
    ("bounds.pl", "bounds.smoothness"),
    ("bounds.lzb",),
    ("bounds.chain",),
    ("bounds.recipe", "bounds.toys"),
)
#: Layers of verify/ (above all of bounds/), lowest first.
VERIFY_LAYERS: tuple[tuple[str, ...], ...] = (
    ("verify.progress", "verify.distributed"),
    ("verify.solver",),
    ("verify.certificate", "verify.training"),
    ("verify.testing",),
    ("verify.cli", "verify.__main__"),
)
LAYERS = BOUNDS_LAYERS + VERIFY_LAYERS
MAX_FUNCTION_LINES = 80


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _layer(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _sources() -> list[Path]:
    return sorted(list((ROOT / "bounds").rglob("*.py")) + list((ROOT / "verify").rglob("*.py")))


def layer_violations(paths: list[Path]) -> list[str]:
    """``file:line imports module`` for every import of a higher layer (the contract)."""
    bad = []
    for path in paths:
        own = _layer(_module_name(path))
        if own is None or path.name == "__init__.py" and _module_name(path) in ("bounds", "verify"):
            continue  # the top-level packages re-export lazily
        for line, module in _imports(path):
            target = _layer(module)
            if target is not None and target > own:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


def test_every_module_has_a_layer():
    assert [str(p.relative_to(ROOT)) for p in _sources() if _layer(_module_name(p)) is None and
            _module_name(p) not in ("bounds", "verify")] == []


def test_layers_only_import_downwards():
    assert layer_violations(_sources()) == []


def test_the_contract_catches_bounds_importing_verify(tmp_path):
    # the check itself bites: a bounds module importing verify is reported
    fake = ROOT / "bounds" / "_core" / "_contract_probe.py"
    try:
        fake.write_text("from verify.solver.flow import flow\n")
        assert layer_violations([fake]) == ["bounds/_core/_contract_probe.py:1 imports verify.solver.flow"]
    finally:
        fake.unlink()


def _imported_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return {name.split(".")[0] for name in out.split()}


def test_import_bounds_and_verify_stay_light():
    heavy = {"verify", "matplotlib", "numba", "sympy", "scipy", "mpmath"}
    assert _imported_after("import bounds") & heavy == set()
    assert _imported_after("import verify") & (heavy - {"verify"}) == set()


def test_the_command_line_parser_imports_no_numerics():
    loaded = _imported_after("from verify.cli import build_parser\nbuild_parser()")
    assert loaded & {"numpy", "scipy", "sympy", "mpmath", "matplotlib", "numba", "bounds"} == set()


def test_functions_are_short_enough_to_read_at_once():
    long = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert long == []


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "bounds", "verify", "tests", "benchmarks"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean():
    # The packages are typed (py.typed): the type checker runs over bounds/ and verify/ with the
    # settings of pyproject.toml ([tool.mypy]); its cache goes to a temporary directory.
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", cache], capture_output=True, text=True,
                              cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
