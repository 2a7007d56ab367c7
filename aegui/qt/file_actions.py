"""File ▸ Open, Import, Download, Save, Save As, Export grid and Export model for a
:class:`~aegui.qt.main_window.MainWindow`, with the recent files and the folder the dialogs start in
(both kept in the window's QSettings).

Files are read on a worker thread (:func:`~aegui.qt.background.run_in_background`); on any error or
Cancel the current work stays as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..core.data.errors import RatingsError
from ..core.session import SessionError
from .background import Cancelled, run_in_background

SESSION_FILTER = "aegui sessions (*.aegui)"
RATINGS_FILTER = "Ratings (*.csv *.data *.dat *.txt *.tsv);;All files (*)"
MAX_RECENT = 8


class FileActions:
    """The file actions of ``window``."""

    def __init__(self, window):
        self.window = window
        self.recent_menu = None

    def show_recent_in(self, menu) -> None:
        """Keep File ▸ Open Recent (``menu``) filled with :meth:`recent_files`."""
        self.recent_menu = menu
        self.fill_recent()

    def _message(self, text: str, ms: int) -> None:
        self.window.statusBar().showMessage(text, ms)

    # ------------------------------------------------------------------ open
    def maybe_save(self) -> bool:
        """``True`` when it is fine to discard the current work (saved, or the user said so)."""
        w = self.window
        if not (w.doc.dirty or w.trained_since_save):
            return True
        answer = QMessageBox.question(
            w, "Unsaved changes", f"Save the changes to “{w.session_name}” first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open", self.start_folder(),
                                              f"{SESSION_FILTER};;{RATINGS_FILTER}")
        if path:
            self.open_path(path)

    def download_dialog(self) -> None:
        from .download_dialog import download_movielens

        path = download_movielens(self.window)
        if path:
            self.open_path(path)

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import ratings", self.start_folder(), RATINGS_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        """Open a session or import a ratings file, read on a worker thread (the window keeps painting; a
        busy dialog with Cancel shows after 0.4 s); on any error or Cancel the current work stays as it was."""
        if not self.maybe_save():
            return False
        w, name = self.window, Path(path).name
        try:
            if path.endswith(".aegui"):
                self._open_session(path)
            else:
                from ..core.data.readers import load_ratings

                ratings = run_in_background(w, f"Reading {name}…", lambda: load_ratings(path))
                setup = self._import(ratings)
                w.session_name = name
        except Cancelled:
            self._message(f"cancelled opening {name}", 5000)
            return False
        except (RatingsError, SessionError, OSError, ValueError) as exc:
            w.report_error(f"Could not open {name}:\n{exc}")
            return False
        except MemoryError:
            w.report_error(f"Could not open {name}: not enough memory to read it")
            return False
        self.add_recent(path)
        if path.endswith(".aegui") or setup is None:
            self._message(f"opened {path}", 5000)
        else:
            self._message(f"opened {Path(path).name}: {setup.summary}", 60_000)
        return True

    def _import(self, ratings):
        """Start over on an imported ratings set; real data (:func:`~aegui.core.engine.defaults.for_data`)
        gets the real-data model, training and test split, which are returned."""
        from ..core.data.splits import random_test_mask
        from ..core.engine.defaults import for_data

        w, setup = self.window, for_data(ratings)
        w.controller.pause()
        w.set_pace()
        if setup is None:
            w.doc.reset(ratings, path=None)
        else:
            w.doc.reset(ratings, setup.model, setup.training, path=None,
                        test_mask=random_test_mask(ratings, setup.test_fraction, seed=setup.training.seed))
            w.data_panel.split_spin.setValue(round(100 * setup.test_fraction))
        w.trained_since_save = False
        w.rebuild()
        return setup

    def _open_session(self, path: str) -> None:
        import numpy as np

        from ..core.session import check_weights, load_session

        def read():
            session = load_session(path)
            check_weights(session)  # before anything changes
            return session

        w = self.window
        session = run_in_background(w, f"Reading {Path(path).name}…", read)
        ratings = session.ratings
        test_mask = np.zeros(ratings.n_ratings, dtype=bool)
        if session.test is not None:  # merge the held-out cells back into the grid, marked as test
            test = session.test
            ratings = ratings.with_cells(test.users, test.movies, test.values)
            test_mask = np.isin(ratings.cell_keys, test.cell_keys)
        w.controller.pause()
        w.set_pace()
        w.doc.reset(ratings, session.model, session.training, path=path, test_mask=test_mask)
        w.session_name = session.name or Path(path).stem
        w.trained_since_save = False
        w.stale = False
        w.controller.adopt(session)

    # ------------------------------------------------------------------ save and export
    def save(self) -> bool:
        if self.window.doc.path is None:
            return self.save_as()
        return self._save_to(self.window.doc.path)

    def save_as(self) -> bool:
        start = os.path.join(self.start_folder(), f"{Path(self.window.session_name).stem}.aegui")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", start, SESSION_FILTER)
        if not path:
            return False
        if not path.endswith(".aegui"):
            path += ".aegui"
        return self._save_to(path)

    def _save_to(self, path: str) -> bool:
        from ..core.session import Session, save_session

        w = self.window
        try:
            if w.controller.built and not w.stale:
                session = w.controller.session(Path(path).stem)
            else:
                session = Session(w.doc.train_ratings(), w.doc.model, w.doc.training,
                                  w.doc.test_ratings(), name=Path(path).stem)
            save_session(path, session)
        except (SessionError, OSError, TimeoutError) as exc:
            w.report_error(f"Could not save {path}:\n{exc}")
            return False
        w.doc.set_path(path)
        w.session_name = Path(path).stem
        w.doc.mark_saved()
        w.trained_since_save = False
        self.add_recent(path)
        w.update_title()
        self._message(f"saved {path}", 5000)
        return True

    def export_dialog(self) -> None:
        from ..core.data.readers import write_csv_grid

        path, _ = QFileDialog.getSaveFileName(self.window, "Export grid", self.start_folder(), "CSV grid (*.csv)")
        if not path:
            return
        try:
            write_csv_grid(self.window.doc.ratings, path)
        except (RatingsError, OSError) as exc:
            self.window.report_error(f"Could not export {path}:\n{exc}")
            return
        self._message(f"exported {path}", 5000)

    def export_model_dialog(self) -> None:
        w = self.window
        if not w.controller.built:
            w.report_error("There is no network to export yet.")
            return
        start = os.path.join(self.start_folder(), f"{Path(w.session_name).stem}.pt")
        path, _ = QFileDialog.getSaveFileName(w, "Export model", start, "torch state dict (*.pt)")
        if path:
            w.controller.export_model(path)

    # ------------------------------------------------------------------ recent files and start folder
    def start_folder(self) -> str:
        """Where the file dialogs open: the last folder used, when it still exists; else home."""
        folder = self.window.settings.value("last_dir", "", type=str)
        return folder if folder and os.path.isdir(folder) else str(Path.home())

    def recent_files(self) -> list[str]:
        """The recent files from the settings: strings only, at most :data:`MAX_RECENT`."""
        try:
            recent = self.window.settings.value("recent", [], type=list)
        except (TypeError, ValueError):
            return []
        return [p for p in recent if isinstance(p, str) and p and "\0" not in p][:MAX_RECENT]

    def add_recent(self, path: str) -> None:
        recent = [p for p in self.recent_files() if p != path]
        self.window.settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self.window.settings.setValue("last_dir", str(Path(path).parent))
        self.fill_recent()

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            a = self.recent_menu.addAction(path)
            a.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))
