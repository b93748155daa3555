"""
SMOTE variants side by side on an imbalanced 2-D problem
========================================================

One imbalanced data set (10% minority) and six over-samplers of ``skcluster.over_sampling``.
Each panel shows the original rows (grey: majority, blue: minority) and the synthetic
minority rows the sampler added (orange), and its title the mean ROC AUC of a 5-nearest-
neighbour classifier trained on the resampled folds (5-fold stratified cross-validation,
resampling inside an ``imblearn.pipeline.Pipeline`` so the test folds stay untouched).
Where SMOTE fills the segments between minority neighbours everywhere, BorderlineSMOTE works
only near the class border, ADASYN where the majority crowds in, and the variants shape the
new rows differently again.
"""

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skcluster.over_sampling import (
    ADASYN,
    SMOTE,
    BorderlineSMOTE,
    GeometricSMOTE,
    PolynomFitSMOTE,
    ProWSyn,
)

rng = np.random.default_rng(0)
majority = rng.normal(0.0, 1.2, size=(540, 2))
minority = np.vstack(
    [
        rng.normal([2.0, 1.5], 0.6, size=(45, 2)),  # a core and a few strays
        rng.normal([0.5, -1.5], 0.8, size=(15, 2)),
    ]
)
X = np.vstack([majority, minority])
y = np.repeat([0, 1], [540, 60])
cv = StratifiedKFold(5, shuffle=True, random_state=0)
baseline = cross_val_score(KNeighborsClassifier(5), X, y, cv=cv, scoring="roc_auc").mean()

samplers = [
    SMOTE(random_state=0),
    BorderlineSMOTE(random_state=0),
    ADASYN(random_state=0),
    ProWSyn(random_state=0),
    PolynomFitSMOTE(random_state=0),
    GeometricSMOTE(random_state=0),
]
fig, axes = plt.subplots(2, 3, figsize=(14, 9), sharex=True, sharey=True)
for ax, sampler in zip(axes.ravel(), samplers, strict=True):
    Xr, yr = sampler.fit_resample(X, y)
    new = Xr[len(X) :]
    auc = cross_val_score(
        make_pipeline(sampler, KNeighborsClassifier(5)), X, y, cv=cv, scoring="roc_auc"
    ).mean()
    ax.scatter(*X[y == 0].T, s=6, c="0.75", label="majority")
    ax.scatter(*new.T, s=6, c="tab:orange", label=f"synthetic ({len(new)})")
    ax.scatter(*X[y == 1].T, s=12, c="tab:blue", label="minority")
    ax.set_title(f"{type(sampler).__name__}: AUC {auc:.3f}")
    ax.legend(loc="lower right", fontsize=8)
fig.suptitle(f"5-NN classifier, 5-fold CV; without resampling AUC {baseline:.3f}")
fig.tight_layout()
plt.show()
