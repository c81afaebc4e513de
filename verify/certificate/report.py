"""Writing a certificate: ``certificate.json``, ``certificate.md``, a self-contained
``certificate.html`` (plots embedded as base64 PNG) and the PNG plots (docs/certificate.rst).

Plots: ``loss.png`` (training loss vs the guaranteed envelope), ``distance.png``
(``‖θ_k − θ_0‖`` vs ``R``), ``constants.png`` (``m(R)``, ``M(R)``, ``β(R)`` and the LZB margin
vs ``R``), ``lambda.png`` (the λ bracket); at finite width also ``width.png`` (the a priori
guarantee against the width, docs/width.rst).  :func:`write_reports` writes everything into a
temporary directory next to the target and moves it into place only at the end, so a failure
leaves nothing partial behind.
"""

from __future__ import annotations

import base64
import html
import json
import os
import shutil
import tempfile
from typing import Any

from verify.certificate.search import MARGIN_CLIP

__all__ = ["FILES", "PLOTS", "WIDTH_PLOT", "files_of", "write_reports", "render_markdown", "render_html",
           "make_plots", "docs_url"]

#: The plots of a certificate.
PLOTS = ("loss.png", "distance.png", "constants.png", "lambda.png")
#: Every file :func:`write_reports` writes for an infinite-width certificate.
FILES = ("certificate.json", "certificate.md", "certificate.html") + PLOTS
#: The extra plot of a finite-width certificate (the a priori guarantee against the width).
WIDTH_PLOT = "width.png"


def _finite_width(doc: dict[str, Any]) -> dict[str, Any] | None:
    fw: dict[str, Any] | None = doc["inputs"]["architecture"].get("finite_width")
    return fw


def files_of(doc: dict[str, Any]) -> tuple[str, ...]:
    """The files :func:`write_reports` writes for ``doc`` (:data:`FILES`, and :data:`WIDTH_PLOT` at
    finite width)."""
    return FILES + ((WIDTH_PLOT,) if _finite_width(doc) else ())


def plots_of(doc: dict[str, Any]) -> tuple[str, ...]:
    return PLOTS + ((WIDTH_PLOT,) if _finite_width(doc) else ())


def _width_plot(doc: dict[str, Any], out_dir: str) -> str:
    """The a priori rate (probability ``≥ 1 − η`` over the draw) against the width, the drawn
    width and its own (deterministic) rate."""
    import matplotlib.pyplot as plt

    fw = _finite_width(doc)
    assert fw is not None
    cu, ap = fw["curve"], fw["a_priori"]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    qs = [q for q, ok in zip(cu["q"], cu["guaranteed"], strict=True) if ok]
    rates = [r for r, ok in zip(cu["rate"], cu["guaranteed"], strict=True) if ok]
    if qs:
        ax.semilogx(qs, rates, "o-", label=f"a priori rate, probability >= {1 - ap['eta']:g} over the draw")
    failed = [q for q, ok in zip(cu["q"], cu["guaranteed"], strict=True) if not ok]
    if failed:
        ax.semilogx(failed, [1.0] * len(failed), "x", color="C3", label="no a priori guarantee at this width")
    if doc["guaranteed"]:
        ax.semilogx([fw["q"]], [doc["quantities"]["rate"]["value"]], "*", ms=12, color="C2",
                    label=f"this draw (seed {fw['seed']}): certified rate")
    ax.axvline(fw["q"], color="k", lw=0.6, ls=":")
    if ap.get("q_needed"):
        ax.axvline(ap["q_needed"], color="C1", lw=0.8, ls="--", label=f"width needed a priori: {ap['q_needed']}")
    ax.set_xlabel("width q (random features)")
    ax.set_ylabel("guaranteed rate 1 - m/(2β)")
    ax.legend(fontsize=7)
    ax.set_title("Finite width: the guarantee against the width", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, WIDTH_PLOT), dpi=90)
    plt.close(fig)
    return WIDTH_PLOT


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, float)):
        return f"{v:.6g}"
    return str(v)


def _figure(width: float = 6.0, ncols: int = 1) -> tuple[Any, Any]:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt.subplots(1, ncols, figsize=(width, 3.6))


def _save(fig: Any, out_dir: str, name: str) -> str:
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=90)
    plt.close(fig)
    return name


def _no_run(ax: Any) -> None:
    ax.text(0.5, 0.5, "no cross-check run (--gd-iterations 0)", ha="center", va="center", transform=ax.transAxes)


