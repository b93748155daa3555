"""What every skcluster over-sampler shares: neighbours on the backend, vectorised
interpolation, provenance of each synthetic row, blocked distances and the docstring
entries every sampler repeats."""

import re
import textwrap
import warnings
from numbers import Integral

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy
from scipy import sparse
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets

from .. import _backend
from .._backend import available_memory
from ..neighbors import NearestNeighbors
from ..utils._dask import check_dask_array, check_dask_target, is_dask_collection, share
from ..utils.validation import RANDOM_STATE, check_random_state


def neighbors_param():
    """Constraint of a ``k_neighbors``-style parameter: an int or a neighbours object."""
    return [Interval(Integral, 1, None, closed="left"), HasMethods(["kneighbors"])]


# -- shared docstring entries ----------------------------------------------------------

# Entries of the samplers' docstrings written once: a docstring line holding only ``{name}``
# becomes the entry ``name``, indented as that line (``fill_doc``). Like imbalanced-learn's
# ``Substitution``, but only those lines are touched, so the rest of a docstring keeps its
# literal braces (``{"star", "bus"}``) undoubled.
DOC_ENTRIES = {
    "sampling_strategy": """
        sampling_strategy : float, str, dict or callable, default="auto"
            Which classes to over-sample and to how many rows, as in imbalanced-learn.""",
    "random_state": """
        random_state : int, RandomState instance or None, default=None
            Seed of the draws.""",
    "k_neighbors": """
        k_neighbors : int or object, default=5
            Neighbours to interpolate with (see :class:`SMOTE`).""",
    "sampling_strategy_": """
        sampling_strategy_ : dict
            Number of rows to add per class.""",
    "sample_indices_": """
        sample_indices_ : ndarray
            The original rows, which come first in the output.""",
    "provenance_": """
        sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
            Provenance, see :class:`SMOTE`.""",
    "n_features_in_": """
        n_features_in_ : int
            Number of features seen in ``fit_resample``.""",
}

_ENTRY_LINE = re.compile(r"^([ \t]*)\{(\w+)\}[ \t]*$", re.MULTILINE)


def fill_doc(**entries):
    """Class decorator: each docstring line ``{name}`` becomes the entry ``name`` of
    ``DOC_ENTRIES`` (or of ``entries``, a module's own shared entries)."""
    known = {**DOC_ENTRIES, **entries}
    known = {name: textwrap.dedent(text).strip("\n") for name, text in known.items()}

    def decorate(cls):
        if cls.__doc__:
            cls.__doc__ = _ENTRY_LINE.sub(
                lambda m: textwrap.indent(known[m.group(2)], m.group(1)), cls.__doc__
            )
        return cls

    return decorate


# -- helpers ----------------------------------------------------------------------------


def distance_blocks(X, Y, metric="sqeuclidean", temporaries=1):
    """``(rows, D)`` for blocks of the rows of ``X``: ``D`` the distances from ``X[rows]``
    to the rows of ``Y``, squared Euclidean on the backend or any metric of SciPy's
    ``cdist`` (``"cityblock"``: L1), in blocks whose ``temporaries`` arrays the size of
    ``D`` fit in the working memory. The distances of a row do not depend on the blocks."""
    for rows in _backend.row_chunks(X.shape[0], temporaries * Y.shape[0]):
        if metric == "sqeuclidean":
            yield rows, _backend.sq_euclidean_distances(X[rows], Y)
        else:
            yield rows, cdist(X[rows], Y, metric)


def rows_between(X, p0, p1, steps):
    """``X[p0] + steps * (X[p1] - X[p0])`` in X's dtype (steps per row or per feature).

    Sparse X (steps per row) gives sparse rows in X's format: imbalanced-learn's numbers.
    """
    if sparse.issparse(X):
        new = X[p0] + sparse.diags(np.asarray(steps, dtype=np.float64)) @ (X[p1] - X[p0])
        return new.asformat(X.format).astype(X.dtype)
    if X.dtype.kind != "f":  # integer features: NumPy's arithmetic, then back to ints
        return (X[p0] + np.reshape(steps, (len(p0), -1)) * (X[p1] - X[p0])).astype(X.dtype)
    return _backend.interpolate(X, p0, p1, steps)


def _computable(X):
    """X in a dtype the kernels take: float16 (no Numba kernel for it) as float32, given
    back as float16 by fit_resample; bool as float64 (NumPy cannot subtract bools), as
    scikit-learn reads bool features."""
    if X.dtype == np.float16:
        return X.astype(np.float32)
    if X.dtype == bool:
        return X.astype(np.float64)
    return X


def class_label(cls):
    """A class for messages: ``0`` or ``'a'``, not ``np.int64(0)``."""
    return repr(cls.item() if isinstance(cls, np.generic) else cls)


