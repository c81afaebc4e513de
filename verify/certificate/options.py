"""The options of a certificate (docs/certificate.rst): one frozen record, validated once, serialised
into the certificate's ``inputs.options`` and read back by ``--check``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from bounds._core.validate import as_rational_or_float, require_int, require_positive
from bounds.kernels import Gaussian, Matern

__all__ = ["load_object", "CertifyOptions", "KernelName", "ConstantsName", "LambdaName", "FormName", "ArchitectureName"]

#: ``"matern"``, ``"gaussian"``, or ``"MODULE:OBJECT"`` naming a user's kernel.
KernelName = str
ArchitectureName = Literal["augmented", "copy"]
TargetsName = Literal["values", "classes"]
ConstantsName = Literal["sharp", "paper"]
LambdaName = Literal["data", "best", "worst-case", "estimate"]
FormName = Literal["discrete", "simplified", "sqrt", "lzb"]

_CHOICES: dict[str, tuple[str, ...]] = {
    "architecture": ("augmented", "copy"),
    "targets": ("values", "classes"),
    "constants": ("sharp", "paper"),
    "lam": ("data", "best", "worst-case", "estimate"),
    "form": ("discrete", "simplified", "sqrt", "lzb"),
}
_POSITIVE_INTS = {"p": 1, "grid_size": 2, "gd_layers": 1, "gd_width": 1}
_NONNEGATIVE_INTS = ("gd_iterations", "gd_max_centres", "seed", "rff_seed")


def load_object(spec: str) -> object:
    """Import ``module:object`` (a user's kernel)."""
    import importlib  # noqa: PLC0415

    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"kernel must look like module:object, got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"kernel: cannot import module {module_name!r} ({exc})") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ValueError(f"kernel: module {module_name!r} has no attribute {attr!r}") from None


@dataclass(frozen=True)
class CertifyOptions:
    """Everything that determines a certificate.

    Parameters
    ----------
    data
        A built-in dataset name (``moons``, ``circles``, ``sphere``, ``xor``, ``iris``, ``wine``,
        ``breast-cancer``, ``digits``) or a file path.
    n, seed, target_dim
        Size and seed of a built-in dataset; number of target columns of a file.
    targets
        ``"values"`` (the target columns as they are) or ``"classes"`` (a label column, encoded as
        ``±1`` for two classes, one-hot otherwise).
    standardize
        Centre each feature and divide it by its standard deviation (constant features: by 1).
    kernel, nu, lengthscale
        ``"matern"`` (smoothness ``nu`` > 2 for Condition 1) or ``"gaussian"``; length scale ℓ.
    width, rff_seed, width_eta
        ``None`` for the infinite-width kernel model; ``q`` for random Fourier features drawn
        with ``rff_seed`` (finite width: the certificate is for the network drawn); ``width_eta``,
        the failure probability of the a priori statement for any draw of this width
        (docs/width.rst).
    architecture, alpha, p, a, b
        ``"augmented"``: ``A = α [I_d; 0]``, ``B = b [0, I_{d'}]`` (``alpha`` and ``b`` default to the
        closed form of :func:`bounds.recipe.augmented_scales`); ``"copy"``: ``A = a (I_d, …, I_d)ᵀ``
        with ``p`` blocks and ``B = b (I_{d'}, 0)`` (``b`` defaults to 1).
    depth
        ``None`` for the neural ODE (infinitely deep), ``T`` for the T-layer ResNet.
    constants, lam, form
        Passed to :func:`bounds.pl.pl_constants` / :func:`bounds.lzb.lzb_certificate`.
    R_min, R_max, grid_size
        Radii searched (``R_max=None``: ``3/c1``; ``R_min=None``: ``R_max/10⁴``).
    target
        Target loss for the iteration count.
    gd_iterations, gd_layers, gd_max_centres, gd_width
        Cross-check budget, layers of the ODE's approximation, the largest number of kernel
        centres per layer the exact infinite-width run may accumulate (``N`` × stages per layer ×
        iterations; its cost grows like the cube of it), RFF width used above it.
    recipe
        Run the lifting recipe when the certificate fails, to say what would fix it.
    scheduler
        Address of a Dask scheduler (``tcp://host:8786``) running the pair passes
        (docs/scale.rst); ``None``: local threads.  It decides *where* the passes run, not the
        certificate (the counts are integers, the same everywhere), so it is not serialised.

    Raises
    ------
    ValueError
        Any option out of its range (the message names it).
    """

    data: str = "xor"
    n: int | None = None
    seed: int = 0
    target_dim: int = 1
    targets: TargetsName = "values"
    standardize: bool = False
    kernel: KernelName = "matern"
    nu: str = "5/2"
    lengthscale: float = 1.0
    width: int | None = None
    rff_seed: int = 0
    width_eta: float = 0.05
    architecture: ArchitectureName = "augmented"
    alpha: float | None = None
    p: int = 1
    a: float = 1.0
    b: float | None = None
    depth: int | None = None
    constants: ConstantsName = "sharp"
    lam: LambdaName = "best"
    form: FormName = "discrete"
    R_min: float | None = None
    R_max: float | None = None
    grid_size: int = 41
    target: float = 1e-6
    gd_iterations: int = 100
    gd_layers: int = 4
    gd_max_centres: int = 2000
    gd_width: int = 256
    recipe: bool = True
    scheduler: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kernel not in ("matern", "gaussian") and ":" not in self.kernel:
            raise ValueError(f"kernel must be matern, gaussian or MODULE:OBJECT, got {self.kernel!r}")
        for name, choices in _CHOICES.items():
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {', '.join(choices)}; got {getattr(self, name)!r}")
        require_positive("lengthscale", self.lengthscale)
        if self.kernel == "matern" and float(as_rational_or_float("nu", self.nu)) <= 2:
            raise ValueError(
                f"nu must be > 2 for Condition 1 (got nu = {self.nu}): c2 = sqrt(E[w_1^4]) is infinite "
                "for Matern nu <= 2, so the smoothness beta(R) and the certificate do not exist"
            )
        for name, minimum in _POSITIVE_INTS.items():
            require_int(name, getattr(self, name), minimum=minimum)
        for name in _NONNEGATIVE_INTS:
            require_int(name, getattr(self, name), minimum=0)
        for name in ("width", "depth"):
            if getattr(self, name) is not None:
                require_int(name, getattr(self, name), minimum=1)
        for name in ("a", "target"):
            require_positive(name, getattr(self, name))
        if not 0 < self.width_eta < 1:
            raise ValueError(f"width_eta must be in (0, 1), got {self.width_eta!r}")
        for name in ("alpha", "b", "R_min", "R_max"):
            if getattr(self, name) is not None:
                require_positive(name, getattr(self, name))
        if self.architecture == "augmented" and (self.p != 1 or self.a != 1.0):
            raise ValueError("p and a belong to the copy lifting: pass --architecture copy with them "
                             "(the augmented architecture takes --alpha and --b)")
        if self.architecture == "copy" and self.alpha is not None:
            raise ValueError("alpha belongs to the augmented architecture; the copy lifting takes --p, --a and --b")
        if self.R_max is not None and self.R_min is not None and self.R_max <= self.R_min:
            raise ValueError(f"R_max must be > R_min = {self.R_min}, got {self.R_max}")
        if self.scheduler is not None and (not isinstance(self.scheduler, str) or not self.scheduler.strip()):
            raise ValueError(f"scheduler must be the address of a Dask scheduler (e.g. tcp://host:8786), "
                             f"got {self.scheduler!r}")

    def to_dict(self) -> dict[str, Any]:
        """The options that determine the certificate (``scheduler`` only says where passes run)."""
        d = asdict(self)
        del d["scheduler"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CertifyOptions:
        """The options of a certificate document (schema 1.0 documents predate the augmented
        architecture: their lifting is the copy lifting)."""
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"options: unknown keys {sorted(unknown)}")
        return cls(**({"architecture": "copy"} | d if "architecture" not in d else d))

    def base_kernel(self) -> Any:
        """The kernel of the infinite-width model (a user's object for ``MODULE:OBJECT``)."""
        if self.kernel == "gaussian":
            return Gaussian(self.lengthscale)
        if self.kernel == "matern":
            return Matern(self.nu, self.lengthscale)
        return load_object(self.kernel)
