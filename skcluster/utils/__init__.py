"""Utilities: estimator discovery and input validation shared by all estimators."""

from ._discovery import all_estimators

__all__ = ["all_estimators"]
