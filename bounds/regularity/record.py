"""The record of Condition 1's constants: :class:`Regularity` (``c0, c1, c2, κ``, docs/kappa.rst)."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from bounds.result import Quantity

__all__ = ["Regularity", "REFERENCE", "CONDITION_1"]

REFERENCE = "docs/kappa.rst"
#: The statement of Condition 1, carried as a hypothesis by every constant.
CONDITION_1 = "Condition 1 (docs/kappa.rst): ||v||_inf + ||Dv||_inf + ||D^2 v||_inf <= kappa ||v||_V"


@dataclass(frozen=True)
class Regularity:
    """The per-term constants of Condition 1 and their sum κ, each a :class:`Quantity`.

    ``c2_lower`` is set only when ``c2`` is an upper bound that need not be attained (random
    features): it is the value of the quartic form at the best point found, a lower bound of the
    true ``c2``, so ``c2.value - c2_lower.value`` is the certified gap.
    """

    c0: Quantity
    c1: Quantity
    c2: Quantity
    kappa: Quantity
    kernel: str = ""
    c2_lower: Quantity | None = None

    def __repr__(self) -> str:
        def short(q: Quantity) -> str:
            expr = "" if q.expr is None or q.expr.is_Integer else f"{sp.sstr(q.expr)} ≈ "
            return f"{q.name} = {expr}{q.value:.6g}"

        terms = ", ".join(short(q) for q in (self.c0, self.c1, self.c2, self.kappa))
        return f"Regularity({self.kernel}: {terms} [{self.kappa.kind}]; {self.c1.reference})"

    def describe(self) -> str:
        """Several lines: each constant with its exact value and kind, the reference."""

        def line(q: Quantity) -> str:
            expr = "" if q.expr is None else f" = {sp.sstr(q.expr)}"
            return f"  {q.name:<5} = {q.value:.17g}{expr} [{q.kind}]"

        rows = [f"Regularity({self.kernel})", *(line(q) for q in (self.c0, self.c1, self.c2, self.kappa))]
        if self.c2_lower is not None:
            rows.append(f"  c2 >= {self.c2_lower.value:.17g} (best point found; certified gap "
                        f"{self.c2.value - self.c2_lower.value:.3g})")
        rows.append(f"  reference: {self.c1.reference}")
        return "\n".join(rows)

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(c0, c1, c2, κ)`` as floats."""
        return (self.c0.value, self.c1.value, self.c2.value, self.kappa.value)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary of the four quantities (and ``c2_lower`` when present)."""
        out: dict[str, object] = {"kernel": self.kernel}
        for q in (self.c0, self.c1, self.c2, self.kappa, self.c2_lower):
            if q is not None:
                out[q.name] = q.to_dict()
        return out
