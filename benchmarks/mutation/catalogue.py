"""The mutant catalogue of ``run.py``: realistic mistakes in the formulas of ``bounds/``.

Each :class:`Mutant` replaces one exact snippet of one file (it must occur exactly once there; a
test in the default run checks that, so the catalogue cannot silently rot).  ``models`` says what
mistake it stands for; ``harmless`` is filled only for a mutant that is known to survive and
explains why the surviving code is still correct (a conservative bound, a measure-zero boundary):
an unexplained survivor fails the run.  ``pending`` marks a known *unsafe* survivor whose catching
tests are being written on another branch (it still fails the run until they land).

Mutants outside ``bounds/`` (the certificate of ``verify/certificate/``) sit in group lists such as
:data:`CERTIFICATE`; a mutant whose tests live elsewhere than the mirror rule of
:data:`RELEVANT_TESTS` gives names them in ``tests=``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Mutant", "MUTANTS", "RELEVANT_TESTS", "relevant_tests"]


@dataclass(frozen=True)
class Mutant:
    """One source mutation: replace ``original`` (exact, unique in ``file``) by ``replacement``."""

    id: str
    file: str
    original: str
    replacement: str
    models: str
    tests: tuple[str, ...] = ()
    harmless: str = ""
    #: a known unsafe survivor whose tests are being written elsewhere (who, and what will catch it)
    pending: str = ""


#: Tests that should catch a mutant of a file (longest matching prefix wins); the full default
#: suite runs after them anyway.
RELEVANT_TESTS: dict[str, tuple[str, ...]] = {
    "bounds/pl.py": ("tests/bounds/test_pl.py", "tests/verify/testing/test_suites.py"),
    "bounds/smoothness.py": ("tests/bounds/test_smoothness.py", "tests/verify/testing/test_suites.py"),
    "bounds/lzb.py": ("tests/bounds/test_lzb.py", "tests/bounds/test_toys.py"),
    "bounds/toys.py": ("tests/bounds/test_toys.py",),
    "bounds/recipe.py": ("tests/bounds/test_recipe.py", "tests/bounds/test_design_search.py"),
    "bounds/regularity/": ("tests/bounds/regularity",),
    "bounds/lambda_min/lower/": ("tests/bounds/lambda_min/lower",),
    "bounds/lambda_min/": ("tests/bounds/lambda_min",),
    "bounds/kernels/": ("tests/bounds/kernels",),
    "bounds/problem.py": (
        "tests/bounds/test_problem.py", "tests/bounds/test_design_search.py", "tests/bounds/test_pl.py",
        "tests/bounds/test_smoothness.py",
    ),
    "bounds/_core/": ("tests/bounds/_core",),
    "verify/certificate/": ("tests/verify/certificate",),
}


def relevant_tests(mutant: Mutant) -> list[str]:
    """The mutant's own ``tests``, else those of the longest matching prefix of its file."""
    if mutant.tests:
        return list(mutant.tests)
    prefixes = [p for p in RELEVANT_TESTS if mutant.file.startswith(p)]
    if not prefixes:
        raise ValueError(f"no relevant tests for {mutant.file}: add them to RELEVANT_TESTS or the mutant")
    return list(RELEVANT_TESTS[max(prefixes, key=len)])


