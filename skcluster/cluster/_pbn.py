"""ProjectionNCD: the simple deep model of Troisemaine et al. (2024) for novel class discovery,
a projection learned from the known classes and a reconstruction of every row, then NCD
k-means in the learned space."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _backend
from ..utils._dask import blockwise
from ..utils.validation import RANDOM_STATE, centre_and_scale, check_random_state
from ._ncd import (
    NovelClassMixin,
    check_n_clusters,
    class_means,
    embedded_ncd_kmeans,
    split_labelled,
)
from ._network import MLP, AdamW, l2_normalize, l2_normalize_backward, softmax_cross_entropy


class _Projection:
    """Encoder -> L2-normalised latent -> (decoder, linear classifier of the known classes)."""

    def __init__(self, n_features, hidden, latent_dim, n_known, dropout, rng):
        self.encoder = MLP([n_features, *hidden, latent_dim], dropout=dropout, rng=rng)
        self.decoder = MLP([latent_dim, *hidden[::-1], n_features], dropout=dropout, rng=rng)
        # no known classes (plain clustering): no classifier, the reconstruction alone
        self.classifier = MLP([latent_dim, n_known], rng=rng) if n_known else None
        self.params = self.encoder.params + self.decoder.params
        if self.classifier is not None:
            self.params = self.params + self.classifier.params

    def embed(self, X):
        return l2_normalize(self.encoder.forward(X)[0])[0]

    def loss_and_grads(self, X, targets, w, rng=None):
        """``w * CE(known rows) + (1 - w) * sum of squared reconstruction errors / rows``."""
        Z, enc_cache = self.encoder.forward(X, rng)
        U, norms = l2_normalize(Z)
        R, dec_cache = self.decoder.forward(U, rng)
        diff = R - X
        n = len(X)
        loss = (1.0 - w) * float((diff**2).sum()) / n
        dec_grads, dU = self.decoder.backward(dec_cache, (1.0 - w) * 2.0 * diff / n)
        known = targets >= 0
        cls_grads = [np.zeros_like(p) for p in getattr(self.classifier, "params", [])]
        if known.any():
            logits, cls_cache = self.classifier.forward(U[known])
            ce, dlogits = softmax_cross_entropy(logits, targets[known])
            loss += w * ce
            cls_grads, dUk = self.classifier.backward(cls_cache, w * dlogits)
            dU[known] += dUk
        enc_grads, _ = self.encoder.backward(enc_cache, l2_normalize_backward(U, norms, dU))
        return loss, enc_grads + dec_grads + cls_grads


class ProjectionNCD(
    NovelClassMixin, ClusterMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Novel class discovery with a learned projection (the paper's "PBN" model).

    An encoder (by default two hidden ReLU layers of ``3d/4`` and ``d/2`` units, at least 32
    and 16, with dropout)
    maps rows to an L2-normalised latent space. It is trained, with mini-batch AdamW, on
    ``w`` times the cross-entropy of a linear classifier of the known classes (labelled rows)
    plus ``1 - w`` times the squared reconstruction error of a mirrored decoder (all rows,
    so that the novel classes' structure is kept). The unlabelled rows are then clustered in
    the latent space by :class:`NCDKMeans`-style k-means seeded against the known classes'
    latent means (``clustering="ncd_kmeans"``) or by plain k-means (``"kmeans"``, what the
    official notebooks run). Gradients are written by hand (no deep-learning framework) and
    checked against finite differences in the tests; the official model also has batch
    normalisation, which this one leaves out.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of novel classes.
    latent_dim : int or None, default=None
        Width of the latent space; None is ``max(8, n_features // 2)``.
    hidden_layer_sizes : tuple of int or None, default=None
        Encoder hidden layers (the decoder mirrors them); None is the paper's
        ``(3 * n_features // 4, n_features // 2)`` with floors of 32 and 16 units (narrower
        layers left toy data with a collapsed latent space in our tests).
    w : float in [0, 1], default=0.1
        Weight of the classification loss; ``1 - w`` weighs the reconstruction.
    dropout : float in [0, 1), default=0.1
    learning_rate : float, default=1e-3
    weight_decay : float, default=0.01
    batch_size : int, default=512
    max_epochs : int, default=200
    clustering : {"ncd_kmeans", "kmeans"}, default="ncd_kmeans"
    n_init : int, default=10
        Restarts of the latent-space clustering (best by sum of distances).
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
        Prints the mean loss every 10 epochs.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Class of every row: its known class on a labelled row, a novel class (one of
        ``novel_classes_``) on an unlabelled one.
    novel_classes_ : ndarray of shape (n_clusters,)
        Labels of the novel classes, numbered after the largest known class (from 0 when
        there is none), so that they never collide with a known class.
    cluster_centers_ : ndarray of shape (n_clusters, latent_dim)
        Novel centroids in the latent space.
    known_classes_ : ndarray of shape (n_known,)
    loss_curve_ : list of float
        Mean training loss of each epoch.
    n_epochs_ : int
        Epochs trained (``max_epochs``: the training has no stopping rule).
    n_iter_ : int
        The same, under scikit-learn's name.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    References
    ----------
    C. Troisemaine et al., "A Practical Approach to Novel Class Discovery in Tabular Data",
    Data Mining and Knowledge Discovery 38, 2024 (arXiv:2311.05440).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from skcluster.cluster import ProjectionNCD
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = make_blobs(400, n_features=6, centers=4, random_state=0)
    >>> X = StandardScaler().fit_transform(X)
    >>> y_semi = np.where(y < 2, y, -1)
    >>> model = ProjectionNCD(n_clusters=2, random_state=0).fit(X, y_semi)
    >>> model.transform(X[:3]).shape
    (3, 8)
    >>> from skcluster.metrics import clustering_accuracy
    >>> clustering_accuracy(y[y >= 2], model.labels_[y_semi == -1])
    1.0
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "latent_dim": [Interval(Integral, 1, None, closed="left"), None],
        "hidden_layer_sizes": [tuple, list, None],
        "w": [Interval(Real, 0, 1, closed="both")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "clustering": [StrOptions({"ncd_kmeans", "kmeans"})],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        latent_dim=None,
        hidden_layer_sizes=None,
        w=0.1,
        dropout=0.1,
        learning_rate=1e-3,
        weight_decay=0.01,
        batch_size=512,
        max_epochs=200,
        clustering="ncd_kmeans",
        n_init=10,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.latent_dim = latent_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.w = w
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.clustering = clustering
        self.n_init = n_init
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the projection, then cluster the unlabelled rows in it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None, default=None
            Known class of each labelled row, -1 for the unlabelled rows. None (or all -1):
            no known classes, every row is clustered; a ``y`` without -1 is ignored, with
            a warning.

        Returns
        -------
        self : object
        """
        X, y, known = split_labelled(self, X, y)
        X = X.astype(np.float64, copy=False)
        self._remember(X, y, known)
        # the network sees the rows centred and at unit overall scale (one number for all
        # features, so standardised data pass unchanged): c * X trains the same network
        X, self._offset, self._scale = centre_and_scale(X)
        n, d = X.shape
        check_n_clusters(self.n_clusters, int((~known).sum()))
        rng = check_random_state(self.random_state)
        gen = np.random.default_rng(rng.randint(2**31))
        targets = np.where(known, np.searchsorted(self.known_classes_, y), -1)
        # the paper's widths, with floors: a few features must not make a 3-unit bottleneck
        hidden = self.hidden_layer_sizes
        if hidden is None:
            hidden = (max(32, 3 * d // 4), max(16, d // 2))
        latent = max(8, d // 2) if self.latent_dim is None else self.latent_dim
        self._net = _Projection(
            d, tuple(hidden), latent, len(self.known_classes_), self.dropout, gen
        )
        opt = AdamW(self._net.params, lr=self.learning_rate, weight_decay=self.weight_decay)
        self.loss_curve_ = []
        for epoch in range(self.max_epochs):
            order = gen.permutation(n)
            total = 0.0
            for start in range(0, n, self.batch_size):
                batch = order[start : start + self.batch_size]
                if len(batch) < 2:
                    continue
                loss, grads = self._net.loss_and_grads(X[batch], targets[batch], self.w, gen)
                opt.step(grads)
                total += loss * len(batch)
            self.loss_curve_.append(total / n)
            if self.verbose and (epoch + 1) % 10 == 0:
                print(f"[ProjectionNCD] epoch {epoch + 1}: loss {self.loss_curve_[-1]:.4f}")
        self.n_epochs_ = self.n_iter_ = self.max_epochs

        U = self._net.embed(X)
        seeds = class_means(U, y, self.known_classes_) if self.clustering == "ncd_kmeans" else None
        self.cluster_centers_, nearest = embedded_ncd_kmeans(
            U[~known], seeds, self.n_clusters, n_init=self.n_init, rng=rng
        )
        self._n_features_out = latent
        self.labels_ = self._labels_of_rows(y, known, nearest)
        return self

    @blockwise(lambda self: self.cluster_centers_.shape[1])
    def transform(self, X):
        """The L2-normalised latent representation of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self._net.embed((X - self._offset) / self._scale)

    @blockwise(dtype=np.intp)
    def predict(self, X):
        """Novel class (in ``novel_classes_``) of the nearest novel centroid, in the latent
        space, of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        nearest = _backend.nearest_center(self.transform(X), self.cluster_centers_)[0]
        return self.novel_classes_[nearest]
