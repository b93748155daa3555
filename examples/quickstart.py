"""skcluster quickstart: the main job, end to end, on data the package generates.

It grows with every estimator skcluster gains. Today: exact nearest neighbours on the shared
backend, checked against scikit-learn; the SMOTE family over-sampling an imbalanced
problem inside an imbalanced-learn pipeline, with the provenance of each synthetic row; and
PPP finding the number of clusters itself, next to the BIC sweep a user would otherwise write;
novel class discovery: clustering new digits with the help of known ones; CLAMS, how
differently people would cluster each 2-D view of a data set; semidefinite clustering of
clusters with different shapes (SDP k-means and iLA-SDP); and subspace clustering by
self-expression (deep and linear).

    pip install . && python examples/quickstart.py
"""

import time

import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.datasets import load_digits, load_iris, make_blobs, make_classification
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import NearestNeighbors as SkNearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import skcluster
from skcluster.cluster import (
    PPP,
    DeepSubspaceClustering,
    LeastSquaresSubspaceClustering,
    LikelihoodAdjustedSDP,
    NCDKMeans,
    NCDSpectralClustering,
    SDPKMeans,
    estimate_n_novel_classes,
)
from skcluster.datasets import (
    make_gaussian_mixture,
    make_heterogeneous_mixture,
    make_subspaces,
)
from skcluster.metrics import ClusterAmbiguity, cluster_ambiguity_score, clustering_accuracy
from skcluster.neighbors import NearestNeighbors
from skcluster.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, ProWSyn

print(f"skcluster {skcluster.__version__}")
first_call_extra = []


def timed(call, compiles=True):
    """``call()`` and its seconds with Numba's kernels compiled: it runs twice and the second
    run is timed. (The first use of a kernel compiles it, about a second each; the machine
    code is then cached on disk, so a later run of this script finds it compiled.)"""
    first = 0.0
    if compiles:  # scikit-learn's compiled code needs no warm-up
        t0 = time.perf_counter()
        call()
        first = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - t0
    if compiles:
        first_call_extra.append(max(first - seconds, 0.0))
    return result, seconds


def versus(ours, theirs):
    """'2.6x faster' or '1.5x slower': skcluster's time against the other tool's."""
    ratio = theirs / ours
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"


# 1. Nearest neighbours: 20,000 points from 5 blobs, 16 float32 features.
X, blob = make_blobs(n_samples=20_000, n_features=16, centers=5, random_state=0)
X = X.astype(np.float32)
nn = NearestNeighbors(n_neighbors=10).fit(X)
# every point's 10 neighbours, itself excluded
(dist, ind), t_ours = timed(nn.kneighbors)
(_, ind_sk), t_sk = timed(SkNearestNeighbors(n_neighbors=10).fit(X).kneighbors, False)

same_blob = (blob[ind] == blob[:, None]).mean()
print(
    f"\n[NearestNeighbors] 20,000 x 16, k=10: {t_ours:.2f} s "
    f"(scikit-learn {t_sk:.2f} s: skcluster is {versus(t_ours, t_sk)})"
)
print(f"  neighbours identical to scikit-learn's: {(ind == ind_sk).mean():.2%}")
print(f"  neighbours from the point's own blob:    {same_blob:.2%}")
print(f"  median distance to the 10th neighbour:   {np.median(dist[:, -1]):.3f}")

# 2. Over-sampling an imbalanced problem, inside an imbalanced-learn pipeline.
Xi, yi = make_classification(n_samples=20_000, n_features=16, weights=[0.95], random_state=0)
for sampler in (
    SMOTE(random_state=0),
    BorderlineSMOTE(random_state=0),
    ADASYN(random_state=0),
    ProWSyn(random_state=0),
):
    pipe = make_pipeline(sampler, DecisionTreeClassifier(max_depth=6, random_state=0))
    auc = cross_val_score(pipe, Xi, yi, cv=3, scoring="roc_auc").mean()
    X_res, y_res = sampler.fit_resample(Xi, yi)
    p0, p1 = sampler.synthetic_parents_[0]
    print(
        f"\n[{type(sampler).__name__}] class counts {np.bincount(yi).tolist()} -> "
        f"{np.bincount(y_res).tolist()}, CV ROC AUC {auc:.3f}"
    )
    print(
        f"  first synthetic row lies between rows {p0} and {p1}, "
        f"at {sampler.synthetic_steps_[0]:.2f} of the way"
    )

# 3. How many clusters? PPP finds out, the same for every seed.
Xc, yc = make_gaussian_mixture(
    30_000, 8, 12, separation=2.0, anisotropy=3.0, scale_range=2.0, random_state=0
)
ppp, t_ppp = timed(lambda: PPP().fit(Xc))
sweep, t_sweep = timed(
    lambda: [GaussianMixture(k, random_state=0).fit(Xc) for k in range(1, 16)], False
)
best = min(sweep, key=lambda gm: gm.bic(Xc))
print(
    f"\n[PPP] 30,000 x 8 from 12 stretched Gaussians: {ppp.n_clusters_} clusters in "
    f"{t_ppp:.1f} s, ARI {adjusted_rand_score(yc, ppp.labels_):.3f}"
)
print(
    f"  GaussianMixture BIC sweep k=1..15: k={best.n_components} in {t_sweep:.1f} s, "
    f"ARI {adjusted_rand_score(yc, best.predict(Xc)):.3f} (PPP is {versus(t_ppp, t_sweep)})"
)
print(
    f"  clusterability {ppp.clusterability_:.3f}; {len(ppp.most_separable_)} rows assigned "
    f"with posterior >= {ppp.confidence}; least separated pair: Bhattacharyya distance "
    f"{ppp.separability_[ppp.separability_ > 0].min():.2f}"
)

