"""CPU kernels of the Gaussian mixtures: row-wise log-sum-exp, log-densities and one fused
EM pass over fixed row chunks (the same sums whatever the thread count). Inputs are
validated by the dispatcher (``skcluster._backend._dispatch``), outputs preallocated."""

import math

import numpy as np
from numba import njit, prange
from scipy.linalg import blas as _blas

from ._memory import numba_threads
from ._numba_distances import _covariance, _run_blocks, threads_and_serial
from ._numba_distances import two_means as _two_means

_REASSOC = {"reassoc", "contract"}
# rows per block of the full and diagonal forms' passes
_BLOCK = 32

# --------------------------------------------------------------------------------------
# mixture-model E-step pieces
# --------------------------------------------------------------------------------------


# Below this many entries (rows x components) the row-parallel E-step pieces run on the
# caller's thread: a parallel region costs more than the work, and with the cores busy
# (a fit inside a parallel grid search) it waits for descheduled threads for milliseconds.
_PARALLEL_MIN_ENTRIES = 2**14


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


_logsumexp_threads, _logsumexp_serial = threads_and_serial(_logsumexp_rows)


def logsumexp(A, out, resp, working_memory):
    """Row-wise log-sum-exp into ``out``; with ``resp`` also the responsibilities."""
    want = resp is not None
    kernel = _logsumexp_serial if A.size < _PARALLEL_MIN_ENTRIES else _logsumexp_threads
    kernel(A, out, resp if want else A[:0], want)
    return out, resp


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


