"""Test doubles and small problem builders shared by the flow/gradient/train tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bounds.kernels import Matern, RandomFourierKernel
from verify.solver.controls import KernelControl, RFFControl, StageEntry


@dataclass(frozen=True, eq=False)
class LinearControl:
    """``v_t(x) = θ_k x`` on layer ``k`` (closed-form flows: ``e^{θ}``); solver interface only."""

    theta: np.ndarray  # (L, D, D)
    time: str = "constant"

    @property
    def n_layers(self) -> int:
        return int(self.theta.shape[0])

    @property
    def dim(self) -> int:
        return int(self.theta.shape[1])

    def zero_params(self) -> np.ndarray:
        return np.zeros_like(self.theta)

    def evaluate(self, layer, tau, X, keep=False):
        return X @ self.theta[layer].T, StageEntry(layer, tau, X, None)

    def vjp(self, entry, lam, grad):
        grad[entry.layer] += lam.T @ entry.X
        return lam @ self.theta[entry.layer]

    def layer_jacobian(self, layer, tau, X):
        return np.broadcast_to(self.theta[layer], (X.shape[0],) + self.theta[layer].shape).copy()


def rff_setup(seed: int, N: int = 6, D: int = 3, q: int = 8, L: int = 3, scale: float = 0.6, time: str = "constant"):
    """A random RFF control (Matérn-5/2 frequencies), data and targets."""
    rng = np.random.default_rng(seed)
    k = RandomFourierKernel.from_kernel(Matern("5/2"), q=q, D=D, seed=seed)
    n = L if time == "constant" else L + 1
    W = rng.standard_normal((n, D, 2 * q)) * scale
    X0 = rng.standard_normal((N, D))
    Y = rng.standard_normal((N, 2))
    B = rng.standard_normal((2, D))
    return RFFControl(k, W, time), X0, Y, B


def kernel_setup(seed: int, kernel=None, N: int = 5, D: int = 2, M: int = 4, L: int = 3, scale: float = 0.5,
                 time: str = "constant"):
    """A random kernel-expansion control, data and targets."""
    rng = np.random.default_rng(seed)
    kernel = Matern("5/2") if kernel is None else kernel
    n = L if time == "constant" else L + 1
    C = tuple(rng.standard_normal((M, D)) for _ in range(n))
    A = tuple(rng.standard_normal((M, D)) * scale for _ in range(n))
    X0 = rng.standard_normal((N, D))
    Y = rng.standard_normal((N, D))
    return KernelControl(kernel, C, A, time), X0, Y