def plot_loss(doc: dict[str, Any], out_dir: str) -> str:
    """The cross-check's training loss against the guaranteed envelope ``(1 − m/2β)^k f0``."""
    fig, ax = _figure()
    cc = doc.get("cross_check")
    if cc:
        k = list(range(len(cc["loss"])))
        ax.semilogy(k, [max(v, 1e-300) for v in cc["loss"]], label=f"GD loss ({cc['label']})")
        ax.semilogy(k, [max(v, 1e-300) for v in cc["envelope"]], "--", label="guaranteed envelope (1 - m/2β)^k f0")
        ax.set_xlabel("iteration k")
        ax.set_ylabel("training loss F(θ_k)")
        ax.legend(fontsize=8)
    else:
        _no_run(ax)
    ax.set_title("Training loss vs the guaranteed envelope", fontsize=10)
    return _save(fig, out_dir, "loss.png")


def plot_distance(doc: dict[str, Any], out_dir: str) -> str:
    """The distance travelled ``‖θ_k − θ_0‖_H`` against the radius ``R`` of the certificate."""
    fig, ax = _figure()
    cc = doc.get("cross_check")
    R = doc["quantities"]["R"]["value"]
    if cc:
        ax.plot(range(len(cc["distance"])), cc["distance"], label="||θ_k − θ_0||_H")
        ax.axhline(R, color="C3", ls="--", label=f"R = {R:.4g}")
        ax.set_xlabel("iteration k")
        ax.set_ylabel("distance from θ_0 in H")
        ax.legend(fontsize=8)
    else:
        _no_run(ax)
    ax.set_title("Distance travelled vs the radius R", fontsize=10)
    return _save(fig, out_dir, "distance.png")


def plot_constants(doc: dict[str, Any], out_dir: str) -> str:
    """``m(R)``, ``M(R)``, ``β(R)`` and the LZB margin ``log(allowed f0 / f0)`` against ``R``."""
    fig, (a1, a2) = _figure(9.0, ncols=2)
    cu, R = doc["curves"], doc["quantities"]["R"]["value"]
    for key, lab in (("m", "m(R)"), ("M", "M(R)"), ("beta", "β(R)")):
        pts = [(r, v) for r, v in zip(cu["R"], cu[key], strict=True) if v > 0]
        if pts:
            a1.loglog(*zip(*pts, strict=True), label=lab)
    a1.axvline(R, color="k", lw=0.6, ls=":")
    a1.set_xlabel("radius R")
    a1.set_ylabel("constant on the ball ||v||_H <= R")
    a1.legend(fontsize=8)
    a1.set_title("PL constants and smoothness", fontsize=10)
    a2.semilogx(cu["R"], cu["margin"], label=f"{cu['form']} form")
    a2.axhline(0, color="C3", lw=0.8)
    a2.axvline(R, color="k", lw=0.6, ls=":")
    if min(cu["margin"]) <= -MARGIN_CLIP:
        a2.text(0.02, 0.04, f"margins below -{MARGIN_CLIP:g} (e.g. m(R) = 0) are drawn at -{MARGIN_CLIP:g}",
                transform=a2.transAxes, fontsize=7)
    a2.set_xlabel("radius R")
    a2.set_ylabel("log(allowed f0 / f0)")
    a2.legend(fontsize=8)
    a2.set_title("LZB margin (> 0: guaranteed)", fontsize=10)
    return _save(fig, out_dir, "constants.png")


def plot_lambda(doc: dict[str, Any], out_dir: str) -> str:
    """The λ bracket along the flow: the data-dependent lower bound, λ_min of the lifted data, and
    the worst-case ``λ_N`` bracket where computed."""
    fig, ax = _figure()
    lb, R = doc["lambda_bracket"], doc["quantities"]["R"]["value"]
    ax.semilogx(lb["R"], lb["data_lower"], label="data-dependent lower bound along the flow")
    ax.axhline(lb["data_upper"], color="C1", ls="--", label=f"λ_min(K_X) of the lifted data ({lb['data_upper_kind']})")
    wc = lb.get("worst_case")
    if wc:
        ax.semilogx(wc["R"], wc["lower"], "v-", ms=3, label="worst case λ_N(σ_min(A) δ s_-): rigorous lower")
        ax.semilogx(wc["R"], wc["upper"], "^-", ms=3, label="worst case λ_N: explicit configuration (upper)")
    ax.axvline(R, color="k", lw=0.6, ls=":")
    ax.set_xlabel("radius R")
    ax.set_ylabel("λ (smallest eigenvalue bound)")
    ax.legend(fontsize=7)
    ax.set_title("λ bracket along the flow", fontsize=10)
    return _save(fig, out_dir, "lambda.png")


