"""Restricted Boltzmann machines trained with contrastive divergence (CD-k), for the deep autoencoder.

Visible units ``v ∈ [0, 1]`` (ratings ÷ 5, or the previous RBM's hidden probabilities) and binary
hidden units ``h``; with ``W`` of shape ``(n_h, n_v)``, hidden biases ``b`` and visible biases ``c``::

    p(h_j = 1 | v) = σ(b_j + W_j·v)          p(v_i | h) = σ(c_i + W_{:,i}·h)   (mean-field visibles)

CD-k from a batch ``v0`` (``r`` = rated mask; a missing rating is an absent visible unit, as in
Salakhutdinov, Mnih & Hinton 2007, so it neither drives ``h`` nor is reconstructed)::

    h0 = p(h|v0);  repeat k times: h ~ Bernoulli(h_t), v_{t+1} = p(v|h) ⊙ r, h_{t+1} = p(h|v_{t+1})
    ΔW = η/B (h0ᵀ v0 − h_kᵀ v_k),   Δb = η/B Σ (h0 − h_k),   Δc = η/B Σ (v0 − v_k) ⊙ r

Centred inputs (ratings minus the baseline, ÷ 5, so above and below 0) go to an RBM with Gaussian
visible units of unit variance, whose mean-field visibles are linear: ``p(v | h)`` is replaced by
``E[v | h] = c + Wᵀh`` (Hinton & Salakhutdinov 2006 did the same for real-valued pixels); the rest of
CD-k is unchanged.

Unrolled into an autoencoder (Hinton & Salakhutdinov 2006): the encoder layer takes ``(W, b)`` and the
mirrored decoder layer ``(Wᵀ, c)``; fine-tuning then unties them.
"""

from __future__ import annotations

import torch


class RBM:
    """One RBM, ``n_visible → n_hidden``."""

    def __init__(self, n_visible: int, n_hidden: int, generator: torch.Generator, *,
                 dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu",
                 gaussian_visible: bool = False):
        self.generator = generator
        self.gaussian_visible = gaussian_visible
        self.weight = (torch.randn((n_hidden, n_visible), generator=generator, dtype=dtype) * 0.01).to(device)
        self.hidden_bias = torch.zeros(n_hidden, dtype=dtype, device=device)
        self.visible_bias = torch.zeros(n_visible, dtype=dtype, device=device)

    def hidden_probs(self, v: torch.Tensor) -> torch.Tensor:
        """``p(h = 1 | v)``, ``(B, n_h)``."""
        return torch.sigmoid(torch.addmm(self.hidden_bias, v, self.weight.t()))

    def visible_probs(self, h: torch.Tensor) -> torch.Tensor:
        """``p(v | h)`` (Gaussian visibles: ``E[v | h]``), ``(B, n_v)``."""
        a = torch.addmm(self.visible_bias, h, self.weight)
        return a if self.gaussian_visible else torch.sigmoid(a)

    def sample(self, probs: torch.Tensor) -> torch.Tensor:
        return (torch.rand(probs.shape, generator=self.generator, dtype=probs.dtype).to(probs.device)
                < probs).to(probs.dtype)

    def cd_step(self, v0: torch.Tensor, rated: torch.Tensor | None, k: int, lr: float) -> dict:
        """One CD-k update from a batch; returns the chain's ends and the reconstruction error
        ``1/n Σ ((v0 − p(v|h0)) ⊙ r)²`` (the first negative step's mean-field reconstruction)."""
        h0 = self.hidden_probs(v0)
        h = h0
        vk = v0
        h0_sample = None
        reconstruction = None
        for step in range(k):
            hs = self.sample(h)
            if step == 0:
                h0_sample = hs
            vk = self.visible_probs(hs)
            if rated is not None:
                vk = vk * rated
            if step == 0:
                diff = vk - v0
                n = float(rated.sum()) if rated is not None else float(v0.numel())
                reconstruction = float((diff * diff).sum()) / max(n, 1.0)
            h = self.hidden_probs(vk)
        b = v0.shape[0]
        self.weight.add_((h0.t() @ v0 - h.t() @ vk), alpha=lr / b)
        self.hidden_bias.add_((h0 - h).sum(0), alpha=lr / b)
        dv = v0 - vk
        if rated is not None:
            dv = dv * rated
        self.visible_bias.add_(dv.sum(0), alpha=lr / b)
        return {"v0": v0, "h0": h0, "h0_sample": h0_sample, "vk": vk, "hk": h,
                "reconstruction": reconstruction}