def reject_missing_categories(values, where="X"):
    """Clear error for NaN or infinity among categorical values (numbers or objects)."""
    values = np.asarray(values)
    if values.dtype.kind in "fc":
        bad = not np.isfinite(values).all()
    elif values.dtype == object:
        bad = bool(((values != values) | (values == np.inf) | (values == -np.inf)).any())
    else:
        bad = False
    if bad:
        raise ValueError(
            f"Input X contains NaN or infinity in {where}; encode missing values as a "
            "category of their own first."
        )


def mode_rows(codes):
    """Most frequent value of each row of ``codes`` (n, k); ties go to the smallest (as
    ``scipy.stats.mode``). Works on integer codes with (n, k, k) comparisons, so memory
    does not grow with the number of categories.
    """
    counts = (codes[:, :, None] == codes[:, None, :]).sum(axis=2)
    best = counts == counts.max(axis=1, keepdims=True)
    priority = np.where(best, -codes, np.iinfo(codes.dtype).min)
    return codes[np.arange(codes.shape[0]), priority.argmax(axis=1)]


def _planned_rows(X, plan, start, stop):
    """Rows ``start:stop`` of the synthetic rows planned as (parents, steps) over ``X``."""
    parents, steps = plan
    return rows_between(X, parents[start:stop, 0], parents[start:stop, 1], steps[start:stop])


# imbalanced-learn's names of the fitted neighbours objects
_NEIGHBOR_ATTRIBUTES = {"k_neighbors": "nn_k_", "m_neighbors": "nn_m_", "n_neighbors": "nn_"}

# constraints shared by every over-sampler: imbalanced-learn's strategy and a seed
STRATEGY_AND_SEED = {**BaseOverSampler._parameter_constraints, "random_state": RANDOM_STATE}