PL = [
    Mutant(
        "pl.m-square",
        "bounds/pl.py",
        "s_minus**2 * max(lam_mp, 0)",
        "s_minus * max(lam_mp, 0)",
        "m(R) with s_- instead of s_-^2 (issue 18)",
    ),
    Mutant(
        "pl.M-square",
        "bounds/pl.py",
        "s_plus**2 * mpmath.mpf(Lam.value)",
        "s_plus * mpmath.mpf(Lam.value)",
        "M(R) with s_+ instead of s_+^2 (issue 18)",
    ),
    Mutant(
        "pl.resnet-cR-over-T",
        "bounds/pl.py",
        "a_star = cR / mpmath.sqrt(T)",
        "a_star = cR / T",
        "ResNet factor with cR/T for cR/sqrt(T); the validity check then accepts sqrt(T) <= cR < T (issue 18)",
    ),
    Mutant(
        "pl.worst-sigma-max",
        "bounds/pl.py",
        "mpmath.mpf(problem.sigma_A[0]) * _separation_lower(problem)",
        "mpmath.mpf(problem.sigma_A[1]) * _separation_lower(problem)",
        "worst-case lambda with sigma_max(A) for sigma_min(A) (issue 18)",
    ),
    Mutant(
        "pl.Lambda-unshrunk",
        "bounds/pl.py",
        "    s_minus, _ = flow_factors(c, R, depth)\n    low = _data_gershgorin(problem, s_minus)",
        "    s_minus, _ = flow_factors(c, R, depth)\n    low = _data_gershgorin(problem, mpmath.mpf(1))",
        "Lambda_upper from the unshrunk distances: unsafe at R > 0 (issue 18's Lambda on the unsafe side)",
    ),
    Mutant(
        "pl.Lambda-lambda",
        "bounds/pl.py",
        "value = up(2 - low_mp, 2)",
        "value = up(1 + low_mp, 2)",
        "Lambda_upper = 1 + lambda_lower instead of 1 + max row sum",
    ),
    Mutant(
        "pl.Lambda-down",
        "bounds/pl.py",
        "value = up(2 - low_mp, 2)",
        "value = down(2 - low_mp, 2)",
        "Lambda_upper rounded down",
    ),
    Mutant(
        "pl.lambda-sqrt-shrink",
        "bounds/pl.py",
        "candidates.append(_data_gershgorin(problem, s_minus))",
        "candidates.append(_data_gershgorin(problem, mpmath.sqrt(s_minus)))",
        "data lambda with half the Gronwall shrink",
    ),
    Mutant(
        "pl.m-sigmaB-max",
        "bounds/pl.py",
        "mpmath.mpf(sBmin) ** 2 * s_minus**2",
        "mpmath.mpf(sBmax) ** 2 * s_minus**2",
        "m(R) with sigma_max(B) for sigma_min(B)",
    ),
    Mutant(
        "pl.M-sigmaB-min",
        "bounds/pl.py",
        "mpmath.mpf(sBmax) ** 2 * s_plus**2",
        "mpmath.mpf(sBmin) ** 2 * s_plus**2",
        "M(R) with sigma_min(B) for sigma_max(B)",
    ),
    Mutant(
        "pl.m-sigmaB-square",
        "bounds/pl.py",
        "mpmath.mpf(sBmin) ** 2 * s_minus**2",
        "mpmath.mpf(sBmin) * s_minus**2",
        "m(R) with sigma_min(B) unsquared",
    ),
    Mutant(
        "pl.M-sigmaB-square",
        "bounds/pl.py",
        "mpmath.mpf(sBmax) ** 2 * s_plus**2",
        "mpmath.mpf(sBmax) * s_plus**2",
        "M(R) with sigma_max(B) unsquared",
    ),
    Mutant(
        "pl.m-8-over-N",
        "bounds/pl.py",
        "m_mp = 4 * mpmath.mpf(w_min)",
        "m_mp = 8 * mpmath.mpf(w_min)",
        "m(R) with 8/N for 4/N",
    ),
    Mutant(
        "pl.M-2-over-N",
        "bounds/pl.py",
        "M_mp = 4 * mpmath.mpf(w_max)",
        "M_mp = 2 * mpmath.mpf(w_max)",
        "M(R) with 2/N for 4/N",
    ),
    Mutant(
        "pl.ode-s-minus-half",
        "bounds/pl.py",
        "return mpmath.exp(-cR), s_plus",
        "return mpmath.exp(-cR / 2), s_plus",
        "ODE lower factor e^{-cR/2}",
    ),
    Mutant(
        "pl.s-plus-half",
        "bounds/pl.py",
        "s_plus = mpmath.exp(cR)",
        "s_plus = mpmath.exp(cR / 2)",
        "upper factor e^{cR/2}",
    ),
    Mutant(
        "pl.resnet-1-plus",
        "bounds/pl.py",
        "return mpmath.exp(-cR / (1 - a_star)), s_plus",
        "return mpmath.exp(-cR / (1 + a_star)), s_plus",
        "ResNet factor with 1 + a* for 1 - a*",
    ),
    Mutant(
        "pl.resnet-as-ode",
        "bounds/pl.py",
        "return mpmath.exp(-cR / (1 - a_star)), s_plus",
        "return mpmath.exp(-cR), s_plus",
        "ResNet with the ODE's lower factor",
    ),
    Mutant(
        "pl.c0-for-c1",
        "bounds/pl.py",
        "return regularity_constant(kernel, 1)  # needs only nu > 1",
        "return regularity_constant(kernel, 0)  # needs only nu > 1",
        "Gronwall constant c0 for c1",
    ),
    Mutant(
        "pl.m-rounded-up",
        "bounds/pl.py",
        "value=max(0.0, down(m_mp, 3))",
        "value=max(0.0, up(m_mp, 3))",
        "m rounded up",
    ),
    Mutant("pl.M-rounded-down", "bounds/pl.py", "value=up(M_mp, 3)", "value=down(M_mp, 3)", "M rounded down"),
    Mutant(
        "pl.m-kind",
        "bounds/pl.py",
        'm_kind, m_eta = combined_kind("rigorous", lam, c, problem.sigma_kind)',
        'm_kind, m_eta = combined_kind("rigorous", c, problem.sigma_kind)',
        "m labelled rigorous when built on an estimate",
    ),
    Mutant(
        "pl.c-nearest",
        "bounds/pl.py",
        "return upper_value(q.value, q.kind)",
        "return q.value",
        "c1 rounded to nearest before e^{+-c1 R} (the bug fixed on this branch: M(20) 5 ulps low)",
    ),
]

