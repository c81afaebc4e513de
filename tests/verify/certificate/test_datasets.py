"""Built-in datasets and the .npy/.npz/.csv loaders of verify/datasets.py."""

from __future__ import annotations

import numpy as np
import pytest

from verify.certificate.datasets import (
    BUILTIN,
    array_sha256,
    circles,
    load_dataset,
    make_dataset,
    sphere,
    two_moons,
    xor,
)


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_is_deterministic_distinct_and_finite(name):
    a = make_dataset(name, seed=1)
    b = make_dataset(name, seed=1)
    assert a.sha256_X == b.sha256_X and a.sha256_Y == b.sha256_Y
    np.testing.assert_array_equal(a.X, b.X)
    assert np.all(np.isfinite(a.X)) and np.all(np.isfinite(a.Y))
    # brute-force separation: every pair of points distinct
    diff = np.linalg.norm(a.X[:, None] - a.X[None], axis=-1) + np.eye(a.N)
    assert diff.min() > 0
    assert set(np.unique(a.Y)) <= {-1.0, 1.0}


@pytest.mark.parametrize("name", ["moons", "circles", "sphere"])
def test_seed_changes_random_datasets(name):
    assert make_dataset(name, seed=1).sha256_X != make_dataset(name, seed=2).sha256_X


def test_moons_match_scikit_learn_without_noise():
    # independent source: scikit-learn's make_moons (same construction, shuffle off)
    from sklearn.datasets import make_moons

    Xs, ys = make_moons(n_samples=20, shuffle=False, noise=None)
    ds = two_moons(20, noise=0.0, seed=0)
    np.testing.assert_allclose(ds.X, Xs, atol=1e-15)
    np.testing.assert_array_equal(ds.Y.ravel(), np.where(ys == 0, 1.0, -1.0))


def test_circles_radii_and_sphere_norms():
    # closed form: points lie on circles of radius 1 and factor; on the unit sphere
    ds = circles(30, factor=0.4, seed=5)
    r = np.linalg.norm(ds.X, axis=1)
    np.testing.assert_allclose(r[ds.Y.ravel() > 0], 1.0, rtol=1e-14)
    np.testing.assert_allclose(r[ds.Y.ravel() < 0], 0.4, rtol=1e-14)
    sp = sphere(25, d=4, seed=2)
    assert sp.X.shape == (25, 4)
    np.testing.assert_allclose(np.linalg.norm(sp.X, axis=1), 1.0, rtol=1e-14)


def test_xor_is_parity():
    # closed form: y = x1 x2 x3 on the 8 cube vertices
    ds = xor(8)
    assert ds.X.shape == (8, 3)
    np.testing.assert_array_equal(ds.Y.ravel(), ds.X[:, 0] * ds.X[:, 1] * ds.X[:, 2])
    with pytest.raises(ValueError, match="power of two"):
        xor(6)


def test_hash_depends_on_bytes_and_shape():
    x = np.arange(6.0)
    assert array_sha256(x) == array_sha256(x.copy())
    assert array_sha256(x) != array_sha256(x.reshape(2, 3))
    y = x.copy()
    y[3] = np.nextafter(y[3], 10)
    assert array_sha256(x) != array_sha256(y)


def test_loaders_round_trip(tmp_path):
    ds = two_moons(12, seed=4)
    np.savez(tmp_path / "d.npz", X=ds.X, Y=ds.Y)
    np.save(tmp_path / "d.npy", np.hstack([ds.X, ds.Y]))
    with open(tmp_path / "d.csv", "w") as fh:
        fh.write("x1,x2,y\n")
        for row in np.hstack([ds.X, ds.Y]):
            fh.write(",".join(repr(float(v)) for v in row) + "\n")
    for name in ("d.npz", "d.npy", "d.csv"):
        got = load_dataset(str(tmp_path / name))
        assert got.sha256_X == ds.sha256_X and got.sha256_Y == ds.sha256_Y, name
    two = load_dataset(str(tmp_path / "d.npy"), target_dim=2)
    assert two.X.shape == (12, 1) and two.Y.shape == (12, 2)


@pytest.mark.parametrize(
    "content, match",
    [
        ("1,nan,3\n4,5,6\n", "finite"),
        ("1,2,3\n4,5\n", "different numbers of columns"),
        ("1,2,3\n", "at least N = 2"),
        ("a,b\n", "no data rows"),
        ("1\n2\n", "columns"),
    ],
)
def test_bad_csv(tmp_path, content, match):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(ValueError, match=match):
        load_dataset(str(p))


def test_bad_files(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_dataset(str(tmp_path / "missing.npz"))
    (tmp_path / "d.txt").write_text("1,2\n")
    with pytest.raises(ValueError, match=r"\.npy, \.npz or \.csv"):
        load_dataset(str(tmp_path / "d.txt"))
    np.savez(tmp_path / "noY.npz", X=np.eye(3))
    with pytest.raises(ValueError, match="'Y'"):
        load_dataset(str(tmp_path / "noY.npz"))
    np.savez(tmp_path / "rows.npz", X=np.eye(3), Y=np.ones(4))
    with pytest.raises(ValueError, match="rows like X"):
        load_dataset(str(tmp_path / "rows.npz"))
    np.save(tmp_path / "three.npy", np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="2-D"):
        load_dataset(str(tmp_path / "three.npy"))
    with pytest.raises(ValueError, match="dataset must be one of"):
        make_dataset("spiral")
