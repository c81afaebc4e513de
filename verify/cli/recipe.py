"""Design search: the architecture and scalings for which the LZB condition holds from v0 = 0 —
the augmented architecture by its closed form and the copy lifting by search — re-certified with
the rigorous constants under the given options; optionally the random-feature width
(docs/recipe.rst) and the finite-width design: the width q for which a width-q network is
guaranteed with probability >= 1 - eta over the draw of its frequencies (docs/width.rst).
Exit codes: 0 a certified design, 1 none, 2 bad input.

Examples: resnet-pl recipe --dataset iris --depth 4
          resnet-pl recipe --dataset xor --width-eta 0.05
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from verify.cli.common import (
    add_chain_arguments,
    add_data_arguments,
    add_json_argument,
    add_kernel_arguments,
    emit,
    options_from_args,
    parse_depth,
)

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    add_kernel_arguments(parser)
    add_chain_arguments(parser)
    g = parser.add_argument_group("design search")
    g.add_argument("--depth", default="inf", help="ResNet depth T, or inf for the neural ODE (default inf)")
    g.add_argument("--form", choices=("discrete", "simplified", "sqrt", "lzb"), default="discrete",
                   help="sufficient LZB condition (default discrete)")
    g.add_argument("--target", type=float, default=1e-6, help="target loss: rank designs by iterations (default 1e-6)")
    g.add_argument("--families", default="augmented,copy",
                   help="comma-separated families searched: augmented, copy (default augmented,copy)")
    g.add_argument("--p-max", type=int, default=4096, help="largest copy lifting searched (default 4096)")
    g.add_argument("--rff-eps", type=float, default=None,
                   help="also report the random-feature width for sup|K_q - K| <= eps (default off)")
    g.add_argument("--eta", type=float, default=0.01, help="failure probability of the width bound (default 0.01)")
    g.add_argument("--width-eta", type=float, default=None,
                   help="also report the finite-width design: the smallest width q whose network is guaranteed with "
                        "probability >= 1 - ETA over the draw, and the certify command for a draw (default off)")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from bounds.recipe import best_design, rff_width  # noqa: PLC0415
    from verify.certificate.design import pair_pass, preprocess  # noqa: PLC0415
    from verify.certificate.pipeline import dataset_from_options  # noqa: PLC0415
    from verify.progress import Progress  # noqa: PLC0415

    opts = options_from_args(args, architecture="augmented", alpha=None, b=None, depth=parse_depth(args.depth))
    X, Y, w, _ = preprocess(dataset_from_options(opts), opts.standardize)
    pair_pass(X, opts, Progress(sys.stderr, "recipe"))  # one pass over the pairs for N > 1000, with progress
    families = tuple(f.strip() for f in args.families.split(",") if f.strip())
    form = opts.form if opts.form != "lzb" else "discrete"
    design = best_design(X, Y, opts.base_kernel(), weights=w, form=form, depth=opts.depth, constants=opts.constants,
                         lam=opts.lam, target=opts.target, families=families, p_max=args.p_max)
    arch = design.architecture
    payload = {"verified": design.verified, "architecture": arch.kind, "alpha": arch.alpha, "b": arch.b,
               "p": arch.p, "a": arch.a, "R": design.R, "rate": design.rate, "iterations": design.iterations,
               "f0": design.f0, "form": design.form, "kind": None if design.point is None else design.point.kind,
               "searched": list(design.searched), "description": design.describe()}
    verdict = "certified" if design.verified else "NOT certified (the nearest design found)"
    text = (f"{verdict}: {design.describe()}\n"
            f"  F(0) <= {design.f0:.6g}; {design.iterations} iterations to F <= {opts.target:g}\n"
            f"  searched: " + "; ".join(design.searched))
    if args.rff_eps is not None:
        radius = float(abs(X).max()) * X.shape[1] ** 0.5 * (arch.alpha or 1.0) + design.R
        q = rff_width(opts.base_kernel(), X.shape[1] + Y.shape[1], radius, args.rff_eps, args.eta)
        payload["rff_width"] = {"q": q, "eps": args.rff_eps, "eta": args.eta, "radius": radius}
        text += (f"\n  random features: q = {q} frequencies give sup|K_q - K| <= {args.rff_eps:g} "
                 f"w.p. >= {1 - args.eta:g}")
    if args.width_eta is not None:
        wtext = _width(args, opts, X, Y, w, form, payload)
        text += "\n" + wtext
    emit(args, payload, text)
    return 0 if design.verified else 1


def _width(args: argparse.Namespace, opts: Any, X: Any, Y: Any, w: Any, form: str, payload: dict) -> str:
    """The finite-width design (:func:`bounds.recipe.width_design`): payload entry and text."""
    from bounds.recipe import width_design  # noqa: PLC0415

    wd = width_design(X, Y, opts.base_kernel(), args.width_eta, weights=w, form=form, depth=opts.depth,
                      constants=opts.constants, lam=opts.lam)
    arch, best = wd.architecture, None if wd.certificate is None else wd.certificate.best
    payload["width_design"] = {"q": wd.q, "eta": wd.eta, "alpha": arch.alpha, "b": arch.b,
                               "rate": None if best is None else best.rate, "R": None if best is None else best.R,
                               "kind": f"probability >= {1 - wd.eta:g} over the draw", "description": wd.describe()}
    if wd.q is None or best is None:
        return f"  finite width: {wd.describe()}"
    command = " ".join(_certify_argv(opts, wd.q, wd.eta))
    payload["width_design"]["certify"] = command
    return (f"  finite width: q = {wd.q} random features, read-out b = {arch.b:.6g}: with probability >= "
            f"{1 - wd.eta:g} over the draw the width-{wd.q} network is guaranteed at rate {best.rate:.6g} "
            f"(a priori)\n  certify a draw: {command}")


def _certify_argv(opts: Any, q: int, eta: float) -> list[str]:
    """``resnet-pl certify`` for a draw of the finite-width design: the data and kernel options that
    differ from the defaults, the width, ``--width-eta`` and ``--rff-seed SEED`` (the finite-width
    closed form of certify then rebuilds the same design)."""
    from verify.certificate.datasets import NAMES  # noqa: PLC0415
    from verify.certificate.options import CertifyOptions  # noqa: PLC0415

    default = CertifyOptions()
    data = opts.data
    argv = ["resnet-pl", "certify", "--dataset" if data in NAMES else "--data", data]
    for name in ("n", "seed", "targets", "target_dim", "kernel", "nu", "lengthscale", "depth", "constants", "lam",
                 "form"):
        value = getattr(opts, name)
        if value != getattr(default, name):
            argv += [f"--{name.replace('_', '-')}", str(value)]
    if opts.standardize:
        argv.append("--standardize")
    return argv + ["--width", str(q), "--width-eta", f"{eta:g}", "--rff-seed", "SEED"]
