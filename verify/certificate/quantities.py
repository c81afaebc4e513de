"""Step 3 of the certificate: the constants as records — the data and architecture, Condition 1,
the verified λ of the lifted data, the chain at the radius reported, the verdict's numbers — and
the λ bracket along the flow (docs/certificate.rst)."""

from __future__ import annotations

from typing import Any

import numpy as np

from bounds.lambda_min.data import DENSE_MAX_N, data_gershgorin_bound, gram_blocks, lambda_min_verified
from bounds.lzb import iterations_to
from bounds.pl import flow_factors, gershgorin_points, pl_constants
from bounds.result import Kind, Quantity
from verify.certificate.design import Design
from verify.certificate.options import CertifyOptions
from verify.certificate.record import Record
from verify.certificate.search import Search, log_margin
from verify.progress import Progress

__all__ = ["data_records", "lambda_data", "chain_records", "verdict_records", "lambda_bracket_record", "FORM_TEXT",
           "a_priori_records", "width_block", "WIDTH_CURVE_STEPS"]

DOCS = "docs/certificate.rst"
#: Largest N for the verified λ_min (a dense Cholesky, 8 N² bytes); above it the streaming Gershgorin
#: bound at R = 0 (docs/lambda_data.rst).
VERIFIED_LAMBDA_MAX_N = DENSE_MAX_N
#: Up to this N the verified λ_min takes a few seconds at most: no progress shown.
_QUIET_N = 2000

FORM_TEXT = {
    "discrete": "(R beta (1 - sqrt(1 - m/(2 beta))))^2 / M",
    "simplified": "m^2 R^2 / (16 M)",
    "sqrt": "m R^2 / 16 (if m M <= 16 beta^2)",
    "lzb": "m^2 R^2 / (32 beta)",
}


def _rec(name: str, value: float, kind: Kind, formula_id: str, formula: str, reference: str,
         hypotheses: tuple[str, ...] = ()) -> Record:
    return Record(Quantity(name, float(value), kind, formula, reference, hypotheses), formula_id)


def data_records(design: Design) -> dict[str, Record]:
    """The data, the architecture and Condition 1's constants."""
    prob = design.problem
    sA, sB = prob.sigma_A, prob.sigma_B
    arch_id = "model.augmented" if prob.architecture.kind == "augmented" else "model.copy-lifting"
    Q = {
        "N": _rec("N", prob.N, "exact", "model.conventions", "number of data points", DOCS + "#input-data"),
        "D": _rec("D", prob.D, "exact", arch_id,
                  "D = d + d'" if prob.architecture.kind == "augmented" else "D = p d", "docs/recipe.rst"),
        "separation": _rec("separation", prob.separation, "numerical", "model.conventions",
                           "delta = min_{i!=j} |x_i - x_j|", "docs/lambda_data.rst"),
        "lifted_separation": _rec("lifted_separation", prob.lifted_separation, "numerical", "lambda.gershgorin-flow",
                                  "min_{i!=j} |A x_i - A x_j|", "docs/pl.rst"),
        "sigma_min_A": _rec("sigma_min_A", sA[0], prob.sigma_kind, arch_id,
                            "sigma_min(A), rounded down (exact Gram matrix and Gershgorin/LDL^T)", "docs/recipe.rst"),
        "sigma_min_B": _rec("sigma_min_B", sB[0], prob.sigma_kind, arch_id,
                            "sigma_min(B), rounded down (exact Gram matrix and Gershgorin/LDL^T)", "docs/recipe.rst"),
        "sigma_max_B": _rec("sigma_max_B", sB[1], prob.sigma_kind, arch_id,
                            "sigma_max(B), rounded up (exact Gram matrix and Gershgorin/LDL^T)", "docs/recipe.rst"),
        "f0": _rec("f0", prob.initial_loss(), "numerical", "model.loss",
                   "F(0) = (1/n) sum_i w_i |B A x_i - y_i|^2 (zero initialisation)", DOCS + "#input-data"),
        "f0_upper": _rec("f0_upper", design.f0, "rigorous", "model.loss",
                         "F(0) with every residual enlarged by its rounding error, rounded up (the verdict uses it)",
                         "docs/lzb.rst"),
        "rho": _rec("rho", prob.rho, "numerical", "beta.residual-bound", "rho = max_i |A x_i|", "docs/smoothness.rst"),
    }
    reg = design.regularity
    for name, fid in (("c0", "kappa.c0"), ("c1", "kappa.c1"), ("c2", "kappa.c2"), ("kappa", "kappa.kappa")):
        Q[name] = Record(getattr(reg, name), fid)
    if design.width is not None:
        w = design.width
        Q["width"] = _rec("width", w.q, "exact", "model.random-features",
                          "number of random features q (the network drawn)", "docs/width.rst",
                          (f"seed {w.seed}", w.kind_text))
        Q["c1_rff"] = Record(w.regularity.c1, "kappa.random-features")
        Q["c2_rff"] = Record(w.regularity.c2, "kappa.random-features")
        Q["lambda_max_data"] = Record(w.Lam0, "width.a-posteriori")
    return Q


