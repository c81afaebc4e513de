"""Local PL constants m(R), M(R) and the smoothness beta(R) of a data set and an architecture at one
radius R (docs/pl.rst, docs/smoothness.rst).

Example: resnet-pl pl --dataset moons --R 0.01
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
    emit,
    options_from_args,
)

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    add_kernel_arguments(parser)
    add_architecture_arguments(parser)
    add_chain_arguments(parser)
    parser.add_argument("--R", type=float, default=0.01, help="radius of the ball in H (default 0.01)")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from bounds._core.validate import require_positive  # noqa: PLC0415
    from bounds.chain import chain_point  # noqa: PLC0415
    from verify.certificate.design import build_design  # noqa: PLC0415
    from verify.certificate.pipeline import dataset_from_options  # noqa: PLC0415
    from verify.progress import Progress  # noqa: PLC0415

    R = require_positive("R", args.R, strict=False)
    opts = options_from_args(args)
    design = build_design(dataset_from_options(opts), opts, Progress(sys.stderr, "pl"))  # the pair pass of N > 1000
    prob = design.problem
    point = chain_point(prob, R, constants=opts.constants, depth=opts.depth, lam=opts.lam)
    payload = {
        "N": prob.N, "D": prob.D, "separation": prob.separation, "R": R, "depth": opts.depth,
        "architecture": prob.architecture.describe(), "f0": prob.initial_loss(),
        "m": point.m.to_dict(), "M": point.M.to_dict(), "beta": point.beta.to_dict(),
        "lambda_lower": point.lam.to_dict(), "Lambda_upper": point.Lam.to_dict(), "c": point.c.to_dict(),
    }
    text = (
        f"data: N = {prob.N}, d = {prob.d}, d' = {prob.d_out}, D = {prob.D}, separation = {prob.separation:.6g}, "
        f"F(0) = {prob.initial_loss():.6g}\n  {prob.architecture.describe()} ({design.chosen_by})\n"
        f"{point.pl.describe()}\n  beta(R) = {point.beta.value:.6g} [{point.beta.kind}]  ({point.beta.formula})"
    )
    emit(args, payload, text)
    return 0
