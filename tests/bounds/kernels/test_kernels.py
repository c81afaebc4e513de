"""Kernels and spectral measures of :mod:`bounds.kernels` (docs/kernels.rst).

Every expected value names its independent source in a comment.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special
from sklearn.gaussian_process.kernels import RBF as SkRBF
from sklearn.gaussian_process.kernels import Matern as SkMatern

from bounds.kernels import Gaussian, Matern, RandomFourierKernel
from verify.testing.profiles import scaled
from verify.testing.strategies import kernels, point_sets, rff_kernels

R = np.concatenate([[0.0, 1e-9, 1e-4], np.linspace(0.01, 12.0, 400)])


def kv_reference(r: np.ndarray, nu: float, ell: float) -> np.ndarray:
    """GPML eq. 4.14 written directly with scipy.special.kv (no log-space tricks)."""
    s = np.sqrt(2 * nu) * np.asarray(r, dtype=float) / ell
    out = np.ones_like(s)
    pos = s > 0
    out[pos] = 2 ** (1 - nu) / special.gamma(nu) * s[pos] ** nu * special.kv(nu, s[pos])
    return out


@pytest.mark.parametrize("nu", ["1/2", "3/2", "5/2"])
@pytest.mark.parametrize("ell", [0.3, 1.0, 2.7])
def test_half_integer_closed_forms_equal_bessel_path_and_references(nu, ell):
    k = Matern(nu, ell)
    closed = k.profile(R)
    # Independent source 1: the general Bessel path of the same class.
    np.testing.assert_allclose(closed, k.bessel_profile(R), rtol=0, atol=1e-12)
    # Independent source 2: a scipy.special.kv reference formula written here.
    np.testing.assert_allclose(closed, kv_reference(R, k.nu, ell), rtol=0, atol=1e-12)
    # Independent source 3: scikit-learn's Matern (the published reference of docs/kernels.rst).
    X = np.stack([R, np.zeros_like(R)], axis=1)
    sk = SkMatern(length_scale=ell, nu=k.nu)(np.zeros((1, 2)), X)[0]
    np.testing.assert_allclose(closed, sk, rtol=0, atol=1e-12)


@pytest.mark.parametrize("nu", [0.7, 2.3, 3.7, 6.2])
def test_general_nu_equals_sklearn_and_kv_reference(nu):
    # Independent sources: scikit-learn's Matern (general nu branch) and the kv formula above.
    k = Matern(nu, 1.3)
    X = np.stack([R, np.zeros_like(R)], axis=1)
    sk = SkMatern(length_scale=1.3, nu=nu)(np.zeros((1, 2)), X)[0]
    np.testing.assert_allclose(k.profile(R), sk, rtol=0, atol=1e-12)
    np.testing.assert_allclose(k.profile(R), kv_reference(R, nu, 1.3), rtol=0, atol=1e-12)


def test_gaussian_equals_sklearn_rbf_and_is_the_matern_limit():
    # Independent source: scikit-learn's RBF; the nu -> inf Matern limit (GPML §4.2.1).
    X = np.stack([R, np.zeros_like(R)], axis=1)
    sk = SkRBF(length_scale=0.8)(np.zeros((1, 2)), X)[0]
    np.testing.assert_allclose(Gaussian(0.8).profile(R), sk, rtol=0, atol=1e-14)
    r = R[::8]  # nu = 400 takes the (slower) mpmath branch of the Bessel path
    gap = np.max(np.abs(Matern(400, 0.8).profile(r) - Gaussian(0.8).profile(r)))
    assert gap < 2e-3  # O(1/nu) convergence


def test_large_nu_does_not_overflow():
    # K_400 overflows double precision; independent source: the Bessel formula in mpmath.
    import mpmath

    k = Matern(400, 0.8)
    r = np.array([0.0, 1e-3, 0.3, 1.0, 2.5])
    ref = [1.0] + [
        float(mpmath.mpf(2) ** -399 / mpmath.gamma(400) * mpmath.mpf(s) ** 400 * mpmath.besselk(400, s))
        for s in np.sqrt(800) * r[1:] / 0.8
    ]
    np.testing.assert_allclose(k.profile(r), ref, rtol=1e-11, atol=1e-14)
    assert np.all(np.isfinite(k.g(r))) and np.all(np.isfinite(k.h(r)))


def test_gram_matrix_matches_pointwise_values():
    X = np.array([[0.0, 0.0], [1.0, 0.5], [-0.3, 2.0]])
    for k in (Matern("5/2", 0.7), Matern(3.3), Gaussian(1.2)):
        G = k.gram(X)
        # Independent source: K evaluated on the explicit differences.
        np.testing.assert_allclose(G, k(X[:, None, :] - X[None, :, :]), rtol=1e-13, atol=1e-15)
        assert np.all(np.diag(G) == 1.0)


@given(kernel=kernels() | rff_kernels(max_q=30), data=st.data())
@scaled(20)  # ci count; each example evaluates finite differences of Bessel-form kernels
def test_closed_form_gradient_and_hessian_match_finite_differences(kernel, data):
    D = kernel.dim if isinstance(kernel, RandomFourierKernel) else data.draw(st.integers(1, 3))
    ell = getattr(kernel, "lengthscale", 1.0)
    z = data.draw(point_sets(1, D, scale=2 * ell))[0]
    if np.linalg.norm(z) < 1e-2 * ell:  # Matérn has a r^{2nu} singularity at 0: FD step too big
        z = z + 0.1 * ell
    h = 1e-5 * ell
    E = np.eye(D)
    # Independent source: central differences of K and of the closed-form gradient.
    fd_grad = np.array([(kernel(z + h * e) - kernel(z - h * e)) / (2 * h) for e in E])
    fd_hess = np.array([(kernel.grad(z + h * e) - kernel.grad(z - h * e)) / (2 * h) for e in E])
    scale1 = 1.0 / ell
    scale2 = 1.0 / ell**2
    if isinstance(kernel, RandomFourierKernel):
        w = np.linalg.norm(kernel.omega, axis=1)
        scale1, scale2 = float(np.mean(w)), float(np.mean(w**2))
    np.testing.assert_allclose(kernel.grad(z), fd_grad, rtol=0, atol=1e-6 * max(1.0, scale1))
    np.testing.assert_allclose(kernel.hess(z), fd_hess, rtol=0, atol=1e-5 * max(1.0, scale2))
    np.testing.assert_allclose(kernel.hess(z), np.swapaxes(kernel.hess(z), -1, -2), atol=1e-14 * max(1.0, scale2))


@pytest.mark.parametrize("kernel", [Matern("5/2"), Matern(3.7, 0.6), Gaussian(1.7)], ids=repr)
def test_hessian_at_zero_is_minus_second_moment(kernel):
    # Bochner: -Hess K(0) = E[w w^T] = E[w_1^2] I. Independent: kernel derivative vs spectral
    # moment (gammaln formula of StudentT / Normal).
    H0 = kernel.hess(np.zeros(3))
    np.testing.assert_allclose(-H0, kernel.spectral.moment(1) * np.eye(3), rtol=1e-12)


def test_non_smooth_matern_refuses_derivatives_with_reason():
    with pytest.raises(ValueError, match="nu must be > 1"):
        Matern("1/2").grad(np.ones((1, 2)))
    with pytest.raises(ValueError, match="nu must be > 2"):
        Matern("3/2").hess(np.ones((1, 2)))


@pytest.mark.parametrize(
    "kernel, D",
    [(Matern("5/2"), 1), (Matern("3/2", 0.5), 3), (Matern(2.3, 2.0), 2), (Matern("1/2"), 2), (Gaussian(0.7), 3)],
    ids=repr,
)
def test_sampler_empirical_characteristic_function_matches_kernel(kernel, D):
    # Independent source: Bochner, K(z) = E cos(w.z). The sample mean of cos(w.z) over q = 20000
    # draws (fixed seed) must be within 5 standard errors of K(z) at every test point.
    q = 20000
    omega = kernel.spectral.sample(q, D, seed=12345)
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((12, D))
    Z *= (kernel.lengthscale * rng.uniform(0.1, 3.0, size=(12, 1))) / np.linalg.norm(Z, axis=1, keepdims=True)
    c = np.cos(Z @ omega.T)  # (12, q)
    emp = c.mean(axis=1)
    se = c.std(axis=1, ddof=1) / math.sqrt(q)
    assert np.all(np.abs(emp - kernel(Z)) <= 5 * se)
    # the sampler is reproducible from its seed
    np.testing.assert_array_equal(omega, kernel.spectral.sample(q, D, seed=12345))


def test_spectral_density_integrates_to_one():
    # Independent source: scipy quad of the D = 1 density (a probability density).
    from scipy import integrate

    for spec in (Matern(2.3, 0.8).spectral, Gaussian(1.4).spectral):
        val, _ = integrate.quad(lambda w, s=spec: s.density(np.array([w])), -np.inf, np.inf)
        assert val == pytest.approx(1.0, abs=1e-9)


def test_random_fourier_kernel_features_and_values():
    rff = RandomFourierKernel.from_kernel(Matern("5/2"), q=64, D=2, seed=3)
    X = np.random.default_rng(0).standard_normal((5, 2))
    Phi = rff.features(X)
    # Independent source: K_q(x - x') = (1/q) sum cos(w.(x - x')) directly.
    direct = np.mean(np.cos((X[:, None, :] - X[None, :, :]) @ rff.omega.T), axis=-1)
    np.testing.assert_allclose(Phi @ Phi.T, direct, atol=1e-14)
    np.testing.assert_allclose(rff.gram(X), direct, atol=1e-14)
    assert rff(np.zeros(2)) == pytest.approx(1.0, abs=1e-15)
    assert rff.q == 64 and rff.dim == 2
    with pytest.raises(ValueError, match="last dimension D = 2"):
        rff(np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        RandomFourierKernel(np.array([[np.inf, 0.0]]))
