"""SMOTE-NC: SMOTE for data with continuous and categorical features."""

import numpy as np
from imblearn.utils import check_target_type
from imblearn.utils._validation import _check_X
from sklearn.preprocessing import OrdinalEncoder
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._indexing import _get_column_indices
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from ._base import mode_rows, reject_missing_categories
from ._smote import SMOTE


def _is_dataframe(X):
    return hasattr(X, "dtypes") and hasattr(X, "columns")


class SMOTENC(SMOTE):
    """SMOTE-NC (Chawla et al., 2002): SMOTE for mixed continuous and categorical features.

    Neighbours are found with the Euclidean distance on the continuous features plus, for
    each categorical feature that differs, the class's median standard deviation of the
    continuous features (the paper's rule, as imbalanced-learn applies it). Continuous
    features are interpolated as in SMOTE; each categorical feature takes the value most
    frequent among the row's ``k_neighbors`` neighbours, ties broken at random.

    Same parameters and statistically the same output as
    :class:`imblearn.over_sampling.SMOTENC` (the continuous part is the same for the same
    seed; the categorical tie-breaks draw other random numbers). Unlike imbalanced-learn it
    never builds the dense (n_new x k_neighbors x n_one_hot_columns) array: the categorical
    vote works on integer codes. The neighbour search one-hot encodes the categories of
    one class at a time (dense float), so the number of categories sets its memory.

    Parameters
    ----------
    categorical_features : "auto" or array-like of int, str or bool
        Which columns are categorical: indices, names (DataFrame), a boolean mask, or
        ``"auto"`` for the ``category`` dtype columns of a pandas DataFrame.
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to how many rows, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    k_neighbors : int, default=5
        Neighbours to interpolate with and to vote the categories.

    Attributes
    ----------
    categorical_features_ : ndarray of int
        Indices of the categorical columns.
    continuous_features_ : ndarray of int
        Indices of the continuous columns.
    categorical_encoder_ : OrdinalEncoder
        Codes of the categories.
    median_std_ : dict
        Per over-sampled class, the median standard deviation of its continuous features.
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance of the continuous part, see :class:`SMOTE`.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

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

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_features": ["array-like", StrOptions({"auto"})],
    }

    def __init__(
        self, categorical_features, *, sampling_strategy="auto", random_state=None, k_neighbors=5
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.categorical_features = categorical_features

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags

    def _takes_dask(self):
        return False  # the categorical features are not interpolated

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if hasattr(X, "toarray") or hasattr(X, "tocsr"):
            raise TypeError("SMOTENC needs dense data: a sparse matrix was passed.")
        X = _check_X(X)  # rejects empty input with scikit-learn's messages; keeps DataFrames
        self._parts = self._split(X)  # validated here so that fit() rejects bad columns too
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def fit(self, X, y):
        """Check the data and the sampling strategy (see ``fit_resample``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
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
                    "categorical_features='auto' needs a pandas DataFrame with "
                    "'category' columns; pass the categorical columns instead."
                )
            cat = np.array([str(t) == "category" for t in X.dtypes])
            return np.flatnonzero(cat)
        return np.asarray(_get_column_indices(X, self.categorical_features), dtype=np.intp)

    def _split(self, X):
        """Categorical and continuous columns, each validated with a clear message."""
        n_features = X.shape[1]
        cat_cols = np.unique(self._categorical_columns(X))
        if cat_cols.size == 0:
            raise ValueError("SMOTE-NC needs at least one categorical feature; use SMOTE.")
        if cat_cols.size == n_features:
            raise ValueError(
                f"SMOTE-NC needs at least one continuous feature; got "
                f"{n_features} feature(s), all categorical: use SMOTEN."
            )
        cont_cols = np.setdiff1d(np.arange(n_features), cat_cols)
        try:
            Xc = np.asarray(_safe_indexing(X, cont_cols, axis=1), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"the continuous features (columns {cont_cols.tolist()}) must be numeric; "
                "list the others in categorical_features."
            ) from exc
        if not np.isfinite(Xc).all():
            raise ValueError("Input X contains NaN or infinity in a continuous feature.")
        X_cat = np.asarray(_safe_indexing(X, cat_cols, axis=1), dtype=object)
        reject_missing_categories(X_cat, "a categorical feature")
        return cat_cols, cont_cols, Xc, X_cat

    def _fit_resample(self, X, y):
        n, n_features = X.shape
        cat_cols, cont_cols, Xc, X_cat = self.__dict__.pop("_parts", None) or self._split(X)
        self.categorical_features_, self.continuous_features_ = cat_cols, cont_cols
        self.categorical_encoder_ = OrdinalEncoder(dtype=np.intp)
        codes = self.categorical_encoder_.fit_transform(X_cat)
        self._start_provenance(n)
        self.median_std_ = {}
        new_cont, new_codes, y_new = [], [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == cls)
            med = float(np.median(Xc[rows].std(axis=0)))
            self.median_std_[cls] = med
            # one-hot scaled by med / sqrt(2): a differing category adds med^2 to d^2
            blocks = [Xc[rows]]
            for j, cats in enumerate(self.categorical_encoder_.categories_):
                onehot = np.zeros((rows.size, len(cats)))
                onehot[np.arange(rows.size), codes[rows, j]] = med / np.sqrt(2)
                blocks.append(onehot)
            local = np.arange(rows.size)
            nns = rows[
                self._neighbors(self.k_neighbors, "k_neighbors", np.hstack(blocks), local, local)
            ]
            r, c, steps = self._draw(rows.size, nns.shape[1], n_samples)
            new_cont.append(self._add_synthetic(Xc, rows[r], nns[r, c], steps))
            rng = check_random_state(self.random_state)
            new_codes.append(
                np.column_stack([mode_rows(codes[nns[r], j], rng) for j in range(codes.shape[1])])
            )
            y_new.append(np.full(n_samples, cls, dtype=y.dtype))
        _, y_res = self._finish(Xc, y, new_cont, y_new)
        cont_res = np.vstack([Xc] + new_cont)
        cat_res = self.categorical_encoder_.inverse_transform(np.vstack([codes] + new_codes))
        out_dtype = np.result_type(np.asarray(X[:1]) if not _is_dataframe(X) else object)
        if out_dtype.kind not in "fiu":
            out_dtype = np.dtype(object)
        X_res = np.empty((cont_res.shape[0], n_features), dtype=out_dtype)
        X_res[:, cont_cols] = cont_res
        X_res[:, cat_cols] = cat_res
        return X_res, y_res