class BaseSMOTE(BaseOverSampler):
    """Base of the SMOTE family: interpolation between a row and one of its neighbours.

    After ``fit_resample`` the output holds the original rows first, then the synthetic
    ones, and every synthetic row ``s`` satisfies, up to the dtype's rounding::

        X_res[n + s] == X[p0] + synthetic_steps_[s] * (X[p1] - X[p0])
        with (p0, p1) = synthetic_parents_[s]

    Attributes set by ``fit_resample``: ``sample_indices_`` (rows of ``X`` at the top of
    the output, in order), ``synthetic_parents_`` (n_synthetic, 2) and ``synthetic_steps_``.
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k_neighbors": neighbors_param(),
    }

    # imbalanced-learn's twins work on CSR/CSC rows; the variants on a dense copy (with a
    # warning); sparse out for both
    _accepts_sparse = False

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.sampler_tags.sample_indices = True
        return tags

    def _check_X_y(self, X, y, accept_sparse=None):
        X, y, binarize_y = super()._check_X_y(X, y, accept_sparse=["csr", "csc"])
        return self._dense_if_needed(_computable(X)), y, binarize_y

    def _dense_if_needed(self, X):
        """Sparse X for a sampler that works on dense rows: a dense copy, with
        imbalanced-learn's warning (its SMOTEN does the same), and sparse output later;
        refused when the copy would not fit in memory."""
        if self._accepts_sparse or not sparse.issparse(X):
            return X
        need = X.shape[0] * X.shape[1] * X.dtype.itemsize
        have = available_memory()
        if have is not None and need > 0.5 * have:
            raise ValueError(
                f"{type(self).__name__} works on dense rows and this sparse matrix needs "
                f"{need / 2**30:.1f} GiB dense, but only {have / 2**30:.1f} GiB are "
                "available; use SMOTE, BorderlineSMOTE, SVMSMOTE, ADASYN, KMeansSMOTE or "
                "SMOTENC, which work on sparse rows."
            )
        warnings.warn(
            f"Passing a sparse matrix to {type(self).__name__} is not really efficient since "
            "it is converted to a dense array internally.",
            DataConversionWarning,
            stacklevel=4,
        )
        self._sparse_format = X.format
        return X.toarray()

    # -- dask ---------------------------------------------------------------------------

    def _takes_dask(self):
        """Whether the new rows depend on the over-sampled classes' rows only and lie on
        segments between them (then a dask array can stay in blocks)."""
        return False

    def fit_resample(self, X, y, **params):
        """Resample the data set.

        Parameters
        ----------
        X : {array-like, dataframe, dask array or dask dataframe} of shape \
                (n_samples, n_features)
            Matrix containing the data which have to be sampled.
        y : array-like or dask array of shape (n_samples,)
            Corresponding label for each sample in X.
        **params : dict
            Extra parameters to use by the sampler.

        Returns
        -------
        X_resampled : {array-like, dataframe, dask array or dask dataframe} of shape \
                (n_samples_new, n_features)
            The array containing the resampled data (of the type of ``X``).
        y_resampled : array-like of shape (n_samples_new,)
            The corresponding label of ``X_resampled`` (a dask array for dask ``y``).
        """
        if is_dask_collection(X):
            return self._fit_resample_dask(X, y)
        X_res, y_res = super().fit_resample(X, y, **params)
        if getattr(X, "dtype", None) == np.float16:  # computed in float32 (_computable)
            X_res = X_res.astype(np.float16)
        densified = self.__dict__.pop("_sparse_format", None)
        if densified is not None and isinstance(X_res, np.ndarray):  # sparse in, sparse out
            X_res = sparse.csr_matrix(X_res).asformat(densified)
        return X_res, y_res

    def _fit_resample_dask(self, X, y):
        """Over-sample a dask array without gathering it: the rows of the classes to
        over-sample are gathered (their neighbours are searched in memory, exactly as for a
        NumPy array), and the new rows are made block by block from their parents."""
        import dask
        import dask.array as da

        self._validate_params()
        if not self._takes_dask():
            raise ValueError(
                f"{type(self).__name__} uses rows "
                "of other classes (or makes rows off the segments between rows), so it has "
                "no dask path; use SMOTE, SMOBD or PolynomFitSMOTE(topology='bus' or "
                "'mesh'), or compute X first."
            )
        frame = X if hasattr(X, "columns") else None
        X = check_dask_array(X)
        y_dask, y_in = is_dask_collection(y), y
        y = check_dask_target(y, X.shape[0])
        check_classification_targets(y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        grow = [c for c, k in self.sampling_strategy_.items() if k > 0]
        rows = np.flatnonzero(np.isin(y, grow))
        need = 2 * len(rows) * X.shape[1] * X.dtype.itemsize
        have = available_memory()
        if have is not None and need > 0.8 * have:
            raise ValueError(
                f"the classes to over-sample hold {len(rows)} rows, which need about "
                f"{need / 2**30:.1f} GiB here (they are gathered to search their neighbours) "
                f"but only {have / 2**30:.1f} GiB are available."
            )
        X_sub, y_sub, _ = self._check_X_y(X[rows].compute(), y[rows])
        self._planning = True  # make no rows: record their parents and steps only
        try:
            y_new = self._fit_resample(X_sub, y_sub)[1][len(rows) :]
        finally:
            del self._planning
        self.n_features_in_ = X.shape[1]
        self.sample_indices_ = np.arange(X.shape[0])
        parents, steps = self.synthetic_parents_, self.synthetic_steps_
        self.synthetic_parents_ = rows[parents]

        # the gathered rows and the plan go to the workers once, not inside every task
        source, plan = share(X_sub), share((parents, steps))
        size = max(1, int(np.median(X.chunks[0])))
        pieces = []
        for start in range(0, len(parents), size):
            stop = min(start + size, len(parents))
            block = dask.delayed(_planned_rows)(source, plan, start, stop)
            pieces.append(da.from_delayed(block, (stop - start, X.shape[1]), dtype=X_sub.dtype))
        X_res = da.concatenate([X.astype(X_sub.dtype)] + pieces)
        if y_dask:  # the input's labels stay lazy; only the new ones are added
            if hasattr(y_in, "to_dask_array"):  # a dask series
                y_in = y_in.to_dask_array(lengths=True)
            y_res = da.concatenate([y_in, da.from_array(y_new, chunks=size)])
        else:
            y_res = np.concatenate([y, y_new])
        if frame is not None:
            import dask.dataframe as dd

            X_res = dd.from_dask_array(X_res, columns=list(frame.columns))
        return X_res, y_res

    # -- neighbours ---------------------------------------------------------------------

    def _neighbors(self, param, name, X, fit_rows, query_rows):
        """Neighbours (as rows of ``X``) of the rows ``query_rows`` among the rows ``fit_rows``.

        A query never counts as its own neighbour. ``param`` is an int (neighbours to
        return) or a neighbours object, used as imbalanced-learn uses it: fitted on the set,
        queried, and its first column (the point itself) dropped. The fitted object is
        kept as imbalanced-learn's attribute (``nn_k_``, ``nn_m_``, ``nn_``): for an int, a
        :class:`~skcluster.neighbors.NearestNeighbors` with ``param + 1`` neighbours.
        """
        X_fit = X[fit_rows]
        Q = X[query_rows]
        attribute = _NEIGHBOR_ATTRIBUTES.get(name)
        if isinstance(param, Integral):
            if param > len(fit_rows) - 1:
                raise ValueError(
                    f"{name}={param} needs at least {param + 1} samples to search among, "
                    f"got {len(fit_rows)}; lower {name}."
                )
            if attribute:
                setattr(self, attribute, NearestNeighbors(n_neighbors=param + 1).fit(X_fit))
            position = np.full(X.shape[0], -1, dtype=np.intp)
            position[fit_rows] = np.arange(len(fit_rows))
            _, ind = _backend.kneighbors(Q, X_fit, param, exclude_self=position[query_rows])
        else:
            nn = clone(param).fit(X_fit)
            if nn.n_neighbors > len(fit_rows):
                raise ValueError(
                    f"{name} asks for {nn.n_neighbors} neighbours (itself included) among "
                    f"{len(fit_rows)} samples; lower its n_neighbors."
                )
            if attribute:
                setattr(self, attribute, nn)
            ind = np.asarray(nn.kneighbors(Q, return_distance=False))[:, 1:]
        return fit_rows[ind]

    # -- generation ---------------------------------------------------------------------

    def _start_provenance(self, n_samples):
        self.sample_indices_ = np.arange(n_samples)
        self._parents = []
        self._steps = []

    def _add_synthetic(self, X, p0, p1, steps):
        """Rows ``X[p0] + steps * (X[p1] - X[p0])`` in X's dtype, recorded for provenance."""
        if getattr(self, "_planning", False):  # a dask fit makes the rows block by block
            return self._record(p0, p1, steps, np.empty((0, X.shape[1]), dtype=X.dtype))
        return self._record(p0, p1, steps, rows_between(X, p0, p1, steps))

    def _resample_per_class(self, X, y, make):
        """The loop of the samplers: the new rows of each class to over-sample, stacked
        under the input with their labels.

        ``make(cls, rows, n_samples, rng)`` (``rows``: the class's rows) makes and records
        (``_record``, ``_add_synthetic``) the class's new rows and returns them: an array,
        or a list of arrays (empty for none). Each row recorded gets the label ``cls``.
        """
        self._start_provenance(X.shape[0])
        rng = check_random_state(self.random_state)
        X_new, y_new = [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            recorded = len(self._parents)
            made = make(cls, np.flatnonzero(y == cls), n_samples, rng)
            X_new.extend(made if isinstance(made, list) else [made])
            n_made = sum(len(p) for p in self._parents[recorded:])
            y_new.append(np.full(n_made, cls, dtype=y.dtype))
        return self._finish(X, y, X_new, y_new)

    def _resample_on_segments(self, X, y, draw):
        """The loop of the samplers whose new rows lie on segments between rows.

        ``draw(cls, rows, n_samples, rng)`` gives, for one class to over-sample (``rows``:
        its rows), the parents ``p0``, ``p1`` and the steps of its new rows; the rows are
        made, recorded for provenance and stacked under the input.
        """

        def make(cls, rows, n_samples, rng):
            return self._add_synthetic(X, *draw(cls, rows, n_samples, rng))

        return self._resample_per_class(X, y, make)

    def _record(self, p0, p1, steps, X_new):
        """Record the provenance of new rows already made; returns them."""
        self._parents.append(np.column_stack([p0, p1]))
        self._steps.append(steps)
        return X_new

    def _finish(self, X, y, X_new, y_new):
        parents = self._parents or [np.empty((0, 2), dtype=np.intp)]
        self.synthetic_parents_ = np.vstack(parents).astype(np.intp)
        self.synthetic_steps_ = np.concatenate(self._steps) if self._steps else np.empty(0)
        del self._parents, self._steps
        if sparse.issparse(X):
            return sparse.vstack([X] + X_new, format=X.format), np.hstack([y] + y_new)
        return np.vstack([X] + X_new), np.hstack([y] + y_new)

    def _draw(self, n_rows, k, n_samples, step_size=1.0):
        """SMOTE's draw: a random (row, neighbour column) pair and a step for each new row.

        The numbers are drawn in imbalanced-learn's order from a generator made afresh
        from ``random_state`` (as imbalanced-learn does), so with the same neighbours the
        output is the same as imbalanced-learn's.
        """
        rng = check_random_state(self.random_state)
        flat = rng.randint(low=0, high=n_rows * k, size=n_samples)
        steps = step_size * rng.uniform(size=n_samples)
        rows, cols = np.divmod(flat, k)
        return rows, cols, steps

    def _interpolate(self, X, base_rows, neighbors, n_samples, step_size=1.0, y=None, cls=None):
        """New rows between ``base_rows`` and their ``neighbors`` (rows of X), SMOTE's way.

        With ``y`` (borderline-2), a step towards a neighbour of another class is shortened
        by a factor in [0, 0.5).
        """
        rows, cols, steps = self._draw(len(base_rows), neighbors.shape[1], n_samples, step_size)
        p0 = base_rows[rows]
        p1 = neighbors[rows, cols]
        if y is not None:
            other = y[p1] != cls
            rng = check_random_state(self.random_state)
            steps[other] *= rng.uniform(low=0.0, high=0.5, size=int(other.sum()))
        return self._add_synthetic(X, p0, p1, steps)
