"""resnet-pl's constants: every quantity of the local Polyak–Łojasiewicz chain of RKHS neural ODEs
(docs/theory.rst), each a :class:`~bounds.result.Quantity` with its formula, kind and reference.

The main names are available here (imported on first use, so ``import bounds`` is cheap):

>>> import bounds
>>> k = bounds.Matern("5/2")
>>> f"{bounds.kappa(k):.4f}"
'7.2910'
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "__version__",
    "Quantity",
    "Matern",
    "Gaussian",
    "RandomFourierKernel",
    "kappa",
    "regularity_constants",
    "lambda_two",
    "lambda_bracket",
    "best_lower_bound",
    "lambda_min_verified",
    "data_gershgorin_bound",
    "Problem",
    "flow_factors",
    "pl_constants",
    "smoothness_constant",
    "chain_point",
    "lzb_condition",
    "lzb_certificate",
    "lzb_for_problem",
    "augmented_design",
    "best_design",
    "rff_width",
]

#: public name -> module that defines it
_HOME = {
    "Quantity": "bounds.result",
    "Matern": "bounds.kernels",
    "Gaussian": "bounds.kernels",
    "RandomFourierKernel": "bounds.kernels",
    "kappa": "bounds.regularity",
    "regularity_constants": "bounds.regularity",
    "lambda_two": "bounds.lambda_min.bracket",
    "lambda_bracket": "bounds.lambda_min.bracket",
    "best_lower_bound": "bounds.lambda_min.bracket",
    "lambda_min_verified": "bounds.lambda_min.data",
    "data_gershgorin_bound": "bounds.lambda_min.data",
    "Problem": "bounds.problem",
    "flow_factors": "bounds.pl",
    "pl_constants": "bounds.pl",
    "smoothness_constant": "bounds.smoothness",
    "chain_point": "bounds.chain",
    "lzb_condition": "bounds.lzb",
    "lzb_certificate": "bounds.lzb",
    "lzb_for_problem": "bounds.chain",
    "augmented_design": "bounds.recipe",
    "best_design": "bounds.recipe",
    "rff_width": "bounds.recipe",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

        try:
            return version("resnet-pl")
        except PackageNotFoundError:  # pragma: no cover - a source tree without installation
            return "unknown"
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bounds' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
