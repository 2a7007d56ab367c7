"""Compare panel: train several configurations on the document's data and split, each with several
seeds, in a process of its own (:class:`~aegui.core.engine.compare.ComparisonProcess`), and compare them:
overlaid error curves per epoch (test solid, train dashed, the band from the lowest to the highest test
curve over seeds around their mean) and a table of final RMSE, epochs and time (mean ± sample sd over
seeds; the best test RMSE highlighted). The table exports to CSV, the chart to PNG, SVG or CSV (its
per-epoch data). The panel computes nothing itself: numbers come from :mod:`aegui.core.engine.compare`.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from ..core.data.ratings import Ratings
from ..core.engine.compare import (CompareConfig, ComparisonProcess, RunResult, config_name, model_for_kind, spread,
                                   summarise, write_curves_csv, write_summary_csv)
from ..core.engine.spec import KIND_TITLES, KINDS, ModelSpec, TrainSpec
from .palette import NEGATIVE_HEX, POSITIVE_HEX
from .plot_export import export_view
from ..core.engine import protocol as p
from ..core.engine.protocol import State

#: how often the panel collects the comparison's messages (and redraws when something changed)
POLL_HZ = 10
#: one colour per configuration, in order: the app's blue and orange, then Okabe–Ito colours (colour-blind
#: safe) that stay apart from them
CONFIG_COLORS = (POSITIVE_HEX, NEGATIVE_HEX, "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#555555", "#e6c700")
#: the types checked at first, besides the current settings
DEFAULT_KINDS = ("basic", "denoising", "sparse")
COLUMNS = ("configuration", "seeds", "train RMSE", "test RMSE", "epochs", "time (s)")
BEST_BRUSH = "#d9f0d3"


def _mean_sd(mean: float, sd: float) -> str:
    if not math.isfinite(mean):
        return "—"
    return f"{mean:.4f} ± {sd:.4f}" if math.isfinite(sd) else f"{mean:.4f}"


class _Curves:
    """The plot items of one configuration: test and train mean curves and the test band."""

    def __init__(self, plot: pg.PlotItem, name: str, color: str):
        c = QColor(color)
        self.test = plot.plot(name=name, pen=pg.mkPen(c, width=2))
        self.train = plot.plot(pen=pg.mkPen(c, width=1.5, style=Qt.PenStyle.DashLine))
        self.low = pg.PlotCurveItem(pen=pg.mkPen(None))
        self.high = pg.PlotCurveItem(pen=pg.mkPen(None))
        self.band = pg.FillBetweenItem(self.low, self.high, brush=pg.mkBrush(c.red(), c.green(), c.blue(), 50))
        for item in (self.low, self.high, self.band):
            plot.addItem(item)

    def show(self, train_curves: list, test_curves: list) -> None:
        """Draw the mean of each kind of curve over seeds and the test band (the train band without a test set)."""
        test, train = spread(test_curves), spread(train_curves)
        banded = test if np.isfinite(test["mean"]).any() else train
        for item, values in ((self.test, test["mean"]), (self.train, train["mean"]),
                             (self.low, banded["low"]), (self.high, banded["high"])):
            epochs = np.arange(1, len(values) + 1, dtype=float)
            ok = np.isfinite(values)
            item.setData(epochs[ok], values[ok])


class ComparePanel(QWidget):
    """See the module docstring. The main window calls :meth:`set_context` when its data or settings
    change and :meth:`shutdown` when it closes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.train: Ratings | None = None
        self.test: Ratings | None = None
        self.model: ModelSpec | None = None
        self.training: TrainSpec | None = None
        self.process: ComparisonProcess | None = None
        self.configs: list[CompareConfig] = []      # of the comparison shown
        self.seeds: list[int] = []
        self.results: list[RunResult] = []
        self.live: dict[tuple[int, int], tuple[list, list]] = {}   # (config, seed) → epochs so far
        self._curves: list[_Curves] = []
        self._dirty = False
        self._started_at = 0.0
        self._stopping = False
        self._specs: dict[str, tuple[ModelSpec | None, str]] = {}
        self.best_row = -1                          # the table's highlighted row (-1: none)

        self.context_label = QLabel("no data yet")
        self.context_label.setWordWrap(True)
        self.context_label.setToolTip("The data and split every configuration is trained and scored on")
        self.note = QLabel()
        self.note.setWordWrap(True)

        self.current_box = QCheckBox("current settings")
        self.current_box.setChecked(True)
        self.current_box.setToolTip("The model and training settings in use (the Model panel)")
        self.kind_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.addWidget(self.current_box, 0, 0, 1, 2)
        for i, kind in enumerate(KINDS):
            box = QCheckBox(kind)
            box.setChecked(kind in DEFAULT_KINDS)
            box.setToolTip(KIND_TITLES[kind])
            self.kind_boxes[kind] = box
            grid.addWidget(box, 1 + i // 2, i % 2)
        configs_box = QGroupBox("Configurations")
        configs_box.setLayout(grid)
        configs_box.setToolTip("Each checked type is the current model with its type changed (and what that type "
                               "needs, e.g. sigmoid units); every one trains with the same settings and split")

        self.seeds_spin = QSpinBox()
        self.seeds_spin.setRange(1, 10)
        self.seeds_spin.setValue(3)
        self.seeds_spin.setToolTip("Runs per configuration, with seeds s, s+1, … (s: the current seed); "
                                   "the band and ± show their spread")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1_000_000)
        self.epochs_spin.setToolTip("Training epochs of every run (the fine-tuning epochs for stacked and deep)")
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Train every checked configuration with every seed, one run after another, "
                                   "in a process of its own (a comparison already running is stopped first)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the epoch being trained; finished runs stay in the table")
        self.stop_button.setEnabled(False)
        self.progress = QLabel("")
        self.progress.setToolTip("The run being trained")
        controls = QHBoxLayout()
        for label, widget in (("seeds", self.seeds_spin), ("epochs", self.epochs_spin)):
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.run_button)
        controls.addWidget(self.stop_button)

        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setLabel("left", "RMSE (stars)")
        self.plot.setLabel("bottom", "epoch")
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.plot_widget.setToolTip("Test RMSE per epoch (solid, the mean over seeds) with its lowest-to-highest "
                                    "band over seeds, and the train RMSE during each epoch (dashed)")

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip("Final RMSE (predictions clipped), fine-tuning epochs and training time of each "
                              "configuration: mean ± sample standard deviation over its seeds; best test RMSE "
                              "highlighted")

        self.export_table_button = QPushButton("Export table…")
        self.export_table_button.setToolTip("Save the table as CSV")
        self.export_chart_button = QPushButton("Export chart…")
        self.export_chart_button.setToolTip("Save the chart as PNG or SVG, or its per-epoch numbers as CSV")
        exports = QHBoxLayout()
        exports.addStretch(1)
        exports.addWidget(self.export_table_button)
        exports.addWidget(self.export_chart_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.context_label)
        layout.addWidget(configs_box)
        layout.addLayout(controls)
        layout.addWidget(self.progress)
        layout.addWidget(self.note)
        layout.addWidget(self.plot_widget, 3)
        layout.addWidget(self.table, 2)
        layout.addLayout(exports)

        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / POLL_HZ))
        self.timer.timeout.connect(self.poll)
        self.run_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.export_table_button.clicked.connect(self._export_table_clicked)
        self.export_chart_button.clicked.connect(self._export_chart_clicked)
        self._update_buttons()

    # ------------------------------------------------------------------ context and configurations
    def set_context(self, train: Ratings, test: Ratings | None, model: ModelSpec, training: TrainSpec) -> None:
        """The data, split and settings the next comparison uses (a running one goes on with its own)."""
        first = self.model is None
        if self.training is None or training.epochs != self.training.epochs:
            self.epochs_spin.setValue(max(1, training.epochs))
        self.train, self.test, self.model, self.training = train, test, model, training
        n_inputs = model.n_inputs(train)
        self.current_box.setText(f"current: {config_name(model)}")
        self._specs = {kind: model_for_kind(model, kind, n_inputs) for kind in KINDS}
        for kind, box in self.kind_boxes.items():
            spec, note = self._specs[kind]
            box.setEnabled(spec is not None)
            box.setText(config_name(spec) if spec is not None else f"{kind} (not possible)")
            box.setToolTip(KIND_TITLES[kind] + (f" — {note}" if note else "")
                           + ("" if spec is None else f"; the current model as {kind}"))
            if first:  # the usual comparison, without repeating the current settings
                box.setChecked(kind in DEFAULT_KINDS and spec is not None and spec != model)
        sizes = f"{train.n_users} users × {train.n_movies} movies, {train.n_ratings} training ratings"
        self.context_label.setText(sizes + (f", {test.n_ratings} test ratings" if test is not None else ""))
        self.note.setText("" if test is not None else
                          "<span style='color:#c0392b'>No test split: test RMSE is unavailable (hold out test "
                          "ratings in the Data panel); the curves and table show the training RMSE.</span>")
        self._update_buttons()

    def configurations(self) -> list[CompareConfig]:
        """The checked configurations, current settings first, each trained for the epochs shown."""
        if self.model is None or self.training is None:
            return []
        training = self.training.with_(epochs=self.epochs_spin.value())
        out = []
        if self.current_box.isChecked():
            out.append(CompareConfig(f"current: {config_name(self.model)}", self.model, training))
        for kind, box in self.kind_boxes.items():
            spec = self._specs.get(kind, (None, ""))[0]
            if box.isChecked() and box.isEnabled() and spec is not None:
                out.append(CompareConfig(config_name(spec), spec, training))
        return out

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return self.process is not None

    def start(self) -> None:
        """Start a comparison of :meth:`configurations` (stopping one that runs)."""
        configs = self.configurations()
        if self.train is None or self.training is None:
            self.progress.setText("no data to compare on yet")
            return
        if not configs:
            self.progress.setText("check at least one configuration")
            return
        self._end_process()
        self.configs = configs
        self.seeds = [self.training.seed + k for k in range(self.seeds_spin.value())]
        self.results, self.live = [], {}
        self.plot.clear()
        self.plot.addItem(pg.PlotDataItem(name="train (dashed)", pen=pg.mkPen("#888888", width=1.5,
                                                                                style=Qt.PenStyle.DashLine)))
        self._curves = [_Curves(self.plot, c.name, CONFIG_COLORS[i % len(CONFIG_COLORS)])
                        for i, c in enumerate(configs)]
        self._fill_table()
        self._stopping = False
        self._started_at = time.monotonic()
        self.process = ComparisonProcess(self.train, self.test, configs, self.seeds)
        self.progress.setText(f"starting {len(configs) * len(self.seeds)} runs…")
        self.timer.start()
        self._update_buttons()

    def stop(self) -> None:
        """Ask the comparison to stop after the epoch it is training."""
        if self.process is not None:
            self._stopping = True
            self.process.stop()
            self.progress.setText("stopping after this epoch…")

    def shutdown(self) -> None:
        """End the comparison's process (the window is closing)."""
        self._end_process()

    def _end_process(self) -> None:
        self.timer.stop()
        if self.process is not None:
            process, self.process = self.process, None
            process.close(2.0)
        self._update_buttons()

    def poll(self) -> None:
        """Take what the comparison sent: epochs extend the live curves, results fill the table."""
        if self.process is None:
            return
        total = len(self.configs) * len(self.seeds)
        for reply in self.process.messages():
            match reply:
                case p.EpochDone(index, seed, epoch, train_rmse, test_rmse):
                    train, test = self.live.setdefault((index, seed), ([], []))
                    train.append(train_rmse)
                    test.append(test_rmse)
                    self.progress.setText(f"run {len(self.results) + 1} of {total}: {self.configs[index].name}, "
                                          f"seed {seed}, epoch {epoch}/{self.configs[index].training.epochs}")
                    self._dirty = True
                case p.RunDone(result):
                    self.results.append(result)
                    self.live[(result.config_index, result.seed)] = (list(result.train_curve),
                                                                      list(result.test_curve))
                    self._fill_table()
                    self._dirty = True
                case p.Finished():
                    done = sum(r.state != State.STOPPED for r in self.results)
                    what = "stopped" if self._stopping else "done"
                    self.progress.setText(f"{what}: {done} of {total} runs in "
                                          f"{time.monotonic() - self._started_at:.1f} s")
                    self._end_process()
                case p.Failed(text):
                    self.progress.setText(f"<span style='color:#c0392b'>{text}</span>")
                    self._end_process()
        if self._dirty:
            self._draw()

    def _draw(self) -> None:
        self._dirty = False
        for index, curves in enumerate(self._curves):
            runs = [v for (i, _), v in self.live.items() if i == index]
            curves.show([np.asarray(train, dtype=float) for train, _ in runs],
                        [np.asarray(test, dtype=float) for _, test in runs])

    def summaries(self):
        """:func:`summarise` of the completed runs (a stopped run is left out)."""
        return summarise([r for r in self.results if r.state != State.STOPPED])

    def _fill_table(self) -> None:
        summaries = self.summaries()
        self.table.setRowCount(len(summaries))
        test_means = np.array([s.test_rmse_mean for s in summaries], dtype=float)
        if not np.isfinite(test_means).any():
            test_means = np.array([s.train_rmse_mean for s in summaries], dtype=float)
        finite = np.where(np.isfinite(test_means), test_means, np.inf)
        best = int(np.argmin(finite)) if len(finite) and np.isfinite(finite).any() else -1
        for row, s in enumerate(summaries):
            cells = (s.name, str(s.runs), _mean_sd(s.train_rmse_mean, s.train_rmse_sd),
                     _mean_sd(s.test_rmse_mean, s.test_rmse_sd), f"{s.epochs_mean:.1f}",
                     f"{s.seconds_mean:.2f}" + (f" ± {s.seconds_sd:.2f}" if math.isfinite(s.seconds_sd) else ""))
            values = (s.config_index, s.runs, s.train_rmse_mean, s.test_rmse_mean, s.epochs_mean, s.seconds_mean)
            for col, (text, value) in enumerate(zip(cells, values)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, value)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row == best:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(QBrush(QColor(BEST_BRUSH)))
                    item.setForeground(QBrush(QColor("#000000")))
                    item.setToolTip("the best test RMSE" if np.isfinite(s.test_rmse_mean) else "the best train RMSE")
                self.table.setItem(row, col, item)
            self.table.item(row, 0).setData(Qt.ItemDataRole.DecorationRole,
                                            QColor(CONFIG_COLORS[s.config_index % len(CONFIG_COLORS)]))
        self.best_row = best

    def _update_buttons(self) -> None:
        self.run_button.setEnabled(self.train is not None)
        self.stop_button.setEnabled(self.process is not None)

    # ------------------------------------------------------------------ exporting
    def export_table(self, path: str) -> None:
        """The table (every summary field, full precision) as CSV."""
        write_summary_csv(self.summaries(), path)

    def export_chart(self, path: str) -> None:
        """The chart as shown (PNG, or SVG by the extension, :func:`~aegui.qt.plot_export.export_view`),
        or the per-epoch numbers of every run when ``path`` ends in ``.csv``."""
        if path.lower().endswith(".csv"):
            write_curves_csv(self._run_curves(), path)
        else:
            export_view(self.plot_widget, path, "aegui comparison")

    def _run_curves(self) -> list[RunResult]:
        """Finished runs as they are, runs in progress with their epochs so far."""
        finished = {(r.config_index, r.seed) for r in self.results}
        partial = [RunResult(i, self.configs[i].name, seed, np.asarray(tr, float), np.asarray(te, float),
                             math.nan, math.nan, len(tr), math.nan, State.RUNNING, "running")
                   for (i, seed), (tr, te) in self.live.items() if (i, seed) not in finished]
        return list(self.results) + partial

    def ask_table_path(self) -> str | None:
        """Ask where to save the table (tests override this)."""
        path, _ = QFileDialog.getSaveFileName(self, "Export the comparison table", "comparison.csv",
                                              "CSV table (*.csv)")
        return path or None

    def ask_chart_path(self) -> str | None:
        """Ask where to save the chart (tests override this)."""
        path, _ = QFileDialog.getSaveFileName(self, "Export the comparison chart", "comparison.png",
                                              "PNG image (*.png);;SVG drawing (*.svg);;CSV per-epoch data (*.csv)")
        return path or None

    def _export_table_clicked(self) -> None:
        path = self.ask_table_path()
        if path:
            self._report(self.export_table, path)

    def _export_chart_clicked(self) -> None:
        path = self.ask_chart_path()
        if path:
            self._report(self.export_chart, path)

    def _report(self, export, path: str) -> None:
        try:
            export(path)
        except OSError as exc:
            self.progress.setText(f"<span style='color:#c0392b'>cannot write {path}: {exc.strerror or exc}</span>")
        else:
            self.progress.setText(f"saved {path}")
