"""Over-samplers of the SMOTE family, compatible with imbalanced-learn, on the fast backend."""

from ._smote import ADASYN, SMOTE, BorderlineSMOTE

__all__ = ["ADASYN", "SMOTE", "BorderlineSMOTE"]