SMOOTHNESS = [
    Mutant(
        "beta.first-e1",
        "bounds/smoothness.py",
        "c0**2 * e1**2 + 2",
        "c0**2 * e1 + 2",
        "beta's first term with e^{c1R} where e^{2c1R} belongs (issue 18)",
    ),
    Mutant(
        "beta.second-e1",
        "bounds/smoothness.py",
        "rbar * c0 * e1**2 * (",
        "rbar * c0 * e1 * (",
        "beta's second term with e^{c1R} where e^{2c1R} belongs (issue 18)",
    ),
    Mutant(
        "beta.rbar-c0R",
        "bounds/smoothness.py",
        "val = initial + mpmath.mpf(problem.sigma_B[1]) * c0 * mpmath.mpf(R)",
        "val = initial",
        "rbar without c0 R (issue 18)",
    ),
    Mutant(
        "beta.rbar-ymax",
        "bounds/smoothness.py",
        "val = initial + mpmath.mpf(problem.sigma_B[1])",
        "val = mpmath.mpf(problem.sigma_B[1])",
        "rbar without max |y_i|",
    ),
    Mutant(
        "beta.rbar-sigmaB",
        "bounds/smoothness.py",
        "mpmath.mpf(problem.sigma_B[1]) * c0 * mpmath.mpf(R)",
        "mpmath.mpf(problem.sigma_B[0]) * c0 * mpmath.mpf(R)",
        "rbar with sigma_min(B)",
    ),
    Mutant(
        "beta.sigmaB-min",
        "bounds/smoothness.py",
        "sB = problem.sigma_B[1]",
        "sB = problem.sigma_B[0]",
        "beta with sigma_min(B) for sigma_max(B)",
    ),
    Mutant(
        "beta.sigmaB-square",
        "bounds/smoothness.py",
        "2 * mpmath.mpf(sB) ** 2 * c0**2",
        "2 * mpmath.mpf(sB) * c0**2",
        "beta's first term with sigma_max(B) unsquared",
    ),
    Mutant(
        "beta.c0-square",
        "bounds/smoothness.py",
        "mpmath.mpf(sB) ** 2 * c0**2 * e1**2",
        "mpmath.mpf(sB) ** 2 * c0 * e1**2",
        "beta's first term with c0 unsquared (visible with kappa for c0)",
    ),
    Mutant(
        "beta.c2-c0",
        "bounds/smoothness.py",
        "c2 * c0 * mpmath.mpf(R) * e1",
        "c2 * mpmath.mpf(R) * e1",
        "second variation without the c0 of |delta x|",
    ),
    Mutant(
        "beta.c2-e1",
        "bounds/smoothness.py",
        "c2 * c0 * mpmath.mpf(R) * e1 + 2 * c1",
        "c2 * c0 * mpmath.mpf(R) + 2 * c1",
        "second variation without its extra e^{c1R}",
    ),
    Mutant(
        "beta.2c1",
        "bounds/smoothness.py",
        "mpmath.mpf(R) * e1 + 2 * c1",
        "mpmath.mpf(R) * e1 + c1",
        "second variation with c1 for 2 c1",
    ),
    Mutant(
        "beta.rounded-down", "bounds/smoothness.py", "value=up(beta, 3)", "value=down(beta, 3)", "beta rounded down"
    ),
    Mutant(
        "beta.paper-c1",
        "bounds/smoothness.py",
        "c0 = c1 = c2 = upper_value(reg.kappa.value, reg.kappa.kind)",
        "c0 = c1 = c2 = upper_value(reg.c1.value, reg.c1.kind)",
        "the paper's beta with c1 for kappa",
    ),
    Mutant(
        "beta.c-nearest",
        "bounds/smoothness.py",
        "c0, c1, c2 = (upper_value(q.value, q.kind) for q in (reg.c0, reg.c1, reg.c2))",
        "c0, c1, c2 = (q.value for q in (reg.c0, reg.c1, reg.c2))",
        "c0, c1, c2 rounded to nearest before the exponentials (the bug fixed on this branch)",
    ),
]

