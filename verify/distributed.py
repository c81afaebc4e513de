"""The pair passes on a Dask cluster (docs/scale.rst): a ``block_map`` for
:func:`bounds.lambda_min.pairs.pair_histogram` that runs the row blocks as Dask tasks.

The point set is scattered to every worker once; each task returns the integer counts of its rows,
so the histogram — and every number of the certificate built on it — is the same as the local
run's, whatever the cluster.  Dask is the optional extra ``distributed``
(``pip install 'resnet-pl[distributed]'``); the workers need resnet-pl installed (the blocks call
:func:`bounds.lambda_min.pairs.histogram_block`, compiled by numba on each worker when present).

>>> with block_map_for(None) as block_map:   # no scheduler: local threads
...     print(block_map)
None
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from bounds.lambda_min.pairs import BlockMap

__all__ = ["block_map_for", "dask_block_map"]

#: Seconds to wait for the scheduler before giving up with one line.
CONNECT_TIMEOUT = 20


def dask_block_map(client: Any) -> BlockMap:
    """A ``block_map`` running ``func(*args, start, stop)`` per block as tasks of a
    ``distributed.Client``: array arguments are scattered (broadcast) once, results are yielded as
    tasks finish and released from the cluster."""
    from distributed import as_completed  # noqa: PLC0415

    def run(func: Callable[..., Any], args: tuple, blocks: Sequence[tuple[int, int]]) -> Iterator[tuple[int, Any]]:
        shared = [client.scatter(a, broadcast=True) if isinstance(a, np.ndarray) else a for a in args]
        futures = [client.submit(func, *shared, a, b) for a, b in blocks]
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures, loop=client.loop):
            result = fut.result()
            fut.release()
            yield index[fut.key], result

    return run


@contextmanager
def block_map_for(scheduler: str | None, timeout: float = CONNECT_TIMEOUT) -> Iterator[BlockMap | None]:
    """``None`` (local threads) without a scheduler; else a Dask ``block_map`` on the cluster at the
    address (``tcp://host:8786`` or ``host:8786``), connected for the duration of the block (waiting
    at most ``timeout`` seconds for the scheduler).

    Raises
    ------
    ValueError
        Dask is not installed, or the scheduler cannot be reached (one line each).
    """
    if scheduler is None:
        yield None
        return
    try:
        from distributed import Client  # noqa: PLC0415
    except ImportError:
        raise ValueError("scheduler: Dask is not installed; pip install 'resnet-pl[distributed]'") from None
    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(f"scheduler: cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    try:
        yield dask_block_map(client)
    finally:
        client.close()
