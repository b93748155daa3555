"""A small dense network with hand-written gradients and AdamW, for the deep estimators.

No deep-learning framework: layers are NumPy products, gradients are written out (and
checked against finite differences in the tests), training is mini-batch AdamW. The same
code runs on CuPy arrays (``xp``): the weights are drawn on the host, so a seed gives the
same starting network on the CPU and the GPU.
"""

import numpy as np

from .._backend import array_module


class MLP:
    """Fully connected layers with ReLU between them (none after the last) and inverted
    dropout on the hidden activations during training."""

    def __init__(self, sizes, *, dropout=0.0, rng, dtype=np.float64, xp=np):
        self.dropout = dropout
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            bound = np.sqrt(6.0 / fan_in)  # He-uniform, suited to ReLU
            W = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)
            self.params += [xp.asarray(W), xp.zeros(fan_out, dtype)]

    def forward(self, X, rng=None):
        """Output and what ``backward`` needs; ``rng`` given means training (dropout on)."""
        cache = []
        A = X
        xp = array_module(X)  # not stored: a fitted estimator holding the network pickles
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            W, b = self.params[2 * i], self.params[2 * i + 1]
            Z = A @ W + b
            mask = None
            if i < n_layers - 1:
                A_next = xp.maximum(Z, 0.0)
                if rng is not None and self.dropout > 0:
                    keep = xp.asarray(rng.random(A_next.shape) >= self.dropout)
                    mask = keep / (1.0 - self.dropout)
                    A_next = A_next * mask
            else:
                A_next = Z
            cache.append((A, Z, mask))
            A = A_next
        return A, cache

    def backward(self, cache, grad, hidden_grads=None):
        """Gradients of the parameters (same order as ``params``) and of the input.

        ``hidden_grads[i]``, when given, is a loss's gradient with respect to the input of
        layer ``i`` (the ``i``-th hidden activation, ``i >= 1``), added on the way down.
        """
        grads = [None] * len(self.params)
        for i in range(len(cache) - 1, -1, -1):
            if hidden_grads is not None and i + 1 < len(cache) and i + 1 in hidden_grads:
                grad = grad + hidden_grads[i + 1]
            A, Z, mask = cache[i]
            if i < len(cache) - 1:
                if mask is not None:
                    grad = grad * mask
                grad = grad * (Z > 0)
            grads[2 * i] = A.T @ grad
            grads[2 * i + 1] = grad.sum(axis=0)
            grad = grad @ self.params[2 * i].T
        return grads, grad


def l2_normalize(Z):
    """Rows scaled to unit length (a zero row stays zero), and the norms (for the backward
    pass). NumPy or CuPy."""
    xp = array_module(Z)
    norms = xp.maximum(xp.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
    return Z / norms, norms


def l2_normalize_backward(U, norms, grad):
    """Gradient through ``U = Z / ||Z||`` (rows)."""
    return (grad - U * (U * grad).sum(axis=1, keepdims=True)) / norms


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of integer ``targets`` and its gradient w.r.t. ``logits``."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(targets)
    loss = -log_p[np.arange(n), targets].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), targets] -= 1.0
    return float(loss), grad / n


class AdamW:
    """Adam with decoupled weight decay (Loshchilov & Hutter), in place on ``params``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        self.params, self.lr, self.betas, self.eps, self.wd = params, lr, betas, eps, weight_decay
        self.m = [array_module(p).zeros_like(p) for p in params]
        self.v = [array_module(p).zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            xp = array_module(p)
            p -= self.lr * ((m / c1) / (xp.sqrt(v / c2) + self.eps) + self.wd * p)


# --- convolutional layers --------------------------------------------------------------
# Images are (n, height, width, channels) arrays. A layer's weights are one
# (k * k * c_in, c_out) matrix: im2col gathers each output pixel's k x k x c_in window into a
# row (k * k strided slices, one copy) and one GEMM does the rest, on NumPy or CuPy alike.


def same_padding(size, kernel, stride):
    """Output size and (before, after) zero padding of a "same" convolution (TensorFlow's
    rule, as the paper's code: ``ceil(size / stride)`` outputs, the odd pixel of padding
    after)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2, total - total // 2


