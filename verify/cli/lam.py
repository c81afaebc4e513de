"""Bracket λ_N(δ) = inf λ_min(K_X) over δ-separated sets of at most N points in R^D:
[best rigorous lower bound, best upper bound from an explicit configuration] (docs/lambda.rst).

Example: resnet-pl lambda --nu 5/2 --n 50 --delta 0.5 --dim 2 --json
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from verify.cli.common import add_json_argument, add_kernel_arguments, kernel_from_args

__all__ = ["configure", "run", "plot_bracket"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``resnet-pl lambda``."""
    add_kernel_arguments(parser)
    g = parser.add_argument_group("point sets")
    g.add_argument("--n", type=int, required=True, help="number of points N >= 2 (required)")
    g.add_argument("--delta", type=float, required=True, help="separation δ > 0 (required)")
    g.add_argument("--dim", type=int, required=True, help="dimension D >= 1 (required)")
    g.add_argument("--adversarial", type=float, default=0.0, metavar="SECONDS",
                   help="also run the adversarial search for SECONDS (default 0: off)")
    g.add_argument("--seed", type=int, default=0, help="seed of the adversarial search (default 0)")
    add_json_argument(parser)
    parser.add_argument("--plot", metavar="FILE", default=None,
                        help="write a plot of the bracket against δ (log scales) to FILE (default off)")


def _fmt(q: Any) -> str:
    import mpmath  # noqa: PLC0415

    if q.value == 0.0 and q.mp is not None and q.mp > 0:
        return f"{mpmath.nstr(q.mp, 6)} (below the double range; value 0.0)"
    return f"{q.value:.6g}"


def _text(b: Any) -> str:
    gap = f"{b.gap:.4g}" if math.isfinite(b.gap) else "inf (lower bound is 0)"
    lines = [
        f"lambda_N(delta) for {b.kernel_name}, N = {b.N}, delta = {b.delta:g}, D = {b.D}",
        f"  lower  {_fmt(b.lower):>14}  [{b.lower.kind}]  from {b.lower_source}  ({b.lower.reference})",
        f"  upper  {_fmt(b.upper):>14}  [{b.upper.kind}]  from {b.upper_source}  ({b.upper.reference})",
        f"  gap upper/lower = {gap}",
    ]
    if b.upper_points is not None and b.upper_points.shape[0] < b.N:
        lines.append(
            f"  (upper-bound configuration has {b.upper_points.shape[0]} <= N points: lambda_N <= lambda_n for n <= N)"
        )
    lines += [
        f"  time {b.seconds:.3f} s",
    ]
    return "\n".join(lines)


def plot_bracket(kernel: Any, N: int, D: int, deltas: Any, path: str) -> None:
    """Plot the lower and upper bounds of the bracket against δ on log–log axes, to ``path``."""
    import matplotlib  # noqa: PLC0415
    import mpmath  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    from bounds.lambda_min.bracket import lambda_bracket  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    brackets = [lambda_bracket(kernel, N, float(d), D) for d in deltas]
    lo = np.array([float(mpmath.log10(b.lower.mp)) if b.lower.mp and b.lower.mp > 0 else np.nan for b in brackets])
    hi = np.array([math.log10(b.upper.value) if b.upper.value > 0 else np.nan for b in brackets])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(deltas, hi, "o-", label="upper (explicit configuration)")
    ax.plot(deltas, lo, "s-", label="lower (rigorous)")
    ax.fill_between(deltas, lo, hi, alpha=0.2)
    ax.set_xscale("log")
    ax.set_xlabel("separation δ")
    ax.set_ylabel("log10 λ_N(δ) bracket")
    ax.set_title(f"{kernel.name}, N = {N}, D = {D}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    """Compute and print the bracket (exit code 0; bad input raises ValueError → exit 2)."""
    import numpy as np  # noqa: PLC0415

    from bounds._core.validate import require_int, require_positive  # noqa: PLC0415
    from bounds.lambda_min.bracket import lambda_bracket  # noqa: PLC0415

    kernel = kernel_from_args(args)
    N = require_int("n", args.n, minimum=2)
    delta = require_positive("delta", args.delta)
    D = require_int("dim", args.dim, minimum=1)
    b = lambda_bracket(kernel, N, delta, D, adversarial_seconds=args.adversarial, seed=args.seed)
    if args.json:
        print(json.dumps(b.to_dict(), indent=2))
    else:
        print(_text(b))
    if args.plot:
        plot_bracket(kernel, N, D, delta * np.geomspace(0.25, 4.0, 9), args.plot)
        if not args.json:
            print(f"  plot written to {args.plot}")
    return 0
