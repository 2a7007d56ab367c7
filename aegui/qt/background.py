"""Blocking work (reading a ratings file or a session) kept off the GUI thread.

:func:`run_in_background` calls ``work()`` on a worker thread and waits for it in a local event loop, so
the window keeps painting and the trainer's frames keep arriving while a large or slow file is read
(a network share, a 10M-rating file). After ``delay_ms`` a window-modal busy dialog with Cancel
appears; Cancel returns at once with :class:`Cancelled` and the worker's eventual result is dropped
(a read cannot be interrupted, but nothing it returns is used). Exceptions raised by ``work`` are
raised again on the GUI thread, so callers handle them as if the call had been direct.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
#: how often the local loop looks at the worker (ms), and how long before the busy dialog shows
POLL_MS = 15
DELAY_MS = 400


class Cancelled(Exception):
    """The user cancelled the background work."""


def run_in_background(parent: QWidget, label: str, work: Callable[[], T], *, delay_ms: int = DELAY_MS) -> T:
    """``work()`` on a daemon thread; its value, or its exception re-raised here; :class:`Cancelled`
    when the busy dialog's Cancel was pressed first."""
    outcome: dict = {}
    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread as is
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="aegui-read", daemon=True).start()
    if not done.wait(0.05):  # most files are read before anything needs to show
        _wait(parent, label, done, delay_ms)
    if not done.is_set():
        raise Cancelled(label)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _wait(parent: QWidget, label: str, done: threading.Event, delay_ms: int) -> None:
    """Run a local event loop until ``done`` or Cancel, with a busy dialog after ``delay_ms``."""
    loop = QEventLoop()
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("aegui")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.hide()  # the dialog's own minimumDuration needs setValue calls a busy read cannot make
    dialog.canceled.connect(loop.quit)
    show = QTimer()
    show.setSingleShot(True)
    show.timeout.connect(dialog.show)
    show.start(delay_ms)
    poll = QTimer()
    poll.setInterval(POLL_MS)
    poll.timeout.connect(lambda: loop.quit() if done.is_set() or dialog.wasCanceled() else None)
    poll.start()
    loop.exec()
    poll.stop()
    show.stop()
    dialog.close()
    dialog.deleteLater()
