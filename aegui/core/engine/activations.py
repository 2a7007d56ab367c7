"""Activation functions f and their derivatives written in terms of the output.

Every activation is used as ``h = f(a)``; backward needs ``∂L/∂a = ∂L/∂h ⊙ f'(a)``, which for all four is
a function of ``h`` alone, so the forward pass keeps only ``h``:

=========  ==================  ====================
name       f(a)                f'(a) from h
=========  ==================  ====================
sigmoid    1 / (1 + e^-a)      h (1 - h)
tanh       tanh a              1 - h²
relu       max(a, 0)           1 if h > 0 else 0
identity   a                   1
=========  ==================  ====================

The backward kernels are PyTorch's own (``aten::sigmoid_backward`` …), the ones autograd runs.
"""

from __future__ import annotations

import torch


def forward(name: str, a: torch.Tensor) -> torch.Tensor:
    """``f(a)``, a new tensor."""
    if name == "sigmoid":
        return torch.sigmoid(a)
    if name == "tanh":
        return torch.tanh(a)
    if name == "relu":
        return torch.relu(a)
    return a


def backward(name: str, grad_h: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """``∂L/∂a = ∂L/∂h ⊙ f'(a)`` with ``f'`` computed from the output ``h``."""
    if name == "sigmoid":
        return torch.ops.aten.sigmoid_backward(grad_h, h)
    if name == "tanh":
        return torch.ops.aten.tanh_backward(grad_h, h)
    if name == "relu":
        return torch.ops.aten.threshold_backward(grad_h, h, 0)
    return grad_h


def derivative(name: str, h: torch.Tensor) -> torch.Tensor:
    """``f'(a)`` as a tensor shaped like ``h`` (used by the contractive penalty and the views)."""
    return backward(name, torch.ones_like(h), h)
