"""Gaussian mixtures on the backend: log-sum-exp, precision factors, log-densities and one
fused EM pass."""

from typing import NamedTuple

import numpy as np
from scipy.linalg import get_lapack_funcs

from ._dispatch import (
    _check_2d,
    _check_count,
    _float_dtype,
    _host,
    _prepare,
    _same_features,
    _weights,
    _working_memory,
    _xp,
    get_backend_name,
    is_cupy_array,
    kernels,
    to_numpy,
)


def logsumexp(A, *, responsibilities=False):
    """Row-wise log-sum-exp of ``A`` (n, K), optionally with ``exp(A - lse)``.

    Rows that are all ``-inf`` give ``-inf`` (and NaN responsibilities).

    Returns
    -------
    lse : array of shape (n,)
    resp : array of shape (n, K), only when ``responsibilities=True``
    """
    name = get_backend_name(A)
    xp = _xp(name)
    to_host = name == "cupy" and not is_cupy_array(A)
    A = xp.asarray(A)
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"A must be a non-empty 2-D array, got shape {tuple(A.shape)}.")
    A = xp.ascontiguousarray(A, dtype=_float_dtype(xp, A))
    if bool(xp.isnan(A).any()) or bool(xp.isposinf(A).any()):
        raise ValueError("A contains NaN or +infinity.")
    out = xp.empty(A.shape[0], dtype=A.dtype)
    resp = xp.empty_like(A) if responsibilities else None
    kernels(name).logsumexp(A, out, resp, _working_memory())
    if responsibilities:
        return _host(out, to_host), _host(resp, to_host)
    return _host(out, to_host)


# From this many features, one LAPACK call per component beats the batched general solve
# (d = 64, K = 2: 0.4 ms a call for the solve).
_TRIANGULAR_INVERSE = 32


def precision_cholesky(covariances, covariance_type="full"):
    """Cholesky factors of the precision matrices, with a clear error when one is not PD.

    ``full``: covariances (K, d, d) -> P (K, d, d), upper triangular, ``Sigma^-1 = P P^T``;
    ``diag``: variances (K, d) -> ``1 / sqrt(var)``.
    """
    xp = _xp("cupy") if is_cupy_array(covariances) else np
    cov = xp.asarray(covariances)
    if covariance_type == "diag":
        if not bool((cov > 0).all()):
            raise ValueError("diagonal covariances must be strictly positive.")
        return 1.0 / xp.sqrt(cov)
    d = cov.shape[-1]
    try:
        L = xp.linalg.cholesky(cov)
    except Exception as exc:  # LinAlgError on NumPy, a different one on CuPy
        raise ValueError(
            "a covariance matrix is not positive definite; increase the regularisation."
        ) from exc
    if not bool(xp.isfinite(L).all()):  # CuPy returns NaN instead of raising
        raise ValueError(
            "a covariance matrix is not positive definite; increase the regularisation."
        )
    if xp is np and d >= _TRIANGULAR_INVERSE:  # LAPACK's triangular inverse: d^3 / 3 flops
        trtri = get_lapack_funcs("trtri", (L,))
        Linv = np.stack([trtri(Lk, lower=1)[0] for Lk in L])
    else:  # a general solve: 8x the flops, one call for all components
        eye = xp.broadcast_to(xp.eye(d, dtype=L.dtype), L.shape)
        Linv = xp.linalg.solve(L, eye)  # lower triangular inverse
    return xp.ascontiguousarray(xp.swapaxes(Linv, 1, 2))


def gaussian_log_density(X, means, covariances, covariance_type="full"):
    """Gaussian log-densities ``log N(x_i | mean_k, Sigma_k)`` for a mixture's E-step.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    means : array of shape (n_components, n_features)
    covariances : array
        (n_components, n_features, n_features) for ``"full"``,
        (n_components, n_features) variances for ``"diag"``.
    covariance_type : {"full", "diag"}, default="full"

    Returns
    -------
    log_prob : array of shape (n_samples, n_components)
    """
    if covariance_type not in ("full", "diag"):
        raise ValueError(f"covariance_type must be 'full' or 'diag', got {covariance_type!r}.")
    name, xp, (X,), to_host = _prepare(("X", X))  # parameters follow X's dtype
    M = _check_2d(xp, means, "means", X.dtype)
    _same_features(X, M, ("X", "means"))
    K, d = M.shape
    cov = xp.asarray(covariances, dtype=X.dtype)
    want = (K, d, d) if covariance_type == "full" else (K, d)
    if tuple(cov.shape) != want:
        raise ValueError(
            f"covariances must have shape {want} for covariance_type={covariance_type!r}, "
            f"got {tuple(cov.shape)}."
        )
    if not bool(xp.isfinite(cov).all()):
        raise ValueError("covariances contain NaN or infinity.")
    P = xp.ascontiguousarray(precision_cholesky(cov, covariance_type), dtype=X.dtype)
    out = xp.empty((X.shape[0], K), dtype=X.dtype)
    kernels(name).gaussian_log_density(X, M, P, covariance_type, out, _working_memory())
    return _host(out, to_host)


