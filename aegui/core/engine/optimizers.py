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

A step is one pass over ``θ`` in torch's fused kernels (those of ``torch.optim``'s ``fused=True``, on the
CPU since torch 2.4) instead of five to seven tensor operations (plus one for the decay, which must spare
the biases): the optimiser's cost is the memory it streams. RMSprop is Adam with ``β1 = 0`` (so ``m = g``)
and ``β2 = α`` without bias correction, so it runs Adam's kernel at a step ``t`` so large that ``β1ᵗ`` and
``β2ᵗ`` are 0.
"""

from __future__ import annotations

import torch

from .spec import OPTIMIZERS

#: the step count that turns Adam's bias corrections ``1 − βᵗ`` into exactly 1 (RMSprop)
NO_BIAS_CORRECTION = 2.0 ** 62


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
        self.first = torch.zeros_like(params)   # SGD: momentum buffer u; Adam: m (RMSprop: m = g)
        self.second = torch.zeros_like(params)  # RMSprop and Adam: v
        #: t as the fused kernel reads it (fixed for RMSprop)
        self._step = torch.full((), NO_BIAS_CORRECTION if name == "rmsprop" else 0.0, device=params.device)

    def step(self, grad: torch.Tensor) -> None:
        """One update of ``θ`` from ``∇θ``; ``grad`` is modified (it receives the decay term)."""
        if self.weight_decay:
            grad.addcmul_(self.params, self.decay_mask, value=self.weight_decay)
        self.steps += 1
        if self.name == "sgd":
            torch._fused_sgd_([self.params], [grad], [self.first] if self.momentum else [], weight_decay=0.0,
                              momentum=self.momentum, lr=self.lr, dampening=0.0, nesterov=False, maximize=False,
                              is_first_step=self.steps == 1)
            return
        if self.name == "adam":
            self._step.fill_(self.steps)
            beta1, beta2 = self.betas
        else:
            beta1, beta2 = 0.0, self.alpha
        torch._fused_adam_([self.params], [grad], [self.first], [self.second], [], [self._step], lr=self.lr,
                           beta1=beta1, beta2=beta2, weight_decay=0.0, eps=self.eps, amsgrad=False, maximize=False)

    def state_dict(self) -> dict:
        return {"name": self.name, "steps": self.steps, "first": self.first.clone(),
                "second": self.second.clone()}

    def load_state_dict(self, state: dict) -> None:
        if state.get("name") != self.name:
            return  # a different optimiser starts fresh
        self.steps = int(state["steps"])
        self.first.copy_(torch.as_tensor(state["first"]))
        self.second.copy_(torch.as_tensor(state["second"]))