LZB = [
    Mutant(
        "lzb.discrete-1-q",
        "bounds/lzb.py",
        "one_minus_sqrt_q = m_ / (2 * b_) / (1 + mpmath.sqrt(q))",
        "one_minus_sqrt_q = m_ / (2 * b_)",
        "discrete form with 1 - q for 1 - sqrt(q) (issue 18)",
    ),
    Mutant(
        "lzb.discrete-q-m-over-beta",
        "bounds/lzb.py",
        "q = 1 - m_ / (2 * b_)\n",
        "q = 1 - m_ / b_\n",
        "discrete form with Polyak's rate 1 - m/beta",
    ),
    Mutant(
        "lzb.simplified-8",
        "bounds/lzb.py",
        "m_**2 * R_**2 / (16 * M_)",
        "m_**2 * R_**2 / (8 * M_)",
        "simplified form with 8 for 16",
    ),
    Mutant(
        "lzb.sqrt-8",
        "bounds/lzb.py",
        '"sqrt": m_ * R_**2 / 16 if m_ * M_ <= 16 * b_**2',
        '"sqrt": m_ * R_**2 / 8 if m_ * M_ <= 8 * b_**2',
        "the M-free form with 8 in place of 16 (issue 18)",
    ),
    Mutant(
        "lzb.sqrt-f0-8",
        "bounds/lzb.py",
        '"sqrt": m_ * R_**2 / 16 if',
        '"sqrt": m_ * R_**2 / 8 if',
        "the M-free form's f0 <= m R^2/8",
    ),
    Mutant(
        "lzb.sqrt-condition-32",
        "bounds/lzb.py",
        "if m_ * M_ <= 16 * b_**2",
        "if m_ * M_ <= 32 * b_**2",
        "the M-free form's side condition relaxed to m M <= 32 beta^2",
        harmless="the side condition is not needed: the worst descent path from f0 <= m R^2/16 is at most "
        "R (1 + sqrt q)/2 whatever M (tests/bounds/test_lzb.py, worst_path), so relaxing it stays safe",
    ),
    Mutant(
        "lzb.lzb-16",
        "bounds/lzb.py",
        "m_**2 * R_**2 / (32 * b_)",
        "m_**2 * R_**2 / (16 * b_)",
        "Liu-Zhu-Belkin's radius translated with mu = m instead of m/2",
    ),
    Mutant(
        "lzb.flow-2",
        "bounds/lzb.py",
        "m_**2 * R_**2 / (4 * M_)",
        "m_**2 * R_**2 / (2 * M_)",
        "gradient-flow form with 2 for 4",
    ),
    Mutant(
        "lzb.rate",
        "bounds/lzb.py",
        "up(1 - mpmath.mpf(m) / (2 * mpmath.mpf(beta)), 1)",
        "up(1 - mpmath.mpf(m) / mpmath.mpf(beta), 1)",
        "the certified rate 1 - m/beta (twice too fast)",
    ),
    Mutant(
        "lzb.iterations-floor",
        "bounds/lzb.py",
        "return int(math.ceil(math.log(target / f0) / math.log(rate)))",
        "return int(math.log(target / f0) / math.log(rate))",
        "iterations rounded down (one too few)",
    ),
    Mutant(
        "lzb.radius-from-origin",
        "bounds/lzb.py",
        "c = constants(theta0_norm + R)",
        "c = constants(R)",
        "constants at R instead of |theta0| + R",
    ),
    Mutant(
        "lzb.bisect-bad-side",
        "bounds/lzb.py",
        "            bad = mid\n    return good",
        "            bad = mid\n    return bad",
        "bisection returns the infeasible end",
    ),
]

RECIPE = [
    Mutant(
        "recipe.verified-true",
        "bounds/recipe.py",
        "R if ok else R0, point, f0, ok, form",
        "R if ok else R0, point, f0, True, form",
        "the design's verified flag set regardless (issue 18)",
    ),
    Mutant(
        "recipe.hoeffding-4",
        "bounds/recipe.py",
        "- q * eps**2 / 8",
        "- q * eps**2 / 4",
        "Hoeffding exponent q eps^2/4 for q eps^2/8 (issue 18)",
    ),
    Mutant(
        "recipe.net-diam",
        "bounds/recipe.py",
        "D * math.log1p(2 * diam / r)",
        "D * math.log1p(diam / r)",
        "covering number (1 + diam/r)^D",
    ),
    Mutant(
        "recipe.markov-4",
        "bounds/recipe.py",
        "16 * sigma2 * r**2 / eps**2",
        "4 * sigma2 * r**2 / eps**2",
        "Markov term with E L^2 <= sigma^2 for 4 sigma^2",
    ),
    Mutant("recipe.union-2", "bounds/recipe.py", "+ math.log(2) - q", "- q", "Hoeffding without its factor 2"),
    Mutant(
        "recipe.diam-radius",
        "bounds/recipe.py",
        "diam = 2 * radius",
        "diam = radius",
        "the differences' ball of radius radius for 2 radius",
    ),
    Mutant(
        "recipe.sigma2-one-coordinate",
        "bounds/recipe.py",
        "sigma2 = D * kernel.spectral.moment(1)",
        "sigma2 = kernel.spectral.moment(1)",
        "E|w|^2 = E[w_1^2] (D dropped)",
    ),
    Mutant(
        "recipe.width-minus-one",
        "bounds/recipe.py",
        "            lo = mid\n    return hi",
        "            lo = mid\n    return lo",
        "the width one below the smallest that meets the bound",
    ),
    Mutant(
        "recipe.verify-estimate",
        "bounds/recipe.py",
        'lzb_for_problem(problem, constants=constants, depth=depth, lam=lam,',
        'lzb_for_problem(problem, constants=constants, depth=depth, lam="estimate",',
        "the design verified with an estimated lambda",
    ),
]

