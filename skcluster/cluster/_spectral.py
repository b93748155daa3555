"""Affinities and the normalised spectral embedding shared by the spectral methods."""

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.sparse.linalg import eigsh

from .. import _backend

# largest number of rows for which "auto" builds the dense n x n affinity (512 MiB in float64)
MAX_DENSE_ROWS = 8000


def rbf_mst_affinity(X, min_dist, *, affinity="auto", n_neighbors=30):
    """Gaussian affinity ``exp(-d^2 / (2 sigma^2))`` whose width gives the longest edge of the
    minimum spanning tree the affinity ``min_dist``.

    The longest MST edge is the smallest distance that keeps every row connected, so the
    rule adapts the width to the data's scale (Troisemaine et al. 2024). "dense" builds the
    n x n matrix; "knn" keeps each row's ``n_neighbors`` nearest neighbours (symmetrised), and
    the MST of that graph; "auto" is dense up to ``MAX_DENSE_ROWS`` rows.

    Returns
    -------
    A : ndarray or sparse CSR matrix of shape (n, n), zero diagonal
    sigma : float
    """
    n = X.shape[0]
    if affinity == "auto":
        affinity = "dense" if n <= MAX_DENSE_ROWS else "knn"
    if affinity == "dense":
        D2 = np.maximum(_backend.sq_euclidean_distances(X), 0.0).astype(np.float64, copy=False)
        np.fill_diagonal(D2, 0.0)
        tree = minimum_spanning_tree(D2)
    else:
        k = min(n_neighbors, n - 1)
        dist, ind = _backend.kneighbors(X, X, k, exclude_self=True)
        D2 = sparse.csr_matrix(
            (np.asarray(dist, np.float64).ravel(), ind.ravel(), np.arange(0, n * k + 1, k)),
            shape=(n, n),
        )
        D2 = D2.maximum(D2.T).tocsr()
        tree = minimum_spanning_tree(D2)
    longest = float(tree.data.max()) if tree.nnz else 0.0
    if longest <= 0.0:
        raise ValueError("all rows are identical: no affinity scale can be derived from them.")
    two_sigma2 = longest / -np.log(min_dist)
    if affinity == "dense":
        A = np.exp(D2 / -two_sigma2, out=D2)
        np.fill_diagonal(A, 0.0)
    else:
        A = D2.copy()
        A.data = np.exp(A.data / -two_sigma2)
    return A, float(np.sqrt(two_sigma2 / 2.0))


def spectral_embedding(A, n_components, *, skip_first=True):
    """Leading eigenvectors of the symmetric normalised adjacency ``D^-1/2 A D^-1/2`` (the
    smallest of the Laplacian ``I - D^-1/2 A D^-1/2``), without row normalisation.

    Rows without any affinity get degree 1, as in the reference code. The start vector of the
    Lanczos solver is fixed, so the embedding is deterministic (up to each column's sign,
    which no Euclidean clustering sees).
    """
    n = A.shape[0]
    deg = np.asarray(A.sum(axis=1)).ravel()
    deg[deg <= 0] = 1.0
    scale = 1.0 / np.sqrt(deg)
    if sparse.issparse(A):
        M = sparse.diags(scale) @ A @ sparse.diags(scale)
    else:
        M = A * scale[:, None]
        M *= scale[None, :]
    k = n_components + int(skip_first)
    if k >= n:
        raise ValueError(f"n_components={n_components} needs more than {k} rows; got {n}.")
    if n <= 500 and not sparse.issparse(M):
        vals, vecs = np.linalg.eigh(M)
    else:
        v0 = np.random.default_rng(0).uniform(0.5, 1.5, n)
        vals, vecs = eigsh(M, k=k, which="LA", v0=v0, tol=1e-8)
    order = np.argsort(-vals, kind="stable")[:k]
    return vecs[:, order[int(skip_first) :]]
