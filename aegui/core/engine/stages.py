"""The phases of training, what each one trains, and the weights training starts from (torch).

Phases (:func:`plan_phases`): ``finetune`` trains the whole network (the only phase of basic,
overcomplete, sparse, denoising and contractive); ``stacked`` first trains one shallow autoencoder
``n_l → n_{l+1} → n_l`` per encoder layer ``l`` on the previous layer's codes (greedy layer-wise);
``deep`` first trains one RBM ``n_l ↔ n_{l+1}`` per encoder layer with CD-k and unrolls them.

A pre-training :class:`Stage` owns a small network (or an RBM) whose encoder is layer ``l`` of the whole
network and whose decoder is the mirror layer ``L−1−l``; :meth:`Stage.links` pairs those tensors, so the
stage's weights can be written into the whole network (what every view draws) and read back from it.
"""

from __future__ import annotations

import numpy as np
import torch

from ..data.ratings import Ratings
from .network import Network
from .objective import Penalty
from .observations import Observations
from .optimizers import FlatOptimizer
from .rbm import RBM
from .snapshot import PhaseInfo
from .spec import ModelSpec, TrainSpec


def plan_phases(model: ModelSpec, epochs: int, n_features: int) -> list[PhaseInfo]:
    """The phases in order: per encoder layer a pre-training phase (stacked, deep) when
    ``model.pretrain_epochs > 0``, then fine-tuning for ``epochs`` epochs."""
    k = len(model.hidden)
    sizes = model.layer_sizes(n_features)
    phases: list[PhaseInfo] = []
    if model.kind in ("stacked", "deep") and model.pretrain_epochs > 0:
        for layer in range(k):
            if model.kind == "stacked":
                title = (f"Pre-training layer {layer + 1} of {k}: autoencoder "
                         f"{sizes[layer]}→{sizes[layer + 1]}→{sizes[layer]}")
                phases.append(PhaseInfo("pretrain", layer, 0, 0, model.pretrain_epochs, title))
            else:
                title = f"RBM {layer + 1} of {k}: {sizes[layer]}↔{sizes[layer + 1]}, CD-{model.cd_k}"
                phases.append(PhaseInfo("rbm", layer, 0, 0, model.pretrain_epochs, title))
    phases.append(PhaseInfo("finetune", -1, 0, 0, epochs, "Fine-tuning the whole network" if phases else "Training"))
    n = len(phases)
    return [PhaseInfo(p.kind, p.layer, i, n, p.epochs, p.title) for i, p in enumerate(phases)]


def make_optimizer(network: Network, training: TrainSpec) -> FlatOptimizer:
    t = training
    return FlatOptimizer(t.optimizer, network.params, network.decay_mask, lr=t.lr, weight_decay=t.weight_decay,
                         momentum=t.momentum)


def layer_codes(network: Network, inputs: Observations, layer: int, block: int = 1024) -> torch.Tensor:
    """``(n_obs, n_layer)`` codes ``h_layer`` of every observation through the encoder layers ``< layer``."""
    out = []
    with torch.no_grad():
        for start in range(0, inputs.n, block):
            x, _ = inputs.block(torch.arange(start, min(inputs.n, start + block)))
            out.append(network.forward(x, stop=layer)[-1])
    return torch.cat(out)


