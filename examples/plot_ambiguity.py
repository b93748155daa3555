"""
CLAMS: which scatterplots would people cluster differently?
===========================================================

CLAMS fits a Gaussian mixture to a 2-D scatterplot (its size at the knee of the BIC curve),
looks at neighbouring components in pairs, and asks a separability model how likely people
are to see each pair as one cluster. A pair at 0.5 is a coin toss; the score is the mean
binary entropy over the pairs. Top: five scatterplots with their components (2-sd ellipses)
and each kept pair's probability of being seen as one. Bottom left: two Gaussians pulled
apart, the score rises where they start to separate and falls once they are clearly apart.
Bottom right: the BIC curve and its knee for the three-cluster plot.
"""

import matplotlib.pyplot as plt
import numpy as np

from skcluster.metrics import ClusterAmbiguity, cluster_ambiguity_score, plot_ambiguity

rng = np.random.default_rng(0)


def blobs(centers, n=600, sd=1.0):
    return np.vstack([rng.normal(scale=sd, size=(n, 2)) + c for c in centers])


t = rng.uniform(0.5, 3 * np.pi, size=2500)
plots = {
    "one blob": rng.normal(size=(2000, 2)) * [2.5, 1.0],
    "two blobs, touching": blobs([[0, 0], [3.2, 0]]),
    "two blobs, apart": blobs([[0, 0], [7, 0]]),
    "three, one pair close": blobs([[0, 0], [3.5, 0], [12, 0]], n=400),
    "spiral": np.c_[t * np.cos(t), t * np.sin(t)] + rng.normal(scale=0.5, size=(2500, 2)),
}

fig = plt.figure(figsize=(17, 8.5))
grid = fig.add_gridspec(2, len(plots), height_ratios=[1.15, 1])
fitted = {}
for col, (name, X) in enumerate(plots.items()):
    ax = fig.add_subplot(grid[0, col])
    fitted[name] = est = ClusterAmbiguity(random_state=0).fit(X)
    plot_ambiguity(est, ax=ax)
    ax.set_title(f"{name}\nambiguity {est.ambiguity_:.2f}, {est.n_components_} components")
    ax.set_xticks([])
    ax.set_yticks([])

gaps = np.linspace(0, 8, 33)
base = rng.normal(size=(1000, 2))
scores = cluster_ambiguity_score(
    [np.vstack([base, base + [g, 0]]) for g in gaps], n_jobs=2, random_state=0
)
ax = fig.add_subplot(grid[1, :3])
ax.plot(gaps, scores, "o-", color="tab:purple")
ax.set_xlabel("distance between the two means (in standard deviations)")
ax.set_ylabel("cluster ambiguity")
ax.set_title("two Gaussians pulled apart")
ax.axvline(2.0, ls=":", c="0.5")
ax.text(1.95, 0.9 * scores.max(), "unimodal up to 2 sd ", color="0.4", ha="right")

est = fitted["three, one pair close"]
ax = fig.add_subplot(grid[1, 3:])
ks = np.arange(1, len(est.bic_) + 1)
ax.plot(ks, est.bic_, "o-", color="tab:blue")
ax.plot(est.n_components_, est.bic_[est.n_components_ - 1], "o", ms=14, mfc="none", c="red")
ax.set_xlabel("number of Gaussian components k")
ax.set_ylabel("BIC")
ax.set_title("three, one pair close: BIC and its knee (Kneedle, S = 3)")
fig.tight_layout()
plt.show()
