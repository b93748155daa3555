"""SDP k-means and iLA-SDP: skcluster against cvxpy + SCS, k-means and EM, in one run.

Speed: the Peng-Wei SDP at n = 200 (4 overlapping blobs) with cvxpy + SCS (eps 1e-6), then
skcluster's ADMM and low-rank solvers on the same data, objectives side by side; the
low-rank solver at n = 20,000 and LikelihoodAdjustedSDP at n = 10,000, with peak memory.
Fidelity: mis-clustering error (1 - Hungarian accuracy) of LikelihoodAdjustedSDP (defaults,
and the single k-means-SDP start without the final EM, as before issue 23), SDPKMeans,
k-means (n_init=10) and scikit-learn's GaussianMixture (EM with its defaults, and with
n_init=10) on make_heterogeneous_mixture and make_rotated_mixture settings: mean and worst
draw, iLA-SDP's paired differences to both EMs.
Sketch: both estimators with sketch_size on 1,000,000 rows against scikit-learn's KMeans and
GaussianMixture on all rows. Lifted: iLA-SDP's inner SDP by the low-rank solver against the
exact ADMM (and cvxpy + SCS at n = 30).

    python benchmarks/bench_sdp.py              # everything
    python benchmarks/bench_sdp.py --skip-cvxpy # without the 1-2 minute SCS solve
    python benchmarks/bench_sdp.py --part speed # or --part sketch, lifted, fidelity, cost
    python benchmarks/bench_sdp.py --part fidelity --repeats 20 --rows 9 10  # some settings
"""

import argparse
import os
import platform
import resource
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

from skcluster.cluster import LikelihoodAdjustedSDP, SDPKMeans
from skcluster.datasets import make_heterogeneous_mixture, make_rotated_mixture
from skcluster.metrics import clustering_accuracy


def scs_objective(X, K):
    import cvxpy as cp

    Xc = X - X.mean(axis=0)
    Z = cp.Variable((len(X), len(X)), PSD=True)
    constraints = [Z >= 0, cp.sum(Z, axis=1) == 1, cp.trace(Z) == K]
    problem = cp.Problem(cp.Maximize(cp.trace(Xc @ Xc.T @ Z)), constraints)
    problem.solve(solver="SCS", eps=1e-6, max_iters=100_000)
    return float((Xc**2).sum() - problem.value)


def timed(func):
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def speed(skip_cvxpy):
    X, _ = make_blobs(200, centers=4, cluster_std=1.5, random_state=0)
    print("## Peng-Wei SDP, n = 200, 4 clusters (2-D blobs, sd 1.5)\n")
    print("| solver | time (s) | objective (WCSS lower bound) | rel. to SCS | speed-up |")
    print("|---|---|---|---|---|")
    ref, t_ref = (None, None) if skip_cvxpy else timed(lambda: scs_objective(X, 4))
    if ref is not None:
        print(f"| cvxpy + SCS (eps 1e-6) | {t_ref:.1f} | {ref:.4f} | 0 | 1x |")
    for solver in ("admm", "lowrank"):
        est, t = timed(lambda s=solver: SDPKMeans(4, solver=s, random_state=0).fit(X))
        rel = f"{(est.objective_ - ref) / ref:+.1e}" if ref else "-"
        ratio = f"{t_ref / t:.0f}x" if ref else "-"
        print(
            f"| SDPKMeans {solver} ({est.n_iter_} it) | {t:.2f} | {est.objective_:.4f} "
            f"| {rel} | {ratio} |"
        )
    print("\n## Scale (no n x n array)\n")
    print("| estimator | n x d, K | time (s) | iterations | accuracy | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|")
    X, y = make_blobs(20_000, centers=5, n_features=8, cluster_std=2.5, random_state=0)
    est, t = timed(lambda: SDPKMeans(5, solver="lowrank", random_state=0).fit(X))
    acc = clustering_accuracy(y, est.labels_)
    print(
        f"| SDPKMeans lowrank | 20,000 x 8, 5 | {t:.1f} | {est.n_iter_} | {acc:.4f} "
        f"| {peak_mib():.0f} |"
    )
    X, y = make_heterogeneous_mixture(10_000, n_features=5, n_clusters=3, random_state=0)
    est, t = timed(lambda: LikelihoodAdjustedSDP(3, random_state=0).fit(X))
    acc = clustering_accuracy(y, est.labels_)
    print(
        f"| LikelihoodAdjustedSDP | 10,000 x 5, 3 | {t:.1f} | {est.n_iter_} outer "
        f"| {acc:.4f} | {peak_mib():.0f} |"
    )


