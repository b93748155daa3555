"""Find every public estimator of skcluster, so that the common tests check each one."""

import importlib
import inspect
import pkgutil
from operator import itemgetter

from sklearn.base import BaseEstimator

_TYPE_MIXINS = {
    "classifier": "ClassifierMixin",
    "regressor": "RegressorMixin",
    "transformer": "TransformerMixin",
    "cluster": "ClusterMixin",
}


def all_estimators(type_filter=None):
    """List the public estimators of skcluster.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster", "sampler"} \
or list of those, default=None
        Keep only estimators of these kinds; ``None`` keeps all.

    Returns
    -------
    estimators : list of (name, class)
        Sorted by name; each class appears once, under the name it is defined with.

    Examples
    --------
    >>> from skcluster.utils import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> "NearestNeighbors" in names
    True
    """
    import skcluster

    found = {}
    for info in pkgutil.walk_packages(skcluster.__path__, prefix="skcluster."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]) or "tests" in parts:
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and not name.startswith("_")
                and cls.__module__.startswith("skcluster.")
                and not inspect.isabstract(cls)
                and cls.__name__ == name  # skip aliases such as PPP
            ):
                found[name] = cls
    estimators = sorted(found.items(), key=itemgetter(0))
    if type_filter is None:
        return estimators
    filters = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    unknown = set(filters) - set(_TYPE_MIXINS) - {"sampler"}
    if unknown:
        raise ValueError(
            f"unknown type_filter {sorted(unknown)}; use {sorted(_TYPE_MIXINS) + ['sampler']}."
        )

    def keep(cls):
        mro = {c.__name__ for c in cls.__mro__}
        return any(
            (f == "sampler" and hasattr(cls, "fit_resample")) or _TYPE_MIXINS.get(f) in mro
            for f in filters
        )

    return [(n, c) for n, c in estimators if keep(c)]
