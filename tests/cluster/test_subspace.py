"""Subspace clustering: the least-squares baseline and DeepSubspaceClustering."""

import numpy as np
import pytest

from skcluster import _backend, config_context
from skcluster.cluster import DeepSubspaceClustering, LeastSquaresSubspaceClustering, _subspace
from skcluster.datasets import make_subspaces
from skcluster.metrics import clustering_accuracy


def test_make_subspaces_spans_independent_subspaces():
    X, y = make_subspaces(120, n_features=20, n_subspaces=4, subspace_dim=3, random_state=0)
    assert X.shape == (120, 20) and np.bincount(y).tolist() == [30] * 4
    for s in range(4):
        assert np.linalg.matrix_rank(X[y == s]) == 3
    assert np.linalg.matrix_rank(X) == 12  # independent: the dimensions add up
    with pytest.raises(ValueError, match="exceeds n_features"):
        make_subspaces(10, n_features=2, subspace_dim=3)


def test_keep_leading_keeps_the_k_largest_magnitudes_per_row():
    rng = np.random.default_rng(0)
    C = rng.normal(size=(30, 30))
    P = _subspace.keep_leading(C, 4).toarray()
    assert np.all((P != 0).sum(axis=1) == 4)
    for i in range(30):
        kept = np.flatnonzero(P[i])
        assert set(kept) == set(np.argsort(-np.abs(C[i]))[:4])
        np.testing.assert_array_equal(P[i, kept], C[i, kept])
    W = _subspace.subspace_affinity(_subspace.keep_leading(C, 4)).toarray()
    np.testing.assert_allclose(W, W.T)
    assert W.min() >= 0 and W.max() <= 2.0 + 1e-12  # each row scaled to a largest entry 1