def make_plots(doc: dict[str, Any], out_dir: str) -> list[str]:
    """Draw the plots of a certificate document into ``out_dir`` (:func:`plots_of`); return the file names."""
    written = [plot(doc, out_dir) for plot in (plot_loss, plot_distance, plot_constants, plot_lambda)]
    if _finite_width(doc):
        written.append(_width_plot(doc, out_dir))
    return written


def docs_url() -> str:
    """Where the HTML report's links point: ``$RESNET_PL_DOCS_URL`` if set, else the documentation
    built in the source tree (``python -m sphinx -b html docs docs/_build/html``) as a ``file:`` URL.
    Ends with ``/``."""
    base = os.environ.get("RESNET_PL_DOCS_URL")
    if base:
        return base if base.endswith("/") else base + "/"
    from pathlib import Path  # noqa: PLC0415

    return (Path(__file__).resolve().parents[2] / "docs" / "_build" / "html").as_uri() + "/"


def _theory_link(theory_id: str, base: str) -> str:
    from bounds._core.references import docs_anchor  # noqa: PLC0415

    try:
        target = docs_anchor(theory_id)
    except ValueError:
        return html.escape(theory_id)
    return f'<a href="{html.escape(base + target)}">{html.escape(theory_id)}</a>'


def _page_link(reference: str, base: str) -> str:
    """``docs/pl.rst#the-pl-sandwich`` -> a link to ``pl.html#the-pl-sandwich``."""
    page, _, anchor = reference.partition("#")
    if not (page.startswith("docs/") and page.endswith(".rst")):
        return html.escape(reference)
    target = page[len("docs/"):-len(".rst")] + ".html" + (f"#{anchor}" if anchor else "")
    return f'<a href="{html.escape(base + target)}">{html.escape(reference)}</a>'


def _md_link(theory_id: str, base: str) -> str:
    from bounds._core.references import docs_anchor  # noqa: PLC0415

    try:
        return f"[{theory_id}]({base}{docs_anchor(theory_id)})"
    except ValueError:
        return theory_id


def _agree(cc: dict[str, Any]) -> str:
    if cc["agrees"] is None:
        return "n/a (no guarantee to compare with; run shown for information)"
    return str(cc["agrees"])


def _quantity_rows(doc: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (name, _fmt(q["value"]), _kind(q), q["formula_id"], q["formula"], q["provenance"])
        for name, q in doc["quantities"].items()
    ]


def _kind(q: dict[str, Any]) -> str:
    """The kind, with ``η`` for a probabilistic quantity (it holds with probability ``≥ 1 − η``)."""
    return q["kind"] if q.get("eta") is None else f"{q['kind']} (probability >= 1 - {q['eta']:g})"


def _width_lines(doc: dict[str, Any]) -> list[str]:
    """The finite-width statements (plain text): the width, the seed, the kind of each verdict."""
    fw = _finite_width(doc)
    if not fw:
        return []
    ap = fw["a_priori"]
    this = "GUARANTEED" if doc["guaranteed"] else "not guaranteed"
    prior = (f"guaranteed at rate {ap['rate']:.6g}" if ap["guaranteed"] else "not guaranteed at this width")
    needed = ap["q_needed"] if ap["q_needed"] is not None else "none found"
    return [
        f"width q = {fw['q']}, rff seed {fw['seed']}: {fw['law']}",
        f"this network (kind: {fw['kind']}): {this}",
        f"any network of this width (kind: {ap['kind']}): {prior}; width needed a priori for this design: {needed}",
    ]


def _width_markdown(doc: dict[str, Any]) -> list[str]:
    lines = _width_lines(doc)
    return ["", "## Finite width", ""] + [f"- {line}" for line in lines] if lines else []


