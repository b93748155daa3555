"""Clustering estimators from recent research, on skcluster's backend."""

from ._ppp import PPP, ProbabilisticPartitivePartitioning

__all__ = ["PPP", "ProbabilisticPartitivePartitioning"]