def _cholesky_seconds(N: int) -> float:
    """A time estimate for the dense route at ``N`` points: ``N³/3`` flops of the Cholesky and
    ~300 Lanczos products of ``2N²`` flops at the speed of a matrix product of order 500 timed here
    (the blocked Cholesky runs mostly in such products)."""
    import time  # noqa: PLC0415

    A = np.ones((500, 500))
    t0 = time.perf_counter()
    A @ A
    rate = 2 * 500**3 / max(time.perf_counter() - t0, 1e-6)
    return (N**3 / 3 + 300 * 2 * N**2) / rate


def lambda_data(design: Design, progress: Progress | None = None) -> Record:
    """``λ_min(K_X)`` of the lifted data at ``R = 0``: verified (a Cholesky with a rounding margin)
    up to :data:`VERIFIED_LAMBDA_MAX_N` points, above it the streaming Gershgorin bound at ``R = 0``
    (rigorous, from the pair pass already made); for a drawn network the verified ``λ`` of its
    ``K_q`` (computed when the network was built)."""
    if design.width is not None:
        return Record(design.width.lam0, "lambda.verified")
    report = progress if progress is not None else Progress(None)
    prob = design.problem
    kernel = design.base
    if prob.N <= min(_QUIET_N, VERIFIED_LAMBDA_MAX_N):
        return Record(lambda_min_verified(kernel, prob.lifted), "lambda.verified")
    if prob.N <= VERIFIED_LAMBDA_MAX_N:
        report.note(f"verified lambda_min: Gram matrix of N = {prob.N} ({8 * prob.N**2 / 1e9:.2g} GB), Lanczos "
                    f"and a dense Cholesky, about {_cholesky_seconds(prob.N):.0f} s")
        desc = "verified lambda_min: Gram blocks, then Lanczos and Cholesky"
        with report.bar(gram_blocks(kernel, prob.N, prob.coordinates), desc) as bar:
            q = lambda_min_verified(kernel, prob.lifted, progress=lambda done, total: bar.update(1))
        return Record(q, "lambda.verified")
    points, scale = gershgorin_points(prob)
    return Record(data_gershgorin_bound(kernel, points, 1.0, scale=scale), "lambda.gershgorin-flow")


