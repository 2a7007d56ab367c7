"""The seed document's 4-2-4 example, exactly.

Four movies, two hidden units, no bias, identity activations and tied weights of ±1::

    W1 = [[+1, +1, −1, −1],        z = W1·x        x = [1, 0, 0, 0]  →  z = [1, 1]
          [+1, −1, +1, −1]]        y = W1ᵀ·z                          →  y = [2, 0, 0, −2]

``softmax(y / T)`` with ``T = 1`` is ``[0.776, 0.105, 0.105, 0.014]``, and as ``T → 0`` it tends to the
arg-max ``[1, 0, 0, 0]``: the seed's "softmax returns 1 for the largest value and 0 for the smallest"
describes that limit, not softmax itself. Each one-hot input reconstructs itself through the arg-max.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.demo import SEED_W1
from .network import Network
from .readout import argmax_onehot, softmax


def seed_network(hidden_bias=(0.0, 0.0), output_bias=(0.0, 0.0, 0.0, 0.0)) -> Network:
    """The 4-2-4 network (float64), optionally with biases added."""
    net = Network((4, 2, 4), ("identity", "identity"), dtype=torch.float64)
    with torch.no_grad():
        net.weights[0].copy_(torch.from_numpy(SEED_W1))
        net.weights[1].copy_(torch.from_numpy(SEED_W1.T.copy()))
        net.biases[0].copy_(torch.tensor(hidden_bias, dtype=torch.float64))
        net.biases[1].copy_(torch.tensor(output_bias, dtype=torch.float64))
    return net


@dataclass(frozen=True)
class SeedPass:
    x: np.ndarray
    hidden: np.ndarray
    output: np.ndarray
    softmax: np.ndarray
    argmax: np.ndarray
    temperature: float


def seed_pass(x, temperature: float = 1.0, network: Network | None = None) -> SeedPass:
    """One pass through the seed network: hidden ``z``, output ``y``, ``softmax(y/T)`` and its arg-max
    one-hot (ties go to the first)."""
    net = network or seed_network()
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64)).reshape(1, 4)
    _, z, y = net.forward(xt)
    y0 = y[0].numpy().copy()
    return SeedPass(xt[0].numpy().copy(), z[0].numpy().copy(), y0, softmax(y0, temperature), argmax_onehot(y0),
                    temperature)
