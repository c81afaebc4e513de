"""Results that carry their provenance.

Every public bound of :mod:`bounds` returns a :class:`Quantity`: the value, the exact expression
where there is one, the hypotheses it was derived under, its *kind* and the docs page with the
derivation.  A quantity behaves as its value in arithmetic, comparisons and format specs (the
results are plain floats; ``q.value`` is the number itself); ``q.describe()`` shows everything.

>>> q = Quantity("c1", 1.25, "exact", "sqrt(nu/(nu-1))/l", "docs/kappa.rst")
>>> q
Quantity(c1 = 1.25 [exact], docs/kappa.rst)
>>> f"{q:.3f}", q * 2, q < 2
('1.250', 2.5, True)

Kinds
-----
``exact``
    A closed form evaluated without approximation beyond the final rounding.
``rigorous``
    A proven bound whose floating-point rounding is controlled (never on the wrong side).
``probabilistic``
    A proven bound that holds with probability at least ``1 − η`` over a random draw (the
    frequencies of a random-feature network, docs/width.rst#a-priori); the quantity's ``eta``
    field carries ``η``.  Weaker than rigorous, stronger than numerical.
``numerical``
    A computed number with no proof of which side its error lies on (e.g. a quadrature).
``estimate``
    A heuristic or search-based value (e.g. an adversarial upper bound used in place of a proven
    lower bound); anything computed from it is an estimate too.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Literal, cast

import mpmath
import sympy as sp

__all__ = ["Kind", "KINDS", "Quantity", "weakest_kind", "combined_kind"]

Kind = Literal["exact", "rigorous", "probabilistic", "numerical", "estimate"]
KINDS: tuple[str, ...] = ("exact", "rigorous", "probabilistic", "numerical", "estimate")


def _number(other: object) -> float:
    if isinstance(other, Quantity):
        return other.value
    if isinstance(other, (int, float)) and not isinstance(other, bool):
        return float(other)
    try:
        return float(other)  # type: ignore[arg-type]  # numpy scalars, Fractions, mpmath numbers
    except (TypeError, ValueError):
        raise TypeError(f"a Quantity combines with numbers, not {type(other).__name__}") from None


def weakest_kind(*kinds: str) -> Kind:
    """The kind of a number computed from numbers of the given kinds (the weakest one wins)."""
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return cast(Kind, max(kinds, key=KINDS.index)) if kinds else "exact"


def combined_kind(*items: Quantity | str) -> tuple[Kind, float | None]:
    """The kind of a number computed from ``items`` (quantities or kind names) and, when that kind
    is ``probabilistic``, its ``η``.

    A combination of probabilistic quantities holds on the intersection of their events.  This
    package only combines quantities of one random draw, all carrying the ``η`` of that draw's
    whole failure event (docs/width.rst#a-priori), so the ``η`` is kept; quantities with different
    ``η`` (different draws) are refused rather than silently union-bounded.

    >>> combined_kind("rigorous", Quantity("c1", 2.0, "probabilistic", "", "", eta=0.05))
    ('probabilistic', 0.05)
    """
    kinds = [item if isinstance(item, str) else item.kind for item in items]
    kind = weakest_kind(*kinds)
    if kind != "probabilistic":
        return kind, None
    etas = {item.eta for item in items if isinstance(item, Quantity) and item.eta is not None}
    if len(etas) != 1:
        raise ValueError(f"probabilistic quantities must share one eta (one draw), got {sorted(etas)}")
    return kind, etas.pop()


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
        One of ``exact``, ``rigorous``, ``probabilistic``, ``numerical``, ``estimate`` (see module
        docstring).
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
    eta
        For kind ``probabilistic`` only: the bound holds with probability at least ``1 − eta``.
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
    eta: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if (self.kind == "probabilistic") != (self.eta is not None):
            raise ValueError(f"eta must be given exactly for kind 'probabilistic', got kind {self.kind!r}, "
                             f"eta {self.eta!r}")
        if self.eta is not None and not 0 < self.eta < 1:
            raise ValueError(f"eta must be in (0, 1), got {self.eta!r}")

    # ------------------------------------------------------------------ a number

    def __float__(self) -> float:
        return float(self.value)

    def __format__(self, spec: str) -> str:
        """``f"{q:.3g}"`` formats the value; ``f"{q}"`` gives the one-line summary."""
        return format(self.value, spec) if spec else str(self)

    def __add__(self, other: object) -> float:
        return self.value + _number(other)

    def __radd__(self, other: object) -> float:
        return _number(other) + self.value

    def __sub__(self, other: object) -> float:
        return self.value - _number(other)

    def __rsub__(self, other: object) -> float:
        return _number(other) - self.value

    def __mul__(self, other: object) -> float:
        return self.value * _number(other)

    def __rmul__(self, other: object) -> float:
        return _number(other) * self.value

    def __truediv__(self, other: object) -> float:
        return self.value / _number(other)

    def __rtruediv__(self, other: object) -> float:
        return _number(other) / self.value

    def __pow__(self, other: object) -> float:
        return float(self.value ** _number(other))

    def __rpow__(self, other: object) -> float:
        return float(_number(other) ** self.value)

    def __neg__(self) -> float:
        return -self.value

    def __pos__(self) -> float:
        return self.value

    def __abs__(self) -> float:
        return abs(self.value)

    def __lt__(self, other: object) -> bool:
        return self.value < _number(other)

    def __le__(self, other: object) -> bool:
        return self.value <= _number(other)

    def __gt__(self, other: object) -> bool:
        return self.value > _number(other)

    def __ge__(self, other: object) -> bool:
        return self.value >= _number(other)

    # ------------------------------------------------------------------ display

    def _kind_text(self) -> str:
        return self.kind if self.eta is None else f"{self.kind}, probability >= 1 - {self.eta:g}"

    def __str__(self) -> str:
        expr = "" if self.expr is None else f" = {sp.sstr(self.expr)}"
        return f"{self.name} = {self.value:.17g}{expr} [{self._kind_text()}]"

    def __repr__(self) -> str:
        return f"Quantity({self}, {self.reference})"

    def describe(self) -> str:
        """Several lines: the value, the formula, the hypotheses and the reference."""
        details = [str(self), f"  formula: {self.formula}"]
        if self.hypotheses:
            details.append(f"  hypotheses: {'; '.join(self.hypotheses)}")
        details.append(f"  reference: {self.reference}")
        return "\n".join(details)

    def _repr_html_(self) -> str:
        e = html.escape
        expr = "" if self.expr is None else f" = <code>{e(sp.sstr(self.expr))}</code>"
        hyps = "".join(f"<li>{e(h)}</li>" for h in self.hypotheses)
        return (f"<div><b>{e(self.name)}</b> = {self.value:.17g}{expr} <i>[{e(self._kind_text())}]</i><br>"
                f"<small>{e(self.formula)} &middot; {e(self.reference)}</small>"
                + (f"<ul><small>{hyps}</small></ul>" if hyps else "") + "</div>")

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
            "eta": self.eta,
        }
