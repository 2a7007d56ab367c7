"""The main window driven as a user would: keys, buttons, dialogs (stubbed), files, the trainer's process."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QGraphicsView

from aegui.core.data.readers import write_csv_grid
from aegui.core.engine.spec import KINDS
from aegui.qt.main_window import MainWindow
from conftest import TIMEOUT, wait_state

def test_starts_on_the_demo_with_a_network_ready(window):
    s = window.snapshot
    assert s.sizes[0] == window.doc.ratings.n_movies and s.step == 0
    from aegui.core.presets import DEFAULT_PRESET, get_preset

    assert window.windowTitle() == f"{get_preset(DEFAULT_PRESET).title}[*] — aegui"   # the document's name
    assert not window.isWindowModified()
    assert window.training_panel.play_action.isEnabled()


class _PaintWatcher(QObject):
    def __init__(self, seen: list):
        super().__init__()
        self.seen = seen

    def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.seen.append(obj)
        return False


def test_play_pause_and_step_with_the_keyboard(qtbot, window):
    window.model_panel.epochs.setValue(100_000)  # long enough to be paused while running
    qtbot.mouseClick(window.model_panel.apply_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.training_panel.play_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, window, "running")
    qtbot.waitUntil(lambda: window.snapshot.step > 20, timeout=TIMEOUT)
    # live frames: the network view repaints a turn after its update, then repaints on changes again
    painted = []
    watcher = _PaintWatcher(painted)
    window.network_view.graphics.viewport().installEventFilter(watcher)
    qtbot.waitUntil(lambda: len(painted) >= 3, timeout=TIMEOUT)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # pause
    wait_state(qtbot, window, "paused")
    qtbot.wait(200)
    assert window.network_view.graphics.viewportUpdateMode() == QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate
    steps, position = window.snapshot.step, window.snapshot.position
    window.controller.request_snapshot()
    qtbot.wait(300)
    assert window.snapshot.step == steps  # nothing trains while paused
    qtbot.keyClick(window, Qt.Key.Key_Right)  # one observation
    qtbot.waitUntil(lambda: window.snapshot.position != position or window.snapshot.step > steps, timeout=TIMEOUT)
    assert window.snapshot.trace is not None  # the observation's pass is traced
    assert window.isWindowModified()  # trained since the last save


def test_every_type_can_be_picked_and_trained(qtbot, window):
    panel = window.model_panel
    for kind in KINDS:
        panel.kind.setCurrentIndex(KINDS.index(kind))
        panel.hidden.setText("14" if kind in ("overcomplete", "sparse") else "6,3")
        panel.deep_pretrain.setValue(1)
        panel.pretrain_epochs.setValue(1)
        old = window.controller.info
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.controller.info is not None and window.controller.info is not old
                        and window.training_panel.step_batch_action.isEnabled(), timeout=TIMEOUT)
        assert window.controller.info["model"].kind == kind
        window.training_panel.step_batch_action.trigger()
        qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.step >= 1, timeout=TIMEOUT)
        assert window.doc.model.kind == kind
        assert panel.groups["sparse"].isVisibleTo(panel) == (kind == "sparse")


def test_invalid_settings_are_refused_in_the_panel(qtbot, window):
    panel = window.model_panel
    before = window.doc.model
    panel.hidden.setText("")
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "hidden" in panel.note.text()
    assert window.doc.model == before


def test_training_settings_apply_without_a_new_network(qtbot, window):
    window.training_panel.step_batch_action.trigger()
    qtbot.waitUntil(lambda: window.snapshot.step >= 1, timeout=TIMEOUT)
    info = window.controller.info
    window.model_panel.lr.setValue(0.02)
    qtbot.mouseClick(window.model_panel.apply_button, Qt.MouseButton.LeftButton)
    assert window.doc.training.lr == 0.02
    qtbot.waitUntil(lambda: window.controller.session("check").training.lr == 0.02, timeout=TIMEOUT)
    assert window.controller.info is info  # no new network: the same weights go on training


def test_save_and_reopen_find_everything_equal(qtbot, window, tmp_path, monkeypatch):
    window.training_panel.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: window.snapshot.epoch >= 1, timeout=TIMEOUT)
    wait_state(qtbot, window, "paused")
    saved_weights = [w.copy() for w in window.snapshot.weights]
    saved_ratings = window.doc.ratings
    saved_test = window.doc.test_mask.copy()
    path = str(tmp_path / "work.aegui")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (path, SESSION_FILTER))
    assert window.save_as()
    assert not window.isWindowModified() and "work" in window.windowTitle()

    window.new_document()
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.step == 0, timeout=TIMEOUT)
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.step > 0, timeout=TIMEOUT)
    for a, b in zip(window.snapshot.weights, saved_weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(window.doc.ratings.values, saved_ratings.values)
    np.testing.assert_array_equal(window.doc.test_mask, saved_test)
    assert window.doc.ratings.movie_titles == saved_ratings.movie_titles


SESSION_FILTER = "aegui sessions (*.aegui)"


@pytest.mark.parametrize("content,needle", [
    ("user,A,B\nann,4,9\n", "bad.csv:2:3: rating 9"),
    ("", "empty"),
    (b"\x00\x01\x02binary", "binary"),
])
def test_bad_files_give_a_message_and_change_nothing(qtbot, window, tmp_path, messages, content, needle):
    path = tmp_path / "bad.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = window.doc.ratings
    info = window.controller.info
    assert not window.open_path(str(path))
    assert messages and needle in messages[-1].lower()
    assert window.doc.ratings is before and window.controller.info is info


def test_open_a_csv_grid_through_the_dialog(qtbot, window, tmp_path, monkeypatch):
    from aegui.core.data.demo import load_demo

    toy = load_demo("seed-toy")
    path = str(tmp_path / "toy.csv")
    write_csv_grid(toy, path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (path, ""))
    window.open_action.trigger()
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.sizes[0] == toy.n_movies, timeout=TIMEOUT)
    assert window.doc.ratings.movie_titles == toy.movie_titles
    assert window.settings.value("recent", [], type=list)[0] == path


def test_editing_a_weight_is_undoable(qtbot, window):
    window.network_view.parameterEditRequested.emit(0, "weight", 1, 2, 0.625)
    qtbot.waitUntil(lambda: window.snapshot.weights[0][1, 2] == np.float32(0.625), timeout=TIMEOUT)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.snapshot.weights[0][1, 2] != np.float32(0.625), timeout=TIMEOUT)
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: window.snapshot.weights[0][1, 2] == np.float32(0.625), timeout=TIMEOUT)


def test_closing_mid_training_ends_the_process(qtbot, window):
    window.model_panel.epochs.setValue(100_000)
    qtbot.mouseClick(window.model_panel.apply_button, Qt.MouseButton.LeftButton)
    window.training_panel.play_action.setChecked(True)
    wait_state(qtbot, window, "running")
    process = window.controller.remote.process
    window.trained_since_save = False
    window.doc.mark_saved()
    window.close()
    assert not process.is_alive() and process.exitcode == 0  # it stopped and ended by itself


def test_first_paint_does_not_wait_for_torch(tmp_path):
    """The window is built and painted before torch is imported (that happens in the trainer's process)."""
    code = ("import sys, time; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
            "from aegui.qt.main_window import MainWindow; w = MainWindow(); w.show(); w.repaint();"
            "print('torch' in sys.modules); w.controller.shutdown()")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_screenshot_command_writes_a_png(tmp_path):
    png = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "main.py", "--screenshot", str(png), "--train-seconds", "0.5",
                          "--show", "User"],
                         capture_output=True, text=True, timeout=180, env=env,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.returncode == 0, out.stderr
    assert png.stat().st_size > 10_000
    assert not (tmp_path / ".config" / "aegui").exists()  # the user's settings were not touched