def im2col(Xp, kernel, stride, out_h, out_w):
    """Rows of every ``kernel x kernel`` window of the padded images ``Xp``:
    shape ``(n * out_h * out_w, kernel * kernel * channels)``."""
    xp = array_module(Xp)
    n, c = Xp.shape[0], Xp.shape[3]
    windows = [
        Xp[:, i : i + stride * out_h : stride, j : j + stride * out_w : stride, :]
        for i in range(kernel)
        for j in range(kernel)
    ]
    return xp.stack(windows, axis=3).reshape(n * out_h * out_w, kernel * kernel * c)


def col2im(cols, shape, kernel, stride, out_h, out_w):
    """The adjoint of :func:`im2col`: each window row added back into padded images of
    ``shape`` (n, height, width, channels)."""
    xp = array_module(cols)
    n, c = shape[0], shape[3]
    cols = cols.reshape(n, out_h, out_w, kernel, kernel, c)
    out = xp.zeros(shape, cols.dtype)
    for i in range(kernel):
        for j in range(kernel):
            out[:, i : i + stride * out_h : stride, j : j + stride * out_w : stride, :] += cols[
                :, :, :, i, j, :
            ]
    return out


class Conv2d:
    """A "same"-padded strided convolution between image shapes ``(h, w, c)``; the weights
    live in the network's parameter list and are passed in."""

    def __init__(self, in_shape, channels, kernel, stride=2):
        self.in_shape, self.kernel, self.stride = tuple(in_shape), kernel, stride
        h, w, _ = self.in_shape
        oh, *self.pad_h = same_padding(h, kernel, stride)
        ow, *self.pad_w = same_padding(w, kernel, stride)
        self.out_shape = (oh, ow, channels)
        self.weight_shape = (kernel * kernel * self.in_shape[2], channels)

    def pad(self, X):
        """Input images ``(n, h, w, c_in)`` with their zero border."""
        return array_module(X).pad(X, ((0, 0), tuple(self.pad_h), tuple(self.pad_w), (0, 0)))

    def crop(self, Xp):
        """Padded input-shaped images without their border."""
        (t, b), (left, r) = self.pad_h, self.pad_w
        return Xp[:, t : Xp.shape[1] - b, left : Xp.shape[2] - r, :]

    def windows(self, X):
        """im2col of input-shaped images ``X``: one row per output pixel."""
        return im2col(self.pad(X), self.kernel, self.stride, *self.out_shape[:2])

    def unwindows(self, cols, n):
        """col2im back to ``n`` input-shaped images (the adjoint of :meth:`windows`)."""
        h, w, c = self.in_shape
        padded = (n, h + sum(self.pad_h), w + sum(self.pad_w), c)
        return self.crop(col2im(cols, padded, self.kernel, self.stride, *self.out_shape[:2]))

    def forward(self, X, W, b):
        """Images ``(n, h, w, c_in)`` to ``(n, oh, ow, c_out)``; the cache for backward."""
        cols = self.windows(X)
        return (cols @ W + b).reshape(X.shape[0], *self.out_shape), cols

    def backward(self, cols, grad, W):
        """Gradients of ``W``, ``b`` and the input images from the output's ``grad``."""
        g = grad.reshape(-1, W.shape[1])
        return cols.T @ g, g.sum(axis=0), self.unwindows(g @ W.T, grad.shape[0])


class ConvTranspose2d:
    """The transpose (adjoint) of a :class:`Conv2d`: images of its output shape back to its
    input shape, with the same weight matrix and a bias per output channel. ``conv`` is the
    convolution it mirrors (its geometry, not its weights)."""

    def __init__(self, conv):
        self.conv = conv
        self.in_shape, self.out_shape = conv.out_shape, conv.in_shape
        self.weight_shape, self.kernel, self.stride = conv.weight_shape, conv.kernel, conv.stride

    def forward(self, Z, W, b):
        """Images ``(n, oh, ow, c_out)`` to ``(n, h, w, c_in)``; the cache for backward."""
        cols = Z.reshape(-1, W.shape[1]) @ W.T
        return self.conv.unwindows(cols, Z.shape[0]) + b, Z

    def backward(self, Z, grad, W):
        """Gradients of ``W``, ``b`` and the input ``Z`` from the output's ``grad``."""
        cols = self.conv.windows(grad)
        Z2 = Z.reshape(cols.shape[0], -1)
        return cols.T @ Z2, grad.sum(axis=(0, 1, 2)), (cols @ W).reshape(Z.shape)


