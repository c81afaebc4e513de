"""Translation-invariant kernels ``k(x, x') = K(x − x')`` on ``R^D`` and their spectral measures
(docs/kernels.rst).

* :class:`Matern` and :class:`Gaussian` (:mod:`bounds.kernels.radial`), radial kernels with closed
  or Bessel-form profiles;
* :class:`RandomFourierKernel` (:mod:`bounds.kernels.rff`), the kernel of a drawn frequency sample;
* their spectral measures (:mod:`bounds.kernels.spectral`) and the profile utilities of the λ
  bounds (:mod:`bounds.kernels.profile`).
"""

from bounds.kernels.radial import Gaussian, Kernel, Matern, RadialKernel, pairwise_differences
from bounds.kernels.rff import RandomFourierKernel
from bounds.kernels.spectral import Empirical, Normal, SpectralMeasure, StudentT

__all__ = [
    "Kernel",
    "RadialKernel",
    "SpectralMeasure",
    "Matern",
    "Gaussian",
    "RandomFourierKernel",
    "StudentT",
    "Normal",
    "Empirical",
    "pairwise_differences",
]
