"""Arguments shared by the ``pl``, ``lzb`` and ``recipe`` subcommands: the kernel, the data and
the architecture (lifting ``A = a(I,…,I)ᵀ`` with p blocks, output map ``B = b(I, 0)``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bounds.kernels import Gaussian, Matern
from bounds.problem import Problem, lifting, output_map

__all__ = ["add_kernel_arguments", "kernel_from_args", "load_object", "add_data_arguments", "data_from_args",
           "add_architecture_arguments", "problem_from_args", "emit"]


def add_kernel_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("kernel")
    g.add_argument("--kernel", default="matern",
                   help="matern (default), gaussian, or MODULE:OBJECT naming your own kernel object")
    g.add_argument("--nu", default="5/2", help="Matérn smoothness, exact rationals allowed (default 5/2)")
    g.add_argument("--lengthscale", default="1", help="length scale l > 0 (default 1)")


def kernel_from_args(args: argparse.Namespace) -> object:
    """The kernel named by ``--kernel`` (``matern``, ``gaussian`` or ``module:object``)."""
    if args.kernel == "gaussian":
        return Gaussian(args.lengthscale)
    if args.kernel == "matern":
        return Matern(args.nu, args.lengthscale)
    if ":" in args.kernel:
        return load_object(args.kernel)
    raise ValueError(f"kernel must be matern, gaussian or MODULE:OBJECT, got {args.kernel!r}")


def load_object(spec: str) -> object:
    """Import ``module:object`` (a user's kernel)."""
    import importlib  # noqa: PLC0415

    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"kernel must look like module:object, got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"kernel: cannot import module {module_name!r} ({exc})") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ValueError(f"kernel: module {module_name!r} has no attribute {attr!r}") from None


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("data")
    g.add_argument("--dataset", default="xor", help="built-in dataset: moons, circles, sphere, xor (default xor)")
    g.add_argument(
        "--data", metavar="FILE", help=".npy/.npz/.csv file (features then targets; see docs/certificate.rst)"
    )
    g.add_argument("--target-dim", type=int, default=1, help="number of target columns in --data (default 1)")
    g.add_argument("--n", type=int, default=None, help="number of points of the built-in dataset")
    g.add_argument("--seed", type=int, default=0, help="seed of the built-in dataset (default 0)")


def data_from_args(args: argparse.Namespace) -> tuple[Any, Any]:
    """``(X, Y)`` from ``--data`` or the built-in ``--dataset``."""
    from verify.certificate.datasets import load_dataset, make_dataset  # noqa: PLC0415 (optional heavy import)

    ds = (
        load_dataset(args.data, target_dim=args.target_dim)
        if args.data
        else make_dataset(args.dataset, n=args.n, seed=args.seed)
    )
    return ds.X, ds.Y


def add_architecture_arguments(parser: argparse.ArgumentParser, *, with_radius: bool = True) -> None:
    g = parser.add_argument_group("architecture")
    g.add_argument("--p", type=int, default=1, help="lifting: number of copies of the input (default 1)")
    g.add_argument("--a", type=float, default=1.0, help="lifting scale a > 0 (default 1)")
    g.add_argument("--b", type=float, default=1.0, help="output scale b > 0 (default 1)")
    g.add_argument("--depth", default="inf", help="ResNet depth T, or inf for the neural ODE (default inf)")
    g.add_argument(
        "--constants",
        choices=("sharp", "paper"),
        default="sharp",
        help="sharp: c1 and Gershgorin Lambda; paper: kappa everywhere, Lambda = N",
    )
    g.add_argument(
        "--lam",
        choices=("best", "worst-case", "data", "estimate"),
        default="best",
        help="source of the lambda lower bound (default best rigorous one)",
    )
    if with_radius:
        g.add_argument("--R", type=float, default=0.5, help="radius of the ball in H (default 0.5)")


def parse_depth(value: object) -> int | None:
    """``None`` (the neural ODE) for ``inf``/``ode``/``None``, else a positive integer depth T."""
    if value is None or str(value).lower() in ("inf", "infinity", "ode"):
        return None
    try:
        T = int(str(value))
    except ValueError:
        raise ValueError(f"depth must be a positive integer or inf, got {value!r}") from None
    if T < 1:
        raise ValueError(f"depth must be a positive integer or inf, got {value!r}")
    return T


def depth_from_args(args: argparse.Namespace) -> int | None:
    return parse_depth(args.depth)


def problem_from_args(args: argparse.Namespace) -> Problem:
    X, Y = data_from_args(args)
    kernel = kernel_from_args(args)
    A = lifting(X.shape[1], args.p, args.a)
    return Problem(X, Y, A, output_map(Y.shape[1], A.shape[0], args.b), kernel)


def emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    """Print ``payload`` as JSON with ``--json``, else the human-readable ``text``."""
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")