TOYS = [
    Mutant(
        "toys.m",
        "bounds/toys.py",
        'm = Quantity("m", float(4 * np.exp(-2 * R))',
        'm = Quantity("m", float(4 * np.exp(-R))',
        "the toy's m(R) = 4 e^{-R}",
    ),
    Mutant(
        "toys.beta",
        "bounds/toys.py",
        'float(4 * np.exp(2 * R) + 2 * np.exp(R)), "exact"',
        'float(4 * np.exp(2 * R) + np.exp(R)), "exact"',
        "the toy's beta without the 2 of 2e^R",
    ),
    Mutant(
        "toys.certificate-theta0",
        "bounds/toys.py",
        "theta0_norm=abs(float(theta0[0])),",
        "theta0_norm=0.0,",
        "the toy certificate ignores |theta0_1|",
    ),
    Mutant(
        "toys.polyak-max",
        "bounds/toys.py",
        '2 * float(ev[0]), "numerical"',
        '2 * float(ev[-1]), "numerical"',
        "Polyak's m with lambda_max",
    ),
    Mutant(
        "toys.obstruction-adjoint",
        "bounds/toys.py",
        "expm_frechet(theta.T, Rm",
        "expm_frechet(theta, Rm",
        "the obstruction's gradient without the transpose",
    ),
]

REGULARITY = [
    Mutant(
        "sampled.cap-6-rho2",
        "bounds/regularity/sampled.py",
        "+ 6 * rho**2 * (A**2",
        "+ 3 * rho**2 * (A**2",
        "RFF c2 cap remainder 3 rho^2 for 6 rho^2 (issue 18)",
    ),
    Mutant(
        "sampled.cap-4-rho3",
        "bounds/regularity/sampled.py",
        "+ 4 * rho**3 * (absA",
        "+ 2 * rho**3 * (absA",
        "cap remainder 2 rho^3 for 4 rho^3",
    ),
    Mutant(
        "sampled.cap-gu",
        "bounds/regularity/sampled.py",
        "np.abs(gu) * rho**2 / 2",
        "np.abs(gu) * rho**2 / 4",
        "cap: the normal gradient term halved",
        harmless="the term bounds (g.u0)(u0.d) with u0.d = -|d|^2/2 <= 0 on the sphere and g.u0 = 4 mean((w.u0)^4) "
        ">= 0, so the product is never positive: any nonnegative multiple of |g.u0| rho^2 (even 0) keeps the "
        "bound valid",
    ),
    Mutant(
        "sampled.cap-rho4",
        "bounds/regularity/sampled.py",
        "+ rho**4 * n4.mean()",
        "+ rho**4 * n4.mean() / 2",
        "cap remainder rho^4/2",
    ),
    Mutant(
        "sampled.chord",
        "bounds/regularity/sampled.py",
        "out[inside] = 2 * np.sin(np.arcsin(ratio[inside]) / 2)",
        "out[inside] = np.sin(np.arcsin(ratio[inside]) / 2)",
        "cap chord radius halved",
    ),
    Mutant(
        "sampled.c2-lower",
        "bounds/regularity/sampled.py",
        "c2_val = math.sqrt(qm.upper) * (1 + 2 * _EPS)",
        "c2_val = math.sqrt(qm.lower) * (1 + 2 * _EPS)",
        "the RFF c2 from the best point found, not the bound",
    ),
    Mutant(
        "sampled.kappa-c0",
        "bounds/regularity/sampled.py",
        'kappa = Quantity(\n        "kappa", (1.0 + c1_val + c2_val)',
        'kappa = Quantity(\n        "kappa", (c1_val + c2_val)',
        "RFF kappa without c0",
    ),
    Mutant(
        "sampled.c1-unrounded",
        "bounds/regularity/sampled.py",
        "c1_val = math.sqrt(lam_up) * (1 + 2 * _EPS)",
        "c1_val = math.sqrt(lam)",
        "RFF c1 without its rounding margin",
    ),
]

