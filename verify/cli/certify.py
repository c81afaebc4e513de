"""Is gradient descent on this dataset and architecture guaranteed to converge?

Computes the convergence certificate (separation, kappa, lambda, m(R), M(R), beta(R), the
Liu-Zhu-Belkin condition at the best R, rate and iterations), cross-checks it by training, and
writes certificate.json / .md / .html and plots into --out (default ./certificate).  With no
arguments it certifies a default example (the XOR parity set, lifted).  Exit codes: 0 guaranteed,
1 not guaranteed (the report says which hypothesis failed and what would fix it), 2 bad input.
`--check certificate.json` recomputes a certificate and compares (0 equal, 1 different).
Docs: docs/certificate.rst.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from verify.cli.common import parse_depth

__all__ = ["configure", "run", "DEFAULT_EXAMPLE"]

#: The default example: the XOR parity set (N = 4, d = 2), lifted to D = 40000 with a = 0.013
#: (lifted separation a sqrt(p) delta = 3.68), b = 100, Matern 5/2, a 4-layer ResNet.  The LZB
#: condition holds (docs/certificate.rst, "The default example").
DEFAULT_EXAMPLE: dict[str, Any] = {"data": "xor", "p": 20000, "a": 0.013, "b": 100.0, "depth": 4}


def configure(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("data (default: the built-in example)")
    g.add_argument("--dataset", default=None, help="built-in dataset: moons, circles, sphere, xor")
    g.add_argument("--data", metavar="FILE", default=None,
                   help=".npy/.npz/.csv file: features then targets (docs/certificate.rst)")
    g.add_argument("--target-dim", type=int, default=1, help="number of target columns of --data (default 1)")
    g.add_argument("--n", type=int, default=None, help="number of points of the built-in dataset")
    g.add_argument("--seed", type=int, default=0, help="seed of the built-in dataset (default 0)")
    k = parser.add_argument_group("kernel and width")
    k.add_argument("--kernel", choices=("matern", "gaussian"), default="matern", help="default matern")
    k.add_argument("--nu", default="5/2", help="Matern smoothness nu > 2 (default 5/2)")
    k.add_argument("--lengthscale", type=float, default=1.0, help="length scale (default 1)")
    k.add_argument("--width", type=int, default=None, help="random Fourier features q (default: infinite width)")
    k.add_argument("--rff-seed", type=int, default=0, help="seed of the random features and the cross-check")
    a = parser.add_argument_group("architecture")
    a.add_argument("--p", type=int, default=None, help="lifting: copies of the input (default 1)")
    a.add_argument("--a", type=float, default=None, help="lifting scale (default 1)")
    a.add_argument("--b", type=float, default=None, help="output scale (default 1)")
    a.add_argument("--auto", action="store_true", help="choose p, a, b with the lifting recipe (bounds.recipe)")
    a.add_argument("--depth", default=None, help="ResNet depth T or inf for the neural ODE (default inf)")
    c = parser.add_argument_group("certificate")
    c.add_argument("--constants", choices=("sharp", "paper"), default="sharp")
    c.add_argument("--lam", choices=("data", "best", "worst-case", "estimate"), default="data",
                   help="source of the lambda lower bound (default data: the data-dependent bound)")
    c.add_argument("--form", choices=("discrete", "simplified", "sqrt", "lzb"), default="discrete",
                   help="sufficient LZB condition (docs/lzb.rst)")
    c.add_argument("--R-min", type=float, default=1e-3)
    c.add_argument("--R-max", type=float, default=None, help="default 3/c1 (and sqrt(T)/(2 c1) for a ResNet)")
    c.add_argument("--grid-size", type=int, default=41)
    c.add_argument("--target", type=float, default=1e-6, help="target loss for the iteration count")
    c.add_argument("--no-recipe", action="store_true", help="do not run the lifting recipe when not guaranteed")
    x = parser.add_argument_group("cross-check by training")
    x.add_argument("--gd-iterations", type=int, default=100, help="budget of GD iterations (0: skip)")
    x.add_argument("--gd-layers", type=int, default=4, help="layers approximating the ODE (depth inf)")
    x.add_argument("--gd-max-centres", type=int, default=2000,
                   help="infinite-width run only while N x stages x iterations <= this (default 2000)")
    x.add_argument("--gd-width", type=int, default=256, help="RFF width of the cross-check above that N")
    o = parser.add_argument_group("output")
    o.add_argument("--out", default="certificate", help="output directory (default ./certificate)")
    o.add_argument("--check", metavar="JSON", default=None, help="recompute a certificate.json and compare")
    o.add_argument("--quiet", action="store_true", help="no progress on stderr")




def options_from_args(args: argparse.Namespace) -> Any:
    from verify.certificate.options import CertifyOptions

    if args.dataset is not None and args.data is not None:
        raise ValueError("give either --dataset or --data, not both")
    default = args.dataset is None and args.data is None
    base = DEFAULT_EXAMPLE if default else {"p": 1, "a": 1.0, "b": 1.0, "depth": None}
    data = "xor" if default else (args.data if args.data is not None else args.dataset)
    if args.data is not None:
        if not os.path.isfile(args.data):
            raise ValueError(f"data file {args.data!r} not found")
        data = os.path.abspath(args.data)  # --check may run from another directory
    p = args.p if args.p is not None else base["p"]
    a = args.a if args.a is not None else base["a"]
    b = args.b if args.b is not None else base["b"]
    depth = parse_depth(args.depth) if args.depth is not None else base["depth"]
    opts = dict(
        data=data, n=args.n, seed=args.seed, target_dim=args.target_dim, kernel=args.kernel, nu=args.nu,
        lengthscale=args.lengthscale, width=args.width, rff_seed=args.rff_seed, p=p, a=a, b=b, depth=depth,
        constants=args.constants, lam=args.lam, form=args.form, R_min=args.R_min, R_max=args.R_max,
        grid_size=args.grid_size, target=args.target, gd_iterations=args.gd_iterations,
        gd_layers=args.gd_layers, gd_max_centres=args.gd_max_centres, gd_width=args.gd_width,
        recipe=not args.no_recipe,
    )
    if args.auto:
        opts.update(_auto(opts, args))
    return CertifyOptions(**opts)


def options_to_argv(opts: Any) -> list[str]:
    """A command line reproducing ``opts`` (recorded as ``inputs.argv``)."""
    from verify.certificate.datasets import BUILTIN

    argv = ["resnet-pl", "certify", "--dataset" if opts.data in BUILTIN else "--data", opts.data]
    flags = [("n", "--n"), ("seed", "--seed"), ("target_dim", "--target-dim"), ("kernel", "--kernel"),
             ("nu", "--nu"), ("lengthscale", "--lengthscale"), ("width", "--width"), ("rff_seed", "--rff-seed"),
             ("p", "--p"), ("a", "--a"), ("b", "--b"), ("depth", "--depth"), ("constants", "--constants"),
             ("lam", "--lam"), ("form", "--form"), ("R_min", "--R-min"), ("R_max", "--R-max"),
             ("grid_size", "--grid-size"), ("target", "--target"), ("gd_iterations", "--gd-iterations"),
             ("gd_layers", "--gd-layers"), ("gd_max_centres", "--gd-max-centres"), ("gd_width", "--gd-width")]
    for field_name, flag in flags:
        value = getattr(opts, field_name)
        if value is None:
            if field_name == "depth":
                argv += [flag, "inf"]
            continue
        argv += [flag, repr(value) if isinstance(value, float) else str(value)]
    if not opts.recipe:
        argv.append("--no-recipe")
    return argv


def _auto(opts: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    try:
        from bounds.recipe import lifting_recipe
    except ImportError as exc:
        raise ValueError(f"--auto: the lifting recipe (bounds.recipe) is not available yet ({exc})") from exc
    from verify.certificate.options import CertifyOptions
    from verify.certificate.pipeline import dataset_from_options

    probe = CertifyOptions(**opts)
    ds = dataset_from_options(probe)
    if not args.quiet:
        print("[certify] --auto: searching the lifting recipe", file=sys.stderr)
    design = lifting_recipe(ds.X, ds.Y, probe.base_kernel(), form=opts["form"] if opts["form"] != "lzb" else "discrete")
    if design is None:
        raise ValueError("--auto: the lifting recipe found no lifting p that satisfies the LZB condition")
    return {"p": int(design.p), "a": float(design.a), "b": float(design.b)}


def run(args: argparse.Namespace) -> int:
    if args.check is not None:
        from verify.certificate.compare import check

        return check(args.check, quiet=args.quiet)
    opts = options_from_args(args)
    from verify.certificate.pipeline import certify

    stream = None if args.quiet else sys.stderr
    cert = certify(opts, progress=stream, argv=options_to_argv(opts))
    paths = cert.save(args.out)
    print(cert.conclusion)
    print(f"wrote {len(paths)} files to {os.path.abspath(args.out)}/ (certificate.json, .md, .html, plots)")
    if cert.cross_check is not None:
        cc = cert.cross_check
        verdict = "n/a (no guarantee)" if cc.agrees is None else cc.agrees
        print(f"cross-check ({cc.label}): loss below envelope {cc.loss_below_envelope}, "
              f"distance below R {cc.distance_below_R}, agrees with the certificate: {verdict}")
    return cert.exit_code
