"""The network of :class:`DeepSubspaceClustering`: an autoencoder (dense or convolutional) and
the self-expression matrix C shared by its layers, with the loss of each training stage."""

import numpy as np

from .. import _backend
from ._network import MLP, ConvNet, start_from_patches
from ._self_expression import _mean_sq_norm, least_squares_self_expression


def _pairwise_sq(H):
    """Pairwise squared Euclidean distances of the rows of ``H`` (n x n, NumPy or CuPy),
    by the Gram matrix: the form whose gradient the distance-preserving loss writes out."""
    sq = (H * H).sum(axis=1)
    return sq[:, None] + sq[None, :] - 2.0 * (H @ H.T)


class _Stages:
    """The deep model: encoder, decoder and C, with the loss of each training stage."""

    def __init__(self, X, hidden, rng, alpha, *, image=None, pretrain="reconstruction"):
        d = X.shape[1]
        self.X = X
        self.xp = xp = _backend.array_module(X)  # NumPy, or CuPy for a fit on the GPU
        self.x_norm2 = float((X * X).sum())
        if image is None:  # dense: hidden holds the layer widths
            self.encoder = MLP([d, *hidden], rng=rng, dtype=X.dtype, xp=xp)
            self.decoder = MLP([*hidden[::-1], d], rng=rng, dtype=X.dtype, xp=xp)
        else:  # convolutional: hidden holds the channels, image = (image_shape, kernels)
            shape, kernels = image
            self.encoder = ConvNet(shape, hidden, kernels, rng=rng, dtype=X.dtype, xp=xp)
            self.decoder = ConvNet(
                shape, hidden, kernels, rng=rng, decoder=True, dtype=X.dtype, xp=xp
            )
            start_from_patches(self.encoder, self.decoder, X)
        self.params = self.encoder.params + self.decoder.params
        self.pretrain = pretrain
        self.target = None  # the input's scaled pairwise distances, for pretrain="distance"
        self.alpha = alpha
        self.C = None
        self.theta = None  # cross-cluster mask of the structured norm

    def layers(self, cache, code):
        """Input, every hidden activation and the code: the layers that share C. A layer
        whose units are all dead (all zero) has nothing to express and is left out."""
        layers = [self.X] + [c[0] for c in cache[1:]] + [code]
        return [H if H.any() else None for H in layers]

    def loss(self, stage):
        """Loss of ``stage`` ("pretrain", "self_expression", "structured") and gradients."""
        code, enc_cache = self.encoder.forward(self.X)
        out, dec_cache = self.decoder.forward(code)
        R = out - self.X
        loss = float((R * R).sum()) / self.x_norm2
        dec_grads, g_code = self.decoder.backward(dec_cache, R * (2.0 / self.x_norm2))
        grad_C, g_layers, hidden = None, None, None
        if stage == "pretrain" and self.pretrain == "distance":
            layers = self.layers(enc_cache, code)
            distance, g_layers = self.distance_loss(layers)
            loss += distance
        if stage != "pretrain":
            layers = self.layers(enc_cache, code)
            live = [i for i, H in enumerate(layers) if H is not None]
            se, grad_C, g_live = _backend.self_expression(self.C, [layers[i] for i in live])
            g_layers = dict(zip(live, g_live, strict=True))
            loss += se + self.alpha * float((self.C * self.C).sum())
            grad_C += (2.0 * self.alpha) * self.C
            if stage == "structured":
                absC = self.xp.abs(self.C)
                total = float(absC.sum())
                cross = float(absC[self.theta].sum()) / total
                loss += cross
                grad_C += self.xp.sign(self.C) * (
                    (self.theta - np.float32(cross)) / np.float32(total)
                )
            self.xp.fill_diagonal(grad_C, 0.0)
        if g_layers is not None:  # a layer loss: the code's part joins the decoder's gradient
            last = len(layers) - 1
            if last in g_layers:
                g_code = g_code + g_layers[last]
            hidden = {i: g for i, g in g_layers.items() if 0 < i < last}
        enc_grads, _ = self.encoder.backward(enc_cache, g_code, hidden)
        return loss, enc_grads + dec_grads, grad_C

    def distance_loss(self, layers):
        """The distance-preserving term of pre-training: for every encoder layer,
        ``||D_l / ||D_l|| - D_X / ||D_X|| ||_F^2`` with ``D`` the pairwise squared distances
        of the rows, averaged over the layers (each term in [0, 4]), and its gradient with
        respect to each live layer (a dict by layer index).

        The paper's code minimises ``sum(D_X * D_l)`` instead, which any layer lowers by
        shrinking towards one point; matching the scale-free distance matrices keeps the
        idea (a layer's geometry follows the input's) without that collapse."""
        xp = self.xp
        if self.target is None:
            D = _pairwise_sq(self.X)
            self.target = D / xp.linalg.norm(D)
        live = [i for i, H in enumerate(layers) if i > 0 and H is not None]
        loss, grads = 0.0, {}
        for i in live:
            H = layers[i]
            D = _pairwise_sq(H)
            norm = float(xp.linalg.norm(D))
            if norm == 0.0:  # all rows equal: no distance to match, no gradient
                continue
            dtype = H.dtype.type
            P = D / dtype(norm)
            E = P - self.target
            loss += float((E * E).sum()) / len(live)
            g_P = E * dtype(2.0 / len(live))
            g_D = (g_P - dtype(float((g_P * P).sum())) * P) / dtype(norm)
            grads[i] = 4.0 * (g_D.sum(axis=1)[:, None] * H - g_D @ H)
        return loss, grads

    def stacked_layers(self):
        """The layers, each divided by its Frobenius norm, side by side (n x D)."""
        code, cache = self.encoder.forward(self.X)
        layers = [H for H in self.layers(cache, code) if H is not None]
        scaled = [H / self.xp.linalg.norm(H) for H in layers]
        return self.xp.concatenate(scaled, 1).astype(np.float64)

    def init_C(self, select_ridge=None):
        """C at the closed-form optimum of the self-expression for the current network;
        with ``select_ridge`` (the stacked layers -> the relative ridge, its C and the
        residuals of the ridges tried), the ridge is chosen first."""
        H = self.stacked_layers()
        if select_ridge is None:
            C = least_squares_self_expression(H, self.alpha)
        else:
            relative, C, self.residuals = select_ridge(H)
            self.alpha = relative * _mean_sq_norm(H)
            self.relative_alpha = relative
        self.C = C.astype(self.X.dtype)

    def set_clusters(self, labels):
        """The cross-cluster mask of the structured norm for host ``labels``."""
        labels = self.xp.asarray(labels)
        self.theta = labels[:, None] != labels[None, :]

    def c_step(self):
        """Gradient step on C: the inverse Lipschitz constant of the smooth part in C,
        ``2 (||H||_2^2 + alpha)`` (power iteration on the stacked layers)."""
        Hn = self.stacked_layers()
        v = self.xp.ones(Hn.shape[1]) / np.sqrt(Hn.shape[1])
        for _ in range(30):
            w = Hn.T @ (Hn @ v)
            top = float(self.xp.linalg.norm(w))
            v = w / top
        return 1.0 / (2.0 * (top + self.alpha))
