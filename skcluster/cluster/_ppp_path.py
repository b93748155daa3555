"""The divisive path of PPP (stage 2): from one Gaussian, 2-means splits of each component
validated by EM on the whole mixture; and the pruning and merging of components around it."""

import numpy as np

from .. import _backend
from ._mixture import (
    Mixture,
    _one_call,
    bhattacharyya,
    e_step,
    fit_em,
    information_criterion,
    m_step,
    one_gaussian,
)

# PPP's EM fits on rows run as one backend call up to this many rows (the most it works on
# with the default max_cells): one sequential call was 25-30% faster than the fused pass on
# both threads from 10,000 to 30,000 rows of blobs on 2 cores, and took 25 held-out sets of
# 2,300-10,000 rows from 12.5 to 10.2 s (CLAMS keeps fit_em's default, 2,500)
_PATH_ONE_CALL_MAX_ROWS = 32_000


class _DivisivePathMixin:
    """The divisive path and its EM fits, for :class:`ProbabilisticPartitivePartitioning`.

    The methods read the estimator's parameters (``max_clusters``, ``min_cluster_size``,
    ``criterion``, ``patience``, ``tol``, ``max_iter``, ``split_init``), the covariance form
    ``_form`` and the variances ``_reg`` added to every covariance of the fit, report
    through its ``_log`` and add every EM fit to its counters ``_em_iter`` and
    ``_em_converged``.
    """

    def _min_size(self, d):
        return d + 1 if self.min_cluster_size == "auto" else self.min_cluster_size

    def _max_components(self, n):
        if self.max_clusters == "auto":
            return max(100, int(np.ceil(np.sqrt(n))))
        return self.max_clusters

    def _em(self, atoms, resp, init=None):
        result = fit_em(
            atoms,
            resp,
            reg_covar=self._reg,
            tol=self.tol,
            max_iter=self.max_iter,
            init=init,
            covariance_type=self._form,
            one_call_max_rows=_PATH_ONE_CALL_MAX_ROWS,
        )
        self._em_iter += result[3]
        self._em_converged = result[4]
        return result

    def _refit(self, atoms, init, min_size):
        """EM from the mixture ``init``, then components below ``min_size`` dropped."""
        mix, resp, lower, _, _ = self._em(atoms, None, init=init)
        return self._prune(atoms, mix, resp, lower, min_size)

    def _prune(self, atoms, mix, resp, lower, min_size):
        """Drop components that EM shrank below ``min_size`` rows (a few outliers with a
        collapsed covariance), smallest first, refitting after each."""
        while (smaller := self._without_smallest(mix, atoms.weight.sum(), min_size)) is not None:
            # EM from the posteriors under the smaller mixture: the old responsibilities
            # without the dropped column, renormalised
            mix, resp, lower, _, _ = self._em(atoms, None, init=smaller)
        return mix, resp, lower

    def _without_smallest(self, mix, n, min_size):
        """The mixture without its smallest component when that holds fewer than
        ``min_size`` of the ``n`` rows (weights renormalised), else None."""
        k = int(np.argmin(mix.weights))
        if len(mix.weights) == 1 or mix.weights[k] * n >= min_size:
            return None
        self._log(2, f"  dropped a component of {mix.weights[k] * n:.1f} rows")
        keep = np.delete(np.arange(len(mix.weights)), k)
        w = mix.weights[keep]
        return Mixture(w / w.sum(), mix.means[keep], mix.covariances[keep])

    def _merge(self, atoms, mix, resp, lower, min_size):
        """Merge the most overlapping pair of components while that improves the criterion:
        after the path (splits of many components at once can cut a group in two) and on
        rows after a path on cells (cells of one or two rows can leave a group in two
        pieces, e.g. one of 64 grid blobs)."""
        crit = self._criterion((mix, resp, lower), atoms)
        while len(mix.weights) > 1:
            dist = bhattacharyya(mix.means, mix.covariances)
            dist[np.diag_indices(len(dist))] = np.inf
            i, j = np.unravel_index(np.argmin(dist), dist.shape)
            fit = self._refit(atoms, _merge_components(mix, i, j), min_size)
            new = self._criterion(fit, atoms)
            if new >= crit:
                break
            (mix, resp, lower), crit = fit, new
            self._log(1, f"merged two components: {len(mix.weights)} left")
        return mix, resp, lower

    def _criterion(self, fit, atoms):
        mix, resp, lower = fit
        return information_criterion(
            lower, resp, atoms, len(mix.weights), self.criterion, self._form
        )

    def _path(self, atoms, n_rows, min_size, rng):
        """Divisive path: each step refits the whole mixture from the split proposal of
        largest local gain and from the better half of the gaining ones at once, and keeps
        the better; stops ``patience`` steps past the last best mixture that gained
        components (a step that only rearranges them counts). A generator: after
        each step it yields the number of components and the best so far, ``(criterion,
        (mixture, responsibilities, log-likelihood))``, and it returns that best at the end;
        adds each step to ``path_``."""
        mix, lower, _ = one_gaussian(atoms, self._reg, self._form)  # closed form, no EM
        resp = np.ones((len(atoms), 1))
        best = (self._criterion((mix, resp, lower), atoms), (mix, resp, lower))
        current = best[0]  # the criterion of the mixture of the last step
        # path_ in the data's units: the criterion of the unscaled rows
        shift = 2 * n_rows * atoms.mean.shape[1] * np.log(self._scale)
        step = {"covariance_type": self._form, "n_components": 1}
        self.path_.append({**step, "criterion": float(best[0] + shift)})
        yield 1, best
        proposals = {}  # by the component's atoms: unchanged components are not re-split
        cap, since = self._max_components(n_rows), 0
        size = 1  # components of the best mixture when the patience count last restarted
        while len(mix.weights) < cap and since < self.patience:
            K = len(mix.weights)
            hard = resp.argmax(axis=1)
            found = []
            for k in range(K):
                idx = np.flatnonzero(hard == k)
                key = idx.tobytes()
                if key not in proposals:
                    proposals[key] = self._propose_split(atoms.take(idx), min_size, rng)
                if proposals[key] is not None:
                    found.append((-proposals[key][0], k, key))
            if not found:
                break
            # the split of largest local gain (refitting the next two as well, as before,
            # took 1.5 times as long for a mean ARI 0.017 lower on the development suite)
            _, k, key = min(found)
            fits = []
            fit = self._refit(atoms, _split_components(mix, {k: proposals[key][1]}), min_size)
            crit = self._criterion(fit, atoms)
            if len(fit[0].weights) <= K:
                # a component dropped: the split's (EM took it back: not proposed again)
                # or another's, which may still leave a better mixture of K components
                proposals[key] = None
            if len(fit[0].weights) > K or crit < current:
                fits.append((crit, 0, fit))
            # and the better half of the splits that gain locally, at once, when that is 4
            # or more: one split a step takes 100 steps to 100 groups and stalled where
            # components fit crossing rows and columns of groups (birch1: 85 clusters);
            # all gaining splits at once over-split round groups
            paying = sorted(t for t in found if t[0] < 0 and proposals[t[2]] is not None)
            half = {k: proposals[key][1] for _, k, key in paying[: (len(paying) + 1) // 2]}
            if len(half) > 3:
                fit = self._refit(atoms, _split_components(mix, half), min_size)
                if len(fit[0].weights) > K:
                    fits.append((self._criterion(fit, atoms), 1, fit))
            if not fits:  # the split was taken back: the next best is tried, at no cost
                continue  # to patience
            crit, _, (mix, resp, lower) = min(fits)
            current = crit
            step["n_components"] = len(mix.weights)
            self.path_.append({**step, "criterion": float(crit + shift)})
            improved = crit < best[0]
            self._log(
                1,
                f"{len(mix.weights)} components: {self.criterion.upper()} {crit + shift:.1f}"
                + (" (best so far)" if improved else ""),
            )
            if improved:
                best = (crit, (mix, resp, lower))
            if improved and len(mix.weights) > size:  # a better mixture of more components
                since, size = 0, len(mix.weights)
            else:
                since += 1
            yield len(mix.weights), best
        return best

    def _propose_split(self, sub, min_size, rng):
        """2-means split of one component's atoms and the two-component mixture EM fits
        from it: (local criterion gain, mixture), or None when a part would be too small."""
        n = float(sub.weight.sum())
        if len(sub) < 2 or n < 2 * min_size:
            return None
        if (
            self.split_init == "pca"
            and sub.cov is None
            and _one_call(sub, self._form, _PATH_ONE_CALL_MAX_ROWS)
        ):
            # rows, split across the principal direction: the whole proposal in one call
            _, _, lower, side, fit = _backend.gaussian_split(
                sub.mean,
                self._reg,
                covariance_type=self._form,
                tol=self.tol,
                max_iter=self.max_iter,
                min_weight=min_size,
                sample_weight=sub.weight,
            )
            if fit is None:
                return None
            *mix, resp, lower2, n_iter, self._em_converged = fit
            self._em_iter += n_iter
            mix = Mixture(*mix)
        else:
            one, lower, spread = one_gaussian(sub, self._reg, self._form)
            side = self._initial_side(sub, one, spread, rng)
            side = _backend.two_means(
                sub.mean, side, sample_weight=sub.weight, max_iter=self.max_iter
            )
            if min(sub.weight[~side].sum(), sub.weight[side].sum()) < min_size:
                return None
            mix, resp, lower2, _, _ = self._em(sub, _indicators(side))
        crit1 = information_criterion(
            lower, np.ones((len(sub), 1)), sub, 1, self.criterion, self._form
        )
        if mix.weights.min() * n < min_size:  # EM isolated a handful of rows: the halves
            halves = _indicators(side)
            mix = m_step(sub, halves, self._reg, self._form)
            lse, resp = e_step(sub, mix, self._form)
            lower2 = float(sub.weight @ lse) / n
        crit2 = self._criterion((mix, resp, lower2), sub)
        self._log(2, f"  split of {n:.0f} rows: local gain {crit1 - crit2:.1f}")
        return float(crit1 - crit2), mix

    def _initial_side(self, sub, one, spread, rng):
        """The rows' side of the first split: across the principal direction of their
        spread, or of the k-means++ centres."""
        if self.split_init == "pca":
            direction = np.linalg.eigh(spread)[1][:, -1]
            return (sub.mean - one.means[0]) @ direction > 0
        centers, _ = _backend.kmeans_plusplus(
            sub.mean, 2, random_state=rng, sample_weight=sub.weight
        )
        return _backend.nearest_center(sub.mean, centers)[0] == 1


def _indicators(side):
    """The (n, 2) responsibilities of a boolean split."""
    return np.column_stack([~side, side]).astype(float)


def _merge_components(mix, i, j):
    """The mixture with components ``i`` and ``j`` replaced by the Gaussian of their union
    (the same weight, mean and second moment)."""
    w, means = mix.weights[[i, j]], mix.means[[i, j]]
    mean = w @ means / w.sum()
    centred = means - mean
    spread = mix.covariances[[i, j]] + centred[:, :, None] * centred[:, None, :]
    keep = np.setdiff1d(np.arange(len(mix.weights)), [i, j])
    return Mixture(
        np.append(mix.weights[keep], w.sum()),
        np.vstack([mix.means[keep], mean]),
        np.concatenate([mix.covariances[keep], [np.tensordot(w, spread, 1) / w.sum()]]),
    )


def _split_components(mix, children):
    """The mixture with each component ``k`` of ``children`` replaced by the
    two-component mixture ``children[k]``."""
    split = sorted(children)
    keep = np.delete(np.arange(len(mix.weights)), split)
    weights = [mix.weights[keep], *(mix.weights[k] * children[k].weights for k in split)]
    return Mixture(
        np.concatenate(weights),
        np.concatenate([mix.means[keep], *(children[k].means for k in split)]),
        np.concatenate([mix.covariances[keep], *(children[k].covariances for k in split)]),
    )
