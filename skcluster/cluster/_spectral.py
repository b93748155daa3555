"""Affinities and the normalised spectral embedding shared by the spectral methods."""

import numpy as np
import scipy.linalg
from scipy import sparse
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.sparse.linalg import eigsh

from .. import _backend

# largest number of rows for which "auto" builds the dense n x n affinity (512 MiB in float64)
MAX_DENSE_ROWS = 8000
# largest number of rows for which the spectral embedding uses a dense eigensolver
MAX_DENSE_EIGH_ROWS = 5000


def rbf_mst_affinity(X, min_dist, *, affinity="auto", n_neighbors=30):
    """Gaussian affinity ``exp(-d^2 / (2 sigma^2))`` whose width gives the longest edge of the
    minimum spanning tree the affinity ``min_dist``.

    The longest MST edge is the smallest distance that keeps every row connected, so the
    rule adapts the width to the data's scale (Troisemaine et al. 2024). "dense" builds the
    n x n matrix; "knn" keeps each row's ``n_neighbors`` nearest neighbours (symmetrised) and
    takes the longest edge of that graph's spanning forest or, when the graph falls apart, the
    longest of each part's shortest link to the other parts, if longer (one Boruvka step: the
    dense rule's value when the parts are few); "auto" is dense up to ``MAX_DENSE_ROWS`` rows.

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
        longest = _longest_mst_edge(D2)
        two_sigma2 = _two_sigma2(longest, min_dist)
        A = np.exp(D2 / -two_sigma2, out=D2)
        np.fill_diagonal(A, 0.0)
        return A, float(np.sqrt(two_sigma2 / 2.0))
    k = min(n_neighbors, n - 1)
    dist, ind = _backend.kneighbors(X, X, k, exclude_self=True)
    dist = np.asarray(dist, np.float64).ravel()
    indptr = np.arange(0, n * k + 1, k)
    # duplicates sit at distance 0, which sparse matrices drop: keep them as tiny edges
    G = sparse.csr_matrix((np.maximum(dist, np.finfo(float).tiny), ind.ravel(), indptr), (n, n))
    G = G.maximum(G.T).tocsr()
    longest = _longest_mst_edge(G)
    n_parts, part = connected_components(G, directed=False)
    if n_parts > 1:  # the dense rule's tree also crosses between the parts
        for c in range(n_parts):
            inside = part == c
            bridge, _ = _backend.kneighbors(X[inside], X[~inside], 1)
            longest = max(longest, float(np.min(bridge)))
    two_sigma2 = _two_sigma2(longest, min_dist)
    A = G.copy()
    A.data = np.exp(A.data / -two_sigma2)
    return A, float(np.sqrt(two_sigma2 / 2.0))


def knn_connectivity(X, n_neighbors):
    """0/1 graph of each row's ``n_neighbors`` nearest neighbours, symmetrised as
    ``(A + A^T) / 2`` (scikit-learn's ``SpectralClustering(affinity="nearest_neighbors")``,
    without the self-loops). Sparse CSR, shape (n, n)."""
    n = X.shape[0]
    k = min(n_neighbors, n - 1)
    _, ind = _backend.kneighbors(X, X, k, exclude_self=True)
    A = sparse.csr_matrix((np.ones(n * k), ind.ravel(), np.arange(0, n * k + 1, k)), (n, n))
    return ((A + A.T) * 0.5).tocsr()


def _longest_mst_edge(D2):
    tree = minimum_spanning_tree(D2)
    return float(tree.data.max()) if tree.nnz else 0.0


def _two_sigma2(longest, min_dist):
    if longest <= 0.0:
        raise ValueError("all rows are identical: no affinity scale can be derived from them.")
    return longest / -np.log(min_dist)


def spectral_embedding(A, n_components, *, skip_first=True, random_walk=False):
    """Leading eigenvectors of the symmetric normalised adjacency ``D^-1/2 A D^-1/2`` (the
    smallest of the Laplacian ``I - D^-1/2 A D^-1/2``), without row normalisation.

    ``random_walk`` divides each row by the square root of its degree: the eigenvectors of
    the random-walk Laplacian ``I - D^-1 A``, as scikit-learn's spectral clustering embeds
    (its first column is then constant, so it may be kept).

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
    elif n <= MAX_DENSE_EIGH_ROWS:
        # LAPACK's partial solver: Lanczos (eigsh) can miss copies of a repeated eigenvalue,
        # and a graph of c separate parts has eigenvalue 1 c times
        Md = M.toarray() if sparse.issparse(M) else M
        vals, vecs = scipy.linalg.eigh(Md, subset_by_index=[n - k, n - 1], driver="evr")
    else:
        v0 = np.random.default_rng(0).uniform(0.5, 1.5, n)
        vals, vecs = eigsh(M, k=k, which="LA", v0=v0, tol=1e-8)
    order = np.argsort(-vals, kind="stable")[:k]
    E = vecs[:, order[int(skip_first) :]]
    return E * scale[:, None] if random_walk else E
