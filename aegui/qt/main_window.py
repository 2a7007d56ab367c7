"""The main window: the network view in the middle, the History bar below it, and twelve dockable
panels around it (Data on the left; Training, Model, Steps, Charts, Readout, User, New user, Hidden units,
Latent space, Weights and Compare on the right).

It wires the :class:`Document` (what the user works on), the :class:`TrainingController` (the trainer's
process) and the views; it computes nothing itself. The parts live in their own modules: the docks
(:mod:`.docks`), the menus (:mod:`.menus`), the file actions (:mod:`.file_actions`), File ▸ Record…
(:mod:`.recording_actions`), the frame pump (:mod:`.frame_pump`) and the insight request policy
(:mod:`aegui.core.insight_policy`). Every failure reaches the user as a message that says what and where,
and leaves the document as it was.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QToolBar, QWidget

from ..core.engine.protocol import State
from ..core.engine.spec import ModelSpec, TrainSpec
from ..core.insight_policy import InsightPolicy
from ..core.presets import DEFAULT_PRESET, get_preset
from .about_dialog import app_icon
from .charts_panel import ChartsPanel
from .codes_panel import CodesPanel
from .compare_panel import ComparePanel
from .data_panel import DataPanel
from .docks import Docks
from .document import Document
from .file_actions import FileActions
from .frame_pump import FramePump
from .model_panel import ModelPanel
from .network import NetworkView
from .live_panel import LivePanel, on_screen
from .formula_panel import FormulaPanel
from .latent_panel import LatentPanel
from .menus import make_menus
from .new_user_panel import NewUserPanel
from .readout_panel import ReadoutPanel
from .recording_actions import RecordingActions
from .timeline_bar import TimelineBar
from .training_panel import TrainingPanel
from .user_panel import UserPanel
from .weights_panel import WeightsPanel
from .worker import TrainingController


class _EditParameter(QUndoCommand):
    """Undoable edit of one weight or bias of the trained network."""

    def __init__(self, window: "MainWindow", layer: int, kind: str, row: int, col: int, old: float, new: float):
        name = f"W{layer + 1}[{row + 1},{col + 1}]" if kind == "weight" else f"b{layer + 1}[{row + 1}]"
        super().__init__(f"Set {name} to {new:g}")
        self.window, self.args, self.old, self.new = window, (layer, kind, row, col), old, new

    def redo(self):
        self.window.controller.set_parameter(*self.args, self.new)

    def undo(self):
        self.window.controller.set_parameter(*self.args, self.old)


class MainWindow(QMainWindow):
    """``MainWindow(settings=None)``; ``settings`` redirects QSettings (tests use a temporary file)."""

    snapshotShown = Signal(object)

    def __init__(self, preset: str = DEFAULT_PRESET, settings: QSettings | None = None, scripted: bool = False):
        """``scripted`` (``--screenshot`` and other runs nobody watches): errors go to stderr and to
        :attr:`errors` instead of a dialog that would wait forever."""
        super().__init__()
        self.scripted = scripted
        self.errors: list[str] = []
        self.settings = settings or QSettings("aegui", "aegui")
        p = get_preset(preset)
        ratings = p.ratings()
        model, training = self._last_choices(p, ratings) if preset == DEFAULT_PRESET else (p.model, p.training)
        self.doc = Document(ratings, model, training, parent=self)
        if p.test_fraction:
            self.doc.set_test_split(p.test_fraction, seed=p.training.seed)
            self.doc.mark_saved()
        self.session_name = p.title
        self._preset_weights = p.weights() if p.weights else None  # used by the first build only
        self.controller = TrainingController(self)
        self.snapshot = None
        self.trained_since_save = False
        self.stale = False
        self._shown_user = 0
        self.insight_policy = InsightPolicy()
        self._data_key = None

        self.network_view = NetworkView()
        self.setCentralWidget(self.network_view)
        self.data_panel = DataPanel(self.doc)
        self.model_panel = ModelPanel()
        self.training_panel = TrainingPanel()
        self.charts_panel = ChartsPanel()
        self.readout_panel = ReadoutPanel()
        self.formula_panel = FormulaPanel()
        self.user_panel = UserPanel()
        self.new_user_panel = NewUserPanel()
        self.codes_panel = CodesPanel()
        self.weights_panel = WeightsPanel()
        self.latent_panel = LatentPanel()
        self.compare_panel = ComparePanel()
        self.timeline_bar = TimelineBar()
        self.pump = FramePump(self.network_view, (
            self.charts_panel, self.timeline_bar, self.training_panel, self.readout_panel, self.formula_panel,
            self.codes_panel, self.weights_panel), self._after_panels, self)
        self.dock_set = Docks(self, [
            ("Data", self.data_panel), ("Training", self.training_panel), ("Model", self.model_panel),
            ("Charts", self.charts_panel), ("Readout", self.readout_panel), ("Steps", self.formula_panel),
            ("User", self.user_panel), ("New user", self.new_user_panel), ("Hidden units", self.codes_panel),
            ("Latent space", self.latent_panel), ("Weights", self.weights_panel), ("Compare", self.compare_panel)],
            first="Readout" if preset == "seed-example" else "Charts")
        self.docks = self.dock_set.docks
        self._show_preset(p)
        history = QToolBar("History", self)
        history.setObjectName("toolbar-history")
        history.setMovable(False)
        history.addWidget(self.timeline_bar)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, history)
        self.engine_label = QLabel("engine: starting…")
        self.statusBar().addPermanentWidget(self.engine_label)
        self.recording = RecordingActions(self)  # File ▸ Record…
        self.rec_indicator = self.recording.indicator

        self.setWindowIcon(app_icon())
        self.files = FileActions(self)
        make_menus(self)
        self._connect()
        self.model_panel.set_specs(self.doc.model, self.doc.training)
        self.setAcceptDrops(True)
        self.update_title()
        # the engine (torch) is imported in the trainer's process, started after the first paint
        QTimer.singleShot(0, self, self.rebuild)  # not after the window is gone

    # ------------------------------------------------------------------ wiring
    def _connect(self) -> None:
        c, tp = self.controller, self.training_panel
        c.ready.connect(self._on_ready)
        c.snapshot.connect(self.show_snapshot)
        c.stateChanged.connect(self._on_state)
        c.event.connect(self._on_event)
        c.failed.connect(self.report_error)
        tp.playToggled.connect(self._on_play)
        tp.stepRequested.connect(self._on_step)
        tp.stopRequested.connect(c.stop)
        tp.resetRequested.connect(self.reset_network)
        tp.speedChanged.connect(c.set_speed)
        tp.speedChanged.connect(self.network_view.set_step_interval)
        if tp.delay:  # the preset's pace, chosen before these were connected
            c.set_speed(tp.delay)
            self.network_view.set_step_interval(tp.delay)
        self.model_panel.applyRequested.connect(self.apply_specs)
        self.network_view.parameterEditRequested.connect(self.edit_parameter)
        self.data_panel.userSelected.connect(self._on_user_selected)
        self.readout_panel.observationChosen.connect(self._on_user_selected)
        self.user_panel.userChosen.connect(self._on_user_selected)
        self.codes_panel.observationClicked.connect(self._on_observation_clicked)
        self.latent_panel.observationClicked.connect(self._on_observation_clicked)
        self.new_user_panel.codeChanged.connect(self.latent_panel.show_extra_point)
        self.user_panel.topChanged.connect(lambda _: self._maybe_request_insight())
        self.user_panel.minRatingsChanged.connect(lambda _: self._maybe_request_insight())
        c.insight.connect(self._on_insight)
        c.encoded.connect(self.new_user_panel.show_encoding)
        c.exported.connect(lambda paths: self.statusBar().showMessage(
            "exported " + " and ".join(str(p) for p in paths), 8000))
        self.new_user_panel.ratingsChanged.connect(c.encode)
        self.new_user_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.timeline_bar.viewRequested.connect(lambda k: c.view(None if k < 0 else k))
        self.timeline_bar.branchRequested.connect(c.branch)
        self.dock_set.on_revealed(self.panel_shown)
        self.readout_panel.biasEditRequested.connect(self.edit_parameter)
        self.network_view.nodeSelected.connect(self.formula_panel.select)
        self.network_view.stepChanged.connect(self.formula_panel.show_step)
        self.data_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.doc.ratingsChanged.connect(self._on_ratings_changed)
        self.doc.specsChanged.connect(lambda: self.model_panel.set_specs(self.doc.model, self.doc.training))
        self.doc.dirtyChanged.connect(lambda _: self.update_title())
        self.doc.pathChanged.connect(lambda _: self.update_title())

    # ------------------------------------------------------------------ engine
    def rebuild(self, keep_weights: bool = False) -> None:
        """A new trainer on the document's data and settings (in the trainer's process)."""
        self.stale = False
        self.training_panel.set_enabled(False)
        self.engine_label.setText("engine: building…")
        self.controller.build(self.doc.train_ratings(), self.doc.test_ratings(), self.doc.model, self.doc.training,
                              keep_weights, self._preset_weights)
        self._preset_weights = None

    def _on_ready(self) -> None:
        self.training_panel.set_enabled(True)
        self.engine_label.setText("engine: ready")
        self.charts_panel.clear()
        self.insight_policy.new_model()
        key = (id(self.doc.ratings), self.doc.model.item_based)
        if key != self._data_key:  # new data: the views that label users and movies start over
            self._data_key = key
            self.user_panel.set_data(self.doc.ratings, self.doc.train_ratings())
            self.new_user_panel.set_data(self.doc.ratings, self.doc.model.item_based)
            self.codes_panel.set_data(self.doc.ratings, self.doc.model.item_based)
            self.latent_panel.set_data(self.doc.ratings, self.doc.model.item_based)
        self.compare_panel.set_context(self.doc.train_ratings(), self.doc.test_ratings(), self.doc.model,
                                       self.doc.training)
        self.network_view.set_model(self.controller.info["model"])
        self.formula_panel.set_model(self.controller.info["model"])
        # the view shows one observation's pass at all times: the selected user (or the first movie)
        self.controller.set_display(0 if self.doc.model.item_based
                                    else min(self._shown_user, self.doc.ratings.n_users - 1))

    def _on_play(self, play: bool) -> None:
        if play:
            if self.stale:
                self.rebuild(keep_weights=True)
            self.controller.play()
        else:
            self.controller.pause()

    def _on_step(self, unit: str) -> None:
        if self.stale:
            self.rebuild(keep_weights=True)
        self.controller.step(unit)

    def _on_state(self, state: str, message: str) -> None:
        self.training_panel.set_running(state == State.RUNNING)
        self.engine_label.setText(f"engine: {state}")
        if state == State.DIVERGED:
            self.report_error(message)

    def _on_event(self, event) -> None:
        if event.kind == "epoch":
            self.trained_since_save = True
            self.update_title()
        elif event.kind == "finished":
            self.statusBar().showMessage(event.message, 8000)

    def show_snapshot(self, snapshot) -> None:
        """Draw ``snapshot`` everywhere (:class:`~aegui.qt.frame_pump.FramePump`)."""
        self.snapshot = snapshot
        self.pump.show(snapshot)

    def _after_panels(self, snapshot) -> None:
        self._maybe_request_insight()
        self.snapshotShown.emit(snapshot)

    def panel_shown(self, panel: QWidget) -> None:
        """``panel`` came into view (its dock's tab was chosen, or presenter mode shows it): it draws what
        came while it was not, and gets a fresh insight when it shows one."""
        if isinstance(panel, LivePanel):
            panel.revealed()
        self._maybe_request_insight()

    # ------------------------------------------------------------------ insight views
    def _insight_views(self) -> list:
        """The insight views on screen (a hidden tab asks when it is brought forward)."""
        return [w for w in (self.user_panel, self.codes_panel, self.latent_panel, self.network_view) if on_screen(w)]

    def _maybe_request_insight(self) -> None:
        """Ask the engine for a fresh :class:`Insight` when a view on screen shows one and
        :class:`~aegui.core.insight_policy.InsightPolicy` says it is due (only at epoch ends when the
        network view, for its dormant marks, is the only one on screen)."""
        s = self.snapshot
        views = self._insight_views()
        if s is None or not self.controller.built or not views:
            return
        top, min_ratings = self.user_panel.top.value(), self.user_panel.min_ratings.value()
        if not self.insight_policy.due(s.state == State.RUNNING, s.step, len(s.history.epoch_train_rmse),
                                       views == [self.network_view], (s.viewing, self._shown_user, top, min_ratings)):
            return
        self.controller.request_insight(min(self._shown_user, self.doc.ratings.n_users - 1), top, min_ratings)

    def _on_insight(self, insight) -> None:
        self.insight_policy.answered()
        self.user_panel.show_insight(insight)
        self.codes_panel.show_insight(insight)
        self.latent_panel.show_insight(insight)
        self.network_view.show_insight(insight)
        self._maybe_request_insight()  # asks again if the user or the model changed meanwhile

    def reset_network(self) -> None:
        self.rebuild(keep_weights=False)

    def apply_specs(self, model, training) -> None:
        """New settings: the training ones apply to the running network; a new architecture or type
        needs a new network, which is built after confirmation when training has progressed."""
        if model == self.doc.model and training.seed == self.doc.training.seed:
            self.doc.set_specs(model, training, "Change training settings")
            self._remember_choices()
            self.controller.set_training(training)
            self.statusBar().showMessage("training settings applied to the current network", 5000)
            return
        trained = self.snapshot is not None and self.snapshot.step > 0
        if trained and not self.confirm("Build a new network?",
                                        "These settings need a new network with fresh random weights; "
                                        "the current training progress will be lost."):
            self.model_panel.set_specs(self.doc.model, self.doc.training)
            return
        self.doc.set_specs(model, training, "Change model")
        self._remember_choices()
        warning = model.shape_warning(model.n_inputs(self.doc.ratings))
        if warning:
            self.statusBar().showMessage(f"note: {warning}", 8000)
        self.rebuild()

    def edit_parameter(self, layer: int, kind: str, row: int, col: int, value: float) -> None:
        s = self.snapshot
        if s is None:
            return
        old = float(s.weights[layer][row, col] if kind == "weight" else s.biases[layer][row])
        self.doc.undo_stack.push(_EditParameter(self, layer, kind, row, col, old, value))

    def _on_user_selected(self, user: int) -> None:
        """One user selected anywhere (grid, readout, user panel, plots) is selected everywhere."""
        if user == self._shown_user:
            return
        self._shown_user = user
        self.data_panel.select_user(user)
        self.user_panel.select_user(user)
        if not self.doc.model.item_based:
            self.controller.set_display(user)
            self.codes_panel.select_observation(user)
            self.latent_panel.select_observation(user)
        self._maybe_request_insight()

    def _on_observation_clicked(self, observation: int) -> None:
        """A row of the heat map or a point of the latent space: a user, or a movie when item-based
        (then the network view shows that movie's pass)."""
        if not self.doc.model.item_based:
            self._on_user_selected(observation)
            return
        self.codes_panel.select_observation(observation)
        self.latent_panel.select_observation(observation)
        self.controller.set_display(observation)

    def _on_ratings_changed(self) -> None:
        """Edited data: the next play or step rebuilds the trainer on it (keeping the weights when the
        shape allows)."""
        self.stale = True
        self.update_title()

    # ------------------------------------------------------------------ messages, files, presets, help
    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def report_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        if self.scripted:
            self.errors.append(message)
            sys.stderr.write(f"aegui: error: {message}\n")
            return
        QMessageBox.warning(self, "aegui", message)

    def maybe_save(self) -> bool:
        """``True`` when it is fine to discard the current work (saved, or the user said so)."""
        return self.files.maybe_save()

    def open_path(self, path: str) -> bool:
        """Open a session or import a ratings file (:meth:`FileActions.open_path`)."""
        return self.files.open_path(path)

    def save(self) -> bool:
        return self.files.save()

    def save_as(self) -> bool:
        return self.files.save_as()

    def start_folder(self) -> str:
        return self.files.start_folder()

    def recent_files(self) -> list[str]:
        return self.files.recent_files()

    def new_document(self) -> None:
        self.open_preset(DEFAULT_PRESET)

    def open_preset(self, name: str) -> bool:
        """File ▸ Demos: start over on preset ``name`` after asking about unsaved work (the default
        preset takes the model last applied, when it fits)."""
        if not self.maybe_save():
            return False
        p = get_preset(name)
        model, training = self._last_choices(p, p.ratings()) if name == DEFAULT_PRESET else (None, None)
        self.load_preset(name, model, training)
        return True

    def set_pace(self, pace_s: float = 0.0, caption: str = "") -> None:
        """The speed control at ``pace_s`` seconds an observation and ``caption`` above the charts: a
        demo's pace and what it shows; opened files are work, trained at full speed with no caption."""
        self.training_panel.set_delay(pace_s)
        self.charts_panel.set_caption(caption)

    def load_preset(self, name: str, model: ModelSpec | None = None, training: TrainSpec | None = None) -> None:
        """Start over on the preset ``name``: its data, test split, starting weights, pace and caption,
        with ``model`` and ``training`` instead of its own when given; the caller has asked about
        unsaved work."""
        from ..core.data.splits import random_test_mask

        p = get_preset(name)
        ratings = p.ratings()
        self.controller.pause()
        self.doc.reset(ratings, model or p.model, training or p.training, path=None,
                       test_mask=random_test_mask(ratings, p.test_fraction, seed=p.training.seed))
        self.session_name = p.title
        self._preset_weights = p.weights() if p.weights else None
        self.trained_since_save = False
        self._show_preset(p)
        self.update_title()
        self.rebuild()

    def _show_preset(self, p) -> None:
        """The preset's pace on the speed control, its caption above the charts, its test share."""
        self.set_pace(p.pace_s, p.caption)
        if p.test_fraction:
            self.data_panel.split_spin.setValue(round(100 * p.test_fraction))

    def open_lesson(self, page: int | None = None) -> None:
        """Help ▸ Lesson: the lesson's dock (:mod:`aegui.qt.lesson_panel`) at ``page`` (0-based), or at
        the page where it was left."""
        from .lesson_panel import LessonDock

        if self.lesson is None:
            self.lesson = LessonDock(self)
        self.lesson.open(page)

    def show_about(self) -> None:
        """Help ▸ About (not modal: it can stay open beside the window while a problem is reported)."""
        from .about_dialog import AboutDialog

        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self)
        if self.about_dialog.isVisible():  # behind the window: in front again
            self.about_dialog.raise_()
            self.about_dialog.activateWindow()
        self.about_dialog.show()

    @property
    def recorder(self):
        """The recording under way (File ▸ Record…), or ``None``."""
        return self.recording.recorder

    @property
    def record_dialog(self):
        return self.recording.dialog

    # ------------------------------------------------------------------ last choices
    def _remember_choices(self) -> None:
        self.settings.setValue("last_model", json.dumps(self.doc.model.to_dict()))
        self.settings.setValue("last_training", json.dumps(self.doc.training.to_dict()))

    def _last_choices(self, preset, ratings) -> tuple:
        """The model and training settings last applied, when they fit the preset's ``ratings`` (a
        basic autoencoder must still narrow them, and the network must be one the machine can train);
        else the preset's own. The settings file is outside input: anything in it may be wrong."""
        try:
            model = ModelSpec.from_dict(json.loads(self.settings.value("last_model", "", type=str)))
            training = TrainSpec.from_dict(json.loads(self.settings.value("last_training", "", type=str)))
            model.check_size(model.n_inputs(ratings))
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return preset.model, preset.training  # none saved, from another version, or edited by hand
        if model.shape_warning(model.n_inputs(ratings)):
            return preset.model, preset.training
        return model, training

    # ------------------------------------------------------------------ title
    def update_title(self) -> None:
        self.setWindowTitle(f"{self.session_name}[*] — aegui")
        self.setWindowModified(self.doc.dirty or self.trained_since_save)

    # ------------------------------------------------------------------ Qt events
    def showEvent(self, event) -> None:
        self.dock_set.arrange_once()
        super().showEvent(event)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            QTimer.singleShot(0, self, lambda: self.open_path(urls[0]))

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.recording.stop()  # what was recorded is saved
        self.presenter.leave()  # the normal layout is the one saved
        self.dock_set.save_layout()
        self.compare_panel.shutdown()
        self.controller.shutdown()
        event.accept()
