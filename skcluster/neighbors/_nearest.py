"""NearestNeighbors: exact brute-force search with scikit-learn's interface."""

from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .. import _backend
from .._backend import row_chunks
from ..utils._dask import check_dask_array, is_dask_collection
from ..utils.validation import check_X, float_dtype


class NearestNeighbors(BaseEstimator):
    """Exact nearest neighbours by brute force on skcluster's CPU/GPU backend.

    A drop-in for :class:`sklearn.neighbors.NearestNeighbors` with the Euclidean metric:
    the same ``fit`` / ``kneighbors`` / ``kneighbors_graph`` / ``radius_neighbors`` /
    ``radius_neighbors_graph`` signatures and the same neighbours (up to ties). It is also
    accepted wherever imbalanced-learn takes a neighbours object
    (``SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6))``).

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
    radius : float, default=1.0
        Range searched by :meth:`radius_neighbors` when not given there (in the units of
        ``metric``: a squared distance for "sqeuclidean", as in scikit-learn).
    metric : {"euclidean", "sqeuclidean", "minkowski", "l2"}, default="euclidean"
        Distance reported (all give the same neighbours). "minkowski" (scikit-learn's
        default) is taken with ``p=2`` only, and like "l2" is the Euclidean distance.
    p : float, default=2
        The Minkowski power; only 2 (Euclidean) is searched, anything else is refused.
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
        The metric used, as in scikit-learn ("euclidean" for "minkowski" with ``p=2``).

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
    >>> dist, ind = nn.radius_neighbors([[0.2, 0.1]], radius=1.5)
    >>> ind[0], dist[0].round(3)
    (array([0, 1]), array([0.224, 0.806]))
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "radius": [Interval(Real, 0, None, closed="left")],
        "metric": [StrOptions({"euclidean", "sqeuclidean", "minkowski", "l2"})],
        "p": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, n_neighbors=5, radius=1.0, *, metric="euclidean", p=2, n_jobs=None):
        self.n_neighbors = n_neighbors
        self.radius = radius
        self.metric = metric
        self.p = p
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR rows are searched by sparse products
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
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
        # validated here too: as a sampler's k_neighbors, the sampler's fit_resample
        # skips the validation of nested estimators
        self._validate_params()
        if self.metric == "minkowski" and self.p != 2:
            raise ValueError(
                f"metric='minkowski' is searched with p=2 (Euclidean) only, got p={self.p}; "
                "use sklearn.neighbors.NearestNeighbors for other powers."
            )
        self._fit_X = check_X(self, X, reset=True, accept_sparse="csr")
        self.n_samples_fit_ = self._fit_X.shape[0]
        self.effective_metric_ = "sqeuclidean" if self.metric == "sqeuclidean" else "euclidean"
        return self

    @property
    def _squared(self):
        return self.metric == "sqeuclidean"

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
        dist, ind = self._query(X, n_neighbors, squared=self._squared)
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

    def radius_neighbors(self, X=None, radius=None, return_distance=True, sort_results=False):
        """Find the fitted rows within ``radius`` of each query row.

        Exact: candidates from blocked squared distances with a rounding margin, then
        their distances computed directly from the differences.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_queries, n_features), default=None
            Query rows. ``None`` queries the fitted set, each row excluded from its own
            neighbours.
        radius : float, default=None
            Range (in the units of ``metric``); ``None`` uses the constructor's value.
        return_distance : bool, default=True
            Whether to return the distances too.
        sort_results : bool, default=False
            Neighbours by increasing distance (ties to the lower index); otherwise in the
            order of the fitted set. Needs ``return_distance=True``, as in scikit-learn.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries,) of arrays
            Distances of each query's neighbours; only when ``return_distance``.
        neigh_ind : ndarray of shape (n_queries,) of arrays
            Indices of each query's neighbours in the fitted set (NumPy arrays, also for
            CuPy input).
        """
        check_is_fitted(self)
        radius = self.radius if radius is None else radius
        if isinstance(radius, bool) or not isinstance(radius, Real) or not radius >= 0:
            raise ValueError(f"radius must be a non-negative number, got {radius!r}.")
        if not np.isfinite(radius):
            raise ValueError(f"radius must be finite, got {radius!r}.")
        if sort_results and not return_distance:
            raise ValueError("return_distance must be True if sort_results is True.")
        exclude_self = X is None
        Q = self._fit_X if exclude_self else check_X(self, X, reset=False, accept_sparse="csr")
        F = self._fit_X
        if _backend.is_cupy_array(F) != _backend.is_cupy_array(Q):
            raise TypeError("query and fitted set must both be NumPy or both be CuPy arrays.")
        r2 = float(radius) if self._squared else float(radius) ** 2
        # dense rows centred at the fitted set's mean: the products then lose little
        on_sparse = sparse.issparse(F) or sparse.issparse(Q)
        xp = np if on_sparse else _backend.array_module(F)
        centre = 0.0 if on_sparse else F.mean(axis=0)
        Fc = F if on_sparse else F - centre
        norms = _squared_norms(Fc)
        out_dtype = float_dtype(F.dtype)  # as kneighbors
        dist, ind = [], []
        for rows in row_chunks(Q.shape[0], 2 * self.n_samples_fit_):
            block = Q[rows]
            Bc = block if on_sparse else block - centre
            with _threads(self.n_jobs):
                D = _backend.sq_euclidean_distances(Bc, Fc)
            # a rounding margin (the products lose up to eps (|q|^2 + |f|^2) per entry),
            # then the candidates' distances from the differences of the rows themselves
            slack = 1e-6 * (_squared_norms(Bc)[:, None] + norms[None, :])
            i, j = xp.nonzero(D <= r2 + slack)
            if exclude_self:
                keep = i + rows.start != j
                i, j = i[keep], j[keep]
            exact = _row_distances(block, F, _backend.to_numpy(i), _backend.to_numpy(j))
            within = exact <= r2
            i, j, exact = _backend.to_numpy(i)[within], _backend.to_numpy(j)[within], exact[within]
            cuts = np.searchsorted(i, np.arange(1, block.shape[0]))
            for d_row, j_row in zip(np.split(exact, cuts), np.split(j, cuts), strict=True):
                if sort_results:
                    order = np.lexsort((j_row, d_row))
                    d_row, j_row = d_row[order], j_row[order]
                dist.append((d_row if self._squared else np.sqrt(d_row)).astype(out_dtype))
                ind.append(j_row.astype(np.intp))
        neigh_ind = _object_array(ind)
        return (_object_array(dist), neigh_ind) if return_distance else neigh_ind

    def radius_neighbors_graph(self, X=None, radius=None, mode="connectivity", sort_results=False):
        """Sparse graph of the fitted rows within ``radius`` of each query row.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_queries, n_features), default=None
            Query rows; ``None`` queries the fitted set without self-neighbours.
        radius : float, default=None
            Range; ``None`` uses the constructor's value.
        mode : {"connectivity", "distance"}, default="connectivity"
            Ones, or the distances (``metric``), as the stored values.
        sort_results : bool, default=False
            Each row's entries by increasing distance (``mode="distance"`` only).

        Returns
        -------
        A : scipy.sparse.csr_matrix of shape (n_queries, n_samples_fit)
        """
        if mode not in ("connectivity", "distance"):
            raise ValueError(f"mode must be 'connectivity' or 'distance', got {mode!r}.")
        dist, ind = self.radius_neighbors(
            X, radius, return_distance=True, sort_results=sort_results and mode == "distance"
        )
        counts = np.array([len(row) for row in ind], dtype=np.intp)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        cols = np.concatenate([*ind, np.empty(0, np.intp)])
        data = np.concatenate([*dist, np.empty(0)]) if mode == "distance" else np.ones(len(cols))
        return sparse.csr_matrix((data, cols, indptr), shape=(len(ind), self.n_samples_fit_))


def _squared_norms(A):
    if sparse.issparse(A):
        return np.asarray(A.multiply(A).sum(axis=1)).ravel()
    return (A * A).sum(axis=1)


def _row_distances(Q, F, i, j):
    """Squared distances ``|Q[i] - F[j]|^2`` from the differences, in float64 on the host."""
    out = np.empty(len(i))
    for sl in row_chunks(len(i), Q.shape[1]):
        diff = Q[i[sl]] - F[j[sl]]
        if sparse.issparse(diff):
            out[sl] = np.asarray(diff.multiply(diff).sum(axis=1)).ravel()
        else:
            diff = _backend.to_numpy(diff).astype(np.float64, copy=False)
            out[sl] = np.einsum("ij,ij->i", diff, diff)
    return out


def _object_array(rows):
    out = np.empty(len(rows), dtype=object)
    out[:] = rows
    return out


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
