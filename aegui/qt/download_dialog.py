"""File ▸ Download MovieLens…: choose a GroupLens set, read its licence, download it on a thread.

The download itself is :func:`aegui.core.data.fetch.fetch_movielens` (pooch: MD5-checked, unpacked into
the cache folder, nothing left behind on failure); it runs on a :class:`QThread`, so the window stays
responsive, and reports progress through queued signals. Cancel stops it at the next chunk. A failure is
shown in the dialog as the message :class:`FetchError` carries (what failed and how to do it by hand).
"""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QProgressBar, QVBoxLayout,
                               QWidget)

from ..core.data.fetch import (MOVIELENS_SETS, FetchCancelled, FetchError, Progress, default_dir, fetch_movielens,
                               licence_text, ratings_path)


class FetchThread(QThread):
    """Runs one :func:`fetch_movielens`; read :attr:`path`, :attr:`error` or :attr:`cancelled` once it has
    finished."""

    progressed = Signal(int, int)  # kB done, kB in all (0: unknown)

    def __init__(self, name: str, directory: str | os.PathLike | None = None, url: str | None = None,
                 parent=None):
        super().__init__(parent)
        self.name, self.directory, self.url = name, directory, url
        self.cancel = threading.Event()
        self.path: str | None = None
        self.error: str | None = None
        self.cancelled = False

    def run(self) -> None:
        progress = Progress(lambda done, total: self.progressed.emit(done // 1024, total // 1024), self.cancel)
        try:
            self.path = str(fetch_movielens(self.name, self.directory, url=self.url, progress=progress))
        except FetchCancelled:
            self.cancelled = True
        except FetchError as exc:
            self.error = str(exc)
        except Exception as exc:  # pragma: no cover - fetch_movielens words every failure as FetchError
            self.error = f"could not fetch {self.name}: {type(exc).__name__}: {exc}"


class DownloadDialog(QDialog):
    """Pick a set, read the licence, Download; :attr:`downloaded` carries the ratings file's path (and the
    dialog is accepted with :attr:`path` set)."""

    downloaded = Signal(str)

    def __init__(self, parent: QWidget | None = None, directory: str | os.PathLike | None = None,
                 url: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Download MovieLens")
        self.directory = directory
        self.url = url
        self.path: str | None = None
        self.worker: FetchThread | None = None  # not `thread`: QObject.thread()
        self._close_when_stopped = False

        self.combo = QComboBox()
        for s in MOVIELENS_SETS.values():
            self.combo.addItem(f"{s.title} ({s.name}), {s.size}", s.name)
        self.licence = QLabel()
        self.licence.setWordWrap(True)
        self.licence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder = QLabel()
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.download_button = self.buttons.addButton("&Download", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.download_button.setDefault(True)

        form = QFormLayout()
        form.addRow("Data set:", self.combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.licence)
        layout.addWidget(self.folder)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.combo.currentIndexChanged.connect(self._show_choice)
        self.download_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)
        self._show_choice()

    @property
    def name(self) -> str:
        return self.combo.currentData()

    @property
    def running(self) -> bool:
        return self.worker is not None

    def _show_choice(self) -> None:
        self.licence.setText(licence_text(self.name) + "\n\nBy downloading you accept these terms.")
        target = ratings_path(self.name, self.directory if self.directory is not None else default_dir())
        there = " (already downloaded: it opens at once)" if target.is_file() else ""
        self.folder.setText(f"Unpacked into {target.parent.parent}; opens {target.name}{there}.")
        self.status.clear()

    # ------------------------------------------------------------------ the download
    def start(self) -> None:
        if self.running:
            return
        self.worker = FetchThread(self.name, self.directory, self.url, self)
        self.worker.progressed.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.combo.setEnabled(False)
        self.download_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the size is known
        self.progress.setVisible(True)
        self.status.setStyleSheet("")
        self.status.setText(f"Downloading {self.name}…")
        self.worker.start()

    def _on_progress(self, done_kb: int, total_kb: int) -> None:
        if total_kb > 0:
            self.progress.setRange(0, total_kb)
            self.progress.setValue(min(done_kb, total_kb))
            self.status.setText(f"Downloading {self.name}… {done_kb / 1024:.1f} of {total_kb / 1024:.1f} MB")
        else:
            self.status.setText(f"Downloading {self.name}… {done_kb / 1024:.1f} MB")

    def _on_finished(self) -> None:
        worker, self.worker = self.worker, None
        worker.wait()
        worker.deleteLater()
        self.progress.setVisible(False)
        self.combo.setEnabled(True)
        self.download_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        if self._close_when_stopped:
            self._close_when_stopped = False
            super().reject()
        elif worker.path is not None:
            self.path = worker.path
            self.status.setText(f"Downloaded: {self.path}")
            self.downloaded.emit(self.path)
            self.accept()
        elif worker.cancelled:
            self.status.setText("Download cancelled.")
        else:
            self.status.setStyleSheet("color: #b00020")
            self.status.setText(worker.error or "The download failed.")

    def reject(self) -> None:
        """Cancel (or Escape, or closing the dialog): a running download stops first, then the dialog closes."""
        if self.running:
            self.worker.cancel.set()
            self._close_when_stopped = True
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")
            return
        super().reject()


def download_movielens(parent: QWidget | None = None, directory: str | os.PathLike | None = None,
                       url: str | None = None) -> str | None:
    """Show the dialog (modal); the path of the downloaded ratings file, or ``None`` when cancelled."""
    dialog = DownloadDialog(parent, directory, url)
    try:
        return dialog.path if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
