"""SMOTE-NC: SMOTE for data with continuous and categorical features."""

import math

import numpy as np
from imblearn.utils import check_target_type
from imblearn.utils._validation import _check_X
from scipy import sparse
from sklearn.base import clone
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import _safe_indexing, check_array
from sklearn.utils._indexing import _get_column_indices
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import check_consistent_length, validate_data

from .. import _backend
from ..utils.validation import check_random_state
from ._base import _computable, fill_doc, reject_missing_categories
from ._smote import SMOTE


def _is_dataframe(X):
    return hasattr(X, "dtypes") and hasattr(X, "columns")


def _vote(codes, neighbors, n_categories, value, rng):
    """imbalanced-learn's categorical vote, its random numbers included.

    Each new row takes, per feature, the category with the largest summed one-hot value
    (``value`` per neighbour) among its ``neighbors``; ties (``np.isclose``) go to the
    first of the tied (row, category) pairs in a random permutation of all of them, one
    permutation per feature from ``rng``, in feature order. The counts are made block by
    block (never the n_new x k x n_one_hot array).
    """
    n_new = neighbors.shape[0]
    out = np.empty((n_new, codes.shape[1]), dtype=np.intp)
    for j, n_cat in enumerate(n_categories):
        rows = max(1, 2**22 // max(n_cat, 1))
        pairs = []
        for start in range(0, n_new, rows):
            block = neighbors[start : start + rows]
            cells = np.arange(block.shape[0])[:, None] * n_cat + codes[block, j]
            counts = np.bincount(cells.ravel(), minlength=block.shape[0] * n_cat)
            scores = counts.reshape(block.shape[0], n_cat) * value
            tied = np.argwhere(np.isclose(scores, scores.max(axis=1, keepdims=True)))
            tied[:, 0] += start
            pairs.append(tied)
        pairs = rng.permutation(np.vstack(pairs))
        first_rows, first = np.unique(pairs[:, 0], return_index=True)
        out[first_rows, j] = pairs[first, 1]
    return out


@fill_doc()
class SMOTENC(SMOTE):
    """SMOTE-NC (Chawla et al., 2002): SMOTE for mixed continuous and categorical features.

    Neighbours are found with the Euclidean distance on the continuous features plus, for
    each categorical feature that differs, the class's median standard deviation of the
    continuous features (the paper's rule, as imbalanced-learn applies it: one-hot columns
    set to that median over sqrt(2)). Continuous features are interpolated as in SMOTE;
    each categorical feature takes the value most frequent among the row's ``k_neighbors``
    neighbours, ties broken at random.

    Same parameters, attributes and, for the same seed, rows as
    :class:`imblearn.over_sampling.SMOTENC`, tie-breaks of the categorical vote included
    (the same random numbers). Unlike imbalanced-learn it never builds the dense
    (n_new x k_neighbors x n_one_hot_columns) array: the vote counts integer codes block by
    block. The neighbour search one-hot encodes the categories of one class at a time
    (dense float for dense X), so the number of categories sets its memory. CSR/CSC input
    gives CSR output.

    Parameters
    ----------
    categorical_features : "auto" or array-like of int, str or bool
        Which columns are categorical: indices, names (DataFrame), a boolean mask, or
        ``"auto"`` for the ``category`` dtype columns of a pandas DataFrame.
    categorical_encoder : estimator, default=None
        One-hot encoder of the categorical columns (one column per category);
        ``None`` means ``OneHotEncoder(handle_unknown="ignore")`` in the continuous
        features' dtype.
    {sampling_strategy}
    {random_state}
    k_neighbors : int or object, default=5
        Neighbours to interpolate with and to vote the categories.

    Attributes
    ----------
    categorical_features_ : ndarray of int
        Indices of the categorical columns, in the order given.
    continuous_features_ : ndarray of int
        Indices of the continuous columns.
    categorical_encoder_ : estimator
        The fitted one-hot encoder.
    median_std_ : dict
        Per over-sampled class, the median standard deviation of its continuous features.
    nn_k_ : estimator
        The neighbours object fitted on the last over-sampled class's encoded rows.
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance of the continuous part, see :class:`SMOTE`.
    n_features_ : int
        Number of features of ``X`` (imbalanced-learn's name).
    {n_features_in_}

    See Also
    --------
    imblearn.over_sampling.SMOTENC : the reference implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.over_sampling import SMOTENC
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([rng.normal(size=300), rng.integers(0, 3, 300), rng.normal(size=300)])
    >>> y = (np.arange(300) < 30).astype(int)
    >>> X_res, y_res = SMOTENC(categorical_features=[1], random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [270, 270]
    >>> sorted(set(X_res[:, 1].tolist()))  # only categories that exist
    [0.0, 1.0, 2.0]
    """

    _required_parameters = ["categorical_features"]
    _accepts_sparse = True

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_features": ["array-like", StrOptions({"auto"})],
        "categorical_encoder": [HasMethods(["fit_transform", "inverse_transform"]), None],
    }

    def __init__(
        self,
        categorical_features,
        *,
        categorical_encoder=None,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.categorical_features = categorical_features
        self.categorical_encoder = categorical_encoder

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags

    def _takes_dask(self):
        return False  # the categorical features are not interpolated

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if sparse.issparse(X):  # any SciPy format in, CSR/CSC on
            X = check_array(X, accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False)
        else:
            X = _check_X(X)  # rejects empty input with scikit-learn's messages; keeps frames
        self._parts = self._split(X)  # validated here so that fit() rejects bad columns too
        check_consistent_length(X, y)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def fit(self, X, y):
        """Check the data and the sampling strategy (see ``fit_resample``).

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Continuous and categorical features.
        y : array-like of shape (n_samples,)
            Targets.

        Returns
        -------
        self : SMOTENC
            The checked sampler.
        """
        super().fit(X, y)
        self.__dict__.pop("_parts", None)  # only fit_resample needs the converted columns
        return self

    def _categorical_columns(self, X):
        if isinstance(self.categorical_features, str) and self.categorical_features == "auto":
            if not _is_dataframe(X):
                raise ValueError(
                    "When `categorical_features='auto'`, the input data should be a "
                    f"pandas.DataFrame with 'category' columns. Got {type(X).__name__} "
                    "instead; pass the categorical columns."
                )
            return np.flatnonzero([str(t) == "category" for t in X.dtypes])
        return np.asarray(_get_column_indices(X, self.categorical_features), dtype=np.intp)

    def _split(self, X):
        """Categorical and continuous columns, each validated with a clear message."""
        n_features = X.shape[1]
        cat_cols = self._categorical_columns(X)
        if len(np.unique(cat_cols)) != len(cat_cols):
            raise ValueError(f"categorical_features names a column twice: {cat_cols.tolist()}.")
        if cat_cols.size == n_features:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical features. It "
                f"requires some numerical features; got {n_features} feature(s), all "
                "categorical: use SMOTEN."
            )
        if cat_cols.size == 0:
            raise ValueError(
                "SMOTE-NC is not designed to work only with numerical features. It "
                "requires some categorical features: use SMOTE."
            )
        cont_cols = np.setdiff1d(np.arange(n_features), cat_cols)
        try:
            Xc = check_array(
                _safe_indexing(X, cont_cols, axis=1),
                accept_sparse=["csr", "csc"],
                ensure_all_finite=False,
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"the continuous features (columns {cont_cols.tolist()}) must be numeric; "
                "list the others in categorical_features."
            ) from exc
        if not np.isfinite(Xc.data if sparse.issparse(Xc) else Xc).all():
            raise ValueError("Input X contains NaN or infinity in a continuous feature.")
        Xc = _computable(Xc)
        X_cat = _safe_indexing(X, cat_cols, axis=1)
        X_cat = X_cat.toarray() if sparse.issparse(X_cat) else X_cat
        reject_missing_categories(np.asarray(X_cat, dtype=object), "a categorical feature")
        return cat_cols, cont_cols, Xc, X_cat

    def _encode(self, X_cat, dtype):
        """Fit the one-hot encoder; the integer code of each row's category per feature."""
        if self.categorical_encoder is None:
            self.categorical_encoder_ = OneHotEncoder(handle_unknown="ignore", dtype=dtype)
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        onehot = sparse.csr_matrix(self.categorical_encoder_.fit_transform(X_cat))
        sizes = np.array([len(c) for c in self.categorical_encoder_.categories_])
        n, m = onehot.shape[0], sizes.size
        if onehot.shape[1] != sizes.sum() or np.any(np.diff(onehot.indptr) != m):
            raise ValueError(
                "SMOTENC requires a one-hot encoding with one column per category for the "
                f"categorical features. The provided `categorical_encoder` produced "
                f"{onehot.shape[1]} columns for {sizes.sum()} categories. This happens when "
                "the encoder drops columns (e.g. `OneHotEncoder(drop=...)`) or merges "
                "infrequent categories, which is not supported. Pass an encoder that keeps "
                "all categories, such as `OneHotEncoder(handle_unknown='ignore')`."
            )
        onehot.sort_indices()
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        return onehot.indices.reshape(n, m) - starts, sizes, starts

    def _encoded_class(self, Xc, codes, sizes, starts, rows, value):
        """The class's rows as the neighbour search sees them: continuous features, then
        one-hot columns holding ``value``."""
        n_rows = rows.size
        onehot = sparse.csr_matrix(
            (
                np.full(n_rows * sizes.size, value, dtype=Xc.dtype),
                (codes[rows] + starts).ravel(),
                np.arange(0, n_rows * sizes.size + 1, sizes.size),
            ),
            shape=(n_rows, int(sizes.sum())),
        )
        if sparse.issparse(Xc):
            return sparse.hstack([Xc[rows], onehot], format="csr")
        return np.hstack([Xc[rows], onehot.toarray()])

    def _fit_resample(self, X, y):
        n, self.n_features_ = X.shape
        cat_cols, cont_cols, Xc, X_cat = self.__dict__.pop("_parts", None) or self._split(X)
        if sparse.issparse(Xc):
            Xc = Xc.tocsr()
        self.categorical_features_, self.continuous_features_ = cat_cols, cont_cols
        codes, sizes, starts = self._encode(X_cat, Xc.dtype)
        self.median_std_ = {}
        new_codes = []

        def make(cls, rows, n_samples, _):
            # imbalanced-learn's numbers: scikit-learn's variance on the class's rows, of
            # the rows scaled by a power of two (exact) where their squares would overflow
            part = sparse.csr_matrix(Xc[rows])
            e = _backend.safe_exponent(part)
            var = mean_variance_axis(part * 2.0**-e, axis=0)[1]
            med = np.median(np.sqrt(var)) * 2.0**e
            self.median_std_[cls] = med
            # a differing category adds med^2 to the squared distance
            value = Xc.dtype.type(med / np.sqrt(2))
            encoded = self._encoded_class(Xc, codes, sizes, starts, rows, value)
            local = np.arange(rows.size)
            nns = rows[self._neighbors(self.k_neighbors, "k_neighbors", encoded, local, local)]
            r, c, steps = self._draw(rows.size, nns.shape[1], n_samples)
            made = self._add_synthetic(Xc, rows[r], nns[r, c], steps)
            # with a null median imbalanced-learn votes with the plain one-hot encoding
            vote_value = 1.0 if math.isclose(med, 0) else value
            # the vote's generator is made afresh from random_state, as imbalanced-learn's
            rng = check_random_state(self.random_state)
            new_codes.append(_vote(codes, nns[r], sizes, vote_value, rng))
            return made

        cont_res, y_res = self._resample_per_class(Xc, y, make)
        all_codes = np.vstack([codes] + new_codes)
        onehot = sparse.csr_matrix(
            (
                np.ones(all_codes.size),
                (all_codes + starts).ravel(),
                np.arange(0, all_codes.size + 1, sizes.size),
            ),
            shape=(all_codes.shape[0], int(sizes.sum())),
        )
        cat_res = self.categorical_encoder_.inverse_transform(onehot)
        order = np.argsort(np.concatenate([cont_cols, cat_cols]))
        if sparse.issparse(Xc):  # a SciPy matrix or a DataFrame of sparse columns
            return sparse.hstack([cont_res, cat_res], format="csr")[:, order], y_res
        return np.hstack([cont_res, cat_res])[:, order], y_res
