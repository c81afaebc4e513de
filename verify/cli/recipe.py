"""Design calculator: the smallest lifting p and the scalings (a, b, R) for which the LZB
condition holds from v0 = 0, and optionally the random-feature width (SPEC §8, docs/recipe.rst)."""

from __future__ import annotations

import argparse

from bounds.recipe import lifting_recipe, rff_width
from verify.cli.common import add_data_arguments, add_kernel_arguments, data_from_args, emit, kernel_from_args


def configure(parser: argparse.ArgumentParser) -> None:
    add_kernel_arguments(parser)
    add_data_arguments(parser)
    parser.add_argument("--form", choices=("discrete", "simplified", "sqrt"), default="discrete",
                        help="LZB sufficient condition (docs/lzb.rst)")
    parser.add_argument("--p-max", type=int, default=2**20, help="largest lifting searched")
    parser.add_argument("--rff-eps", type=float, default=None,
                        help="also report the random-feature width for sup|K_q - K| <= eps")
    parser.add_argument("--eta", type=float, default=0.01, help="failure probability of the width bound")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    X, Y = data_from_args(args)
    kernel = kernel_from_args(args)
    design = lifting_recipe(X, Y, kernel, form=args.form, p_max=args.p_max)
    if design is None:
        emit(args, {"found": False}, f"no design with p <= {args.p_max} satisfies the {args.form} LZB condition")
        return 1
    payload = {"found": True, **{k: getattr(design, k) for k in (
        "p", "a", "b", "lengthscale", "R", "f0", "m", "M", "beta", "rate", "form", "verified")},
        "searched": list(design.searched)}
    text = (f"lift to p = {design.p} copies (D = {design.p * X.shape[1]}), a = {design.a:.6g}, b = {design.b:.6g}, "
            f"lengthscale = {design.lengthscale:g}, radius R = {design.R:.6g}\n"
            f"  F(0) = {design.f0:.6g}, m = {design.m:.6g}, M = {design.M:.6g}, beta = {design.beta:.6g}, "
            f"rate 1 - m/(2 beta) = {design.rate:.9f}\n"
            f"  verified with rigorous constants: {design.verified} (p is the smallest found by search)")
    if args.rff_eps is not None:
        radius = design.a * design.p**0.5 * float(abs(X).max()) * X.shape[1] ** 0.5 + design.R
        q = rff_width(kernel, design.p * X.shape[1], radius, args.rff_eps, args.eta)
        payload["rff_width"] = {"q": q, "eps": args.rff_eps, "eta": args.eta, "radius": radius}
        text += (
            f"\n  random features: q = {q} frequencies give sup|K_q - K| <= {args.rff_eps:g} w.p. >= {1 - args.eta:g}"
        )
    emit(args, payload, text)
    return 0 if design.verified else 1
