"""
PPP: how many clusters, found by splitting and validating
=========================================================

Probabilistic Partitive Partitioning grows a Gaussian mixture by 2-means splits, each one
judged by the BIC of the whole refitted mixture, keeps the mixture of best BIC along that
path, and makes a cluster of the components that share a mode of the fitted density. Here it
recovers eight stretched clusters of different sizes that k-means, told the wrong number,
cuts apart; the third panel is the path's BIC at each number of components, one path for
each covariance form (full, diagonal, spherical): the form of the lowest BIC is kept.

The second figure is a real data set, scikit-learn's iris (standardised, shown in its first
two principal components). PPP finds two clusters: setosa, and versicolor with virginica,
whose measurements overlap; k-means told three splits the overlapping pair, not always
along the species line.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from skcluster.cluster import PPP
from skcluster.datasets import make_gaussian_mixture

X, y = make_gaussian_mixture(
    3000, 2, 8, separation=1.6, anisotropy=4.0, scale_range=2.5, random_state=7
)
ppp = PPP().fit(X)
km = KMeans(5, n_init=10, random_state=0).fit(X)

fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
ax = axes[0]
ax.scatter(*X.T, c=ppp.labels_, s=4, cmap="tab10")
for mean, cov in zip(ppp.means_, ppp.covariances_, strict=True):
    vals, vecs = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vecs[1, -1], vecs[0, -1]))
    for n_sd in (1, 2):
        ax.add_patch(
            Ellipse(mean, *(2 * n_sd * np.sqrt(vals[::-1])), angle=angle, fill=False, lw=1)
        )
ax.set_title(f"PPP: {ppp.n_clusters_} clusters, clusterability {ppp.clusterability_:.2f}")

axes[1].scatter(*X.T, c=km.labels_, s=4, cmap="tab10")
axes[1].set_title("k-means told k=5")

for form, color in [("full", "tab:blue"), ("diag", "tab:orange"), ("spherical", "tab:red")]:
    path = [step for step in ppp.path_ if step["covariance_type"] == form]
    steps = [step["n_components"] for step in path]
    bics = [step["criterion"] for step in path]
    kept = " (kept)" if form == ppp.covariance_type_ else ""
    axes[2].plot(steps, bics, "o-", color=color, label=f"{form} covariances{kept}")
axes[2].axvline(ppp.n_components_, color="tab:green", ls="--", label="components kept")
axes[2].set_xlabel("components on the divisive path")
axes[2].set_ylabel("BIC of the whole mixture (lower is better)")
axes[2].legend()
axes[2].set_title(
    f"{ppp.n_components_} components kept, {ppp.n_clusters_} clusters (modes of the density)"
)
for ax in axes[:2]:
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

iris = load_iris()
Xi = StandardScaler().fit_transform(iris.data)
view = PCA(2).fit_transform(Xi)
found = PPP().fit(Xi)
km3 = KMeans(3, n_init=10, random_state=0).fit(Xi)
fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharex=True, sharey=True)
panels = [
    (
        f"PPP: {found.n_clusters_} clusters "
        f"(ARI {adjusted_rand_score(iris.target, found.labels_):.2f})",
        found.labels_,
    ),
    (f"k-means told k=3 (ARI {adjusted_rand_score(iris.target, km3.labels_):.2f})", km3.labels_),
    ("the three species", iris.target),
]
for ax, (title, labels) in zip(axes, panels, strict=True):
    ax.scatter(*view.T, c=labels, s=12, cmap="tab10", vmin=0, vmax=9)
    ax.set_title(title)
    ax.set_xlabel("principal component 1")
axes[0].set_ylabel("principal component 2")
fig.tight_layout()
plt.show()
