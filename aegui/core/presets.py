"""Named starting points: a demo data set with a model and training settings that suit it.

``aegui --preset NAME`` and the window's first state come from here (the embedded default is
:data:`DEFAULT_PRESET`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .data.demo import SEED_W1, load_demo
from .data.ratings import Ratings
from .engine.spec import ModelSpec, TrainSpec


@dataclass(frozen=True)
class Preset:
    title: str
    data: str                      # a name in aegui.core.data.demo.DEMO_SETS
    model: ModelSpec
    training: TrainSpec
    test_fraction: float = 0.0
    #: starting weights (a state dict of numpy arrays) instead of random ones
    weights: Callable[[], dict[str, np.ndarray]] | None = None
    #: seconds between observations at the first Play (0: full speed): a pace a class can follow
    pace_s: float = 0.0
    #: what the preset shows, in a sentence (the window shows it above the charts)
    caption: str = ""

    def ratings(self) -> Ratings:
        return load_demo(self.data)


PRESETS: dict[str, Preset] = {
    # measured over four generated worlds × three splits: the test error ends 0.13–0.18 stars under the
    # baseline's, after 34–66 epochs (4,000–8,000 updates: 20–40 s at the pace below); on this world's
    # splits of `aegui train demo --seed 0/1/2`, 0.10–0.15 under, after 23–47 epochs (seed 0: about 21 s)
    "default": Preset("Demo: 120 people rate 12 films", "demo",
                      ModelSpec(kind="basic", hidden=(6, 3), activation="tanh", centered=True, input_scale=1.0),
                      TrainSpec(mode="online", optimizer="adam", lr=0.003, epochs=150, validation_fraction=0.1,
                                patience=20), 0.15, pace_s=0.005,
                      caption="Learning: the test error (orange) falls below the baseline (everyone's average "
                              "taste, dashed); early stopping keeps the best weights."),
    "overfitting": Preset("Demo: overfitting", "demo",
                          ModelSpec(kind="basic", hidden=(6, 3)),
                          TrainSpec(mode="online", optimizer="adam", lr=0.01, epochs=200), 0.15,
                          caption="Overfitting: the training error keeps falling while the test error turns "
                                  "up, above the baseline; no early stopping, raw inputs x = r/5."),
    "seed-example": Preset("The seed's 4-2-4 example (one-hot users)", "seed-onehot",
                           ModelSpec(kind="basic", hidden=(2,), activation="identity", input_scale=1.0),
                           TrainSpec(mode="online", optimizer="sgd", lr=0.05, momentum=0.0, epochs=100),
                           weights=lambda: _seed_weights()),
    "seed-toy": Preset("Eight friends rate six films", "seed-toy",
                       ModelSpec(kind="basic", hidden=(3,)),
                       TrainSpec(mode="online", optimizer="adam", lr=0.02, epochs=300)),
    "medium": Preset("300 users × 120 movies, denoising", "synthetic-medium",
                     ModelSpec(kind="denoising", hidden=(24, 8)),
                     TrainSpec(mode="minibatch", batch_size=16, optimizer="adam", lr=0.005, epochs=100), 0.1),
    "ml100k-like": Preset("MovieLens-100K-shaped synthetic set", "ml100k-like",
                          ModelSpec(kind="basic", hidden=(20, 10)),
                          TrainSpec(mode="minibatch", batch_size=32, optimizer="adam", lr=0.003, weight_decay=3e-5,
                                    epochs=100), 0.2),
}
DEFAULT_PRESET = "default"


def _seed_weights() -> dict[str, np.ndarray]:
    """The seed's tied ±1 weights, no bias (see :mod:`aegui.core.engine.seed_example`), as a state dict."""
    return {"layers.0.weight": SEED_W1.copy(), "layers.0.bias": np.zeros(2),
            "layers.1.weight": SEED_W1.T.copy(), "layers.1.bias": np.zeros(4)}


def preset_for(name: str) -> Preset | None:
    """The preset called ``name``, or the first whose data is the demo set ``name`` (``demo``: the
    window's default); ``None`` when there is none."""
    if name in PRESETS:
        return PRESETS[name]
    return next((p for p in PRESETS.values() if p.data == name), None)


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]
