"""Gaussian mixtures (full, diagonal or spherical covariances) fitted by EM on weighted *atoms*.

An atom is either one row (weight 1, no spread) or a cell of rows summarised by its count,
mean and covariance (the sufficient statistics of a Gaussian). EM on cells treats every row
of a cell as sharing the cell's responsibilities, which makes its log-likelihood a lower bound
of the rows' one and exact when cells are single rows (Bradley, Fayyad & Reina, "Scaling EM
clustering to large databases", 1998). The log-densities go through the shared backend.
"""

import math
from dataclasses import dataclass

import numpy as np

from .. import _backend
from .._backend import row_chunks

# from this many features on, second moments are one matrix product per component
_GEMM_MIN_FEATURES = 32
# by default, up to this many rows EM runs as one sequential backend call (beyond, the
# fused pass runs on every thread and Python's share of an iteration is small: a CLAMS
# score of 20,000 rows took ~10% longer in one call on 2 cores, though one of 5,000 rows
# now takes 0.11 s in one call against 0.17-0.26 s: a ceiling to re-measure for CLAMS);
# PPP, whose many small fits gain from one call, passes its own (``_ppp_path``)
_ONE_CALL_MAX_ROWS = 2_500
# ... and full covariances in 32+ features up to this many rows (the fused pass's matrix
# products pay from a few thousand rows; below, one call saves Python's share of each
# iteration: the development suite's ionosphere, 351 x 34, 40 -> 23 ms a fit)
_GEMM_MIN_ROWS = 1_000


@dataclass
class Atoms:
    """Weighted atoms: ``weight`` (C,), ``mean`` (C, d), ``cov`` (C, d, d) or None (rows)."""

    weight: np.ndarray
    mean: np.ndarray
    cov: np.ndarray | None = None

    def __len__(self):
        return len(self.weight)

    def take(self, index):
        cov = None if self.cov is None else self.cov[index]
        return Atoms(self.weight[index], self.mean[index], cov)


@dataclass
class Mixture:
    weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, d)
    covariances: np.ndarray  # (K, d, d)


# an estimator's fitted mixture
MIXTURE_ATTRIBUTES = ("weights_", "means_", "covariances_")


def fitted_mixture(estimator):
    """The fitted ``weights_``, ``means_`` and ``covariances_`` of ``estimator`` as a
    ``Mixture`` in float64 (float32 attributes widened: the models compute in float64)."""
    return Mixture(*(np.asarray(getattr(estimator, a), np.float64) for a in MIXTURE_ATTRIBUTES))


# covariance forms, as scikit-learn's GaussianMixture names them; every form is kept as full
# (K, d, d) matrices, so the log-densities, modes and distances need no case of their own
COVARIANCE_TYPES = ("full", "diag", "spherical")


