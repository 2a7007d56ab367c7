"""SGD (with momentum), RMSprop and Adam over one flat parameter vector.

They follow ``torch.optim``'s documented algorithms exactly (a test runs both side by side and finds the
same parameters); they exist because online learning makes one step per observation, and the Python
bookkeeping of ``torch.optim`` (hooks, parameter groups, per-tensor loops) costs more than the
arithmetic of such a step. Weight decay is L2 added to the gradient, on the weights only (biases are not
decayed): ``g ← ∇θ + λ·mask⊙θ``.

=========  =====================================================================================
SGD        ``u ← μ·u + g`` (``u = g`` on the first step);  ``θ ← θ − η·u``
RMSprop    ``v ← α·v + (1−α)·g²``;  ``θ ← θ − η·g / (√v + ε)``
Adam       ``m ← β1·m + (1−β1)·g``;  ``v ← β2·v + (1−β2)·g²``;
           ``θ ← θ − η/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)``
=========  =====================================================================================
"""

from __future__ import annotations

import math

import torch

from .spec import OPTIMIZERS


class FlatOptimizer:
    """One optimiser over a flat ``θ``; ``step`` reads ``∇θ`` and updates ``θ`` in place."""

    def __init__(self, name: str, params: torch.Tensor, decay_mask: torch.Tensor, *, lr: float,
                 weight_decay: float = 0.0, momentum: float = 0.9, alpha: float = 0.99,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
        self.name = name
        self.params = params
        self.decay_mask = decay_mask
        self.lr, self.weight_decay, self.momentum = float(lr), float(weight_decay), float(momentum)
        self.alpha, self.betas, self.eps = float(alpha), (float(betas[0]), float(betas[1])), float(eps)
        self.steps = 0
        self.first = torch.zeros_like(params)   # SGD: momentum buffer u; Adam: m
        self.second = torch.zeros_like(params)  # RMSprop and Adam: v
        self._denom = torch.empty_like(params)

    def step(self, grad: torch.Tensor) -> None:
        """One update of ``θ`` from ``∇θ``; ``grad`` is modified (it receives the decay term)."""
        if self.weight_decay:
            grad.addcmul_(self.params, self.decay_mask, value=self.weight_decay)
        self.steps += 1
        if self.name == "sgd":
            if self.momentum:
                if self.steps == 1:
                    self.first.copy_(grad)
                else:
                    self.first.mul_(self.momentum).add_(grad)
                grad = self.first
            self.params.add_(grad, alpha=-self.lr)
        elif self.name == "rmsprop":
            self.second.mul_(self.alpha).addcmul_(grad, grad, value=1 - self.alpha)
            denom = torch.sqrt(self.second, out=self._denom).add_(self.eps)
            self.params.addcdiv_(grad, denom, value=-self.lr)
        else:
            b1, b2 = self.betas
            self.first.lerp_(grad, 1 - b1)
            self.second.mul_(b2).addcmul_(grad, grad, value=1 - b2)
            denom = torch.sqrt(self.second, out=self._denom).div_(math.sqrt(1 - b2 ** self.steps)).add_(self.eps)
            self.params.addcdiv_(self.first, denom, value=-self.lr / (1 - b1 ** self.steps))

    def state_dict(self) -> dict:
        return {"name": self.name, "steps": self.steps, "first": self.first.clone(),
                "second": self.second.clone()}

    def load_state_dict(self, state: dict) -> None:
        if state.get("name") != self.name:
            return  # a different optimiser starts fresh
        self.steps = int(state["steps"])
        self.first.copy_(torch.as_tensor(state["first"]))
        self.second.copy_(torch.as_tensor(state["second"]))
