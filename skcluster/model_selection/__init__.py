"""Splitters for tuning novel class discovery on the known classes."""

from ._split import HiddenClassKFold

__all__ = ["HiddenClassKFold"]
