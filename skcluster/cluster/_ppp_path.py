"""The divisive path of PPP (stage 2): from one Gaussian, 2-means splits of each component
validated by EM on the whole mixture; and the pruning and merging of components around it."""

import threading
from contextlib import contextmanager

import numpy as np

from .. import _backend
from ._mixture import (
    Atoms,
    Mixture,
    _one_call,
    bhattacharyya,
    e_step,
    entropy,
    fit_em,
    information_criteria,
    information_criterion,
    m_step,
    one_gaussian,
)

# PPP's EM fits on rows run as one backend call up to this many rows (the most it works on
# with the default max_cells): one sequential call was 25-30% faster than the fused pass on
# both threads from 10,000 to 30,000 rows of blobs on 2 cores, and took 25 held-out sets of
# 2,300-10,000 rows from 12.5 to 10.2 s (CLAMS keeps fit_em's default, 2,500)
_PATH_ONE_CALL_MAX_ROWS = 32_000

# the tally of the walk step this thread computes (None outside a step)
_STEP = threading.local()


class _DivisivePathMixin:
    """The divisive path and its EM fits, for :class:`ProbabilisticPartitivePartitioning`.

    The methods read the estimator's parameters (``max_clusters``, ``min_cluster_size``,
    ``criterion``, ``patience``, ``tol``, ``max_iter``, ``split_init``) and the variances
    ``_reg`` added to every covariance of the fit, take the covariance form as an argument
    and write nothing to the estimator but through :meth:`_count` and :meth:`_report`: a
    step of a path may run on another thread (:class:`_StepsAhead`), its reports held in
    a :class:`_Tally` until the walk takes the step.
    """

    def _count(self, n_iter, converged):
        """Add an EM fit to the counters ``_em_iter`` and ``_em_converged`` (through the
        step's tally inside a step)."""
        tally = getattr(_STEP, "tally", None)
        if tally is None:
            self._em_iter += n_iter
            self._em_converged = converged
        else:
            tally.n_iter += n_iter
            tally.converged = converged

    def _report(self, level, message, record=None):
        """A log line, and an entry of ``path_`` (through the step's tally inside a step)."""
        tally = getattr(_STEP, "tally", None)
        if tally is None:
            if message is not None:
                self._log(level, message)
            if record is not None:
                self.path_.append(record)
        else:
            tally.reports.append((level, message, record))

    def _apply(self, tally, convergence=True):
        """What a step reported, in the walk's order (``convergence``: whether its last EM
        fit's counts as the last fit's for ``converged_``)."""
        self._em_iter += tally.n_iter
        if convergence and tally.converged is not None:
            self._em_converged = tally.converged
        for level, message, record in tally.reports:
            self._report(level, message, record)

    def _min_size(self, d):
        return d + 1 if self.min_cluster_size == "auto" else self.min_cluster_size

    def _max_components(self, n):
        if self.max_clusters == "auto":
            return max(100, int(np.ceil(np.sqrt(n))))
        return self.max_clusters

    def _em(self, atoms, resp, form, init=None):
        result = fit_em(
            atoms,
            resp,
            reg_covar=self._reg,
            tol=self.tol,
            max_iter=self.max_iter,
            init=init,
            covariance_type=form,
            one_call_max_rows=_PATH_ONE_CALL_MAX_ROWS,
        )
        self._count(*result[3:])
        return result

    def _refit(self, atoms, init, min_size, form):
        """EM from the mixture ``init``, then components below ``min_size`` dropped."""
        mix, resp, lower, _, _ = self._em(atoms, None, form, init=init)
        return self._prune(atoms, mix, resp, lower, min_size, form)

    def _prune(self, atoms, mix, resp, lower, min_size, form):
        """Drop components that EM shrank below ``min_size`` rows (a few outliers with a
        collapsed covariance), smallest first, refitting after each."""
        while (smaller := self._without_smallest(mix, atoms.weight.sum(), min_size)) is not None:
            # EM from the posteriors under the smaller mixture: the old responsibilities
            # without the dropped column, renormalised
            mix, resp, lower, _, _ = self._em(atoms, None, form, init=smaller)
        return mix, resp, lower

    def _without_smallest(self, mix, n, min_size):
        """The mixture without its smallest component when that holds fewer than
        ``min_size`` of the ``n`` rows (weights renormalised), else None."""
        k = int(np.argmin(mix.weights))
        if len(mix.weights) == 1 or mix.weights[k] * n >= min_size:
            return None
        self._report(2, f"  dropped a component of {mix.weights[k] * n:.1f} rows")
        keep = np.delete(np.arange(len(mix.weights)), k)
        w = mix.weights[keep]
        return Mixture(w / w.sum(), mix.means[keep], mix.covariances[keep])

    def _merge(self, atoms, mix, resp, lower, min_size, form):
        """Merge the most overlapping pair of components while that improves the criterion:
        after the path (splits of many components at once can cut a group in two) and on
        rows after a path on cells (cells of one or two rows can leave a group in two
        pieces, e.g. one of 64 grid blobs)."""
        crit = self._criterion((mix, resp, lower), atoms, form)
        while len(mix.weights) > 1:
            dist = bhattacharyya(mix.means, mix.covariances)
            dist[np.diag_indices(len(dist))] = np.inf
            i, j = np.unravel_index(np.argmin(dist), dist.shape)
            fit = self._refit(atoms, _merge_components(mix, i, j), min_size, form)
            new = self._criterion(fit, atoms, form)
            if new >= crit:
                break
            (mix, resp, lower), crit = fit, new
            self._report(1, f"merged two components: {len(mix.weights)} left")
        return mix, resp, lower

    def _criterion(self, fit, atoms, form):
        mix, resp, lower = fit
        return information_criterion(lower, resp, atoms, len(mix.weights), self.criterion, form)

    def _path(self, atoms, n_rows, min_size, rng, form):
        """Divisive path: each step refits the whole mixture from the split proposal of
        largest local gain and from the better half of the gaining ones at once, and keeps
        the better; stops ``patience`` steps past the last best mixture that gained
        components (a step that only rearranges them counts). A generator: after
        each step it yields the number of components and the best so far, ``(criterion,
        (mixture, responsibilities, log-likelihood))``, and it returns that best at the end;
        reports each step as an entry of ``path_``."""
        mix, lower, _ = one_gaussian(atoms, self._reg, form)  # closed form, no EM
        resp = np.ones((len(atoms), 1))
        best = (self._criterion((mix, resp, lower), atoms, form), (mix, resp, lower))
        current = best[0]  # the criterion of the mixture of the last step
        # path_ in the data's units: the criterion of the unscaled rows
        shift = 2 * n_rows * atoms.mean.shape[1] * np.log(self._scale)
        step = {"covariance_type": form, "n_components": 1}
        self._report(0, None, {**step, "criterion": float(best[0] + shift)})
        yield 1, best
        proposals = {}  # by the component's atoms: unchanged components are not re-split
        cap, since = self._max_components(n_rows), 0
        size = 1  # components of the best mixture when the patience count last restarted
        while len(mix.weights) < cap and since < self.patience:
            K = len(mix.weights)
            hard = resp.argmax(axis=1)
            # each component's rows, in row order
            groups = np.split(np.argsort(hard, kind="stable"), np.cumsum(np.bincount(hard))[:-1])
            groups += [groups[0][:0]] * (K - len(groups))  # the last components' may be empty
            keys = [idx.tobytes() for idx in groups]
            new = [k for k in range(K) if keys[k] not in proposals]
            made = self._propose_splits(atoms, [groups[k] for k in new], min_size, rng, form)
            proposals.update(zip((keys[k] for k in new), made, strict=True))
            found = [
                (-proposals[key][0], k, key)
                for k, key in enumerate(keys)
                if proposals[key] is not None
            ]
            if not found:
                break
            # the split of largest local gain (refitting the next two as well, as before,
            # took 1.5 times as long for a mean ARI 0.017 lower on the development suite)
            _, k, key = min(found)
            fits = []
            fit = self._refit(
                atoms, _split_components(mix, {k: proposals[key][1]}), min_size, form
            )
            crit = self._criterion(fit, atoms, form)
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
                fit = self._refit(atoms, _split_components(mix, half), min_size, form)
                if len(fit[0].weights) > K:
                    fits.append((self._criterion(fit, atoms, form), 1, fit))
            if not fits:  # the split was taken back: the next best is tried, at no cost
                continue  # to patience
            crit, _, (mix, resp, lower) = min(fits)
            current = crit
            step["n_components"] = len(mix.weights)
            improved = crit < best[0]
            self._report(
                1,
                f"{len(mix.weights)} components: {self.criterion.upper()} {crit + shift:.1f}"
                + (" (best so far)" if improved else ""),
                {**step, "criterion": float(crit + shift)},
            )
            if improved:
                best = (crit, (mix, resp, lower))
            if improved and len(mix.weights) > size:  # a better mixture of more components
                since, size = 0, len(mix.weights)
            else:
                since += 1
            yield len(mix.weights), best
        return best

    def _propose_splits(self, atoms, groups, min_size, rng, form):
        """Split proposals for groups of the atoms (index arrays), in their order: each the
        2-means split of the group and the two-component mixture EM fits from it, ``(local
        criterion gain, mixture)``, or None when a part would be too small. Groups of rows
        split across their principal direction go to the backend in one call."""
        big = [len(idx) >= 2 and atoms.weight[idx].sum() >= 2 * min_size for idx in groups]
        rows_split = self.split_init == "pca" and atoms.cov is None
        in_one = [
            ok and rows_split and _one_call(atoms, form, _PATH_ONE_CALL_MAX_ROWS, len(idx))
            for ok, idx in zip(big, groups, strict=True)
        ]
        if any(in_one):
            batch = [idx for idx, one in zip(groups, in_one, strict=True) if one]
            rows = atoms.take(np.concatenate(batch))
            bounds = np.cumsum([0] + [len(idx) for idx in batch])
            splits = _backend.gaussian_splits(
                rows.mean,
                bounds,
                self._reg,
                covariance_type=form,
                tol=self.tol,
                max_iter=self.max_iter,
                min_weight=min_size,
                sample_weight=rows.weight,
            )
            # the local gains of all the groups at once: criteria of one Gaussian and of
            # the split, on each group's rows
            starts, d = bounds[:-1], rows.mean.shape[1]
            n = np.add.reduceat(rows.weight, starts)
            crit1 = information_criteria(splits.one_log_likelihood, n, 1, d, form)
            icl = self.criterion == "icl"
            spread = np.add.reduceat(rows.weight * entropy(splits.resp), starts) if icl else 0
            crit2 = information_criteria(splits.log_likelihood, n, 2, d, form, spread)
        out, g = [], 0
        for idx, ok, one in zip(groups, big, in_one, strict=True):
            if not one:
                out.append(
                    self._propose_split(atoms.take(idx), min_size, rng, form) if ok else None
                )
                continue
            if not splits.fitted[g]:
                out.append(None)
            else:
                self._count(int(splits.n_iter[g]), bool(splits.converged[g]))
                mix = Mixture(
                    splits.weights[g].copy(), splits.means[g].copy(), splits.covariances[g].copy()
                )
                gain = float(crit1[g] - crit2[g])
                if mix.weights.min() * n[g] < min_size:  # EM isolated a handful of rows
                    rows_g = slice(bounds[g], bounds[g + 1])
                    sub = Atoms(rows.weight[rows_g], rows.mean[rows_g])
                    fit = (mix, splits.resp[rows_g], float(splits.log_likelihood[g]))
                    lower = float(splits.one_log_likelihood[g])
                    out.append(self._gain(sub, lower, fit, splits.side[rows_g], min_size, form))
                else:
                    self._report(2, f"  split of {n[g]:.0f} rows: local gain {gain:.1f}")
                    out.append((gain, mix))
            g += 1
        return out

    def _propose_split(self, sub, min_size, rng, form):
        """The split proposal of one group of atoms (of at least ``2 * min_size``), as
        :meth:`_propose_splits` but with NumPy EM: cells, or 2-means from k-means++."""
        one, lower, spread = one_gaussian(sub, self._reg, form)
        side = self._initial_side(sub, one, spread, rng)
        side = _backend.two_means(sub.mean, side, sample_weight=sub.weight, max_iter=self.max_iter)
        if min(sub.weight[~side].sum(), sub.weight[side].sum()) < min_size:
            return None
        mix, resp, lower2, _, _ = self._em(sub, _indicators(side), form)
        return self._gain(sub, lower, (mix, resp, lower2), side, min_size, form)

    def _gain(self, sub, lower, fit, side, min_size, form):
        """``(local criterion gain, mixture)`` of a split of ``sub`` (mean log-likelihood
        ``lower`` under one Gaussian) into ``side`` and EM's ``fit`` from it."""
        mix, resp, lower2 = fit
        n = float(sub.weight.sum())
        crit1 = information_criterion(lower, np.ones((len(sub), 1)), sub, 1, self.criterion, form)
        if mix.weights.min() * n < min_size:  # EM isolated a handful of rows: the halves
            halves = _indicators(side)
            mix = m_step(sub, halves, self._reg, form)
            lse, resp = e_step(sub, mix, form)
            lower2 = float(sub.weight @ lse) / n
        crit2 = self._criterion((mix, resp, lower2), sub, form)
        self._report(2, f"  split of {n:.0f} rows: local gain {crit1 - crit2:.1f}")
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


