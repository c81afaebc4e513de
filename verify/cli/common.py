"""Arguments shared by the subcommands, with the same names and defaults everywhere.

This module is imported by ``resnet-pl --help``: it imports nothing heavy at module level (the
numerical packages are imported inside the functions that build objects)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # the CLI imports no numerical library before a command runs
    from bounds.kernels import Kernel

__all__ = [
    "add_data_arguments",
    "add_kernel_arguments",
    "add_architecture_arguments",
    "add_chain_arguments",
    "add_search_arguments",
    "add_json_argument",
    "DATASET_NAMES",
    "kernel_from_args",
    "options_from_args",
    "parse_depth",
    "architecture_given",
    "emit",
]

#: Built-in data sets (verify.certificate.datasets: generators, then scikit-learn's real sets).
DATASET_NAMES = ("moons", "circles", "sphere", "xor", "gaussian-mixture", "iris", "wine", "breast-cancer", "digits")


def add_data_arguments(parser: argparse.ArgumentParser, *, default: str | None = "xor") -> None:
    g = parser.add_argument_group("data")
    shown = "the example below" if default is None else default
    g.add_argument("--dataset", default=None, metavar="NAME",
                   help=f"built-in data set: {', '.join(DATASET_NAMES)} (default {shown})")
    parser.set_defaults(_dataset_default=default)
    g.add_argument("--data", metavar="FILE", default=None,
                   help=".npy/.npz/.csv file: features then targets (docs/certificate.rst, 'Input data')")
    g.add_argument("--target-dim", type=int, default=1, metavar="K",
                   help="number of target columns at the end of --data (default 1)")
    g.add_argument("--targets", choices=("values", "classes"), default="values",
                   help="values: the target columns as they are; classes: one label column, encoded as "
                        "+-1 for two classes and one-hot otherwise (default values)")
    g.add_argument("--standardize", action="store_true",
                   help="centre each feature and divide by its standard deviation (default off)")
    g.add_argument("--n", type=int, default=None, metavar="N",
                   help="number of points of the built-in data set (default: its own size)")
    g.add_argument("--seed", type=int, default=0, help="seed of the built-in data set or subset (default 0)")


def add_kernel_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("kernel")
    g.add_argument("--kernel", default="matern",
                   help="matern, gaussian, or MODULE:OBJECT naming your own kernel object (default matern)")
    g.add_argument("--nu", default="5/2", help="Matérn smoothness, exact rationals allowed (default 5/2)")
    g.add_argument("--lengthscale", default="1", help="length scale l > 0 (default 1)")


#: Defaults of the architecture options (unset options are ``None`` on the command line so that
#: ``certify`` can tell "nothing given" from "the defaults given").
ARCHITECTURE_DEFAULTS: dict[str, Any] = {"architecture": "augmented", "p": 1, "a": 1.0, "depth": "inf"}
ARCHITECTURE_OPTIONS = ("architecture", "alpha", "p", "a", "b", "depth")


def add_architecture_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("architecture (docs/recipe.rst)")
    g.add_argument("--architecture", choices=("augmented", "copy"), default=None,
                   help="augmented: A = alpha [I; 0], B = b [0, I]; copy: A = a (I, ..., I)^T with p blocks, "
                        "B = b (I, 0) (default augmented)")
    g.add_argument("--alpha", type=float, default=None,
                   help="augmented lifting scale (default: the closed form of docs/recipe.rst)")
    g.add_argument("--p", type=int, default=None, help="copy lifting: number of copies of the input (default 1)")
    g.add_argument("--a", type=float, default=None, help="copy lifting scale a > 0 (default 1)")
    g.add_argument("--b", type=float, default=None,
                   help="read-out scale b > 0 (default: closed form for augmented, 1 for copy)")
    g.add_argument("--depth", default=None, help="ResNet depth T, or inf for the neural ODE (default inf)")


def architecture_given(args: argparse.Namespace) -> bool:
    """Was any architecture option given on the command line?"""
    return any(getattr(args, name, None) is not None for name in ARCHITECTURE_OPTIONS)


def _architecture(args: argparse.Namespace) -> dict[str, Any]:
    values = {name: getattr(args, name, None) for name in ARCHITECTURE_OPTIONS}
    for name, default in ARCHITECTURE_DEFAULTS.items():
        if values[name] is None:
            values[name] = default
    values["depth"] = parse_depth(values["depth"])
    return values


def add_chain_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("constants")
    g.add_argument("--constants", choices=("sharp", "paper"), default="sharp",
                   help="sharp: c1 and the Gershgorin Lambda; paper: kappa everywhere, Lambda = N (default sharp)")
    g.add_argument("--lam", choices=("best", "data", "worst-case", "estimate"), default="best",
                   help="source of the lambda lower bound: best rigorous one, data-dependent, worst-case "
                        "lambda_N, or the numerical estimate (default best)")


def add_search_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("radius condition (docs/lzb.rst)")
    g.add_argument("--form", choices=("discrete", "simplified", "sqrt", "lzb"), default="discrete",
                   help="sufficient LZB condition (default discrete)")
    g.add_argument("--target", type=float, default=1e-6, help="target loss for the iteration count (default 1e-6)")
    g.add_argument("--R-min", type=float, default=None, help="smallest radius searched (default R_max / 1e4)")
    g.add_argument("--R-max", type=float, default=None,
                   help="largest radius searched (default 3/c1, and sqrt(T)/(2 c1) for a ResNet)")


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")


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


def kernel_from_args(args: argparse.Namespace) -> Kernel:
    """The kernel named by ``--kernel`` (``matern``, ``gaussian`` or ``module:object``)."""
    from bounds.kernels import Gaussian, Matern  # noqa: PLC0415

    if args.kernel == "gaussian":
        return Gaussian(args.lengthscale)
    if args.kernel == "matern":
        return Matern(args.nu, args.lengthscale)
    if ":" in args.kernel:
        from verify.certificate.options import load_object  # noqa: PLC0415

        return cast("Kernel", load_object(args.kernel))  # a user kernel: checked where it is used
    raise ValueError(f"kernel must be matern, gaussian or MODULE:OBJECT, got {args.kernel!r}")


def _data_option(args: argparse.Namespace) -> str:
    if args.dataset is not None and args.data is not None:
        raise ValueError("give either --dataset or --data, not both")
    if args.data is not None:
        if not os.path.isfile(args.data):
            raise ValueError(f"data file {args.data!r} not found")
        return os.path.abspath(args.data)  # --check may run from another directory
    name = args.dataset if args.dataset is not None else getattr(args, "_dataset_default", None)
    if name is None:
        raise ValueError("give a data set: --dataset NAME or --data FILE")
    return str(name)


def options_from_args(args: argparse.Namespace, **overrides: Any) -> Any:
    """The :class:`~verify.certificate.options.CertifyOptions` named by the shared arguments (the
    subcommand's own ones given in ``overrides``)."""
    from verify.certificate.options import CertifyOptions  # noqa: PLC0415

    values: dict[str, Any] = dict(
        data=_data_option(args), n=args.n, seed=args.seed, target_dim=args.target_dim, targets=args.targets,
        standardize=args.standardize, kernel=args.kernel, nu=args.nu, lengthscale=_float("lengthscale", args),
        constants=args.constants, lam=args.lam,
    )
    if hasattr(args, "architecture"):
        values.update(_architecture(args))
    for name in ("form", "target", "R_min", "R_max"):
        if hasattr(args, name):
            values[name] = getattr(args, name)
    values.update(overrides)
    return CertifyOptions(**values)


def _float(name: str, args: argparse.Namespace) -> float:
    try:
        return float(getattr(args, name))
    except ValueError:
        raise ValueError(f"{name} must be a number, got {getattr(args, name)!r}") from None


def emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    """Print ``payload`` as JSON with ``--json``, else the human-readable ``text``."""
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, default=str, allow_nan=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip() + "\n")
