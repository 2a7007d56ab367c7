"""Reading an output vector as a choice: softmax with a temperature and its limit, the arg-max
(numpy only, so the window can show them without the engine).

    softmax(y / T)_i = e^{y_i / T} / Σ_j e^{y_j / T}

As ``T → 0`` softmax tends to the one-hot arg-max (what the seed's "returns 1 for the largest value and
0 for the smallest" describes); as ``T → ∞`` it tends to uniform.
"""

from __future__ import annotations

import numpy as np

#: the output biases the Readout panel's toggle adds to the seed's 4-output network (b₂): the second movie
#: gets a head start, and the arg-max no longer gives the input back
EXAMPLE_BIAS = (0.0, 3.0, 0.0, 0.0)


def softmax(y, temperature: float = 1.0) -> np.ndarray:
    """``softmax(y / T)`` over the last axis, in float64 (shifted by the maximum, so it never overflows)."""
    if not temperature > 0:
        raise ValueError("softmax temperature must be > 0")
    z = np.asarray(y, dtype=np.float64) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def argmax_onehot(y) -> np.ndarray:
    """The one-hot vector of the largest entry (the first one on ties)."""
    y = np.asarray(y)
    out = np.zeros(y.shape, dtype=np.float64)
    out[np.argmax(y)] = 1.0
    return out

