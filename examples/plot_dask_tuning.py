"""
Tuning on a Dask cluster: a grid search over SMOTE inside joblib's dask backend
===============================================================================

``GridSearchCV`` runs its fits through joblib, so a scikit-learn search over skcluster
estimators spreads over a ``dask.distributed`` cluster with one context manager, with no
change to the estimators. Here a ``LocalCluster`` of two workers tunes the number
of neighbours of :class:`~skcluster.over_sampling.SMOTE` and the ratio it over-samples to,
inside an ``imblearn.pipeline.Pipeline`` in front of a logistic regression, scored by
balanced accuracy over stratified folds (the resampling happens inside each training fold
only). The workers are threads of this process, so that the example runs anywhere (worker
processes need the script's code under ``if __name__ == "__main__":``); the same code runs
on a real cluster by giving ``Client`` its scheduler's address.
Needs the ``dask`` extra (``pip install "skcluster[dask]"``).
"""

import logging

import joblib
import matplotlib.pyplot as plt
from distributed import Client, LocalCluster
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skcluster.over_sampling import SMOTE

X, y = make_classification(
    4000, n_features=12, n_informative=6, weights=[0.95], class_sep=0.8, random_state=0
)
pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression(max_iter=1000))
grid = {
    "smote__k_neighbors": [1, 3, 5, 10, 20],
    "smote__sampling_strategy": [0.1, 0.25, 0.5, 1.0],
}
search = GridSearchCV(
    pipe, grid, scoring="balanced_accuracy", cv=StratifiedKFold(5, shuffle=True, random_state=0)
)

with (
    LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster,
    Client(cluster) as client,
):
    with joblib.parallel_config(backend="dask"):
        search.fit(X, y)
    print(
        f"{len(search.cv_results_['params'])} settings x 5 folds on {len(client.nthreads())} "
        "workers"
    )
print("best:", search.best_params_, f"balanced accuracy {search.best_score_:.3f}")

scores = search.cv_results_["mean_test_score"].reshape(
    len(grid["smote__k_neighbors"]), len(grid["smote__sampling_strategy"])
)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for j, ratio in enumerate(grid["smote__sampling_strategy"]):
    ax.plot(grid["smote__k_neighbors"], scores[:, j], marker="o", label=f"minority to {ratio:g}")
ax.axhline(
    GridSearchCV(LogisticRegression(max_iter=1000), {}, scoring="balanced_accuracy", cv=5)
    .fit(X, y)
    .best_score_,
    color="grey",
    linestyle="--",
    label="no resampling",
)
ax.set(
    xlabel="SMOTE k_neighbors",
    ylabel="balanced accuracy (5-fold CV)",
    title="Grid search on a LocalCluster (joblib's dask backend)",
    xscale="log",
)
ax.set_xticks(grid["smote__k_neighbors"], [str(k) for k in grid["smote__k_neighbors"]])
ax.legend()
plt.show()
