"""Sphinx configuration of the resnet-pl documentation (built with -W by tests/test_docs.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "resnet-pl"
author = "resnet-pl developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "matplotlib.sphinxext.plot_directive", "mathml",
              "aliases"]
# The tutorial's figures are drawn by its code at build time (matplotlib's plot directive).
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
# Math as MathML, converted at build time by docutils (docs/_ext/mathml.py): no CDN, no JavaScript.
html_math_renderer = "mathml"
exclude_patterns = ["_build"]
html_theme = "alabaster"
autodoc_member_order = "bysource"
# "Attributes" sections as :ivar: fields: the API page also lists the fields (:undoc-members:).
napoleon_use_ivar = True
# The provenance sections of the docstring template (docs/architecture.rst): numpydoc headers
# underlined with dashes, rendered like "Notes" (References is a built-in section).
napoleon_custom_sections = ["Formula", "Kind", "Hypotheses"]

# Every cross-reference must resolve: a dead :func:, :mod: or :ref: link fails the -W build.
# Names re-exported by a package (bounds.kernels.Matern) resolve to the documented object
# (docs/_ext/aliases.py).
nitpicky = True
# Types of other projects: their documentation is not at hand offline (no intersphinx), so a
# reference to them cannot resolve.  Only these external names are exempt.
_EXTERNAL_CLASSES = [
    "numpy.ndarray",
    "np.ndarray",
    "numpy.random._generator.Generator",
    "numpy.random.Generator",
    "mpmath.mpf",
    "mpmath.ctx_mp_python.mpf",
    "sympy.Expr",
    "sympy.core.expr.Expr",
    "sympy.core.numbers.Rational",
    "sp.Boolean",
    "hypothesis.strategies.SearchStrategy",
    "hypothesis._settings.settings",
    "collections.abc.Callable",
    "collections.abc.Iterable",
    "collections.abc.Iterator",
    "contextlib.AbstractContextManager",
    "collections.abc.Mapping",
    "collections.abc.Sequence",
    "fractions.Fraction",
    "pathlib.Path",
    "flint.types.arb.arb",
    "flint.types.arb_mat.arb_mat",
    "flint.arb",
    "flint.arb_mat",
    "arb",
    "arb_mat",
]
nitpick_ignore = [("py:class", name) for name in _EXTERNAL_CLASSES] + [
    # Sphinx cannot parse a dataclass signature with a ``field(default_factory=...)`` default
    # (shown as ``=<factory>``) and falls back to splitting it at commas, which turns
    # SlackRecorder's ``dict[str, list[Observation]]`` into the pseudo-type "dict[str".
    ("py:class", "dict[str"),
]
