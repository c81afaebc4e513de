"""Training a finite-width random-feature ResNet (or neural ODE) with the augmented read-out on a
classification data set, by gradient descent on the compiled solver, beside linear classifiers on
the same split, with the certificate of the trained design (docs/training.rst).

The network: lifted inputs ``z = (α x, 0) ∈ R^{d + d'}``, residual fields ``v_t(z) = W_t ϕ(z)`` with
``q`` random Fourier features of the Matérn (Sobolev) kernel drawn in ``R^{d + d'}``
(:class:`bounds.kernels.RandomFourierKernel`), read-out ``b (0, I_{d'})``, zero initialisation, the
square loss on one-hot targets (``±1`` for two classes).  Gradient descent runs twice from
``v0 = 0``: at the certified step ``1/β(R*)`` and at a practical step, by default ``2/M̂``, ``M̂`` the
upper PL constant at ``v = 0`` with the computed ``λ_max`` of the drawn Gram matrix
(:func:`practical_step`; the best step of a quadratic with that curvature, not certified).

>>> opts = TrainOptions(dataset="iris", n_train=60, width=64, epochs=2, certify=False)
>>> report = train_classifier(opts)
>>> [run.name for run in report.runs], len(report.runs[0].loss)
(['certified step', 'practical step'], 3)
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bounds._core.validate import require_int, require_positive
from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from bounds.problem import Problem
from bounds.recipe import drawn_output_scale
from bounds.width import FiniteWidth
from verify.certificate.datasets import Dataset, make_dataset
from verify.progress import Progress
from verify.solver.controls import RFFControl
from verify.solver.flow import flow
from verify.solver.gradient import Objective
from verify.solver.train import gradient_descent

__all__ = ["TrainOptions", "Run", "TrainReport", "split", "median_scale", "class_labels", "linear_baselines",
           "practical_step", "train_classifier"]


@dataclass(frozen=True)
class TrainOptions:
    """What :func:`train_classifier` trains.

    Parameters
    ----------
    dataset
        A built-in or real data set of :func:`verify.certificate.datasets.make_dataset` with class
        targets (``digits`` by default).
    n_train, seed
        Size of the training split (the rest is held out) and the seed of the split and of the
        random features.
    width, depth, layers
        Number ``q`` of random features; ResNet depth ``T`` (``None``: the neural ODE, integrated by
        RK4 on ``layers`` piecewise-constant layers, an approximation).
    kernel, nu, lengthscale
        ``"matern"`` (``nu``) or ``"gaussian"``, length scale ``ℓ``.
    alpha, b
        Lifting and read-out scales; default ``α = 2ℓ/median distance`` of the standardised
        training points (:func:`median_scale`) and the ``b`` certified for the network drawn
        (:func:`bounds.recipe.drawn_output_scale`).
    epochs, practical_step
        Gradient-descent iterations (full batch: one per epoch) of each run; the practical step
        (default :func:`practical_step`).
    certify
        Compute the certificate of the trained design (:func:`verify.certificate.pipeline.certify`);
        without it the certified step is ``1/β`` of the chain at ``R₀``.
    """

    dataset: str = "digits"
    n_train: int = 1000
    seed: int = 0
    width: int = 1000
    depth: int | None = 2
    layers: int = 4
    kernel: str = "matern"
    nu: str = "5/2"
    lengthscale: float = 1.0
    alpha: float | None = None
    b: float | None = None
    epochs: int = 200
    practical_step: float | None = None
    certify: bool = True

    def __post_init__(self) -> None:
        require_int("n_train", self.n_train, minimum=2)
        require_int("seed", self.seed, minimum=0)
        require_int("width", self.width, minimum=1)
        require_int("layers", self.layers, minimum=1)
        require_int("epochs", self.epochs, minimum=0)
        if self.depth is not None:
            require_int("depth", self.depth, minimum=1)
        if self.kernel not in ("matern", "gaussian"):
            raise ValueError(f"kernel must be matern or gaussian, got {self.kernel!r}")
        require_positive("lengthscale", self.lengthscale)
        for name in ("alpha", "b", "practical_step"):
            if getattr(self, name) is not None:
                require_positive(name, getattr(self, name))

    def base_kernel(self) -> Matern | Gaussian:
        return Gaussian(self.lengthscale) if self.kernel == "gaussian" else Matern(self.nu, self.lengthscale)


@dataclass(frozen=True)
class Run:
    """One gradient-descent run: the step, the training loss per epoch, the accuracies and the time."""

    name: str
    step: float
    loss: tuple[float, ...]
    train_accuracy: float
    test_accuracy: float
    seconds_per_epoch: float


@dataclass(frozen=True)
class TrainReport:
    """The split, the design, the runs, the linear classifiers on the same split and the
    certificate of the design trained (``None`` without ``certify``)."""

    options: TrainOptions
    n_train: int
    n_test: int
    duplicates_dropped: int
    alpha: float
    b: float
    beta: float
    M: float
    runs: tuple[Run, ...]
    linear: dict[str, float]
    certificate: Any | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (the certificate as its conclusion, rate and kind)."""
        cert = self.certificate
        return {
            "options": asdict(self.options), "n_train": self.n_train, "n_test": self.n_test,
            "duplicates_dropped": self.duplicates_dropped, "alpha": self.alpha, "b": self.b, "beta": self.beta,
            "M": self.M, "runs": [asdict(r) for r in self.runs], "linear": dict(self.linear),
            "certificate": None if cert is None else {
                "conclusion": cert.conclusion, "guaranteed": cert.guaranteed,
                "rate": cert.quantities["rate"].value, "R": cert.quantities["R"].value,
                "kind": cert.quantities["m"].kind},
        }


