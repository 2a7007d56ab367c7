"""What to build and how to train it: two plain, validated, JSON-friendly records (no torch here, so
the window can show them before the engine is imported).

``ModelSpec`` holds the autoencoder type and its hyper-parameters; ``TrainSpec`` the learning mode,
optimiser and schedule. Both validate on construction (:meth:`validate`) and raise ``ValueError`` with a
message that names the setting and the allowed range, so absurd values never reach the engine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

#: ratings are divided by this before entering the network (x = r / 5); predictions are 5·y (the
#: default of ``ModelSpec.input_scale``)
RATING_SCALE = 5.0
ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
OPTIMIZERS = ("sgd", "rmsprop", "adam")
KINDS = ("basic", "overcomplete", "sparse", "denoising", "contractive", "stacked", "deep")
KIND_TITLES = {
    "basic": "Basic (undercomplete bottleneck)",
    "overcomplete": "Overcomplete (hidden wider than the input)",
    "sparse": "Sparse (KL sparsity toward ρ)",
    "denoising": "Denoising (corrupted input, clean target)",
    "contractive": "Contractive (penalty λ‖∂z/∂x‖²)",
    "stacked": "Stacked (greedy layer-wise pre-training)",
    "deep": "Deep (stacked RBMs, CD-k, unrolled)",
}
MODES = ("online", "minibatch", "batch")
NOISES = ("mask", "gaussian")
MAX_UNITS = 20_000
#: seeds are 31-bit, as the window's seed box holds them (a larger one would be shown, and saved, as
#: another)
MAX_SEED = 2 ** 31 - 1
#: the most weights and biases a network may have: with the gradient and the optimiser's two moments,
#: 300 M float32 parameters take 4.8 GB, a fifth of a 24 GB machine (ml-latest-small's overcomplete
#: network, 9,724-12,155-9,724, has 236 M)
MAX_PARAMETERS = 300_000_000


def check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def _check_range(name: str, value: float, low: float, high: float, *, low_open: bool = False) -> None:
    ok = (low < value if low_open else low <= value) and value <= high
    if not ok or value != value:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} = {value!r} is outside {bracket}{low:g}, {high:g}]")


@dataclass(frozen=True)
class ModelSpec:
    """The autoencoder: ``kind``, encoder ``hidden`` sizes (the decoder mirrors them), activations and
    the type's own settings. Settings of other types are kept but unused."""

    kind: str = "basic"
    hidden: tuple[int, ...] = (20, 10)
    #: ratings are divided by this before entering the network (x = r / s) and predictions are s·y;
    #: 5 keeps inputs in [0, 1]; the seed's 4-2-4 example uses 1 (its inputs are the ratings themselves)
    input_scale: float = RATING_SCALE
    activation: str = "sigmoid"
    output_activation: str = "identity"
    item_based: bool = False
    #: inputs centred on the bias-only baseline: x = (r − b_ui)/s on rated cells, predictions b_ui + s·y
    #: (see observations.py); the network learns what "everyone's average taste" misses
    centered: bool = False
    # sparse
    sparsity_target: float = 0.05
    sparsity_weight: float = 0.1
    l1_weight: float = 0.0
    # denoising
    noise: str = "mask"
    noise_rate: float = 0.25
    # contractive
    contractive_weight: float = 0.01
    # stacked and deep pre-training
    pretrain_epochs: int = 5
    cd_k: int = 1
    rbm_lr: float = 0.05

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        self.validate()

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown autoencoder type {self.kind!r}; choose one of {', '.join(KINDS)}")
        if not self.hidden:
            raise ValueError("hidden needs at least one layer size")
        _check_range("input scale", self.input_scale, 0.0, 1e6, low_open=True)
        for h in self.hidden:
            _check_range("a hidden layer size", h, 1, MAX_UNITS)
        check_activation(self.activation)
        check_activation(self.output_activation)
        _check_range("sparsity target ρ", self.sparsity_target, 0.0, 1.0, low_open=True)
        if self.sparsity_target >= 1.0:
            raise ValueError("sparsity target ρ must be below 1")
        _check_range("sparsity weight β", self.sparsity_weight, 0.0, 1e3)
        _check_range("L1 weight", self.l1_weight, 0.0, 1e3)
        if self.noise not in NOISES:
            raise ValueError(f"unknown noise {self.noise!r}; choose one of {', '.join(NOISES)}")
        _check_range("noise rate", self.noise_rate, 0.0, 1.0)
        if self.noise == "mask" and self.noise_rate >= 1.0:
            raise ValueError("masking noise rate must be below 1 (1 would hide every input)")
        _check_range("contractive weight λ", self.contractive_weight, 0.0, 1e3)
        _check_range("pre-training epochs", self.pretrain_epochs, 0, 10_000)
        _check_range("CD-k steps", self.cd_k, 1, 100)
        _check_range("RBM learning rate", self.rbm_lr, 0.0, 10.0, low_open=True)
        if self.kind == "sparse" and self.sparsity_weight > 0 and self.activation != "sigmoid":
            raise ValueError("the KL sparsity penalty needs sigmoid hidden units (mean activations in (0, 1)); "
                             "choose sigmoid, or set β = 0 and use the L1 weight")
        if self.centered and self.output_activation not in ("identity", "tanh"):
            raise ValueError("centred inputs are above and below 0: the output activation must be identity or "
                             "tanh")
        if self.kind == "deep" and self.activation != "sigmoid":
            raise ValueError("a deep autoencoder unrolls RBMs, whose hidden units are sigmoid: choose sigmoid")

    def n_inputs(self, ratings) -> int:
        """The input (and output) width on a ratings set: its movies, or its users when item-based."""
        return ratings.n_users if self.item_based else ratings.n_movies

    def layer_sizes(self, n_inputs: int) -> tuple[int, ...]:
        """``(m, h1, …, hk, …, h1, m)``."""
        return (n_inputs, *self.hidden, *reversed(self.hidden[:-1]), n_inputs)

    def n_parameters(self, n_inputs: int) -> int:
        """Weights and biases of the network on ``n_inputs`` inputs: ``Σ (n_{l−1} + 1)·n_l``."""
        sizes = self.layer_sizes(n_inputs)
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))

    def check_size(self, n_inputs: int) -> None:
        """Raise ``ValueError`` when the network on ``n_inputs`` inputs has more than
        :data:`MAX_PARAMETERS` parameters (before anything is allocated)."""
        n = self.n_parameters(n_inputs)
        if n > MAX_PARAMETERS:
            sizes = "-".join(f"{s:,}" for s in self.layer_sizes(n_inputs))
            raise ValueError(f"a network {sizes} has {n:,} weights and biases, more than the {MAX_PARAMETERS:,} "
                             "this machine can train; choose smaller hidden layers")

    def layer_activations(self) -> tuple[str, ...]:
        n = 2 * len(self.hidden)
        return tuple([self.activation] * (n - 1) + [self.output_activation])

    def shape_warning(self, n_inputs: int) -> str | None:
        """A note when the sizes contradict the type's name (basic must narrow, overcomplete widen)."""
        widest = max(self.hidden)
        if self.kind == "basic" and widest >= n_inputs:
            return f"a basic autoencoder should narrow: hidden {widest} ≥ {n_inputs} inputs"
        if self.kind == "overcomplete" and widest <= n_inputs:
            return f"an overcomplete autoencoder should widen: hidden {widest} ≤ {n_inputs} inputs"
        return None

    def with_(self, **changes) -> "ModelSpec":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelSpec":
        known = {f.name for f in fields(cls)}
        return cls(**{k: (tuple(v) if k == "hidden" else v) for k, v in d.items() if k in known})


