"""The scoring steps of CLAMS between the mixture and the score (Jeon et al., IEEE VIS 2023):
the scatterplot standardised, one component drawn per row, the Gabriel pairs of components,
their 13 features, the separability model and the mean binary entropy of its answers."""

import math

import numpy as np

from .. import _backend
from ..cluster._mixture import Atoms, log_joint

# the 13 pair features, in the order of the paper's code (its INPUT_ARR)
PAIR_FEATURES = (
    "rotation_diff",
    "scaling_diff",
    "mean_diff",
    "scaling_size",
    "scaling_size_diff",
    "mean_diff_scaling_ratio",
    "ellipticity_average",
    "ellipticity_diff",
    "density_diff",
    "density_average",
    "rotation_average",
    "gaussian_mean_vector_angle_diff",
    "gaussian_mean_vector_angle_average",
)

_P_CLIP = 1e-5


def _draw_labels(mix, Z, rng):
    """One component per row, drawn from its posterior (the paper's hard assignment)."""
    resp = _backend.logsumexp(log_joint(Atoms(np.ones(len(Z)), Z), mix), responsibilities=True)[1]
    cum = np.cumsum(resp, axis=1)
    drawn = (cum < rng.uniform(size=len(Z))[:, None] * cum[:, -1:]).sum(axis=1)
    return np.minimum(drawn, len(mix.weights) - 1)


def _check_scatterplot(X):
    if X.shape[1] != 2:
        raise ValueError(
            f"X has {X.shape[1]} feature(s), but cluster ambiguity scores 2-D scatterplots: "
            "X must have exactly 2 columns (x, y)."
        )


def _standardise(X, axis_scaling):
    """Centre, optionally stretch each axis to the same range, divide by one overall scale.

    Returns the standardised rows, the centre and the per-axis scale (``None`` when all
    points are identical)."""
    center = X.mean(axis=0)
    Z = X - center
    axis = np.ones(2)
    if axis_scaling == "minmax":
        ptp = np.ptp(Z, axis=0)
        axis = np.where(ptp > 0, ptp, 1.0)
        Z = Z / axis
    # divide by the largest magnitude first: no underflow or overflow at extreme scales
    top = float(np.abs(Z).max())
    if top == 0.0 or not np.isfinite(top):
        if top == 0.0:
            return Z, center, None
        raise ValueError("X spans too large a range to be scaled in float64.")
    Z = Z / top
    overall = math.sqrt(float((Z * Z).mean()))
    return Z / overall, center, axis * (top * overall)


def _gabriel_pairs(means):
    """Pairs (i < j) whose diametral circle holds no other mean (the Gabriel graph).

    Tested directly on every pair: K <= 17, and it needs no triangulation, so collinear or
    repeated means are no special case.
    """
    K = len(means)
    pairs = []
    for i in range(K):
        for j in range(i + 1, K):
            center = 0.5 * (means[i] + means[j])
            r2 = 0.25 * float(((means[i] - means[j]) ** 2).sum())
            others = np.delete(np.arange(K), [i, j])
            if not (((means[others] - center) ** 2).sum(axis=1) < r2).any():
                pairs.append((i, j))
    return np.array(pairs, dtype=np.intp).reshape(-1, 2)


def _axes(cov):
    """Standard deviations along the principal axes (major first) and the major axis's
    orientation in [0, pi)."""
    vals, vecs = np.linalg.eigh(cov)
    sd = np.sqrt(np.maximum(vals[::-1], 0.0))
    major = vecs[:, -1]
    return sd, math.atan2(major[1], major[0]) % math.pi


def _axial_diff(a, b):
    d = abs(a - b) % math.pi
    return min(d, math.pi - d)


