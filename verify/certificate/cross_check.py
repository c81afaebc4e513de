"""Step 5 of the certificate: gradient descent with step ``1/β(R)`` from ``v0 = 0`` on the solver,
compared with the guaranteed envelope ``(1 − m/(2β))^k f0`` and the ball ``‖θ_k − θ_0‖ ≤ R``
(docs/certificate.rst, "The cross-check")."""

from __future__ import annotations

import numpy as np

from bounds.kernels import RandomFourierKernel
from bounds.problem import Problem
from verify.certificate.options import CertifyOptions
from verify.certificate.record import CrossCheck
from verify.certificate.search import Search
from verify.progress import Progress
from verify.solver.controls import KernelControl, RFFControl
from verify.solver.gradient import Objective
from verify.solver.train import gradient_descent

__all__ = ["span_coordinates", "cross_check", "cross_check_iterations"]

#: The cross-check runs at most ``GD_POINT_ITERATIONS / N`` iterations (each costs ``O(N)``), and at
#: least ``GD_MIN_ITERATIONS``: a budget of minutes at N = 10⁵ (benchmarks/certify).  It is a check of
#: the guarantee on the first iterations, not part of it.
GD_POINT_ITERATIONS = 1_000_000
GD_MIN_ITERATIONS = 5


def cross_check_iterations(N: int, requested: int) -> int:
    """``min(requested, max(GD_MIN_ITERATIONS, GD_POINT_ITERATIONS // N))``."""
    return min(requested, max(GD_MIN_ITERATIONS, GD_POINT_ITERATIONS // N))


def span_coordinates(lifted: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An orthonormal basis ``Q`` (D × r) of ``S = span(rows of lifted, rows of B)`` and the
    coordinates ``(lifted Q, B Q)``.

    For a radial kernel the flow of a kernel-expansion control with centres and coefficients in
    ``S`` maps ``S`` into itself, ``∇F`` has centres (trajectory points) and coefficients (adjoints
    ``p = Bᵀr`` transported by ``Dvᵀ``, whose range is in ``S``) in ``S``, and kernel values and
    ``H``-norms depend only on distances: gradient descent from ``v0 = 0`` in ``R^D`` is the
    isometric image of gradient descent in ``R^r`` (docs/certificate.rst).
    """
    M = np.vstack([lifted, B])
    U, s, _ = np.linalg.svd(M.T, full_matrices=False)
    r = int(np.sum(s > s[0] * 1e-12 * max(M.shape)))
    Q = U[:, :r]
    return Q, lifted @ Q, B @ Q


def _objective(problem: Problem, opts: CertifyOptions, Z0: np.ndarray, B: np.ndarray) -> tuple[Objective, str]:
    if opts.depth is not None:
        return Objective.resnet(Z0, problem.Y, B), f"the T = {opts.depth}-layer ResNet (exact discrete model)"
    return (Objective(Z0, problem.Y, B, method="rk4", steps_per_layer=1),
            f"piecewise-constant controls with L = {opts.gd_layers} layers, one RK4 step per layer "
            "(approximation of the neural ODE)")


def _control(problem: Problem, opts: CertifyOptions, r: int, L: int, sample: RandomFourierKernel | None,
             iterations: int) -> tuple[KernelControl | RFFControl, str, bool]:
    """The zero control of the run, a description, and whether it is the certified model's own."""
    stages = 1 if opts.depth is not None else 4  # Euler (ResNet) or RK4 stages per layer
    if sample is not None:  # the network drawn, in the coordinates it was drawn in
        desc = (f"the drawn width-{sample.q} network (seed {opts.rff_seed}) in the problem's {r} coordinates, "
                "trained by the compiled solver: the model the certificate is for")
        return RFFControl(sample, np.zeros((L, r, 2 * sample.q))), desc, True
    if problem.N * stages * iterations <= opts.gd_max_centres:
        desc = f"infinite width: exact function-space gradient descent in the reduced space R^{r}"
        return KernelControl.zeros(problem.kernel, n_layers=L, D=r), desc, True
    q = opts.gd_width
    drawn = RandomFourierKernel.from_kernel(problem.kernel, q, r, opts.rff_seed)  # type: ignore[arg-type]
    desc = (f"random Fourier features, q = {q} drawn in the reduced space R^{r} with seed {opts.rff_seed} "
            "(an approximation of the kernel model)")
    return RFFControl(drawn, np.zeros((L, r, 2 * q))), desc, False


def cross_check(problem: Problem, opts: CertifyOptions, search: Search, guaranteed: bool,
                progress: Progress, sample: RandomFourierKernel | None = None) -> CrossCheck:
    """Gradient descent on the solver against the guarantee (``agrees`` is ``None`` without one: the
    run is then shown for information, ``R`` is the radius of the largest margin).

    With ``sample`` (a finite-width certificate) the run is on that very network, in the problem's
    coordinates: random-feature fields are not radial, their gradients leave ``S``, so the run is
    not reduced further (docs/width.rst, "Which network")."""
    if sample is None:
        _, Z0, Bred = span_coordinates(problem.lifted, problem.B)
    else:
        Z0, Bred = problem.lifted, problem.B
    L = opts.depth if opts.depth is not None else opts.gd_layers
    objective, disc = _objective(problem, opts, Z0, Bred)
    iterations = cross_check_iterations(problem.N, opts.gd_iterations)
    if iterations < opts.gd_iterations:
        progress.note(f"cross-check: {iterations} of the {opts.gd_iterations} iterations asked for "
                      f"(budget {GD_POINT_ITERATIONS:.0e} point-iterations at N = {problem.N})")
        disc += f"; {iterations} of {opts.gd_iterations} iterations (budget {GD_POINT_ITERATIONS:.0e}/N)"
    v0, width, own = _control(problem, opts, Z0.shape[1], L, sample, iterations)
    exact = own and opts.depth is not None
    point = search.point
    run = gradient_descent(objective, v0, step=1.0 / point.beta, iterations=iterations, seed=opts.rff_seed,
                           progress=progress if progress.enabled else None)
    k = np.arange(run.loss.shape[0])
    f0 = problem.initial_loss()
    envelope = f0 * point.rate**k
    # a loss of a different discretisation/width differs at k = 0 only by rounding (v0 = 0)
    loss_ok = bool(np.all(run.loss <= envelope * (1 + 1e-9) + 1e-14 * f0))
    ball_ok = bool(np.all(run.distance <= point.R * (1 + 1e-12)))
    return CrossCheck(
        model=f"{width}; {disc}", exact_model=exact, label="exact" if exact else "approximation",
        reduced_dimension=Z0.shape[1],
        iterations=run.iterations, step=1.0 / point.beta, R=point.R, rate=point.rate,
        initial_loss_solver=float(run.loss[0]), loss=tuple(run.loss.tolist()), envelope=tuple(envelope.tolist()),
        distance=tuple(run.distance.tolist()), grad_norm=tuple(run.grad_norm.tolist()), loss_below_envelope=loss_ok,
        distance_below_R=ball_ok, guarantee_applies=bool(guaranteed),
        agrees=bool(loss_ok and ball_ok) if guaranteed else None, seconds=run.seconds,
    )