def sketch():
    """Sketch-and-lift at a million rows against what a user would run on all of them."""
    from sklearn.cluster import KMeans

    print("\n## Sketch-and-lift, 1,000,000 rows\n")
    print("| method | data | time (s) | accuracy |")
    print("|---|---|---|---|")
    X, y = make_blobs(1_000_000, centers=5, n_features=8, cluster_std=2.5, random_state=0)
    data = "blobs 1,000,000 x 8, K=5"
    runs = [
        (
            "SDPKMeans lowrank, sketch_size=20,000",
            SDPKMeans(5, solver="lowrank", sketch_size=20_000, random_state=0),
        ),
        ("scikit-learn KMeans (n_init=10), all rows", KMeans(5, n_init=10, random_state=0)),
    ]
    for name, est in runs:
        _, t = timed(lambda e=est: e.fit(X))
        print(f"| {name} | {data} | {t:.1f} | {clustering_accuracy(y, est.labels_):.4f} |")
    X, y = make_heterogeneous_mixture(1_000_000, n_features=5, n_clusters=3, random_state=0)
    data = "make_heterogeneous_mixture 1,000,000 x 5, K=3"
    runs = [
        (
            "LikelihoodAdjustedSDP, sketch_size=10,000",
            LikelihoodAdjustedSDP(3, sketch_size=10_000, random_state=0),
        ),
        ("scikit-learn GaussianMixture (EM), all rows", GaussianMixture(3, random_state=0)),
    ]
    for name, est in runs:
        labels, t = timed(lambda e=est: e.fit(X).predict(X))
        print(f"| {name} | {data} | {t:.1f} | {clustering_accuracy(y, labels):.4f} |", flush=True)


def lifted(skip_cvxpy):
    """iLA-SDP's inner SDP (the lifted Z_1..Z_K): low-rank factors against the exact ADMM
    (and cvxpy + SCS on the smallest), on the costs of the true clusters' parameters."""
    from skcluster.cluster._sdp_solvers import lifted_costs, solve_admm_lifted, solve_nlr

    print("\n## iLA-SDP's lifted SDP: low rank against exact\n")
    print("| n, d, K | exact ADMM objective (it, s) | SCS | low rank r=2 | r=4 |")
    print("|---|---|---|---|---|")
    for n, d, K, seed in [(30, 2, 2, 0), (60, 2, 3, 1), (150, 5, 2, 2), (150, 2, 3, 3)]:
        X, y = make_heterogeneous_mixture(n, n_features=d, n_clusters=K, random_state=seed)
        X = (X - X.mean(0)) / np.sqrt(((X - X.mean(0)) ** 2).sum() / n)
        est = LikelihoodAdjustedSDP(K)
        weights, _, covs = est._parameters(X, est._start(y, K, 1, 0))
        Xw, q, offsets = est._costs(X, weights, covs)
        q, offsets = q - q.min(axis=0), offsets - offsets.min()
        C = lifted_costs(Xw, q, offsets)
        (Z, it, _), t = timed(lambda C=C: solve_admm_lifted(C, tol=1e-6))
        exact = float(np.einsum("kij,kij->", C, Z))
        scs = "-"
        if n <= 30 and not skip_cvxpy:
            import cvxpy as cp

            Zs = [cp.Variable((n, n), PSD=True) for _ in range(K)]
            cons = [z >= 0 for z in Zs] + [cp.trace(z) == 1 for z in Zs]
            cons.append(sum(cp.sum(z, axis=1) for z in Zs) == 1)
            objective = sum(cp.trace(C[k] @ Zs[k]) for k in range(K))
            problem = cp.Problem(cp.Minimize(objective), cons)
            problem.solve(solver="SCS", eps=1e-8)
            scs = f"{problem.value:.4f}"
        cells = []
        for rank in (2, 4):
            U0 = est._start(y, K, rank, 0)
            U = solve_nlr(Xw, q, offsets, U0, np.ones(K), tol=1e-7, max_iter=500_000)[0]
            low = float(np.einsum("kij,kir,kjr->", C, U, U))
            cells.append(f"{low:.4f} ({(low - exact) / abs(exact):+.1e})")
        print(
            f"| {n}, {d}, {K} | {exact:.4f} ({it}, {t:.1f}) | {scs} | {' | '.join(cells)} |",
            flush=True,
        )


