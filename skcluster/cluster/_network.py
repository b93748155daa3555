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
