"""A user's view: their ratings beside the network's reconstruction, and their top-N recommendations.

Everything drawn comes from one :class:`~aegui.core.engine.snapshot.Insight` (the engine computed the
predictions ``s·y`` clipped to the rating range); this panel only lays it out.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHeaderView, QHBoxLayout, QLabel, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.data.ratings import Ratings
from ..core.engine.snapshot import MIN_RATINGS, Recommendation, default_min_ratings
from ..core.reports import write_user_table
from .palette import NEGATIVE_HEX, POSITIVE_HEX
from .plot_export import ExportButton, export_view

TEST_HEX = "#7b3294"   # held-out ratings: purple, apart from both ends of the diverging scale
#: bar charts show at most this many rated movies (the user's largest errors first beyond that)
MAX_BARS = 80


#: marks a recommendation whose prediction was clipped at the top of the rating scale
CLIPPED_MARK = "▲"
CLIPPED_TIP = "the network predicts above the top of the scale; ranked by the unclipped value"


def _short(title: str, n: int = 14) -> str:
    return title if len(title) <= n else title[:n - 1] + "…"


def predicted_item(rec: Recommendation) -> QTableWidgetItem:
    """A table cell with the predicted rating, marked ``▲`` (and explained) when clipped at the top."""
    item = QTableWidgetItem(f"{rec.predicted:.2f} {CLIPPED_MARK}" if rec.clipped else f"{rec.predicted:.2f}")
    if rec.clipped:
        item.setToolTip(CLIPPED_TIP)
    return item


def count_item(rec: Recommendation) -> QTableWidgetItem:
    """A table cell with the movie's number of training ratings, right-aligned."""
    item = QTableWidgetItem(str(rec.n_ratings))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    item.setToolTip(f"{rec.n_ratings} training ratings of this movie")
    return item