_log_density_diag_threads, _log_density_diag_serial = threads_and_serial(_log_density_diag)


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
        small = out.size < _PARALLEL_MIN_ENTRIES
        kernel = _log_density_diag_serial if small else _log_density_diag_threads
        kernel(X, means, prec_chol, log_det, out)
        return out
    log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    const = log_det - 0.5 * d * math.log(2 * math.pi)
    shifts = np.einsum("kd,kde->ke", means, prec_chol)
    rows = max(1, min(n, int(working_memory * 2**20 / (X.itemsize * d * 2 * numba_threads()))))
    rows = min(rows, 8192)

    def work(b):
        sl = slice(b * rows, (b + 1) * rows)
        for k in range(K):
            _sq_norm_rows_shifted(X[sl] @ prec_chol[k], shifts[k], const[k], out[sl, k])

    _run_blocks(work, -(-n // rows))
    return out


# The fused E-step and M-step sums of rows ``lo .. hi``, one body per covariance form,
# shared by the parallel pass over fixed chunks (``em_stats``) and the one-call EM loop
# (``em_loop``). For each row: ``a_k = log pi_k + log N(x | mu_k, Sigma_k)``, its
# log-sum-exp and the responsibilities ``r_k``; then ``sum w r``, ``sum w r (x - mu_k)``
# and the scatter ``sum w r (x - mu_k)(x - mu_k)^T`` (upper triangle; its diagonal for the
# diagonal forms). Shifting by the current means keeps the scatter free of the cancellation
# of raw second moments on offset data. A row no component can explain (zero weights) adds
# nothing. With ``resp`` of n rows (not 0) the posteriors are written there too.


@njit(cache=True, nogil=True, fastmath=_REASSOC)
def _rows_full(X, w, means, prec_t, const, lo, hi, nk, s1, s2, resp):
    """``prec_t``: the lower triangular ``L^-1`` of each covariance ``L L^T``. Rows go in
    blocks of ``_BLOCK``, each feature of a block contiguous, so that the triangular
    product and the scatter are loops over rows that vectorise (a row at a time, they ran
    at a quarter of the speed at 16 features; at two features, with the exponentials
    vectorised too, 1.4x the speed of the unrolled row-at-a-time body this replaced)."""
    d = X.shape[1]
    K = means.shape[0]
    D = np.empty((K, d, _BLOCK))  # x - mu_k, feature-major
    A = np.empty((K, _BLOCK))  # log pi_k + log N(x | k), then the weighted responsibilities
    y, z = np.empty(_BLOCK), np.empty(_BLOCK)
    work = np.empty((4, _BLOCK))
    ll = 0.0
    for start in range(lo, hi, _BLOCK):
        m = min(_BLOCK, hi - start)
        _centre_block(X, means, start, m, D, A)
        for k in range(K):
            for t in range(0, d - 1, 2):  # y = L^-1 (x - mu) rows t, t + 1, every row
                y[:m] = 0.0
                z[:m] = 0.0
                for s in range(t + 1):  # two rows a load of D: half the loads a product
                    p, q = prec_t[k, t, s], prec_t[k, t + 1, s]
                    for i in range(m):
                        y[i] += p * D[k, s, i]
                        z[i] += q * D[k, s, i]
                q = prec_t[k, t + 1, t + 1]
                for i in range(m):
                    z[i] += q * D[k, t + 1, i]
                    A[k, i] += y[i] * y[i]
                    A[k, i] += z[i] * z[i]
            if d % 2:
                t = d - 1
                y[:m] = 0.0
                for s in range(t + 1):
                    p = prec_t[k, t, s]
                    for i in range(m):
                        y[i] += p * D[k, s, i]
                for i in range(m):
                    A[k, i] += y[i] * y[i]
        ll += _assign_block(A, const, m, start, w, nk, resp, work)
        for k in range(K):
            for t in range(d):
                acc = 0.0
                for i in range(m):
                    y[i] = A[k, i] * D[k, t, i]
                    acc += y[i]
                s1[k, t] += acc
                for u in range(t, d):
                    acc = 0.0
                    for i in range(m):
                        acc += y[i] * D[k, u, i]
                    s2[k, t, u] += acc
    return ll


@njit(cache=True, nogil=True, fastmath=_REASSOC)
def _rows_diag(X, w, means, prec, const, lo, hi, nk, s1, s2, resp):
    """Diagonal covariances (``prec``: 1 / sd, (K, d)): O(d) per row and component, and
    the scatter's diagonal only (``s2``: (K, d)); in blocks of rows as ``_rows_full``, the
    block transposed once and ``x - mu`` formed where used (storing it for every component,
    (K, d, block), cost more in memory traffic than the subtractions: 128 features, 1.3x)."""
    d = X.shape[1]
    K = means.shape[0]
    Xt = np.empty((d, _BLOCK))
    A = np.empty((K, _BLOCK))
    work = np.empty((4, _BLOCK))
    ll = 0.0
    for start in range(lo, hi, _BLOCK):
        m = min(_BLOCK, hi - start)
        _transpose_block(X, start, m, Xt)
        for k in range(K):
            A[k, :m] = 0.0
            for t in range(d):
                c = means[k, t]
                p = prec[k, t] * prec[k, t]
                for i in range(m):
                    u = Xt[t, i] - c
                    A[k, i] += p * u * u
        ll += _assign_block(A, const, m, start, w, nk, resp, work)
        for k in range(K):
            for t in range(d):
                c = means[k, t]
                acc1 = 0.0
                acc2 = 0.0
                for i in range(m):
                    u = Xt[t, i] - c
                    rd = A[k, i] * u
                    acc1 += rd
                    acc2 += rd * u
                s1[k, t] += acc1
                s2[k, t] += acc2
    return ll


@njit(cache=True, nogil=True)
def _centre_block(X, means, start, m, D, A):
    """Rows ``start .. start + m`` less each mean into ``D`` (K, d, block), feature-major;
    ``A`` zeroed for the quadratic forms. The block is transposed once into ``D[0]``, then
    each component's differences are contiguous loops over rows."""
    K, d = means.shape
    _transpose_block(X, start, m, D[0])
    for k in range(K - 1, -1, -1):  # component 0 last: D[0] holds the rows until then
        for t in range(d):
            c = means[k, t]
            for i in range(m):
                D[k, t, i] = D[0, t, i] - c
        A[k, :m] = 0.0


@njit(cache=True, nogil=True)
def _transpose_block(X, start, m, Xt):
    """Rows ``start .. start + m`` of ``X`` into ``Xt`` (d, block), feature-major."""
    for i in range(m):
        for t in range(X.shape[1]):
            Xt[t, i] = X[start + i, t]


@njit(cache=True, nogil=True, fastmath=_REASSOC)
def _assign_block(A, const, m, start, w, nk, resp, work):
    """The E-step of a block of ``m`` rows from their quadratic forms ``A`` (K, m), which
    become the rows' weighted responsibilities (added to ``nk``); returns the block's
    log-likelihood (rows no component explains add nothing, their posteriors NaN when
    kept). ``work``: (4, block) scratch. Loops run over the block's rows, which vectorise,
    the exponentials included (``_exp_rows``)."""
    K = A.shape[0]
    mx, scale = work[0], work[1]
    mx[:m] = -np.inf
    for k in range(K):
        for i in range(m):
            A[k, i] = const[k] - 0.5 * A[k, i]
            mx[i] = max(mx[i], A[k, i])
    _exp_rows(A, mx, m, work[1:])
    ll = 0.0
    for i in range(m):
        row = start + i
        scale[i] = 0.0
        if _unexplained(mx[i], resp, row):
            continue
        tot = 0.0
        for k in range(K):
            tot += A[k, i]
        ll += w[row] * (mx[i] + math.log(tot))
        scale[i] = w[row] / tot
        if resp.shape[0]:
            for k in range(K):
                resp[row, k] = A[k, i] / tot if w[row] > 0 else np.nan
    for k in range(K):
        acc = 0.0
        for i in range(m):
            A[k, i] *= scale[i]
            acc += A[k, i]
        nk[k] += acc
    return ll


# exp(x) for x <= 0 as 2^n exp(r), |r| <= ln(2) / 2: r's Taylor polynomial of degree 12
# (relative error below 2e-16) and 2^n made from its bits. Written so that a loop over rows
# vectorises (libm's exp, one call per row and component, was a quarter of the EM pass).
_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 in two parts: n ln 2 exact in the first
_LN2_LO = 1.9082149292705877e-10
_TWO52 = 4503599627370496.0  # n + 2^52 + 1023 holds n + 1023 in its low bits
_EXP_MIN = -708.0  # exp below it: 0 (2^n would not be a normal number)


@njit(cache=True, nogil=True, fastmath=_REASSOC)
def _exp_rows(A, mx, m, work):
    """``A[k, i] = exp(A[k, i] - mx[i])`` for the block's ``m`` rows (``A <= mx``);
    ``work``: (3, block) scratch. Rows with ``mx = -inf`` are the caller's to skip."""
    poly, high, power = work[0], work[1], work[2]
    bits, power_bits = high.view(np.int64), power.view(np.int64)
    for k in range(A.shape[0]):
        for i in range(m):
            x = max(A[k, i] - mx[i], _EXP_MIN)
            n = math.floor(x * _LOG2E + 0.5)
            r = (x - n * _LN2_HI) - n * _LN2_LO
            p = 1.0 / 479001600.0
            p = p * r + 1.0 / 39916800.0
            p = p * r + 1.0 / 3628800.0
            p = p * r + 1.0 / 362880.0
            p = p * r + 1.0 / 40320.0
            p = p * r + 1.0 / 5040.0
            p = p * r + 1.0 / 720.0
            p = p * r + 1.0 / 120.0
            p = p * r + 1.0 / 24.0
            p = p * r + 1.0 / 6.0
            p = p * r + 0.5
            p = p * r + 1.0
            poly[i] = p * r + 1.0
            high[i] = n + (_TWO52 + 1023.0)
        for i in range(m):
            power_bits[i] = bits[i] << 52  # the exponent field: 2^n
        for i in range(m):
            x = A[k, i] - mx[i]
            A[k, i] = poly[i] * power[i] if x > _EXP_MIN else 0.0
    return


@njit(cache=True, nogil=True, inline="always")
def _unexplained(mx, resp, i):
    """Whether no component explains row ``i`` (its posteriors, if kept, are NaN)."""
    if mx > -np.inf:
        return False
    for k in range(resp.shape[1] if resp.shape[0] else 0):
        resp[i, k] = np.nan
    return True


@njit(cache=True, nogil=True)
def _scratch(K, d, s2_shape):
    """A pass's zeroed sums ``nk``, ``s1``, ``s2`` (of shape ``s2_shape``) and an empty
    ``resp`` (none kept)."""
    return (
        np.zeros(K),
        np.zeros((K, d)),
        np.zeros(s2_shape),
        np.empty((0, K)),
    )


# The parallel passes over fixed chunks of rows (each chunk sums into its own slot of the
# outputs: kept in cache, 2x faster than accumulating in shared arrays, and the same sums
# whatever the thread count).


@njit(parallel=True, cache=True, nogil=True)
def _em_stats_chunks(X, weights, means, prec, const, chunk, ll, nk, s1, s2):
    """Full covariances; the diagonal forms' twin below keeps the scatter's diagonal only
    (its own kernel: a (K, d, d) scatter per chunk would not fit in memory for many
    features)."""
    n, d = X.shape
    for c in prange(nk.shape[0]):
        c_nk, c_s1, c_s2, none = _scratch(means.shape[0], d, s2.shape[1:])
        lo, hi = c * chunk, min(n, (c + 1) * chunk)
        ll[c] = _rows_full(X, weights, means, prec, const, lo, hi, c_nk, c_s1, c_s2, none)
        nk[c], s1[c], s2[c] = c_nk, c_s1, c_s2


@njit(parallel=True, cache=True, nogil=True)
def _em_stats_chunks_diag(X, weights, means, prec, const, chunk, ll, nk, s1, s2):
    n, d = X.shape
    for c in prange(nk.shape[0]):
        c_nk, c_s1, c_s2, none = _scratch(means.shape[0], d, s2.shape[1:])
        lo, hi = c * chunk, min(n, (c + 1) * chunk)
        ll[c] = _rows_diag(X, weights, means, prec, const, lo, hi, c_nk, c_s1, c_s2, none)
        nk[c], s1[c], s2[c] = c_nk, c_s1, c_s2


# From this many features on, the fused pass runs as matrix products per row block (the
# Mahalanobis terms ``(x - mu_k) P_k`` and the scatter ``D_k^T diag(w r_k) D_k``): the
# scalar loops below cost O(d^2) per row and component at about 2 GFLOP/s. Measured on
# 2 cores, 2,048 rows, K = 2: d = 32 3.3 ms against 4.8 ms, d = 64 7.1 against 17.8,
# d = 128 15.2 against 59.5; below, the loops win (d = 16, K = 3: 1.3 against 2.6 ms;
# d = 20, 20,000 rows, K = 10: 38 against 50 ms). The sums agree to 4e-15 relatively.
_GEMM_MIN_FEATURES = 32
_GEMM_BYTES = 2**19  # a block's (rows, d) buffer
_TRIANGULAR = 64
# A block is a dozen NumPy calls with Python between them, which holds the GIL: with few
# blocks two threads waited on each other (2,048 x 128, K = 2, 4 blocks: 7.4 ms against
# 6.9 on one thread; 2,048 x 64, 2 blocks: 2.75 against 2.34); with many they gain
# (20,000 x 40, 13 blocks: 9.4 against 14.1).
_GEMM_MIN_PARALLEL_BLOCKS = 8
# Rows whose responsibility is below this share of the component's largest add nothing
# representable to its sums; a component of well separated groups skips the other groups'
# rows in its scatter (the E-step still covers every row).
_NEGLIGIBLE = 1e-20


def _em_stats_gemm(X, weights, means, prec_chol, const, working_memory):
    """``em_stats`` by BLAS products over fixed blocks of rows (on Python threads with
    single-threaded BLAS, summed in block order: the same result whatever the thread
    count); the scatter is returned as its upper triangles. Each block reuses one
    (rows, d) buffer for ``x - mu_k``, computed again for the M-step sums rather than
    kept for every component: fresh memory costs a page fault per 4 KiB, and on a VM
    those faults took longer than the products. From ``_TRIANGULAR`` features on, the
    triangular ``trmm`` and the symmetric ``syrk`` do half a general product's work
    (below, their call costs more than they save)."""
    n, d = X.shape
    K = means.shape[0]
    budget = int(working_memory * 2**20 / (8 * (2 * d + 2 * K) * max(1, numba_threads())))
    rows = max(1, min(n, max(256, _GEMM_BYTES // (8 * d)), budget))
    n_blocks = -(-n // rows)
    ll = np.zeros(n_blocks)
    nk = np.zeros((n_blocks, K))
    s1 = np.zeros((n_blocks, K, d))
    s2 = np.zeros((n_blocks, K, d, d))
    blas = d >= _TRIANGULAR
    prec_t = [np.asfortranarray(prec_chol[k].T) for k in range(K)]  # P^T: lower, Fortran

    def work(b):
        Xb = X[b * rows : (b + 1) * rows]
        D = np.empty(Xb.shape)
        A = np.empty((len(Xb), K))
        for k in range(K):  # log pi_k + log N(x | k): y = P^T (x - mu), in place
            np.subtract(Xb, means[k], out=D)
            if blas:  # the Fortran view of C-ordered rows: a row of y per column
                Y = _blas.dtrmm(1.0, prec_t[k], D.T, lower=1, overwrite_b=1).T
            else:
                Y = D @ prec_chol[k]
            A[:, k] = const[k] - 0.5 * np.einsum("ij,ij->i", Y, Y)
        top = A.max(axis=1)
        seen = top > -np.inf  # a row no component can explain (zero weights) adds nothing
        E = np.exp(A[seen] - top[seen, None])
        total = E.sum(axis=1)
        w = weights[b * rows : (b + 1) * rows][seen]
        ll[b] = float(w @ (top[seen] + np.log(total)))
        R = np.zeros_like(A)
        R[seen] = E * (w / total)[:, None]
        nk[b] = R.sum(axis=0)
        for k in range(K):  # M-step sums over the rows the component explains at all
            r = R[:, k]
            kept = r > _NEGLIGIBLE * r.max()
            if not kept.any():
                continue
            Xk, r = (Xb, r) if kept.all() else (Xb[kept], r[kept])
            Dk = np.subtract(Xk, means[k], out=D[: len(Xk)])
            s1[b, k] = r @ Dk
            if blas:
                Dk *= np.sqrt(r)[:, None]
                s2[b, k] = _blas.dsyrk(1.0, Dk.T)
            else:
                s2[b, k] = (Dk * r[:, None]).T @ Dk

    _run_blocks(work, n_blocks, min_parallel=_GEMM_MIN_PARALLEL_BLOCKS)
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
        ll, nk, s1, s2 = _em_stats_gemm(X, weights, means, prec, const, working_memory)
        return ll, nk, s1, _symmetric(s2)
    budget = int(working_memory * 2**20 / (8 * K * (d + 1) ** 2))
    n_chunks = max(1, min(32, budget, -(-n // 512)))
    chunk = -(-n // n_chunks)
    ll = np.empty(n_chunks)
    nk = np.empty((n_chunks, K))
    s1 = np.empty((n_chunks, K, d))
    s2 = np.empty((n_chunks, K, d, d))
    prec_t = np.ascontiguousarray(np.swapaxes(prec_chol, 1, 2))  # L^-1, rows contiguous
    _em_stats_chunks(X, weights, means, prec_t, const, chunk, ll, nk, s1, s2)
    return float(ll.sum()), nk.sum(axis=0), s1.sum(axis=0), _symmetric(s2.sum(axis=0))


def _symmetric(s2):
    """The (K, d, d) scatters from their upper triangles."""
    iu = np.triu_indices(s2.shape[1], 1)
    s2[:, iu[1], iu[0]] = s2[:, iu[0], iu[1]]
    return s2


# --------------------------------------------------------------------------------------
# the whole EM loop of a small mixture on rows, in one call
# --------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _m_step_rows(X, w, resp, reg, form, weights, means, cov):
    """Weighted means and covariances (two passes: the scatter about the means) with
    ``reg`` on the diagonal, in the form ``form`` (0 full, 1 diagonal, 2 spherical), into
    the outputs (through ``_update``, with no mean shift)."""
    n, d = X.shape
    K = resp.shape[1]
    nk = np.zeros(K)
    means[:] = 0.0
    for i in range(n):
        for k in range(K):
            r = w[i] * resp[i, k]
            nk[k] += r
            for a in range(d):
                means[k, a] += r * X[i, a]
    for k in range(K):
        means[k] /= max(nk[k], 1e-300)
    s2 = np.zeros((K, d, d))  # upper triangle (diagonal forms: the diagonal in s2[:, 0])
    diff = np.empty(d)
    for i in range(n):
        for k in range(K):
            r = w[i] * resp[i, k]
            if r == 0.0:  # starts from a hard split (a proposal's two sides): half the terms
                continue
            for a in range(d):
                diff[a] = X[i, a] - means[k, a]
            if form == 0:
                for a in range(d):
                    for b in range(a, d):
                        s2[k, a, b] += r * diff[a] * diff[b]
            else:
                for a in range(d):
                    s2[k, 0, a] += r * diff[a] * diff[a]
    _update(nk, np.zeros((K, d)), s2, reg, form, weights, means, cov)


@njit(cache=True, nogil=True)
def _factors(weights, cov, form, prec, const):
    """Per component the inverse Cholesky factor ``L^-1`` of the covariance (``form`` 0,
    into ``prec`` (K, d, d)) or the inverse standard deviations (into ``prec[:, 0]``), and
    ``log pi_k - log|Sigma_k| / 2 - d log(2 pi) / 2`` into ``const``."""
    K, d = cov.shape[0], cov.shape[1]
    for k in range(K):
        log_det = 0.0  # of the precision's factor
        if form == 0:
            L = np.linalg.cholesky(cov[k])
            for j in range(d):  # L^-1 by forward substitution, column by column
                for t in range(j):
                    prec[k, t, j] = 0.0
                for t in range(j, d):
                    acc = 1.0 if t == j else 0.0
                    for s in range(j, t):
                        acc -= L[t, s] * prec[k, s, j]
                    prec[k, t, j] = acc / L[t, t]
                log_det -= math.log(L[j, j])
        else:
            for t in range(d):
                prec[k, 0, t] = 1.0 / math.sqrt(cov[k, t, t])
                log_det += math.log(prec[k, 0, t])
        with_weight = math.log(weights[k]) if weights[k] > 0 else -np.inf
        const[k] = with_weight + log_det - 0.5 * d * math.log(2 * math.pi)


@njit(cache=True, nogil=True)
def _update(nk, s1, s2, reg, form, weights, means, cov):
    """The M-step from a pass's sums (as ``em_update``): weights, means moved by the
    weighted mean shift, the scatter about them plus ``reg``, in the form ``form``."""
    K, d = s1.shape
    total = nk.sum()
    delta = np.empty(d)
    for k in range(K):
        weights[k] = nk[k] / total
        inv = 1.0 / max(nk[k], 1e-300)
        for t in range(d):
            delta[t] = s1[k, t] * inv
        mean_var = 0.0
        for t in range(d):
            for u in range(t, d):
                if form == 0:
                    cov[k, t, u] = cov[k, u, t] = s2[k, t, u] * inv - delta[t] * delta[u]
                elif u == t:
                    cov[k, t, t] = s2[k, 0, t] * inv - delta[t] * delta[t]
                else:
                    cov[k, t, u] = cov[k, u, t] = 0.0
            cov[k, t, t] += reg[t]
            mean_var += cov[k, t, t]
            means[k, t] += delta[t]
        if form == 2:
            for t in range(d):
                cov[k, t, t] = mean_var / d


@njit(cache=True, nogil=True)
def _pass(X, w, means, prec, const, form, out):
    """One fused pass of ``em_loop`` over all rows: ``(ll, nk, s1, s2)``, ``s2`` (K, d, d)
    with its upper triangle (the diagonal forms: (K, 1, d), the diagonal in ``s2[:, 0]``)."""
    K, d = means.shape
    nk, s1, s2, _ = _scratch(K, d, (K, d if form == 0 else 1, d))
    n = X.shape[0]
    if form == 0:
        ll = _rows_full(X, w, means, prec, const, 0, n, nk, s1, s2, out)
    else:
        ll = _rows_diag(X, w, means, prec[:, 0], const, 0, n, nk, s1, s2[:, 0], out)
    return ll, nk, s1, s2


@njit(cache=True, nogil=True)
def em_loop(X, w, resp, reg, form, tol, max_iter, weights, means, cov, from_init):
    """EM from the responsibilities ``resp`` (or, ``from_init``, from the mixture given in
    ``weights``, ``means``, ``cov``, whose E-step is the first iteration) until the mean
    log-likelihood gains less than ``tol``, with the mixture in ``weights``, ``means``,
    ``cov`` and the final posteriors in ``resp``; returns the final mean log-likelihood,
    the iterations and convergence. For the small fits of a divisive path, whose Python
    loop over ``em_stats`` cost four times the arithmetic: the whole loop in one call, one
    fused pass an iteration, on one thread. A parallel region per iteration was 2x faster
    on idle cores but waited ~96 ms a region for a descheduled thread when the cores were
    busy (a fit inside a parallel grid search); and a cached function that called
    ``em_stats``' parallel kernels crashed when loaded from Numba's cache."""
    d = X.shape[1]
    K = weights.shape[0]
    total = w.sum()
    if not from_init:
        _m_step_rows(X, w, resp, reg, form, weights, means, cov)
    prec, const = np.empty((K, d, d)), np.empty(K)
    none = resp[:0]
    lower, n_iter, converged, it = -np.inf, max_iter, False, 0
    while True:
        last = converged or it == max_iter  # the final pass keeps the posteriors
        _factors(weights, cov, form, prec, const)
        ll, nk, s1, s2 = _pass(X, w, means, prec, const, form, resp if last else none)
        new = ll / total
        if last:
            return new, n_iter, converged
        _update(nk, s1, s2, reg, form, weights, means, cov)
        it += 1
        if abs(new - lower) < tol:
            n_iter, converged = it, True
        lower = new


@njit(cache=True, nogil=True)
def moments_loglik(S, reg, form):
    """Mean log-likelihood per row of rows of covariance ``S`` under the Gaussian of their
    mean and covariance ``S`` plus ``reg`` (per feature) in the form ``form``:
    ``-(d log 2 pi + log|Sigma| + tr(Sigma^-1 S)) / 2``, no pass over the rows."""
    d = S.shape[0]
    if form == 0:
        cov = 0.5 * (S + S.T)
        for t in range(d):
            cov[t, t] += reg[t]
        L = np.linalg.cholesky(cov)
        log_det = 0.0
        for t in range(d):
            log_det += 2.0 * math.log(L[t, t])
        trace = np.trace(np.linalg.solve(cov, S))
    else:
        var = np.empty(d)
        for t in range(d):
            var[t] = S[t, t] + reg[t]
        if form == 2:
            var[:] = var.mean()
        log_det, trace = 0.0, 0.0
        for t in range(d):
            log_det += math.log(var[t])
            trace += S[t, t] / var[t]
    return -0.5 * (d * math.log(2 * math.pi) + log_det + trace)


@njit(cache=True, nogil=True)
def split_fits(
    X,
    w,
    bounds,
    reg,
    form,
    tol,
    max_iter,
    min_weight,
    mean,
    S,
    one,
    side,
    fitted,
    resp,
    pi,
    mu,
    cov,
    ll,
    n_iter,
    conv,
):
    """Split proposals of consecutive groups of rows in one call (group ``g``: rows
    ``bounds[g]`` to ``bounds[g + 1]``), each as ``_split_fit`` into its slice of the
    outputs: a divisive path proposes a split of every changed component a step, and one
    backend call per component spent more in Python than in the kernel on small groups."""
    for g in range(len(bounds) - 1):
        lo, hi = bounds[g], bounds[g + 1]
        fitted[g], ll[g], n_iter[g], conv[g], one[g] = _split_fit(
            X[lo:hi],
            w[lo:hi],
            reg,
            form,
            tol,
            max_iter,
            min_weight,
            mean[g],
            S[g],
            side[lo:hi],
            resp[lo:hi],
            pi[g],
            mu[g],
            cov[g],
        )


@njit(cache=True, nogil=True)
def _split_fit(X, w, reg, form, tol, max_iter, min_weight, mean, S, side, resp, pi, mu, cov):
    """A divisive path's split proposal in one call: the weighted mean and covariance
    ``S`` of the rows, their split across the principal direction of ``S``, 2-means from
    it (``side``), then, when each side weighs at least ``min_weight``, EM of two
    components from the two sides (``em_loop``, into ``resp``, weights ``pi``, means ``mu``,
    ``cov``). Returns ``(fitted, log-likelihood, iterations, converged, the one Gaussian's
    log-likelihood)`` (mean per row). Called once per proposal instead of five backend
    calls (their Python was most of a small proposal's time)."""
    n, d = X.shape
    total = 0.0
    mean[:] = 0.0
    for i in range(n):
        total += w[i]
        for a in range(d):
            mean[a] += w[i] * X[i, a]
    mean /= total
    _covariance(X, w, total, mean, S)
    one = moments_loglik(S, reg, form)
    v = np.linalg.eigh(S)[1][:, d - 1]  # the principal direction: the rows' sides of it
    for i in range(n):
        proj = 0.0
        for a in range(d):
            proj += (X[i, a] - mean[a]) * v[a]
        side[i] = proj > 0
    _two_means(X, w, side, max_iter)
    heavy = 0.0
    for i in range(n):
        heavy += w[i] * side[i]
    if min(heavy, total - heavy) < min_weight:
        return False, np.nan, 0, False, one
    for i in range(n):
        resp[i, 0] = 0.0 if side[i] else 1.0
        resp[i, 1] = 1.0 - resp[i, 0]
    ll, n_iter, conv = em_loop(X, w, resp, reg, form, tol, max_iter, pi, mu, cov, False)
    return True, ll, n_iter, conv, one
