"""Over-samplers of the SMOTE family, compatible with imbalanced-learn, on the fast backend."""

from ._smote import ADASYN, SMOTE, SVMSMOTE, BorderlineSMOTE

__all__ = ["ADASYN", "SMOTE", "SVMSMOTE", "BorderlineSMOTE"]
