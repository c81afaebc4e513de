"""The Liu-Zhu-Belkin radius condition from v0 = 0: is gradient descent with step 1/beta
guaranteed to converge, with which radius, rate and iteration count (SPEC §7, docs/lzb.rst)."""

from __future__ import annotations

import argparse
import math

from bounds.chain import lzb_for_problem
from bounds.lzb import GD_FORMS
from bounds.pl import jacobian_constant
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
    add_architecture_arguments(parser, with_radius=False)
    parser.add_argument("--form", choices=GD_FORMS, default="discrete", help="sufficient condition (docs/lzb.rst)")
    parser.add_argument("--target", type=float, default=1e-6, help="target loss for the iteration count")
    parser.add_argument("--R-max", type=float, default=10.0, help="largest radius searched")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    prob = problem_from_args(args)
    depth = depth_from_args(args)
    c1 = float(jacobian_constant(prob, args.constants))
    R_max = args.R_max if depth is None else min(args.R_max, 0.999 * math.sqrt(depth) / c1)
    cert = lzb_for_problem(prob, constants=args.constants, depth=depth, lam=args.lam, form=args.form, R_max=R_max,
                           target=args.target)
    best = cert.best
    payload = {
        "guaranteed": cert.guaranteed, "form": cert.form, "f0": cert.f0,
        "feasible": [list(i) for i in cert.feasible],
        "best": None if best is None else {"R": best.R, "m": best.m, "M": best.M, "beta": best.beta,
                                           "rate": best.rate, "allowed_f0": best.allowed_f0},
        "iterations": cert.iterations, "target": cert.target, "lambda_source": args.lam,
        "kind": "estimate" if args.lam == "estimate" else "rigorous",
    }
    if best is None:
        text = (f"NOT guaranteed: the {cert.form} LZB condition fails for every R in (0, {R_max:g}] "
                f"with F(0) = {cert.f0:.6g}. Try lifting (resnet-pl recipe).")
    else:
        text = (f"GUARANTEED ({cert.form} form): gradient descent with step 1/beta = {1 / best.beta:.6g} from v0 = 0 "
                f"stays in the ball R = {best.R:.6g} and F_k <= {best.rate:.9f}^k F(0), F(0) = {cert.f0:.6g};\n"
                f"  {cert.iterations} iterations reach F <= {args.target:g}. Feasible R: "
                + ", ".join(f"[{a:.4g}, {b:.4g}]" for a, b in cert.feasible))
    emit(args, payload, text)
    return 0 if cert.guaranteed else 1
