"""Start the desktop application: ``run_app`` makes the one QApplication of the process, shows the main
window at once (torch is imported later, in the trainer's process) and, for ``--screenshot``, renders the
window to a PNG after optional training and exits; ``run_record`` (``aegui record``) records the window
training or stepping to an animation and exits."""

from __future__ import annotations

import os
import sys
import time


def _choose_platform(screenshot: bool) -> None:
    """Offscreen rendering when asked for a screenshot without a display."""
    if screenshot and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run_app(file: str | None = None, preset: str | None = None, screenshot: str | None = None,
            train_seconds: float = 0.0, show: tuple[str, ...] = (), lesson: int | str | None = None,
            presenter: bool = False) -> int:
    """``lesson``: open the guided lesson at that page (1-based), or ``"last"`` where it was left;
    ``presenter``: start in presenter mode."""
    _choose_platform(bool(screenshot))
    from PySide6.QtCore import QTimer

    from ..core.presets import DEFAULT_PRESET, PRESETS
    from .main_window import MainWindow

    if preset is not None and preset not in PRESETS:
        sys.stderr.write(f"aegui: error: unknown preset {preset!r}; choose one of {', '.join(PRESETS)}\n")
        return 2
    app = _application()
    if screenshot:  # the default layout, the user's settings left alone (and no folder left behind)
        import tempfile

        from PySide6.QtCore import QSettings

        with tempfile.TemporaryDirectory(prefix="aegui-") as folder:
            settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
            window = MainWindow(preset or DEFAULT_PRESET, settings=settings, scripted=True)
            code = _scripted(app, window, file, screenshot, train_seconds, show, lesson, presenter)
            _dispose(window)
            settings.sync()
            return code
    window = MainWindow(preset or DEFAULT_PRESET)
    window.show()
    if presenter:
        window.presenter.enter()
    if file:
        QTimer.singleShot(0, lambda: window.open_path(file))
    if lesson is not None:
        QTimer.singleShot(0, lambda: window.open_lesson(_lesson_index(lesson)))
    code = app.exec()
    _dispose(window)
    return code


def _lesson_index(lesson: int | str) -> int | None:
    """``--lesson N`` (1-based) as a page index; ``None`` for the page where the lesson was left."""
    return None if lesson == "last" else int(lesson) - 1


def _application():
    """The process's one QApplication, named, with its icon and the plots matched to its palette."""
    from PySide6.QtWidgets import QApplication

    from .. import __version__
    from .about_dialog import app_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("aegui")
    app.setOrganizationName("aegui")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("aegui")   # the installed desktop entry (its icon, on Wayland too)
    app.setWindowIcon(app_icon())
    match_plots_to_palette(app)
    return app


def _scripted(app, window, file: str | None, screenshot: str, train_seconds: float, show: tuple[str, ...],
              lesson: int | str | None = None, presenter: bool = False) -> int:
    """A screenshot run: nothing waits on a dialog; a file that cannot be opened ends it with status 2
    (the message is on stderr)."""
    unknown = [name for name in show if name not in window.docks]
    if unknown:
        sys.stderr.write(f"aegui: error: unknown panel {unknown[0]!r}; choose from {', '.join(window.docks)}\n")
        window.controller.shutdown()
        return 2
    window.show()
    if presenter:
        window.presenter.enter()
    if file and not window.open_path(file):
        window.controller.shutdown()
        window.close()
        return 2
    if lesson is not None:
        window.open_lesson(_lesson_index(lesson))
    return _screenshot(app, window, screenshot, train_seconds, show)


def match_plots_to_palette(app) -> None:
    """pyqtgraph's plots take the window's background and text colours (light or dark desktop)."""
    import pyqtgraph as pg
    from PySide6.QtGui import QPalette

    palette = app.palette()
    pg.setConfigOptions(background=palette.color(QPalette.ColorRole.Base),
                        foreground=palette.color(QPalette.ColorRole.Text))


