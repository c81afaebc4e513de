"""Resolve Python cross-references written with a re-exported name to the documented object.

The API reference documents each object in the module that defines it
(``bounds.kernels.radial.Matern``), while the pages and docstrings name it the way users import
it (``bounds.kernels.Matern``, ``bounds.regularity.regularity_constants``, or ``Matern`` inside a
module that imported it).  When such a reference finds no target, this handler imports the name
and, if it is the very object documented under its defining module's path, links there.  Nothing
else is resolved: a name that does not import, or imports to an undocumented object, stays a
broken reference and fails the ``nitpicky`` build.
"""

from __future__ import annotations

import importlib
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def _import(dotted: str) -> Any:
    """The object named ``dotted`` (``package.module.Class.attr``), or ``None``."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _canonical(obj: Any) -> str | None:
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    return f"{module}.{qualname}"


def _candidates(node: pending_xref) -> list[str]:
    target = node["reftarget"].lstrip("~.")
    scopes = [node.get("py:module"), node.get("py:class") and f"{node.get('py:module')}.{node.get('py:class')}"]
    return [target] + [f"{scope}.{target}" for scope in scopes if scope]


def resolve_reexport(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    for name in _candidates(node):
        canonical = _canonical(_import(name))
        if canonical is None or canonical == name:
            continue
        ref = domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode)
        if ref is not None:
            return ref
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("missing-reference", resolve_reexport)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