def render_markdown(doc: dict[str, Any]) -> str:
    """The Markdown report (plots referenced as the PNG files next to it)."""
    ds = doc["inputs"]["dataset"]
    arch = doc["inputs"]["architecture"]
    lines = [
        "# Convergence certificate",
        "",
        f"**{doc['conclusion']}**",
        "",
        f"Exit code {doc['exit_code']} · schema {doc['schema_version']}",
        "",
        "## Inputs",
        "",
        f"- dataset `{ds['name']}` ({ds['source']}): N = {ds['N']}, d = {ds['d']}, d' = {ds['d_out']}, "
        f"params {ds['params']}",
        f"- sha256(X) `{ds['sha256_X']}`, sha256(Y) `{ds['sha256_Y']}`",
        f"- kernel {arch['kernel']}, width {arch['width']}, {arch['description']} (D = {arch['lifting']['D']}; "
        f"chosen by {arch['chosen_by']}), depth {arch['depth']}, initialisation {arch['initialisation']}",
        "",
        "## Hypotheses",
        "",
        "| id | hypothesis | holds | detail |",
        "|---|---|---|---|",
    ]
    for h in doc["hypotheses"]:
        lines.append(f"| {h['id']} | {h['statement']} | {'yes' if h['holds'] else '**NO**'} | {h['detail']} |")
    if doc["failures"]:
        lines += ["", "## What failed and what would fix it", ""]
        for f in doc["failures"]:
            lines.append(f"- **{f['hypothesis']}**: {f['reason']} *Fix:* {f['fix']}")
    lines += _width_markdown(doc)
    lines += ["", "## Constants", "", "| quantity | value | kind | formula id | formula | provenance |",
              "|---|---|---|---|---|---|"]
    base = docs_url()
    for name, value, kind, fid, formula, provenance in _quantity_rows(doc):
        cells = [name, value, kind, _md_link(fid, base), formula.replace("|", "\\|"), provenance]
        lines.append("| " + " | ".join(cells) + " |")
    cc = doc.get("cross_check")
    lines += ["", "## Cross-check by training", ""]
    if cc:
        lines += [
            f"- model: {cc['model']} (**{cc['label']}**)",
            f"- {cc['iterations']} iterations with step 1/β = {cc['step']:.6g}; final loss {cc['loss'][-1]:.6g} "
            f"vs envelope {cc['envelope'][-1]:.6g}; max distance {max(cc['distance']):.6g} vs R = {cc['R']:.6g}",
            f"- loss below envelope at every iteration: {cc['loss_below_envelope']}; distance below R: "
            f"{cc['distance_below_R']}; agrees with the certificate: **{_agree(cc)}**",
        ]
    else:
        lines.append("- not run (`--gd-iterations 0`)")
    lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots_of(doc)]
    env = doc["environment"]
    lines += ["", "## Reproducibility", "",
              "- " + ", ".join(f"{k} {v}" for k, v in env.items()),
              f"- seeds: {doc['inputs']['seeds']}",
              "- recompute and compare: `resnet-pl certify --check certificate.json`", ""]
    return "\n".join(lines)


def _formulas_html(doc: dict[str, Any], base: str) -> list[str]:
    """The formulas of the certificate's quantities in MathML, each linked to its theory statement."""
    from verify.certificate.formulas import mathml  # noqa: PLC0415

    ids = list(dict.fromkeys(q["formula_id"] for q in doc["quantities"].values()))
    rows = [(fid, mathml(fid)) for fid in ids]
    items = [f'<tr id="formula-{html.escape(fid)}"><td>{_theory_link(fid, base)}</td><td>{m}</td></tr>'
             for fid, m in rows if m is not None]
    return ["<h2>Formulas</h2><table><tr><th>theory id</th><th>formula</th></tr>", *items, "</table>"]