def gaussian_em_stats(
    X, weights, means, covariances, *, covariance_type="full", sample_weight=None
):
    """One EM pass of a Gaussian mixture, without the (n, K) matrices.

    The E-step under the given parameters and the sums the M-step needs, fused in one pass
    over fixed row chunks (the same result whatever the thread count).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    weights : array of shape (n_components,)
        Mixing weights, used as given (zero weights are allowed, not all of them).
    means : array of shape (n_components, n_features)
    covariances : array
        (n_components, n_features, n_features) for ``"full"``, (n_components, n_features)
        variances for ``"diag"``.
    covariance_type : {"full", "diag"}, default="full"
    sample_weight : array of shape (n_samples,), default=None

    Returns
    -------
    log_likelihood : float
        ``sum_i w_i log sum_k pi_k N(x_i | mu_k, Sigma_k)``.
    nk : ndarray of shape (n_components,)
        ``sum_i w_i r_ik``.
    shifted_sums : ndarray of shape (n_components, n_features)
        ``sum_i w_i r_ik (x_i - mu_k)``.
    shifted_scatter : ndarray of shape (n_components, n_features, n_features)
        ``sum_i w_i r_ik (x_i - mu_k)(x_i - mu_k)^T``; for ``"diag"`` only its diagonal,
        (n_components, n_features).

    Notes
    -----
    The new means are ``mu_k + shifted_sums / nk`` and the new covariances
    ``shifted_scatter / nk - delta delta^T`` with ``delta = shifted_sums / nk``: shifting by
    the current means avoids the cancellation of raw second moments. Outputs are float64
    NumPy arrays on the host (they are tiny) whatever the input's backend.
    """
    name, xp, (X,), to_host = _prepare(("X", X))
    M = _check_2d(xp, means, "means", X.dtype)
    _same_features(X, M, ("X", "means"))
    K, d = M.shape
    if covariance_type not in ("full", "diag"):
        raise ValueError(f"covariance_type must be 'full' or 'diag', got {covariance_type!r}.")
    pi = xp.asarray(weights, dtype=xp.float64)
    cov = xp.asarray(covariances, dtype=X.dtype)
    want = (K, d, d) if covariance_type == "full" else (K, d)
    if tuple(pi.shape) != (K,) or tuple(cov.shape) != want:
        raise ValueError(
            f"weights and covariances must have shapes {(K,)} and {want}, "
            f"got {tuple(pi.shape)} and {tuple(cov.shape)}."
        )
    if not bool(xp.isfinite(cov).all()):
        raise ValueError("covariances contain NaN or infinity.")
    if not bool(xp.isfinite(pi).all()) or bool((pi < 0).any()) or not float(pi.sum()) > 0:
        raise ValueError(
            "weights must be finite, non-negative and not all zero (they are used as given, "
            "not normalised)."
        )
    P = xp.ascontiguousarray(precision_cholesky(cov, covariance_type), dtype=X.dtype)
    w = _weights(xp, sample_weight, X.shape[0], X.dtype)
    with np.errstate(divide="ignore"):
        log_pi = xp.log(pi)
    ll, nk, s1, s2 = kernels(name).em_stats(X, w, M, P, log_pi, covariance_type, _working_memory())
    return ll, to_numpy(nk), to_numpy(s1), to_numpy(s2)


_FORM_CODES = {"full": 0, "diag": 1, "spherical": 2}