def test_least_squares_self_expression_solves_each_row():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(25, 6))
    alpha = 0.3
    C = _subspace.least_squares_self_expression(X, alpha)
    assert np.all(np.diag(C) == 0)
    for i in range(25):  # ridge regression of x_i on the other rows
        others = np.delete(np.arange(25), i)
        A = X[others]
        c = np.linalg.solve(A @ A.T + alpha * np.eye(24), A @ X[i])
        np.testing.assert_allclose(C[i, others], c, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_baseline_recovers_independent_subspaces(seed):
    X, y = make_subspaces(200, n_features=20, n_subspaces=4, subspace_dim=3, random_state=seed)
    model = LeastSquaresSubspaceClustering(n_clusters=4, subspace_dim=3, random_state=0)
    assert clustering_accuracy(y, model.fit_predict(X)) == 1.0
    C = model.self_expression_.toarray()
    assert np.abs(C[y[:, None] != y[None, :]]).sum() < 0.01 * np.abs(C).sum()


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_self_expression_kernel_matches_finite_differences(backend):
    rng = np.random.default_rng(2)
    n = 12
    C = rng.normal(size=(n, n)) * 0.1
    layers = [rng.normal(size=(n, 5)), rng.normal(size=(n, 3)) * 7.0]
    C_before = C.copy()

    def loss(C, layers):
        return sum(((H - C @ H) ** 2).sum() / (H**2).sum() for H in layers)

    with config_context(backend=backend):
        value, grad_C, grads = _backend.self_expression(C, layers)
    np.testing.assert_array_equal(C, C_before)
    assert value == pytest.approx(loss(C, layers), rel=1e-12)
    eps = 1e-6
    for idx in [(0, 1), (3, 7), (11, 0)]:
        E = np.zeros_like(C)
        E[idx] = eps
        fd = (loss(C + E, layers) - loss(C - E, layers)) / (2 * eps)
        assert grad_C[idx] == pytest.approx(fd, rel=1e-6, abs=1e-9)
    for k, H in enumerate(layers):
        for idx in [(0, 0), (5, 2)]:
            E = np.zeros_like(H)
            E[idx] = eps
            up = [L + E if j == k else L for j, L in enumerate(layers)]
            down = [L - E if j == k else L for j, L in enumerate(layers)]
            fd = (loss(C, up) - loss(C, down)) / (2 * eps)
            assert grads[k][idx] == pytest.approx(fd, rel=1e-6, abs=1e-9)
    with pytest.raises(ValueError, match="must be"):
        _backend.self_expression(C, [rng.normal(size=(n + 1, 2))])


@pytest.mark.parametrize("network", ["dense", "dense, distance", "conv", "conv, distance"])
@pytest.mark.parametrize("stage", ["pretrain", "self_expression", "structured"])
def test_deep_model_gradients_match_finite_differences(stage, network):
    # the whole loss of each stage (network, hidden-layer terms, C, structured norm, the
    # distance-preserving term), through the dense and the convolutional network, float64
    rng = np.random.default_rng(3)
    pretrain = "distance" if "distance" in network else "reconstruction"
    if network.startswith("dense"):
        X, hidden, image = rng.normal(size=(15, 6)), (5, 3), None
    else:
        X, hidden, image = rng.normal(size=(15, 6 * 6 * 2)), (3, 2), ((6, 6, 2), (3, 5))
    model = _subspace._Stages(
        X, hidden, np.random.RandomState(0), alpha=0.05, image=image, pretrain=pretrain
    )
    model.init_C()
    model.C += rng.normal(size=model.C.shape) * 0.05  # off the optimum: non-zero gradient
    np.fill_diagonal(model.C, 0.0)
    labels = np.arange(15) % 3
    model.theta = labels[:, None] != labels[None, :]
    _, grads, grad_C = model.loss(stage)
    eps = 1e-6
    for p, g in zip(model.params, grads, strict=True):
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for j in rng.choice(flat.size, size=min(4, flat.size), replace=False):
            old = flat[j]
            flat[j] = old + eps
            up = model.loss(stage)[0]
            flat[j] = old - eps
            down = model.loss(stage)[0]
            flat[j] = old
            assert gflat[j] == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-7)
    if stage == "pretrain":
        assert grad_C is None
        return
    assert np.all(np.diag(grad_C) == 0)
    for idx in [(0, 4), (7, 2), (14, 13)]:
        old = model.C[idx]
        model.C[idx] = old + eps
        up = model.loss(stage)[0]
        model.C[idx] = old - eps
        down = model.loss(stage)[0]
        model.C[idx] = old
        assert grad_C[idx] == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_recovers_independent_subspaces_and_stops_itself(seed):
    X, y = make_subspaces(150, n_features=30, n_subspaces=3, subspace_dim=3, random_state=seed)
    X_before = X.copy()
    model = DeepSubspaceClustering(n_clusters=3, subspace_dim=3, random_state=seed)
    model.fit(X)
    np.testing.assert_array_equal(X, X_before)
    assert clustering_accuracy(y, model.labels_) == 1.0
    assert all(model.stopped_early_.values()), model.n_epochs_
    assert all(e < model.max_epochs for e in model.n_epochs_.values())
    assert set(model.loss_curve_) == {"pretrain", "self_expression", "structured"}
    for stage, curve in model.loss_curve_.items():
        assert len(curve) == model.n_epochs_[stage]
    # the training lowered each stage's loss
    assert model.loss_curve_["pretrain"][-1] < 0.2 * model.loss_curve_["pretrain"][0]
    assert model.loss_curve_["self_expression"][-1] < model.loss_curve_["self_expression"][0]
    C = model.self_expression_
    assert C.shape == (150, 150) and np.all(np.diff(C.indptr) <= 3)
    assert model.affinity_.shape == (150, 150)


def test_deep_stops_itself_on_noisy_subspaces():
    # the quickstart's data: noisy 4-dimensional subspaces, slower to fit than the exact
    # ones above: the first two stages run past the default cap of 300 epochs, and stop
    # themselves (at about 380 and 550) when given room
    X, y = make_subspaces(
        400, n_features=30, n_subspaces=5, subspace_dim=4, noise=0.02, random_state=0
    )
    model = DeepSubspaceClustering(5, subspace_dim=4, max_epochs=1000, random_state=0).fit(X)
    assert clustering_accuracy(y, model.labels_) == 1.0
    assert all(model.stopped_early_.values()), model.n_epochs_
    assert model.hidden_layer_sizes_ == (128, 32)  # "auto" with 5 x 4 = 20 dimensions


@pytest.mark.parametrize(
    "n_features, expected",
    [(1024, (360, 180)), (64, (128, 64)), (10, (128, 32))],
)
def test_auto_widths_hold_the_union_of_subspaces(n_features, expected):
    # 20 subspaces of dimension 9 span 180 dimensions: every layer keeps room for them,
    # up to the input's width
    X = np.random.RandomState(0).standard_normal((200, n_features))
    model = DeepSubspaceClustering(n_clusters=20, subspace_dim=9, max_epochs=2).fit(X)
    assert model.hidden_layer_sizes_ == expected


