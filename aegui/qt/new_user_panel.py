"""A new user: rate a handful of movies by hand and see, as each rating changes, where the trained
network puts them (their code) and what it predicts for them — an encoding, no retraining.

The panel holds the typed ratings and asks for an encoding (``ratingsChanged``); the engine answers with
an :class:`~aegui.core.engine.snapshot.Encoding` that :meth:`NewUserPanel.show_encoding` draws.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableView,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.data.edits import parse_rating
from ..core.data.ratings import Ratings
from .palette import POSITIVE_HEX
from .user_panel import CLIPPED_MARK, CLIPPED_TIP, count_item, predicted_item


class NewUserModel(QAbstractTableModel):
    """Movies (most rated first) with the new user's rating in the last column, editable."""

    HEADERS = ("movie", "ratings", "your rating")
    refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.titles: tuple[str, ...] = ()
        self.counts = np.zeros(0, dtype=int)
        self.order = np.zeros(0, dtype=int)
        self.values = np.zeros(0, dtype=np.float32)

    def set_data(self, ratings: Ratings) -> None:
        self.beginResetModel()
        self.titles = ratings.movie_titles
        self.counts = ratings.ratings_per_movie
        self.order = np.argsort(-self.counts, kind="stable")
        self.values = np.zeros(ratings.n_movies, dtype=np.float32)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f | Qt.ItemFlag.ItemIsEditable if index.column() == 2 else f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        movie = int(self.order[index.row()])
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return self.titles[movie]
            if col == 1:
                return int(self.counts[movie])
            value = float(self.values[movie])
            return f"{value:g}" if value else ""
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:
            return "Type 1–5 (half stars allowed); empty or 0 clears"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != 2:
            return False
        rating = parse_rating(str(value))
        if rating is None:
            self.refused.emit(f"“{value}” is not a rating: type 1–5 in half stars, or 0 to clear")
            return False
        self.values[self.order[index.row()]] = rating
        self.dataChanged.emit(index, index)
        return True

    def clear(self) -> None:
        self.values[:] = 0
        self.dataChanged.emit(self.index(0, 2), self.index(max(0, len(self.order) - 1), 2))


class NewUserPanel(QWidget):
    """``set_data(ratings, item_based)``; emits ``ratingsChanged(np.ndarray)`` with the typed ratings and
    ``codeChanged(code | None, label)`` with the code to mark in the latent space; draws
    :meth:`show_encoding` answers."""

    ratingsChanged = Signal(object)
    codeChanged = Signal(object, str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = NewUserModel(self)
        self.model.refused.connect(self.message)
        self.model.dataChanged.connect(lambda *_: self._changed())
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit()
        self.search.setPlaceholderText("find a movie…")
        self.search.setToolTip("Show only the movies whose title contains this text")
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Rate a few movies you know (last column): the network encodes you at once")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget every rating typed here")
        self.clear_button.clicked.connect(self.model.clear)
        self.note = QLabel("rate a few movies to be encoded")
        self.note.setWordWrap(True)
        self.code_plot = pg.PlotWidget()
        self.code_plot.setLabel("left", "activation")
        self.code_plot.setLabel("bottom", "code unit")
        self.code_plot.setMouseEnabled(x=False, y=False)
        self.code_plot.setToolTip("Your code z: the bottleneck units' activations for the ratings typed here")
        self.code_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=POSITIVE_HEX)
        self.code_plot.addItem(self.code_bars)
        self.predictions = QTableWidget(0, 3)
        self.predictions.setHorizontalHeaderLabels(["recommended for you", "predicted", "ratings"])
        self.predictions.horizontalHeaderItem(1).setToolTip(f"The predicted rating, clipped to the rating scale; "
                                                            f"{CLIPPED_MARK}: {CLIPPED_TIP}")
        self.predictions.horizontalHeaderItem(2).setToolTip("How many training ratings the movie has")
        self.predictions.verticalHeader().setVisible(False)
        self.predictions.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.predictions.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.predictions.setToolTip("The movies you have not rated, highest predicted rating first")

        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.clear_button)
        left = QVBoxLayout()
        left.addLayout(row)
        left.addWidget(self.table, 1)
        right = QVBoxLayout()
        right.addWidget(self.note)
        right.addWidget(self.code_plot, 1)
        right.addWidget(self.predictions, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.item_based = False
        self.encoding = None

    def set_data(self, ratings: Ratings, item_based: bool) -> None:
        self.item_based = item_based
        self.model.set_data(ratings)
        self.encoding = None
        self.code_bars.setOpts(x=[], height=[])
        self.predictions.setRowCount(0)
        self.table.setEnabled(not item_based)
        self.note.setText("an item-based network takes movies as observations: a new user would need "
                          "retraining; choose user-based in the Model panel" if item_based
                          else "rate a few movies to be encoded")
        self.codeChanged.emit(None, "")

    def rate(self, movie: int, value: float) -> None:
        """Type ``value`` as the new user's rating of ``movie`` (what an edit in the table does)."""
        row = int(np.flatnonzero(self.model.order == movie)[0])
        self.model.setData(self.model.index(row, 2), f"{value:g}")

    def _changed(self) -> None:
        if self.item_based:
            return
        if not self.model.values.any():
            self.encoding = None
            self.code_bars.setOpts(x=[], height=[])
            self.predictions.setRowCount(0)
            self.note.setText("rate a few movies to be encoded")
            self.codeChanged.emit(None, "")
            return
        self.ratingsChanged.emit(self.model.values.copy())

    def show_encoding(self, encoding) -> None:
        """Draw an engine's answer, unless the ratings changed since it was asked for."""
        if not np.array_equal(encoding.ratings, self.model.values):
            return
        self.encoding = encoding
        code = encoding.codes[encoding.code_layer]
        self.code_bars.setOpts(x=np.arange(1, len(code) + 1), height=code)
        rated = self.model.values > 0
        self.predictions.setRowCount(len(encoding.recommendations))
        for k, rec in enumerate(encoding.recommendations):
            self.predictions.setItem(k, 0, QTableWidgetItem(self.model.titles[rec.movie]))
            self.predictions.setItem(k, 1, predicted_item(rec))
            self.predictions.setItem(k, 2, count_item(rec))
        self.predictions.setToolTip("The movies you have not rated, highest predicted rating first, among those "
                                    f"with at least {encoding.min_ratings} training ratings")
        self.note.setText(f"{int(rated.sum())} movies rated: your code z = f(W·x + b) through the encoder, "
                          "your predictions s·y through the decoder (no retraining)")
        self.codeChanged.emit(code, "new user")