def gaussian_em_fit(
    X, resp, reg_covar, *, covariance_type="full", tol, max_iter, sample_weight=None, init=None
):
    """EM of a Gaussian mixture on rows from responsibilities, the whole loop in one call.

    For the many small fits of a divisive path: looping in Python over
    :func:`gaussian_em_stats` cost about four times the arithmetic on a few thousand rows.
    NumPy rows on the Numba backend only; elsewhere (CuPy, ``backend="numpy"``) callers
    loop over :func:`gaussian_em_stats`, which runs on every backend.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components) or None
        Initial responsibilities (the first M-step's weights); not modified. None with
        ``init``.
    reg_covar : float or ndarray of shape (n_features,)
        Added to the diagonal of every covariance before its form is imposed.
    covariance_type : {"full", "diag", "spherical"}, default="full"
    tol : float
        EM stops when the mean log-likelihood per row gains less than this.
    max_iter : int
    sample_weight : ndarray of shape (n_samples,), default=None
    init : tuple of ndarray, default=None
        A mixture ``(weights, means, covariances)`` ((K,), (K, d), (K, d, d), covariances
        positive definite): the first M-step is from the posteriors under it, computed in
        the same call, instead of from ``resp``.

    Returns
    -------
    weights, means, covariances : ndarray
        (K,), (K, d) and (K, d, d) (diagonal forms as full matrices).
    resp : ndarray of shape (n_samples, n_components)
        Posteriors under the returned mixture.
    log_likelihood : float
        Mean weighted log-likelihood per row under the returned mixture.
    n_iter : int
    converged : bool
    """
    X, reg, w, form = _one_call_rows(
        X,
        reg_covar,
        covariance_type,
        sample_weight,
        "gaussian_em_fit",
        "; loop over gaussian_em_stats there",
    )
    n, d = X.shape
    if init is None:
        resp = np.array(resp, dtype=np.float64, order="C")
        if resp.ndim != 2 or resp.shape[0] != n or resp.shape[1] < 1:
            raise ValueError(f"resp must have shape ({n}, n_components), got {resp.shape}.")
        K = resp.shape[1]
        weights, means, cov = np.empty(K), np.empty((K, d)), np.empty((K, d, d))
    else:
        weights, means, cov = (np.array(a, dtype=np.float64, order="C") for a in init)
        K = len(weights)
        if means.shape != (K, d) or cov.shape != (K, d, d):
            raise ValueError(
                f"init must be a mixture of (K,), (K, {d}) and (K, {d}, {d}) arrays, got "
                f"{weights.shape}, {means.shape} and {cov.shape}."
            )
        resp = np.empty((n, K))
    ll, n_iter, converged = kernels("numba").em_loop(
        X,
        w,
        resp,
        reg,
        form,
        float(tol),
        int(max_iter),
        weights,
        means,
        cov,
        init is not None,
    )
    return weights, means, cov, resp, float(ll), int(n_iter), bool(converged)


class Splits(NamedTuple):
    """:func:`gaussian_splits`' result; per group ``g`` (G groups, n rows, d features)."""

    mean: np.ndarray  # (G, d) the group's weighted mean
    covariance: np.ndarray  # (G, d, d) its covariance S, unregularised
    one_log_likelihood: np.ndarray  # (G,) mean per row under one Gaussian
    side: np.ndarray  # (n,) bool, each row's side of its group's split
    fitted: np.ndarray  # (G,) bool, whether EM ran (each side weighs min_weight)
    weights: np.ndarray  # (G, 2) the two-component mixture EM fitted (NaN where not)
    means: np.ndarray  # (G, 2, d)
    covariances: np.ndarray  # (G, 2, d, d), diagonal forms as full matrices
    resp: np.ndarray  # (n, 2) posteriors under its group's mixture
    log_likelihood: np.ndarray  # (G,) mean per row under the mixture
    n_iter: np.ndarray  # (G,) EM iterations
    converged: np.ndarray  # (G,) bool


