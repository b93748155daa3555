"""Clustering estimators from recent research, on skcluster's backend."""

from ._ila_sdp import ILASDP, LikelihoodAdjustedSDP
from ._ncd import NCDKMeans, estimate_n_novel_classes
from ._ncd_spectral import NCDSpectralClustering
from ._pbn import ProjectionNCD
from ._ppp import PPP, ProbabilisticPartitivePartitioning
from ._sdp import SDPKMeans
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
