"""The window opening hostile files: every kind gets a message naming what and where, and the document,
the grid, the model and the trainer stay exactly as they were; reading happens off the GUI thread."""

from __future__ import annotations

import os
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QProgressDialog, QPushButton

from conftest import TIMEOUT


def _fifo(path):
    os.mkfifo(path)


BAD = {
    "empty": ("bad.csv", b"", "empty"),
    "binary": ("bad.csv", b"\x00\x01\x02binary", "binary"),
    "utf-16": ("bad.csv", "user,A\nann,4\n".encode("utf-16"), "utf-16"),
    "out of range": ("bad.csv", b"user,A,B\nann,4,9\n", "bad.csv:2:3: rating 9"),
    "not a number": ("bad.csv", b"user,A,B\nann,4,good\n", "bad.csv:2:3"),
    "nan": ("bad.csv", b"user,A,B\nann,4,nan\n", "bad.csv:2:3"),
    "header only": ("bad.csv", b"user,A,B\n", "no user rows"),
    "huge field": ("bad.csv", b"user,A\nann," + b"4" * 200_000 + b"\n", "bad.csv:2"),
    "movielens negative id": ("u.data", b"-1\t1\t4\t0\n", "u.data:1"),
    "movielens half-line": ("u.data", b"1\t1\n", "u.data:1"),
    "ratings.csv bad rating": ("ratings.csv", b"userId,movieId,rating,timestamp\n1,1,7,0\n", "ratings.csv:2"),
    "fifo": ("pipe.csv", _fifo, "not a regular file"),
    "folder": ("folder.csv", os.mkdir, "is a folder"),
    "truncated session": ("bad.aegui", b"PK\x03\x04trunc", "bad.aegui"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_each_kind_of_bad_file_gives_a_message_and_changes_nothing(qtbot, window, tmp_path, messages, kind):
    name, content, needle = BAD[kind]
    path = tmp_path / name
    if callable(content):
        content(str(path))
    else:
        path.write_bytes(content)
    doc, ratings, model, training = window.doc, window.doc.ratings, window.doc.model, window.doc.training
    info, title = window.controller.info, window.windowTitle()
    assert not window.open_path(str(path))
    assert messages and needle.lower() in messages[-1].lower(), messages[-1]
    assert name in messages[-1]
    assert window.doc is doc and doc.ratings is ratings and doc.model is model and doc.training is training
    assert window.controller.info is info and window.windowTitle() == title


def _blocking_reader(monkeypatch, release: threading.Event, started: threading.Event):
    import aegui.core.data.readers as readers

    real = readers.load_ratings

    def slow(path, *args, **kwargs):
        started.set()
        release.wait(30)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(readers, "load_ratings", slow)


def test_a_slow_read_keeps_the_window_responsive_and_then_opens(qtbot, window, tmp_path, messages, monkeypatch):
    from aegui.core.data.readers import write_csv_grid
    from aegui.core.data.demo import load_demo

    path = tmp_path / "toy.csv"
    write_csv_grid(load_demo("seed-toy"), str(path))
    release, started = threading.Event(), threading.Event()
    _blocking_reader(monkeypatch, release, started)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    QTimer.singleShot(600, release.set)                      # the GUI thread must run to fire this
    assert window.open_path(str(path))
    timer.stop()
    assert started.is_set() and len(ticks) >= 20             # the event loop ran all along the read
    assert window.doc.ratings.n_users == load_demo("seed-toy").n_users and window.session_name == "toy.csv"


def test_cancelling_a_slow_read_keeps_the_document(qtbot, window, tmp_path, messages, monkeypatch):
    from aegui.core.data.readers import write_csv_grid
    from aegui.core.data.demo import load_demo

    path = tmp_path / "toy.csv"
    write_csv_grid(load_demo("seed-toy"), str(path))
    release, started = threading.Event(), threading.Event()
    _blocking_reader(monkeypatch, release, started)
    doc, ratings = window.doc, window.doc.ratings
    seen = []

    def cancel():
        dialogs = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
        if not dialogs:
            QTimer.singleShot(50, cancel)
            return
        seen.append(dialogs[0].labelText())
        button = dialogs[0].findChild(QPushButton)
        assert button.text() == "Cancel"
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(100, cancel)
    try:
        assert not window.open_path(str(path))
    finally:
        release.set()
    assert seen and "toy.csv" in seen[0]                     # the busy dialog named the file
    assert window.doc is doc and doc.ratings is ratings and not messages
    assert "cancelled" in window.statusBar().currentMessage()
    qtbot.wait(100)                                          # the abandoned read finishing later changes nothing
    assert window.doc.ratings is ratings


@pytest.mark.parametrize("values", [
    {"geometry": "garbage", "window_state": 12345, "recent": "not a list", "last_dir": "/no/such/folder",
     "last_model": '{"kind": "basic", "hidden": [20000, 20000, 20000]}', "last_training": "[" * 5000},
    {"geometry": b"\x00" * 40, "window_state": [1, 2], "recent": [3, "", "/x\0y"],
     "last_model": '{"kind": "nonsense"}', "last_training": '{"lr": "fast"}'},
])
def test_a_hostile_settings_file_starts_on_the_defaults(qtbot, tmp_path, messages, values):
    from PySide6.QtCore import QSettings

    from aegui.core.presets import DEFAULT_PRESET, get_preset
    from aegui.qt.file_actions import MAX_RECENT
    from aegui.qt.main_window import MainWindow

    path = str(tmp_path / "settings.ini")
    settings = QSettings(path, QSettings.Format.IniFormat)
    for key, value in values.items():
        settings.setValue(key, value)
    settings.sync()
    w = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    try:
        qtbot.waitUntil(lambda: w.snapshot is not None, timeout=TIMEOUT)
        preset = get_preset(DEFAULT_PRESET)
        assert w.doc.model == preset.model and w.doc.training == preset.training
        assert w.width() > 400 and w.height() > 300                  # the default layout, not a broken one
        assert all(isinstance(p, str) and p and "\0" not in p for p in w.recent_files())
        assert len(w.recent_files()) <= MAX_RECENT and os.path.isdir(w.start_folder())
    finally:
        w.controller.shutdown()