def gaussian_splits(
    X,
    bounds,
    reg_covar,
    *,
    covariance_type="full",
    tol,
    max_iter,
    min_weight=0.0,
    sample_weight=None,
):
    """A divisive path's split proposals for groups of rows, in one call.

    For each group (rows ``bounds[g]`` to ``bounds[g + 1] - 1``): its weighted mean and
    covariance ``S``; its rows' split across the principal direction of ``S`` (the sign of
    the projection), improved by 2-means; then, when each side weighs at least
    ``min_weight``, the two-component mixture EM fits from the two sides (as
    :func:`gaussian_em_fit` from the sides' indicator responsibilities). One call for all
    the groups of a step instead of five per group: their Python was most of the time of a
    small proposal. NumPy rows on the Numba backend only, as :func:`gaussian_em_fit`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    bounds : array-like of int of shape (n_groups + 1,)
        Increasing row offsets from 0 to ``n_samples``; each group has at least 2 rows.
    reg_covar : float or ndarray of shape (n_features,)
    covariance_type : {"full", "diag", "spherical"}, default="full"
    tol : float
    max_iter : int
        For 2-means and for EM.
    min_weight : float, default=0.0
        The smallest total weight a side may have for EM to run.
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    Splits
        A named tuple of per-group arrays (see :class:`Splits`); ``one_log_likelihood`` is
        :func:`gaussian_moments_loglik` of ``S``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster._backend import gaussian_splits
    >>> X = np.r_[np.zeros((5, 2)), np.ones((5, 2))] + np.arange(10)[:, None] * 0.01
    >>> splits = gaussian_splits(np.r_[X, X + 5], [0, 10, 20], 1e-6, tol=1e-3, max_iter=100)
    >>> splits.side[:10].sum(), np.round(np.sort(splits.means[1, :, 0]), 2).tolist()
    (np.int64(5), [5.02, 6.07])
    """
    X, reg, w, form = _one_call_rows(
        X, reg_covar, covariance_type, sample_weight, "gaussian_splits"
    )
    n, d = X.shape
    bounds = np.asarray(bounds)
    if (
        bounds.dtype.kind not in "iu"
        or bounds.ndim != 1
        or len(bounds) < 2
        or bounds[0] != 0
        or bounds[-1] != n
        or (np.diff(bounds) < 2).any()
    ):
        raise ValueError(
            f"bounds must be integers increasing from 0 to {n} (the rows) by at least 2 "
            "rows a group."
        )
    _check_count(max_iter, "max_iter")
    G = len(bounds) - 1
    out = Splits(  # a group EM did not fit keeps NaN (and 0 iterations, not converged)
        np.empty((G, d)),
        np.empty((G, d, d)),
        np.empty(G),
        np.empty(n, dtype=bool),
        np.empty(G, dtype=bool),
        np.full((G, 2), np.nan),
        np.full((G, 2, d), np.nan),
        np.full((G, 2, d, d), np.nan),
        np.full((n, 2), np.nan),
        np.full(G, np.nan),
        np.empty(G, dtype=np.int64),
        np.empty(G, dtype=bool),
    )
    kernels("numba").split_fits(
        X,
        w,
        np.ascontiguousarray(bounds, dtype=np.int64),
        reg,
        form,
        float(tol),
        int(max_iter),
        float(min_weight),
        out.mean,
        out.covariance,
        out.one_log_likelihood,
        out.side,
        out.fitted,
        out.resp,
        out.weights,
        out.means,
        out.covariances,
        out.log_likelihood,
        out.n_iter,
        out.converged,
    )
    return out


def gaussian_moments_loglik(S, reg_covar, covariance_type="full"):
    """Mean log-likelihood per row of rows of covariance ``S`` under the Gaussian of their
    mean and covariance: ``S`` plus ``reg_covar`` on its diagonal, in the form
    ``covariance_type`` (a spherical form averages the variances). In closed form,
    ``-(d log 2 pi + log|Sigma| + tr(Sigma^-1 S)) / 2``, with no pass over the rows; the
    same function :func:`gaussian_splits` uses. NumPy on the Numba backend's kernel (a
    (d, d) matrix: nothing for a GPU).

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster._backend import gaussian_moments_loglik
    >>> round(gaussian_moments_loglik(np.eye(2), 0.0), 4)  # -(2 log 2 pi + 2) / 2
    -2.8379
    """
    S = np.ascontiguousarray(S, dtype=np.float64)
    d = S.shape[0]
    if S.shape != (d, d):
        raise ValueError(f"S must be a square matrix, got shape {S.shape}.")
    reg, form = _form_and_reg(covariance_type, reg_covar, d)
    return float(kernels("numba").moments_loglik(S, reg, form))


def _one_call_rows(X, reg_covar, covariance_type, sample_weight, caller, elsewhere=""):
    """The checked inputs of the Numba-only one-call functions: float64 rows, per-feature
    ``reg_covar``, weights and the form's code."""
    name, _, (X,), _ = _prepare(("X", X))
    if name != "numba":
        raise ValueError(
            f"{caller} runs on the Numba backend (NumPy rows), not {name!r}{elsewhere}."
        )
    n, d = X.shape
    reg, form = _form_and_reg(covariance_type, reg_covar, d)
    w = np.ascontiguousarray(_weights(np, sample_weight, n, np.float64))
    return np.ascontiguousarray(X, dtype=np.float64), reg, w, form


def _form_and_reg(covariance_type, reg_covar, d):
    """``reg_covar`` as one float64 value per feature, and the form's kernel code."""
    if covariance_type not in _FORM_CODES:
        raise ValueError(f"covariance_type must be one of {sorted(_FORM_CODES)}.")
    reg = np.ascontiguousarray(np.broadcast_to(np.asarray(reg_covar, np.float64), (d,)))
    return reg, _FORM_CODES[covariance_type]
