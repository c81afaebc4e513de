"""Every public function of ``bounds/`` that returns a certified constant documents its provenance.

The rule
--------
A callable is *public* when it is a module-level function named in its module's ``__all__``, or a
method (plain, ``staticmethod`` or ``classmethod``; not a ``property``, which only reads a field)
whose name does not start with ``_`` of a class named in ``__all__``.

A public callable *returns a certified constant* when its return annotation names

* :class:`bounds.result.Quantity` (alone, in a tuple, a union or any other type expression), or
* a *holder*: a class defined in ``bounds/`` one of whose annotated fields names ``Quantity``,
  ``Kind`` (the value carries its kind of rigour) or another holder (so
  :class:`~bounds.pl.PLConstants`, :class:`~bounds.regularity.Regularity`,
  :class:`~bounds.lzb.LZBPoint`, :class:`~bounds.lzb.LZBCertificate`, ...).

A bare ``Kind`` in a return annotation does not count (``weakest_kind`` computes a kind, not a
constant).  Functions returning plain floats are outside the rule; many of them follow the template
all the same.

Each such callable's docstring has the numpydoc sections ``Formula``, ``Kind`` and ``References``
(a header line underlined with dashes, so that napoleon renders it as a section; docs/conf.py),
none of them empty; the ``Kind`` section names one of the kinds (exact, rigorous, numerical,
estimate, probabilistic); the ``References`` section names at least one ``docs/<page>.rst`` and
every page it names exists, with its ``#anchor``, when one is given, among the page's explicit
``.. _label:`` targets or section titles (as docutils makes their HTML ids).
``tests/test_docs.py`` checks the same anchors against the built HTML.

The test reads the sources with :mod:`ast` only: it imports nothing of the package.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from docutils.nodes import make_id

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bounds"
DOCS = ROOT / "docs"
REQUIRED = ("Formula", "Kind", "References")
KINDS = re.compile(r"\b(exact|rigorous|numerical|estimate|probabilistic)\b")
DOCS_REFERENCE = re.compile(r"docs/([A-Za-z0-9_/]+)\.rst(?:#([A-Za-z0-9_.-]+))?")
SECTION_UNDERLINE = re.compile(r"^[=\-`:'\"~^_*+#<>]{3,}\s*$")


@dataclass(frozen=True)
class Public:
    """A public callable of bounds/: where it is, its qualified name, its return annotation, its docstring."""

    path: str
    name: str
    returns: str
    doc: str


def _modules() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def _exported(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)):
            return {e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def _names(expr: ast.expr | None) -> set[str]:
    """The identifiers of a type expression (string annotations parsed too)."""
    if expr is None:
        return set()
    out = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                out |= _names(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                pass
    return out


def holders(trees: dict[Path, ast.Module]) -> set[str]:
    """``Quantity`` and the classes of bounds/ with a field naming ``Quantity``, ``Kind`` or such a class."""
    fields = {
        node.name: set().union(*(_names(s.annotation) for s in node.body if isinstance(s, ast.AnnAssign)))
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    found = {"Quantity", "Kind"}
    while True:
        more = {cls for cls, names in fields.items() if names & found} - found
        if not more:
            return found - {"Kind"}
        found |= more


def _is_property(node: ast.FunctionDef) -> bool:
    return any(_names(d) & {"property", "cached_property"} for d in node.decorator_list)


def public_callables(trees: dict[Path, ast.Module]) -> list[Public]:
    out = []
    for path, tree in trees.items():
        exported, rel = _exported(tree), str(path.relative_to(ROOT))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in exported:
                out.append(Public(rel, node.name, ast.unparse(node.returns or ast.Constant(None)),
                                  ast.get_docstring(node) or ""))
            if isinstance(node, ast.ClassDef) and node.name in exported:
                out += [
                    Public(rel, f"{node.name}.{m.name}", ast.unparse(m.returns or ast.Constant(None)),
                           ast.get_docstring(m) or "")
                    for m in node.body
                    if isinstance(m, ast.FunctionDef) and not m.name.startswith("_") and not _is_property(m)
                ]
    return out


def certified(trees: dict[Path, ast.Module]) -> list[Public]:
    """The public callables whose return annotation names Quantity or a holder of one."""
    held = holders(trees)
    return [p for p in public_callables(trees) if _names(ast.parse(p.returns, mode="eval").body) & held]


def sections(doc: str) -> dict[str, str]:
    """The numpydoc sections of a docstring: header (underlined with dashes) -> its text."""
    lines = doc.splitlines()
    heads = [
        i for i in range(len(lines) - 1)
        if lines[i].strip() and re.fullmatch(r"-{3,}", lines[i + 1].strip())
        and not lines[i].startswith(" ") and len(lines[i + 1].strip()) >= len(lines[i].strip())
    ]
    return {
        lines[i].strip(): "\n".join(lines[i + 2: nxt]).strip()
        for i, nxt in zip(heads, [*heads[1:], len(lines)], strict=False)
    }


def page_anchors(page: Path) -> set[str]:
    """The HTML ids of a page's explicit labels and section titles (docutils ``make_id``)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    ids = {make_id(m[1]) for line in lines if (m := re.fullmatch(r"\.\. _([^:]+):\s*", line))}
    for title, underline in zip(lines, lines[1:], strict=False):
        if title.strip() and SECTION_UNDERLINE.match(underline) and len(underline.rstrip()) >= len(title.rstrip()):
            if len(set(underline.strip())) == 1 and not SECTION_UNDERLINE.match(title):
                ids.add(make_id(title.strip()))
    return ids


