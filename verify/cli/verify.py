"""Run the property suites (docs/verify.rst) on our kernels or on yours, and optionally write the
slack report: how tight each inequality of the theory is in practice (docs/verify.rst).

Exit codes: 0 every bound held, 1 a bound was violated (the example is printed), 2 bad input."""

from __future__ import annotations

import argparse
import sys
import time

from verify.cli.common import add_kernel_arguments, kernel_from_args


def configure(parser: argparse.ArgumentParser) -> None:
    add_kernel_arguments(parser)
    parser.add_argument("--profile", choices=("ci", "dev", "thorough"), default="ci",
                        help="hypothesis profile (default ci)")
    parser.add_argument("--only", default=None,
                        help="comma-separated suites: regularity, flow, pl, smoothness, lzb, lambda, depth, toys "
                             "(default: all)")
    parser.add_argument("--max-examples", type=int, default=None,
                        help="override the profile's example count (default: the profile's)")
    parser.add_argument("--report", metavar="DIR", default=None, help="write the slack report into DIR (default off)")
    parser.add_argument("--optimise", action="store_true",
                        help="after hypothesis, refine the tightest examples with scipy (default off)")


def run(args: argparse.Namespace) -> int:
    from verify.testing.suites import SUITES, BoundViolation, run_suites  # noqa: PLC0415
    from verify.testing.suites.report import write_slack_report  # noqa: PLC0415

    kernel = kernel_from_args(args)
    only = None if args.only is None else [s.strip() for s in args.only.split(",") if s.strip()]
    names = list(SUITES) if only is None else only
    unknown = [name for name in names if name not in SUITES]
    if unknown:
        raise ValueError(f"only must name suites among {', '.join(SUITES)}; got {', '.join(unknown)}")
    from verify.testing.suites import SlackRecorder  # noqa: PLC0415

    recorder = SlackRecorder()
    t0 = time.perf_counter()
    status = 0
    for name in names:
        print(f"[verify] suite {name} on {kernel!r} (profile {args.profile}) ...", file=sys.stderr, flush=True)
        try:
            run_suites(kernel, only=[name], profile=args.profile, recorder=recorder, max_examples=args.max_examples,
                       optimise=args.optimise)
        except BoundViolation as exc:
            print(f"VIOLATION in suite {name}: {exc}", file=sys.stderr)
            status = 1
            break
    summary = recorder.summary()
    for bound, s in summary.items():
        print(
            f"{bound:34s} n={s['count']:4d}  tightness min {s['min']:.3g}  median {s['median']:.3g}  max {s['max']:.6g}"
        )
    if args.report:
        path = write_slack_report(
            recorder,
            args.report,
            meta={
                "kernel": repr(kernel),
                "profile": args.profile,
                "suites": names,
                "seconds": time.perf_counter() - t0,
            },
        )
        print(f"slack report: {path}", file=sys.stderr)
    print("all bounds held" if status == 0 else "a bound was VIOLATED", file=sys.stderr)
    return status