def split(ds: Dataset, n_train: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """``(X_train, Y_train, X_test, Y_test, dropped)``: a seeded permutation, the first ``n_train``
    points for training, features standardised with the training mean and standard deviation
    (constant features: by 1); exact duplicate training rows are dropped (distinct points are a
    hypothesis of the certificate) and counted."""
    n_train = require_int("n_train", n_train, minimum=2)
    if n_train >= ds.N:
        raise ValueError(f"n_train must be < N = {ds.N} (a held-out split is needed), got {n_train}")
    perm = np.random.default_rng(seed).permutation(ds.N)
    tr, te = perm[:n_train], perm[n_train:]
    mu, sd = ds.X[tr].mean(axis=0), ds.X[tr].std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    X = (ds.X - mu) / sd
    _, first = np.unique(X[tr], axis=0, return_index=True)
    keep = tr[np.sort(first)]
    return X[keep], ds.Y[keep], X[te], ds.Y[te], int(tr.size - keep.size)


def median_scale(X: np.ndarray, lengthscale: float = 1.0) -> float:
    """``α = 2ℓ/median_{i<j} ‖x_i − x_j‖``: the lifted points' median distance is twice the length
    scale (the median heuristic; a choice for generalisation, not for the certificate)."""
    X = np.asarray(X, dtype=float)
    sq = np.sum(X**2, axis=1)
    d2 = sq[:, None] + sq[None, :] - 2 * X @ X.T
    iu = np.triu_indices(X.shape[0], 1)
    return 2.0 * lengthscale / float(np.median(np.sqrt(np.maximum(d2[iu], 0.0))))


def class_labels(Y: np.ndarray) -> np.ndarray:
    """Class indices of targets: ``argmax`` of one-hot rows, or ``Y > 0`` for one ``±1`` column."""
    Y = np.asarray(Y, dtype=float)
    return (Y[:, 0] > 0).astype(int) if Y.shape[1] == 1 else np.argmax(Y, axis=1)


def linear_baselines(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray,
                     Y_test: np.ndarray) -> dict[str, float]:
    """Held-out accuracy of two linear classifiers on the same split: scikit-learn's
    ``LogisticRegression`` (L2, ``C = 1``) and least squares on the targets with an intercept."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 (the data extra)

    y_tr, y_te = class_labels(Y_train), class_labels(Y_test)
    logistic = LogisticRegression(max_iter=5000).fit(X_train, y_tr)
    A = np.c_[X_train, np.ones(len(X_train))]
    W = np.linalg.lstsq(A, Y_train, rcond=None)[0]
    ls = class_labels(np.c_[X_test, np.ones(len(X_test))] @ W)
    return {"logistic_regression": float(logistic.score(X_test, y_te)), "least_squares": float(np.mean(ls == y_te))}


def _objective(problem: Problem, depth: int | None) -> Objective:
    if depth is not None:
        return Objective.resnet(problem.lifted, problem.Y, problem.B)
    return Objective(problem.lifted, problem.Y, problem.B, method="rk4", steps_per_layer=1)


def _accuracy(control: RFFControl, problem: Problem, X: np.ndarray, Y: np.ndarray, depth: int | None) -> float:
    Z = X @ problem.A.T
    x1 = flow(control, Z, method="euler" if depth is not None else "rk4", steps_per_layer=1).x1
    return float(np.mean(class_labels(x1 @ problem.B.T) == class_labels(Y)))


def _run(name: str, step: float, problem: Problem, sample: RandomFourierKernel, L: int, opts: TrainOptions,
         test: tuple[np.ndarray, np.ndarray], progress: Progress | None) -> Run:
    v0 = RFFControl(sample, np.zeros((L, problem.coordinates, 2 * sample.q)))
    res = gradient_descent(_objective(problem, opts.depth), v0, step=step, iterations=opts.epochs, seed=opts.seed,
                           progress=progress)
    return Run(name=name, step=step, loss=tuple(map(float, res.loss)),
               train_accuracy=_accuracy(res.control, problem, problem.X, problem.Y, opts.depth),
               test_accuracy=_accuracy(res.control, problem, *test, opts.depth),
               seconds_per_epoch=res.seconds / max(1, opts.epochs))


def _certificate(ds_train: Dataset, opts: TrainOptions, alpha: float, b: float, R0: float, c: float,
                 progress: Progress) -> Any:
    """The certificate of the design (:func:`verify.certificate.pipeline.certify`), its radii searched
    around the perturbation route's scale ``R₀`` (two decades either side, at most ``3/c``)."""
    from verify.certificate.options import CertifyOptions  # noqa: PLC0415
    from verify.certificate.pipeline import certify  # noqa: PLC0415

    R_max = min(100 * R0, 3.0 / c) if opts.depth is None else min(100 * R0, 0.5 * math.sqrt(opts.depth) / c)
    copts = CertifyOptions(data=opts.dataset, kernel=opts.kernel, nu=opts.nu, lengthscale=opts.lengthscale,
                           width=opts.width, rff_seed=opts.seed, alpha=alpha, b=b, depth=opts.depth,
                           R_min=min(R0, R_max) / 100, R_max=R_max, gd_iterations=0, gd_layers=opts.layers,
                           recipe=False)
    return certify(copts, ds_train, progress=progress.stream)


def practical_step(problem: Problem, sample: RandomFourierKernel) -> float:
    """``2/M̂``, the best fixed step for a quadratic whose curvature is ``M̂/2``.

    Formula
    -------
    ``2/M̂`` with ``M̂ = (4 w_max/n) σ_max(B)² λ̂_max(K_q(X_0))`` the upper PL constant at ``v = 0``
    with the LAPACK ``λ_max`` of the drawn Gram matrix.

    Kind
    ----
    numerical, not certified.

    References
    ----------
    docs/training.rst#the-network; docs/pl.rst#the-pl-sandwich
    """
    lam_max = float(np.linalg.eigvalsh(sample.gram(problem.lifted))[-1])
    return 2.0 / (4 * problem.weight_range[1] / problem.n * problem.sigma_B[1] ** 2 * lam_max)


def train_classifier(opts: TrainOptions, progress: Any | None = None) -> TrainReport:
    """Train the network of ``opts`` at the certified and the practical step (module docstring).

    Returns
    -------
    TrainReport
        Loss curves (numerical), accuracies on the training and held-out points, seconds per epoch,
        the linear classifiers' held-out accuracies, and the certificate of the design (rigorous
        for the network drawn when it says GUARANTEED).
    """
    report = Progress(progress, prefix="train")
    ds = make_dataset(opts.dataset)
    Xtr, Ytr, Xte, Yte, dropped = split(ds, opts.n_train, opts.seed)
    base = opts.base_kernel()
    alpha = opts.alpha if opts.alpha is not None else median_scale(Xtr, opts.lengthscale)
    shape = Problem.augmented(Xtr, Ytr, base, alpha, 1.0)
    sample = RandomFourierKernel.from_kernel(base, opts.width, shape.coordinates, opts.seed)
    report.note(f"{opts.dataset}: {len(Xtr)} training points, {len(Xte)} held out; width q = {opts.width}")
    width = FiniteWidth.drawn(sample, shape.lifted, seed=opts.seed)
    b_cf, R0 = drawn_output_scale(Xtr, Ytr, alpha, width, depth=opts.depth)
    b = opts.b if opts.b is not None else b_cf
    if not math.isfinite(b):
        raise ValueError("no read-out scale certifies the network drawn (lambda_min(K_q) = 0 on the training "
                         "points): a larger width or a larger alpha")
    problem = Problem.augmented(Xtr, Ytr, base, alpha, b)
    train_ds = Dataset(f"{opts.dataset}-train", Xtr, Ytr, "array", {"n_train": opts.n_train, "seed": opts.seed})
    c = float(width.regularity.c1)
    cert = _certificate(train_ds, opts, alpha, b, R0, c, report) if opts.certify else None
    if cert is not None:
        beta, M = cert.quantities["beta"].value, cert.quantities["M"].value
    else:
        from bounds.chain import chain_point  # noqa: PLC0415

        point = chain_point(problem, R0, depth=opts.depth, width=width)
        beta, M = point.beta.value, point.M.value
    L = opts.depth if opts.depth is not None else opts.layers
    practical = opts.practical_step if opts.practical_step is not None else practical_step(problem, sample)
    bar = report if report.enabled else None
    runs = tuple(_run(name, step, problem, sample, L, opts, (Xte, Yte), bar)
                 for name, step in (("certified step", 1.0 / beta), ("practical step", practical)))
    t0 = time.perf_counter()
    linear = linear_baselines(Xtr, Ytr, Xte, Yte)
    report.note(f"linear classifiers in {time.perf_counter() - t0:.2f} s")
    return TrainReport(opts, len(Xtr), len(Xte), dropped, alpha, b, beta, M, runs, linear, cert)