class _Tally:
    """What a step of a path reports: its EM iterations, whether its last EM fit
    converged (None: no fit), and its log lines with their ``path_`` entries."""

    __slots__ = ("n_iter", "converged", "reports")

    def __init__(self):
        self.n_iter, self.converged, self.reports = 0, None, []


@contextmanager
def _held(tally):
    """Reports of this thread go to ``tally`` inside the block."""
    _STEP.tally = tally
    try:
        yield tally
    finally:
        _STEP.tally = None


_END = object()  # a path's step past its last


class _Failed:
    """A step that raised ``error``: raised again when the walk takes the step (a step
    computed ahead may never be taken)."""

    __slots__ = ("error",)

    def __init__(self, error):
        self.error = error


def _step(path):
    """The next yield of ``path`` (``_END`` past its last, ``_Failed`` on an error) and the
    tally of its reports."""
    with _held(_Tally()) as tally:
        try:
            return next(path), tally
        except StopIteration:
            return _END, tally
        except Exception as error:
            return _Failed(error), tally


class _StepsAhead:
    """The steps of the walk's paths, each computed on the walk's thread or ahead of it on
    a thread of the backend's pool (``_backend.run_aside``): while the walk computes the
    step it needs, the pool thread computes the next step of another path, the one with
    the fewest components (the walk's next pick, mostly). A step is a function of its own
    path's state alone, so where and when it is computed changes nothing; its reports
    are applied when the walk takes it, its error raised then. On 2 cores the development
    suite's fits took 16% less time; a step a path's end makes needless (at most two a
    path) is dropped. ``ahead=False`` computes each step when the walk takes it (paths that
    draw from one shared random generator: the draws' order would depend on the threads)."""

    def __init__(self, ahead=True):
        self.paths, self.ready, self.busy, self.ahead = {}, {}, None, ahead  # busy: (form, future)

    def add(self, form, path):
        self.paths[form], self.ready[form] = path, []

    def take(self, form, sizes):
        """The next step of path ``form``: ``(yield or _END, tally)``; ``sizes``: the
        number of components of each path's step last taken."""
        while True:
            self._collect()
            if self.ready[form]:
                self._feed(sizes, skip=None)
                return _raised(self.ready[form].pop(0))
            if self.busy is not None and self.busy[0] == form:
                other = self._next_ahead(sizes, skip=form)
                if other is None:  # nothing else to compute: wait for it
                    self.busy[1].result()
                else:
                    self.ready[other].append(_step(self.paths[other]))
                continue
            self._feed(sizes, skip=form)
            return _raised(_step(self.paths[form]))

    def drop(self, form):
        """End path ``form`` (after the step in flight, if it is its)."""
        if self.busy is not None and self.busy[0] == form:
            self.busy[1].result()
            self.busy = None
        self.paths.pop(form).close()
        del self.ready[form]

    def wait(self):
        """Let the step in flight, if any, finish (results are dropped)."""
        if self.busy is not None:
            self.busy[1].exception()
            self.busy = None

    def _collect(self):
        if self.busy is not None and self.busy[1].done():
            form, future = self.busy
            self.busy = None
            self.ready[form].append(future.result())  # a failed step is kept, not raised

    def _next_ahead(self, sizes, skip):
        """The path to compute a step of ahead of the walk: the fewest components, at most
        two steps ahead, none past a path's end."""
        best = None
        for form, ready in self.ready.items():
            last = ready[-1][0] if ready else None
            if form == skip or len(ready) >= 2 or last is _END or isinstance(last, _Failed):
                continue
            if self.busy is not None and self.busy[0] == form:
                continue
            size = ready[-1][0][0] if ready else sizes[form]
            if best is None or size < best[0]:
                best = (size, form)
        return None if best is None else best[1]

    def _feed(self, sizes, skip):
        """Give the pool thread the next step ahead when it is idle."""
        self._collect()
        if not self.ahead:
            return
        if self.busy is None and (form := self._next_ahead(sizes, skip)) is not None:
            future = _backend.run_aside(_step, self.paths[form])
            if future is not None:
                self.busy = (form, future)


def _raised(step):
    """``step``, its error raised if it failed."""
    if isinstance(step[0], _Failed):
        raise step[0].error
    return step


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
