"""The settings each autoencoder type gets on real ratings: ``aegui train``, ``aegui compare``,
``aegui bench accuracy`` and the window (when it opens a ratings file) all start from these.

Chosen on MovieLens ml-latest-small (several seeds of random 90/10 splits) and on the synthetic
MovieLens-shaped sets, preferring what held up on all of them (README, "Defaults"):

* inputs centred on the bias-only baseline, in stars (``x = r − b_ui``, ``s = 1``): an untrained network
  is the baseline and training can only add what it misses; with ratings ÷ 5 and no centring the first
  layer saw inputs too small to move its units, weight decay kept them there, and the network learned
  little more than each movie's mean;
* one hidden layer of 50 tanh units (symmetric around 0, like centred inputs) for the one-layer types;
  50 then 20 for the layer-wise ones (stacked, deep), so that there are layers to pre-train;
* Adam at 0.001, mini-batches of 32, L2 decay 3·10⁻³ on the weights (not the biases), at most 150
  epochs, stopped when the validation RMSE (5 % of the training ratings) has not improved for 10
  epochs, keeping the best weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .spec import MAX_UNITS, ModelSpec, TrainSpec

#: how the user-based types learn on real data
TRAINING = TrainSpec(mode="minibatch", batch_size=32, optimizer="adam", lr=0.001, weight_decay=3e-3, epochs=150,
                     validation_fraction=0.05, patience=10)
#: item-based (I-AutoRec: movies are the observations)
ITEM_TRAINING = TRAINING.with_(batch_size=64)
#: the one-layer types' hidden size, and the layer-wise types' two layers
HIDDEN = (50,)
LAYERED = (50, 20)
ITEM_HIDDEN = (500,)
#: an overcomplete layer is this much wider than the input (and at least one unit wider)
OVERCOMPLETE_WIDTH = 1.25
#: layers wider than this many units learn with a proportionally smaller step (see :func:`training`)
WIDE = 1_000
#: per type, how its training differs from :data:`TRAINING`: the sigmoid types learn more slowly (their
#: units' slopes are at most 1/4) and need a larger step, less decay and more patience
_TYPE_TRAINING = {
    "sparse": {"lr": 0.003, "weight_decay": 1e-3, "patience": 20},
    # the unrolled RBMs' sigmoid layers are held near their pre-trained start by 10⁻³ (train RMSE stayed
    # at the baseline's): 3·10⁻⁴ was better on all four splits tried (two of ml-latest-small, two of
    # its 1,682 most-rated movies)
    "deep": {"lr": 0.003, "weight_decay": 3e-4, "patience": 20},
    # its two layers as wide as the input are most of the time: fewer, larger updates
    "overcomplete": {"batch_size": 64},
}
#: per type, the settings that make the type what it is, on top of the common ones
_TYPE = {
    "basic": {},
    "overcomplete": {},
    "sparse": {"activation": "sigmoid", "sparsity_target": 0.1, "sparsity_weight": 0.01},
    "denoising": {"noise": "mask", "noise_rate": 0.25},
    "contractive": {"contractive_weight": 0.01},
    "stacked": {"hidden": LAYERED, "pretrain_epochs": 5},
    "deep": {"hidden": LAYERED, "activation": "sigmoid", "pretrain_epochs": 10, "cd_k": 1, "rbm_lr": 0.1},
}


def model(kind: str, n_inputs: int, item_based: bool = False) -> ModelSpec:
    """The real-data model of type ``kind`` on ``n_inputs`` inputs (movies; users when item-based)."""
    if kind not in _TYPE:
        raise ValueError(f"unknown autoencoder type {kind!r}")
    settings = {"kind": kind, "hidden": ITEM_HIDDEN if item_based else HIDDEN, "activation": "tanh",
                "output_activation": "identity", "input_scale": 1.0, "centered": True, "item_based": item_based,
                **_TYPE[kind]}
    if kind == "overcomplete":
        settings["hidden"] = (min(MAX_UNITS, max(n_inputs + 1, math.ceil(OVERCOMPLETE_WIDTH * n_inputs))),)
    elif kind == "basic" and max(settings["hidden"]) >= n_inputs:
        settings["hidden"] = tuple(max(1, min(h, n_inputs - 1)) for h in settings["hidden"])
    return ModelSpec(**settings)


def training(kind: str = "basic", item_based: bool = False, n_inputs: int | None = None) -> TrainSpec:
    """How the real-data model of type ``kind`` on ``n_inputs`` inputs learns. Adam moves every weight
    by about the learning rate at each step, whatever the layer's width, so the output of a layer of
    ``n`` units moves ``n`` times as far: an overcomplete layer wider than :data:`WIDE` units takes
    steps ``WIDE / n`` times smaller (measured on ml-latest-small, 12,155 units: at 0.001 the first epoch
    ended far above the baseline, at 0.0001 below it)."""
    if item_based:
        return ITEM_TRAINING
    spec = TRAINING.with_(**_TYPE_TRAINING.get(kind, {}))
    if kind == "overcomplete" and n_inputs:
        width = max(model(kind, n_inputs).hidden)
        spec = spec.with_(lr=spec.lr * min(1.0, WIDE / width))
    return spec


#: a ratings set with at least this many ratings is real data to the window: opening it sets up
#: :func:`for_data` (hand-typed grids and the teaching sets keep the model they had)
REAL_DATA_RATINGS = 2_000
#: the share of ratings the window holds out as test cells on real data
TEST_FRACTION = 0.1


@dataclass(frozen=True)
class Setup:
    """What the window sets up for a real ratings set: the model, how it learns, the share of ratings
    held out as test cells, and a sentence for the status bar that says so."""

    model: ModelSpec
    training: TrainSpec
    test_fraction: float
    summary: str


def for_data(ratings) -> Setup | None:
    """The real-data set-up for ``ratings`` (``None`` below :data:`REAL_DATA_RATINGS` ratings): the
    basic autoencoder, user-based, sized by :func:`model`, with a test split of :data:`TEST_FRACTION`."""
    if ratings.n_ratings < REAL_DATA_RATINGS:
        return None
    spec = model("basic", ratings.n_movies)
    train = training()
    sizes = "-".join(str(n) for n in spec.layer_sizes(ratings.n_movies))
    summary = (f"set up for real data: basic {sizes} ({spec.activation}, centred on the baseline), Adam "
               f"{train.lr:g}, batch {train.batch_size}, early stopping; {TEST_FRACTION:.0%} held out as test "
               "(change in Model, Data)")
    return Setup(spec, train, TEST_FRACTION, summary)