LAMBDA = [
    Mutant(
        "fourier.landau",
        "bounds/lambda_min/lower/fourier.py",
        "LANDAU_C = 0.7858",
        "LANDAU_C = 0.7857",
        "Landau's constant rounded down in its 4th digit (issue 18)",
    ),
    Mutant(
        "fourier.envelope-exponent",
        "bounds/lambda_min/lower/fourier.py",
        "return 2.0 if D == 1 else D + 2.0 / 3.0",
        "return 2.0 if D == 1 else D + 1.0",
        "Bessel envelope decaying as t^{-D-1}",
    ),
    Mutant(
        "fourier.density-M",
        "bounds/lambda_min/lower/fourier.py",
        "log_p = float(log_density_radial(kernel, 2 * M, D))",
        "log_p = float(log_density_radial(kernel, M, D))",
        "the density at M for 2M (w is supported in B(0, 2M))",
    ),
    Mutant(
        "data.cholesky-margin",
        "bounds/lambda_min/data.py",
        "- gm / (1 - gm) * trace",
        "- gm / (1 - gm) * trace / 2",
        "the Cholesky margin halved (issue 18)",
    ),
    Mutant(
        "data.gershgorin-eps",
        "bounds/lambda_min/data.py",
        "(1 - mpmath.mpf(gamma_k(terms))) + (N - 1) * mpmath.mpf(eps)",
        "(1 - mpmath.mpf(gamma_k(terms)))",
        "Gershgorin row sums without the entry-error margin",
    ),
    Mutant(
        "data.gershgorin-shrink",
        "bounds/lambda_min/data.py",
        "f = round_down(mpmath.mpf(s) * mpmath.mpf(sigma))",
        "f = round_down(mpmath.mpf(sigma) / mpmath.mpf(s))",
        "Gershgorin with the distances stretched instead of shrunk",
    ),
]

CORE = [
    Mutant(
        "rounding.up-steps-down",
        "bounds/_core/rounding.py",
        "        value = math.nextafter(value, math.inf)",
        "        value = math.nextafter(value, -math.inf)",
        "up() stepping down (issue 18)",
    ),
    Mutant(
        "rounding.round-up-nearest",
        "bounds/_core/rounding.py",
        "    while mpmath.mpf(f) < x:\n        f = math.nextafter(f, math.inf)",
        "    while False:\n        f = math.nextafter(f, math.inf)",
        "round_up returning the nearest float",
    ),
]

KERNELS_AND_PROBLEM = [
    Mutant(
        "radial.matern52",
        "bounds/kernels/radial.py",
        "f(p) * f(2 * p - k) * 2**k, f(2 * p)",
        "f(p) * f(2 * p - k), f(2 * p)",
        "the half-integer Matern closed form without the 2^k of GPML's 2s (5/2: s/2 + s^2/12 for s + s^2/3)",
    ),
    Mutant(
        "radial.gaussian",
        "bounds/kernels/radial.py",
        "return np.exp(-0.5 * (r / self.lengthscale) ** 2)",
        "return np.exp(-((r / self.lengthscale) ** 2))",
        "the Gaussian profile exp(-r^2/l^2)",
    ),
    Mutant(
        "radial.gaussian-h",
        "bounds/kernels/radial.py",
        "return self.profile(r) / self.lengthscale**4",
        "return self.profile(r) / self.lengthscale**2",
        "the Gaussian Hessian's h(r) with l^2 for l^4",
    ),
    Mutant(
        "problem.sigma-B-swapped",
        "bounds/problem.py",
        "low, high, _ = self._singular_bounds[1]\n        return low, high",
        "low, high, _ = self._singular_bounds[1]\n        return high, low",
        "sigma_min(B) and sigma_max(B) swapped",
    ),
    Mutant(
        "problem.rho-min",
        "bounds/problem.py",
        "return float(np.max(np.linalg.norm(self.lifted, axis=1)))",
        "return float(np.min(np.linalg.norm(self.lifted, axis=1)))",
        "rho = min |A x_i| for max",
    ),
    Mutant(
        "problem.loss-mean-coordinates",
        "bounds/problem.py",
        "mean = float(np.dot(self.weights, norms**2) / self.n)",
        "mean = float(np.dot(self.weights, norms**2) / (self.n * self.d_out))",
        "F(0) averaged over the output coordinates too",
    ),
]

REGULARITY_EXACT = [
    Mutant(
        "exact.c2-is-c1",
        "bounds/regularity/exact.py",
        "expr_sym = _symbolic_constants(kernel)[order - 1]",
        "expr_sym = _symbolic_constants(kernel)[0]",
        "c2 = c1 (the fourth moment for the second)",
    ),
    Mutant(
        "exact.kappa-without-c0",
        "bounds/regularity/exact.py",
        "mp = _mp_of(1 + c1_sym + c2_sym, dps_used, params)",
        "mp = _mp_of(c1_sym + c2_sym, dps_used, params)",
        "kappa's value without c0",
    ),
    Mutant(
        "exact.gaussian-density",
        "bounds/regularity/exact.py",
        "sp.exp(-(ELL**2) * _W**2 / 2)",
        "sp.exp(-(ELL**2) * _W**2)",
        "the Gaussian spectral density with the wrong variance",
    ),
]

