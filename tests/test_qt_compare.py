"""The Compare panel driven as a user would: check types, click Run and Stop, export; its child process."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import Qt

from aegui.core.data.demo import synthetic
from aegui.core.data.ratings import Ratings
from aegui.core.data.splits import split_random
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.qt.compare_panel import ComparePanel

TIMEOUT = 30_000
EPOCHS = 4
MODEL = ModelSpec(hidden=(4, 2))
TRAINING = TrainSpec(mode="minibatch", batch_size=8, lr=0.01, epochs=EPOCHS, seed=5)


@pytest.fixture(scope="module")
def data():
    return split_random(synthetic(30, 10, density=0.5, n_genres=3, seed=0), 0.2, seed=0)


@pytest.fixture
def panel(qtbot, data):
    p = ComparePanel()
    qtbot.addWidget(p)
    p.set_context(*data, MODEL, TRAINING)
    p.resize(700, 900)
    p.show()
    yield p
    p.shutdown()


def points(item) -> int:
    y = item.getData()[1]
    return 0 if y is None else len(y)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_compare_types_over_seeds_then_export(qtbot, panel, tmp_path):
    # the usual comparison is offered: the current settings, denoising and sparse (basic is the current one)
    assert panel.current_box.isChecked() and panel.current_box.text() == "current: basic 4,2"
    assert [k for k, b in panel.kind_boxes.items() if b.isChecked()] == ["sparse", "denoising"]
    assert panel.kind_boxes["overcomplete"].text() == "overcomplete 20"   # widened past the 10 movies
    assert panel.epochs_spin.value() == EPOCHS and panel.note.text() == ""
    for widget in (panel.run_button, panel.stop_button, panel.seeds_spin, panel.epochs_spin, panel.current_box,
                   *panel.kind_boxes.values(), panel.export_table_button, panel.export_chart_button):
        assert widget.toolTip()
    panel.seeds_spin.setValue(2)
    click(qtbot, panel.run_button)
    assert panel.running and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.running, timeout=TIMEOUT)
    assert panel.progress.text().startswith("done: 6 of 6 runs"), panel.progress.text()
    assert not panel.stop_button.isEnabled()

    table = panel.table
    assert table.rowCount() == 3
    names = [table.item(r, 0).text() for r in range(3)]
    assert names == ["current: basic 4,2", "sparse 4,2", "denoising 4,2"]
    assert all(table.item(r, 1).text() == "2" and "±" in table.item(r, 3).text() for r in range(3))
    test_means = [table.item(r, 3).data(Qt.ItemDataRole.UserRole) for r in range(3)]
    assert panel.best_row == int(np.argmin(test_means))
    assert table.item(panel.best_row, 3).font().bold() and not table.item((panel.best_row + 1) % 3, 3).font().bold()
    by_config = {s.name: s for s in panel.summaries()}
    for r in range(3):
        runs = [x.test_rmse for x in panel.results if x.name == names[r]]
        assert by_config[names[r]].test_rmse_mean == pytest.approx(np.mean(runs))
        assert test_means[r] == pytest.approx(np.mean(runs))

    for index, curves in enumerate(panel._curves):  # mean curves of every configuration and their band
        x, test = curves.test.getData()
        _, train = curves.train.getData()
        _, low = curves.low.getData()
        _, high = curves.high.getData()
        np.testing.assert_array_equal(x, np.arange(1, EPOCHS + 1))
        runs = np.array([r.test_curve for r in panel.results if r.config_index == index])
        np.testing.assert_allclose(test, runs.mean(axis=0))
        np.testing.assert_allclose(low, runs.min(axis=0))
        np.testing.assert_allclose(high, runs.max(axis=0))
        assert len(train) == EPOCHS and (low <= test + 1e-12).all() and (test <= high + 1e-12).all()

    paths = {ext: tmp_path / f"out.{ext}" for ext in ("csv", "png", "svg")}
    panel.ask_table_path = lambda: str(paths["csv"])
    click(qtbot, panel.export_table_button)
    with open(paths["csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == names
    assert float(rows[0]["test_rmse_mean"]) == pytest.approx(test_means[0])
    for ext in ("png", "svg"):
        panel.ask_chart_path = lambda ext=ext: str(paths[ext])
        click(qtbot, panel.export_chart_button)
        assert paths[ext].stat().st_size > 1000, ext
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in paths["svg"].read_text(encoding="utf-8")
    curves_csv = tmp_path / "curves.csv"
    panel.export_chart(str(curves_csv))
    assert len(curves_csv.read_text().splitlines()) == 1 + 6 * EPOCHS


def test_stop_and_a_new_run_end_the_old_child(qtbot, panel):
    panel.epochs_spin.setValue(100_000)
    panel.seeds_spin.setValue(1)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: "epoch" in panel.progress.text(), timeout=TIMEOUT)
    first = panel.process
    click(qtbot, panel.run_button)           # a new run while one runs: the old child ends first
    assert not first.alive and panel.process is not first and panel.running
    qtbot.waitUntil(lambda: "epoch" in panel.progress.text(), timeout=TIMEOUT)
    click(qtbot, panel.stop_button)
    qtbot.waitUntil(lambda: not panel.running, timeout=TIMEOUT)
    assert panel.progress.text().startswith("stopped: 0 of 3 runs")
    assert panel.table.rowCount() == 0       # a stopped run is not summarised
    assert points(panel._curves[0].test) > 0   # but its curve so far stays drawn

    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: "epoch" in panel.progress.text(), timeout=TIMEOUT)
    child = panel.process
    panel.shutdown()                         # the window closes
    assert not child.alive and not panel.running


def test_without_a_test_split_the_train_rmse_is_compared(qtbot, panel, data):
    panel.set_context(data[0], None, MODEL, TRAINING.with_(epochs=2))
    assert "test RMSE is unavailable" in panel.note.text()
    assert panel.epochs_spin.value() == 2
    panel.current_box.setChecked(False)
    panel.kind_boxes["sparse"].setChecked(False)
    panel.seeds_spin.setValue(1)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.running, timeout=TIMEOUT)
    assert panel.table.rowCount() == 1 and panel.table.item(0, 3).text() == "—"
    assert panel.best_row == 0
    assert points(panel._curves[0].train) == 2 and points(panel._curves[0].test) == 0
    assert points(panel._curves[0].low) == 2   # the band follows the train curves


def test_a_type_that_cannot_be_built_is_disabled(qtbot):
    p = ComparePanel()
    qtbot.addWidget(p)
    assert not p.run_button.isEnabled()      # no data yet
    one_movie = Ratings.from_dense(np.array([[4.0], [5.0], [3.0]]))
    p.set_context(one_movie, None, ModelSpec(kind="sparse", hidden=(3,)), TRAINING)
    box = p.kind_boxes["basic"]
    assert not box.isEnabled() and "not possible" in box.text() and "narrow" in box.toolTip()
    assert "basic" not in [c.model.kind for c in p.configurations()]
    assert p.run_button.isEnabled()
    p.current_box.setChecked(False)
    for b in p.kind_boxes.values():
        b.setChecked(False)
    click(qtbot, p.run_button)
    assert not p.running and "check at least one" in p.progress.text()
    p.shutdown()
