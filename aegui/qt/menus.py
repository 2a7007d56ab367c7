"""The main window's menu bar and its actions (File, Edit, Train, View, Help), made by :func:`make_menus`."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from ..core.presets import PRESETS


def make_menus(window) -> None:
    """Make the actions of ``window`` (a :class:`~aegui.qt.main_window.MainWindow`), as its attributes
    (``new_action``, ``open_action``, …), and its menus; they call the window's slots and its
    :class:`~aegui.qt.file_actions.FileActions` (``window.files``)."""
    def action(text, slot, shortcut=None, tip=None):
        a = QAction(text, window)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setToolTip(tip or text)
        a.setStatusTip(tip or text)
        a.triggered.connect(slot)
        return a

    window.new_action = action("&New", window.new_document, QKeySequence.StandardKey.New,
                               "Start over on the demo data")
    window.open_action = action("&Open…", window.files.open_dialog, QKeySequence.StandardKey.Open,
                                "Open a session (.aegui) or a ratings file")
    window.save_action = action("&Save", window.files.save, QKeySequence.StandardKey.Save, "Save the session")
    window.save_as_action = action("Save &As…", window.files.save_as, QKeySequence.StandardKey.SaveAs,
                                   "Save the session as…")
    window.import_action = action("&Import ratings…", window.files.import_dialog, "Ctrl+I",
                                  "Import a CSV grid or MovieLens file (u.data, ratings.dat, ratings.csv)")
    window.export_action = action("&Export grid…", window.files.export_dialog, "Ctrl+E",
                                  "Write the grid as a CSV file")
    window.export_model_action = action("Export &model…", window.files.export_model_dialog, "Ctrl+Shift+E",
                                        "Write the trained network as a torch state dict (.pt) with a JSON "
                                        "description of its layers, loadable with plain torch")
    window.quit_action = action("&Quit", window.close, QKeySequence.StandardKey.Quit, "Quit aegui")
    window.undo_action = window.doc.undo_stack.createUndoAction(window, "&Undo")
    window.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
    window.redo_action = window.doc.undo_stack.createRedoAction(window, "&Redo")
    window.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence.StandardKey.Redo])

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    for a in (window.new_action, window.open_action, window.save_action, window.save_as_action):
        file_menu.addAction(a)
    window.recent_menu = file_menu.addMenu("Open &Recent")
    window.demos_menu = file_menu.addMenu("&Demos")
    window.demo_actions = {}
    for name, p in PRESETS.items():
        a = window.demos_menu.addAction(p.title)
        a.setToolTip(p.caption or p.title)
        a.triggered.connect(lambda _=False, n=name: window.open_preset(n))
        window.demo_actions[name] = a
    file_menu.addSeparator()
    file_menu.addAction(window.import_action)
    window.download_action = action("&Download MovieLens…", window.files.download_dialog,
                                    tip="Download a GroupLens MovieLens set (licence shown first) and open it")
    file_menu.addAction(window.download_action)
    file_menu.addAction(window.export_action)
    file_menu.addAction(window.export_model_action)
    window.record_action = window.recording.action
    file_menu.addAction(window.record_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(window.undo_action)
    edit_menu.addAction(window.redo_action)
    train_menu = bar.addMenu("&Train")
    for a in window.training_panel.actions_all:
        train_menu.addAction(a)
        window.addAction(a)  # shortcuts work wherever the focus is
    view_menu = bar.addMenu("&View")
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    # presenter mode (F11): full screen for a projector, in its own module
    from .presenter import PresenterMode

    window.presenter = PresenterMode(window)
    view_menu.addSeparator()
    view_menu.addAction(window.presenter.action)
    help_menu = bar.addMenu("&Help")
    window.lesson_action = action("&Lesson", lambda: window.open_lesson(), "F1",
                                  "A guided lesson through the seed's story, in the app, one page at a time")
    help_menu.addAction(window.lesson_action)
    window.lesson = None                       # the lesson's dock, made when first opened
    window.about_action = action("&About aegui", window.show_about,
                                 tip="What aegui is, and the versions to quote in a bug report")
    window.about_action.setMenuRole(QAction.MenuRole.AboutRole)
    help_menu.addAction(window.about_action)
    window.about_dialog = None
    window.files.show_recent_in(window.recent_menu)

