"""Stable identifiers of the theory's results, and where they live in the built documentation.

The scheme
----------
Every definition and result of the chain (the model, Condition 1, λ, the PL constants, β, the
LZB conditions, the recipe, finite width, the toy theorems, the certificate) is stated once, on
the docs page ``docs/theory.rst``, under an explicit Sphinx label such as ``pl.lower-constant``.
Those labels are the *theory ids*, listed in :data:`THEORY_IDS`; they are stable, so code can
name a result without knowing which page proves it (each statement on the theory page links to
its proof).  A :class:`~bounds.result.Quantity`'s ``reference`` is meant to be a theory id.

An id is ``<group>.<name>``: lowercase ASCII letters, digits, hyphens, one dot (Sphinx lowercases
labels).  In the built HTML the anchor of a label is its id as docutils makes it
(``docutils.nodes.make_id``): lowercased, every run of other characters replaced by one
hyphen, so ``pl.lower-constant`` is ``theory.html#pl-lower-constant`` (:func:`docs_anchor`).

``tests/test_docs.py`` builds the documentation and checks that every id of :data:`THEORY_IDS`
is a label of the built site with exactly the anchor :func:`docs_anchor` gives.
"""

from __future__ import annotations

import re

__all__ = ["THEORY_IDS", "THEORY_PAGE", "docs_anchor"]

#: The page of the built documentation that states every result.
THEORY_PAGE = "theory.html"

#: The theory ids, the explicit labels of ``docs/theory.rst``.
THEORY_IDS: frozenset[str] = frozenset(
    {
        # the model
        "model.conventions",
        "model.kernel",
        "model.spectral-measure",
        "model.flow",
        "model.loss",
        "model.gradient",
        "model.resnet",
        "model.random-features",
        "model.copy-lifting",
        "model.augmented",
        "model.reduced-coordinates",
        # Condition 1
        "kappa.condition-1",
        "kappa.c0",
        "kappa.c1",
        "kappa.c2",
        "kappa.kappa",
        "kappa.matern",
        "kappa.gaussian",
        "kappa.random-features",
        # Condition 2: λ_N(δ) and λ of the data
        "lambda.definition",
        "lambda.two",
        "lambda.packing",
        "lambda.fourier",
        "lambda.minorant",
        "lambda.gaussian",
        "lambda.verified",
        "lambda.upper-verified",
        "lambda.gershgorin-flow",
        "lambda.lattice",
        "lambda.symbol",
        "lambda.adversarial",
        "lambda.bracket",
        # the local PL inequality
        "pl.gronwall",
        "pl.gronwall-resnet",
        "pl.lambda-lower",
        "pl.lambda-upper",
        "pl.lower-constant",
        "pl.upper-constant",
        "pl.sandwich",
        # smoothness
        "beta.residual-bound",
        "beta.smoothness",
        # the Liu–Zhu–Belkin radius conditions
        "lzb.setting",
        "lzb.discrete",
        "lzb.simplified",
        "lzb.sqrt",
        "lzb.lzb",
        "lzb.flow",
        "lzb.rate",
        "lzb.iterations",
        "lzb.margin",
        # design calculators
        "recipe.copy-lifting",
        "recipe.rff-width",
        # finite width
        "width.weyl",
        "width.perturbation",
        "width.a-posteriori",
        "width.a-priori",
        "width.design",
        # the small theorems
        "toys.polyak",
        "toys.obstruction",
        "toys.exp",
        # the certificate
        "cert.hypotheses",
        "cert.verdict",
        "cert.cross-check",
        "cert.data",
    }
)

def docs_anchor(ref: str) -> str:
    """The URL of a theory id in the built documentation, relative to the site root.

    Parameters
    ----------
    ref
        A theory id, one of :data:`THEORY_IDS` (e.g. ``"pl.lower-constant"``).

    Returns
    -------
    str
        ``"theory.html#<html-id>"``, the html id being ``ref`` with every run of characters other
        than ``a-z0-9`` replaced by a hyphen, as docutils makes ids.

    Raises
    ------
    ValueError
        If ``ref`` is not a theory id.

    Examples
    --------
    >>> docs_anchor("pl.lower-constant")
    'theory.html#pl-lower-constant'
    """
    if ref not in THEORY_IDS:
        raise ValueError(f"ref must be a theory id of bounds._core.references.THEORY_IDS, got {ref!r}")
    return f"{THEORY_PAGE}#{_html_id(ref)}"


def _html_id(label: str) -> str:
    """docutils' ``make_id`` restricted to ASCII labels: lowercase, other runs → ``-``."""
    return re.sub(r"^[-0-9]+|-+$", "", re.sub(r"[^a-z0-9]+", "-", label.lower()))
