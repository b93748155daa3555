"""Clustering estimators from recent research, on skcluster's backend."""

from ._ncd import NCDKMeans, NCDSpectralClustering, estimate_n_novel_classes
from ._pbn import ProjectionNCD
from ._ppp import PPP, ProbabilisticPartitivePartitioning
from ._sdp import ILASDP, LikelihoodAdjustedSDP, SDPKMeans
from ._subspace import DeepSubspaceClustering, LeastSquaresSubspaceClustering

__all__ = [
    "DeepSubspaceClustering",
    "ILASDP",
    "LeastSquaresSubspaceClustering",
    "LikelihoodAdjustedSDP",
    "NCDKMeans",
    "NCDSpectralClustering",
    "PPP",
    "ProbabilisticPartitivePartitioning",
    "ProjectionNCD",
    "SDPKMeans",
    "estimate_n_novel_classes",
]
