"""The autoencoder network: dense layers over one flat parameter vector, with an explicit backward pass.

Layer ``l = 1..L`` maps ``h_{l-1}`` of shape ``(B, n_{l-1})`` to ``h_l`` of shape ``(B, n_l)``::

    a_l = h_{l-1} W_lᵀ + b_l        W_l: (n_l, n_{l-1}),  b_l: (n_l,)
    h_l = f_l(a_l)

so for one observation ``a_l = W_l·h_{l-1} + b_l`` exactly as the seed writes ``z = f(W1·x + b1)``.
``h_0 = x`` is the input and ``h_L = y`` the reconstruction; the encoder is layers ``1..k`` and the code
(bottleneck) is ``h_k``.

All weights and biases are views into one flat vector ``θ`` (and their gradients into one flat ``∇θ``), so
an optimiser step, a backup or a snapshot is one tensor operation whatever the depth. The backward pass
is written out (it is the hot path: one call per observation in online learning, where autograd's
bookkeeping would cost more than the arithmetic); tests check it against autograd and finite differences:

    δ_L = ∂L/∂h_L ⊙ f_L'(a_L)
    ∂L/∂W_l = δ_lᵀ h_{l-1},   ∂L/∂b_l = Σ_batch δ_l
    δ_{l-1} = (δ_l W_l + ∂P/∂h_{l-1}) ⊙ f_{l-1}'(a_{l-1})      (P: penalties on hidden activations)
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import torch

from . import activations as act
from .spec import check_activation


class Network:
    """A stack of dense layers ``sizes[0] → sizes[1] → … → sizes[-1]``, one activation per layer."""

    def __init__(self, sizes: Sequence[int], layer_activations: Sequence[str], *,
                 dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu",
                 params: torch.Tensor | None = None):
        """``params``: share an existing ``θ`` (a second view of the same network with its own ``∇θ``,
        used to trace one observation without touching the batch's gradient)."""
        self.sizes = tuple(int(s) for s in sizes)
        if len(self.sizes) < 2 or min(self.sizes) < 1:
            raise ValueError(f"a network needs at least two layers of positive size, got {self.sizes}")
        self.activations = tuple(check_activation(a) for a in layer_activations)
        if len(self.activations) != len(self.sizes) - 1:
            raise ValueError("one activation per layer is needed")
        self.shapes: list[tuple[tuple[int, int], tuple[int]]] = [
            ((n_out, n_in), (n_out,)) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.n_params = sum(o * i + o for (o, i), _ in self.shapes)
        self.params = torch.zeros(self.n_params, dtype=dtype, device=device) if params is None else params
        if self.params.shape != (self.n_params,):
            raise ValueError(f"θ must have {self.n_params} entries")
        self.grad = torch.zeros_like(self.params)
        self.weights, self.biases = self.split(self.params)
        self._weights_t = [w.t() for w in self.weights]  # Wᵀ views, made once (hot path)
        self.weight_grads, self.bias_grads = self.split(self.grad)
        mask = torch.zeros_like(self.params)
        for w in self.split(mask)[0]:
            w.fill_(1.0)
        #: 1 on weights, 0 on biases: weight decay applies to weights only
        self.decay_mask = mask

    # ------------------------------------------------------------------ layout
    @property
    def n_layers(self) -> int:
        return len(self.shapes)

    def split(self, flat):
        """Views ``([W_1..W_L], [b_1..b_L])`` of any flat vector laid out like ``θ`` (a tensor or a numpy
        array)."""
        weights, biases, offset = [], [], 0
        for (o, i), _ in self.shapes:
            weights.append(flat[offset:offset + o * i].reshape(o, i))
            offset += o * i
            biases.append(flat[offset:offset + o])
            offset += o
        return weights, biases

    def offset_of(self, layer: int, kind: str, row: int = 0, col: int = 0) -> int:
        """Index in ``θ`` of ``W_layer[row, col]`` (kind ``"weight"``) or ``b_layer[row]`` (``"bias"``);
        ``layer`` is 0-based."""
        offset = 0
        for (o, i), _ in self.shapes[:layer]:
            offset += o * i + o
        (o, i), _ = self.shapes[layer]
        if kind == "weight":
            if not (0 <= row < o and 0 <= col < i):
                raise IndexError(f"W{layer + 1}[{row}, {col}] is outside {o}×{i}")
            return offset + row * i + col
        if not 0 <= row < o:
            raise IndexError(f"b{layer + 1}[{row}] is outside {o}")
        return offset + o * i + row

    # ------------------------------------------------------------------ initialisation
    def init_(self, generator: torch.Generator) -> "Network":
        """Glorot-uniform weights (He-uniform before ReLU), zero biases: ``U(-s, s)`` with
        ``s = gain·√(6 / (n_in + n_out))``."""
        with torch.no_grad():
            for w, name in zip(self.weights, self.activations):
                n_out, n_in = w.shape
                if name == "relu":
                    bound = math.sqrt(6.0 / n_in)
                else:
                    bound = math.sqrt(6.0 / (n_in + n_out)) * (4.0 if name == "sigmoid" else 1.0)
                w.copy_(torch.rand(w.shape, generator=generator, dtype=w.dtype).to(w.device) * 2 - 1).mul_(bound)
            for b in self.biases:
                b.zero_()
        return self

    # ------------------------------------------------------------------ passes
    def forward(self, x: torch.Tensor, layers: Sequence[tuple[torch.Tensor, torch.Tensor]] | None = None,
                start: int = 0, stop: int | None = None) -> list[torch.Tensor]:
        """``[h_start, …, h_stop]`` for input ``x = h_start`` of shape ``(B, n_start)``.

        ``layers`` replaces ``θ``'s views by other ``(W, b)`` pairs (autograd leaves in the penalties and
        the tests), so that every path runs this one definition of the network.
        """
        stop = self.n_layers if stop is None else stop
        if layers is None:
            weights_t, biases = self._weights_t, self.biases
        else:
            weights_t, biases = [w.t() for w, _ in layers], [b for _, b in layers]
        hs = [x]
        for l in range(start, stop):
            hs.append(act.forward(self.activations[l], torch.addmm(biases[l], hs[-1], weights_t[l])))
        return hs

    def backward(self, hs: Sequence[torch.Tensor], grad_output: torch.Tensor,
                 grad_hidden: Mapping[int, torch.Tensor] | None = None, start: int = 0) -> list[torch.Tensor]:
        """Write ``∂L/∂θ`` into :attr:`grad` (overwriting layers ``start+1..``) for the pass ``hs`` of
        :meth:`forward` (``hs[0] = h_start``), given ``∂L/∂y`` and optional extra ``∂P/∂h_l`` terms keyed
        by absolute layer index ``l``. Returns the ``δ_l = ∂L/∂a_l`` of each layer (for the views)."""
        grad_hidden = grad_hidden or {}
        deltas: list[torch.Tensor] = []
        g = grad_output
        for l in range(len(hs) - 1, 0, -1):
            layer = start + l - 1
            if layer + 1 in grad_hidden:
                g = g + grad_hidden[layer + 1]
            delta = act.backward(self.activations[layer], g, hs[l])
            torch.mm(delta.t(), hs[l - 1], out=self.weight_grads[layer])
            torch.sum(delta, 0, out=self.bias_grads[layer])
            deltas.append(delta)
            if l > 1:
                g = torch.mm(delta, self.weights[layer])
        deltas.reverse()
        return deltas

    # ------------------------------------------------------------------ copies and state
    def sharing(self) -> "Network":
        """The same ``θ`` (shared, not copied) with a gradient buffer of its own."""
        return Network(self.sizes, self.activations, params=self.params)

    def clone(self) -> "Network":
        other = Network(self.sizes, self.activations, dtype=self.params.dtype, device=self.params.device)
        other.params.copy_(self.params)
        return other

    def to(self, dtype: torch.dtype | None = None, device: str | torch.device | None = None) -> "Network":
        other = Network(self.sizes, self.activations, dtype=dtype or self.params.dtype,
                        device=device or self.params.device)
        other.params.copy_(self.params.to(dtype=other.params.dtype, device=other.params.device))
        return other

    def state_dict(self) -> dict[str, torch.Tensor]:
        """``{"layers.{l}.weight": W, "layers.{l}.bias": b}`` (0-based ``l``), copies; the same names and
        shapes as ``torch.nn.Linear`` layers in an ``nn.ModuleList`` named ``layers``."""
        out = {}
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            out[f"layers.{l}.weight"] = w.detach().clone()
            out[f"layers.{l}.bias"] = b.detach().clone()
        return out

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Load copies of weights and biases; shapes must match, values must be finite."""
        new = torch.empty_like(self.params)
        weights, biases = self.split(new)
        for l, (w, b) in enumerate(zip(weights, biases)):
            for name, view in ((f"layers.{l}.weight", w), (f"layers.{l}.bias", b)):
                if name not in state:
                    raise ValueError(f"missing {name}")
                value = torch.as_tensor(state[name], dtype=new.dtype)
                if tuple(value.shape) != tuple(view.shape):
                    raise ValueError(f"{name} has shape {tuple(value.shape)}, expected {tuple(view.shape)}")
                view.copy_(value)
        if not torch.isfinite(new).all():
            raise ValueError("weights contain NaN or infinity")
        self.params.copy_(new)
