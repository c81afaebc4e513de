"""Local PL constants m(R), M(R) and the smoothness beta(R) for a dataset and an architecture
(SPEC §5-§6, docs/pl.rst, docs/smoothness.rst)."""

from __future__ import annotations

import argparse

from bounds.pl import pl_constants
from bounds.smoothness import smoothness_constant
from verify.cli.common import (
    add_architecture_arguments,
    add_data_arguments,
    add_kernel_arguments,
    depth_from_args,
    emit,
    problem_from_args,
)


def configure(parser: argparse.ArgumentParser) -> None:
    add_kernel_arguments(parser)
    add_data_arguments(parser)
    add_architecture_arguments(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    prob = problem_from_args(args)
    depth = depth_from_args(args)
    pl = pl_constants(prob, args.R, constants=args.constants, depth=depth, lam=args.lam)
    beta = smoothness_constant(prob, args.R, constants=args.constants)
    payload = {
        "N": prob.N, "D": prob.D, "separation": prob.separation, "R": args.R, "depth": depth,
        "m": pl.m.to_dict(), "M": pl.M.to_dict(), "beta": beta.to_dict(),
        "lambda_lower": pl.lam.to_dict(), "Lambda_upper": pl.Lam.to_dict(), "c": pl.c.to_dict(),
    }
    text = (
        f"data: N = {prob.N}, d = {prob.d}, lifted D = {prob.D}, separation = {prob.separation:.6g}, "
        f"F(0) = {prob.initial_loss():.6g}\n{pl!r}\n  beta(R) = {beta.value:.6g} [{beta.kind}]  ({beta.formula})"
    )
    emit(args, payload, text)
    return 0
