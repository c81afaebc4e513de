"""The convergence certificate: is gradient descent guaranteed to converge on this data and
architecture?  (docs/certificate.rst.)

:func:`certify` runs the pipeline of typed steps

1. data → :class:`~verify.certificate.design.Design` (the problem in reduced coordinates and its
   chain of constants, :mod:`verify.certificate.design`);
2. the radius search of the LZB condition (:mod:`verify.certificate.search`);
3. the constants as records (:mod:`verify.certificate.quantities`);
4. the verdict: hypotheses, failures, fixes (:mod:`verify.certificate.verdict`);
5. the cross-check by gradient descent on the solver (:mod:`verify.certificate.cross_check`);

and returns a :class:`~verify.certificate.record.Certificate`, whose ``to_dict()`` is the JSON
document of ``verify/certificate/schema/certificate.schema.json``.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from verify.certificate.cross_check import cross_check
from verify.certificate.datasets import NAMES, Dataset, load_dataset, make_dataset
from verify.certificate.design import Design, build_design
from verify.certificate.options import CertifyOptions
from verify.certificate.quantities import (
    chain_records,
    data_records,
    lambda_bracket_record,
    lambda_data,
    verdict_records,
    width_block,
)
from verify.certificate.record import Certificate, LZBSummary, environment
from verify.certificate.search import Search, search_radius
from verify.certificate.verdict import Verdict, decide
from verify.progress import Progress

__all__ = ["certify", "dataset_from_options"]


def dataset_from_options(opts: CertifyOptions) -> Dataset:
    """The dataset named by the options (built-in generator, real data set, or file)."""
    if opts.data in NAMES:
        return make_dataset(opts.data, n=opts.n, seed=opts.seed)
    if opts.data.lower().endswith((".npy", ".npz", ".csv")):
        return load_dataset(opts.data, target_dim=opts.target_dim, targets=opts.targets)
    raise ValueError(f"data must be one of {', '.join(NAMES)} or a .npy/.npz/.csv file, got {opts.data!r}")


def _conclusion(design: Design, search: Search, verdict: Verdict, opts: CertifyOptions, iterations: Any) -> str:
    if not verdict.guaranteed:
        first = verdict.failures[0]
        return f"NOT GUARANTEED: {first.reason} Fix: {first.fix}"
    model = (("infinite-width" if opts.width is None else f"width-{opts.width}") + " "
             + ("neural ODE" if opts.depth is None else f"{opts.depth}-layer ResNet")
             + ("" if design.width is None else f", rff seed {opts.rff_seed}, {design.width.kind_text}"))
    return (f"GUARANTEED ({model}): gradient descent with step 1/beta from v0 = 0 converges to a global minimiser "
            f"at rate {search.point.rate:.6g} per step (loss <= {opts.target:g} after {iterations:.0f} iterations), "
            f"staying within R = {search.R:.4g}.")


def _inputs(ds: Dataset, design: Design, opts: CertifyOptions, argv: list[str] | None) -> dict[str, Any]:
    arch = design.problem.architecture
    lifting: dict[str, Any] = {"kind": arch.kind, "D": design.problem.D, "alpha": arch.alpha}
    if arch.kind == "copy":
        lifting.update(p=arch.p, a=arch.a)
    return {
        "dataset": {**ds.to_dict(), "preprocessing": design.preprocessing.to_dict()},
        "options": opts.to_dict(),
        "architecture": {
            "kernel": design.base.name,
            "width": "infinite" if opts.width is None else opts.width,
            "description": arch.describe(),
            "chosen_by": design.chosen_by,
            "lifting": lifting,
            "output_map": {"b": arch.b, "d_out": ds.d_out},
            "depth": "inf" if opts.depth is None else opts.depth,
            "initialisation": "zero",
            "finite_width": width_block(design, opts),
        },
        "seeds": {"data": opts.seed, "rff": opts.rff_seed if opts.width is not None else None,
                  "cross_check": opts.rff_seed},
        "argv": list(argv) if argv is not None else None,
    }


def certify(opts: CertifyOptions, dataset: Dataset | None = None, *, progress: TextIO | None = None,
            argv: list[str] | None = None) -> Certificate:
    """Compute the certificate (docs/certificate.rst).

    Formula: the LZB condition of the chosen ``form`` at ``m(R)``, ``M(R)``, ``β(R)`` (docs/pl.rst,
    docs/smoothness.rst, docs/lzb.rst) searched over ``R``; guaranteed iff it holds at some ``R``
    with constants of kind exact/rigorous.  Hypotheses: Condition 1 (Matérn ν > 2 or Gaussian),
    distinct data, ``A`` injective, ``B`` surjective.  Kind: the verdict is rigorous for the
    infinite-width model and, with ``width``, for the network drawn (docs/width.rst); the a priori
    statement for any draw of that width is probabilistic.

    Raises
    ------
    ValueError
        Bad input (one-line reason): shapes, NaN, duplicates, ν ≤ 2, options out of range.
    """
    report = Progress(progress)
    timing: dict[str, float] = {}
    t_start = time.perf_counter()
    ds = dataset_from_options(opts) if dataset is None else dataset
    report.note(f"dataset {ds.name}: N = {ds.N}, d = {ds.d}, d' = {ds.d_out}")

    t0 = time.perf_counter()
    report.note("Condition 1: regularity constants")
    design = build_design(ds, opts, report)
    timing["regularity"] = time.perf_counter() - t0
    Q = data_records(design)
    t0 = time.perf_counter()
    lam_data = lambda_data(design, report)
    Q["lambda_min_data"] = lam_data
    timing["lambda_data"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    search = search_radius(design, opts, report)
    timing["lzb_search"] = time.perf_counter() - t0
    Q.update(chain_records(design, search, opts, report))
    Q.update(verdict_records(design, search, opts))
    bracket = lambda_bracket_record(design, search, lam_data, opts)

    t0 = time.perf_counter()
    verdict = decide(ds, design, search, opts, report)
    timing["recipe"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    cross = None
    if opts.gd_iterations > 0:
        report.note(f"cross-check: gradient descent, {opts.gd_iterations} iterations, step 1/beta")
        cross = cross_check(design.problem, opts, search, verdict.guaranteed, report,
                            sample=None if design.width is None else design.width.sample)
    timing["cross_check"] = time.perf_counter() - t0
    iterations = Q["iterations"].value if "iterations" in Q else None
    timing["total"] = time.perf_counter() - t_start
    lzb = search.lzb
    return Certificate(
        conclusion=_conclusion(design, search, verdict, opts, iterations), guaranteed=verdict.guaranteed,
        failures=verdict.failures, inputs=_inputs(ds, design, opts, argv), environment=environment(),
        quantities=Q, hypotheses=verdict.hypotheses,
        lzb=LZBSummary(form=opts.form, guaranteed=lzb.best is not None, feasible=lzb.feasible,
                       R_best=lzb.best.R if lzb.best is not None else None, rate=search.point.rate,
                       recipe=verdict.recipe),
        curves=search.curves, lambda_bracket=bracket, cross_check=cross, timing=timing,
    )
