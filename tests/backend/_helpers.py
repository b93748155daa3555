"""Shared data makers of the backend tests (hypothesis strategies, read-only arrays)."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


def _frozen(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


_shapes = st.tuples(st.integers(2, 30), st.integers(1, 5))


_dtypes = st.sampled_from([np.float32, np.float64])


def _data(draw, shape, dtype):
    # values of magnitude 2^-8 .. 2^8 with exact float32 representations
    ints = draw(arrays(np.int32, shape, elements=st.integers(-(2**12), 2**12)))
    return (ints.astype(np.float64) / 2**4).astype(dtype)


@st.composite
def _scaled_pair(draw):
    """Data and a power of two that keeps it finite and normal in its dtype."""
    dtype = draw(_dtypes)
    X = _data(draw, draw(_shapes), dtype)
    limit = 100 if dtype == np.float32 else 1000
    return X, draw(st.integers(-limit, limit))
