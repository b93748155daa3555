"""Over-samplers of the SMOTE family, compatible with imbalanced-learn, on the fast backend."""

from ._combine import SMOTEENN, SMOTEIPF, SMOTETomek
from ._smote import ADASYN, SMOTE, SVMSMOTE, BorderlineSMOTE, KMeansSMOTE
from ._smote_nc import SMOTENC
from ._smoten import SMOTEN
from ._variants import (
    CCR,
    LVQSMOTE,
    MWMOTE,
    SMOBD,
    AssembledSMOTE,
    GeometricSMOTE,
    LeeSMOTE,
    PolynomFitSMOTE,
    ProWSyn,
    SafeLevelSMOTE,
)

__all__ = [
    "AssembledSMOTE",
    "ADASYN",
    "CCR",
    "SMOTE",
    "SMOTEENN",
    "SMOTEIPF",
    "SMOTEN",
    "SMOTENC",
    "SMOTETomek",
    "SVMSMOTE",
    "BorderlineSMOTE",
    "GeometricSMOTE",
    "KMeansSMOTE",
    "LeeSMOTE",
    "LVQSMOTE",
    "MWMOTE",
    "SMOBD",
    "PolynomFitSMOTE",
    "ProWSyn",
    "SafeLevelSMOTE",
]