LAMBDA_LOWER = [
    Mutant(
        "packing.radius-doubled",
        "bounds/lambda_min/lower/packing.py",
        "rho = 0.5 * (np.power(j + 1.0, 1.0 / D) - 1.0)",
        "rho = (np.power(j + 1.0, 1.0 / D) - 1.0)",
        "packing radius without the 1/2 of the half-separation balls",
    ),
    Mutant(
        "packing.line",
        "bounds/lambda_min/lower/packing.py",
        "return np.ceil(j / 2.0)",
        "return j",
        "on a line the j-th neighbour at j delta (both sides forgotten)",
    ),
    Mutant(
        "packing.lambda-max",
        "bounds/lambda_min/lower/packing.py",
        "min(mpmath.mpf(N), mpmath.fadd(1, s.value, exact=True))",
        "min(mpmath.mpf(N), mpmath.mpf(s.value))",
        "Gershgorin lambda_max bound without the diagonal",
    ),
    Mutant(
        "packing.lower-inexact",
        "bounds/lambda_min/lower/packing.py",
        "mp_val = max(mpmath.fsub(1, s.value, exact=True), mpmath.mpf(0))",
        "mp_val = max(mpmath.mpf(1) - mpmath.mpf(s.value), mpmath.mpf(0))",
        "1 - S_N at 53 bits before the directed rounding: lambda_N(delta) >= 1 claimed when S_N < 2^-54",
    ),
    Mutant(
        "packing.upper-inexact",
        "bounds/lambda_min/lower/packing.py",
        "min(mpmath.mpf(N), mpmath.fadd(1, s.value, exact=True))",
        "min(mpmath.mpf(N), mpmath.mpf(1) + mpmath.mpf(s.value))",
        "1 + S_N at 53 bits before the directed rounding: Lambda_N(delta) <= 1 claimed when S_N < 2^-54",
    ),
    Mutant(
        "minorant.gaussian-variance",
        "bounds/lambda_min/lower/gaussian_minorant.py",
        "- x / (2 * s**2)",
        "- x / (s**2)",
        "the Gaussian minorant's density with the wrong variance",
    ),
    Mutant(
        "minorant.minimiser",
        "bounds/lambda_min/lower/gaussian_minorant.py",
        "((nu + D / 2) * ell**2 * s**2 / nu - 1.0)",
        "((nu + D) * ell**2 * s**2 / nu - 1.0)",
        "the minimiser x* of p/g_s with nu + D for nu + D/2",
    ),
]

