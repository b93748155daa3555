"""Solver steps on the backend: the nonnegative low-rank SDP step and deep subspace
clustering's self-expression loss."""

from ._dispatch import (
    _working_memory,
    get_backend_name,
    is_cupy_array,
    kernels,
)


def nlr_step(Xw, q, offsets, U, y, *, beta, step, target, dual, out):
    """One projected-gradient step of the nonnegative low-rank SDP's augmented Lagrangian.

    The SDP ``min sum_b <C_b, Z_b>`` over ``Z_b = U_b U_b^T`` with ``U_b >= 0``,
    ``||U_b||_F^2 = target_b`` and ``sum_b Z_b 1 = 1``, where each cost is given by its
    factors, never as an n x n matrix::

        C_b = -Xw_b Xw_b^T + (q_b 1^T + 1 q_b^T) / 2 + offsets_b 1 1^T

    (``C_b[i, j] = ||xw_bi - xw_bj||^2 / 2 + offsets_b`` when ``q_b`` holds the squared row
    norms of ``Xw_b``). With ``e = sum_b U_b U_b^T 1 - 1`` and the multiplier ``y``, the
    step is ``U_b <- P(U_b - step * grad_b)`` with ``grad_b = 2 C_b U_b + yt 1^T U_b +
    1 yt^T U_b``, ``yt = y + beta e``, and ``P`` the projection onto ``{U >= 0,
    ||U||_F^2 = target_b}``. Cost O(n B d r) per step.

    Parameters
    ----------
    Xw : array of shape (B, n, d)
    q : array of shape (B, n)
    offsets : array of shape (B,)
    U : array of shape (B, n, r)
        The current factors (not modified).
    y : array of shape (n,)
        The multiplier; when ``dual`` it is first moved in place by ``beta * e``.
    beta, step : float
    target : array of shape (B,)
    dual : bool
    out : array of shape (B, n, r)
        Receives the new factors.

    Returns
    -------
    infeasibility_sq : float
        ``||e||^2`` at the current U.
    change_sq : float
        ``||U_new - U||_F^2``.
    """
    name = get_backend_name(Xw, U)
    B, n, r = U.shape
    if Xw.shape[:2] != (B, n) or q.shape != (B, n) or out.shape != U.shape or y.shape != (n,):
        raise ValueError("nlr_step: Xw, q, U, y and out have inconsistent shapes.")
    return kernels(name).nlr_step(
        Xw, q, offsets, U, y, float(beta), float(step), target, bool(dual), out, _working_memory()
    )


def self_expression(C, layers, *, layer_grads=True):
    """Layer-wise self-expression loss ``sum_l ||H_l - C H_l||_F^2 / ||H_l||_F^2`` and its
    gradients, for deep subspace clustering.

    Each layer is scaled to unit Frobenius norm, so every layer weighs the same and no layer
    can lower its term by shrinking. The cost is three (n x n) by (n x D) products,
    ``D = sum_l d_l``: GEMMs, so BLAS on the CPU and cuBLAS on the GPU are the kernel, and
    one array-namespace implementation serves NumPy and CuPy arrays alike.

    Parameters
    ----------
    C : array of shape (n, n)
    layers : list of arrays of shape (n, d_l)
        Same namespace and dtype as ``C``.
    layer_grads : bool, default=True
        Also return the gradients with respect to the layers.

    Returns
    -------
    loss : float
    grad_C : array of shape (n, n)
    layer_grads : list of arrays of shape (n, d_l), or None
    """
    n = C.shape[0]
    if C.ndim != 2 or C.shape[1] != n or any(H.ndim != 2 or H.shape[0] != n for H in layers):
        raise ValueError("self_expression: C must be (n, n) and every layer (n, d_l).")
    # array-namespace code: one implementation for NumPy and CuPy arrays
    name = "cupy" if is_cupy_array(C) else "numpy"
    return kernels(name).self_expression(C, list(layers), bool(layer_grads))
