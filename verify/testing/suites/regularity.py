"""Suite ``regularity``: Condition 1 on actual elements of ``V`` (docs/kappa.rst, docs/verify.rst, docs/kappa.rst).

Fields are finite sums of kernel sections ``v = Σ_j k(·, c_j) a_j`` with the exact RKHS norm
``‖v‖² = Σ_ij a_i·a_j K(c_i − c_j)`` and derivatives from the kernel's closed-form gradient and
Hessian; the constants come from :func:`bounds.regularity.regularity_constants`.  The sharpness property uses
witnesses that are themselves finite sums of sections (difference quotients of sections in the
centre), so it works for any kernel object, ours or a user's.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bounds.regularity import regularity_constants
from verify.testing.suites.core import Property, SlackRecorder, Suite, check_upper

__all__ = ["SectionField", "REGULARITY", "fd_witness_ratios"]


class SectionField:
    """``v = Σ_j k(·, c_j) a_j`` with centres ``C`` (n, D) and coefficients ``A`` (n, D)."""

    def __init__(self, kernel, C: np.ndarray, A: np.ndarray) -> None:
        self.k, self.C, self.A = kernel, C, A
        G = kernel.gram(C)
        AA = A @ A.T
        self.norm2 = float(np.sum(G * AA))
        # Rounding of the quadratic form (and of the kernel values, ~1e-14 relative for the
        # Bessel path): a generous a-priori bound, so that a reported violation is real.
        self.norm2_err = 1e-13 * len(C) * float(np.sum(np.abs(G) * np.abs(AA)))

    def norm_upper(self) -> float:
        """An upper bound of the true ``‖v‖`` (computed value plus rounding allowance)."""
        return float(np.sqrt(self.norm2 + self.norm2_err))

    def value(self, x):
        return np.einsum("j,jd->d", self.k(x[None, :] - self.C), self.A)

    def jacobian(self, x):
        return np.einsum("jd,je->de", self.A, self.k.grad(x[None, :] - self.C))

    def second(self, x, u, w):
        H = self.k.hess(x[None, :] - self.C)
        return np.einsum("jd,j->d", self.A, np.einsum("a,jab,b->j", u, H, w))


def fd_witness_ratios(kernel, D: int, tau: float, u: np.ndarray | None = None) -> tuple[float, float]:
    """``‖Dv(x)‖/‖v‖`` and ``‖D²v(x)[u,u]‖/‖v‖`` for the witnesses ``(k_{x+τu} − k_{x−τu})/(2τ) e``
    and ``(k_{x+τu} − 2k_x + k_{x−τu})/τ² e`` (finite sums of sections; they tend to ``c1``, ``c2``
    as ``τ → 0`` with error ``O(τ^{min(2, 2ν−4)})``)."""
    x, e = np.zeros(D), np.eye(D)[-1]
    u = np.eye(D)[0] if u is None else np.asarray(u, dtype=float) / np.linalg.norm(u)
    C = np.stack([x + tau * u, x, x - tau * u])
    r = []
    for coeff, order in ((np.array([1.0, 0.0, -1.0]) / (2 * tau), 1), (np.array([1.0, -2.0, 1.0]) / tau**2, 2)):
        v = SectionField(kernel, C, coeff[:, None] * e[None, :])
        val = np.linalg.norm(v.jacobian(x), 2) if order == 1 else np.linalg.norm(v.second(x, u, u))
        r.append(val / np.sqrt(v.norm2))
    return r[0], r[1]


def _dim(kernel, draw_dim: int) -> int:
    return int(getattr(kernel, "dim", draw_dim))


def sections(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """``|v(x)| ≤ c0‖v‖``, ``‖Dv(x)‖ ≤ c1‖v‖``, ``‖D²v(x)[u,w]‖ ≤ c2‖v‖`` on random fields."""
    reg = regularity_constants(kernel)
    c0, c1, c2 = reg.c0.value, reg.c1.value, reg.c2.value
    ell = float(getattr(kernel, "lengthscale", 1.0))

    @settings
    @given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 3), st.booleans())
    def prop(seed, n, D, near):
        D = _dim(kernel, D)
        rng = np.random.default_rng(seed)
        C = 2 * ell * rng.normal(size=(n, D))
        v = SectionField(kernel, C, rng.uniform(-1, 1, size=(n, D)))
        if v.norm2 <= 1e6 * v.norm2_err:
            return
        x = C[rng.integers(n)] + 0.1 * ell * rng.normal(size=D) if near else 2.5 * ell * rng.normal(size=D)
        u, w = rng.normal(size=(2, D))
        u, w = u / np.linalg.norm(u), w / np.linalg.norm(w)
        nv = v.norm_upper()
        ex = {"C": C, "A": v.A, "x": x, "u": u, "w": w, "kernel": repr(kernel)}
        slack = 1e-10  # rounding of the derivative sums
        check_upper(recorder, "regularity.c0", float(np.linalg.norm(v.value(x))), c0 * nv, ex, rtol=slack)
        check_upper(recorder, "regularity.c1", float(np.linalg.norm(v.jacobian(x), 2)), c1 * nv, ex, rtol=slack)
        check_upper(recorder, "regularity.c2", float(np.linalg.norm(v.second(x, u, w))), c2 * nv, ex, rtol=slack)

    prop()


def _section_ratio(z: np.ndarray, v: SectionField, bound: str, scale: float) -> float:
    """``‖Dv(x)‖/(c1‖v‖)`` or ``‖D²v(x)[u, w]‖/(c2‖v‖)`` at ``z = (x, u, w)`` (``scale = c ‖v‖``)."""
    D = v.C.shape[1]
    x, u, w = z[:D], z[D:2 * D], z[2 * D:]
    if bound == "regularity.c1":
        return float(np.linalg.norm(v.jacobian(x), 2)) / scale
    nu_, nw_ = np.linalg.norm(u), np.linalg.norm(w)
    if nu_ == 0 or nw_ == 0:
        return 0.0
    return float(np.linalg.norm(v.second(x, u / nu_, w / nw_))) / scale


def optimise_sections(kernel, recorder: SlackRecorder, budget: int = 200) -> None:
    """Optimiser pass (scipy Nelder–Mead) from hypothesis' tightest examples of
    :func:`sections`: move the evaluation point ``x`` (and the directions ``u, w``) to maximise
    the tightness of ``c1`` and ``c2``; the result is recorded as ``regularity.c{1,2}.optimised``
    and checked like any other observation (a violation found here is a violation)."""
    from scipy.optimize import minimize  # noqa: PLC0415

    reg = regularity_constants(kernel)
    consts = {"regularity.c1": reg.c1.value, "regularity.c2": reg.c2.value}
    for bound, c in consts.items():
        rows = recorder.observations.get(bound, [])
        if not rows:
            continue
        best = max(rows, key=lambda o: o.tightness)
        ex = best.example
        v = SectionField(kernel, np.asarray(ex["C"]), np.asarray(ex["A"]))
        nv = v.norm_upper()
        D = v.C.shape[1]

        z0 = np.concatenate([np.asarray(ex["x"]), np.asarray(ex["u"]), np.asarray(ex["w"])])
        scale = c * nv
        res = minimize(lambda z, v=v, bound=bound, scale=scale: -_section_ratio(z, v, bound, scale), z0,
                       method="Nelder-Mead", options={"maxfev": budget})
        z = res.x
        x, u, w = z[:D], z[D:2 * D], z[2 * D:]
        new_ex = {**ex, "x": x, "u": u / max(np.linalg.norm(u), 1e-300), "w": w / max(np.linalg.norm(w), 1e-300),
                  "start_tightness": best.tightness}
        observed = _section_ratio(z, v, bound, scale) * scale
        check_upper(recorder, bound + ".optimised", observed, scale, new_ex, rtol=1e-10)


def witnesses(kernel, recorder: SlackRecorder | None, settings: hsettings) -> None:
    """The witnesses reach ≥ 99% of ``c1`` and ``c2`` (and ``k(·, x)e`` attains ``c0``).

    Isotropic kernels: any direction.  A random-feature kernel is anisotropic: the ``c1`` witness
    points along the top eigenvector of ``E[ωωᵀ]``; its ``c2`` is a certified *upper* bound
    (branch and bound), so the ``c2`` witness is recorded but not required to reach 99%."""
    reg = regularity_constants(kernel)
    c1, c2 = reg.c1.value, reg.c2.value
    omega = getattr(kernel, "omega", None)
    ell = float(getattr(kernel, "lengthscale", 1.0))
    if omega is not None:
        ell = 1.0 / max(1.0, float(np.max(np.linalg.norm(omega, axis=1))))

    @settings
    @given(st.integers(1, 3))
    def prop(D):
        D = _dim(kernel, D)
        u = None if omega is None else np.linalg.eigh(omega.T @ omega)[1][:, -1]
        r1, r2 = fd_witness_ratios(kernel, D, 2e-3 * ell, u)
        ex = {"D": D, "kernel": repr(kernel)}
        # 1e-6 / 1e-3: difference-quotient and 1/tau^4 cancellation errors of the witnesses
        t1 = check_upper(recorder, "regularity.c1.sharp", r1, c1, ex, rtol=1e-6)
        t2 = check_upper(recorder, "regularity.c2.sharp", r2, c2, ex, rtol=1e-3)
        v0 = SectionField(kernel, np.zeros((1, D)), np.eye(D)[:1])
        t0 = check_upper(
            recorder,
            "regularity.c0.sharp",
            float(np.linalg.norm(v0.value(np.zeros(D)))),
            reg.c0.value * np.sqrt(v0.norm2),
            ex,
            rtol=1e-12,
        )
        if min(t0, t1, t2 if omega is None else 1.0) < 0.99:
            raise AssertionError(f"regularity witness below 99% of its constant: {t0!r}, {t1!r}, {t2!r} ({ex})")

    prop()


REGULARITY = Suite(
    "regularity",
    (
        Property(
            "sections",
            ("regularity.c0", "regularity.c1", "regularity.c2"),
            sections,
            sections.__doc__ or "",
            optimise=optimise_sections,
        ),
        Property(
            "witnesses",
            ("regularity.c0.sharp", "regularity.c1.sharp", "regularity.c2.sharp"),
            witnesses,
            witnesses.__doc__ or "",
        ),
    ),
    "Condition 1: |v| + |Dv| + |D^2 v| <= (c0 + c1 + c2) |v|_V (docs/kappa.rst)",
)