def _wait(app, condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def _screenshot(app, window, path: str, train_seconds: float, show: tuple[str, ...] = ()) -> int:
    """Wait for the engine, train ``train_seconds``, pause, bring the ``show`` panels forward, draw the
    last snapshot (and what those panels ask the engine for), save the PNG."""
    c = window.controller
    if not _wait(app, lambda: c.built and window.snapshot is not None, 60):
        sys.stderr.write("aegui: the engine did not start within 60 s\n")
        return 1
    if window.lesson is not None:  # the lesson's page has driven the window
        _wait(app, lambda: not window.lesson.busy, 60)
    if train_seconds > 0:
        window.training_panel.play_action.setChecked(True)
        _wait(app, lambda: False, train_seconds)
        window.training_panel.play_action.setChecked(False)
        _wait(app, lambda: not c.running, 10)
    for name in show:
        window.docks[name].show()
        window.docks[name].raise_()
    last = window.snapshot
    c.request_snapshot()
    _wait(app, lambda: window.snapshot is not last, 2)
    _wait(app, lambda: False, 1.0 if show else 0.3)
    shown = window.presenter.screen if window.presenter.presenting else window
    ok = shown.grab().save(path)
    _close_quietly(window)
    if not ok:
        sys.stderr.write(f"aegui: could not write {path}\n")
        return 1
    print(path)
    return 0


def _close_quietly(window) -> None:
    """End a scripted run: the trainer's process stopped, the window closed without asking to save."""
    window.controller.shutdown()
    window.trained_since_save = False
    window.doc.mark_saved()
    window.close()


def _dispose(window) -> None:
    """Delete ``window`` and what closing it scheduled for deletion (presenter mode's window) while Qt
    is still up: left to the interpreter's exit, that crashed under X11."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


#: ``aegui record --steps``: Step observation (→) this often; the view walks steps 2–8 in
#: ``SINGLE_STEP_S`` (1.2 s), then the result stays on screen for the rest
STEP_EVERY_S = 2.0


def run_record(out: str, file: str | None = None, preset: str | None = None, seconds: float = 6.0,
               view: str = "network", fps: float = 15.0, size: tuple[int, int] | None = None,
               steps: bool = False) -> int:
    """``aegui record``: open the window (offscreen without a display) on ``file`` or ``preset``, lay
    out the ``view`` ("network" or "window") at ``size``, then record it for ``seconds`` while it trains
    (``steps``: while it walks steps 2–8 of one observation after another) and write ``out``. The
    arguments are checked by the caller (``aegui.cli``); returns the exit status."""
    _choose_platform(True)
    import tempfile

    from PySide6.QtCore import QSettings

    from ..core.presets import DEFAULT_PRESET
    from .main_window import MainWindow

    app = _application()
    with tempfile.TemporaryDirectory(prefix="aegui-") as folder:  # the user's settings left alone
        settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(preset or DEFAULT_PRESET, settings=settings, scripted=True)
        try:
            return _record(app, window, out, file, seconds, view, fps, size, steps)
        finally:
            _close_quietly(window)
            _dispose(window)
            settings.sync()


def _lay_out(app, window, target, size: tuple[int, int]) -> None:
    """Resize ``window`` so that ``target`` (it, or a widget in it) is ``size`` where the docks allow."""
    app.processEvents()
    extra = (window.width() - target.width(), window.height() - target.height())
    window.resize(size[0] + extra[0], size[1] + extra[1])
    _wait(app, lambda: False, 0.2)


def _record(app, window, out, file, seconds, view, fps, size, steps) -> int:
    from PySide6.QtCore import QTimer

    from .recorder import Recorder

    window.show()
    if file and not window.open_path(file):
        return 2
    c = window.controller
    if not _wait(app, lambda: c.built and window.snapshot is not None, 60):
        sys.stderr.write("aegui: the engine did not start within 60 s\n")
        return 1
    target = window.network_view if view == "network" else window
    if size is not None:
        _lay_out(app, window, target, size)
    _wait(app, lambda: False, 0.3)  # the first snapshot drawn at that size
    recorder = Recorder(target, out, fps, size)
    saved, failed = [], []
    recorder.saved.connect(saved.append)
    recorder.failed.connect(failed.append)
    stepper = QTimer()
    stepper.setInterval(round(1000 * STEP_EVERY_S))
    stepper.timeout.connect(window.training_panel.step_obs_action.trigger)
    recorder.start()
    if steps:
        window.training_panel.step_obs_action.trigger()
        stepper.start()
    else:
        window.training_panel.play_action.setChecked(True)
    _wait(app, lambda: not recorder.recording, seconds)  # it stops early at its memory limit
    stepper.stop()
    window.training_panel.play_action.setChecked(False)
    if recorder.recording:
        recorder.stop()
    if failed:
        sys.stderr.write(f"aegui: error: {failed[0]}\n")
        return 2
    print(saved[0])
    return 0
