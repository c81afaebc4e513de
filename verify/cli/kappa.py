"""Regularity constants of Condition 1 (docs/kappa.rst):
‖v‖_∞ + ‖Dv‖_∞ + ‖D²v‖_∞ ≤ κ‖v‖_V with sharp per-term constants c0, c1, c2 and κ = c0 + c1 + c2,
derived by sympy from the kernel's spectral density, exact expressions and values to --dps digits.

Examples: resnet-pl kappa                      (Matérn ν = 5/2, ℓ = 1)
          resnet-pl kappa --nu 7/2 --lengthscale 2 --dps 50 --json
          resnet-pl kappa --kernel gaussian
          resnet-pl kappa --rff 500 --dim 2 --rff-seed 0   (constants of a drawn random-feature sample)
"""

from __future__ import annotations

import argparse
from typing import Any

from verify.cli.common import add_json_argument, add_kernel_arguments, emit, kernel_from_args

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``resnet-pl kappa``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_kernel_arguments(parser)
    parser.add_argument("--dps", type=int, default=30, help="decimal digits of the high-precision values (default 30)")
    add_json_argument(parser)
    g = parser.add_argument_group("random features (optional)")
    g.add_argument("--rff", type=int, metavar="Q", default=None,
                   help="constants of Q random Fourier features drawn from the kernel (default off)")
    g.add_argument("--dim", type=int, default=2, help="dimension D of the random features (default 2)")
    g.add_argument("--rff-seed", type=int, default=0, help="seed of the frequency draw (default 0)")


def _value(q: Any) -> str:
    return q.mp_string() or f"{q.value:.17g}"


def _row(q: Any) -> str:
    import sympy as sp  # noqa: PLC0415

    if q.expr is not None and q.expr.is_Integer:
        return f"  {q.name:<6}= {q.expr}"
    expr = "" if q.expr is None else f"{sp.sstr(q.expr)} = "
    return f"  {q.name:<6}= {expr}{_value(q)}"


def _moments(kernel: Any) -> dict[str, str]:
    import sympy as sp  # noqa: PLC0415

    from bounds.kernels import Matern  # noqa: PLC0415
    from bounds.regularity import gaussian_moment_expr, matern_moment_expr  # noqa: PLC0415

    fn = matern_moment_expr if isinstance(kernel, Matern) else gaussian_moment_expr
    return {f"E[w_1^{2 * k}]": sp.sstr(fn(k)) for k in (1, 2)}


def _proposition(kernel: Any, dps: int) -> dict[str, object]:
    import sympy as sp  # noqa: PLC0415

    from bounds.regularity import derived_kappa_expr, published_kappa_bound, published_kappa_expr  # noqa: PLC0415

    prop = published_kappa_bound(kernel.nu_exact, dps=dps)
    identity = bool(sp.simplify(derived_kappa_expr(1) - published_kappa_expr()) == 0)
    return {
        "statement": "kappa <= 1 + sqrt(nu/(nu-1)) + sqrt(3 nu^2/((nu-1)(nu-2)))  (nu > 2)",
        "value": prop.to_dict(),
        "equals_derived_kappa_at_lengthscale_1": identity,
        "applies_here": kernel.lengthscale == 1.0,
    }