def problems(item: Public) -> list[str]:
    """What the docstring of ``item`` lacks; empty when it follows the rule."""
    found = sections(item.doc)
    out = [f"no '{name}' section" for name in REQUIRED if not found.get(name)]
    if found.get("Kind") and not KINDS.search(found["Kind"]):
        out.append("the Kind section names no kind")
    refs = DOCS_REFERENCE.findall(found.get("References", ""))
    if found.get("References") and not refs:
        out.append("the References section names no docs/<page>.rst")
    for page, anchor in refs:
        path = DOCS / f"{page}.rst"
        if not path.exists():
            out.append(f"docs/{page}.rst does not exist")
        elif anchor and anchor not in page_anchors(path):
            out.append(f"docs/{page}.rst has no label or section with id {anchor!r}")
    return out


TREES = _modules()
CERTIFIED = certified(TREES)


@pytest.mark.parametrize("item", CERTIFIED, ids=[f"{p.path}:{p.name}" for p in CERTIFIED])
def test_certified_callable_documents_formula_kind_and_references(item: Public) -> None:
    assert not problems(item), f"{item.path}: {item.name} -> {item.returns}: " + "; ".join(problems(item))


def test_the_rule_covers_the_chain() -> None:
    """The rule reaches the constants of the chain, through Quantity and through holders."""
    names = {p.name for p in CERTIFIED}
    expected = {"lambda_two", "pl_constants", "smoothness_constant", "lzb_certificate", "kappa",
                "regularity_constants", "chain_point", "FiniteWidth.drawn", "lambda_bracket", "polyak_constants"}
    assert expected <= names, sorted(expected - names)
    assert "Quantity.describe" not in names and "c_upper" not in names  # str, float: not covered
    assert len(CERTIFIED) >= 40, len(CERTIFIED)  # 44 when written


DOC = '''Summary.

Returns
-------
Quantity
    The value.

Formula
-------
``1 − K(δ)``

Kind
----
rigorous (rounded down).

References
----------
docs/pl.rst#upper-constant; docs/theory.rst#pl-lower-constant
'''


def test_a_complete_docstring_passes() -> None:
    assert problems(Public("x.py", "f", "Quantity", DOC)) == []


@pytest.mark.parametrize("section", REQUIRED)
def test_a_removed_section_fails(section: str) -> None:
    lines = DOC.splitlines()
    i = lines.index(section)
    doc = "\n".join(lines[:i] + lines[i + 3:])
    assert f"no '{section}' section" in problems(Public("x.py", "f", "Quantity", doc))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Formula\n-------", "Formula", "no 'Formula' section"),  # not underlined: not a section
        ("rigorous (rounded down).", "rounded down.", "names no kind"),
        ("docs/pl.rst#upper-constant; docs/theory.rst#pl-lower-constant", "the PL page", "names no docs"),
        ("docs/pl.rst#upper-constant", "docs/no_such_page.rst", "does not exist"),
        ("docs/pl.rst#upper-constant", "docs/pl.rst#no-such-anchor", "no label or section"),
        ("theory.rst#pl-lower-constant", "theory.rst#pl.lower-constant", "no label or section"),  # a label, not its id
    ],
)
def test_a_broken_docstring_fails(old: str, new: str, message: str) -> None:
    assert old in DOC
    assert any(message in p for p in problems(Public("x.py", "f", "Quantity", DOC.replace(old, new))))
