"""Render the docs' math as MathML at build time: no JavaScript, no CDN, readable offline.

docutils ships a LaTeX → MathML converter (``docutils.utils.math.latex2mathml``, the one behind
its own ``math_output = "MathML"``); browsers render MathML Core natively (Chromium ≥ 109,
Firefox, Safari).  This extension registers it as Sphinx's HTML math renderer.  LaTeX the
converter does not understand is a build warning, hence an error under ``-W``
(tests/test_docs.py), so no formula is silently shown as raw source.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.utils.math import MathError, latex2mathml
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


_SIZED = re.compile(r"\\(big|Big|bigg|Bigg)(?![a-zA-Z])\s*(\\[a-zA-Z]+|\\\||.)")
_OPENING = {"(", "[", "\\{", "\\langle", "\\lvert", "\\lVert", "\\lfloor", "\\lceil"}
_RM = re.compile(r"\{\\rm\s+([^{}]*)\}")
_DIGIT_FRAC = re.compile(r"\\(t|d)?frac\s*(\d)(\d)")
_DOTS = re.compile(r"\\dots(?![a-zA-Z])")
_BAR = re.compile(r"\\bar(?![a-zA-Z])\s*")


def _normalise(latex: str) -> str:
    """Rewrite the LaTeX idioms docutils' converter lacks into ones it has.

    ``\\big(``/``\\Big|`` (size without side) become ``\\bigl``/``\\bigr`` (opening or closing by
    the delimiter; ``|`` and ``\\|`` alternate, opening first), ``{\\rm x}`` becomes
    ``{\\mathrm{x}}``, ``\\tfrac12`` becomes ``\\tfrac{1}{2}``, ``\\dots`` becomes ``\\ldots`` and ``\\bar`` becomes
    ``\\overline`` (Chromium draws no accent for the macron ``\\bar`` produces).  Only spacing
    differs from what TeX would draw.
    """
    open_bars: dict[str, bool] = {}

    def side(match: re.Match[str]) -> str:
        size, delim = match.group(1), match.group(2)
        if delim in _OPENING:
            return f"\\{size}l{delim}"
        if delim in {"|", "\\|", "\\vert", "\\Vert"}:
            is_open = not open_bars.get(delim, False)
            open_bars[delim] = is_open
            return f"\\{size}{'l' if is_open else 'r'}{delim}"
        return f"\\{size}r{delim}"

    latex = _RM.sub(r"{\\mathrm{\1}}", _SIZED.sub(side, latex))
    latex = _DIGIT_FRAC.sub(r"\\\1frac{\2}{\3}", latex)
    latex = _BAR.sub(r"\\overline ", latex)
    return _DOTS.sub(r"\\ldots", latex)


def _convert(writer: Any, node: nodes.Element, latex: str, block: bool) -> str:
    try:
        return latex2mathml.tex2mathml(_normalise(latex), as_block=block)
    except MathError as err:
        logger.warning("math not convertible to MathML (%s): %s", err, latex, location=node)
        return writer.encode(latex)


def visit_math(writer: Any, node: nodes.math) -> None:
    writer.body.append(_convert(writer, node, node.astext(), block=False))
    raise nodes.SkipNode


def visit_math_block(writer: Any, node: nodes.math_block) -> None:
    # Sphinx's ``.. math::`` puts equations separated by blank lines into one node.
    equations = [eq.strip() for eq in node.astext().split("\n\n") if eq.strip()]
    writer.body.append(writer.starttag(node, "div", CLASS="math notranslate"))
    if node.get("number"):
        writer.body.append(f'<span class="eqno">({node["number"]})</span>')
    for eq in equations:
        writer.body.append(_convert(writer, node, eq, block=True))
    writer.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
