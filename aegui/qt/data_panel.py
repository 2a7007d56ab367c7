"""The data panel: the ratings grid with its controls (demo sets, test split, users and movies) and keys.

Every change goes through the :class:`Document` as one undoable command; refusals are reported on
:attr:`DataPanel.message` and change nothing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QPen
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSpinBox, QStyledItemDelegate, QTableView, QVBoxLayout,
                               QWidget)

from ..core.data import edits
from ..core.data.demo import DEMO_SETS, load_demo
from ..core.data.errors import RatingsError
from ..core.data.ratings import Ratings
from .document import Document
from .grid_model import TEST_ROLE, RatingsTableModel, rating_text

#: the largest block Ctrl+C copies (rows × columns of the selection's bounding box)
MAX_COPY_CELLS = 1_000_000
_DEMO_PROMPT = "Demo data…"


class RatingCellDelegate(QStyledItemDelegate):
    """Edits a cell in a plain line edit (so any typed text reaches the model's checks) and hatches test cells."""

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setToolTip("0.5 to 5 in half stars; empty or 0 clears the cell")
        return editor

    def setEditorData(self, editor, index):
        editor.setText(rating_text(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def paint(self, painter, option, index):
        super().paint(painter, option, index)
        if not index.data(TEST_ROLE):
            return
        brush = index.data(Qt.ItemDataRole.ForegroundRole)        # contrasts with the cell's background
        colour = QColor(brush.color() if brush is not None else option.palette.text().color())
        colour.setAlpha(140)
        rect = option.rect.adjusted(1, 1, -2, -2)
        painter.save()
        painter.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
        painter.drawLine(rect.bottomLeft(), rect.topRight())
        painter.restore()


class GridView(QTableView):
    """The table, with the grid's own keys: Delete/Backspace clear, Ctrl+C copies, Ctrl+V pastes."""

    clearRequested = Signal()
    copyRequested = Signal()
    pasteRequested = Signal()

    def _request(self, event: QKeyEvent):
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and \
                event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            return self.clearRequested
        if event.matches(QKeySequence.StandardKey.Copy):
            return self.copyRequested
        if event.matches(QKeySequence.StandardKey.Paste):
            return self.pasteRequested
        return None

    def event(self, event: QEvent) -> bool:
        # keep these keys from window-wide shortcuts (an Edit menu) while the grid has the focus
        if event.type() == QEvent.Type.ShortcutOverride and self._request(event) is not None:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        request = self._request(event)
        if request is None:
            super().keyPressEvent(event)
        else:
            request.emit()


class DataPanel(QWidget):
    """The ratings grid of ``doc`` with its controls and a one-line summary."""

    userSelected = Signal(int)      # the current row (a user index) changed
    message = Signal(str)           # a line for the status bar: refusals and counts

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.model = RatingsTableModel(doc, self)
        self.view = self._make_view()
        self.summary = QLabel()
        self.summary.setToolTip("Users × movies · ratings (share of the grid rated) · held-out test cells")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._make_controls())
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        self.model.editRejected.connect(self.message)
        doc.ratingsChanged.connect(self._update_summary)
        self._update_summary()

    # ------------------------------------------------------------------ construction
    def _make_view(self) -> GridView:
        view = GridView(self)
        view.setModel(self.model)
        view.setItemDelegate(RatingCellDelegate(view))
        view.setWordWrap(False)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.horizontalHeader().setDefaultSectionSize(64)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
        view.setWhatsThis("Type a rating (0.5–5, half stars) · Delete clears · Ctrl+C / Ctrl+V copy and paste "
                        "tab-separated blocks · double-click a header to rename")
        view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        view.horizontalHeader().sectionDoubleClicked.connect(self.rename_movie)
        view.verticalHeader().sectionDoubleClicked.connect(self.rename_user)
        view.clearRequested.connect(self.clear_selected)
        view.copyRequested.connect(self.copy_selection)
        view.pasteRequested.connect(self.paste_clipboard)
        return view

    def _make_controls(self) -> QVBoxLayout:
        self.demo_combo = QComboBox()
        self.demo_combo.addItems([_DEMO_PROMPT, *DEMO_SETS])
        self.demo_combo.setToolTip("Replace the data by a built-in demo set (asks first if there are unsaved changes)")
        self.demo_combo.activated.connect(self._demo_chosen)
        self.split_spin = QSpinBox()
        self.split_spin.setRange(0, 50)
        self.split_spin.setValue(20)
        self.split_spin.setSuffix(" %")
        self.split_spin.setToolTip("Share of the ratings held out as test cells (0 removes the split)")
        # (key, label, tooltip, slot); the keys are the buttons' full names
        buttons = [("Apply", "Apply", "Hold out this share of the ratings as test cells (undoable)", self.apply_split),
                   ("Add user", "+ User", "Add an empty row", self.add_user),
                   ("Add movie", "+ Movie", "Add an empty column", self.add_movie),
                   ("Remove selected users", "− Users", "Remove the users (rows) that have selected cells",
                    self.remove_selected_users),
                   ("Remove selected movies", "− Movies", "Remove the movies (columns) that have selected cells",
                    self.remove_selected_movies)]
        self.buttons: dict[str, QPushButton] = {}
        for key, label, tip, slot in buttons:
            button = self.buttons[key] = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(slot)
        top = QHBoxLayout()
        top.addWidget(self.demo_combo, 1)
        split_label = QLabel("Test split")
        split_label.setToolTip(self.split_spin.toolTip())
        top.addWidget(split_label)
        top.addWidget(self.split_spin)
        top.addWidget(self.buttons["Apply"])
        bottom = QHBoxLayout()
        for key in ("Add user", "Add movie", "Remove selected users", "Remove selected movies"):
            bottom.addWidget(self.buttons[key])
        bottom.addStretch(1)
        rows = QVBoxLayout()
        rows.addLayout(top)
        rows.addLayout(bottom)
        return rows

    # ------------------------------------------------------------------ overridable dialogs
    def confirm_discard(self) -> bool:
        """Ask before unsaved changes are thrown away."""
        answer = QMessageBox.question(self, "Discard changes?",
                                      "The data has unsaved changes. Discard them and load the demo set?")
        return answer == QMessageBox.StandardButton.Yes

    def ask_text(self, title: str, label: str, value: str) -> str | None:
        """A line of text from the user, ``None`` when cancelled."""
        text, ok = QInputDialog.getText(self, title, label, text=value)
        return text if ok else None

    # ------------------------------------------------------------------ controls
    def _demo_chosen(self, index: int) -> None:
        name = self.demo_combo.itemText(index)
        self.demo_combo.setCurrentIndex(0)
        if index > 0:
            self.load_demo(name)

    def load_demo(self, name: str) -> None:
        """Replace the document by the demo set ``name`` (after :meth:`confirm_discard` if it is dirty)."""
        if self.doc.dirty and not self.confirm_discard():
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.doc.reset(load_demo(name))
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.message.emit(f"Loaded the demo set {name}")

    def apply_split(self) -> None:
        self.doc.set_test_split(self.split_spin.value() / 100, self.doc.training.seed)
        self.message.emit(f"{int(self.doc.test_mask.sum()):,} of {self.doc.ratings.n_ratings:,} ratings held out")

    def _replace(self, new: Ratings, test_mask: np.ndarray, text: str) -> None:
        self.doc.replace_ratings(new, test_mask, text)
        self.message.emit(text)

    def add_user(self) -> None:
        r = self.doc.ratings
        name = self.ask_text("Add user", "Name of the new user:", f"User {r.n_users + 1}")
        if name is None:
            return
        try:
            self._replace(edits.add_user(r, name), self.doc.test_mask, f"Add user {name.strip()}")
        except RatingsError as error:
            self.message.emit(f"Add user refused: {error}")
            return
        self._go_to(r.n_users, max(self.view.currentIndex().column(), 0))

    def add_movie(self) -> None:
        r = self.doc.ratings
        title = self.ask_text("Add movie", "Title of the new movie:", f"Movie {r.n_movies + 1}")
        if title is None:
            return
        try:
            self._replace(edits.add_movie(r, title), self.doc.test_mask, f"Add movie {title.strip()}")
        except RatingsError as error:
            self.message.emit(f"Add movie refused: {error}")
            return
        self._go_to(max(self.view.currentIndex().row(), 0), r.n_movies)

    def remove_selected_users(self) -> None:
        rows = self._selected_lines(Qt.Orientation.Vertical)
        if not len(rows) or len(rows) == self.doc.ratings.n_users:
            self.message.emit("Select cells of the users to remove (at least one user must stay)")
            return
        new, kept = edits.remove_users(self.doc.ratings, rows)
        self._replace(new, self.doc.test_mask[kept],
                      f"Remove {len(rows):,} user(s) and {self.doc.ratings.n_ratings - len(kept):,} rating(s)")

    def remove_selected_movies(self) -> None:
        columns = self._selected_lines(Qt.Orientation.Horizontal)
        if not len(columns) or len(columns) == self.doc.ratings.n_movies:
            self.message.emit("Select cells of the movies to remove (at least one movie must stay)")
            return
        new, kept = edits.remove_movies(self.doc.ratings, columns)
        self._replace(new, self.doc.test_mask[kept],
                      f"Remove {len(columns):,} movie(s) and {self.doc.ratings.n_ratings - len(kept):,} rating(s)")

    def rename_user(self, row: int) -> None:
        self._rename(row, "user", self.doc.ratings.user_ids[row], edits.rename_user)

    def rename_movie(self, column: int) -> None:
        self._rename(column, "movie", self.doc.ratings.movie_titles[column], edits.rename_movie)

    def _rename(self, k: int, what: str, old: str, rename) -> None:
        name = self.ask_text(f"Rename {what}", f"New name of {old}:", old)
        if name is None or name.strip() == old:
            return
        try:
            self._replace(rename(self.doc.ratings, k, name), self.doc.test_mask,
                          f"Rename {what} {old} to {name.strip()}")
        except RatingsError as error:
            self.message.emit(f"Rename refused: {error}")

    # ------------------------------------------------------------------ keys: clear, copy, paste
    def _ranges(self) -> list[tuple[int, int, int, int]]:
        """The selection as ``(top, bottom, left, right)`` rectangles, inclusive."""
        return [(s.top(), s.bottom(), s.left(), s.right()) for s in self.view.selectionModel().selection()]

    def _selected_lines(self, orientation: Qt.Orientation) -> np.ndarray:
        """The distinct rows (vertical) or columns (horizontal) the selection touches."""
        spans = [(t, b) if orientation == Qt.Orientation.Vertical else (left, right)
                 for t, b, left, right in self._ranges()]
        if not spans:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([np.arange(lo, hi + 1) for lo, hi in spans]))

    def clear_selected(self) -> None:
        """Clear every rated cell of the selection in one undo command."""
        r = self.doc.ratings
        hits = []
        for top, bottom, left, right in self._ranges():
            lo, hi = r.user_indptr[top], r.user_indptr[bottom + 1]
            movies = r.movies[lo:hi]
            hits.append(lo + np.flatnonzero((movies >= left) & (movies <= right)))
        k = np.unique(np.concatenate(hits)) if hits else np.zeros(0, dtype=np.int64)
        if not len(k):
            self.message.emit("No ratings in the selection to clear")
            return
        self.doc.set_cells(r.users[k], r.movies[k], np.zeros(len(k)), f"Clear {len(k):,} rating(s)")
        self.message.emit(f"Cleared {len(k):,} rating(s)")

    def copy_selection(self) -> None:
        """Copy the selection (its bounding box, unselected cells empty) as tab-separated text."""
        ranges = self._ranges()
        if not ranges:
            return
        top, bottom = min(t for t, *_ in ranges), max(b for _, b, *_ in ranges)
        left, right = min(rg[2] for rg in ranges), max(rg[3] for rg in ranges)
        height, width = bottom - top + 1, right - left + 1
        if height * width > MAX_COPY_CELLS:
            self.message.emit(f"Copy refused: {height:,} × {width:,} cells is more than {MAX_COPY_CELLS:,}")
            return
        selected = np.zeros((height, width), dtype=bool)
        for t, b, lo, hi in ranges:
            selected[t - top:b - top + 1, lo - left:hi - left + 1] = True
        row, movie, value = self.doc.ratings.rows_slice(np.arange(top, bottom + 1))
        inside = (movie >= left) & (movie <= right)
        block = np.zeros((height, width))
        block[row[inside], movie[inside] - left] = value[inside]
        block[~selected] = 0
        texts = np.where(block == 0, "", np.char.mod("%g", block))
        QGuiApplication.clipboard().setText("".join("\t".join(line) + "\n" for line in texts.tolist()))
        self.message.emit(f"Copied {height:,} × {width:,} cells")

    def paste_clipboard(self) -> None:
        """Paste a tab-separated block at the current cell in one undo command (empty cells clear)."""
        current = self.view.currentIndex()
        if not current.isValid():
            self.message.emit("Paste refused: select the cell to paste at")
            return
        try:
            block = edits.parse_block(QGuiApplication.clipboard().text())
        except RatingsError as error:
            self.message.emit(f"Paste refused: {error}")
            return
        r, (height, width), top, left = self.doc.ratings, block.shape, current.row(), current.column()
        if top + height > r.n_users or left + width > r.n_movies:
            self.message.emit(f"Paste refused: a {height} × {width} block at {self.model.cell_name(top, left)} "
                              f"grows past the grid's edge ({r.n_users:,} users × {r.n_movies:,} movies); "
                              "add users or movies first")
            return
        users = np.repeat(np.arange(top, top + height), width)
        movies = np.tile(np.arange(left, left + width), height)
        self.doc.set_cells(users, movies, block.ravel(), f"Paste {height} × {width} cells")
        self.view.selectionModel().select(
            QItemSelection(self.model.index(top, left), self.model.index(top + height - 1, left + width - 1)),
            QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.message.emit(f"Pasted {height} × {width} cells at {self.model.cell_name(top, left)}")

    # ------------------------------------------------------------------ helpers
    def _current_row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.userSelected.emit(current.row())

    def select_user(self, user: int) -> None:
        """Make ``user`` the current row (keeping the column), scrolled into view."""
        current = self.view.currentIndex()
        if current.row() != user:
            self._go_to(user, max(0, current.column()))

    def _go_to(self, row: int, column: int) -> None:
        index = self.model.index(row, column)
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def _update_summary(self) -> None:
        r, held = self.doc.ratings, int(self.doc.test_mask.sum())
        percent = 100 * r.density
        share = f"{percent:.2g}" if percent < 1 else f"{percent:.1f}"
        self.summary.setText(f"{r.n_users:,} users × {r.n_movies:,} movies · {r.n_ratings:,} ratings "
                             f"({share} %) · {held:,} held out")
