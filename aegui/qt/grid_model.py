"""The ratings grid as a Qt table model: users are rows, movies are columns, over a :class:`Document`.

Cells are looked up in the sparse ratings through a small per-row cache (``movie → (value, is_test)``) of the
rows the view has asked for, so a visible cell costs a dict lookup and nothing scales with the grid's area.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from ..core.data.edits import parse_rating
from ..core.data.ratings import MAX_RATING, MIN_RATING
from .document import Document

#: a custom role: ``True`` on held-out test cells (the delegate marks them)
TEST_ROLE = int(Qt.ItemDataRole.UserRole) + 1
# the roles a cell answers, as plain ints (comparing enum members costs more than the lookup itself)
_DISPLAY, _EDIT, _BACKGROUND, _FOREGROUND, _ALIGNMENT, _FONT, _TOOLTIP = (int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ToolTipRole))
_CELL_ROLES = frozenset((_DISPLAY, _EDIT, _BACKGROUND, _FOREGROUND, _ALIGNMENT, _FONT, _TOOLTIP, TEST_ROLE))

#: viridis in ten steps, one per half star from 0.5 to 5 (sequential, colour-blind safe, dark to light)
_PALETTE = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e",
            "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725")
_BACKGROUNDS = tuple(QBrush(QColor(c)) for c in _PALETTE)
_FOREGROUNDS = tuple(QBrush(QColor("black" if QColor(c).lightnessF() > 0.45 else "white")) for c in _PALETTE)
#: rows of the grid kept in the lookup cache (a screenful is well under this)
_CACHE_ROWS = 512
_ALLOWED = f"type {MIN_RATING:g} to {MAX_RATING:g} in half stars (4, 4.5 or 4,5), or leave empty or 0 to clear"


def rating_text(value: float) -> str:
    """``"4"``, ``"3.5"``; empty for not rated."""
    return f"{value:g}" if value else ""


def _shade(value: float) -> int:
    return min(max(int(round(value * 2)) - 1, 0), len(_PALETTE) - 1)


class RatingsTableModel(QAbstractTableModel):
    """The document's ratings grid; edits go through :meth:`Document.set_cells` (undoable)."""

    editRejected = Signal(str)      # a typed value was refused; the message names the cell and what is allowed

    def __init__(self, doc: Document, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._rows: dict[int, dict[int, tuple[float, bool]]] = {}
        self._italic = QFont()
        self._italic.setItalic(True)
        self._labels = self._label_key()
        doc.ratingsChanged.connect(self._on_ratings_changed)

    # ------------------------------------------------------------------ lookup
    def cell(self, row: int, column: int) -> tuple[float, bool]:
        """``(value, is_test)`` of one cell, ``(0.0, False)`` when not rated."""
        cached = self._rows.get(row)
        if cached is None:
            if len(self._rows) >= _CACHE_ROWS:
                self._rows.clear()
            r, lo, hi = self.doc.ratings, *self.doc.ratings.user_indptr[row:row + 2].tolist()
            cached = self._rows[row] = dict(zip(r.movies[lo:hi].tolist(),
                                                zip(r.values[lo:hi].tolist(), self.doc.test_mask[lo:hi].tolist())))
        return cached.get(column, (0.0, False))

    def cell_name(self, row: int, column: int) -> str:
        r = self.doc.ratings
        return f"{r.user_ids[row]} × {r.movie_titles[column]}"

    # ------------------------------------------------------------------ QAbstractTableModel
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.doc.ratings.n_users

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.doc.ratings.n_movies

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _CELL_ROLES:                     # the view asks for many roles: answer the others at once
            return None
        value, test = self.cell(index.row(), index.column())
        if role == _DISPLAY:
            return f"{value:g}" if value else ""
        if role == _BACKGROUND:
            return _BACKGROUNDS[_shade(value)] if value else None
        if role == _FOREGROUND:
            return _FOREGROUNDS[_shade(value)] if value else None
        if role == TEST_ROLE:
            return test
        if role == _EDIT:
            return value
        if role == _ALIGNMENT:
            return Qt.AlignmentFlag.AlignCenter
        if role == _FONT:
            return self._italic if test else None
        text = f"{self.cell_name(index.row(), index.column())}: {f'{value:g} ★' if value else 'not rated'}"
        return text + " (held-out test cell)" if test else text

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        r = self.doc.ratings
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return r.movie_titles[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return (f"{r.movie_titles[section]}\nid {r.movie_ids[section]} · "
                        f"{int(r.ratings_per_movie[section]):,} ratings · double-click to rename")
        else:
            if role == Qt.ItemDataRole.DisplayRole:
                return r.user_ids[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return (f"user {r.user_ids[section]} · {int(r.ratings_per_user[section]):,} ratings"
                        " · double-click to rename")
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
                if index.isValid() else Qt.ItemFlag.NoItemFlags)

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row, column = index.row(), index.column()
        number = parse_rating(str(value))
        if number is None:
            self.editRejected.emit(f"{self.cell_name(row, column)}: {str(value).strip()!r} is not a rating; {_ALLOWED}")
            return False
        if number == self.cell(row, column)[0]:
            return True
        verb = f"Rate {number:g} ★" if number else "Clear"
        self.doc.set_cells([row], [column], [number], f"{verb}: {self.cell_name(row, column)}")
        return True

    # ------------------------------------------------------------------ refresh
    def _label_key(self) -> tuple:
        r = self.doc.ratings
        return r.user_ids, r.movie_ids, r.movie_titles

    def _on_ratings_changed(self) -> None:
        old_shape = (len(self._labels[0]), len(self._labels[1]))
        labels = self._label_key()
        self._rows.clear()
        if old_shape != (self.doc.ratings.n_users, self.doc.ratings.n_movies):
            self.beginResetModel()
            self._labels = labels
            self.endResetModel()
            return
        if labels != self._labels:
            self._labels = labels
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, max(self.rowCount() - 1, 0))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(self.columnCount() - 1, 0))
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
