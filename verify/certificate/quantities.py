"""Step 3 of the certificate: the constants as records — the data and architecture, Condition 1,
the verified λ of the lifted data, the chain at the radius reported, the verdict's numbers — and
the λ bracket along the flow (docs/certificate.rst)."""

from __future__ import annotations

from typing import Any

import numpy as np

from bounds.lambda_min.data import DENSE_MAX_N, data_gershgorin_bound, gram_blocks, lambda_min_verified
from bounds.lzb import iterations_to
from bounds.pl import flow_factors, gershgorin_points, lambda_lower_weyl, pl_constants
from bounds.result import Kind, Quantity
from verify.certificate.design import Design
from verify.certificate.options import CertifyOptions
from verify.certificate.record import Record
from verify.certificate.search import Search, log_margin
from verify.progress import Progress

__all__ = ["data_records", "lambda_data", "chain_records", "verdict_records", "lambda_bracket_record", "FORM_TEXT"]

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
    Q = {
        "N": _rec("N", prob.N, "exact", "SPEC-1.N", "number of data points", DOCS + "#inputs"),
        "D": _rec("D", prob.D, "exact", "SPEC-8.D", "D = p d", "docs/recipe.rst"),
        "separation": _rec("separation", prob.separation, "numerical", "SPEC-1.delta",
                           "delta = min_{i!=j} |x_i - x_j|", "docs/lambda_data.rst"),
        "lifted_separation": _rec("lifted_separation", prob.lifted_separation, "numerical", "SPEC-5.lifted-delta",
                                  "min_{i!=j} |A x_i - A x_j|", "docs/pl.rst"),
        "sigma_min_A": _rec("sigma_min_A", sA[0], "numerical", "SPEC-8.sigma-A", "sigma_min(A) = a sqrt(p)",
                            "docs/recipe.rst"),
        "sigma_min_B": _rec("sigma_min_B", sB[0], "numerical", "SPEC-8.sigma-B", "sigma_min(B) = b", "docs/recipe.rst"),
        "sigma_max_B": _rec("sigma_max_B", sB[1], "numerical", "SPEC-8.sigma-B", "sigma_max(B) = b", "docs/recipe.rst"),
        "f0": _rec("f0", design.f0, "numerical", "SPEC-1.F0",
                   "F(0) = (1/N) sum_i |B A x_i - y_i|^2 (zero initialisation)", DOCS + "#inputs"),
        "rho": _rec("rho", prob.rho, "numerical", "SPEC-6.rho", "rho = max_i |A x_i|", "docs/smoothness.rst"),
    }
    reg = design.regularity
    for name, fid in (("c0", "SPEC-3.c0"), ("c1", "SPEC-3.c1"), ("c2", "SPEC-3.c2"), ("kappa", "SPEC-3.kappa")):
        Q[name] = Record(getattr(reg, name), fid)
    if design.width is not None:
        w = design.width
        Q["c1_rff"] = Record(w.regularity.c1, "SPEC-3.c1-rff")
        Q["c2_rff"] = Record(w.regularity.c2, "SPEC-3.c2-rff-fallback")
        Q["rff_kernel_error"] = Record(w.eps, "SPEC-8.rff-eps")
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
    up to :data:`VERIFIED_LAMBDA_MAX_N` points; above it the streaming Gershgorin bound at ``R = 0``
    (rigorous, from the pair pass already made), or for a finite-width sample its Weyl bound
    ``λ(K) − N ε`` (an estimate, as ``ε`` is)."""
    report = progress if progress is not None else Progress(None)
    prob = design.problem
    kernel = design.base if design.width is None else design.width.sample
    if prob.N <= min(_QUIET_N, VERIFIED_LAMBDA_MAX_N):
        return Record(lambda_min_verified(kernel, prob.lifted), "SPEC-4.3.verified")
    if prob.N <= VERIFIED_LAMBDA_MAX_N:
        report.note(f"verified lambda_min: Gram matrix of N = {prob.N} ({8 * prob.N**2 / 1e9:.2g} GB), Lanczos "
                    f"and a dense Cholesky, about {_cholesky_seconds(prob.N):.0f} s")
        desc = "verified lambda_min: Gram blocks, then Lanczos and Cholesky"
        with report.bar(gram_blocks(kernel, prob.N, prob.coordinates), desc) as bar:
            q = lambda_min_verified(kernel, prob.lifted, progress=lambda done, total: bar.update(1))
        return Record(q, "SPEC-4.3.verified")
    if design.width is None:
        points, scale = gershgorin_points(prob)
        return Record(data_gershgorin_bound(design.base, points, 1.0, scale=scale), "SPEC-4.3.gershgorin")
    reg = design.width.regularity
    return Record(lambda_lower_weyl(prob, 0.0, design.width.eps, reg.c1), "SPEC-8.weyl")


def chain_records(design: Design, search: Search, opts: CertifyOptions, progress: Progress) -> dict[str, Record]:
    """The constants of the chain at the radius reported, and the worst-case ``m(R)`` beside the
    data-dependent one."""
    ch = search.chain
    Q: dict[str, Record] = {}
    if design.width is None:
        Q["c_gronwall"] = Record(ch.c, "SPEC-5.c")
        Q["lambda_lower"] = Record(ch.lam, "SPEC-5.lambda-data")
        Q["Lambda_upper"] = Record(ch.Lam, "SPEC-5.Lambda")
        Q["m"] = Record(ch.m, "SPEC-5.m")
        Q["M"] = Record(ch.M, "SPEC-5.M")
        Q["beta"] = Record(ch.beta, "SPEC-6.beta")
        Q["s_minus"] = _rec("s_minus", ch.pl.s_minus, "rigorous", "SPEC-5.gronwall",
                            "exp(-c R) (ODE) or the discrete factor", "docs/pl.rst")
    else:
        Q["lambda_lower"] = Record(ch.lam, "SPEC-8.weyl")
        Q["m"] = Record(ch.m, "SPEC-5.m")
        Q["M"] = Record(ch.M, "SPEC-5.M")
        Q["beta"] = Record(ch.beta, "SPEC-6.beta")
    if design.width is None and opts.lam != "worst-case":
        try:
            wc = pl_constants(design.problem, search.R, constants=opts.constants, depth=opts.depth, lam="worst-case")
            Q["lambda_N_lower"] = Record(wc.lam, "SPEC-4.best-lower")
            Q["m_worst_case"] = Record(wc.m, "SPEC-5.m-worst-case")
        except ValueError as exc:  # no worst-case bound for this kernel, N and D
            progress.note(f"worst-case lambda_N unavailable: {exc}")
    return Q


def verdict_records(design: Design, search: Search, opts: CertifyOptions) -> dict[str, Record]:
    """The radius, the rate, the allowed initial loss, the margin and the iterations to the target."""
    point, f0 = search.point, design.f0
    kind: Kind = "rigorous" if search.chain.m.kind in ("exact", "rigorous") else "estimate"
    found = search.lzb.best is not None
    Q = {
        "R": _rec("R", search.R, "numerical", "SPEC-7.R-best",
                  "smallest grid-refined radius where the LZB condition holds" if found
                  else "radius of the largest margin (the condition fails everywhere)", "docs/lzb.rst"),
        "rate": _rec("rate", point.rate, kind, "SPEC-7.rate", "1 - m/(2 beta)", "docs/lzb.rst"),
        "allowed_f0": _rec("allowed_f0", point.allowed_f0[opts.form], kind, f"SPEC-7.{opts.form}",
                           FORM_TEXT[opts.form], "docs/lzb.rst"),
        "margin": _rec("margin", log_margin(point.allowed_f0[opts.form], f0), kind, "SPEC-7.margin",
                       "log(allowed_f0 / f0) (> 0: the condition holds)", DOCS + "#the-verdict"),
    }
    if found and point.rate < 1:
        Q["iterations"] = _rec("iterations", iterations_to(opts.target, f0, point.rate), kind, "SPEC-7.iterations",
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
