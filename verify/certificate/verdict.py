"""Step 4 of the certificate: the hypotheses H1–H6, the verdict, and for each failed hypothesis
the reason and what would fix it (docs/certificate.rst, "The verdict")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verify.certificate.datasets import Dataset
from verify.certificate.design import Design
from verify.certificate.options import CertifyOptions
from verify.certificate.record import Failure, Hypothesis
from verify.certificate.search import Search
from verify.progress import Progress

__all__ = ["Verdict", "decide"]


@dataclass(frozen=True)
class Verdict:
    """The hypotheses, whether all hold, the failures and the design search's fix (if it ran)."""

    hypotheses: tuple[Hypothesis, ...]
    guaranteed: bool
    failures: tuple[Failure, ...]
    recipe: dict[str, Any] | None


def _hypotheses(design: Design, search: Search, opts: CertifyOptions) -> tuple[Hypothesis, ...]:
    prob, curves = design.problem, search.curves
    sA, sB = prob.sigma_A, prob.sigma_B
    rigorous_m = search.chain.m.kind in ("exact", "rigorous")
    kind_note = "" if rigorous_m else f" (lambda source {opts.lam!r})"
    if design.width is not None:
        kind_note += f" (finite width: {design.width.kind_text}, seed {design.width.seed})"
    k_best = max(range(len(curves.margin)), key=lambda k: curves.margin[k])
    found = search.lzb.best is not None
    feasible_note = f"; smallest feasible R = {search.R:.6g} (best rate)" if found else ""
    return (
        Hypothesis("H1", "data distinct (delta > 0)", True, f"delta = {prob.separation:.6g}"),
        Hypothesis("H2", "A injective, B surjective", True,
                   f"sigma_min(A) = {sA[0]:.6g}, sigma_min(B) = {sB[0]:.6g}"),
        Hypothesis("H3", "Condition 1: c0, c1, c2 finite", True, f"c1 = {design.c1:.6g}, c2 = {design.c2:.6g}"),
        Hypothesis("H4", "lambda lower bound > 0 along the flow for some R (local PL, m(R) > 0)",
                   any(v > 0 for v in curves.lambda_lower), f"lambda_lower(R_min) = {curves.lambda_lower[0]:.6g}"),
        Hypothesis("H5", f"LZB radius condition ({opts.form} form) at some R", found,
                   f"largest margin log(allowed_f0/f0) on the grid = {curves.margin[k_best]:.4g} at R = "
                   f"{curves.R[k_best]:.4g}{feasible_note}"),
        Hypothesis("H6", "constants of kind exact/rigorous (not estimates)", rigorous_m,
                   f"m is {search.chain.m.kind}{kind_note}"),
    )


def _recipe(design: Design, opts: CertifyOptions) -> dict[str, Any] | None:
    """The augmented design (:func:`bounds.recipe.best_design`, the cheap family: a closed form and
    one rigorous search) under the certificate's own options; ``--auto`` searches the copy lifting
    too."""
    from bounds.recipe import best_design  # noqa: PLC0415 (the design search is heavy)

    prob = design.problem
    form = opts.form if opts.form != "lzb" else "discrete"
    try:
        found = best_design(prob.X, prob.Y, design.base, weights=prob.weights, form=form, depth=opts.depth,
                            constants=opts.constants, lam=opts.lam, target=opts.target, families=("augmented",))
    except ValueError as exc:  # a design the search cannot build for this data
        return {"error": str(exc)}
    arch = found.architecture
    return {"architecture": arch.kind, "alpha": arch.alpha, "p": arch.p, "a": arch.a, "b": arch.b, "R": found.R,
            "rate": found.rate, "verified": found.verified, "form": found.form, "description": found.describe()}


def _reason(h: Hypothesis, design: Design, opts: CertifyOptions) -> str:
    prob = design.problem
    if h.id == "H4" and design.width is not None:
        lam0 = design.width.lam0.value
        return (f"no positive lower bound on lambda_min along the flow at width q = {opts.width}: the drawn "
                f"network's lambda_min(K_q) on the lifted data is {lam0:.3g} at t = 0, too small for the "
                f"perturbation along the flow (sqrt(N) c1 R), so m(R) = 0.")
    if h.id == "H4":
        return (f"no positive lower bound on lambda_min along the flow: the lifted data are too close for "
                f"the kernel (lifted separation {prob.lifted_separation:.3g}, "
                f"length scale {opts.lengthscale:g}), so m(R) = 0 and there is no local PL inequality.")
    if h.id == "H5":
        return (f"the Liu-Zhu-Belkin radius condition ({opts.form}) fails at every R: the initial loss "
                f"f0 = {design.f0:.4g} is too large for the PL constants the data allow ({h.detail}).")
    if h.id == "H6":
        return f"m is not exact or rigorous ({h.detail})."
    return h.detail


def _fix(h: Hypothesis, recipe: dict[str, Any] | None, opts: CertifyOptions) -> str:
    if h.id == "H4" and opts.width is not None:
        return ("a larger --width (lambda_min(K_q) concentrates around lambda_min(K) as q grows; `resnet-pl recipe "
                "--width-eta` prints the width that works with high probability), another --rff-seed, or the "
                "infinite-width kernel model (omit --width).")
    if h.id == "H6":
        return "use a rigorous lambda source: --lam best, data or worst-case."
    if h.id == "H5" and opts.width is not None:
        return ("a larger --b (the allowed initial loss grows like b^2), a larger --width or another --rff-seed; "
                "`resnet-pl recipe --width-eta ETA` prints a width and design that work with probability >= 1 - ETA.")
    if recipe is not None and recipe.get("verified"):
        return f"use the design the search certifies, {recipe['description']}: {_flags(recipe)}."
    if recipe is not None and "architecture" in recipe:
        return (f"no design certifies under these options; the nearest is {recipe['description']} "
                f"({_flags(recipe)}); try --depth inf, --lam best or a smaller length scale.")
    why = "" if recipe is None else f" (recipe: {recipe.get('error')})"
    if h.id == "H4":
        return ("spread the lifted points: a larger lifting scale (--alpha, or --a with the copy lifting) or a "
                "smaller --lengthscale" + why + ".")
    return "use the augmented architecture with larger --alpha and --b, or --auto (the design search)" + why + "."


def _flags(recipe: dict[str, Any]) -> str:
    if recipe["architecture"] == "augmented":
        return f"--architecture augmented --alpha {recipe['alpha']:.6g} --b {recipe['b']:.6g}"
    return f"--architecture copy --p {recipe['p']} --a {recipe['a']:.6g} --b {recipe['b']:.6g}"


def decide(ds: Dataset, design: Design, search: Search, opts: CertifyOptions, progress: Progress) -> Verdict:
    """The verdict: guaranteed iff every hypothesis holds; otherwise the failures, with the design
    search's fix when it applies (not for an estimate that only lacks rigour, nor at finite width,
    whose fixes are a larger width or read-out scale)."""
    hyps = _hypotheses(design, search, opts)
    guaranteed = all(h.holds for h in hyps)
    if guaranteed:
        return Verdict(hyps, True, (), None)
    recipe = None
    rigorous_m = search.chain.m.kind in ("exact", "rigorous")
    if opts.recipe and opts.width is None and not (search.lzb.best is not None and not rigorous_m):
        progress.note("not guaranteed: running the design search for a fix")
        recipe = _recipe(design, opts)
    failures = tuple(Failure(h.id, _reason(h, design, opts), _fix(h, recipe, opts)) for h in hyps if not h.holds)
    return Verdict(hyps, False, failures, recipe)
