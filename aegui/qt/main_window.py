"""The main window: the network view in the middle, the History bar below it, and twelve dockable
panels around it (Data on the left; Training, Model, Steps, Charts, Readout, User, New user, Hidden units,
Latent space, Weights and Compare on the right).

It wires the :class:`Document` (what the user works on), the :class:`TrainingController` (the trainer's
process) and the views; it computes nothing itself. Every failure reaches the user as a message that says
what and where, and leaves the document as it was.
"""

from __future__ import annotations

import gc
import json
import os
import sys

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import (QDockWidget, QFrame, QLabel, QMainWindow, QMessageBox, QScrollArea,
                               QToolBar, QToolButton, QWidget)

from ..core.engine.spec import ModelSpec, TrainSpec
from ..core.insight_policy import InsightPolicy
from ..core.presets import DEFAULT_PRESET, PRESETS, get_preset
from .about_dialog import app_icon
from .charts_panel import ChartsPanel
from .codes_panel import CodesPanel
from .compare_panel import ComparePanel
from .data_panel import DataPanel
from .document import Document
from .file_actions import FileActions
from .model_panel import ModelPanel
from .network import NetworkView
from .on_screen import on_screen
from .formula_panel import FormulaPanel
from .latent_panel import LatentPanel
from .new_user_panel import NewUserPanel
from .readout_panel import ReadoutPanel
from .timeline_bar import TimelineBar
from .training_panel import TrainingPanel
from .user_panel import UserPanel
from .weights_panel import WeightsPanel
from .worker import FRAME_RATE, TrainingController
from ..core.engine.protocol import State

#: after this many frames drawn while training, the objects alive so far (Qt wrappers, modules, caches)
#: leave the garbage collector's care (``gc.freeze``): a full collection over them took 50–80 ms, a stall
#: the window showed twice every few seconds; afterwards only the few objects made per frame are tracked
GC_FREEZE_AFTER_FRAMES = 10
#: while training at full speed the panels draw a frame this long after the network view: each part and
#: its repaint take under one 60 Hz frame, where all of them at once blocked the event loop for 20–45 ms
PANELS_AFTER_MS = 1000 // (2 * FRAME_RATE)
#: … and the network view repaints this long after its update: timers that fell due meanwhile run
#: first (the update and the repaint together held the event loop for 10–20 ms)
PAINT_AFTER_MS = 4
#: the recording indicator in the status bar: white on red
REC_STYLE = ("QToolButton { color: white; background: #d32f2f; border: none; border-radius: 4px; "
             "padding: 1px 8px; font-weight: bold; }")
#: the first window size (the network view needs ~900 pixels between the docks)
DEFAULT_SIZE = (1720, 960)
#: docks holding forms: they scroll rather than force the window to grow on a small screen
SCROLLING_DOCKS = ("Model", "Compare")


