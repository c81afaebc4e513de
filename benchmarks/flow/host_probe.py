#!/usr/bin/env python3
"""Do the two vCPUs of this machine share one core's execution ports?  (benchmarks/flow/README.md)

Runs, in rounds, the same work in one thread and then in two threads at once (each thread the
whole work), for two loops compiled with numba:

  port   vectorised dot products on L1-resident rows: bound by the core's load and FMA ports;
  lat    one dependent multiply-add chain: bound by latency, leaves the ports mostly idle.

It prints, per round, (time with two threads) / (time alone).  Two separate cores give ~1.0 for
both.  Two hyperthreads of one core give ~1.0 for ``lat`` and up to ~2 for ``port``; a vCPU
descheduled by the host (time slices) slows both alike.

Run: benchmarks/.venv/bin/python benchmarks/flow/host_probe.py [ROUNDS]
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numba as nb
import numpy as np


@nb.njit(nogil=True, fastmath=True)
def port(a, b, reps):  # noqa: ANN001, ANN201
    s = 0.0
    for _ in range(reps):
        for j in range(a.shape[0]):
            s += a[j] * b[j]
        a[0] += 1e-300
    return s


@nb.njit(nogil=True, fastmath=True)
def lat(n):  # noqa: ANN001, ANN201
    x = 1.0
    for _ in range(n):
        x = x * 1.0000001 + 1e-9
    return x


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    a, b = np.random.default_rng(0).random((2, 1024))
    port(a.copy(), b, 1)
    lat(1)
    loops = {"port": lambda: port(a.copy(), b, 40_000), "lat": lambda: lat(20_000_000)}  # ~5-25 ms each

    def timed(fn) -> float:  # noqa: ANN001
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    res: dict = {k: [] for k in loops}
    with ThreadPoolExecutor(2) as pool:
        for _ in range(rounds):
            for name, fn in loops.items():
                alone = timed(fn)
                together = max(pool.map(timed, (fn, fn)))
                res[name].append(together / alone)
    for name, v in res.items():
        print(f"{name:4s} two threads / one thread, per round: " + " ".join(f"{x:.2f}" for x in v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
