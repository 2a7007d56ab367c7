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
