"""The certificate as typed records: every constant a :class:`~bounds.result.Quantity` with its
formula id, hypotheses, the verdict, the cross-check; :meth:`Certificate.to_dict` is the JSON
document of ``verify/certificate/schema/certificate.schema.json`` (docs/certificate.rst)."""

from __future__ import annotations

import json
import math
import platform
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bounds.result import Quantity

__all__ = [
    "SCHEMA_VERSION",
    "Record",
    "Hypothesis",
    "Failure",
    "Curves",
    "LZBSummary",
    "CrossCheck",
    "Certificate",
    "environment",
    "plain",
]

SCHEMA_VERSION = "1.2.0"


def plain(obj: Any) -> Any:
    """``obj`` with only JSON types: numpy scalars and arrays become Python numbers and lists,
    non-finite floats become ``None`` (NaN) or ``"inf"``/``"-inf"``."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return plain(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        if not math.isfinite(v):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return v
    return obj


@dataclass(frozen=True)
class Record:
    """A constant of the certificate: the quantity and the id of its formula."""

    quantity: Quantity
    formula_id: str

    @property
    def value(self) -> float:
        return self.quantity.value

    @property
    def kind(self) -> str:
        return self.quantity.kind

    def to_dict(self) -> dict[str, Any]:
        q = self.quantity
        out = {"value": float(q.value), "kind": q.kind, "formula_id": self.formula_id, "formula": q.formula,
               "provenance": q.reference, "hypotheses": list(q.hypotheses)}
        if q.eta is not None:  # a probabilistic quantity: it holds with probability >= 1 - eta
            out["eta"] = q.eta
        return out


@dataclass(frozen=True)
class Hypothesis:
    """One hypothesis of the chain (H1–H6, docs/certificate.rst) and whether it holds."""

    id: str
    statement: str
    holds: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "statement": self.statement, "holds": bool(self.holds), "detail": self.detail}


@dataclass(frozen=True)
class Failure:
    """A failed hypothesis, why it failed and what would fix it."""

    hypothesis: str
    reason: str
    fix: str

    def to_dict(self) -> dict[str, Any]:
        return {"hypothesis": self.hypothesis, "reason": self.reason, "fix": self.fix}


@dataclass(frozen=True)
class Curves:
    """The constants and the LZB margin on the grid of radii searched."""

    R: tuple[float, ...]
    m: tuple[float, ...]
    M: tuple[float, ...]
    beta: tuple[float, ...]
    lambda_lower: tuple[float, ...]
    allowed_f0: tuple[float, ...]
    margin: tuple[float, ...]
    form: str

    def to_dict(self) -> dict[str, Any]:
        return {"R": list(self.R), "m": list(self.m), "M": list(self.M), "beta": list(self.beta),
                "lambda_lower": list(self.lambda_lower), "allowed_f0": list(self.allowed_f0),
                "margin": list(self.margin), "form": self.form}


@dataclass(frozen=True)
class LZBSummary:
    """The radius condition: feasible radii, the reported radius, the rate, and the fix found by
    the design search when the condition fails."""

    form: str
    guaranteed: bool
    feasible: tuple[tuple[float, float], ...]
    R_best: float | None
    rate: float
    recipe: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"form": self.form, "guaranteed": self.guaranteed, "feasible": [list(iv) for iv in self.feasible],
                "R_best": self.R_best, "rate": self.rate, "recipe": self.recipe}


@dataclass(frozen=True)
class CrossCheck:
    """Gradient descent with step ``1/β(R)`` from ``v0 = 0`` on the solver, against the guarantee.

    ``agrees`` is ``None`` when there is no guarantee to compare with."""

    model: str
    exact_model: bool
    label: str
    reduced_dimension: int
    iterations: int
    step: float
    R: float
    rate: float
    initial_loss_solver: float
    loss: tuple[float, ...]
    envelope: tuple[float, ...]
    distance: tuple[float, ...]
    grad_norm: tuple[float, ...]
    loss_below_envelope: bool
    distance_below_R: bool
    guarantee_applies: bool
    agrees: bool | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return plain({name: getattr(self, name) for name in self.__dataclass_fields__})


@dataclass(frozen=True)
class Certificate:
    """A computed certificate.  ``exit_code`` is 0 when convergence is guaranteed, 1 otherwise.

    In a notebook it renders as the HTML report; :meth:`save` writes the reports into a folder
    and :meth:`to_json` gives the JSON document."""

    conclusion: str
    guaranteed: bool
    failures: tuple[Failure, ...]
    inputs: dict[str, Any]
    environment: dict[str, Any]
    quantities: dict[str, Record]
    hypotheses: tuple[Hypothesis, ...]
    lzb: LZBSummary
    curves: Curves
    lambda_bracket: dict[str, Any]
    cross_check: CrossCheck | None
    timing: dict[str, float] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    @property
    def exit_code(self) -> int:
        return 0 if self.guaranteed else 1

    def __repr__(self) -> str:
        return f"Certificate({self.conclusion[:100]}{'…' if len(self.conclusion) > 100 else ''})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (plain Python types only)."""
        return plain({
            "schema_version": self.schema_version,
            "conclusion": self.conclusion,
            "guaranteed": self.guaranteed,
            "exit_code": self.exit_code,
            "failures": [f.to_dict() for f in self.failures],
            "inputs": self.inputs,
            "environment": self.environment,
            "quantities": {name: rec.to_dict() for name, rec in self.quantities.items()},
            "hypotheses": [h.to_dict() for h in self.hypotheses],
            "lzb": self.lzb.to_dict(),
            "curves": self.curves.to_dict(),
            "lambda_bracket": self.lambda_bracket,
            "cross_check": None if self.cross_check is None else self.cross_check.to_dict(),
            "timing": self.timing,
        })

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def save(self, out_dir: str, docs_url: str | None = None) -> list[str]:
        """Write ``certificate.json``, ``.md``, ``.html`` and the plots into ``out_dir`` (atomically);
        returns the paths written.  ``docs_url``: where the links point
        (:func:`verify.certificate.report.docs_url` by default)."""
        from verify.certificate.report import write_reports  # noqa: PLC0415 (matplotlib on demand)

        return write_reports(self.to_dict(), out_dir, docs_url)

    def _repr_html_(self) -> str:
        from verify.certificate.report import render_html  # noqa: PLC0415

        return render_html(self.to_dict(), {})


def environment() -> dict[str, Any]:
    """Versions of python, numpy, scipy, sympy, mpmath and resnet-pl."""
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    import mpmath  # noqa: PLC0415
    import scipy  # noqa: PLC0415
    import sympy  # noqa: PLC0415

    try:
        pkg = version("resnet-pl")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        pkg = "unknown"
    return {
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "sympy": sympy.__version__, "mpmath": mpmath.__version__, "resnet-pl": pkg,
        "platform": platform.platform(),
    }