class Stage:
    """What one phase trains: a network (or an RBM) on its own observations ``data`` (the inputs, or
    the codes of the layer below)."""

    def __init__(self, info: PhaseInfo, data, network: Network | None = None,
                 optimizer: FlatOptimizer | None = None, penalty: Penalty | None = None,
                 rbm: RBM | None = None):
        self.info, self.data, self.network = info, data, network
        self.optimizer, self.penalty, self.rbm = optimizer, penalty or Penalty(), rbm
        #: θ before the last update: restored if the next loss is not finite; θ − backup is the update
        self.backup = network.params.clone() if network is not None else None
        #: the last weights known good (the stage's start, then each epoch's end) and the update count then:
        #: what divergence restores (θ before the last update may already be exploding)
        self.good: tuple[torch.Tensor, int] | None = (network.params.clone(), 0) if network is not None else None
        self.chain: dict | None = None  # the last CD-k chain (RBM stages)

    @classmethod
    def make(cls, info: PhaseInfo, data, whole: Network, model: ModelSpec, training: TrainSpec,
             generator: torch.Generator) -> "Stage":
        """The stage of phase ``info``: the whole network (fine-tuning), a fresh shallow autoencoder
        ``n_l → n_{l+1} → n_l`` (stacked) or a fresh RBM ``n_l ↔ n_{l+1}`` (deep; Gaussian visibles
        for centred inputs), drawn from ``generator``."""
        dtype, device = whole.params.dtype, whole.params.device
        if info.kind == "finetune":
            return cls(info, data, whole, make_optimizer(whole, training), Penalty.for_spec(model))
        n_in, n_hidden = whole.sizes[info.layer], whole.sizes[info.layer + 1]
        if info.kind == "pretrain":
            out_act = model.output_activation if info.layer == 0 else model.activation
            net = Network((n_in, n_hidden, n_in), (model.activation, out_act), dtype=dtype,
                          device=device).init_(generator)
            return cls(info, data, net, make_optimizer(net, training), Penalty(code_layer=1))
        rbm = RBM(n_in, n_hidden, generator, dtype=dtype, device=device,
                  gaussian_visible=model.centered and info.layer == 0)
        return cls(info, data, rbm=rbm)

    def links(self, whole: Network) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """``(whole-network tensor, stage tensor)`` pairs of a pre-training stage: its encoder is layer
        ``l`` of the whole network, its decoder the mirror layer ``L−1−l`` (empty when fine-tuning)."""
        layer = self.info.layer
        if layer < 0:
            return []
        mirror = whole.n_layers - 1 - layer
        w, b = whole.weights, whole.biases
        if self.rbm is not None:
            return [(w[mirror], self.rbm.weight.t()), (b[mirror], self.rbm.visible_bias),
                    (w[layer], self.rbm.weight), (b[layer], self.rbm.hidden_bias)]
        return [(w[mirror], self.network.weights[1]), (b[mirror], self.network.biases[1]),
                (w[layer], self.network.weights[0]), (b[layer], self.network.biases[0])]

    def write_into(self, whole: Network) -> None:
        """Copy a pre-training stage's weights into the whole network (encoder layer and its mirror)."""
        with torch.no_grad():
            for target, part in self.links(whole):
                target.copy_(part)

    def read_from(self, whole: Network) -> None:
        """The inverse of :meth:`write_into` (an RBM's one matrix from the encoder layer, copied last)."""
        with torch.no_grad():
            for source, part in self.links(whole):
                part.copy_(source)
        if self.network is not None:
            self.backup.copy_(self.network.params)


def start_at_the_mean(network: Network, inputs: Observations, centered: bool, rng: np.random.Generator,
                      shrink: float = 5.0, sample: int = 1024) -> None:
    """Output biases start where each output predicts its feature's mean rating (centred models: the
    output layer starts at zero, so that a fresh network predicts the baseline exactly).

    With ``t_i = (Σ r_i + k·r̄) / (n_i + k)`` (the feature's mean shrunk toward the global mean ``r̄``,
    ``k = shrink``) and ``ā_i`` the mean over up to ``sample`` observations of ``(h_{L−1} W_Lᵀ)_i`` for
    the initial weights, ``b_i = g⁻¹(t_i / s) − ā_i`` (``s`` the input scale); so a fresh network
    predicts each movie's (or each user's, item-based) average instead of arbitrary values, and
    training starts from a sensible error."""
    data = inputs.ratings
    if not data.n_ratings:
        return
    if centered:  # the baseline is in the offsets: the output layer starts at 0, y = 0 exactly
        with torch.no_grad():
            network.weights[-1].zero_()
            network.biases[-1].zero_()
        return
    target = mean_targets(data, network.activations[-1], inputs.scale, shrink)
    with torch.no_grad():
        rows = torch.from_numpy(rng.permutation(inputs.n)[:sample].astype(np.int64))
        x, _ = inputs.block(rows)
        h = network.forward(x, stop=network.n_layers - 1)[-1]
        offset = (h @ network.weights[-1].t()).mean(0)
        network.biases[-1].copy_(torch.as_tensor(target, dtype=offset.dtype, device=offset.device) - offset)


def mean_targets(data: Ratings, activation: str, scale: float, shrink: float) -> np.ndarray:
    """``(n_features,)`` ``g⁻¹(t_i / s)`` of each feature's shrunk mean rating ``t_i`` (``g`` the output
    activation, ``s`` the input scale)."""
    counts = np.bincount(data.movies, minlength=data.n_movies)
    sums = np.bincount(data.movies, weights=data.values, minlength=data.n_movies)
    target = (sums + shrink * data.values.mean()) / (counts + shrink) / scale
    if activation == "sigmoid":
        target = np.log(target / (1 - np.clip(target, None, 0.999)))
    elif activation == "tanh":
        target = np.arctanh(np.clip(target, None, 0.999))
    return target