def n_parameters(n_components, n_features, covariance_type="full"):
    """Free parameters of a mixture (weights, means, covariances of the given form)."""
    d = n_features
    per_component = {"full": d * (d + 1) // 2, "diag": d, "spherical": 1}[covariance_type]
    return n_components * (1 + d + per_component) - 1


def constrain(covariances, covariance_type):
    """The maximum-likelihood covariances of ``covariance_type`` from the unconstrained ones
    (K, d, d): their diagonals ("diag"), or the mean of each diagonal ("spherical")."""
    if covariance_type == "full":
        return covariances
    variances = np.einsum("kii->ki", covariances)
    if covariance_type == "spherical":
        variances = np.repeat(variances.mean(axis=1, keepdims=True), variances.shape[1], axis=1)
    return variances[:, :, None] * np.eye(variances.shape[1])


def log_joint(atoms, mix, covariance_type="full"):
    """``log pi_k + E_cell[log N(x | mu_k, Sigma_k)]`` for every atom and component (C, K).
    With a diagonal ``covariance_type`` only the diagonals are read: O(C K d), not d^2."""
    if covariance_type != "full":
        variances = np.einsum("kii->ki", mix.covariances)
        logp = _backend.gaussian_log_density(atoms.mean, mix.means, variances, "diag")
        if atoms.cov is not None:
            logp -= 0.5 * (np.einsum("cii->ci", atoms.cov) @ (1.0 / variances).T)
    else:
        logp = _backend.gaussian_log_density(atoms.mean, mix.means, mix.covariances, "full")
    if atoms.cov is not None and covariance_type == "full":
        # rows spread around the cell mean add -1/2 tr(Sigma_k^-1 S_c)
        prec = np.linalg.inv(mix.covariances)
        d2 = atoms.mean.shape[1] ** 2
        logp -= 0.5 * (atoms.cov.reshape(len(atoms), d2) @ prec.reshape(len(prec), d2).T)
    with np.errstate(divide="ignore"):
        logp += np.log(mix.weights)
    return logp


def e_step(atoms, mix, covariance_type="full"):
    """Per-atom log-likelihood (C,) and responsibilities (C, K)."""
    return _backend.logsumexp(log_joint(atoms, mix, covariance_type), responsibilities=True)


def _regularised(cov, reg_covar, covariance_type):
    """Symmetrised covariances with ``reg_covar`` (a scalar or one value per feature) added
    to their diagonals, in the form of ``covariance_type`` (a spherical form averages a
    per-feature ``reg_covar``)."""
    cov = 0.5 * (cov + np.swapaxes(cov, 1, 2))
    d = cov.shape[1]
    cov[:, np.arange(d), np.arange(d)] += reg_covar
    return constrain(cov, covariance_type)


def m_step(atoms, resp, reg_covar, covariance_type="full"):
    """Weighted means and covariances of the components under responsibilities ``resp``.

    Second moments are ``(w r_k x)^T x`` per component from 32 features on (a matrix
    product each, no (C, d, d) array) plus ``(w r)^T S`` for cells; below, one product
    ``(w r)^T [x x^T + S]`` over row blocks for all components at once. Diagonal forms need
    only ``(w r)^T [x^2 + diag S]``.
    """
    C, d = atoms.mean.shape
    wr = resp * atoms.weight[:, None]
    nk = wr.sum(axis=0)
    safe = np.maximum(nk, np.finfo(float).tiny)
    means = (wr.T @ atoms.mean) / safe[:, None]
    if covariance_type != "full":
        squares = atoms.mean**2
        if atoms.cov is not None:
            squares += np.einsum("cii->ci", atoms.cov)
        second = (wr.T @ squares)[:, :, None] * np.eye(d)
    elif d >= _GEMM_MIN_FEATURES:  # one product per component: BLAS-sized
        second = np.stack([(atoms.mean * w[:, None]).T @ atoms.mean for w in wr.T])
        if atoms.cov is not None:
            second += (wr.T @ atoms.cov.reshape(C, d * d)).reshape(-1, d, d)
    else:  # few features: one product over all components (birch's 100 at d = 2)
        second = np.zeros((resp.shape[1], d * d))
        for sl in row_chunks(C, d * d):
            m = atoms.mean[sl]
            outer = (m[:, :, None] * m[:, None, :]).reshape(len(m), d * d)
            if atoms.cov is not None:
                outer += atoms.cov[sl].reshape(len(m), d * d)
            second += wr[sl].T @ outer
        second = second.reshape(-1, d, d)
    cov = second / safe[:, None, None] - means[:, :, None] * means[:, None, :]
    return Mixture(nk / nk.sum(), means, _regularised(cov, reg_covar, covariance_type))


def one_gaussian(atoms, reg_covar, covariance_type="full"):
    """The maximum-likelihood Gaussian of the atoms (``reg_covar`` on its diagonal, in the
    form ``covariance_type``), its mean log-likelihood per row and the atoms' own
    covariance ``S`` (unregularised), in closed form (:func:`gaussian_of_moments`)."""
    w = atoms.weight
    n = w.sum()
    mean = w @ atoms.mean / n
    centred = atoms.mean - mean
    S = (centred.T * w) @ centred / n
    if atoms.cov is not None:
        S += np.tensordot(w, atoms.cov, 1) / n
    return (*gaussian_of_moments(mean, S, reg_covar, covariance_type), S)


def gaussian_of_moments(mean, S, reg_covar, covariance_type="full"):
    """The Gaussian of mean ``mean`` and covariance ``S`` plus ``reg_covar`` (in the form
    ``covariance_type``) and the mean log-likelihood per row of rows whose mean and
    covariance these are (``_backend.gaussian_moments_loglik``), no pass over the rows."""
    cov = _regularised(S[None].copy(), reg_covar, covariance_type)
    loglik = _backend.gaussian_moments_loglik(S, reg_covar, covariance_type)
    return Mixture(np.ones(1), mean[None], cov), loglik


def em_update(mix, stats, n, reg_covar, covariance_type="full"):
    """Mean log-likelihood per row and the M-step from ``gaussian_em_stats``'s sums
    (``stats``: log-likelihood, nk, shifted sums and scatter over ``n`` rows)."""
    ll, nk, s1, s2 = stats
    safe = np.maximum(nk, np.finfo(float).tiny)
    delta = s1 / safe[:, None]
    if s2.ndim == 2:  # the diagonal of the scatter (diagonal forms)
        cov = (s2 / safe[:, None] - delta**2)[:, :, None] * np.eye(s2.shape[1])
    else:
        cov = s2 / safe[:, None, None] - delta[:, :, None] * delta[:, None, :]
    return ll / n, Mixture(
        nk / nk.sum(), mix.means + delta, _regularised(cov, reg_covar, covariance_type)
    )


def _row_stats(atoms, mix, rows, covariance_type="full"):
    """``gaussian_em_stats`` of rows under ``mix``: O(n K d) for the diagonal forms."""
    if covariance_type == "full":
        covariances, form = mix.covariances, "full"
    else:
        covariances, form = np.einsum("kii->ki", mix.covariances), "diag"
    return _backend.gaussian_em_stats(
        rows,
        mix.weights,
        mix.means,
        covariances,
        covariance_type=form,
        sample_weight=atoms.weight,
    )


def _row_step(atoms, mix, reg_covar, rows, covariance_type="full"):
    """Mean log-likelihood of rows under ``mix`` and the EM update, in one fused pass of
    the backend (no (n, K) matrices). ``rows``: ``atoms.mean`` checked once by
    ``_backend.check_rows`` for all the iterations of one fit."""
    stats = _row_stats(atoms, mix, rows, covariance_type)
    return em_update(mix, stats, atoms.weight.sum(), reg_covar, covariance_type)


def _atom_step(atoms, mix, reg_covar, covariance_type="full"):
    lse, resp = e_step(atoms, mix, covariance_type)
    new = m_step(atoms, resp, reg_covar, covariance_type)
    return float(atoms.weight @ lse) / atoms.weight.sum(), new


def fit_em(
    atoms,
    resp,
    *,
    reg_covar,
    tol,
    max_iter,
    want_resp=True,
    init=None,
    covariance_type="full",
    one_call_max_rows=_ONE_CALL_MAX_ROWS,
):
    """EM from initial responsibilities; stops when the mean log-likelihood gains < ``tol``.

    With ``init`` (a mixture) instead of ``resp``, EM starts from the responsibilities under
    ``init``: for rows that first M-step is one fused backend pass, with no (n, K) matrix.
    Up to ``one_call_max_rows`` rows the whole loop is one backend call (``_one_call``).

    Returns the mixture, the final responsibilities (None unless ``want_resp``: without
    them the last pass needs no (n, K) matrix), the mean log-likelihood per row, the
    number of iterations and whether it converged.
    """
    fused = atoms.cov is None
    if fused and _one_call(atoms, covariance_type, one_call_max_rows):
        *mix, resp, loglik, n_iter, converged = _backend.gaussian_em_fit(
            atoms.mean,
            resp,
            reg_covar,
            covariance_type=covariance_type,
            tol=tol,
            max_iter=max_iter,
            sample_weight=atoms.weight,
            init=None if init is None else (init.weights, init.means, init.covariances),
        )
        return Mixture(*mix), resp if want_resp else None, loglik, n_iter, converged
    if fused:
        rows = _backend.check_rows(atoms.mean)

        def step(mix):
            return _row_step(atoms, mix, reg_covar, rows, covariance_type)

    else:

        def step(mix):
            return _atom_step(atoms, mix, reg_covar, covariance_type)

    if init is None:
        mix, lower, first = m_step(atoms, resp, reg_covar, covariance_type), -np.inf, 0
    else:  # the first iteration: E-step under init (its log-likelihood counts)
        (lower, mix), first = step(init), 1
    mix, n_iter, converged = iterate_em(
        step, mix, tol=tol, max_iter=max_iter, start=first, lower=lower
    )
    if want_resp or not fused:
        lse, resp = e_step(atoms, mix, covariance_type)
        loglik = float(atoms.weight @ lse) / atoms.weight.sum()
    else:
        resp = None
        loglik = _row_stats(atoms, mix, rows, covariance_type)[0] / atoms.weight.sum()
    return mix, resp, loglik, n_iter, converged


def _one_call(atoms, covariance_type, max_rows=_ONE_CALL_MAX_ROWS, n_rows=None):
    """Whether EM on these rows (or on ``n_rows`` of them) runs as one backend call
    (``gaussian_em_fit``): NumPy rows on the Numba backend, up to ``max_rows`` of them,
    full covariances in fewer than 32 dimensions or on at most 1,000 rows (beyond, the
    fused pass, on every thread and with matrix products, is faster; the diagonal forms
    cost O(d) a row and component in both)."""
    n, d = atoms.mean.shape
    n = n if n_rows is None else n_rows
    return (
        n <= max_rows
        and (d < _GEMM_MIN_FEATURES or covariance_type != "full" or n <= _GEMM_MIN_ROWS)
        and isinstance(atoms.mean, np.ndarray)
        and _backend.get_backend_name(atoms.mean) == "numba"
    )


def iterate_em(step, mix, *, tol, max_iter, start=0, lower=-np.inf):
    """EM updates ``step(mix) -> (mean log-likelihood of mix, next mix)`` until the mean
    log-likelihood gains less than ``tol`` (``start`` iterations done, the last of which
    gave ``lower``); returns the mixture, iterations, convergence."""
    for it in range(start + 1, max_iter + 1):
        new, mix = step(mix)
        if abs(new - lower) < tol:
            return mix, it, True
        lower = new
    return mix, max_iter, False


def information_criterion(
    mean_loglik, resp, atoms, n_components, criterion="bic", covariance_type="full"
):
    """BIC (``-2 log L + p log n``) or ICL (BIC plus twice the assignment entropy; needs
    ``resp``)."""
    spread = float(atoms.weight @ entropy(resp)) if criterion == "icl" else 0.0
    n, d = atoms.weight.sum(), atoms.mean.shape[1]
    return information_criteria(mean_loglik, n, n_components, d, covariance_type, spread)


def information_criteria(mean_loglik, n, n_components, n_features, covariance_type, spread=0):
    """:func:`information_criterion` of mixtures of ``n_components`` on ``n`` rows (arrays
    for many at once): BIC, plus twice ``spread``, the summed assignment entropy, for ICL."""
    p = n_parameters(n_components, n_features, covariance_type)
    return -2.0 * mean_loglik * n + p * np.log(n) + 2.0 * spread


def entropy(resp):
    """Entropy of each row of responsibilities or posteriors (``0 log 0 = 0``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(resp > 0, resp * np.log(resp), 0.0).sum(axis=1)


def bhattacharyya(means, covariances):
    """Pairwise Bhattacharyya distances between Gaussian components (K, K), pairs in
    batches (of at most 2^16 matrix entries: larger batches, whose temporaries are mapped
    afresh, were slower in many dimensions; 100 components in 2-D: 56 -> 1.6 ms)."""
    K, d = means.shape
    _, logdet = np.linalg.slogdet(covariances)
    out = np.zeros((K, K))
    first, second = np.triu_indices(K, 1)
    chunk = max(1, 2**16 // (d * d))
    for lo in range(0, len(first), chunk):
        i, j = first[lo : lo + chunk], second[lo : lo + chunk]
        avg = 0.5 * (covariances[i] + covariances[j])
        diff = means[i] - means[j]
        _, ld = np.linalg.slogdet(avg)
        maha = np.einsum("pa,pa->p", diff, np.linalg.solve(avg, diff[:, :, None])[:, :, 0])
        out[i, j] = out[j, i] = maha / 8 + 0.5 * (ld - 0.5 * (logdet[i] + logdet[j]))
    return out


def mixture_modes(mix, *, max_iter=500, tol=1e-9):
    """Modes of the mixture density reached from each component's mean, and the mode of
    each component ((M, d) modes, (K,) labels).

    The modal EM fixed point of Li, Ray & Lindsay (2007) for a Gaussian mixture,
    ``x <- (sum_k p_k(x) P_k)^-1 sum_k p_k(x) P_k mu_k`` with the posteriors ``p_k`` and
    precisions ``P_k``, climbs the density monotonically; it runs from all means at once.
    Ends closer than 1e-3 of the components' typical spread are one mode.
    """
    K, d = mix.means.shape
    prec = np.linalg.inv(mix.covariances)
    target = np.einsum("kij,kj->ki", prec, mix.means)
    x = mix.means.copy()
    scale = np.sqrt(np.trace(mix.covariances, axis1=1, axis2=2).mean())
    with np.errstate(divide="ignore"):  # log pi_k - log|Sigma_k| / 2 (the 2 pi cancels)
        const = np.log(mix.weights) - 0.5 * np.linalg.slogdet(mix.covariances)[1]
    for _ in range(max_iter):
        # posteriors of the K points: their K x K log-densities in NumPy (the backend's
        # log-density call per iteration cost more than they do)
        diff = (x[:, None, :] - mix.means[None]).transpose(1, 0, 2)  # (K, M, d)
        logp = const - 0.5 * (np.matmul(diff, prec) * diff).sum(axis=2).T
        post = _backend.logsumexp(logp, responsibilities=True)[1]
        new = np.linalg.solve(np.einsum("ik,kab->iab", post, prec), (post @ target)[..., None])
        new = new[..., 0]
        step = np.abs(new - x).max()
        x = new
        if step <= tol * scale:
            break
    labels = np.full(K, -1, dtype=np.intp)
    modes = []
    for i in range(K):
        if labels[i] < 0:
            close = np.linalg.norm(x - x[i], axis=1) < 1e-3 * scale
            labels[close & (labels < 0)] = len(modes)
            modes.append(x[i])
    return np.array(modes), labels


class MixtureScoreMixin:
    """``score``, ``bic`` and ``aic`` of a fitted Gaussian mixture, as scikit-learn's
    ``GaussianMixture`` has them, from ``score_samples`` and ``_n_parameters()``."""

    def score(self, X, y=None):
        """Mean log-likelihood per row of ``X`` (greater is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        log_likelihood : float
        """
        return float(self.score_samples(X).mean())

    def bic(self, X):
        """Bayesian information criterion of the fitted mixture on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        bic : float
        """
        n = _num_rows(X)
        return -2.0 * self.score(X) * n + self._n_parameters() * math.log(n)

    def aic(self, X):
        """Akaike information criterion of the fitted mixture on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        aic : float
        """
        return -2.0 * self.score(X) * _num_rows(X) + 2.0 * self._n_parameters()


def _num_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)
