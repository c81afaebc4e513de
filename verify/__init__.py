"""resnet-pl's checks: the flow solver, the property suites, and the convergence certificate of a
data set (docs/certificate.rst).

>>> import numpy as np, verify
>>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
>>> cert = verify.certify(X, [1, -1, -1, 1], gd_iterations=0)
>>> cert.guaranteed, cert.exit_code
(True, 0)
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["__version__", "certify", "CertifyOptions", "Certificate", "make_dataset", "run_suites"]

_HOME = {
    "CertifyOptions": "verify.certificate.options",
    "Certificate": "verify.certificate.record",
    "make_dataset": "verify.certificate.datasets",
    "run_suites": "verify.testing.suites",
}


def certify(X: Any, y: Any = None, *, progress: Any = None, **options: Any) -> Any:
    """The convergence certificate of gradient descent on ``(X, y)`` (docs/certificate.rst).

    Parameters
    ----------
    X
        Features (N × d array, pandas frame, list of rows), or the name of a built-in data set
        (``"moons"``, ``"iris"``, …) or a ``.npy``/``.npz``/``.csv`` path (then ``y`` is omitted).
    y
        Targets: N values (1-D), an N × d' array, or class labels (strings, or any labels with
        ``targets="classes"``: ``±1`` for two classes, one-hot otherwise).
    progress
        A text stream for progress (e.g. ``sys.stderr``); ``None``: silent.
    options
        Any field of :class:`~verify.certificate.options.CertifyOptions` (``architecture``, ``alpha``,
        ``b``, ``depth``, ``kernel``, ``nu``, ``width``, ``gd_iterations``, ...).

    Returns
    -------
    Certificate
        Renders in a notebook; ``.save(folder)`` writes the reports, ``.to_json()`` the document.
    """
    import numpy as np  # noqa: PLC0415

    from verify.certificate.datasets import Dataset, encode_classes  # noqa: PLC0415
    from verify.certificate.options import CertifyOptions  # noqa: PLC0415
    from verify.certificate.pipeline import certify as run  # noqa: PLC0415

    if isinstance(X, str):
        if y is not None:
            raise ValueError("y must be omitted when X names a data set or a file")
        return run(CertifyOptions(data=X, **options), progress=progress)
    if y is None:
        raise ValueError("y is required with an array X (targets or class labels, one per row)")
    labels = np.asarray(y)
    classes = options.get("targets") == "classes" or labels.dtype.kind not in "biuf"
    Y = encode_classes(labels) if classes else labels.astype(float)
    ds = Dataset("array", np.asarray(X, dtype=float), Y, "array", {"targets": "classes" if classes else "values"})
    return run(CertifyOptions(data="array", **options), ds, progress=progress)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        import bounds  # noqa: PLC0415

        return bounds.__version__
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'verify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
