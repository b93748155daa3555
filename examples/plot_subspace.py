"""
Deep subspace clustering of handwritten digits
==============================================

Images of one digit lie near a low-dimensional subspace, so each image is best written as
a combination of images of the same digit. Both subspace estimators learn that
self-expression, ``X ≈ C X``, keep each row's ``subspace_dim`` largest coefficients and
cluster the affinity ``|C| + |C|^T`` spectrally. ``LeastSquaresSubspaceClustering`` solves
for ``C`` in closed form on the pixels; ``DeepSubspaceClustering`` shares one ``C`` between
the pixels and every layer of an autoencoder, trained in stages that stop themselves.

The panels show the two affinities with the rows sorted by the true digit (a good one is
block-diagonal), the loss of each training stage, and the first images of each cluster
found.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skcluster.cluster import DeepSubspaceClustering, LeastSquaresSubspaceClustering
from skcluster.metrics import clustering_accuracy

X, y = load_digits(return_X_y=True)
X, y = X[:600], y[:600]
linear = LeastSquaresSubspaceClustering(10, subspace_dim=10, random_state=0).fit(X)
deep = DeepSubspaceClustering(10, subspace_dim=10, random_state=0, verbose=1).fit(X)

order = np.argsort(y, kind="stable")
fig = plt.figure(figsize=(14, 8))
for i, (name, model) in enumerate([("least squares", linear), ("deep", deep)]):
    ax = fig.add_subplot(2, 3, i + 1)
    W = model.affinity_.toarray()[np.ix_(order, order)]
    ax.imshow(W > 0, cmap="Greys", interpolation="nearest")
    acc = clustering_accuracy(y, model.labels_)
    ax.set_title(f"{name}: affinity, rows by digit (accuracy {acc:.2f})")
    ax.set_xticks([])
    ax.set_yticks([])

ax = fig.add_subplot(2, 3, 3)
for stage, curve in deep.loss_curve_.items():
    ax.plot(curve, label=f"{stage} ({len(curve)} epochs)")
ax.set_yscale("log")
ax.set_xlabel("epoch of the stage")
ax.set_ylabel("loss (sum of relative errors)")
ax.set_title("DeepSubspaceClustering: loss per training stage")
ax.legend()

ax = fig.add_subplot(2, 1, 2)
rows = []
for c in range(10):
    members = np.flatnonzero(deep.labels_ == c)[:12]
    tiles = [X[j].reshape(8, 8) for j in members] + [np.zeros((8, 8))] * (12 - len(members))
    rows.append(np.hstack([np.pad(t, 1) for t in tiles]))
ax.imshow(np.vstack(rows), cmap="Greys")
ax.set_title("the first twelve images of each cluster DeepSubspaceClustering found")
ax.set_xticks([])
ax.set_yticks([])
fig.tight_layout()
plt.show()
