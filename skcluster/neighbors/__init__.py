"""Brute-force nearest neighbours on skcluster's backend."""

from ._nearest import NearestNeighbors

__all__ = ["NearestNeighbors"]