def render_html(doc: dict[str, Any], images: dict[str, bytes], base: str | None = None) -> str:
    """A self-contained HTML page (no external resources: plots as data: URIs, formulas as MathML);
    formula ids and provenance link into the documentation at ``base`` (:func:`docs_url`)."""
    base = docs_url() if base is None else base
    e = html.escape
    ok = doc["guaranteed"]
    colour = "#1b6e20" if ok else "#a31515"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Convergence certificate</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 6px;"
        "text-align:left;vertical-align:top}th{background:#eee}.verdict{font-size:18px;font-weight:bold;padding:.6em;"
        f"border:2px solid {colour};color:{colour}}}img{{max-width:100%}}code{{font-size:12px}}</style>",
        "</head><body>",
        "<h1>Convergence certificate</h1>",
        f'<p class="verdict" id="conclusion">{e(doc["conclusion"])}</p>',
        f"<p>Exit code {doc['exit_code']} &middot; schema {e(doc['schema_version'])}</p>",
        "<h2>Inputs</h2><ul>",
    ]
    ds = doc["inputs"]["dataset"]
    arch = doc["inputs"]["architecture"]
    parts.append(f"<li>dataset <code>{e(ds['name'])}</code> ({e(ds['source'])}): N = {ds['N']}, d = {ds['d']}, "
                 f"d' = {ds['d_out']}</li>")
    parts.append(f"<li>sha256(X) <code>{e(ds['sha256_X'])}</code><br>sha256(Y) <code>{e(ds['sha256_Y'])}</code></li>")
    parts.append(f"<li>kernel {e(str(arch['kernel']))}, width {e(str(arch['width']))}, "
                 f"{e(arch['description'])} (D = {arch['lifting']['D']}; chosen by {e(arch['chosen_by'])}), "
                 f"depth {e(str(arch['depth']))}</li></ul>")
    width_lines = _width_lines(doc)
    if width_lines:
        parts.append("<h2>Finite width</h2><ul>" + "".join(f"<li>{e(x)}</li>" for x in width_lines) + "</ul>")
    parts.append("<h2>Hypotheses</h2><table><tr><th>id</th><th>hypothesis</th><th>holds</th><th>detail</th></tr>")
    for h in doc["hypotheses"]:
        parts.append(f"<tr><td>{e(h['id'])}</td><td>{e(h['statement'])}</td><td>{'yes' if h['holds'] else '<b>NO</b>'}"
                     f"</td><td>{e(h['detail'])}</td></tr>")
    parts.append("</table>")
    if doc["failures"]:
        parts.append("<h2>What failed and what would fix it</h2><ul>")
        for f in doc["failures"]:
            parts.append(f"<li><b>{e(f['hypothesis'])}</b>: {e(f['reason'])} <i>Fix:</i> {e(f['fix'])}</li>")
        parts.append("</ul>")
    parts.append("<h2>Constants</h2><table><tr><th>quantity</th><th>value</th><th>kind</th><th>formula id</th>"
                 "<th>formula</th><th>provenance</th></tr>")
    for name, value, kind, fid, formula, provenance in _quantity_rows(doc):
        parts.append(f"<tr><td>{e(name)}</td><td>{e(value)}</td><td>{e(kind)}</td><td>{_theory_link(fid, base)}</td>"
                     f"<td>{e(formula)}</td><td>{_page_link(provenance, base)}</td></tr>")
    parts.append("</table>")
    parts += _formulas_html(doc, base)
    parts.append("<h2>Cross-check by training</h2>")
    cc = doc.get("cross_check")
    if cc:
        parts.append(f"<p>Model: {e(cc['model'])} (<b>{e(cc['label'])}</b>). {cc['iterations']} iterations, step "
                     f"1/&beta; = {cc['step']:.6g}. Loss below the envelope: {cc['loss_below_envelope']}; distance "
                     f"below R: {cc['distance_below_R']}; agrees: <b>{e(_agree(cc))}</b>.</p>")
    else:
        parts.append("<p>Not run.</p>")
    parts.append("<h2>Plots</h2>")
    for name in plots_of(doc):
        if name in images:
            b64 = base64.b64encode(images[name]).decode("ascii")
            parts.append(f'<figure><img alt="{e(name)}" src="data:image/png;base64,{b64}"></figure>')
    env = doc["environment"]
    parts.append("<h2>Reproducibility</h2><p>" + e(", ".join(f"{k} {v}" for k, v in env.items())) + "</p>")
    parts.append("<p>Recompute and compare: <code>resnet-pl certify --check certificate.json</code></p>")
    parts.append(f"<p>Links point to the documentation at <code>{e(base)}</code> (set <code>RESNET_PL_DOCS_URL</code> "
                 "or build it with <code>python -m sphinx -b html docs docs/_build/html</code>).</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_reports(doc: dict[str, Any], out_dir: str, base: str | None = None) -> list[str]:
    """Write all files of ``doc`` (:func:`files_of`) into ``out_dir`` atomically (temp dir, then move).

    Returns the list of paths written.  On any error the temporary directory is removed and
    ``out_dir`` is left as it was.
    """
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ValueError(f"--out {out_dir!r} exists and is not a directory")
    tmp = tempfile.mkdtemp(prefix=".certificate-", dir=parent)
    try:
        with open(os.path.join(tmp, "certificate.json"), "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, allow_nan=False)
            fh.write("\n")
        make_plots(doc, tmp)
        images = {}
        for name in plots_of(doc):
            with open(os.path.join(tmp, name), "rb") as fh:
                images[name] = fh.read()
        with open(os.path.join(tmp, "certificate.md"), "w", encoding="utf-8") as fh:
            fh.write(render_markdown(doc))
        with open(os.path.join(tmp, "certificate.html"), "w", encoding="utf-8") as fh:
            fh.write(render_html(doc, images, base))
        if not os.path.exists(out_dir):
            os.rename(tmp, out_dir)
        else:
            for name in files_of(doc):
                os.replace(os.path.join(tmp, name), os.path.join(out_dir, name))
            shutil.rmtree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [os.path.join(out_dir, name) for name in files_of(doc)]