# (generator, setting): make_heterogeneous_mixture's spans equal/unequal sizes and the
# high dimensions where EM's covariances go astray; make_rotated_mixture's (sizes 1:2:..:K,
# rotated covariances of condition numbers 3-30, closest pair 1.5 sd apart) is the second,
# independent setting of issue 23.
SETTINGS = [
    ("het", dict(n_samples=400, n_features=2, n_clusters=2)),
    ("het", dict(n_samples=300, n_features=20, n_clusters=2)),
    ("het", dict(n_samples=600, n_features=10, n_clusters=3)),
    ("het", dict(n_samples=400, n_features=5, n_clusters=2, elongation=4.0, separation=4.0)),
    ("het", dict(n_samples=800, n_features=2, n_clusters=4)),
    ("het", dict(n_samples=300, n_features=40, n_clusters=2)),
    ("het", dict(n_samples=400, n_features=50, n_clusters=4, separation=6.0)),
    ("het", dict(n_samples=400, n_features=2, n_clusters=2, weights=(0.25, 0.75))),
    ("het", dict(n_samples=600, n_features=10, n_clusters=3, weights=(0.2, 0.3, 0.5))),
    ("rot", dict(n_samples=600, n_features=2, n_clusters=3)),
    ("rot", dict(n_samples=1000, n_features=2, n_clusters=4)),
    ("rot", dict(n_samples=600, n_features=5, n_clusters=3)),
    ("rot", dict(n_samples=1000, n_features=5, n_clusters=4)),
    ("rot", dict(n_samples=600, n_features=10, n_clusters=3)),
    ("rot", dict(n_samples=1000, n_features=10, n_clusters=4)),
    ("rot", dict(n_samples=1000, n_features=20, n_clusters=4)),
]
GENERATORS = {"het": make_heterogeneous_mixture, "rot": make_rotated_mixture}
METHODS = ("ila", "ila_full", "ila_sdp", "sdp", "km", "em", "em10")
NAMES = {
    "ila": "iLA-SDP",
    "ila_full": "iLA-SDP covariance_type='full'",
    "ila_sdp": "iLA-SDP full, init='sdp', refine='none'",
    "sdp": "SDPKMeans",
    "km": "k-means",
    "em": "EM",
    "em10": "EM n_init=10",
}