class ConvNet:
    """Convolutional encoder (stride-2 "same" convolutions) or its mirror decoder (the
    transposed convolutions), ReLU after every layer but a decoder's last. Rows in and rows
    out, as :class:`MLP` (``forward`` / ``backward`` / ``params`` alike), images inside.

    ``image_shape`` is the input's ``(h, w, c)``; ``channels`` and ``kernels`` one entry
    per encoder layer. ``decoder=True`` builds the mirror: from the encoder's code shape back
    to ``image_shape``.
    """

    def __init__(
        self, image_shape, channels, kernels, *, rng, decoder=False, dtype=np.float64, xp=np
    ):
        convs, shape = [], tuple(image_shape)
        for c, k in zip(channels, kernels, strict=True):
            convs.append(Conv2d(shape, c, k))
            shape = convs[-1].out_shape
        self.decoder = decoder
        self.layers = [ConvTranspose2d(c) for c in convs[::-1]] if decoder else convs
        self.params = []
        for layer in self.layers:
            # He-uniform on the inputs one output pixel sees (a transposed layer's pixel
            # gets about k^2 / stride^2 of its input's pixels)
            fan_in = (
                layer.weight_shape[0]
                if not decoder
                else (layer.weight_shape[1] * max(1, layer.kernel**2 // layer.stride**2))
            )
            bound = np.sqrt(6.0 / fan_in)
            W = rng.uniform(-bound, bound, layer.weight_shape).astype(dtype)
            self.params += [xp.asarray(W), xp.zeros(layer.out_shape[2], dtype)]

    def forward(self, X, rng=None):
        """Output rows and what ``backward`` needs (``rng`` is accepted for :class:`MLP`'s
        interface; there is no dropout)."""
        xp = array_module(X)
        n = X.shape[0]
        cache, A = [], X
        for i, layer in enumerate(self.layers):
            Z, layer_cache = layer.forward(
                A.reshape(n, *layer.in_shape), *self.params[2 * i : 2 * i + 2]
            )
            relu = not (self.decoder and i == len(self.layers) - 1)
            cache.append((A, Z if relu else None, layer_cache))
            A = (xp.maximum(Z, 0.0) if relu else Z).reshape(n, -1)
        return A, cache

    def backward(self, cache, grad, hidden_grads=None):
        """As :meth:`MLP.backward`: parameter gradients and the input's gradient (rows)."""
        grads = [None] * len(self.params)
        n = grad.shape[0]
        for i in range(len(cache) - 1, -1, -1):
            if hidden_grads is not None and i + 1 < len(cache) and i + 1 in hidden_grads:
                grad = grad + hidden_grads[i + 1]
            A, Z, layer_cache = cache[i]
            layer = self.layers[i]
            grad = grad.reshape(n, *layer.out_shape)
            if Z is not None:
                grad = grad * (Z > 0)
            grads[2 * i], grads[2 * i + 1], g_in = layer.backward(
                layer_cache, grad, self.params[2 * i]
            )
            grad = g_in.reshape(n, -1)
        return grads, grad


def start_from_patches(encoder, decoder, X, max_rows=20000):
    """A data-driven start for a convolutional autoencoder: the first convolution's filters
    are the leading (uncentred) principal directions of the input's windows, each signed
    to a positive sum, and the last transposed convolution starts as their adjoint, divided
    by the windows' overlap (``kernel^2 / stride^2``).

    A random start lets whole ReLU channels die in pre-training (no window of a non-negative
    image passes a filter of negative sum); this one begins at the best linear
    reconstruction of the windows. Filters beyond ``kernel^2 * c_in`` stay random. The
    principal directions come from at most ``max_rows`` evenly spaced windows.
    """
    conv = encoder.layers[0]
    cols = conv.windows(X.reshape(X.shape[0], *conv.in_shape))
    cols = cols[:: max(1, cols.shape[0] // max_rows)].astype(np.float64)
    xp = array_module(cols)
    V = xp.linalg.svd(cols, full_matrices=False)[2][: conv.out_shape[2]].T
    V = V * xp.sign(V.sum(axis=0) + 1e-12)
    c = V.shape[1]
    encoder.params[0][:, :c] = V * np.sqrt(conv.weight_shape[0] / 3.0)
    decoder.params[-2][:, :c] = V / max(1.0, conv.kernel**2 / conv.stride**2)