def test_deep_is_reproducible_and_reports_progress(capsys):
    X, _ = make_subspaces(90, n_features=20, n_subspaces=3, subspace_dim=2, random_state=4)
    kw = dict(n_clusters=3, subspace_dim=2, max_epochs=40, random_state=7)
    a = DeepSubspaceClustering(**kw, verbose=1).fit(X)
    out = capsys.readouterr().out
    for stage in ("pretrain", "self_expression", "structured"):
        assert f"] {stage}:" in out
    b = DeepSubspaceClustering(**kw).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.self_expression_.toarray(), b.self_expression_.toarray())


def test_deep_matches_the_linear_baseline_on_digits():
    # a fixed subsample of scikit-learn's digits (measured: both 0.896; k-means 0.866)
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:500], y[:500]
    deep = DeepSubspaceClustering(n_clusters=10, subspace_dim=10, random_state=0).fit(X)
    linear = LeastSquaresSubspaceClustering(n_clusters=10, subspace_dim=10, random_state=0)
    acc = clustering_accuracy(y, deep.labels_)
    assert acc > 0.88
    assert acc >= clustering_accuracy(y, linear.fit_predict(X)) - 0.01
    assert deep.alpha_ in deep.residuals_ and linear.alpha_ in linear.residuals_


@pytest.mark.parametrize("cls", [DeepSubspaceClustering, LeastSquaresSubspaceClustering])
def test_bad_input(cls):
    X, _ = make_subspaces(30, n_features=5, n_subspaces=2, subspace_dim=2, random_state=0)
    with pytest.raises(ValueError, match="n_clusters=31 is larger than n_samples=30"):
        cls(n_clusters=31, subspace_dim=2).fit(X)
    with pytest.raises(ValueError, match="subspace_dim=30 must be smaller than n_samples=30"):
        cls(n_clusters=2, subspace_dim=30).fit(X)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cls(n_clusters=2, subspace_dim=2).fit(X_nan)
    with pytest.raises(ValueError, match="all zeros"):
        cls(n_clusters=2, subspace_dim=2).fit(np.zeros_like(X))


@pytest.mark.parametrize("cls", [DeepSubspaceClustering, LeastSquaresSubspaceClustering])
def test_too_large_for_memory_is_a_clear_error(cls, monkeypatch):
    monkeypatch.setattr(_subspace._backend, "device_free_memory", lambda on_gpu: 2**20)  # 1 MiB
    X, _ = make_subspaces(300, n_features=5, n_subspaces=2, subspace_dim=2, random_state=0)
    with pytest.raises(ValueError, match=r"n_samples=300 .* need about .* GiB"):
        cls(n_clusters=2, subspace_dim=2).fit(X)


def test_hidden_layer_sizes_must_be_positive_integers():
    X, _ = make_subspaces(30, n_features=5, n_subspaces=2, subspace_dim=2, random_state=0)
    for bad in [(), (8, 0), (8, 2.5)]:
        with pytest.raises(ValueError, match="hidden_layer_sizes"):
            DeepSubspaceClustering(2, subspace_dim=2, hidden_layer_sizes=bad).fit(X)


def test_dead_hidden_layer_is_left_out():
    # a layer whose ReLU units are all dead has no self-expression term (no 0/0)
    rng = np.random.default_rng(5)
    X = np.abs(rng.normal(size=(20, 4)))
    model = _subspace._Stages(X, (3, 2), np.random.RandomState(0), alpha=0.05)
    model.encoder.params[0][:] = -1.0  # every pre-activation negative: the layer is zero
    model.encoder.params[1][:] = 0.0
    model.init_C()
    loss, _, grad_C = model.loss("self_expression")
    assert np.isfinite(loss) and np.all(np.isfinite(grad_C))


def test_relative_stop_rule():
    assert not _subspace._relative_stop([1.0] * 10, 1e-3)
    assert _subspace._relative_stop([1.0] * 11, 1e-3)  # flat
    assert _subspace._relative_stop(list(np.linspace(1, 1.1, 11)), 1e-3)  # rising
    assert not _subspace._relative_stop(list(np.linspace(1, 0.9, 11)), 1e-3)  # 0.01 / epoch
    assert _subspace._relative_stop(list(np.linspace(1, 0.9999, 11)), 1e-3)
    curve = list(np.exp(-np.arange(200) / 5))  # decays towards 0: stops once flat
    stops = [t for t in range(11, 200) if _subspace._relative_stop(curve[:t], 1e-3)]
    assert stops and stops[0] < 40


