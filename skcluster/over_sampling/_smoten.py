"""SMOTE-N: over-sampling of data whose features are all categorical."""

from numbers import Integral

import numpy as np
from imblearn.utils import check_target_type
from scipy import sparse
from sklearn.base import clone
from sklearn.preprocessing import OrdinalEncoder
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import validate_data

from .. import _backend
from ..utils.validation import check_random_state
from ._base import BaseSMOTE, fill_doc, mode_rows, reject_missing_categories


def vdm_tables(codes, y, n_categories, k=1, r=2):
    """Per-feature Value Difference Metric tables (Stanfill and Waltz, 1986).

    ``table_f[v, w] = (sum_c |P(c | x_f = v) - P(c | x_f = w)|^k)^(r / k)``, so that the
    distance between two rows is ``sum_f table_f[x_f, y_f]`` (imbalanced-learn's
    ``ValueDifferenceMetric`` with its defaults k=1, r=2).
    """
    classes = np.unique(y)
    tables = []
    for f, n_cat in enumerate(n_categories):
        total = np.bincount(codes[:, f], minlength=n_cat).astype(float)
        per_class = np.stack(
            [np.bincount(codes[y == c, f], minlength=n_cat) for c in classes], axis=1
        )
        proba = per_class / np.maximum(total, 1)[:, None]
        diff = np.abs(proba[:, None, :] - proba[None, :, :]) ** k
        tables.append(diff.sum(axis=2) ** (r / k))
    return tables


@fill_doc()
class SMOTEN(BaseSMOTE):
    """SMOTE-N (Chawla et al., 2002): over-sampling of purely categorical data.

    Neighbours are found with the Value Difference Metric (two categories are close when
    they predict the classes alike); each new row picks a row of the class at random and
    takes, feature by feature, the most frequent category among that row and its
    ``k_neighbors`` nearest neighbours (ties to the first category in sorted order, as
    scipy's mode). Same parameters and statistically the same output as
    :class:`imblearn.over_sampling.SMOTEN`, without its n x n distance matrix: the
    neighbour search sums the metric's per-feature tables on the backend.

    Parameters
    ----------
    categorical_encoder : encoder, default=None
        Ordinal encoder of the categories; ``None`` means ``OrdinalEncoder``.
    {sampling_strategy}
    {random_state}
    k_neighbors : int or object, default=5
        Neighbours that vote, besides the row itself; an object must accept
        ``metric="precomputed"`` (it is then given the class's full distance matrix).

    Attributes
    ----------
    categorical_encoder_ : encoder
        The fitted encoder.
    {sample_indices_}
    synthetic_parents_ : ndarray of shape (n_synthetic, k_neighbors + 1)
        For each synthetic row, the original rows that voted its categories (the drawn
        row first).
    {n_features_in_}

    See Also
    --------
    imblearn.over_sampling.SMOTEN : the reference implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.over_sampling import SMOTEN
    >>> X = np.array(["A"] * 10 + ["B"] * 20 + ["C"] * 50, dtype=object).reshape(-1, 1)
    >>> y = np.array([0] * 20 + [1] * 60)
    >>> X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [60, 60]
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "categorical_encoder": [HasMethods(["fit_transform", "inverse_transform"]), None],
    }

    def __init__(
        self,
        categorical_encoder=None,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.categorical_encoder = categorical_encoder

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(
            self,
            X=X,
            y=y,
            reset=True,
            dtype=None,
            accept_sparse=["csr", "csc"],
            ensure_all_finite=False,
        )
        reject_missing_categories(X.data if sparse.issparse(X) else X, "a feature")
        return self._dense_if_needed(X), y, binarize_y

    def _fit_resample(self, X, y):
        self.sample_indices_ = np.arange(X.shape[0])
        if self.categorical_encoder is None:
            self.categorical_encoder_ = OrdinalEncoder(dtype=np.int32)
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        codes = np.asarray(self.categorical_encoder_.fit_transform(X)).astype(np.intp)
        tables = vdm_tables(codes, y, [len(c) for c in self.categorical_encoder_.categories_])
        X_new, y_new, parents = [], [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == cls)
            voters = rows[self._voters(codes[rows], tables)]
            rng = check_random_state(self.random_state)
            pick = rng.choice(np.arange(rows.size), size=n_samples, replace=True)
            new_codes = np.column_stack(
                [mode_rows(codes[voters[pick], f]) for f in range(codes.shape[1])]
            )
            X_new.append(self.categorical_encoder_.inverse_transform(new_codes))
            y_new.append(np.full(n_samples, cls, dtype=y.dtype))
            parents.append(voters[pick])
        width = (parents[0].shape[1],) if parents else (0,)
        self.synthetic_parents_ = np.vstack(parents) if parents else np.empty((0,) + width, int)
        return np.vstack([X] + X_new), np.hstack([y] + y_new)

    def _voters(self, C, tables):
        """Each row of the class followed by its neighbours (positions within the class)."""
        n = C.shape[0]
        if isinstance(self.k_neighbors, Integral):
            if self.k_neighbors > n - 1:
                raise ValueError(
                    f"k_neighbors={self.k_neighbors} needs at least "
                    f"{self.k_neighbors + 1} samples of each class to "
                    f"over-sample, got {n}; lower k_neighbors."
                )
            _, nns = _backend.kneighbors_categorical(
                C, C, tables, self.k_neighbors, exclude_self=True
            )
            return np.column_stack([np.arange(n), nns])
        D = sum(t[C[:, f][:, None], C[:, f][None, :]] for f, t in enumerate(tables))
        nn = clone(self.k_neighbors).set_params(metric="precomputed").fit(D)
        return np.asarray(nn.kneighbors(D, return_distance=False))
