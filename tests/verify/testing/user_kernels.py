"""A user-defined kernel, written the way a user of the package would: the rational quadratic
``K(r) = (1 + r²/(2αℓ²))^{−α}``, run through the public suites in tests/verify/testing/test_user_kernel.py.

Its spectral measure is a Gaussian scale mixture: ``ω = √τ z/ℓ``, ``z ~ N(0, I)``,
``τ ~ Gamma(α, rate α)`` (since ``E e^{−sτ} = (1 + s/α)^{−α}``), so ``E[ω_1²] = 1/ℓ²`` and
``E[ω_1⁴] = 3 E[τ²]/ℓ⁴ = 3(1 + 1/α)/ℓ⁴``: ``c1 = 1/ℓ``, ``c2 = √(3(1 + 1/α))/ℓ²``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds.kernels import RadialKernel
from bounds.regularity import Regularity
from bounds.result import Quantity


@dataclass(frozen=True)
class GammaMixture:
    alpha: float
    lengthscale: float

    def density(self, omega):
        raise ValueError("not needed by the suites")

    def moment(self, k: int) -> float:
        # E[z^{2k}] E[tau^k] / l^{2k}; E[tau^k] = Gamma(alpha + k) / (Gamma(alpha) alpha^k)
        return math.prod(range(1, 2 * k, 2)) * math.exp(math.lgamma(self.alpha + k) - math.lgamma(self.alpha)) \
            / self.alpha**k / self.lengthscale ** (2 * k)

    def sample(self, q, D, seed):
        rng = np.random.default_rng(seed)
        tau = rng.gamma(self.alpha, 1 / self.alpha, size=(q, 1))
        return np.sqrt(tau) * rng.normal(size=(q, D)) / self.lengthscale


class RationalQuadratic(RadialKernel):
    def __init__(self, alpha: float = 2.0, lengthscale: float = 1.0) -> None:
        self.alpha, self.lengthscale = float(alpha), float(lengthscale)
        self.name = f"RationalQuadratic(alpha={alpha}, lengthscale={lengthscale})"
        self.spectral = GammaMixture(self.alpha, self.lengthscale)

    def __repr__(self) -> str:
        return self.name

    def profile(self, r):
        r = np.asarray(r, dtype=float)
        return (1 + r**2 / (2 * self.alpha * self.lengthscale**2)) ** (-self.alpha)

    def g(self, r):  # K'(r)/r
        r = np.asarray(r, dtype=float)
        a, l2 = self.alpha, self.lengthscale**2
        return -(1 + r**2 / (2 * a * l2)) ** (-a - 1) / l2

    def h(self, r):  # g'(r)/r
        r = np.asarray(r, dtype=float)
        a, l2 = self.alpha, self.lengthscale**2
        return (a + 1) / (a * l2**2) * (1 + r**2 / (2 * a * l2)) ** (-a - 2)

    def regularity_constants(self) -> Regularity:
        c1 = math.sqrt(self.spectral.moment(1))
        c2 = math.sqrt(self.spectral.moment(2))
        ref = "tests/verify/testing/user_kernels.py (Gaussian scale mixture moments)"
        q = [
            Quantity(f"c{i}", v, "numerical", f"c{i} of the rational quadratic", ref)
            for i, v in enumerate((1.0, c1, c2))
        ]
        return Regularity(
            q[0], q[1], q[2], Quantity("kappa", 1 + c1 + c2, "numerical", "c0 + c1 + c2", ref), kernel=self.name
        )


rq = RationalQuadratic(alpha=2.0, lengthscale=1.0)
