"""First-order solvers of the SDP relaxation of k-means (Peng & Wei 2007) and of iLA-SDP's
lifted SDP.

    maximise <A, Z>  subject to  Z PSD, Z >= 0, Z 1 = 1, tr Z = K,   A = Xc Xc^T

``admm`` solves it exactly on the full n x n matrix (small n); ``lowrank`` writes Z = U U^T
with U >= 0 of rank r and never forms an n x n array (Zhuang, Chen, Yang & Zhang, ICLR 2024,
"Statistically optimal K-means clustering via nonnegative low-rank semidefinite
programming"). Both read the data only through products with Xc, so centring is free: on the
feasible set every cost A + a 1^T + 1 a^T + c 1 1^T has the same optimiser.
"""

import math

import numpy as np
import scipy.linalg

from .. import _backend
from ..utils.validation import check_random_state


def _simplex_projection(M, total):
    """Projection of ``M`` (each row, for a 2-D ``M``) onto {l >= 0, sum l = total}:
    the sort-based threshold."""
    u = -np.sort(-M, axis=-1)
    excess = np.cumsum(u, axis=-1) - total
    ranks = np.arange(1, M.shape[-1] + 1)
    last = (u - excess / ranks > 0).sum(axis=-1, keepdims=True) - 1  # a prefix holds it
    theta = np.take_along_axis(excess, last, axis=-1) / (last + 1)
    return np.maximum(M - theta, 0.0)


def _spectral_projection(M, K, n_eig=None):
    """Projection of a symmetric M onto {Z PSD, Z 1 = 1, tr Z = K}.

    Every such Z is ``1 1^T / n + P Y P`` with ``P = I - 1 1^T / n`` and ``P Y P`` PSD of
    trace K - 1, so the projection centres M (rows and columns), projects its eigenvalues
    onto the scaled simplex, and adds ``1 1^T / n`` back. The all-ones direction is pushed
    to a very negative eigenvalue first so that it is never kept.

    Only the leading ``n_eig`` eigenpairs are computed (LAPACK's partial solver, several
    times cheaper than a full decomposition); if the smallest of them is still kept the
    count doubles, so the result is the exact projection. Returns Z and the number of
    eigenvalues kept.
    """
    n = M.shape[0]
    centred = M - M.mean(axis=0)[None, :] - M.mean(axis=1)[:, None] + M.mean()
    centred -= np.abs(centred).max() + K + 1  # the all-ones direction goes to -big
    m = n if n_eig is None else max(1, min(n_eig, n))
    while True:
        if m >= n // 2:
            vals, vecs = np.linalg.eigh(centred)
        else:
            vals, vecs = scipy.linalg.eigh(
                centred, subset_by_index=[n - m, n - 1], driver="evx", check_finite=False
            )
        lam = _simplex_projection(vals, K - 1)
        if lam[0] == 0 or m >= n // 2:  # eigenvalues below the computed ones drop out too
            break
        m *= 2
    keep = lam > 0
    Z = (vecs[:, keep] * lam[keep]) @ vecs[:, keep].T
    Z += 1.0 / n
    return Z, int(keep.sum())


def solve_admm(A, K, *, tol=3e-4, max_iter=5000, verbose=0):
    """Two-block ADMM on the full matrix: Z in {PSD, Z 1 = 1, tr Z = K} (exact spectral
    projection), W >= 0, Z = W (scaled dual U), over-relaxed (alpha = 1.6).

    The penalty is ``1.5 ||A||_2 / sqrt(K)``: the ratio of the cost's scale to the
    solution's (``||Z||_F = sqrt(K)`` at a partition matrix), which converged in 100 to
    400 iterations on blobs of every separation tried, where residual balancing from a
    smaller penalty needed thousands.

    Stopping: both relative residuals below ``tol`` times the unexplained fraction
    ``1 - <A, Z> / tr A``. The objective's error is about the residual times the scale of
    A, while the k-means objective is ``tr A - <A, Z>``, small against ``tr A`` for far
    apart clusters; the scaled rule keeps the relative error of that objective near
    ``tol`` (3.4e-4 at tol = 3e-4 on well separated blobs, where a plain 1e-4 left
    2.6e-3) without the thousands of iterations a uniformly tighter tolerance costs on
    overlapping ones. Returns Z (PSD, with exact row sums and trace; its negative entries
    are bounded by the residual), the number of iterations and whether it stopped by the
    rule.
    """
    n = A.shape[0]
    total = max(float(np.trace(A)), np.finfo(float).tiny)
    rho = max(1.5 * np.linalg.norm(A, 2) / math.sqrt(K), 1e-12)
    alpha = 1.6
    W, n_eig = _spectral_projection(np.eye(n) * (K / n), K, 2 * K)
    U = np.zeros_like(A)
    Z = W
    for it in range(1, max_iter + 1):
        Z, kept = _spectral_projection(W - U + A / rho, K, n_eig)
        n_eig = kept + K + 1
        relaxed = alpha * Z + (1 - alpha) * W
        W_old = W
        W = np.maximum(relaxed + U, 0.0)
        U += relaxed - W
        primal = np.linalg.norm(Z - W)
        dual = rho * np.linalg.norm(W - W_old)
        scale_p = max(np.linalg.norm(Z), np.linalg.norm(W))
        scale_d = rho * max(np.linalg.norm(U), 1e-12)
        if verbose and it % 100 == 0:
            print(
                f"[SDPKMeans admm] iteration {it}: primal {primal / scale_p:.2e}, "
                f"dual {dual / scale_d:.2e}"
            )
        unexplained = min(1.0, max(1e-3, 1.0 - float(np.vdot(A, Z)) / total))
        if primal <= tol * unexplained * scale_p and dual <= tol * unexplained * scale_d:
            return Z, it, True
    return Z, max_iter, False