# 4. Novel class discovery: digits 1, 2, 7, 8, 9 are labelled (the paper's optdigits split);
#    0, 3, 4, 5, 6 arrive unlabelled and unnamed.
Xd, yd = load_digits(return_X_y=True)
Xd = StandardScaler().fit_transform(Xd)
y_semi = np.where(np.isin(yd, [1, 2, 7, 8, 9]), yd, -1)  # -1: unlabelled (scikit-learn's way)
new = y_semi == -1
k = estimate_n_novel_classes(Xd[new], k_range=(2, 12), normalize_rows=True, random_state=0)
ncd = NCDKMeans(k, random_state=0).fit(Xd, y_semi)
km = KMeans(k, n_init=10, random_state=0).fit(Xd[new])
# defaults: the graph (unlabelled rows' kNN graph in the known classes' metric, or the
# paper's graph of all rows) is chosen on the known classes by hiding some of them
sc = NCDSpectralClustering(k, random_state=0).fit(Xd, y_semi)
print(f"\n[novel class discovery] digits 1, 2, 7, 8, 9 known, {new.sum()} unlabelled rows")
print(f"  estimated number of novel classes: {k} (truth: 5)")
for name, labels in [
    ("NCDKMeans", ncd.labels_[new]),  # labels_: known rows keep y, new rows a novel class
    ("NCDSpectralClustering", sc.labels_[new]),
    ("scikit-learn KMeans", km.labels_),
]:
    print(f"  clustering accuracy, {name + ':':<23}{clustering_accuracy(yd[new], labels):.3f}")

# 5. CLAMS: how differently would people cluster each 2-D scatterplot of iris? Every pair of
#    features is one view; all six are scored in parallel.
iris = load_iris()
views = [(i, j) for i in range(4) for j in range(i + 1, 4)]
t0 = time.perf_counter()
scores = cluster_ambiguity_score(
    [iris.data[:, [i, j]] for i, j in views], n_jobs=2, random_state=0
)
print(
    f"\n[CLAMS] cluster ambiguity of the 6 feature-pair views of iris "
    f"({time.perf_counter() - t0:.1f} s)"
)
for (i, j), score in sorted(zip(views, scores, strict=True), key=lambda t: t[1]):
    est = ClusterAmbiguity(random_state=0).fit(iris.data[:, [i, j]])
    print(
        f"  {iris.feature_names[i]:>17} x {iris.feature_names[j]:<17} ambiguity "
        f"{score:.3f} ({est.n_components_} components)"
    )
rng = np.random.default_rng(0)
blob = rng.normal(size=(1000, 2))
print(
    "  two Gaussians pulled apart (gap in sd): "
    + ", ".join(
        f"{gap:g}: {cluster_ambiguity_score(np.vstack([blob, blob + [gap, 0]]), random_state=0):.2f}"  # noqa: E501
        for gap in (0, 2, 2.5, 3, 4, 6, 10)
    )
)

# 6. Semidefinite clustering: a narrow and a three times wider Gaussian cluster. The SDP of
#    k-means (like k-means) cuts the wide one at the bisector; iLA-SDP gives each cluster its
#    own covariance inside the SDP.
Xh, yh = make_heterogeneous_mixture(2000, n_features=5, n_clusters=3, random_state=0)
print("\n[SDP] 2,000 x 5, three clusters of standard deviations 1, 1.7 and 3")
for name, est in [
    ("SDPKMeans (low rank)", SDPKMeans(3, random_state=0)),
    ("LikelihoodAdjustedSDP", LikelihoodAdjustedSDP(3, random_state=0)),
    ("scikit-learn KMeans", KMeans(3, n_init=10, random_state=0)),
    ("GaussianMixture (EM)", GaussianMixture(3, random_state=0)),
]:
    ours = type(est).__module__.startswith("skcluster")
    labels, seconds = timed(lambda est=est: est.fit_predict(Xh), ours)
    print(f"  {name + ':':<23}accuracy {clustering_accuracy(yh, labels):.3f} ({seconds:.1f} s)")

# 7. Subspace clustering: 400 points on five 4-dimensional subspaces of R^30 through the
#    origin (plus a little noise). Near the origin the subspaces meet, so distances mislead
#    k-means and a kNN graph; writing each point as a combination of the others (X ≈ C X)
#    finds who shares its subspace. DeepSubspaceClustering learns one C for the input and
#    every layer of an autoencoder, each training stage stopping itself.
Xs, ys = make_subspaces(
    400, n_features=30, n_subspaces=5, subspace_dim=4, noise=0.02, random_state=0
)
print("\n[subspaces] 400 x 30, five 4-dimensional subspaces")
for name, est in [
    ("DeepSubspaceClustering", DeepSubspaceClustering(5, subspace_dim=4, random_state=0)),
    ("LeastSquaresSubspace", LeastSquaresSubspaceClustering(5, subspace_dim=4, random_state=0)),
    ("scikit-learn Spectral", SpectralClustering(5, affinity="nearest_neighbors", random_state=0)),
    ("scikit-learn KMeans", KMeans(5, n_init=10, random_state=0)),
]:
    ours = type(est).__module__.startswith("skcluster")
    labels, seconds = timed(lambda est=est: est.fit_predict(Xs), ours)
    extra = ""
    if hasattr(est, "n_epochs_"):
        extra = ", epochs per stage " + "/".join(str(e) for e in est.n_epochs_.values())
    print(
        f"  {name + ':':<24}accuracy {clustering_accuracy(ys, labels):.3f} "
        f"({seconds:.1f} s{extra})"
    )

print(
    f"\nTimes are of second calls, with the kernels compiled; first calls took "
    f"{sum(first_call_extra):.1f} s longer in all (compiling, once: Numba caches the kernels "
    "on disk, so the next run skips it)."
)
