#!/usr/bin/env python3
"""Benchmark of verify/'s flow solver against plain PyTorch and torchdiffeq (issue 3).

Workload (that of ../../../shared/bench): RKHS neural ODE with random Fourier features,
N = 256 points in R^8, q = 512 frequencies from the Matérn-5/2 spectral measure (Student-t,
5 degrees of freedom, unit scale), L = 32 piecewise-constant layers, W entries
0.1/sqrt(2q)·N(0, 1), B = [I_2, 0], fixed-step RK4 with one step per layer (32 steps), float64.

Implementations, all in this process on the same data:
  ours          verify.solver.gradient.loss / loss_and_gradient (fused compiled RK4 + discrete adjoint,
                one block of points per thread; in it, groups of 4 points each run forward and
                then backward with a 4.25 MiB cos/sin tape of their own; 4x4 register blocks;
                later RK stages by angle addition)
  ours-recomp   the same kernel without the cos/sin tape (the reverse pass recomputes them)
  ours-1thr     the default kernel with one thread
  ours-generic  the per-stage engine of verify.solver.flow (any control) with the RFF control
  torch-loop    classic RK4 loop in PyTorch, gradient by autograd
  tdq-bp        torchdiffeq.odeint(method="rk4", step_size=1/n, perturb=True), backprop
                (torchdiffeq's "rk4" is Kutta's 3/8 rule; ours is compared with it using the
                same tableau, "rk38")

Run (from the repository root):
  python3 -m venv benchmarks/.venv
  benchmarks/.venv/bin/pip install torch==2.13.0 torchdiffeq==0.2.5 numpy scipy sympy mpmath \\
      hypothesis pytest matplotlib numba
  benchmarks/.venv/bin/pip install -e . --no-deps
  benchmarks/.venv/bin/python benchmarks/flow/bench_flow.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc

import numpy as np

from bounds.kernels import Matern, RandomFourierKernel
from verify.solver import _fast_rff
from verify.solver.controls import RFFControl
from verify.solver.gradient import Objective, _adjoint, loss, loss_and_gradient

try:
    import torch
    import torchdiffeq
    from torchdiffeq import odeint
except ImportError as exc:  # pragma: no cover
    sys.exit(f"needs torch==2.13.0 and torchdiffeq==0.2.5 in this venv: {exc}")

BASE = dict(N=256, D=8, q=512, L=32)


def make_problem(N: int, D: int, q: int, L: int, seed: int = 0):
    kern = RandomFourierKernel.from_kernel(Matern("5/2"), q=q, D=D, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X0 = rng.standard_normal((N, D))
    Y = rng.standard_normal((N, 2))
    W = rng.standard_normal((L, D, 2 * q)) * (0.1 / math.sqrt(2 * q))
    B = np.eye(2, D)
    return RFFControl(kern, W), X0, Y, B


# ------------------------------------------------------------------------------------ torch

def torch_field(Om, W, q):
    def f(x, k):
        z = x @ Om.T
        return torch.cat([torch.cos(z), torch.sin(z)], 1) @ W[k].T / math.sqrt(q)
    return f


def torch_rk4(X0, Om, W, n_steps):
    L, q = W.shape[0], Om.shape[0]
    f = torch_field(Om, W, q)
    x, h, spl = X0, 1.0 / n_steps, n_steps // L
    for i in range(n_steps):
        k = i // spl
        k1 = f(x, k)
        k2 = f(x + h / 2 * k1, k)
        k3 = f(x + h / 2 * k2, k)
        k4 = f(x + h * k3, k)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


class TdqField(torch.nn.Module):
    def __init__(self, Om, W):
        super().__init__()
        self.Om, self.L, self.q = Om, W.shape[0], Om.shape[0]
        self.W = torch.nn.Parameter(W.clone())

    def forward(self, t, x):
        k = min(int(math.floor(float(t) * self.L)), self.L - 1)  # layer of t (perturb=True: left limit)
        z = x @ self.Om.T
        return torch.cat([torch.cos(z), torch.sin(z)], 1) @ self.W[k].T / math.sqrt(self.q)


def torch_loss(x, Y, Bt):
    return ((x @ Bt.T - Y) ** 2).sum() / x.shape[0]


# ------------------------------------------------------------------------------------ timing

def bench(fn, budget: float, min_reps: int = 3, max_reps: int = 15) -> dict:
    ts = []
    t_end = time.perf_counter() + budget
    while len(ts) < min_reps or (time.perf_counter() < t_end and len(ts) < max_reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return dict(median_ms=1e3 * statistics.median(ts), min_ms=1e3 * min(ts), reps=len(ts))


def relerr(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the scaling fit")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds of repeats per cell (default 2)")
    ap.add_argument("--rounds", type=int, default=12, help="interleaved rounds (default 12)")
    ap.add_argument("--json", metavar="PATH")
    args = ap.parse_args()
    out: dict = dict(
        date=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        nproc=os.cpu_count(),
        python=platform.python_version(),
        numpy=np.__version__,
        torch=torch.__version__,
        torchdiffeq=getattr(torchdiffeq, "__version__", "?"),
        torch_threads=torch.get_num_threads(),
        numba=_fast_rff._nb.__version__ if _fast_rff.HAVE_NUMBA else None,
        loadavg=os.getloadavg(),
    )
    print("machine:", {k: v for k, v in out.items()})
    ctl, X0, Y, B = make_problem(**BASE)
    N, L, q = BASE["N"], BASE["L"], BASE["q"]
    n = L  # one RK4 step per layer
    pb = Objective(X0, Y, B, method="rk4", steps_per_layer=1)
    pb38 = Objective(X0, Y, B, method="rk38", steps_per_layer=1)
    Om, Yt, Bt, X0t = (torch.from_numpy(a) for a in (ctl.kernel.omega, Y, B, X0))
    t01 = torch.tensor([0.0, 1.0], dtype=torch.float64)

    # ---------------------------------------------------------------- correctness
    t0 = time.perf_counter()
    g = loss_and_gradient(pb, ctl)
    out["first_call_s (includes numba compile or cache load)"] = time.perf_counter() - t0
    Wt = torch.from_numpy(ctl.W.copy()).requires_grad_(True)
    Ft = torch_loss(torch_rk4(X0t, Om, Wt, n), Yt, Bt)
    (Gt,) = torch.autograd.grad(Ft, Wt)
    fld = TdqField(Om, torch.from_numpy(ctl.W))
    Fq = torch_loss(odeint(fld, X0t, t01, method="rk4", options=dict(step_size=1.0 / n, perturb=True))[-1], Yt, Bt)
    (Gq,) = torch.autograd.grad(Fq, fld.W)
    g38 = loss_and_gradient(pb38, ctl)
    res_gen, tape = pb.run(ctl, keep_tape=True)
    r = pb.residuals(res_gen.x1)
    _, Ggen, _ = _adjoint(ctl, tape, (2.0 / N) * (r @ B), False, "rk4")
    del tape
    checks = dict(
        ours_vs_torch_loop_loss=abs(g.loss - Ft.item()) / Ft.item(),
        ours_vs_torch_loop_grad=relerr(g.param_gradient, Gt.numpy()),
        ours_rk38_vs_tdq_loss=abs(g38.loss - Fq.item()) / Fq.item(),
        ours_rk38_vs_tdq_grad=relerr(g38.param_gradient, Gq.numpy()),
        fused_vs_generic_grad=relerr(g.param_gradient, Ggen),
        h_norm_over_param_norm=g.h_norm / math.sqrt(L * float(np.sum(g.param_gradient ** 2))),
    )
    out["checks"] = checks
    print("correctness (relative errors):")
    for k, v in checks.items():
        print(f"  {k:32s} {v:.2e}")

    # ---------------------------------------------------------------- memory of the taped adjoint
    A4, b4 = np.array([[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]]), np.array([1, 2, 2, 1]) / 6
    nthreads = _fast_rff._n_threads(N, N * q * 4 * n)
    tape_bytes = 8 * 2 * _fast_rff._padded_row(q) * 4 * 4 * n  # cos + sin of every stage of a group of 4 points
    state_bytes = 8 * 4 * BASE["D"] * 4 * n  # stage states of one group
    tracemalloc.start()
    _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A4, b4, 1, True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out["memory"] = dict(group_feature_tape_bytes=tape_bytes, group_stage_states_bytes=state_bytes, threads=nthreads,
                         numpy_peak_bytes=peak)
    print(
        f"taped adjoint, per thread ({nthreads} threads): one group of 4 points at a time, cos/sin tape "
        f"{tape_bytes / 2**20:.2f} MiB (8·2·qp·4·4·n, rows padded to qp = {_fast_rff._padded_row(q)}) "
        f"+ stage states {state_bytes / 2**10:.0f} KiB (8·4·D·4·n), "
        f"allocated inside the compiled kernel; tracemalloc peak of the NumPy allocations of a call "
        f"(per-thread weight-gradient accumulators, padded copies): {peak / 2**20:.1f} MiB"
    )

    # ---------------------------------------------------------------- timings (interleaved rounds)
    W0 = torch.from_numpy(ctl.W.copy())

    def tl_f():
        with torch.no_grad():
            return torch_loss(torch_rk4(X0t, Om, W0, n), Yt, Bt).item()

    def tl_g():
        Wg = W0.clone().requires_grad_(True)
        F = torch_loss(torch_rk4(X0t, Om, Wg, n), Yt, Bt)
        return torch.autograd.grad(F, Wg)[0]

    opts = dict(step_size=1.0 / n, perturb=True)

    def tq_f():
        with torch.no_grad():
            return torch_loss(odeint(fld, X0t, t01, method="rk4", options=opts)[-1], Yt, Bt).item()

    def tq_g():
        F = torch_loss(odeint(fld, X0t, t01, method="rk4", options=opts)[-1], Yt, Bt)
        return torch.autograd.grad(F, fld.W)[0]

    def rc_g():
        return _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A4, b4, 1, True, tape_features=False)

    def o1_f():
        return _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A4, b4, 1, False, threads=1)

    def o1_g():
        return _fast_rff.rff_solve(X0, Y, B, ctl.kernel.omega, ctl.W, A4, b4, 1, True, threads=1)

    def gen_f():
        return pb.loss_of(pb.run(ctl)[0].x1)

    def gen_g():
        return loss_and_gradient(pb, ctl, keep_stages=True)

    cells = [
        ("ours", lambda: loss(pb, ctl), lambda: loss_and_gradient(pb, ctl)),
        ("ours-recomp", lambda: loss(pb, ctl), rc_g),
        ("ours-1thr", o1_f, o1_g),
        ("ours-generic", gen_f, gen_g),
        ("torch-loop", tl_f, tl_g),
        ("tdq-bp", tq_f, tq_g),
    ]
    for _, f, gfn in cells:  # warm-up (torch allocator, numba cache)
        f()
        gfn()
    rows = {name: dict(fwd=[], grad=[]) for name, _, _ in cells}
    rounds = args.rounds
    for k in range(rounds):  # interleave so that machine noise hits every implementation alike,
        # and rotate the order so that no implementation always runs right after the same one
        for name, f, gfn in cells[k % len(cells) :] + cells[: k % len(cells)]:
            rows[name]["fwd"].append(bench(f, args.budget / rounds, min_reps=2, max_reps=6))
            rows[name]["grad"].append(bench(gfn, args.budget / rounds, min_reps=2, max_reps=6))
    table = []
    for name, d in rows.items():
        fm = statistics.median(c["median_ms"] for c in d["fwd"])
        gm = statistics.median(c["median_ms"] for c in d["grad"])
        table.append(
            dict(
                impl=name,
                fwd_ms=fm,
                fwd_min_ms=min(c["min_ms"] for c in d["fwd"]),
                grad_ms=gm,
                grad_min_ms=min(c["min_ms"] for c in d["grad"]),
                grad_round_medians_ms=[c["median_ms"] for c in d["grad"]],
            )
        )
    tdq = next(r for r in table if r["impl"] == "tdq-bp")
    tl = next(r for r in table if r["impl"] == "torch-loop")
    print(f"\ntimings, {n} RK4 steps (median over {rounds} interleaved rounds of repeats; ms)")
    print(
        f"{'impl':14s} {'fwd':>8s} {'(min)':>8s} {'fwd+grad':>9s} {'(min)':>8s} {'tdq-bp/x':>9s} {'loop/x':>7s}"
        f" {'paired':>7s}"
    )
    for r in table:
        r["speedup_vs_tdq_bp"] = tdq["grad_ms"] / r["grad_ms"]
        r["speedup_vs_torch_loop"] = tl["grad_ms"] / r["grad_ms"]
        # the same ratio within each round (measured seconds apart), then the median over rounds:
        # a burst of load that slows one round for everybody cancels out
        r["paired_speedup_vs_tdq_bp"] = statistics.median(
            t / o for t, o in zip(tdq["grad_round_medians_ms"], r["grad_round_medians_ms"], strict=False)
        )
        print(
            f"{r['impl']:14s} {r['fwd_ms']:8.1f} {r['fwd_min_ms']:8.1f} {r['grad_ms']:9.1f} {r['grad_min_ms']:8.1f} "
            f"{r['speedup_vs_tdq_bp']:9.2f} {r['speedup_vs_torch_loop']:7.2f} {r['paired_speedup_vs_tdq_bp']:7.2f}"
        )
    out["table"] = table
    out["loadavg_after"] = os.getloadavg()

    # ---------------------------------------------------------------- one thread each, CPU time
    if not args.quick:
        # the work per call, free of thread scheduling: torch with one intra-op thread, ours with
        # one block; CPU time of this process (time.process_time), interleaved rounds, median
        torch_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        one = [("ours-1thr", o1_g), ("torch-loop", tl_g), ("tdq-bp", tq_g)]
        cpu_rows: dict = {name: [] for name, _ in one}
        for _ in range(4):
            for name, gfn in one:
                for _ in range(2):
                    t0 = time.process_time()
                    gfn()
                    cpu_rows[name].append(1e3 * (time.process_time() - t0))
        torch.set_num_threads(torch_threads)
        cpu_med = {name: statistics.median(v) for name, v in cpu_rows.items()}
        out["cpu_one_thread_ms"] = cpu_med
        print(
            "\nloss+gradient, one thread each, CPU time (median of 8 over 4 interleaved rounds; ms): "
            + ", ".join(f"{k} {v:.0f}" for k, v in cpu_med.items())
            + f"; tdq-bp/ours {cpu_med['tdq-bp'] / cpu_med['ours-1thr']:.2f}"
        )

    # ---------------------------------------------------------------- scaling in N·q·D·L
    if not args.quick:
        # one thread and CPU time (time.process_time): the fit should measure the kernel's work, not
        # the other jobs on this shared machine
        print("\nscaling of ours (loss + gradient, RK4, 1 step per layer, 1 thread): CPU time vs N·q·D·L")
        configs = [
            (64, 512, 8, 32),
            (128, 512, 8, 32),
            (256, 128, 8, 32),
            (256, 256, 8, 32),
            (256, 512, 4, 32),
            (256, 512, 8, 8),
            (256, 512, 8, 16),
            (256, 512, 8, 32),
            (512, 512, 8, 32),
            (256, 1024, 8, 32),
            (256, 512, 16, 32),
        ]
        sc = []
        for Nn, qq, DD, LL in configs:
            c2, Xa, Ya, Ba = make_problem(Nn, DD, qq, LL)

            def run(c2=c2, Xa=Xa, Ya=Ya, Ba=Ba):
                return _fast_rff.rff_solve(Xa, Ya, Ba, c2.kernel.omega, c2.W, A4, b4, 1, True, threads=1)

            run()
            cpu = []
            for _ in range(3):
                t0 = time.process_time()
                run()
                cpu.append(1e3 * (time.process_time() - t0))
            t = statistics.median(cpu)
            sc.append(dict(N=Nn, q=qq, D=DD, L=LL, work=Nn * qq * DD * LL, cpu_ms=t))
            print(f"  N={Nn:4d} q={qq:5d} D={DD:2d} L={LL:3d}  N·q·D·L={Nn * qq * DD * LL:.2e}  {t:8.1f} ms CPU")
        lw = np.log([s["work"] for s in sc])
        lt = np.log([s["cpu_ms"] for s in sc])
        slope = float(np.polyfit(lw, lt, 1)[0])
        print(f"  log-log slope of CPU time vs N·q·D·L: {slope:.2f} (1 = linear)")
        for key in ("N", "q", "D", "L"):
            base = {k: v for k, v in zip("NqDL", (256, 512, 8, 32), strict=False)}
            rows = [r for r in sc if all(r[k] == base[k] for k in "NqDL" if k != key)]
            if len(rows) >= 2:
                sl = float(np.polyfit(np.log([r[key] for r in rows]), np.log([r["cpu_ms"] for r in rows]), 1)[0])
                print(f"    slope in {key} alone: {sl:.2f}")
                out.setdefault("scaling_slopes", {})[key] = sl
        out["scaling"] = dict(rows=sc, slope=slope)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