def chain_records(design: Design, search: Search, opts: CertifyOptions, progress: Progress) -> dict[str, Record]:
    """The constants of the chain at the radius reported, and the worst-case ``m(R)`` beside the
    data-dependent one."""
    ch = search.chain
    gronwall_id = "pl.gronwall" if opts.depth is None else "pl.gronwall-resnet"
    Q: dict[str, Record] = {}
    width = design.width is not None
    Q["c_gronwall"] = Record(ch.c, "pl.gronwall")
    Q["lambda_lower"] = Record(ch.lam, "width.perturbation" if width else "pl.lambda-lower")
    Q["Lambda_upper"] = Record(ch.Lam, "width.perturbation" if width else "pl.lambda-upper")
    Q["m"] = Record(ch.m, "pl.lower-constant")
    Q["M"] = Record(ch.M, "pl.upper-constant")
    Q["beta"] = Record(ch.beta, "beta.smoothness")
    Q["s_minus"] = _rec("s_minus", ch.pl.s_minus, "rigorous", gronwall_id,
                        "exp(-c R) (ODE) or the discrete factor", "docs/pl.rst")
    if width:
        Q.update(a_priori_records(design, opts))
    if design.width is None and opts.lam != "worst-case":
        try:
            wc = pl_constants(design.problem, search.R, constants=opts.constants, depth=opts.depth, lam="worst-case")
            Q["lambda_N_lower"] = Record(wc.lam, "lambda.bracket")
            Q["m_worst_case"] = Record(wc.m, "pl.lower-constant")
        except ValueError as exc:  # no worst-case bound for this kernel, N and D
            progress.note(f"worst-case lambda_N unavailable: {exc}")
    return Q


def verdict_records(design: Design, search: Search, opts: CertifyOptions) -> dict[str, Record]:
    """The radius, the rate, the allowed initial loss, the margin and the iterations to the target."""
    point, f0 = search.point, design.f0
    kind: Kind = "rigorous" if search.chain.m.kind in ("exact", "rigorous") else "estimate"
    found = search.lzb.best is not None
    Q = {
        "R": _rec("R", search.R, "numerical", "lzb.setting",
                  "smallest grid-refined radius where the LZB condition holds" if found
                  else "radius of the largest margin (the condition fails everywhere)", "docs/lzb.rst"),
        "rate": _rec("rate", point.rate, kind, "lzb.rate", "1 - m/(2 beta)", "docs/lzb.rst"),
        "allowed_f0": _rec("allowed_f0", point.allowed_f0[opts.form], kind, f"lzb.{opts.form}",
                           FORM_TEXT[opts.form], "docs/lzb.rst"),
        "margin": _rec("margin", log_margin(point.allowed_f0[opts.form], f0), kind, "lzb.margin",
                       "log(allowed_f0 / f0) (> 0: the condition holds)", DOCS + "#the-verdict"),
    }
    if found and point.rate < 1:
        Q["iterations"] = _rec("iterations", iterations_to(opts.target, f0, point.rate), kind, "lzb.iterations",
                               "ceil(log(target/f0) / log(1 - m/(2 beta)))", "docs/lzb.rst")
    return Q


def lambda_bracket_record(design: Design, search: Search, lam_data: Record, opts: CertifyOptions) -> dict[str, Any]:
    """λ along the flow: the data-dependent lower bound vs R, the verified ``λ_min(K_X)`` of the
    lifted data (an upper bound of every lower bound: ``v = 0`` is in the ball), and the worst-case
    bracket [packing lower, lattice upper] of ``λ_N`` at the separation after the flow, if D is small."""
    from bounds.lambda_min.bracket import lambda_bracket  # noqa: PLC0415 (heavy; small D only)

    prob, curves = design.problem, search.curves
    out: dict[str, Any] = {
        "R": list(curves.R), "data_lower": list(curves.lambda_lower),
        "data_upper": lam_data.value, "data_upper_kind": lam_data.kind, "worst_case": None, "note": "",
    }
    if prob.D > 8:
        out["note"] = (f"worst-case lambda_N bracket skipped: D = {prob.D} > 8 (the packing bound is "
                       "trivial and lattice sections are expensive in high dimension)")
        return out
    radii = np.geomspace(curves.R[0], curves.R[-1], 7)
    deltas = [prob.sigma_A[0] * prob.separation * float(flow_factors(design.c1, float(R), opts.depth)[0])
              for R in radii]
    try:
        brackets = [lambda_bracket(design.base, prob.N, dl, prob.D) for dl in deltas]
    except ValueError as exc:  # the bracket refuses this N, D
        out["note"] = f"worst-case lambda_N bracket unavailable: {exc}"
        return out
    out["worst_case"] = {
        "R": list(map(float, radii)), "delta": deltas,
        "lower": [b.lower.value for b in brackets], "lower_source": [b.lower_source for b in brackets],
        "upper": [b.upper.value for b in brackets], "upper_source": [b.upper_source for b in brackets],
        "lower_kind": "rigorous", "upper_kind": "rigorous (an explicit feasible configuration)",
        "provenance": "docs/lambda.rst",
    }
    return out


