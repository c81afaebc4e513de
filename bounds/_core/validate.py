"""Input validation shared by every public function of :mod:`bounds`.

Every check raises :class:`ValueError` whose message names the parameter and the valid range,
so a bad input never turns into a NaN or a silently wrong number further down.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

import numpy as np
import sympy as sp

__all__ = [
    "as_rational_or_float",
    "require_positive",
    "require_finite_array",
    "require_int",
    "check_lambda_inputs",
]


def as_rational_or_float(name: str, value: object) -> sp.Rational | float:
    """Parse a real parameter, keeping it exact when it is rational.

    Accepts ints, :class:`fractions.Fraction`, sympy rationals, strings such as ``"5/2"`` or
    ``"2.5"`` (parsed exactly) and floats (kept as floats unless they are dyadic rationals with a
    short expansion such as 2.5, which are made exact).

    Raises
    ------
    ValueError
        If ``value`` is not a finite real number.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a finite real number, got the bool {value!r}")
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return sp.Rational(value)
        try:
            fvalue = float(value)
        except TypeError as exc:
            raise ValueError(f"{name} must be a finite real number, got {value!r}") from exc
        return _finite_float(name, fvalue)
    if isinstance(value, str):
        text = value.strip()
        try:
            return sp.Rational(Fraction(text))
        except (ValueError, ZeroDivisionError):
            try:
                fvalue = float(text)
            except ValueError as exc:
                raise ValueError(
                    f"{name} must be a finite real number such as 5/2 or 2.5, got {value!r}"
                ) from exc
            return _finite_float(name, fvalue)
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, (Real, np.floating)):
        fvalue = _finite_float(name, float(value))
        frac = Fraction(fvalue)
        # Exact when the float is a short dyadic fraction (0.5, 2.5, 1.25): no information lost.
        if frac.denominator <= 1024:
            return sp.Rational(frac.numerator, frac.denominator)
        return fvalue
    raise ValueError(f"{name} must be a finite real number, got {type(value).__name__} {value!r}")


def _finite_float(name: str, value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def require_positive(name: str, value: object, *, strict: bool = True) -> float:
    """Return ``float(value)`` after checking it is finite and > 0 (or >= 0 if not strict)."""
    try:
        fvalue = float(value)  # type: ignore[arg-type]  # anything float() accepts
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a finite real number, got {value!r}") from exc
    if not math.isfinite(fvalue):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if strict and fvalue <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if not strict and fvalue < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return fvalue


def require_int(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def require_finite_array(name: str, value: object, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array after checking its rank and that it is finite."""
    arr = np.asarray(value, dtype=float)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (found NaN or inf)")
    return arr


def check_lambda_inputs(N: object, delta: object, D: object) -> tuple[int, float, int]:
    """Validate ``N >= 2`` (int), ``delta > 0`` (finite), ``D >= 1`` (int)."""
    N = require_int("N", N, minimum=2)
    delta = require_positive("delta", delta)
    D = require_int("D", D, minimum=1)
    return N, delta, D
