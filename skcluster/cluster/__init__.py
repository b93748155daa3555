"""Clustering estimators from recent research, on skcluster's backend."""

from ._ncd import NCDKMeans, NCDSpectralClustering, estimate_n_novel_classes
from ._pbn import ProjectionNCD
from ._ppp import PPP, ProbabilisticPartitivePartitioning

__all__ = [
    "NCDKMeans",
    "NCDSpectralClustering",
    "PPP",
    "ProbabilisticPartitivePartitioning",
    "ProjectionNCD",
    "estimate_n_novel_classes",
]
