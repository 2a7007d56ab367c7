"""The training objective: the masked reconstruction error plus the type's penalty, with its gradient.

For a batch of ``B`` observations with inputs ``x̃`` (the clean ``x`` unless denoising), clean targets
``x`` and the rated-cell mask ``r`` (1 where rated), ``n = Σ r``::

    e = (y − x) ⊙ r                                   (B, m)   error on rated cells only
    L_rec = 1/n Σ e²                                  the seed's L = 1/m Σ (x_i − y_i)² for B = 1
    ∂L_rec/∂y = 2e / n

Penalties, on the code ``z = h_k`` (the bottleneck) of a batch, ``ρ̂_j = 1/B Σ_b z_bj``:

    sparse KL   P = β Σ_j [ρ log(ρ/ρ̂_j) + (1−ρ) log((1−ρ)/(1−ρ̂_j))],  ∂P/∂z_bj = β/B (−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j))
    sparse L1   P = λ₁/B Σ_bj |z_bj|,                                    ∂P/∂z_bj = λ₁/B sign(z_bj)
    contractive P = λ/B Σ_b ‖∂z_b/∂x_b‖²_F, exact; with J = E_b W₁ and E_b = D_k W_k ⋯ D_2 W_2 D_1
                (D_l = diag f'(a_l)), ‖J‖²_F = Σ (E_b G) ⊙ E_b where G = W₁W₁ᵀ, so the (n_k × m)
                Jacobian is never formed; its gradient comes from autograd.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from . import activations as act
from .network import Network
from .spec import ModelSpec

#: ρ̂ is kept inside [EPS, 1 − EPS] so that the KL divergence stays finite
EPS = 1e-6


@dataclass
class Evaluation:
    """One forward and backward pass over a batch (tensors belong to the engine's thread)."""

    hs: list[torch.Tensor]        # [h_0 = x̃, h_1, …, h_L = y]
    error: torch.Tensor | None    # (B, m) e = (y − x) ⊙ r; None when not kept (see evaluate)
    n_rated: float                # n = Σ r
    reconstruction: float         # L_rec
    penalty: float                # P
    deltas: list[torch.Tensor] | None = None  # ∂L/∂a_l per layer, when a gradient was taken

    @property
    def loss(self) -> float:
        return self.reconstruction + self.penalty


@dataclass(frozen=True)
class Penalty:
    """The penalty settings that apply (all zero for the plain types)."""

    code_layer: int = 1              # k: the layer whose activations are the code
    kl_weight: float = 0.0           # β
    kl_target: float = 0.05          # ρ
    l1_weight: float = 0.0           # λ₁
    contractive_weight: float = 0.0  # λ

    @classmethod
    def for_spec(cls, spec: ModelSpec) -> "Penalty":
        k = len(spec.hidden)
        if spec.kind == "sparse":
            return cls(k, spec.sparsity_weight, spec.sparsity_target, spec.l1_weight)
        if spec.kind == "contractive":
            return cls(k, contractive_weight=spec.contractive_weight)
        return cls(k)



def kl_sparsity(z: torch.Tensor, rho: float, beta: float) -> tuple[float, torch.Tensor]:
    """``(P, ∂P/∂z)`` of the KL sparsity penalty for codes ``z`` of shape ``(B, n_k)``."""
    rho_hat = z.mean(0).clamp(EPS, 1 - EPS)
    value = beta * float((rho * torch.log(rho / rho_hat)
                          + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum())
    grad = (beta / z.shape[0]) * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
    return value, grad.expand_as(z)


def contractive(network: Network, x: torch.Tensor, code_layer: int
                ) -> tuple[torch.Tensor, list[tuple[torch.Tensor, torch.Tensor]]]:
    """``(1/B Σ_b ‖∂z_b/∂x_b‖²_F, leaves)``: the penalty as a function of fresh autograd leaves that
    hold copies of the encoder's ``(W_l, b_l)``."""
    leaves = [(w.detach().requires_grad_(), b.detach().requires_grad_())
              for w, b in zip(network.weights[:code_layer], network.biases[:code_layer])]
    return _contractive_from(network, x, code_layer, leaves), leaves


def _contractive_from(network: Network, x: torch.Tensor, code_layer: int,
                      leaves: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    hs = network.forward(x, layers=leaves, stop=code_layer)
    e = torch.diag_embed(act.derivative(network.activations[0], hs[1]))      # D_1: (B, n_1, n_1)
    for l in range(1, code_layer):
        d = act.derivative(network.activations[l], hs[l + 1]).unsqueeze(2)   # (B, n_{l+1}, 1)
        e = d * torch.matmul(leaves[l][0], e)                                # D_{l+1} W_{l+1} E
    w1 = leaves[0][0]
    gram = w1 @ w1.t()                                                       # G = W₁W₁ᵀ (n_1, n_1)
    return (torch.matmul(e, gram) * e).sum() / x.shape[0]


def evaluate(network: Network, x_in: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None,
             penalty: Penalty, *, gradient: bool = True, keep_error: bool = True) -> Evaluation:
    """Forward pass, loss and (when ``gradient``) ``∂(L_rec + P)/∂θ`` written into ``network.grad``.

    ``mask`` ``None`` means every cell counts (pre-training on codes). ``keep_error=False`` (the trainer's
    updates): ``∂L/∂y = 2e/n`` is made in place of ``e``, which is then not returned.
    """
    hs = network.forward(x_in)
    error = hs[-1] - target
    if mask is not None:
        error.mul_(mask)
        n = max(float(mask.sum()), 1.0)
    else:
        n = max(float(error.numel()), 1.0)
    flat = error.reshape(-1)
    reconstruction = float(torch.dot(flat, flat)) / n
    penalty_value = 0.0
    grad_hidden: dict[int, torch.Tensor] = {}
    k = penalty.code_layer
    if penalty.kl_weight:
        value, g = kl_sparsity(hs[k], penalty.kl_target, penalty.kl_weight)
        penalty_value += value
        grad_hidden[k] = g
    if penalty.l1_weight:
        z = hs[k]
        penalty_value += penalty.l1_weight * float(z.abs().sum()) / z.shape[0]
        g = torch.sign(z).mul_(penalty.l1_weight / z.shape[0])
        grad_hidden[k] = grad_hidden[k] + g if k in grad_hidden else g
    result = Evaluation(hs, error if keep_error else None, n, reconstruction, penalty_value)
    if not gradient:
        if penalty.contractive_weight:
            with torch.inference_mode(False), torch.no_grad():
                result.penalty += penalty.contractive_weight * float(contractive(network, x_in, k)[0])
        return result
    result.deltas = network.backward(hs, error * (2.0 / n) if keep_error else error.mul_(2.0 / n), grad_hidden)
    if penalty.contractive_weight:
        with torch.inference_mode(False), torch.enable_grad():  # autograd, even inside the trainer's update
            value, leaves = contractive(network, x_in, k)
            value = value * penalty.contractive_weight
            grads = torch.autograd.grad(value, [t for pair in leaves for t in pair])
        for l in range(k):
            network.weight_grads[l].add_(grads[2 * l])
            network.bias_grads[l].add_(grads[2 * l + 1])
        result.penalty += float(value.detach())
    return result
