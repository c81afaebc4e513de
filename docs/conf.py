"""Sphinx configuration of the resnet-pl documentation (built with -W by tests/test_docs.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "resnet-pl"
author = "resnet-pl developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "mathml"]
# Math as MathML, converted at build time by docutils (docs/_ext/mathml.py): no CDN, no JavaScript.
html_math_renderer = "mathml"
exclude_patterns = ["_build"]
html_theme = "alabaster"
autodoc_member_order = "bysource"
nitpicky = False
