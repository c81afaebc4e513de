"""Is gradient descent on this data set and architecture guaranteed to converge?

Computes the convergence certificate (separation, kappa, lambda, m(R), M(R), beta(R), the
Liu-Zhu-Belkin condition at the best R, rate and iterations), cross-checks it by training, and
writes certificate.json / .md / .html and plots into --out.  Exit codes: 0 guaranteed, 1 not
guaranteed (the report says which hypothesis failed and what would fix it), 2 bad input.
`--check certificate.json` recomputes a certificate and compares (0 equal, 1 different).
Docs: docs/certificate.rst.

With no data option and no architecture option, certify runs the built-in example:
  resnet-pl certify --dataset xor --architecture copy --p 20000 --a 0.013 --b 100 --depth 4
Otherwise the architecture defaults to the augmented one with its closed-form scales.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from verify.cli.common import (
    add_architecture_arguments,
    add_chain_arguments,
    add_data_arguments,
    add_kernel_arguments,
    add_search_arguments,
    architecture_given,
    options_from_args,
)

__all__ = ["configure", "run", "DEFAULT_EXAMPLE", "options_to_argv"]

#: The built-in example: the XOR parity set (N = 4, d = 2), copy lifting to D = 40000 with a = 0.013
#: (lifted separation a sqrt(p) delta = 3.68), b = 100, Matérn 5/2, a 4-layer ResNet.
DEFAULT_EXAMPLE: dict[str, Any] = {"architecture": "copy", "p": 20000, "a": 0.013, "b": 100.0, "depth": "4"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_data_arguments(parser, default=None)
    add_kernel_arguments(parser)
    k = parser.add_argument_group("finite width")
    k.add_argument("--width", type=int, default=None,
                   help="random Fourier features q (default: the infinite-width kernel model)")
    k.add_argument("--rff-seed", type=int, default=0,
                   help="seed of the random features and the cross-check (default 0)")
    k.add_argument("--width-eta", type=float, default=0.05,
                   help="failure probability of the a priori statement for any draw of this width, also used "
                        "by the finite-width closed form (docs/width.rst; default 0.05)")
    add_architecture_arguments(parser)
    parser.add_argument_group("design search").add_argument(
        "--auto", action="store_true",
        help="search the augmented and copy designs and certify the best one (docs/recipe.rst; default off)")
    add_chain_arguments(parser)
    add_search_arguments(parser)
    c = parser.add_argument_group("certificate")
    c.add_argument("--grid-size", type=int, default=41, help="radii on the search grid (default 41)")
    c.add_argument("--no-recipe", action="store_true",
                   help="when not guaranteed, do not run the design search for a fix (default: run it)")
    x = parser.add_argument_group("cross-check by training")
    x.add_argument("--gd-iterations", type=int, default=100, help="budget of GD iterations, 0 to skip (default 100)")
    x.add_argument("--gd-layers", type=int, default=4, help="layers approximating the ODE (depth inf; default 4)")
    x.add_argument("--gd-max-centres", type=int, default=2000,
                   help="infinite-width run only while N x stages x iterations <= this (default 2000)")
    x.add_argument("--gd-width", type=int, default=256, help="RFF width of the cross-check above that (default 256)")
    parser.add_argument_group("large data sets (docs/scale.rst)").add_argument(
        "--scheduler", metavar="ADDRESS", default=None,
        help="run the pair passes on the Dask cluster of this scheduler (tcp://host:8786); needs "
             "pip install 'resnet-pl[distributed]' (default: local threads)")
    o = parser.add_argument_group("output")
    o.add_argument("--out", default="certificate", help="output directory (default ./certificate)")
    o.add_argument("--check", metavar="JSON", default=None, help="recompute a certificate.json and compare")
    o.add_argument("--quiet", action="store_true", help="no progress on stderr")
    o.add_argument("--docs-url", default=None,
                   help="where the report's links point (default $RESNET_PL_DOCS_URL, else the docs built in the "
                        "source tree, docs/_build/html)")


def _example(args: argparse.Namespace) -> argparse.Namespace:
    """The built-in example when neither data nor architecture is given (module docstring)."""
    if args.dataset is not None or args.data is not None:
        return args
    if architecture_given(args) or args.auto:
        raise ValueError("give a data set (--dataset NAME or --data FILE) with the architecture options; "
                         "with no data and no architecture option certify runs the built-in example")
    return argparse.Namespace(**{**vars(args), "dataset": "xor", **DEFAULT_EXAMPLE})


def certify_options(args: argparse.Namespace) -> Any:
    """The certificate's options from the command line (the example applied, --auto resolved)."""
    args = _example(args)
    extra = dict(width=args.width, rff_seed=args.rff_seed, width_eta=args.width_eta, grid_size=args.grid_size,
                 gd_iterations=args.gd_iterations, gd_layers=args.gd_layers, gd_max_centres=args.gd_max_centres,
                 gd_width=args.gd_width, recipe=not args.no_recipe, scheduler=args.scheduler)
    opts = options_from_args(args, **extra)
    if args.auto:
        opts = _auto(opts, quiet=args.quiet)
    return opts


