"""Model panel: pick the autoencoder type and see only that type's settings, then how to train it.

The panel edits a copy of the document's :class:`ModelSpec` and :class:`TrainSpec`; *Apply* validates
them (the specs' own checks, so the messages are the engine's) and emits ``applyRequested``; the main
window decides whether that needs a new network.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ..core.engine.spec import ACTIVATIONS, KIND_TITLES, KINDS, MAX_SEED, MODES, NOISES, OPTIMIZERS, ModelSpec, TrainSpec

MODE_TITLES = {"online": "Online (update after each user)", "minibatch": "Mini-batch", "batch": "Full batch (once per epoch)"}
# which groups of settings each type shows
TYPE_GROUPS = {"sparse": "sparse", "denoising": "denoising", "contractive": "contractive",
               "stacked": "pretrain", "deep": "deep"}


def _spin(low: float, high: float, decimals: int, step: float, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setToolTip(tip)
    return box


def _int_spin(low: int, high: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setToolTip(tip)
    return box


def _combo(items: dict[str, str], tip: str) -> QComboBox:
    box = QComboBox()
    for key, title in items.items():
        box.addItem(title, key)
    box.setToolTip(tip)
    return box


#: the types whose idea needs sigmoid hidden units, and why (the panel switches f when one is picked)
SIGMOID_KINDS = {"sparse": "its KL penalty compares mean activations in (0, 1) with ρ",
                 "deep": "its RBMs' hidden units are on/off probabilities"}


class ModelPanel(QWidget):
    applyRequested = Signal(object, object)  # ModelSpec, TrainSpec

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = _combo(KIND_TITLES, "The type of autoencoder; only its own settings are shown below")
        self.hidden = QLineEdit()
        self.hidden.setValidator(QRegularExpressionValidator(r"^\s*\d+(\s*,\s*\d+)*\s*$"))
        self.hidden.setToolTip("Encoder layer sizes, e.g. 20,10 means movies→20→10→20→movies "
                               "(the decoder mirrors the encoder; the last size is the bottleneck)")
        self.activation = _combo({a: a for a in ACTIVATIONS}, "f: the hidden layers' activation, z = f(W·x + b)")
        self.output_activation = _combo({a: a for a in ACTIVATIONS},
                                        "g: the output layer's activation, y = g(W·z + b); identity predicts ratings freely")
        self.centered = QCheckBox("centre on the baseline: x = (r − b) ÷ s")
        self.centered.setToolTip("Feed each rating minus what the bias-only baseline expects of it (b = global mean "
                                 "+ user bias + movie bias): the network learns what the baseline misses, and an "
                                 "untrained network predicts the baseline. Off: x = r ÷ s, as in the seed")
        self.input_scale = _spin(0.01, 1000.0, 2, 1.0, "s: ratings (or their differences from the baseline) are "
                                                         "divided by s before entering the network")
        self.item_based = QCheckBox("movies as observations (item-based)")
        self.item_based.setToolTip("Train on movies instead of users (I-AutoRec): each movie's ratings by all users "
                                   "are one observation; usually predicts better")

        self.rho = _spin(0.001, 0.999, 3, 0.01, "ρ: the target mean activation of each code unit")
        self.beta = _spin(0.0, 1000.0, 3, 0.05, "β: the weight of the KL sparsity penalty")
        self.l1 = _spin(0.0, 1000.0, 4, 0.001, "L1 weight on the code activations (another way to make them sparse)")
        self.noise = _combo({"mask": "masking (hide ratings)", "gaussian": "Gaussian (add noise)"},
                            "How the input is corrupted; the loss compares with the clean input")
        self.noise_rate = _spin(0.0, 0.99, 2, 0.05, "Masking: the probability of hiding each rating; Gaussian: σ")
        self.lam = _spin(0.0, 1000.0, 4, 0.005, "λ: the weight of the contractive penalty λ‖∂z/∂x‖²_F")
        self.pretrain_epochs = _int_spin(0, 10000, "Epochs of greedy pre-training for each encoder layer")
        self.cd_k = _int_spin(1, 100, "Gibbs steps of contrastive divergence (CD-k) in each RBM update")
        self.rbm_lr = _spin(0.0001, 10.0, 4, 0.01, "The RBMs' learning rate during pre-training")
        self.deep_pretrain = _int_spin(0, 10000, "Epochs of contrastive-divergence training for each RBM")

        self.groups: dict[str, QGroupBox] = {}
        self._group("sparse", "Sparsity", [("ρ (target)", self.rho), ("β (KL weight)", self.beta), ("L1 weight", self.l1)])
        self._group("denoising", "Corruption", [("noise", self.noise), ("rate", self.noise_rate)])
        self._group("contractive", "Contraction", [("λ", self.lam)])
        self._group("pretrain", "Greedy pre-training", [("epochs per layer", self.pretrain_epochs)])
        self._group("deep", "RBM pre-training", [("epochs per RBM", self.deep_pretrain), ("CD-k", self.cd_k),
                                                 ("RBM learning rate", self.rbm_lr)])

        self.mode = _combo(MODE_TITLES, "Seed step 7: update after each observation, after each batch, or once per epoch")
        self.batch_size = _int_spin(1, 100000, "Observations per update in mini-batch mode")
        self.optimizer = _combo({"sgd": "SGD (momentum)", "rmsprop": "RMSprop", "adam": "Adam"},
                                "How each update turns gradients into weight changes")
        self.lr = _spin(0.000001, 10.0, 6, 0.001, "η: the learning rate, the size of each update")
        self.weight_decay = _spin(0.0, 1000.0, 5, 0.001, "L2 weight decay on the weights (not the biases)")
        self.epochs = _int_spin(0, 1000000, "Seed step 8: passes over the whole training set")
        self.seed = _int_spin(0, MAX_SEED, "Random seed: the same seed gives the same run")

        form = QFormLayout()
        form.addRow("type", self.kind)
        form.addRow("hidden sizes", self.hidden)
        form.addRow("activation f", self.activation)
        form.addRow("output g", self.output_activation)
        form.addRow(self.item_based)
        form.addRow(self.centered)
        form.addRow("input scale s", self.input_scale)
        train = QFormLayout()
        train.addRow("learning", self.mode)
        train.addRow("batch size", self.batch_size)
        train.addRow("optimizer", self.optimizer)
        train.addRow("learning rate", self.lr)
        train.addRow("weight decay", self.weight_decay)
        train.addRow("epochs", self.epochs)
        train.addRow("seed", self.seed)
        train_box = QGroupBox("Training")
        train_box.setLayout(train)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Use these settings (a changed architecture builds a new network)")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Show the settings in use again")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for g in self.groups.values():
            layout.addWidget(g)
        layout.addWidget(train_box)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self.kind.currentIndexChanged.connect(self._show_groups)
        self.mode.currentIndexChanged.connect(lambda: self.batch_size.setEnabled(self.mode.currentData() == "minibatch"))
        self.apply_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(lambda: self.set_specs(self._model, self._training))
        self._model, self._training = ModelSpec(), TrainSpec()
        self.set_specs(self._model, self._training)

    def _group(self, key: str, title: str, rows) -> None:
        box = QGroupBox(title)
        form = QFormLayout(box)
        for label, widget in rows:
            form.addRow(label, widget)
        self.groups[key] = box

    def _show_groups(self) -> None:
        kind = self.kind.currentData()
        shown = TYPE_GROUPS.get(kind)
        for key, box in self.groups.items():
            box.setVisible(key == shown)
        if kind in SIGMOID_KINDS and self.activation.currentData() != "sigmoid":
            self.activation.setCurrentIndex(ACTIVATIONS.index("sigmoid"))
            self.note.setText(f"{KIND_TITLES[kind]} needs sigmoid hidden units: {SIGMOID_KINDS[kind]}")

    # ------------------------------------------------------------------ specs ↔ widgets
    def set_specs(self, model: ModelSpec, training: TrainSpec) -> None:
        self._model, self._training = model, training
        self.kind.setCurrentIndex(KINDS.index(model.kind))
        self.hidden.setText(",".join(str(h) for h in model.hidden))
        self.activation.setCurrentIndex(ACTIVATIONS.index(model.activation))
        self.output_activation.setCurrentIndex(ACTIVATIONS.index(model.output_activation))
        self.item_based.setChecked(model.item_based)
        self.centered.setChecked(model.centered)
        self.input_scale.setValue(model.input_scale)
        self.rho.setValue(model.sparsity_target)
        self.beta.setValue(model.sparsity_weight)
        self.l1.setValue(model.l1_weight)
        self.noise.setCurrentIndex(NOISES.index(model.noise))
        self.noise_rate.setValue(model.noise_rate)
        self.lam.setValue(model.contractive_weight)
        self.pretrain_epochs.setValue(model.pretrain_epochs)
        self.deep_pretrain.setValue(model.pretrain_epochs)
        self.cd_k.setValue(model.cd_k)
        self.rbm_lr.setValue(model.rbm_lr)
        self.mode.setCurrentIndex(MODES.index(training.mode))
        self.batch_size.setValue(training.batch_size)
        self.optimizer.setCurrentIndex(OPTIMIZERS.index(training.optimizer))
        self.lr.setValue(training.lr)
        self.weight_decay.setValue(training.weight_decay)
        self.epochs.setValue(training.epochs)
        self.seed.setValue(training.seed)
        self._show_groups()
        self.note.setText("")

    def specs(self) -> tuple[ModelSpec, TrainSpec]:
        """The settings shown, validated (raises ``ValueError`` with the engine's message)."""
        kind = self.kind.currentData()
        text = self.hidden.text().replace(" ", "")
        if not text:
            raise ValueError("hidden sizes are empty: enter sizes like 20,10")
        model = self._model.with_(
            kind=kind, hidden=tuple(int(v) for v in text.split(",") if v),
            activation=self.activation.currentData(), output_activation=self.output_activation.currentData(),
            item_based=self.item_based.isChecked(), centered=self.centered.isChecked(),
            input_scale=self.input_scale.value(), sparsity_target=self.rho.value(),
            sparsity_weight=self.beta.value(), l1_weight=self.l1.value(), noise=self.noise.currentData(),
            noise_rate=self.noise_rate.value(), contractive_weight=self.lam.value(),
            pretrain_epochs=self.deep_pretrain.value() if kind == "deep" else self.pretrain_epochs.value(),
            cd_k=self.cd_k.value(), rbm_lr=self.rbm_lr.value())
        training = self._training.with_(
            mode=self.mode.currentData(), batch_size=self.batch_size.value(), optimizer=self.optimizer.currentData(),
            lr=self.lr.value(), weight_decay=self.weight_decay.value(), epochs=self.epochs.value(),
            seed=self.seed.value())
        return model, training

    def apply(self) -> None:
        try:
            model, training = self.specs()
        except ValueError as exc:
            self.note.setText(f"<span style='color:#c0392b'>{exc}</span>")
            return
        self.note.setText("")
        self.applyRequested.emit(model, training)
