"""Metrics: clustering accuracy (Hungarian matching) and CLAMS cluster ambiguity."""

from ._ambiguity import (
    ClusterAmbiguity,
    cluster_ambiguity_score,
    fit_separability_model,
    make_ambiguity_scorer,
    plot_ambiguity,
)
from ._ambiguity_scoring import PAIR_FEATURES
from ._clustering import clustering_accuracy, clustering_accuracy_scorer

cluster_ambiguity_scorer = make_ambiguity_scorer()

__all__ = [
    "PAIR_FEATURES",
    "ClusterAmbiguity",
    "cluster_ambiguity_score",
    "cluster_ambiguity_scorer",
    "clustering_accuracy",
    "clustering_accuracy_scorer",
    "fit_separability_model",
    "make_ambiguity_scorer",
    "plot_ambiguity",
]