def _auto(opts: Any, quiet: bool) -> Any:
    """The options with the architecture of the best certified design (:func:`bounds.recipe.best_design`)."""
    from dataclasses import replace  # noqa: PLC0415

    from bounds.recipe import best_design  # noqa: PLC0415
    from verify.certificate.design import pair_pass, preprocess  # noqa: PLC0415
    from verify.certificate.pipeline import dataset_from_options  # noqa: PLC0415
    from verify.progress import Progress  # noqa: PLC0415

    if not quiet:
        print("[certify] --auto: searching the augmented and copy designs", file=sys.stderr)
    X, Y, w, _ = preprocess(dataset_from_options(opts), opts.standardize)
    pair_pass(X, opts, Progress(None if quiet else sys.stderr))
    form = opts.form if opts.form != "lzb" else "discrete"
    design = best_design(X, Y, opts.base_kernel(), weights=w, form=form, depth=opts.depth, constants=opts.constants,
                         lam=opts.lam, target=opts.target)
    arch = design.architecture
    if arch.kind == "augmented":
        return replace(opts, architecture="augmented", alpha=arch.alpha, b=arch.b, p=1, a=1.0)
    return replace(opts, architecture="copy", alpha=None, p=arch.p, a=arch.a, b=arch.b)


def options_to_argv(opts: Any) -> list[str]:
    """A command line reproducing ``opts`` (recorded as ``inputs.argv``)."""
    from verify.certificate.datasets import NAMES  # noqa: PLC0415

    argv = ["resnet-pl", "certify", "--dataset" if opts.data in NAMES else "--data", opts.data]
    flags = [("n", "--n"), ("seed", "--seed"), ("target_dim", "--target-dim"), ("targets", "--targets"),
             ("kernel", "--kernel"), ("nu", "--nu"), ("lengthscale", "--lengthscale"), ("width", "--width"),
             ("rff_seed", "--rff-seed"), ("width_eta", "--width-eta"), ("architecture", "--architecture"),
             ("alpha", "--alpha"), ("p", "--p"),
             ("a", "--a"), ("b", "--b"), ("depth", "--depth"), ("constants", "--constants"), ("lam", "--lam"),
             ("form", "--form"), ("R_min", "--R-min"), ("R_max", "--R-max"), ("grid_size", "--grid-size"),
             ("target", "--target"), ("gd_iterations", "--gd-iterations"), ("gd_layers", "--gd-layers"),
             ("gd_max_centres", "--gd-max-centres"), ("gd_width", "--gd-width")]
    for field_name, flag in flags:
        value = getattr(opts, field_name)
        if value is None:
            if field_name == "depth":
                argv += [flag, "inf"]
            continue
        if opts.architecture == "augmented" and field_name in ("p", "a"):
            continue
        argv += [flag, repr(value) if isinstance(value, float) else str(value)]
    if opts.standardize:
        argv.append("--standardize")
    if not opts.recipe:
        argv.append("--no-recipe")
    return argv


def run(args: argparse.Namespace) -> int:
    if args.check is not None:
        from verify.certificate.compare import check  # noqa: PLC0415

        return check(args.check, quiet=args.quiet)
    opts = certify_options(args)
    from verify.certificate.pipeline import certify  # noqa: PLC0415

    stream = None if args.quiet else sys.stderr
    cert = certify(opts, progress=stream, argv=options_to_argv(opts))
    paths = cert.save(args.out, args.docs_url)
    print(cert.conclusion)
    print(f"wrote {len(paths)} files to {os.path.abspath(args.out)}/ (certificate.json, .md, .html, plots)")
    if cert.cross_check is not None:
        cc = cert.cross_check
        verdict = "n/a (no guarantee)" if cc.agrees is None else cc.agrees
        print(f"cross-check ({cc.label}): loss below envelope {cc.loss_below_envelope}, "
              f"distance below R {cc.distance_below_R}, agrees with the certificate: {verdict}")
    return cert.exit_code
