"""The user's views in the main window: one user selected everywhere, their predictions and
recommendations, a new user encoded live, the timeline scrubbed and branched, the model exported."""

from __future__ import annotations

import csv
import json

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from conftest import TIMEOUT, wait_state


def show(window, name):
    window.docks[name].raise_()
    window.docks[name].show()


def insight_for(qtbot, window, user):
    qtbot.waitUntil(lambda: window.user_panel.insight is not None and window.user_panel.insight.user == user
                    and window.user_panel.insight.step == window.snapshot.step, timeout=TIMEOUT)
    return window.user_panel.insight


def test_a_user_selected_in_the_grid_is_selected_everywhere(qtbot, window):
    show(window, "User")
    window.data_panel.view.setCurrentIndex(window.data_panel.model.index(7, 2))
    assert window.user_panel.user.value() == 8
    qtbot.waitUntil(lambda: window.snapshot.trace is not None and window.snapshot.trace.observation == 7,
                    timeout=TIMEOUT)
    ins = insight_for(qtbot, window, 7)
    # the Readout tab behind the User tab draws nothing until it is brought forward, then the same user
    assert window.readout_panel.observation.value() != 8
    show(window, "Readout")
    assert window.readout_panel.observation.value() == 8
    show(window, "User")
    # … and picked in the user panel, the grid follows
    window.user_panel.user.setValue(4)
    assert window.data_panel.view.currentIndex().row() == 3
    ins = insight_for(qtbot, window, 3)
    assert f"RMSE on their ratings {ins.user_rmse[0]:.3f}" in window.user_panel.summary.text()
    ratings = window.doc.train_ratings()
    np.testing.assert_array_equal(ins.user_ratings, ratings.dense_rows(np.array([3]))[0])
    eligible = int(((ins.user_ratings == 0) & (ins.movie_ratings >= window.user_panel.min_ratings.value())).sum())
    assert window.user_panel.table.rowCount() == min(window.user_panel.top.value(), eligible) > 0
    first = ins.recommendations[0].movie
    assert window.user_panel.table.item(0, 1).text() == ratings.movie_titles[first]
    assert ins.user_ratings[first] == 0


def test_the_min_ratings_spin_box_asks_the_engine_again(qtbot, window):
    show(window, "User")
    panel = window.user_panel
    ins = insight_for(qtbot, window, 0)
    counts = window.doc.train_ratings().ratings_per_movie
    assert panel.min_ratings.value() == ins.min_ratings
    np.testing.assert_array_equal(ins.movie_ratings, counts)
    unrated = np.flatnonzero(ins.user_ratings == 0)
    k = int(np.median(counts[unrated])) + 1    # leaves out some of the user's unrated movies, not all
    assert 0 < (counts[unrated] >= k).sum() < len(unrated)
    panel.top.setValue(window.doc.ratings.n_movies)
    panel.min_ratings.setValue(k)
    qtbot.waitUntil(lambda: panel.insight.min_ratings == k, timeout=TIMEOUT)
    recs = panel.insight.recommendations
    assert sorted(r.movie for r in recs) == sorted(unrated[counts[unrated] >= k])
    assert panel.table.rowCount() == len(recs)
    assert [int(panel.table.item(r, 3).text()) for r in range(len(recs))] == [counts[r.movie] for r in recs]