def test_select_ridge_keeps_the_middle_of_the_ridges_tied_with_the_smallest_residual(
    monkeypatch,
):
    X, y = make_subspaces(150, n_features=30, n_subspaces=3, subspace_dim=3, random_state=1)
    alpha, C, residuals = _subspace.select_ridge(X, 3, 3, np.random.RandomState(0))
    # exact subspaces: several ridges fit exactly, the smallest of them is kept
    assert min(residuals.values()) <= 1e-9
    assert alpha == min(a for a, r in residuals.items() if r <= 1e-9)
    # a residual curve flat near its minimum (as COIL-20's): the middle of the flat stretch,
    # not its edge where the smallest value fell
    curve = {0.01: 2.0, 0.03: 1.5, 0.1: 1.0, 0.3: 1.003, 1.0: 1.006, 3.0: 1.02}
    with monkeypatch.context() as m:
        m.setattr(_subspace, "least_squares_self_expression", lambda X, a: a)
        m.setattr(_subspace, "partition", lambda C, *args: (None, None, C))
        m.setattr(_subspace, "subspace_residual", lambda X, labels, d: curve[labels])
        chosen, C_chosen, seen = _subspace.select_ridge(np.eye(2), 2, 1, 0, grid=tuple(curve))
    assert seen == curve and chosen == 0.3 and C_chosen == 0.3
    scale = np.mean((X**2).sum(axis=1))
    np.testing.assert_allclose(C, _subspace.least_squares_self_expression(X, alpha * scale))
    fixed = LeastSquaresSubspaceClustering(3, subspace_dim=3, alpha=0.5, random_state=0).fit(X)
    assert fixed.alpha_ == 0.5 and not hasattr(fixed, "residuals_")


def test_subspace_residual_known_answers():
    rng = np.random.default_rng(0)
    # three exact 2-D subspaces of R^6: the true partition leaves nothing unexplained
    bases = [np.linalg.qr(rng.normal(size=(6, 2)))[0] for _ in range(3)]
    X = np.vstack([rng.normal(size=(40, 2)) @ B.T for B in bases])
    y = np.repeat(np.arange(3), 40)
    before = X.copy()
    assert _subspace.subspace_residual(X, y, 2) < 1e-12
    # swapping rows between clusters leaves some unexplained: what SVD of the unit-length
    # rows says it should be, per row
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    z = y.copy()
    z[:10], z[40:50] = 1, 0
    expected = sum((np.linalg.svd(U[z == k], compute_uv=False)[2:] ** 2).sum() for k in range(3))
    got = _subspace.subspace_residual(X, z, 2)
    assert got > 0.01
    np.testing.assert_allclose(got, expected / len(X), rtol=1e-10)
    # a point's norm does not matter (the rows are scaled to unit length first), and a zero
    # row counts for nothing
    scaled = X * rng.uniform(0.01, 100.0, size=(len(X), 1))
    np.testing.assert_allclose(_subspace.subspace_residual(scaled, z, 2), got, rtol=1e-10)
    padded = np.vstack([X, np.zeros((5, 6))])
    np.testing.assert_allclose(
        _subspace.subspace_residual(padded, np.r_[z, [0] * 5], 2), got, rtol=1e-10
    )
    np.testing.assert_array_equal(X, before)  # the caller's rows are not scaled in place
    # a cluster of fewer rows than features goes through the rows' Gram matrix: same answer
    z[0] = 3
    expected = sum((np.linalg.svd(U[z == k], compute_uv=False)[2:] ** 2).sum() for k in range(4))
    np.testing.assert_allclose(_subspace.subspace_residual(X, z, 2), expected / len(X), rtol=1e-10)


def test_n_init_keeps_the_run_with_the_smallest_subspace_residual(monkeypatch):
    X, y = make_subspaces(
        90, n_features=12, n_subspaces=3, subspace_dim=2, noise=0.3, random_state=0
    )
    runs = []
    partition = _subspace.partition

    def record(C, n_clusters, subspace_dim, random_state, n_init=20):
        out = partition(C, n_clusters, subspace_dim, random_state, n_init)
        if n_init == 20:  # the final clustering of a run (the ridge rule and relabelling use 5)
            runs.append(out[2])
        return out

    monkeypatch.setattr(_subspace, "partition", record)
    model = DeepSubspaceClustering(3, subspace_dim=2, n_init=3, max_epochs=20, random_state=0)
    model.fit(X)
    assert len(runs) == 3
    reference = _subspace._unit_scale(X).astype(np.float32).astype(np.float64)
    residuals = [_subspace.subspace_residual(reference, labels, 2) for labels in runs]
    best = int(np.argmin(residuals))
    assert model.residual_ == pytest.approx(residuals[best], rel=1e-12)
    np.testing.assert_array_equal(model.labels_, runs[best])
    # one run is the plain fit: same partition and residual as n_init's first run
    monkeypatch.setattr(_subspace, "partition", partition)
    single = DeepSubspaceClustering(3, subspace_dim=2, max_epochs=20, random_state=0).fit(X)
    np.testing.assert_array_equal(single.labels_, runs[0])


