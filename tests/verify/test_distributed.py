"""The pair passes on a Dask cluster (verify/distributed.py, docs/scale.rst): a LocalCluster of two
worker processes started here gives the same histogram and the same certificate as local threads."""

from __future__ import annotations

import numpy as np
import pytest

from bounds import pl
from bounds.lambda_min import pairs
from verify.certificate import design as design_module
from verify.certificate.options import CertifyOptions
from verify.certificate.pipeline import certify
from verify.distributed import block_map_for

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as c:
        yield c


def _fresh() -> None:
    """Forget every cached pass and bound, so that the next run computes them again."""
    pairs._HISTOGRAMS.clear()
    pl._data_gershgorin_cached.cache_clear()


def test_histogram_on_the_cluster_equals_the_local_one(cluster):
    # Independent source: the local pass (integer counts: equality is exact), block sizes that do
    # not divide N.
    X = np.random.default_rng(0).normal(size=(700, 3))
    local = pairs.pair_histogram(X, block_rows=97, cache=False)
    seen = []
    with block_map_for(cluster.scheduler_address) as block_map:
        remote = pairs.pair_histogram(X, block_rows=97, cache=False, block_map=block_map,
                                      progress=lambda done, total: seen.append(total))
    assert np.array_equal(local.counts, remote.counts) and np.array_equal(local.edges, remote.edges)
    assert seen == [8] * 8  # ceil(700 / 97) blocks, each reported once


def _numbers(cert) -> dict:
    doc = cert.to_dict()
    for key in ("timing", "environment"):
        doc.pop(key)
    return doc


def test_certificate_on_the_cluster_equals_the_local_one(cluster, monkeypatch):
    # The same certificate (every number of the JSON document) from the pass on two worker
    # processes as from local threads; the one-pass route is forced (EXACT_MAX_N below N) so that
    # the pass runs at this small N, and the cluster is checked to have run it.
    monkeypatch.setattr(pairs, "EXACT_MAX_N", 50)
    used = []
    real = design_module.block_map_for

    def spy(scheduler):
        used.append(scheduler)
        return real(scheduler)

    monkeypatch.setattr(design_module, "block_map_for", spy)
    opts = dict(data="moons", n=300, gd_iterations=0, recipe=False)
    _fresh()
    remote = certify(CertifyOptions(**opts, scheduler=cluster.scheduler_address))
    _fresh()
    local = certify(CertifyOptions(**opts))
    _fresh()
    assert used == [cluster.scheduler_address, None]
    assert remote.guaranteed == local.guaranteed
    assert _numbers(remote) == _numbers(local)
    assert "one-pass" in local.quantities["lambda_lower"].quantity.hypotheses[-2]


def test_unreachable_scheduler_is_one_line():
    with pytest.raises(ValueError, match=r"^scheduler: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        with block_map_for("tcp://127.0.0.1:9", timeout=2):
            pass
