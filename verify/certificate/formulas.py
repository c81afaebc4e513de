"""The formulas of a certificate as LaTeX, keyed by theory id (docs/theory.rst), rendered to MathML
for the HTML report without network access (docutils' LaTeX-to-MathML converter).  The theory page
states each formula with its proof; this table only displays them beside the numbers."""

from __future__ import annotations

__all__ = ["LATEX", "mathml"]

#: theory id -> the formula displayed in the report.
LATEX: dict[str, str] = {
    "model.loss": r"F(v) = \frac{1}{n}\sum_i w_i \|B\Psi_v(Ax_i) - y_i\|^2",
    "model.augmented": r"A = \alpha\begin{pmatrix} I_d \\ 0\end{pmatrix},\quad B = b\,(0,\ I_{d'}),\quad BA = 0",
    "model.copy-lifting": r"A = a\,(I_d, \ldots, I_d)^T,\quad B = b\,(I_{d'},\ 0)",
    "kappa.c1": r"c_1 = \sqrt{\lambda_{\max}(\mathbb{E}[\omega\omega^T])}",
    "kappa.c2": r"c_2 = \sqrt{\max_{|u|=1}\mathbb{E}[(\omega\cdot u)^4]}",
    "kappa.kappa": r"\kappa = c_0 + c_1 + c_2",
    "lambda.verified": r"\lambda_{\min}(K_X) \ge \mu - \theta \quad (\text{Cholesky of } K_X - \mu I)",
    "lambda.gershgorin-flow": r"\lambda_{\min}(K_{X(t)}) \ge 1 - \max_i \sum_{j\ne i} K(s_-(R)\,\|Ax_i - Ax_j\|)",
    "pl.gronwall": r"s_\pm(R) = e^{\pm cR}",
    "pl.gronwall-resnet": r"s_-(R) = \exp\!\left(-\frac{cR}{1 - cR/\sqrt{T}}\right),\quad s_+(R) = e^{cR}",
    "pl.lower-constant": r"m(R) = \frac{4 w_{\min}}{n}\,\sigma_{\min}(B)^2 s_-(R)^2\,\lambda(R)",
    "pl.upper-constant": r"M(R) = \frac{4 w_{\max}}{n}\,\sigma_{\max}(B)^2 s_+(R)^2\,\Lambda(R)",
    "beta.residual-bound": r"\bar r(R) = \max_i\|BAx_i - y_i\| + \sigma_{\max}(B)\,c_0R",
    "beta.smoothness": (r"\beta(R) = 2\sigma_{\max}(B)^2c_0^2e^{2c_1R} + 2\sigma_{\max}(B)\,\bar r(R)\,c_0e^{2c_1R}"
                        r"(c_2c_0Re^{c_1R} + 2c_1)"),
    "lzb.rate": r"q = 1 - \frac{m}{2\beta}",
    "lzb.discrete": r"f_0 \le \frac{\left(R\beta(1 - \sqrt{q})\right)^2}{M}",
    "lzb.simplified": r"f_0 \le \frac{m^2R^2}{16M}",
    "lzb.sqrt": r"f_0 \le \frac{mR^2}{16},\quad mM \le 16\beta^2",
    "lzb.lzb": r"f_0 \le \frac{m^2R^2}{32\beta}",
    "lzb.margin": r"\log\frac{\text{allowed } f_0}{f_0} > 0",
    "lzb.iterations": r"k = \left\lceil \frac{\log(\text{target}/f_0)}{\log q} \right\rceil",
}


def mathml(theory_id: str) -> str | None:
    """The MathML of a formula of :data:`LATEX` (``None`` without one, or without docutils)."""
    latex = LATEX.get(theory_id)
    if latex is None:
        return None
    try:
        from docutils.utils.math import latex2mathml  # noqa: PLC0415
    except ImportError:  # pragma: no cover - docutils comes with the test and docs tools
        return None
    return latex2mathml.tex2mathml(latex)
