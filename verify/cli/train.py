"""Train a finite-width random-feature ResNet (or neural ODE) with the augmented read-out on a
classification data set by gradient descent on the compiled solver, at the certified step 1/beta
and at a practical larger step; report the training loss, the held-out accuracy beside linear
classifiers on the same split, the time per epoch and the certificate of the trained design
(docs/training.rst).  Exit codes: 0 done, 2 bad input.

Example: resnet-pl train --dataset digits --n-train 1000 --width 1000 --depth 2 --epochs 200
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from verify.cli.common import DATASET_NAMES, parse_depth

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("data")
    g.add_argument("--dataset", default="digits", metavar="NAME",
                   help=f"data set with class targets: {', '.join(DATASET_NAMES)} (default digits)")
    g.add_argument("--n-train", type=int, default=1000, help="training points; the rest is held out (default 1000)")
    g.add_argument("--seed", type=int, default=0, help="seed of the split and of the random features (default 0)")
    n = parser.add_argument_group("network")
    n.add_argument("--width", type=int, default=1000, help="random Fourier features q (default 1000)")
    n.add_argument("--depth", default="2", help="ResNet depth T, or inf for the neural ODE (default 2)")
    n.add_argument("--layers", type=int, default=4, help="RK4 layers approximating the ODE (depth inf; default 4)")
    n.add_argument("--kernel", choices=("matern", "gaussian"), default="matern", help="kernel (default matern)")
    n.add_argument("--nu", default="5/2", help="Matérn smoothness (default 5/2)")
    n.add_argument("--lengthscale", type=float, default=1.0, help="length scale (default 1)")
    n.add_argument("--alpha", type=float, default=None,
                   help="lifting scale (default 2 lengthscale / median distance of the training points)")
    n.add_argument("--b", type=float, default=None,
                   help="read-out scale (default: the one certified for the network drawn)")
    t = parser.add_argument_group("training")
    t.add_argument("--epochs", type=int, default=200, help="gradient-descent iterations of each run (default 200)")
    t.add_argument("--practical-step", type=float, default=None,
                   help="step of the second run (default 2/M at v = 0 with the computed lambda_max; not certified)")
    t.add_argument("--no-certify", action="store_true", help="skip the certificate of the design (default: run it)")
    o = parser.add_argument_group("output")
    o.add_argument("--out", default=None, help="directory for train.json, the certificate and loss.png (default none)")
    o.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    o.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _text(report: object) -> str:
    r = report  # a verify.training.TrainReport
    lines = [f"{r.options.dataset}: {r.n_train} training points ({r.duplicates_dropped} duplicates dropped), "  # type: ignore[attr-defined]
             f"{r.n_test} held out; width q = {r.options.width}, alpha = {r.alpha:.4g}, b = {r.b:.4g}"]  # type: ignore[attr-defined]
    for run in r.runs:  # type: ignore[attr-defined]
        lines.append(f"  {run.name}: step {run.step:.4g}, loss {run.loss[0]:.4g} -> {run.loss[-1]:.4g}, "
                     f"train accuracy {run.train_accuracy:.4f}, held-out accuracy {run.test_accuracy:.4f}, "
                     f"{run.seconds_per_epoch:.3f} s/epoch")
    lines.append("  linear classifiers (held out): " + ", ".join(f"{k} {v:.4f}" for k, v in r.linear.items()))  # type: ignore[attr-defined]
    cert = r.certificate  # type: ignore[attr-defined]
    lines.append("  certificate of the design: " + ("not computed" if cert is None else cert.conclusion))
    return "\n".join(lines)


def _save(report: object, out: str) -> None:
    from verify.certificate.report import write_reports  # noqa: PLC0415

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "train.json"), "w", encoding="utf-8") as fh:
        json.dump(report.to_dict(), fh, indent=1)  # type: ignore[attr-defined]
    if report.certificate is not None:  # type: ignore[attr-defined]
        write_reports(report.certificate.to_dict(), os.path.join(out, "certificate"))  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    from verify.training import TrainOptions, train_classifier  # noqa: PLC0415

    opts = TrainOptions(dataset=args.dataset, n_train=args.n_train, seed=args.seed, width=args.width,
                        depth=parse_depth(args.depth), layers=args.layers, kernel=args.kernel, nu=args.nu,
                        lengthscale=args.lengthscale, alpha=args.alpha, b=args.b, epochs=args.epochs,
                        practical_step=args.practical_step, certify=not args.no_certify)
    report = train_classifier(opts, progress=None if args.quiet else sys.stderr)
    if args.out is not None:
        _save(report, args.out)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(_text(report))
    return 0
