"""NearestNeighbors: exact brute-force search with scikit-learn's interface."""

from contextlib import contextmanager
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .. import _backend
from ..utils._dask import check_dask_array, is_dask_collection
from ..utils.validation import check_X


class NearestNeighbors(BaseEstimator):
    """Exact nearest neighbours by brute force on skcluster's CPU/GPU backend.

    A drop-in for :class:`sklearn.neighbors.NearestNeighbors` with the Euclidean metric:
    the same ``fit`` / ``kneighbors`` / ``kneighbors_graph`` signatures and the same
    neighbours (up to ties). It is also accepted wherever imbalanced-learn takes a
    neighbours object (``SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6))``).

    Candidates come from blocked float32 matrix products (the "GEMM trick", on data centred
    at the fitted set's mean), their distances are then computed exactly, and a rounding
    bound certifies each query's answer; the rare uncertified queries are searched again in
    float64 and, failing that, by direct differences. The neighbours and distances are
    therefore exact, for float64 input at float32 speed. Ties are broken towards the lower
    index of the fitted set. SciPy sparse rows are searched with sparse products (float64
    formula, then exact distances and the same certificate), one block of dense distances
    at a time. CuPy arrays are searched on the GPU and give CuPy arrays.
    Threads: ``numba.get_num_threads()``; memory per call is bounded by
    ``skcluster.config_context(working_memory=...)``.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours returned by :meth:`kneighbors` when not given there.
    metric : {"euclidean", "sqeuclidean"}, default="euclidean"
        Distance reported by :meth:`kneighbors` (both give the same neighbours).
    n_jobs : int, default=None
        Threads for the search: ``None`` uses ``numba.get_num_threads()`` (all cores
        unless ``NUMBA_NUM_THREADS`` says otherwise), ``-1`` all cores, a positive number
        at most that many. The result does not depend on it.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column names.
    n_samples_fit_ : int
        Number of rows in the fitted set.
    effective_metric_ : str
        The metric used, as in scikit-learn.

    See Also
    --------
    sklearn.neighbors.NearestNeighbors : tree-based and brute-force search, many metrics.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.neighbors import NearestNeighbors
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [5.0, 5.0]])
    >>> nn = NearestNeighbors(n_neighbors=2).fit(X)
    >>> dist, ind = nn.kneighbors([[0.2, 0.1]])
    >>> ind
    array([[0, 1]])
    >>> nn.kneighbors(return_distance=False)  # each point without itself
    array([[1, 2],
           [0, 2],
           [0, 1],
           [2, 1]])
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "metric": [StrOptions({"euclidean", "sqeuclidean"})],
        "n_jobs": [Integral, None],
    }

    def __init__(self, n_neighbors=5, *, metric="euclidean", n_jobs=None):
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR rows are searched by sparse products
        return tags

    def fit(self, X, y=None):
        """Store the set to search.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The fitted set (NumPy-like, SciPy sparse or CuPy).
        y : Ignored
            Present for API consistency.

        Returns
        -------
        self : NearestNeighbors
            The fitted estimator.
        """
        self._validate_params()
        self._fit_X = check_X(self, X, reset=True, accept_sparse="csr")
        self.n_samples_fit_ = self._fit_X.shape[0]
        self.effective_metric_ = self.metric
        return self

    def _query(self, X, n_neighbors, squared=True):
        check_is_fitted(self)
        if n_neighbors is None:
            n_neighbors = self.n_neighbors
        elif (
            isinstance(n_neighbors, bool)
            or not isinstance(n_neighbors, Integral)
            or n_neighbors < 1
        ):
            raise ValueError(f"n_neighbors must be a positive integer, got {n_neighbors!r}.")
        exclude_self = X is None
        Q = self._fit_X if exclude_self else check_X(self, X, reset=False, accept_sparse="csr")
        available = self.n_samples_fit_ - exclude_self
        if n_neighbors > available:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit{' - 1' if exclude_self else ''}, "
                f"but n_neighbors = {n_neighbors}, n_samples_fit = {self.n_samples_fit_}, "
                f"n_samples = {Q.shape[0]}."
            )
        fit_X = self._fit_X
        if _backend.is_cupy_array(fit_X) != _backend.is_cupy_array(Q):
            # (a SciPy sparse query against a dense fitted set, or the reverse, is searched
            # as sparse rows on the CPU)
            raise TypeError("query and fitted set must both be NumPy or both be CuPy arrays.")
        with _threads(self.n_jobs):
            return _backend.kneighbors(
                Q, fit_X, n_neighbors, exclude_self=exclude_self, squared=squared
            )

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """Find the nearest neighbours of each query row.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), default=None
            Query rows. ``None`` queries the fitted set, each row excluded from its own
            neighbours.
        n_neighbors : int, default=None
            Neighbours per query; ``None`` uses the constructor's value.
        return_distance : bool, default=True
            Whether to return the distances too.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors)
            Distances (``metric``), ascending per row; only when ``return_distance``.
        neigh_ind : ndarray of shape (n_queries, n_neighbors)
            Indices of the neighbours in the fitted set.
        """
        if is_dask_collection(X):
            return self._kneighbors_dask(X, n_neighbors, return_distance)
        dist, ind = self._query(X, n_neighbors, squared=self.metric != "euclidean")
        return (dist, ind) if return_distance else ind

    def _kneighbors_dask(self, X, n_neighbors, return_distance):
        """Query block by block (the fitted set in memory); dask arrays out."""
        import dask
        import dask.array as da

        check_is_fitted(self)
        X = check_dask_array(X, n_features=self.n_features_in_, estimator=self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        self._query(self._fit_X[:1], k)  # checks n_neighbors before anything is computed
        search = dask.delayed(self.kneighbors, nout=2)
        dist, ind = [], []
        for block, m in zip(X.to_delayed().ravel(), X.chunks[0], strict=True):
            d, i = search(block, k)
            dist.append(da.from_delayed(d, (m, k), dtype=self._fit_X.dtype))
            ind.append(da.from_delayed(i, (m, k), dtype=np.intp))
        ind = da.concatenate(ind)
        return (da.concatenate(dist), ind) if return_distance else ind

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        """Sparse graph of each query's nearest neighbours.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), default=None
            Query rows; ``None`` queries the fitted set without self-neighbours.
        n_neighbors : int, default=None
            Neighbours per query; ``None`` uses the constructor's value.
        mode : {"connectivity", "distance"}, default="connectivity"
            Ones, or the distances (``metric``), as the stored values.

        Returns
        -------
        A : sparse matrix of shape (n_queries, n_samples_fit)
            CSR; a CuPy sparse matrix for CuPy input.
        """
        if mode not in ("connectivity", "distance"):
            raise ValueError(f"mode must be 'connectivity' or 'distance', got {mode!r}.")
        dist, ind = self.kneighbors(X, n_neighbors, return_distance=True)
        if is_dask_collection(ind):  # the graph (k entries per query) is built in memory
            import dask

            dist, ind = dask.compute(dist, ind)
        n_queries, k = ind.shape
        if isinstance(ind, np.ndarray):
            data = np.ones(n_queries * k) if mode == "connectivity" else dist.ravel()
            indptr = np.arange(0, n_queries * k + 1, k)
            return sparse.csr_matrix(
                (data, ind.ravel(), indptr), shape=(n_queries, self.n_samples_fit_)
            )
        cp = _cupy()
        from cupyx.scipy import sparse as cpsparse

        data = cp.ones(n_queries * k) if mode == "connectivity" else dist.ravel()
        indptr = cp.arange(0, n_queries * k + 1, k)
        return cpsparse.csr_matrix(
            (data, ind.ravel(), indptr), shape=(n_queries, self.n_samples_fit_)
        )


@contextmanager
def _threads(n_jobs):
    """Numba's thread count set from ``n_jobs`` for the duration of a search."""
    if n_jobs is None:
        yield
        return
    import numba

    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a positive number.")
    top = numba.config.NUMBA_NUM_THREADS
    wanted = top if n_jobs < 0 else min(n_jobs, top)
    previous = numba.get_num_threads()
    numba.set_num_threads(wanted)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _cupy():
    import cupy

    return cupy
