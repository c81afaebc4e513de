"""Plain floating-point reference values for the tests of the λ bounds: the Gram matrix from
coordinate differences and its extreme eigenvalues by LAPACK, with the stated error allowance.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EIG_TOL", "gram", "lambda_min", "lambda_max"]

#: Absolute error allowance of a float λ_min for small (N ≤ 20), unit-diagonal Gram matrices:
#: the entries carry a few ulps of error and ``eigvalsh`` is backward stable, so the computed
#: eigenvalue is within ~N·(entry error + N u) ≤ 1e-12 of the exact one (Weyl).
EIG_TOL = 1e-12


def gram(kernel: object, X: np.ndarray) -> np.ndarray:
    """``K_X`` from coordinate differences (no ``‖x‖² + ‖y‖² − 2x·y`` cancellation)."""
    return np.asarray(kernel(X[:, None, :] - X[None, :, :]), dtype=float)  # type: ignore[operator]


def lambda_min(kernel: object, X: np.ndarray) -> float:
    """Plain float ``λ_min(K_X)`` (LAPACK ``eigvalsh``)."""
    return float(np.linalg.eigvalsh(gram(kernel, X))[0])


def lambda_max(kernel: object, X: np.ndarray) -> float:
    """Plain float ``λ_max(K_X)`` (LAPACK ``eigvalsh``)."""
    return float(np.linalg.eigvalsh(gram(kernel, X))[-1])
