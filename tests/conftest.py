"""Shared test set-up: Qt renders offscreen and no test touches the user's settings."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory):
    """QSettings write into a temporary folder for every test (only when Qt is in use)."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # pragma: no cover - the core tests run without Qt too
        yield
        return
    folder = str(tmp_path_factory.mktemp("settings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


# ---------------------------------------------------------------------- the main window, for GUI tests
TIMEOUT = 20_000


@pytest.fixture
def messages(monkeypatch):
    """Capture warnings instead of showing modal boxes; answer questions with Discard/Yes."""
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a: QMessageBox.StandardButton.Discard
                        if "Save" in text else QMessageBox.StandardButton.Yes)
    return shown


@pytest.fixture
def window(qtbot, tmp_path, messages):
    """The main window on the default preset, its network built."""
    from PySide6.QtCore import QSettings

    from aegui.qt.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.snapshot is not None, timeout=TIMEOUT)
    yield w
    w.controller.shutdown()


def wait_state(qtbot, w, state):
    qtbot.waitUntil(lambda: w.controller.state == state, timeout=TIMEOUT)


@pytest.fixture
def view(qtbot):
    """A network view on its own, shown."""
    from aegui.qt.network import NetworkView

    v = NetworkView()
    qtbot.addWidget(v)
    v.resize(1100, 640)
    v.show()
    qtbot.waitExposed(v)
    return v