class UserPanel(QWidget):
    """``set_data(ratings)`` once per data set, ``show_insight(insight)`` whenever the engine answers;
    ``userChosen(int)`` when the person picks another user here; ``topChanged(int)`` and
    ``minRatingsChanged(int)`` when the recommendations asked for change."""

    userChosen = Signal(int)
    topChanged = Signal(int)
    minRatingsChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.user = QSpinBox()
        self.user.setRange(1, 1)
        self.user.setToolTip("The user shown here (also selected in the grid, the network view and the plots)")
        self.user.valueChanged.connect(lambda v: self.userChosen.emit(v - 1))
        self.summary = QLabel("train the network to see its predictions")
        self.summary.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("left", "rating (stars)")
        self.plot.setYRange(0, 5.2)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.setMouseEnabled(y=False)
        self.plot.addLegend(offset=(-10, 5))
        self.rating_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush=POSITIVE_HEX, name="rating")
        self.test_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush=TEST_HEX, name="held-out rating")
        self.pred_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush=NEGATIVE_HEX, name="reconstruction")
        for item in (self.rating_bars, self.test_bars, self.pred_bars):
            self.plot.addItem(item)
        self.plot.setToolTip("The user's ratings (blue; held-out ones purple) beside the network's reconstruction "
                             "(orange) of each movie they rated; hover a bar for the movie")
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.top = QSpinBox()
        self.top.setRange(1, 10_000)
        self.top.setValue(10)
        self.top.setToolTip("How many recommendations to list")
        self.top.valueChanged.connect(self.topChanged.emit)
        self.min_ratings = QSpinBox()
        self.min_ratings.setRange(0, 10_000)
        self.min_ratings.setValue(MIN_RATINGS)
        self.min_ratings.setToolTip(self._min_ratings_tip(MIN_RATINGS))
        self.min_ratings.setKeyboardTracking(False)   # typing "15" asks once, not for 1 and then 15
        self.min_ratings.valueChanged.connect(self._min_ratings_changed)
        self._min_ratings_chosen = False   # the person picked a value: new data keeps it
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["#", "movie", "predicted", "ratings"])
        self.table.horizontalHeaderItem(2).setToolTip(f"The predicted rating, clipped to the rating scale; "
                                                      f"{CLIPPED_MARK}: {CLIPPED_TIP}")
        self.table.horizontalHeaderItem(3).setToolTip("How many training ratings the movie has")
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in (0, 2, 3):   # the numbers always in view; the title takes the rest (elided)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("The unrated movies with the highest predicted ratings: the recommendations")
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setToolTip("Save every movie's rating, held-out rating, prediction and rank as CSV")
        self.csv_button.clicked.connect(self._export_csv_clicked)
        self.chart_button = ExportButton(lambda path: export_view(self.plot, path, "aegui user"), "user")

        head = QHBoxLayout()
        head.addWidget(QLabel("user"))
        head.addWidget(self.user)
        head.addStretch(1)
        head.addWidget(self.chart_button)
        rec = QHBoxLayout()
        rec.addWidget(QLabel("top"))
        rec.addWidget(self.top)
        rec.addWidget(QLabel("recommendations · min. ratings"))
        rec.addWidget(self.min_ratings)
        rec.addStretch(1)
        rec.addWidget(self.csv_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 3)
        layout.addLayout(rec)
        layout.addWidget(self.table, 2)
        self.ratings: Ratings | None = None
        self.insight = None
        self._shown: np.ndarray = np.zeros(0, dtype=int)   # the movie of each bar

    def set_data(self, ratings: Ratings, train: Ratings | None = None) -> None:
        """A new data set; ``train`` (default ``ratings``) holds the training ratings the engine counts
        for the minimum number of ratings, whose default follows :func:`default_min_ratings` until the
        person picks a value."""
        self.ratings = ratings
        self.insight = None
        self.user.blockSignals(True)
        self.user.setRange(1, max(1, ratings.n_users))
        self.user.blockSignals(False)
        self.top.setMaximum(max(1, ratings.n_movies))  # up to every unrated movie, best first
        default = default_min_ratings((train if train is not None else ratings).ratings_per_movie)
        self.min_ratings.blockSignals(True)
        self.min_ratings.setMaximum(max(1, ratings.n_users))  # no movie has more ratings than users
        if not self._min_ratings_chosen:
            self.min_ratings.setValue(default)
        self.min_ratings.blockSignals(False)
        self.min_ratings.setToolTip(self._min_ratings_tip(default))

    @staticmethod
    def _min_ratings_tip(default: int) -> str:
        return ("Recommend only movies with at least this many training ratings: a movie one or two people "
                "rated 5 stars would otherwise top the list (0: no minimum).\n"
                f"Default on this data: {default} = min({MIN_RATINGS}, the median number of ratings per movie, "
                "half the count of the most-rated movie), at least 1")

    def _min_ratings_changed(self, value: int) -> None:
        self._min_ratings_chosen = True
        self.minRatingsChanged.emit(value)

    def select_user(self, user: int) -> None:
        self.user.blockSignals(True)
        self.user.setValue(user + 1)
        self.user.blockSignals(False)

    def show_insight(self, insight) -> None:
        """Draw one user's ratings, reconstruction and recommendations."""
        if self.ratings is None or len(insight.user_predictions) != self.ratings.n_movies:
            return
        self.insight = insight
        self.select_user(insight.user)
        train, test, pred = insight.user_ratings, insight.user_test, insight.user_predictions
        rated = np.flatnonzero((train > 0) | (test > 0))
        truth = np.where(train[rated] > 0, train[rated], test[rated])
        if len(rated) > MAX_BARS:  # the largest errors tell most
            keep = np.argsort(-np.abs(pred[rated] - truth), kind="stable")[:MAX_BARS]
            rated, truth = rated[keep], truth[keep]
        order = np.lexsort((pred[rated], truth))[::-1]
        movies, truth = rated[order], truth[order]
        x = np.arange(len(movies), dtype=float)
        held = test[movies] > 0
        self.rating_bars.setOpts(x=x[~held] - 0.2, height=truth[~held])
        self.test_bars.setOpts(x=x[held] - 0.2, height=truth[held])
        self.pred_bars.setOpts(x=x + 0.2, height=pred[movies])
        self._shown = movies
        titles = self.ratings.movie_titles
        ticks = [(k, _short(titles[m])) for k, m in enumerate(movies)] if len(movies) <= 12 else \
            [(k, str(k + 1)) for k in range(0, len(movies), max(1, len(movies) // 10))]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.setXRange(-0.7, max(len(movies), 1) - 0.3, padding=0)
        self.summary.setText(self._summary(train, test, len(rated)))
        self.table.setRowCount(len(insight.recommendations))
        for k, rec in enumerate(insight.recommendations):
            self.table.setItem(k, 0, QTableWidgetItem(str(k + 1)))
            self.table.setItem(k, 1, QTableWidgetItem(titles[rec.movie]))
            self.table.setItem(k, 2, predicted_item(rec))
            self.table.setItem(k, 3, count_item(rec))
        self.table.setToolTip("The unrated movies with the highest predicted ratings among those with at least "
                              f"{insight.min_ratings} training ratings: the recommendations")

    def _summary(self, train, test, shown: int) -> str:
        label = self.ratings.user_ids[self.insight.user]
        parts = [f"user {label}: {int((train > 0).sum())} ratings"]
        for name, values, rmse in zip(("their ratings", "held-out"), (train, test), self.insight.user_rmse):
            if not math.isnan(rmse):
                parts.append(f"RMSE on {name} {rmse:.3f} ({int((values > 0).sum())})")
        if shown > MAX_BARS:
            parts.append(f"bars: the {MAX_BARS} largest errors of {shown}")
        when = "now" if self.insight.viewing is None else f"at epoch {self.insight.epoch} (the past)"
        return " · ".join(parts) + f" — predictions {when}"

    def bar_at(self, x: float) -> int | None:
        """The movie under chart position ``x`` (``None`` off the bars)."""
        k = int(round(x))
        return int(self._shown[k]) if 0 <= k < len(self._shown) and abs(x - k) <= 0.45 else None

    def _hover(self, pos) -> None:
        if self.insight is None or not self.plot.sceneBoundingRect().contains(pos):
            return
        movie = self.bar_at(self.plot.getPlotItem().vb.mapSceneToView(pos).x())
        if movie is None:
            self.plot.setToolTip("")
            return
        i = self.insight
        rating = i.user_ratings[movie] or i.user_test[movie]
        kind = "held-out rating" if i.user_test[movie] else "rating"
        self.plot.setToolTip(f"{self.ratings.movie_titles[movie]}\n{kind} {rating:g} · "
                             f"reconstruction {i.user_predictions[movie]:.2f}")

    def ask_csv_path(self) -> str | None:
        """Ask where to save the table (tests override this)."""
        path, _ = QFileDialog.getSaveFileName(self, "Export predictions", "predictions.csv", "CSV (*.csv)")
        return path or None

    def _export_csv_clicked(self) -> None:
        if self.insight is None or self.ratings is None:
            return
        path = self.ask_csv_path()
        if path:
            write_user_table(path, self.insight, self.ratings)
