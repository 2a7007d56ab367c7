"""Immutable records the trainer publishes: what any view draws comes from one of these.

Every array is a numpy copy made in the trainer's thread and marked read-only, so a snapshot can cross
threads and be kept (history, undo) without anyone seeing it change. This module needs no torch. Weights are in the formula's
orientation: ``W_l[j, i]`` is the weight from unit ``i`` of layer ``l−1`` to unit ``j`` of layer ``l``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def frozen(a) -> np.ndarray:
    """A read-only numpy copy of a torch tensor or an array (no torch import: views load this module
    before the engine)."""
    if hasattr(a, "detach"):
        a = a.detach().to("cpu").numpy()
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


def frozen_all(tensors) -> tuple[np.ndarray, ...]:
    return tuple(frozen(t) for t in tensors)


@dataclass(frozen=True)
class PhaseInfo:
    """One phase of training: ``"pretrain"`` (stacked: autoencoder of layer ``layer``), ``"rbm"`` (deep:
    RBM of layer ``layer``) or ``"finetune"`` (the whole network; the only phase of the plain types)."""

    kind: str
    layer: int
    index: int
    count: int
    epochs: int
    title: str


@dataclass(frozen=True)
class Trace:
    """The seed's steps 2–6 for one observation (the display's source of truth).

    ``x`` is the clean input (ratings ÷ scale, 0 = not rated), ``x_in`` what entered the network (the
    corrupted copy when denoising), ``pre[l] = a_{l+1} = W_{l+1}·h_l + b_{l+1}`` and ``post[l] = h_{l+1}``
    (``post[-1] = y``), ``error = (y − x) ⊙ rated``, ``loss = 1/n Σ error²`` with ``n`` rated inputs,
    ``deltas[l] = ∂L/∂a_{l+1}`` (the error flowing back) and ``grad_w``/``grad_b`` this observation's
    gradient of its own loss.
    """

    observation: int
    label: str
    x: np.ndarray
    x_in: np.ndarray
    rated: np.ndarray
    pre: tuple[np.ndarray, ...]
    post: tuple[np.ndarray, ...]
    error: np.ndarray
    n_rated: int
    loss: float
    penalty: float
    deltas: tuple[np.ndarray, ...]
    grad_w: tuple[np.ndarray, ...] | None   # None in snapshots streamed at full speed
    grad_b: tuple[np.ndarray, ...] | None
    scale: float = 5.0


@dataclass(frozen=True)
class RBMTrace:
    """One observation's CD-k chain in an RBM: ``v0`` data, ``h0`` p(h|v0), ``h0_sample``, ``vk``
    p(v|h_{k−1}) (rated visibles only for the first RBM), ``hk`` p(h|vk)."""

    layer: int
    k: int
    v0: np.ndarray
    h0: np.ndarray
    h0_sample: np.ndarray
    vk: np.ndarray
    hk: np.ndarray
    rated: np.ndarray


@dataclass(frozen=True)
class History:
    """Per-epoch RMSE (in rating units) and per-update losses (thinned to a bounded length)."""

    epoch_train_rmse: np.ndarray = field(default_factory=lambda: np.zeros(0))
    epoch_test_rmse: np.ndarray = field(default_factory=lambda: np.zeros(0))
    epoch_val_rmse: np.ndarray = field(default_factory=lambda: np.zeros(0))
    epoch_phase: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    step_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    step_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class Snapshot:
    """The whole visible state of a trainer at one moment."""

    state: str                      # "ready", "running", "paused", "finished", "stopped", "diverged"
    message: str
    phase: PhaseInfo
    phases: tuple[PhaseInfo, ...]
    epoch: int                      # epochs completed in this phase
    step: int                       # updates made since the start, all phases
    position: int                   # observations done in the current epoch
    n_observations: int
    batch_size: int
    elapsed_s: float
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    weights: tuple[np.ndarray, ...]  # W_l, (n_l, n_{l−1})
    biases: tuple[np.ndarray, ...]   # b_l, (n_l,)
    grad_w: tuple[np.ndarray, ...] | None   # ∂L/∂W_l of the last update
    grad_b: tuple[np.ndarray, ...] | None
    update_w: tuple[np.ndarray, ...] | None  # ΔW_l of the last update
    update_b: tuple[np.ndarray, ...] | None
    trainable: tuple[bool, ...]      # per layer: changed by the current phase
    trace: Trace | None
    rbm: RBMTrace | None
    history: History
    observation_labels: tuple[str, ...] = ()
    feature_labels: tuple[str, ...] = ()
    item_based: bool = False         # observations are movies and features users
    input_scale: float = 5.0         # x = rating / input_scale
