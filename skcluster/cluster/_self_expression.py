"""What both subspace clusterers build on: the closed-form least-squares self-expression, the
pruned coefficients, their affinity and its spectral partition, and the k-subspaces residual
by which a partition is judged without labels. NumPy or CuPy arrays in."""

import numpy as np
from scipy import sparse

from .. import _backend
from ._network import l2_normalize
from ._spectral import spectral_embedding


def keep_leading(C, k):
    """Sparse CSR copy (SciPy, on the host) of ``C`` with the ``k`` largest-magnitude
    entries of each row.

    Exactly ``k`` entries are kept per row (a tie at the k-th value is broken by the
    partial sort); entries that are exactly zero are dropped. A CuPy ``C`` is pruned on the
    GPU and only the ``n k`` kept entries cross to the host.
    """
    xp = _backend.array_module(C)
    n = C.shape[0]
    k = min(k, n)
    if k < n:
        idx = xp.argpartition(-xp.abs(C), k - 1, axis=1)[:, :k]
    else:
        idx = xp.tile(xp.arange(n), (n, 1))
    values = _backend.to_numpy(xp.take_along_axis(C, idx, axis=1)).ravel()
    rows = np.repeat(np.arange(n), k)
    P = sparse.csr_matrix((values, (rows, _backend.to_numpy(idx).ravel())), shape=C.shape)
    P.eliminate_zeros()
    return P


def subspace_affinity(C_kept):
    """``W = |C| + |C|^T`` after scaling each row of ``C`` by its largest magnitude.

    The row scaling (as in SSC's post-processing) gives every point the same say in the
    graph, whatever the norm of its coefficients.
    """
    A = abs(C_kept).tocsr()
    top = np.asarray(A.max(axis=1).todense()).ravel()
    A = sparse.diags(1.0 / np.where(top > 0, top, 1.0)) @ A
    return (A + A.T).tocsr()


def spectral_labels(W, n_clusters, random_state, n_init=20):
    """Normalised spectral clustering (Ng, Jordan, Weiss): the top ``n_clusters`` eigenvectors
    of ``D^-1/2 W D^-1/2``, rows scaled to unit length, k-means (best of ``n_init``)."""
    if n_clusters == 1:
        return np.zeros(W.shape[0], dtype=np.intp)
    E = spectral_embedding(W, n_clusters, skip_first=False)
    E = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
    _, labels, _ = _backend.kmeans(E, n_clusters, random_state=random_state, n_init=n_init)
    return np.asarray(labels, dtype=np.intp)


def partition(C, n_clusters, subspace_dim, random_state, n_init=20):
    """Prune ``C`` to ``subspace_dim`` coefficients per row, build the affinity and cluster
    it spectrally: ``(kept, affinity, labels)``. The spectral step runs on the host."""
    kept = keep_leading(C, subspace_dim)
    affinity = subspace_affinity(kept)
    return kept, affinity, spectral_labels(affinity, n_clusters, random_state, n_init=n_init)


def subspace_residual(X, labels, subspace_dim):
    """Share of the data that each cluster's own best ``subspace_dim``-dimensional linear
    subspace leaves unexplained: the k-subspaces objective of a fixed partition.

    Each row is first scaled to unit length: whether a point lies on a subspace does not
    depend on its norm, and so every point counts the same (unscaled, a few bright images
    outweigh many dark ones). For cluster ``k`` the residual is the sum of all but the
    ``subspace_dim`` largest eigenvalues of its rows' Gram matrix (the smaller of
    ``X_k X_k^T`` and ``X_k^T X_k``); the total is divided by the number of nonzero rows.
    NumPy or CuPy.
    """
    xp = _backend.array_module(X)
    X, _ = l2_normalize(X)
    labels = xp.asarray(labels)
    total = 0.0
    for k in np.unique(_backend.to_numpy(labels)):
        Xk = X[labels == int(k)]
        G = Xk @ Xk.T if Xk.shape[0] <= Xk.shape[1] else Xk.T @ Xk
        eigenvalues = xp.linalg.eigvalsh(G)  # ascending
        total += float(
            xp.clip(eigenvalues[: max(0, len(eigenvalues) - subspace_dim)], 0, None).sum()
        )
    return total / max(float((X * X).sum()), 1.0)  # the number of nonzero rows


def least_squares_self_expression(X, alpha):
    """Closed-form ``min_C ||X - C X||_F^2 + alpha ||C||_F^2`` subject to ``diag(C) = 0``.

    Row ``i`` expresses ``x_i`` by the other rows. With ``Z = (X X^T + alpha I)^-1`` the
    solution is ``C[i, j] = -Z[i, j] / Z[i, i]`` off the diagonal (LSR, Lu et al., ECCV 2012).
    NumPy or CuPy in, the same out.
    """
    xp = _backend.array_module(X)
    diag = xp.arange(X.shape[0])
    G = X @ X.T
    G[diag, diag] += alpha
    Z = xp.linalg.inv(G)
    C = Z / -xp.diag(Z)[:, None]
    C[diag, diag] = 0.0
    return C


def _mean_sq_norm(X):
    xp = _backend.array_module(X)
    return float(xp.mean(xp.einsum("ij,ij->i", X, X)))
