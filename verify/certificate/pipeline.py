"""The convergence certificate: is gradient descent guaranteed to converge on this data and
architecture?  (SPEC §5–§8, docs/certificate.rst.)

:func:`certify` takes a :class:`~verify.certificate.datasets.Dataset` and :class:`CertifyOptions` (kernel,
lifting, output map, depth, the LZB form, the cross-check budget) and returns a frozen
:class:`Certificate`; :meth:`Certificate.to_dict` is the JSON document of
``verify/schema/certificate.schema.json``.  The chain:

1. data: separation ``δ``, lifted separation, ``f0 = F(0)`` (zero initialisation);
2. Condition 1: ``c0, c1, c2, κ`` (:func:`bounds.regularity.regularity_constants`);
3. λ: the data-dependent bound along the flow (:mod:`bounds.pl`), the verified ``λ_min`` of the
   lifted data (an upper bound of every lower bound at ``R = 0``), the worst-case packing bound
   ``λ_N(σ_min(A) δ e^{−c1 R})`` where it is computable;
4. ``m(R)``, ``M(R)`` (:func:`bounds.pl.pl_constants`), ``β(R)`` (:func:`bounds.smoothness.smoothness_constant`);
5. the LZB radius condition searched over ``R`` (:func:`bounds.lzb.lzb_certificate`): best ``R``,
   rate ``1 − m/(2β)`` and the iterations to the target loss;
6. the cross-check: gradient descent with step ``1/β(R)`` from ``v0 = 0`` on the solver
   (:func:`verify.solver.train.gradient_descent`) compared with the envelope ``(1 − m/(2β))^k f0`` and
   the ball ``‖θ_k − θ_0‖ ≤ R``.

Adapters written here (the APIs they stand in for are missing or do not apply):

* :func:`reduced_problem` — for radial kernels the function-space dynamics from ``v0 = 0`` stay
  in ``S = span(range A, range Bᵀ)`` (dimension ``≤ d + d'``), so the exact infinite-width GD in
  ``R^D`` is run isometrically in ``R^{dim S}`` (docs/certificate.rst, "The cross-check").
* :func:`rff_constants` — ``c1``/``c2`` of a random-feature sample in high dimension (``c1`` from the
  ``q × q`` Gram of the frequencies, ``c2 ≤ √((1/q)Σ‖ω_j‖⁴)``), since the branch and bound of
  :func:`bounds.regularity.rff_regularity` is for small ``D``; and the finite-width ``λ`` by Weyl with
  an *estimated* kernel error (kind ``estimate``).
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, TextIO

import numpy as np

from bounds._core.validate import as_rational_or_float, require_int, require_positive
from verify.certificate.datasets import Dataset, load_dataset, make_dataset

__all__ = [
    "SCHEMA_VERSION",
    "CertifyOptions",
    "Certificate",
    "certify",
    "dataset_from_options",
    "reduced_problem",
    "rff_constants",
]

SCHEMA_VERSION = "1.0.0"
DOCS = "docs/certificate.rst"
#: Largest N² D accepted: the bounds form the N × N × D array of lifted differences (8 bytes each).
MAX_PAIRWISE_ENTRIES = 50_000_000


# ------------------------------------------------------------------------------- options


@dataclass(frozen=True)
class CertifyOptions:
    """Everything that determines a certificate (serialised into its ``inputs.options``).

    Parameters
    ----------
    data
        A built-in dataset name (``moons``, ``circles``, ``sphere``, ``xor``) or a file path.
    n, seed, target_dim
        Size and seed of a built-in dataset; number of target columns of a file.
    kernel, nu, lengthscale
        ``"matern"`` (smoothness ``nu`` > 2 for Condition 1) or ``"gaussian"``; length scale ℓ.
    width, rff_seed
        ``None`` for the infinite-width kernel model; ``q`` for random Fourier features drawn
        with ``rff_seed`` (finite width).
    p, a, b
        Lifting ``A = a (I_d, …, I_d)ᵀ`` with ``p`` blocks and output map ``B = b (I_{d'}, 0)``.
    depth
        ``None`` for the neural ODE (infinitely deep), ``T`` for the T-layer ResNet.
    constants, lam, form
        Passed to :func:`bounds.pl.pl_constants` / :func:`bounds.lzb.lzb_certificate`.
    R_min, R_max, grid_size
        Radii searched (``R_max=None``: ``3/c1``).
    target
        Target loss for the iteration count.
    gd_iterations, gd_layers, gd_max_centres, gd_width
        Cross-check budget, layers of the ODE's approximation, the largest number of kernel
        centres per layer the exact infinite-width run may accumulate (``N`` × stages per layer ×
        iterations; its cost grows like the cube of it), RFF width used above it.
    recipe
        Run the lifting recipe when the certificate fails, to say what would fix it.
    """

    data: str = "xor"
    n: int | None = None
    seed: int = 0
    target_dim: int = 1
    kernel: str = "matern"
    nu: str = "5/2"
    lengthscale: float = 1.0
    width: int | None = None
    rff_seed: int = 0
    p: int = 1
    a: float = 1.0
    b: float = 1.0
    depth: int | None = None
    constants: str = "sharp"
    lam: str = "data"
    form: str = "discrete"
    R_min: float = 1e-3
    R_max: float | None = None
    grid_size: int = 41
    target: float = 1e-6
    gd_iterations: int = 100
    gd_layers: int = 4
    gd_max_centres: int = 2000
    gd_width: int = 256
    recipe: bool = True

    def __post_init__(self) -> None:
        if self.kernel not in ("matern", "gaussian"):
            raise ValueError(f"kernel must be 'matern' or 'gaussian', got {self.kernel!r}")
        require_positive("lengthscale", self.lengthscale)
        if self.kernel == "matern":
            nu = as_rational_or_float("nu", self.nu)
            if float(nu) <= 2:
                raise ValueError(
                    f"nu must be > 2 for Condition 1 (got nu = {self.nu}): c2 = sqrt(E[w_1^4]) is infinite "
                    "for Matern nu <= 2, so the smoothness beta(R) and the certificate do not exist"
                )
        if self.width is not None:
            require_int("width", self.width, minimum=1)
        require_int("p", self.p, minimum=1)
        require_positive("a", self.a)
        require_positive("b", self.b)
        if self.depth is not None:
            require_int("depth", self.depth, minimum=1)
        if self.constants not in ("sharp", "paper"):
            raise ValueError(f"constants must be 'sharp' or 'paper', got {self.constants!r}")
        if self.lam not in ("data", "best", "worst-case", "estimate"):
            raise ValueError(f"lam must be one of data, best, worst-case, estimate; got {self.lam!r}")
        if self.form not in ("discrete", "simplified", "sqrt", "lzb"):
            raise ValueError(f"form must be one of discrete, simplified, sqrt, lzb; got {self.form!r}")
        require_positive("R_min", self.R_min)
        if self.R_max is not None and self.R_max <= self.R_min:
            raise ValueError(f"R_max must be > R_min = {self.R_min}, got {self.R_max}")
        require_int("grid_size", self.grid_size, minimum=2)
        require_positive("target", self.target)
        require_int("gd_iterations", self.gd_iterations, minimum=0)
        require_int("gd_layers", self.gd_layers, minimum=1)
        require_int("gd_max_centres", self.gd_max_centres, minimum=0)
        require_int("gd_width", self.gd_width, minimum=1)
        require_int("seed", self.seed, minimum=0)
        require_int("rff_seed", self.rff_seed, minimum=0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CertifyOptions:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"options: unknown keys {sorted(unknown)}")
        return cls(**d)

    def base_kernel(self) -> Any:
        from bounds.kernels import Gaussian, Matern

        if self.kernel == "gaussian":
            return Gaussian(self.lengthscale)
        return Matern(self.nu, self.lengthscale)


def dataset_from_options(opts: CertifyOptions) -> Dataset:
    """The dataset named by the options (built-in generator or file)."""
    from verify.certificate.datasets import BUILTIN

    if opts.data in BUILTIN:
        return make_dataset(opts.data, n=opts.n, seed=opts.seed)
    if opts.data.lower().endswith((".npy", ".npz", ".csv")):
        return load_dataset(opts.data, target_dim=opts.target_dim)
    raise ValueError(f"data must be one of {tuple(BUILTIN)} or a .npy/.npz/.csv file, got {opts.data!r}")


# ------------------------------------------------------------------------------- result


@dataclass(frozen=True)
class Certificate:
    """A computed certificate.  ``exit_code`` is 0 when convergence is guaranteed, 1 otherwise.

    ``quantities`` maps a name to a record ``{value, kind, formula_id, formula, provenance,
    hypotheses}``; ``failures`` lists ``{hypothesis, reason, fix}`` for each hypothesis that failed.
    """

    schema_version: str
    conclusion: str
    guaranteed: bool
    exit_code: int
    failures: tuple[dict[str, Any], ...]
    inputs: dict[str, Any]
    environment: dict[str, Any]
    quantities: dict[str, dict[str, Any]]
    hypotheses: tuple[dict[str, Any], ...]
    lzb: dict[str, Any]
    curves: dict[str, Any]
    lambda_bracket: dict[str, Any]
    cross_check: dict[str, Any] | None
    timing: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (plain Python types only)."""
        return _plain(asdict(self))


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        if not math.isfinite(v):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return v
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    return obj


def _q(value: float, kind: str, formula_id: str, formula: str, provenance: str,
       hypotheses: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    return {
        "value": float(value), "kind": kind, "formula_id": formula_id, "formula": formula,
        "provenance": provenance, "hypotheses": list(hypotheses),
    }


def _from_quantity(q: Any, formula_id: str) -> dict[str, Any]:
    return _q(q.value, q.kind, formula_id, q.formula, q.reference, q.hypotheses)


def environment() -> dict[str, Any]:
    """Versions of python, numpy, scipy, sympy, mpmath and resnet-pl."""
    import mpmath
    import scipy
    import sympy

    try:
        from importlib.metadata import version

        pkg = version("resnet-pl")
    except Exception:  # pragma: no cover - not installed
        pkg = "unknown"
    return {
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "sympy": sympy.__version__, "mpmath": mpmath.__version__, "resnet-pl": pkg,
        "platform": platform.platform(),
    }


# ------------------------------------------------------------------------------- adapters


def rff_constants(omega: np.ndarray) -> tuple[float, float]:
    """``(c1, c2)`` upper bounds of a frequency sample ``Ω`` (q × D), any ``D``.

    ``c1 = √λ_max((1/q) ΩᵀΩ) = √λ_max((1/q) ΩΩᵀ)`` (the ``q × q`` Gram has the same nonzero
    spectrum), rounded up by a relative ``(q + D) 2⁻⁵⁰`` margin; ``c2 ≤ √((1/q) Σ ‖ω_j‖⁴)`` (from
    ``(ω·u)⁴ ≤ ‖ω‖⁴``, SPEC §3's fallback).  Kind: rigorous upper bounds (c1 sharp for the sample,
    c2 possibly loose).  Docs: docs/certificate.rst, "Finite width".
    """
    q, D = omega.shape
    G = omega @ omega.T / q
    lam = float(np.linalg.eigvalsh(G)[-1])
    margin = 1 + (q + D + 10) * 2.0**-50
    c1 = math.sqrt(lam + (q + D) * 2.0**-50 * float(np.trace(G))) * margin
    n4 = np.sum(omega**2, axis=1) ** 2
    c2 = math.sqrt(float(np.mean(n4)) * margin) * margin
    return c1, c2


def reduced_problem(lifted: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An orthonormal basis ``Q`` (D × r) of ``S = span(rows of lifted, rows of B)`` and the
    coordinates ``(lifted Q, B Q)``.

    For a radial kernel the flow of a kernel-expansion control with centres and coefficients in
    ``S`` maps ``S`` into itself, ``∇F`` has centres (trajectory points) and coefficients (adjoints
    ``p = Bᵀr`` transported by ``Dvᵀ``, whose range is in ``S``) in ``S``, and kernel values and
    ``H``-norms depend only on distances: gradient descent from ``v0 = 0`` in ``R^D`` is the
    isometric image of gradient descent in ``R^r`` (docs/certificate.rst).
    """
    M = np.vstack([lifted, B])
    U, s, _ = np.linalg.svd(M.T, full_matrices=False)
    r = int(np.sum(s > s[0] * 1e-12 * max(M.shape)))
    Q = U[:, :r]
    return Q, lifted @ Q, B @ Q


# ------------------------------------------------------------------------------- the chain


def _lifted_separation(problem: Any) -> float:
    return float(np.min(problem.lifted_distances + np.diag(np.full(problem.N, np.inf))))


def _progress(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        stream.write(f"[certify] {text}\n")
        stream.flush()


def certify(opts: CertifyOptions, dataset: Dataset | None = None, *, progress: TextIO | None = None,
            argv: list[str] | None = None) -> Certificate:
    """Compute the certificate (SPEC §5–§8; docs/certificate.rst).

    Formula: the LZB condition of the chosen ``form`` at ``m(R)``, ``M(R)``, ``β(R)`` (docs/pl.rst,
    docs/smoothness.rst, docs/lzb.rst) searched over ``R``; guaranteed iff it holds at some ``R``
    with constants of kind exact/rigorous.  Hypotheses: Condition 1 (Matérn ν > 2 or Gaussian),
    distinct data, ``A`` injective, ``B`` surjective.  Kind: the verdict is rigorous for the
    infinite-width model; for finite width it rests on an estimated kernel error (``estimate``).

    Raises
    ------
    ValueError
        Bad input (one-line reason): shapes, NaN, duplicates, ν ≤ 2, options out of range.
    """
    from bounds.kernels import RandomFourierKernel
    from bounds.lzb import iterations_to, lzb_certificate, lzb_condition
    from bounds.pl import flow_factors, pl_constants
    from bounds.problem import Problem, lifting, output_map
    from bounds.regularity import regularity_constants
    from bounds.smoothness import smoothness_constant

    t_start = time.perf_counter()
    timing: dict[str, float] = {}
    ds = dataset_from_options(opts) if dataset is None else dataset
    _progress(progress, f"dataset {ds.name}: N = {ds.N}, d = {ds.d}, d' = {ds.d_out}")
    base = opts.base_kernel()
    D = opts.p * ds.d
    if ds.d_out > D:
        raise ValueError(f"the output map needs d' <= D = p d = {D}, got d' = {ds.d_out}; increase p")
    if ds.N**2 * D > MAX_PAIRWISE_ENTRIES:
        raise ValueError(
            f"p must keep N^2 D <= {MAX_PAIRWISE_ENTRIES:.0e} (the N x N x D lifted differences): N = {ds.N}, "
            f"D = p d = {D}; use p <= {max(1, MAX_PAIRWISE_ENTRIES // (ds.N**2 * ds.d))}"
        )
    A = lifting(ds.d, opts.p, opts.a)
    B = output_map(ds.d_out, D, opts.b)
    problem = Problem(ds.X, ds.Y, A, B, base)
    f0 = problem.initial_loss()
    N = ds.N
    sA, sB = problem.sigma_A, problem.sigma_B
    lifted_sep = _lifted_separation(problem)

    Q: dict[str, dict[str, Any]] = {}
    Q["N"] = _q(N, "exact", "SPEC-1.N", "number of data points", DOCS + "#inputs")
    Q["D"] = _q(D, "exact", "SPEC-8.D", "D = p d", "docs/recipe.rst")
    Q["separation"] = _q(problem.separation, "numerical", "SPEC-1.delta", "delta = min_{i!=j} |x_i - x_j|",
                         "docs/lambda_data.rst")
    Q["lifted_separation"] = _q(lifted_sep, "numerical", "SPEC-5.lifted-delta", "min_{i!=j} |A x_i - A x_j|",
                                "docs/pl.rst")
    Q["sigma_min_A"] = _q(sA[0], "numerical", "SPEC-8.sigma-A", "sigma_min(A) = a sqrt(p)", "docs/recipe.rst")
    Q["sigma_min_B"] = _q(sB[0], "numerical", "SPEC-8.sigma-B", "sigma_min(B) = b", "docs/recipe.rst")
    Q["sigma_max_B"] = _q(sB[1], "numerical", "SPEC-8.sigma-B", "sigma_max(B) = b", "docs/recipe.rst")
    Q["f0"] = _q(f0, "numerical", "SPEC-1.F0", "F(0) = (1/N) sum_i |B A x_i - y_i|^2 (zero initialisation)",
                 DOCS + "#inputs")
    Q["rho"] = _q(problem.rho, "numerical", "SPEC-6.rho", "rho = max_i |A x_i|", "docs/smoothness.rst")

    # ---- Condition 1
    t0 = time.perf_counter()
    _progress(progress, "Condition 1: regularity constants")
    reg = regularity_constants(base)
    for name, fid in (("c0", "SPEC-3.c0"), ("c1", "SPEC-3.c1"), ("c2", "SPEC-3.c2"), ("kappa", "SPEC-3.kappa")):
        Q[name] = _from_quantity(getattr(reg, name), fid)
    rff = None
    eps_hat = 0.0
    if opts.width is not None:
        rff = RandomFourierKernel.from_kernel(base, opts.width, D, opts.rff_seed)
        c1q, c2q = rff_constants(rff.omega)
        hyp = (f"the drawn sample: q = {opts.width}, seed = {opts.rff_seed}",)
        Q["c1_rff"] = _q(c1q, "rigorous", "SPEC-3.c1-rff", "sqrt(lambda_max((1/q) W W^T)), rounded up",
                         DOCS + "#finite-width", hyp)
        Q["c2_rff"] = _q(c2q, "rigorous", "SPEC-3.c2-rff-fallback", "sqrt((1/q) sum |w_j|^4) >= c2 of the sample",
                         DOCS + "#finite-width", hyp)
        eps_hat = _rff_error_estimate(rff, base, problem.lifted, opts.rff_seed)
        Q["rff_kernel_error"] = _q(eps_hat, "estimate", "SPEC-8.rff-eps",
                                   "max |K_q(z) - K(z)| over the data differences and 2000 random z in the region",
                                   DOCS + "#finite-width", hyp)
    c1 = float(reg.c1) if rff is None else Q["c1_rff"]["value"]
    c0, c2 = 1.0, (float(reg.c2) if rff is None else Q["c2_rff"]["value"])
    if opts.constants == "paper":
        c1 = c0 + c1 + c2
    timing["regularity"] = time.perf_counter() - t0

    # ---- λ of the lifted data (R = 0)
    from bounds.lambda_min.data import data_gershgorin_bound, lambda_min_numerical, lambda_min_verified

    t0 = time.perf_counter()
    lam_kernel = base if rff is None else rff
    lam_data = None
    if N <= 2000:
        lam_data = lambda_min_verified(lam_kernel, problem.lifted)
        Q["lambda_min_data"] = _from_quantity(lam_data, "SPEC-4.3.verified")
    else:
        lam_data = lambda_min_numerical(lam_kernel, problem.lifted)
        Q["lambda_min_data"] = _from_quantity(lam_data, "SPEC-4.3.numerical")
    timing["lambda_data"] = time.perf_counter() - t0

    # ---- m, M, β as functions of R
    R_max = opts.R_max if opts.R_max is not None else 3.0 / c1
    if opts.depth is not None:  # the discrete Grönwall bound needs c R / sqrt(T) < 1
        R_max = min(R_max, 0.5 * math.sqrt(opts.depth) / c1)  # s_- underflows near sqrt(T)/c
    if R_max <= opts.R_min:
        raise ValueError(f"R_max = 3/c1 = {R_max:.3g} is below R_min = {opts.R_min}; pass a smaller R_min")

    evaluations = [0]

    @cache
    def constants_at(R: float) -> tuple[float, float, float, str, float]:
        """(m, M, β, kind of m, λ lower) at radius R."""
        evaluations[0] += 1
        if evaluations[0] % 20 == 0:
            _progress(progress, f"  {evaluations[0]} radii evaluated (R = {R:.4g})")
        if rff is None:
            pl = pl_constants(problem, R, constants=opts.constants, depth=opts.depth, lam=opts.lam)
            beta = smoothness_constant(problem, R, constants=opts.constants).value
            return pl.m.value, pl.M.value, beta, pl.m.kind, pl.lam.value
        s_minus, s_plus = flow_factors(c1, R, opts.depth)
        g = data_gershgorin_bound(base, problem.lifted, float(s_minus))
        lam = max(0.0, g.value - N * eps_hat)
        m = 4.0 / N * sB[0] ** 2 * float(s_minus) ** 2 * lam
        M = 4.0 / N * sB[1] ** 2 * float(s_plus) ** 2 * N
        beta = _beta(sB[1], problem.rho, problem.y_max, c0, c1, c2, R)
        return m, M, beta, "estimate", lam

    t0 = time.perf_counter()
    grid_size = opts.grid_size
    if constants_at(float(opts.R_min))[4] <= 0 and grid_size > 9:
        # λ_lower(R) is nonincreasing in R (s_-(R) decreases, K is radially nonincreasing), so
        # m(R) = 0 on the whole grid and the condition fails everywhere: a coarse grid suffices.
        grid_size = 9
    _progress(progress, f"LZB search over R in [{opts.R_min:.3g}, {R_max:.3g}] ({grid_size} radii)")
    try:
        lzb = lzb_certificate(
            f0, lambda R: constants_at(float(R))[0], lambda R: constants_at(float(R))[1],
            lambda R: constants_at(float(R))[2], form=opts.form, R_min=opts.R_min, R_max=R_max,
            grid_size=grid_size, target=opts.target,
        )
    except ImportError as exc:  # a lam source whose module is not there yet
        raise ValueError(f"lam={opts.lam!r} is not available in this version ({exc}); use lam='data'") from exc
    grid = lzb.grid
    refined = None
    # refine only near-misses: a smooth margin that is far below 0 at every grid radius cannot
    # reach 0 between two of them (a missed window only makes the verdict conservative)
    if lzb.best is None and grid[0].m > 0 and max(_log_ratio(p.allowed_f0[opts.form], f0) for p in grid) > -2.0:
        refined = _refine(lzb, f0, constants_at, opts, lzb_certificate)
        if refined is not None:
            _progress(progress, f"feasible radii found between grid points near R = {refined.best.R:.4g}")
            lzb = refined
    timing["lzb_search"] = time.perf_counter() - t0

    curves = {
        "R": [p.R for p in grid],
        "m": [p.m for p in grid],
        "M": [p.M for p in grid],
        "beta": [p.beta for p in grid],
        "lambda_lower": [constants_at(float(p.R))[4] for p in grid],
        "allowed_f0": [p.allowed_f0[opts.form] for p in grid],
        "margin": [_log_ratio(p.allowed_f0[opts.form], f0) for p in grid],
        "form": opts.form,
    }
    # the point reported: the best feasible R, else the R with the largest margin
    if lzb.best is not None:
        R_star = lzb.best.R
    else:
        R_star = grid[int(np.argmax(curves["margin"]))].R
    m_s, M_s, beta_s, m_kind, lam_s = constants_at(float(R_star))
    point = lzb_condition(f0, m_s, M_s, beta_s, R_star)
    rigorous_m = m_kind in ("exact", "rigorous")
    if rff is None:
        pl_s = pl_constants(problem, R_star, constants=opts.constants, depth=opts.depth, lam=opts.lam)
        Q["c_gronwall"] = _from_quantity(pl_s.c, "SPEC-5.c")
        Q["lambda_lower"] = _from_quantity(pl_s.lam, "SPEC-5.lambda-data")
        Q["Lambda_upper"] = _from_quantity(pl_s.Lam, "SPEC-5.Lambda")
        Q["m"] = _from_quantity(pl_s.m, "SPEC-5.m")
        Q["M"] = _from_quantity(pl_s.M, "SPEC-5.M")
        Q["beta"] = _from_quantity(smoothness_constant(problem, R_star, constants=opts.constants), "SPEC-6.beta")
        Q["s_minus"] = _q(pl_s.s_minus, "rigorous", "SPEC-5.gronwall", "exp(-c R) (ODE) or the discrete factor",
                          "docs/pl.rst")
    else:
        hyp = (f"R = {R_star:.6g}", f"Weyl: lambda(K_q) >= lambda(K) - N eps, eps = {eps_hat:.3g} (estimate)")
        Q["lambda_lower"] = _q(lam_s, "estimate", "SPEC-8.weyl",
                               "max(0, 1 - max_i sum_j K(s_- |Ax_i - Ax_j|) - N eps)", DOCS + "#finite-width", hyp)
        Q["m"] = _q(m_s, "estimate", "SPEC-5.m", "(4/N) sigma_min(B)^2 s_-(R)^2 lambda_lower(R)", "docs/pl.rst", hyp)
        Q["M"] = _q(M_s, "rigorous", "SPEC-5.M", "(4/N) sigma_max(B)^2 s_+(R)^2 N", "docs/pl.rst", hyp)
        Q["beta"] = _q(beta_s, "rigorous", "SPEC-6.beta",
                       "2 sB^2 c0^2 e^{2c1R} + 2 sB rbar(R) c0 e^{2c1R} (c2 c0 R e^{c1R} + 2 c1)",
                       "docs/smoothness.rst", hyp)
    if rff is None and opts.lam != "worst-case":
        # SPEC §5: the worst-case m(R) with λ_N(σ_min(A) δ s_-(R)) is reported next to the data one
        try:
            pl_wc = pl_constants(problem, R_star, constants=opts.constants, depth=opts.depth, lam="worst-case")
            Q["lambda_N_lower"] = _from_quantity(pl_wc.lam, "SPEC-4.best-lower")
            Q["m_worst_case"] = _from_quantity(pl_wc.m, "SPEC-5.m-worst-case")
        except (ImportError, ValueError) as exc:  # pragma: no cover - depends on bounds.lambda_min.bracket
            _progress(progress, f"worst-case lambda_N unavailable: {exc}")
    Q["R"] = _q(R_star, "numerical", "SPEC-7.R-best",
                "smallest grid-refined radius where the LZB condition holds" if lzb.best is not None
                else "radius of the largest margin (the condition fails everywhere)", "docs/lzb.rst")
    verdict_kind = "rigorous" if rigorous_m else "estimate"
    Q["rate"] = _q(point.rate, verdict_kind, "SPEC-7.rate", "1 - m/(2 beta)", "docs/lzb.rst")
    Q["allowed_f0"] = _q(point.allowed_f0[opts.form], verdict_kind, f"SPEC-7.{opts.form}",
                         _FORM_TEXT[opts.form], "docs/lzb.rst")
    Q["margin"] = _q(_log_ratio(point.allowed_f0[opts.form], f0), verdict_kind,
                     "SPEC-7.margin", "log(allowed_f0 / f0) (> 0: the condition holds)", DOCS + "#the-verdict")
    if lzb.best is not None:
        its = iterations_to(opts.target, f0, point.rate) if point.rate < 1 else None
        if its is not None:
            Q["iterations"] = _q(its, verdict_kind, "SPEC-7.iterations",
                                 "ceil(log(target/f0) / log(1 - m/(2 beta)))", "docs/lzb.rst")

    # worst-case λ_N(σ_min(A) δ s_-) where computable (small D)
    lambda_bracket = _lambda_bracket(problem, base, c1, opts, R_star, lam_data, curves)

    # ---- hypotheses and verdict
    hyps: list[dict[str, Any]] = []

    def hyp(hid: str, statement: str, holds: bool, detail: str) -> None:
        hyps.append({"id": hid, "statement": statement, "holds": bool(holds), "detail": detail})

    hyp("H1", "data distinct (delta > 0)", True, f"delta = {problem.separation:.6g}")
    hyp("H2", "A injective, B surjective", True, f"sigma_min(A) = {sA[0]:.6g}, sigma_min(B) = {sB[0]:.6g}")
    hyp("H3", "Condition 1: c0, c1, c2 finite", True, f"c1 = {c1:.6g}, c2 = {c2:.6g}")
    lam_pos = any(v > 0 for v in curves["lambda_lower"])
    hyp("H4", "lambda lower bound > 0 along the flow for some R (local PL, m(R) > 0)", lam_pos,
        f"lambda_lower(R_min) = {curves['lambda_lower'][0]:.6g}")
    k_best = int(np.argmax(curves["margin"]))
    hyp("H5", f"LZB radius condition ({opts.form} form) at some R", lzb.best is not None,
        f"largest margin log(allowed_f0/f0) on the grid = {curves['margin'][k_best]:.4g} at R = "
        f"{curves['R'][k_best]:.4g}" + ("" if lzb.best is None else
                                        f"; smallest feasible R = {R_star:.6g} (best rate)"))
    hyp("H6", "constants of kind exact/rigorous (not estimates)", rigorous_m,
        f"m is {m_kind}" + ("" if rigorous_m else " (finite width: the kernel error is estimated)"))
    guaranteed = all(h["holds"] for h in hyps)

    failures: list[dict[str, Any]] = []
    fix_recipe = None
    if not guaranteed:
        timing_recipe = time.perf_counter()
        if opts.recipe and not (lzb.best is not None and not rigorous_m):
            _progress(progress, "not guaranteed: running the lifting recipe for a fix")
            fix_recipe = _recipe(ds, base, opts)
        timing["recipe"] = time.perf_counter() - timing_recipe
        for h in hyps:
            if not h["holds"]:
                failures.append({"hypothesis": h["id"], "reason": _reason(h, problem, opts, eps_hat),
                                 "fix": _fix(h, fix_recipe, opts, ds)})

    # ---- cross-check
    t0 = time.perf_counter()
    cross = None
    if opts.gd_iterations > 0:
        _progress(progress, f"cross-check: gradient descent, {opts.gd_iterations} iterations, step 1/beta")
        cross = _cross_check(problem, opts, ds, f0, point, rff, progress, guaranteed)
    timing["cross_check"] = time.perf_counter() - t0

    if guaranteed:
        its = Q.get("iterations", {}).get("value")
        model = (("infinite-width" if opts.width is None else f"width-{opts.width}") + " "
                 + ("neural ODE" if opts.depth is None else f"{opts.depth}-layer ResNet"))
        conclusion = (
            f"GUARANTEED ({model}): gradient descent with step 1/beta from v0 = 0 converges to a global minimiser "
            f"at rate {point.rate:.6g} per step (loss <= {opts.target:g} after {its:.0f} iterations), "
            f"staying within R = {R_star:.4g}."
        )
    else:
        first = failures[0]
        conclusion = f"NOT GUARANTEED: {first['reason']} Fix: {first['fix']}"
    timing["total"] = time.perf_counter() - t_start
    inputs = {
        "dataset": ds.to_dict(),
        "options": opts.to_dict(),
        "architecture": {
            "kernel": base.name if hasattr(base, "name") else repr(base),
            "width": "infinite" if opts.width is None else opts.width,
            "lifting": {"p": opts.p, "a": opts.a, "D": D},
            "output_map": {"b": opts.b, "d_out": ds.d_out},
            "depth": "inf" if opts.depth is None else opts.depth,
            "initialisation": "zero",
        },
        "seeds": {
            "data": opts.seed,
            "rff": opts.rff_seed if opts.width is not None else None,
            "cross_check": opts.rff_seed,
        },
        "argv": list(argv) if argv is not None else None,
    }
    return Certificate(
        schema_version=SCHEMA_VERSION,
        conclusion=conclusion,
        guaranteed=guaranteed,
        exit_code=0 if guaranteed else 1,
        failures=tuple(failures),
        inputs=inputs,
        environment=environment(),
        quantities=Q,
        hypotheses=tuple(hyps),
        lzb={
            "form": opts.form,
            "guaranteed": lzb.best is not None,
            "feasible": [list(iv) for iv in lzb.feasible],
            "R_best": lzb.best.R if lzb.best is not None else None,
            "rate": point.rate,
            "recipe": fix_recipe,
        },
        curves=curves,
        lambda_bracket=lambda_bracket,
        cross_check=cross,
        timing=timing,
    )


_FORM_TEXT = {
    "discrete": "(R beta (1 - sqrt(1 - m/(2 beta))))^2 / M",
    "simplified": "m^2 R^2 / (16 M)",
    "sqrt": "m R^2 / 16 (if m M <= 16 beta^2)",
    "lzb": "m^2 R^2 / (32 beta)",
}


def _refine(
    lzb: Any,
    f0: float,
    constants_at: Callable[[float], tuple],
    opts: CertifyOptions,
    lzb_certificate: Callable[..., Any],
) -> Any:
    """A feasible window the grid stepped over: maximise the margin ``log(allowed_f0/f0)`` in log R
    between the neighbours of the best grid radius (bounded Brent search); if it is ``≥ 0`` there,
    rerun the LZB search on that window (whose bisection returns its smallest feasible radius).
    ``None`` if the maximum stays negative.  Numerical search; the verdict at the radius returned
    is again the exact evaluation of the inequality."""
    from scipy.optimize import minimize_scalar

    from bounds.lzb import lzb_condition

    def margin(R: float) -> float:
        m, M, beta, _, _ = constants_at(float(R))
        return _log_ratio(lzb_condition(f0, m, M, beta, R).allowed_f0[opts.form], f0)

    radii = [p.R for p in lzb.grid]
    k = int(np.argmax([margin(R) for R in radii]))
    lo, hi = radii[max(k - 1, 0)], radii[min(k + 1, len(radii) - 1)]
    res = minimize_scalar(
        lambda t: -margin(math.exp(t)), bounds=(math.log(lo), math.log(hi)), method="bounded", options={"xatol": 1e-10}
    )
    if -res.fun < 0:
        return None
    R_opt = math.exp(res.x)
    window = lzb_certificate(
        f0,
        lambda R: constants_at(float(R))[0],
        lambda R: constants_at(float(R))[1],
        lambda R: constants_at(float(R))[2],
        form=opts.form,
        R_min=lo,
        R_max=hi,
        grid_size=9,
        target=opts.target,
    )
    if window.best is None:  # the optimum lies between the window's grid points: start there
        window = lzb_certificate(
            f0,
            lambda R: constants_at(float(R))[0],
            lambda R: constants_at(float(R))[1],
            lambda R: constants_at(float(R))[2],
            form=opts.form,
            R_min=R_opt,
            R_max=hi,
            grid_size=2,
            target=opts.target,
        )
    return window if window.best is not None else None


def _log_ratio(allowed: float, f0: float) -> float:
    if f0 <= 0:
        return 50.0 if allowed > 0 else 0.0
    if allowed <= 0:
        return -50.0
    return float(max(-50.0, min(50.0, math.log(allowed / f0))))


def _beta(sB: float, rho: float, ymax: float, c0: float, c1: float, c2: float, R: float) -> float:
    """β(R) of SPEC §6 in floats rounded up by a relative 1e-12 (finite-width adapter)."""
    rbar = sB * (rho + c0 * R) + ymax
    e1 = math.exp(c1 * R)
    beta = 2 * sB**2 * c0**2 * e1**2 + 2 * sB * rbar * c0 * e1**2 * (c2 * c0 * R * e1 + 2 * c1)
    return beta * (1 + 1e-12)


def _rff_error_estimate(rff: Any, base: Any, lifted: np.ndarray, seed: int) -> float:
    """max |K_q(z) − K(z)| over the data differences and 2000 random z with |z| <= 2 diam (estimate)."""
    diff = (lifted[:, None, :] - lifted[None, :, :]).reshape(-1, lifted.shape[1])
    rng = np.random.default_rng(seed + 1)
    radius = 2 * float(np.max(np.linalg.norm(lifted, axis=1))) + 1.0
    Z = rng.standard_normal((2000, lifted.shape[1]))
    Z *= (radius * rng.uniform(0, 1, (2000, 1)) ** (1 / lifted.shape[1])) / np.linalg.norm(Z, axis=1, keepdims=True)
    Z = np.vstack([diff, Z])
    return float(np.max(np.abs(rff(Z) - base(Z))))


def _lambda_bracket(
    problem: Any, base: Any, c1: float, opts: CertifyOptions, R_star: float, lam_data: Any, curves: dict[str, Any]
) -> dict[str, Any]:
    """λ along the flow: the data-dependent lower bound vs R, the verified λ_min(K_X) of the
    lifted data (an upper bound of every lower bound: v = 0 is in the ball), and the worst-case
    bracket [packing lower, lattice upper] of λ_N at the separation after the flow, if D is small."""
    out: dict[str, Any] = {
        "R": curves["R"],
        "data_lower": curves["lambda_lower"],
        "data_upper": lam_data.value,
        "data_upper_kind": lam_data.kind,
        "worst_case": None,
        "note": "",
    }
    if problem.D > 8:
        out["note"] = (
            f"worst-case lambda_N bracket skipped: D = {problem.D} > 8 (the packing bound is "
            "trivial and lattice sections are expensive in high dimension)"
        )
        return out
    try:
        from bounds.lambda_min.bracket import lambda_bracket
        from bounds.pl import flow_factors

        radii = np.geomspace(curves["R"][0], curves["R"][-1], 7)
        deltas = [
            problem.sigma_A[0] * problem.separation * float(flow_factors(c1, float(R), opts.depth)[0]) for R in radii
        ]
        brackets = [lambda_bracket(base, problem.N, dl, problem.D) for dl in deltas]
        out["worst_case"] = {
            "R": list(map(float, radii)),
            "delta": deltas,
            "lower": [b.lower.value for b in brackets],
            "lower_source": [b.lower_source for b in brackets],
            "upper": [b.upper.value for b in brackets],
            "upper_source": [b.upper_source for b in brackets],
            "lower_kind": "rigorous",
            "upper_kind": "rigorous (an explicit feasible configuration)",
            "provenance": "docs/lambda.rst",
        }
    except Exception as exc:  # an engineer's module missing or refusing this N, D
        out["note"] = f"worst-case lambda_N bracket unavailable: {type(exc).__name__}: {exc}"
    return out


def _recipe(ds: Dataset, base: Any, opts: CertifyOptions) -> dict[str, Any] | None:
    try:
        from bounds.recipe import lifting_recipe
    except ImportError as exc:  # pragma: no cover - the lead's module
        return {"error": f"lifting recipe not available: {exc}"}
    try:
        p_max = max(1, MAX_PAIRWISE_ENTRIES // (ds.N**2 * ds.d))  # a design certify can then check
        design = lifting_recipe(ds.X, ds.Y, base, form=opts.form if opts.form != "lzb" else "discrete", p_max=p_max)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    if design is None:
        return {"error": f"no lifting p <= {p_max} found by the recipe's search"}
    return {
        "p": design.p,
        "a": design.a,
        "b": design.b,
        "R": design.R,
        "rate": design.rate,
        "verified": design.verified,
        "form": design.form,
    }


def _reason(h: dict[str, Any], problem: Any, opts: CertifyOptions, eps_hat: float = 0.0) -> str:
    if h["id"] == "H4" and opts.width is not None:
        return (
            f"no positive lower bound on lambda_min along the flow at width q = {opts.width}: the Weyl "
            f"correction N eps = {problem.N} x {eps_hat:.3g} (estimated sup|K_q - K|) exceeds the kernel's "
            f"lambda lower bound, so m(R) = 0."
        )
    if h["id"] == "H4":
        return (
            f"no positive lower bound on lambda_min along the flow: the lifted data are too close for "
            f"the kernel (lifted separation {_lifted_separation(problem):.3g}, "
            f"length scale {opts.lengthscale:g}), so m(R) = 0 and there is no local PL inequality."
        )
    if h["id"] == "H5":
        return (
            f"the Liu-Zhu-Belkin radius condition ({opts.form}) fails at every R: the initial loss "
            f"f0 = {problem.initial_loss():.4g} is too large for the PL constants the data allow ({h['detail']})."
        )
    if h["id"] == "H6":
        return "the finite-width lambda rests on an estimated kernel error sup|K_q - K|, not a rigorous bound."
    return h["detail"]


def _fix(h: dict[str, Any], recipe: dict[str, Any] | None, opts: CertifyOptions, ds: Dataset) -> str:
    if h["id"] == "H6" or (h["id"] == "H4" and opts.width is not None):
        return (
            "use the infinite-width kernel model (omit --width), or a larger --width (sup|K_q - K| "
            "shrinks like q^(-1/2); bounds.recipe.rff_width gives a width with a probability bound)."
        )
    if recipe is not None and "p" in recipe:
        return (
            f"lift to p >= {recipe['p']} with a = {recipe['a']:.4g}, b = {recipe['b']:.4g} "
            f"(the smallest p found by the lifting recipe's search, "
            f"{'verified' if recipe['verified'] else 'NOT verified'} with rigorous constants: "
            f"--p {recipe['p']} --a {recipe['a']:.6g} --b {recipe['b']:.6g})."
        )
    why = "" if recipe is None else f" (recipe: {recipe.get('error')})"
    if h["id"] == "H4":
        return (
            "spread the lifted points: larger a (separation a sqrt(p) delta) or a smaller length scale; "
            "remove near-duplicate points" + why + "."
        )
    return "lift the data (--auto, or a larger --p with a smaller a and a larger b)" + why + "."


# ------------------------------------------------------------------------------- cross-check


def _cross_check(
    problem: Any,
    opts: CertifyOptions,
    ds: Dataset,
    f0: float,
    point: Any,
    rff: Any,
    progress: TextIO | None,
    guaranteed: bool,
) -> dict[str, Any]:
    """Gradient descent with step 1/β(R) from v0 = 0 on the solver, against the guarantee.

    ``agrees`` is ``None`` when there is no guarantee to compare with (the run is then shown for
    information: R is the radius of the largest margin, the envelope uses its rate)."""
    from bounds.kernels import RandomFourierKernel
    from verify.solver.controls import KernelControl, RFFControl
    from verify.solver.gradient import Objective
    from verify.solver.train import gradient_descent

    Qb, Z0, Bred = reduced_problem(problem.lifted, problem.B)
    r = Z0.shape[1]
    L = opts.depth if opts.depth is not None else opts.gd_layers
    if opts.depth is not None:
        sp = Objective.resnet(Z0, problem.Y, Bred)
        disc = f"the T = {L}-layer ResNet (exact discrete model)"
    else:
        sp = Objective(Z0, problem.Y, Bred, method="rk4", steps_per_layer=1)
        disc = (
            f"piecewise-constant controls with L = {L} layers, one RK4 step per layer (approximation of the neural ODE)"
        )
    stages = 1 if opts.depth is not None else 4  # Euler (ResNet) or RK4 stages per layer
    exact_width = rff is None and ds.N * stages * opts.gd_iterations <= opts.gd_max_centres
    if exact_width:
        v0 = KernelControl.zeros(problem.kernel, n_layers=L, D=r)
        width = f"infinite width: exact function-space gradient descent in the reduced space R^{r}"
    else:
        q = opts.width if opts.width is not None else opts.gd_width
        k = RandomFourierKernel.from_kernel(problem.kernel, q, r, opts.rff_seed)
        v0 = RFFControl(k, np.zeros((L, r, 2 * q)))
        width = (
            f"random Fourier features, q = {q} drawn in the reduced space R^{r} with seed {opts.rff_seed} "
            "(an approximation of the kernel model"
            + ("" if rff is None else "; the drawn q x D sample itself is not reused")
            + ")"
        )
    exact = exact_width and opts.depth is not None
    step = 1.0 / point.beta
    run = gradient_descent(
        sp,
        v0,
        step=step,
        iterations=opts.gd_iterations,
        seed=opts.rff_seed,
        progress=progress is not None,
        stream=progress,
    )
    k = np.arange(run.loss.shape[0])
    envelope = f0 * point.rate**k
    # a loss of a different discretisation/width differs at k = 0 only by rounding (v0 = 0)
    loss_ok = bool(np.all(run.loss <= envelope * (1 + 1e-9) + 1e-14 * f0))
    ball_ok = bool(np.all(run.distance <= point.R * (1 + 1e-12)))
    return {
        "model": f"{width}; {disc}",
        "exact_model": exact,
        "label": "exact" if exact else "approximation",
        "reduced_dimension": r,
        "iterations": run.iterations,
        "step": step,
        "R": point.R,
        "rate": point.rate,
        "initial_loss_solver": float(run.loss[0]),
        "loss": run.loss.tolist(),
        "envelope": envelope.tolist(),
        "distance": run.distance.tolist(),
        "grad_norm": run.grad_norm.tolist(),
        "loss_below_envelope": loss_ok,
        "distance_below_R": ball_ok,
        "guarantee_applies": bool(guaranteed),
        "agrees": bool(loss_ok and ball_ok) if guaranteed else None,
        "seconds": run.seconds,
    }
