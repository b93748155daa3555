"""
Tuning novel class discovery on classes whose labels are known
==============================================================

The novel classes have no labels, so a setting cannot be scored on them. HiddenClassKFold
hides some known classes among the unlabelled rows in each fold; GridSearchCV scores each
setting of NCDSpectralClustering (here with the paper's graph of known and unlabelled rows)
on how well it clusters those hidden classes, and the best setting is then used on the real
novel classes. The heat map shows the hidden-class score of
every setting next to the accuracy the same setting reaches on the novel classes (which the
search never sees).
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skcluster.cluster import NCDSpectralClustering
from skcluster.metrics import clustering_accuracy, clustering_accuracy_scorer
from skcluster.model_selection import HiddenClassKFold

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
y_semi = np.where(np.isin(y, [1, 2, 7, 8, 9]), y, -1)  # the paper's optdigits split
new = y_semi == -1

grid = {"n_components": [5, 10, 20, 40], "min_dist": [0.2, 0.5]}
search = GridSearchCV(
    NCDSpectralClustering(5, graph="all", metric="euclidean", affinity="knn", random_state=0),
    grid,
    cv=HiddenClassKFold(n_splits=3, n_hidden=2, random_state=0),
    scoring=clustering_accuracy_scorer,
).fit(X, y_semi)

# GridSearchCV orders settings by sorted parameter names: min_dist, then n_components
shape = (len(grid["min_dist"]), len(grid["n_components"]))
hidden = search.cv_results_["mean_test_score"].reshape(shape).T  # n_components x min_dist


def novel_accuracy(params):
    model = NCDSpectralClustering(
        5, graph="all", metric="euclidean", affinity="knn", random_state=0, **params
    )
    return clustering_accuracy(y[new], model.fit(X, y_semi).labels_[new])


novel = np.array([novel_accuracy(p) for p in search.cv_results_["params"]]).reshape(shape).T
best = search.best_estimator_.labels_[new]
print("best setting on the hidden classes:", search.best_params_)
print(f"its accuracy on the novel classes: {clustering_accuracy(y[new], best):.3f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
for ax, values, title in [
    (axes[0], hidden, "score on hidden known classes\n(what the search sees)"),
    (axes[1], novel, "accuracy on the novel classes\n(what the search never sees)"),
]:
    ax.imshow(values, cmap="viridis", vmin=0.5, vmax=1.0)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w")
    ax.set_xticks(range(2), labels=grid["min_dist"])
    ax.set_yticks(range(4), labels=grid["n_components"])
    ax.set_xlabel("min_dist")
    ax.set_ylabel("n_components")
    ax.set_title(title)
fig.tight_layout()
plt.show()
