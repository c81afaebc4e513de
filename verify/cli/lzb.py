"""The Liu-Zhu-Belkin radius condition from v0 = 0: is gradient descent with step 1/beta
guaranteed to converge, with which radius, rate and iteration count (docs/lzb.rst).
Exit codes: 0 guaranteed, 1 not guaranteed, 2 bad input.

Example: resnet-pl lzb --dataset moons
"""

from __future__ import annotations

import argparse
import sys

from verify.cli.common import (
    add_architecture_arguments,
    add_chain_arguments,
    add_data_arguments,
    add_json_argument,
    add_kernel_arguments,
    add_search_arguments,
    emit,
    options_from_args,
)

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    add_kernel_arguments(parser)
    add_architecture_arguments(parser)
    add_chain_arguments(parser)
    add_search_arguments(parser)
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from bounds.chain import lzb_for_problem  # noqa: PLC0415
    from verify.certificate.design import build_design  # noqa: PLC0415
    from verify.certificate.pipeline import dataset_from_options  # noqa: PLC0415
    from verify.certificate.search import radius_range  # noqa: PLC0415
    from verify.progress import Progress  # noqa: PLC0415

    opts = options_from_args(args)
    design = build_design(dataset_from_options(opts), opts, Progress(sys.stderr, "lzb"))  # the pair pass of N > 1000
    R_min, R_max = radius_range(design, opts)
    cert = lzb_for_problem(design.problem, constants=opts.constants, depth=opts.depth, lam=opts.lam, form=opts.form,
                           R_min=R_min, R_max=R_max, target=opts.target)
    best = cert.best
    payload = {
        "guaranteed": cert.guaranteed, "form": cert.form, "f0": cert.f0,
        "architecture": design.problem.architecture.describe(),
        "feasible": [list(i) for i in cert.feasible],
        "best": None if best is None else {"R": best.R, "m": best.m, "M": best.M, "beta": best.beta,
                                           "rate": best.rate, "allowed_f0": best.allowed_f0, "kind": best.kind},
        "iterations": cert.iterations, "target": cert.target, "lambda_source": opts.lam,
    }
    if best is None:
        text = (f"NOT guaranteed: the {cert.form} LZB condition fails for every R in [{R_min:.3g}, {R_max:.3g}] "
                f"with F(0) <= {cert.f0:.6g} ({design.problem.architecture.describe()}). "
                "Try the design search: resnet-pl recipe.")
    else:
        text = (f"GUARANTEED ({cert.form} form, {best.kind}): gradient descent with step 1/beta = {1 / best.beta:.6g} "
                f"from v0 = 0 stays in the ball R = {best.R:.6g} and F_k <= {best.rate:.9f}^k F(0), "
                f"F(0) <= {cert.f0:.6g};\n  {cert.iterations} iterations reach F <= {opts.target:g}. Feasible R: "
                + ", ".join(f"[{a:.4g}, {b:.4g}]" for a, b in cert.feasible))
    emit(args, payload, text)
    return 0 if cert.guaranteed else 1