NEW_FORMULAS = [
    Mutant(
        "problem.augmented-b-alpha",
        "bounds/problem.py",
        "B[:, d:] = b * np.eye(d_out)",
        "B[:, d:] = alpha * np.eye(d_out)",
        "the augmented read-out scaled by alpha for b",
    ),
    Mutant(
        "problem.augmented-readout-block",
        "bounds/problem.py",
        "B[:, d:] = b * np.eye(d_out)",
        "B[:, :d_out] = b * np.eye(d_out)",
        "the augmented read-out on the data block (B A != 0, F(0) no longer mean |y|^2)",
    ),
    Mutant(
        "problem.augmented-sigma-A",
        "bounds/problem.py",
        "A[:d] = alpha * np.eye(d)",
        "A[:d] = alpha**2 * np.eye(d)",
        "the augmented lifting with sigma(A) = alpha^2 for alpha",
    ),
    Mutant(
        "problem.f0-unweighted",
        "bounds/problem.py",
        "mean = float(np.dot(self.weights, norms**2) / self.n)",
        "mean = float(np.mean(norms**2))",
        "F(0) upper bound without the multiplicities of merged duplicates",
    ),
    Mutant(
        "pl.gershgorin-sigma-forgotten",
        "bounds/pl.py",
        "return problem.X, low",
        "return problem.X, 1.0",
        "the Gershgorin points' scale sigma_min(A) forgotten (the data's distances for the lifted ones)",
    ),
    Mutant(
        "pl.gershgorin-sigma-max",
        "bounds/pl.py",
        "return problem.X, low",
        "return problem.X, high",
        "the Gershgorin points scaled by sigma_max(A) for sigma_min(A)",
    ),
    Mutant(
        "data.gershgorin-gamma",
        "bounds/lambda_min/data.py",
        "up = mpmath.mpf(worst) / (1 - mpmath.mpf(gamma_k(terms)))",
        "up = mpmath.mpf(worst)",
        "the streaming Gershgorin row sum without its summation error 1/(1 - gamma_N)",
    ),
    Mutant(
        "data.gershgorin-f-up",
        "bounds/lambda_min/data.py",
        "f = round_down(mpmath.mpf(s) * mpmath.mpf(sigma))",
        "f = round_up(mpmath.mpf(s) * mpmath.mpf(sigma))",
        "the distance factor f = s sigma rounded up instead of down",
    ),
    Mutant(
        "data.gershgorin-eps-product",
        "bounds/lambda_min/data.py",
        "eps = entry_error_bound(kernel, P) + _SUP_R_DK * 2 * _U",
        "eps = entry_error_bound(kernel, P)",
        "the exact row sums' entry error without the product f r (2u sup|rK'|)",
    ),
    Mutant(
        "pairs.weights-up",
        "bounds/lambda_min/pairs.py",
        "t = np.nextafter(float(factor) * self.edges, 0.0)",
        "t = np.nextafter(float(factor) * self.edges, np.inf)",
        "the histogram's distances t_k stepped up, not towards 0 (t_k above factor e_k)",
    ),
    Mutant(
        "pairs.edge-upper",
        "bounds/lambda_min/pairs.py",
        "edges[k + 1] = round_down(",
        "edges[k] = round_down(",
        "each bin weighted at its upper edge instead of its lower one",
    ),
    Mutant(
        "data.cholesky-eps",
        "bounds/lambda_min/data.py",
        "- shift - (N - 1) * mpmath.mpf(eps)",
        "- shift - mpmath.mpf(eps)",
        "the float Cholesky certificate with eps for the Weyl term (N - 1) eps",
    ),
    Mutant(
        "data.ball-mu-margin",
        "bounds/lambda_min/data.py",
        "mu = (lam - (abs(lam) + n * n) * arb(2) ** (8 - bits) - 4 * n * radius - abs(lam) * arb(2) ** -60).mid()",
        "mu = lam",
        "the ball route's shift mu at the approximate eigenvalue, without its margin",
    ),
    Mutant(
        "profile.gamma-p",
        "bounds/kernels/profile.py",
        "return gamma_k(2 * p + 7) +",
        "return gamma_k(p + 7) +",
        "the half-integer profile's Horner error gamma_{p+7} for gamma_{2p+7}",
        tests=("tests/bounds/kernels", "tests/bounds/lambda_min"),
    ),
    Mutant(
        "data.entry-gamma-D",
        "bounds/lambda_min/data.py",
        "1.01 * _SUP_R_DK * gamma_k(D + 3)",
        "1.01 * _SUP_R_DK * gamma_k(D)",
        "the entry error's distance term gamma_D for gamma_{D+3}",
    ),
    Mutant(
        "rounding.upper-value-identity",
        "bounds/_core/rounding.py",
        'return math.nextafter(value, math.inf) if kind == "exact" else value',
        "return value",
        "upper_value returning the nearest float of an exact constant (no step up)",
        tests=("tests/bounds/_core", "tests/bounds/test_pl.py", "tests/bounds/test_smoothness.py"),
    ),
]

#: verify/certificate/ (the pipeline's records, verdict and cross-check).
CERTIFICATE: list[Mutant] = [
    Mutant(
        "cert.verdict-kind-rigorous",
        "verify/certificate/quantities.py",
        'kind: Kind = "rigorous" if search.chain.m.kind in ("exact", "rigorous") else "estimate"',
        'kind: Kind = "rigorous"',
        "the verdict's numbers labelled rigorous whatever the kind of m (issue 18)",
    ),
    Mutant(
        "cert.H6-always",
        "verify/certificate/verdict.py",
        'rigorous_m = search.chain.m.kind in ("exact", "rigorous")\n    kind_note',
        "rigorous_m = True\n    kind_note",
        "hypothesis H6 (rigorous constants) held for an estimated m",
    ),
    Mutant(
        "cert.D-formula",
        "verify/certificate/quantities.py",
        '"D = d + d\'" if prob.architecture.kind == "augmented" else "D = p d"',
        '"D = p d"',
        "the record of D with p d for the augmented architecture's d + d'",
    ),
    Mutant(
        "cert.envelope-k-plus-1",
        "verify/certificate/cross_check.py",
        "envelope = f0 * point.rate**k",
        "envelope = f0 * point.rate**(k + 1)",
        "the cross-check envelope rate^(k+1) f0 (one step ahead of the guarantee)",
    ),
    Mutant(
        "cert.envelope-f0",
        "verify/certificate/cross_check.py",
        "f0 = problem.initial_loss()\n    envelope",
        "f0 = float(np.mean(np.sum(problem.Y**2, axis=1)))\n    envelope",
        "the cross-check envelope from mean |y|^2 (the augmented F(0)) whatever the lifting",
    ),
]

MUTANTS: list[Mutant] = (
    PL
    + SMOOTHNESS
    + LZB
    + RECIPE
    + TOYS
    + REGULARITY
    + REGULARITY_EXACT
    + LAMBDA
    + LAMBDA_LOWER
    + KERNELS_AND_PROBLEM
    + CORE
    + NEW_FORMULAS
    + CERTIFICATE
)