def _scrolling(widget):
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


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
        self._frames_to_freeze = GC_FREEZE_AFTER_FRAMES
        self._data_key = None
        self._panels_pending = None            # the snapshot the panels draw next (while training)
        self._panels_timer = QTimer(self)
        self._panels_timer.setSingleShot(True)
        self._panels_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._panels_timer.setInterval(PANELS_AFTER_MS)
        self._panels_timer.timeout.connect(self._show_panels)

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
        self.docks: dict[str, QDockWidget] = {}
        self._panels: dict[str, QWidget] = {}  # dock object name → its panel
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        for name, widget, area in (("Data", self.data_panel, left), ("Training", self.training_panel, right),
                                   ("Model", self.model_panel, right), ("Charts", self.charts_panel, right),
                                   ("Readout", self.readout_panel, right), ("Steps", self.formula_panel, right),
                                   ("User", self.user_panel, right), ("New user", self.new_user_panel, right),
                                   ("Hidden units", self.codes_panel, right), ("Latent space", self.latent_panel, right),
                                   ("Weights", self.weights_panel, right), ("Compare", self.compare_panel, right)):
            dock = QDockWidget(name, self)
            dock.setObjectName(f"dock-{name}")
            dock.setWidget(_scrolling(widget) if name in SCROLLING_DOCKS else widget)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
            self._panels[dock.objectName()] = widget
        self._show_preset(p)
        self._first_panel = "Readout" if preset == "seed-example" else "Charts"
        self._arranged = False
        history = QToolBar("History", self)
        history.setObjectName("toolbar-history")
        history.setMovable(False)
        history.addWidget(self.timeline_bar)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, history)
        self.engine_label = QLabel("engine: starting…")
        self.statusBar().addPermanentWidget(self.engine_label)
        self.recorder = None                   # the recording under way (File ▸ Record…)
        self.record_dialog = None
        self.rec_indicator = QToolButton()
        self.rec_indicator.setObjectName("rec-indicator")
        self.rec_indicator.setStyleSheet(REC_STYLE)
        self.rec_indicator.setToolTip("Recording: click to stop and save")
        self.rec_indicator.clicked.connect(self.stop_recording)
        self.rec_indicator.hide()
        self.statusBar().addPermanentWidget(self.rec_indicator)

        self.setWindowIcon(app_icon())
        self.files = FileActions(self)
        self._make_actions()
        self._connect()
        self.model_panel.set_specs(self.doc.model, self.doc.training)
        self.setAcceptDrops(True)
        self.update_title()
        # the engine (torch) is imported in the trainer's process, started after the first paint
        QTimer.singleShot(0, self.rebuild)

    # ------------------------------------------------------------------ actions and menus
    def _make_actions(self) -> None:
        def action(text, slot, shortcut=None, tip=None):
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.setToolTip(tip or text)
            a.setStatusTip(tip or text)
            a.triggered.connect(slot)
            return a

        self.new_action = action("&New", self.new_document, QKeySequence.StandardKey.New, "Start over on the demo data")
        self.open_action = action("&Open…", self.files.open_dialog, QKeySequence.StandardKey.Open,
                                  "Open a session (.aegui) or a ratings file")
        self.save_action = action("&Save", self.files.save, QKeySequence.StandardKey.Save, "Save the session")
        self.save_as_action = action("Save &As…", self.files.save_as, QKeySequence.StandardKey.SaveAs, "Save the session as…")
        self.import_action = action("&Import ratings…", self.files.import_dialog, "Ctrl+I",
                                    "Import a CSV grid or MovieLens file (u.data, ratings.dat, ratings.csv)")
        self.export_action = action("&Export grid…", self.files.export_dialog, "Ctrl+E", "Write the grid as a CSV file")
        self.export_model_action = action("Export &model…", self.files.export_model_dialog, "Ctrl+Shift+E",
                                          "Write the trained network as a torch state dict (.pt) with a JSON "
                                          "description of its layers, loadable with plain torch")
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit aegui")
        self.undo_action = self.doc.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.doc.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence.StandardKey.Redo])

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for a in (self.new_action, self.open_action, self.save_action, self.save_as_action):
            file_menu.addAction(a)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.demos_menu = file_menu.addMenu("&Demos")
        self.demo_actions = {}
        for name, p in PRESETS.items():
            a = self.demos_menu.addAction(p.title)
            a.setToolTip(p.caption or p.title)
            a.triggered.connect(lambda _=False, n=name: self.open_preset(n))
            self.demo_actions[name] = a
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        self.download_action = action("&Download MovieLens…", self.files.download_dialog,
                                      tip="Download a GroupLens MovieLens set (licence shown first) and open it")
        file_menu.addAction(self.download_action)
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.export_model_action)
        self.record_action = action("&Record…", self.toggle_recording, "Ctrl+Shift+R",
                                    "Record the network view or the whole window to an animated GIF, animated "
                                    "PNG or MP4 (again to stop and save)")
        file_menu.addAction(self.record_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        train_menu = bar.addMenu("&Train")
        for a in self.training_panel.actions_all:
            train_menu.addAction(a)
            self.addAction(a)  # shortcuts work wherever the focus is
        view_menu = bar.addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        # presenter mode (F11): full screen for a projector, in its own module
        from .presenter import PresenterMode

        self.presenter = PresenterMode(self)
        view_menu.addSeparator()
        view_menu.addAction(self.presenter.action)
        help_menu = bar.addMenu("&Help")
        self.lesson_action = action("&Lesson", lambda: self.open_lesson(), "F1",
                                    "A guided lesson through the seed's story, in the app, one page at a time")
        help_menu.addAction(self.lesson_action)
        self.lesson = None                     # the lesson's dock, made when first opened
        self.about_action = action("&About aegui", self.show_about,
                                   tip="What aegui is, and the versions to quote in a bug report")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.about_action)
        self.about_dialog = None
        self.files.show_recent_in(self.recent_menu)

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
        for dock in self.docks.values():  # a tab brought forward draws, and asks for what it draws
            dock.visibilityChanged.connect(lambda visible, dock=dock: visible and self._revealed(dock))
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
        """Draw ``snapshot`` everywhere: while training in three turns of the event loop, so that it
        runs between them: the network view's update now, its repaint :data:`PAINT_AFTER_MS` later, the
        panels (and their repaints) :data:`PANELS_AFTER_MS` later; otherwise all at once."""
        self.snapshot = snapshot
        running = snapshot.state == State.RUNNING
        if self._frames_to_freeze and running:
            self._frames_to_freeze -= 1
            if not self._frames_to_freeze:
                gc.collect()
                gc.freeze()
        if running:  # its repaint in a later turn of the event loop (not a 0 ms timer: a posted event, run first)
            self.network_view.hold_paint()
            QTimer.singleShot(PAINT_AFTER_MS, self.network_view, self.network_view.paint_now)  # not after it is gone
        self.network_view.show_snapshot(snapshot)
        self._panels_pending = snapshot
        if not running:
            self._panels_timer.stop()
            self._show_panels()
        elif not self._panels_timer.isActive():
            self._panels_timer.start()

    def _show_panels(self) -> None:
        snapshot, self._panels_pending = self._panels_pending, None
        if snapshot is None:
            return
        self.charts_panel.show_snapshot(snapshot)
        self.timeline_bar.show_snapshot(snapshot)
        self.training_panel.show_snapshot(snapshot)
        self.readout_panel.show_snapshot(snapshot)
        self.formula_panel.show_snapshot(snapshot)
        self.codes_panel.show_snapshot(snapshot)
        self.weights_panel.show_snapshot(snapshot)
        self._maybe_request_insight()
        self.snapshotShown.emit(snapshot)

    def _revealed(self, dock: QDockWidget) -> None:
        """``dock`` came into view (its tab was chosen): its panel draws what came while it was not."""
        panel = self._panels[dock.objectName()]
        if hasattr(panel, "revealed"):
            panel.revealed()
        self._maybe_request_insight()

    def panel_shown(self, panel: QWidget) -> None:
        """``panel`` came into view outside its dock (presenter mode's full-screen views): it draws what
        came while it was not, and gets a fresh insight when it shows one."""
        if hasattr(panel, "revealed"):
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

    # ------------------------------------------------------------------ files
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
        self.training_panel.set_delay(p.pace_s)
        self.charts_panel.set_caption(p.caption)
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

    # ------------------------------------------------------------------ recording
    def toggle_recording(self) -> None:
        """File ▸ Record…: the dialog, or, while recording, stop and save."""
        if self.recorder is not None:
            self.stop_recording()
            return
        from .record_dialog import RecordDialog

        start = str(self.settings.value("record_path", "", type=str)
                    or os.path.join(self.start_folder(), "aegui-recording.gif"))
        dpr = self.devicePixelRatioF()
        self.record_dialog = RecordDialog(self.network_view.size() * dpr, self.size() * dpr, start, self)
        self.record_dialog.accepted.connect(lambda: self.start_recording(self.record_dialog.choice()))
        self.record_dialog.open()

    def start_recording(self, choice) -> bool:
        """Record ``choice`` (a :class:`~aegui.qt.record_dialog.RecordingChoice`) until
        :meth:`stop_recording`; the red indicator shows the time. ``False`` (and a message) when it
        cannot start."""
        from ..core.animation import AnimationError
        from .recorder import Recorder, fit_within

        widget = self.network_view if choice.view == "network" else self
        size = fit_within(widget.size() * self.devicePixelRatioF(), choice.limit)
        try:
            self.recorder = Recorder(widget, choice.path, choice.fps, (size.width(), size.height()), self)
        except AnimationError as exc:
            self.report_error(f"Cannot record:\n{exc}")
            return False
        self.settings.setValue("record_path", choice.path)
        self.recorder.ticked.connect(self._show_recording_time)
        self.recorder.limitReached.connect(lambda: self.statusBar().showMessage(
            "the recording reached its memory limit (1 GB of frames) and was saved", 15000))
        self.recorder.saved.connect(self._recording_saved)
        self.recorder.failed.connect(self._recording_failed)
        self.record_action.setText("Stop &recording")
        self._show_recording_time(0.0)
        self.rec_indicator.show()
        self.recorder.start()
        return True

    def stop_recording(self) -> None:
        """Stop the recording and write its file (atomically)."""
        if self.recorder is None:
            return
        if self.recorder.recording:
            self.statusBar().showMessage(f"saving {self.recorder.writer.path}…")
            self.recorder.stop()  # saved or failed: _recording_over
        else:
            self._recording_over()

    def _recording_over(self) -> None:
        if self.recorder is not None:
            self.recorder.deleteLater()
        self.recorder = None
        self.rec_indicator.hide()
        self.record_action.setText("&Record…")

    def _show_recording_time(self, seconds: float) -> None:
        text = f"● REC {int(seconds) // 60}:{int(seconds) % 60:02d}"
        if self.rec_indicator.text() != text:
            self.rec_indicator.setText(text)

    def _recording_saved(self, path: str) -> None:
        self._recording_over()
        self.statusBar().showMessage(f"recorded {path}", 10000)

    def _recording_failed(self, text: str) -> None:
        self._recording_over()
        self.report_error(f"The recording was not saved:\n{text}")

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

    # ------------------------------------------------------------------ recent files, title, layout
    def update_title(self) -> None:
        self.setWindowTitle(f"{self.session_name}[*] — aegui")
        self.setWindowModified(self.doc.dirty or self.trained_since_save)

    def _arrange_docks(self) -> None:
        """The default arrangement, then the saved layout over it. Done when the window is first shown:
        Qt 6.11 leaves a stray copy of a tab bar drawn over the docks when they are tabified before."""
        # the story reads left to right: data → network → training and its error curves
        self.splitDockWidget(self.docks["Training"], self.docks["Charts"], Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.docks["Training"], self.docks["Model"])
        self.tabifyDockWidget(self.docks["Training"], self.docks["Steps"])
        group = ("Charts", "Readout", "User", "New user", "Hidden units", "Latent space", "Weights", "Compare")
        for before, name in zip(group, group[1:]):
            self.tabifyDockWidget(self.docks[before], self.docks[name])
        self.docks["Training"].raise_()
        self.docks[self._first_panel].raise_()
        self._restore_layout()

    def _default_size(self) -> QSize:
        """:data:`DEFAULT_SIZE`, within 95 % of the screen's free area on a real screen."""
        size = QSize(*DEFAULT_SIZE)
        screen = self.screen()
        if screen is not None and screen.availableGeometry().width() >= 1024:
            free = screen.availableGeometry().size() * 0.95
            size = size.boundedTo(free)
        return size

    def _restore_layout(self) -> None:
        """The saved layout, or the default proportions: the network view gets the most room."""
        geometry = self.settings.value("geometry")
        state = self.settings.value("window_state")
        self.layout().activate()  # the minimum size of the docks as now arranged, not before
        if not isinstance(geometry, QByteArray) or not self.restoreGeometry(geometry):
            self.resize(self._default_size())
        if isinstance(state, QByteArray) and self.restoreState(state):
            return
        self.resizeDocks([self.docks["Data"], self.docks["Training"]], [360, 440], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["Training"], self.docks["Charts"]], [220, 680], Qt.Orientation.Vertical)

    # ------------------------------------------------------------------ Qt events
    def showEvent(self, event) -> None:
        if not self._arranged:
            self._arranged = True
            self._arrange_docks()
        super().showEvent(event)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_path(urls[0]))

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.stop_recording()  # what was recorded is saved
        self.presenter.leave()  # the normal layout is the one saved
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.compare_panel.shutdown()
        self.controller.shutdown()
        event.accept()