def test_the_bars_are_the_users_ratings_and_reconstructions(qtbot, window, tmp_path):
    show(window, "User")
    ins = insight_for(qtbot, window, 0)
    panel = window.user_panel
    rated = (ins.user_ratings > 0) | (ins.user_test > 0)
    heights = np.concatenate([panel.rating_bars.opts["height"], panel.test_bars.opts["height"]])
    assert len(heights) == min(rated.sum(), 80)
    movie = panel.bar_at(0.0)
    assert panel.pred_bars.opts["height"][0] == ins.user_predictions[movie]
    panel.ask_csv_path = lambda: str(tmp_path / "user.csv")
    qtbot.mouseClick(panel.csv_button, Qt.MouseButton.LeftButton)
    with open(tmp_path / "user.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == window.doc.ratings.n_movies
    best = rows[0]
    assert float(best["predicted"]) == round(float(ins.user_predictions.max()), 4)
    panel.chart_button.ask_path = lambda: str(tmp_path / "user.svg")
    qtbot.mouseClick(panel.chart_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "user.svg").stat().st_size > 1000


def test_a_new_user_is_encoded_live_as_the_engine_would(qtbot, window):
    show(window, "User")
    ins = insight_for(qtbot, window, 0)
    show(window, "New user")
    panel = window.new_user_panel
    movies = np.flatnonzero(ins.user_ratings)
    for movie in movies:  # type user 1's ratings by hand: the network must say what it says of user 1
        panel.rate(int(movie), float(ins.user_ratings[movie]))
    qtbot.waitUntil(lambda: panel.encoding is not None and np.count_nonzero(panel.encoding.ratings) == len(movies),
                    timeout=TIMEOUT)
    np.testing.assert_allclose(panel.encoding.predictions, ins.user_predictions, atol=1e-5)
    np.testing.assert_allclose(panel.encoding.codes[ins.code_layer], ins.codes[ins.code_layer][0], atol=1e-6)
    np.testing.assert_allclose(panel.code_bars.opts["height"], ins.codes[ins.code_layer][0], atol=1e-6)
    code, label = window.latent_panel._extra   # the new user is a star in the latent space
    np.testing.assert_allclose(code, ins.codes[ins.code_layer][0], atol=1e-6)
    assert label == "new user"
    # a typed rating changes the code at once
    old = panel.encoding.codes[ins.code_layer]
    unrated = int(np.flatnonzero(ins.user_ratings == 0)[0])
    index = panel.proxy.mapFromSource(panel.model.index(int(np.flatnonzero(panel.model.order == unrated)[0]), 2))
    panel.table.setCurrentIndex(index)
    panel.table.edit(index)
    editor = panel.table.focusWidget()
    qtbot.keyClicks(editor, "5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.encoding.ratings[unrated] == 5, timeout=TIMEOUT)
    assert not np.allclose(panel.encoding.codes[ins.code_layer], old)
    assert panel.model.setData(index, "9") is False   # refused, and said why


def test_scrubbing_the_timeline_shows_that_epochs_weights_and_branching_trains_on(qtbot, window):
    seen = {}
    window.snapshotShown.connect(lambda s: seen.setdefault(s.step, s.weights[0].copy()))
    for _ in range(3):
        steps = window.snapshot.step
        window.training_panel.step_epoch_action.trigger()
        qtbot.waitUntil(lambda: window.snapshot.step > steps and window.controller.state != "running",
                        timeout=TIMEOUT)
    bar = window.timeline_bar
    assert bar.slider.maximum() == 4 and bar.slider.value() == 4  # start + 3 epochs, then the present
    bar.slider.setValue(1)
    qtbot.waitUntil(lambda: window.snapshot.viewing == 1, timeout=TIMEOUT)
    # the description sits between the slider and the buttons, whole
    assert bar.label.text().startswith("epoch 1 · update")
    assert bar.slider.geometry().right() < bar.label.geometry().left()
    assert bar.label.geometry().right() < bar.branch_button.geometry().left()
    point = window.snapshot.timeline[1]
    assert window.snapshot.state == "viewing" and point.label == "epoch 1"
    np.testing.assert_array_equal(window.snapshot.weights[0], seen[point.step])
    assert window.charts_panel.epoch_marker.value() == 1
    assert bar.branch_button.isEnabled()
    qtbot.mouseClick(bar.present_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.snapshot.viewing is None, timeout=TIMEOUT)
    bar.slider.setValue(1)
    qtbot.waitUntil(lambda: window.snapshot.viewing == 1, timeout=TIMEOUT)
    qtbot.mouseClick(bar.branch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.snapshot.viewing is None and len(window.snapshot.branches) == 1,
                    timeout=TIMEOUT)
    assert window.snapshot.step == point.step and len(window.snapshot.history.epoch_train_rmse) == 1
    assert bar.slider.maximum() == 2
    train, _test = window.charts_panel.branch_curves[0]
    assert len(train.getData()[0]) == 3   # the abandoned epochs 1-3, dashed
    steps = window.snapshot.step
    window.training_panel.step_epoch_action.trigger()
    qtbot.waitUntil(lambda: window.snapshot.step > steps, timeout=TIMEOUT)
    wait_state(qtbot, window, "paused")


def test_the_model_exports_as_a_state_dict_and_json(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "net.pt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_model_action.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "net.json").exists() and target.exists(), timeout=TIMEOUT)
    spec = json.loads((tmp_path / "net.json").read_text())
    assert [layer["in"] for layer in spec["layers"]][0] == window.doc.ratings.n_movies
    assert tuple(layer["out"] for layer in spec["layers"]) == window.snapshot.sizes[1:]


def test_a_point_clicked_in_the_latent_space_selects_that_user_everywhere(qtbot, window):
    from PySide6.QtCore import QPointF
    from PySide6.QtTest import QTest

    show(window, "Latent space")
    panel = window.latent_panel
    qtbot.waitUntil(lambda: panel._insight is not None, timeout=TIMEOUT)
    qtbot.wait(50)
    user = 9
    x, y = panel._xy[user]
    point = panel.graphics.mapFromScene(panel.plot.vb.mapViewToScene(QPointF(x, y)))
    QTest.mouseClick(panel.graphics.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    clicked = window._shown_user
    assert clicked != 0 and np.allclose(panel._xy[clicked], panel._xy[user], atol=1e-3)  # that point (or its twin)
    assert window.data_panel.view.currentIndex().row() == clicked
    assert window.user_panel.user.value() == clicked + 1
    qtbot.waitUntil(lambda: window.snapshot.trace.observation == clicked, timeout=TIMEOUT)
    # the grid selects another user: the latent space rings it and the heat map marks it
    window.data_panel.view.setCurrentIndex(window.data_panel.model.index(2, 0))
    np.testing.assert_allclose(panel.ring.getData()[0], panel._xy[2:3, 0])
    assert window.codes_panel._selected == 2