@pytest.mark.parametrize("content", [b"user,movie\n1,abc,zz\n", b"PK\x03\x04 not really a zip"])
def test_screenshot_of_a_bad_file_exits_2_without_waiting_on_a_dialog(tmp_path, content):
    bad = tmp_path / ("bad.csv" if content.startswith(b"user") else "bad.aegui")
    bad.write_bytes(content)
    png = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "main.py", "--screenshot", str(png), "--open", str(bad)], capture_output=True,
                         text=True, timeout=120, env=env,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.returncode == 2, out.stderr
    assert "aegui: error: Could not open " + bad.name in out.stderr
    assert not png.exists()
    assert not list(tmp_path.glob("aegui-*"))   # the screenshot's own settings folder is gone too


def test_remote_trainer_pause_cancels_a_pending_play(qtbot):
    """Play then pause at once: the pause wins, even before the child has started the run."""
    from aegui.core.data.demo import load_demo
    from aegui.core.engine import protocol as p
    from aegui.core.engine.remote import RemoteTrainer
    from aegui.core.engine.spec import ModelSpec, TrainSpec

    remote = RemoteTrainer()
    try:
        remote.send(p.Build(load_demo("seed-toy"), None, ModelSpec(hidden=(3,)), TrainSpec(epochs=1_000_000)))
        remote.send(p.Run())
        remote.send(p.Pause())
        remote.send(p.RequestSnapshot())
        states = []
        qtbot.waitUntil(lambda: states.extend(m for m in remote.messages()
                                              if isinstance(m, (p.StateChanged, p.SnapshotReady)))
                        or any(isinstance(m, p.SnapshotReady) for m in states), timeout=TIMEOUT)
        qtbot.wait(300)
        states.extend(remote.messages())
        last_state = [m for m in states if isinstance(m, p.StateChanged)][-1]
        assert last_state.state in (p.State.READY, p.State.PAUSED)   # never running
    finally:
        assert remote.close()


