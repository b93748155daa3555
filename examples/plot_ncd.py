"""
Novel class discovery on digits: what the known classes teach
==============================================================

Digits 0-4 come labelled; 5-9 arrive unlabelled, and nobody says how many classes they hold.
:func:`~skcluster.cluster.estimate_n_novel_classes` guesses that number, then k-means on the
new rows alone, :class:`~skcluster.cluster.NCDKMeans` and
:class:`~skcluster.cluster.NCDSpectralClustering` (one graph of known and new rows) cluster
them. Each confusion matrix has its clusters matched to the true digits (Hungarian), so a
perfect clustering is diagonal.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from skcluster.cluster import NCDKMeans, NCDSpectralClustering, estimate_n_novel_classes
from skcluster.metrics import clustering_accuracy

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
y_semi = np.where(y < 5, y, -1)  # -1: unlabelled
new = y_semi == -1
k = estimate_n_novel_classes(X[new], k_range=(2, 12), normalize_rows=True, random_state=0)


def novel_clusters(model):
    """The new rows' clusters numbered 0 .. k-1 (labels_ numbers them after the known
    classes 0-4, so that no novel class takes a known class's label)."""
    labels = model.fit_predict(X, y_semi)  # one label per row: known rows keep y
    return labels[new] - model.novel_classes_[0]


results = {
    "k-means on the new rows": KMeans(k, n_init=10, random_state=0).fit_predict(X[new]),
    "NCDKMeans": novel_clusters(NCDKMeans(k, random_state=0)),
    "NCDSpectralClustering": novel_clusters(NCDSpectralClustering(k, random_state=0)),
}

fig, axes = plt.subplots(1, 3, figsize=(14, 4.6))
truth = y[new] - 5
for ax, (name, labels) in zip(axes, results.items(), strict=True):
    C = np.zeros((5, k), dtype=int)
    np.add.at(C, (truth, labels), 1)
    rows, cols = linear_sum_assignment(C, maximize=True)
    order = list(cols[np.argsort(rows)]) + [c for c in range(k) if c not in cols]
    ax.imshow(C[:, order], cmap="Blues")
    for (i, j), v in np.ndenumerate(C[:, order]):
        ax.text(j, i, v, ha="center", va="center", fontsize=8, color="k" if v < 120 else "w")
    ax.set_xticks(range(k))
    ax.set_yticks(range(5), labels=range(5, 10))
    ax.set_xlabel("cluster (matched)")
    ax.set_ylabel("true digit")
    ax.set_title(f"{name}\naccuracy {clustering_accuracy(y[new], labels):.3f}")
fig.suptitle(f"digits 5-9 unlabelled; estimated number of novel classes: {k}")
fig.tight_layout()
plt.show()
