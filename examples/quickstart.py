"""skcluster quickstart: the main job, end to end, on data the package generates.

It grows with every estimator skcluster gains. Today: exact nearest neighbours on the shared
backend, checked against scikit-learn, and used as imbalanced-learn's neighbour search.

    pip install . && python examples/quickstart.py
"""

import time

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_blobs, make_classification
from sklearn.neighbors import NearestNeighbors as SkNearestNeighbors

import skcluster
from skcluster.neighbors import NearestNeighbors

print(f"skcluster {skcluster.__version__}")

# 1. Nearest neighbours: 20,000 points from 5 blobs, 16 float32 features.
X, blob = make_blobs(n_samples=20_000, n_features=16, centers=5, random_state=0)
X = X.astype(np.float32)
nn = NearestNeighbors(n_neighbors=10).fit(X)
nn.kneighbors(X[:10])  # first call compiles the kernels (cached on disk afterwards)

t0 = time.perf_counter()
dist, ind = nn.kneighbors()  # every point's 10 neighbours, itself excluded
t_ours = time.perf_counter() - t0
t0 = time.perf_counter()
_, ind_sk = SkNearestNeighbors(n_neighbors=10).fit(X).kneighbors()
t_sk = time.perf_counter() - t0

same_blob = (blob[ind] == blob[:, None]).mean()
print(f"\n[NearestNeighbors] 20,000 x 16, k=10: {t_ours:.2f} s "
      f"(scikit-learn {t_sk:.2f} s, {t_sk / t_ours:.1f}x slower)")
print(f"  neighbours identical to scikit-learn's: {(ind == ind_sk).mean():.2%}")
print(f"  neighbours from the point's own blob:    {same_blob:.2%}")
print(f"  median distance to the 10th neighbour:   {np.median(dist[:, -1]):.3f}")

# 2. The same search as imbalanced-learn's neighbour object inside SMOTE.
Xi, yi = make_classification(n_samples=5_000, n_features=8, weights=[0.95], random_state=0)
X_res, y_res = SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6), random_state=0).fit_resample(Xi, yi)
print(f"\n[imblearn SMOTE + skcluster NearestNeighbors] class counts "
      f"{np.bincount(yi).tolist()} -> {np.bincount(y_res).tolist()}")
