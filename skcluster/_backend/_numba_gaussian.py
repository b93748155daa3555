"""CPU kernels of the Gaussian mixtures: row-wise log-sum-exp, log-densities and one fused
EM pass over fixed row chunks (the same sums whatever the thread count). Inputs are
validated by the dispatcher (``skcluster._backend._dispatch``), outputs preallocated."""

import math

import numpy as np
from numba import njit, prange

from ._numba_distances import _n_threads, _run_blocks

# --------------------------------------------------------------------------------------
# mixture-model E-step pieces
# --------------------------------------------------------------------------------------


@njit(parallel=True, cache=True, nogil=True)
def _logsumexp_rows(A, out, resp, want_resp):
    n, K = A.shape
    for i in prange(n):
        mx = -np.inf
        for k in range(K):
            if A[i, k] > mx:
                mx = A[i, k]
        if mx == -np.inf:
            out[i] = -np.inf
            if want_resp:
                for k in range(K):
                    resp[i, k] = np.nan
            continue
        s = 0.0
        for k in range(K):
            s += math.exp(A[i, k] - mx)
        lse = mx + math.log(s)
        out[i] = lse
        if want_resp:
            for k in range(K):
                resp[i, k] = math.exp(A[i, k] - lse)


def logsumexp(A, out, resp, working_memory):
    """Row-wise log-sum-exp into ``out``; with ``resp`` also the responsibilities."""
    want = resp is not None
    _logsumexp_rows(A, out, resp if want else A[:0], want)
    return out, resp


@njit(parallel=True, cache=True, nogil=True)
def _log_density_diag(X, means, prec_chol, log_det, out):
    n, d = X.shape
    K = means.shape[0]
    log2pi = math.log(2 * math.pi)
    for i in prange(n):
        for k in range(K):
            acc = 0.0
            for t in range(d):
                y = (X[i, t] - means[k, t]) * prec_chol[k, t]
                acc += y * y
            out[i, k] = -0.5 * (d * log2pi + acc) + log_det[k]


@njit(cache=True, nogil=True)
def _sq_norm_rows_shifted(T, shift, const, out_col):
    n, d = T.shape
    for i in range(n):
        acc = 0.0
        for t in range(d):
            y = T[i, t] - shift[t]
            acc += y * y
        out_col[i] = const - 0.5 * acc