def _exact_payload(kernel: Any, dps: int) -> tuple[dict[str, object], str]:
    import sympy as sp  # noqa: PLC0415

    from bounds.kernels import Matern  # noqa: PLC0415
    from bounds.regularity import regularity_constants  # noqa: PLC0415

    reg = regularity_constants(kernel, dps=dps)
    moments = _moments(kernel)
    payload: dict[str, object] = {"kernel": kernel.name, **reg.to_dict(), "moments": moments}
    lines = [
        f"Regularity constants of Condition 1 for {kernel.name}",
        "  ||v||_inf + ||Dv||_inf + ||D^2 v||_inf <= kappa ||v||_V  for every v in V = H_K^D",
        "",
        _row(reg.c0) + "      (sqrt K(0))",
        _row(reg.c1) + "      (sup ||Dv(x)|| / ||v||, sharp)",
        _row(reg.c2) + "      (sup ||D^2v(x)[u,w]|| / ||v||, sharp)",
        _row(reg.kappa),
        f"  all exact; values to {dps} digits (--dps)",
        "",
        "Derivation: spectral measure "
        + ("multivariate Student-t, 2 nu dof, scale l^-2 I" if isinstance(kernel, Matern) else "N(0, l^-2 I)")
        + "; sympy integrates its marginal density:",
        *(f"  {k} = {v}" for k, v in moments.items()),
        "  c1 = sqrt(E[w_1^2]), c2 = sqrt(E[w_1^4]), attained by derivative sections of k(., x)",
    ]
    if isinstance(kernel, Matern):
        prop = _proposition(kernel, dps)
        payload["published_bound"] = prop
        value = prop["value"]["mp"]  # type: ignore[index]
        lines += [
            "",
            "Published bound (docs/paper.rst): " + str(prop["statement"]),
            f"  = {value}; symbolically equal to the derived kappa at l = 1: "
            f"{prop['equals_derived_kappa_at_lengthscale_1']}",
        ]
        if not prop["applies_here"]:
            lines.append(
                f"  (it is the l = 1 case; for l = {sp.sstr(kernel.lengthscale_exact)} kappa is the value above)"
            )
    lines += [
        "",
        "The PL constants m(R), M(R) need only c1; beta(R) needs c2 (docs/pl.rst, docs/smoothness.rst).",
        f"Reference: {reg.c1.reference}",
    ]
    return payload, "\n".join(lines)


def _rff_payload(rff: Any, kernel: Any, dps: int) -> tuple[dict[str, object], str]:
    from bounds.kernels import Gaussian, Matern  # noqa: PLC0415
    from bounds.regularity import regularity_constants  # noqa: PLC0415

    reg = regularity_constants(rff)
    payload: dict[str, object] = {"kernel": rff.name, **reg.to_dict()}
    assert reg.c2_lower is not None
    lines = [
        f"Regularity constants of the random-feature kernel {rff.name}",
        "  (empirical spectral measure of the drawn frequencies; features q^-1/2 [cos, sin])",
        "",
        "  c0    = 1                [exact]",
        f"  c1    = {reg.c1.value:.12g}   [rigorous: sqrt(lambda_max((1/q) sum w w^T)), rounded up]",
        f"  c2   <= {reg.c2.value:.12g}   [rigorous upper bound, branch and bound on the sphere]",
        f"  c2   >= {reg.c2_lower.value:.12g}   [value at the best direction found; gap "
        f"{reg.c2.value - reg.c2_lower.value:.3g}]",
        f"  kappa <= {reg.kappa.value:.12g}",
    ]
    if isinstance(kernel, Gaussian) or (isinstance(kernel, Matern) and kernel.nu > 2):
        base = regularity_constants(kernel, dps=dps)
        payload["base_kernel"] = base.to_dict()
        lines += [
            "",
            f"  for comparison, {kernel.name}: c1 = {base.c1.value:.12g}, c2 = {base.c2.value:.12g}, "
            f"kappa = {base.kappa.value:.12g}",
        ]
    lines.append(f"Reference: {reg.c1.reference}")
    return payload, "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Compute and print the constants; 0 on success (bad input raises ValueError -> exit 2)."""
    from bounds._core.validate import require_int  # noqa: PLC0415
    from bounds.kernels import Gaussian, Matern, RandomFourierKernel  # noqa: PLC0415

    dps = require_int("dps", args.dps, minimum=1)
    kernel = kernel_from_args(args)
    if isinstance(kernel, RandomFourierKernel):  # a user's drawn sample (--kernel MODULE:OBJECT)
        payload, text = _rff_payload(kernel, None, dps)
    elif not isinstance(kernel, (Matern, Gaussian)):
        raise ValueError(
            f"kernel must be matern, gaussian or a RandomFourierKernel for kappa, got {kernel!r}; "
            "exact constants need a known spectral measure"
        )
    elif args.rff is not None:
        q = require_int("rff (number of features Q)", args.rff, minimum=1)
        D = require_int("dim", args.dim, minimum=1)
        payload, text = _rff_payload(RandomFourierKernel.from_kernel(kernel, q, D, args.rff_seed), kernel, dps)
    else:
        payload, text = _exact_payload(kernel, dps)
    emit(args, payload, text)
    return 0
