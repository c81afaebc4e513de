"""The numerical example of docs/training.rst: a finite-width random-feature ResNet with the
augmented read-out trained on scikit-learn's digits by gradient descent on the compiled solver, at
the certified step and at the practical step, beside linear classifiers on the same split.

Runs :func:`verify.training.train_classifier` with its defaults (the same as ``resnet-pl train``),
writes ``benchmarks/train/digits.json`` and the figure ``docs/images/training_digits.png``.  With
``--load FILE`` it only redraws the figure from a ``train.json`` written by ``resnet-pl train
--out``.

Usage: python benchmarks/train/digits.py [--load train.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIGURE = os.path.join(HERE, "..", "..", "docs", "images", "training_digits.png")


def figure(record: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.5, 3.6), gridspec_kw={"width_ratios": [3, 2]})
    for run in record["runs"]:
        loss = np.array(run["loss"])
        a1.semilogy(np.arange(loss.size), loss, label=f"{run['name']} ({run['step']:.3g})")
    cert = record.get("certificate")
    if cert and cert["guaranteed"]:
        k = np.arange(len(record["runs"][0]["loss"]))
        f0 = record["runs"][0]["loss"][0]
        a1.semilogy(k, f0 * cert["rate"] ** k, "k--", lw=0.8, label=f"guaranteed envelope, rate {cert['rate']:.7f}")
    a1.set_xlabel("epoch (full-batch gradient-descent step)")
    a1.set_ylabel("training loss F (mean squared error)")
    a1.legend(fontsize=8)
    a1.set_title("Training loss", fontsize=10)
    names = [r["name"] for r in record["runs"]] + ["logistic regression", "least squares"]
    accs = [r["test_accuracy"] for r in record["runs"]] + [record["linear"]["logistic_regression"],
                                                           record["linear"]["least_squares"]]
    a2.barh(names, accs, color=["C0", "C1", "0.5", "0.7"])
    for i, acc in enumerate(accs):
        a2.text(acc - 0.002, i, f"{acc:.4f}", va="center", ha="right", color="white", fontsize=8)
    a2.set_xlim(0.85, 1.0)
    a2.set_xlabel(f"held-out accuracy ({record['n_test']} points)")
    a2.set_title("Held-out accuracy", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--load", default=None, help="a train.json from `resnet-pl train --out` (skip the run)")
    args = p.parse_args(argv)
    if args.load is None:
        from verify.training import TrainOptions, train_classifier

        record = train_classifier(TrainOptions(), progress=sys.stderr).to_dict()
    else:
        with open(args.load, encoding="utf-8") as fh:
            record = json.load(fh)
    with open(os.path.join(HERE, "digits.json"), "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1)
    figure(record, FIGURE)
    for run in record["runs"]:
        print(f"{run['name']}: step {run['step']:.4g}, final loss {run['loss'][-1]:.4g}, held-out accuracy "
              f"{run['test_accuracy']:.4f}, {run['seconds_per_epoch']:.3f} s/epoch")
    print("linear:", record["linear"])
    print("certificate:", record["certificate"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
