"""Results that carry their provenance.

Every public bound of :mod:`bounds` returns a :class:`Quantity`: the value, the exact expression
where there is one, the hypotheses it was derived under, its *kind* and the docs page with the
derivation.  ``float(q)`` or ``q.value`` gives the plain number.

Kinds
-----
``exact``
    A closed form evaluated without approximation beyond the final rounding.
``rigorous``
    A proven bound whose floating-point rounding is controlled (never on the wrong side).
``numerical``
    A computed number with no proof of which side its error lies on (e.g. a quadrature).
``estimate``
    A heuristic or search-based value (e.g. an adversarial upper bound used in place of a proven
    lower bound); anything computed from it is an estimate too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import mpmath
import sympy as sp

from bounds._core.rounding import round_up

__all__ = ["Kind", "KINDS", "Quantity", "weakest_kind", "upper_float"]

Kind = Literal["exact", "rigorous", "numerical", "estimate"]
KINDS: tuple[str, ...] = ("exact", "rigorous", "numerical", "estimate")


def weakest_kind(*kinds: str) -> str:
    """The kind of a number computed from numbers of the given kinds (the weakest one wins)."""
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return max(kinds, key=KINDS.index) if kinds else "exact"


@dataclass(frozen=True)
class Quantity:
    """A number with its provenance.

    Attributes
    ----------
    name
        Short symbol, e.g. ``"c1"``.
    value
        The value as a float (``inf`` is allowed only where the theory says the constant is
        infinite and the caller asked for it explicitly; public functions raise instead).
    kind
        One of ``exact``, ``rigorous``, ``numerical``, ``estimate`` (see module docstring).
    formula
        The formula in plain text, e.g. ``"sqrt(E[w_1^2]) = sqrt(nu/(nu-1))/l"``.
    reference
        The docs page (and section) with the derivation.
    hypotheses
        The hypotheses under which the formula holds, as readable strings.
    expr
        The exact sympy expression of the value, when there is one.
    mp
        The value to the requested precision (an :class:`mpmath.mpf`), when computed.
    dps
        The number of decimal digits ``mp`` was computed to.
    """

    name: str
    value: float
    kind: Kind
    formula: str
    reference: str
    hypotheses: tuple[str, ...] = ()
    expr: sp.Expr | None = field(default=None, compare=False)
    mp: mpmath.mpf | None = field(default=None, compare=False)
    dps: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")

    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        parts = [f"{self.name} = {self.value:.17g}"]
        if self.expr is not None:
            parts.append(f"= {sp.sstr(self.expr)}")
        parts.append(f"[{self.kind}]")
        text = " ".join(parts)
        details = [f"  formula: {self.formula}"]
        if self.hypotheses:
            details.append(f"  hypotheses: {'; '.join(self.hypotheses)}")
        details.append(f"  reference: {self.reference}")
        return text + "\n" + "\n".join(details)

    def mp_string(self) -> str | None:
        """The high-precision value as a decimal string with ``dps`` significant digits."""
        if self.mp is None:
            return None
        digits = self.dps or 15
        with mpmath.workdps(digits):
            return mpmath.nstr(self.mp, digits)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary (the exact expression as a string, mp value as a string)."""
        return {
            "name": self.name,
            "value": self.value,
            "kind": self.kind,
            "formula": self.formula,
            "reference": self.reference,
            "hypotheses": list(self.hypotheses),
            "expr": None if self.expr is None else sp.sstr(self.expr),
            "mp": self.mp_string(),
            "dps": self.dps,
        }


def upper_float(q: Quantity) -> float:
    """A float never below the exact value of the constant ``q``: its ``mp`` value rounded up when it
    has one (``value`` is the nearest float, which may lie below), else ``value`` (a float bound).

    Use it wherever an upper bound of a constant enters a rigorous formula, e.g. ``c1`` in
    ``e^{±c1 R}``: the exponential amplifies a one-ulp error of ``c1`` by ``c1 R``.

    Examples
    --------
    >>> with mpmath.workdps(30):
    ...     c1 = mpmath.sqrt(mpmath.mpf(5) / 3)
    >>> q = Quantity("c1", float(c1), "exact", "sqrt(5/3)", "docs/kappa.rst", mp=c1)
    >>> q.value < c1 <= upper_float(q)  # the nearest float lies below sqrt(5/3)
    True
    """
    return round_up(q.mp) if q.mp is not None else float(q.value)

