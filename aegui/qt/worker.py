"""The trainer's thread: a QObject living in a QThread that owns the :class:`Trainer`.

Commands arrive as queued signals (build, run, step, edit); pause and stop are thread-safe flags set
directly on the trainer, because a thread busy in ``Trainer.run`` does not process queued calls until it
returns. The UI never touches the trainer's tensors: it takes :class:`Snapshot` copies from the trainer's
one-slot mailbox on its own timer (see :class:`TrainingController`), and hears of rare events (epoch,
phase, divergence, the end) through signals.
"""

from __future__ import annotations

import traceback

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

#: how often the UI takes the latest snapshot while training (frames per second)
FRAME_RATE = 30


class TrainerWorker(QObject):
    """Runs in the worker thread; every slot catches its errors and reports them as ``failed``."""

    built = Signal(object)            # the Trainer (the UI keeps it only to call pause/stop/request)
    stateChanged = Signal(str, str)   # state, message
    event = Signal(object)            # aegui.core.engine.trainer.Event
    failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.trainer = None

    def _guard(self, what: str, fn) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - every failure reaches the user as a message
            traceback.print_exc()
            self.failed.emit(f"{what} failed: {exc}")
        finally:
            if self.trainer is not None:
                self.trainer.publish()
                self.stateChanged.emit(self.trainer.state, self.trainer.message)

    @Slot(object, object, object, object, object)
    def build(self, train, test, model, training, network=None) -> None:
        """Make a new trainer (importing torch here, off the UI thread, on first use). ``network`` is
        ``"keep"`` to continue from the current weights when the new data has the same shape."""
        def make():
            from ..core.engine.threads import configure
            from ..core.engine.trainer import Trainer

            configure(None)
            net = network
            if net == "keep":
                old = self.trainer.network if self.trainer is not None else None
                sizes = model.layer_sizes(train.n_users if model.item_based else train.n_movies)
                same = old is not None and old.sizes == sizes and old.activations == model.layer_activations()
                net = old.clone() if same else None
            self.trainer = Trainer(train, model, training, test=test, network=net, on_event=self.event.emit)
            self.built.emit(self.trainer)
        self._guard("Building the network", make)

    @Slot(object)
    def adopt(self, trainer) -> None:
        """Take over a trainer built elsewhere (a restored session)."""
        self.trainer = trainer
        trainer.on_event = self.event.emit
        self.built.emit(trainer)
        self._guard("Restoring", lambda: None)

    @Slot()
    def run(self) -> None:
        if self.trainer is not None:
            self.stateChanged.emit("running", self.trainer.stage.info.title)
            self._guard("Training", self.trainer.run)

    @Slot(str)
    def step(self, unit: str) -> None:
        """``unit``: ``"observation"``, ``"batch"`` or ``"epoch"``."""
        if self.trainer is not None:
            fn = {"observation": self.trainer.step_observation, "batch": self.trainer.step_batch,
                  "epoch": self.trainer.step_epoch}[unit]
            self._guard(f"Step one {unit}", fn)

    @Slot(object)
    def set_training(self, training) -> None:
        if self.trainer is not None:
            self._guard("Changing the training settings", lambda: self.trainer.set_training(training))

    @Slot(int, str, int, int, float)
    def set_parameter(self, layer: int, kind: str, row: int, col: int, value: float) -> None:
        if self.trainer is not None:
            self._guard("Editing a parameter", lambda: self.trainer.set_parameter(layer, kind, row, col, value))

    @Slot(object)
    def set_display(self, observation) -> None:
        if self.trainer is not None:
            self.trainer.display_observation = observation
            self._guard("Showing an observation", lambda: None)


class TrainingController(QObject):
    """The UI side: owns the thread, forwards commands, and turns mailbox snapshots into a bounded-rate
    ``snapshot`` signal (at most :data:`FRAME_RATE` a second, the latest one wins)."""

    snapshot = Signal(object)
    stateChanged = Signal(str, str)
    event = Signal(object)
    failed = Signal(str)
    ready = Signal()

    _build = Signal(object, object, object, object, object)
    _adopt = Signal(object)
    _run = Signal()
    _step = Signal(str)
    _set_training = Signal(object)
    _set_parameter = Signal(int, str, int, int, float)
    _set_display = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.trainer = None
        self.state = "none"
        self._delay = 0.0
        self.thread = QThread()
        self.thread.setObjectName("aegui-trainer")
        self.worker = TrainerWorker()
        self.worker.moveToThread(self.thread)
        for signal, slot in ((self._build, self.worker.build), (self._adopt, self.worker.adopt),
                             (self._run, self.worker.run), (self._step, self.worker.step),
                             (self._set_training, self.worker.set_training),
                             (self._set_parameter, self.worker.set_parameter),
                             (self._set_display, self.worker.set_display)):
            signal.connect(slot)
        self.worker.built.connect(self._on_built)
        self.worker.stateChanged.connect(self._on_state)
        self.worker.event.connect(self.event)
        self.worker.failed.connect(self.failed)
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / FRAME_RATE))
        self.timer.timeout.connect(self._tick)
        self.thread.start()
        self.timer.start()

    # ------------------------------------------------------------------ commands
    def build(self, train, test, model, training, network=None) -> None:
        self.stop()
        self._build.emit(train, test, model, training, network)

    def adopt(self, trainer) -> None:
        self.stop()
        self._adopt.emit(trainer)

    def play(self) -> None:
        if self.trainer is not None and self.state != "running":
            self.state = "running"
            self._run.emit()

    def pause(self) -> None:
        if self.trainer is not None:
            self.trainer.pause()

    def stop(self) -> None:
        if self.trainer is not None and self.state == "running":
            self.trainer.stop()

    def step(self, unit: str) -> None:
        if self.trainer is not None:
            self.pause()
            self._step.emit(unit)

    def set_speed(self, delay_s: float) -> None:
        """0 = full speed; otherwise seconds between observations (slow motion)."""
        if self.trainer is not None:
            self.trainer.delay_s = max(0.0, delay_s)
        self._delay = max(0.0, delay_s)

    def set_training(self, training) -> None:
        self.pause()
        self._set_training.emit(training)

    def set_parameter(self, layer: int, kind: str, row: int, col: int, value: float) -> None:
        self.pause()
        self._set_parameter.emit(layer, kind, row, col, value)

    def set_display(self, observation) -> None:
        self._set_display.emit(observation)
        if self.trainer is not None:
            self.trainer.display_observation = observation
            self.trainer.request_snapshot()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop training and end the thread (closing the window mid-training); ``True`` if it ended."""
        self.timer.stop()
        if self.trainer is not None:
            self.trainer.stop()
        self.thread.quit()
        return self.thread.wait(timeout_ms)

    # ------------------------------------------------------------------ from the worker
    def _on_built(self, trainer) -> None:
        self.trainer = trainer
        trainer.delay_s = self._delay
        self.ready.emit()

    def _on_state(self, state: str, message: str) -> None:
        self.state = state
        self.stateChanged.emit(state, message)
        self._tick()

    def _tick(self) -> None:
        if self.trainer is None:
            return
        snap = self.trainer.mailbox.take()
        if snap is not None:
            self.snapshot.emit(snap)
        if self.state == "running":
            self.trainer.request_snapshot()
