"""The ``resnet-pl`` command line.

Each subcommand lives in its own module of :mod:`verify.cli` and provides
``configure(parser)`` (its arguments) and ``run(args) -> int`` (its exit code).
Exit codes: 0 success, 2 bad input (a one-line reason on stderr); subcommands may define more
(``certify``: 1 = not guaranteed).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main", "SUBCOMMANDS"]

#: subcommand name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "kappa": ("verify.cli.kappa", "regularity constants c0, c1, c2 and kappa of a kernel"),
    "lambda": (
        "verify.cli.lam",
        "bracket of lambda_N(delta): rigorous lower bound, explicit-configuration upper bound",
    ),
    "pl": ("verify.cli.pl", "local PL constants m(R), M(R) and smoothness beta(R)"),
    "lzb": ("verify.cli.lzb", "Liu-Zhu-Belkin radius condition: is GD guaranteed to converge?"),
    "recipe": ("verify.cli.recipe", "smallest lifting and scalings that guarantee convergence"),
    "verify": ("verify.cli.verify", "run the property suites and write the slack report"),
    "certify": ("verify.cli.certify", "convergence certificate: is GD guaranteed to converge? (json/md/html)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resnet-pl",
        description="Constants and convergence certificates for RKHS neural ODEs / deep ResNets.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sp = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip())
        module.configure(sp)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``resnet-pl`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except ValueError as exc:
        print(f"resnet-pl {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