# --- the convolutional autoencoder (image_shape) ---------------------------------------


def _naive_conv(X, W, b, kernel, stride):
    """Direct loops: zero padding by TensorFlow's "same" rule, then a strided correlation."""
    n, h, w, c = X.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph = max((oh - 1) * stride + kernel - h, 0)
    pw = max((ow - 1) * stride + kernel - w, 0)
    Xp = np.pad(X, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    K = W.reshape(kernel, kernel, c, -1)
    out = np.zeros((n, oh, ow, K.shape[3]))
    for i in range(oh):
        for j in range(ow):
            window = Xp[:, i * stride : i * stride + kernel, j * stride : j * stride + kernel]
            out[:, i, j] = np.einsum("nabc,abcf->nf", window, K) + b
    return out


@pytest.mark.parametrize(
    "shape, kernel", [((7, 6, 2), 3), ((8, 8, 1), 5), ((9, 9, 1), 1), ((6, 6, 3), 4)]
)
def test_conv_layers_known_answer_and_adjoint(shape, kernel):
    from skcluster.cluster._network import Conv2d, ConvTranspose2d

    rng = np.random.default_rng(0)
    conv = Conv2d(shape, 4, kernel)
    X = rng.normal(size=(3, *shape))
    W, b = rng.normal(size=conv.weight_shape), rng.normal(size=4)
    Z, _ = conv.forward(X, W, b)
    assert Z.shape == (3, -(-shape[0] // 2), -(-shape[1] // 2), 4)
    np.testing.assert_allclose(Z, _naive_conv(X, W, b, kernel, 2), rtol=1e-12, atol=1e-12)
    # the transposed layer is the adjoint of the convolution: <conv x, z> = <x, conv^T z>
    up = ConvTranspose2d(conv)
    G = rng.normal(size=Z.shape)
    Y, _ = up.forward(G, W, np.zeros(shape[2]))
    assert Y.shape == X.shape
    lhs = float(((Z - b) * G).sum())
    assert lhs == pytest.approx(float((X * Y).sum()), rel=1e-10)


@pytest.mark.parametrize("decoder", [False, True])
@pytest.mark.parametrize(
    "shape, channels, kernels", [((7, 6, 2), (3,), (3,)), ((8, 8, 1), (2, 3), (3, 5))]
)
def test_conv_net_gradients_match_finite_differences(shape, channels, kernels, decoder):
    from skcluster.cluster._network import ConvNet

    rng = np.random.default_rng(1)
    net = ConvNet(shape, channels, kernels, rng=np.random.RandomState(0), decoder=decoder)
    width = int(np.prod(net.layers[0].in_shape))
    X = rng.normal(size=(4, width))
    out, cache = net.forward(X)
    G = rng.normal(size=out.shape)
    # a loss on a hidden layer too (the layer-wise self-expression adds such terms)
    hidden = {1: rng.normal(size=cache[1][0].shape)} if len(cache) > 1 else None

    def loss():
        o, c = net.forward(X)
        return float((o * G).sum()) + (float((c[1][0] * hidden[1]).sum()) if hidden else 0.0)

    grads, g_in = net.backward(cache, G, hidden)
    eps = 1e-6
    for p, g in [*zip(net.params, grads, strict=True), (X, g_in)]:
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for j in rng.choice(flat.size, size=min(6, flat.size), replace=False):
            old = flat[j]
            flat[j] = old + eps
            up = loss()
            flat[j] = old - eps
            down = loss()
            flat[j] = old
            assert gflat[j] == pytest.approx((up - down) / (2 * eps), rel=1e-6, abs=1e-8)


def test_distance_loss_is_zero_for_a_scaled_copy_of_the_input():
    # a layer whose distances are a multiple of the input's matches it exactly
    rng = np.random.default_rng(4)
    X = rng.normal(size=(10, 5))
    model = _subspace._Stages(X, (4,), np.random.RandomState(0), alpha=0.0, pretrain="distance")
    loss, grads = model.distance_loss([X, 3.0 * X])
    assert loss == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(grads[1], 0.0, atol=1e-10)
    loss, _ = model.distance_loss([X, rng.normal(size=(10, 5))])
    assert loss > 0.01


def _shifted_patterns(n_per, size=12, seed=0):
    """Images made of shifted copies of three patterns (a bar, a cross, a corner): each
    image is a positive mix of one pattern at three shifts, so each class spans a
    three-dimensional subspace of images."""
    rng = np.random.default_rng(seed)
    base = np.zeros((3, size, size))
    base[0, 5:7, 2:10] = 1.0  # horizontal bar
    base[1, 3:9, 5:7] = 1.0  # cross
    base[1, 5:7, 3:9] = 1.0
    base[2, 2:8, 2:4] = 1.0  # corner
    base[2, 6:8, 2:8] = 1.0
    X, y = [], []
    for k in range(3):
        shifts = [np.roll(base[k], s, axis=(0, 1)) for s in [(0, 0), (1, 2), (-2, 1)]]
        for _ in range(n_per):
            mix = rng.uniform(0.2, 1.0, size=3)
            X.append(sum(m * s for m, s in zip(mix, shifts, strict=True)).ravel())
            y.append(k)
    return np.array(X), np.array(y)


def test_conv_model_clusters_shifted_patterns_exactly():
    X, y = _shifted_patterns(30)
    X_before = X.copy()
    model = DeepSubspaceClustering(3, subspace_dim=3, image_shape=(12, 12), random_state=0)
    model.fit(X)
    np.testing.assert_array_equal(X, X_before)
    assert clustering_accuracy(y, model.labels_) == 1.0
    assert model.kernel_size_ == (_subspace._CONV_AUTO_KERNEL,)
    assert model.hidden_layer_sizes_ == (3,)  # 2 x 3 x 3 = 18 values fit 36 pixels x 3


def test_image_shape_must_match_n_features():
    X, _ = _shifted_patterns(5)
    with pytest.raises(ValueError, match=r"holds 100 values per image, but X has n_features=144"):
        DeepSubspaceClustering(3, subspace_dim=2, image_shape=(10, 10)).fit(X)
    with pytest.raises(ValueError, match="image_shape must be"):
        DeepSubspaceClustering(3, subspace_dim=2, image_shape=(12, 12, 1, 1)).fit(X)
    with pytest.raises(ValueError, match="kernel_size must be"):
        DeepSubspaceClustering(
            3, subspace_dim=2, image_shape=(12, 12), hidden_layer_sizes=(2, 3), kernel_size=(3,)
        ).fit(X)
    with pytest.raises(ValueError, match=r"from 1 to the image's larger side \(12\)"):
        DeepSubspaceClustering(3, subspace_dim=2, image_shape=(12, 12), kernel_size=13).fit(X)


def test_convolutional_start_from_patches():
    # the first filters are the windows' leading principal directions, signed to a positive
    # sum (a ReLU passes non-negative images); the decoder starts as their scaled adjoint
    from skcluster.cluster._network import ConvNet, start_from_patches

    X, _ = _shifted_patterns(10)
    enc = ConvNet((12, 12, 1), (3,), (3,), rng=np.random.RandomState(0))
    dec = ConvNet((12, 12, 1), (3,), (3,), rng=np.random.RandomState(1), decoder=True)
    start_from_patches(enc, dec, X)
    cols = enc.layers[0].windows(X.reshape(-1, 12, 12, 1))
    V = np.linalg.svd(cols, full_matrices=False)[2][:3].T
    W = enc.params[0] / np.sqrt(3.0)
    assert np.all(W.sum(axis=0) > 0)
    np.testing.assert_allclose(np.abs(W), np.abs(V), atol=1e-10)
    np.testing.assert_allclose(dec.params[-2], W / 2.25, atol=1e-12)
    # more channels than a window has values: the rest keep their random start
    wide = ConvNet((12, 12, 1), (12,), (3,), rng=np.random.RandomState(0))
    before = wide.params[0].copy()
    start_from_patches(
        wide, ConvNet((12, 12, 1), (12,), (3,), rng=np.random.RandomState(1), decoder=True), X
    )
    np.testing.assert_array_equal(wide.params[0][:, 9:], before[:, 9:])
    assert not np.allclose(wide.params[0][:, :9], before[:, :9])
