"""The ``resnet-pl`` command line: the only layer that imports everything.

Each subcommand lives in its own module of :mod:`verify.cli` with ``configure(parser)`` (its
arguments; imports nothing heavy, so ``resnet-pl --help`` is fast) and ``run(args) -> int`` (its
exit code).  Exit codes: 0 success, 1 a negative verdict (``certify``/``lzb``/``recipe``: not
guaranteed; ``verify``: a bound violated), 2 bad input or an unusable environment (a one-line
reason on stderr: files, permissions, overflow, memory, a closed output pipe), 3 an internal error
(one line; ``RESNET_PL_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

__all__ = ["main", "SUBCOMMANDS", "build_parser"]

#: subcommand name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "certify": ("verify.cli.certify", "convergence certificate: is GD guaranteed to converge? (json/md/html)"),
    "recipe": ("verify.cli.recipe", "design search: the architecture and scales that guarantee convergence"),
    "lzb": ("verify.cli.lzb", "Liu-Zhu-Belkin radius condition: is GD guaranteed to converge?"),
    "pl": ("verify.cli.pl", "local PL constants m(R), M(R) and smoothness beta(R)"),
    "kappa": ("verify.cli.kappa", "regularity constants c0, c1, c2 and kappa of a kernel"),
    "lambda": ("verify.cli.lam", "bracket of lambda_N(delta): rigorous lower bound, explicit upper bound"),
    "verify": ("verify.cli.verify", "run the property suites and write the slack report"),
    "train": ("verify.cli.train", "train a finite-width RFF ResNet on a data set beside a linear classifier"),
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("resnet-pl")
    except PackageNotFoundError:  # pragma: no cover - a source tree without installation
        return "unknown"


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SystemExit(_fail(f"{self.prog}: error: {message}", 2))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="resnet-pl",
                     description="Constants and convergence certificates for RKHS neural ODEs / deep ResNets.")
    parser.add_argument("--version", action="version", version=f"resnet-pl {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sp = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip(),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        module.configure(sp)
        sp.set_defaults(_run=module.run)
    return parser


def _fail(message: str, code: int) -> int:
    line = " ".join(str(message).split())
    try:
        print(line, file=sys.stderr)
    except (BrokenPipeError, OSError):  # pragma: no cover - stderr closed too
        pass
    return code


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.strerror or type(exc).__name__}: {exc.filename!r}"
    return str(exc) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``resnet-pl`` console script (and ``python -m verify``)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    prefix = f"resnet-pl {args.command}: error:"
    try:
        return int(args._run(args))
    except BrokenPipeError:
        _quiet_stdout()
        return _fail(f"{prefix} output pipe closed", 2)
    except (ValueError, ArithmeticError) as exc:
        return _fail(f"{prefix} {exc}", 2)
    except MemoryError:
        return _fail(f"{prefix} out of memory: use a smaller data set (--n) or fewer features", 2)
    except OSError as exc:
        return _fail(f"{prefix} {_describe(exc)}", 2)
    except KeyboardInterrupt:
        return _fail(f"{prefix} interrupted", 130)
    except Exception as exc:  # noqa: BLE001 - the boundary: never a traceback
        if os.environ.get("RESNET_PL_DEBUG"):
            raise
        return _fail(f"resnet-pl {args.command}: internal error: {type(exc).__name__}: {exc} "
                     "(please report it; RESNET_PL_DEBUG=1 shows the traceback)", 3)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