def gaussian_log_density(X, means, prec_chol, covariance_type, out, working_memory):
    """log N(x | mean_k, Sigma_k) for every row and component, into ``out`` (n, K).

    ``prec_chol`` is the Cholesky factor of each precision matrix (``full``: (K, d, d) with
    ``Sigma_k^-1 = P_k P_k^T``; ``diag``: (K, d) of ``1 / sqrt(var)``).
    """
    n, d = X.shape
    K = means.shape[0]
    if covariance_type == "diag":
        log_det = np.log(prec_chol).sum(axis=1)
        _log_density_diag(X, means, prec_chol, log_det, out)
        return out
    log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    const = log_det - 0.5 * d * math.log(2 * math.pi)
    shifts = np.einsum("kd,kde->ke", means, prec_chol)
    rows = max(1, min(n, int(working_memory * 2**20 / (X.itemsize * d * 2 * _n_threads()))))
    rows = min(rows, 8192)

    def work(b):
        sl = slice(b * rows, (b + 1) * rows)
        for k in range(K):
            _sq_norm_rows_shifted(X[sl] @ prec_chol[k], shifts[k], const[k], out[sl, k])

    _run_blocks(work, -(-n // rows))
    return out


@njit(cache=True, nogil=True, inline="always")
def _soft_assign(a, mx, w):
    """One row's E-step from its joint log-densities ``a`` (max ``mx``): ``a`` becomes
    ``exp(a - mx)`` in place; returns the row's weighted log-likelihood and ``w / sum``,
    the factor that turns ``a`` into its weighted responsibilities."""
    tot = 0.0
    for k in range(a.shape[0]):
        a[k] = math.exp(a[k] - mx)
        tot += a[k]
    return w * (mx + math.log(tot)), w / tot


@njit(parallel=True, cache=True, nogil=True)
def _em_stats_chunks(X, weights, means, prec_chol, const, chunk, ll, nk, s1, s2):
    """E-step of a full-covariance mixture and the M-step sums, one pass per fixed chunk.

    For each row: ``a_k = log pi_k + log N(x | mu_k, Sigma_k)``, its log-sum-exp and the
    responsibilities ``r_k``; then ``sum w r``, ``sum w r (x - mu_k)`` and the upper
    triangle of ``sum w r (x - mu_k)(x - mu_k)^T``. Shifting by the current means keeps the
    scatter free of the cancellation of raw second moments on offset data. Sums stay in
    chunk-local arrays (kept in cache, 2x faster than accumulating in the outputs).
    """
    n, d = X.shape
    K = means.shape[0]
    for c in prange(nk.shape[0]):
        a = np.empty(K)
        diff = np.empty((K, d))
        c_ll = 0.0
        c_nk = np.zeros(K)
        c_s1 = np.zeros((K, d))
        c_s2 = np.zeros((K, d, d))
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            mx = -np.inf
            for k in range(K):
                for t in range(d):
                    diff[k, t] = X[i, t] - means[k, t]
                acc = 0.0
                for t in range(d):
                    y = 0.0
                    for s in range(t + 1):  # P is upper triangular: column t uses rows <= t
                        y += diff[k, s] * prec_chol[k, s, t]
                    acc += y * y
                a[k] = const[k] - 0.5 * acc
                mx = max(mx, a[k])
            if mx == -np.inf:
                continue  # a row no component can explain (zero weights) adds nothing
            row_ll, scale = _soft_assign(a, mx, weights[i])
            c_ll += row_ll
            for k in range(K):
                r = scale * a[k]
                c_nk[k] += r
                for t in range(d):
                    rd = r * diff[k, t]
                    c_s1[k, t] += rd
                    for u in range(t, d):
                        c_s2[k, t, u] += rd * diff[k, u]
        ll[c] = c_ll
        nk[c] = c_nk
        s1[c] = c_s1
        s2[c] = c_s2


@njit(parallel=True, cache=True, nogil=True)
def _em_stats_chunks_2d(X, weights, means, prec_chol, const, chunk, ll, nk, s1, s2):
    """``_em_stats_chunks`` unrolled for two features (2-D scatterplots: CLAMS's whole
    workload), measured 2x faster at 5,000 rows and 17 components."""
    n = X.shape[0]
    K = means.shape[0]
    for c in prange(nk.shape[0]):
        a = np.empty(K)
        du = np.empty(K)
        dv = np.empty(K)
        c_ll = 0.0
        c_nk = np.zeros(K)
        c_s1 = np.zeros((K, 2))
        c_s2 = np.zeros((K, 2, 2))
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            mx = -np.inf
            for k in range(K):
                u = X[i, 0] - means[k, 0]
                v = X[i, 1] - means[k, 1]
                du[k] = u
                dv[k] = v
                y0 = u * prec_chol[k, 0, 0]
                y1 = u * prec_chol[k, 0, 1] + v * prec_chol[k, 1, 1]
                a[k] = const[k] - 0.5 * (y0 * y0 + y1 * y1)
                mx = max(mx, a[k])
            if mx == -np.inf:
                continue
            row_ll, scale = _soft_assign(a, mx, weights[i])
            c_ll += row_ll
            for k in range(K):
                r = scale * a[k]
                ru = r * du[k]
                rv = r * dv[k]
                c_nk[k] += r
                c_s1[k, 0] += ru
                c_s1[k, 1] += rv
                c_s2[k, 0, 0] += ru * du[k]
                c_s2[k, 0, 1] += ru * dv[k]
                c_s2[k, 1, 1] += rv * dv[k]
        ll[c] = c_ll
        nk[c] = c_nk
        s1[c] = c_s1
        s2[c] = c_s2


@njit(parallel=True, cache=True, nogil=True)
def _em_stats_chunks_diag(X, weights, means, prec, const, chunk, ll, nk, s1, s2):
    """``_em_stats_chunks`` for diagonal covariances (``prec``: 1 / sd, (K, d)): O(d) per
    row and component, and the scatter's diagonal only."""
    n, d = X.shape
    K = means.shape[0]
    for c in prange(nk.shape[0]):
        a = np.empty(K)
        c_ll = 0.0
        c_nk = np.zeros(K)
        c_s1 = np.zeros((K, d))
        c_s2 = np.zeros((K, d))
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            mx = -np.inf
            for k in range(K):
                acc = 0.0
                for t in range(d):
                    y = (X[i, t] - means[k, t]) * prec[k, t]
                    acc += y * y
                a[k] = const[k] - 0.5 * acc
                mx = max(mx, a[k])
            if mx == -np.inf:
                continue
            row_ll, scale = _soft_assign(a, mx, weights[i])
            c_ll += row_ll
            for k in range(K):
                r = scale * a[k]
                c_nk[k] += r
                for t in range(d):
                    diff = X[i, t] - means[k, t]
                    rd = r * diff
                    c_s1[k, t] += rd
                    c_s2[k, t] += rd * diff
        ll[c] = c_ll
        nk[c] = c_nk
        s1[c] = c_s1
        s2[c] = c_s2


# From this many features on, the fused pass runs as matrix products per row block (the
# Mahalanobis terms ``(x - mu_k) P_k`` and the scatter ``D_k^T diag(w r_k) D_k``): the
# scalar loops below cost O(d^2) per row and component at about 2 GFLOP/s. Measured on
# 2 cores, 2,048 rows, K = 2: d = 32 3.3 ms against 4.8 ms, d = 64 7.1 against 17.8,
# d = 128 15.2 against 59.5; below, the loops win (d = 16, K = 3: 1.3 against 2.6 ms;
# d = 20, 20,000 rows, K = 10: 38 against 50 ms). The sums agree to 4e-15 relatively.
_GEMM_MIN_FEATURES = 32


def _em_stats_gemm(X, weights, means, prec_chol, const, working_memory):
    """``em_stats`` by matrix products over fixed row blocks (on Python threads with
    single-threaded BLAS, summed in block order: the same result whatever the thread
    count)."""
    n, d = X.shape
    K = means.shape[0]
    budget = int(working_memory * 2**20 / (8 * (2 * K * d + 4 * K + d) * max(1, _n_threads())))
    rows = max(1, min(n, 4096, budget))
    n_blocks = -(-n // rows)
    ll = np.zeros(n_blocks)
    nk = np.zeros((n_blocks, K))
    s1 = np.zeros((n_blocks, K, d))
    s2 = np.zeros((n_blocks, K, d, d))

    def work(b):
        sl = slice(b * rows, min(n, (b + 1) * rows))
        D = np.stack([(X[sl] - means[k]).astype(np.float64) for k in range(K)])
        A = np.empty((D.shape[1], K))
        for k in range(K):
            Y = D[k] @ prec_chol[k]  # P is upper triangular: y = P^T (x - mu)
            A[:, k] = const[k] - 0.5 * np.einsum("ij,ij->i", Y, Y)
        top = A.max(axis=1)
        seen = top > -np.inf  # a row no component can explain (zero weights) adds nothing
        E = np.exp(A[seen] - top[seen, None])
        total = E.sum(axis=1)
        w = weights[sl][seen]
        ll[b] = float(w @ (top[seen] + np.log(total)))
        R = E * (w / total)[:, None]
        nk[b] = R.sum(axis=0)
        for k in range(K):
            Dk = D[k][seen]
            s1[b, k] = R[:, k] @ Dk
            s2[b, k] = (Dk * R[:, k : k + 1]).T @ Dk

    _run_blocks(work, n_blocks)
    return float(ll.sum()), nk.sum(axis=0), s1.sum(axis=0), s2.sum(axis=0)


def em_stats(X, weights, means, prec_chol, log_weights, covariance_type, working_memory):
    """Log-likelihood sum and M-step sums of a mixture (fixed chunks, so the same result
    whatever the thread count). Returns ``(ll, nk, s1, s2)``; ``s2`` is (K, d) for
    ``"diag"`` (``prec_chol``: 1 / sd, (K, d)), (K, d, d) for ``"full"``."""
    n, d = X.shape
    K = means.shape[0]
    diag = covariance_type == "diag"
    log_det = np.log(prec_chol if diag else np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    const = (log_weights + log_det - 0.5 * d * math.log(2 * math.pi)).astype(np.float64)
    if diag:
        n_chunks = max(1, min(32, -(-n // 512)))
        chunk = -(-n // n_chunks)
        ll = np.empty(n_chunks)
        nk = np.empty((n_chunks, K))
        s1 = np.empty((n_chunks, K, d))
        s2 = np.empty((n_chunks, K, d))
        _em_stats_chunks_diag(X, weights, means, prec_chol, const, chunk, ll, nk, s1, s2)
        return float(ll.sum()), nk.sum(axis=0), s1.sum(axis=0), s2.sum(axis=0)
    if d >= _GEMM_MIN_FEATURES:
        prec = np.ascontiguousarray(prec_chol, dtype=np.float64)
        return _em_stats_gemm(X, weights, means, prec, const, working_memory)
    budget = int(working_memory * 2**20 / (8 * K * (d + 1) ** 2))
    n_chunks = max(1, min(32, budget, -(-n // 512)))
    chunk = -(-n // n_chunks)
    ll = np.empty(n_chunks)
    nk = np.empty((n_chunks, K))
    s1 = np.empty((n_chunks, K, d))
    s2 = np.empty((n_chunks, K, d, d))
    kernel = _em_stats_chunks_2d if d == 2 else _em_stats_chunks
    kernel(X, weights, means, prec_chol, const, chunk, ll, nk, s1, s2)
    s2 = s2.sum(axis=0)
    iu = np.triu_indices(d, 1)
    s2[:, iu[1], iu[0]] = s2[:, iu[0], iu[1]]
    return float(ll.sum()), nk.sum(axis=0), s1.sum(axis=0), s2


# --------------------------------------------------------------------------------------
# the whole EM loop of a small mixture on rows, in one call
# --------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _m_step_rows(X, w, resp, reg, form, weights, means, cov):
    """Weighted means and covariances (two passes: centred scatter) with ``reg`` on the
    diagonal, in the form ``form`` (0 full, 1 diagonal, 2 spherical), into the outputs."""
    n, d = X.shape
    K = resp.shape[1]
    nk = np.zeros(K)
    means[:] = 0.0
    cov[:] = 0.0
    for i in range(n):
        for k in range(K):
            r = w[i] * resp[i, k]
            nk[k] += r
            for a in range(d):
                means[k, a] += r * X[i, a]
    for k in range(K):
        means[k] /= max(nk[k], 1e-300)
    diff = np.empty(d)
    for i in range(n):
        for k in range(K):
            r = w[i] * resp[i, k]
            for a in range(d):
                diff[a] = X[i, a] - means[k, a]
            if form == 0:
                for a in range(d):
                    for b in range(a + 1):
                        cov[k, a, b] += r * diff[a] * diff[b]
            else:
                for a in range(d):
                    cov[k, a, a] += r * diff[a] * diff[a]
    total = nk.sum()
    for k in range(K):
        weights[k] = nk[k] / total
        scale = 1.0 / max(nk[k], 1e-300)
        mean_var = 0.0
        for a in range(d):
            for b in range(a + 1):
                cov[k, a, b] *= scale
                cov[k, b, a] = cov[k, a, b]
            cov[k, a, a] += reg[a]
            mean_var += cov[k, a, a]
        if form == 2:
            for a in range(d):
                cov[k, a, a] = mean_var / d


@njit(cache=True, nogil=True)
def _e_step_rows(X, w, weights, means, cov, form, resp):
    """Posteriors of every row into ``resp``; returns the weighted log-likelihood sum."""
    n, d = X.shape
    K = means.shape[0]
    factor = np.empty((K, d, d))  # Cholesky factors, or inverse variances on the diagonal
    const = np.empty(K)
    for k in range(K):
        if form == 0:
            factor[k] = np.linalg.cholesky(cov[k])
        else:  # inverse variances on the diagonal
            for a in range(d):
                factor[k, a, a] = 1.0 / cov[k, a, a]
        log_det = 0.0
        for a in range(d):
            log_det += math.log(factor[k, a, a]) if form == 0 else 0.5 * math.log(cov[k, a, a])
        with_weight = math.log(weights[k]) if weights[k] > 0 else -np.inf
        const[k] = with_weight - log_det - 0.5 * d * math.log(2 * math.pi)
    z = np.empty(d)
    a_row = np.empty(K)
    ll = 0.0
    for i in range(n):
        mx = -np.inf
        for k in range(K):
            q = 0.0
            if form == 0:  # |L^-1 (x - mu)|^2 by forward substitution
                for a in range(d):
                    s = X[i, a] - means[k, a]
                    for b in range(a):
                        s -= factor[k, a, b] * z[b]
                    z[a] = s / factor[k, a, a]
                    q += z[a] * z[a]
            else:
                for a in range(d):
                    t = X[i, a] - means[k, a]
                    q += t * t * factor[k, a, a]
            a_row[k] = const[k] - 0.5 * q
            mx = max(mx, a_row[k])
        lse, inv_total = _soft_assign(a_row, mx, 1.0)
        ll += w[i] * lse
        for k in range(K):
            resp[i, k] = a_row[k] * inv_total
    return ll


@njit(cache=True, nogil=True)
def em_loop(X, w, resp, reg, form, tol, max_iter, weights, means, cov):
    """EM from the responsibilities ``resp`` until the mean log-likelihood gains less than
    ``tol``, with the mixture in ``weights``, ``means``, ``cov`` and the final posteriors
    in ``resp``; returns the final mean log-likelihood, the iterations and convergence.
    Sequential: for the small fits of a divisive path, whose Python loop over the fused
    pass cost four times the arithmetic."""
    total = w.sum()
    _m_step_rows(X, w, resp, reg, form, weights, means, cov)
    lower = -np.inf
    n_iter, converged = max_iter, False
    for it in range(1, max_iter + 1):
        new = _e_step_rows(X, w, weights, means, cov, form, resp) / total
        _m_step_rows(X, w, resp, reg, form, weights, means, cov)
        if abs(new - lower) < tol:
            n_iter, converged = it, True
            break
        lower = new
    return _e_step_rows(X, w, weights, means, cov, form, resp) / total, n_iter, converged
