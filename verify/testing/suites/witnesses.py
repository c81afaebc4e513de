"""Controls and problems on which the bounds of docs/pl.rst are attained or approached at R > 0.

The building block is the *derivative section* ``v = (k(·, c + hu) − k(·, c − hu))/(2h) · u``
(the ``c1`` witness of docs/kappa.rst as a difference of two kernel sections): it vanishes at
``c`` by symmetry, so ``c`` is a fixed point of every flow it drives, and its Jacobian there is
``±ρ uuᵀ`` with ``ρ = ‖Dv(c)‖/‖v‖_V → c1`` as ``h → 0`` (error ``O(h⁴)``).  Scaled by a time
profile ``w_k`` (one weight per layer), the flow's Jacobian at ``c`` is exactly
``exp(±ρ Γ(t) uuᵀ)`` from time ``t`` to 1, ``Γ(t) = ∫_t^1 w``: the Grönwall factor with the
time profile made explicit.  A second point far away (30 length scales) feels no field and no
kernel coupling, so a residual on the first point alone isolates the adjoint's contraction or
expansion, ``‖∇F‖² = (4/N²) |Bᵀr₁|² ∫₀¹ e^{±2ρΓ(t)} dt`` (docs/pl.rst, proof of the sandwich).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds.problem import Problem
from verify.solver.controls import KernelControl
from verify.solver.flow import flow, resnet

__all__ = [
    "SECTION_H", "section", "profile_control", "witness_rate", "adjoint_energy", "projection_loss", "far_pair",
    "Witness",
]

#: Half width of the difference quotient in units of the length scale (error O(h⁴) in the rate).
SECTION_H = 1e-4


def section(kernel, c: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres and coefficients of the derivative section at ``c`` along the unit vector ``u``,
    with unit V-norm (exactly, from its Gram matrix)."""
    h = SECTION_H * float(getattr(kernel, "lengthscale", 1.0))
    centres = np.stack([c + h * u, c - h * u])
    coeffs = np.stack([u, -u]) / (2 * h)
    G = kernel.gram(centres)
    norm = math.sqrt(float(np.sum(G * (coeffs @ coeffs.T))))
    return centres, coeffs / norm


def profile_control(kernel, c: np.ndarray, u: np.ndarray, weights: np.ndarray, sign: int) -> KernelControl:
    """``v_t = sign · w_k · (unit derivative section)`` on layer ``k`` (piecewise constant), so
    ``‖v‖²_H = mean(w_k²)``; ``sign = −1`` contracts along ``u`` at ``c``, ``+1`` expands."""
    centres, coeffs = section(kernel, c, u)
    return KernelControl(kernel, tuple(centres for _ in weights), tuple(sign * w * coeffs for w in weights))


def witness_rate(kernel, c: np.ndarray, u: np.ndarray) -> float:
    """``ρ = ‖Dv(c)‖`` of the unit section of :func:`section`: the contraction or expansion rate
    per unit of ``‖v_t‖_V`` (measured on the field itself: the kernel's c1 does not enter).  The
    section's V-norm is 1 up to the cancellation in its Gram form, ``u/(c1 h)² ≈ 1e-8`` relative,
    which the properties using it allow for."""
    centres, coeffs = section(kernel, c, u)
    J = KernelControl(kernel, (centres,), (coeffs,)).layer_jacobian(0, 0.0, c[None, :])[0]
    return float(np.linalg.norm(J, 2))


def adjoint_energy(weights: np.ndarray, rate: float, sign: int, depth: int | None = None) -> float:
    """``∫₀¹ e^{2 sign ρ Γ(t)} dt`` with ``Γ(t) = ∫_t^1 w`` for the piecewise-constant profile
    (exact per layer); for the T-layer ResNet (``depth = len(weights)``) its discrete form
    ``(1/T) Σ_k Π_{l>k} (1 + sign ρ w_l/T)²`` (docs/pl.rst, "Finite depth")."""
    L = len(weights)
    total, tail = 0.0, 1.0  # tail = factor accumulated from the layers after k
    for w in weights[::-1]:
        if depth is not None:
            total += tail**2 / L
            tail *= 1.0 + sign * rate * w / L
            continue
        x = 2.0 * sign * rate * w / L  # exponent accumulated over this layer
        total += tail**2 * (math.expm1(x) / x if x != 0 else 1.0) / L
        tail *= math.exp(x / 2.0)
    return total


def projection_loss(weights: np.ndarray, rate: float) -> float:
    """Relative loss bound of ``‖∇F‖²`` when the gradient is projected on piecewise-constant
    controls (the solver's H-gradient): on each layer the integrand varies by a factor
    ``κ = e^{ρ w_k/L}``, so by Popoviciu's inequality its variance is at most ``(κ − 1)²/4`` of its
    mean square."""
    kappa = math.exp(rate * float(np.max(np.abs(weights))) / len(weights))
    return (kappa - 1.0) ** 2 / 4.0


def far_pair(kernel, c: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The point ``c`` and a second point 30 length scales away along a direction ⊥ ``u``."""
    w = np.roll(u, 1) - (np.roll(u, 1) @ u) * u
    w = w / np.linalg.norm(w) if np.linalg.norm(w) > 1e-8 else np.eye(len(u))[int(np.argmin(np.abs(u)))]
    return np.stack([c, c + 30.0 * float(getattr(kernel, "lengthscale", 1.0)) * w])


@dataclass(frozen=True)
class Witness:
    """A far pair at the fixed point of a profiled derivative section, with ``B`` whose extreme
    right singular vector (σ_min for ``sign = −1``, σ_max for ``+1``) is ``u`` and targets chosen
    so that the residual is ``σ-direction × amplitude`` on the first point and 0 on the second."""

    problem: Problem
    control: KernelControl
    rate: float
    energy: float
    residual_sq: float
    #: relative loss bound of the solver's projected ``‖∇F‖²`` (0 for the ResNet: exact there)
    loss: float

    @classmethod
    def build(cls, kernel, rng: np.random.Generator, R: float, sign: int, depth: int | None, L: int = 16):
        D = 3
        c, u = rng.normal(size=D), rng.normal(size=D)
        u /= np.linalg.norm(u)
        V = np.linalg.qr(np.column_stack([u, rng.normal(size=(D, D - 1))]))[0]
        V[:, 0] = u  # qr may flip the sign of the first column
        sv = np.sort(rng.uniform(0.5, 2.0, size=2))
        sv = sv[::-1] if sign > 0 else sv  # the first right singular vector (u) gets sigma_max or sigma_min
        U = np.linalg.qr(rng.normal(size=(2, 2)))[0]
        B = U @ np.column_stack([np.diag(sv), np.zeros((2, 1))]) @ V.T
        T = depth or L
        weights = (np.arange(T) + 0.5) / T
        weights *= R / math.sqrt(float(np.mean(weights**2)))  # late-heavy linear profile, ||v||_H = R
        X = far_pair(kernel, c, u)
        control = profile_control(kernel, c, u, weights, sign)
        x1 = (flow(control, X, "rk4", 4) if depth is None else resnet(control, X)).x1
        r1 = rng.uniform(0.5, 2.0) * U[:, 0]  # B^T r1 = |r1| sv[0] u
        Y = np.stack([B @ x1[0] - r1, B @ x1[1]])
        rate = witness_rate(kernel, c, u)
        return cls(Problem(X, Y, np.eye(D), B, kernel), control, rate, adjoint_energy(weights, rate, sign, depth),
                   float(r1 @ r1), 0.0 if depth else projection_loss(weights, rate))
