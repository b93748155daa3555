"""Generators of the papers' synthetic settings (no downloads)."""

from ._samples_generator import (
    make_gaussian_mixture,
    make_heterogeneous_mixture,
    make_rotated_mixture,
    make_subspaces,
)

__all__ = [
    "make_gaussian_mixture",
    "make_heterogeneous_mixture",
    "make_rotated_mixture",
    "make_subspaces",
]
