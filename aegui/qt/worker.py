"""The window's side of training: a :class:`TrainingController` that drives the trainer's process
(:class:`~aegui.core.engine.remote.RemoteTrainer`) and turns what it sends into Qt signals.

While it trains, the child streams snapshots (at most :data:`STREAM_RATE` a second, and only as fast as
this process takes them: :mod:`~aegui.core.engine.shared_weights`); a frame timer (:data:`FRAME_RATE` a
second) collects the messages and emits only the newest snapshot (latest wins), so a slow frame never
queues work. The UI never holds a tensor: it sees :class:`Snapshot` copies and rare events (epoch, phase,
divergence, the end).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..core.engine import protocol as p
from ..core.engine.protocol import State

#: how often the UI takes the latest snapshot while training (frames per second)
FRAME_RATE = 30
#: snapshots a second the trainer streams at most: faster than the frames, so that each frame finds a
#: new one (a snapshot is made only at the end of an update: at one rate the two clocks beat, and a
#: 20 ms update made it every other, 24 a second)
STREAM_RATE = 2 * FRAME_RATE


class TrainingController(QObject):
    snapshot = Signal(object)
    stateChanged = Signal(object, str)  # (State, message)
    event = Signal(object)
    failed = Signal(str)
    ready = Signal()
    insight = Signal(object)
    encoded = Signal(object)
    exported = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.remote = None
        self.info: dict | None = None   # what the trainer was built with (None until built)
        self.state = State.NONE
        self.last_snapshot = None
        self._latest = None
        self._answers: dict[str, object] = {}   # the newest insight / encoding of this frame
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / FRAME_RATE))
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer drifts below the rate
        self.timer.timeout.connect(self._tick)

    def _start(self):
        if self.remote is None:
            from ..core.engine.remote import RemoteTrainer

            self.remote = RemoteTrainer()
            self.remote.send(p.Stream(1.0 / STREAM_RATE))  # while training, a new snapshot every frame
            self.timer.start()
        return self.remote

    @property
    def built(self) -> bool:
        return self.info is not None

    # ------------------------------------------------------------------ commands
    def build(self, train, test, model, training, keep_weights: bool = False, weights=None) -> None:
        remote = self._start()
        self.pause()
        self.info = None
        remote.send(p.Build(train, test, model, training, keep_weights, weights))

    def adopt(self, session) -> None:
        remote = self._start()
        self.pause()
        self.info = None
        remote.send(p.Adopt(session))

    def play(self) -> None:
        """Train on (a build still under way runs first: the child takes commands in order)."""
        if self.remote is not None and self.state != State.RUNNING:
            self.state = State.RUNNING
            self.remote.send(p.Run())

    def pause(self) -> None:
        if self.remote is not None:
            self.remote.send(p.Pause())

    def stop(self) -> None:
        if self.remote is not None and self.state == State.RUNNING:
            self.remote.send(p.Stop())

    def step(self, unit: str) -> None:
        if self.remote is not None:
            self.pause()
            self.remote.send(p.Step(unit))

    def set_speed(self, delay_s: float) -> None:
        """0 = full speed; otherwise seconds between observations (slow motion)."""
        self._start().send(p.Speed(max(0.0, delay_s)))

    def set_training(self, training) -> None:
        if self.built:
            self.pause()
            self.remote.send(p.SetTraining(training))

    def set_parameter(self, layer: int, kind: str, row: int, col: int, value: float) -> None:
        if self.built:
            self.pause()
            self.remote.send(p.SetParameter(layer, kind, row, col, value))

    def view(self, index: int | None) -> None:
        """Show timeline point ``index`` in every view (``None``: the present)."""
        if self.built:
            self.pause()
            self.remote.send(p.View(index))

    def branch(self, index: int) -> None:
        """Go back to timeline point ``index`` and train on from there."""
        if self.built:
            self.pause()
            self.remote.send(p.Branch(index))

    def request_insight(self, user: int, top: int = 10, min_ratings: int | None = None) -> None:
        """Ask for an :class:`Insight` of ``user``: ``top`` recommendations among the movies with at least
        ``min_ratings`` training ratings (``None``: the engine's default rule)."""
        if self.built:
            self.remote.send(p.RequestInsight(user, top, min_ratings))

    def encode(self, ratings) -> None:
        if self.built:
            self.remote.send(p.Encode(ratings))

    def export_model(self, path: str) -> None:
        if self.built:
            self.remote.send(p.ExportModel(path))

    def request_snapshot(self) -> None:
        """Ask for a snapshot now (while running, the next update publishes one)."""
        if self.remote is not None:
            self.remote.send(p.RequestSnapshot())

    @property
    def running(self) -> bool:
        return self.state == State.RUNNING

    def set_display(self, observation) -> None:
        self._start().send(p.Display(observation))

    def session(self, name: str):
        """The current data, settings, weights and history (for saving); waits for the trainer."""
        return self.remote.request_session(name)

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        """Stop training and end the trainer's process (closing the window mid-training)."""
        self.timer.stop()
        if self.remote is None:
            return True
        clean = self.remote.close(timeout_s)
        self.remote = None
        return clean

    # ------------------------------------------------------------------ from the trainer
    def _drain(self) -> None:
        """Handle everything the child sent; keep only the newest snapshot for the next frame."""
        if self.remote is None:
            return
        for reply in self.remote.messages():
            match reply:
                case p.SnapshotReady(snapshot):
                    self._latest = snapshot
                case p.Built(info):
                    self.info = info
                    self.state = State.READY
                    self.ready.emit()
                case p.StateChanged(state, message):
                    self.state = state
                    self.stateChanged.emit(state, message)
                case p.EventHappened(event):
                    self.event.emit(event)
                case p.Failed(text):
                    self.failed.emit(text)
                case p.Exported(paths):
                    self.exported.emit(paths)
                case p.InsightReady(insight):
                    self._answers["insight"] = insight
                case p.Encoded(encoding):
                    self._answers["encoded"] = encoding

    def _tick(self) -> None:
        """One frame: draw the newest snapshot (the trainer streams them while it runs)."""
        self._drain()
        if self._latest is not None:
            self.last_snapshot, self._latest = self._latest, None
            self.snapshot.emit(self.last_snapshot)
        answers, self._answers = self._answers, {}
        if "insight" in answers:
            self.insight.emit(answers["insight"])
        if "encoded" in answers:
            self.encoded.emit(answers["encoded"])
