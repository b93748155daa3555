"""Metrics: clustering accuracy (Hungarian matching)."""

from ._clustering import clustering_accuracy, clustering_accuracy_scorer

__all__ = ["clustering_accuracy", "clustering_accuracy_scorer"]
