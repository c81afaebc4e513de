"""The documentation builds without warnings, and every reference into it resolves.

The site is built once per session (``-W --keep-going``, ``nitpicky`` in docs/conf.py, so a dead
``:func:``/``:mod:``/``:ref:`` link is a build failure); the tests below read the built HTML and
``objects.inv``.  The pages' ``>>>`` examples run as doctests via pytest's doctest-glob.
"""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path

import pytest
from docutils.nodes import make_id
from sphinx.util.inventory import InventoryFile

from bounds._core.references import THEORY_IDS, THEORY_PAGE, docs_anchor
from tests.conftest import Build

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SOURCE_PACKAGES = ("bounds", "verify")
DOCS_REFERENCE = re.compile(r"docs/([a-z0-9_]+)\.rst(?:#([A-Za-z0-9_.-]+))?")


def html_ids(page: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))


def test_sphinx_builds_without_warnings(docs_build: Build) -> None:
    assert docs_build.returncode == 0, docs_build.log
    assert (docs_build.html / "index.html").exists()


# ---------------------------------------------------------------------------------------------
# (a) the theory ids: explicit labels of docs/theory.rst, with the anchors docs_anchor computes
# ---------------------------------------------------------------------------------------------


def test_theory_ids_are_exactly_the_labels_of_the_theory_page() -> None:
    labels = set(re.findall(r"^\.\. _([^:]+):\s*$", (DOCS / "theory.rst").read_text(encoding="utf-8"), re.M))
    assert labels == THEORY_IDS, (
        f"labels of docs/theory.rst not in THEORY_IDS: {sorted(labels - THEORY_IDS)}; "
        f"THEORY_IDS without a label: {sorted(THEORY_IDS - labels)}"
    )


def test_theory_ids_have_the_form_group_dot_name() -> None:
    bad = [i for i in THEORY_IDS if not re.fullmatch(r"[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*", i)]
    assert not bad, f"theory ids must be <group>.<name>, lowercase (Sphinx lowercases labels): {bad}"


def test_docs_anchor_is_the_id_docutils_makes() -> None:
    for ref in THEORY_IDS:
        assert docs_anchor(ref) == f"{THEORY_PAGE}#{make_id(ref)}"
    assert docs_anchor("pl.lower-constant") == "theory.html#pl-lower-constant"  # by hand
    with pytest.raises(ValueError, match="theory id"):
        docs_anchor("pl.m")


def test_every_theory_id_is_a_built_label_at_its_anchor(built: Path) -> None:
    with open(built / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", posixpath.join)
    labels = {name: getattr(item, "uri", None) or item[2] for name, item in inventory["std:label"].items()}
    missing = sorted(THEORY_IDS - labels.keys())
    assert not missing, f"theory ids that are not labels of the built docs: {missing}"
    wrong = {ref: labels[ref] for ref in THEORY_IDS if labels[ref] != docs_anchor(ref)}
    assert not wrong, f"labels whose anchor is not docs_anchor(ref): {wrong}"
    ids = html_ids(built / THEORY_PAGE)
    absent = sorted(ref for ref in THEORY_IDS if docs_anchor(ref).partition("#")[2] not in ids)
    assert not absent, f"anchors missing from {THEORY_PAGE}: {absent}"


# ---------------------------------------------------------------------------------------------
# (b) "docs/<page>.rst#<anchor>" strings in the sources resolve to a built page with that anchor
# ---------------------------------------------------------------------------------------------


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "..."`` assignments."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            out.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return out


class _Sources:
    """The .py files of the packages, their string constants and what they import."""

    def __init__(self) -> None:
        self.trees = {
            _module_of(p): (p, ast.parse(p.read_text(encoding="utf-8")))
            for pkg in SOURCE_PACKAGES
            for p in sorted((ROOT / pkg).rglob("*.py"))
        }
        self.constants = {mod: _string_constants(tree) for mod, (_, tree) in self.trees.items()}

    def resolve(self, module: str, name: str) -> str | None:
        """The string a module-level name holds, following ``from X import name``."""
        if name in self.constants[module]:
            return self.constants[module][name]
        for node in self.trees[module][1].body:
            if isinstance(node, ast.ImportFrom) and node.module in self.constants:
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        return self.resolve(node.module, alias.name)
        return None

    def evaluate(self, module: str, node: ast.expr) -> str | None:
        """A string expression made of literals and module constants joined by ``+``."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.resolve(module, node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.evaluate(module, node.left), self.evaluate(module, node.right)
            return None if left is None or right is None else left + right
        return None

    def references(self) -> list[tuple[str, int, str, str | None]]:
        """Every ``docs/<page>.rst[#anchor]`` in a string of the sources: (file, line, page, anchor)."""
        found = []
        for module, (path, tree) in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.BinOp | ast.Constant):
                    text = self.evaluate(module, node)
                    if text is not None:
                        rel = str(path.relative_to(ROOT))
                        found += [(rel, node.lineno, m[1], m[2]) for m in DOCS_REFERENCE.finditer(text)]
        return sorted(set(found), key=lambda r: (r[0], r[1], r[2], r[3] or ""))


def test_reference_strings_in_the_sources_resolve(built: Path) -> None:
    refs = _Sources().references()
    assert any(anchor for *_, anchor in refs), "the scan found no docs/<page>.rst#<anchor> at all"
    ids: dict[str, set[str]] = {}
    broken = []
    for file, line, page, anchor in refs:
        html = built / f"{page}.html"
        if not html.exists():
            broken.append(f"{file}:{line}: docs/{page}.rst (no such page)")
            continue
        if anchor is not None and anchor not in ids.setdefault(page, html_ids(html)):
            broken.append(f"{file}:{line}: docs/{page}.rst#{anchor} (no such anchor)")
    assert not broken, "references that do not resolve:\n" + "\n".join(broken)


def test_the_scan_follows_constants_and_imports() -> None:
    """The reference scan sees ``REFERENCE + "#anchor"`` with ``REFERENCE`` defined or imported."""
    refs = {(file, page, anchor) for file, _, page, anchor in _Sources().references()}
    # bounds/pl.py: REFERENCE = "docs/pl.rst", used as REFERENCE + "#upper-constant"
    assert ("bounds/pl.py", "pl", "upper-constant") in refs
    # bounds/regularity/sampled.py imports REFERENCE from bounds.regularity.record
    assert ("bounds/regularity/sampled.py", "kappa", "random-features") in refs


# ---------------------------------------------------------------------------------------------
# The site stands on its own: offline math, no mention of documents the reader does not have
# ---------------------------------------------------------------------------------------------


def test_math_is_mathml_without_network(built: Path) -> None:
    page = (built / THEORY_PAGE).read_text(encoding="utf-8")
    assert "<math" in page
    assert "mathjax" not in page.lower() and "cdn" not in page.lower()


# Pages other sessions are rewriting at the time of writing; their mentions are removed when they
# are merged, and then they leave this list.


def test_only_the_paper_page_mentions_the_talk_or_the_starting_spec() -> None:
    pattern = re.compile(r"\bSPEC\b|SPEC\.md|\btalk\b|\bslides?\b", re.IGNORECASE)
    offending = []
    for page in sorted(DOCS.glob("*.rst")):
        if page.name == "paper.rst":
            continue
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line.replace("spec_norm_sq", "")):
                offending.append(f"{page.name}:{n}: {line.strip()}")
    assert not offending, "mentions of SPEC or the talk outside docs/paper.rst:\n" + "\n".join(offending)
