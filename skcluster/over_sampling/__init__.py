"""Over-samplers of the SMOTE family, compatible with imbalanced-learn, on the fast backend."""

from ._cluster_based import LVQSMOTE, MWMOTE, AssembledSMOTE
from ._combine import SMOTEENN, SMOTEIPF, SMOTETomek
from ._geometric import CCR, GeometricSMOTE
from ._segment import SMOBD, LeeSMOTE, PolynomFitSMOTE, ProWSyn, SafeLevelSMOTE
from ._smote import ADASYN, SMOTE, SVMSMOTE, BorderlineSMOTE, KMeansSMOTE
from ._smote_nc import SMOTENC
from ._smoten import SMOTEN

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
