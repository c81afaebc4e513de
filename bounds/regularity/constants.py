"""Condition 1's constants for any kernel of the package (docs/kappa.rst): the dispatcher
:func:`regularity_constants` and the convenience :func:`kappa`."""

from __future__ import annotations

from bounds._core.validate import require_int
from bounds.kernels import Gaussian, Kernel, Matern, RandomFourierKernel
from bounds.regularity.exact import MP_DPS, regularity_exact
from bounds.regularity.record import Regularity
from bounds.regularity.sampled import rff_regularity
from bounds.result import Quantity

__all__ = ["regularity_constants", "kappa"]


def regularity_constants(kernel: Kernel, dps: int | None = None) -> Regularity:
    """The sharp constants ``c0, c1, c2`` and ``κ = c0 + c1 + c2`` of Condition 1 for a kernel.

    Parameters
    ----------
    kernel
        :class:`~bounds.kernels.Matern` (needs ν > 2), :class:`~bounds.kernels.Gaussian`, or a
        :class:`~bounds.kernels.RandomFourierKernel` (delegates to :func:`rff_regularity`).
    dps
        Decimal digits of the mpmath values (``Quantity.mp``); default 30.

    Returns
    -------
    Regularity
        Four :class:`~bounds.result.Quantity` objects.

    Raises
    ------
    ValueError
        ν ≤ 1 (c1 infinite), 1 < ν ≤ 2 (c2 infinite), ``dps`` < 1, unsupported kernel.

    Formula
    -------
    ``c0 = √K(0) = 1``, ``c1 = √λ_max(E[ωωᵀ])``, ``c2 = √max_{|u|=1} E[(ω·u)⁴]``
    (isotropic: ``√E[ω_1²]``, ``√E[ω_1⁴]``), with the moments integrated symbolically from the
    spectral density; ``κ = c0 + c1 + c2``.

    Kind
    ----
    exact for Matérn/Gaussian (sympy expressions in ``expr``); rigorous upper bounds for random
    features; a user kernel's own constants keep their kinds.

    Hypotheses
    ----------
    ``K(0) = 1``; ν > 2 for a Matérn kernel (``c1`` needs ν > 1, ``c2`` needs ν > 2).

    References
    ----------
    docs/kappa.rst (derivation, sharpness witnesses); docs/kappa.rst#summary;
    docs/theory.rst#kappa-condition-1

    Examples
    --------
    >>> reg = regularity_constants(Matern("5/2", lengthscale=2), dps=50)
    >>> reg.c1.expr, reg.c2.expr
    (sqrt(15)/6, 5/4)
    >>> reg.kappa.mp_string()
    '2.8954972243679028141965442332970666018054869508819'
    """
    if isinstance(kernel, RandomFourierKernel):
        return rff_regularity(kernel)
    if not isinstance(kernel, (Matern, Gaussian)):
        own = getattr(kernel, "regularity_constants", None)
        if callable(own):  # a user's kernel supplies its own constants (and their provenance)
            reg = own()
            if not isinstance(reg, Regularity):
                raise ValueError(
                    "kernel.regularity_constants() must return a bounds.regularity.Regularity, "
                    f"got {type(reg).__name__}"
                )
            return reg
        raise ValueError(
            f"kernel must be a Matern, Gaussian or RandomFourierKernel, or provide its own "
            f"regularity_constants() -> Regularity, got {kernel!r} (exact constants need a known spectral measure)"
        )
    dps = MP_DPS if dps is None else require_int("dps", dps, minimum=1)
    return regularity_exact(kernel, dps)


def kappa(kernel: Matern | Gaussian | RandomFourierKernel, dps: int | None = None) -> Quantity:
    """``κ = c0 + c1 + c2``, the constant of Condition 1 (docs/kappa.rst).

    Formula
    -------
    ``κ = c0 + c1 + c2`` of :func:`regularity_constants`.

    Kind
    ----
    exact (Matérn, Gaussian) or rigorous upper bound (random features).

    Hypotheses
    ----------
    Condition 1 with ``c2 < ∞`` (Matérn ν > 2).

    References
    ----------
    docs/kappa.rst#summary; docs/theory.rst#kappa-kappa

    Examples
    --------
    >>> kappa(Matern("5/2")).expr
    sqrt(15)/3 + 6
    """
    return regularity_constants(kernel, dps).kappa