# ----------------------------------------------------------------------- finite width

#: The a priori guarantee is plotted at the widths ``q · 2^k`` for these ``k``.
WIDTH_CURVE_STEPS = (-4, -3, -2, -1, 0, 1, 2, 3, 4)


def _a_priori_available(design: Design) -> bool:
    """The a priori bounds need the law of the draw: Matérn or Gaussian (not a user's kernel)."""
    from bounds.kernels import Gaussian, Matern  # noqa: PLC0415

    return isinstance(design.base, (Matern, Gaussian))


def _a_priori(design: Design, opts: CertifyOptions, q: int) -> Any:
    from bounds.recipe import width_guarantee  # noqa: PLC0415

    form = opts.form if opts.form != "lzb" else "discrete"
    return width_guarantee(design.problem, q, opts.width_eta, form=form, depth=opts.depth, constants=opts.constants)


def a_priori_records(design: Design, opts: CertifyOptions) -> dict[str, Record]:
    """The a priori statement for this design at the drawn width (docs/width.rst#a-priori): the rate
    guaranteed with probability ``≥ 1 − η`` over the draw, kind probabilistic (``η`` in the
    hypotheses); nothing when it does not hold at this width."""
    assert design.width is not None
    if not _a_priori_available(design):
        return {}
    cert = _a_priori(design, opts, design.width.q)
    if cert.best is None:
        return {}
    eta = opts.width_eta
    hyp = (f"probability >= 1 - {eta:g} over the draw of q = {design.width.q} frequencies (any seed)",)
    rate = Quantity("rate_a_priori", cert.best.rate, "probabilistic", "1 - m/(2 beta) with the a priori bounds",
                    "docs/width.rst#a-priori", hyp, eta=eta)
    return {"rate_a_priori": Record(rate, "width.a-priori")}


def width_block(design: Design, opts: CertifyOptions) -> dict[str, Any] | None:
    """The finite-width section of the certificate (``inputs.architecture.finite_width``): the
    width, the seed, the kind of the verdict, the a priori guarantee at this width and the width it
    needs, and the a priori rate against the width (the report's ``width.png``)."""
    from bounds.recipe import width_for_design  # noqa: PLC0415

    w = design.width
    if w is None:
        return None
    block: dict[str, Any] = {
        "q": w.q, "seed": w.seed, "coordinates": design.problem.coordinates, "kind": w.kind_text,
        "law": f"{w.q} frequencies i.i.d. from the spectral measure of {design.base.name} in the problem's "
               f"{design.problem.coordinates} coordinates (docs/width.rst, 'Which network')",
        "reference": "docs/width.rst",
    }
    if not _a_priori_available(design):
        note = "the law of the draw is known for Matern and Gaussian kernels only"
        return block | {"a_priori": {"eta": opts.width_eta, "guaranteed": False, "rate": None, "q_needed": None,
                                     "kind": f"not available: {note}"},
                        "curve": {"q": [], "guaranteed": [], "rate": []}}
    form = opts.form if opts.form != "lzb" else "discrete"
    widths = [max(1, int(round(w.q * 2.0**k))) for k in WIDTH_CURVE_STEPS]
    certs = [_a_priori(design, opts, q) for q in widths]
    needed = width_for_design(design.problem, opts.width_eta, form=form, depth=opts.depth, constants=opts.constants)
    here = certs[WIDTH_CURVE_STEPS.index(0)]
    return block | {
        "a_priori": {"eta": opts.width_eta, "guaranteed": here.best is not None,
                     "rate": None if here.best is None else here.best.rate, "q_needed": needed,
                     "kind": f"probability >= 1 - {opts.width_eta:g} over the draw"},
        "curve": {"q": widths, "guaranteed": [c.best is not None for c in certs],
                  "rate": [None if c.best is None else c.best.rate for c in certs]},
    }
