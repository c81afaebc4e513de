"""Independent mpmath evaluations used as oracles by tests/bounds (no code of :mod:`bounds` is
reused: every formula here is written from its published source, cited at each function).

Precision: :data:`DPS` = 50 digits, so an oracle value is exact far below one ulp of a double.
"""

from __future__ import annotations

import mpmath
import numpy as np

from bounds.kernels import Gaussian, Matern

__all__ = ["DPS", "profile", "moments", "gram", "gershgorin_row_sum", "sigma", "problem_data"]

DPS = 50


def profile(kernel: Matern | Gaussian, r: object) -> mpmath.mpf:
    """``K(r)``: Matérn ``2^{1−ν}/Γ(ν) s^ν K_ν(s)``, ``s = √(2ν) r/ℓ`` (Rasmussen & Williams, GPML
    eq. 4.14), Gaussian ``exp(−r²/(2ℓ²))``; mpmath's Bessel K, no closed-form shortcut.  Evaluated
    at :data:`DPS` digits or the caller's precision if higher (e.g. inside ``mpmath.diff``)."""
    with mpmath.workdps(max(DPS, mpmath.mp.dps)):
        r = mpmath.mpf(r)
        ell = mpmath.mpf(kernel.lengthscale)
        if isinstance(kernel, Gaussian):
            return mpmath.exp(-(r**2) / (2 * ell**2))
        if r == 0:
            return mpmath.mpf(1)
        nu = mpmath.mpf(kernel.nu)
        s = mpmath.sqrt(2 * nu) * r / ell
        return 2 ** (1 - nu) / mpmath.gamma(nu) * s**nu * mpmath.besselk(nu, s)


def moments(kernel: Matern | Gaussian) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """``(c0, c1, c2) = (1, √E[ω₁²], √E[ω₁⁴])`` of the spectral measure (docs/kappa.rst): for
    Matérn ``ω₁ = t/ℓ`` with ``t`` Student-t of ``n = 2ν`` degrees of freedom,
    ``E t² = n/(n − 2)``, ``E t⁴ = 3n²/((n − 2)(n − 4))`` (any statistics text); Gaussian
    ``ω₁ ~ N(0, 1/ℓ²)``, moments ``1/ℓ²`` and ``3/ℓ⁴``."""
    with mpmath.workdps(DPS):
        ell = mpmath.mpf(kernel.lengthscale)
        if isinstance(kernel, Gaussian):
            m2, m4 = 1 / ell**2, 3 / ell**4
        else:
            n = 2 * mpmath.mpf(kernel.nu)
            m2 = n / (n - 2) / ell**2
            m4 = 3 * n**2 / ((n - 2) * (n - 4)) / ell**4 if n > 4 else mpmath.inf
        return mpmath.mpf(1), mpmath.sqrt(m2), mpmath.sqrt(m4)


def gram(kernel: Matern | Gaussian, Z: np.ndarray, shrink: object = 1) -> mpmath.matrix:
    """``(K(s ‖z_i − z_j‖))_{ij}`` in mpmath (distances from the float coordinates, exactly)."""
    with mpmath.workdps(DPS):
        n = len(Z)
        G = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                diff = (mpmath.mpf(a) - mpmath.mpf(b) for a, b in zip(Z[i], Z[j], strict=True))
                d = mpmath.sqrt(mpmath.fsum(x**2 for x in diff))
                G[i, j] = profile(kernel, mpmath.mpf(shrink) * d)
        return G


def gershgorin_row_sum(kernel: Matern | Gaussian, Z: np.ndarray, shrink: object = 1) -> mpmath.mpf:
    """``max_i Σ_{j≠i} K(s ‖z_i − z_j‖)`` (Gershgorin's theorem on a unit-diagonal matrix)."""
    G = gram(kernel, Z, shrink)
    with mpmath.workdps(DPS):
        return max(mpmath.fsum(G[i, j] for j in range(G.cols) if j != i) for i in range(G.rows))


def sigma(M: np.ndarray) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(σ_min, σ_max)`` of a float matrix: square roots of the extreme eigenvalues of ``MᵀM``
    (or ``MMᵀ``, the smaller Gram matrix) by mpmath's eigensolver at 50 digits."""
    with mpmath.workdps(DPS):
        A = mpmath.matrix(M.tolist())
        G = A.T * A if A.cols <= A.rows else A * A.T
        ev = sorted(mpmath.eigsy(G)[0])
        return mpmath.sqrt(ev[0]), mpmath.sqrt(ev[-1])


def problem_data(X: np.ndarray, Y: np.ndarray, A: np.ndarray, B: np.ndarray | None = None) -> dict[str, object]:
    """Lifted points ``A x_i`` (in floats, as the package computes them), ``ρ = max‖A x_i‖``,
    ``max‖y_i‖`` and (with ``B``) the largest initial residual ``max_i ‖B A x_i − y_i‖``, the
    products formed exactly from the float entries, in mpmath."""
    Z = X @ A.T
    with mpmath.workdps(DPS):
        rho = max(mpmath.sqrt(mpmath.fsum(mpmath.mpf(c) ** 2 for c in z)) for z in Z)
        ymax = max(mpmath.sqrt(mpmath.fsum(mpmath.mpf(c) ** 2 for c in y)) for y in Y)
        out: dict[str, object] = {"Z": Z, "rho": rho, "ymax": ymax}
        if B is not None:
            BA = mpmath.matrix(B.tolist()) * mpmath.matrix(A.tolist())
            res = [BA * mpmath.matrix(x.tolist()) - mpmath.matrix(y.tolist()) for x, y in zip(X, Y, strict=True)]
            out["residual"] = max(mpmath.sqrt(mpmath.fsum(r[k] ** 2 for k in range(r.rows))) for r in res)
    return out
