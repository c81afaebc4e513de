"""Sphinx configuration of the resnet-pl documentation (built with -W by tests/test_docs.py)."""

project = "resnet-pl"
author = "resnet-pl developers"
extensions = ["sphinx.ext.mathjax", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
autodoc_member_order = "bysource"
nitpicky = False
