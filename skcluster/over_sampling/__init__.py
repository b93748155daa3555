"""Over-samplers of the SMOTE family, compatible with imbalanced-learn, on the fast backend."""

from ._smote import ADASYN, SMOTE, SVMSMOTE, BorderlineSMOTE
from ._smote_nc import SMOTENC

__all__ = ["ADASYN", "SMOTE", "SMOTENC", "SVMSMOTE", "BorderlineSMOTE"]