@dataclass(frozen=True)
class TrainSpec:
    """How to learn: the seed's step 7 (``mode``: online = update after each observation, minibatch,
    batch = one update per epoch), the optimiser, and when to stop."""

    mode: str = "minibatch"
    batch_size: int = 32
    optimizer: str = "adam"
    lr: float = 0.003
    weight_decay: float = 0.0
    momentum: float = 0.9
    epochs: int = 30
    seed: int = 0
    shuffle: bool = True
    validation_fraction: float = 0.0
    patience: int = 0

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown learning mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        _check_range("batch size", self.batch_size, 1, 1_000_000)
        _check_range("learning rate", self.lr, 0.0, 100.0, low_open=True)
        _check_range("weight decay", self.weight_decay, 0.0, 1e4)
        _check_range("momentum", self.momentum, 0.0, 1.0)
        if self.momentum >= 1.0:
            raise ValueError("momentum must be below 1")
        _check_range("epochs", self.epochs, 0, 1_000_000)
        _check_range("seed", self.seed, 0, MAX_SEED)
        _check_range("validation fraction", self.validation_fraction, 0.0, 0.9)
        _check_range("patience", self.patience, 0, 1_000_000)

    def effective_batch(self, n_observations: int) -> int:
        """Observations per update: 1 online, ``batch_size`` in mini-batches, all in full batch."""
        if self.mode == "online":
            return 1
        if self.mode == "batch":
            return max(1, n_observations)
        return min(self.batch_size, max(1, n_observations))

    def with_(self, **changes) -> "TrainSpec":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainSpec":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})