def test_play_after_an_edit_rebuilds_and_trains_on_the_new_data(qtbot, window):
    user, movie = 0, 1
    window.doc.set_cells([user], [movie], [5.0])
    assert window.stale
    window.training_panel.play_action.setChecked(True)
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.step > 0
                    and not window.stale, timeout=TIMEOUT)
    window.training_panel.play_action.setChecked(False)
    session = window.controller.session("check")
    assert session.ratings.value_at(user, movie) == 5.0  # the trainer holds the edited grid


def test_every_control_has_a_tooltip(window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit, QToolButton

    missing, checked = [], 0
    for cls in (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractSlider, QLineEdit):
        for widget in window.findChildren(cls):
            if not widget.isVisibleTo(window) or widget.parent().inherits("QAbstractSpinBox"):
                continue
            tip = widget.toolTip()
            if not tip and isinstance(widget, QToolButton) and widget.defaultAction() is not None:
                tip = widget.defaultAction().toolTip()
            if not tip and (widget.inherits("QScrollBar") or widget.inherits("QDockWidget")
                            or widget.objectName().startswith("qt_") or widget.parent().inherits("QTabBar")
                            or widget.parent().inherits("QDockWidget") or widget.inherits("QTableCornerButton")):
                continue
            checked += 1
            if not tip:
                missing.append(f"{type(widget).__name__} {widget.text() if hasattr(widget, 'text') else ''!r}")
    assert checked > 25 and not missing, (checked, missing)


def test_seed_example_preset_shows_the_seeds_numbers(qtbot, tmp_path, messages):
    """``--preset seed-example``: the seed's exact 4-2-4 weights; user 1 = [1,0,0,0] gives hidden
    [1, 1] and output [2, 0, 0, −2], as the seed document computes."""
    w = MainWindow("seed-example", settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    try:
        qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.trace is not None, timeout=TIMEOUT)
        tr = w.snapshot.trace
        np.testing.assert_array_equal(tr.x, [1, 0, 0, 0])
        np.testing.assert_array_equal(tr.post[0], [1, 1])
        np.testing.assert_array_equal(tr.post[1], [2, 0, 0, -2])
        np.testing.assert_array_equal(w.snapshot.weights[0], [[1, 1, -1, -1], [1, -1, 1, -1]])
    finally:
        w.controller.shutdown()


def test_readout_panel_softmax_temperature_and_bias_toggle(qtbot, tmp_path, messages):
    """The seed's readout: softmax(y/T) of [2,0,0,−2] at T = 1, the arg-max as T → 0, each one-hot user
    stepped through, and the bias toggle moving the reconstruction (undoable)."""
    from aegui.core.engine.readout import softmax
    from aegui.qt.readout_panel import temperature_position

    w = MainWindow("seed-example", settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    panel = w.readout_panel
    w.docks["Readout"].raise_()
    try:
        qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.trace is not None, timeout=TIMEOUT)
        np.testing.assert_allclose(sorted(panel.softmax_shown(), reverse=True),
                                   sorted(softmax([2, 0, 0, -2]), reverse=True), atol=5e-5)
        panel.temperature.setValue(temperature_position(0.01))
        assert max(panel.softmax_shown()) == 1.0  # the arg-max limit
        panel.observation.setValue(3)  # user 3 = [0, 0, 1, 0] reconstructs itself too
        qtbot.waitUntil(lambda: w.snapshot.trace.observation == 2, timeout=TIMEOUT)
        assert np.argmax(w.snapshot.trace.post[-1]) == 2
        panel.observation.setValue(1)
        qtbot.waitUntil(lambda: w.snapshot.trace.observation == 0, timeout=TIMEOUT)
        panel.bias.setChecked(True)
        qtbot.waitUntil(lambda: w.snapshot.biases[-1][1] == 3.0, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: np.argmax(w.snapshot.trace.post[-1]) == 1, timeout=TIMEOUT)  # the bias wins
        panel.bias.setChecked(False)
        qtbot.waitUntil(lambda: w.snapshot.biases[-1][1] == 0.0, timeout=TIMEOUT)
    finally:
        w.controller.shutdown()


def test_steps_panel_substitutes_the_selected_nodes_numbers(qtbot, tmp_path, messages):
    """Click-select a node: the panel writes that node's engine numbers into the seed's formulas."""
    w = MainWindow("seed-example", settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    try:
        qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.trace is not None, timeout=TIMEOUT)
        w.docks["Steps"].raise_()  # a hidden tab draws only when shown
        panel = w.formula_panel
        qtbot.waitUntil(lambda: "observation" in panel.text.toPlainText(), timeout=TIMEOUT)
        assert "Step 3" not in panel.text.toPlainText() and "encoding" in panel.text.toPlainText()  # the steps, in general
        w.network_view.nodeSelected.emit(2, 0)  # output movie 1 of user 1: y = 2, x = 1
        text = panel.text.toPlainText()
        assert "Step 4" in text and "y = identity(a) = identity(2) = 2\n" in text
        assert "e = y − x = 2 − 1 = 1;" in text
        w.network_view.nodeSelected.emit(1, 1)  # hidden unit 2: a = 1·1 + 0 = 1
        text = panel.text.toPlainText()
        assert "Step 3" in text and "identity(1) = 1\n" in text
        w.network_view.nodeSelected.emit(0, 2)  # movie 3 is not rated by user 1
        assert "left out of the loss" in panel.text.toPlainText()
    finally:
        w.controller.shutdown()


def test_an_edit_of_the_data_keeps_the_training_history(qtbot, window):
    window.training_panel.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: len(window.snapshot.history.epoch_train_rmse) == 1, timeout=TIMEOUT)
    steps = window.snapshot.step
    window.doc.set_cells([2], [3], [4.0])
    window.training_panel.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: not window.stale and len(window.snapshot.history.epoch_train_rmse) == 2,
                    timeout=TIMEOUT)
    assert window.snapshot.step > steps            # the count goes on: the same network, edited data
    assert window.controller.session("check").ratings.value_at(2, 3) == 4.0


def test_the_last_settings_are_remembered_for_the_next_start(qtbot, window, tmp_path):
    panel = window.model_panel
    panel.kind.setCurrentIndex(KINDS.index("denoising"))
    panel.hidden.setText("5,2")
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.built and window.doc.model.kind == "denoising", timeout=TIMEOUT)
    window.controller.shutdown()
    again = MainWindow(settings=window.settings)   # the next start, same settings file
    qtbot.addWidget(again)
    try:
        assert again.doc.model.kind == "denoising" and again.doc.model.hidden == (5, 2)
        assert again.doc.training == window.doc.training
    finally:
        again.controller.shutdown()
    window.settings.setValue("last_model", "{not json")   # a damaged entry: the defaults, no error
    third = MainWindow(settings=window.settings)
    qtbot.addWidget(third)
    try:
        assert third.doc.model.kind == "basic"
    finally:
        third.controller.shutdown()