def pair_features(X, labels, mixture, i, j):
    """The 13 CLAMS features of components ``i`` and ``j`` (order of :data:`PAIR_FEATURES`).

    The rows drawn to either component are rescaled so that the longer of their two axis
    ranges spans [0, 1]; means and axis lengths are expressed in that unit.
    """
    pts = X[(labels == i) | (labels == j)]
    unit = float(np.ptp(pts, axis=0).max()) if len(pts) > 1 else 0.0
    unit = unit if unit > 0 else 1.0
    sd_i, rot_i = _axes(mixture.covariances[i])
    sd_j, rot_j = _axes(mixture.covariances[j])
    sd_i, sd_j = sd_i / unit, sd_j / unit
    delta = (mixture.means[i] - mixture.means[j]) / unit
    mean_diff = float(np.hypot(*delta))
    size_i, size_j = float(np.hypot(*sd_i)), float(np.hypot(*sd_j))
    tiny = np.finfo(float).tiny
    ell_i = sd_i[0] / max(sd_i[1], tiny)
    ell_j = sd_j[0] / max(sd_j[1], tiny)
    dens_i = np.count_nonzero(labels == i) / max(sd_i[0] * sd_i[1], tiny)
    dens_j = np.count_nonzero(labels == j) / max(sd_j[0] * sd_j[1], tiny)
    line = math.atan2(delta[1], delta[0]) % math.pi
    ang_i, ang_j = _axial_diff(line, rot_i), _axial_diff(line, rot_j)
    rot_mean = 0.5 * math.atan2(
        math.sin(2 * rot_i) + math.sin(2 * rot_j), math.cos(2 * rot_i) + math.cos(2 * rot_j)
    )
    values = {
        "rotation_diff": _axial_diff(rot_i, rot_j),
        "rotation_average": rot_mean % math.pi,
        "scaling_diff": float(np.hypot(*(sd_i - sd_j))),
        "mean_diff": mean_diff,
        "scaling_size": size_i + size_j,
        "scaling_size_diff": abs(size_i - size_j),
        "mean_diff_scaling_ratio": mean_diff / max(size_i + size_j, tiny),
        "ellipticity_average": 0.5 * (ell_i + ell_j),
        "ellipticity_diff": abs(ell_i - ell_j),
        "density_diff": abs(dens_i - dens_j),
        "density_average": 0.5 * (dens_i + dens_j),
        "gaussian_mean_vector_angle_diff": abs(ang_i - ang_j),
        "gaussian_mean_vector_angle_average": 0.5 * (ang_i + ang_j),
    }
    return np.array([values[name] for name in PAIR_FEATURES])


def gaussian_separability(means, covariances, pairs):
    """The default separability model: ``p = 1 / (1 + exp(2 (D - 2)))`` per pair.

    ``D = sqrt(2 delta^T (Sigma_i + Sigma_j)^-1 delta)`` is Ashman's D of the two Gaussians
    projected on the direction that separates them best; see :class:`ClusterAmbiguity`.
    """
    p = np.empty(len(pairs))
    for t, (i, j) in enumerate(pairs):
        delta = means[i] - means[j]
        D = math.sqrt(
            max(2.0 * delta @ np.linalg.solve(covariances[i] + covariances[j], delta), 0)
        )
        p[t] = 1.0 / (1.0 + math.exp(min(2.0 * (D - 2.0), 700.0)))
    return p


def _probabilities(model, mixture, pairs, features):
    if len(pairs) == 0:
        return np.empty(0)
    if model is None:
        p = gaussian_separability(mixture.means, mixture.covariances, pairs)
    else:
        p = np.asarray(model.predict(features), dtype=float).reshape(-1)
        if p.shape != (len(pairs),) or not np.isfinite(p).all():
            raise ValueError(
                "separability_model.predict must return one finite value per pair of "
                f"components; got shape {p.shape}."
            )
    return np.clip(p, _P_CLIP, 1 - _P_CLIP)


def _mean_entropy(p):
    if len(p) == 0:
        return 0.0
    h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return float(np.clip(h.mean(), 0.0, 1.0))
