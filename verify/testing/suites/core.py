"""The machinery shared by the property suites: one-sided checks that record how tight each
bound was, and the slack summary.

Every check compares an *observed* quantity with the *guaranteed* bound and records the tightness
``t`` in ``[0, 1]`` (1 = the bound is attained; ``t > 1`` is a violation):

* upper bound ``observed ≤ guaranteed``: ``t = observed / guaranteed``;
* lower bound ``observed ≥ guaranteed``: ``t = guaranteed / observed``.

``hypothesis.target(t)`` steers the search towards tight (and violating) examples, and the
:class:`SlackRecorder` keeps every observation for the slack report (docs/verify.rst).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import target
from hypothesis.control import currently_in_test_context

__all__ = ["Observation", "SlackRecorder", "BoundViolation", "check_upper", "check_lower", "Property", "Suite"]


class BoundViolation(AssertionError):
    """A guaranteed bound was violated by an observed value (the bound or its derivation is wrong)."""


@dataclass(frozen=True)
class Observation:
    """One comparison of an observed value with its guaranteed bound."""

    bound: str
    observed: float
    guaranteed: float
    tightness: float
    example: Mapping[str, Any]
    violated: bool = False


@dataclass
class SlackRecorder:
    """Collects observations per bound (an explicit object passed to the suites: no global state).

    ``keep`` caps the observations kept per bound (the worst one is always kept).
    """

    keep: int = 10_000
    observations: dict[str, list[Observation]] = field(default_factory=dict)

    def add(self, obs: Observation) -> None:
        rows = self.observations.setdefault(obs.bound, [])
        if len(rows) < self.keep:
            rows.append(obs)
        else:
            worst = max(range(len(rows)), key=lambda i: rows[i].tightness)
            if obs.tightness > rows[worst].tightness:
                rows[-1] = obs

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per bound: count, min/median/max tightness and the tightest (worst) example."""
        out: dict[str, dict[str, Any]] = {}
        for bound, rows in sorted(self.observations.items()):
            t = np.array([r.tightness for r in rows])
            worst = rows[int(np.argmax(t))]
            out[bound] = {
                "count": len(rows),
                "min": float(t.min()),
                "median": float(np.median(t)),
                "max": float(t.max()),
                "violations": sum(r.violated for r in rows),
                "worst": {"observed": worst.observed, "guaranteed": worst.guaranteed,
                          "tightness": worst.tightness, "example": _jsonable(worst.example)},
            }
        return out

    def tightness(self, bound: str) -> np.ndarray:
        return np.array([r.tightness for r in self.observations.get(bound, [])])


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, (int, float, str, bool)) or obj is None:
        return obj
    return repr(obj)


def _check(recorder: SlackRecorder | None, bound: str, observed: float, guaranteed: float, tight: float,
           example: Mapping[str, Any], rtol: float, kind: str) -> float:
    if not (math.isfinite(observed) and math.isfinite(guaranteed)):
        raise BoundViolation(f"{bound}: non-finite comparison observed={observed!r} guaranteed={guaranteed!r}")
    obs = Observation(bound, float(observed), float(guaranteed), float(tight), dict(example),
                      violated=bool(tight > 1.0 + rtol))
    if recorder is not None:
        recorder.add(obs)
    if currently_in_test_context():  # the optimiser passes run outside hypothesis
        target(min(float(tight), 1e6), label=bound)
    if tight > 1.0 + rtol:
        raise BoundViolation(
            f"{bound} violated ({kind} bound): observed {observed!r} vs guaranteed {guaranteed!r} "
            f"(tightness {tight:.6g}); example {json.dumps(_jsonable(example))[:2000]}"
        )
    return float(tight)


def check_upper(recorder: SlackRecorder | None, bound: str, observed: float, guaranteed: float,
                example: Mapping[str, Any], *, rtol: float = 0.0) -> float:
    """Check ``observed ≤ guaranteed·(1 + rtol)``, record and target the tightness
    ``observed/guaranteed``.  ``rtol`` may only cover a stated floating-point rounding margin."""
    tight = observed / guaranteed if guaranteed > 0 else (0.0 if observed <= 0 else math.inf)
    return _check(recorder, bound, observed, guaranteed, tight, example, rtol, "upper")


def check_lower(recorder: SlackRecorder | None, bound: str, observed: float, guaranteed: float,
                example: Mapping[str, Any], *, rtol: float = 0.0) -> float:
    """Check ``observed ≥ guaranteed·(1 − rtol)``; tightness ``guaranteed/observed``."""
    if guaranteed <= 0:
        tight = 0.0
    else:
        tight = guaranteed / observed if observed > 0 else math.inf
    return _check(recorder, bound, observed, guaranteed, tight, example, rtol, "lower")


@dataclass(frozen=True)
class Property:
    """A named property of a suite: ``run(kernel, recorder, settings)`` runs hypothesis on it;
    ``optimise(kernel, recorder)``, when present, refines hypothesis' tightest example with scipy."""

    name: str
    bounds: tuple[str, ...]
    run: Callable[..., None]
    doc: str = ""
    #: optional optimiser pass ``optimise(kernel, recorder)`` started from the tightest examples
    optimise: Callable[..., None] | None = None


@dataclass(frozen=True)
class Suite:
    """A group of properties checking one part of the theory (e.g. ``pl``)."""

    name: str
    properties: tuple[Property, ...]
    doc: str = ""
