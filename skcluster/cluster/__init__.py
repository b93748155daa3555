"""Clustering estimators from recent research, on skcluster's backend."""

from ._ncd import NCDKMeans, NCDSpectralClustering, estimate_n_novel_classes
from ._ppp import PPP, ProbabilisticPartitivePartitioning

__all__ = [
    "NCDKMeans",
    "NCDSpectralClustering",
    "PPP",
    "ProbabilisticPartitivePartitioning",
    "estimate_n_novel_classes",
]