def fidelity(repeats, rows=None):
    """Mis-clustering error of each method on ``repeats`` draws of each setting: mean, worst
    draw, and iLA-SDP's paired differences to EM and to EM with ten starts."""
    print(f"\n## Mis-clustering error, {repeats} draws per setting (mean / worst draw)\n")
    head = " | ".join(NAMES[k] for k in METHODS)
    print(
        f"| generator, setting | {head} | iLA-SDP - EM | iLA-SDP - EM10 | worst iLA-SDP - EM10 "
        "| s/fit iLA-SDP, EM10 |"
    )
    print("|---" * (len(METHODS) + 5) + "|")
    for row, (gen, setting) in enumerate(SETTINGS):
        if rows is not None and row not in rows:
            continue
        errors = {key: [] for key in METHODS}
        seconds = {"ila": 0.0, "em10": 0.0}
        K = setting["n_clusters"]
        for rep in range(repeats):
            X, y = GENERATORS[gen](**setting, random_state=rep)
            ila = LikelihoodAdjustedSDP(K, random_state=rep)
            em10 = GaussianMixture(K, n_init=10, random_state=rep)
            seconds["ila"] += timed(lambda e=ila, X=X: e.fit(X))[1]
            seconds["em10"] += timed(lambda e=em10, X=X: e.fit(X))[1]
            before = LikelihoodAdjustedSDP(
                K, covariance_type="full", init="sdp", refine="none", random_state=rep
            )
            full = LikelihoodAdjustedSDP(K, covariance_type="full", random_state=rep)
            fits = {
                "ila": ila.labels_,
                "ila_full": full.fit(X).labels_,
                "ila_sdp": before.fit(X).labels_,
                "sdp": SDPKMeans(K, solver="lowrank", random_state=rep).fit(X).labels_,
                "km": KMeans(K, n_init=10, random_state=rep).fit(X).labels_,
                "em": GaussianMixture(K, random_state=rep).fit(X).predict(X),
                "em10": em10.predict(X),
            }
            for key, labels in fits.items():
                errors[key].append(1 - clustering_accuracy(y, labels))
        name = f"{gen}: " + ", ".join(f"{k}={v}" for k, v in setting.items())
        cells = " | ".join(f"{np.mean(errors[k]):.4f} / {np.max(errors[k]):.3f}" for k in METHODS)
        paired = []
        for key in ("em", "em10"):  # paired differences with their standard errors
            diff = np.subtract(errors["ila"], errors[key])
            se = diff.std(ddof=1) / np.sqrt(repeats) if repeats > 1 else float("nan")
            paired.append(f"{diff.mean():+.4f} +- {se:.4f}")
        worst = np.max(np.subtract(errors["ila"], errors["em10"]))
        times = f"{seconds['ila'] / repeats:.1f}, {seconds['em10'] / repeats:.2f}"
        print(f"| {name} | {cells} | {' | '.join(paired)} | {worst:+.3f} | {times} |", flush=True)


def cost():
    """Time per fit of iLA-SDP's defaults against EM, at 600 rows and with a sketch at
    10,000 and 1,000,000 rows (make_rotated_mixture, 10-D, K = 3)."""
    print("\n## Cost per fit: iLA-SDP against EM (make_rotated_mixture, 10-D, K = 3)\n")
    print("| rows | method | time (s) | error |")
    print("|---|---|---|---|")
    for n, sketch_size in [(600, None), (10_000, 2_000), (1_000_000, 10_000)]:
        X, y = make_rotated_mixture(n, n_features=10, n_clusters=3, random_state=0)
        runs = [
            (
                f"iLA-SDP, sketch_size={sketch_size}",
                LikelihoodAdjustedSDP(3, sketch_size=sketch_size, random_state=0),
            ),
            ("EM (GaussianMixture), all rows", GaussianMixture(3, random_state=0)),
        ]
        if n <= 10_000:
            runs.append(("EM n_init=10, all rows", GaussianMixture(3, n_init=10, random_state=0)))
        for name, est in runs:
            labels, t = timed(lambda e=est, X=X: e.fit(X).predict(X))
            error = 1 - clustering_accuracy(y, labels)
            print(f"| {n:,} | {name} | {t:.2f} | {error:.4f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cvxpy", action="store_true")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--rows", type=int, nargs="*", default=None, help="fidelity settings to run (0-based)"
    )
    parser.add_argument(
        "--part",
        choices=["all", "speed", "sketch", "lifted", "fidelity", "cost"],
        default="all",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores\n")
    if args.part in ("all", "speed"):
        speed(args.skip_cvxpy)
    if args.part in ("all", "sketch"):
        sketch()
    if args.part in ("all", "lifted"):
        lifted(args.skip_cvxpy)
    if args.part in ("all", "fidelity"):
        fidelity(args.repeats, args.rows)
    if args.part in ("all", "cost"):
        cost()


if __name__ == "__main__":
    main()