def _psd_trace_projection(M):
    """Projection of a symmetric M onto {Z PSD, tr Z = 1}: eigenvalues onto the simplex."""
    vals, vecs = np.linalg.eigh(M)
    lam = _simplex_projection(vals, 1.0)
    keep = lam > 0
    return (vecs[:, keep] * lam[keep]) @ vecs[:, keep].T


def lifted_costs(Xw, q, offsets):
    """The dense costs ``C_k[i, j] = (q_k[i] + q_k[j]) / 2 - <Xw_k[i], Xw_k[j]> + offset_k``
    of iLA-SDP's SDP (small n), shifted so that the smallest is 0: a constant added to every
    ``C_k`` adds it n times to every feasible point (``sum_k Z_k 1 = 1``)."""
    C = (q[:, :, None] + q[:, None, :]) / 2 - Xw @ Xw.transpose(0, 2, 1)
    C += offsets[:, None, None]
    return C - C.min()


def solve_admm_lifted(C, *, tol=1e-5, max_iter=20_000, verbose=0):
    """Exact ADMM for the lifted SDP of iLA-SDP (small n: K eigendecompositions a step).

    ``min sum_k <C_k, Z_k>`` over ``Z_k`` PSD with ``tr Z_k = 1`` (projection: eigenvalues
    onto the simplex), ``W_k >= 0`` with ``sum_k W_k 1 = 1`` (projection: each row of the
    side-by-side ``[W_1 ... W_K]`` onto the simplex) and ``Z_k = W_k``; scaled dual,
    over-relaxed (alpha = 1.6), penalty ``max_k ||C_k||_2`` over the solution's scale.
    Stops when the primal and dual residuals, relative to the iterates, fall below
    ``tol``. Returns the ``Z_k`` (K, n, n), the iterations and whether the rule stopped it.
    """
    K, n, _ = C.shape
    rho = max(max(np.linalg.norm(c, 2) for c in C) * math.sqrt(K / n), 1e-12)
    alpha = 1.6
    W = np.full((K, n, n), 1.0 / (K * n))
    U = np.zeros_like(W)
    Z = W.copy()
    for it in range(1, max_iter + 1):
        for k in range(K):
            V = W[k] - U[k] - C[k] / rho
            Z[k] = _psd_trace_projection((V + V.T) / 2)
        relaxed = alpha * Z + (1 - alpha) * W
        W_old = W
        side_by_side = (relaxed + U).transpose(1, 0, 2).reshape(n, K * n)
        W = _simplex_projection(side_by_side, 1.0).reshape(n, K, n).transpose(1, 0, 2)
        U += relaxed - W
        primal = np.linalg.norm(Z - W) / max(np.linalg.norm(Z), np.linalg.norm(W))
        dual = np.linalg.norm(W - W_old) / max(np.linalg.norm(U), 1e-12)
        if verbose and it % 100 == 0:
            print(
                f"[LikelihoodAdjustedSDP admm] iteration {it}: primal {primal:.2e}, "
                f"dual {dual:.2e}"
            )
        if primal <= tol and dual <= tol:
            return Z, it, True
    return Z, max_iter, False


