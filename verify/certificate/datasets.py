"""Datasets for the certificate: built-in generators (deterministic from a seed) and loaders.

Every dataset is a :class:`Dataset` — features ``X`` (N × d), targets ``Y`` (N × d'), a name,
the parameters and seed it was generated from (or the file it was read from) and the sha256 of
the arrays' bytes, so a certificate can name exactly what it certified.

Built-in generators (``name`` for ``resnet-pl certify --data``):

``moons``
    Two interleaving half circles (the scikit-learn construction), labels ±1, Gaussian noise.
``circles``
    Two concentric circles of radii 1 and ``factor``, labels ±1.
``sphere``
    Uniform random points on the unit sphere ``S^{d-1}``, random labels ±1.
``xor``
    The parity problem: the ``2^d`` vertices of ``{−1, 1}^d`` with ``y = Π_j x_j``.  No
    diffeomorphism of ``R^d`` followed by a linear read-out can fit it without lifting.
``gaussian-mixture``
    ``n`` points of a mixture of ``components`` standard Gaussians in ``R^d`` (default ``d = 20``)
    with centres drawn at distance ``separation`` from the origin, labels ``±1`` by the parity of the
    component: the benchmark of large data sets (benchmarks/certify).

Real data sets (scikit-learn's bundled copies, no download; the ``data`` extra installs
scikit-learn): ``iris`` (150 × 4, 3 classes, one exact duplicate row), ``wine`` (178 × 13,
3 classes), ``breast-cancer`` (569 × 30, 2 classes), ``digits`` (1797 × 64, 10 classes).  Their
class labels become targets by :func:`encode_classes`.

Targets from class labels (:func:`encode_classes`, docs/certificate.rst, "Input data"): two classes
give one column ``±1`` (the first class in sorted order is ``+1``); ``k ≥ 3`` classes give ``k``
one-hot columns.

File formats (``--data PATH``; docs/certificate.rst, "Input data"):

``.npz``
    arrays ``X`` (N × d, or N for d = 1) and ``Y`` (N × d', or N for d' = 1).
``.npy``
    one 2-D array (N × (d + d')); its last ``target_dim`` columns (default 1) are the targets.
``.csv``
    comma-separated numbers, one point per line, an optional header line (skipped when its first
    field is not a number); the last ``target_dim`` columns are the targets.

With ``targets="classes"`` the (single) target column holds class labels, encoded by
:func:`encode_classes`.  Exact duplicate rows are kept here; the certificate merges those with
equal targets and refuses those with different ones (:func:`bounds.problem.merge_duplicates`).
Every loader raises :class:`ValueError` with a one-line reason on a missing file, an unknown
extension, wrong shapes or non-finite entries.

>>> ds = make_dataset("xor", n=4, seed=0)
>>> ds.X.tolist(), ds.Y.ravel().tolist()
([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], [1.0, -1.0, -1.0, 1.0])
>>> make_dataset("moons", n=10, seed=3).sha256_X == make_dataset("moons", n=10, seed=3).sha256_X
True
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bounds._core.validate import require_finite_array, require_int, require_positive

__all__ = [
    "BUILTIN",
    "Dataset",
    "array_sha256",
    "make_dataset",
    "two_moons",
    "circles",
    "sphere",
    "xor",
    "gaussian_mixture",
    "load_dataset",
    "encode_classes",
    "REAL",
]


def array_sha256(arr: np.ndarray) -> str:
    """sha256 of the bytes of ``arr`` as a C-contiguous little-endian float64 array (with its
    shape prepended, so a reshaped array hashes differently)."""
    a = np.ascontiguousarray(np.asarray(arr, dtype="<f8"))
    h = hashlib.sha256(repr(tuple(a.shape)).encode())
    h.update(a.tobytes())
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features ``X`` (N × d), targets ``Y`` (N × d') and where they came from.

    ``source`` is ``"builtin"`` or ``"file"``; ``params`` holds the generator's parameters (seed
    included) or the file path and ``target_dim``.
    """

    name: str
    X: np.ndarray
    Y: np.ndarray
    source: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        X, Y = check_xy(self.X, self.Y)
        X.setflags(write=False)
        Y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)

    @property
    def N(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    @property
    def d_out(self) -> int:
        return int(self.Y.shape[1])

    @property
    def sha256_X(self) -> str:
        return array_sha256(self.X)

    @property
    def sha256_Y(self) -> str:
        return array_sha256(self.Y)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of the dataset (no arrays: their hashes)."""
        return {
            "name": self.name,
            "source": self.source,
            "params": dict(self.params),
            "N": self.N,
            "d": self.d,
            "d_out": self.d_out,
            "sha256_X": self.sha256_X,
            "sha256_Y": self.sha256_Y,
        }


def encode_classes(labels: object) -> np.ndarray:
    """Targets from class labels: ``±1`` (one column) for two classes — the first label in sorted
    order is ``+1`` — and one-hot columns for ``k ≥ 3`` classes, in sorted label order.

    >>> encode_classes([2, 0, 2]).ravel().tolist()
    [-1.0, 1.0, -1.0]
    >>> encode_classes(["a", "c", "b"]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"class labels must be one column, got shape {arr.shape}")
    classes, index = np.unique(arr, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"class labels need at least 2 classes, got {classes.size}")
    if classes.size == 2:
        return np.where(index == 0, 1.0, -1.0)[:, None]
    return np.eye(classes.size)[index]


def check_xy(X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate and normalise features and targets: 2-D float arrays, finite, same N >= 2.
    1-D inputs are read as one column (duplicate rows are allowed here)."""
    Xa = np.array(X, dtype=float)
    Ya = np.array(Y, dtype=float)
    if Xa.ndim == 1:
        Xa = Xa[:, None]
    if Ya.ndim == 1:
        Ya = Ya[:, None]
    Xa = require_finite_array("X", Xa, ndim=2)
    Ya = require_finite_array("Y", Ya, ndim=2)
    if Xa.shape[0] < 2:
        raise ValueError(f"X must hold at least N = 2 points, got shape {Xa.shape}")
    if Xa.shape[1] < 1 or Ya.shape[1] < 1:
        raise ValueError(f"X and Y need at least one column each, got shapes {Xa.shape} and {Ya.shape}")
    if Ya.shape[0] != Xa.shape[0]:
        raise ValueError(f"Y must have N = {Xa.shape[0]} rows like X, got shape {Ya.shape}")
    return np.ascontiguousarray(Xa), np.ascontiguousarray(Ya)


# ----------------------------------------------------------------------------- generators


def two_moons(n: int = 40, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Two interleaving half circles (``n`` points, ``⌈n/2⌉`` on the upper moon), labels ±1.

    Upper moon ``(cos t, sin t)``, lower moon ``(1 − cos t, 1/2 − sin t)``, ``t`` evenly spaced in
    ``[0, π]``, plus Gaussian noise of standard deviation ``noise`` drawn with ``seed``.
    """
    n = require_int("n", n, minimum=2)
    noise = require_positive("noise", noise, strict=False)
    seed = require_int("seed", seed, minimum=0)
    n_up = (n + 1) // 2
    n_low = n - n_up
    t_up = np.linspace(0.0, math.pi, n_up)
    t_low = np.linspace(0.0, math.pi, n_low)
    X = np.concatenate([
        np.stack([np.cos(t_up), np.sin(t_up)], axis=1),
        np.stack([1.0 - np.cos(t_low), 0.5 - np.sin(t_low)], axis=1),
    ])
    X = X + noise * np.random.default_rng(seed).standard_normal(X.shape)
    Y = np.concatenate([np.ones(n_up), -np.ones(n_low)])[:, None]
    return Dataset("moons", X, Y, "builtin", {"n": n, "noise": noise, "seed": seed})


def circles(n: int = 40, factor: float = 0.5, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two concentric circles: ``⌈n/2⌉`` points on the unit circle (label +1) and the rest on the
    circle of radius ``factor`` (label −1), at angles drawn uniformly with ``seed``, plus Gaussian
    noise of standard deviation ``noise``."""
    n = require_int("n", n, minimum=2)
    factor = require_positive("factor", factor)
    if factor >= 1:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    noise = require_positive("noise", noise, strict=False)
    seed = require_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    n_out = (n + 1) // 2
    theta = rng.uniform(0.0, 2 * math.pi, n)
    radius = np.where(np.arange(n) < n_out, 1.0, factor)
    X = radius[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1)
    X = X + noise * rng.standard_normal(X.shape)
    Y = np.where(np.arange(n) < n_out, 1.0, -1.0)[:, None]
    return Dataset("circles", X, Y, "builtin", {"n": n, "factor": factor, "noise": noise, "seed": seed})


def sphere(n: int = 40, d: int = 3, seed: int = 0) -> Dataset:
    """``n`` points drawn uniformly on the unit sphere ``S^{d−1} ⊂ R^d`` (normalised Gaussians)
    with random labels ±1, both from ``seed``."""
    n = require_int("n", n, minimum=2)
    d = require_int("d", d, minimum=1)
    seed = require_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, d))
    X = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    Y = rng.choice([-1.0, 1.0], size=(n, 1))
    return Dataset("sphere", X, Y, "builtin", {"n": n, "d": d, "seed": seed})


def xor(n: int = 4, seed: int = 0) -> Dataset:
    """The parity problem on the ``n = 2^d`` vertices of ``{−1, 1}^d`` (lexicographic order),
    ``y = Π_j x_j``.  ``n`` must be a power of two ``>= 4``; ``seed`` is accepted for a uniform
    interface and recorded (the set is deterministic)."""
    n = require_int("n", n, minimum=4)
    d = int(round(math.log2(n)))
    if 2**d != n:
        raise ValueError(f"n must be a power of two >= 4 for the parity set, got {n}")
    seed = require_int("seed", seed, minimum=0)
    X = np.array(np.meshgrid(*([[-1.0, 1.0]] * d), indexing="ij")).reshape(d, -1).T
    Y = np.prod(X, axis=1, keepdims=True)
    return Dataset("xor", X, Y, "builtin", {"n": n, "seed": seed})


def gaussian_mixture(n: int = 200, d: int = 20, components: int = 4, separation: float = 3.0,
                     seed: int = 0) -> Dataset:
    """``n`` points of an equal-weight mixture of ``components`` Gaussians ``N(c_m, I_d)``; the
    centres ``c_m`` are drawn uniformly on the sphere of radius ``separation``, each point's
    component uniformly, all from ``seed``; the label is ``+1`` for even components, ``−1`` for odd.

    >>> ds = gaussian_mixture(n=6, d=20, seed=1)
    >>> ds.X.shape, sorted(set(ds.Y.ravel().tolist()))
    ((6, 20), [-1.0, 1.0])
    """
    n = require_int("n", n, minimum=2)
    d = require_int("d", d, minimum=1)
    components = require_int("components", components, minimum=2)
    separation = require_positive("separation", separation)
    seed = require_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((components, d))
    centres *= separation / np.linalg.norm(centres, axis=1, keepdims=True)
    label = rng.integers(0, components, size=n)
    X = centres[label] + rng.standard_normal((n, d))
    Y = np.where(label % 2 == 0, 1.0, -1.0)[:, None]
    return Dataset("gaussian-mixture", X, Y, "builtin",
                   {"n": n, "d": d, "components": components, "separation": separation, "seed": seed})


#: name -> generator (all take ``n`` and ``seed``).
BUILTIN: dict[str, Callable[..., Dataset]] = {
    "moons": two_moons, "circles": circles, "sphere": sphere, "xor": xor, "gaussian-mixture": gaussian_mixture,
}
#: name -> scikit-learn loader of a real data set.
REAL = {"iris": "load_iris", "wine": "load_wine", "breast-cancer": "load_breast_cancer", "digits": "load_digits"}
NAMES = tuple(BUILTIN) + tuple(REAL)


def real_dataset(name: str, n: int | None = None, seed: int = 0) -> Dataset:
    """A real data set bundled with scikit-learn (module docstring), labels encoded by
    :func:`encode_classes`; ``n`` keeps a random subset of ``n`` rows drawn with ``seed``."""
    try:
        import sklearn  # noqa: PLC0415
        from sklearn import datasets as skd  # noqa: PLC0415
    except ImportError:
        raise ValueError(f"dataset {name!r} needs scikit-learn: pip install 'resnet-pl[data]'") from None
    bunch = getattr(skd, REAL[name])()
    X, labels = np.asarray(bunch.data, dtype=float), np.asarray(bunch.target)
    params: dict[str, Any] = {"source": f"sklearn.datasets.{REAL[name]}", "sklearn": sklearn.__version__}
    if n is not None:
        n = require_int("n", n, minimum=2)
        keep = np.sort(np.random.default_rng(seed).choice(X.shape[0], size=min(n, X.shape[0]), replace=False))
        X, labels = X[keep], labels[keep]
        params.update(n=n, seed=seed)
    return Dataset(name, X, encode_classes(labels), "builtin", params)


def make_dataset(name: str, n: int | None = None, seed: int = 0, **params: Any) -> Dataset:
    """A built-in dataset by name (see the module docstring); ``n=None`` uses the default size."""
    if name in REAL:
        return real_dataset(name, n=n, seed=seed)
    if name not in BUILTIN:
        raise ValueError(f"dataset must be one of {', '.join(NAMES)} or a .npy/.npz/.csv file, got {name!r}")
    kwargs = dict(params)
    if n is not None:
        kwargs["n"] = n
    return BUILTIN[name](seed=seed, **kwargs)


# ----------------------------------------------------------------------------- loaders


def _split_columns(arr: np.ndarray, target_dim: int, path: str) -> tuple[np.ndarray, np.ndarray]:
    if arr.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D array (N x (d + d')), got shape {arr.shape}")
    if arr.shape[1] < target_dim + 1:
        raise ValueError(
            f"{path}: expected at least target_dim + 1 = {target_dim + 1} columns (features then "
            f"targets), got {arr.shape[1]}"
        )
    return arr[:, :-target_dim], arr[:, -target_dim:]


def load_dataset(path: str, target_dim: int = 1, targets: str = "values") -> Dataset:
    """Read features and targets from a ``.npz``, ``.npy`` or ``.csv`` file (module docstring);
    ``targets="classes"`` encodes a single label column by :func:`encode_classes`.

    Raises
    ------
    ValueError
        Missing file, unknown extension, wrong shapes, non-numeric or non-finite entries,
        duplicate points.
    """
    target_dim = require_int("target_dim", target_dim, minimum=1)
    if targets not in ("values", "classes"):
        raise ValueError(f"targets must be 'values' or 'classes', got {targets!r}")
    if not os.path.isfile(path):
        raise ValueError(f"data file {path!r} not found")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".npz":
            with np.load(path, allow_pickle=False) as z:
                missing = [k for k in ("X", "Y") if k not in z.files]
                if missing:
                    raise ValueError(f"{path}: a .npz file must hold arrays 'X' and 'Y' (missing {missing})")
                X, Y = np.array(z["X"], dtype=float), np.array(z["Y"], dtype=float)
            params: dict[str, Any] = {"path": os.path.abspath(path)}
        elif ext == ".npy":
            arr = np.array(np.load(path, allow_pickle=False), dtype=float)
            X, Y = _split_columns(arr, target_dim, path)
            params = {"path": os.path.abspath(path), "target_dim": target_dim}
        elif ext == ".csv":
            arr = _read_csv(path)
            X, Y = _split_columns(arr, target_dim, path)
            params = {"path": os.path.abspath(path), "target_dim": target_dim}
        else:
            raise ValueError(f"data file must end in .npy, .npz or .csv, got {path!r}")
    except (OSError, TypeError) as exc:  # unreadable / object arrays
        raise ValueError(f"{path}: cannot read ({exc})") from exc
    try:
        if targets == "classes":
            Y = encode_classes(Y)
            params["targets"] = "classes"
        return Dataset(os.path.basename(path), X, Y, "file", params)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _read_csv(path: str) -> np.ndarray:
    with open(path, encoding="utf-8") as fh:
        lines = [ln.strip() for ln in fh if ln.strip()]
    if lines:
        try:
            float(lines[0].split(",")[0])
        except ValueError:
            lines = lines[1:]  # header
    if not lines:
        raise ValueError(f"{path}: no data rows")
    rows = []
    for k, ln in enumerate(lines):
        try:
            rows.append([float(v) for v in ln.split(",")])
        except ValueError as exc:
            raise ValueError(f"{path}: row {k + 1} is not numeric ({ln[:40]!r})") from exc
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"{path}: rows have different numbers of columns {sorted(widths)}")
    return np.array(rows, dtype=float)