def _project_u(V, K):
    """Projection onto {U >= 0, ||U||_F^2 = K}."""
    V = np.maximum(V, 0.0)
    norm = np.linalg.norm(V)
    if norm == 0:  # every entry clipped: restart from the flattest feasible point
        return np.full(V.shape, math.sqrt(K / V.size))
    return V * (math.sqrt(K) / norm)


def partition_factor(labels, K, rank, random_state):
    """A feasible low-rank start: ``U[:, k] = 1_{G_k} / sqrt(|G_k|)`` (so ``U U^T`` is the
    partition's normalised membership matrix), the spare columns small and positive so that
    they can grow, scaled back to ``||U||_F^2 = K``."""
    n = len(labels)
    rng = check_random_state(random_state)
    U = np.zeros((n, rank))
    sizes = np.bincount(labels, minlength=K).astype(float)
    U[np.arange(n), labels] = 1.0 / np.sqrt(np.maximum(sizes[labels], 1.0))
    U += 0.01 * rng.random_sample((n, rank)) / math.sqrt(n)
    return _project_u(U, K)


def solve_nlr(
    Xw,
    q,
    offsets,
    U0,
    target,
    *,
    beta=1.0,
    tol=1e-5,
    inner_tol=1e-3,
    max_iter=50_000,
    y0=None,
    verbose=0,
    name="SDPKMeans",
):
    """Nonnegative low-rank augmented Lagrangian (NLR): ``Z_b = U_b U_b^T``, ``U_b >= 0``.

    Minimises ``sum_b <C_b, U_b U_b^T>`` (costs given by factors, see
    ``_backend.nlr_step``) subject to ``sum_b U_b U_b^T 1 = 1``; ``{U_b >= 0,
    ||U_b||_F^2 = target_b}`` is kept exactly by projection (so every ``Z_b`` is PSD,
    nonnegative and of trace ``target_b``) and the row sums go into the augmented
    Lagrangian with multiplier y and penalty ``beta`` (on data scaled to unit mean squared
    norm). Steps of size one over the gradient's Lipschitz bound (instead of the authors'
    fixed constant, which depends on the data's scale); the multiplier moves once a step
    changes U by less than ``inner_tol``; stop when that change and
    ``||sum_b U_b U_b^T 1 - 1|| / sqrt(n)`` are both below ``tol``. O(n B d r) per step:
    no n x n array. For SDP k-means B = 1, ``C = -X X^T`` and ``target = K`` (Zhuang, Chen,
    Yang & Zhang, ICLR 2024).

    ``U0`` is the start (see ``partition_factor``): from a k-means partition, a feasible
    point, the iterations fell 5x and more against a random start, whose constraint
    violation the penalty must first remove; beta = 1 took half the iterations of the
    authors' 10 for the same objective. Returns U, y, the iteration count and whether the
    tolerance was met.
    """
    B, n, _ = Xw.shape
    sqrt_n = math.sqrt(n)
    curvature = max(
        np.linalg.eigvalsh(Xw[b].T @ Xw[b])[-1]
        + np.linalg.norm(q[b]) * sqrt_n
        + abs(offsets[b]) * n
        for b in range(B)
    )
    # Costs far above the penalty's scale (iLA-SDP's whitened distances for a tight
    # cluster) left the multiplier oscillating for the whole budget: the problem is solved
    # with the costs divided by `scale` (same minimiser), the multiplier in those units.
    scale = max(1.0, curvature / n)
    if scale > 1.0:
        Xw, q, offsets = Xw / math.sqrt(scale), q / scale, offsets / scale
        curvature /= scale
    step = 1.0 / (2 * curvature + beta * n)
    U = np.array(U0, dtype=np.float64, order="C")
    out = np.empty_like(U)
    y = np.zeros(n) if y0 is None else np.array(y0, dtype=np.float64) / scale
    norm = math.sqrt(float(np.sum(target)))
    dual = False
    for it in range(1, max_iter + 1):
        infeas_sq, change_sq = _backend.nlr_step(
            Xw, q, offsets, U, y, beta=beta, step=step, target=target, dual=dual, out=out
        )
        U, out = out, U
        change, infeas = math.sqrt(change_sq) / norm, math.sqrt(infeas_sq) / sqrt_n
        if verbose and it % 1000 == 0:
            print(f"[{name} lowrank] iteration {it}: step {change:.2e}, infeasible {infeas:.2e}")
        if max(change, infeas) < tol:
            return U, y * scale, it, True
        dual = change < inner_tol
    return U, y * scale, max_iter, False
